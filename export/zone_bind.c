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
#include "export.h"
#include "ipaddr.h"
#include "xalloc.h"

struct owner {
    struct ipprefix pfx;        /* len on a label boundary; < max: wildcard */
    enum cause cause;
};

struct owners {
    struct owner *v;
    size_t n, cap;
};

static unsigned step_of(int family) { return family == 4 ? 8 : 4; }
static unsigned max_of(int family) { return family == 4 ? 32 : 128; }

static int cmp_owner(const void *a, const void *b)
{
    const struct owner *x = a, *y = b;
    int c = ipaddr_cmp(&x->pfx.addr, &y->pfx.addr);
    return c ? c : (x->pfx.len > y->pfx.len) - (x->pfx.len < y->pfx.len);
}

static void add(struct owners *o, const struct ipprefix *p, enum cause c)
{
    o->v = xgrow(o->v, &o->cap, o->n + 1, sizeof(*o->v));
    o->v[o->n++] = (struct owner){ *p, c };
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

static const struct owner *find(const struct owners *o, const struct ipprefix *p)
{
    struct owner key = { *p, CAUSE_NONE };

    if (o->n == 0)
        return NULL;
    return bsearch(&key, o->v, o->n, sizeof(key), cmp_owner);
}

/* Repeat covering wildcards below the empty non-terminals that more
 * specific owners create. */
static void fill_nonterminals(struct owners *o)
{
    size_t n0 = o->n;
    struct ipprefix *orig = xmalloc((n0 ? n0 : 1) * sizeof(*orig));

    if (o->n > 1)
        qsort(o->v, o->n, sizeof(*o->v), cmp_owner);
    for (size_t i = 0; i < n0; i++)
        orig[i] = o->v[i].pfx;
    for (size_t i = 0; i < n0; i++) {
        struct ipprefix own = orig[i];
        unsigned step = step_of(own.addr.family);
        for (unsigned len = step; len < own.len; len += step) {
            struct ipprefix b = { ipaddr_mask(&own.addr, len), (uint8_t)len };
            if (find(o, &b))
                continue;
            const struct owner *cover = NULL;
            for (int l = (int)len - (int)step; l >= 0 && !cover; l -= (int)step) {
                struct ipprefix a = { ipaddr_mask(&own.addr, (unsigned)l), (uint8_t)l };
                cover = find(o, &a);
            }
            if (cover) {
                add(o, &b, cover->cause);
                qsort(o->v, o->n, sizeof(*o->v), cmp_owner);
            }
        }
    }
    free(orig);
}

/* Owner name relative to the origin: reversed labels, '*' for a wildcard. */
static void owner_name(const struct ipprefix *p, char *buf)
{
    size_t n = 0;
    static const char hex[] = "0123456789abcdef";

    if (p->len < max_of(p->addr.family))
        n += (size_t)sprintf(buf, "*.");
    if (p->addr.family == 4) {
        for (int i = (int)p->len / 8 - 1; i >= 0; i--)
            n += (size_t)sprintf(buf + n, "%u%s", p->addr.b[i], i ? "." : "");
    } else {
        for (int i = (int)p->len / 4 - 1; i >= 0; i--) {
            unsigned nib = i % 2 ? p->addr.b[i / 2] & 15 : p->addr.b[i / 2] >> 4;
            buf[n++] = hex[nib];
            if (i)
                buf[n++] = '.';
        }
    }
    buf[n] = 0;
}

static void record(struct outbuf *o, const struct policy *p, const char *name,
                   enum cause c, const char *what)
{
    char txt[256];

    export_txt(p, c, what, txt);
    outbuf_printf(o, "%s\tIN\tA\t%s\n\tIN\tTXT\t\"%s\"\n", name, policy_code(p, c), txt);
}

void export_bind(struct outbuf *o, const struct export_ctx *x)
{
    const struct policy *p = x->p;
    struct owners own = { 0 };
    char name[160], what[IPPREFIX_STRLEN];

    for (size_t i = 0; i < x->z->n; i++) {
        const struct zone_entry *e = &x->z->e[i];
        unsigned step = step_of(e->pfx.addr.family);
        unsigned up = (e->pfx.len + step - 1) / step * step;
        for (unsigned k = 0; k < (1u << (up - e->pfx.len)); k++) {
            struct ipprefix c = child(&e->pfx, up - e->pfx.len, k);
            place(&own, &c, e->cause, &x->z->excl);
        }
    }
    fill_nonterminals(&own);

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
    record(o, p, "2.0.0.127", CAUSE_SPAM, "127.0.0.2");
    record(o, p, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
           CAUSE_SPAM, "::ffff:7f00:2");
    for (size_t i = 0; i < own.n; i++) {
        owner_name(&own.v[i].pfx, name);
        record(o, p, name, own.v[i].cause, ipprefix_format(&own.v[i].pfx, what));
    }
    free(own.v);
}
