/* agg + policy + cidrset + listing: evidence in, decisions out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <stdalign.h>
#include <unistd.h>
#include <cmocka.h>
#include "agg.h"
#include "arena.h"
#include "cidrset.h"
#include "listing.h"
#include "config.h"
#include "policy.h"

static struct ipaddr IP(const char *s)
{
    struct ipaddr a;
    assert_true(ipaddr_parse(span_make(s, strlen(s)), &a));
    return a;
}

static void add(struct agg *a, const char *ip, enum ev_type t, enum ev_reason r,
                unsigned times, uint32_t file, uint64_t line, const char *rdns)
{
    struct event ev = { 0 };
    ev.type = t;
    ev.reason = r;
    ev.ip = IP(ip);
    ev.has_ts = true;
    ev.file_index = file;
    if (rdns)
        ev.rdns = span_make(rdns, strlen(rdns));
    for (unsigned i = 0; i < times; i++) {
        ev.line = line + i;
        ev.ts = 1000 + (int64_t)line + i;
        agg_add(a, &ev);
    }
}

static void test_counts_and_merge_order(void **state)
{
    struct agg *x = agg_new(false), *y = agg_new(false), *m1 = agg_new(false), *m2 = agg_new(false);
    (void)state;
    add(x, "192.0.2.1", EV_REJECT, R_DNSBL, 3, 1, 50, "late.example");
    add(y, "192.0.2.1", EV_REJECT, R_DNSBL, 2, 0, 10, "early.example");
    add(y, "2001:db8::1", EV_POSTSCREEN, R_PS_PREGREET, 1, 0, 5, NULL);
    agg_merge(m1, x), agg_merge(m1, y);
    agg_merge(m2, y), agg_merge(m2, x);
    struct ipaddr a = IP("192.0.2.1");
    const struct ip_stats *s1 = agg_lookup(m1, &a), *s2 = agg_lookup(m2, &a);
    assert_non_null(s1);
    assert_int_equal(ip_stats_n(s1, AC_REJ_DNSBL), 5);
    /* The hostname of the earliest line wins, whatever the merge order. */
    assert_string_equal(s1->rdns, "early.example");
    assert_string_equal(s2->rdns, "early.example");
    assert_int_equal(s1->first, s2->first);
    assert_int_equal(s1->first, 1010);
    assert_int_equal(s1->last, 1052);
    assert_int_equal(agg_count(m1), 2);
    struct ipaddr b = IP("2001:db8::1");
    assert_int_equal(ip_stats_n(agg_lookup(m1, &b), AC_PS_PREGREET), 1);
    agg_free(x), agg_free(y), agg_free(m1), agg_free(m2);
}

/* The earliest line's hostname wins also when it is rewritten in place
 * (shorter or as long) or needs new room (longer), in adds and merges. */
static void test_rdns_rewrite(void **state)
{
    struct agg *a = agg_new(false), *b = agg_new(false), *m = agg_new(false);
    struct ipaddr ip = IP("192.0.2.77");
    (void)state;
    add(a, "192.0.2.77", EV_CONNECT, R_NONE, 1, 2, 90, "late-and-long.example");
    add(a, "192.0.2.77", EV_CONNECT, R_NONE, 1, 2, 80, "short.example");
    add(a, "192.0.2.77", EV_CONNECT, R_NONE, 1, 2, 85, "not-earliest.example");
    assert_string_equal(agg_lookup(a, &ip)->rdns, "short.example");
    add(a, "192.0.2.77", EV_CONNECT, R_NONE, 1, 2, 70, "the-longest-name-of-all.example");
    assert_string_equal(agg_lookup(a, &ip)->rdns, "the-longest-name-of-all.example");
    add(b, "192.0.2.77", EV_CONNECT, R_NONE, 1, 1, 999, "x.example");
    agg_merge(m, a);
    agg_merge(m, b);
    assert_string_equal(agg_lookup(m, &ip)->rdns, "x.example");
    agg_merge(m, a);            /* later positions change nothing */
    assert_string_equal(agg_lookup(m, &ip)->rdns, "x.example");
    assert_string_equal(agg_lookup(a, &ip)->rdns, "the-longest-name-of-all.example");
    agg_free(a), agg_free(b), agg_free(m);
}

/* first/last are unsigned 32-bit seconds, 0 = none: stamps outside
 * 1970..2106 count, but are not shown; the evidence times keep them. */
static void test_first_last_range(void **state)
{
    struct agg *a = agg_new(false);
    struct event ev = { 0 };
    (void)state;
    ev.type = EV_REJECT;
    ev.reason = R_DNSBL;
    ev.ip = IP("192.0.2.78");
    agg_add(a, &ev);            /* no stamp */
    const struct ip_stats *st = agg_lookup(a, &ev.ip);
    assert_int_equal(st->first, 0);
    assert_int_equal(st->last, 0);
    ev.has_ts = true;
    ev.ts = -86400;
    agg_add(a, &ev);
    ev.ts = (int64_t)UINT32_MAX + 1;
    agg_add(a, &ev);
    st = agg_lookup(a, &ev.ip);         /* widened for the times: moved */
    assert_int_equal(st->first, 0);
    assert_int_equal(ip_stats_n(st, AC_REJ_DNSBL), 3);
    assert_true(ip_stats_ev_first(st) == -86400);
    assert_true(ip_stats_ev_last(st) == (int64_t)UINT32_MAX + 1);
    ev.ts = UINT32_MAX;
    agg_add(a, &ev);
    ev.ts = 1795500000;
    agg_add(a, &ev);
    st = agg_lookup(a, &ev.ip);
    assert_int_equal(st->first, 1795500000);
    assert_int_equal(st->last, UINT32_MAX);
    agg_free(a);
}

static void test_arena_alignment(void **state)
{
    struct arena ar;
    (void)state;
    arena_init(&ar);
    for (int i = 0; i < 20000; i++) {
        char *s = arena_strndup(&ar, "abc", (size_t)i % 4);
        assert_int_equal(strlen(s), (size_t)i % 4);
        assert_int_equal((uintptr_t)arena_alloc_aligned(&ar, 12, 8) % 8, 0);
        assert_int_equal((uintptr_t)arena_alloc(&ar, 1) % alignof(max_align_t), 0);
    }
    char *big = arena_alloc(&ar, 100000);
    assert_int_equal(big[99999], 0);
    arena_free(&ar);
    arena_free(&ar);
}

/* After arena_reset the blocks come back, oldest first, and what they
 * hand out is zeroed again; a one-off large object gets a block of its
 * own. */
static void test_arena_reset(void **state)
{
    struct arena ar;
    (void)state;
    arena_init(&ar);
    char *first = arena_alloc(&ar, 40);
    for (int i = 0; i < 100000; i++)
        memset(arena_alloc(&ar, 40), 0xff, 40);
    memset(first, 0xff, 40);
    arena_reset(&ar);
    assert_int_equal(ar.total, 0);
    char *again = arena_alloc(&ar, 40);
    assert_ptr_equal(again, first);
    for (int i = 0; i < 100000; i++) {
        char *p = arena_alloc(&ar, 40);
        for (int j = 0; j < 40; j++)
            assert_int_equal(p[j], 0);
    }
    char *big = arena_alloc(&ar, 300000);
    assert_int_equal(big[299999], 0);
    arena_reset(&ar);
    arena_free(&ar);
}

static void test_repeat_counts(void **state)
{
    struct agg *a = agg_new(false);
    struct event ev = { 0 };
    (void)state;
    ev.type = EV_POSTSCREEN;
    ev.reason = R_PS_PREGREET;
    ev.ip = IP("192.0.2.9");
    ev.repeat = span_make("5", 1);      /* rsyslog: message repeated 5 times */
    agg_add(a, &ev);
    ev.repeat = span_make("x", 1);      /* not a number: counts once */
    agg_add(a, &ev);
    assert_int_equal(ip_stats_n(agg_lookup(a, &ev.ip), AC_PS_PREGREET), 6);
    agg_free(a);
}

static void test_policy_defaults_and_decisions(void **state)
{
    struct policy p;
    struct agg *a = agg_new(false);
    struct listings l;
    (void)state;
    config_init(&p);
    assert_true(p.threshold == 10);
    /* A bot: two DNSBL rejects and a pregreet. */
    add(a, "192.0.2.10", EV_REJECT, R_DNSBL, 2, 0, 1, NULL);
    add(a, "192.0.2.10", EV_POSTSCREEN, R_PS_PREGREET, 1, 0, 9, NULL);
    /* A busy MTA: 200 accepted messages, 20 unknown recipients. */
    add(a, "198.51.100.5", EV_QUEUED, R_NONE, 200, 0, 100, "mx.example");
    add(a, "198.51.100.5", EV_REJECT, R_UNKNOWN_RECIPIENT, 20, 0, 400, "mx.example");
    /* Brute force: 25 auth failures. */
    add(a, "203.0.113.7", EV_AUTH_FAIL, R_NONE, 25, 0, 600, NULL);
    /* Below the threshold: one unknown recipient. */
    add(a, "203.0.113.8", EV_REJECT, R_UNKNOWN_RECIPIENT, 1, 0, 700, NULL);
    /* Would be listed, but allowlisted by CIDR. */
    add(a, "192.0.2.200", EV_REJECT, R_RELAY_DENIED, 5, 0, 800, NULL);
    struct cidrset *allow = cidrset_new();
    struct ipprefix pfx;
    assert_true(ipprefix_parse(span_make("192.0.2.192/26", 14), &pfx, false));
    cidrset_add(allow, &pfx);
    listings_build(&l, a, &p, allow);
    assert_int_equal(l.seen, 5);
    assert_int_equal(l.n, 2);
    char buf[IPADDR_STRLEN];
    assert_string_equal(ipaddr_format(&l.v[0].pfx.addr, buf), "192.0.2.10");
    assert_int_equal(l.v[0].d.cause, CAUSE_SPAM);
    assert_true(listings_score(&l, &l.v[0]) == 2 * 4 + 10);
    assert_string_equal(ipaddr_format(&l.v[1].pfx.addr, buf), "203.0.113.7");
    assert_int_equal(l.v[1].d.cause, CAUSE_AUTH);
    assert_int_equal(l.nallowed, 1);
    assert_string_equal(ipaddr_format(&l.allowed[0].pfx.addr, buf), "192.0.2.200");
    listings_free(&l);
    cidrset_free(allow);
    agg_free(a);
}

static void test_config_errors(void **state)
{
    struct policy p;
    char path[] = "/tmp/rblforge-test-XXXXXX";
    (void)state;
    int fd = mkstemp(path);
    static const char *bad[] = {
        "[policy]\nthreshold = -1\n", "[weights]\nno_such_class = 1\n",
        "[zone]\ntxt_spam = \"quoted\"\n", "[nft]\ntable = x; drop\n",
        "[zone]\ncode_spam = 10.0.0.2\n", "[nosuch]\nx = 1\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(pwrite(fd, bad[i], strlen(bad[i]), 0), (ssize_t)strlen(bad[i]));
        config_init(&p);
        if (config_load(&p, path))
            fail_msg("accepted bad config: %s", bad[i]);
    }
    /* Past inih's line length the tail would be read as a line of its
     * own, here a comment, and the value cut short. */
    char longline[300];
    snprintf(longline, sizeof(longline), "[zone]\ntxt_spam = $%0*d#tail\n", 187, 0);
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(pwrite(fd, longline, strlen(longline), 0), (ssize_t)strlen(longline));
    config_init(&p);
    if (config_load(&p, path))
        fail_msg("accepted a line of %zu bytes: txt_spam is now %zu bytes",
                 strlen(longline) - 8, strlen(p.txt[CAUSE_SPAM]));
    const char *good = "# comment\n[policy]\nthreshold = 5\n[weights]\naccepted = -1\n";
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(pwrite(fd, good, strlen(good), 0), (ssize_t)strlen(good));
    config_init(&p);
    assert_true(config_load(&p, path));
    assert_true(p.threshold == 5);
    assert_true(p.weight[AC_ACCEPTED] == -1);
    assert_true(p.weight[AC_REJ_DNSBL] == 4);   /* untouched keys keep defaults */
    close(fd);
    unlink(path);
}

static void test_cidrset_file(void **state)
{
    char path[] = "/tmp/rblforge-test-XXXXXX";
    (void)state;
    int fd = mkstemp(path);
    const char *text = "# allow\n192.0.2.0/24 # net\n  2001:db8::/32\n\n198.51.100.7\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    struct cidrset *cs = cidrset_new();
    assert_true(cidrset_load(cs, path));
    assert_int_equal(cidrset_count(cs), 3);
    struct ipaddr a = IP("192.0.2.77"), b = IP("198.51.100.8"), c = IP("2001:db8:1::1");
    assert_non_null(cidrset_match(cs, &a));
    assert_null(cidrset_match(cs, &b));
    assert_non_null(cidrset_match(cs, &c));
    cidrset_free(cs);
    const char *bad = "192.0.2.1/24\n";
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(pwrite(fd, bad, strlen(bad), 0), (ssize_t)strlen(bad));
    cs = cidrset_new();
    assert_false(cidrset_load(cs, path));
    cidrset_free(cs);
    close(fd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_merge_order),
        cmocka_unit_test(test_repeat_counts),
        cmocka_unit_test(test_rdns_rewrite),
        cmocka_unit_test(test_first_last_range),
        cmocka_unit_test(test_arena_alignment),
        cmocka_unit_test(test_arena_reset),
        cmocka_unit_test(test_policy_defaults_and_decisions),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_cidrset_file),
    };
    return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
