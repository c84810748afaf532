/* Listing policy: the decision rule and the names of the causes (the
 * settings file is analyze/config.c). */
#include <string.h>
#include "policy.h"

static const char *const cause_names[CAUSE__COUNT] = {
    [CAUSE_NONE] = "none", [CAUSE_SPAM] = "spam", [CAUSE_NET] = "net",
    [CAUSE_AUTH] = "auth", [CAUSE_DYNAMIC] = "dynamic",
};

int policy_cause_lookup(const char *name, size_t len)
{
    for (int c = 0; c < CAUSE__COUNT; c++)
        if (strlen(cause_names[c]) == len && memcmp(cause_names[c], name, len) == 0)
            return c;
    return -1;
}

void policy_decide(const struct policy *p, const struct ipaddr *ip, const struct ip_stats *st,
                   struct decision *d)
{
    uint32_t n[AC__COUNT];

    ip_stats_counts(st, n);
    d->score = 0;
    for (int k = 0; k < AC__COUNT; k++)
        if (k != AC_AUTH_FAIL)
            d->score += p->weight[k] * n[k];
    d->auth_score = p->weight[AC_AUTH_FAIL] * n[AC_AUTH_FAIL];
    d->rdns = rdns_of(ip, st);
    /* No or dynamic rDNS lowers the bar: such senders have no business
     * talking to an MX directly. */
    /* Both lists may apply: the stronger evidence, relative to its own
     * threshold, names the cause. */
    double spam = d->score / policy_bar(p, d->rdns), auth = d->auth_score / p->auth_threshold;
    if (spam >= 1 && spam >= auth)
        d->cause = CAUSE_SPAM;
    else if (auth >= 1)
        d->cause = CAUSE_AUTH;
    else if (p->list_dynamic && d->rdns == RDNS_DYNAMIC && d->score >= p->dynamic_threshold)
        d->cause = CAUSE_DYNAMIC;       /* a PBL-like entry: some evidence, generic name */
    else
        d->cause = CAUSE_NONE;
}

const char *policy_cause_name(enum cause c)
{
    return (unsigned)c < CAUSE__COUNT ? cause_names[c] : "none";
}

const char *policy_code(const struct policy *p, enum cause c)
{
    return p->code[(unsigned)c < CAUSE__COUNT ? c : CAUSE_SPAM];
}

const char *policy_txt(const struct policy *p, enum cause c)
{
    return p->txt[(unsigned)c < CAUSE__COUNT ? c : CAUSE_SPAM];
}
