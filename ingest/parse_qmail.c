/*
 * qmail's companions on the SMTP side: tcpserver, rblsmtpd, the patched
 * qmail-smtpd forms (spamcontrol, chkuser, badiprbl) and vpopmail's
 * vchkpw, as written by multilog or through splogger/syslog. prog is the
 * syslog tag, or absent for multilog lines (then the program name, if any,
 * starts the message). qmail-send lines go to parse_qmail_send.c.
 */
#include <string.h>
#include "tstamp.h"
#include "parse_qmail.h"
#include "parse_qmail_send.h"
#include "scan.h"

static void set_pid(struct span num, struct event *ev)
{
    uint64_t v;
    size_t k = scan_digits(num, &v);

    if (k > 0 && (k == num.n || num.p[k] == ' ' || num.p[k] == ':'))
        ev->pid = span_make(num.p, k);
}

/* "ok 24416 0:213.228.232.199:25 host:1.2.3.4::34887": the last token is
 * remotehost:remoteip:remoteinfo:remoteport; host names hold no ':', so an
 * IPv6 address is what lies between the first ':' and the info field. */
static bool tcp_remote(struct span s, struct event *ev)
{
    long sp = span_rchr(s, ' ');
    if (sp < 0)
        return false;
    struct span r = span_skip(s, (size_t)sp + 1);
    long c3 = span_rchr(r, ':');
    if (c3 <= 0)
        return false;
    struct span head = span_make(r.p, (size_t)c3);
    long c2 = span_rchr(head, ':');
    long c1 = span_chr(head, ':');
    if (c1 < 0 || c2 <= c1)
        return false;
    struct span host = span_make(r.p, (size_t)c1);
    struct span ip = span_make(r.p + c1 + 1, (size_t)(c2 - c1 - 1));
    if (!ipaddr_parse(ip, &ev->ip))
        return false;
    if (host.n)
        ev->rdns = host;
    uint64_t v;
    struct span port = span_skip(r, (size_t)c3 + 1);
    size_t k = scan_digits(port, &v);
    if (k > 0 && k == port.n && v <= 65535)
        ev->port = (uint32_t)v;
    set_pid(span_skip(s, (size_t)span_chr(s, ' ') + 1), ev);
    return true;
}

static bool parse_tcpserver(struct span s, struct event *ev)
{
    s = span_trim_right(s);
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
        set_pid(span_skip(s, 4), ev);
        ev->type = EV_TCP_PID;
        return ipaddr_parse(span_skip(s, (size_t)at + 6), &ev->ip);
    }
    if (span_starts_lit(s, "end ")) {
        long at = span_find_lit(s, " status ");
        set_pid(span_skip(s, 4), ev);
        ev->type = EV_TCP_END;
        if (at > 0)
            ev->status = span_skip(s, (size_t)at + 8);
        return true;
    }
    if (span_starts_lit(s, "status: ")) {
        ev->type = EV_QMAIL_STATUS;
        ev->text = scan_bounded(span_skip(s, 8));
        return true;
    }
    return false;
}

/* "1.2.3.4 pid 1234: 451 http://www.spamhaus.org/query/bl?ip=1.2.3.4",
 * "1.2.3.4 pid 1234 sbl-xbl.spamhaus.org: 451 ...", and the old
 * "relays.ordb.org blocked 1.2.3.4 host -". */
static bool parse_rblsmtpd(struct span s, struct event *ev)
{
    long sp = span_chr(s, ' ');
    if (sp <= 0)
        return false;
    ev->type = EV_RBL;
    ev->reason = R_DNSBL;
    struct span rest = span_skip(s, (size_t)sp + 1);
    if (span_starts_lit(rest, "blocked ")) {
        struct span a = span_skip(rest, 8);
        long sp2 = span_chr(a, ' ');
        ev->dnsbl = span_make(s.p, (size_t)sp);
        return ipaddr_parse(sp2 < 0 ? a : span_make(a.p, (size_t)sp2), &ev->ip);
    }
    if (!ipaddr_parse(span_make(s.p, (size_t)sp), &ev->ip))
        return false;
    if (span_starts_lit(rest, "pid "))
        set_pid(span_skip(rest, 4), ev);
    long colon = span_find_lit(rest, ": ");
    if (colon > 0) {
        struct span head = span_make(rest.p, (size_t)colon);
        long lsp = span_rchr(head, ' ');
        /* "pid N LIST": the list rblsmtpd -r named. */
        if (lsp > 0 && span_starts_lit(head, "pid ") && (size_t)lsp > 4
            && span_chr(span_make(head.p + 4, (size_t)lsp - 4), ' ') < 0)
            ev->dnsbl = span_skip(head, (size_t)lsp + 1);
        struct span t = span_skip(rest, (size_t)colon + 2);
        ev->text = scan_bounded(t);
        scan_code_dsn(t, ev);
    }
    return true;
}

/* chkuser: "CHKUSER rejected rcpt: from <s:info:id> remote <helo:host:ip>
 * rcpt <r> : not existing recipient". */
static bool parse_chkuser(struct span s, struct event *ev)
{
    static const struct {
        const char *brief;
        size_t n;
        enum ev_reason r;
    } briefs[] = {
        { "rejected rcpt", 13, R_UNKNOWN_RECIPIENT },
        { "rejected relaying", 17, R_RELAY_DENIED },
        { "rejected sender", 15, R_SENDER },
        { "rejected intrusion", 18, R_RATE_LIMIT },
        { "intrusion threshold", 19, R_RATE_LIMIT },
        { "must auth", 9, R_OTHER },
        { "mbx overquota", 13, R_OTHER },
        { "no auth resource", 16, R_OTHER },
    };
    long c = span_find_lit(s, ": from <");

    if (!span_starts_lit(s, "CHKUSER ") || c < 8)
        return false;
    struct span brief = span_make(s.p + 8, (size_t)c - 8);
    struct span r = span_skip(s, (size_t)c + 8);
    long gt = span_chr(r, '>');
    if (gt < 0)
        return false;
    struct span from = span_make(r.p, (size_t)gt);
    long fc = span_chr(from, ':');
    ev->from = fc < 0 ? from : span_make(from.p, (size_t)fc);
    long rm = span_find_lit(r, " remote <");
    if (rm < 0)
        return false;
    struct span remote = span_skip(r, (size_t)rm + 9);
    gt = span_chr(remote, '>');
    if (gt < 0)
        return false;
    remote.n = (size_t)gt;
    /* helo:host:ip. An IPv4 address is the last field; an IPv6 one holds
     * ':' itself, so it is what follows helo and host (neither holds ':'
     * in practice; a helo that does only spoils its own line). */
    long last = span_rchr(remote, ':');
    struct span hh;
    uint32_t v4;
    if (last >= 0 && ipaddr_parse_v4(span_skip(remote, (size_t)last + 1), &v4)) {
        ipaddr_parse(span_skip(remote, (size_t)last + 1), &ev->ip);
        hh = span_make(remote.p, (size_t)last);
    } else {
        long c1 = span_chr(remote, ':');
        long c2 = c1 < 0 ? -1 : span_chr(span_skip(remote, (size_t)c1 + 1), ':');
        if (c2 < 0 || !ipaddr_parse(span_skip(remote, (size_t)(c1 + c2 + 2)), &ev->ip))
            return false;
        hh = span_make(remote.p, (size_t)(c1 + c2 + 1));
    }
    long mid = span_rchr(hh, ':');
    if (mid >= 0) {
        ev->helo = span_make(hh.p, (size_t)mid);
        struct span host = span_skip(hh, (size_t)mid + 1);
        if (host.n)
            ev->rdns = host;
    }
    ev->to = scan_kv(r, "rcpt=", 5);
    long rc = span_find_lit(r, " rcpt <");
    if (rc >= 0) {
        struct span t = span_skip(r, (size_t)rc + 7);
        long e = span_find_lit(t, "> : ");
        ev->to = span_make(t.p, e >= 0 ? (size_t)e : (size_t)(span_chr(t, '>') >= 0 ? span_chr(t, '>') : 0));
        if (e >= 0)
            ev->text = scan_bounded(span_skip(t, (size_t)e + 4));
    }
    ev->stage = SPAN_LIT("RCPT");
    ev->type = EV_QMAIL_SMTPD;
    ev->status = brief;
    for (size_t i = 0; i < sizeof(briefs) / sizeof(briefs[0]); i++)
        if (span_eq(brief, briefs[i].brief, briefs[i].n)) {
            ev->type = EV_REJECT;
            ev->reason = briefs[i].r;
            ev->status = SPAN_NULL;
        }
    return true;
}

/* spamcontrol: "Reject::RCPT::Failed_Rcptto: P:ESMTP S:1.2.3.4:host H:helo
 * F:from T:to" (Action::Type::Condition: Information). */
static bool parse_spamcontrol(struct span s, struct event *ev)
{
    bool reject = span_starts_lit(s, "Reject::");
    if (!reject && !span_starts_lit(s, "Accept::"))
        return false;
    long c = span_find_lit(s, ": ");
    if (c < 8)                  /* "Reject:: ..." has no Type::Condition */
        return false;
    struct span what = span_make(s.p + 8, (size_t)c - 8);
    struct span info = span_skip(s, (size_t)c + 2);
    long at = span_find_lit(info, "S:");
    if (at < 0)
        return false;
    struct span sv = span_skip(info, (size_t)at + 2);
    long sp = span_chr(sv, ' ');
    if (sp >= 0)
        sv.n = (size_t)sp;
    /* "S:addr:host": host names hold no ':', so the host is after the
     * last one (an IPv6 address alone has none after it that parses). */
    long last = span_rchr(sv, ':');
    if (last > 0 && ipaddr_parse(span_make(sv.p, (size_t)last), &ev->ip)) {
        if ((size_t)last + 1 < sv.n)
            ev->rdns = span_skip(sv, (size_t)last + 1);
    } else if (!ipaddr_parse(sv, &ev->ip)) {
        return false;
    }
    ev->helo = scan_kv(info, "H:", 2);
    ev->from = scan_kv(info, "F:", 2);
    ev->to = scan_kv(info, "T:", 2);
    ev->text = scan_bounded(what);
    if (!reject) {
        ev->type = EV_QMAIL_SMTPD;
        ev->status = SPAN_LIT("Accept");
        return true;
    }
    ev->type = EV_REJECT;
    if (span_starts_lit(what, "ORIG::"))
        ev->stage = SPAN_LIT("MAIL");
    else if (span_starts_lit(what, "RCPT::"))
        ev->stage = SPAN_LIT("RCPT");
    else if (span_starts_lit(what, "DATA::"))
        ev->stage = SPAN_LIT("DATA");
    /* Conditions from spamcontrol's LOGGING document. */
    if (span_find_lit(what, "RBL") >= 0)
        ev->reason = R_DNSBL;
    else if (span_find_lit(what, "Failed_Auth") >= 0) {
        ev->type = EV_AUTH_FAIL;
        ev->reason = R_NONE;
    } else if (span_find_lit(what, "Invalid_Relay") >= 0)
        ev->reason = R_RELAY_DENIED;
    else if (span_find_lit(what, "Helo") >= 0 || span_find_lit(what, "HELO") >= 0)
        ev->reason = R_HELO;
    else if (span_find_lit(what, "Toomany_Rcptto") >= 0)
        ev->reason = R_RATE_LIMIT;
    else if (span_find_lit(what, "Failed_Rcptto") >= 0)
        ev->reason = R_UNKNOWN_RECIPIENT;
    else if (span_find_lit(what, "Bad_Mailfrom") >= 0 || span_find_lit(what, "DNSMX_MF") >= 0
             || span_find_lit(what, "Invalid_Sender") >= 0)
        ev->reason = R_SENDER;
    else if (span_find_lit(what, "Virs_Infected") >= 0 || span_find_lit(what, "Bad_MIME") >= 0
             || span_find_lit(what, "Bad_Loader") >= 0)
        ev->reason = R_CONTENT;
    else
        ev->reason = R_OTHER;
    return true;
}

/* "421 badiprbl: ip 198.51.100.54 rbl: example.com" (qmail-smtpd RBL patch) */
static bool parse_badiprbl(struct span s, struct event *ev)
{
    long at = span_find_lit(s, "badiprbl: ip ");
    if (at < 0)
        return false;
    struct span a = span_skip(s, (size_t)at + 13);
    long sp = span_chr(a, ' ');
    if (!ipaddr_parse(sp < 0 ? a : span_make(a.p, (size_t)sp), &ev->ip))
        return false;
    long rbl = span_find_lit(a, " rbl: ");
    if (rbl >= 0)
        ev->dnsbl = span_trim_right(span_skip(a, (size_t)rbl + 6));
    scan_code_dsn(s, ev);
    ev->text = scan_bounded(s);
    ev->type = EV_RBL;
    ev->reason = R_DNSBL;
    return true;
}

static bool parse_qmail_smtpd(struct span s, struct event *ev)
{
    return parse_badiprbl(s, ev) || parse_spamcontrol(s, ev) || parse_chkuser(s, ev);
}

/* vchkpw-smtp: "password fail (pass: 'x') user@domain:1.2.3.4",
 * "vpopmail user not found user@domain:1.2.3.4". */
static bool parse_vchkpw(struct span s, struct event *ev)
{
    if (span_find_lit(s, "password fail") < 0 && span_find_lit(s, "user not found") < 0)
        return false;
    long sp = span_rchr(span_trim_right(s), ' ');
    struct span tok = span_trim_right(span_skip(s, (size_t)(sp + 1)));
    long atsign = span_rchr(tok, '@');
    struct span after = span_skip(tok, atsign < 0 ? 0 : (size_t)atsign);
    long c = span_chr(after, ':');
    if (c < 0)
        return false;
    struct span ip = span_skip(after, (size_t)c + 1);
    if (!ipaddr_parse(ip, &ev->ip))
        return false;
    ev->sasl_user = span_make(tok.p, (size_t)(ip.p - tok.p) - 1);
    /* The text without the tried password vchkpw writes in "(pass: '...')". */
    long pw = span_find_lit(s, " (pass: ");
    ev->text = span_trim_right(span_make(s.p, pw >= 0 ? (size_t)pw : (size_t)(tok.p - s.p)));
    ev->type = EV_AUTH_FAIL;
    return true;
}

/* Inner program names splogger or multilog put before the message. */
static bool known_inner(struct span p)
{
    return span_eq_lit(p, "tcpserver") || span_eq_lit(p, "sslserver")
        || span_eq_lit(p, "rblsmtpd") || span_eq_lit(p, "qmail-smtpd")
        || span_eq_lit(p, "qmail-send") || span_starts_lit(p, "vchkpw-");
}

bool parse_qmail(struct span prog, struct span msg, struct event *ev)
{
    int64_t ts;
    uint32_t usec;
    size_t used;

    /* splogger: "qmail: 1157520813.485077 msg" stamps in UTC with a year,
     * better than the syslog stamp in front of it. */
    if (prog.p && tstamp_parse_unix(msg, &ts, &usec, &used)) {
        ev->ts = ts;
        ev->usec = usec;
        ev->has_ts = true;
        msg = span_trim_left(span_skip(msg, used));
    }
    if (!prog.p || span_eq_lit(prog, "qmail")) {
        if (parse_qmail_send(msg, ev))
            return true;
        if (!prog.p && (span_starts_lit(msg, "CHKUSER ") || span_starts_lit(msg, "Reject::")
                        || span_starts_lit(msg, "Accept::")))
            return parse_qmail_smtpd(msg, ev);
        long colon = span_find_lit(msg, ": ");
        if (colon > 0 && (!prog.p || known_inner(span_make(msg.p, (size_t)colon)))) {
            prog = span_make(msg.p, (size_t)colon);
            msg = span_skip(msg, (size_t)colon + 2);
            ev->prog = prog;
        } else {
            return false;
        }
    }
    if (span_eq_lit(prog, "tcpserver") || span_eq_lit(prog, "sslserver"))
        return parse_tcpserver(msg, ev);
    if (span_eq_lit(prog, "rblsmtpd"))
        return parse_rblsmtpd(msg, ev);
    if (span_eq_lit(prog, "qmail-smtpd") || span_eq_lit(prog, "smtpd"))
        return parse_qmail_smtpd(msg, ev);
    if (span_eq_lit(prog, "qmail-send"))
        return parse_qmail_send(msg, ev);
    if (span_starts_lit(prog, "vchkpw-"))
        return parse_vchkpw(msg, ev);
    return false;
}
