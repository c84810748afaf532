/* Minimal CIDR covers by range arithmetic on 128-bit integers; see cidr.h. */
#include <stdlib.h>
#include <string.h>
#include "cidr.h"
#include "hugemem.h"
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

void cidr_list_reserve(struct cidr_list *l, size_t n)
{
    l->v = hugemem_grow(l->v, &l->cap, l->n + n, sizeof(*l->v));
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

static u128 to_int(const struct ipaddr *a)
{
    u128 v = 0;
    unsigned n = a->family == 4 ? 4 : 16;

    for (unsigned i = 0; i < n; i++)
        v = v << 8 | a->b[i];
    return v;
}

static void from_int(u128 v, int family, struct ipaddr *a)
{
    unsigned n = family == 4 ? 4 : 16;

    memset(a, 0, sizeof(*a));
    a->family = (uint8_t)family;
    for (unsigned i = n; i > 0; i--, v >>= 8)
        a->b[i - 1] = (uint8_t)v;
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

/* Sorted, merged ranges of the prefixes of one family. */
static struct range *ranges(const struct ipprefix *v, size_t n, int family, size_t *out_n)
{
    size_t k = 0, w = 0;
    bool sorted = true;

    for (size_t i = 0; i < n; i++)
        k += v[i].addr.family == family;
    struct range *r = hugemem_alloc(k * sizeof(*r));
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].addr.family == family) {
            r[k] = to_range(&v[i]);
            sorted = sorted && (k == 0 || r[k - 1].lo <= r[k].lo);
            k++;
        }
    /* Usually given in order; the merge below does not care how equal
     * starts are ordered. */
    if (!sorted)
        qsort(r, k, sizeof(*r), cmp_range);
    for (size_t i = 0; i < k; i++) {
        /* Overlapping or adjacent (hi + 1 == lo, without overflow) merge. */
        if (w > 0 && (r[i].lo <= r[w - 1].hi || r[i].lo - 1 == r[w - 1].hi)) {
            if (r[i].hi > r[w - 1].hi)
                r[w - 1].hi = r[i].hi;
        } else {
            r[w++] = r[i];
        }
    }
    *out_n = w;
    return r;
}

/* Split [lo, hi] into the fewest aligned blocks, largest first. */
static void emit_range(u128 lo, u128 hi, int family, struct cidr_list *out)
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
        cidr_list_add(out, &p);
        u128 last = host == 128 ? ~(u128)0 : lo + ((((u128)1) << host) - 1);
        if (last >= hi)
            return;
        lo = last + 1;
    }
}

void cidr_minimal(const struct ipprefix *in, size_t nin, const struct ipprefix *ex,
                  size_t nex, int family, struct cidr_list *out)
{
    size_t na, nb;
    struct range *a = ranges(in, nin, family, &na);
    struct range *b = ranges(ex, nex, family, &nb);
    size_t j = 0;

    for (size_t i = 0; i < na; i++) {
        u128 lo = a[i].lo, hi = a[i].hi;
        bool empty = false;
        while (j < nb && b[j].hi < lo)
            j++;
        /* Cut every excluded range out of [lo, hi]. */
        for (size_t k = j; k < nb && b[k].lo <= hi && !empty; k++) {
            if (b[k].lo > lo)
                emit_range(lo, b[k].lo - 1, family, out);
            if (b[k].hi >= hi)
                empty = true;
            else
                lo = b[k].hi + 1;
        }
        if (!empty)
            emit_range(lo, hi, family, out);
    }
    free(a);
    free(b);
}
