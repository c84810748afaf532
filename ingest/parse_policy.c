/*
 * Policy servers next to Postfix. postgrey: "[QUEUEID: ]action=greylist,
 * reason=new, client_name=N, client_address=A, sender=S, recipient=R".
 * Its verdict reaches the client as a Postfix reject line too, so these
 * events are context, not extra evidence.
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

static bool parse_postgrey(struct span s, struct event *ev)
{
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

bool parse_policy(struct span prog, struct span msg, struct event *ev)
{
    if (span_eq_lit(prog, "postgrey"))
        return parse_postgrey(msg, ev);
    return false;
}
