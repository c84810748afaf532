/* Syslog and multilog headers, dispatch to program parsers, statistics. */
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

/* "prog[pid]: " or "prog: " at the start of s. */
static bool parse_tag(struct span s, struct span *prog, struct span *pid,
                      size_t *used)
{
    size_t i = 0;

    while (i < s.n && s.p[i] != '[' && s.p[i] != ':' && s.p[i] != ' ')
        i++;
    if (i == 0 || i >= s.n)
        return false;
    *prog = span_make(s.p, i);
    *pid = SPAN_NULL;
    if (s.p[i] == '[') {
        size_t j = i + 1;
        while (j < s.n && s.p[j] >= '0' && s.p[j] <= '9')
            j++;
        if (j == i + 1 || j >= s.n || s.p[j] != ']')
            return false;
        *pid = span_make(s.p + i + 1, j - i - 1);
        i = j + 1;
    }
    if (i >= s.n || s.p[i] != ':')
        return false;
    i++;
    if (i < s.n && s.p[i] == ' ')
        i++;
    *used = i;
    return true;
}

static struct span service_of(struct span prog)
{
    long slash = span_rchr(prog, '/');
    return slash < 0 ? prog : span_skip(prog, (size_t)slash + 1);
}

static bool is_postfix(struct span prog)
{
    /* Any syslog_name ("postfix", "postfix-out", "mx/smtpd"...) ends in a
     * Postfix daemon name; a bare daemon name without a '/' is not enough. */
    return span_chr(prog, '/') >= 0;
}

bool parse_line(struct parser *ps, const char *p, size_t n, struct event *ev)
{
    struct span s = span_make(p, n), prog, pid, host = SPAN_NULL;
    size_t used;
    bool ok = false;

    event_reset(ev);
    ps->st.lines++;
    if (n > 0 && p[0] == '<') {             /* "<PRI>" prefix from raw syslog */
        long gt = span_chr(span_make(p, n < 6 ? n : 6), '>');
        if (gt > 1)
            s = span_skip(s, (size_t)gt + 1);
    }
    if (!tstamp_parse(&ps->ts, s, &ev->ts, &ev->usec, &used)) {
        ps->st.no_header++;
        return false;
    }
    ev->has_ts = true;
    s = span_trim_left(span_skip(s, used));
    /* multilog lines carry no host and often no program name. */
    if (p[0] != '@') {
        long sp = span_chr(s, ' ');
        if (sp <= 0) {
            ps->st.no_header++;
            return false;
        }
        host = span_make(s.p, (size_t)sp);
        s = span_skip(s, (size_t)sp + 1);
    }
    if (!parse_tag(s, &prog, &pid, &used)) {
        if (p[0] == '@') {
            prog = SPAN_NULL;
            ev->host = host;
            ok = parse_qmail(SPAN_NULL, s, ev);
            goto done;
        }
        ps->st.no_header++;
        return false;
    }
    s = span_skip(s, used);
    /* Solaris: "prog[pid]: [ID 197553 mail.info] msg" */
    if (span_starts_lit(s, "[ID ")) {
        long rb = span_chr(s, ']');
        if (rb > 0)
            s = span_trim_left(span_skip(s, (size_t)rb + 1));
    }
    ev->host = host;
    ev->prog = prog;
    ev->pid = pid;
    if (is_postfix(prog))
        ok = parse_postfix(service_of(prog), s, ev);
    else
        ok = parse_qmail(prog, s, ev);
done:
    if (ok) {
        ps->st.events++;
        return true;
    }
    count_unrecognised(&ps->st, prog, 1);
    return false;
}

size_t parse_client(struct span s, struct event *ev)
{
    long lb = span_chr(s, '[');
    struct span host, addr;
    size_t i;

    if (lb < 0)
        return 0;
    host = span_make(s.p, (size_t)lb);
    for (i = 0; i < host.n; i++)
        if (host.p[i] == ' ' || host.p[i] == ']')
            return 0;
    i = (size_t)lb + 1;
    size_t a0 = i;
    while (i < s.n && s.p[i] != ']' && s.p[i] != ' ')
        i++;
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

struct span parse_kv(struct span s, const char *key, size_t keylen)
{
    size_t i = 0;

    while (i + keylen < s.n) {
        long at = span_find(span_skip(s, i), key, keylen);
        if (at < 0)
            return SPAN_NULL;
        size_t k = i + (size_t)at;
        i = k + keylen;
        /* Must start a word: a key inside a value ("xfrom=") is not a key. */
        if (k > 0 && s.p[k - 1] != ' ' && s.p[k - 1] != ',' && s.p[k - 1] != ';'
            && s.p[k - 1] != '(')
            continue;
        if (i < s.n && s.p[i] == '<') {
            /* <...>: up to the '>' followed by a separator or the end. */
            size_t j = i + 1;
            for (; j < s.n; j++)
                if (s.p[j] == '>' && (j + 1 == s.n || s.p[j + 1] == ' '
                                      || s.p[j + 1] == ','))
                    return span_make(s.p + i + 1, j - i - 1);
            return span_make(s.p + i + 1, s.n - i - 1);
        }
        size_t j = i;
        while (j < s.n && s.p[j] != ',' && s.p[j] != ' ')
            j++;
        return span_make(s.p + i, j - i);
    }
    return SPAN_NULL;
}

size_t parse_code_dsn(struct span s, struct event *ev)
{
    size_t i = 0;

    if (s.n < 3 || s.p[0] < '2' || s.p[0] > '5' || s.p[1] < '0' || s.p[1] > '9'
        || s.p[2] < '0' || s.p[2] > '9' || (s.n > 3 && s.p[3] != ' ' && s.p[3] != '-'))
        return 0;
    ev->code = span_make(s.p, 3);
    i = 3;
    if (i + 1 < s.n && (s.p[i] == ' ' || s.p[i] == '-')) {
        size_t j = i + 1, dots = 0;
        if (j < s.n && (s.p[j] == '2' || s.p[j] == '4' || s.p[j] == '5')) {
            size_t k = j;
            while (k < s.n && ((s.p[k] >= '0' && s.p[k] <= '9') || s.p[k] == '.')) {
                dots += s.p[k] == '.';
                k++;
            }
            if (dots == 2 && s.p[k - 1] != '.' && (k == s.n || s.p[k] == ' ')) {
                ev->dsn = span_make(s.p + j, k - j);
                i = k;
            }
        }
    }
    return i;
}
