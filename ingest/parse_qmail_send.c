/*
 * qmail-send: a message's life by its queue number ("msg M", the inode)
 * and each delivery attempt by its delivery number. Both go to msg/qid and
 * delivery. Delivery reports are written with '_' for spaces and '/' between
 * reply lines; text is decoded for humans (in the event's scratch buffer),
 * raw keeps the bytes as logged.
 */
#include "parse_qmail_send.h"
#include "scan.h"

/* "M" at the start of s: the digits, or an empty span. */
static struct span number(struct span s)
{
    uint64_t v;
    return span_make(s.p, scan_digits(s, &v));
}

/* Decode a qmail report into ev->scratch: '_' is a space, a '/' that ends
 * the report or starts a new line (an upper-case letter follows) is a line
 * break; other '/' (URLs, "did_0+0+1/") are kept. */
static struct span decode(struct span raw, struct event *ev)
{
    size_t n = 0;

    for (size_t i = 0; i < raw.n && n < sizeof(ev->scratch); i++) {
        char c = raw.p[i];
        if (c == '_')
            c = ' ';
        else if (c == '/') {
            if (i + 1 == raw.n)
                break;
            if (raw.p[i + 1] >= 'A' && raw.p[i + 1] <= 'Z')
                c = '\n';
        }
        ev->scratch[n++] = c;
    }
    return span_make(ev->scratch, n);
}

/* What the report says about the remote side: "Remote host said: 550 5.1.1
 * ...", "(#5.1.1)", "1.2.3.4 accepted message.", "Connected to 1.2.3.4 but". */
static void report_fields(struct span text, struct event *ev)
{
    long at;

    if ((at = span_find_lit(text, "said: ")) >= 0)
        scan_code_dsn(span_skip(text, (size_t)at + 6), ev);
    if (!ev->dsn.p && (at = span_find_lit(text, "#")) >= 0) {
        struct span d = span_skip(text, (size_t)at + 1);
        size_t k = scan_dsn_len(d);
        if (k)
            ev->dsn = span_make(d.p, k);
    }
    struct span t = text;
    if (span_starts_lit(t, "Connected to "))
        t = span_skip(t, 13);
    long sp = span_chr(t, ' ');
    struct ipaddr ip;
    if (sp > 0 && ipaddr_parse(span_make(t.p, (size_t)sp), &ip))
        ev->relay = span_make(t.p, (size_t)sp);
}

/* "info msg M: bytes B from <S> qp P uid U". The sender is the client's
 * bytes and may hold " qp ": the last " qp " ends "from <...>". */
static bool info_msg(struct span s, struct event *ev)
{
    struct span m = number(s);
    long at;

    if (!m.n)
        return false;
    ev->type = EV_QMAIL_INFO;
    ev->msg = ev->qid = m;
    struct span r = span_skip(s, m.n);
    if ((at = span_find_lit(r, " bytes ")) >= 0)
        ev->size = number(span_skip(r, (size_t)at + 7));
    long fr = span_find_lit(r, " from <");
    long qp = -1;
    for (long a, off = 0; (a = span_find_lit(span_skip(r, (size_t)off), " qp ")) >= 0;)
        qp = off + a, off += a + 4;
    if (fr >= 0 && qp > fr + 7 && r.p[qp - 1] == '>')
        ev->from = span_make(r.p + fr + 7, (size_t)(qp - fr - 8));
    if (qp >= 0) {
        struct span q = span_skip(r, (size_t)qp + 4);
        ev->qp = number(q);
        if ((at = span_find_lit(q, " uid ")) >= 0)
            ev->uid = number(span_skip(q, (size_t)at + 5));
    }
    return true;
}

/* "starting delivery D: msg M to local|remote R". */
static bool starting_delivery(struct span s, struct event *ev)
{
    struct span d = number(s);
    struct span r = span_skip(s, d.n);

    if (!d.n || !span_starts_lit(r, ": msg "))
        return false;
    struct span m = number(span_skip(r, 6));
    r = span_skip(r, 6 + m.n);
    if (!m.n || !span_starts_lit(r, " to "))
        return false;
    r = span_skip(r, 4);
    ev->type = EV_QMAIL_START;
    ev->delivery = d;
    ev->msg = ev->qid = m;
    long sp = span_chr(r, ' ');
    if (sp > 0 && (span_starts_lit(r, "local ") || span_starts_lit(r, "remote "))) {
        ev->relay = span_make(r.p, (size_t)sp);
        r = span_skip(r, (size_t)sp + 1);
    }
    ev->to = r;
    return true;
}

/* "delivery D: success|deferral|failure: REPORT" (qmail-remote's or
 * qmail-local's report, decoded into text). */
static bool delivery(struct span s, struct event *ev)
{
    struct span d = number(s);
    struct span r = span_skip(s, d.n);

    if (!d.n || !span_starts_lit(r, ": "))
        return false;
    r = span_skip(r, 2);
    long c = span_find_lit(r, ": ");
    struct span st = c < 0 ? span_trim_right(r) : span_make(r.p, (size_t)c);
    if (!span_eq_lit(st, "success") && !span_eq_lit(st, "deferral")
        && !span_eq_lit(st, "failure"))
        return false;
    ev->type = EV_QMAIL_DELIVERY;
    ev->delivery = d;
    ev->status = st;
    if (c >= 0) {
        ev->raw = scan_bounded(span_skip(r, (size_t)c + 2));
        ev->text = decode(ev->raw, ev);
        report_fields(ev->text, ev);
    }
    return true;
}

/* "end msg M", "bounce msg M qp P". */
static bool end_or_bounce(struct span s, bool end, struct event *ev)
{
    struct span m = number(s);

    if (!m.n)
        return false;
    ev->type = end ? EV_QMAIL_END : EV_QMAIL_BOUNCE;
    ev->msg = ev->qid = m;
    struct span r = span_skip(s, m.n);
    if (span_starts_lit(r, " qp "))
        ev->qp = number(span_skip(r, 4));
    return true;
}

bool parse_qmail_send(struct span s, struct event *ev)
{
    struct span m;

    s = span_trim_right(s);
    if (span_starts_lit(s, "new msg ")) {
        m = number(span_skip(s, 8));
        if (!m.n)
            return false;
        ev->type = EV_QMAIL_NEW;
        ev->msg = ev->qid = m;
        return true;
    }
    if (span_starts_lit(s, "info msg "))
        return info_msg(span_skip(s, 9), ev);
    if (span_starts_lit(s, "starting delivery "))
        return starting_delivery(span_skip(s, 18), ev);
    if (span_starts_lit(s, "delivery "))
        return delivery(span_skip(s, 9), ev);
    if (span_starts_lit(s, "end msg "))
        return end_or_bounce(span_skip(s, 8), true, ev);
    if (span_starts_lit(s, "bounce msg "))
        return end_or_bounce(span_skip(s, 11), false, ev);
    /* "triple bounce: discarding bounce/M" (and spamcontrol's double). */
    if ((span_starts_lit(s, "triple bounce: discarding bounce/")
         || span_starts_lit(s, "double bounce: discarding bounce/"))) {
        m = number(span_skip(s, 33));
        if (!m.n)
            return false;
        ev->type = EV_QMAIL_BOUNCE;
        ev->msg = ev->qid = m;
        ev->status = SPAN_LIT("discarded");
        ev->text = s;
        return true;
    }
    if (span_starts_lit(s, "status: local ")) {
        ev->type = EV_QMAIL_STATUS;
        ev->text = scan_bounded(span_skip(s, 8));
        return true;
    }
    return false;
}
