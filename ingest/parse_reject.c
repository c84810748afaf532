/*
 * Reject lines and what their reply text says. The client is only ever
 * taken from the "from host[addr]" Postfix wrote in its fixed place; the
 * reply text may name other addresses ("cannot find your reverse hostname,
 * [other ip]") and never sets the client.
 */
#include <string.h>
#include "parse_reject.h"
#include "scan.h"

static bool has(struct span t, const char *lit, size_t n)
{
    return span_find(t, lit, n) >= 0;
}
#define HAS(t, lit) has((t), (lit), sizeof(lit) - 1)

/* The list name after "blocked using ": "zen.spamhaus.org;", "orbz.org,",
 * "Trend Micro RBL+. Please see ..." (a reply name with spaces). */
static struct span dnsbl_name(struct span l)
{
    size_t j = 0;

    while (j < l.n && l.p[j] != ';' && l.p[j] != ','
           && !(l.p[j] == '.' && (j + 1 == l.n || l.p[j + 1] == ' ')))
        j++;
    return span_trim_right(span_make(l.p, j));
}

/* "Recipient address rejected: " followed by one of the words that
 * mean no such recipient, at any of its places. */
static bool recipient_unknown(struct span t)
{
    for (long at, off = 0;
         (at = span_find_lit(span_skip(t, (size_t)off), "Recipient address rejected: ")) >= 0;
         off += at + 1) {
        struct span r = span_skip(t, (size_t)(off + at) + 28);
        if (span_starts_lit(r, "User unknown") || span_starts_lit(r, "undeliverable address")
            || span_starts_lit(r, "unverified address") || span_starts_lit(r, "Unknown user")
            || span_starts_lit(r, "Domain not found"))
            return true;
    }
    return false;
}

enum ev_reason parse_reject_reason(struct span t, struct span *dnsbl)
{
    long at;

    /* Order matters: the more specific restriction text wins. */
    if ((at = span_find_lit(t, "blocked using ")) >= 0) {
        *dnsbl = dnsbl_name(span_skip(t, (size_t)at + 14));
        return R_DNSBL;
    }
    /* Each group's phrases share a word, which most texts lack: one
     * search for it before the phrases. */
    if (HAS(t, "denied") && (HAS(t, "Relay access denied") || HAS(t, "relay access denied")
                           || HAS(t, "Relaying denied") || HAS(t, "relaying denied")))
        return R_RELAY_DENIED;
    if (HAS(t, "cannot find your")
        && (HAS(t, "cannot find your reverse hostname") || HAS(t, "cannot find your hostname")
            || HAS(t, "Client host rejected: cannot find your")))
        return R_NO_RDNS;
    if (HAS(t, "Helo command rejected"))
        return R_HELO;
    if (recipient_unknown(t) || HAS(t, "User unknown in ")
        || (HAS(t, "mailbox ")
            && (HAS(t, "no mailbox here by that name") || HAS(t, "mailbox unavailable")))
        || HAS(t, "not existing recipient") || HAS(t, "No such user"))
        return R_UNKNOWN_RECIPIENT;
    if (HAS(t, "reylist") || HAS(t, "Policy Rejection") || HAS(t, "Policy rejection")
        || HAS(t, "try again later") || HAS(t, "openspf.org") || HAS(t, "spf.pobox.com")
        || HAS(t, "SPF"))
        return R_POLICY;
    if (HAS(t, "Sender address rejected"))
        return R_SENDER;
    if (HAS(t, "Too many") || HAS(t, "too many") || HAS(t, "rate limit")
        || HAS(t, "Rate limit"))
        return R_RATE_LIMIT;
    if (HAS(t, "Message content rejected") || HAS(t, "INFECTED") || HAS(t, "spam")
        || HAS(t, "Spam"))
        return R_CONTENT;
    return R_OTHER;
}

/* The start of Postfix's envelope suffix: the last "; from=<", else the
 * last "; to=<", "; proto=", "; helo=<" (each is optional). postscreen
 * separates the later ones with commas. */
struct span parse_reject_envelope(struct span s, struct event *ev)
{
    static const struct {
        const char *k;
        size_t n;
    } keys[] = {
        { "; from=<", 8 }, { "; to=<", 6 }, { "; proto=", 8 }, { "; helo=<", 8 },
    };
    struct span env = SPAN_NULL;

    /* The last of a key: searched from the end, where the envelope is,
     * one ';' at a time (every key starts with the one ';' it holds). */
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !env.p; i++)
        for (long at, e = (long)s.n; (at = span_rchr(span_make(s.p, (size_t)e), ';')) >= 0;
             e = at)
            if (s.n - (size_t)at >= keys[i].n && memcmp(s.p + at, keys[i].k, keys[i].n) == 0) {
                env = span_skip(s, (size_t)at + 2);
                break;
            }
    if (!env.p || ev->client_only)
        return env.p ? span_make(s.p, (size_t)(env.p - s.p) - 2) : s;
    struct scan_kv_want w[] = {
        SCAN_KV_WANT("from="), SCAN_KV_WANT("to="), SCAN_KV_WANT("helo="),
    };
    scan_kv_many(env, w, 3);
    ev->from = w[0].val;
    ev->to = w[1].val;
    ev->helo = w[2].val;
    return span_make(s.p, (size_t)(env.p - s.p) - 2);
}

bool parse_reject_line(struct span s, struct event *ev)
{
    long sp = span_chr(s, ' ');

    if (sp <= 0)
        return false;
    struct span stage = span_make(s.p, (size_t)sp);
    s = span_skip(s, (size_t)sp + 1);
    if (!span_starts_lit(s, "from "))
        return false;
    s = span_skip(s, 5);
    /* A failed scan_client may have written only the address. */
    struct ipaddr ip = ev->ip;
    size_t used = scan_client(s, ev);
    if (used == 0) {
        ev->ip = ip;
        return false;
    }
    ev->stage = stage;
    s = span_skip(s, used);
    if (span_starts_lit(s, ": "))
        s = span_skip(s, 2);
    struct span reply = parse_reject_envelope(s, ev);
    ev->text = scan_bounded(reply);
    if (!ev->client_only)
        scan_code_dsn(reply, ev);
    ev->reason = parse_reject_reason(reply, &ev->dnsbl);
    return true;
}
