#ifndef RBLFORGE_POLICY_H
#define RBLFORGE_POLICY_H
/*
 * The listing policy: weights per evidence class, thresholds, return codes
 * and the names the exports use. The built-in default is itself an INI
 * text (policy_default_ini) parsed like a user's file, so "no config" and
 * "the default config" cannot drift apart. Parsed with inih.
 */
#include <stdbool.h>
#include <stdio.h>
#include "abuse.h"
#include "agg.h"
#include "customers.h"
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
    unsigned min_change;        /* ... ignored below this many entries */
    char ipset_set4[32];
    char ipset_set6[32];
    struct cust_policy customers;       /* [customers]: see customers.h */
    struct abuse_policy abuse;          /* [abuse]: see abuse.h */
};

extern const char policy_default_ini[];

/* The built-in defaults. */
void policy_init(struct policy *p);
/* Overlay the settings of an INI file. On error prints
 * "path:line: ..." and returns false. */
bool policy_load(struct policy *p, const char *path);
/* Write the effective configuration as an INI file. */
void policy_print(const struct policy *p, FILE *fp);

struct decision {
    double score;               /* weighted spam evidence, good mail included */
    double auth_score;
    enum cause cause;           /* CAUSE_NONE: not listed */
    enum rdns_class rdns;
};

/* Weigh st: scores, its rDNS class and the cause. */
void policy_decide(const struct policy *p, const struct ipaddr *ip, const struct ip_stats *st,
                   struct decision *d);
/* The spam threshold for an address of rDNS class c (the bar its score
 * is held to): a derived figure, so decisions do not carry it. */
static inline double policy_bar(const struct policy *p, enum rdns_class c)
{
    return p->threshold * p->rdns_factor[c];
}
/* Parse "90", "90s", "15m", "36h", "7d", "2w" (0 allowed) into seconds. */
bool policy_parse_duration(const char *v, int64_t *out);
/* "spam", "net", "auth", "dynamic" ("none"); config keys are code_<name>. */
const char *policy_cause_name(enum cause c);
/* The cause named name[0..len) ("none" included), or -1. */
int policy_cause_lookup(const char *name, size_t len);
/* The A record value for a cause. */
const char *policy_code(const struct policy *p, enum cause c);
const char *policy_txt(const struct policy *p, enum cause c);

#endif
