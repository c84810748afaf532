/* Syslog and multilog headers, dispatch to the program parsers, statistics.
 * The scanners the parsers share live below them, in scan.c. */
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "parse.h"
#include "parse_mailbox.h"
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

const char *parse_family_name(enum parse_family f)
{
    static const char *const names[PF__COUNT] = {
        "postfix", "qmail", "postgrey", "policyd-spf", "dovecot", "cyrus", "spamd",
        "opendkim", "opendmarc", "postfwd",
    };
    return f < PF__COUNT ? names[f] : "?";
}

static void count_prog(struct parse_prog_count *tab, unsigned *nprog, struct span prog,
                       uint64_t k)
{
    unsigned i;

    if (prog.n == 0)
        prog = SPAN_LIT("(none)");
    if (prog.n >= PARSE_PROG_NAME)
        prog.n = PARSE_PROG_NAME - 1;
    /* By the kept length first: every line that makes no event is counted
     * here by its program, once or twice. */
    for (i = 0; i < *nprog; i++)
        if (tab[i].len == prog.n && memcmp(tab[i].name, prog.p, prog.n) == 0) {
            tab[i].count += k;
            return;
        }
    if (*nprog == PARSE_PROG_SLOTS - 1) {
        memcpy(tab[PARSE_PROG_SLOTS - 1].name, "(other)", 8);
        tab[PARSE_PROG_SLOTS - 1].len = 7;
        tab[PARSE_PROG_SLOTS - 1].count += k;
        return;
    }
    /* Program names come from the log: keep them printable. */
    for (size_t j = 0; j < prog.n; j++) {
        unsigned char c = (unsigned char)prog.p[j];
        tab[*nprog].name[j] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    tab[*nprog].name[prog.n] = 0;
    tab[*nprog].len = (uint8_t)prog.n;
    tab[*nprog].count = k;
    (*nprog)++;
}

static void count_unrecognised(struct parse_stats *st, struct span prog, uint64_t k)
{
    count_prog(st->unrec, &st->nprog, prog, k);
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
    dst->known_no_evidence += src->known_no_evidence;
    for (unsigned f = 0; f < PF__COUNT; f++) {
        dst->fam_lines[f] += src->fam_lines[f];
        dst->fam_unmatched[f] += src->fam_unmatched[f];
    }
    for (unsigned i = 0; i < PARSE_PROG_SLOTS; i++)
        if (src->foreign[i].count)
            count_prog(dst->foreign, &dst->nforeign,
                       span_make(src->foreign[i].name, strlen(src->foreign[i].name)),
                       src->foreign[i].count);
    unknown_merge(&dst->unmatched, &src->unmatched);
}

static int cmp_prog(const void *a, const void *b)
{
    return strcmp(((const struct parse_prog_count *)a)->name,
                  ((const struct parse_prog_count *)b)->name);
}

/* Past PARSE_PROG_SLOTS - 1 names, which ones fall into "(other)" can
 * depend on the merge order; the totals do not. */
void parse_stats_sort(struct parse_stats *st)
{
    unsigned n = st->nprog < PARSE_PROG_SLOTS - 1 ? st->nprog : PARSE_PROG_SLOTS - 1;

    if (n > 1)
        qsort(st->unrec, n, sizeof(st->unrec[0]), cmp_prog);
    n = st->nforeign < PARSE_PROG_SLOTS - 1 ? st->nforeign : PARSE_PROG_SLOTS - 1;
    if (n > 1)
        qsort(st->foreign, n, sizeof(st->foreign[0]), cmp_prog);
    unknown_sort(&st->unmatched);
}

void parse_stats_warn(const struct parse_stats *st)
{
    for (unsigned f = 0; f < PF__COUNT; f++) {
        uint64_t n = st->fam_lines[f], k = st->fam_unmatched[f];
        if (n && k * 100 > n)
            msg_warn("%s: %llu of %llu lines (%.1f%%) matched no shape; "
                     "see 'rblforge unparsed'", parse_family_name(f),
                     (unsigned long long)k, (unsigned long long)n, 100.0 * (double)k / (double)n);
    }
}

/* The daemons beside Postfix, by a syslog tag's program or by its part
 * after the last '/' (the perl SPF daemon logs as "postfix/policy-spf",
 * spawn(8) children under the syslog_name): PF__COUNT when none. */
static enum parse_family beside_family(struct span prog, struct span service)
{
    struct span name = service.p ? service : prog;

    switch (name.n ? name.p[0] : 0) {
    case 'p':
        if (span_eq_lit(name, "postgrey"))
            return PF_POSTGREY;
        if (span_eq_lit(name, "policyd-spf") || span_eq_lit(name, "policy-spf")
            || span_eq_lit(name, "postfix-policyd-spf-perl"))
            return PF_POLICYD_SPF;
        if (span_eq_lit(name, "postfwd") || span_eq_lit(name, "postfwd2")
            || span_eq_lit(name, "postfwd3") || span_starts_lit(prog, "postfwd"))
            return PF_POSTFWD;
        if (span_eq_lit(name, "pop3") || span_eq_lit(name, "pop3s"))
            return PF_CYRUS;
        break;
    case 'd':
        if (span_eq_lit(name, "dovecot"))
            return PF_DOVECOT;
        break;
    case 'i':
        if (span_eq_lit(name, "imap") || span_eq_lit(name, "imaps"))
            return PF_CYRUS;
        if (span_ends_lit(name, "-login"))
            return PF_DOVECOT;
        break;
    case 's':
        if (span_eq_lit(name, "spamd") || span_eq_lit(name, "spamd-child"))
            return PF_SPAMD;
        if (span_ends_lit(name, "-login"))
            return PF_DOVECOT;
        break;
    case 'o':
        if (span_eq_lit(name, "opendkim"))
            return PF_OPENDKIM;
        if (span_eq_lit(name, "opendmarc"))
            return PF_OPENDMARC;
        break;
    default:
        if (span_ends_lit(name, "-login"))
            return PF_DOVECOT;
        break;
    }
    /* Cyrus with syslog_prefix: "cyrus/imap", "cyrus/lmtpunix", ... */
    if (service.p && span_starts_lit(prog, "cyrus/"))
        return PF_CYRUS;
    return PF__COUNT;
}

/* The family of a syslog tag's program, PF__COUNT when we read none. */
static inline __attribute__((always_inline))
enum parse_family family_of(struct span prog, struct span service)
{
    /* The Postfix daemons that write nearly every line of a mail log
     * (none of their names is a daemon beside Postfix): at once. */
    if (service.p && (span_eq_lit(service, "smtpd") || span_eq_lit(service, "postscreen")
                      || span_eq_lit(service, "smtp") || span_eq_lit(service, "qmgr")
                      || span_eq_lit(service, "cleanup")))
        return PF_POSTFIX;
    enum parse_family f = beside_family(prog, service);

    if (f != PF__COUNT)
        return f;
    if (service.p || span_starts_lit(prog, "postfix"))
        return PF_POSTFIX;
    if (span_starts_lit(prog, "qmail") || span_eq_lit(prog, "tcpserver")
        || span_eq_lit(prog, "sslserver") || span_eq_lit(prog, "rblsmtpd")
        || span_starts_lit(prog, "vchkpw") || span_eq_lit(prog, "splogger"))
        return PF_QMAIL;
    return PF__COUNT;
}

/* A line with an address in brackets ("host[addr]", "[addr]:port") may
 * be evidence; one without cannot name a client the Postfix way. */
static bool names_address(struct span s)
{
    for (long at, off = 0; (at = span_chr(span_skip(s, (size_t)off), '[')) >= 0;) {
        size_t i = (size_t)off + (size_t)at + 1;
        if (i < s.n && ((s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == ':'
                        || (s.p[i] >= 'a' && s.p[i] <= 'f')))
            return true;
        off = (long)i;
    }
    return false;
}

/* Lines of the daemons beside Postfix that say nothing about a client,
 * by family (prefixes). */
static const struct span known_postgrey[] = {
    SPAN_LIT("cleaning "), SPAN_LIT("Process Backgrounded"), SPAN_LIT("Binding to "),
    SPAN_LIT("Setting gid"), SPAN_LIT("Setting uid"), SPAN_LIT("Greylisting is"),
    SPAN_LIT("Server closing!"), SPAN_LIT("Resolved "), SPAN_LIT("Couldn't unlink"),
    SPAN_LIT("ignoring garbage: "), SPAN_LIT("rm /"), SPAN_LIT("unrecognized request type"),
    SPAN_LIT("correcting date"), SPAN_LIT("HUP received"), SPAN_LIT("Exiting!"),
};
static const struct span known_spf[] = {
    /* python policyd-spf's start-up and debug lines */
    SPAN_LIT("Starting"), SPAN_LIT("Config: "), SPAN_LIT("spfcheck: "), SPAN_LIT("ERROR"),
    SPAN_LIT("Action: "), SPAN_LIT("Cached data"), SPAN_LIT("Found the end of entry"),
    SPAN_LIT("Read line: "), SPAN_LIT("Not checking"), SPAN_LIT("Skipping"),
    SPAN_LIT("Exception"), SPAN_LIT("Traceback"),
    /* the perl daemon's diagnostics */
    SPAN_LIT("testing: "), SPAN_LIT("Mail From (sender) check failed"),
    SPAN_LIT("HELO check failed"), SPAN_LIT("SPF not applicable to localhost"),
    SPAN_LIT("warning: "), SPAN_LIT("handler "),
};
static const struct span known_postfwd[] = {
    SPAN_LIT("postfwd"), SPAN_LIT("ready for input"), SPAN_LIT("terminat"),
    SPAN_LIT("Process "), SPAN_LIT("Binding to "), SPAN_LIT("Setting "),
    SPAN_LIT("Server closing"), SPAN_LIT("starting"), SPAN_LIT("Resolved "),
};

/* postfwd's bracket-tagged lines other than a rule's decision ("[STATS]
 * Counters ...", "[LOGS info]: compare ...", "[DNSBL] object A listed on
 * L": its own lookups, which Postfix or the rule line act on). */
static bool postfwd_known(struct span msg)
{
    return span_starts_lit(msg, "[") && span_find_lit(msg, "] rule=") < 0;
}

/* Whether msg holds "auth failed", "Password mismatch" or "unknown user":
 * most of a server's Dovecot lines (logins, logouts, deliveries) are known
 * to carry no evidence only once none is found in them, and three
 * searches for needles that start with common letters cost a third of
 * such a line's reading. One pass instead, 16 places a step, each
 * needle tried by two of its bytes ('a' and 'd' 10 apart, 'P' and 'm' 9
 * apart, 'u' and 'u' 8 apart); the last step overlaps the one before, so
 * that no place a needle fits is left out. */
static bool dovecot_failure_phrase(struct span msg)
{
#ifdef __SSE2__
    if (msg.n >= 26) {
        const __m128i a = _mm_set1_epi8('a'), d = _mm_set1_epi8('d'), P = _mm_set1_epi8('P'),
                      m = _mm_set1_epi8('m'), u = _mm_set1_epi8('u');
        size_t last = msg.n - 26;       /* where the last step starts */
        for (size_t i = 0;; i += 16) {
            size_t w = i < last ? i : last;
            const char *q = msg.p + w;
            __m128i x = _mm_loadu_si128((const __m128i *)q);
            __m128i hit = _mm_or_si128(
                _mm_and_si128(_mm_cmpeq_epi8(x, a),
                              _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + 10)), d)),
                _mm_or_si128(
                    _mm_and_si128(_mm_cmpeq_epi8(x, P),
                                  _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + 9)), m)),
                    _mm_and_si128(_mm_cmpeq_epi8(x, u),
                                  _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + 8)), u))));
            for (unsigned bits = (unsigned)_mm_movemask_epi8(hit); bits; bits &= bits - 1) {
                struct span at = span_skip(msg, w + (size_t)__builtin_ctz(bits));
                if (span_starts_lit(at, "auth failed") || span_starts_lit(at, "Password mismatch")
                    || span_starts_lit(at, "unknown user"))
                    return true;
            }
            if (w == last)
                return false;
        }
    }
#endif
    return span_find_lit(msg, "auth failed") >= 0 || span_find_lit(msg, "Password mismatch") >= 0
        || span_find_lit(msg, "unknown user") >= 0;
}

/* Shapes the writers log that say nothing about a client or a message
 * (tests/shapes/catalogue.tsv lists them as known-no-evidence): counted
 * as known, so that "unmatched" means a shape we have never seen. */
static bool known_no_evidence(enum parse_family f, struct span msg)
{
    static const struct span postfix[] = {
        SPAN_LIT("statistics: "), SPAN_LIT("daemon started"), SPAN_LIT("reload "),
        SPAN_LIT("terminating on signal"), SPAN_LIT("starting the Postfix"),
        SPAN_LIT("stopping the Postfix"), SPAN_LIT("refreshing the Postfix"),
        SPAN_LIT("Postfix is "), SPAN_LIT("entering STRESS mode"),
        SPAN_LIT("leaving STRESS mode"), SPAN_LIT("WHITELIST VETO "),
        SPAN_LIT("ALLOWLIST VETO "), SPAN_LIT("cache "), SPAN_LIT("using backwards-compatible"),
        SPAN_LIT("setting up TLS connection "),
        SPAN_LIT("mail system "), SPAN_LIT("Compiled against "), SPAN_LIT("Run-time "),
        SPAN_LIT("looking for plugins"), SPAN_LIT("backwards-compatible"),
        SPAN_LIT("SSL_connect error"), SPAN_LIT("Untrusted TLS connection established to"),
        SPAN_LIT("table "), SPAN_LIT("cannot load Certificate"), SPAN_LIT("Host offered STARTTLS"),
        SPAN_LIT("Unverified: "), SPAN_LIT("Placed on hold: "), SPAN_LIT("Released from hold: "),
        SPAN_LIT("Requeued: "), SPAN_LIT("Deleted: "), SPAN_LIT("warning: host "),
    };
    static const struct span qmail[] = {
        SPAN_LIT("alert: "), SPAN_LIT("warning: "), SPAN_LIT("triple bounce: "),
        SPAN_LIT("status: "), SPAN_LIT("exiting"), SPAN_LIT("running"),
    };
    const struct span *tab = NULL;
    size_t n = 0;

    switch (f) {
    case PF_POSTFIX:
        /* Diagnostics about ourselves (configuration, tables, resources). */
        if ((span_starts_lit(msg, "warning: ") || span_starts_lit(msg, "fatal: ")
             || span_starts_lit(msg, "panic: ") || span_starts_lit(msg, "error: "))
            && !names_address(msg))
            return true;
        tab = postfix, n = sizeof(postfix) / sizeof(postfix[0]);
        break;
    case PF_QMAIL:
        tab = qmail, n = sizeof(qmail) / sizeof(qmail[0]);
        break;
    case PF_POSTGREY:
    case PF_POSTFWD:
        /* Net::Server's own lines start with a date: "2026/12/01-09:14:03 ..." */
        if (msg.n > 10 && msg.p[4] == '/' && msg.p[7] == '/')
            return true;
        if (f == PF_POSTFWD && postfwd_known(msg))
            return true;
        tab = f == PF_POSTGREY ? known_postgrey : known_postfwd;
        n = f == PF_POSTGREY ? sizeof(known_postgrey) / sizeof(known_postgrey[0])
                             : sizeof(known_postfwd) / sizeof(known_postfwd[0]);
        break;
    case PF_POLICYD_SPF:
        tab = known_spf, n = sizeof(known_spf) / sizeof(known_spf[0]);
        break;
    case PF_DOVECOT:
        /* Sessions, logins, the master and the auth process's own
         * diagnostics: all but a failure we could not read. */
        return !dovecot_failure_phrase(msg);
    case PF_CYRUS:
        return span_find_lit(msg, "badlogin") < 0;
    case PF_SPAMD:
    case PF_OPENDKIM:
    case PF_OPENDMARC:
        return true;
    default:
        break;
    }
    for (size_t i = 0; i < n; i++)
        if (span_starts(msg, tab[i].p, tab[i].n))
            return true;
    return false;
}

/* A syslog tag: the program name and its part after the last '/' (null
 * when it has none). */
struct tag {
    struct span prog, service;
    size_t used;                /* bytes of s up to the message */
    enum pf_daemon pfd;         /* parse_postfix_daemon(service), with a service */
};

/* "prog[pid]: " or "prog: " at the start of s. Every line passes here:
 * inlined, so that the spans stay in registers instead of being stored
 * and loaded again as a whole (a store-forwarding stall per line). With
 * ev, the program and the pid (null when absent) go into it at once: a
 * copy from t later was one 16-byte load of two 8-byte stores, which
 * waits for both (a dozen cycles per line). */
static inline __attribute__((always_inline))
bool parse_tag(struct span s, struct tag *t, struct event *ev)
{
    size_t slash, i = span_find_any3_last(s.p, s.n, '[', ':', ' ', '/', &slash);
    const char *pid = NULL;
    size_t pidn = 0;

    if (i == 0 || i >= s.n)
        return false;
    t->prog = span_make(s.p, i);
    t->service = slash < i ? span_make(s.p + slash + 1, i - slash - 1) : SPAN_NULL;
    if (s.p[i] == '[') {
        size_t j = i + 1 + span_digit_run(s.p + i + 1, s.n - i - 1);
        if (j == i + 1 || j >= s.n || s.p[j] != ']')
            return false;
        pid = s.p + i + 1;
        pidn = j - i - 1;
        i = j + 1;
    }
    if (i >= s.n || s.p[i] != ':')
        return false;
    i++;
    if (i < s.n && s.p[i] == ' ')
        i++;
    t->used = i;
    if (ev) {
        ev->prog = span_make(s.p, t->prog.n);
        ev->pid = span_make(pid, pidn);
    }
    return true;
}

#ifdef __SSE2__
/* The memo slot of a tag at the start of s (s.n >= 32), by the 8 bytes
 * before the first ':' of its first 32 (the end of a program name and
 * its pid), or NULL; x and y get those 32 bytes. */
static inline struct parse_tag_memo *tag_memo_slot(struct parser *ps, struct span s,
                                                   __m128i *x, __m128i *y, size_t *colon)
{
    const __m128i vc = _mm_set1_epi8(':');

    *x = _mm_loadu_si128((const __m128i *)s.p);
    *y = _mm_loadu_si128((const __m128i *)(s.p + 16));
    uint32_t c = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(*x, vc))
        | (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(*y, vc)) << 16;
    size_t k = c ? (size_t)__builtin_ctz(c) : 0;
    if (k < 8)
        return NULL;
    uint64_t h = span_load8(s.p + k - 8) * UINT64_C(0x9E3779B97F4A7C15);
    *colon = k;
    return &ps->tag_memo[h >> (64 - PARSE_TAG_MEMO_BITS)];
}

/* parse_tag's answer for the tag of e, when s starts with its bytes:
 * they alone decide it (the first '[', ':' or ' ', the last '/' before
 * it, the pid's digits up to ']', the ": "). */
static inline __attribute__((always_inline))
bool tag_memo_get(const struct parse_tag_memo *e, struct span s, __m128i x, __m128i y,
                  struct tag *t, struct event *ev, enum parse_family *fam)
{
    if (!e->used)
        return false;
    uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_loadu_si128((const __m128i *)e->key)))
        | (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(y, _mm_loadu_si128((const __m128i *)(e->key + 16)))) << 16;
    uint32_t need = (uint32_t)((UINT64_C(1) << e->used) - 1);
    if ((eq & need) != need)
        return false;
    t->prog = span_make(s.p, e->prog_n);
    t->service = e->has_svc ? span_make(s.p + e->svc_at, e->svc_n) : SPAN_NULL;
    t->used = e->used;
    t->pfd = (enum pf_daemon)e->pfd;
    ev->prog = span_make(s.p, e->prog_n);
    ev->pid = e->has_pid ? span_make(s.p + e->pid_at, e->pid_n) : SPAN_NULL;
    *fam = (enum parse_family)e->fam;
    return true;
}

/* Keep what parse_tag read from s in e, if the tag ends in ": " within
 * 32 bytes (else a later line with a space after the colon would read
 * one byte more) at the ':' that chose e (the first, colon). */
static void tag_memo_put(struct parse_tag_memo *e, struct span s, size_t colon,
                         const struct tag *t, const struct event *ev, enum parse_family fam)
{
    size_t u = t->used;

    if (u > 32 || u != colon + 2 || s.p[u - 1] != ' ' || s.p[0] == '-' || s.p[0] == 'l')
        return;
    memcpy(e->key, s.p, 32);
    e->used = (uint8_t)u;
    e->prog_n = (uint8_t)t->prog.n;
    e->has_svc = t->service.p != NULL;
    e->svc_at = e->has_svc ? (uint8_t)(t->service.p - s.p) : 0;
    e->svc_n = (uint8_t)t->service.n;
    e->has_pid = ev->pid.p != NULL;
    e->pid_at = e->has_pid ? (uint8_t)(ev->pid.p - s.p) : 0;
    e->pid_n = (uint8_t)ev->pid.n;
    e->fam = (uint8_t)fam;
    e->pfd = (uint8_t)t->pfd;
}
#endif

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

/* The daemons beside Postfix, by family (beside_family). spamd,
 * OpenDKIM and OpenDMARC name no client of ours: all their lines are
 * known (spamd's rhost/raddr are spamc's, the MTA's own connection). */
static bool dispatch_beside(enum parse_family fam, const struct tag *t, struct span msg,
                            struct event *ev)
{
    switch (fam) {
    case PF_POSTGREY: return parse_policy_postgrey(msg, ev);
    case PF_POLICYD_SPF: return parse_policy_spf(msg, ev);
    case PF_POSTFWD: return parse_policy_postfwd(msg, ev);
    case PF_DOVECOT: return parse_mailbox_dovecot(t->service.p ? t->service : t->prog, msg, ev);
    case PF_CYRUS: return parse_mailbox_cyrus(msg, ev);
    default: return false;
    }
}

/* By the syslog tag: the daemons beside Postfix first (fam), then any
 * syslog_name ("postfix", "postfix-out", "mx/smtpd") ends in a Postfix
 * daemon name after a '/'; everything else is qmail's family, or unknown. */
static inline __attribute__((always_inline))
bool dispatch(const struct parser *ps, enum parse_family fam, const struct tag *t,
              struct span msg, struct event *ev)
{
    if (fam != PF_POSTFIX && fam != PF_QMAIL && fam != PF__COUNT)
        return dispatch_beside(fam, t, msg, ev);
    if (t->service.p) {
        if (ps->client_only && t->pfd == PFD_QUEUE && parse_pfqueue_no_client(msg, ev))
            return true;
        return parse_postfix_as(t->pfd, t->service, msg, ev);
    }
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
static inline __attribute__((always_inline))
struct span unwrap_repeated(struct span s, struct event *ev)
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
    ev->prog = t->prog;
    /* Digits only, at most 18 (as scan_digits reads them). */
    ev->pid = pid.p && pid.n <= 18 && span_digit_run(pid.p, pid.n) == pid.n ? pid : SPAN_NULL;
    *msg = s;
    return true;
}

/* What parse_line has found out about a line so far. */
struct line {
    struct span prog, msg;
    struct span daemon;         /* the name unmatched lines are filed under */
    const struct tag *tag;      /* else the tag names it (line_daemon) */
    enum parse_family fam;
};

/* Taken only for a line that made no event: a copy of the tag's spans on
 * every line waited for the stores that had just written them. */
static struct span line_daemon(const struct line *l)
{
    if (!l->tag)
        return l->daemon;
    return l->tag->service.p ? l->tag->service : l->tag->prog;
}

static inline bool no_header(struct parser *ps)
{
    ps->st.no_header++;
    return false;
}

/* A line that made no event: a program we do not read, a known shape
 * without evidence, or a shape of a known program we have never seen. */
static bool line_missed(struct parser *ps, const struct line *l, struct event *ev)
{
    count_unrecognised(&ps->st, l->prog, 1);
    if (l->fam == PF__COUNT) {
        ps->last = PC_FOREIGN;
        count_prog(ps->st.foreign, &ps->st.nforeign, l->prog.n ? l->prog : SPAN_LIT("(none)"), 1);
    } else if (known_no_evidence(l->fam, l->msg)) {
        ps->last = PC_KNOWN;
        ps->st.known_no_evidence++;
    } else {
        ps->last = PC_UNMATCHED;
        ps->st.fam_unmatched[l->fam]++;
        unknown_add(&ps->st.unmatched, line_daemon(l), l->msg, ev->file_index, ev->line);
    }
    return false;
}

static inline bool line_done(struct parser *ps, bool ok, const struct line *l, struct event *ev)
{
    if (ok || ev->type == EV_REPEATED) {
        ps->st.events++;
        ps->last = PC_EVENT;
        return true;
    }
    return line_missed(ps, l, ev);
}

/* "<PRI>" from raw syslog: skipped; with RFC 5424's "1 " after it the
 * header is read here (tag and message). */
enum pri { PRI_NONE, PRI_5424, PRI_BAD };
static inline enum pri strip_pri(struct parser *ps, struct span *s, struct event *ev,
                                 struct tag *tag, struct span *msg)
{
    if (s->n == 0 || s->p[0] != '<')
        return PRI_NONE;
    long gt = span_chr(span_make(s->p, s->n < 6 ? s->n : 6), '>');
    if (gt <= 1)
        return PRI_NONE;
    *s = span_skip(*s, (size_t)gt + 1);
    if (!span_starts_lit(*s, "1 "))
        return PRI_NONE;
    return parse_rfc5424(ps, *s, ev, tag, msg) ? PRI_5424 : PRI_BAD;
}

#ifdef __SSE2__
/* The remembered host's bytes past the first 16 (a long name) at s. */
static bool host_rest_same(const struct parse_host_memo *m, struct span s)
{
    size_t key_n = (size_t)m->n + 2;

    if (s.n < ((key_n + 15) & ~(size_t)15))
        return false;
    for (size_t o = 16; o < key_n; o += 16) {
        uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *)(s.p + o)),
            _mm_loadu_si128((const __m128i *)(m->key + o))));
        uint32_t need = key_n - o >= 16 ? 0xffff : (1u << (key_n - o)) - 1;
        if ((eq & need) != need)
            return false;
    }
    return true;
}
#endif

/* The host field after a classic stamp (s starts right after the
 * stamp), if there is one: -1 when the line has no tag after the stamp, 0
 * otherwise (syslogd's "last message repeated" is the caller's to look
 * for, after it). A remembered host, with the space before and after it,
 * is compared 16 bytes at a time: one step for a short name, three for a
 * fully qualified one. */
static inline __attribute__((always_inline)) int read_host(struct parser *ps, struct span *s,
                                                          struct event *ev)
{
#ifdef __SSE2__
    struct parse_host_memo *m = NULL;
    if (s->n >= 16) {
        m = &ps->host_memo[(span_load8(s->p) * UINT64_C(0x9E3779B97F4A7C15))
                           >> (64 - PARSE_HOST_MEMO_BITS)];
        uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *)s->p), _mm_loadu_si128((const __m128i *)m->key)));
        if (m->n && (m->n <= 14 ? (eq | ~((4u << m->n) - 1)) == ~0u
                                : eq == 0xffff && host_rest_same(m, *s))) {
            ev->host = span_make(s->p + 1, m->n);
            *s = span_skip(*s, (size_t)m->n + 2);
            return 0;
        }
    }
#endif
    const char *p0 = s->p;
    size_t n0 = s->n;
    *s = span_trim_left(*s);
    long sp = span_chr(*s, ' ');
    if (sp <= 0)
        return -1;
    /* No host at all ("Nov 24 06:25:01 postfix/smtpd[1]: ..."): a host
     * name never ends in ':', a tag always does. */
    if (s->p[sp - 1] != ':') {
        ev->host = span_make(s->p, (size_t)sp);
        /* Kept for the next line when one space led it: then the first
         * blank after the stamp and the first space after it end the
         * same bytes there too. */
#ifdef __SSE2__
        size_t whole = ((size_t)sp + 2 + 15) & ~(size_t)15;
        if (m && s->p == p0 + 1 && p0[0] == ' ' && (size_t)sp + 2 <= PARSE_HOST_KEY
            && n0 >= whole) {
            memcpy(m->key, p0, whole);
            m->n = (uint8_t)sp;
        }
#else
        (void)p0, (void)n0;
#endif
        *s = span_skip(*s, (size_t)sp + 1);
    }
    return 0;
}

/* The message of a tag: Solaris' message id, rsyslog's repeat wrapper and
 * a doubled tag taken off, counted in its family and handed to its parser.
 * Every tagged line passes here: inlined. */
static inline __attribute__((always_inline)) bool parse_tagged(struct parser *ps,
                                                               const struct tag *tag,
                                                               enum parse_family fam,
                                                               struct line *l, struct event *ev)
{
    struct span msg = l->msg, prog = l->prog;

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
        if (parse_tag(msg, &again, NULL))
            msg = span_skip(msg, again.used);
    }
    l->msg = msg;
    l->fam = fam;
    if (l->fam < PF__COUNT)
        ps->st.fam_lines[l->fam]++;
    l->tag = tag;
    return dispatch(ps, l->fam, tag, msg, ev);
}

/* A bare message (journalctl -o cat, a grep'd excerpt, a collector that
 * stores only the message): the Postfix shapes, which name their client
 * themselves in fixed places. */
static bool parse_bare(struct parser *ps, struct span s, struct event *ev)
{
    struct span repeat = ev->repeat;

    event_reset(ev);
    ev->repeat = repeat;
    if (!parse_postfix_guess(s, ev))
        return no_header(ps);
    ps->st.fam_lines[PF_POSTFIX]++;
    ps->st.events++;
    ps->last = PC_EVENT;
    return true;
}

/* p[0, n) is the line without its CR/LF. */
static inline __attribute__((always_inline))
bool parse_line_body(struct parser *ps, const char *p, size_t n, struct event *ev)
{
    struct span s = span_make(p, n), msg;
    /* Filled where a path comes to need it: a tagged line (nearly every
     * line) writes the fields it has and reads no other. */
    struct line l;
    struct tag tag;
    size_t used;

    event_reset(ev);
    ev->client_only = ps->client_only;
    ps->st.lines++;
    ps->last = PC_NO_HEADER;
    switch (strip_pri(ps, &s, ev, &tag, &msg)) {
    case PRI_5424:              /* framed: never a bare message */
        l = (struct line){ tag.prog, msg, SPAN_NULL, NULL, PF__COUNT };
        tag.pfd = parse_postfix_daemon(tag.service);
        return line_done(ps, parse_tagged(ps, &tag, family_of(tag.prog, tag.service), &l, ev),
                         &l, ev);
    case PRI_BAD:
        return no_header(ps);
    case PRI_NONE:
        break;
    }
    s = skip_multilog_file(s);
    bool multilog = s.n > 0 && s.p[0] == '@';
    bool stamped = tstamp_parse(&ps->ts, s, &ev->ts, &ev->usec, &used);
    if (stamped) {
        ev->has_ts = true;
        s = span_skip(s, used);
        /* multilog lines carry no host and often no program name. */
        if (multilog)
            s = span_trim_left(s);
        else if (read_host(ps, &s, ev) < 0)
            return no_header(ps);
    } else if (multilog) {
        return no_header(ps);
    }
    if (multilog) {
        /* "tcpserver: ok ...", or qmail-send's own lines without a name. */
        l = (struct line){ SPAN_NULL, s, SPAN_NULL, NULL, PF_QMAIL };
        ps->st.fam_lines[PF_QMAIL]++;
        if (parse_qmail(SPAN_NULL, s, ev))
            return line_done(ps, true, &l, ev);
        l.prog = ev->prog;
        l.daemon = l.prog.p ? l.prog : SPAN_LIT("multilog");
        return line_done(ps, false, &l, ev);
    }
    enum parse_family fam;
    bool tagged;
#ifdef __SSE2__
    __m128i x, y;
    size_t colon = 0;
    struct parse_tag_memo *memo = s.n >= 32 ? tag_memo_slot(ps, s, &x, &y, &colon) : NULL;
    if (memo && tag_memo_get(memo, s, x, y, &tag, ev, &fam)) {
        /* A memo's tag starts with neither '-' nor 'l': not syslogd's
         * "last message repeated" (repeated_line). */
        tagged = true;
    } else if (stamped && !multilog && repeated_line(s, ev)) {
        return line_done(ps, true, &l, ev);
    } else if ((tagged = parse_tag(s, &tag, ev))) {
        fam = family_of(tag.prog, tag.service);
        tag.pfd = parse_postfix_daemon(tag.service);
        if (memo)
            tag_memo_put(memo, s, colon, &tag, ev, fam);
    }
#else
    if (stamped && !multilog && repeated_line(s, ev))
        return line_done(ps, true, &l, ev);
    if ((tagged = parse_tag(s, &tag, ev))) {
        fam = family_of(tag.prog, tag.service);
        tag.pfd = parse_postfix_daemon(tag.service);
    }
#endif
    if (tagged) {
        l.msg = span_skip(s, tag.used);
        l.prog = tag.prog;
        if (parse_tagged(ps, &tag, fam, &l, ev))
            return line_done(ps, true, &l, ev);
    }
    if (!stamped)
        return parse_bare(ps, s, ev);
    if (!tagged)
        return no_header(ps);
    return line_done(ps, false, &l, ev);
}

bool parse_line(struct parser *ps, const char *p, size_t n, struct event *ev)
{
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    if (!parse_line_body(ps, p, n, ev))
        return false;
    /* The line as logged, for evidence shown to people (letters, reports):
     * set once the event is made, after any reset of a failed attempt. */
    ev->logline = span_make(p, n);
    return true;
}
