/* From listings to the entries every zone and set file shares; see zonedata.h. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "zonedata.h"
#include "hugemem.h"
#include "xalloc.h"

/* When one prefix is listed for two causes, the first here wins. */
static const enum cause priority[] = { CAUSE_SPAM, CAUSE_AUTH, CAUSE_DYNAMIC, CAUSE_NET };

static int cmp_entry(const void *a, const void *b)
{
    const struct zone_entry *x = a, *y = b;

    return ipprefix_cmp(&x->pfx, &y->pfx);
}

/* Sorts z->e, made of nrun sorted runs starting at run[0..nrun) (and
 * ending at run[nrun]), by merging them. How equal entries end up ordered
 * does not matter: the caller folds them into one. */
static void merge_runs(struct zonedata *z, const size_t *run, size_t nrun)
{
    size_t pos[16];
    struct zone_entry *v = hugemem_alloc(z->n * sizeof(*v));

    for (size_t r = 0; r < nrun; r++)
        pos[r] = run[r];
    for (size_t k = 0; k < z->n; k++) {
        size_t best = nrun;
        for (size_t r = 0; r < nrun; r++)
            if (pos[r] < run[r + 1]
                && (best == nrun || cmp_entry(&z->e[pos[r]], &z->e[pos[best]]) < 0))
                best = r;
        v[k] = z->e[pos[best]++];
    }
    free(z->e);
    z->e = v;
    z->cap = z->n;
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

void zonedata_build(struct zonedata *z, const struct listings *l, struct cidrset *allow)
{
    struct ipprefix *all = hugemem_alloc(l->n * sizeof(*all));
    struct cidr_list allowed = { 0 };
    enum { NRUN = 2 * sizeof(priority) / sizeof(priority[0]) };
    size_t run[NRUN + 1], nrun = 0;

    memset(z, 0, sizeof(*z));
    z->e = hugemem_grow(NULL, &z->cap, l->n + 1, sizeof(*z->e));
    for (size_t i = 0; allow && i < cidrset_count(allow); i++)
        cidr_list_add(&allowed, cidrset_get(allow, i));
    for (size_t c = 0; c < sizeof(priority) / sizeof(priority[0]); c++) {
        size_t k = 0;
        for (size_t i = 0; i < l->n; i++)
            if (l->v[i].d.cause == priority[c])
                all[k++] = l->v[i].pfx;
        for (int fam = 4; fam <= 6; fam += 2) {
            struct cidr_list m = { 0 };
            /* A minimal cover has no more prefixes than its input. */
            cidr_list_reserve(&m, k);
            run[nrun++] = z->n;
            cidr_minimal(all, k, NULL, 0, fam, &m);
            for (size_t i = 0; i < m.n; i++) {
                /* A range the allowlist covers entirely is not published. */
                if (allow && cidrset_covering(allow, &m.v[i])) {
                    z->dropped++;
                    continue;
                }
                z->e = hugemem_grow(z->e, &z->cap, z->n + 1, sizeof(*z->e));
                z->e[z->n++] = (struct zone_entry){ m.v[i], priority[c] };
            }
            cidr_list_free(&m);
        }
    }
    free(all);                  /* before the merge doubles z->e for a moment */
    run[nrun] = z->n;
    merge_runs(z, run, nrun);
    /* Equal prefixes listed for two causes: keep one, the higher priority,
     * so no address gets two answers. */
    size_t w = 0;
    for (size_t r = 0; r < z->n; r++) {
        if (w && cmp_entry(&z->e[w - 1], &z->e[r]) == 0) {
            for (size_t c = 0; c < sizeof(priority) / sizeof(priority[0]); c++)
                if (priority[c] == z->e[r].cause || priority[c] == z->e[w - 1].cause) {
                    z->e[w - 1].cause = priority[c];
                    break;
                }
            continue;
        }
        z->e[w++] = z->e[r];
    }
    z->n = w;
    exclusions(z, &allowed);
    /* Firewall sets: everything listed, minus everything allowlisted. */
    _Static_assert(offsetof(struct zone_entry, pfx) == 0, "cidr_minimal_of reads pfx");
    /* Usually enough (holes can split a range): reserved, not grown. */
    cidr_list_reserve(&z->fw4, z->n);
    cidr_list_reserve(&z->fw6, z->n);
    cidr_minimal_of(z->e, sizeof(*z->e), z->n, allowed.v, allowed.n, 4, &z->fw4);
    cidr_minimal_of(z->e, sizeof(*z->e), z->n, allowed.v, allowed.n, 6, &z->fw6);
    cidr_list_free(&allowed);
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
    cidr_list_free(&z->fw4);
    cidr_list_free(&z->fw6);
    memset(z, 0, sizeof(*z));
}
