/* ipaddr: strict scanning, prefixes, formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include "ipaddr.h"

static struct span S(const char *s) { return span_make(s, strlen(s)); }

/* A heap copy of exactly n bytes: the ASan build sees any read outside
 * the span (the IPv4 scan loads 8 bytes at a time). Free it. */
static char *exact_copy(const char *buf, size_t n)
{
    char *p = malloc(n ? n : 1);

    assert_non_null(p);
    memcpy(p, buf, n);
    return p;
}

static void test_v4_strict(void **state)
{
    static const struct { const char *in; int ok; uint32_t v; } cases[] = {
        { "1.2.3.4", 1, 0x01020304 }, { "255.255.255.255", 1, 0xffffffff },
        { "0.0.0.0", 1, 0 }, { "1.2.3.300", 0, 0 }, { "1.2.3", 0, 0 },
        { "1.2.3.4.5", 0, 0 }, { "01.2.3.4", 0, 0 }, { "1.2.3.4 ", 0, 0 },
        { "1..3.4", 0, 0 }, { "", 0, 0 }, { "1.2.3.-4", 0, 0 }, { "1234.1.1.1", 0, 0 },
        { "1.2.3.04", 0, 0 }, { "a.b.c.d", 0, 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t v = 0;
        bool ok = ipaddr_parse_v4(S(cases[i].in), &v);
        assert_int_equal(ok, cases[i].ok);
        if (ok)
            assert_int_equal(v, cases[i].v);
    }
}

/* Against glibc's inet_pton(AF_INET), which is as strict (four octets,
 * no leading zeros, nothing after): random strings of digits and dots,
 * and mutations of valid addresses. */
static void test_v4_vs_inet_pton(void **state)
{
    /* '/' and ':' border the digits; 0xb0 is '0' with the top bit set. */
    static const char alpha[] = "0123456789..25.../:a \xb0";
    char buf[24];
    (void)state;
    srand(11);
    for (int round = 0; round < 400000; round++) {
        size_t n = (size_t)(rand() % 19);
        if (round % 2) {
            n = (size_t)snprintf(buf, sizeof(buf), "%d.%d.%d.%d", rand() % 300, rand() % 256,
                                 rand() % 256, rand() % 1100);
            if (rand() % 4 == 0)
                buf[rand() % n] = alpha[rand() % (sizeof(alpha) - 1)];
        } else {
            for (size_t i = 0; i < n; i++)
                buf[i] = alpha[rand() % (sizeof(alpha) - 1)];
            buf[n] = 0;
        }
        unsigned char want[4];
        uint32_t v = 0;
        int ref = inet_pton(AF_INET, buf, want) == 1;
        char *exact = exact_copy(buf, n);
        bool ok = ipaddr_parse_v4(span_make(exact, n), &v);
        free(exact);
        if (ok != ref)
            fail_msg("\"%s\": ipaddr_parse_v4 %d, inet_pton %d", buf, ok, ref);
        if (ok)
            assert_int_equal(v, (uint32_t)want[0] << 24 | (uint32_t)want[1] << 16
                             | (uint32_t)want[2] << 8 | want[3]);
    }
}

static void test_v6(void **state)
{
    struct ipaddr a;
    char buf[IPADDR_STRLEN];
    (void)state;
    assert_true(ipaddr_parse(S("2001:db8::1"), &a));
    assert_int_equal(a.family, 6);
    assert_string_equal(ipaddr_format(&a, buf), "2001:db8::1");
    assert_true(ipaddr_parse(S("IPv6:2001:DB8:0:0::1"), &a));
    assert_string_equal(ipaddr_format(&a, buf), "2001:db8::1");
    assert_true(ipaddr_parse(S("::ffff:1.2.3.4"), &a));
    assert_false(ipaddr_parse(S("2001:db8::1%eth0"), &a));
    assert_false(ipaddr_parse(S("2001:db8:::1"), &a));
    assert_false(ipaddr_parse(S("unknown"), &a));
    assert_false(ipaddr_parse(S(":"), &a));
    assert_true(ipaddr_parse(S("::"), &a));
    assert_true(ipaddr_parse(S("1:2:3:4:5:6:7::"), &a));
    assert_false(ipaddr_parse(S("1:2:3:4:5:6:7:8::"), &a));    /* "::" of no group */
    assert_false(ipaddr_parse(S("1:2:3:4:5:6:7::8"), &a));
    assert_false(ipaddr_parse(S("1::2:"), &a));
    assert_false(ipaddr_parse(S(":1::2"), &a));
    assert_false(ipaddr_parse(S("12345::"), &a));
    assert_false(ipaddr_parse(S("::1.2.3.4:5"), &a));           /* the quad ends it */
    assert_false(ipaddr_parse(S("1:2:3:4:5:6:7:1.2.3.4"), &a)); /* no room for it */
    assert_false(ipaddr_parse(S("::01.2.3.4"), &a));
    assert_true(ipaddr_parse(S("1:2:3:4:5:6:1.2.3.4"), &a));
    assert_int_equal(a.b[15], 4);
    /* A failed parse leaves the address alone. */
    a.family = 4;
    assert_false(ipaddr_parse(S("2001:db8::g"), &a));
    assert_int_equal(a.family, 4);
    assert_int_equal(ipaddr_v6_hi(&(struct ipaddr){ 6, { 0x20, 0x01, 0x0d, 0xb8 } }),
                     0x20010db800000000ULL);
}

/* One random IPv6-like string into buf: groups of 0-5 hex digits in
 * either case, ':' or "::" or ":::" between them, sometimes a dotted quad
 * at the end, sometimes a byte changed. Most are near misses. */
static size_t random_v6(char *buf, size_t cap)
{
    static const char hex[] = "0123456789abcdefABCDEF";
    static const char junk[] = "0:.fg% ]\xb0";
    size_t n = 0, groups = (size_t)(rand() % 10);

    if (rand() % 3 == 0)
        n += (size_t)snprintf(buf + n, cap - n, "%s", rand() % 4 ? "::" : ":");
    for (size_t g = 0; g < groups && n + 16 < cap; g++) {
        for (int d = rand() % (rand() % 8 ? 5 : 6); d > 0; d--)
            buf[n++] = hex[rand() % (sizeof(hex) - 1)];
        if (g + 1 < groups) {
            int r = rand() % 20;
            buf[n++] = ':';
            if (r == 0 || r == 1)
                buf[n++] = ':';
            if (r == 2)
                n += (size_t)snprintf(buf + n, cap - n, "::");
        }
    }
    if (rand() % 5 == 0 && n + 20 < cap)
        n += (size_t)snprintf(buf + n, cap - n, ":%d.%d.%d.%d", rand() % 300, rand() % 256,
                              rand() % 256, rand() % 3 ? rand() % 256 : rand() % 1000);
    else if (rand() % 8 == 0 && n + 2 < cap)
        n += (size_t)snprintf(buf + n, cap - n, "::");
    if (n && rand() % 6 == 0)
        buf[rand() % n] = junk[rand() % (sizeof(junk) - 1)];
    buf[n] = 0;
    return n;
}

/* Against glibc's inet_pton(AF_INET6): the same answer and the same 16
 * bytes for near misses of every rule (group width, one "::", room for
 * the "::", the quad's place and octets, trailing ':'). */
static void test_v6_vs_inet_pton(void **state)
{
    char buf[96];
    unsigned valid = 0;
    (void)state;
    srand(17);
    for (int round = 0; round < 600000; round++) {
        size_t n = random_v6(buf, sizeof(buf));
        unsigned char want[16];
        struct ipaddr a = { 0 };
        int ref = inet_pton(AF_INET6, buf, want) == 1;
        char *exact = exact_copy(buf, n);
        bool ok = ipaddr_parse(span_make(exact, n), &a);
        free(exact);
        if (ok && a.family == 4)    /* a dotted quad alone is IPv4 here */
            ok = false;
        if (ok != ref)
            fail_msg("\"%s\": ipaddr_parse %d, inet_pton %d", buf, ok, ref);
        if (ok) {
            valid++;
            assert_memory_equal(a.b, want, 16);
        }
    }
    /* The generator must reach both sides of the rules. */
    assert_in_range(valid, 60000, 540000);
}

static void test_prefix(void **state)
{
    struct ipprefix p;
    struct ipaddr a;
    (void)state;
    assert_true(ipprefix_parse(S("192.0.2.0/24"), &p, false));
    assert_int_equal(p.len, 24);
    assert_false(ipprefix_parse(S("192.0.2.1/24"), &p, false));   /* host bits */
    assert_true(ipprefix_parse(S("192.0.2.1/24"), &p, true));
    assert_false(ipprefix_parse(S("192.0.2.0/33"), &p, false));
    assert_false(ipprefix_parse(S("192.0.2.0/"), &p, false));
    assert_false(ipprefix_parse(S("192.0.2.0/024"), &p, false));
    assert_true(ipprefix_parse(S("2001:db8::/32"), &p, false));
    assert_true(ipaddr_parse(S("2001:db8:ffff::1"), &a));
    assert_true(ipprefix_contains(&p, &a));
    assert_true(ipaddr_parse(S("2001:db9::1"), &a));
    assert_false(ipprefix_contains(&p, &a));
    assert_true(ipprefix_parse(S("10.1.2.3"), &p, false));
    assert_int_equal(p.len, 32);
}

static void test_order(void **state)
{
    struct ipaddr a, b, c;
    (void)state;
    assert_true(ipaddr_parse(S("9.255.255.255"), &a));
    assert_true(ipaddr_parse(S("10.0.0.0"), &b));
    assert_true(ipaddr_parse(S("::1"), &c));
    assert_true(ipaddr_cmp(&a, &b) < 0);
    assert_true(ipaddr_cmp(&b, &c) < 0);
    assert_int_equal(ipaddr_cmp(&c, &c), 0);
}

/* The hand-written IPv4 formatter against printf, every octet value in
 * every position. */
static void test_format_v4_all_octets(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 256; v++)
        for (int pos = 0; pos < 4; pos++) {
            struct ipaddr a;
            char got[IPADDR_STRLEN], want[IPADDR_STRLEN];
            uint8_t b[4] = { 1, 20, 203, 7 };
            b[pos] = (uint8_t)v;
            ipaddr_set_v4(&a, (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
            snprintf(want, sizeof(want), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
            assert_string_equal(ipaddr_format(&a, got), want);
        }
}

/* Prefix lengths by hand too: every length of both families. */
static void test_format_prefix_all_lengths(void **state)
{
    (void)state;
    for (unsigned fam = 4; fam <= 6; fam += 2)
        for (unsigned len = 0; len <= (fam == 4 ? 32u : 128u); len++) {
            struct ipprefix p;
            char got[IPPREFIX_STRLEN], want[IPPREFIX_STRLEN], addr[IPADDR_STRLEN];
            assert_true(ipprefix_parse(S(fam == 4 ? "198.51.100.0" : "2001:db8::"), &p, true));
            p.len = (uint8_t)len;
            ipaddr_format(&p.addr, addr);
            if (len == (fam == 4 ? 32u : 128u))
                snprintf(want, sizeof(want), "%s", addr);
            else
                snprintf(want, sizeof(want), "%s/%u", addr, len);
            assert_string_equal(ipprefix_format(&p, got), want);
        }
}

/* ipaddr_mask (words) against a bit-by-bit reference, every length of
 * both families and past them, the bytes an IPv4 address does not use
 * left as they were. */
static void test_mask_all_lengths(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int it = 0; it < 200; it++)
        for (unsigned fam = 4; fam <= 6; fam += 2)
            for (unsigned len = 0; len <= 130; len++) {
                struct ipaddr a = { .family = (uint8_t)fam }, want;
                for (int i = 0; i < 16; i++) {
                    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                    a.b[i] = (uint8_t)x;
                }
                want = a;
                for (unsigned bit = len; bit < (fam == 4 ? 32u : 128u); bit++)
                    want.b[bit / 8] &= (uint8_t)~(0x80u >> bit % 8);
                struct ipaddr got = ipaddr_mask(&a, len);
                assert_int_equal(got.family, want.family);
                assert_memory_equal(got.b, want.b, 16);
            }
}

/* Every special IPv4 range at its first and last address and just
 * outside (where that is not another range): the scope search. */
static void test_scope_v4(void **state)
{
    (void)state;
    static const struct { const char *a; enum ipaddr_scope s; } v[] = {
        { "0.0.0.0", IPS_SPECIAL }, { "0.255.255.255", IPS_SPECIAL }, { "1.0.0.0", IPS_GLOBAL },
        { "9.255.255.255", IPS_GLOBAL }, { "10.0.0.0", IPS_PRIVATE },
        { "10.255.255.255", IPS_PRIVATE }, { "11.0.0.0", IPS_GLOBAL },
        { "100.63.255.255", IPS_GLOBAL }, { "100.64.0.0", IPS_PRIVATE },
        { "100.127.255.255", IPS_PRIVATE }, { "100.128.0.0", IPS_GLOBAL },
        { "126.255.255.255", IPS_GLOBAL }, { "127.0.0.1", IPS_SPECIAL },
        { "127.255.255.255", IPS_SPECIAL }, { "128.0.0.0", IPS_GLOBAL },
        { "169.253.255.255", IPS_GLOBAL }, { "169.254.0.0", IPS_SPECIAL },
        { "169.254.255.255", IPS_SPECIAL }, { "169.255.0.0", IPS_GLOBAL },
        { "172.15.255.255", IPS_GLOBAL }, { "172.16.0.0", IPS_PRIVATE },
        { "172.31.255.255", IPS_PRIVATE }, { "172.32.0.0", IPS_GLOBAL },
        { "191.255.255.255", IPS_GLOBAL }, { "192.0.0.0", IPS_SPECIAL },
        { "192.0.0.255", IPS_SPECIAL }, { "192.0.1.0", IPS_GLOBAL }, { "192.0.2.0", IPS_DOC },
        { "192.0.2.255", IPS_DOC }, { "192.0.3.0", IPS_GLOBAL },
        { "192.88.98.255", IPS_GLOBAL }, { "192.88.99.0", IPS_SPECIAL },
        { "192.88.99.255", IPS_SPECIAL }, { "192.88.100.0", IPS_GLOBAL },
        { "192.167.255.255", IPS_GLOBAL }, { "192.168.0.0", IPS_PRIVATE },
        { "192.168.255.255", IPS_PRIVATE }, { "192.169.0.0", IPS_GLOBAL },
        { "198.17.255.255", IPS_GLOBAL }, { "198.18.0.0", IPS_SPECIAL },
        { "198.19.255.255", IPS_SPECIAL }, { "198.20.0.0", IPS_GLOBAL },
        { "198.51.99.255", IPS_GLOBAL }, { "198.51.100.0", IPS_DOC },
        { "198.51.100.255", IPS_DOC }, { "198.51.101.0", IPS_GLOBAL },
        { "203.0.112.255", IPS_GLOBAL }, { "203.0.113.0", IPS_DOC },
        { "203.0.113.255", IPS_DOC }, { "203.0.114.0", IPS_GLOBAL },
        { "223.255.255.255", IPS_GLOBAL }, { "224.0.0.0", IPS_SPECIAL },
        { "239.255.255.255", IPS_SPECIAL }, { "240.0.0.0", IPS_SPECIAL },
        { "255.255.255.255", IPS_SPECIAL }, { "8.8.8.8", IPS_GLOBAL },
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct ipaddr a;
        assert_true(ipaddr_parse(span_make(v[i].a, strlen(v[i].a)), &a));
        if (ipaddr_scope(&a) != v[i].s)
            fail_msg("%s: scope %s, want %s", v[i].a, ipaddr_scope_name(ipaddr_scope(&a)),
                     ipaddr_scope_name(v[i].s));
    }
}

/* IPv6 text against the C library's inet_ntop, on addresses made mostly
 * of zero runs of every length and place, 0xffff and short groups, and
 * IPv4-compatible and -mapped forms: the zero run chosen, ties, and the
 * dotted tail are where a hand-written formatter goes wrong. */
static void test_format_v6_vs_inet_ntop(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    for (int it = 0; it < 300000; it++) {
        struct ipaddr a = { .family = 6 };
        for (int g = 0; g < 8; g++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            unsigned k = (unsigned)(x % 8), v = (unsigned)(x >> 20);
            v = k < 4 ? 0 : k == 4 ? 0xffff : k == 5 ? v % 16 : k == 6 ? v % 4096 : v & 0xffff;
            a.b[2 * g] = (uint8_t)(v >> 8);
            a.b[2 * g + 1] = (uint8_t)v;
        }
        if (it % 16 == 0) {
            memset(a.b, 0, 10);
            if (it % 32 == 0)
                a.b[10] = a.b[11] = 0xff;
        }
        char got[IPADDR_STRLEN], want[INET6_ADDRSTRLEN];
        size_t n = ipaddr_text(&a, got);
        assert_non_null(inet_ntop(AF_INET6, a.b, want, sizeof(want)));
        assert_string_equal(got, want);
        assert_int_equal(n, strlen(want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_v4_all_octets),
        cmocka_unit_test(test_format_prefix_all_lengths),
        cmocka_unit_test(test_mask_all_lengths),
        cmocka_unit_test(test_scope_v4),
        cmocka_unit_test(test_format_v6_vs_inet_ntop),
        cmocka_unit_test(test_v4_strict),
        cmocka_unit_test(test_v4_vs_inet_pton),
        cmocka_unit_test(test_v6),
        cmocka_unit_test(test_v6_vs_inet_pton),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_order),
    };
    return cmocka_run_group_tests_name("ipaddr", tests, NULL, NULL);
}
