/* outbound + customers: the queue-ID join on hand-made events (interleaving,
 * reuse of short IDs, retries, rotated files, hosts, orphans, qmail), its
 * independence from how events are split between collectors, reply
 * classes, and the tiers of typical customers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"
#include "customers.h"
#include "custmap.h"
#include "outbound.h"

/* The event tables name only the fields each line has. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static struct span S(const char *s)
{
    return s ? span_make(s, strlen(s)) : SPAN_NULL;
}

/* A fixed table of events: file, line, ts, type, host, prog, qid, a few fields. */
struct e {
    uint32_t file;
    uint64_t line;
    int64_t ts;
    enum ev_type type;
    const char *host, *prog, *qid, *ip, *sasl, *from, *to, *relay, *dsn, *status, *text,
        *uid, *msg, *delivery;
};

static void feed(struct outbound *ob, const struct e *v, size_t n, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < n; i++) {
        struct event ev;
        memset(&ev, 0, sizeof(ev));
        ev.file_index = v[i].file;
        ev.line = v[i].line;
        ev.ts = v[i].ts;
        ev.has_ts = true;
        ev.type = v[i].type;
        ev.host = S(v[i].host ? v[i].host : "mx1");
        ev.prog = S(v[i].prog ? v[i].prog : "postfix/smtp");
        ev.qid = S(v[i].qid);
        if (v[i].ip)
            ipaddr_parse(S(v[i].ip), &ev.ip);
        ev.sasl_user = S(v[i].sasl);
        ev.from = S(v[i].from);
        ev.to = S(v[i].to);
        ev.relay = S(v[i].relay);
        ev.dsn = S(v[i].dsn);
        ev.status = S(v[i].status);
        ev.text = S(v[i].text);
        ev.uid = S(v[i].uid);
        ev.msg = S(v[i].msg);
        ev.delivery = S(v[i].delivery);
        outbound_add(ob, &ev);
    }
}

#define RELAY "mx.x.example[192.0.2.1]:25"
/* File 1 is the older one (mail.log.1 given after mail.log). */
static const struct e day[] = {
    { 1, 1, 1000, EV_CLIENT, 0, "postfix/submission/smtpd", "1A2B3C", "198.51.100.7", "spam@p.example" },
    { 1, 2, 1001, EV_CLIENT, 0, "postfix/submission/smtpd", "4D5E6F", "203.0.113.9", "ann@g.example" },
    { 1, 3, 1002, EV_QUEUED, 0, "postfix/qmgr", "1A2B3C", 0, 0, "spam@p.example" },
    { 1, 4, 1002, EV_QUEUED, 0, "postfix/qmgr", "4D5E6F", 0, 0, "ann@g.example" },
    { 1, 5, 1003, EV_DELIVERY, 0, 0, "1A2B3C", 0, 0, 0, "a@x.example", RELAY, "2.0.0", "sent", "250 ok" },
    { 1, 6, 1003, EV_DELIVERY, 0, 0, "4D5E6F", 0, 0, 0, "f@y.example", RELAY, "4.7.0", "deferred", "421 try again later" },
    { 1, 7, 1004, EV_DELIVERY, 0, 0, "1A2B3C", 0, 0, 0, "b@x.example", RELAY, "5.7.1", "bounced", "550 5.7.1 rejected as spam" },
    { 1, 8, 1005, EV_REMOVED, 0, "postfix/qmgr", "1A2B3C" },
    /* the short ID again: a new message */
    { 1, 9, 1300, EV_CLIENT, 0, "postfix/submission/smtpd", "1A2B3C", "203.0.113.9", "ann@g.example" },
    { 1, 10, 1301, EV_DELIVERY, 0, 0, "1A2B3C", 0, 0, 0, "c@x.example", RELAY, "2.0.0", "sent", "250 ok" },
    { 1, 11, 1302, EV_REMOVED, 0, "postfix/qmgr", "1A2B3C" },
    /* same ID on another host: another message */
    { 1, 12, 1303, EV_CLIENT, "mx2", "postfix/submission/smtpd", "4D5E6F", "203.0.113.10", "ann@g.example" },
    { 1, 13, 1304, EV_DELIVERY, "mx2", 0, "4D5E6F", 0, 0, 0, "d@x.example", RELAY, "2.0.0", "sent", "250 ok" },
    { 1, 14, 1305, EV_REMOVED, "mx2", "postfix/qmgr", "4D5E6F" },
    /* the newer file: the retry of 4D5E6F, an orphan delivery, qmail */
    { 0, 1, 2000, EV_QUEUED, 0, "postfix/qmgr", "4D5E6F", 0, 0, "ann@g.example" },
    { 0, 2, 2001, EV_DELIVERY, 0, 0, "4D5E6F", 0, 0, 0, "f@y.example", RELAY, "2.0.0", "sent", "250 ok" },
    { 0, 3, 2002, EV_REMOVED, 0, "postfix/qmgr", "4D5E6F" },
    { 0, 4, 2003, EV_DELIVERY, 0, 0, "7B7B7B", 0, 0, 0, "e@x.example", RELAY, "5.1.1", "bounced", "550 5.1.1 user unknown" },
    { 0, 5, 2004, EV_QMAIL_INFO, 0, "qmail", "71198", 0, 0, "news@q.example", 0, 0, 0, 0, 0, "1001", "71198" },
    { 0, 6, 2005, EV_QMAIL_START, 0, "qmail", "71198", 0, 0, 0, "r@gmail.example", "remote", 0, 0, 0, 0, "71198", "12" },
    { 0, 7, 2006, EV_QMAIL_DELIVERY, 0, "qmail", 0, 0, 0, 0, 0, "192.0.2.7", "5.7.1", "failure", "spam detected", 0, 0, "12" },
    { 0, 8, 2007, EV_QMAIL_END, 0, "qmail", "71198", 0, 0, 0, 0, 0, 0, 0, 0, 0, "71198" },
    { 0, 9, 2008, EV_QMAIL_DELIVERY, 0, "qmail", 0, 0, 0, 0, 0, 0, 0, "success", 0, 0, 0, "99" },
};
enum { NDAY = sizeof(day) / sizeof(day[0]) };

/* A canonical text of the joined messages, for comparisons. */
static void dump(const struct outbound *ob, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < outbound_count(ob); i++) {
        const struct ob_msg *m = outbound_msg(ob, i);
        n += (size_t)snprintf(buf + n, cap - n, "%s/%s/%s/%d:", m->qid, m->sasl_user ? m->sasl_user : "-",
                              m->from ? m->from : "-", m->started);
        for (size_t k = 0; k < m->nd; k++)
            n += (size_t)snprintf(buf + n, cap - n, " %s=%s", m->d[k].to,
                                  outbound_status_name(m->d[k].status));
        n += (size_t)snprintf(buf + n, cap - n, "\n");
    }
}

static void test_join(void **state)
{
    (void)state;
    struct outbound *ob = outbound_new();
    char got[4096];

    feed(ob, day, NDAY, 0, NDAY);
    outbound_join(ob);
    dump(ob, got, sizeof(got));
    assert_string_equal(got,
        "1A2B3C/spam@p.example/spam@p.example/1: a@x.example=sent b@x.example=bounced\n"
        "4D5E6F/ann@g.example/ann@g.example/1: f@y.example=deferred f@y.example=sent\n"
        "1A2B3C/ann@g.example/-/1: c@x.example=sent\n"
        "4D5E6F/ann@g.example/-/1: d@x.example=sent\n"
        "7B7B7B/-/-/0: e@x.example=bounced\n"
        "71198/-/news@q.example/1: r@gmail.example=bounced\n"
        "/-/-/0: =sent\n");
    assert_int_equal(outbound_file_rank(ob, 1), 0);     /* older file first */
    assert_int_equal(outbound_file_rank(ob, 0), 1);
    const struct ob_msg *q = outbound_msg(ob, 5);
    assert_string_equal(q->uid, "1001");
    assert_true(q->d[0].remote);
    assert_string_equal(q->d[0].text, "spam detected");
    assert_string_equal(outbound_msg(ob, 0)->d[1].relay, "mx.x.example");
    assert_null(outbound_msg(ob, 0)->d[0].text);        /* no text kept for sent */
    outbound_free(ob);
}

/* Any split of the events between collectors, merged in any order, joins
 * to the same messages: what thread counts and chunking amount to. */
static void test_split_merge(void **state)
{
    (void)state;
    char want[4096], got[4096];
    struct outbound *one = outbound_new();

    feed(one, day, NDAY, 0, NDAY);
    outbound_join(one);
    dump(one, want, sizeof(want));
    outbound_free(one);
    for (size_t cut = 0; cut <= NDAY; cut++)
        for (int order = 0; order < 2; order++) {
            struct outbound *a = outbound_new(), *b = outbound_new(), *all = outbound_new();
            feed(a, day, NDAY, 0, cut);
            feed(b, day, NDAY, cut, NDAY);
            outbound_merge(all, order ? b : a);
            outbound_merge(all, order ? a : b);
            outbound_free(a);
            outbound_free(b);
            outbound_join(all);
            dump(all, got, sizeof(got));
            if (strcmp(got, want) != 0)
                fail_msg("cut %zu order %d:\n%s", cut, order, got);
            outbound_free(all);
        }
}

static void test_classes(void **state)
{
    (void)state;
    assert_int_equal(custclass_reply("550 5.7.1 Message rejected as spam", "5.7.1"), RC_SPAM);
    assert_true(custclass_reply("554 Client host [1.2.3.4] blocked using zen.spamhaus.org", NULL)
                & RC_BLOCKLIST);
    assert_int_equal(custclass_reply("550 5.7.1 poor sender reputation", NULL), RC_REPUTATION);
    assert_int_equal(custclass_reply("550 5.1.1 The email account does not exist", "5.1.1"),
                     RC_UNKNOWN_RECIPIENT);
    assert_int_equal(custclass_reply("421 4.7.0 Try again later, too many messages", NULL),
                     RC_RATE_LIMIT);
    assert_int_equal(custclass_reply("452 4.2.2 Mailbox full", "4.2.2"), 0);
    assert_int_equal(custclass_reply(NULL, "5.1.1"), RC_UNKNOWN_RECIPIENT);
}

/* Typical customers, made of events: tiers under the default policy. */
static size_t line;

static void message(struct outbound *ob, const char *qid, const char *ip, const char *sasl,
                    int64_t ts, int nrcpt, int bounced, const char *why)
{
    char to[64];
    struct e v[2 + 64];
    size_t n = 0;

    v[n++] = (struct e){ 0, ++line, ts, EV_CLIENT, 0, "postfix/submission/smtpd", qid, ip, sasl };
    for (int r = 0; r < nrcpt && n < 65; r++) {
        snprintf(to, sizeof(to), "r%d@d%d.example", r, r % 7);
        v[n++] = (struct e){ 0, ++line, ts + 1, EV_DELIVERY, 0, 0, qid, 0, 0, sasl, strdup(to),
                             RELAY, r < bounced ? "5.7.1" : "2.0.0",
                             r < bounced ? "bounced" : "sent", r < bounced ? why : "250 ok" };
    }
    feed(ob, v, n, 0, n);
    for (size_t i = 1; i < n; i++)
        free((char *)v[i].to);
    struct e rm = { 0, ++line, ts + 2, EV_REMOVED, 0, "postfix/qmgr", qid };
    feed(ob, &rm, 1, 0, 1);
}

static void test_tiers(void **state)
{
    (void)state;
    struct outbound *ob = outbound_new();
    struct custmap *map = custmap_new();
    struct cust_policy p;
    struct cust_report r;
    char err[200], qid[16], ip[32];
    int64_t t0 = 1795500000;

    config_customers_init(&p);
    assert_true(custmap_add(map, "Spammer", "sasl", "s@spam.example", err, sizeof(err)));
    assert_true(custmap_add(map, "Phished", "sasl", "bob@shop.example", err, sizeof(err)));
    assert_true(custmap_add(map, "Clean", "cidr", "192.0.2.128/25", err, sizeof(err)));
    assert_true(custmap_add(map, "Bulk", "sasl", "news@bulk.example", err, sizeof(err)));
    assert_false(custmap_add(map, "../x", "sasl", "y@z", err, sizeof(err)));
    assert_false(custmap_add(map, "(unmapped)", "sasl", "y@z", err, sizeof(err)));
    int k = 0;
    for (int i = 0; i < 60; i++) {  /* 60 x 10 recipients, 3 of them refused as spam */
        snprintf(qid, sizeof(qid), "A%05X", k++);
        message(ob, qid, "198.51.100.7", "s@spam.example", t0 + i * 60, 10, 3,
                "550 5.7.1 Message rejected as spam");
    }
    for (int i = 0; i < 20; i++) {  /* one mailbox, twenty networks, nothing refused */
        snprintf(qid, sizeof(qid), "A%05X", k++);
        snprintf(ip, sizeof(ip), "%d.%d.7.9", 20 + i, i * 3);
        message(ob, qid, ip, "bob@shop.example", t0 + i * 600, 2, 0, NULL);
    }
    for (int i = 0; i < 10; i++) {
        snprintf(qid, sizeof(qid), "A%05X", k++);
        message(ob, qid, "192.0.2.200", "carol@clean.example", t0 + i * 900, 1, 0, NULL);
    }
    for (int i = 0; i < 200; i++) { /* 200 x 30 recipients, 1 in 200 unknown */
        snprintf(qid, sizeof(qid), "A%05X", k++);
        message(ob, qid, "192.0.2.10", "news@bulk.example", t0 + i * 300, 30, i % 7 == 0,
                "550 5.1.1 user unknown");
    }
    outbound_join(ob);
    cust_report_build(&r, ob, map, &p, NULL, NULL, NULL);
    assert_int_equal(r.n, 4);                           /* (unmapped) is empty: not listed */
    /* Dispersion without an outcome is at most watch (issue 23). */
    const char *want[][2] = { { "Spammer", "suspend" }, { "Phished", "watch" },
                              { "Bulk", "ok" }, { "Clean", "ok" } };
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(r.c[i].name, want[i][0]);
        assert_string_equal(cust_tier_name(r.c[i].tier), want[i][1]);
    }
    assert_int_equal(r.c[0].messages, 60);
    assert_int_equal(r.c[0].bounced, 180);
    assert_int_equal(r.c[0].spam_rejections, 180);
    assert_int_equal(r.c[1].logins[0].networks, 20);
    bool compromise = false;
    for (size_t i = 0; i < r.c[1].nsig; i++)
        if (r.c[1].sig[i].id == SIG_ACCOUNT_COMPROMISE) {
            compromise = true;
            assert_int_equal(r.c[1].sig[i].level, TIER_WATCH);
            assert_int_equal(r.c[1].sig[i].nev, 5);
            assert_int_equal(r.c[1].logins[0].places, 20);
            assert_int_equal(r.c[1].logins[0].outcomes, 0);
        }
    assert_true(compromise);
    assert_int_equal(r.c[2].recipients, 6000);
    assert_int_equal(r.c[2].nsig, 0);
    assert_int_equal(r.c[3].messages, 10);
    cust_report_free(&r);
    custmap_free(map);
    outbound_free(ob);
}

/* A customer who sends two messages an hour, then 120 in one hour. */
static void test_spike(void **state)
{
    (void)state;
    struct outbound *ob = outbound_new();
    struct custmap *map = custmap_new();
    struct cust_policy p;
    struct cust_report r;
    char err[200], qid[16];
    int64_t t0 = 1795500000 - 1795500000 % 3600;
    int k = 0;

    config_customers_init(&p);
    assert_true(custmap_add(map, "Shop", "sasl", "web@shop.example", err, sizeof(err)));
    for (int h = 0; h < 12; h++)
        for (int i = 0; i < (h == 9 ? 120 : 2); i++) {
            snprintf(qid, sizeof(qid), "C%05X", k++);
            message(ob, qid, "192.0.2.10", "web@shop.example", t0 + h * 3600 + i * 10, 1, 0, NULL);
        }
    outbound_join(ob);
    cust_report_build(&r, ob, map, &p, NULL, NULL, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.c[0].peak, 120);
    assert_int_equal(r.c[0].median, 2);
    assert_int_equal(r.c[0].peak_hour, t0 + 9 * 3600);
    assert_int_equal(r.c[0].nsig, 1);
    assert_int_equal(r.c[0].sig[0].id, SIG_VOLUME_SPIKE);
    assert_int_equal(r.c[0].tier, TIER_WATCH);
    assert_int_equal(r.c[0].sig[0].nev, 5);
    assert_int_equal(r.c[0].sig[0].ev[0].ts, t0 + 9 * 3600);
    cust_report_free(&r);

    /* A retry that bounces two days after the last message: inside the
     * period, in its own hour. */
    struct e late[] = {
        { 0, 90001, t0 + 12 * 3600, EV_CLIENT, 0, "postfix/submission/smtpd", "D00001", "192.0.2.10", "web@shop.example" },
        { 0, 90002, t0 + 12 * 3600 + 5, EV_DELIVERY, 0, 0, "D00001", 0, 0, 0, "z@x.example", RELAY, "4.7.0", "deferred", "421 later" },
        { 0, 90003, t0 + 60 * 3600 + 5, EV_DELIVERY, 0, 0, "D00001", 0, 0, 0, "z@x.example", RELAY, "5.4.7", "bounced", "delivery time expired" },
    };
    struct outbound *ob2 = outbound_new();
    feed(ob2, late, 3, 0, 3);
    outbound_join(ob2);
    cust_report_build(&r, ob2, map, &p, NULL, NULL, NULL);
    assert_int_equal(r.hours, 49);
    assert_int_equal(r.c[0].hour_bounced[48], 1);
    assert_int_equal(r.c[0].recipients, 1);
    assert_int_equal(r.c[0].attempts, 2);
    cust_report_free(&r);
    outbound_free(ob2);
    custmap_free(map);
    outbound_free(ob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_split_merge),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_spike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
