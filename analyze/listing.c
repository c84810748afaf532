/* Apply the policy to every aggregated address; see listing.h. */
#include <stdlib.h>
#include <string.h>
#include "hugemem.h"
#include "listing.h"
#include "msg.h"
#include "xalloc.h"

_Static_assert(sizeof(struct listing) <= 32, "a listing is 32 bytes");

void listings_more(const struct listings *l, const struct listing *e, struct listing_more *m)
{
    if (e->ext) {
        const struct listing_ext *x = &l->ext[e->ext - 1];
        *m = (struct listing_more){ x->score, 0, x->first, x->last, x->expires, x->asn };
    } else {
        *m = (struct listing_more){ 0, 0, ip_stats_ev_first(e->st), ip_stats_ev_last(e->st), 0,
                                    e->st->asn };
    }
    if (e->st)
        policy_scores(l->p, e->st, &m->score, &m->auth_score);
}

double listings_score(const struct listings *l, const struct listing *e)
{
    double score, auth;

    if (e->st == NULL)
        return l->ext[e->ext - 1].score;
    policy_scores(l->p, e->st, &score, &auth);
    return score;
}

int64_t listings_last(const struct listings *l, const struct listing *e)
{
    return e->ext ? l->ext[e->ext - 1].last : ip_stats_ev_last(e->st);
}

void listings_set_more(struct listings *l, struct listing *e, const struct listing_more *m)
{
    /* An address whose figures are its record's needs nothing stored. */
    if (e->st && m->first == ip_stats_ev_first(e->st) && m->last == ip_stats_ev_last(e->st)
        && m->expires == 0 && m->asn == e->st->asn) {
        e->ext = 0;
        return;
    }
    if (e->ext == 0) {
        if (l->next >= UINT32_MAX)
            msg_fatal("listings: more than %u entries with figures of their own", UINT32_MAX);
        l->ext = hugemem_grow(l->ext, &l->ext_cap, l->next + 1, sizeof(*l->ext));
        e->ext = (uint32_t)++l->next;
    }
    l->ext[e->ext - 1] = (struct listing_ext){ m->score, m->first, m->last, m->expires, m->asn };
}

void listings_push(struct listings *l, const struct listing *e, const struct listing_more *m)
{
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n] = *e;
    l->v[l->n].ext = 0;
    if (m)
        listings_set_more(l, &l->v[l->n], m);
    l->n++;
}

/* Every record of the agg, in address order, in batches: the policy
 * looks at one address at a time, so the blocks of a batch can be decided
 * in parallel; what follows from the decisions (networks, the order of the
 * listings) is done afterwards in address order. Batches keep the
 * decisions' memory fixed instead of one per address seen. A batch is
 * one parallel run, which ends with a barrier where the thread done first
 * spins: with batches of 16384 addresses, libgomp's spinning took 2 to 5%
 * of a -j 2 run's CPU samples on a busy host; 65536 (about 4 MB a batch,
 * three of them) take half as much. */
enum { DECIDE_BLOCK = 4096, DECIDE_BATCH = 16 * DECIDE_BLOCK, PREFETCH = 8 };

enum { NOT_LISTED, LISTED, ALLOWED };

struct batch {
    const struct ip_stats **st;
    struct ipaddr *ip;                  /* their addresses */
    struct decision *d;
    unsigned char *state;               /* NOT_LISTED, LISTED, ALLOWED */
    size_t n;
};

/*
 * Three batches in flight, one step each in the same parallel run: the
 * next one collected from the table, the current one decided block by
 * block, the previous one applied (listings and networks, two tasks).
 * Collecting is a walk down the Judy array and applying is in address
 * order: done one batch after another they left a core idle.
 */
struct decide_ctx {
    struct batch b[3];
    struct batch *collect, *decide, *apply;     /* NULL: no such step */
    const struct agg *a;
    struct agg_cursor cur;
    const struct policy *p;
    const struct listing_opts *o;
    struct listings *out;
    size_t cap;                 /* addresses a batch holds */
};

static void decide_block(const struct decide_ctx *c, size_t blk)
{
    const struct batch *b = c->decide;
    size_t lo = blk * DECIDE_BLOCK, hi = lo + DECIDE_BLOCK < b->n ? lo + DECIDE_BLOCK : b->n;

    /* The records lie scattered in memory: ask for the next ones early. */
    for (size_t i = lo; i < hi; i++) {
        if (i + PREFETCH < hi)
            __builtin_prefetch(b->st[i + PREFETCH]);
        if (i + PREFETCH / 2 < hi && b->st[i + PREFETCH / 2]->rdns)
            __builtin_prefetch(b->st[i + PREFETCH / 2]->rdns);
        policy_decide(c->p, &b->ip[i], b->st[i], &b->d[i]);
    }
}

/* The listings of a decided batch, in address order. */
static void apply_listings(const struct batch *b, struct listings *out)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct ip_stats *st = b->st[i];
        if (i + PREFETCH < b->n && b->state[i + PREFETCH] != NOT_LISTED)
            __builtin_prefetch(b->st[i + PREFETCH]);
        if (b->state[i] == NOT_LISTED)
            continue;
        struct listing l = { .st = st, .flags = b->d[i].score < 0 ? LF_NET_GOOD : 0 };
        l.d.cause = b->d[i].cause & 15;
        l.d.rdns = b->d[i].rdns & 15;
        l.pfx.addr = b->ip[i];
        l.pfx.len = b->ip[i].family == 4 ? 32 : 128;
        if (b->state[i] == ALLOWED) {
            out->allowed = xgrow(out->allowed, &out->allowed_cap, out->nallowed + 1,
                                 sizeof(l));
            out->allowed[out->nallowed++] = l;
        } else {
            listings_push(out, &l, NULL);
        }
    }
}

/* The network tables of a decided batch, in address order. */
static void apply_nets(const struct batch *b, struct listings *out)
{
    for (size_t i = 0; i < b->n; i++) {
        if (i + PREFETCH < b->n)
            __builtin_prefetch(b->st[i + PREFETCH]);
        netagg_add(&out->nets, &b->ip[i], b->st[i], &b->d[i], b->state[i] == LISTED);
    }
}

/* Task k of a step: collect (0), apply (1 and 2), decide (3 on). */
static void step_task(size_t k, void *arg)
{
    struct decide_ctx *c = arg;

    if (k == 0 && c->collect)
        c->collect->n = agg_collect(c->a, &c->cur, c->collect->ip, c->collect->st,
                                    c->cap);
    else if (k == 1 && c->apply)
        apply_listings(c->apply, c->out);
    else if (k == 2 && c->apply)
        apply_nets(c->apply, c->out);
    else if (k >= 3)
        decide_block(c, k - 3);
}

/* After a batch's decisions: which of its addresses the allowlist keeps
 * out. cidrset_match may sort the set on first use: not in parallel. */
static void mark_listed(struct batch *b, const struct listing_opts *o)
{
    for (size_t i = 0; i < b->n; i++) {
        b->state[i] = NOT_LISTED;
        if (b->d[i].cause == CAUSE_NONE)
            continue;
        b->state[i] = o->allow && cidrset_match(o->allow, &b->ip[i]) ? ALLOWED : LISTED;
    }
}

/* The networks of listed addresses alone, marked on their first
 * address's listing (the i-th address listed is v[i] until escalate adds
 * to them), as they come: after each batch, not an array of them all. */
static void mark_singles(struct listings *out)
{
    struct netagg *na = &out->nets;

    for (size_t k = 0; k < na->nsingles; k++)
        out->v[na->singles[k]].flags |= LF_NET_SINGLE;
    na->nsingles = 0;
}

static void decide_all(struct listings *out, const struct agg *a, const struct policy *p,
                       const struct listing_opts *o)
{
    struct decide_ctx c = { .a = a, .p = p, .o = o, .out = out };

    /* The three batches in one block, sized for the table: a big run's
     * fills huge pages (a 4 KiB page fault costs some 10 us on a VM, and
     * the batches are 11 MB), a small run's stays small. */
    size_t cap = agg_count(a) < DECIDE_BATCH ? (agg_count(a) + 8) & ~(size_t)7 : DECIDE_BATCH;
    c.cap = cap;
    size_t one = cap * (sizeof(*c.b[0].d) + sizeof(*c.b[0].st) + sizeof(*c.b[0].ip) + 1);
    char *block = hugemem_alloc_whole(3 * one), *at = block;
    for (int i = 0; i < 3; i++) {
        c.b[i].d = (void *)at, at += cap * sizeof(*c.b[i].d);
        c.b[i].st = (void *)at, at += cap * sizeof(*c.b[i].st);
        c.b[i].ip = (void *)at, at += cap * sizeof(*c.b[i].ip);
        c.b[i].state = (void *)at, at += cap;
    }
    c.collect = &c.b[0];
    for (int turn = 1; c.collect || c.decide || c.apply; turn++) {
        size_t ntasks = 3 + (c.decide ? (c.decide->n + DECIDE_BLOCK - 1) / DECIDE_BLOCK : 0);
        if (o->run_all)
            o->run_all(ntasks, step_task, &c);
        else
            for (size_t k = 0; k < ntasks; k++)
                step_task(k, &c);
        if (c.decide) {
            mark_listed(c.decide, o);
            out->seen += c.decide->n;
        }
        mark_singles(out);
        /* Each batch moves one step on. Turn t collects into b[(t - 1) % 3],
         * the one applied in turn t - 1 from turn 4 on. */
        c.apply = c.decide;
        c.decide = c.collect && c.collect->n ? c.collect : NULL;
        c.collect = c.decide && c.decide->n == cap ? &c.b[turn % 3] : NULL;
    }
    free(block);
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
    size_t sorted = 1;

    /* The escalated networks come in prefix order: no buffer for them. */
    while (sorted < n && cmp_listing(&v[sorted - 1], &v[sorted]) <= 0)
        sorted++;
    if (sorted >= n)
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
    netagg_sort(&l->nets);
}

/* An address's listing that counts in its network: a listed address. */
static bool net_member(const struct listing *e)
{
    return e->st && e->pfx.len == (e->pfx.addr.family == 4 ? 32 : 128);
}

/* The network net marked on v[j], written out from its addresses'
 * listings: v[j] and those after it in net (the others in that range have
 * no record). */
static struct net_stats single_net(const struct listings *l, size_t j, const struct ipprefix *net)
{
    struct net_stats ns = { 0 };

    netagg_single_add(&ns, net, l->v[j].st, (l->v[j].flags & LF_NET_GOOD) != 0);
    for (size_t k = j + 1; k < l->n && ipprefix_contains(net, &l->v[k].pfx.addr); k++)
        if (net_member(&l->v[k]))
            netagg_single_add(&ns, net, l->v[k].st, (l->v[k].flags & LF_NET_GOOD) != 0);
    return ns;
}

bool listings_net_next(const struct listings *l, struct netagg_iter *it, struct net_stats *out)
{
    const struct netagg *na = &l->nets;

    while (it->j < l->n && !(l->v[it->j].flags & LF_NET_SINGLE))
        it->j++;
    bool single = it->j < l->n;
    struct ipprefix n;
    if (single) {
        n = netagg_net_of(na->p, &l->v[it->j].pfx.addr);
        single = it->i >= na->nnets || ipprefix_cmp(&n, &na->nets[it->i].pfx) < 0;
    }
    if (single)
        *out = single_net(l, it->j++, &n);
    else if (it->i < na->nnets)
        *out = na->nets[it->i++];
    else
        return false;
    return true;
}

bool listings_net_find(const struct listings *l, const struct ipaddr *ip, struct net_stats *out)
{
    if (netagg_find(&l->nets, ip, out))
        return true;
    /* The first entry at or after the network, then those inside it. */
    struct ipprefix n = netagg_net_of(l->nets.p, ip);
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ipprefix_cmp(&l->v[mid].pfx, &n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < l->n && ipprefix_contains(&n, &l->v[lo].pfx.addr); lo++)
        if (l->v[lo].flags & LF_NET_SINGLE) {
            *out = single_net(l, lo, &n);
            return true;
        }
    return false;
}

void listings_drop(struct listings *l, const struct listing *e)
{
    /* Alone in its network (listings_nets_unfold left no other marked). */
    if (e->flags & LF_NET_SINGLE) {
        struct net_stats ns = { 0 };
        struct ipprefix net = netagg_net_of(l->nets.p, &e->pfx.addr);
        netagg_single_add(&ns, &net, e->st, (e->flags & LF_NET_GOOD) != 0);
        netagg_keep(&l->nets, &ns);
    }
}

void listings_nets_unfold(struct listings *l)
{
    for (size_t j = 0; j < l->n; j++) {
        if (!(l->v[j].flags & LF_NET_SINGLE))
            continue;
        struct ipprefix net = netagg_net_of(l->nets.p, &l->v[j].pfx.addr);
        struct net_stats ns = single_net(l, j, &net);
        if (ns.ips_seen > 1) {
            netagg_keep(&l->nets, &ns);
            l->v[j].flags &= (uint8_t)~LF_NET_SINGLE;
        }
    }
    netagg_sort(&l->nets);
}

static void escalate(struct listings *out)
{
    for (size_t i = 0; i < out->nets.nnets; i++) {
        const struct net_stats *ns = &out->nets.nets[i];
        if (ns->status == NET_HELD_ALLOWLIST || ns->status == NET_HELD_GOOD)
            out->nets_held++;
        if (ns->status != NET_ESCALATED)
            continue;
        struct listing l = { .pfx = ns->pfx };
        struct listing_more m = { .score = ns->score, .first = ns->first, .last = ns->last,
                                  .asn = ns->asn };
        l.d.cause = CAUSE_NET;
        l.d.rdns = RDNS_NONE;
        listings_push(out, &l, &m);
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
        struct listing l = { .pfx = *pfx, .flags = LF_DENY };
        struct listing_more m = { .first = INT64_MAX, .last = INT64_MIN };
        l.d.cause = CAUSE_SPAM;
        l.d.rdns = RDNS_NONE;
        listings_push(out, &l, &m);
    }
}

void listings_decide(struct listings *out, const struct agg *a, const struct policy *p,
                     const struct listing_opts *o)
{
    size_t n = agg_count(a);

    memset(out, 0, sizeof(*out));
    out->p = p;
    netagg_init(&out->nets, p, o->allow, o->all_networks, n);
    /* Room for an entry per address, the denylist and the escalated
     * networks, reserved up front (see hugemem.h) and touched only as
     * filled: grown, the array was copied, its size again at the peak. A
     * network escalates with [network] min_listed or ratio_min_listed
     * addresses listed, so there are at most n / the lesser; not one per
     * address as well (a
     * reservation larger than the table itself could be refused on a small
     * machine that holds the table fine): past n / 2, listings_push grows it. */
    size_t nets = 0;
    if (p->net_escalate) {
        unsigned least = p->net_min_listed < p->net_ratio_min_listed ? p->net_min_listed
            : p->net_ratio_min_listed;
        nets = n / (least > 2 ? least : 2);
    }
    out->cap = n + nets + (o->deny ? cidrset_count(o->deny) : 0) + 1;
    out->v = hugemem_alloc(out->cap * sizeof(*out->v));
    /* Arrays walk as well as the Judy index and take half its memory. */
    if (o->drop_index == a)
        agg_seal(o->drop_index);
    decide_all(out, a, p, o);
    if (o->drop_index == a)
        agg_drop_index(o->drop_index);
    netagg_finish(&out->nets);
    mark_singles(out);
    netagg_singles_done(&out->nets);
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
    free(l->ext);
    netagg_free(&l->nets);
    memset(l, 0, sizeof(*l));
}
