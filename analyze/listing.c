/* Apply the policy to every aggregated address; see listing.h. */
#include <stdlib.h>
#include <string.h>
#include "hugemem.h"
#include "listing.h"
#include "xalloc.h"

void listings_push(struct listings *l, const struct listing *e)
{
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = *e;
}

/* Every record of the agg, in address order, in batches: the policy
 * looks at one address at a time, so the blocks of a batch can be decided
 * in parallel; what follows from the decisions (networks, the order of the
 * listings) is done afterwards in address order. Batches keep the
 * decisions' memory fixed instead of one per address seen. */
enum { DECIDE_BLOCK = 4096, DECIDE_BATCH = 4 * DECIDE_BLOCK, PREFETCH = 8 };

enum { NOT_LISTED, LISTED, ALLOWED };

struct decide_ctx {
    const struct ip_stats **st;         /* the batch */
    struct ipaddr *ip;                  /* their addresses */
    struct decision *d;
    unsigned char *state;               /* NOT_LISTED, LISTED, ALLOWED */
    size_t n;
    const struct policy *p;
    const struct listing_opts *o;
    struct listings *out;
};

static void decide_block(size_t b, void *arg)
{
    struct decide_ctx *c = arg;
    size_t lo = b * DECIDE_BLOCK, hi = lo + DECIDE_BLOCK < c->n ? lo + DECIDE_BLOCK : c->n;

    /* The records lie scattered in memory: ask for the next ones early. */
    for (size_t i = lo; i < hi; i++) {
        if (i + PREFETCH < hi)
            __builtin_prefetch(c->st[i + PREFETCH]);
        if (i + PREFETCH / 2 < hi && c->st[i + PREFETCH / 2]->rdns)
            __builtin_prefetch(c->st[i + PREFETCH / 2]->rdns);
        policy_decide(c->p, &c->ip[i], c->st[i], &c->d[i]);
    }
}

/* After the decisions, two independent passes in address order: the
 * listings (task 0) and the network tables (task 1). */
static void apply_one(size_t k, void *arg)
{
    const struct decide_ctx *c = arg;
    struct listings *out = c->out;

    for (size_t i = 0; i < c->n; i++) {
        const struct ip_stats *st = c->st[i];
        if (k == 1) {
            if (i + PREFETCH < c->n)
                __builtin_prefetch(c->st[i + PREFETCH]);
            netagg_add(&out->nets, &c->ip[i], st, &c->d[i], c->state[i] == LISTED);
            continue;
        }
        if (c->state[i] == NOT_LISTED)
            continue;
        struct listing l = { .st = st, .d = c->d[i], .first = st->ev_first_ts,
                             .last = st->ev_last_ts, .asn = st->asn };
        l.pfx.addr = c->ip[i];
        l.pfx.len = c->ip[i].family == 4 ? 32 : 128;
        if (c->state[i] == ALLOWED) {
            out->allowed = xgrow(out->allowed, &out->allowed_cap, out->nallowed + 1,
                                 sizeof(l));
            out->allowed[out->nallowed++] = l;
        } else {
            listings_push(out, &l);
        }
    }
}

static void decide_batch(struct decide_ctx *c)
{
    const struct listing_opts *o = c->o;
    struct listings *out = c->out;
    size_t nblocks = (c->n + DECIDE_BLOCK - 1) / DECIDE_BLOCK;

    if (o->run_all)
        o->run_all(nblocks, decide_block, c);
    else
        for (size_t b = 0; b < nblocks; b++)
            decide_block(b, c);
    for (size_t i = 0; i < c->n; i++) {
        c->state[i] = NOT_LISTED;
        if (c->d[i].cause == CAUSE_NONE)
            continue;
        /* cidrset_match may sort the set on first use: not in parallel. */
        c->state[i] = o->allow && cidrset_match(o->allow, &c->ip[i]) ? ALLOWED : LISTED;
    }
    out->seen += c->n;
    if (o->run_all)
        o->run_all(2, apply_one, c);
    else
        for (size_t k = 0; k < 2; k++)
            apply_one(k, c);
    c->n = 0;
}

static void collect(const struct ipaddr *ip, const struct ip_stats *st, void *arg)
{
    struct decide_ctx *c = arg;

    c->ip[c->n] = *ip;
    c->st[c->n++] = st;
    if (c->n == DECIDE_BATCH)
        decide_batch(c);
}

static void decide_all(struct listings *out, const struct agg *a, const struct policy *p,
                       const struct listing_opts *o)
{
    struct decide_ctx c = { .p = p, .o = o, .out = out };

    c.st = xmalloc(DECIDE_BATCH * sizeof(*c.st));
    c.ip = xmalloc(DECIDE_BATCH * sizeof(*c.ip));
    c.d = xmalloc(DECIDE_BATCH * sizeof(*c.d));
    c.state = xmalloc(DECIDE_BATCH);
    agg_walk(a, collect, &c);
    if (c.n)
        decide_batch(&c);
    free(c.st);
    free(c.ip);
    free(c.d);
    free(c.state);
}

static int cmp_listing(const void *a, const void *b)
{
    /* The network before the addresses it covers. */
    return ipprefix_cmp(&((const struct listing *)a)->pfx, &((const struct listing *)b)->pfx);
}

/* A stable sort of v[0..n) (qsort is not stable): bottom-up merge sort,
 * the left entry first on ties. */
static void sort_stable(struct listing *v, size_t n)
{
    if (n < 2)
        return;
    struct listing *a = v, *b = xmalloc(n * sizeof(*b));
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t x = lo, y = mid, k = lo;
            while (x < mid && y < hi)
                b[k++] = cmp_listing(&a[y], &a[x]) < 0 ? a[y++] : a[x++];
            while (x < mid)
                b[k++] = a[x++];
            while (y < hi)
                b[k++] = a[y++];
        }
        struct listing *t = a;
        a = b, b = t;
    }
    if (a != v) {
        memcpy(v, a, n * sizeof(*v));
        b = a;
    }
    free(b);
}

void listings_sort(struct listings *l)
{
    /* The usual input is one long sorted run (the addresses, decided in
     * address order) followed by a few entries (networks, denylist):
     * sort only those and merge them in from the back. Stable either way. */
    size_t run = l->n > 0;

    while (run < l->n && cmp_listing(&l->v[run - 1], &l->v[run]) <= 0)
        run++;
    size_t nt = l->n - run;
    if (nt > 0) {
        struct listing *t = xmalloc(nt * sizeof(*t));
        memcpy(t, l->v + run, nt * sizeof(*t));
        sort_stable(t, nt);
        /* On a tie the entry of the run goes first, as it came first. */
        size_t i = run, j = nt, k = l->n;
        while (j > 0) {
            if (i > 0 && cmp_listing(&l->v[i - 1], &t[j - 1]) > 0)
                l->v[--k] = l->v[--i];
            else
                l->v[--k] = t[--j];
        }
        free(t);
    }
    size_t w = 0;
    for (size_t r = 0; r < l->n; r++)
        if (w == 0 || cmp_listing(&l->v[w - 1], &l->v[r]) != 0)
            l->v[w++] = l->v[r];
    l->n = w;
}

static void escalate(struct listings *out)
{
    netagg_finish(&out->nets);
    for (size_t i = 0; i < out->nets.nnets; i++) {
        const struct net_stats *ns = &out->nets.nets[i];
        if (ns->status == NET_HELD_ALLOWLIST || ns->status == NET_HELD_GOOD)
            out->nets_held++;
        if (ns->status != NET_ESCALATED)
            continue;
        struct listing l = { .pfx = ns->pfx, .first = ns->first, .last = ns->last,
                             .asn = ns->asn };
        l.d.cause = CAUSE_NET;
        l.d.score = ns->score;
        l.d.rdns = RDNS_NONE;
        listings_push(out, &l);
        out->nets_escalated++;
    }
}

static void add_denylist(struct listings *out, struct cidrset *deny, struct cidrset *allow)
{
    for (size_t i = 0; i < cidrset_count(deny); i++) {
        const struct ipprefix *pfx = cidrset_get(deny, i);
        /* An explicit allow wins: the conflict is reported, not published. */
        if (allow && cidrset_overlaps(allow, pfx))
            continue;
        struct listing l = { .pfx = *pfx, .first = INT64_MAX, .last = INT64_MIN,
                             .flags = LF_DENY };
        l.d.cause = CAUSE_SPAM;
        l.d.rdns = RDNS_NONE;
        listings_push(out, &l);
    }
}

void listings_decide(struct listings *out, const struct agg *a, const struct policy *p,
                     const struct listing_opts *o)
{
    size_t n = agg_count(a);

    memset(out, 0, sizeof(*out));
    netagg_init(&out->nets, p, o->allow, o->all_networks, n);
    /* Room for an entry per address and the denylist, reserved up front
     * (see hugemem.h) and touched only as filled; the escalated networks
     * rarely need more (then listings_push grows it). Not one per network
     * as well: a reservation larger than the table itself could be refused
     * on a small machine that holds the table fine. */
    out->cap = n + (o->deny ? cidrset_count(o->deny) : 0) + 1;
    out->v = hugemem_alloc(out->cap * sizeof(*out->v));
    decide_all(out, a, p, o);
    escalate(out);
    if (o->deny)
        add_denylist(out, o->deny, o->allow);
    listings_sort(out);
}

void listings_build(struct listings *out, const struct agg *a,
                    const struct policy *p, struct cidrset *allow)
{
    struct listing_opts o = { .allow = allow };

    listings_decide(out, a, p, &o);
}

void listings_free(struct listings *l)
{
    free(l->v);
    free(l->allowed);
    netagg_free(&l->nets);
    memset(l, 0, sizeof(*l));
}
