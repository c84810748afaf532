/* Huge-page-backed large arrays; see hugemem.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "hugemem.h"
#include "msg.h"
#include "xalloc.h"

enum { HUGE_PAGE = 2 * 1024 * 1024, HUGE_WHOLE_FROM = 512 * 1024 };

/* Aligned to a huge page, so that every one of its huge pages can be one. */
void *hugemem_alloc(size_t n)
{
    void *p;

    if (n < HUGE_PAGE)
        return xmalloc(n ? n : 1);
    if (n > SIZE_MAX - HUGE_PAGE)
        msg_fatal("out of memory (%zu bytes)", n);
    n = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, n) != 0)
        msg_fatal("out of memory (%zu bytes)", n);
#ifdef MADV_HUGEPAGE
    madvise(p, n, MADV_HUGEPAGE);       /* a hint: failure only costs speed */
#endif
    return p;
}

void *hugemem_alloc_whole(size_t n)
{
    return hugemem_alloc(n >= HUGE_WHOLE_FROM && n < HUGE_PAGE ? HUGE_PAGE : n);
}

void *hugemem_grow(void *p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return p;
    size_t c = xgrow_cap(*cap, need, sz);
    /* A new aligned block: realloc cannot remap an aligned one (glibc
     * copies it anyway) and would lose the alignment. */
    void *q = hugemem_alloc(c * sz);
    if (p)
        memcpy(q, p, *cap * sz);
    free(p);
    *cap = c;
    return q;
}
