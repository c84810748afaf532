/* Apply the policy to every aggregated address; see listing.h. */
#include <stdlib.h>
#include <string.h>
#include "listing.h"
#include "xalloc.h"

struct build_ctx {
    struct listings *out;
    const struct policy *p;
    struct cidrset *allow;
};

static void decide_one(const struct ip_stats *st, void *arg)
{
    struct build_ctx *c = arg;
    struct listing l = { .st = st };

    l.pfx.addr = st->ip;
    l.pfx.len = st->ip.family == 4 ? 32 : 128;

    c->out->seen++;
    policy_decide(c->p, st, &l.d);
    if (l.d.cause == CAUSE_NONE)
        return;
    if (c->allow && cidrset_match(c->allow, &st->ip)) {
        c->out->allowed = xgrow(c->out->allowed, &c->out->allowed_cap,
                                c->out->nallowed + 1, sizeof(l));
        c->out->allowed[c->out->nallowed++] = l;
        return;
    }
    c->out->v = xgrow(c->out->v, &c->out->cap, c->out->n + 1, sizeof(l));
    c->out->v[c->out->n++] = l;
}

void listings_build(struct listings *out, const struct agg *a,
                    const struct policy *p, struct cidrset *allow)
{
    struct build_ctx c = { out, p, allow };

    memset(out, 0, sizeof(*out));
    agg_walk(a, decide_one, &c);
}

void listings_free(struct listings *l)
{
    free(l->v);
    free(l->allowed);
    memset(l, 0, sizeof(*l));
}
