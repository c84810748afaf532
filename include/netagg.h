#ifndef RBLFORGE_NETAGG_H
#define RBLFORGE_NETAGG_H
/*
 * Aggregation above the address: per network (IPv4 /24 and IPv6 /64 by
 * default, [network] v4_prefix/v6_prefix) and per origin AS. Fed from the
 * merged per-address table in address order, so the figures do not depend
 * on the thread count, and a network is complete when the first address
 * of the next one arrives: it is decided then and kept only if something
 * in it is listed (networks.csv, escalation and the held ones need no
 * more), unless every network is asked for (explain).
 */
#include <stddef.h>
#include <stdint.h>
#include "agg.h"
#include "arena.h"
#include "cidrset.h"
#include "policy.h"

enum net_status {
    NET_NONE = 0,               /* not escalated */
    NET_ESCALATED,              /* the whole network is listed (CAUSE_NET) */
    NET_HELD_ALLOWLIST,         /* would escalate, but holds an allowlisted address */
    NET_HELD_GOOD,              /* would escalate, but an address in it sends good mail */
};

struct net_stats {
    struct ipprefix pfx;
    uint8_t status;             /* enum net_status */
    uint32_t ips_seen;          /* distinct addresses with events */
    uint32_t ips_listed;        /* listed on their own evidence (not allowlisted) */
    uint32_t ips_good;          /* more good mail than evidence (score < 0) */
    uint32_t asn;               /* of its lowest address seen */
    uint64_t events;
    double score;               /* sum of the listed addresses' scores */
    int64_t first, last;        /* evidence span of the listed addresses */
};

/* A kept network whose addresses seen are all listed, not escalated nor
 * held (the usual network of bots: one address, often a few) is no record
 * here: its figures follow from its addresses' records and its length from
 * the policy. The listings mark its first address (listing.h,
 * LF_NET_SINGLE); until then singles holds that address's place among the
 * addresses listed, a few at a time (the listings take them as they come). */

struct asn_stats {
    uint32_t asn;
    uint64_t events;
    uint32_t ips_seen, ips_listed, nets_listed;
};

struct netagg {
    const struct policy *p;
    struct cidrset *allow;      /* may be NULL */
    bool keep_all;              /* keep networks with nothing listed too */
    struct net_stats *nets;     /* kept networks, in prefix order, but ... */
    size_t nnets, cap;
    uint32_t *singles;          /* ... these, in order (see above), until marked */
    size_t nsingles, singles_cap;
    size_t nlisted;             /* addresses counted as listed so far */
    bool unsorted;              /* nets appended out of order (netagg_keep) */
    size_t nseen;               /* networks with an address seen */
    struct net_stats cur;       /* the network being counted */
    size_t cur_listed;          /* nlisted at its first address */
    bool have_cur;
    agg_map asns;               /* ASN -> struct asn_stats * */
    struct asn_stats **asv;     /* after netagg_finish: sorted by ASN */
    size_t nasv;
    struct arena mem;           /* AS records */
    struct asn_stats *last_as;  /* the last AS counted: most addresses repeat it */
};

/* allow may be NULL. max_nets: a bound (the addresses to come), reserved
 * up front so the array never grows (see hugemem.h). */
void netagg_init(struct netagg *na, const struct policy *p, struct cidrset *allow,
                 bool keep_all, size_t max_nets);
/* The network of an address under the policy's prefix lengths. */
struct ipprefix netagg_net_of(const struct policy *p, const struct ipaddr *ip);
/* A network's number, for tables keyed by network (cmd_top). */
uint64_t netagg_key(const struct ipprefix *net);
/* Count one address, in address order; listed: listed on its own (any
 * cause), not allowlisted. */
void netagg_add(struct netagg *na, const struct ipaddr *ip, const struct ip_stats *st,
                const struct decision *d, bool listed);
/* Decide the last network and fill the sorted AS array. */
void netagg_finish(struct netagg *na);
/* Where listings_net_next stands: full networks and listed addresses. */
struct netagg_iter {
    size_t i, j;
};
/* The kept full network containing ip into *out; false if there is none
 * (a single-address one is the listings' to find: listings_net_find). */
bool netagg_find(const struct netagg *na, const struct ipaddr *ip, struct net_stats *out);
/* Adds a listed address of network net with record st (good: its score
 * is below 0) to *ns, the network being written out (start it zeroed), in
 * address order. */
void netagg_single_add(struct net_stats *ns, const struct ipprefix *net,
                       const struct ip_stats *st, bool good);
/* Keep ns among the full networks (in order again after netagg_sort). */
void netagg_keep(struct netagg *na, const struct net_stats *ns);
/* The full networks in prefix order after netagg_keep. */
void netagg_sort(struct netagg *na);
/* Frees the singles' places once the last are marked. */
void netagg_singles_done(struct netagg *na);
const char *netagg_status_name(enum net_status s);
void netagg_free(struct netagg *na);

#endif
