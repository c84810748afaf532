/* Minimal CIDR covers by range arithmetic on 128-bit integers; see cidr.h. */
#include <stdlib.h>
#include <string.h>
#include "cidr.h"
#include "hugemem.h"
#include "msg.h"
#include "xalloc.h"

typedef unsigned __int128 u128;

struct range {
    u128 lo, hi;                /* inclusive */
};

void cidr_list_add(struct cidr_list *l, const struct ipprefix *p)
{
    l->v = hugemem_grow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = *p;
}

void cidr_list_free(struct cidr_list *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static unsigned bits_of(int family)
{
    return family == 4 ? 32 : 128;
}

/* An address as a number and back, through ipaddr.h's word accessors:
 * every entry of every zone and set passes here. */
static u128 to_int(const struct ipaddr *a)
{
    if (a->family == 4)
        return ipaddr_v4(a);
    return (u128)ipaddr_v6_hi(a) << 64 | ipaddr_v6_lo(a);
}

static void from_int(u128 v, int family, struct ipaddr *a)
{
    if (family == 4) {
        ipaddr_set_v4(a, (uint32_t)v);
        return;
    }
    memset(a, 0, sizeof(*a));
    ipaddr_set_v6(a, (uint64_t)(v >> 64), (uint64_t)v);
}

static struct range to_range(const struct ipprefix *p)
{
    unsigned bits = bits_of(p->addr.family), host = bits - p->len;
    u128 lo = to_int(&p->addr);
    u128 span = host == 128 ? ~(u128)0 : (((u128)1 << host) - 1);
    return (struct range){ lo, lo + span };
}

static int cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The input, read a record at a time: the i-th prefix into *out if it
 * is part of the input (of the family, and accepted), false otherwise. */
struct input {
    const void *in;             /* an array of records of stride bytes ... */
    size_t stride, n;
    cidr_keep_fn *keep;
    cidr_get_fn *get;           /* ... or this */
    void *ctx;
    int family;
    bool sorted;                /* in address order: read once, as it comes */
};

/* The i-th prefix of an array of records that start with one. */
#define PFX_AT(base, stride, i) ((const struct ipprefix *)((const char *)(base) + (i) * (stride)))

static bool input_at(const struct input *in, size_t i, struct ipprefix *out)
{
    if (in->get)
        return in->get(i, out, in->ctx) && out->addr.family == in->family;
    const struct ipprefix *p = PFX_AT(in->in, in->stride, i);
    if (p->addr.family != in->family || (in->keep && !in->keep(p, in->ctx)))
        return false;
    *out = *p;
    return true;
}

/* Merges r into cur when they overlap or touch (cur.hi + 1 == r.lo,
 * without overflow); r starts no lower than cur. */
static bool absorb(struct range *cur, struct range r)
{
    if (r.lo > cur->hi && r.lo - 1 != cur->hi)
        return false;
    if (r.hi > cur->hi)
        cur->hi = r.hi;
    return true;
}

/* Sorted, merged ranges of the input. */
static struct range *ranges(const struct input *in, size_t *out_n)
{
    size_t k = 0, w = 0;
    bool sorted = true;
    struct ipprefix p;

    for (size_t i = 0; i < in->n; i++)
        k += input_at(in, i, &p);
    struct range *r = hugemem_alloc(k * sizeof(*r));
    k = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (!input_at(in, i, &p))
            continue;
        r[k] = to_range(&p);
        sorted = sorted && (k == 0 || r[k - 1].lo <= r[k].lo);
        k++;
    }
    /* Usually given in order; the merge below does not care how equal
     * starts are ordered. */
    if (!sorted)
        qsort(r, k, sizeof(*r), cmp_range);
    for (size_t i = 0; i < k; i++)
        if (w == 0 || !absorb(&r[w - 1], r[i]))
            r[w++] = r[i];
    *out_n = w;
    return r;
}

/* Split [lo, hi] into the fewest aligned blocks, largest first. */
static void emit_range(u128 lo, u128 hi, int family, cidr_emit_fn *emit, void *ctx)
{
    unsigned bits = bits_of(family);

    for (;;) {
        unsigned host = 0;
        while (host < bits) {
            unsigned h = host + 1;
            u128 mask = h == 128 ? ~(u128)0 : (((u128)1) << h) - 1;
            if ((lo & mask) != 0 || lo + mask > hi || lo + mask < lo)
                break;
            host = h;
        }
        struct ipprefix p;
        from_int(lo, family, &p.addr);
        p.len = (uint8_t)(bits - host);
        emit(&p, ctx);
        u128 last = host == 128 ? ~(u128)0 : lo + ((((u128)1) << host) - 1);
        if (last >= hi)
            return;
        lo = last + 1;
    }
}

/* Emits [lo, hi] minus the excluded ranges b[*j..nb); *j moves past the
 * ranges that end before lo, so increasing calls scan b once. len: when
 * [lo, hi] is one prefix of that length, else 0. */
static void emit_minus(u128 lo, u128 hi, unsigned len, const struct range *b, size_t nb,
                       size_t *j, int family, cidr_emit_fn *emit, void *ctx)
{
    while (*j < nb && b[*j].hi < lo)
        (*j)++;
    unsigned host = bits_of(family) - len;
    u128 mask = host >= 128 ? ~(u128)0 : ((u128)1 << host) - 1;
    if (len && (lo & mask) == 0 && lo + mask == hi && (*j == nb || b[*j].lo > hi)) {
        /* The usual entry, an address alone: the block it is, as
         * emit_range would find it. */
        struct ipprefix p;
        from_int(lo, family, &p.addr);
        p.len = (uint8_t)len;
        emit(&p, ctx);
        return;
    }
    for (size_t k = *j; k < nb && b[k].lo <= hi; k++) {
        if (b[k].lo > lo)
            emit_range(lo, b[k].lo - 1, family, emit, ctx);
        if (b[k].hi >= hi)
            return;
        lo = b[k].hi + 1;
    }
    emit_range(lo, hi, family, emit, ctx);
}

static void minimal(const struct input *in, const struct ipprefix *ex, size_t nex,
                    cidr_emit_fn *emit, void *ctx)
{
    size_t nb, j = 0;
    int family = in->family;
    struct input exin = { ex, sizeof(*ex), nex, NULL, NULL, NULL, family, false };
    struct range *b = ranges(&exin, &nb);
    struct ipprefix p;

    if (in->sorted) {
        /* Merged as they come, with no copy of the input as ranges. A
         * record that starts before the range being merged would need
         * one emitted already: the caller's order was wrong. */
        struct range cur = { 0, 0 };
        bool have = false;
        unsigned len = 0;       /* cur is one input prefix of this length */
        for (size_t i = 0; i < in->n; i++) {
            if (!input_at(in, i, &p))
                continue;
            struct range r = to_range(&p);
            if (have) {
                u128 hi = cur.hi;
                if (r.lo < cur.lo)
                    msg_panic("cidr: records out of address order");
                if (absorb(&cur, r)) {
                    if (cur.hi != hi)
                        len = 0;        /* grown past the prefix */
                    continue;
                }
                emit_minus(cur.lo, cur.hi, len, b, nb, &j, family, emit, ctx);
            }
            cur = r;
            len = p.len;
            have = true;
        }
        if (have)
            emit_minus(cur.lo, cur.hi, len, b, nb, &j, family, emit, ctx);
    } else {
        size_t na;
        struct range *a = ranges(in, &na);
        for (size_t i = 0; i < na; i++)
            emit_minus(a[i].lo, a[i].hi, 0, b, nb, &j, family, emit, ctx);
        free(a);
    }
    free(b);
}

void cidr_minimal_each(const void *in, size_t stride, size_t nin, bool sorted,
                       cidr_keep_fn *keep, const struct ipprefix *ex, size_t nex, int family,
                       cidr_emit_fn *emit, void *ctx)
{
    struct input i = { in, stride, nin, keep, NULL, ctx, family, sorted };

    minimal(&i, ex, nex, emit, ctx);
}

void cidr_minimal_get(cidr_get_fn *get, size_t nin, const struct ipprefix *ex, size_t nex,
                      int family, cidr_emit_fn *emit, void *ctx)
{
    struct input i = { NULL, 0, nin, NULL, get, ctx, family, true };

    minimal(&i, ex, nex, emit, ctx);
}

static void add_to_list(const struct ipprefix *p, void *ctx)
{
    cidr_list_add(ctx, p);
}

void cidr_minimal(const struct ipprefix *in, size_t nin, const struct ipprefix *ex,
                  size_t nex, int family, struct cidr_list *out)
{
    cidr_minimal_each(in, sizeof(*in), nin, false, NULL, ex, nex, family, add_to_list, out);
}
