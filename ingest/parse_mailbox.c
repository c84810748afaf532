/*
 * Mailbox servers on the mail host: Dovecot and Cyrus IMAP/POP3/submission
 * logins. A brute force against IMAP is the same attacker as one against
 * SMTP AUTH: their failures are auth_fail events like smtpd's SASL lines.
 * The user name is the client's own bytes and precedes the address in
 * Dovecot's lines, so the address is taken from the writer's fixed place
 * after it.
 */
#include "parse_mailbox.h"
#include "scan.h"

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

/* Dovecot's "Info: " (and sibling) level prefix of a log_path-style line.
 * Each prefix a literal of its own: a table's lengths are not constants,
 * and its compares cost some 200 instructions on every Login line. */
static struct span skip_level(struct span s)
{
    if (s.n == 0)
        return s;
    switch (s.p[0]) {
    case 'I': return span_starts_lit(s, "Info: ") ? span_skip(s, 6) : s;
    case 'W': return span_starts_lit(s, "Warning: ") ? span_skip(s, 9) : s;
    case 'E': return span_starts_lit(s, "Error: ") ? span_skip(s, 7) : s;
    case 'D': return span_starts_lit(s, "Debug: ") ? span_skip(s, 7) : s;
    default: return s;
    }
}

/* What a login process's disconnect reason says about the client, from
 * client_get_extra_disconnect_reason(): the client tried credentials and
 * failed (auth failed; gave up while the auth penalty held the answer;
 * sent a password in the clear where that is refused; failed at the proxy
 * destination), or our auth process failed. */
static const struct {
    const char *phrase;
    size_t n;
    enum ev_reason reason;
} login_failures[] = {
    { "(auth failed, ", 14, R_NONE },
    { "(disconnected while authenticating", 34, R_NONE },
    { "(tried to use disallowed plaintext auth)", 40, R_NONE },
    { "(tried to use disabled plaintext auth)", 38, R_NONE },
    { "(proxy dest auth failed)", 24, R_NONE },
    { "(auth process communication failure)", 36, R_SERVER_ERROR },
    { "(internal failure, ", 19, R_SERVER_ERROR },
};

/* "imap-login: Disconnected (auth failed, 3 attempts in 12 secs): user=<u>,
 * method=PLAIN, rip=A, lip=L, TLS, session=<S>" and its wordings across
 * versions ("Aborted login (...)", "Disconnected: Connection closed (...)",
 * "Login aborted: ... (...) (auth_failed)"). The reason precedes the
 * fields; rip= is the last of the client-influenced fields' neighbours, so
 * its last occurrence is Dovecot's own. */
static bool dovecot_login(struct span s, struct span service, struct event *ev)
{
    long head = span_find_lit(s, "): ");
    if (head < 0)
        return false;
    struct span why = span_make(s.p, (size_t)head + 1);
    size_t i, n = sizeof(login_failures) / sizeof(login_failures[0]);
    for (i = 0; i < n; i++)
        if (span_find(why, login_failures[i].phrase, login_failures[i].n) >= 0)
            break;
    if (i == n)
        return false;
    struct span fields = span_skip(s, (size_t)head + 3);
    long rip = find_last(fields, "rip=", 4);
    if (rip < 0 || (rip > 0 && fields.p[rip - 1] != ' '))
        return false;
    struct span a = span_skip(fields, (size_t)rip + 4);
    long comma = span_chr(a, ',');
    if (!ipaddr_parse(span_trim_right(comma < 0 ? a : span_make(a.p, (size_t)comma)), &ev->ip))
        return false;
    struct span before = span_make(fields.p, (size_t)rip);
    if (span_starts_lit(before, "user=<")) {
        long gt = span_rchr(before, '>');
        if (gt > 6)
            ev->sasl_user = span_make(before.p + 6, (size_t)gt - 6);
    }
    long m = find_last(before, "method=", 7);
    if (m >= 0) {
        struct span v = span_skip(before, (size_t)m + 7);
        long c = span_chr(v, ',');
        ev->sasl_method = c < 0 ? v : span_make(v.p, (size_t)c);
    }
    ev->stage = service;
    ev->text = scan_bounded(why);
    ev->reason = login_failures[i].reason;
    ev->type = EV_AUTH_FAIL;
    return true;
}

/* The auth process's account of one attempt: "passwd-file(user,A): unknown
 * user", "sql(user,A,<session>): Password mismatch", "pam(user,A):
 * pam_authenticate() failed: ...". The user name may hold ',' and ')', so
 * the address is read backwards from the phrase; these lines are context
 * (reason passdb), the login line counts the attempt. */
static bool dovecot_auth(struct span s, struct event *ev)
{
    static const struct span phrases[] = {
        SPAN_LIT("): unknown user"), SPAN_LIT("): Password mismatch"),
        SPAN_LIT("): pam_authenticate() failed"), SPAN_LIT("): User not found"),
    };
    long open = span_chr(s, '('), at = -1;

    if (open <= 0)
        return false;
    for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]) && at < 0; i++)
        at = span_find(s, phrases[i].p, phrases[i].n);
    if (at <= open)
        return false;
    struct span inner = span_make(s.p + open + 1, (size_t)(at - open - 1));
    if (inner.n && inner.p[inner.n - 1] == '>') {
        long lt = find_last(inner, ",<", 2);
        if (lt < 0)
            return false;
        inner.n = (size_t)lt;
    }
    long comma = span_rchr(inner, ',');
    if (comma < 0 || !ipaddr_parse(span_skip(inner, (size_t)comma + 1), &ev->ip))
        return false;
    ev->sasl_user = span_make(inner.p, (size_t)comma);
    ev->sasl_method = span_make(s.p, (size_t)open);
    ev->text = scan_bounded(span_trim_right(span_skip(s, (size_t)at + 3)));
    ev->reason = R_PASSDB;
    ev->type = EV_AUTH_FAIL;
    return true;
}

bool parse_mailbox_dovecot(struct span prog, struct span s, struct event *ev)
{
    struct span service = prog;

    s = skip_level(s);
    /* "dovecot: imap-login: ...": the process name leads the message. */
    long c = span_find_lit(s, ": ");
    if (c > 0 && c < 40) {
        struct span word = span_make(s.p, (size_t)c);
        if (span_ends(word, "-login", 6) || span_starts_lit(word, "auth")) {
            service = word;
            s = skip_level(span_skip(s, (size_t)c + 2));
        }
    }
    if (span_ends(service, "-login", 6))
        return dovecot_login(s, service, ev);
    if (span_starts_lit(service, "auth"))
        return dovecot_auth(s, ev);
    return false;
}

/* Cyrus: "badlogin: host [A] MECH [SASL(-13): authentication failure: ...]"
 * (AUTHENTICATE) or "badlogin: host [A] plaintext user SASL(-13): ..."
 * (LOGIN). The host part is Cyrus's "name [addr]" of the peer (a resolved
 * name or none), so the first '[' opens the address. */
bool parse_mailbox_cyrus(struct span s, struct event *ev)
{
    if (!span_starts_lit(s, "badlogin: "))
        return false;
    s = span_skip(s, 10);
    long lb = span_chr(s, '[');
    if (lb < 0)
        return false;
    struct span a = span_skip(s, (size_t)lb + 1);
    long rb = span_chr(a, ']');
    if (rb <= 0 || !ipaddr_parse(span_make(a.p, (size_t)rb), &ev->ip))
        return false;
    if (lb > 1 && s.p[lb - 1] == ' ')
        ev->rdns = span_make(s.p, (size_t)lb - 1);
    struct span rest = span_trim_left(span_skip(a, (size_t)rb + 1));
    long sp = span_chr(rest, ' ');
    ev->sasl_method = sp < 0 ? rest : span_make(rest.p, (size_t)sp);
    rest = sp < 0 ? SPAN_NULL : span_skip(rest, (size_t)sp + 1);
    if (span_eq_lit(ev->sasl_method, "plaintext") && rest.n) {
        sp = span_chr(rest, ' ');
        ev->sasl_user = sp < 0 ? rest : span_make(rest.p, (size_t)sp);
        rest = sp < 0 ? SPAN_NULL : span_skip(rest, (size_t)sp + 1);
    }
    ev->text = scan_bounded(span_trim_right(rest));
    ev->type = EV_AUTH_FAIL;
    return true;
}
