/* span: the inline scanners of the hot path against naive references, on
 * every length around the 16-byte vector step. Each haystack is copied
 * into a heap block of exactly its size, so an ASan build (make asan)
 * catches a load past the end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "span.h"
#include "scan.h"

static size_t ref_find_byte(const char *p, size_t from, size_t n, char c)
{
    for (size_t i = from; i < n; i++)
        if (p[i] == c)
            return i;
    return n;
}

static long ref_find(const char *p, size_t n, const char *needle, size_t k)
{
    if (k == 0)
        return 0;
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return (long)i;
    return -1;
}

/* A deterministic haystack of n bytes from a small alphabet, so hits,
 * near-misses and absences all occur. */
static char *hay(size_t n, unsigned seed)
{
    static const char alpha[] = "ab=: [x]<>,";
    char *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
    }
    return p;
}

static void test_find_byte_and_any3(void **state)
{
    (void)state;
    for (size_t n = 0; n <= 70; n++)
        for (unsigned seed = 1; seed <= 8; seed++) {
            char *p = hay(n, seed * 31 + (unsigned)n);
            for (size_t from = 0; from <= n; from++) {
                assert_int_equal(span_find_byte(p, from, n, '='), ref_find_byte(p, from, n, '='));
                assert_int_equal(span_find_byte(p, from, n, 'z'), n);
                size_t a = ref_find_byte(p, from, n, '['), b = ref_find_byte(p, from, n, ':'),
                       c = ref_find_byte(p, from, n, ' ');
                size_t m = a < b ? a : b;
                m = m < c ? m : c;
                assert_int_equal(span_find_any3(p, from, n, '[', ':', ' '), m);
            }
            free(p);
        }
}

/* One hit at every position of a haystack without others: the hit falls
 * in the vector loop, in the overlapping tail and in the scalar tail;
 * span_rchr the same from the other end. */
static void test_single_hit_everywhere(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 70; n++)
        for (size_t at = 0; at < n; at++) {
            char *p = malloc(n);
            memset(p, 'a', n);
            p[at] = '=';
            for (size_t from = 0; from <= n; from++) {
                assert_int_equal(span_find_byte(p, from, n, '='), from <= at ? at : n);
                assert_int_equal(span_find_any3(p, from, n, '[', '=', ' '), from <= at ? at : n);
            }
            assert_int_equal(span_rchr(span_make(p, n), '='), (long)at);
            assert_int_equal(span_rchr(span_make(p, n), 'z'), -1);
            if (at + 1 < n) {
                p[n - 1] = '=';
                assert_int_equal(span_rchr(span_make(p, n), '='), (long)(n - 1));
            }
            free(p);
        }
}

/* span_find_any3_last: the first '[', ':' or ' ' and the last '/' before
 * it, with the stop (or none) and the slashes anywhere around the vector
 * step, in the overlapping tail and in the scalar tail. */
static void test_find_any3_last(void **state)
{
    static const char stops[] = "[: ";
    unsigned seed = 7;
    (void)state;
    for (size_t n = 0; n <= 70; n++)
        for (size_t stop = 0; stop <= n; stop++)        /* stop == n: none */
            for (int round = 0; round < 6; round++) {
                char *p = malloc(n ? n : 1);
                for (size_t i = 0; i < n; i++) {
                    seed = seed * 1103515245u + 12345u;
                    p[i] = (seed >> 16) % (round + 2) == 0 ? '/' : 'a';
                }
                if (stop < n)
                    p[stop] = stops[round % 3];
                size_t want_last = n;
                for (size_t i = 0; i < stop; i++)
                    if (p[i] == '/')
                        want_last = i;
                size_t last;
                assert_int_equal(span_find_any3_last(p, n, '[', ':', ' ', '/', &last), stop);
                assert_int_equal(last, want_last);
                free(p);
            }
}

static void test_find(void **state)
{
    static const char *needles[] = { "=", "a=", "b=:", "<x>", "ab=:", "zz", "[x]<>,a" };
    (void)state;
    for (size_t n = 0; n <= 70; n++)
        for (unsigned seed = 1; seed <= 8; seed++) {
            char *p = hay(n, seed * 17 + (unsigned)n);
            for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
                size_t kl = strlen(needles[k]);
                assert_int_equal(span_find(span_make(p, n), needles[k], kl),
                                 ref_find(p, n, needles[k], kl));
            }
            assert_int_equal(span_chr(span_make(p, n), '>'),
                             ref_find(p, n, ">", 1));
            free(p);
        }
}

/* scan_kv_many on s gives what scan_kv gives, key by key. */
static void check_kv_many(struct span s, struct scan_kv_want *w, size_t nw)
{
    scan_kv_many(s, w, nw);
    for (size_t k = 0; k < nw; k++) {
        struct span one = scan_kv(s, w[k].key, w[k].keylen);
        assert_true(one.p == w[k].val.p);
        assert_int_equal(one.n, w[k].val.n);
    }
}

static void test_kv_many(void **state)
{
    static const char *lines[] = {
        "to=<a@b>, orig_to=<c@d>, relay=x[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok dsn=9)",
        "to=<a@b>, relay=none, status=bounced (xrelay=1 relay=2)",
        "from=<>, size=12, nrcpt=1 (queue active)",
        "xfrom=<a>, from=<b>; to=<c> proto=ESMTP helo=<h=1>",
        "status=", "=", "", "a=b=c=d=", "(relay=r)", "to=<never closed",
    };
    struct scan_kv_want w[] = {
        SCAN_KV_WANT("to="), SCAN_KV_WANT("orig_to="), SCAN_KV_WANT("relay="),
        SCAN_KV_WANT("dsn="), SCAN_KV_WANT("status="), SCAN_KV_WANT("from="),
        SCAN_KV_WANT("helo="), SCAN_KV_WANT("b="), SCAN_KV_WANT("nrcpt="),
    };
    const size_t nw = sizeof(w) / sizeof(w[0]);
    (void)state;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        size_t n = strlen(lines[i]);
        char *p = malloc(n ? n : 1);
        memcpy(p, lines[i], n);
        check_kv_many(span_make(p, n), w, nw);
        free(p);
    }
}

/* The same on random lines made of keys, look-alikes ("xrelay=",
 * "username="), keys longer than 8 bytes, and separators, with keys at
 * every distance from the start. */
static void test_kv_many_random(void **state)
{
    static const char *const parts[] = {
        "to=", "orig_to=", "relay=", "xrelay=", "status=", "_status=", "sasl_username=",
        "username=", "sasl_method=", "=", ", ", " ", ";", "(", "<a@b>", "<x, y>", "abc",
        "7", "nrcpt=", "rcpt=",
    };
    struct scan_kv_want w[] = {
        SCAN_KV_WANT("to="), SCAN_KV_WANT("orig_to="), SCAN_KV_WANT("relay="),
        SCAN_KV_WANT("status="), SCAN_KV_WANT("sasl_username="),
        SCAN_KV_WANT("sasl_method="), SCAN_KV_WANT("nrcpt="),
    };
    const size_t nw = sizeof(w) / sizeof(w[0]), np = sizeof(parts) / sizeof(parts[0]);
    uint64_t r = 42;
    (void)state;
    for (int round = 0; round < 20000; round++) {
        char line[400];
        size_t n = 0;
        for (int k = (int)(r >> 60); k > 0; k--)
            line[n++] = 'q';            /* 0 to 15 bytes before the first part */
        for (int k = 0; k < 12; k++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *t = parts[(r >> 33) % np];
            memcpy(line + n, t, strlen(t));
            n += strlen(t);
        }
        char *p = malloc(n);
        memcpy(p, line, n);
        check_kv_many(span_make(p, n), w, nw);
        free(p);
    }
}

/* span_digit_run and the byte masks against plain loops: every length to
 * 20, digits mixed with their neighbours in ASCII ('/', ':') and with
 * bytes that differ from a digit only in the top bit. */
static void test_digit_run(void **state)
{
    static const char alpha[] = "0123456789/:a.\xb0\xb9 ";
    unsigned seed = 7;
    (void)state;
    for (size_t n = 0; n <= 20; n++)
        for (int round = 0; round < 4000; round++) {
            char *p = malloc(n ? n : 1);
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                /* Mostly digits, so that long runs occur. */
                p[i] = (seed >> 16) % 4 ? (char)('0' + (seed >> 20) % 10)
                                        : alpha[(seed >> 20) % (sizeof(alpha) - 1)];
            }
            size_t want = 0;
            while (want < n && p[want] >= '0' && p[want] <= '9')
                want++;
            assert_int_equal(span_digit_run(p, n), want);
            if (n >= 8) {
                uint64_t w = span_load8(p), dig = span_bytes_digit(w), dot = span_bytes_eq(w, '.');
                for (int i = 0; i < 8; i++) {
                    assert_int_equal(dig >> (8 * i + 7) & 1, p[i] >= '0' && p[i] <= '9');
                    assert_int_equal(dot >> (8 * i + 7) & 1, p[i] == '.');
                    assert_int_equal((dig | dot) >> (8 * i) & 0x7f, 0);
                }
            }
            free(p);
        }
}

/* scan_client against plain searches for its two delimiters: host names
 * and addresses of every length around the 64-byte mask, brackets and
 * spaces anywhere, "unknown", ports; each string in an exact-size heap
 * copy. What it makes of the parts is checked against their own rules. */
static void check_client(struct span s)
{
    struct event got;
    size_t lb = 0, rb;

    memset(&got, 0, sizeof(got));
    size_t used = scan_client(s, &got);
    while (lb < s.n && s.p[lb] != '[' && s.p[lb] != ' ' && s.p[lb] != ']')
        lb++;
    for (rb = lb + 1; rb < s.n && s.p[rb] != ']' && s.p[rb] != ' '; rb++)
        ;
    if (lb >= s.n || s.p[lb] != '[' || rb >= s.n || s.p[rb] != ']') {
        assert_int_equal(used, 0);
        return;
    }
    struct span host = span_make(s.p, lb), addr = span_make(s.p + lb + 1, rb - lb - 1);
    struct ipaddr ip;
    memset(&ip, 0, sizeof(ip));
    bool known = ipaddr_parse(addr, &ip);
    if (!known && !span_eq_lit(addr, "unknown")) {
        assert_int_equal(used, 0);
        return;
    }
    assert_true(used > rb);
    assert_memory_equal(&got.ip, &ip, sizeof(ip));
    assert_int_equal(got.rdns_unknown, span_eq_lit(host, "unknown"));
    if (!got.rdns_unknown && lb > 0)
        assert_true(got.rdns.p == s.p && got.rdns.n == lb);
    else
        assert_null(got.rdns.p);
    /* After "]": nothing taken, or ":" and the 1-5 digits of a port. */
    char digits[8] = { 0 };
    if (used == rb + 1) {
        for (size_t k = 0; k < 5 && rb + 2 + k < s.n && s.p[rb + 2 + k] >= '0' && s.p[rb + 2 + k] <= '9'; k++)
            digits[k] = s.p[rb + 2 + k];
        /* Not a port: no ':', no digit, or more than 65535. */
        assert_true(rb + 1 == s.n || s.p[rb + 1] != ':' || !digits[0]
                    || strtoul(digits, NULL, 10) > 65535);
        assert_int_equal(got.port, 0);
        return;
    }
    assert_int_equal(s.p[rb + 1], ':');
    assert_true(used - rb - 2 >= 1 && used - rb - 2 <= 5);
    memcpy(digits, s.p + rb + 2, used - rb - 2);
    assert_int_equal(got.port, strtoul(digits, NULL, 10));
    assert_true(got.port <= 65535);
    assert_true(used == s.n || used - rb - 2 == 5 || s.p[used] < '0' || s.p[used] > '9');
}

/* scan_client keeps the addresses it parsed by their text: the same text
 * again, texts that differ in one byte or only in length (a NUL after
 * the same bytes), bad ones among them, many more than the memo holds,
 * in a random order; each answer as check_client's reference gives it. */
static void test_client_memo(void **state)
{
    char pool[700][32];
    size_t len[700], np = 0;
    unsigned seed = 11;
    (void)state;

    for (unsigned i = 0; i < 600; i++, np++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        /* IPv6 of 17-24 bytes that differ in one of the words the memo
         * keeps of them alone (bytes 0-7, 8-15 or from 16 on). */
        if (i % 8 == 0)        /* 16 bytes */
            len[np] = (size_t)snprintf(pool[np], sizeof(pool[np]), "2001:db8:%03x::%02x",
                                       0x100 + r % 0xf00, (r >> 12) % 0x100);
        else if (i % 4 == 1)
            len[np] = (size_t)snprintf(pool[np], sizeof(pool[np]), "%04x:db8:1:2:3:4:5:6",
                                       r % 0x10000);
        else if (i % 4 == 2)
            len[np] = (size_t)snprintf(pool[np], sizeof(pool[np]), "2001:db8:%04x:1:2:3:4:5",
                                       r % 0x10000);
        else if (i % 4 == 3)
            len[np] = (size_t)snprintf(pool[np], sizeof(pool[np]), "2001:db8:1:2:3::%x",
                                       r % 0x10000);
        else
            len[np] = (size_t)snprintf(pool[np], sizeof(pool[np]), "%u.%u.%u.%u",
                                       r % 3 ? 10 + r % 240 : 1 + r % 9, (r >> 3) % 300,
                                       (r >> 7) % 256, (r >> 11) % 256);
    }
    static const char *const odd[] = { "01.2.3.4", "1.2.3.256", "10.0.0.1", "10.0.0.10",
                                       "2001:db8::1", "::ffff:1.2.3.4", "fe80::1:2:3",
                                       "1.2.3.4.", "1.2.3.4:5", "255.255.255.255",
                                       "10.0.0.1x", "2001:db8::g", "2001:db8:1:2::abcd",
                                       "2001:db8:1:2::abce", "2001:db8::ffff:1.2.3.4",
                                       "2001:db8::ffff:1.2.3.400", "2001:db8:85a3::8a2e:370:7334",
                                       "2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6:7" };
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++, np++)
        len[np] = (size_t)snprintf(pool[np], sizeof(pool[np]), "%s", odd[i]);
    /* The bytes of an address that parses, and a NUL after them. */
    memcpy(pool[np], "10.0.0.1", 9), len[np++] = 9;
    memcpy(pool[np], "192.0.2.10", 11), len[np++] = 11;
    memcpy(pool[np], "2001:db8:1:2::abcd", 19), len[np++] = 19;
    for (int round = 0; round < 40000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t k = round % 7 ? (seed >> 8) % np : np - 1 - (seed >> 8) % 24;
        char buf[48];
        size_t n = 0;
        buf[n++] = 'h';
        buf[n++] = '[';
        memcpy(buf + n, pool[k], len[k]);
        n += len[k];
        memcpy(buf + n, "]:25", 4);
        n += round % 3 ? 4 : 1;
        char *p = malloc(n);
        memcpy(p, buf, n);
        check_client(span_make(p, n));
        free(p);
    }
}

static void test_client_vs_reference(void **state)
{
    static const char *const addrs[] = { "192.0.2.7", "unknown", "2001:db8::1", "1.2.3",
                                         "10.0.0.1 x", "[1.2.3.4", "" };
    static const char tail_alpha[] = "]: [x1";
    unsigned seed = 3;
    char buf[256];
    (void)state;
    for (size_t hl = 0; hl <= 100; hl++)
        for (size_t a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++)
            for (int round = 0; round < 12; round++) {
                size_t n = 0;
                for (size_t k = 0; k < hl; k++) {
                    seed = seed * 1103515245u + 12345u;
                    unsigned r = (seed >> 16) % 64;
                    buf[n++] = r == 0 && round % 3 == 1 ? ' ' : r == 1 && round % 3 == 2 ? ']'
                             : (char)('a' + r % 26);
                }
                if (hl == 7 && round == 0)
                    memcpy(buf, "unknown", 7);
                if (round != 5)
                    buf[n++] = '[';
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", addrs[a]);
                if (round != 7)
                    buf[n++] = ']';
                size_t tl = (size_t)(round * 3);
                for (size_t k = 0; k < tl && n < sizeof(buf); k++) {
                    seed = seed * 1103515245u + 12345u;
                    buf[n++] = k == 0 ? ':' : (seed >> 16) % 3 ? (char)('0' + (seed >> 20) % 10)
                                                             : tail_alpha[(seed >> 20) % 6];
                }
                char *p = malloc(n ? n : 1);
                memcpy(p, buf, n);
                check_client(span_make(p, n));
                free(p);
            }
}

/* span_same against memcmp: every length to 40, equal and with one byte
 * changed at each position (both halves of the word compares), and
 * span_eq/span_starts on top of it. */
static void test_same(void **state)
{
    char a[48], b[48];
    (void)state;
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = (char)('a' + i % 26);
    for (size_t n = 0; n <= 40; n++) {
        memcpy(b, a, sizeof(b));
        assert_true(span_same(a, b, n));
        for (size_t k = 0; k < n; k++) {
            b[k] ^= 0x20;
            assert_false(span_same(a, b, n));
            assert_int_equal(span_eq(span_make(a, n), b, n), memcmp(a, b, n) == 0);
            assert_int_equal(span_starts(span_make(a, 48), b, n), memcmp(a, b, n) == 0);
            b[k] ^= 0x20;
        }
        assert_true(span_eq(span_make(a, n), b, n));
        assert_false(span_eq(span_make(a, n + 1), b, n));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_byte_and_any3),
        cmocka_unit_test(test_single_hit_everywhere),
        cmocka_unit_test(test_find_any3_last),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_kv_many),
        cmocka_unit_test(test_kv_many_random),
        cmocka_unit_test(test_digit_run),
        cmocka_unit_test(test_client_vs_reference),
        cmocka_unit_test(test_client_memo),
        cmocka_unit_test(test_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
