/* Syslog and multilog headers, dispatch to the program parsers, statistics.
 * The scanners the parsers share live below them, in scan.c. */
#include <string.h>
#include "parse.h"
#include "parse_policy.h"
#include "parse_postfix.h"
#include "parse_pfqueue.h"
#include "parse_qmail.h"
#include "scan.h"

void parser_init(struct parser *ps, time_t ref, int year)
{
    memset(ps, 0, sizeof(*ps));
    tstamp_init(&ps->ts, ref, year);
}

static void count_unrecognised(struct parse_stats *st, struct span prog,
                               uint64_t k)
{
    unsigned i;

    if (prog.n == 0)
        prog = SPAN_LIT("(none)");
    if (prog.n >= PARSE_PROG_NAME)
        prog.n = PARSE_PROG_NAME - 1;
    for (i = 0; i < st->nprog; i++)
        if (strlen(st->unrec[i].name) == prog.n
            && memcmp(st->unrec[i].name, prog.p, prog.n) == 0) {
            st->unrec[i].count += k;
            return;
        }
    if (st->nprog == PARSE_PROG_SLOTS - 1) {
        memcpy(st->unrec[PARSE_PROG_SLOTS - 1].name, "(other)", 8);
        st->unrec[PARSE_PROG_SLOTS - 1].count += k;
        return;
    }
    /* Program names come from the log: keep them printable. */
    for (size_t j = 0; j < prog.n; j++) {
        unsigned char c = (unsigned char)prog.p[j];
        st->unrec[st->nprog].name[j] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    st->unrec[st->nprog].name[prog.n] = 0;
    st->unrec[st->nprog].count = k;
    st->nprog++;
}

void parse_stats_merge(struct parse_stats *dst, const struct parse_stats *src)
{
    dst->lines += src->lines;
    dst->events += src->events;
    dst->no_header += src->no_header;
    dst->long_lines += src->long_lines;
    for (unsigned i = 0; i < PARSE_PROG_SLOTS; i++)
        if (src->unrec[i].count)
            count_unrecognised(dst, span_make(src->unrec[i].name,
                                              strlen(src->unrec[i].name)),
                               src->unrec[i].count);
}

/* A syslog tag: the program name, its part after the last '/' (null when
 * it has none) and the pid (null when absent). */
struct tag {
    struct span prog, service, pid;
    size_t used;                /* bytes of s up to the message */
};

/* "prog[pid]: " or "prog: " at the start of s. Every line passes here:
 * inlined, so that the spans stay in registers instead of being stored
 * and loaded again as a whole (a store-forwarding stall per line). */
static inline __attribute__((always_inline)) bool parse_tag(struct span s, struct tag *t)
{
    size_t slash, i = span_find_any3_last(s.p, s.n, '[', ':', ' ', '/', &slash);

    if (i == 0 || i >= s.n)
        return false;
    t->prog = span_make(s.p, i);
    t->service = slash < i ? span_make(s.p + slash + 1, i - slash - 1) : SPAN_NULL;
    t->pid = SPAN_NULL;
    if (s.p[i] == '[') {
        size_t j = i + 1 + span_digit_run(s.p + i + 1, s.n - i - 1);
        if (j == i + 1 || j >= s.n || s.p[j] != ']')
            return false;
        t->pid = span_make(s.p + i + 1, j - i - 1);
        i = j + 1;
    }
    if (i >= s.n || s.p[i] != ':')
        return false;
    i++;
    if (i < s.n && s.p[i] == ' ')
        i++;
    t->used = i;
    return true;
}

/* A Postfix message whose daemon the header does not name: smtpd's shapes
 * and queue lines first (parse_postfix hands "QID: ..." on), then
 * postscreen's and dnsblog's, which start with words of their own. */
static bool parse_postfix_guess(struct span msg, struct event *ev)
{
    struct span repeat = ev->repeat;

    if (parse_postfix(SPAN_LIT("smtpd"), msg, ev))
        return true;
    scan_event_clear(ev);
    ev->repeat = repeat;
    return parse_postfix(SPAN_LIT("postscreen"), msg, ev);
}

/* By the syslog tag: any syslog_name ("postfix", "postfix-out", "mx/smtpd")
 * ends in a Postfix daemon name after a '/'; everything else is qmail's
 * family or a policy server, or unknown. */
static bool dispatch(const struct parser *ps, const struct tag *t, struct span msg,
                     struct event *ev)
{
    if (t->service.p) {
        if (ps->client_only && parse_postfix_queue_daemon(t->service)
            && parse_pfqueue_no_client(msg, ev))
            return true;
        return parse_postfix(t->service, msg, ev);
    }
    if (span_eq_lit(t->prog, "postgrey"))
        return parse_policy(t->prog, msg, ev);
    /* "postfix[pid]:" (or "postfix-out[pid]:"): a syslog_name with no
     * daemon after it, as some container setups and relays write it. */
    if (span_starts_lit(t->prog, "postfix"))
        return parse_postfix_guess(msg, ev);
    return parse_qmail(t->prog, msg, ev);
}

/* "N" of "last message repeated N times" (syslogd's own line). */
static bool repeated_line(struct span s, struct event *ev)
{
    uint64_t v;
    size_t k;

    if (span_starts_lit(s, "--- "))
        s = span_skip(s, 4);
    if (!span_starts_lit(s, "last message repeated "))
        return false;
    s = span_skip(s, 22);
    if ((k = scan_digits(s, &v)) == 0 || !span_starts_lit(span_skip(s, k), " time"))
        return false;
    ev->type = EV_REPEATED;
    ev->repeat = span_make(s.p, k);
    return true;
}

/* rsyslog: "message repeated N times: [ MSG]" wraps the repeated message. */
static struct span unwrap_repeated(struct span s, struct event *ev)
{
    uint64_t v;
    size_t k;

    if (!span_starts_lit(s, "message repeated "))
        return s;
    struct span r = span_skip(s, 17);
    if ((k = scan_digits(r, &v)) == 0)
        return s;
    struct span t = span_skip(r, k);
    if (!span_starts_lit(t, " times: [") && !span_starts_lit(t, " time: ["))
        return s;
    long lb = span_chr(t, '[');
    struct span inner = span_trim_left(span_skip(t, (size_t)lb + 1));
    inner = span_trim_right(inner);
    if (inner.n && inner.p[inner.n - 1] == ']')
        inner.n--;
    ev->repeat = span_make(r.p, k);
    return inner;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* grep over a multilog directory prefixes each line with its file name,
 * "@<tai64n>.s:" (rotated) or ".u:" (unfinished). */
static struct span skip_multilog_file(struct span s)
{
    if (s.n < 29 || s.p[0] != '@' || s.p[25] != '.' || s.p[27] != ':'
        || (s.p[26] != 's' && s.p[26] != 'u'))
        return s;
    for (size_t i = 1; i < 25; i++)
        if (!is_hex(s.p[i]))
            return s;
    return span_skip(s, 28);
}

/* One RFC 5424 header field: a token up to the next space, "-" = absent. */
static struct span field5424(struct span *s)
{
    long sp = span_chr(*s, ' ');
    struct span f = sp < 0 ? *s : span_make(s->p, (size_t)sp);

    *s = span_skip(*s, sp < 0 ? s->n : (size_t)sp + 1);
    return span_eq_lit(f, "-") ? SPAN_NULL : f;
}

/* Structured data: "-" or "[id k="v" ...][...]" where a value may hold
 * '\]', '\"' and '\\'. Returns bytes used, 0 when malformed. */
static size_t skip_sd(struct span s)
{
    size_t i = 0;

    if (s.n && s.p[0] == '-')
        return 1;
    while (i < s.n && s.p[i] == '[') {
        bool quoted = false;
        for (i++; i < s.n; i++) {
            char c = s.p[i];
            if (quoted && c == '\\')
                i++;
            else if (c == '"')
                quoted = !quoted;
            else if (!quoted && c == ']')
                break;
        }
        if (i >= s.n)
            return 0;
        i++;
    }
    return i;
}

/* "1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]" after "<PRI>": the tag is
 * APP and PROCID, the message starts after the structured data (and an
 * optional UTF-8 byte-order mark). */
static bool parse_rfc5424(struct parser *ps, struct span s, struct event *ev,
                          struct tag *t, struct span *msg)
{
    size_t used;

    s = span_skip(s, 2);
    if (span_starts_lit(s, "- "))
        s = span_skip(s, 2);
    else if (tstamp_parse(&ps->ts, s, &ev->ts, &ev->usec, &used)
             && used < s.n && s.p[used] == ' ') {
        ev->has_ts = true;
        s = span_skip(s, used + 1);
    } else {
        return false;
    }
    ev->host = field5424(&s);
    t->prog = field5424(&s);
    struct span pid = field5424(&s);
    field5424(&s);                          /* MSGID */
    if (!t->prog.p || s.n == 0)
        return false;
    size_t sd = skip_sd(s);
    if (sd == 0)
        return false;
    s = span_skip(s, sd);
    if (span_starts_lit(s, " "))
        s = span_skip(s, 1);
    if (span_starts_lit(s, "\xef\xbb\xbf"))
        s = span_skip(s, 3);
    long slash = span_rchr(t->prog, '/');
    t->service = slash >= 0 ? span_skip(t->prog, (size_t)slash + 1) : SPAN_NULL;
    uint64_t v;
    t->pid = pid.p && scan_digits(pid, &v) == pid.n ? pid : SPAN_NULL;
    *msg = s;
    return true;
}

bool parse_line(struct parser *ps, const char *p, size_t n, struct event *ev)
{
    struct span s = span_make(p, n), prog = SPAN_NULL, host = SPAN_NULL, msg;
    struct tag tag;
    size_t used;
    bool ok = false, multilog = false, stamped;

    event_reset(ev);
    ps->st.lines++;
    while (s.n && (s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n'))
        s.n--;
    if (s.n > 0 && s.p[0] == '<') {         /* "<PRI>" prefix from raw syslog */
        long gt = span_chr(span_make(s.p, s.n < 6 ? s.n : 6), '>');
        if (gt > 1) {
            s = span_skip(s, (size_t)gt + 1);
            if (span_starts_lit(s, "1 ")) {
                if (!parse_rfc5424(ps, s, ev, &tag, &msg)) {
                    ps->st.no_header++;
                    return false;
                }
                stamped = true;         /* framed: never a bare message */
                prog = tag.prog;
                goto tagged;
            }
        }
    }
    s = skip_multilog_file(s);
    multilog = s.n > 0 && s.p[0] == '@';
    stamped = tstamp_parse(&ps->ts, s, &ev->ts, &ev->usec, &used);
    if (stamped) {
        ev->has_ts = true;
        s = span_trim_left(span_skip(s, used));
        /* multilog lines carry no host and often no program name. */
        if (!multilog) {
            long sp = span_chr(s, ' ');
            if (sp <= 0) {
                ps->st.no_header++;
                return false;
            }
            /* No host at all ("Nov 24 06:25:01 postfix/smtpd[1]: ..."):
             * a host name never ends in ':', a tag always does. */
            if (s.p[sp - 1] != ':') {
                host = span_make(s.p, (size_t)sp);
                s = span_skip(s, (size_t)sp + 1);
            }
            ev->host = host;
            if (repeated_line(s, ev))
                goto done;
        }
    } else if (multilog) {
        ps->st.no_header++;
        return false;
    }
    if (multilog) {
        /* "tcpserver: ok ...", or qmail-send's own lines without a name. */
        if ((ok = parse_qmail(SPAN_NULL, s, ev)))
            goto done;
        prog = ev->prog;
    } else if (parse_tag(s, &tag)) {
        msg = span_skip(s, tag.used);
        prog = tag.prog;
tagged:
        /* Solaris: "prog[pid]: [ID 197553 mail.info] msg" */
        if (span_starts_lit(msg, "[ID ")) {
            long rb = span_chr(msg, ']');
            if (rb > 0)
                msg = span_trim_left(span_skip(msg, (size_t)rb + 1));
        }
        msg = unwrap_repeated(msg, ev);
        /* A relay that logs the tag twice: "postfix/smtpd[1]: postfix/smtpd[1]: msg". */
        if (msg.n > prog.n && (msg.p[prog.n] == '[' || msg.p[prog.n] == ':')
            && span_starts(msg, prog.p, prog.n)) {
            struct tag again;
            if (parse_tag(msg, &again))
                msg = span_skip(msg, again.used);
        }
        ev->prog = prog;
        ev->pid = tag.pid;
        if ((ok = dispatch(ps, &tag, msg, ev)))
            goto done;
    }
    if (!stamped) {
        /* A bare message (journalctl -o cat, a grep'd excerpt, a collector
         * that stores only the message): the Postfix shapes, which name
         * their client themselves in fixed places. */
        struct span repeat = ev->repeat;
        event_reset(ev);
        ev->repeat = repeat;
        if ((ok = parse_postfix_guess(s, ev)))
            goto done;
        ps->st.no_header++;
        return false;
    }
    if (!prog.p && !multilog) {
        ps->st.no_header++;
        return false;
    }
done:
    if (ok || ev->type == EV_REPEATED) {
        ps->st.events++;
        return true;
    }
    count_unrecognised(&ps->st, prog, 1);
    return false;
}
