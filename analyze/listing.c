/* Apply the policy to every aggregated address; see listing.h. */
#include <stdlib.h>
#include <string.h>
#include "listing.h"
#include "xalloc.h"

struct build_ctx {
    struct listings *out;
    const struct policy *p;
    const struct listing_opts *o;
};

void listings_push(struct listings *l, const struct listing *e)
{
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = *e;
}

static void decide_one(const struct ip_stats *st, void *arg)
{
    struct build_ctx *c = arg;
    struct listing l = { .st = st };
    bool listed = false;

    l.pfx.addr = st->ip;
    l.pfx.len = st->ip.family == 4 ? 32 : 128;
    l.first = st->ev_first_ts;
    l.last = st->ev_last_ts;
    l.asn = st->asn;

    c->out->seen++;
    policy_decide(c->p, st, &l.d);
    if (l.d.cause != CAUSE_NONE) {
        if (c->o->allow && cidrset_match(c->o->allow, &st->ip)) {
            c->out->allowed = xgrow(c->out->allowed, &c->out->allowed_cap,
                                    c->out->nallowed + 1, sizeof(l));
            c->out->allowed[c->out->nallowed++] = l;
        } else {
            listings_push(c->out, &l);
            listed = true;
        }
    }
    netagg_add(&c->out->nets, c->p, st, &l.d, listed);
}

static int cmp_listing(const void *a, const void *b)
{
    const struct listing *x = a, *y = b;
    int c = ipaddr_cmp(&x->pfx.addr, &y->pfx.addr);

    if (c)
        return c;
    /* The network before the addresses it covers. */
    return (x->pfx.len > y->pfx.len) - (x->pfx.len < y->pfx.len);
}

static int cmp_stable(const void *a, const void *b)
{
    const struct listing *x = a, *y = b;
    int c = cmp_listing(a, b);

    return c ? c : (x->flags >> 8 > y->flags >> 8) - (x->flags >> 8 < y->flags >> 8);
}

void listings_sort(struct listings *l)
{
    if (l->n == 0)
        return;                 /* qsort(NULL, 0) is undefined */
    /* qsort is not stable: break ties by the original index. */
    for (size_t i = 0; i < l->n; i++)
        l->v[i].flags = (l->v[i].flags & 0xffu) | (unsigned)(i << 8);
    qsort(l->v, l->n, sizeof(*l->v), cmp_stable);
    size_t w = 0;
    for (size_t r = 0; r < l->n; r++)
        if (w == 0 || cmp_listing(&l->v[w - 1], &l->v[r]) != 0)
            l->v[w++] = l->v[r];
    l->n = w;
    for (size_t i = 0; i < l->n; i++)
        l->v[i].flags &= 0xffu;
}

static void escalate(struct listings *out, const struct policy *p, struct cidrset *allow)
{
    netagg_finish(&out->nets, p, allow);
    for (size_t i = 0; i < out->nets.nnets; i++) {
        const struct net_stats *ns = out->nets.nets[i];
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
    struct build_ctx c = { out, p, o };

    memset(out, 0, sizeof(*out));
    netagg_init(&out->nets);
    agg_walk(a, decide_one, &c);
    escalate(out, p, o->allow);
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
