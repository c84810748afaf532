#ifndef RBLFORGE_LISTING_H
#define RBLFORGE_LISTING_H
/*
 * The day's decisions: every address the policy lists, the networks it
 * escalates and the denylisted prefixes, in prefix order, with the
 * evidence that listed them. Allowlisted addresses that would have been
 * listed are kept apart (reported, never published).
 */
#include <stddef.h>
#include "agg.h"
#include "policy.h"
#include "cidrset.h"
#include "netagg.h"

enum {
    LF_DENY = 1,                /* from the denylist */
    LF_STATE = 2,               /* carried from the state file: no new evidence */
    LF_NEW = 4,                 /* not listed before this run (with a state file) */
};

/* One published entry: a single address (/32, /128) or a network. */
struct listing {
    struct ipprefix pfx;
    uint8_t flags;              /* LF_* */
    uint32_t asn;
    const struct ip_stats *st;  /* the address's evidence (owned by the agg);
                                 * NULL for a network, denylist or carried entry */
    struct decision d;
    int64_t first, last;        /* first/last evidence, UTC; INT64_MAX/MIN if none */
    int64_t expires;            /* listed until (state files); 0 = not tracked */
};

struct listings {
    struct listing *v;          /* listed, sorted by prefix (address, then length) */
    size_t n, cap;
    struct listing *allowed;    /* would be listed, but allowlisted */
    size_t nallowed, allowed_cap;
    size_t seen;                /* distinct addresses with evidence */
    struct netagg nets;         /* per network and per ASN */
    size_t nets_escalated, nets_held;
    size_t added, expired, held, carried;       /* state file effects */
};

struct listing_opts {
    struct cidrset *allow;      /* never list; NULL for none */
    struct cidrset *deny;       /* always list; NULL for none */
    bool all_networks;          /* keep networks with nothing listed (explain) */
    /* Runs fn(0) .. fn(n - 1), possibly in parallel; NULL: one after
     * another. The decisions do not depend on how they are run. */
    void (*run_all)(size_t n, void (*fn)(size_t i, void *ctx), void *ctx);
};

/* Decide every address of a, escalate networks, add the denylist. */
void listings_decide(struct listings *out, const struct agg *a, const struct policy *p,
                     const struct listing_opts *o);
/* listings_decide with an allowlist only (may be NULL). */
void listings_build(struct listings *out, const struct agg *a,
                    const struct policy *p, struct cidrset *allow);
/* Append e (keeps nothing sorted: call listings_sort). */
void listings_push(struct listings *l, const struct listing *e);
/* Sort by prefix and drop exact duplicates (the first kept). */
void listings_sort(struct listings *l);
void listings_free(struct listings *l);

#endif
