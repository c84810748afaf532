#ifndef RBLFORGE_POLICY_H
#define RBLFORGE_POLICY_H
/*
 * The listing policy: weights per evidence class, thresholds, return codes
 * and the names the exports use. The settings file that fills it, and
 * its built-in default, are config.h.
 */
#include <stdbool.h>
#include "abuse.h"
#include "agg.h"
#include "custpolicy.h"
#include "rdns.h"

#define POLICY_STR 256
#define POLICY_PATH 1024

/* Why an entry is listed; each cause has its own A record and TXT. */
enum cause {
    CAUSE_NONE = 0,
    CAUSE_SPAM,                 /* spam evidence at the MX: 127.0.0.2 */
    CAUSE_NET,                  /* escalated network: 127.0.0.3 */
    CAUSE_AUTH,                 /* SASL/AUTH brute force: 127.0.0.4 */
    CAUSE_DYNAMIC,              /* dynamic/generic rDNS sending direct to MX: 127.0.0.10 */
    CAUSE__COUNT
};

/* The files a configuration may name (config.c checks them). */
enum policy_file {
    POLICY_FILE_ALLOWLIST, POLICY_FILE_DENYLIST, POLICY_FILE_ASN_DB,
    POLICY_FILE_CUSTOMERS_MAP, POLICY_FILE_TEMPLATES, POLICY_FILE_ABUSE_CONTACTS,
    POLICY_FILE__COUNT
};

/* How many CIDRs [policy] trusted_networks and test_range hold. */
#define POLICY_NETS_MAX 64

struct policy {
    double weight[AC__COUNT];
    double threshold;           /* spam score at which an address is listed */
    double auth_threshold;      /* auth_fail score for the brute-force list */
    double rdns_factor[RDNS__COUNT];    /* threshold multiplier per rDNS class */
    bool list_dynamic;          /* list dynamic-rDNS senders as CAUSE_DYNAMIC */
    double dynamic_threshold;   /* score for that list */
    int64_t window;             /* seconds of log before --now to read; 0 = all */
    int64_t expiry;             /* listed until last evidence + expiry */
    double relist_factor;       /* a removed entry returns at factor x its bar */
    unsigned net_v4, net_v6;    /* network prefix lengths */
    bool net_escalate;          /* list whole networks at all */
    unsigned net_min_listed;    /* escalate with this many listed addresses */
    double net_ratio;           /* ... or this share of the seen ones listed */
    unsigned net_ratio_min_listed;      /* ... and at least this many */
    bool net_spare_good;        /* no escalation over a net-good sender */
    char asn_db[POLICY_PATH];   /* GeoLite2-ASN .mmdb; "" = none */
    char allowlist[POLICY_PATH];
    char denylist[POLICY_PATH];
    unsigned ttl;               /* seconds, for the zone files */
    char code[CAUSE__COUNT][16];        /* A record per cause: 127.0.0.x */
    char txt[CAUSE__COUNT][POLICY_STR]; /* TXT templates; '$' becomes the address */
    char nft_family[16];
    char nft_table[64];
    char nft_set4[64];
    char nft_set6[64];
    /* Published zone identity (bl.zone) and the ipset names (fw.ipset). */
    char zone_name[POLICY_STR];
    char zone_ns[POLICY_STR];           /* space-separated name servers */
    char zone_hostmaster[POLICY_STR];
    double max_change;          /* safety valve: allowed change of the count */
    double max_churn;           /* ... of added + removed, against the count */
    unsigned min_change;        /* ... ignored below this many entries */
    char ipset_set4[32];
    char ipset_set6[32];
    unsigned fw_causes;         /* [firewall] causes: bit 1 << cause */
    bool nft_rule;              /* [firewall] nft_rule: fw.nft drops the sets' sources */
    struct cust_policy customers;       /* [customers]: see customers.h */
    struct letter_policy letters;       /* [letters]: see custpolicy.h */
    /* Our own zones (own_zones; default: [zone] name): their hits are
     * never evidence. Handed to the aggregation tables. */
    struct agg_conf agg;
    bool own_zones_set;         /* own_zones given explicitly */
    /* Never listed, no evidence weighed: the MTA's own (mynetworks-like). */
    struct ipprefix trusted[POLICY_NETS_MAX];
    unsigned ntrusted;
    /* Listable although special or private (labs, tests); off by default. */
    struct ipprefix test_range[POLICY_NETS_MAX];
    unsigned ntest_range;
    bool list_private;          /* list RFC 1918, 100.64/10, fc00::/7 */
    struct abuse_policy abuse;          /* [abuse]: see abuse.h */
    char config_path[POLICY_PATH];      /* the file loaded; "" for the defaults */
    unsigned file_line[POLICY_FILE__COUNT];     /* where it named each file; 0 = not */
};

/* Why an address is out of the policy's reach whatever its evidence. */
enum policy_exempt {
    PX_NONE = 0,
    PX_TRUSTED,                 /* in [policy] trusted_networks */
    PX_SPECIAL,                 /* loopback, multicast, link-local, ... (never) */
    PX_PRIVATE,                 /* private range, list_private = no */
    PX_AUTHENTICATED,           /* logged in: a customer (spam and dynamic only) */
};

struct decision {
    double score;               /* weighted spam evidence, good mail included */
    double auth_score;
    enum cause cause;           /* CAUSE_NONE: not listed */
    enum rdns_class rdns;
    enum policy_exempt exempt;
};

/* Weigh st: scores, its rDNS class and the cause. */
void policy_decide(const struct policy *p, const struct ipaddr *ip, const struct ip_stats *st,
                   struct decision *d);
/* The scores alone (d->score and d->auth_score of policy_decide): for
 * listings, which keep the record rather than the figures. */
void policy_scores(const struct policy *p, const struct ip_stats *st, double *score,
                   double *auth_score);
/* The spam threshold for an address of rDNS class c (the bar its score
 * is held to): a derived figure, so decisions do not carry it. */
static inline double policy_bar(const struct policy *p, enum rdns_class c)
{
    return p->threshold * p->rdns_factor[c];
}
/* PX_NONE if ip may be listed at all, else why not (trusted network,
 * special or private range; a test range makes a range listable). */
enum policy_exempt policy_exempt(const struct policy *p, const struct ipaddr *ip);
const char *policy_exempt_name(enum policy_exempt x);
/* Add CIDR text (an address or addr/len) to the test ranges; false if it
 * does not parse or there are too many. For --test-range. */
bool policy_add_test_range(struct policy *p, const char *cidr);
/* "spam", "net", "auth", "dynamic" ("none"); config keys are code_<name>. */
const char *policy_cause_name(enum cause c);
/* The cause named name[0..len) ("none" included), or -1. */
int policy_cause_lookup(const char *name, size_t len);
/* The A record value for a cause. */
const char *policy_code(const struct policy *p, enum cause c);
const char *policy_txt(const struct policy *p, enum cause c);

#endif
