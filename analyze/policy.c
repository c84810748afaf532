/* Listing policy: the decision rule and the names of the causes (the
 * settings file is analyze/config.c). */
#include <string.h>
#include "policy.h"
#include "ipaddr.h"

static const char *const cause_names[CAUSE__COUNT] = {
    [CAUSE_NONE] = "none", [CAUSE_SPAM] = "spam", [CAUSE_NET] = "net",
    [CAUSE_AUTH] = "auth", [CAUSE_DYNAMIC] = "dynamic",
};

int policy_cause_lookup(const char *name, size_t len)
{
    /* Most names fail at their first letter: the previous listing is
     * read back with a lookup per line. */
    for (int c = 0; len && c < CAUSE__COUNT; c++)
        if (cause_names[c][0] == name[0] && strlen(cause_names[c]) == len
            && memcmp(cause_names[c], name, len) == 0)
            return c;
    return -1;
}

bool policy_add_test_range(struct policy *p, const char *cidr)
{
    struct ipprefix pfx;
    char tok[IPPREFIX_STRLEN + 1];
    size_t n = strlen(cidr);

    if (n >= sizeof(tok) || p->ntest_range >= POLICY_NETS_MAX)
        return false;
    memcpy(tok, cidr, n + 1);
    if (!ipprefix_parse(span_make(tok, n), &pfx, true))
        return false;
    p->test_range[p->ntest_range++] = pfx;
    return true;
}

static bool in_nets(const struct ipprefix *v, unsigned n, const struct ipaddr *ip)
{
    for (unsigned i = 0; i < n; i++)
        if (ipprefix_contains(&v[i], ip))
            return true;
    return false;
}

enum policy_exempt policy_exempt(const struct policy *p, const struct ipaddr *ip0)
{
    struct ipaddr ip = *ip0;

    ipaddr_unmap(&ip);
    if (p->ntrusted && in_nets(p->trusted, p->ntrusted, &ip))
        return PX_TRUSTED;
    if (p->ntest_range && in_nets(p->test_range, p->ntest_range, &ip))
        return PX_NONE;
    /* Documentation ranges stay listable: examples, samples and tests use
     * them, and no real client comes from them. */
    switch (ipaddr_scope(&ip)) {
    case IPS_SPECIAL: return PX_SPECIAL;
    case IPS_PRIVATE: return p->list_private ? PX_NONE : PX_PRIVATE;
    default: return PX_NONE;
    }
}

const char *policy_exempt_name(enum policy_exempt x)
{
    static const char *const names[] = {
        [PX_NONE] = "none", [PX_TRUSTED] = "trusted", [PX_SPECIAL] = "special",
        [PX_PRIVATE] = "private", [PX_AUTHENTICATED] = "authenticated",
    };
    return (unsigned)x < sizeof(names) / sizeof(names[0]) ? names[x] : "?";
}

/* The scores of st from its counts n (which it may change); `mask` has
 * the classes st counts, the others are 0. */
static void scores(const struct policy *p, uint32_t n[AC__COUNT], uint32_t mask,
                   double *score, double *auth)
{
    /* postscreen logs "DNSBL rank N" without the zones behind it; dnsblog
     * names them. A rank our own zone may have caused is not evidence:
     * each hit of our zone takes one rank line away. */
    n[AC_PS_DNSBL] -= n[AC_PS_DNSBL] < n[AC_OWN_ZONE] ? n[AC_PS_DNSBL] : n[AC_OWN_ZONE];
    /* Only the classes counted, in class order: a class not counted adds
     * weight * 0, a zero (weights are finite), which leaves the sum as it
     * is, so the sum is the same to the last bit. */
    mask &= ~((UINT32_C(1) << AC_AUTH_FAIL) | (UINT32_C(1) << AC_AUTHENTICATED)
              | (UINT32_C(1) << AC_OWN_ZONE));
    *score = 0;
    for (; mask; mask &= mask - 1) {
        int k = __builtin_ctz(mask);
        *score += p->weight[k] * n[k];
    }
    *auth = p->weight[AC_AUTH_FAIL] * n[AC_AUTH_FAIL];
}

void policy_scores(const struct policy *p, const struct ip_stats *st, double *score,
                   double *auth_score)
{
    uint32_t n[AC__COUNT];

    ip_stats_counts(st, n);
    scores(p, n, st->mask, score, auth_score);
}

void policy_decide(const struct policy *p, const struct ipaddr *ip, const struct ip_stats *st,
                   struct decision *d)
{
    uint32_t n[AC__COUNT];

    ip_stats_counts(st, n);
    scores(p, n, st->mask, &d->score, &d->auth_score);
    d->rdns = rdns_of(ip, st);
    d->exempt = policy_exempt(p, ip);
    if (d->exempt != PX_NONE) {
        d->cause = CAUSE_NONE;
        return;
    }
    /* A client that logged in sends a customer's mail: the customer
     * reports judge it, the spam lists do not. Its failed logins still
     * count (a brute force that once guessed right). */
    bool customer = n[AC_AUTHENTICATED] > 0;
    /* No or dynamic rDNS lowers the bar: such senders have no business
     * talking to an MX directly. */
    /* Both lists may apply: the stronger evidence, relative to its own
     * threshold, names the cause. */
    double spam = d->score / policy_bar(p, d->rdns), auth = d->auth_score / p->auth_threshold;
    if (spam >= 1 && spam >= auth && !customer)
        d->cause = CAUSE_SPAM;
    else if (auth >= 1)
        d->cause = CAUSE_AUTH;
    else if (p->list_dynamic && d->rdns == RDNS_DYNAMIC && d->score >= p->dynamic_threshold
             && !customer)
        d->cause = CAUSE_DYNAMIC;       /* a PBL-like entry: some evidence, generic name */
    else
        d->cause = CAUSE_NONE;
    if (customer && d->cause == CAUSE_NONE && (spam >= 1 || d->score >= p->dynamic_threshold))
        d->exempt = PX_AUTHENTICATED;
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
