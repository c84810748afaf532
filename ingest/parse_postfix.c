/*
 * Postfix: dispatch by daemon, and smtpd's own messages. Only what Postfix
 * itself wrote is trusted for the client: the "host[addr]" right after
 * "from " (or "client=") in the fixed position of each message shape.
 */
#include <string.h>
#include "parse_postfix.h"
#include "parse_postscreen.h"
#include "parse_pfqueue.h"
#include "parse_reject.h"
#include "scan.h"

/* "hostname H does not resolve to address A[: why]" and the older
 * "A: hostname H verification failed", "A: address not listed for hostname H". */
static bool parse_rdns_warning(struct span s, struct event *ev)
{
    long at;

    if (span_starts_lit(s, "smtpd_peer_init: "))
        s = span_skip(s, 17);
    if (span_starts_lit(s, "hostname ")
        && (at = span_find_lit(s, " does not resolve to address ")) > 9) {
        ev->rdns = span_make(s.p + 9, (size_t)at - 9);
        struct span a = span_skip(s, (size_t)at + 29);
        size_t j = 0;
        while (j < a.n && a.p[j] != ':' && a.p[j] != ' ')
            j++;
        /* IPv6 addresses contain ':': take the longest prefix that parses. */
        if (!ipaddr_parse(span_make(a.p, j), &ev->ip)) {
            j = 0;
            while (j < a.n && a.p[j] != ' ' && j < 64)
                j++;
            while (j > 0 && !ipaddr_parse(span_make(a.p, j), &ev->ip))
                j--;
            if (j == 0)
                return false;
        }
        ev->type = EV_RDNS_FAIL;
        return true;
    }
    /* "A: hostname H verification failed: ..." */
    long c = span_find_lit(s, ": ");
    if (c <= 0 || c > 45 || !ipaddr_parse(span_make(s.p, (size_t)c), &ev->ip))
        return false;
    struct span r = span_skip(s, (size_t)c + 2);
    if (span_starts_lit(r, "hostname ") && (at = span_find_lit(r, " verification failed")) > 9)
        ev->rdns = span_make(r.p + 9, (size_t)at - 9);
    else if (span_starts_lit(r, "address not listed for hostname "))
        ev->rdns = span_trim_right(span_skip(r, 32));
    else
        return false;
    ev->type = EV_RDNS_FAIL;
    ev->text = scan_bounded(r);
    return true;
}

/* anvil limits enforced by smtpd: "Connection rate limit exceeded: 31 from
 * host[addr] for service smtp". smtpd answers 421 and hangs up. */
static bool parse_limit_warning(struct span s, struct event *ev)
{
    static const struct {
        const char *lead;
        size_t n;
        const char *stage;
    } limits[] = {
        { "Connection rate limit exceeded: ", 32, "CONNECT" },
        { "Connection concurrency limit exceeded: ", 39, "CONNECT" },
        { "Message delivery request rate limit exceeded: ", 46, "MAIL" },
        { "Recipient address rate limit exceeded: ", 39, "RCPT" },
        { "New TLS session rate limit exceeded: ", 37, "STARTTLS" },
        { "New AUTH rate limit exceeded: ", 30, "AUTH" },
    };

    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        if (!span_starts(s, limits[i].lead, limits[i].n))
            continue;
        long at = span_find_lit(s, " from ");
        if (at < 0)
            return false;
        size_t used = scan_client(span_skip(s, (size_t)at + 6), ev);
        if (used == 0)
            return false;
        ev->type = EV_REJECT;
        ev->reason = R_RATE_LIMIT;
        ev->stage = span_make(limits[i].stage, strlen(limits[i].stage));
        ev->text = scan_bounded(s);
        return true;
    }
    return false;
}

/* "warning: ..." from smtpd. */
static bool parse_warning(struct span s, struct event *ev)
{
    long at;
    size_t used;

    if (parse_rdns_warning(s, ev) || parse_limit_warning(s, ev))
        return true;
    if (span_starts_lit(s, "non-SMTP command from ")) {
        if ((used = scan_client(span_skip(s, 22), ev)) == 0)
            return false;
        struct span tail = span_skip(s, 22 + used);
        if (span_starts_lit(tail, ": "))
            ev->text = scan_bounded(span_skip(tail, 2));
        ev->type = EV_LOST;
        ev->reason = R_PS_NON_SMTP;
        return true;
    }
    /* "Illegal address syntax from host[addr] in MAIL command: addr": smtpd
     * answers 501. */
    if (span_starts_lit(s, "Illegal address syntax from ")) {
        if ((used = scan_client(span_skip(s, 28), ev)) == 0)
            return false;
        struct span r = span_skip(s, 28 + used);
        if (span_starts_lit(r, " in ")) {
            long sp = span_chr(span_skip(r, 4), ' ');
            if (sp > 0)
                ev->stage = span_make(r.p + 4, (size_t)sp);
        }
        ev->type = EV_REJECT;
        ev->reason = span_eq_lit(ev->stage, "MAIL") ? R_SENDER : R_OTHER;
        ev->text = scan_bounded(s);
        return true;
    }
    if ((used = scan_client(s, ev)) == 0)
        return false;
    struct span rest = span_skip(s, used);
    if (span_starts_lit(rest, " sent message header instead of SMTP command: ")) {
        ev->text = scan_bounded(span_skip(rest, 46));
        ev->type = EV_LOST;
        ev->reason = R_PS_NON_SMTP;
        return true;
    }
    /* "host[addr]: SASL LOGIN authentication failed: ..."; the generic
     * "SASL authentication failure: ..." of the SASL library names no client
     * and is not matched (scan_client failed above). */
    if (span_starts_lit(rest, ": SASL ") && (at = span_find_lit(rest, " authentication failed")) > 0) {
        struct span m = span_skip(rest, 7);
        long sp = span_chr(m, ' ');
        if (sp > 0)
            ev->sasl_method = span_make(m.p, (size_t)sp);
        struct span why = span_skip(rest, (size_t)at + 22);
        if (span_starts_lit(why, ": "))
            ev->text = scan_bounded(span_skip(why, 2));
        ev->sasl_user = scan_kv(why, "sasl_username=", 14);
        ev->type = EV_AUTH_FAIL;
        /* The backend cannot be reached: says nothing about the client.
         * "Connection lost to authentication server" is not that: under
         * Dovecot's auth penalty a brute force sees it for about a third
         * of its attempts, so it is a failure like the others. */
        if (span_find_lit(why, "cannot connect to") >= 0)
            ev->reason = R_SERVER_ERROR;
        return true;
    }
    return false;
}

/* "lost connection after X from host[addr]" and its siblings; X may carry
 * a byte count ("DATA (494133 bytes)"). */
static const struct {
    const char *lead;
    size_t n;
    enum ev_reason r;
} after_shapes[] = {
    { "lost connection after ", 22, R_LOST },
    { "timeout after ", 14, R_TIMEOUT },
    { "too many errors after ", 22, R_TOO_MANY_ERRORS },
    { "improper command pipelining after ", 34, R_PIPELINING },
};
enum { N_AFTER = sizeof(after_shapes) / sizeof(after_shapes[0]) };

/* The after_shapes entry s starts with, or N_AFTER. */
static size_t after_shape(struct span s)
{
    size_t i = 0;

    while (i < N_AFTER && !span_starts(s, after_shapes[i].lead, after_shapes[i].n))
        i++;
    return i;
}

static bool parse_after(struct span s, struct event *ev)
{
    size_t i = after_shape(s);

    if (i == N_AFTER)
        return false;
    struct span r = span_skip(s, after_shapes[i].n);
    long at = span_find_lit(r, " from ");
    if (at <= 0)
        return false;
    long sp = span_chr(span_make(r.p, (size_t)at), ' ');
    ev->stage = span_make(r.p, sp > 0 ? (size_t)sp : (size_t)at);
    size_t used = scan_client(span_skip(r, (size_t)at + 6), ev);
    if (used == 0)
        return false;
    struct span tail = span_skip(r, (size_t)at + 6 + used);
    if (span_starts_lit(tail, ": ") && tail.n > 2)
        ev->text = scan_bounded(span_skip(tail, 2));
    ev->type = EV_LOST;
    ev->reason = after_shapes[i].r;
    return true;
}

/* "[Untrusted |Anonymous |Verified ]TLS connection established from
 * host[addr]: TLSv1.3 with cipher ..." (smtpd), "... to host[addr]:25: ..."
 * (smtp, the remote server goes to relay). */
static bool parse_tls(struct span s, struct event *ev)
{
    /* "Anonymous TLS connection established ...": the phrase starts in
     * the first 13 bytes, so only those are searched, not the line. */
    long at = span_find_lit(span_make(s.p, s.n < 12 + 27 ? s.n : 12 + 27),
                            "TLS connection established ");
    if (at < 0 || at > 12)
        return false;
    struct span r = span_skip(s, (size_t)at + 27);
    size_t used;
    if (span_starts_lit(r, "from ")) {
        if ((used = scan_client(span_skip(r, 5), ev)) == 0)
            return false;
        r = span_skip(r, 5 + used);
    } else if (span_starts_lit(r, "to ")) {
        r = span_skip(r, 3);
        long c = span_find_lit(r, ": ");
        if (c <= 0)
            return false;
        ev->relay = span_make(r.p, (size_t)c);
        r = span_skip(r, (size_t)c);
    } else {
        return false;
    }
    if (span_starts_lit(r, ": "))
        ev->text = scan_bounded(span_trim_right(span_skip(r, 2)));
    ev->type = EV_TLS;
    return true;
}

/* tls_server.c: "SSL_accept error from host[addr]: -1" (or ": lost
 * connection"): the client dropped or broke the handshake. */
static bool parse_ssl_accept_error(struct span s, struct event *ev)
{
    if (!span_starts_lit(s, "SSL_accept error from "))
        return false;
    size_t used = scan_client(span_skip(s, 22), ev);
    if (used == 0)
        return false;
    struct span tail = span_skip(s, 22 + used);
    if (span_starts_lit(tail, ": ") && tail.n > 2)
        ev->text = scan_bounded(span_skip(tail, 2));
    ev->type = EV_LOST;
    ev->reason = R_LOST;
    ev->stage = SPAN_LIT("STARTTLS");
    return true;
}

/* tlsproxy (postscreen's and the smtp client's TLS engine): "CONNECT from
 * [addr]:port" / "CONNECT to [addr]:port" (a TLS session starts; postscreen
 * logged the connection), the TLS server's lines, and "warning: ciphertext
 * read/write timeout|error for [addr]:port" (the client stalled or broke
 * the session, like smtpd's lost connection after STARTTLS). */
static bool parse_tlsproxy(struct span s, struct event *ev)
{
    if (parse_ssl_accept_error(s, ev) || parse_tls(s, ev))
        return true;
    scan_event_clear(ev);
    if (span_starts_lit(s, "CONNECT from ") || span_starts_lit(s, "CONNECT to ")) {
        struct span r = span_skip(s, s.p[8] == 'f' ? 13 : 11);
        if (scan_client(r, ev) == 0)
            return false;
        ev->stage = SPAN_LIT("CONNECT");
        ev->type = EV_TLS;
        return true;
    }
    if (span_starts_lit(s, "warning: ciphertext read/write ")) {
        struct span r = span_skip(s, 31);
        long at = span_find_lit(r, " for ");
        if (at < 0 || scan_client(span_skip(r, (size_t)at + 5), ev) == 0)
            return false;
        ev->reason = span_starts_lit(r, "timeout") ? R_TIMEOUT : R_LOST;
        ev->stage = SPAN_LIT("STARTTLS");
        ev->text = scan_bounded(span_make(r.p, (size_t)at));
        ev->type = EV_LOST;
        return true;
    }
    if (span_starts_lit(s, "warning: deadlock on ")) {
        long at = span_find_lit(s, " stream for ");
        if (at < 0 || scan_client(span_skip(s, (size_t)at + 12), ev) == 0)
            return false;
        ev->text = scan_bounded(span_skip(s, 9));
        ev->type = EV_TLS;
        return true;
    }
    return false;
}

static bool parse_smtpd(struct span s, struct event *ev)
{
    if (span_starts_lit(s, "connect from ")) {
        ev->type = EV_CONNECT;
        return scan_client(span_skip(s, 13), ev) > 0;
    }
    if (span_starts_lit(s, "disconnect from ")) {
        struct span r = span_skip(s, 16);
        size_t used = scan_client(r, ev);
        if (used == 0)
            return false;
        ev->type = EV_DISCONNECT;
        struct span counters = span_trim_right(span_trim_left(span_skip(r, used)));
        if (counters.n)
            ev->text = scan_bounded(counters);
        return true;
    }
    if (span_starts_lit(s, "warning: ")) {
        if (parse_warning(span_skip(s, 9), ev))
            return true;
        /* smtp's line, which some logs (and message-only excerpts) put
         * under smtpd's name: about a remote server, not a client. */
        scan_event_clear(ev);
        return span_starts_lit(s, "warning: bad size limit ") && parse_pfqueue_remote(s, ev);
    }
    if (parse_ssl_accept_error(s, ev) || parse_after(s, ev) || parse_tls(s, ev))
        return true;
    /* Some builds log "client=" without the queue id. */
    if (span_starts_lit(s, "client=")) {
        if (scan_client(span_skip(s, 7), ev) == 0)
            return false;
        ev->type = EV_CLIENT;
        ev->sasl_method = scan_kv(s, "sasl_method=", 12);
        ev->sasl_user = scan_kv(s, "sasl_username=", 14);
        return true;
    }
    /* Postfix before 2.3 wrote rejects without the queue id. */
    if (span_starts_lit(s, "reject: ")) {
        ev->type = EV_REJECT;
        return parse_reject_line(span_skip(s, 8), ev);
    }
    if (span_starts_lit(s, "reject_warning: ")) {
        ev->type = EV_REJECT_WARNING;
        return parse_reject_line(span_skip(s, 16), ev);
    }
    return false;
}

bool parse_postfix(struct span service, struct span msg, struct event *ev)
{
    return parse_postfix_as(parse_postfix_daemon(service), service, msg, ev);
}

bool parse_postfix_as(enum pf_daemon d, struct span service, struct span msg, struct event *ev)
{
    size_t q;

    if (d == PFD_POSTSCREEN)
        return parse_postscreen(msg, ev);
    if (d == PFD_SMTPD) {
        /* Every shape parse_smtpd knows starts with a word of its own, not
         * a queue id: "QID: client=..." and "NOQUEUE: reject: ..." (most
         * smtpd lines) skip its tries and a clear. */
        if ((q = scan_queue_prefix(msg, ev)) == 0) {
            if (parse_smtpd(msg, ev))
                return true;
            scan_event_clear(ev);
        } else {
            if (after_shape(span_skip(msg, q)) < N_AFTER) {
                /* "NOQUEUE: lost connection after ..." (some patched
                 * builds). */
                if (parse_after(span_skip(msg, q), ev))
                    return true;
                scan_event_clear(ev);
                scan_queue_prefix(msg, ev);
            }
            /* None of the tries below takes a line that starts with a
             * queue id: its queue line at once, the id read once. */
            return parse_pfqueue_rest(msg, q, ev);
        }
    }
    if ((span_eq_lit(service, "smtp") || span_eq_lit(service, "lmtp")) && parse_tls(msg, ev))
        return true;
    if (span_eq_lit(service, "tlsproxy")) {
        if (parse_tlsproxy(msg, ev))
            return true;
        scan_event_clear(ev);
    }
    /* "warning: QUEUEID: ..." belongs to that message's history. */
    if (span_starts_lit(msg, "warning: ") && (q = scan_queue_prefix(span_skip(msg, 9), ev)) > 0) {
        ev->text = scan_bounded(span_trim_right(span_skip(msg, 9 + q)));
        ev->type = EV_NOTE;
        return true;
    }
    return parse_pfqueue(service, msg, ev);
}
