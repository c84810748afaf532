/*
 * genlog: a deterministic synthetic Postfix log for demos, tests and
 * benchmarks. Same seed and options, same bytes, on any machine.
 *
 *   genlog [--seed N] [--date YYYY-MM-DD] [--sessions N] [--stamp bsd|rfc3339]
 *          [--tz-offset +HH:MM] [--bots N] [--legit N] [--v6 PERCENT]
 *          [--v6-bots N] [--bot-pick zipf|cycle] [--crowded PERCENT] [--only-bots]
 *          [--listed PERCENT] [--v6-cycle] [--site]
 *
 * Writes one day of mail log to stdout, in time order, with the sessions
 * of many clients interleaved as a busy server writes them: inbound mail
 * from legitimate MTAs (through postscreen and smtpd, delivered by lmtp),
 * spam bots on dynamic or nameless addresses (pregreet, DNSBL hits,
 * dictionary attacks, missing rDNS), SASL brute force on submission, an
 * allowlisted partner relay that forwards junk, and customers' outbound
 * mail (submission with SASL, smtp deliveries sent/deferred/bounced).
 * The populations and their addresses are listed on stderr with --truth.
 *
 * --site adds what else a real site's mail log holds, around the same
 * sessions (drawn from a generator of their own, so the Postfix lines are
 * those of the same options without it): smtpd, cleanup, smtp and lmtp
 * processes that come and go (each with its own pid, max_use 100), TLS
 * lines of smtpd and smtp, amavis and OpenDKIM lines per message, Dovecot
 * LMTP deliveries and IMAP sessions of the site's users, anvil's
 * statistics.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

/* splitmix64: tiny, good enough, identical everywhere. */
static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd(void) { return splitmix(&rng_state); }

static unsigned rn(unsigned n) { return n ? (unsigned)(rnd() % n) : 0; }
/* C leaves the order of a call's arguments open (gcc went right to left,
 * clang goes left to right): a call that draws more than one number takes
 * them into variables first, last argument first, as the committed
 * samples were made, so that any compiler writes the same logs. */
static int chance(unsigned pct) { return rn(100) < pct; }

/* Heavy tail: index in [0,n) with small indexes far more likely. */
static unsigned zipf(unsigned n)
{
    double u = (double)(rnd() >> 11) / (double)(1ULL << 53);
    unsigned k = (unsigned)((double)n * u * u * u);
    return k < n ? k : n - 1;
}

/* ---- --site: its own numbers, its own processes ---- */
static int site;
static uint64_t site_state = 0x5173;

static unsigned srn(unsigned n) { return n ? (unsigned)(splitmix(&site_state) % n) : 0; }

/* A daemon's processes as master(8) runs them: up to n at once, each
 * serving max_use clients, then a new process with the next free pid. */
struct procs {
    unsigned n, max_use;
    unsigned pid[128], left[128];
};
static struct procs smtpd_procs = { 100, 100, { 0 }, { 0 } },
                    submission_procs = { 20, 100, { 0 }, { 0 } },
                    cleanup_procs = { 20, 100, { 0 }, { 0 } },
                    smtp_procs = { 50, 100, { 0 }, { 0 } },
                    lmtp_procs = { 10, 100, { 0 }, { 0 } },
                    amavis_procs = { 10, 20, { 0 }, { 0 } };

static unsigned proc_pid(struct procs *p)
{
    static unsigned last = 3000;
    unsigned k = srn(p->n);

    if (p->left[k] == 0) {
        last += 1 + srn(30);
        if (last > 4194304)
            last = 300 + srn(100);
        p->pid[k] = last;
        p->left[k] = p->max_use;
    }
    p->left[k]--;
    return p->pid[k];
}

/* The pid a daemon's line gets: the fixed one of a plain log, a process
 * of the pool with --site. */
static unsigned daemon_pid(struct procs *p, unsigned plain)
{
    return site ? proc_pid(p) : plain;
}

static const char tls_in[] = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) "
    "key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256";

/* ---- pending lines, popped in time order ---- */
struct line {
    int64_t t;                  /* milliseconds into the day */
    uint64_t seq;
    char *text;                 /* without stamp and host */
};
static struct line *heap;
static size_t nheap, capheap;
static uint64_t seq;

__attribute__((format(printf, 2, 3)))
static void push(int64_t t, const char *fmt, ...)
{
    va_list ap;
    char buf[2048];

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (nheap == capheap) {
        capheap = capheap ? capheap * 2 : 1024;
        heap = realloc(heap, capheap * sizeof(*heap));
        if (!heap)
            exit(1);
    }
    struct line l = { t, seq++, strdup(buf) };
    size_t i = nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (heap[p].t < l.t || (heap[p].t == l.t && heap[p].seq < l.seq))
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = l;
}

static struct line pop(void)
{
    struct line top = heap[0], last = heap[--nheap];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= nheap)
            break;
        if (c + 1 < nheap && (heap[c + 1].t < heap[c].t
                              || (heap[c + 1].t == heap[c].t && heap[c + 1].seq < heap[c].seq)))
            c++;
        if (last.t < heap[c].t || (last.t == heap[c].t && last.seq < heap[c].seq))
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = last;
    return top;
}

/* ---- options ---- */
static int year = 2026, month = 11, day = 24;
static int rfc3339;
static char tzoff[8] = "+00:00";
static const char *hostname = "mx1";
static const char *const month_name[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                          "Aug", "Sep", "Oct", "Nov", "Dec" };

static void print_line(const struct line *l)
{
    int64_t t = l->t;
    int d = day;
    if (t >= 86400000)          /* sessions running past midnight */
        t -= 86400000, d++;
    int h = (int)(t / 3600000), m = (int)(t / 60000 % 60), s = (int)(t / 1000 % 60);
    if (rfc3339)
        printf("%04d-%02d-%02dT%02d:%02d:%02d.%06d%s %s %s\n", year, month, d,
               h, m, s, (int)(t % 1000) * 1000, tzoff, hostname, l->text);
    else
        printf("%s %2d %02d:%02d:%02d %s %s\n", month_name[month - 1], d, h, m, s,
               hostname, l->text);
}

/* ---- populations ---- */
struct client {
    char ip[48];
    char name[96];              /* "unknown" when no PTR */
};

static struct client *legit, *bots, *brute, *v6bots;
static unsigned nlegit = 40, nbots = 400, nbrute = 6, nv6bots = 12;
static unsigned v6pct = 5;
/* Benchmarks: cycle gives every bot one session in turn (distinct
 * addresses = sessions, for memory per address); zipf is the heavy tail. */
static int bot_cycle, only_bots;
static unsigned crowded = 50;   /* percent of bots in 24 crowded /24s */
static unsigned long bot_next;
/* With --only-bots: this percent of the sessions are bots' (listed), the
 * others come from the legitimate MTAs in turn (seen, never listed), so
 * a run lists about that share of the addresses it sees; --v6 percent of
 * those MTAs are IPv6. 100: bots alone. */
static unsigned listed_pct = 100;
static unsigned long legit_next;
/* --v6-cycle: the IPv6 bots in turn too, each in a /64 of its own. */
static int v6_cycle;
static unsigned long v6_next;
static const char *relay_ip = "192.0.2.25", *relay_name = "relay.partner.example";
static unsigned long qcounter;
static int truth;

static void ip4(char *buf, unsigned a, unsigned b, unsigned c, unsigned d)
{
    snprintf(buf, 48, "%u.%u.%u.%u", a, b, c, d);
}

static void dyn_name(struct client *cl, unsigned a, unsigned b, unsigned c, unsigned d)
{
    switch (rn(7)) {
    case 0: snprintf(cl->name, 96, "%u-%u-%u-%u.dyn.example-isp.net", a, b, c, d); break;
    case 1: snprintf(cl->name, 96, "dsl-%u-%u-%u-%u.adsl.example.com", a, b, c, d); break;
    case 2: snprintf(cl->name, 96, "host%u.%u.%u.%u.cable.example.net", d, c, b, a); break;
    case 3: snprintf(cl->name, 96, "ppp%03u-%03u.pool.example.org", c, d); break;
    case 4: snprintf(cl->name, 96, "c-%u-%u-%u-%u.hsd1.example.net", a, b, c, d); break;
    default: strcpy(cl->name, "unknown"); break;
    }
}

static void make_populations(void)
{
    static const char *legit_name[][2] = {
        { "mail-ej1-f", ".bigmail.example" }, { "mx", ".partner-bank.example" },
        { "smtp", ".newsletter-service.example" }, { "o", ".email.shop.example" },
        { "out-", ".mta.university.example" }, { "mail", ".isp-relay.example" },
    };
    legit = calloc(nlegit, sizeof(*legit));
    for (unsigned i = 0, k4 = 0, k6 = 0; i < nlegit; i++) {
        if (listed_pct < 100) {
            /* Each sends once (in turn): v6pct of them IPv6, 250 to a network. */
            if ((i + 1) * (unsigned long)v6pct / 100 > i * (unsigned long)v6pct / 100) {
                snprintf(legit[i].ip, 48, "2001:db8:%x:%x::%x", 0x100 + (k6 / 250 >> 16),
                         k6 / 250 & 0xffff, 1 + k6 % 250);
                k6++;
            } else {
                ip4(legit[i].ip, 198, 18 + k4 / 62500, k4 / 250 % 250, 1 + k4 % 250);
                k4++;
            }
        } else if (i % 10 == 9) {
            snprintf(legit[i].ip, 48, "2001:db8:%x::%x", 0x100 + i, 25 + i);
        } else if (i < 240) {
            ip4(legit[i].ip, 198, 51, 100, 10 + i);
        } else {
            /* Past one /24: the benchmarking range 198.18.0.0/15. */
            ip4(legit[i].ip, 198, 18 + (i - 240) / 62500, (i - 240) / 250 % 250, 1 + (i - 240) % 250);
        }
        snprintf(legit[i].name, 96, "%s%u%s", legit_name[i % 6][0], 10 + i, legit_name[i % 6][1]);
    }
    /* Bots cluster in a few access networks (some /24s get many bots). */
    bots = calloc(nbots, sizeof(*bots));
    for (unsigned i = 0; i < nbots; i++) {
        unsigned a, b, c, d = 2 + rn(250);
        if (i < nbots * crowded / 100) {
            a = 100, b = 64 + i % 8, c = (i % 24) * 3;      /* 24 crowded /24s */
        } else {
            a = 1 + rn(222), b = rn(256), c = rn(256);
            if (a == 10 || a == 127 || a == 192 || a == 198 || a == 203)
                a = 45;
        }
        ip4(bots[i].ip, a, b, c, d);
        dyn_name(&bots[i], a, b, c, d);
    }
    v6bots = calloc(nv6bots, sizeof(*v6bots));
    for (unsigned i = 0; i < nv6bots; i++) {
        if (v6_cycle)           /* one network each, as the IPv4 bots nearly have */
            snprintf(v6bots[i].ip, 48, "2001:db8:%x:%x::%x", 0xb00 + (i >> 16), i & 0xffff,
                     0x1000 + rn(0xefff));
        else
            snprintf(v6bots[i].ip, 48, "2001:db8:bad:%x::%x", i % 3, 0x1000 + rn(0xefff));
        strcpy(v6bots[i].name, "unknown");
    }
    brute = calloc(nbrute, sizeof(*brute));
    for (unsigned i = 0; i < nbrute; i++) {
        ip4(brute[i].ip, 203, 0, 113, 10 + i * 7);
        strcpy(brute[i].name, i % 2 ? "unknown" : "vps-attack.hosting.example");
    }
    if (truth) {
        for (unsigned i = 0; i < nlegit; i++)
            fprintf(stderr, "legit\t%s\t%s\n", legit[i].ip, legit[i].name);
        for (unsigned i = 0; i < nbots; i++)
            fprintf(stderr, "bot\t%s\t%s\n", bots[i].ip, bots[i].name);
        for (unsigned i = 0; i < nv6bots; i++)
            fprintf(stderr, "bot\t%s\t%s\n", v6bots[i].ip, v6bots[i].name);
        for (unsigned i = 0; i < nbrute; i++)
            fprintf(stderr, "brute\t%s\t%s\n", brute[i].ip, brute[i].name);
        fprintf(stderr, "relay\t%s\t%s\n", relay_ip, relay_name);
    }
}

static void qid(char *buf)
{
    /* Short hex queue ids as Postfix writes them (inode + microseconds). */
    qcounter++;
    snprintf(buf, 16, "%X%05lX", 0x3A + (unsigned)(qcounter % 0xC0),
             (unsigned long)((qcounter * 2654435761u) & 0xFFFFF));
}

static const char *local_user(void)
{
    static const char *u[] = { "alice", "bob", "carol", "dave", "erin", "frank",
                               "info", "sales", "support", "admin" };
    return u[rn(10)];
}

static unsigned port(void) { return 1024 + rn(64000); }

/* ---- session generators; t in ms ---- */
static void legit_session(int64_t t)
{
    const struct client *c = listed_pct < 100 ? &legit[legit_next++ % nlegit] : &legit[zipf(nlegit)];
    unsigned p = port();
    char q[16];
    int v6 = strchr(c->ip, ':') != NULL;

    push(t, "postfix/postscreen[1201]: CONNECT from [%s]:%u to [%s]:25", c->ip, p,
         v6 ? "2001:db8::25" : "192.0.2.1");
    push(t + 5, "postfix/postscreen[1201]: PASS OLD [%s]:%u", c->ip, p);
    unsigned pid = 2000 + rn(50);
    pid = daemon_pid(&smtpd_procs, pid);
    push(t + 9, "postfix/smtpd[%u]: connect from %s[%s]", pid, c->name, c->ip);
    if (site && srn(100) < 75)
        push(t + 30, "postfix/smtpd[%u]: Anonymous TLS connection established from %s[%s]: %s",
             pid, c->name, c->ip, tls_in);
    unsigned nmsg = 1 + rn(3), rcpt_ok = 0, rcpt_bad = 0;
    int64_t u = t + 40;
    for (unsigned m = 0; m < nmsg; m++) {
        if (chance(3)) {
            unsigned n2 = rn(100);
            const char *u2 = local_user();
            unsigned n1 = rn(100);
            const char *u1 = local_user();
            push(u, "postfix/smtpd[%u]: NOQUEUE: reject: RCPT from %s[%s]: 550 5.1.1 "
                 "<%s%u@example.net>: Recipient address rejected: User unknown in virtual "
                 "mailbox table; from=<bounce@%s> to=<%s%u@example.net> proto=ESMTP helo=<%s>",
                 pid, c->name, c->ip, u1, n1, c->name, u2, n2, c->name);
            rcpt_bad++;
            u += 30;
            continue;
        }
        qid(q);
        push(u, "postfix/smtpd[%u]: %s: client=%s[%s]", pid, q, c->name, c->ip);
        unsigned mid = rn(99999), cleanup = daemon_pid(&cleanup_procs, 3001);
        push(u + 20, "postfix/cleanup[%u]: %s: message-id=<%lx.%u@%s>", cleanup, q, qcounter, mid, c->name);
        if (site)
            push(u + 25, "opendkim[1300]: %s: %s", q,
                 srn(3) ? "DKIM verification successful" : "no signature data");
        unsigned size = 2000 + rn(60000), news = rn(50);
        push(u + 40, "postfix/qmgr[999]: %s: from=<news-%u@%s>, size=%u, nrcpt=1 (queue active)",
             q, news, c->name, size);
        unsigned d2 = rn(9), d1 = rn(9);
        const char *who = local_user();
        int64_t at = u + 300 + rn(900);
        if (site) {
            unsigned apid = proc_pid(&amavis_procs), child = srn(100), hits = srn(3000);
            unsigned ms = 200 + srn(3000), mail_id = srn(1u << 30);
            push(at - 100, "amavis[%u]: (%05u-%02u) Passed CLEAN {RelayedInbound}, [%s]:%u [%s] "
                 "<news-%u@%s> -> <%s@example.net>, Queue-ID: %s, Message-ID: <%lx.%u@%s>, "
                 "mail_id: %08X, Hits: -%u.%03u, size: %u, %u ms", apid, apid, child, c->ip, p, c->ip,
                 news, c->name, who, q, qcounter, mid, c->name, mail_id, hits / 1000, hits % 1000,
                 size, ms);
        }
        unsigned lmtp = daemon_pid(&lmtp_procs, 4001);
        push(at, "postfix/lmtp[%u]: %s: to=<%s@example.net>, relay=imap.example.net[192.0.2.80]:24, "
             "delay=0.%u, delays=0.1/0/0/0.%u, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)",
             lmtp, q, who, d1, d2);
        if (site) {
            unsigned lpid = 20000 + srn(5000), s1 = srn(1u << 30), s2 = srn(1u << 30);
            push(at - 5, "dovecot: lmtp(%s@example.net)<%u><%08X%08X>: msgid=<%lx.%u@%s>: saved "
                 "mail to INBOX", who, lpid, s1, s2, qcounter, mid, c->name);
        }
        push(u + 1400, "postfix/qmgr[999]: %s: removed", q);
        rcpt_ok++;
        u += 200;
    }
    push(u + 50, "postfix/smtpd[%u]: disconnect from %s[%s] ehlo=1 mail=%u rcpt=%u/%u data=%u "
         "quit=1 commands=%u", pid, c->name, c->ip, nmsg, rcpt_ok, rcpt_ok + rcpt_bad, rcpt_ok,
         2 + nmsg + rcpt_ok + rcpt_bad + rcpt_ok);
}

static void bot_session(int64_t t)
{
    const struct client *c = chance(v6pct)
        ? &v6bots[v6_cycle ? v6_next++ % nv6bots : rn(nv6bots)]
        : bot_cycle ? &bots[bot_next++ % nbots] : &bots[zipf(nbots)];
    unsigned p = port();
    static const char *lists[] = { "zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org" };
    const char *helo = strcmp(c->name, "unknown") ? c->name : "ylmf-pc";

    push(t, "postfix/postscreen[1201]: CONNECT from [%s]:%u to [192.0.2.1]:25", c->ip, p);
    switch (rn(6)) {
    case 0:
        push(t + 300, "postfix/postscreen[1201]: PREGREET 23 after 0.%u from [%s]:%u: "
             "EHLO %s\\r\\n", rn(9), c->ip, p, helo);
        push(t + 400, "postfix/postscreen[1201]: DISCONNECT [%s]:%u", c->ip, p);
        return;
    case 1:
        push(t + 500, "postfix/postscreen[1201]: DNSBL rank %u for [%s]:%u", 2 + rn(4), c->ip, p);
        {
            const char *to = local_user(), *from = local_user(), *list = lists[rn(3)];
            push(t + 900, "postfix/postscreen[1201]: NOQUEUE: reject: RCPT from [%s]:%u: 550 5.7.1 "
                 "Service unavailable; client [%s] blocked using %s; from=<%s@%s>, to=<%s@example.net>, "
                 "proto=ESMTP, helo=<%s>", c->ip, p, c->ip, list, from, "spam.example", to, helo);
        }
        push(t + 1000, "postfix/postscreen[1201]: DISCONNECT [%s]:%u", c->ip, p);
        return;
    case 2:
        push(t + 6000, "postfix/postscreen[1201]: HANGUP after 5.%u from [%s]:%u in tests "
             "before SMTP handshake", rn(9), c->ip, p);
        push(t + 6001, "postfix/postscreen[1201]: DISCONNECT [%s]:%u", c->ip, p);
        return;
    default:
        break;
    }
    push(t + 100, "postfix/postscreen[1201]: PASS NEW [%s]:%u", c->ip, p);
    unsigned pid = daemon_pid(&smtpd_procs, 2002);
    push(t + 110, "postfix/smtpd[%u]: connect from %s[%s]", pid, c->name, c->ip);
    if (site && srn(100) < 15)
        push(t + 200, "postfix/smtpd[%u]: Anonymous TLS connection established from %s[%s]: %s",
             pid, c->name, c->ip, tls_in);
    unsigned n = 1 + rn(6);
    int64_t u = t + 300;
    int nordns = strcmp(c->name, "unknown") == 0;
    for (unsigned i = 0; i < n; i++, u += 150) {
        if (nordns && chance(60)) {
            const char *to = local_user(), *from = local_user();
            push(u, "postfix/smtpd[%u]: NOQUEUE: reject: RCPT from unknown[%s]: 450 4.7.1 "
                 "Client host rejected: cannot find your reverse hostname, [%s]; from=<%s@%s> "
                 "to=<%s@example.net> proto=ESMTP helo=<%s>", pid, c->ip, c->ip, from,
                 "deals.example", to, helo);
        } else if (chance(50)) {
            const char *to = local_user(), *from = local_user(), *list = lists[rn(3)];
            push(u, "postfix/smtpd[%u]: NOQUEUE: reject: RCPT from %s[%s]: 554 5.7.1 Service "
                 "unavailable; Client host [%s] blocked using %s; from=<%s@%s> to=<%s@example.net> "
                 "proto=ESMTP helo=<%s>", pid, c->name, c->ip, c->ip, list, from, "deals.example", to,
                 helo);
        } else {
            unsigned x2 = rn(9999);
            const char *from = local_user();
            unsigned x1 = rn(9999);
            push(u, "postfix/smtpd[%u]: NOQUEUE: reject: RCPT from %s[%s]: 550 5.1.1 "
                 "<x%u@example.net>: Recipient address rejected: User unknown in virtual mailbox "
                 "table; from=<%s@%s> to=<x%u@example.net> proto=ESMTP helo=<%s>", pid, c->name, c->ip,
                 x1, from, "deals.example", x2, helo);
        }
    }
    if (chance(10)) {
        char q[16];
        qid(q);
        push(u, "postfix/smtpd[%u]: %s: client=%s[%s]", pid, q, c->name, c->ip);
        unsigned cleanup = daemon_pid(&cleanup_procs, 3001);
        push(u + 20, "postfix/cleanup[%u]: %s: message-id=<%lx@%s>", cleanup, q, qcounter, helo);
        unsigned size = 900 + rn(4000);
        push(u + 40, "postfix/qmgr[999]: %s: from=<%s@deals.example>, size=%u, nrcpt=1 (queue active)",
             q, local_user(), size);
        unsigned lmtp = daemon_pid(&lmtp_procs, 4001);
        push(u + 600, "postfix/lmtp[%u]: %s: to=<%s@example.net>, relay=imap.example.net[192.0.2.80]:24, "
             "delay=0.6, delays=0.1/0/0/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)", lmtp, q,
             local_user());
        push(u + 700, "postfix/qmgr[999]: %s: removed", q);
        u += 100;
    }
    if (chance(50))
        push(u + 200, "postfix/smtpd[%u]: lost connection after RCPT from %s[%s]", pid, c->name, c->ip);
    push(u + 210, "postfix/smtpd[%u]: disconnect from %s[%s] ehlo=1 mail=1 rcpt=0/%u commands=2/%u",
         pid, c->name, c->ip, n, n + 2);
}

static void brute_session(int64_t t)
{
    const struct client *c = &brute[zipf(nbrute)];
    unsigned tries = 1 + rn(3);
    static const char *methods[] = { "LOGIN", "PLAIN" };

    unsigned pid = daemon_pid(&submission_procs, 2101);
    push(t, "postfix/submission/smtpd[%u]: connect from %s[%s]", pid, c->name, c->ip);
    if (site && srn(100) < 90)
        push(t + 500, "postfix/submission/smtpd[%u]: Anonymous TLS connection established from "
             "%s[%s]: %s", pid, c->name, c->ip, tls_in);
    for (unsigned i = 0; i < tries; i++) {
        const char *why = rn(2) ? "UGFzc3dvcmQ6" : "authentication failure";
        push(t + 2000 + 1500 * i, "postfix/submission/smtpd[%u]: warning: %s[%s]: SASL %s "
             "authentication failed: %s", pid, c->name, c->ip, methods[rn(2)], why);
    }
    push(t + 2000 + 1500 * tries, "postfix/submission/smtpd[%u]: lost connection after AUTH from %s[%s]",
         pid, c->name, c->ip);
    push(t + 2001 + 1500 * tries, "postfix/submission/smtpd[%u]: disconnect from %s[%s] ehlo=1 "
         "auth=0/%u commands=1/%u", pid, c->name, c->ip, tries, tries + 1);
}

static void relay_session(int64_t t)
{
    /* The partner relay forwards whatever it gets: junk for dead mailboxes. */
    unsigned pid = daemon_pid(&smtpd_procs, 2003);
    push(t, "postfix/smtpd[%u]: connect from %s[%s]", pid, relay_name, relay_ip);
    if (site)
        push(t + 50, "postfix/smtpd[%u]: Trusted TLS connection established from %s[%s]: %s",
             pid, relay_name, relay_ip, tls_in);
    for (unsigned i = 0; i < 3; i++) {
        unsigned o2 = rn(500), o1 = rn(500);
        push(t + 100 + 50 * i, "postfix/smtpd[%u]: NOQUEUE: reject: RCPT from %s[%s]: 550 5.1.1 "
             "<old%u@example.net>: Recipient address rejected: User unknown in virtual mailbox table; "
             "from=<> to=<old%u@example.net> proto=ESMTP helo=<%s>", pid, relay_name, relay_ip, o1, o2,
             relay_name);
    }
    push(t + 400, "postfix/smtpd[%u]: disconnect from %s[%s] ehlo=1 mail=1 rcpt=0/3 quit=1 commands=3/5",
         pid, relay_name, relay_ip);
}

/* Outbound: customers submit with SASL; smtp delivers to remote MXs. */
struct customer {
    const char *login, *domain;
    unsigned bounce_pct, spam_pct, fanout, weight;
    int roaming;                /* logs in from many networks: phished */
};
static const struct customer customers[] = {
    { "alice@acme.example", "acme.example", 2, 0, 2, 30, 0 },
    { "news@bulk-news.example", "bulk-news.example", 1, 0, 20, 25, 0 },
    { "sales@cheap-pills.example", "cheap-pills.example", 35, 20, 15, 15, 0 },
    { "bob@smallshop.example", "smallshop.example", 10, 15, 8, 10, 1 },
    { "carol@clean.example", "clean.example", 0, 0, 1, 20, 0 },
};

static void outbound_session(int64_t t)
{
    unsigned w = rn(100), k = 0;
    for (unsigned acc = 0; k < 4; k++) {
        acc += customers[k].weight;
        if (w < acc)
            break;
    }
    const struct customer *cu = &customers[k];
    char ip[48], q[16];
    if (cu->roaming) {
        unsigned d = 1 + rn(250), c = rn(256), b = rn(256), a = 1 + rn(200);
        ip4(ip, a, b, c, d);
    }
    else
        ip4(ip, 192, 0, 2, 100 + k);
    qid(q);
    unsigned nrcpt = 1 + rn(cu->fanout);
    unsigned pid = daemon_pid(&submission_procs, 2201);
    push(t, "postfix/submission/smtpd[%u]: connect from unknown[%s]", pid, ip);
    if (site)
        push(t + 200, "postfix/submission/smtpd[%u]: Anonymous TLS connection established from "
             "unknown[%s]: %s", pid, ip, tls_in);
    push(t + 400, "postfix/submission/smtpd[%u]: %s: client=unknown[%s], sasl_method=LOGIN, "
         "sasl_username=%s", pid, q, ip, cu->login);
    unsigned mid = rn(99999), cleanup = daemon_pid(&cleanup_procs, 3002);
    push(t + 420, "postfix/cleanup[%u]: %s: message-id=<%lx.%u@%s>", cleanup, q, qcounter, mid, cu->domain);
    if (site)
        push(t + 430, "opendkim[1300]: %s: DKIM-Signature field added (s=mail, d=%s)", q, cu->domain);
    push(t + 450, "postfix/qmgr[999]: %s: from=<%s>, size=%u, nrcpt=%u (queue active)", q,
         cu->login, 1500 + rn(40000), nrcpt);
    push(t + 500, "postfix/submission/smtpd[%u]: disconnect from unknown[%s] ehlo=1 auth=1 mail=1 "
         "rcpt=%u data=1 quit=1 commands=%u", pid, ip, nrcpt, 5 + nrcpt);
    static const char *remote[] = { "gmail-smtp-in.l.google.example", "mx1.hotmail.example",
                                    "mx.yahoo.example", "mx.corp.example" };
    int64_t u = t + 900;
    for (unsigned r = 0; r < nrcpt; r++, u += 120) {
        unsigned m = rn(4);
        const char *status = "sent";
        char reply[256];
        if (chance(cu->spam_pct)) {
            status = "bounced";
            snprintf(reply, sizeof(reply), "host %s[192.0.2.%u] said: 550 5.7.1 Message rejected "
                     "as spam; sender IP listed on a blocklist (in reply to end of DATA command)",
                     remote[m], 200 + m);
        } else if (chance(cu->bounce_pct)) {
            status = "bounced";
            snprintf(reply, sizeof(reply), "host %s[192.0.2.%u] said: 550 5.1.1 The email account "
                     "that you tried to reach does not exist (in reply to RCPT TO command)",
                     remote[m], 200 + m);
        } else if (chance(3)) {
            status = "deferred";
            snprintf(reply, sizeof(reply), "host %s[192.0.2.%u] said: 421 4.7.0 Try again later, "
                     "too many messages (in reply to MAIL FROM command)", remote[m], 200 + m);
        } else {
            snprintf(reply, sizeof(reply), "250 2.0.0 OK id=%lx", qcounter * 31 + r);
        }
        const char *dsn = status[0] == 's' ? "2.0.0" : status[0] == 'd' ? "4.7.0"
            : strstr(reply, "5.7.1") ? "5.7.1" : "5.1.1";
        unsigned d2 = rn(9), d1 = rn(9), rcpt = rn(100000);
        unsigned smtp = daemon_pid(&smtp_procs, 4101);
        if (site && srn(100) < 70)
            push(u - 50, "postfix/smtp[%u]: Trusted TLS connection established to %s[192.0.2.%u]:25: "
                 "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
                 "server-signature ECDSA (P-256) server-digest SHA256", smtp, remote[m], 200 + m);
        push(u, "postfix/smtp[%u]: %s: to=<rcpt%u@%s>, relay=%s[192.0.2.%u]:25, delay=1.%u, "
             "delays=0.1/0/0.5/0.%u, dsn=%s, status=%s (%s)", smtp, q, rcpt,
             m == 3 ? "corp.example" : m == 0 ? "gmail.example" : m == 1 ? "hotmail.example" : "yahoo.example",
             remote[m], 200 + m, d1, d2, dsn, status, reply);
    }
    push(u + 100, "postfix/qmgr[999]: %s: removed", q);
}

/* --site: a user of the site reads mail over IMAP (from home, a phone,
 * abroad); a few mistype the password. */
static void imap_session(int64_t t)
{
    static const char *user[] = { "alice", "bob", "carol", "dave", "erin", "frank", "grace",
                                  "heidi", "ivan", "judy" };
    char ip[48], who[64], sess[20];
    unsigned n = srn(300), k = srn(10);
    snprintf(who, sizeof(who), "%s%u@example.net", user[k], n);
    if (srn(100) < 30) {
        ip4(ip, 192, 0, 2, 100 + srn(5));
    } else {
        unsigned d = 1 + srn(250), c = srn(256), b = srn(256), a = 11 + srn(190);
        ip4(ip, a, b, c, d);
    }
    unsigned s1 = srn(1u << 30), s2 = srn(1u << 30);
    snprintf(sess, sizeof(sess), "%08X%08X", s1, s2);
    unsigned mpid = 20000 + srn(40000);
    if (srn(100) < 3) {
        push(t, "dovecot: auth: passwd-file(%s,%s): %s", who, ip,
             srn(2) ? "Password mismatch" : "unknown user");
        push(t + 2000, "dovecot: imap-login: Disconnected: Connection closed (auth failed, 1 attempts "
             "in 2 secs): user=<%s>, method=PLAIN, rip=%s, lip=192.0.2.1, TLS, session=<%s>",
             who, ip, sess);
        return;
    }
    push(t, "dovecot: imap-login: Login: user=<%s>, method=PLAIN, rip=%s, lip=192.0.2.1, "
         "mpid=%u, TLS, session=<%s>", who, ip, mpid, sess);
    unsigned in = 50 + srn(5000), out = 500 + srn(500000), body = srn(20);
    push(t + 60000 + srn(600000), "dovecot: imap(%s)<%u><%s>: Logged out in=%u out=%u deleted=0 "
         "expunged=0 trashed=0 hdr_count=%u hdr_bytes=%u body_count=%u body_bytes=%u", who, mpid,
         sess, in, out, body * 3, body * 900, body, out / 2);
}

/* --site: anvil's and scache's statistics every ten minutes. */
static void statistics(int64_t t)
{
    int h = (int)(t / 3600000 % 24), m = (int)(t / 60000 % 60);
    char at[32];
    snprintf(at, sizeof(at), "%s %2d %02d:%02d:00", month_name[month - 1], day, h, m);
    unsigned rate = 1 + srn(20), rate_ip = 100 + srn(100), count = 1 + srn(5),
             count_ip = 100 + srn(100), cache = 10 + srn(200);
    push(t, "postfix/anvil[1400]: statistics: max connection rate %u/60s for (smtp:192.0.2.%u) at %s",
         rate, rate_ip, at);
    push(t, "postfix/anvil[1400]: statistics: max connection count %u for (smtp:192.0.2.%u) at %s",
         count, count_ip, at);
    push(t, "postfix/anvil[1400]: statistics: max cache size %u at %s", cache, at);
    unsigned hits = srn(100), miss = 1 + srn(100), success = srn(100);
    push(t + 5, "postfix/scache[1401]: statistics: start interval %s", at);
    push(t + 5, "postfix/scache[1401]: statistics: domain lookup hits=%u miss=%u success=%u%%",
         hits, miss, success);
}

int main(int argc, char **argv)
{
    unsigned long sessions = 6000, seed = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--truth")) { truth = 1; continue; }
        if (!strcmp(a, "--only-bots")) { only_bots = 1; continue; }
        if (!strcmp(a, "--v6-cycle")) { v6_cycle = 1; continue; }
        if (!strcmp(a, "--site")) { site = 1; continue; }
        if (v == NULL) {
            fprintf(stderr, "genlog: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--seed")) seed = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--sessions")) sessions = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--bots")) nbots = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--legit")) nlegit = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--v6")) v6pct = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--v6-bots")) nv6bots = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--bot-pick")) bot_cycle = !strcmp(v, "cycle");
        else if (!strcmp(a, "--crowded")) crowded = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--listed")) listed_pct = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--host")) hostname = v;
        else if (!strcmp(a, "--date")) {
            if (sscanf(v, "%d-%d-%d", &year, &month, &day) != 3 || month < 1 || month > 12) {
                fprintf(stderr, "genlog: --date wants YYYY-MM-DD\n");
                return 2;
            }
        } else if (!strcmp(a, "--stamp")) rfc3339 = !strcmp(v, "rfc3339");
        else if (!strcmp(a, "--tz-offset")) {
            snprintf(tzoff, sizeof(tzoff), "%s", v);
        } else {
            fprintf(stderr, "usage: genlog [--seed N] [--date YYYY-MM-DD] [--sessions N] "
                    "[--stamp bsd|rfc3339] [--tz-offset +HH:MM] [--bots N] [--legit N] "
                    "[--v6 PCT] [--v6-bots N] [--bot-pick zipf|cycle] [--crowded PCT] [--only-bots]\n"
                    "       [--listed PCT] [--v6-cycle] [--site] [--host NAME] [--truth]\n");
            return 2;
        }
    }
    if (nbots < 2 || nlegit < 10 || nbrute < 1 || nv6bots < 1 || crowded > 100
        || listed_pct > 100) {
        fprintf(stderr, "genlog: need at least 2 bots and 10 legitimate MTAs\n");
        return 2;
    }
    rng_state = seed;
    site_state += seed;
    make_populations();
    int64_t next_stats = 600000;
    /* Spread session starts over the day; emit what is due as time moves. */
    for (unsigned long s = 0; s < sessions; s++) {
        int64_t t = (int64_t)((double)s * 86000000.0 / (double)sessions) + rn(1000);
        /* Bot and legitimate sessions mixed evenly: s * PCT / 100 steps. */
        unsigned kind = !only_bots ? rn(100)
            : listed_pct == 100 || (s + 1) * listed_pct / 100 > s * listed_pct / 100 ? 50 : 0;
        if (kind < 38) legit_session(t);
        else if (kind < 73) bot_session(t);
        else if (kind < 80) brute_session(t);
        else if (kind < 82) relay_session(t);
        else outbound_session(t);
        if (site) {
            /* IMAP logins: about one for every three SMTP sessions. */
            if (srn(100) < 35)
                imap_session(t + srn(1000));
            for (; next_stats <= t; next_stats += 600000)
                statistics(next_stats);
        }
        while (nheap && heap[0].t < t - 10000) {
            struct line l = pop();
            print_line(&l);
            free(l.text);
        }
    }
    while (nheap) {
        struct line l = pop();
        print_line(&l);
        free(l.text);
    }
    return 0;
}
