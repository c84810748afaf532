/* Verdicts that follow what real servers write (issue 22): real Postfix
 * lines through the parser, the table and the policy. Each case names
 * the fault it guards against. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "agg.h"
#include "event.h"
#include "ipaddr.h"
#include "listing.h"
#include "parse.h"
#include "config.h"
#include "policy.h"

struct world {
    struct policy p;
    struct agg *a;
    struct parser ps;
    uint64_t line;
};

static void world_init(struct world *w, const char *ini)
{
    memset(w, 0, sizeof(*w));
    config_init(&w->p);
    if (ini) {
        char path[] = "/tmp/rblforge-verdicts-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, ini, strlen(ini)), (ssize_t)strlen(ini));
        close(fd);
        bool ok = config_load(&w->p, path);
        unlink(path);
        assert_true(ok);
    }
    w->a = agg_new_conf(false, &w->p.agg);
    parser_init(&w->ps, 1795575600, 2026);
}

/* One log line into the table. */
static void feed(struct world *w, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    struct event ev;

    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof(buf));
    memset(&ev, 0, sizeof(ev));
    ev.file = "t";
    ev.line = ++w->line;
    if (!parse_line(&w->ps, buf, (size_t)n, &ev))
        fail_msg("not parsed: %s", buf);
    agg_add(w->a, &ev);
}

static struct decision decide(struct world *w, const char *addr)
{
    struct ipaddr ip;
    struct decision d = { 0 };

    agg_settle(w->a);
    assert_true(ipaddr_parse(span_make(addr, strlen(addr)), &ip));
    const struct ip_stats *st = agg_lookup(w->a, &ip);
    if (st == NULL)
        return d;
    policy_decide(&w->p, &ip, st, &d);
    return d;
}

static uint32_t count(struct world *w, const char *addr, enum agg_class c)
{
    struct ipaddr ip;

    assert_true(ipaddr_parse(span_make(addr, strlen(addr)), &ip));
    const struct ip_stats *st = agg_lookup(w->a, &ip);
    return st ? ip_stats_n(st, c) : 0;
}

static void world_free(struct world *w)
{
    agg_free(w->a);
}

#define H "Nov 24 06:25:%02d mx1 "

/* (a) Every message of 203.0.113.5 was refused by cleanup: its client=
 * lines are no good mail. 198.51.100.7's message reached qmgr. */
static void test_accepted_at_qmgr(void **state)
{
    struct world w;
    (void)state;
    world_init(&w, NULL);
    for (int i = 0; i < 4; i++) {
        feed(&w, H "postfix/smtpd[100]: 4ABC12%d: client=unknown[203.0.113.5]", i, i);
        feed(&w, H "postfix/cleanup[101]: 4ABC12%d: %s from unknown[203.0.113.5]; "
             "from=<a@b.example> to=<u@our.example> proto=ESMTP helo=<x>: 5.7.1 spam", i, i,
             i % 2 ? "reject: header Subject: buy now" : "reject: body cheap pills");
    }
    feed(&w, H "postfix/smtpd[100]: 4ABC130: client=mail.good.example[198.51.100.7]", 10);
    feed(&w, H "postfix/qmgr[102]: 4ABC130: from=<x@good.example>, size=1234, nrcpt=1 (queue active)", 11);
    /* A deferred message enters the active queue again: no second credit. */
    feed(&w, H "postfix/qmgr[102]: 4ABC130: from=<x@good.example>, size=1234, nrcpt=1 (queue active)", 12);
    assert_int_equal(count(&w, "203.0.113.5", AC_ACCEPTED), 0);
    assert_int_equal(count(&w, "203.0.113.5", AC_REJ_CONTENT), 4);
    struct decision d = decide(&w, "203.0.113.5");
    assert_int_equal(d.cause, CAUSE_SPAM);
    assert_int_equal(count(&w, "198.51.100.7", AC_ACCEPTED), 1);
    world_free(&w);
}

/* (a) The pair cut by a chunk boundary, and split over two tables merged
 * in either order: the same credit as one pass. */
static void test_accepted_across_chunks(void **state)
{
    (void)state;
    for (int order = 0; order < 2; order++) {
        struct world w, x;
        world_init(&w, NULL);
        world_init(&x, NULL);
        feed(&w, H "postfix/smtpd[100]: 5DEF001: client=mail.good.example[198.51.100.7]", 1);
        agg_chunk_begin(w.a);
        x.line = w.line;
        feed(&x, H "postfix/qmgr[102]: 5DEF001: from=<x@good.example>, size=9, nrcpt=2 (queue active)", 2);
        /* Another host's queue ID is another message. */
        feed(&x, "Nov 24 06:25:03 mx2 postfix/qmgr[102]: 5DEF002: from=<x@good.example>, size=9, nrcpt=1 (queue active)");
        feed(&w, "Nov 24 06:25:03 mx1 postfix/smtpd[100]: 5DEF002: client=mail.good.example[198.51.100.7]");
        struct agg *m = agg_new_conf(false, &w.p.agg);
        agg_merge(m, order ? x.a : w.a);
        agg_merge(m, order ? w.a : x.a);
        agg_settle(m);
        struct ipaddr ip;
        assert_true(ipaddr_parse(span_make("198.51.100.7", 12), &ip));
        assert_int_equal(ip_stats_n(agg_lookup(m, &ip), AC_ACCEPTED), 1);
        agg_free(m);
        world_free(&w);
        world_free(&x);
    }
}

static void put_line(const struct agg_qline *q, void *ctx)
{
    agg_put_line(ctx, q);
}

/* (a) The same pair when each half was read by another scan: the open
 * queue lines, taken out of each table (as a partial carries them) and
 * put into the merge's, pair there as in one pass; a qmgr retry in a
 * third table earns nothing more. */
static void test_accepted_across_partials(void **state)
{
    struct world w, x, y;
    (void)state;
    world_init(&w, NULL);
    world_init(&x, NULL);
    world_init(&y, NULL);
    feed(&w, H "postfix/smtpd[100]: 5DEF001: client=mail.good.example[198.51.100.7]", 1);
    x.line = w.line;
    feed(&x, H "postfix/qmgr[102]: 5DEF001: from=<x@good.example>, size=9, nrcpt=2 (queue active)", 2);
    y.line = x.line;
    feed(&y, H "postfix/qmgr[102]: 5DEF001: from=<x@good.example>, size=9, nrcpt=2 (queue active)", 9);
    assert_int_equal(agg_open_lines(w.a, NULL, NULL), 1);
    assert_int_equal(agg_open_lines(x.a, NULL, NULL), 1);
    struct agg *m = agg_new_conf(false, &w.p.agg);
    agg_open_lines(y.a, put_line, m);
    agg_open_lines(x.a, put_line, m);
    agg_open_lines(w.a, put_line, m);
    assert_int_equal(agg_open_lines(m, NULL, NULL), 3);
    agg_settle(m);
    assert_int_equal(agg_open_lines(m, NULL, NULL), 0);
    struct ipaddr ip;
    assert_true(ipaddr_parse(span_make("198.51.100.7", 12), &ip));
    assert_int_equal(ip_stats_n(agg_lookup(m, &ip), AC_ACCEPTED), 1);
    agg_free(m);
    world_free(&w);
    world_free(&x);
    world_free(&y);
}

/* (b) postscreen's 450 4.3.2 after the deep tests is its routine
 * deferral of a first contact; PASS OLD earns nothing. */
static void test_postscreen_deferral_and_pass_old(void **state)
{
    struct world w;
    (void)state;
    world_init(&w, NULL);
    feed(&w, H "postfix/postscreen[103]: PASS NEW [198.51.100.20]:4444", 1);
    feed(&w, H "postfix/postscreen[103]: NOQUEUE: reject: RCPT from [198.51.100.20]:4444: 450 4.3.2 "
         "Service currently unavailable; from=<a@b.example>, to=<u@our.example>, proto=ESMTP, helo=<x>", 2);
    struct decision d = decide(&w, "198.51.100.20");
    assert_true(d.score <= 0);
    assert_int_equal(count(&w, "198.51.100.20", AC_REJ_OTHER), 0);
    /* A bot that passed once and reconnects with PASS OLD: protocol
     * violation and relay probes, 10 points, not washed away. */
    feed(&w, H "postfix/postscreen[103]: NON-SMTP COMMAND from [203.0.113.30]:4000 after CONNECT: GET / HTTP/1.1", 3);
    for (int i = 0; i < 6; i++)
        feed(&w, H "postfix/postscreen[103]: PASS OLD [203.0.113.30]:400%d", 4 + i, i);
    feed(&w, H "postfix/smtpd[104]: NOQUEUE: reject: RCPT from unknown[203.0.113.30]: 554 5.7.1 "
         "<x@elsewhere.example>: Relay access denied; from=<a@b.example> to=<x@elsewhere.example> "
         "proto=ESMTP helo=<x>", 20);
    d = decide(&w, "203.0.113.30");
    assert_int_equal(count(&w, "203.0.113.30", AC_PS_PASS), 0);
    assert_int_equal(d.cause, CAUSE_SPAM);
    world_free(&w);
}

/* (c) Under Dovecot's auth penalty a third of a brute force's attempts
 * end in "Connection lost to authentication server". */
static void test_sasl_connection_lost(void **state)
{
    struct world w;
    (void)state;
    world_init(&w, NULL);
    for (int i = 0; i < 21; i++)
        feed(&w, H "postfix/submission/smtpd[105]: warning: unknown[203.0.113.40]: SASL LOGIN "
             "authentication failed: %s", i % 60,
             i % 3 == 0 ? "Connection lost to authentication server" : "UGFzc3dvcmQ6");
    assert_int_equal(count(&w, "203.0.113.40", AC_AUTH_FAIL), 21);
    assert_int_equal(decide(&w, "203.0.113.40").cause, CAUSE_AUTH);
    world_free(&w);
}

/* (d) Our own zone at work is not evidence: smtpd's reject_rbl_client,
 * postscreen's rank with dnsblog naming our zone. Other zones still are. */
static void test_own_zone(void **state)
{
    struct world w;
    (void)state;
    world_init(&w, "[zone]\nname = bl.example\n");
    for (int i = 0; i < 4; i++) {
        feed(&w, H "postfix/smtpd[106]: NOQUEUE: reject: RCPT from unknown[203.0.113.50]: 554 5.7.1 "
             "Service unavailable; Client host [203.0.113.50] blocked using bl.example; "
             "from=<a@b.example> to=<u@our.example> proto=ESMTP helo=<x>", i);
        feed(&w, H "postfix/dnsblog[107]: addr 203.0.113.51 listed by domain BL.EXAMPLE as 127.0.0.2", i);
        feed(&w, H "postfix/postscreen[103]: DNSBL rank 1 for [203.0.113.51]:5555", i);
        feed(&w, H "postfix/dnsblog[107]: addr 203.0.113.52 listed by domain zen.spamhaus.org as 127.0.0.4", i);
        feed(&w, H "postfix/postscreen[103]: DNSBL rank 3 for [203.0.113.52]:5555", i);
    }
    assert_int_equal(count(&w, "203.0.113.50", AC_REJ_DNSBL), 0);
    assert_int_equal(count(&w, "203.0.113.50", AC_OWN_ZONE), 4);
    assert_int_equal(decide(&w, "203.0.113.50").cause, CAUSE_NONE);
    assert_int_equal(decide(&w, "203.0.113.51").cause, CAUSE_NONE);
    assert_true(decide(&w, "203.0.113.51").score == 0);
    assert_int_equal(decide(&w, "203.0.113.52").cause, CAUSE_SPAM);
    world_free(&w);
    /* own_zones given: those, not the published name. */
    world_init(&w, "[policy]\nown_zones = rbl.our.example, bl2.our.example\n");
    assert_int_equal(w.p.agg.nzones, 2);
    feed(&w, H "postfix/smtpd[106]: NOQUEUE: reject: RCPT from unknown[203.0.113.53]: 554 5.7.1 "
         "Service unavailable; Client host [203.0.113.53] blocked using bl2.our.example; "
         "from=<a@b.example> to=<u@our.example> proto=ESMTP helo=<x>", 1);
    assert_int_equal(count(&w, "203.0.113.53", AC_OWN_ZONE), 1);
    world_free(&w);
}

/* (e) Trusted clients collect no evidence: trusted_networks, loopback,
 * and a client that logged in (a customer's outbound mail). */
static void test_trusted(void **state)
{
    struct world w;
    (void)state;
    world_init(&w, "[policy]\ntrusted_networks = 198.51.100.0/28 [2001:db8:5::]/48\n");
    const char *ips[] = { "198.51.100.3", "127.0.0.1", "2001:db8:5::7" };
    for (size_t k = 0; k < 3; k++) {
        const char *ip = ips[k];
        feed(&w, H "postfix/postscreen[103]: PREGREET 11 after 0.1 from [%s]:1: EHLO x\\r\\n", 1, ip);
        for (int i = 0; i < 3; i++)
            feed(&w, H "postfix/smtpd[106]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 "
                 "<x@elsewhere.example>: Relay access denied; from=<a@b.example> "
                 "to=<x@elsewhere.example> proto=ESMTP helo=<x>", 2, ip);
        struct decision d = decide(&w, ip);
        assert_int_equal(d.cause, CAUSE_NONE);
        assert_int_not_equal(d.exempt, PX_NONE);
    }
    /* A customer: logged in, then unknown recipients and a sender it may
     * not use; the customer reports judge it, not the spam list. */
    feed(&w, H "postfix/submission/smtpd[108]: 6AAA001: client=unknown[203.0.113.60], "
         "sasl_method=PLAIN, sasl_username=cust1", 3);
    for (int i = 0; i < 6; i++)
        feed(&w, H "postfix/submission/smtpd[108]: NOQUEUE: reject: RCPT from unknown[203.0.113.60]: "
             "550 5.1.1 <c%d@our.example>: Recipient address rejected: User unknown in virtual "
             "mailbox table; from=<a@cust.example> to=<c@our.example> proto=ESMTP helo=<x>", 4, i);
    feed(&w, H "postfix/submission/smtpd[108]: disconnect from unknown[203.0.113.61] ehlo=1 "
         "auth=1 mail=1 rcpt=0/1 quit=1 commands=4/5", 5);
    for (int i = 0; i < 6; i++)
        feed(&w, H "postfix/submission/smtpd[108]: NOQUEUE: reject: RCPT from unknown[203.0.113.61]: "
             "550 5.1.1 <c%d@our.example>: Recipient address rejected: User unknown in virtual "
             "mailbox table; from=<a@cust.example> to=<c@our.example> proto=ESMTP helo=<x>", 6, i);
    /* auth=0/1: the login failed, no customer. */
    feed(&w, H "postfix/submission/smtpd[108]: disconnect from unknown[203.0.113.62] ehlo=1 "
         "auth=0/1 commands=1/2", 7);
    for (int i = 0; i < 6; i++)
        feed(&w, H "postfix/submission/smtpd[108]: NOQUEUE: reject: RCPT from unknown[203.0.113.62]: "
             "550 5.1.1 <c%d@our.example>: Recipient address rejected: User unknown in virtual "
             "mailbox table; from=<a@cust.example> to=<c@our.example> proto=ESMTP helo=<x>", 8, i);
    struct decision d = decide(&w, "203.0.113.60");
    assert_int_equal(d.cause, CAUSE_NONE);
    assert_int_equal(d.exempt, PX_AUTHENTICATED);
    assert_int_equal(decide(&w, "203.0.113.61").cause, CAUSE_NONE);
    assert_int_equal(decide(&w, "203.0.113.62").cause, CAUSE_SPAM);
    world_free(&w);
}

/* Issue 25: special addresses are never listed; IPv4-mapped and
 * -compatible clients are their IPv4 address; private ranges only with
 * list_private or a test range. */
static void test_special_addresses(void **state)
{
    static const char *const never[] = { "127.0.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
                                          "::1", "fe80::1", "ff02::1", "169.254.1.1", "::" };
    struct world w;
    (void)state;
    world_init(&w, NULL);
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
        feed(&w, H "postfix/postscreen[103]: PREGREET 11 after 0.1 from [%s]:1: EHLO x\\r\\n", 1, never[i]);
        struct decision d = decide(&w, never[i]);
        assert_int_equal(d.cause, CAUSE_NONE);
        assert_int_equal(d.exempt, PX_SPECIAL);
    }
    feed(&w, H "postfix/postscreen[103]: PREGREET 11 after 0.1 from [::ffff:8.8.8.8]:1: EHLO x\\r\\n", 2);
    feed(&w, H "postfix/postscreen[103]: PREGREET 11 after 0.1 from [8.8.8.8]:1: EHLO x\\r\\n", 3);
    feed(&w, H "postfix/postscreen[103]: PREGREET 11 after 0.1 from [::8.8.4.4]:1: EHLO x\\r\\n", 3);
    assert_int_equal(count(&w, "8.8.8.8", AC_PS_PREGREET), 2);
    assert_int_equal(count(&w, "::ffff:8.8.8.8", AC_PS_PREGREET), 2);
    assert_int_equal(count(&w, "8.8.4.4", AC_PS_PREGREET), 1);
    assert_int_equal(decide(&w, "8.8.8.8").cause, CAUSE_SPAM);
    /* Nothing is keyed as IPv6 but ::1, ::, fe80::1 and ff02::1. */
    size_t v6 = 0;
    struct agg_cursor cur = { 0 };
    struct ipaddr ip[64];
    const struct ip_stats *st[64];
    size_t n = agg_collect(w.a, &cur, ip, st, 64);
    for (size_t i = 0; i < n; i++)
        v6 += ip[i].family == 6;
    assert_int_equal(v6, 4);
    w.p.list_private = false;
    const char *priv[] = { "10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1", "fd00::1" };
    for (size_t i = 0; i < 5; i++) {
        feed(&w, H "postfix/postscreen[103]: PREGREET 11 after 0.1 from [%s]:1: EHLO x\\r\\n", 4, priv[i]);
        assert_int_equal(decide(&w, priv[i]).exempt, PX_PRIVATE);
    }
    /* Documentation ranges stay listable (samples and tests use them). */
    feed(&w, H "postfix/postscreen[103]: PREGREET 11 after 0.1 from [2001:db8::9]:1: EHLO x\\r\\n", 5);
    assert_int_equal(decide(&w, "2001:db8::9").cause, CAUSE_SPAM);
    assert_true(policy_add_test_range(&w.p, "127.0.0.0/8"));
    assert_int_equal(decide(&w, "127.0.0.1").cause, CAUSE_SPAM);
    assert_int_equal(decide(&w, "10.1.2.3").exempt, PX_PRIVATE);
    assert_false(policy_add_test_range(&w.p, "127.0.0.300/8"));
    w.p.list_private = true;
    assert_int_equal(decide(&w, "10.1.2.3").cause, CAUSE_SPAM);
    assert_int_equal(decide(&w, "fd00::1").cause, CAUSE_SPAM);
    assert_int_equal(decide(&w, "::1").exempt, PX_SPECIAL);
    world_free(&w);
    world_init(&w, "[policy]\nlist_private = yes\ntest_range = 127.0.0.0/8 ::1\n");
    assert_int_equal(w.p.ntest_range, 2);
    assert_true(w.p.list_private);
    world_free(&w);
}

/* rblsmtpd names no zone: its refusal line carries the TXT our zone
 * served ('$' = the address), so that is how our own listing is known.
 * Another list's text stays evidence; rblsmtpd's 200-byte cut matches. */
static void test_rblsmtpd_own_txt(void **state)
{
    struct world w;
    (void)state;
    world_init(&w, NULL);
    for (int i = 0; i < 4; i++) {
        feed(&w, H "rblsmtpd: 203.0.113.70 pid 1: 451 203.0.113.70 sent spam to our mail "
             "servers, see https://dnsbl.example/lookup?ip=203.0.113.70", i);
        feed(&w, H "rblsmtpd: 203.0.113.72 pid 1: 553 203.0.113.72 attacked our SMTP AUTH, "
             "see https://dnsbl.example/lookup?ip=203.0.113.72", i);
        feed(&w, H "rblsmtpd: 203.0.113.71 pid 1: 451 http://www.spamhaus.org/query/bl?ip=203.0.113.71", i);
        /* Our words, another list's address part: not ours. */
        feed(&w, H "rblsmtpd: 203.0.113.73 pid 1: 451 203.0.113.73 sent spam to our mail "
             "servers, see https://dnsbl.example/lookup?ip=x203.0.113.73", i);
    }
    assert_int_equal(count(&w, "203.0.113.70", AC_OWN_ZONE), 4);
    assert_int_equal(count(&w, "203.0.113.70", AC_REJ_DNSBL), 0);
    assert_int_equal(decide(&w, "203.0.113.70").cause, CAUSE_NONE);
    assert_int_equal(count(&w, "203.0.113.72", AC_OWN_ZONE), 4);
    assert_int_equal(count(&w, "203.0.113.71", AC_REJ_DNSBL), 4);
    assert_int_equal(decide(&w, "203.0.113.71").cause, CAUSE_SPAM);
    assert_int_equal(count(&w, "203.0.113.73", AC_REJ_DNSBL), 4);
    world_free(&w);

    /* A TXT longer than rblsmtpd's 200 bytes, cut inside an address. */
    static const char A[] = "2001:db8:1234:5678:9abc:def0:1234:5678";
    char ini[256], line[512], x[111];
    memset(x, 'x', 110);
    x[110] = 0;
    snprintf(ini, sizeof(ini), "[zone]\ntxt_spam = $ %s $ $\n", x);
    world_init(&w, ini);
    snprintf(line, sizeof(line), "451 %s %s %s %s", A, x, A, A);
    line[4 + 200] = 0;                  /* "451 " and the first 200 bytes */
    feed(&w, H "rblsmtpd: %s pid 1: %s", 0, A, line);
    assert_int_equal(count(&w, A, AC_OWN_ZONE), 1);
    line[4 + 100] = 0;                  /* cut short of 200 bytes: not ours */
    feed(&w, H "rblsmtpd: %s pid 1: %s", 1, A, line);
    assert_int_equal(count(&w, A, AC_REJ_DNSBL), 1);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted_at_qmgr),
        cmocka_unit_test(test_accepted_across_chunks),
        cmocka_unit_test(test_accepted_across_partials),
        cmocka_unit_test(test_postscreen_deferral_and_pass_old),
        cmocka_unit_test(test_sasl_connection_lost),
        cmocka_unit_test(test_own_zone),
        cmocka_unit_test(test_trusted),
        cmocka_unit_test(test_special_addresses),
        cmocka_unit_test(test_rblsmtpd_own_txt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
