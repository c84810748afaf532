/*
 * qmail and its companions (tcpserver, rblsmtpd), as written by multilog
 * or through splogger/syslog. prog is the syslog tag, or absent for
 * multilog lines (then the program name, if any, starts the message).
 */
#include "parse.h"

/* "ok 24416 0:213.228.232.199:25 host:1.2.3.4::34887" -> client fields. */
static bool tcp_remote(struct span s, struct event *ev)
{
    /* remotehost:remoteip:remoteinfo:remoteport is the last token. */
    long sp = span_rchr(s, ' ');
    if (sp < 0)
        return false;
    struct span r = span_skip(s, (size_t)sp + 1);
    /* remoteport is after the last ':'; remoteinfo before it may be empty. */
    long c3 = span_rchr(r, ':');
    if (c3 <= 0)
        return false;
    struct span head = span_make(r.p, (size_t)c3);
    long c2 = span_rchr(head, ':');
    if (c2 < 0)
        return false;
    struct span head2 = span_make(r.p, (size_t)c2);
    long c1 = span_chr(head2, ':');
    if (c1 < 0)
        return false;
    struct span host = span_make(r.p, (size_t)c1);
    struct span ip = span_make(r.p + c1 + 1, (size_t)(c2 - c1 - 1));
    if (!ipaddr_parse(ip, &ev->ip))
        return false;
    if (host.n)
        ev->rdns = host;
    struct span port = span_skip(r, (size_t)c3 + 1);
    uint32_t v = 0;
    for (size_t i = 0; i < port.n && i < 6; i++) {
        if (port.p[i] < '0' || port.p[i] > '9')
            return true;
        v = v * 10 + (uint32_t)(port.p[i] - '0');
    }
    if (port.n && v <= 65535)
        ev->port = v;
    return true;
}

static bool parse_tcpserver(struct span s, struct event *ev)
{
    if (span_starts_lit(s, "ok ")) {
        ev->type = EV_TCP_OK;
        return tcp_remote(s, ev);
    }
    if (span_starts_lit(s, "deny ")) {
        ev->type = EV_TCP_DENY;
        return tcp_remote(s, ev);
    }
    if (span_starts_lit(s, "pid ")) {
        long at = span_find_lit(s, " from ");
        if (at < 0)
            return false;
        ev->type = EV_TCP_PID;
        return ipaddr_parse(span_trim_right(span_skip(s, (size_t)at + 6)), &ev->ip);
    }
    if (span_starts_lit(s, "end ")) {
        long at = span_find_lit(s, " status ");
        ev->type = EV_TCP_END;
        if (at > 0)
            ev->status = span_skip(s, (size_t)at + 8);
        return true;
    }
    return false;
}

/* "1.2.3.4 pid 1234: 451 http://www.spamhaus.org/query/bl?ip=1.2.3.4" */
static bool parse_rblsmtpd(struct span s, struct event *ev)
{
    long sp = span_chr(s, ' ');
    if (sp <= 0 || !ipaddr_parse(span_make(s.p, (size_t)sp), &ev->ip))
        return false;
    long colon = span_find_lit(s, ": ");
    ev->type = EV_RBL;
    ev->reason = R_DNSBL;
    if (colon > 0) {
        struct span t = span_skip(s, (size_t)colon + 2);
        ev->text = t.n > 512 ? span_make(t.p, 512) : t;
        parse_code_dsn(t, ev);
    }
    return true;
}

bool parse_qmail(struct span prog, struct span msg, struct event *ev)
{
    /* multilog: "tcpserver: ok ..." with the program inside the message. */
    if (prog.p == NULL) {
        long colon = span_find_lit(msg, ": ");
        if (colon <= 0)
            return false;
        prog = span_make(msg.p, (size_t)colon);
        msg = span_skip(msg, (size_t)colon + 2);
        ev->prog = prog;
    }
    if (span_eq_lit(prog, "tcpserver"))
        return parse_tcpserver(msg, ev);
    if (span_eq_lit(prog, "rblsmtpd"))
        return parse_rblsmtpd(msg, ev);
    return false;
}
