/* From listings to the entries every zone and set file shares; see zonedata.h. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "zonedata.h"
#include "hugemem.h"
#include "xalloc.h"

/* When one prefix is listed for two causes, the first here wins. */
static const enum cause priority[] = { CAUSE_SPAM, CAUSE_AUTH, CAUSE_DYNAMIC, CAUSE_NET };
enum { NCAUSE = sizeof(priority) / sizeof(priority[0]) };

uint8_t zonedata_winner(uint8_t a, uint8_t b)
{
    for (size_t c = 0; c < NCAUSE; c++)
        if (priority[c] == a || priority[c] == b)
            return (uint8_t)priority[c];
    return a;
}

/* One cause's minimal prefixes merged, as they come, with the entries of
 * the causes before it: those are read from old[i..nold), the merged
 * entries written to out[0..n). */
struct merge {
    const struct zone_entry *old;
    size_t nold, i;
    struct zone_entry *out;
    size_t n, dropped;
    enum cause cause;
    struct cidrset *allow;
};

/* cidr_minimal_each hands over the prefix of a listing: its entry. */
static const struct listing *entry_of(const void *pfx)
{
    return (const struct listing *)((const char *)pfx - offsetof(struct listing, pfx));
}

static bool of_cause(const void *pfx, void *ctx)
{
    return entry_of(pfx)->d.cause == ((const struct merge *)ctx)->cause;
}

static void put(const struct ipprefix *p, void *ctx)
{
    struct merge *m = ctx;
    uint8_t cause = (uint8_t)m->cause;

    /* A range the allowlist covers entirely is not published. */
    if (m->allow && cidrset_covering(m->allow, p)) {
        m->dropped++;
        return;
    }
    while (m->i < m->nold && ipprefix_cmp(&m->old[m->i].pfx, p) < 0)
        m->out[m->n++] = m->old[m->i++];
    /* Equal prefixes listed for two causes: keep one, the higher priority,
     * so no address gets two answers. */
    if (m->i < m->nold && ipprefix_cmp(&m->old[m->i].pfx, p) == 0)
        cause = zonedata_winner(cause, m->old[m->i++].cause);
    m->out[m->n++] = (struct zone_entry){ *p, cause };
}

/* Merges the prefixes of cause with old[0..nold) (sorted) into out and
 * returns their count. out may be the same array as old, ending where old
 * ends, if it has room for all of cause's listings before old: a cause
 * adds at most one entry per listing, so writes never overtake reads. */
static size_t merge_cause(struct zonedata *z, const struct listings *l, struct cidrset *allow,
                          enum cause cause, const struct zone_entry *old, size_t nold,
                          struct zone_entry *out)
{
    struct merge m = { old, nold, 0, out, 0, 0, cause, allow };

    /* The records are read through their prefixes, sizeof(*l->v) apart. */
    const void *pfx0 = l->n ? (const void *)&l->v[0].pfx : NULL;

    /* IPv4 sorts first: one family after the other is prefix order. */
    for (int fam = 4; fam <= 6; fam += 2)
        cidr_minimal_each(pfx0, sizeof(*l->v), l->n, of_cause, NULL, 0, fam, put, &m);
    while (m.i < m.nold)
        m.out[m.n++] = m.old[m.i++];
    z->dropped += m.dropped;
    return m.n;
}

struct by_addr {
    struct ipprefix pfx;
    size_t index;               /* in the allowlist's own order */
};

static int cmp_by_addr(const void *a, const void *b)
{
    return ipprefix_cmp(&((const struct by_addr *)a)->pfx, &((const struct by_addr *)b)->pfx);
}

/* Exclusions: the allowlisted prefixes strictly inside a published range,
 * in the allowlist's order. One sweep of both lists in address order:
 * prefixes are nested or disjoint, so the published ranges open at a point
 * form a chain, widest at the bottom of the stack. */
static void exclusions(struct zonedata *z, const struct cidr_list *allowed)
{
    if (allowed->n == 0)
        return;
    struct by_addr *a = xmalloc(allowed->n * sizeof(*a));
    bool *inside_one = xcalloc(allowed->n, sizeof(*inside_one));
    const struct ipprefix *stack[129];
    size_t sp = 0, zi = 0;

    for (size_t i = 0; i < allowed->n; i++)
        a[i] = (struct by_addr){ allowed->v[i], i };
    qsort(a, allowed->n, sizeof(*a), cmp_by_addr);
    for (size_t i = 0; i < allowed->n; i++) {
        const struct ipaddr *at = &a[i].pfx.addr;
        for (; zi < z->n && ipaddr_cmp(&z->e[zi].pfx.addr, at) <= 0; zi++) {
            while (sp && !ipprefix_contains(stack[sp - 1], &z->e[zi].pfx.addr))
                sp--;
            if (sp < sizeof(stack) / sizeof(stack[0]))
                stack[sp++] = &z->e[zi].pfx;
        }
        while (sp && !ipprefix_contains(stack[sp - 1], at))
            sp--;
        inside_one[a[i].index] = sp && stack[0]->len < a[i].pfx.len;
    }
    for (size_t i = 0; i < allowed->n; i++)
        if (inside_one[i])
            cidr_list_add(&z->excl, &allowed->v[i]);
    free(inside_one);
    free(a);
}

static void count_one(const struct ipprefix *p, void *ctx)
{
    (void)p;
    ++*(size_t *)ctx;
}

void zonedata_build(struct zonedata *z, const struct listings *l, struct cidrset *allow,
                    unsigned fw_causes)
{
    struct cidr_list allowed = { 0 };
    size_t count[CAUSE__COUNT] = { 0 }, big = 0, nsmall = 0, ns = 0;

    memset(z, 0, sizeof(*z));
    for (size_t i = 0; allow && i < cidrset_count(allow); i++)
        cidr_list_add(&allowed, cidrset_get(allow, i));
    for (size_t i = 0; i < l->n; i++)
        if ((unsigned)l->v[i].d.cause < CAUSE__COUNT)
            count[l->v[i].d.cause]++;
    for (size_t c = 1; c < NCAUSE; c++)
        if (count[priority[c]] > count[priority[big]])
            big = c;
    for (size_t c = 0; c < NCAUSE; c++)
        nsmall += c == big ? 0 : count[priority[c]];
    /* The causes with fewer listings first, merged one into the other in
     * one array of their size (usually small): the entries so far are
     * moved to its end and each merge writes from its start. Then the
     * biggest cause merges with them straight into z->e: no copy of the
     * biggest, no second z->e. */
    struct zone_entry *small = hugemem_alloc(nsmall * sizeof(*small));
    for (size_t c = 0; c < NCAUSE; c++)
        if (c != big) {
            struct zone_entry *old = memmove(small + nsmall - ns, small, ns * sizeof(*small));
            ns = merge_cause(z, l, allow, priority[c], old, ns, small);
        }
    /* A cause has no more entries than listings: reserved, not grown. */
    z->e = hugemem_grow(NULL, &z->cap, l->n + 1, sizeof(*z->e));
    z->n = merge_cause(z, l, allow, priority[big], small, ns, z->e);
    free(small);
    exclusions(z, &allowed);
    z->allowed = allowed;
    z->fw_causes = fw_causes;
    /* The firewall sets are as long as the listing: counted here, made
     * again by each writer that wants them instead of kept. */
    zonedata_fw_each(z, 4, count_one, &z->nfw4);
    zonedata_fw_each(z, 6, count_one, &z->nfw6);
}

/* The firewall's causes: cidr_minimal_each hands one ctx to the filter
 * and to the emitter, so the caller's emitter is wrapped. */
struct fw_walk {
    unsigned causes;
    cidr_emit_fn *emit;
    void *ctx;
};

static bool fw_keep(const void *rec, void *ctx)
{
    return (((const struct fw_walk *)ctx)->causes >> ((const struct zone_entry *)rec)->cause) & 1;
}

static void fw_emit(const struct ipprefix *p, void *ctx)
{
    struct fw_walk *w = ctx;

    w->emit(p, w->ctx);
}

void zonedata_fw_each(const struct zonedata *z, int family, cidr_emit_fn *emit, void *ctx)
{
    struct fw_walk w = { z->fw_causes, emit, ctx };

    _Static_assert(offsetof(struct zone_entry, pfx) == 0, "cidr_minimal_each reads pfx");
    cidr_minimal_each(z->e, sizeof(*z->e), z->n, fw_keep, z->allowed.v, z->allowed.n, family,
                      fw_emit, &w);
}

size_t zonedata_count(const struct zonedata *z, int family)
{
    size_t k = 0;

    for (size_t i = 0; i < z->n; i++)
        k += z->e[i].pfx.addr.family == family;
    return k;
}

void zonedata_free(struct zonedata *z)
{
    free(z->e);
    cidr_list_free(&z->excl);
    cidr_list_free(&z->allowed);
    memset(z, 0, sizeof(*z));
}
