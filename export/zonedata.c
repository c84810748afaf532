/* From listings to the entries every zone and set file shares; see zonedata.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "zonedata.h"
#include "hugemem.h"
#include "msg.h"
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
 * entries written to out[0..n) or, for the last cause, to z (refs). */
struct merge {
    const struct zone_entry *old;
    size_t nold, i;
    struct zone_entry *out;
    size_t n, dropped;
    enum cause cause;
    struct cidrset *allow;
    struct zonedata *z;         /* the last cause: entries go here */
    const struct listings *l;
    size_t j;                   /* the listing a prefix of the cause may be */
};

/* Appends e to z: as the listing it is when there is one, else in own. */
static void z_add(struct merge *m, const struct zone_entry *e, bool may_be_listing)
{
    struct zonedata *z = m->z;
    const struct listings *l = m->l;

    /* The prefixes of a cause come in prefix order, as its listings do
     * (when the listings are sorted): one cursor finds them. */
    while (may_be_listing && m->j < l->n
           && (l->v[m->j].d.cause != m->cause || ipprefix_cmp(&l->v[m->j].pfx, &e->pfx) < 0))
        m->j++;
    if (may_be_listing && m->j < l->n && e->cause == m->cause
        && ipprefix_cmp(&l->v[m->j].pfx, &e->pfx) == 0) {
        z->ref[z->n++] = (uint32_t)m->j;
        return;
    }
    if (z->nown >= ZONE_OWN)
        msg_fatal("zone: more than %u entries of its own", (unsigned)ZONE_OWN);
    z->own = hugemem_grow(z->own, &z->own_cap, z->nown + 1, sizeof(*z->own));
    z->own[z->nown] = *e;
    z->ref[z->n++] = ZONE_OWN + (uint32_t)z->nown++;
}

static void z_emit(struct merge *m, const struct zone_entry *e, bool may_be_listing)
{
    if (m->z)
        z_add(m, e, may_be_listing);
    else
        m->out[m->n++] = *e;
}

static const struct listing *entry_of(const void *pfx)
{
    return (const struct listing *)((const char *)pfx - offsetof(struct listing, pfx));
}

/* cidr_minimal_each hands over the prefix of a listing. */
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
        z_emit(m, &m->old[m->i++], false);
    /* Equal prefixes listed for two causes: keep one, the higher priority,
     * so no address gets two answers. */
    if (m->i < m->nold && ipprefix_cmp(&m->old[m->i].pfx, p) == 0)
        cause = zonedata_winner(cause, m->old[m->i++].cause);
    struct zone_entry e = { *p, cause };
    z_emit(m, &e, true);
}

/* Where the listings' IPv6 entries start, when they are in prefix order
 * (as listings_sort leaves them; checked once here for the covers of all
 * causes), else SIZE_MAX. */
static size_t sorted_v6_start(const struct listings *l)
{
    size_t v6 = l->n;

    for (size_t i = 1; i < l->n; i++)
        if (ipprefix_cmp(&l->v[i - 1].pfx, &l->v[i].pfx) > 0)
            return SIZE_MAX;
    while (v6 > 0 && l->v[v6 - 1].pfx.addr.family == 6)
        v6--;
    return v6;
}

/* Merges the prefixes of cause with old[0..nold) (sorted) into out, or
 * into z when out is NULL, and returns their count. out may be the same
 * array as old, ending where old ends, if it has room for all of cause's
 * listings before old: a cause adds at most one entry per listing, so
 * writes never overtake reads. v6: sorted_v6_start(l). */
static size_t merge_cause(struct zonedata *z, const struct listings *l, size_t v6,
                          struct cidrset *allow, enum cause cause,
                          const struct zone_entry *old, size_t nold, struct zone_entry *out)
{
    struct merge m = { old, nold, 0, out, 0, 0, cause, allow, out ? NULL : z, l, 0 };

    /* IPv4 sorts first: one family after the other is prefix order. The
     * records are read through their prefixes, sizeof(*l->v) apart; in
     * order, each family's are a run of their own. */
    for (int fam = 4; fam <= 6; fam += 2) {
        size_t lo = 0, n = l->n;
        if (v6 != SIZE_MAX) {
            lo = fam == 4 ? 0 : v6;
            n = fam == 4 ? v6 : l->n - v6;
        }
        if (n)
            cidr_minimal_each(&l->v[lo].pfx, sizeof(*l->v), n, v6 != SIZE_MAX, of_cause,
                              NULL, 0, fam, put, &m);
    }
    while (m.i < m.nold)
        z_emit(&m, &m.old[m.i++], false);
    z->dropped += m.dropped;
    return m.z ? z->n : m.n;
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
    struct ipprefix stack[129];
    size_t sp = 0, zi = 0;

    for (size_t i = 0; i < allowed->n; i++)
        a[i] = (struct by_addr){ allowed->v[i], i };
    qsort(a, allowed->n, sizeof(*a), cmp_by_addr);
    for (size_t i = 0; i < allowed->n; i++) {
        const struct ipaddr *at = &a[i].pfx.addr;
        for (; zi < z->n; zi++) {
            struct zone_entry e = zonedata_at(z, zi);
            if (ipaddr_cmp(&e.pfx.addr, at) > 0)
                break;
            while (sp && !ipprefix_contains(&stack[sp - 1], &e.pfx.addr))
                sp--;
            if (sp < sizeof(stack) / sizeof(stack[0]))
                stack[sp++] = e.pfx;
        }
        while (sp && !ipprefix_contains(&stack[sp - 1], at))
            sp--;
        inside_one[a[i].index] = sp && stack[0].len < a[i].pfx.len;
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

static void zonedata_merge(struct zonedata *z, const struct listings *l, struct cidrset *allow,
                           unsigned fw_causes)
{
    struct cidr_list allowed = { 0 };
    size_t count[CAUSE__COUNT] = { 0 }, big = 0, nsmall = 0, ns = 0, v6 = sorted_v6_start(l);

    memset(z, 0, sizeof(*z));
    z->l = l;
    if (l->n >= ZONE_OWN)
        msg_fatal("zone: %zu listings are more than it can hold", l->n);
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
     * biggest cause merges with them straight into z: its entries as
     * references to the listings. */
    struct zone_entry *small = hugemem_alloc(nsmall * sizeof(*small));
    for (size_t c = 0; c < NCAUSE; c++)
        if (c != big) {
            struct zone_entry *old = memmove(small + nsmall - ns, small, ns * sizeof(*small));
            ns = merge_cause(z, l, v6, allow, priority[c], old, ns, small);
        }
    /* A cause has no more entries than listings: reserved, not grown. */
    z->ref = hugemem_grow(NULL, &z->cap, l->n + 1, sizeof(*z->ref));
    z->n = merge_cause(z, l, v6, allow, priority[big], small, ns, NULL);
    free(small);
    while (z->n4 < z->n && zonedata_at(z, z->n4).pfx.addr.family == 4)
        z->n4++;
    z->allowed = allowed;
    z->fw_causes = fw_causes;
}

void zonedata_build(struct zonedata *z, const struct listings *l, struct cidrset *allow,
                    unsigned fw_causes)
{
    zonedata_merge(z, l, allow, fw_causes);
    exclusions(z, &z->allowed);
    zonedata_fw_each(z, 4, count_one, &z->nfw4);
    zonedata_fw_each(z, 6, count_one, &z->nfw6);
}

/* The firewall's causes: cidr_minimal_get hands one ctx to the reader
 * and to the emitter, so the caller's emitter is wrapped. */
struct fw_walk {
    const struct zonedata *z;
    size_t lo;                  /* the family's first entry */
    unsigned causes;
    cidr_emit_fn *emit;
    void *ctx;
};

static bool fw_get(size_t i, struct ipprefix *out, void *ctx)
{
    const struct fw_walk *w = ctx;
    struct zone_entry e = zonedata_at(w->z, w->lo + i);

    *out = e.pfx;
    return (w->causes >> e.cause) & 1;
}

static void fw_emit(const struct ipprefix *p, void *ctx)
{
    struct fw_walk *w = ctx;

    w->emit(p, w->ctx);
}

void zonedata_fw_each(const struct zonedata *z, int family, cidr_emit_fn *emit, void *ctx)
{
    struct fw_walk w = { z, family == 4 ? 0 : z->n4, z->fw_causes, emit, ctx };

    cidr_minimal_get(fw_get, zonedata_count(z, family), z->allowed.v, z->allowed.n, family,
                     fw_emit, &w);
}

size_t zonedata_count(const struct zonedata *z, int family)
{
    return family == 4 ? z->n4 : z->n - z->n4;
}

void zonedata_free(struct zonedata *z)
{
    free(z->ref);
    free(z->own);
    cidr_list_free(&z->excl);
    cidr_list_free(&z->allowed);
    memset(z, 0, sizeof(*z));
}
