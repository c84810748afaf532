/* Postfix cidr tables of the listing; see postfix_map.h. */
#include <stdlib.h>
#include <string.h>
#include "postfix_map.h"
#include "ipaddr.h"
#include "xalloc.h"
#include "zone_rbldnsd.h"

enum { HOLE = CAUSE__COUNT, DUNNO };    /* kinds besides the causes */

struct line {
    struct ipprefix pfx;
    uint8_t kind;               /* a cause, HOLE (client) or DUNNO (postscreen) */
};

/* First-match order: IPv4 first, then the longest prefixes, then by
 * address; a hole before a listing of the same prefix. */
static int cmp_line(const void *a, const void *b)
{
    const struct line *x = a, *y = b;

    if (x->pfx.addr.family != y->pfx.addr.family)
        return x->pfx.addr.family < y->pfx.addr.family ? -1 : 1;
    if (x->pfx.len != y->pfx.len)
        return x->pfx.len > y->pfx.len ? -1 : 1;
    int c = ipprefix_cmp(&x->pfx, &y->pfx);
    return c ? c : (x->kind > y->kind) - (x->kind < y->kind);
}

static void header(struct outbuf *o, const char *what, size_t n)
{
    outbuf_printf(o, "# Postfix cidr_table written by rblforge: %zu entries; %s.\n"
                  "# Postfix takes the first matching line: longest prefixes come first.\n",
                  n, what);
}

/* A map's line of a zone entry: its cause; in the postscreen map a
 * dynamic entry alone needs no line (-1: no match is no verdict), one
 * inside a rejected network needs dunno to stop the search there. */
static int kind_of(const struct zone_entry *e, bool postscreen, bool inside)
{
    if (!postscreen || e->cause != CAUSE_DYNAMIC)
        return e->cause;
    return inside ? DUNNO : -1;
}

/* Which prefix lengths the lines of one family have: a bit per length. */
struct lengths {
    uint64_t bit[3];
};

static void has_length(struct lengths *h, const struct ipprefix *p)
{
    h[p->addr.family == 4 ? 0 : 1].bit[p->len / 64] |= UINT64_C(1) << (p->len % 64);
}

/* The lines of a map in cmp_line's order without a sorted copy of the
 * zone: z->e is in prefix order, so its entries of one family and length
 * come in address order; they are taken a length at a time, longest
 * first, merged with the holes (h, sorted by cmp_line, usually few). */
struct map_walk {
    struct outbuf *o;
    const struct export_ctx *x;
    bool postscreen;
    const uint64_t *inside;     /* postscreen: a bit per entry (insides) */
    const struct line *h;
    size_t nh, ih;
};

static void put_line(struct map_walk *w, const struct line *l)
{
    struct outbuf *o = w->o;
    char pfx[IPPREFIX_STRLEN], txt[256];

    if (w->postscreen) {
        outbuf_ipprefix(o, &l->pfx);
        outbuf_puts(o, l->kind == HOLE ? " permit\n" : l->kind == DUNNO ? " dunno\n"
                    : " reject\n");
        return;
    }
    size_t k = ipprefix_text(&l->pfx, pfx);
    outbuf_write(o, pfx, k);
    if (l->kind == HOLE) {
        outbuf_puts(o, " DUNNO\n");
        return;
    }
    /* The zone's TXT of the cause (validated printable ASCII, no
     * quotes), its '$' naming the prefix. */
    zone_rbldnsd_txt(w->x->p, (enum cause)l->kind, pfx, txt);
    outbuf_puts(o, l->kind == CAUSE_DYNAMIC ? " 450 4.7.1 " : " REJECT 5.7.1 ");
    outbuf_puts(o, txt);
    outbuf_putc(o, '\n');
}

/* The entries' lines of family (from e[lo..hi)) and length len, merged
 * with the holes of that group. */
static void put_group(struct map_walk *w, size_t lo, size_t hi, int family, unsigned len)
{
    const struct zonedata *z = w->x->z;

    for (size_t i = lo; i < hi; i++) {
        struct zone_entry e = zonedata_at(z, i);
        if (e.pfx.len != len)
            continue;
        bool inside = w->inside && (w->inside[i / 64] >> (i % 64) & 1);
        int kind = kind_of(&e, w->postscreen, inside);
        if (kind < 0)
            continue;
        struct line l = { e.pfx, (uint8_t)kind };
        while (w->ih < w->nh && cmp_line(&w->h[w->ih], &l) < 0)
            put_line(w, &w->h[w->ih++]);
        put_line(w, &l);
    }
    while (w->ih < w->nh && w->h[w->ih].pfx.addr.family == family
           && w->h[w->ih].pfx.len == len)
        put_line(w, &w->h[w->ih++]);
}

/* Every entry's line (and the holes among them). */
static void put_entries(struct map_walk *w, const struct lengths *has)
{
    const struct zonedata *z = w->x->z;
    size_t v6 = z->n4;

    for (int f = 0; f < 2; f++) {
        for (int len = f ? 128 : 32; len >= 0; len--)
            if (has[f].bit[len / 64] >> (len % 64) & 1)
                put_group(w, f ? v6 : 0, f ? z->n : v6, f ? 6 : 4, (unsigned)len);
    }
}

/* Postscreen: which entries sit inside another, a bit each, in one walk
 * for all the passes by length (prefixes nest or are disjoint, so the
 * entries open at a point form a chain, kept on a stack), and how many
 * lines the entries make, into *lines. */
static uint64_t *insides(const struct zonedata *z, size_t *lines)
{
    uint64_t *bits = xcalloc(z->n / 64 + 1, sizeof(*bits));
    struct ipprefix stack[129];
    size_t sp = 0;

    for (size_t i = 0; i < z->n; i++) {
        struct zone_entry e = zonedata_at(z, i);
        while (sp && !ipprefix_contains(&stack[sp - 1], &e.pfx.addr))
            sp--;
        bool inside = sp > 0;
        if (sp < sizeof(stack) / sizeof(stack[0]))
            stack[sp++] = e.pfx;
        if (inside)
            bits[i / 64] |= UINT64_C(1) << (i % 64);
        *lines += kind_of(&e, true, inside) >= 0;
    }
    return bits;
}

/* The holes, sorted by cmp_line (a copy: they are few). */
static struct line *holes(const struct ipprefix *v, size_t n)
{
    struct line *h = xmalloc((n + 1) * sizeof(*h));

    for (size_t i = 0; i < n; i++)
        h[i] = (struct line){ v[i], HOLE };
    qsort(h, n, sizeof(*h), cmp_line);
    return h;
}

void postfix_map_client_write(struct outbuf *o, const struct export_ctx *x)
{
    const struct zonedata *z = x->z;
    struct lengths has[2] = { { { 0 } }, { { 0 } } };
    struct map_walk w = { o, x, false, NULL, holes(z->excl.v, z->excl.n), z->excl.n, 0 };

    for (size_t i = 0; i < z->n; i++) {
        struct zone_entry e = zonedata_at(z, i);
        has_length(has, &e.pfx);
    }
    for (size_t i = 0; i < z->excl.n; i++)
        has_length(has, &z->excl.v[i]);
    header(o, "use with check_client_access cidr:/PATH/client_access.cidr", z->n + z->excl.n);
    put_entries(&w, has);
    free((void *)w.h);
}

void postfix_map_postscreen_write(struct outbuf *o, const struct export_ctx *x)
{
    const struct zonedata *z = x->z;
    struct lengths has[2] = { { { 0 } }, { { 0 } } };
    struct line *h = holes(z->allowed.v, z->allowed.n);
    size_t n = z->allowed.n;
    uint64_t *inside = insides(z, &n);
    struct map_walk w = { o, x, true, inside, NULL, 0, 0 };

    for (size_t i = 0; i < z->n; i++) {
        struct zone_entry e = zonedata_at(z, i);
        has_length(has, &e.pfx);
    }
    header(o, "use with postscreen_access_list = permit_mynetworks, "
           "cidr:/PATH/postscreen_access.cidr", n);
    /* The allowlist first, all of it, then the entries. */
    for (size_t i = 0; i < z->allowed.n; i++)
        put_line(&w, &h[i]);
    put_entries(&w, has);
    free(inside);
    free(h);
}
