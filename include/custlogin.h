#ifndef RBLFORGE_CUSTLOGIN_H
#define RBLFORGE_CUSTLOGIN_H
/*
 * One SASL login's day: where it signed in from (dispersion), what
 * happened to its mail (outcome).
 *
 * Places: the login's distinct client addresses, joined into one place
 * when they share an origin ASN, an rDNS family (the registered domain of
 * the logged host name) or a network (/24, /64). A carrier's pool of
 * sixty addresses is one place; a botnet's sixty addresses are sixty.
 * Countries come from a GeoLite2 database when one is given.
 *
 * Outcomes of the login's own messages: remote refusals citing spam,
 * blocklists or reputation; a bounce rate; an unknown-recipient rate; a
 * volume spike (its busiest hour against its median active hour, and
 * with a history its day against its own daily median).
 *
 * Novelty (with a history, custhist.h): a place is new when none of its
 * addresses' ASN, rDNS family or network was seen for this login before;
 * the places the login is judged by are then its new places, plus one
 * when it also used known ones. A roaming user's usual networks are not
 * new; a stolen password's are. Without a history the night is judged
 * within the input period.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "custpolicy.h"
#include "custhist.h"
#include "outbound.h"

/* A log line of a message: att is a delivery attempt, or CUST_REF_MSG
 * for the message's first record. */
#define CUST_REF_MSG SIZE_MAX
struct cust_ref {
    size_t msg, att;
};

/* Outcome bits. */
enum {
    OUT_SPAM = 1, OUT_BOUNCE = 2, OUT_UNKNOWN = 4, OUT_SPIKE = 8, OUT_BASELINE = 16,
};

struct cust_login {
    const char *user;
    uint64_t messages;
    /* Dispersion. */
    size_t ips, networks, asns, families, countries, places;
    size_t concurrent;          /* place changes within concurrent_minutes */
    /* Outcome. */
    uint64_t attempts, sent, bounced, spam, unknown;
    size_t rcpt_domains;
    double bounce_rate;
    uint32_t peak, median;      /* messages in the busiest hour, median active hour */
    unsigned outcomes;          /* OUT_* */
    /* History (custhist.h); zero without one. */
    bool have_history;          /* the login sent on an earlier night */
    size_t new_places;          /* places none of whose keys were known */
    double base_median;         /* daily messages before tonight (median) */
    size_t base_days;
    uint32_t hour_mask;         /* UTC hours it sent in tonight */
    uint32_t unusual_hours;     /* of those, hours it never sent in before */
    const char **keys;          /* tonight's place keys (custhist_record), sorted */
    size_t nkeys;
    /* Evidence: the first message from each place, then the login's
     * first refused attempts; in log order each. */
    struct cust_ref *ev;
    size_t nev;
    /* The day's distinct keys, sorted. */
    const char **family_list, **country_list;
    size_t nfamily_list, ncountry_list;
};

struct asn_db;

/* What custlogin_build needs besides the messages. */
struct custlogin_ctx {
    const struct outbound *ob;
    const struct cust_policy *p;
    struct asn_db *asn, *geo;   /* either may be NULL */
    const struct custhist *hist;    /* NULL: judge within the input period */
    size_t nev;                 /* evidence lines per kind */
    struct arena *mem;          /* every pointer in the result */
};

/* Figures of the login user from its messages msgs[0..n) (indices into
 * ob, in log order). Looks up ASN and country once per distinct address. */
void custlogin_build(struct cust_login *lg, const char *user, const size_t *msgs, size_t n,
                     const struct custlogin_ctx *x);
/* The places lg is judged by: all of them, or with a history its new
 * places plus one when it also used known ones. */
size_t custlogin_places(const struct cust_login *lg);
/* Tier of the compromise signal for lg: dispersion alone is at most
 * watch; warn and above need an outcome of the same login. */
enum cust_tier custlogin_level(const struct cust_login *lg, const struct cust_policy *p);
/* Network key of ip ("198.51.100.0/24") into buf (IPPREFIX_STRLEN + 5). */
void custlogin_netstr(const struct ipaddr *ip, const struct cust_policy *p, char *buf);

#endif
