#ifndef RBLFORGE_NETAGG_H
#define RBLFORGE_NETAGG_H
/*
 * Aggregation above the address: per network (IPv4 /24 and IPv6 /64 by
 * default, [network] v4_prefix/v6_prefix) and per origin AS. Built from
 * the merged per-address table and the day's decisions, so the figures
 * do not depend on the thread count. Tables are agg_maps (JudyL) keyed by
 * the network number and the ASN.
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
    uint32_t ips_seen;          /* distinct addresses with events */
    uint32_t ips_listed;        /* listed on their own evidence (not allowlisted) */
    uint32_t ips_good;          /* more good mail than evidence (score < 0) */
    uint32_t asn;               /* of its lowest address seen */
    uint64_t events;
    double score;               /* sum of the listed addresses' scores */
    int64_t first, last;        /* evidence span of the listed addresses */
    enum net_status status;
};

struct asn_stats {
    uint32_t asn;
    uint64_t events;
    uint32_t ips_seen, ips_listed, nets_listed;
};

struct netagg_chunk;

struct netagg {
    agg_map v4, v6;             /* network number -> struct net_stats * */
    agg_map asns;               /* ASN -> struct asn_stats * */
    struct net_stats **nets;    /* after netagg_finish: sorted by prefix */
    size_t nnets;
    struct asn_stats **asv;     /* sorted by ASN */
    size_t nasv;
    struct arena mem;           /* AS records */
    struct netagg_chunk *chunks;        /* network records */
    /* The last network and AS counted: addresses come in order, so most
     * belong to the previous one and need no table lookup. */
    struct net_stats *last_net;
    struct asn_stats *last_as;
};

void netagg_init(struct netagg *na);
/* The network of an address under the policy's prefix lengths. */
struct ipprefix netagg_net_of(const struct policy *p, const struct ipaddr *ip);
/* The key of a network in its family's table: the network number. */
uint64_t netagg_key(const struct ipprefix *net);
/* Count one address; listed: listed on its own (any cause), not allowlisted. */
void netagg_add(struct netagg *na, const struct policy *p, const struct ip_stats *st,
                const struct decision *d, bool listed);
/* Decide escalation for every network (allow may be NULL), count listed
 * networks per ASN, and fill the sorted arrays. */
void netagg_finish(struct netagg *na, const struct policy *p, struct cidrset *allow);
/* The network containing ip, or NULL. */
const struct net_stats *netagg_find(const struct netagg *na, const struct policy *p,
                                    const struct ipaddr *ip);
const char *netagg_status_name(enum net_status s);
void netagg_free(struct netagg *na);

#endif
