/* Buffered output to a file descriptor; see outbuf.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "outbuf.h"
#include "xalloc.h"

enum { OUTBUF_CAP = 256 * 1024 };
/* A file to be synced has its writeback started per this many bytes:
 * the disk writes a big output while the rest is formatted, not all of
 * it at the fsync. */
enum { WRITEBACK_STEP = 4 * 1024 * 1024 };

void outbuf_init(struct outbuf *o, int fd)
{
    o->fd = fd;
    o->buf = xmalloc(OUTBUF_CAP);
    o->len = 0;
    o->cap = OUTBUF_CAP;
    o->err = 0;
    o->written = o->started = 0;
    o->writeback = false;
}

void outbuf_writeback(struct outbuf *o)
{
    o->writeback = true;
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
        o->written += (uint64_t)w;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    /* Asynchronous: the pages are queued for the disk, not waited for
     * (an error shows at the fsync). */
    if (o->writeback && o->written - o->started >= WRITEBACK_STEP) {
        (void)sync_file_range(o->fd, (off_t)o->started, (off_t)(o->written - o->started),
                              SYNC_FILE_RANGE_WRITE);
        o->started = o->written;
    }
#endif
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
    o->written = o->started = 0;
    o->writeback = false;
}

/* outbuf_write's path when p does not fit behind what is buffered. */
void outbuf_write_slow(struct outbuf *o, const void *p, size_t n)
{
    if (o->fd < 0) {
        o->buf = xgrow(o->buf, &o->cap, o->len + n, 1);
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

/* outbuf_room's path when n bytes do not fit behind what is buffered. */
char *outbuf_room_slow(struct outbuf *o, size_t n)
{
    if (o->fd >= 0)
        outbuf_flush(o);
    /* A memory buffer grows; so does a file buffer whose flush failed
     * (the error is already sticky). */
    o->buf = xgrow(o->buf, &o->cap, o->len + n, 1);
    return o->buf + o->len;
}

/* Digits of v ending just before end; returns where they start. */
static char *digits_before(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void outbuf_u64(struct outbuf *o, uint64_t v)
{
    size_t n = 1;

    for (uint64_t x = v; x >= 10; x /= 10)
        n++;
    char *d = outbuf_room(o, n);
    digits_before(d + n, v);
    o->len += n;
}

void outbuf_u32s(struct outbuf *o, const uint32_t *v, size_t n, char sep)
{
    char *d = outbuf_room(o, n * 11), *start = d;

    for (size_t i = 0; i < n; i++) {
        *d++ = sep;
        if (v[i] < 10) {        /* most counts of a row: one digit or 0 */
            *d++ = (char)('0' + v[i]);
            continue;
        }
        char tmp[10], *end = tmp + sizeof(tmp), *s = digits_before(end, v[i]);
        memcpy(d, s, (size_t)(end - s));
        d += end - s;
    }
    o->len += (size_t)(d - start);
}

void outbuf_g(struct outbuf *o, double v)
{
    /* Scores are sums of small weights times counts: almost always a
     * decimal with few digits. When v times 10^k is an integer m (exactly,
     * as a double) with at most six digits, v lies so close to m / 10^k
     * that "%g" (six significant digits) prints m / 10^k, which we can
     * write by hand. Anything else goes through printf. */
    static const double pow10[] = { 1, 10, 100, 1000, 10000 };
    double a = fabs(v);

    if (v == 0 && !signbit(v)) {
        outbuf_putc(o, '0');
        return;
    }
    if (a >= 1e-4 && a < 1e6) {
        for (unsigned k = 0; k < sizeof(pow10) / sizeof(pow10[0]); k++) {
            double x = a * pow10[k];
            if (x >= 1e6 || x != (double)(uint64_t)x)
                continue;
            uint64_t m = (uint64_t)x, scale = (uint64_t)pow10[k];
            char tmp[16], *end = tmp + sizeof(tmp), *s;
            for (; k > 0 && m % 10 == 0; k--)
                m /= 10, scale /= 10;
            if (k > 0) {
                uint64_t frac = m % scale;
                for (unsigned i = 0; i < k; i++, frac /= 10)
                    *--end = (char)('0' + frac % 10);
                *--end = '.';
            }
            s = digits_before(end, m / scale);
            if (v < 0)
                *--s = '-';
            outbuf_write(o, s, (size_t)(tmp + sizeof(tmp) - s));
            return;
        }
    }
    outbuf_printf(o, "%g", v);
}

void outbuf_ipprefix(struct outbuf *o, const struct ipprefix *p)
{
    char *d = outbuf_room(o, IPPREFIX_STRLEN);

    o->len += ipprefix_text(p, d);
}

void outbuf_ipaddr(struct outbuf *o, const struct ipaddr *a)
{
    struct ipprefix p = { *a, a->family == 4 ? 32 : 128 };

    outbuf_ipprefix(o, &p);
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
