/* The diff against the previous publication; see pubdiff.h. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "pubdiff.h"
#include "hugemem.h"
#include "outbuf.h"
#include "xalloc.h"

/* A key with its first 16 bytes as two big-endian integers (zero after
 * the end): most comparisons end there, without following the pointer. */
struct sortkey {
    uint64_t hi, lo;
    const char *s;
};

static struct sortkey sortkey_of(const char *s)
{
    unsigned char b[16] = { 0 };
    struct sortkey k = { 0, 0, s };

    for (size_t i = 0; i < 16 && s[i]; i++)
        b[i] = (unsigned char)s[i];
    for (int i = 0; i < 8; i++) {
        k.hi = k.hi << 8 | b[i];
        k.lo = k.lo << 8 | b[i + 8];
    }
    return k;
}

/* strcmp order. Equal first 16 bytes with a nonzero 16th byte mean both
 * strings go on; otherwise both ended within them and are equal. */
static int cmp_sortkey(const void *a, const void *b)
{
    const struct sortkey *x = a, *y = b;

    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return (x->lo & 0xff) ? strcmp(x->s + 16, y->s + 16) : 0;
}

/* Sorts the n strings of v in place. */
static void sort_keys(const char **v, size_t n)
{
    if (n < 2)
        return;
    struct sortkey *k = hugemem_alloc(n * sizeof(*k));
    for (size_t i = 0; i < n; i++)
        k[i] = sortkey_of(v[i]);
    qsort(k, n, sizeof(*k), cmp_sortkey);
    for (size_t i = 0; i < n; i++)
        v[i] = k[i].s;
    free(k);
}

bool pubdiff_read_previous(struct pubdiff *d, const char *outdir)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof(path), "%s/listings.csv", outdir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t size = fstat(fd, &sb) == 0 && sb.st_size > 0 ? (size_t)sb.st_size : 0;
    char *t = hugemem_alloc(size + 1);
    size_t len = 0;
    for (ssize_t r; len < size && (r = read(fd, t + len, size - len)) != 0;)
        if (r > 0)
            len += (size_t)r;
        else
            break;              /* a read error ends the file early, as before */
    close(fd);
    t[len] = 0;
    d->prev_text = t;
    size_t cap = 0;
    /* Line by line after the header; a line ends at its newline or at a
     * NUL byte, whichever comes first. The key is the text before the
     * second comma; lines with fewer commas are skipped. */
    char *p = memchr(t, '\n', len), *end = t + len;
    for (p = p ? p + 1 : end; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        char *nul = memchr(p, 0, (size_t)(eol - p));
        char *stop = nul ? nul : eol;
        char *c1 = memchr(p, ',', (size_t)(stop - p));
        char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(stop - c1 - 1)) : NULL;
        if (c2) {
            *c2 = 0;
            d->prev.v = hugemem_grow(d->prev.v, &cap, d->prev.n + 1, sizeof(*d->prev.v));
            d->prev.v[d->prev.n++] = p;
        }
        p = eol + 1;
    }
    return true;
}

void pubdiff_compute(struct pubdiff *d, const struct listings *l)
{
    struct outbuf o;
    size_t *off = hugemem_alloc(l->n * sizeof(*off));

    outbuf_init_mem(&o, l->n * 24 + 64);
    for (size_t i = 0; i < l->n; i++) {
        off[i] = o.len;
        outbuf_ipprefix(&o, &l->v[i].pfx);
        outbuf_putc(&o, ',');
        outbuf_puts(&o, policy_cause_name(l->v[i].d.cause));
        outbuf_putc(&o, 0);
    }
    d->cur_text = o.buf;        /* final now: no more growth */
    d->cur.v = hugemem_alloc(l->n * sizeof(*d->cur.v));
    d->cur.n = l->n;
    for (size_t i = 0; i < l->n; i++)
        d->cur.v[i] = d->cur_text + off[i];
    free(off);
    sort_keys(d->prev.v, d->prev.n);
    sort_keys(d->cur.v, d->cur.n);
    d->added.v = hugemem_alloc(d->cur.n * sizeof(*d->added.v));
    d->removed.v = hugemem_alloc(d->prev.n * sizeof(*d->removed.v));
    size_t i = 0, j = 0;
    while (i < d->prev.n || j < d->cur.n) {
        int c = i == d->prev.n ? 1 : j == d->cur.n ? -1 : strcmp(d->prev.v[i], d->cur.v[j]);
        if (c == 0)
            d->kept++, i++, j++;
        else if (c < 0)
            d->removed.v[d->removed.n++] = d->prev.v[i++];
        else
            d->added.v[d->added.n++] = d->cur.v[j++];
    }
}

void pubdiff_free(struct pubdiff *d)
{
    free(d->prev.v);
    free(d->cur.v);
    free(d->added.v);
    free(d->removed.v);
    free(d->prev_text);
    free(d->cur_text);
    memset(d, 0, sizeof(*d));
}
