/*
 * Postfix messages. Only what Postfix itself wrote is trusted for the
 * client: the "host[addr]" right after "from " (or "client=") in the fixed
 * position of each message shape; addresses inside reply texts are never
 * taken as the client.
 */
#include <string.h>
#include "parse.h"

/* Cut a reply text to the contract's 512-byte bound. */
static struct span bounded(struct span s)
{
    if (s.n > 512)
        s.n = 512;
    return s;
}

static bool is_queue_id(struct span s)
{
    /* Short ids: 6+ upper-case hex; long ids: 10+ of [0-9A-Za-z] without
     * vowels. Either way no punctuation. */
    if (s.n < 5 || s.n > 20)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')))
            return false;
    }
    return true;
}

/* Leading "QUEUEID: " or "NOQUEUE: "; returns bytes consumed, 0 if none. */
static size_t queue_prefix(struct span s, struct event *ev)
{
    long colon = span_chr(span_make(s.p, s.n < 24 ? s.n : 24), ':');

    if (colon <= 0 || (size_t)colon + 1 >= s.n || s.p[colon + 1] != ' ')
        return 0;
    struct span id = span_make(s.p, (size_t)colon);
    if (span_eq_lit(id, "NOQUEUE")) {
        ev->qid = id;
        return (size_t)colon + 2;
    }
    if (!is_queue_id(id))
        return 0;
    ev->qid = id;
    return (size_t)colon + 2;
}

enum ev_reason postfix_reject_reason(struct span text, struct span *dnsbl);

/* Classify a reject reply by the restriction that produced it. */
enum ev_reason postfix_reject_reason(struct span t, struct span *dnsbl)
{
    long at;

    if ((at = span_find_lit(t, "blocked using ")) >= 0) {
        struct span l = span_skip(t, (size_t)at + 14);
        size_t j = 0;
        while (j < l.n && l.p[j] != ';' && l.p[j] != ',' && l.p[j] != ' ')
            j++;
        *dnsbl = span_make(l.p, j);
        return R_DNSBL;
    }
    if (span_find_lit(t, "Relay access denied") >= 0)
        return R_RELAY_DENIED;
    if (span_find_lit(t, "cannot find your reverse hostname") >= 0
        || span_find_lit(t, "cannot find your hostname") >= 0
        || span_find_lit(t, "Client host rejected: cannot find your") >= 0)
        return R_NO_RDNS;
    if (span_find_lit(t, "Recipient address rejected: User unknown") >= 0
        || span_find_lit(t, "User unknown in ") >= 0
        || span_find_lit(t, "Recipient address rejected: undeliverable address") >= 0
        || span_find_lit(t, "Recipient address rejected: unverified address") >= 0
        || span_find_lit(t, "Recipient address rejected: Unknown user") >= 0
        || span_find_lit(t, "Recipient address rejected: Domain not found") >= 0)
        return R_UNKNOWN_RECIPIENT;
    if (span_find_lit(t, "Helo command rejected") >= 0)
        return R_HELO;
    if (span_find_lit(t, "Sender address rejected") >= 0)
        return R_SENDER;
    if (span_find_lit(t, "reylist") >= 0 || span_find_lit(t, "Policy Rejection") >= 0
        || span_find_lit(t, "Policy rejection") >= 0
        || span_find_lit(t, "try again later") >= 0)
        return R_POLICY;
    if (span_find_lit(t, "Too many") >= 0 || span_find_lit(t, "too many") >= 0
        || span_find_lit(t, "rate limit") >= 0 || span_find_lit(t, "Rate limit") >= 0)
        return R_RATE_LIMIT;
    if (span_find_lit(t, "Message content rejected") >= 0)
        return R_CONTENT;
    return R_OTHER;
}

/*
 * "reject: RCPT from host[addr]: 554 5.7.1 <x>: text; from=<a> to=<b>
 *  proto=ESMTP helo=<h>" (also CONNECT/EHLO/MAIL/DATA/END-OF-MESSAGE/BDAT).
 */
static bool parse_reject(struct span s, struct event *ev)
{
    long sp = span_chr(s, ' ');

    if (sp <= 0)
        return false;
    ev->stage = span_make(s.p, (size_t)sp);
    s = span_skip(s, (size_t)sp + 1);
    if (!span_starts_lit(s, "from "))
        return false;
    s = span_skip(s, 5);
    size_t used = parse_client(s, ev);
    if (used == 0)
        return false;
    s = span_skip(s, used);
    if (span_starts_lit(s, ": "))
        s = span_skip(s, 2);
    /* The envelope suffix Postfix appends: the last "; from=<". */
    struct span reply = s, env = SPAN_NULL;
    for (long at, off = 0; (at = span_find_lit(span_skip(s, (size_t)off), "; from=<")) >= 0;)
        off += at + 2, env = span_skip(s, (size_t)off);
    if (env.p) {
        reply = span_make(s.p, (size_t)(env.p - s.p) - 2);
        ev->from = parse_kv(env, "from=", 5);
        ev->to = parse_kv(env, "to=", 3);
        ev->helo = parse_kv(env, "helo=", 5);
    }
    ev->text = bounded(reply);
    parse_code_dsn(reply, ev);
    ev->reason = postfix_reject_reason(reply, &ev->dnsbl);
    return true;
}

/* "warning: host[addr]: SASL LOGIN authentication failed: ..." */
static bool parse_warning(struct span s, struct event *ev)
{
    long at;

    if (span_starts_lit(s, "hostname ")
        && (at = span_find_lit(s, " does not resolve to address ")) > 0) {
        ev->type = EV_RDNS_FAIL;
        ev->rdns = span_make(s.p + 9, (size_t)at - 9);
        struct span a = span_skip(s, (size_t)at + 29);
        size_t j = 0;
        while (j < a.n && a.p[j] != ':' && a.p[j] != ' ')
            j++;
        /* IPv6 addresses contain ':': take the longest prefix that parses. */
        if (!ipaddr_parse(span_make(a.p, j), &ev->ip)) {
            j = 0;
            while (j < a.n && a.p[j] != ' ')
                j++;
            while (j > 0 && !ipaddr_parse(span_make(a.p, j), &ev->ip))
                j--;
            if (j == 0)
                return false;
        }
        return true;
    }
    size_t used = parse_client(s, ev);
    if (used && (at = span_find_lit(s, " authentication failed")) > 0) {
        struct span rest = span_skip(s, used);
        if (span_starts_lit(rest, ": SASL ")) {
            struct span m = span_skip(rest, 7);
            long sp = span_chr(m, ' ');
            if (sp > 0)
                ev->sasl_method = span_make(m.p, (size_t)sp);
        }
        long colon = span_find_lit(span_skip(s, (size_t)at), "failed: ");
        if (colon >= 0)
            ev->text = bounded(span_skip(s, (size_t)at + (size_t)colon + 8));
        ev->sasl_user = parse_kv(s, "sasl_username=", 14);
        ev->type = EV_AUTH_FAIL;
        return true;
    }
    return false;
}

/* "lost connection after X from host[addr]" and its siblings. */
static bool parse_after(struct span s, struct event *ev)
{
    static const struct {
        const char *lead;
        size_t n;
        enum ev_reason r;
    } shapes[] = {
        { "lost connection after ", 22, R_LOST },
        { "timeout after ", 14, R_TIMEOUT },
        { "too many errors after ", 22, R_TOO_MANY_ERRORS },
        { "improper command pipelining after ", 34, R_PIPELINING },
    };

    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        if (!span_starts(s, shapes[i].lead, shapes[i].n))
            continue;
        struct span r = span_skip(s, shapes[i].n);
        long at = span_find_lit(r, " from ");
        if (at <= 0)
            return false;
        ev->stage = span_make(r.p, (size_t)at);
        size_t used = parse_client(span_skip(r, (size_t)at + 6), ev);
        if (used == 0)
            return false;
        struct span tail = span_skip(r, (size_t)at + 6 + used);
        if (span_starts_lit(tail, ": "))
            ev->text = bounded(span_skip(tail, 2));
        ev->type = EV_LOST;
        ev->reason = shapes[i].r;
        return true;
    }
    return false;
}

static bool parse_smtpd(struct span s, struct event *ev)
{
    size_t q;

    if (span_starts_lit(s, "connect from ")) {
        ev->type = EV_CONNECT;
        return parse_client(span_skip(s, 13), ev) > 0;
    }
    if (span_starts_lit(s, "disconnect from ")) {
        struct span r = span_skip(s, 16);
        size_t used = parse_client(r, ev);
        if (used == 0)
            return false;
        ev->type = EV_DISCONNECT;
        struct span counters = span_trim_left(span_skip(r, used));
        if (counters.n)
            ev->text = bounded(counters);
        return true;
    }
    if (span_starts_lit(s, "warning: "))
        return parse_warning(span_skip(s, 9), ev);
    if (parse_after(s, ev))
        return true;
    if ((q = queue_prefix(s, ev)) == 0)
        return false;
    s = span_skip(s, q);
    if (span_starts_lit(s, "reject: ")) {
        ev->type = EV_REJECT;
        return parse_reject(span_skip(s, 8), ev);
    }
    if (span_starts_lit(s, "reject_warning: ")) {
        ev->type = EV_REJECT_WARNING;
        return parse_reject(span_skip(s, 16), ev);
    }
    if (span_starts_lit(s, "milter-reject: ")) {
        ev->type = EV_REJECT;
        bool ok = parse_reject(span_skip(s, 15), ev);
        ev->reason = R_CONTENT;
        return ok;
    }
    if (span_starts_lit(s, "client=")) {
        size_t used = parse_client(span_skip(s, 7), ev);
        if (used == 0)
            return false;
        ev->type = EV_CLIENT;
        ev->sasl_method = parse_kv(s, "sasl_method=", 12);
        ev->sasl_user = parse_kv(s, "sasl_username=", 14);
        return true;
    }
    return false;
}

/* postscreen: "[addr]:port" after a keyword. */
static bool ps_client_after(struct span s, const char *kw, size_t kwn,
                            struct event *ev)
{
    long at = span_find(s, kw, kwn);
    if (at < 0)
        return false;
    struct span r = span_skip(s, (size_t)at + kwn);
    size_t used = parse_client(r, ev);
    if (used == 0)
        return false;
    struct span tail = span_skip(r, used);
    if (span_starts_lit(tail, ": "))
        ev->text = bounded(span_skip(tail, 2));
    else if (span_starts_lit(tail, " "))
        ev->text = bounded(span_skip(tail, 1));
    return true;
}

static bool parse_postscreen(struct span s, struct event *ev)
{
    static const struct {
        const char *lead;
        size_t n;
        const char *kw;         /* what precedes the [addr] */
        size_t kwn;
        enum ev_type t;
        enum ev_reason r;
    } shapes[] = {
        { "CONNECT from ", 13, "from ", 5, EV_CONNECT, R_NONE },
        { "DISCONNECT ", 11, "DISCONNECT ", 11, EV_DISCONNECT, R_NONE },
        { "PASS NEW ", 9, "NEW ", 4, EV_POSTSCREEN, R_PS_PASS_NEW },
        { "PASS OLD ", 9, "OLD ", 4, EV_POSTSCREEN, R_PS_PASS_OLD },
        { "PREGREET ", 9, " from ", 6, EV_POSTSCREEN, R_PS_PREGREET },
        { "DNSBL rank ", 11, " for ", 5, EV_POSTSCREEN, R_PS_DNSBL },
        { "HANGUP ", 7, " from ", 6, EV_POSTSCREEN, R_PS_HANGUP },
        { "COMMAND PIPELINING ", 19, "from ", 5, EV_POSTSCREEN, R_PS_PIPELINING },
        { "NON-SMTP COMMAND ", 17, "from ", 5, EV_POSTSCREEN, R_PS_NON_SMTP },
        { "BARE NEWLINE ", 13, "from ", 5, EV_POSTSCREEN, R_PS_BARE_NEWLINE },
        { "COMMAND COUNT LIMIT ", 20, "from ", 5, EV_POSTSCREEN, R_PS_COMMAND_LIMIT },
        { "COMMAND TIME LIMIT ", 19, "from ", 5, EV_POSTSCREEN, R_PS_COMMAND_LIMIT },
        { "COMMAND LENGTH LIMIT ", 21, "from ", 5, EV_POSTSCREEN, R_PS_COMMAND_LIMIT },
        { "WHITELISTED ", 12, "WHITELISTED ", 12, EV_POSTSCREEN, R_PS_ALLOWLISTED },
        { "ALLOWLISTED ", 12, "ALLOWLISTED ", 12, EV_POSTSCREEN, R_PS_ALLOWLISTED },
        { "BLACKLISTED ", 12, "BLACKLISTED ", 12, EV_POSTSCREEN, R_PS_DENYLISTED },
        { "DENYLISTED ", 11, "DENYLISTED ", 11, EV_POSTSCREEN, R_PS_DENYLISTED },
    };
    size_t q;

    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        if (!span_starts(s, shapes[i].lead, shapes[i].n))
            continue;
        ev->type = shapes[i].t;
        ev->reason = shapes[i].r;
        if (!ps_client_after(s, shapes[i].kw, shapes[i].kwn, ev))
            return false;
        if (shapes[i].t == EV_CONNECT)
            ev->text = SPAN_NULL;           /* "to [server]:25" is ours */
        return true;
    }
    if ((q = queue_prefix(s, ev)) > 0 && span_starts_lit(span_skip(s, q), "reject: ")) {
        ev->type = EV_REJECT;
        return parse_reject(span_skip(s, q + 8), ev);
    }
    return false;
}

bool parse_postfix(struct span service, struct span msg, struct event *ev)
{
    if (span_eq_lit(service, "smtpd"))
        return parse_smtpd(msg, ev);
    if (span_eq_lit(service, "postscreen"))
        return parse_postscreen(msg, ev);
    return false;
}
