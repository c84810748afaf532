/* The words of the customer reports; see custtext.h. */
#include <stdio.h>
#include "custtext.h"

const char *custtext_summary(const struct cust_report *r, const struct customer *c,
                             const struct cust_sig *s, char *buf, size_t n)
{
    const struct cust_login *lg;
    double rate;

    switch (s->id) {
    case SIG_HIGH_BOUNCE_RATE:
        snprintf(buf, n, "%.1f%% of %llu delivery attempts with a final answer "
                 "bounced (%llu)", c->bounce_rate * 100,
                 (unsigned long long)(c->sent + c->bounced), (unsigned long long)c->bounced);
        break;
    case SIG_REMOTE_SPAM_REJECTIONS:
        rate = c->attempts ? (double)c->spam_rejections / (double)c->attempts : 0;
        snprintf(buf, n, "%llu delivery attempts refused by remote servers for spam, "
                 "blocklisting or reputation (%.1f%% of %llu attempts)",
                 (unsigned long long)c->spam_rejections, rate * 100,
                 (unsigned long long)c->attempts);
        break;
    case SIG_BLOCKLISTED_BY_REMOTE:
        snprintf(buf, n, "%llu delivery attempts refused because our sending "
                 "address is listed on a blocklist (%zu remote servers)",
                 (unsigned long long)c->blocklist_rejections, c->blocklist_remotes);
        break;
    case SIG_ACCOUNT_COMPROMISE:
        lg = &c->logins[s->login];
        if (r->have_asn)
            snprintf(buf, n, "login %.80s authenticated from %zu addresses in %zu "
                     "different networks and %zu ASNs", lg->user, lg->ips, lg->networks,
                     lg->asns);
        else
            snprintf(buf, n, "login %.80s authenticated from %zu addresses in %zu "
                     "different networks", lg->user, lg->ips, lg->networks);
        break;
    case SIG_VOLUME_SPIKE:
        snprintf(buf, n, "%u messages in one hour against a median of %u per "
                 "active hour", c->peak, c->median);
        break;
    case SIG_INVALID_RECIPIENTS:
        rate = c->attempts ? (double)c->unknown_recipient / (double)c->attempts : 0;
        snprintf(buf, n, "%llu attempts to addresses that do not exist (%.1f%% of "
                 "attempts): an old or bought list", (unsigned long long)c->unknown_recipient,
                 rate * 100);
        break;
    default:
        snprintf(buf, n, "%s", "");
        break;
    }
    return buf;
}
