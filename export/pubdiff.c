/* The diff against the previous publication; see pubdiff.h. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pubdiff.h"
#include "hugemem.h"
#include "xalloc.h"

/* An entry as integers, 20 bytes: the address as four big-endian words
 * (IPv4 in the first), so that comparing words follows ipaddr_cmp. */
struct pubdiff_key {
    uint32_t w[4];
    uint8_t family, len, cause;
};

enum { READ_BUF = 128 * 1024 };

static struct pubdiff_key key_of(const struct ipprefix *p, unsigned cause)
{
    struct pubdiff_key k = { { 0 }, p->addr.family, p->len, (uint8_t)cause };

    for (int i = 0; i < (p->addr.family == 4 ? 1 : 4); i++) {
        const uint8_t *b = p->addr.b + 4 * i;
        k.w[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    }
    return k;
}

static struct pubdiff_key key_of_listing(const struct listing *e)
{
    /* policy_cause_name writes "none" for a cause out of range. */
    unsigned c = (unsigned)e->d.cause < CAUSE__COUNT ? (unsigned)e->d.cause : CAUSE_NONE;

    return key_of(&e->pfx, c);
}

/* Prefix order as listings_sort has it: address, then length. */
static int cmp_prefix(const struct pubdiff_key *a, const struct pubdiff_key *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (int i = 0; i < 4; i++)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

static int cmp_key(const void *a, const void *b)
{
    const struct pubdiff_key *x = a, *y = b;
    int c = cmp_prefix(x, y);

    return c ? c : (x->cause > y->cause) - (x->cause < y->cause);
}

/* The key of p[0..n) ("prefix,cause"), if the text is exactly what an
 * entry of that prefix and cause renders to. Anything else ("IPv6:",
 * upper case, "/32", a hand edit) never equals a current entry. */
static bool key_parse(const char *p, size_t n, struct pubdiff_key *k)
{
    size_t an = (size_t)((const char *)memchr(p, ',', n) - p);
    struct ipprefix x;
    char t[IPPREFIX_STRLEN];

    if (!ipprefix_parse(span_make(p, an), &x, false) || ipprefix_text(&x, t) != an
        || memcmp(t, p, an) != 0)
        return false;
    int c = policy_cause_lookup(p + an + 1, n - an - 1);
    if (c < 0)
        return false;
    *k = key_of(&x, (unsigned)c);
    return true;
}

/* Appends p[0..n) and a NUL to the text t. */
static void text_add(char **t, size_t *len, size_t *cap, const char *p, size_t n)
{
    *t = hugemem_grow(*t, cap, *len + n + 1, 1);
    memcpy(*t + *len, p, n);
    (*t)[*len + n] = 0;
    *len += n + 1;
}

static void text_key(char **t, size_t *len, size_t *cap, const struct pubdiff_key *k)
{
    struct ipprefix p;
    char b[IPPREFIX_STRLEN + 32];

    memset(&p, 0, sizeof(p));
    p.addr.family = k->family;
    p.len = k->len;
    for (int i = 0; i < 16; i++)
        p.addr.b[i] = (uint8_t)(k->w[i / 4] >> (24 - 8 * (i % 4)));
    size_t n = ipprefix_text(&p, b);
    const char *name = policy_cause_name((enum cause)k->cause);
    size_t nn = strlen(name);
    b[n++] = ',';
    memcpy(b + n, name, nn);    /* names are a few letters */
    text_add(t, len, cap, b, n + nn);
}

static void add_key(struct pubdiff *d, const char *p, size_t n)
{
    struct pubdiff_key k;

    d->prev++;
    if (key_parse(p, n, &k)) {
        d->keys = hugemem_grow(d->keys, &d->keys_cap, d->nkeys + 1, sizeof(k));
        d->keys[d->nkeys++] = k;
    } else {
        text_add(&d->rtext, &d->rlen, &d->rcap, p, n);
        d->njunk++;
    }
}

/* A line's key is the text before its second comma, if both come before
 * the line's end or a NUL byte. Returns the key's length, 0 for a line
 * without one, -1 if the line may go on past end. */
static long line_key(const char *p, const char *end, bool complete)
{
    const char *nul = memchr(p, 0, (size_t)(end - p));
    const char *stop = nul ? nul : end;
    const char *c1 = memchr(p, ',', (size_t)(stop - p));
    const char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(stop - c1 - 1)) : NULL;

    if (c2)
        return c2 - p;
    return nul || complete ? 0 : -1;
}

bool pubdiff_read_previous(struct pubdiff *d, const char *outdir)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/listings.csv", outdir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t cap = READ_BUF, len = 0;
    char *buf = xmalloc(cap);
    bool skip = true;           /* to the next newline: the header first */
    ssize_t r;
    /* A read error ends the file early, as at its end. A line still open
     * at the end has no key (else it would have been taken already). */
    while ((r = read(fd, buf + len, cap - len)) > 0) {
        const char *p = buf, *end = buf + len + (size_t)r;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            long k = skip ? 0 : line_key(p, nl ? nl : end, nl != NULL);
            if (k > 0)
                add_key(d, p, (size_t)k);
            if (nl)
                p = nl + 1, skip = false;
            else if (k >= 0)
                p = end, skip = true;   /* the rest of the line does not matter */
            else
                break;
        }
        len = (size_t)(end - p);
        memmove(buf, p, len);
        if (len == cap)         /* a key longer than the buffer */
            buf = xgrow(buf, &cap, cap + 1, 1);
    }
    free(buf);
    close(fd);
    return true;
}

/* A key as two big-endian integers of its first 16 bytes (zero after its
 * end): most comparisons end there, without following the pointer. */
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

/* The n strings one after another in t, in strcmp order. */
static void list_sorted(struct pubdiff_keys *out, const char *t, size_t n)
{
    out->n = n;
    if (n == 0)
        return;
    struct sortkey *k = hugemem_alloc(n * sizeof(*k));
    for (size_t i = 0; i < n; i++, t += strlen(t) + 1)
        k[i] = sortkey_of(t);
    qsort(k, n, sizeof(*k), cmp_sortkey);
    /* The pointers over the sort keys: v[i] lies below k[i], read first. */
    const char **v = (const char **)(void *)k;
    for (size_t i = 0; i < n; i++)
        v[i] = k[i].s;
    out->v = xrealloc(v, n * sizeof(*v));
}

static bool in_prefix_order(const struct pubdiff_key *k, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (cmp_prefix(&k[i - 1], &k[i]) > 0)
            return false;
    return true;
}

/* l's entry j as a key: from l, or from ck, l's keys sorted. */
static struct pubdiff_key cur_key(const struct listings *l, const struct pubdiff_key *ck,
                                  size_t j)
{
    return ck ? ck[j] : key_of_listing(&l->v[j]);
}

/* Merges the sorted previous keys with l by prefix. Within one prefix the
 * entries of a cause on both sides pair off; the rest of either side is
 * removed or added. A prefix normally has one entry a side, but neither
 * side forbids more. False, half done, if l (without ck) turns out not to
 * be in prefix order after all. */
static bool merge(struct pubdiff *d, const struct listings *l, const struct pubdiff_key *ck)
{
    const struct pubdiff_key *pk = d->keys;
    size_t np = d->nkeys, nc = l->n, i = 0, j = 0;
    struct pubdiff_key c, g;

    if (nc > 0)
        c = cur_key(l, ck, 0);
    while (i < np || j < nc) {
        g = j < nc && (i == np || cmp_prefix(&c, &pk[i]) <= 0) ? c : pk[i];
        size_t pc[CAUSE__COUNT] = { 0 }, cc[CAUSE__COUNT] = { 0 };
        for (; i < np && cmp_prefix(&pk[i], &g) == 0; i++)
            pc[pk[i].cause]++;
        for (; j < nc && cmp_prefix(&c, &g) == 0;)
            if (cc[c.cause]++, ++j < nc)
                c = cur_key(l, ck, j);
        if (j < nc && cmp_prefix(&c, &g) < 0)
            return false;
        for (unsigned k = 0; k < CAUSE__COUNT; k++) {
            size_t both = pc[k] < cc[k] ? pc[k] : cc[k];
            g.cause = (uint8_t)k;
            d->kept += both;
            for (size_t m = both; m < pc[k]; m++, d->removed.n++)
                text_key(&d->rtext, &d->rlen, &d->rcap, &g);
            for (size_t m = both; m < cc[k]; m++, d->added.n++)
                text_key(&d->atext, &d->alen, &d->acap, &g);
        }
    }
    return true;
}

void pubdiff_compute(struct pubdiff *d, const struct listings *l)
{
    size_t junk = d->rlen;

    d->cur = l->n;
    d->removed.n = d->njunk;
    if (!in_prefix_order(d->keys, d->nkeys))
        qsort(d->keys, d->nkeys, sizeof(*d->keys), cmp_key);
    if (!merge(d, l, NULL)) {
        /* A hand-made listing may be out of order: start again on its
         * keys, sorted. */
        struct pubdiff_key *ck = hugemem_alloc(l->n * sizeof(*ck));
        for (size_t m = 0; m < l->n; m++)
            ck[m] = key_of_listing(&l->v[m]);
        qsort(ck, l->n, sizeof(*ck), cmp_key);
        d->kept = d->added.n = d->alen = 0;
        d->removed.n = d->njunk, d->rlen = junk;
        merge(d, l, ck);
        free(ck);
    }
    free(d->keys);              /* done with: the lists take over */
    d->keys = NULL;
    d->nkeys = d->keys_cap = 0;
    list_sorted(&d->added, d->atext, d->added.n);
    list_sorted(&d->removed, d->rtext, d->removed.n);
}

void pubdiff_free(struct pubdiff *d)
{
    free(d->added.v);
    free(d->removed.v);
    free(d->keys);
    free(d->atext);
    free(d->rtext);
    memset(d, 0, sizeof(*d));
}
