/*
 * Postfix lines about one queued message ("QUEUEID: ..."), whatever daemon
 * wrote them: smtpd/cleanup actions, client=, message-id=, qmgr, the
 * delivery agents (smtp, lmtp, local, virtual, pipe, error, discard),
 * bounce, pickup, postsuper; and the smtp client's remote-server lines.
 * A queue-id line of no known shape still becomes a "note", so every line
 * of a message's history can be found by its id.
 */
#include <stddef.h>
#include <string.h>
#include "parse_pfqueue.h"
#include "parse_reject.h"
#include "scan.h"

/* Text after "(": up to the matching last ')'. */
static struct span paren_text(struct span s)
{
    s = span_trim_right(span_trim_left(s));
    if (s.n && s.p[0] == '(') {
        s = span_skip(s, 1);
        if (s.n && s.p[s.n - 1] == ')')
            s.n--;
    }
    return s;
}

/* "to=<r>, [orig_to=<o>,] relay=R, ..., dsn=D, status=S (text)" */
static bool parse_delivery(struct span s, struct event *ev)
{
    ev->to = scan_kv(s, "to=", 3);
    if (!ev->to.p)
        return false;
    /* Keys after the recipient only: an address may contain "x=". */
    struct span rest = span_skip(s, (size_t)(ev->to.p + ev->to.n - s.p));
    struct scan_kv_want w[] = {
        SCAN_KV_WANT("status="), SCAN_KV_WANT("orig_to="),
        SCAN_KV_WANT("relay="), SCAN_KV_WANT("dsn="),
    };
    scan_kv_many(rest, w, 4);
    struct span st = w[0].val;
    if (!st.p || st.n == 0)
        return false;
    ev->orig_to = w[1].val;
    ev->relay = w[2].val;
    ev->dsn = w[3].val;
    ev->status = st;
    struct span t = span_skip(s, (size_t)(st.p + st.n - s.p));
    long lp = span_chr(t, '(');
    /* "status=expired, returned to sender (reason)": the reason */
    if (lp > 0 && t.p[0] == ',')
        t = span_skip(t, (size_t)lp);
    t = paren_text(t);
    if (t.n)
        ev->text = scan_bounded(t);
    ev->type = EV_DELIVERY;
    return true;
}

/* qmgr: "from=<s>, size=N, nrcpt=N (queue active)", or
 * "from=<s>, status=expired, returned to sender". */
static bool parse_qmgr_from(struct span s, struct event *ev)
{
    ev->from = scan_kv(s, "from=", 5);
    if (!ev->from.p)
        return false;
    struct span rest = span_skip(s, (size_t)(ev->from.p + ev->from.n - s.p));
    struct scan_kv_want w[] = {
        SCAN_KV_WANT("status="), SCAN_KV_WANT("size="), SCAN_KV_WANT("nrcpt="),
    };
    scan_kv_many(rest, w, 3);
    struct span st = w[0].val;
    if (st.p) {
        ev->status = st;
        ev->type = span_ends_lit(st, "expired") ? EV_EXPIRED : EV_NOTE;
        struct span t = span_trim_left(span_skip(s, (size_t)(st.p + st.n - s.p)));
        if (span_starts_lit(t, ", "))
            t = span_skip(t, 2);
        if (t.n)
            ev->text = scan_bounded(t);
        return true;
    }
    ev->size = w[1].val;
    ev->nrcpt = w[2].val;
    long lp = span_chr(rest, '(');
    if (lp >= 0)
        ev->text = scan_bounded(paren_text(span_skip(rest, (size_t)lp)));
    ev->type = EV_QUEUED;
    return ev->size.p || ev->nrcpt.p;
}

/* The client in a cleanup header/body check: the last " from host[addr]"
 * that ends the checked text (Postfix writes "%.200s from %s; from=<...>"),
 * so a header that contains "from x[1.2.3.4]" itself is skipped. */
static void cleanup_client(struct span s, struct event *ev)
{
    struct span best = SPAN_NULL;

    for (long at, off = 0; (at = span_find_lit(span_skip(s, (size_t)off), " from ")) >= 0;) {
        struct span c = span_skip(s, (size_t)off + (size_t)at + 6);
        struct event tmp;
        size_t used;
        off += at + 6;
        tmp.ip.family = 0;
        tmp.port = 0;
        if ((used = scan_client(c, &tmp)) > 0
            && (used == c.n || c.p[used] == ';' || c.p[used] == ':'))
            best = c;
    }
    if (best.p)
        scan_client(best, ev);
}

/* The verbs of "QUEUEID: VERB: ...": smtpd access actions, cleanup header
 * and body checks, milter and before-queue proxy verdicts. */
static const struct {
    const char *verb;
    size_t n;
    enum ev_type t;
} action_verbs[] = {
    { "reject: ", 8, EV_REJECT },
    { "reject_warning: ", 16, EV_REJECT_WARNING },
    { "milter-reject: ", 15, EV_REJECT },
    { "proxy-reject: ", 14, EV_REJECT },
    { "warn: ", 6, EV_ACTION },
    { "discard: ", 9, EV_ACTION },
    { "hold: ", 6, EV_ACTION },
    { "filter: ", 8, EV_ACTION },
    { "redirect: ", 10, EV_ACTION },
    { "bcc: ", 5, EV_ACTION },
    { "prepend: ", 9, EV_ACTION },
    { "replace: ", 9, EV_ACTION },
    { "strip: ", 7, EV_ACTION },
    { "warning: header ", 9, EV_ACTION },
    { "warning: body ", 9, EV_ACTION },
    { "milter-hold: ", 13, EV_ACTION },
    { "milter-discard: ", 16, EV_ACTION },
    { "proxy-accept: ", 14, EV_ACTION },
};
#define N_ACTION_VERBS (sizeof(action_verbs) / sizeof(action_verbs[0]))

/* The index of s's verb in action_verbs, N_ACTION_VERBS if none. Every
 * verb is a lower-case word and ": "; most queue lines ("client=", "to=<",
 * "removed") fail this before any compare. Inlined: it runs on every
 * queue line. */
static inline size_t action_verb(struct span s)
{
    /* The bytes of a verb's word: a-z, '-' and '_'. */
    static const bool word[256] = {
        ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
        ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
        ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
        ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['-'] = 1, ['_'] = 1,
    };
    enum { LONGEST = 14 };      /* "reject_warning", "milter-discard" */
    size_t i, w = 0, stop = s.n < LONGEST + 1 ? s.n : LONGEST + 1;

#ifdef __SSE2__
    if (s.n >= 16) {
        /* The word's bytes of the first 16 at once: a-z by an unsigned
         * minimum (a byte is in range when min(b - 'a', 25) is itself). */
        __m128i x = _mm_loadu_si128((const __m128i *)s.p);
        __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('a'));
        __m128i in = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(25)), d),
                                  _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')),
                                               _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
        w = (size_t)__builtin_ctz(~(unsigned)_mm_movemask_epi8(in));
        w = w < stop ? w : stop;
    } else
#endif
    while (w < stop && word[(unsigned char)s.p[w]])
        w++;
    if (w == 0 || w + 1 >= s.n || s.p[w] != ':' || s.p[w + 1] != ' ')
        return N_ACTION_VERBS;
    /* Unrolled: each verb's compare of its own, known length. */
#pragma GCC unroll 32
    for (i = 0; i < N_ACTION_VERBS; i++)
        if (action_verbs[i].n == w + 2 && memcmp(s.p, action_verbs[i].verb, action_verbs[i].n - 2) == 0)
            break;
    return i;
}

/* cleanup's checks: "header Subject: x from host[addr]; from=<> to=<>
 * ...: 5.7.1 text" (also body, content, mime-header, nested-header). */
static bool parse_content_check(struct span r, struct event *ev)
{
    if (!span_starts_lit(r, "header ") && !span_starts_lit(r, "body ")
        && !span_starts_lit(r, "content ") && !span_starts_lit(r, "mime-header ")
        && !span_starts_lit(r, "nested-header "))
        return false;
    ev->stage = span_make(r.p, (size_t)span_chr(r, ' '));
    parse_reject_envelope(r, ev);
    cleanup_client(r, ev);
    /* "...helo=<h>: 5.7.1 text": the reply after the envelope. */
    long at = -1;
    for (long a, off = 0; (a = span_find_lit(span_skip(r, (size_t)off), ">: ")) >= 0;)
        at = off + a, off += a + 3;
    if (at >= 0)
        scan_code_dsn(span_skip(r, (size_t)at + 3), ev);
    ev->text = scan_bounded(r);
    if (ev->type != EV_ACTION)
        ev->reason = R_CONTENT;
    return true;
}

/* A before-queue proxy's verdict: "END-OF-MESSAGE: 554 5.7.0 Reject ...;
 * from=<> to=<> ..." (a stage, then the reply and the envelope). */
static bool parse_proxy_reply(struct span r, bool content, struct event *ev)
{
    long c = span_find_lit(r, ": ");
    if (c > 0 && span_chr(span_make(r.p, (size_t)c), ' ') < 0) {
        ev->stage = span_make(r.p, (size_t)c);
        r = span_skip(r, (size_t)c + 2);
    }
    struct span reply = parse_reject_envelope(r, ev);
    scan_code_dsn(reply, ev);
    ev->text = scan_bounded(reply);
    if (ev->type != EV_ACTION)
        ev->reason = content ? R_CONTENT : parse_reject_reason(reply, &ev->dnsbl);
    return true;
}

/* "VERB: ..." after the queue id (action_verbs). */
static bool parse_action(struct span s, struct event *ev)
{
    size_t i = action_verb(s);

    if (i == N_ACTION_VERBS)
        return false;
    struct span verb = span_make(s.p, (size_t)span_chr(s, ':'));
    struct span r = span_skip(s, action_verbs[i].n);
    bool content = verb.n > 6 && (span_starts_lit(verb, "milter-") || span_starts_lit(verb, "proxy-"));

    ev->type = action_verbs[i].t;
    if (ev->type == EV_ACTION)
        ev->status = verb;
    if (parse_content_check(r, ev))
        return true;
    if (parse_reject_line(r, ev)) {
        if (ev->type == EV_REJECT && content)
            ev->reason = R_CONTENT;
        if (ev->type == EV_ACTION)
            ev->reason = R_NONE;
        return true;
    }
    return parse_proxy_reply(r, content, ev);
}

/* smtp/lmtp client: what the remote server did, "host X[a] said: ...",
 * "host X[a] refused to talk to me: ...", "lost connection with X[a] while
 * ...", "conversation with X[a] timed out while ...", "connect to X[a]:25: ...",
 * "[server ]certificate verification failed for X[a]:25: ..." (tls_verify.c),
 * "warning: bad size limit "N" in EHLO reply from X[a]" (smtp_proto.c). */
bool parse_pfqueue_remote(struct span s, struct event *ev)
{
    static const struct {
        const char *lead;
        size_t n;
    } leads[] = {
        { "host ", 5 }, { "lost connection with ", 21 },
        { "conversation with ", 18 }, { "connect to ", 11 },
        { "certificate verification failed for ", 36 },
        { "server certificate verification failed for ", 43 },
        { "warning: bad size limit ", 24 },
    };

    for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
        if (!span_starts(s, leads[i].lead, leads[i].n))
            continue;
        struct span r = span_skip(s, leads[i].n);
        if (leads[i].lead[0] == 'w') {
            /* The remote server's text comes first, in quotes; ours after
             * the last " in EHLO reply from ". */
            long at = -1;
            for (long k, off = 0; (k = span_find(span_skip(r, (size_t)off),
                                                 " in EHLO reply from ", 20)) >= 0;)
                at = off + k, off = at + 1;
            if (at < 0)
                return false;
            r = span_skip(r, (size_t)at + 20);
        }
        long lb = span_chr(r, '['), sp = span_chr(r, ' ');
        if (lb <= 0 || (sp >= 0 && sp < lb))
            return false;
        long rb = span_chr(r, ']');
        if (rb < lb)
            return false;
        size_t end = (size_t)rb + 1;
        while (end < r.n && r.p[end] != ' ' && r.p[end] != ',')
            end++;
        if (end > (size_t)rb + 1 && r.p[end - 1] == ':')
            end--;
        ev->relay = span_make(r.p, end);
        struct span t = span_skip(r, end);
        long c = span_find_lit(t, ": ");
        if (c >= 0) {
            struct span reply = span_skip(t, (size_t)c + 2);
            scan_code_dsn(reply, ev);
        }
        ev->text = scan_bounded(s);
        ev->type = EV_REMOTE;
        return true;
    }
    return false;
}

/* bounce: "sender non-delivery notification: NEWID" (also postmaster
 * copies, delay and success notices): status = the notice, text = NEWID. */
static bool parse_bounce(struct span s, struct event *ev)
{
    long at = span_find_lit(s, " notification: ");
    if (at <= 0 || span_chr(span_make(s.p, (size_t)at), ':') >= 0)
        return false;
    ev->status = span_make(s.p, (size_t)at);
    ev->text = span_trim_right(span_skip(s, (size_t)at + 15));
    ev->type = EV_BOUNCE;
    return true;
}

static bool parse_queue_line(struct span s, struct event *ev)
{
    s = span_trim_right(s);
    if (parse_action(s, ev))
        return true;
    if (span_starts_lit(s, "client=")) {
        if (scan_client(span_skip(s, 7), ev) == 0)
            return false;
        ev->type = EV_CLIENT;
        if (ev->client_only) {          /* the table reads the login alone */
            ev->sasl_user = scan_kv(s, "sasl_username=", 14);
            return true;
        }
        struct scan_kv_want w[] = {
            SCAN_KV_WANT("sasl_method="), SCAN_KV_WANT("sasl_username="),
        };
        scan_kv_many(s, w, 2);
        ev->sasl_method = w[0].val;
        ev->sasl_user = w[1].val;
        return true;
    }
    if (span_starts_lit(s, "message-id=") || span_starts_lit(s, "resent-message-id=")) {
        struct span v = span_skip(s, (size_t)span_chr(s, '=') + 1);
        if (v.n && v.p[0] == '<' && v.p[v.n - 1] == '>')
            v = span_make(v.p + 1, v.n - 2);
        ev->message_id = scan_bounded(v);
        ev->type = EV_CLEANUP;
        return true;
    }
    if (span_starts_lit(s, "removed")) {
        ev->type = EV_REMOVED;
        return true;
    }
    if (span_starts_lit(s, "to=") && parse_delivery(s, ev))
        return true;
    if (span_starts_lit(s, "from=") && parse_qmgr_from(s, ev))
        return true;
    if (span_starts_lit(s, "uid=")) {
        ev->uid = scan_kv(s, "uid=", 4);
        ev->from = scan_kv(s, "from=", 5);
        ev->type = EV_PICKUP;
        return true;
    }
    if (parse_bounce(s, ev) || parse_pfqueue_remote(s, ev))
        return true;
    /* Anything else tied to a queue id: "status=deferred (bounce failed)",
     * postsuper "placed on hold", smtp TLS and SASL trouble, ... */
    ev->status = scan_kv(s, "status=", 7);
    ev->text = scan_bounded(s);
    ev->type = EV_NOTE;
    return true;
}

bool parse_pfqueue_no_client(struct span msg, struct event *ev)
{
    size_t q = scan_queue_prefix(msg, ev);

    if (q == 0)
        return false;
    /* The shapes parse_queue_line gives no client address whatever
     * follows: nearly half the lines of a busy server. */
    struct span rest = span_skip(msg, q);
    if (!span_starts_lit(rest, "to=") && !span_starts_lit(rest, "from=")
        && !span_starts_lit(rest, "message-id=") && !span_starts_lit(rest, "removed")) {
        ev->qid = SPAN_NULL;
        return false;
    }
    /* qmgr taking a message is when it is accepted: the table pairs it
     * with smtpd's client= by queue ID (agg.c), so it keeps its type. */
    ev->type = span_starts_lit(rest, "from=") && span_find_lit(rest, ", nrcpt=") >= 0
        ? EV_QUEUED : EV_NOTE;
    return true;
}

bool parse_pfqueue(struct span service, struct span msg, struct event *ev)
{
    size_t q = scan_queue_prefix(msg, ev);

    if (q == 0) {
        if (span_eq_lit(service, "smtp") || span_eq_lit(service, "lmtp"))
            return parse_pfqueue_remote(msg, ev);
        return false;
    }
    return parse_pfqueue_rest(msg, q, ev);
}

bool parse_pfqueue_rest(struct span msg, size_t q, struct event *ev)
{
    struct span rest = span_skip(msg, q);
    struct span qid = ev->qid;
    if (parse_queue_line(rest, ev))
        return true;
    scan_event_clear(ev);
    ev->qid = qid;
    ev->text = scan_bounded(span_trim_right(rest));
    ev->type = EV_NOTE;
    return true;
}
