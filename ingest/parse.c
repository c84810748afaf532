/* Syslog and multilog headers, dispatch to program parsers, statistics,
 * and the small scanners the program parsers share. */
#include <string.h>
#include "parse.h"

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
    if ((k = parse_digits(s, &v)) == 0 || !span_starts_lit(span_skip(s, k), " time"))
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
    if ((k = parse_digits(r, &v)) == 0)
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

bool parse_line(struct parser *ps, const char *p, size_t n, struct event *ev)
{
    struct span s = span_make(p, n), prog = SPAN_NULL, host = SPAN_NULL;
    struct tag tag;
    size_t used;
    bool ok = false, multilog, stamped;

    event_reset(ev);
    ps->st.lines++;
    while (s.n && (s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n'))
        s.n--;
    if (s.n > 0 && s.p[0] == '<') {         /* "<PRI>" prefix from raw syslog */
        long gt = span_chr(span_make(s.p, s.n < 6 ? s.n : 6), '>');
        if (gt > 1)
            s = span_skip(s, (size_t)gt + 1);
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
        struct span msg = span_skip(s, tag.used);
        prog = tag.prog;
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
        /* A bare message (journalctl -o cat, a grep'd excerpt): only the
         * unambiguous smtpd shapes, which name their client themselves. */
        struct span repeat = ev->repeat;
        event_reset(ev);
        ev->repeat = repeat;
        if ((ok = parse_postfix(SPAN_LIT("smtpd"), s, ev)))
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

size_t parse_client(struct span s, struct event *ev)
{
    /* "host[addr]": no space or bracket in the host name, no space or ']'
     * in the address. Both ends from one mask of the first 64 bytes when
     * they are in it (nearly always); else searched for. */
    uint64_t m = span_mask3_64(s.p, s.n, '[', ' ', ']');
    size_t lb = m ? (size_t)__builtin_ctzll(m) : span_find_any3(s.p, 64, s.n, '[', ' ', ']');
    struct span host, addr;
    size_t i;

    if (lb == s.n || s.p[lb] != '[')
        return 0;
    host = span_make(s.p, lb);
    size_t a0 = lb + 1;
    /* A '[' in the mask ends the address too: then it is no ']' (as a
     * '[' inside the address would fail to parse). */
    m = lb < 64 ? (m >> lb) >> 1 : 0;
    i = m ? a0 + (size_t)__builtin_ctzll(m) : span_find_any3(s.p, a0 > 64 ? a0 : 64, s.n, ']', ' ', ']');
    if (i >= s.n || s.p[i] != ']')
        return 0;
    addr = span_make(s.p + a0, i - a0);
    i++;
    if (!span_eq_lit(addr, "unknown") && !ipaddr_parse(addr, &ev->ip))
        return 0;
    if (span_eq_lit(host, "unknown"))
        ev->rdns_unknown = true;
    else if (host.n)
        ev->rdns = host;
    if (i < s.n && s.p[i] == ':') {         /* smtpd_client_port_logging */
        uint32_t port = 0;
        size_t j = i + 1;
        while (j < s.n && s.p[j] >= '0' && s.p[j] <= '9' && j - i <= 5)
            port = port * 10 + (uint32_t)(s.p[j++] - '0');
        if (j > i + 1 && port <= 65535) {
            ev->port = port;
            i = j;
        }
    }
    return i;
}

/* The value after a key that ends at s.p[i - 1]. */
static struct span kv_value(struct span s, size_t i)
{
    if (i < s.n && s.p[i] == '<') {
        /* <...>: up to the '>' followed by a separator or the end. */
        for (size_t j = i + 1; (j = span_find_byte(s.p, j, s.n, '>')) < s.n; j++)
            if (j + 1 == s.n || s.p[j + 1] == ' ' || s.p[j + 1] == ',' || s.p[j + 1] == ';'
                || s.p[j + 1] == ':')
                return span_make(s.p + i + 1, j - i - 1);
        return span_make(s.p + i + 1, s.n - i - 1);
    }
    size_t j = span_find_any3(s.p, i, s.n, ',', ' ', ';');
    return span_make(s.p + i, j - i);
}

/* What may precede a key: a key inside a value ("xfrom=") is not a key. */
static inline bool kv_separator(char c)
{
    return c == ' ' || c == ',' || c == ';' || c == '(';
}

/* Does key, whose last 8 bytes (or all) are tail (parse_kv_tail), end at
 * s.p[e], starting a word? Those 8 bytes are one compare; only longer
 * keys have letters left to compare one by one. */
static inline bool kv_key_at(struct span s, size_t e, const char *key, size_t keylen,
                             uint64_t tail)
{
    if (e + 1 < keylen)
        return false;
    size_t k = e + 1 - keylen, m = 0;
    if (e >= 7) {
        unsigned shift = 8 * (8 - (unsigned)(keylen < 8 ? keylen : 8));
        if ((span_load8(s.p + e - 7) >> shift) != tail)
            return false;
        for (; m + 8 < keylen; m++)
            if (s.p[k + m] != key[m])
                return false;
    } else {
        for (; m < keylen; m++)
            if (s.p[k + m] != key[m])
                return false;
    }
    return k == 0 || kv_separator(s.p[k - 1]);
}

struct span parse_kv(struct span s, const char *key, size_t keylen)
{
    if (keylen == 0)
        return SPAN_NULL;
    /* Keys end in '=' (qmail's in ':'), rare in a line: look for that
     * byte and check the rest of the key before it. */
    char last = key[keylen - 1];
    uint64_t tail = parse_kv_tail(key, keylen);
    for (size_t e = 0; (e = span_find_byte(s.p, e, s.n, last)) < s.n; e++)
        if (kv_key_at(s, e, key, keylen, tail))
            return kv_value(s, e + 1);
    return SPAN_NULL;
}

/* One pass over the '=' of s for all the keys of a line shape (a
 * delivery line has five): the first match of each, as parse_kv finds it.
 * The keys still looked for are bits of a mask: a '=' costs one compare
 * per key left, and ends at the key that matches (keys start words, so
 * one '=' ends one key at most). */
void parse_kv_many(struct span s, struct parse_kv_want *w, size_t n)
{
    uint32_t left = 0;

    for (size_t i = 0; i < n && i < 32; i++) {
        w[i].val = SPAN_NULL;
        if (w[i].keylen && w[i].key[w[i].keylen - 1] == '=')
            left |= 1u << i;
        else if (w[i].keylen)
            w[i].val = parse_kv(s, w[i].key, w[i].keylen);
    }
    for (size_t e = 0; left && (e = span_find_byte(s.p, e, s.n, '=')) < s.n; e++)
        for (uint32_t m = left; m; m &= m - 1) {
            unsigned i = (unsigned)__builtin_ctz(m);
            if (kv_key_at(s, e, w[i].key, w[i].keylen, w[i].tail)) {
                w[i].val = kv_value(s, e + 1);
                left &= ~(1u << i);
                break;
            }
        }
}

size_t parse_dsn_len(struct span s)
{
    size_t k = 0, dots = 0, run = 0;

    if (s.n == 0 || (s.p[0] != '2' && s.p[0] != '4' && s.p[0] != '5'))
        return 0;
    while (k < s.n && ((s.p[k] >= '0' && s.p[k] <= '9') || s.p[k] == '.')) {
        if (s.p[k] == '.') {
            if (run == 0)
                return 0;
            dots++;
            run = 0;
        } else if (++run > 3) {
            return 0;
        }
        k++;
    }
    return dots == 2 && run > 0 ? k : 0;
}

size_t parse_code_dsn(struct span s, struct event *ev)
{
    size_t i = 0, k;

    /* milters and proxies may answer with the enhanced code alone. */
    if ((k = parse_dsn_len(s)) > 0 && (k == s.n || s.p[k] == ' ' || s.p[k] == ';')) {
        ev->dsn = span_make(s.p, k);
        return k;
    }
    if (s.n < 3 || s.p[0] < '2' || s.p[0] > '5' || s.p[1] < '0' || s.p[1] > '9'
        || s.p[2] < '0' || s.p[2] > '9' || (s.n > 3 && s.p[3] != ' ' && s.p[3] != '-'))
        return 0;
    ev->code = span_make(s.p, 3);
    i = 3;
    if (i + 1 < s.n && (s.p[i] == ' ' || s.p[i] == '-')) {
        struct span d = span_skip(s, i + 1);
        if ((k = parse_dsn_len(d)) > 0 && (k == d.n || d.p[k] == ' ')) {
            ev->dsn = span_make(d.p, k);
            i += 1 + k;
        }
    }
    return i;
}

/* Character classes of queue ids: one table lookup per byte, no branches
 * (every Postfix line asks). */
enum { QC_HEX = 1, QC_NONHEX = 2, QC_VOWEL = 4, QC_Z = 8, QC_BAD = 16 };
static const unsigned char qid_class[256] = {
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
         1,  1,  1,  1,  1,  1,  1,  1,  1,  1, 16, 16, 16, 16, 16, 16,
        16,  1,  1,  1,  1,  1,  1,  2,  2,  6,  2,  2,  2,  2,  2,  6,
         2,  2,  2,  2,  2,  6,  2,  2,  2,  2,  2, 16, 16, 16, 16, 16,
        16,  6,  2,  2,  2,  6,  2,  2,  2,  6,  2,  2,  2,  2,  2,  6,
         2,  2,  2,  2,  2,  6,  2,  2,  2,  2, 10, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16,  1,  1, 16, 16, 16, 16, 16,  1, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
};

bool parse_is_queue_id(struct span s)
{
    unsigned acc = 0;

    if (s.n < 5 || s.n > 20)
        return false;
    for (size_t i = 0; i < s.n; i++)
        acc |= qid_class[(unsigned char)s.p[i]];
    if (acc & QC_BAD)
        return false;
    /* Short ids are upper-case hex; long ids are base 52 without vowels,
     * with a 'z' between the time and the inode part. */
    return (!(acc & QC_NONHEX) && s.n <= 16) || (s.n >= 10 && (acc & QC_Z) && !(acc & QC_VOWEL));
}

size_t parse_queue_prefix(struct span s, struct event *ev)
{
    long colon = span_chr(span_make(s.p, s.n < 24 ? s.n : 24), ':');

    if (colon <= 0 || (size_t)colon + 1 > s.n)
        return 0;
    struct span id = span_make(s.p, (size_t)colon);
    if (!span_eq_lit(id, "NOQUEUE") && !parse_is_queue_id(id))
        return 0;
    ev->qid = id;
    return (size_t)colon + 1 < s.n && s.p[colon + 1] == ' ' ? (size_t)colon + 2
        : (size_t)colon + 1;
}

size_t parse_digits(struct span s, uint64_t *v)
{
    size_t i = 0;

    *v = 0;
    while (i < s.n && i < 18 && s.p[i] >= '0' && s.p[i] <= '9')
        *v = *v * 10 + (uint64_t)(s.p[i++] - '0');
    return i;
}

struct span parse_bounded(struct span s)
{
    if (s.n > EVENT_TEXT_MAX)
        s.n = EVENT_TEXT_MAX;
    return s;
}

void parse_event_clear(struct event *ev)
{
    int64_t ts = ev->ts;
    uint32_t usec = ev->usec;
    bool has_ts = ev->has_ts;
    struct span host = ev->host, prog = ev->prog, pid = ev->pid, repeat = ev->repeat;

    event_reset(ev);
    ev->ts = ts;
    ev->usec = usec;
    ev->has_ts = has_ts;
    ev->host = host;
    ev->prog = prog;
    ev->pid = pid;
    ev->repeat = repeat;
}
