/* Checked allocation wrappers; see xalloc.h. */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "xalloc.h"
#include "msg.h"

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        msg_fatal("out of memory allocating %zu bytes", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        msg_fatal("out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        msg_fatal("out of memory reallocating %zu bytes", n);
    return q;
}

size_t xgrow_cap(size_t cap, size_t need, size_t sz)
{
    size_t c = cap ? cap : 16;

    while (c < need) {
        if (c > SIZE_MAX / 2 / sz)
            msg_fatal("array too large (%zu elements)", need);
        c *= 2;
    }
    return c;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return p;
    *cap = xgrow_cap(*cap, need, sz);
    return xrealloc(p, *cap * sz);
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}
