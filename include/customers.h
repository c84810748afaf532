#ifndef RBLFORGE_CUSTOMERS_H
#define RBLFORGE_CUSTOMERS_H
/*
 * Per-customer outbound figures, named signals and a tier, from the joined
 * messages (outbound.h) and the customer map (custmap.h). Only outbound
 * messages count (outbound_is_outbound). Messages no map row claims go to
 * the "(unmapped)" customer, broken down by client address.
 *
 * Counting: messages are joined messages; recipients are distinct
 * recipient addresses per message (a deferred-then-sent recipient is one);
 * sent / bounced / deferred count delivery attempts; bounce_rate is
 * bounced / (sent + bounced). Remote rejections (bounced or deferred
 * attempts) are classified from the reply text: spam, blocklist,
 * reputation (together: spam_rejections), unknown_recipient, rate_limit,
 * other (custclass.h). Logins are judged by custlogin.h: dispersion alone
 * is at most watch.
 *
 * Every customer is computed from messages in log order, so the result is
 * as deterministic as the join.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "arena.h"
#include "custclass.h"
#include "custhist.h"
#include "custlogin.h"
#include "custmap.h"
#include "custpolicy.h"
#include "outbound.h"

enum cust_signal {
    SIG_HIGH_BOUNCE_RATE,
    SIG_REMOTE_SPAM_REJECTIONS,
    SIG_BLOCKLISTED_BY_REMOTE,
    SIG_ACCOUNT_COMPROMISE,
    SIG_VOLUME_SPIKE,
    SIG_INVALID_RECIPIENTS,
    SIG__COUNT
};

/* A log line behind a signal: the line as logged when it was kept
 * (raw.p != NULL), else text rendered from the parsed fields. */
struct cust_evidence {
    uint32_t file;
    uint64_t line;
    int64_t ts;
    struct ob_raw raw;
    const char *text;
};

struct cust_figure {
    const char *name;
    double value;
};

struct cust_sig {
    enum cust_signal id;
    enum cust_tier level;
    size_t login;               /* SIG_ACCOUNT_COMPROMISE: the login's index */
    struct cust_figure fig[16];
    size_t nfig;
    struct cust_evidence *ev;
    size_t nev;
    size_t more;                /* lines of this signal beyond the evidence kept */
};

struct cust_count {             /* a name with a count (top lists) */
    const char *name;
    uint64_t n;
    const char *extra;          /* the class of a remote's rejections */
};

struct cust_ipline {            /* (unmapped): one client address */
    const char *ip;
    uint64_t messages, recipients, sent, bounced, deferred, spam_rejections;
};

struct customer {
    const char *name;
    const char *contact;        /* address from the customer map, or NULL */
    size_t number;              /* row order in the map from 1; 0 for (unmapped) */
    enum cust_tier tier;
    uint64_t messages, recipients, attempts, sent, bounced, deferred, other, expired;
    uint64_t spam_rejections, blocklist_rejections, reputation_rejections;
    uint64_t unknown_recipient, rate_limited;
    double bounce_rate;
    size_t rcpt_domains, client_ips;
    size_t blocklist_remotes;   /* remote hosts that refused for a listing */
    int64_t first, last;        /* first/last message */
    uint32_t *hour_msgs, *hour_bounced;     /* [report.hours] */
    uint32_t peak, median;
    int64_t peak_hour;
    struct cust_sig sig[SIG__COUNT];
    size_t nsig;
    struct cust_count *senders, *domains, *remote;  /* top lists */
    size_t nsenders, ndomains, nremote;
    struct cust_login *logins;
    size_t nlogins;
    struct cust_ipline *ips;    /* (unmapped) only */
    size_t nips;
};

struct cust_report {
    struct customer *c;         /* worst first: tier, then bounced, messages, name */
    size_t n;
    int64_t hour0;              /* start of the first hour bin (UTC) */
    size_t hours;
    uint64_t messages, inbound_skipped, notices;
    const struct cust_policy *policy;
    bool have_asn;              /* logins carry ASN counts */
    bool have_geo;              /* logins carry country counts */
    bool have_history;          /* judged against earlier nights (custhist.h) */
    struct arena *mem;          /* every string and array above */
};

struct asn_db;

/* Build the report; map may have no rows (everything is unmapped); asn
 * and geo (each may be NULL) add origin ASNs and countries per login,
 * looked up once per distinct (login, address). With hist (may be NULL)
 * logins are judged against earlier nights and tonight is recorded into
 * it. The report keeps pointers into map names; free it before the map. */
void cust_report_build(struct cust_report *r, const struct outbound *ob,
                       struct custmap *map, const struct cust_policy *p,
                       struct asn_db *asn, struct asn_db *geo, struct custhist *hist);
void cust_report_free(struct cust_report *r);

const char *cust_tier_name(enum cust_tier t);
const char *cust_signal_name(enum cust_signal s);

#endif
