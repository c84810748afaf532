/*
 * postscreen verdicts and its dnsblog helper. postscreen names the client
 * as "[addr]:port" right after a fixed keyword.
 */
#include "parse_postscreen.h"
#include "parse_reject.h"
#include "scan.h"

/* "[addr]:port" after a keyword; the rest (after ": " or " ") is text.
 * A keyword that ends the shape's lead (of lead_n bytes) is where the
 * lead put it: no lead holds its keyword earlier. */
static bool client_after(struct span s, size_t lead_n, const char *kw, size_t kwn,
                         struct event *ev)
{
    long at = span_same(s.p + lead_n - kwn, kw, kwn) ? (long)(lead_n - kwn) : span_find(s, kw, kwn);
    if (at < 0)
        return false;
    struct span r = span_skip(s, (size_t)at + kwn);
    size_t used = scan_client(r, ev);
    if (used == 0)
        return false;
    struct span tail = span_skip(r, used);
    /* "... from [addr]:port after EHLO: QUIT\r\n": the stage, then the text. */
    if (span_starts_lit(tail, " after ")) {
        struct span st = span_skip(tail, 7);
        size_t j = 0;
        while (j < st.n && st.p[j] != ' ' && st.p[j] != ':')
            j++;
        if (j > 0) {
            ev->stage = span_make(st.p, j);
            tail = span_skip(st, j);
        }
    }
    if (span_starts_lit(tail, ": "))
        ev->text = scan_bounded(span_skip(tail, 2));
    else if (span_starts_lit(tail, " "))
        ev->text = scan_bounded(span_skip(tail, 1));
    return true;
}

/* dnsblog: "addr 192.0.2.1 listed by domain zen.spamhaus.org as 127.0.0.4" */
static bool parse_dnsblog(struct span s, struct event *ev)
{
    if (!span_starts_lit(s, "addr "))
        return false;
    s = span_skip(s, 5);
    long at = span_find_lit(s, " listed by domain ");
    if (at <= 0 || !ipaddr_parse(span_make(s.p, (size_t)at), &ev->ip))
        return false;
    struct span l = span_skip(s, (size_t)at + 18);
    long sp = span_chr(l, ' ');
    ev->dnsbl = sp < 0 ? l : span_make(l.p, (size_t)sp);
    if (sp >= 0 && span_starts_lit(span_skip(l, (size_t)sp), " as "))
        ev->text = scan_bounded(span_skip(l, (size_t)sp + 4));
    ev->type = EV_DNSBL;
    return true;
}

bool parse_postscreen(struct span s, struct event *ev)
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
        /* Postfix 3.x: the client sent DATA/BDAT after every RCPT failed. */
        { "DATA without valid RCPT ", 24, "from ", 5, EV_POSTSCREEN, R_PS_NO_RCPT },
        { "BDAT without valid RCPT ", 24, "from ", 5, EV_POSTSCREEN, R_PS_NO_RCPT },
    };
    size_t q;

    /* Unrolled: each lead's compare folds to words of its own length. */
#pragma GCC unroll 32
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        if (!span_starts(s, shapes[i].lead, shapes[i].n))
            continue;
        ev->type = shapes[i].t;
        ev->reason = shapes[i].r;
        if (!client_after(s, shapes[i].n, shapes[i].kw, shapes[i].kwn, ev))
            return false;
        if (shapes[i].t == EV_CONNECT)
            ev->text = SPAN_NULL;           /* "to [server]:25" is ours */
        if (shapes[i].r == R_PS_NO_RCPT)
            ev->stage = span_make(s.p, 4);
        return true;
    }
    if ((q = scan_queue_prefix(s, ev)) > 0 && span_starts_lit(span_skip(s, q), "reject: ")) {
        ev->type = EV_REJECT;
        return parse_reject_line(span_skip(s, q + 8), ev);
    }
    return parse_dnsblog(s, ev);
}
