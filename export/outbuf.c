/* Buffered output to a file descriptor; see outbuf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "outbuf.h"
#include "xalloc.h"

enum { OUTBUF_CAP = 256 * 1024 };

void outbuf_init(struct outbuf *o, int fd)
{
    o->fd = fd;
    o->buf = xmalloc(OUTBUF_CAP);
    o->len = 0;
    o->cap = OUTBUF_CAP;
    o->err = 0;
}

static void drain(struct outbuf *o, const char *p, size_t n)
{
    while (n > 0 && o->err == 0) {
        ssize_t w = write(o->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            o->err = w < 0 ? errno : EIO;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

bool outbuf_flush(struct outbuf *o)
{
    if (o->fd < 0)
        return true;            /* a memory buffer keeps its bytes */
    drain(o, o->buf, o->len);
    o->len = 0;
    return o->err == 0;
}

void outbuf_init_mem(struct outbuf *o, size_t cap)
{
    o->fd = -1;
    o->buf = xmalloc(cap ? cap : 1);
    o->len = 0;
    o->cap = cap ? cap : 1;
    o->err = 0;
}

void outbuf_write(struct outbuf *o, const void *p, size_t n)
{
    if (o->len + n <= o->cap) {
        memcpy(o->buf + o->len, p, n);
        o->len += n;
        return;
    }
    if (o->fd < 0) {
        size_t cap = o->cap;
        while (cap < o->len + n)
            cap *= 2;
        o->buf = xrealloc(o->buf, cap);
        o->cap = cap;
        memcpy(o->buf + o->len, p, n);
        o->len += n;
        return;
    }
    outbuf_flush(o);
    if (n >= o->cap)
        drain(o, p, n);
    else {
        memcpy(o->buf, p, n);
        o->len = n;
    }
}

void outbuf_puts(struct outbuf *o, const char *s)
{
    outbuf_write(o, s, strlen(s));
}

void outbuf_printf(struct outbuf *o, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(tmp)) {
        outbuf_write(o, tmp, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    outbuf_write(o, big, (size_t)n);
    free(big);
}

void outbuf_u64(struct outbuf *o, uint64_t v)
{
    char tmp[24];
    int i = sizeof(tmp);

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    outbuf_write(o, tmp + i, sizeof(tmp) - (size_t)i);
}

bool outbuf_close(struct outbuf *o)
{
    bool ok = outbuf_flush(o);

    free(o->buf);
    o->buf = NULL;
    return ok;
}

void outbuf_time(struct outbuf *o, int64_t t, const char *fmt)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || p[1] == 0) {
            outbuf_putc(o, *p);
            continue;
        }
        int v, w = 2;
        switch (*++p) {
        case 'Y': v = tm.tm_year + 1900, w = 4; break;
        case 'm': v = tm.tm_mon + 1; break;
        case 'd': v = tm.tm_mday; break;
        case 'H': v = tm.tm_hour; break;
        case 'M': v = tm.tm_min; break;
        case 'S': v = tm.tm_sec; break;
        default: outbuf_putc(o, *p); continue;
        }
        outbuf_printf(o, "%0*d", w, v);
    }
}
