#ifndef RBLFORGE_LISTING_H
#define RBLFORGE_LISTING_H
/*
 * The day's decisions: every address the policy lists, in address order,
 * with the evidence that listed it. Allowlisted addresses that would have
 * been listed are kept apart (reported, never published).
 */
#include <stddef.h>
#include "agg.h"
#include "policy.h"
#include "cidrset.h"

/* One published entry: a single address (/32, /128) or a network. */
struct listing {
    struct ipprefix pfx;
    const struct ip_stats *st;  /* the address's evidence (owned by the agg);
                                 * NULL for a network entry */
    struct decision d;
};

struct listings {
    struct listing *v;          /* listed, sorted by prefix address */
    size_t n, cap;
    struct listing *allowed;    /* would be listed, but allowlisted */
    size_t nallowed, allowed_cap;
    size_t seen;                /* distinct addresses with evidence */
};

/* Decide every address of a; allow may be NULL. */
void listings_build(struct listings *out, const struct agg *a,
                    const struct policy *p, struct cidrset *allow);
void listings_free(struct listings *l);

#endif
