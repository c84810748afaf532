/* escape: hostile strings in JSON, CSV and TSV. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "escape.h"

typedef void esc_fn(struct outbuf *, const char *, size_t);

static void check(esc_fn *fn, const char *in, size_t n, const char *want)
{
    FILE *tmp = tmpfile();
    struct outbuf o;
    char out[1024];

    outbuf_init(&o, fileno(tmp));
    fn(&o, in, n);
    outbuf_close(&o);
    rewind(tmp);
    size_t k = fread(out, 1, sizeof(out) - 1, tmp);
    out[k] = 0;
    fclose(tmp);
    if (strcmp(out, want) != 0)
        fail_msg("in=%.*s want=%s got=%s", (int)n, in, want, out);
}
#define C(fn, lit, want) check(fn, lit, sizeof(lit) - 1, want)

static void test_json(void **state)
{
    (void)state;
    C(esc_json, "plain", "\"plain\"");
    C(esc_json, "q\"b\\", "\"q\\\"b\\\\\"");
    C(esc_json, "a\nb\r\t\x01\x7f", "\"a\\nb\\r\\t\\u0001\\u007f\"");
    C(esc_json, "\xff\xfe", "\"\\\\xff\\\\xfe\"");
    C(esc_json, "nul\0x", "\"nul\\u0000x\"");
    C(esc_json, "caf\xc3\xa9 \xe6\x97\xa5", "\"caf\xc3\xa9 \xe6\x97\xa5\"");     /* valid UTF-8 kept */
    C(esc_json, "\xc0\xaf", "\"\\\\xc0\\\\xaf\"");                                /* overlong */
    C(esc_json, "\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\"");                     /* surrogate */
    C(esc_json, "\xe6\x97", "\"\\\\xe6\\\\x97\"");                                /* truncated */
}

static void test_csv(void **state)
{
    (void)state;
    C(esc_csv, "mx1.example.com", "mx1.example.com");
    C(esc_csv, "a,b", "\"a,b\"");
    C(esc_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    C(esc_csv, "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"");
    C(esc_csv, "+1", "\"'+1\"");
    C(esc_csv, "-1", "\"'-1\"");
    C(esc_csv, "@SUM(1)", "\"'@SUM(1)\"");
    C(esc_csv, "line\nbreak", "\"line\\x0abreak\"");
    C(esc_csv, "\xff", "\\xff");
}

static void test_html(void **state)
{
    (void)state;
    C(esc_html, "plain text", "plain text");
    C(esc_html, "<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    C(esc_html, "a&b \"q\"", "a&amp;b &quot;q&quot;");
    C(esc_html, "\x1b[31m\xff", "\\x1b[31m\\xff");
    C(esc_html, "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
}

static void text_nl(struct outbuf *o, const char *p, size_t n)
{
    esc_text(o, p, n, 1);
}

static void text_one(struct outbuf *o, const char *p, size_t n)
{
    esc_text(o, p, n, 0);
}

static void test_text(void **state)
{
    (void)state;
    C(text_nl, "line 1\nline 2 <b>", "line 1\nline 2 <b>");
    C(text_one, "a\nb\x1b\xff", "a\\x0ab\\x1b\\xff");
}

/* Invisible characters a log line could use to reorder or hide text (the
 * right-to-left override U+202E of "Trojan Source", zero-width space, BOM,
 * a C1 control) come out as visible \uXXXX in every format; ordinary
 * non-ASCII text next to them is kept. */
static void test_invisible(void **state)
{
    (void)state;
    C(text_one, "a\xe2\x80\xaegpj.exe", "a\\u202egpj.exe");
    C(text_one, "x\xe2\x80\x8by\xef\xbb\xbfz\xc2\x85", "x\\u200by\\ufeffz\\u0085");
    C(text_one, "\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c", "\\u2066\\u2069\\u200f\\u061c");
    C(text_one, "\xe2\x80\x94 \xc2\xa0 \xe2\x82\xac", "\xe2\x80\x94 \xc2\xa0 \xe2\x82\xac"); /* dash, nbsp, euro */
    C(esc_html, "<\xe2\x80\xae>", "&lt;\\u202e&gt;");
    C(esc_csv, "\xe2\x80\xae=1", "\\u202e=1");
    C(esc_tsv, "\xe2\x80\xae", "\\u202e");
    C(esc_json, "\xe2\x80\xae", "\"\\\\u202e\"");
}

static void test_tsv(void **state)
{
    (void)state;
    C(esc_tsv, "a\tb\nc\\d", "a\\tb\\nc\\\\d");
    C(esc_tsv, "\x01\xff", "\\x01\\xff");
}

/* A special byte at every place of plain text of every length up to 48:
 * what a scan 16 bytes at a time finds must be what a byte loop finds,
 * inside a step, across steps and in the overlapping last one. */
static void test_every_place(void **state)
{
    static const struct {
        esc_fn *fn;
        char c;
        const char *lead, *mid, *trail;     /* around the special */
    } cases[] = {
        { esc_json, '"', "\"", "\\\"", "\"" },
        { esc_json, '\\', "\"", "\\\\", "\"" },
        { esc_json, '\n', "\"", "\\n", "\"" },
        { esc_json, '\x01', "\"", "\\u0001", "\"" },
        { esc_json, '\x7f', "\"", "\\u007f", "\"" },
        { esc_json, '\xff', "\"", "\\\\xff", "\"" },
        { esc_csv, '"', "\"", "\"\"", "\"" },
        { esc_csv, ',', "\"", ",", "\"" },
        { esc_csv, '\'', "\"", "'", "\"" },
        { esc_csv, ' ', "\"", " ", "\"" },
        { esc_csv, '\x7f', "", "\\x7f", "" },
    };
    char in[64], want[256];

    (void)state;
    for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++)
        for (size_t n = 1; n <= 48; n++)
            for (size_t k = 1; k < n; k++) {
                memset(in, 'a', n);
                in[k] = cases[t].c;
                snprintf(want, sizeof(want), "%s%.*s%s%.*s%s", cases[t].lead, (int)k, in,
                         cases[t].mid, (int)(n - k - 1), in + k + 1, cases[t].trail);
                check(cases[t].fn, in, n, want);
            }
    /* Plain text of every length is copied as it is. */
    for (size_t n = 0; n <= 48; n++) {
        memset(in, 'b', n);
        snprintf(want, sizeof(want), "\"%.*s\"", (int)n, in);
        check(esc_json, in, n, want);
        snprintf(want, sizeof(want), "%.*s", (int)n, in);
        check(esc_csv, in, n, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_tsv),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_invisible),
        cmocka_unit_test(test_every_place),
    };
    return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
