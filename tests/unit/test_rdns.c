/* rDNS classes: table-driven rules, then the labelled set in
 * datasets/rdns/ with precision and recall per class. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "rdns.h"
#include "../helpers/hand_stats.h"

static struct ipaddr IP(const char *s)
{
    struct ipaddr a;
    assert_true(ipaddr_parse(span_make(s, strlen(s)), &a));
    return a;
}

static enum rdns_class C(const char *host, const char *ip)
{
    struct ipaddr a = IP(ip);
    return rdns_classify(span_make(host, strlen(host)), &a);
}

static void test_rules(void **state)
{
    (void)state;
    static const struct { const char *host, *ip; enum rdns_class want; } t[] = {
        /* the address, in each form */
        { "1-2-3-4.example.net", "1.2.3.4", RDNS_DYNAMIC },             /* dashed */
        { "1.2.3.4.example.net", "1.2.3.4", RDNS_DYNAMIC },             /* dotted */
        { "4.3.2.1.example.net", "1.2.3.4", RDNS_DYNAMIC },             /* reversed */
        { "x-001-002-003-004.example.net", "1.2.3.4", RDNS_DYNAMIC },   /* zero-padded */
        { "h001002003004.example.net", "1.2.3.4", RDNS_DYNAMIC },       /* concatenated */
        { "p5B0C1D2E.example.net", "91.12.29.46", RDNS_DYNAMIC },       /* hex */
        { "p2e1d0c5b.example.net", "91.12.29.46", RDNS_DYNAMIC },       /* hex, reversed */
        { "p0a000001.example.net", "10.0.0.1", RDNS_DYNAMIC },          /* hex, leading zero */
        { "p0a000002.example.net", "10.0.0.1", RDNS_NAMED },            /* hex, not the address */
        { "ip16909060.example.net", "1.2.3.4", RDNS_DYNAMIC },          /* decimal */
        { "host-2-3-4.example.net", "1.2.3.4", RDNS_DYNAMIC },          /* last three octets */
        /* access words with digits, no address */
        { "user-12l2ub9.cable.example.com", "1.2.3.4", RDNS_DYNAMIC },
        { "ppp140-014.pool.example.org", "100.64.140.14", RDNS_DYNAMIC },
        /* static says static */
        { "static.4.3.2.1.clients.your-server.de", "1.2.3.4", RDNS_STATIC_GENERIC },
        { "1-2-3-4.static.example.net", "1.2.3.4", RDNS_STATIC_GENERIC },
        { "s271272.static.example.ru", "1.2.3.4", RDNS_STATIC_GENERIC },
        /* mail servers stay named, even when they embed the address */
        { "mail-oln040092066042.outbound.protection.outlook.com", "40.92.66.42", RDNS_NAMED },
        { "66-220-155-151.mail-mail.facebook.com", "66.220.155.151", RDNS_NAMED },
        { "mail-wr1-f54.google.com", "209.85.221.54", RDNS_NAMED },
        { "a8-12.smtp-out.amazonses.com", "54.240.8.12", RDNS_NAMED },
        { "mail1.home.example", "1.2.3.4", RDNS_NAMED },
        /* numbers that are not the address */
        { "srv2345.example-host.de", "1.2.3.4", RDNS_NAMED },
        { "1-2-3-5.example.net", "1.2.3.4", RDNS_NAMED },
        { "dsl.example.net", "1.2.3.4", RDNS_NAMED },                   /* no digits */
        { "example.com", "1.2.3.4", RDNS_NAMED },
        { "localhost", "1.2.3.4", RDNS_NAMED },
        { "2001-db8-0-0-a1b2-c3d4-e5f6-789a.example.net", "2001:db8::a1b2:c3d4:e5f6:789a", RDNS_DYNAMIC },
        { "host.0-1b2-c3-e5f6.example.net", "2001:db8::1b2:c3:e5f6", RDNS_DYNAMIC },  /* short groups */
        { "host.0-1b2-c3-e5f7.example.net", "2001:db8::1b2:c3:e5f6", RDNS_NAMED },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        enum rdns_class got = C(t[i].host, t[i].ip);
        if (got != t[i].want)
            fail_msg("%s [%s]: got %s, want %s", t[i].host, t[i].ip,
                     rdns_class_name(got), rdns_class_name(t[i].want));
    }
    /* Hostile bytes: long, binary, empty. */
    char big[1000];
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    big[500] = '.';
    (void)C(big, "1.2.3.4");
    struct ipaddr a = IP("1.2.3.4");
    assert_int_equal(rdns_classify(span_make("\xff\x00.\x01", 4), &a), RDNS_NAMED);
    assert_int_equal(rdns_classify(span_make("", 0), &a), RDNS_NAMED);
}

static void test_of_stats(void **state)
{
    struct ip_stats *st = hand_stats_new();
    (void)state;
    struct ipaddr ip = IP("1.2.3.4");
    assert_int_equal(rdns_of(&ip, st), RDNS_UNLOGGED);
    st->rdns_unknown = true;
    assert_int_equal(rdns_of(&ip, st), RDNS_NONE);
    st->rdns = "1-2-3-4.dyn.example.net";
    assert_int_equal(rdns_of(&ip, st), RDNS_DYNAMIC);
    hand_stats_set(st, AC_RDNS_FAIL, 1);
    assert_int_equal(rdns_of(&ip, st), RDNS_FCRDNS_FAIL);
    free(st);
    assert_int_equal(rdns_class_lookup("static_generic"), RDNS_STATIC_GENERIC);
    assert_int_equal(rdns_class_lookup("static-generic"), RDNS_STATIC_GENERIC);
    assert_int_equal(rdns_class_lookup("bogus"), -1);
}

static void test_labelled_set(void **state)
{
    const char *top = getenv("TOP");
    char path[4096], line[1024];
    unsigned tp[RDNS__COUNT] = { 0 }, fp[RDNS__COUNT] = { 0 }, fn[RDNS__COUNT] = { 0 };
    unsigned total = 0;
    (void)state;
    snprintf(path, sizeof(path), "%s/datasets/rdns/labelled.csv", top ? top : ".");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));    /* header */
    while (fgets(line, sizeof(line), f)) {
        char *host = strtok(line, ","), *ip = strtok(NULL, ","), *label = strtok(NULL, ",");
        assert_non_null(label);
        int want = rdns_class_lookup(label);
        assert_true(want >= 0);
        enum rdns_class got = C(host, ip);
        total++;
        if ((int)got == want) {
            tp[got]++;
        } else {
            fp[got]++;
            fn[want]++;
            printf("# miss: %s [%s] labelled %s, classified %s\n", host, ip, label,
                   rdns_class_name(got));
        }
    }
    fclose(f);
    /* On stderr, so that prove shows the figures without -v. */
    fprintf(stderr, "# rDNS labelled set: %u names (%s)\n", total, path);
    for (int c = RDNS_DYNAMIC; c <= RDNS_NAMED; c++) {
        double p = tp[c] + fp[c] ? (double)tp[c] / (tp[c] + fp[c]) : 1;
        double r = tp[c] + fn[c] ? (double)tp[c] / (tp[c] + fn[c]) : 1;
        fprintf(stderr, "# %-15s n=%3u precision %.3f recall %.3f\n", rdns_class_name(c),
                tp[c] + fn[c], p, r);
    }
    assert_true(total >= 300);
    double pd = (double)tp[RDNS_DYNAMIC] / (tp[RDNS_DYNAMIC] + fp[RDNS_DYNAMIC]);
    if (pd < 0.98)
        fail_msg("precision for dynamic %.3f < 0.98", pd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_of_stats),
        cmocka_unit_test(test_labelled_set),
    };
    return cmocka_run_group_tests_name("rdns", tests, NULL, NULL);
}
