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
    LF_NET_SINGLE = 8,          /* the first of a network of listed addresses alone:
                                 * the network's figures are theirs (netagg.h) */
    LF_NET_GOOD = 16,           /* a listed address whose score is below 0 */
};

/* One published entry: a single address (/32, /128) or a network, in
 * 32 bytes. An address listed on its own evidence keeps its record and
 * no more: its scores, times and AS follow from the record
 * (listings_more). The other entries (networks, the denylist's, those
 * carried from the state file) and those whose times the state file
 * changed keep them beside the listings (ext). */
struct listing {
    const struct ip_stats *st;  /* the address's evidence (owned by the agg);
                                 * NULL for a network, denylist or carried entry */
    struct ipprefix pfx;
    uint8_t flags;              /* LF_* */
    struct {
        unsigned char cause : 4;        /* enum cause */
        unsigned char rdns : 4;         /* enum rdns_class; RDNS_NONE without st */
    } d;
    uint32_t ext;               /* 1 + its index in listings.ext; 0 = none */
};

/* An entry's figures that struct listing does not hold. */
struct listing_more {
    double score, auth_score;   /* auth_score is 0 without a record */
    int64_t first, last;        /* first/last evidence, UTC; INT64_MAX/MIN if none */
    int64_t expires;            /* listed until (state files); 0 = not tracked */
    uint32_t asn;
};

/* The stored part of a listing_more (auth_score is never needed there). */
struct listing_ext {
    double score;
    int64_t first, last, expires;
    uint32_t asn;
};

struct listings {
    struct listing *v;          /* listed, sorted by prefix (address, then length) */
    size_t n, cap;
    struct listing *allowed;    /* would be listed, but allowlisted */
    size_t nallowed, allowed_cap;
    struct listing_ext *ext;    /* the figures of entries with ext set */
    size_t next, ext_cap;
    const struct policy *p;     /* the scores of the entries with a record */
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
    /* The table decided, when nothing looks addresses up in it afterwards
     * (a run): its index is dropped once walked (agg_drop_index), before
     * the networks and the sort, which then fit in its memory. */
    struct agg *drop_index;
};

/* Decide every address of a, escalate networks, add the denylist. */
void listings_decide(struct listings *out, const struct agg *a, const struct policy *p,
                     const struct listing_opts *o);
/* listings_decide with an allowlist only (may be NULL). */
void listings_build(struct listings *out, const struct agg *a,
                    const struct policy *p, struct cidrset *allow);
/* Append e with its figures m (keeps nothing sorted: call
 * listings_sort). m NULL: those that follow from e->st, which then must
 * not be NULL. */
void listings_push(struct listings *l, const struct listing *e, const struct listing_more *m);
/* The figures of e, an entry of l (or of its allowed ones). */
void listings_more(const struct listings *l, const struct listing *e, struct listing_more *m);
/* Its spam score alone (listings_more's score). */
double listings_score(const struct listings *l, const struct listing *e);
/* Its last evidence alone (listings_more's last). */
int64_t listings_last(const struct listings *l, const struct listing *e);
/* Sets the figures of e (an entry of l or one to be stored there) to m. */
void listings_set_more(struct listings *l, struct listing *e, const struct listing_more *m);
/* Every kept network in prefix order, those of a single listed address
 * (LF_NET_SINGLE) written out in full: start with *it zeroed; false after
 * the last. */
bool listings_net_next(const struct listings *l, struct netagg_iter *it, struct net_stats *out);
/* The kept network containing ip into *out; false if there is none. */
bool listings_net_find(const struct listings *l, const struct ipaddr *ip, struct net_stats *out);
/* Every network of several listed addresses alone (LF_NET_SINGLE) made a
 * record of netagg's again, so that any of them may leave (listings_drop). */
void listings_nets_unfold(struct listings *l);
/* e leaves the listings (held off by the state): its network, if e was
 * alone in it, stays among the kept ones. Networks of several addresses
 * must be unfolded before. */
void listings_drop(struct listings *l, const struct listing *e);
/* Sort by prefix and drop exact duplicates (the first kept). */
void listings_sort(struct listings *l);
void listings_free(struct listings *l);

#endif
