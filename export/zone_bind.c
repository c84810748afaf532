/*
 * bl.zone: a BIND master file for BIND, NSD, Knot or PowerDNS. Reversed
 * octet names for IPv4 and nibble names for IPv6 (RFC 5782). A listed
 * network becomes a wildcard at its label boundary; a prefix that is not
 * on a boundary is expanded to the next one (at most 128 names or 8
 * nibbles' worth), and so is any range holding an allowlisted address.
 * Wildcards stop matching below an existing name (RFC 4592): where a more
 * specific entry creates such an empty non-terminal, the covering
 * wildcard's answer is repeated one level down.
 */
#include <stdlib.h>
#include <string.h>
#include "zone_bind.h"
#include "zone_rbldnsd.h"
#include "hugemem.h"
#include "ipaddr.h"

/* An owner name is a zone entry whose length is on a label boundary (a
 * wildcard when shorter than the address). */
struct owners {
    struct zone_entry *v;
    size_t n, cap;
};

static unsigned step_of(int family) { return family == 4 ? 8 : 4; }
static unsigned max_of(int family) { return family == 4 ? 32 : 128; }

static int cmp_owner(const void *a, const void *b)
{
    const struct zone_entry *x = a, *y = b;

    return ipprefix_cmp(&x->pfx, &y->pfx);
}

static bool on_boundary(const struct ipprefix *p)
{
    return p->len % step_of(p->addr.family) == 0;
}

/* The owners in address order without a copy of the zone data: those of
 * its entries that are owners as they are (e, when given), merged with a
 * sorted list of the others' expansions (x), usually short. */
struct owner_walk {
    const struct zonedata *z;   /* NULL: none of them */
    size_t ne, ie;
    const struct owners *x;
    size_t ix;
};

/* The next owner into *out; false at the end. A name that two entries
 * give (nested ones of different causes) comes once, for the cause that
 * wins (zonedata_winner), as zonedata folds equal prefixes: one answer
 * per name. */
static bool walk_next(struct owner_walk *w, struct zone_entry *out)
{
    bool have = false;
    struct zone_entry e;

    for (;;) {
        bool more = false;
        for (; w->ie < w->ne; w->ie++) {
            e = zonedata_at(w->z, w->ie);
            if ((more = on_boundary(&e.pfx)))
                break;
        }
        bool from_e = more && (w->ix == w->x->n || cmp_owner(&e, &w->x->v[w->ix]) <= 0);
        if (!from_e && w->ix == w->x->n)
            return have;
        const struct zone_entry *n = from_e ? &e : &w->x->v[w->ix];
        if (have && cmp_owner(out, n) != 0)
            return have;
        if (have)
            out->cause = zonedata_winner(out->cause, n->cause);
        else
            *out = *n, have = true;
        *(from_e ? &w->ie : &w->ix) += 1;
    }
}

static void add(struct owners *o, const struct ipprefix *p, enum cause c)
{
    o->v = hugemem_grow(o->v, &o->cap, o->n + 1, sizeof(*o->v));
    o->v[o->n++] = (struct zone_entry){ *p, (uint8_t)c };
}

/* The k-th of the 2^bits sub-prefixes of p at length p->len + bits. */
static struct ipprefix child(const struct ipprefix *p, unsigned bits, unsigned k)
{
    struct ipprefix c = *p;
    unsigned len = p->len + bits;

    for (unsigned b = 0; b < bits; b++) {
        unsigned pos = len - 1 - b;             /* bit index from the top */
        if (k >> b & 1)
            c.addr.b[pos / 8] |= (uint8_t)(0x80 >> (pos % 8));
    }
    c.len = (uint8_t)len;
    return c;
}

static bool overlaps_excl(const struct cidr_list *ex, const struct ipprefix *p, bool *covered)
{
    bool any = false;

    *covered = false;
    for (size_t i = 0; i < ex->n; i++) {
        const struct ipprefix *x = &ex->v[i];
        if (x->addr.family != p->addr.family)
            continue;
        if (x->len <= p->len && ipprefix_contains(x, &p->addr))
            *covered = true;
        else if (x->len > p->len && ipprefix_contains(p, &x->addr))
            any = true;
    }
    return any || *covered;
}

/* Owners for prefix p (on a label boundary): itself, or split further
 * around allowlisted addresses. */
static void place(struct owners *o, const struct ipprefix *p, enum cause c,
                  const struct cidr_list *ex)
{
    bool covered;

    if (!overlaps_excl(ex, p, &covered)) {
        add(o, p, c);
        return;
    }
    if (covered || p->len == max_of(p->addr.family))
        return;
    unsigned step = step_of(p->addr.family);
    for (unsigned k = 0; k < (1u << step); k++) {
        struct ipprefix ch = child(p, step, k);
        place(o, &ch, c, ex);
    }
}

typedef unsigned __int128 u128;

static u128 addr_int(const struct ipaddr *a)
{
    u128 v = 0;

    for (unsigned i = 0; i < (a->family == 4 ? 4u : 16u); i++)
        v = v << 8 | a->b[i];
    return v;
}

/* Repeat covering wildcards below the empty non-terminals that more
 * specific owners create: every label-boundary ancestor of an owner that
 * is no owner itself but lies below one gets the nearest covering
 * owner's answer. Owners come in address order: the owners that are
 * ancestors of the current one are remembered per label level, and an
 * entry is still an ancestor exactly when its network matches. Such a
 * fill sorts after every owner before w and before w itself (an ancestor
 * of w, shorter), so it is written just before w: no list of them. */
struct nonterminals {
    struct level {
        bool have;
        enum cause cause;
        u128 net;               /* the address >> host bits at this level */
    } lv[129 / 4 + 1];
    int family;
};

struct fill {
    struct ipprefix pfx;
    enum cause cause;
};

/* The fills owner w needs, into f (shortest first; at most one per
 * level); returns their count. */
static size_t fills_before(struct nonterminals *nt, const struct zone_entry *w,
                           struct fill f[129 / 4 + 1])
{
    unsigned step = step_of(w->pfx.addr.family), bits = max_of(w->pfx.addr.family);
    unsigned top = w->pfx.len / step;
    u128 key = addr_int(&w->pfx.addr);
    struct level *lv = nt->lv;
    size_t n = 0;

    if (w->pfx.addr.family != nt->family) {
        memset(lv, 0, sizeof(nt->lv));
        nt->family = w->pfx.addr.family;
    }
#define NET_AT(l) ((l) == 0 ? (u128)0 : key >> (bits - (l) * step))
    /* One look per level, top down: below is the deepest level above w
     * whose owner covers it (one there already, or a fill made on the way
     * down), whose answer a level that has none repeats. */
    int below = -1;
    for (unsigned l = 0; l < top; l++) {
        u128 net = NET_AT(l);
        if (lv[l].have && lv[l].net == net) {
            below = (int)l;
            continue;
        }
        if (l == 0 || below < 0)
            continue;
        f[n++] = (struct fill){ { ipaddr_mask(&w->pfx.addr, l * step), (uint8_t)(l * step) },
                                lv[below].cause };
        lv[l] = (struct level){ true, lv[below].cause, net };
        below = (int)l;
    }
    lv[top] = (struct level){ true, w->cause, NET_AT(top) };
#undef NET_AT
    return n;
}

/* Owner name relative to the origin: reversed labels, '*' for a wildcard.
 * Returns its length; buf holds at least 2 + 4 * 32 bytes. */
static size_t owner_name(const struct ipprefix *p, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    char *d = buf;

    if (p->len < max_of(p->addr.family))
        *d++ = '*', *d++ = '.';
    if (p->addr.family == 4) {
        for (int i = (int)p->len / 8 - 1; i >= 0; i--) {
            unsigned x = p->addr.b[i];
            if (x >= 100)
                *d++ = (char)('0' + x / 100);
            if (x >= 10)
                *d++ = (char)('0' + x / 10 % 10);
            *d++ = (char)('0' + x % 10);
            *d++ = '.';
        }
    } else {
        for (int i = (int)p->len / 4 - 1; i >= 0; i--) {
            unsigned nib = i % 2 ? p->addr.b[i / 2] & 15 : p->addr.b[i / 2] >> 4;
            *d++ = hex[nib];
            *d++ = '.';
        }
    }
    if (d > buf && d[-1] == '.' && p->len >= step_of(p->addr.family))
        d--;                    /* no dot after the last label */
    *d = 0;
    return (size_t)(d - buf);
}

/* The record text of one cause, split at the TXT template's '$' signs
 * when the address can go into each without zone_rbldnsd_txt's 255-byte cut
 * (the default template names it twice). */
enum { RR_MAX_DOLLARS = 4 };
struct rr_form {
    const char *code;
    size_t ncode;
    bool split;
    unsigned ndollars;
    const char *seg[RR_MAX_DOLLARS + 1];        /* the text around them */
    size_t nseg[RR_MAX_DOLLARS + 1];
};

static void rr_form_init(struct rr_form *f, const struct policy *p, enum cause c)
{
    const char *t = policy_txt(p, c), *dollar;
    size_t fixed = 0;

    f->code = policy_code(p, c);
    f->ncode = strlen(f->code);
    f->ndollars = 0;
    for (;;) {
        dollar = strchr(t, '$');
        size_t n = dollar ? (size_t)(dollar - t) : strlen(t);
        f->seg[f->ndollars] = t, f->nseg[f->ndollars] = n;
        fixed += n;
        if (dollar == NULL)
            break;
        if (f->ndollars == RR_MAX_DOLLARS) {
            f->split = false;
            return;
        }
        f->ndollars++;
        t = dollar + 1;
    }
    f->split = fixed + f->ndollars * (IPPREFIX_STRLEN - 1) <= 255;
}

static void record(struct outbuf *o, const struct policy *p, const struct rr_form *f,
                   const char *name, size_t nname, enum cause c, const char *what,
                   size_t nwhat)
{
    char *d = outbuf_room(o, nname + f->ncode + 256 + 24);
    char *start = d;

    memcpy(d, name, nname), d += nname;
    memcpy(d, "\tIN\tA\t", 6), d += 6;
    memcpy(d, f->code, f->ncode), d += f->ncode;
    memcpy(d, "\n\tIN\tTXT\t\"", 10), d += 10;
    if (f->split) {
        memcpy(d, f->seg[0], f->nseg[0]), d += f->nseg[0];
        for (unsigned i = 1; i <= f->ndollars; i++) {
            memcpy(d, what, nwhat), d += nwhat;
            memcpy(d, f->seg[i], f->nseg[i]), d += f->nseg[i];
        }
    } else {
        d += zone_rbldnsd_txt(p, c, what, d);
    }
    memcpy(d, "\"\n", 2), d += 2;
    o->len += (size_t)(d - start);
}

void zone_bind_write(struct outbuf *o, const struct export_ctx *x)
{
    const struct policy *p = x->p;
    struct owners own = { 0 };
    struct rr_form form[CAUSE__COUNT];
    char name[160], what[IPPREFIX_STRLEN];
    /* Without allowlisted holes an entry on a label boundary is an owner
     * as it is: only the others are expanded into own. */
    bool in_place = x->z->excl.n == 0;
    struct owner_walk w = { in_place ? x->z : NULL, in_place ? x->z->n : 0, 0, &own, 0 };

    for (size_t i = 0; i < x->z->n; i++) {
        struct zone_entry ze = zonedata_at(x->z, i);
        const struct zone_entry *e = &ze;
        if (in_place && on_boundary(&e->pfx))
            continue;
        unsigned step = step_of(e->pfx.addr.family);
        unsigned up = (e->pfx.len + step - 1) / step * step;
        for (unsigned k = 0; k < (1u << (up - e->pfx.len)); k++) {
            struct ipprefix c = child(&e->pfx, up - e->pfx.len, k);
            place(&own, &c, e->cause, &x->z->excl);
        }
    }
    /* Equal owners fold in the walk whatever their order here. */
    if (own.n > 1)
        qsort(own.v, own.n, sizeof(*own.v), cmp_owner);
    for (int c = 0; c < CAUSE__COUNT; c++)
        rr_form_init(&form[c], p, (enum cause)c);

    outbuf_printf(o, "; BIND zone written by rblforge: %zu listed prefixes\n", x->z->n);
    outbuf_printf(o, "$ORIGIN %s.\n$TTL %u\n", p->zone_name, p->ttl);
    outbuf_printf(o, "@\tIN\tSOA\t");
    const char *ns = p->zone_ns;
    size_t first = strcspn(ns, " ");
    outbuf_write(o, ns, first);
    outbuf_printf(o, ". %s. (\n\t\t%u\t; serial\n\t\t%u\t; refresh\n\t\t%u\t; retry\n"
                  "\t\t%u\t; expire\n\t\t%u )\t; negative TTL\n", p->zone_hostmaster,
                  x->serial, 3600u, 600u, 604800u, p->ttl);
    for (const char *s = ns; *s;) {
        size_t k = strcspn(s, " ");
        if (k) {
            outbuf_puts(o, "@\tIN\tNS\t");
            outbuf_write(o, s, k);
            outbuf_puts(o, ".\n");
        }
        s += k;
        s += strspn(s, " ");
    }
    outbuf_puts(o, "; RFC 5782 test entries: 127.0.0.2 and ::FFFF:7F00:2 listed, "
                "127.0.0.1 and ::FFFF:7F00:1 not\n");
    static const char t4[] = "2.0.0.127", a4[] = "127.0.0.2";
    static const char t6[] = "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0";
    static const char a6[] = "::ffff:7f00:2";
    const struct rr_form *spam = &form[CAUSE_SPAM];
    record(o, p, spam, t4, sizeof(t4) - 1, CAUSE_SPAM, a4, sizeof(a4) - 1);
    record(o, p, spam, t6, sizeof(t6) - 1, CAUSE_SPAM, a6, sizeof(a6) - 1);
    /* The owners in address order, each after the fills it needs. */
    struct nonterminals nt = { .family = 0 };
    struct fill f[129 / 4 + 1];
    struct zone_entry e;
    while (walk_next(&w, &e)) {
        size_t nf = fills_before(&nt, &e, f);
        for (size_t i = 0; i <= nf; i++) {
            const struct ipprefix *pfx = i < nf ? &f[i].pfx : &e.pfx;
            enum cause c = i < nf ? f[i].cause : (enum cause)e.cause;
            size_t nn = owner_name(pfx, name);
            size_t nw = ipprefix_text(pfx, what);
            record(o, p, &form[(unsigned)c < CAUSE__COUNT ? c : CAUSE_SPAM], name, nn, c, what,
                   nw);
        }
    }
    free(own.v);
}
