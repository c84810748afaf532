/* outbuf: the hand-written appenders write exactly what printf and
 * ipprefix_format write. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "outbuf.h"

static void check_g(double v)
{
    struct outbuf o;
    char want[64];

    outbuf_init_mem(&o, 8);
    outbuf_g(&o, v);
    snprintf(want, sizeof(want), "%g", v);
    if (o.len != strlen(want) || memcmp(o.buf, want, o.len) != 0)
        fail_msg("%.17g: want %s got %.*s", v, want, (int)o.len, o.buf);
    outbuf_close(&o);
}

static void test_g(void **state)
{
    static const double fixed[] = { 0.0, -0.0, 1, -1, 0.5, 2.5, 0.1, 0.3, 0.7, 1e-4, 1.5e-4,
                                    9.99e-5, 999999, 999999.4, 999999.5, 1e6, 123456.5,
                                    12345.67, 0.00012, 1.0 / 3, 2.0 / 3, 1e300, -1e-300,
                                    0.30000000000000004, 4503599627370497.0 };
    static const double weights[] = { 1, 0.5, 0.25, 0.1, 0.2, 0.3, 1.5, 2, 3, 5, -1, -0.5,
                                      0.05, 0.01, 0.125, 0.7 };
    (void)state;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        check_g(fixed[i]);
        check_g(-fixed[i]);
    }
    /* Scores: sums of weights times counts. */
    srand(7);
    for (int i = 0; i < 200000; i++) {
        double s = 0;
        for (int k = rand() % 4; k >= 0; k--)
            s += weights[rand() % 16] * (rand() % 5000);
        check_g(s);
        check_g(s / 7);
    }
}

static void check_pfx(const struct ipprefix *p)
{
    struct outbuf o;
    char want[IPPREFIX_STRLEN], text[IPPREFIX_STRLEN];

    outbuf_init_mem(&o, 4);
    outbuf_ipprefix(&o, p);
    ipprefix_format(p, want);
    if (o.len != strlen(want) || memcmp(o.buf, want, o.len) != 0)
        fail_msg("want %s got %.*s", want, (int)o.len, o.buf);
    if (ipprefix_text(p, text) != strlen(want) || strcmp(text, want) != 0)
        fail_msg("want %s got %s", want, text);
    outbuf_close(&o);
}

static void test_prefix(void **state)
{
    (void)state;
    srand(11);
    for (int i = 0; i < 100000; i++) {
        struct ipprefix p;
        memset(&p, 0, sizeof(p));
        p.addr.family = i % 3 ? 4 : 6;
        for (int b = 0; b < (p.addr.family == 4 ? 4 : 16); b++)
            p.addr.b[b] = (uint8_t)(rand() % 4 == 0 ? 0 : rand());
        unsigned max = p.addr.family == 4 ? 32 : 128;
        p.len = (uint8_t)(rand() % 2 ? max : (unsigned)rand() % (max + 1));
        p.addr = ipaddr_mask(&p.addr, p.len);
        check_pfx(&p);
    }
    struct ipprefix unknown = { .len = 7 };
    check_pfx(&unknown);
}

/* A row of counts: each after the separator, as printf writes it; a
 * small buffer so that rows cross its end. */
static void test_u32s(void **state)
{
    static const uint32_t fixed[] = { 0, 9, 10, 99, 100, 4294967295u, 1, 0, 123456789 };
    struct outbuf o, want;
    char num[16];
    (void)state;

    outbuf_init_mem(&o, 4);
    outbuf_init_mem(&want, 4);
    srand(12);
    for (int row = 0; row < 2000; row++) {
        uint32_t v[21];
        size_t n = row == 0 ? sizeof(fixed) / sizeof(fixed[0]) : (size_t)rand() % 22;
        for (size_t i = 0; i < n; i++)
            v[i] = row == 0 ? fixed[i] : rand() % 3 ? (uint32_t)rand() % 12
                                                    : (uint32_t)rand() * 2654435761u;
        outbuf_u32s(&o, row == 0 ? fixed : v, n, row % 2 ? ',' : '\t');
        for (size_t i = 0; i < n; i++) {
            snprintf(num, sizeof(num), "%c%u", row % 2 ? ',' : '\t',
                     (unsigned)(row == 0 ? fixed[i] : v[i]));
            outbuf_puts(&want, num);
        }
    }
    assert_int_equal(o.len, want.len);
    assert_memory_equal(o.buf, want.buf, o.len);
    outbuf_close(&o);
    outbuf_close(&want);
}

/* A file written with writeback started on the way holds exactly what
 * was written; the writeback follows the writes, a file without it is
 * left to the kernel. */
static void test_writeback(void **state)
{
    enum { TOTAL = 9 * 1024 * 1024 + 12345 };
    (void)state;

    for (int wb = 0; wb < 2; wb++) {
        FILE *tmp = tmpfile();
        struct outbuf o;
        char piece[1000];
        assert_non_null(tmp);
        outbuf_init(&o, fileno(tmp));
        if (wb)
            outbuf_writeback(&o);
        for (size_t at = 0; at < TOTAL; at += sizeof(piece)) {
            size_t n = TOTAL - at < sizeof(piece) ? TOTAL - at : sizeof(piece);
            for (size_t i = 0; i < n; i++)
                piece[i] = (char)((at + i) * 131 >> 7);
            outbuf_write(&o, piece, n);
        }
        assert_true(outbuf_close(&o));
        assert_int_equal(o.written, TOTAL);
        if (wb)
            assert_true(o.started >= 8u * 1024 * 1024 && o.started <= o.written);
        else
            assert_int_equal(o.started, 0);
        rewind(tmp);
        for (size_t at = 0; at < TOTAL; at++)
            if (fgetc(tmp) != (int)((at * 131 >> 7) & 0xff))
                fail_msg("writeback %d: byte %zu differs", wb, at);
        assert_int_equal(fgetc(tmp), EOF);
        fclose(tmp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_u32s),
        cmocka_unit_test(test_writeback),
    };
    return cmocka_run_group_tests_name("outbuf", tests, NULL, NULL);
}
