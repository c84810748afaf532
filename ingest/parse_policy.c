/*
 * Policy servers next to Postfix: postgrey, the SPF policy daemons
 * (python policyd-spf, perl postfix-policyd-spf-perl) and postfwd. Each
 * writes the client address in a place of its own; the fields after it
 * (sender, HELO, recipient) are the client's bytes, so an address is
 * taken only from the writer's fixed position, never from a later field.
 */
#include "parse_policy.h"
#include "scan.h"

/* Value of "key=" up to ", " or the end (postgrey values may hold spaces). */
static struct span kv_comma(struct span s, const char *key, size_t keylen)
{
    for (long at, off = 0; (at = span_find(span_skip(s, (size_t)off), key, keylen)) >= 0;) {
        size_t k = (size_t)off + (size_t)at;
        off = (long)(k + keylen);
        if (k > 0 && s.p[k - 1] != ' ')
            continue;
        struct span v = span_skip(s, k + keylen);
        long end = span_find_lit(v, ", ");
        return end < 0 ? span_trim_right(v) : span_make(v.p, (size_t)end);
    }
    return SPAN_NULL;
}

/* The last occurrence of needle in s, -1 if none. */
static long find_last(struct span s, const char *needle, size_t n)
{
    long last = -1;

    for (long at, off = 0; (at = span_find(span_skip(s, (size_t)off), needle, n)) >= 0;) {
        last = off + at;
        off = last + 1;
    }
    return last;
}

/* An address up to the first byte of stop (or the end): true if it parses. */
static bool addr_until(struct span s, char stop, struct event *ev)
{
    long end = span_chr(s, stop);
    struct span a = span_trim_right(end < 0 ? s : span_make(s.p, (size_t)end));

    return a.n > 0 && ipaddr_parse(a, &ev->ip);
}

/* postgrey's "whitelisted: name[addr]" or "whitelisted: addr" (the client
 * auto-allowlist; newer wordings say allowlisted). */
static bool postgrey_listed(struct span s, struct event *ev)
{
    long c = span_chr(s, ':');
    struct span who = span_trim_right(span_skip(s, (size_t)c + 2));

    ev->status = span_make(s.p, (size_t)c);
    if (scan_client(who, ev) != who.n && !ipaddr_parse(who, &ev->ip))
        return false;
    ev->type = EV_POLICY;
    ev->reason = R_POLICY;
    return true;
}

/* postgrey before 1.21: "delayed N seconds: client=C, from=S, to=R", where
 * C is the client's network or name, rarely one address. */
static bool postgrey_delayed(struct span s, struct event *ev)
{
    long colon = span_find_lit(s, " seconds: client=");

    if (colon < 0)
        return false;
    struct span who = kv_comma(s, "client=", 7);
    if (who.n)
        ipaddr_parse(who, &ev->ip);
    ev->status = span_make(s.p, 7);
    ev->from = kv_comma(s, "from=", 5);
    ev->to = kv_comma(s, "to=", 3);
    ev->text = scan_bounded(span_make(s.p, (size_t)colon + 8));
    ev->type = EV_POLICY;
    ev->reason = R_POLICY;
    return true;
}

bool parse_policy_postgrey(struct span s, struct event *ev)
{
    if (span_starts_lit(s, "whitelisted: ") || span_starts_lit(s, "allowlisted: "))
        return postgrey_listed(s, ev);
    if (span_starts_lit(s, "delayed "))
        return postgrey_delayed(s, ev);
    scan_queue_prefix(s, ev);
    if (ev->qid.p)
        s = span_skip(s, (size_t)(ev->qid.p + ev->qid.n - s.p) + 1);
    s = span_trim_left(s);
    if (!span_starts_lit(s, "action="))
        return false;
    ev->status = kv_comma(s, "action=", 7);
    struct span addr = kv_comma(s, "client_address=", 15);
    /* postgrey 1.37+ writes the client as a network: "192.0.2.1/32". */
    long sl = span_rchr(addr, '/');
    if (sl > 0 && (span_eq_lit(span_skip(addr, (size_t)sl), "/32")
                   || span_eq_lit(span_skip(addr, (size_t)sl), "/128")))
        addr.n = (size_t)sl;
    if (!addr.p || !ipaddr_parse(addr, &ev->ip))
        return false;
    struct span name = kv_comma(s, "client_name=", 12);
    if (span_eq_lit(name, "unknown"))
        ev->rdns_unknown = true;
    else if (name.n)
        ev->rdns = name;
    ev->from = kv_comma(s, "sender=", 7);
    ev->to = kv_comma(s, "recipient=", 10);
    ev->text = scan_bounded(kv_comma(s, "reason=", 7));
    ev->type = EV_POLICY;
    ev->reason = R_POLICY;
    return true;
}

/* An SPF result word at the start of s ("Pass", "softfail", ...): the
 * canonical lower-case word (static), SPAN_NULL if none. */
static struct span spf_result(struct span s)
{
    static const struct span words[] = {
        SPAN_LIT("pass"), SPAN_LIT("fail"), SPAN_LIT("softfail"), SPAN_LIT("neutral"),
        SPAN_LIT("none"), SPAN_LIT("temperror"), SPAN_LIT("permerror"),
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = words[i].n, j = 0;
        if (s.n < n)
            continue;
        while (j < n && (s.p[j] | 0x20) == words[i].p[j])
            j++;
        if (j == n && (s.n == n || s.p[n] == ' ' || s.p[n] == ';' || s.p[n] == ':'
                       || s.p[n] == ','))
            return words[i];
    }
    return SPAN_NULL;
}

/* Strip the quotes the perl daemon puts around envelope-from. */
static struct span unquote(struct span v)
{
    if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
        return span_make(v.p + 1, v.n - 2);
    return v;
}

/* The header policyd-spf prepends: "RESULT (comment) key=value; ...".
 * python writes "identity=...; client-ip=A; helo=...; envelope-from=...;
 * receiver=..." (the address before the client's fields); perl writes
 * "receiver=...; identity=...; envelope-from=...; helo=...; client-ip=A"
 * (the address last, after them). */
static bool spf_header(struct span s, bool addr_last, struct event *ev)
{
    ev->status = spf_result(s);
    if (!ev->status.p)
        return false;
    long at = addr_last ? find_last(s, "client-ip=", 10) : span_find_lit(s, "client-ip=");
    if (at >= 0) {
        struct span a = span_skip(s, (size_t)at + 10);
        long semi = span_chr(a, ';');
        /* perl: client-ip= must be the last field, else it is not its own. */
        if (addr_last && semi >= 0 && span_trim_right(span_skip(a, (size_t)semi + 1)).n)
            return false;
        addr_until(a, ';', ev);
    }
    ev->helo = scan_kv(s, "helo=", 5);
    ev->from = unquote(scan_kv(s, "envelope-from=", 14));
    ev->type = EV_SPF;
    return true;
}

/* A refusal or deferral: python "550 5.7.23 Message rejected due to: SPF
 * fail - not authorized. Please see http://...?s=mfrom;id=S;ip=A;r=R",
 * perl "Policy action=550 Please see http://...?s=mfrom;id=S;ip=A;r=R" (or
 * the older "...why.html?sender=S&ip=A&receiver=R", or a word such as
 * DEFER_IF_PERMIT instead of the code). The address is the last "ip=" of
 * the URL: only the receiver (ours) follows it. reason policy marks the
 * daemon's action, which Postfix logs again as its own reject. */
static bool spf_action(struct span s, struct event *ev)
{
    size_t k = scan_code_dsn(s, ev);

    if (k == 0) {
        while (k < s.n && ((s.p[k] >= 'A' && s.p[k] <= 'Z') || s.p[k] == '_'))
            k++;
        if (k == 0)
            return false;
        ev->status = span_make(s.p, k);
    }
    struct span why = span_trim_left(span_skip(s, k));
    long at = find_last(why, "ip=", 3);
    if (at > 0 && (why.p[at - 1] == ';' || why.p[at - 1] == '&'))
        addr_until(span_skip(why, (size_t)at + 3), why.p[at - 1], ev);
    long r = span_find_lit(why, "SPF ");
    struct span res = r >= 0 ? spf_result(span_skip(why, (size_t)r + 4)) : SPAN_NULL;
    if (res.p)
        ev->status = res;
    else if (span_find_lit(why, "Softfail") >= 0)
        ev->status = SPAN_LIT("softfail");
    else if (span_find_lit(why, "Permanent Error") >= 0 || span_find_lit(why, "Permerror") >= 0)
        ev->status = SPAN_LIT("permerror");
    else if (span_find_lit(why, "Temporary Error") >= 0 || span_find_lit(why, "Temperror") >= 0)
        ev->status = SPAN_LIT("temperror");
    else if (ev->code.p)
        ev->status = ev->code.p[0] == '5' ? SPAN_LIT("fail") : SPAN_LIT("temperror");
    ev->text = scan_bounded(span_trim_right(why));
    ev->type = EV_SPF;
    ev->reason = R_POLICY;
    return true;
}

/* The perl daemon's older lines: "SPF RESULT (why): Envelope-from: S",
 * "SPF RESULT (why): HELO/EHLO: H" and, behind a queue id that may be
 * empty, "SPF RESULT: smtp_comment=..., header_comment=...". */
static bool spf_old(struct span s, struct event *ev)
{
    ev->status = spf_result(span_skip(s, 4));
    if (!ev->status.p)
        return false;
    long at;
    if ((at = span_find_lit(s, ": Envelope-from: ")) >= 0)
        ev->from = span_trim_right(span_skip(s, (size_t)at + 17));
    else if ((at = find_last(s, "): HELO/EHLO", 12)) >= 0) {
        long c = span_find_lit(span_skip(s, (size_t)at + 12), ": ");
        if (c >= 0)
            ev->helo = span_trim_right(span_skip(s, (size_t)at + 12 + (size_t)c + 2));
    }
    /* smtp_comment's URL "...?sender=S&ip=A&receiver=R": S is escaped. */
    long c = span_find_lit(s, ", header_comment=");
    at = c > 0 ? find_last(span_make(s.p, (size_t)c), "&ip=", 4) : -1;
    if (at >= 0)
        addr_until(span_skip(s, (size_t)at + 4), '&', ev);
    ev->type = EV_SPF;
    return true;
}

bool parse_policy_spf(struct span s, struct event *ev)
{
    /* perl: "QUEUEID: ..." or ": ..." when Postfix passed no queue id. */
    size_t q = scan_queue_prefix(s, ev);
    if (q)
        s = span_skip(s, q);
    while (span_starts_lit(s, ": "))
        s = span_skip(s, 2);
    if (span_starts_lit(s, "prepend Received-SPF: "))
        return spf_header(span_skip(s, 22), false, ev);
    if (span_starts_lit(s, "Policy action=PREPEND Received-SPF: "))
        return spf_header(span_skip(s, 36), true, ev);
    if (span_starts_lit(s, "action=PREPEND Received-SPF: "))
        return spf_header(span_skip(s, 29), true, ev);
    if (span_starts_lit(s, "Policy action="))
        return spf_action(span_skip(s, 14), ev);
    if (s.n && s.p[0] >= '2' && s.p[0] <= '5')
        return spf_action(s, ev);
    if (span_starts_lit(s, "SPF "))
        return spf_old(s, ev);
    /* python's result line: "RESULT; identity=...; client-ip=A; ...". */
    struct span r = spf_result(s);
    if (r.p && s.n > r.n && s.p[r.n] == ';')
        return spf_header(s, false, ev);
    return false;
}

/* postfwd: "[RULES] rule=N, id=ID, client=host[addr], sender=<S>,
 * recipient=<R>, helo=<H>, proto=P, state=STAGE, delay=Ts, hits=...,
 * action=ACTION" (also [CACHE] and [RATE]: the same decision again). The
 * client comes before the client's own fields; the action is the last
 * field, after them. A REJECT, a DEFER or a 4xx/5xx code refuses the
 * client; other actions are context. */
bool parse_policy_postfwd(struct span s, struct event *ev)
{
    long rb = span_chr(s, ']');

    if (!span_starts_lit(s, "[") || rb < 0 || !span_starts_lit(span_skip(s, (size_t)rb + 1), " rule="))
        return false;
    s = span_skip(s, (size_t)rb + 2);
    long at = span_find_lit(s, ", client=");
    if (at < 0 || scan_client(span_skip(s, (size_t)at + 9), ev) == 0)
        return false;
    ev->from = scan_kv(s, "sender=", 7);
    ev->to = scan_kv(s, "recipient=", 10);
    ev->helo = scan_kv(s, "helo=", 5);
    long st = find_last(s, ", state=", 8);
    if (st >= 0)
        ev->stage = scan_kv(span_skip(s, (size_t)st + 2), "state=", 6);
    long ac = find_last(s, ", action=", 9);
    if (ac < 0)
        return false;
    struct span action = span_trim_right(span_skip(s, (size_t)ac + 9));
    ev->text = scan_bounded(action);
    size_t w = 0;
    while (w < action.n && action.p[w] != ' ')
        w++;
    ev->status = span_make(action.p, w);
    bool code = w == 3 && (action.p[0] == '4' || action.p[0] == '5');
    if (code || span_eq_lit(ev->status, "REJECT") || span_eq_lit(ev->status, "reject")
        || span_eq_lit(ev->status, "DEFER") || span_eq_lit(ev->status, "defer")) {
        if (code)
            scan_code_dsn(action, ev);
        ev->type = EV_REJECT;
    } else {
        ev->type = EV_POLICY;
    }
    ev->reason = R_POLICY;
    return true;
}
