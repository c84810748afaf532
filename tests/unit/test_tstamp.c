/* tstamp: every stamp form, year inference, rollover, offsets. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "tstamp.h"

static int64_t utc(int y, int m, int d, int h, int mi, int s)
{
    return tstamp_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
}

static int64_t parse(struct tsctx *t, const char *s, uint32_t *usec, size_t *used)
{
    int64_t ts = -1;
    uint32_t u;
    size_t n;
    if (!tstamp_parse(t, span_make(s, strlen(s)), &ts, usec ? usec : &u, used ? used : &n))
        return -1;
    return ts;
}

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

static void test_bsd_year_from_mtime(void **state)
{
    struct tsctx t;
    size_t used;
    (void)state;
    tstamp_init(&t, (time_t)utc(2026, 11, 25, 6, 0, 0), 0);
    assert_int_equal(parse(&t, "Nov 24 06:25:01 mx", NULL, &used), utc(2026, 11, 24, 6, 25, 1));
    assert_int_equal(used, 15);
    assert_int_equal(parse(&t, "Nov  4 06:25:01 mx", NULL, NULL), utc(2026, 11, 4, 6, 25, 1));
    assert_int_equal(parse(&t, "Nov 04 06:25:01 mx", NULL, NULL), utc(2026, 11, 4, 6, 25, 1));
    /* After the reference (plus slack): last year. */
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, NULL), utc(2025, 12, 31, 23, 59, 59));
    /* A file rotated on Jan 2 holding Dec 31 and Jan 1. */
    tstamp_init(&t, (time_t)utc(2027, 1, 2, 0, 0, 0), 0);
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, NULL), utc(2026, 12, 31, 23, 59, 59));
    assert_int_equal(parse(&t, "Jan  1 00:00:01 mx", NULL, NULL), utc(2027, 1, 1, 0, 0, 1));
    /* Feb 29 only exists in leap years: the reference year 2029 is not. */
    tstamp_init(&t, (time_t)utc(2029, 3, 1, 0, 0, 0), 0);
    assert_int_equal(parse(&t, "Feb 29 12:00:00 mx", NULL, NULL), utc(2028, 2, 29, 12, 0, 0));
}

static void test_bsd_explicit_year(void **state)
{
    struct tsctx t;
    (void)state;
    tstamp_init(&t, 0, 2025);
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, NULL), utc(2025, 12, 31, 23, 59, 59));
    assert_int_equal(parse(&t, "Jan  1 00:00:00 mx", NULL, NULL), utc(2026, 1, 1, 0, 0, 0));
    assert_int_equal(parse(&t, "Jan  1 00:00:02 mx", NULL, NULL), utc(2026, 1, 1, 0, 0, 2));
}

/* The last stamp is remembered (busy logs repeat each second's stamp):
 * repeats, a fraction after the same 15 bytes, and a rollover back and
 * forth must all give what a fresh parse gives. */
static void test_bsd_repeated_stamp(void **state)
{
    struct tsctx t;
    uint32_t usec;
    size_t used;
    (void)state;
    tstamp_init(&t, 0, 2025);
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, NULL), utc(2025, 12, 31, 23, 59, 59));
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, &used), utc(2025, 12, 31, 23, 59, 59));
    assert_int_equal(used, 15);
    assert_int_equal(parse(&t, "Dec 31 23:59:59.250 mx", &usec, &used), utc(2025, 12, 31, 23, 59, 59));
    assert_int_equal(used, 19);
    assert_int_equal(parse(&t, "Jan  1 00:00:00 mx", NULL, NULL), utc(2026, 1, 1, 0, 0, 0));
    assert_int_equal(parse(&t, "Jan  1 00:00:00 mx", NULL, NULL), utc(2026, 1, 1, 0, 0, 0));
    /* A late line from the old year, then the new year again. */
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, NULL), utc(2025, 12, 31, 23, 59, 59));
    assert_int_equal(parse(&t, "Jan  1 00:00:00 mx", NULL, NULL), utc(2026, 1, 1, 0, 0, 0));
    /* Year from the reference: the same stamp, the same answer. */
    tstamp_init(&t, (time_t)utc(2026, 11, 25, 6, 0, 0), 0);
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, NULL), utc(2025, 12, 31, 23, 59, 59));
    assert_int_equal(parse(&t, "Dec 31 23:59:59 mx", NULL, NULL), utc(2025, 12, 31, 23, 59, 59));
    assert_int_equal(parse(&t, "Nov 24 06:25:01", NULL, &used), utc(2026, 11, 24, 6, 25, 1));
    assert_int_equal(parse(&t, "Nov 24 06:25:01", NULL, &used), utc(2026, 11, 24, 6, 25, 1));
    assert_int_equal(used, 15);
    assert_int_equal(parse(&t, "Nov 24 06:25:0x", NULL, NULL), -1);
}

static void test_bsd_with_year_and_local_tz(void **state)
{
    struct tsctx t;
    (void)state;
    tstamp_init(&t, 0, 0);
    assert_int_equal(parse(&t, "Mar  5 2024 14:02:01 mx", NULL, NULL), utc(2024, 3, 5, 14, 2, 1));
    setenv("TZ", "JST-9", 1);
    tzset();
    tstamp_init(&t, 0, 2026);
    assert_int_equal(parse(&t, "Nov 24 09:00:00 mx", NULL, NULL), utc(2026, 11, 24, 0, 0, 0));
    setenv("TZ", "UTC", 1);
    tzset();
}

static void test_rfc3339(void **state)
{
    struct tsctx t;
    uint32_t usec;
    size_t used;
    (void)state;
    tstamp_init(&t, 0, 0);
    assert_int_equal(parse(&t, "2024-08-26T01:33:38.572449+00:00 mx", &usec, &used),
                     utc(2024, 8, 26, 1, 33, 38));
    assert_int_equal(usec, 572449);
    assert_int_equal(used, 32);
    assert_int_equal(parse(&t, "2020-01-30T06:26:05.404714+09:00 h", &usec, NULL),
                     utc(2020, 1, 29, 21, 26, 5));
    assert_int_equal(parse(&t, "2020-01-30T06:26:05Z h", &usec, NULL), utc(2020, 1, 30, 6, 26, 5));
    assert_int_equal(usec, 0);
    assert_int_equal(parse(&t, "2020-01-30T06:26:05.5-05:30 h", &usec, NULL),
                     utc(2020, 1, 30, 11, 56, 5));
    assert_int_equal(usec, 500000);
    assert_int_equal(parse(&t, "2020-02-30T06:26:05Z h", NULL, NULL), -1);
    assert_int_equal(parse(&t, "2020-01-30T25:26:05Z h", NULL, NULL), -1);
    assert_int_equal(parse(&t, "2020-01-30T06:26:05.Z h", NULL, NULL), -1);
    /* "+0900" without the colon, and a space for the T */
    assert_int_equal(parse(&t, "2020-01-30T06:26:05+0900 h", NULL, &used), utc(2020, 1, 29, 21, 26, 5));
    assert_int_equal(used, 24);
    assert_int_equal(parse(&t, "2020-01-30 06:26:05-0130 h", NULL, NULL), utc(2020, 1, 30, 7, 56, 5));
}

/* One parse of s[0, n) from a copy of exactly n bytes, so that ASan sees
 * a read past the span. */
static bool parse_n(struct tsctx *t, const char *s, size_t n, int64_t *ts, uint32_t *usec,
                    size_t *used)
{
    char *c = malloc(n ? n : 1);
    memcpy(c, s, n);
    *ts = -1, *usec = 0, *used = 0;
    bool ok = tstamp_parse(t, span_make(c, n), ts, usec, used);
    free(c);
    return ok;
}

/* prev, then cur[0, n) through memo; cur[0, n) again through a copy of
 * fresh, as a first parse: both must give the same. Returns whether the
 * memo's parse succeeded. */
static bool same_as_first(struct tsctx *memo, const struct tsctx *fresh, const char *prev,
                          const char *cur, size_t n)
{
    int64_t ts1, ts2;
    uint32_t u1, u2;
    size_t d1, d2;
    struct tsctx first = *fresh;

    (void)parse_n(memo, prev, strlen(prev), &ts1, &u1, &d1);
    bool ok1 = parse_n(memo, cur, n, &ts1, &u1, &d1);
    bool ok2 = parse_n(&first, cur, n, &ts2, &u2, &d2);
    if (ok1 != ok2 || (ok1 && (ts1 != ts2 || u1 != u2 || d1 != d2))) {
        print_message("\"%.*s\" after \"%s\": %d %lld %u %zu, first parse %d %lld %u %zu\n",
                      (int)n, cur, prev, ok1, (long long)ts1, u1, d1, ok2, (long long)ts2, u2,
                      d2);
        fail();
    }
    return ok1;
}

/* The RFC 3339 memo answers exactly as a first parse would: stamps of
 * every shape below, each after another one (same minute and shape, or
 * not), whole and cut at every length. */
static void test_rfc3339_memo(void **state)
{
    static const char *const minutes[] = { "2026-11-24T23:59", "2026-11-24 23:59",
                                           "2024-02-29T12:30" };
    static const char *const secs[] = { "00", "07", "60", "61", "70", "6a", "0:", "5/" };
    static const char *const fracs[] = { "", ".5", ",123", ".123456", ".654321", ".1234567",
                                         ".12345678", ".123456789", ".", ".12x" };
    /* Next to each other: zones that differ in one byte. */
    static const char *const zones[] = { "", "Z", "z", "+00:00", "+09:00", "+09:01", "-05:30",
                                         "+0900", "+0901", "+09:0", "+", "-" };
    static const char *const tails[] = { " host x", "", "1", " ", "Zx", "12345678" };
    enum { NM = 3, NS = 8, NF = 10, NZ = 12, NT = 6, N = NM * NS * NF * NZ * NT };
    char (*st)[64] = calloc(N, sizeof(*st));
    struct tsctx fresh, memo;
    uint64_t rnd = 88172645463325252u;
    unsigned k = 0, hits = 0;
    (void)state;

    setenv("TZ", "JST-9", 1);
    tzset();
    for (int m = 0; m < NM; m++)
        for (int s = 0; s < NS; s++)
            for (int f = 0; f < NF; f++)
                for (int z = 0; z < NZ; z++)
                    for (int e = 0; e < NT; e++)
                        snprintf(st[k++], sizeof(st[0]), "%s:%s%s%s%s", minutes[m], secs[s],
                                 fracs[f], zones[z], tails[e]);
    tstamp_init(&fresh, 0, 0);
    memo = fresh;
    for (unsigned i = 0; i < 4 * N; i++) {
        /* Mostly the same minute and shape as the last stamp, as in a log:
         * other seconds, other digits of as long a fraction, other tail,
         * now and then the zone next to its own. */
        unsigned a = i % N, b, m = a / (NS * NF * NZ * NT), f = a / (NZ * NT) % NF,
                 z = a / NT % NZ;
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        if (rnd % 4) {
            f = f == 3 && rnd & 16 ? 4 : f == 4 && rnd & 16 ? 3 : f;
            z = rnd & 32 ? (z + 1) % NZ : z;
            b = (((m * NS + (unsigned)(rnd >> 8) % NS) * NF + f) * NZ + z) * NT
                + (unsigned)(rnd >> 40) % NT;
        } else {
            b = (unsigned)(rnd >> 32) % N;
        }
        size_t len = strlen(st[b]);
        for (size_t n = i < N ? len : 0; n <= len; n++)
            hits += same_as_first(&memo, &fresh, st[a], st[b], n) && memo.rfc_cached;
    }
    assert_true(hits > N);
    free(st);
    setenv("TZ", "UTC", 1);
    tzset();
}

/* The BSD stamp memo with a fraction after the seconds (journalctl -o
 * short-precise): stamps of one second or the next, fractions of 0-10
 * digits, after one another, whole and cut at every length, against a
 * first parse. */
static void test_bsd_fraction_memo(void **state)
{
    static const char *const stamps[] = { "Nov 24 06:25:01", "Nov 24 06:25:02", "Dec  1 00:00:00",
                                          "Nov 24 2026 06:25:01", "Nov 4 06:25:01" };
    static const char *const fracs[] = { "", ".", ".5", ".123", ".123456", ".654321",
                                         ".12345678", ".123456789", ".1234567890", ".x", ".12x" };
    static const char *const tails[] = { " mx1 postfix", "", "1", " " };
    enum { NS = 5, NF = 11, NT = 4, N = NS * NF * NT };
    char st[N][48];
    struct tsctx fresh, memo;
    unsigned k = 0;
    (void)state;

    for (int a = 0; a < NS; a++)
        for (int f = 0; f < NF; f++)
            for (int e = 0; e < NT; e++)
                snprintf(st[k++], sizeof(st[0]), "%s%s%s", stamps[a], fracs[f], tails[e]);
    tstamp_init(&fresh, (time_t)utc(2026, 12, 2, 0, 0, 0), 0);
    memo = fresh;
    for (unsigned a = 0; a < N; a++)
        for (unsigned b = 0; b < N; b++) {
            size_t len = strlen(st[b]);
            for (size_t n = b % 7 ? len : 0; n <= len; n++)
                (void)same_as_first(&memo, &fresh, st[a], st[b], n);
        }
}

static void test_splogger_unix(void **state)
{
    int64_t ts;
    uint32_t usec;
    size_t used;
    (void)state;
    assert_true(tstamp_parse_unix(SPAN_LIT("1157520813.485077 rblsmtpd:"), &ts, &usec, &used));
    assert_int_equal(ts, utc(2006, 9, 6, 5, 33, 33));
    assert_int_equal(usec, 485077);
    assert_int_equal(used, 17);
    assert_true(tstamp_parse_unix(SPAN_LIT("1157520813 x"), &ts, &usec, &used));
    assert_int_equal(usec, 0);
    assert_false(tstamp_parse_unix(SPAN_LIT("12345.5 x"), &ts, &usec, &used));     /* too short */
    assert_false(tstamp_parse_unix(SPAN_LIT("1157520813.x"), &ts, &usec, &used));
    assert_false(tstamp_parse_unix(SPAN_LIT("1157520813abc"), &ts, &usec, &used));
    assert_false(tstamp_parse_unix(SPAN_LIT("1234567890123 x"), &ts, &usec, &used)); /* 13 digits */
}

static void test_tai64n(void **state)
{
    struct tsctx t;
    uint32_t usec;
    size_t used;
    (void)state;
    tstamp_init(&t, 0, 0);
    /* @4000000041c6c5331d3bfc64: 0x41c6c533 - 10 = 1103545641 (2004-12-20). */
    assert_int_equal(parse(&t, "@4000000041c6c5331d3bfc64 tcpserver: ok", &usec, &used),
                     1103545651 - 10);
    assert_int_equal(used, 25);
    assert_int_equal(usec, 0x1d3bfc64 / 1000);
    assert_int_equal(parse(&t, "@4000000041c6c5331d3bfc6 x", NULL, NULL), -1);
    assert_int_equal(parse(&t, "@40000000zzc6c5331d3bfc64 x", NULL, NULL), -1);
}

/* journalctl -o short-full and short-precise. */
static void test_journalctl(void **state)
{
    struct tsctx t;
    uint32_t usec;
    size_t used;
    (void)state;
    tstamp_init(&t, 0, 2026);
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03 UTC mx", &usec, &used), utc(2026, 12, 1, 9, 14, 3));
    assert_int_equal(used, 27);
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03 +03 mx", NULL, NULL), utc(2026, 12, 1, 6, 14, 3));
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03 -0330 mx", NULL, NULL), utc(2026, 12, 1, 12, 44, 3));
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03.5 GMT mx", &usec, NULL), utc(2026, 12, 1, 9, 14, 3));
    assert_int_equal(usec, 500000);
    setenv("TZ", "JST-9", 1);
    tzset();
    tstamp_init(&t, 0, 2026);
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03 JST mx", NULL, &used), utc(2026, 12, 1, 0, 14, 3));
    assert_int_equal(used, 27);
    setenv("TZ", "UTC", 1);
    tzset();
    tstamp_init(&t, 0, 2026);               /* forget the JST hour cached */
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03", NULL, NULL), -1);  /* no zone */
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03 +3 mx", NULL, NULL), -1);
    assert_int_equal(parse(&t, "Tue 2026-12-01 09:14:03 TOOLONGZ mx", NULL, NULL), -1);
    assert_int_equal(parse(&t, "Tue 2026-12-01T09:14:03 UTC mx", NULL, NULL), -1);
    assert_int_equal(parse(&t, "Dec 01 09:14:03.123456 mx", &usec, &used), utc(2026, 12, 1, 9, 14, 3));
    assert_int_equal(usec, 123456);
    assert_int_equal(used, 22);
    assert_int_equal(parse(&t, "Dec  1 09:14:03.1 mx", &usec, NULL), utc(2026, 12, 1, 9, 14, 3));
    assert_int_equal(usec, 100000);
}

static void test_garbage(void **state)
{
    struct tsctx t;
    (void)state;
    tstamp_init(&t, 0, 0);
    assert_int_equal(parse(&t, "", NULL, NULL), -1);
    assert_int_equal(parse(&t, "Foo 24 06:25:01 mx", NULL, NULL), -1);
    assert_int_equal(parse(&t, "Nov 24 06:25", NULL, NULL), -1);
    assert_int_equal(parse(&t, "Nov 32 06:25:01 mx", NULL, NULL), -1);
    assert_int_equal(parse(&t, "Nov 24 24:25:01 mx", NULL, NULL), -1);
}

static void test_format(void **state)
{
    char buf[32];
    (void)state;
    tstamp_format(utc(2026, 11, 24, 6, 25, 1), 0, buf);
    assert_string_equal(buf, "2026-11-24T06:25:01Z");
    tstamp_format(utc(1999, 12, 31, 23, 59, 59), 42, buf);
    assert_string_equal(buf, "1999-12-31T23:59:59.000042Z");
    int64_t ts;
    assert_true(tstamp_parse_arg("2026-11-24", 0, &ts));
    assert_int_equal(ts, utc(2026, 11, 24, 0, 0, 0));
    assert_true(tstamp_parse_arg("-2d", 1000000, &ts));
    assert_int_equal(ts, 1000000 - 2 * 86400);
    assert_false(tstamp_parse_arg("yesterday", 0, &ts));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bsd_year_from_mtime),
        cmocka_unit_test(test_bsd_explicit_year),
        cmocka_unit_test(test_bsd_repeated_stamp),
        cmocka_unit_test(test_bsd_with_year_and_local_tz),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_rfc3339_memo),
        cmocka_unit_test(test_bsd_fraction_memo),
        cmocka_unit_test(test_tai64n),
        cmocka_unit_test(test_splogger_unix),
        cmocka_unit_test(test_journalctl),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests_name("tstamp", tests, setup, NULL);
}
