/* The customers' history (custhist.c) and the message writer (eml.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "custhist.h"
#include "eml.h"
#include "outbuf.h"

#define DAY 86400
static const int64_t night1 = 20788LL * DAY + 80000, night2 = 20789LL * DAY + 80000;

static char *tmpfile_path(void)
{
    static char p[64];
    snprintf(p, sizeof(p), "/tmp/test_custhist.%ld", (long)getpid());
    return p;
}

/* Tonight is never its own baseline; a saved night is. */
static void known_before_tonight(void **st)
{
    (void)st;
    const char *keys[] = { "a:64500", "n:192.0.2.0/24" };
    struct custhist *h = custhist_new(night1);
    custhist_record(h, CUSTHIST_LOGIN, "bob", 10, keys, 2, 1u << 3);
    assert_false(custhist_known(h, CUSTHIST_LOGIN, "bob", "a:64500"));
    assert_false(custhist_known_entity(h, CUSTHIST_LOGIN, "bob"));
    size_t nd;
    assert_true(custhist_median(h, CUSTHIST_LOGIN, "bob", &nd) == 0 && nd == 0);
    assert_true(custhist_save(h, tmpfile_path(), 30));
    custhist_free(h);

    h = custhist_new(night2);
    assert_true(custhist_load(h, tmpfile_path()));
    assert_true(custhist_known_entity(h, CUSTHIST_LOGIN, "bob"));
    assert_true(custhist_known(h, CUSTHIST_LOGIN, "bob", "a:64500"));
    assert_true(custhist_known(h, CUSTHIST_LOGIN, "bob", "n:192.0.2.0/24"));
    assert_false(custhist_known(h, CUSTHIST_LOGIN, "bob", "a:64501"));
    assert_false(custhist_known(h, CUSTHIST_LOGIN, "alice", "a:64500"));
    assert_true(custhist_median(h, CUSTHIST_LOGIN, "bob", &nd) == 10 && nd == 1);
    assert_int_equal(custhist_unusual_hours(h, CUSTHIST_LOGIN, "bob", 1u << 3 | 1u << 4),
                     1u << 4);
    /* Tonight's record does not change tonight's judgement. */
    const char *k2[] = { "a:64501" };
    custhist_record(h, CUSTHIST_LOGIN, "bob", 500, k2, 1, 0);
    assert_false(custhist_known(h, CUSTHIST_LOGIN, "bob", "a:64501"));
    assert_true(custhist_median(h, CUSTHIST_LOGIN, "bob", &nd) == 10 && nd == 1);
    custhist_free(h);
    unlink(tmpfile_path());
}

static void median_and_aging(void **st)
{
    (void)st;
    struct custhist *h = NULL;
    for (int d = 0; d < 5; d++) {
        h = custhist_new(night1 + d * DAY);
        assert_true(custhist_load(h, tmpfile_path()));
        custhist_record(h, CUSTHIST_CUSTOMER, "Acme Co", (uint64_t)(10 + 10 * d), NULL, 0, 0);
        assert_true(custhist_save(h, tmpfile_path(), 3));
        custhist_free(h);
    }
    h = custhist_new(night1 + 5 * DAY);
    assert_true(custhist_load(h, tmpfile_path()));
    size_t nd;
    /* history_days 3: days 2, 3, 4 (30, 40, 50) remain. */
    assert_true(custhist_median(h, CUSTHIST_CUSTOMER, "Acme Co", &nd) == 40);
    assert_int_equal(nd, 3);
    custhist_free(h);
    unlink(tmpfile_path());
}

static void damaged_refused(void **st)
{
    (void)st;
    const char *keys[] = { "f:tab\there" };
    struct custhist *h = custhist_new(night1);
    custhist_record(h, CUSTHIST_LOGIN, "we ird\n%", 1, keys, 1, 0);
    assert_true(custhist_save(h, tmpfile_path(), 30));
    custhist_free(h);
    h = custhist_new(night2);
    assert_true(custhist_load(h, tmpfile_path()));
    assert_true(custhist_known(h, CUSTHIST_LOGIN, "we ird\n%", "f:tab\there"));
    custhist_free(h);
    /* One byte changed: refused. */
    FILE *fp = fopen(tmpfile_path(), "r+");
    assert_non_null(fp);
    fseek(fp, 24, SEEK_SET);
    fputc('Z', fp);
    fclose(fp);
    h = custhist_new(night2);
    assert_false(custhist_load(h, tmpfile_path()));
    custhist_free(h);
    unlink(tmpfile_path());
    h = custhist_new(night2);
    assert_true(custhist_load(h, tmpfile_path()));     /* missing: first night */
    custhist_free(h);
}

static char *mem(struct outbuf *o)
{
    outbuf_putc(o, 0);
    return o->buf;
}

static void eml_headers(void **st)
{
    (void)st;
    struct outbuf o;
    outbuf_init_mem(&o, 256);
    eml_header_text(&o, "Subject", "plain\r\nBcc: x@y.example", 23);
    assert_string_equal(mem(&o), "Subject: plain Bcc: x@y.example\r\n");
    o.len = 0;
    const char ja[] = "【重要】送信を停止しました";
    eml_header_text(&o, "Subject", ja, strlen(ja));
    char *s = mem(&o);
    assert_non_null(strstr(s, "=?UTF-8?B?"));
    for (char *l = s; *l;) {
        char *e = strstr(l, "\r\n");
        assert_non_null(e);
        assert_true(e - l <= 78);
        l = e + 2;
    }
    o.len = 0;
    eml_header(&o, "To", "a@b.example\r\nBcc: c@d.example");
    assert_string_equal(mem(&o), "To: a@b.example??Bcc: c@d.example\r\n");
    free(o.buf);
}

static void eml_qp(void **st)
{
    (void)st;
    struct outbuf o;
    outbuf_init_mem(&o, 256);
    const char body[] = ".\nFrom here\na=b \n";
    eml_body(&o, "en", body, sizeof(body) - 1);
    char *s = mem(&o);
    assert_non_null(strstr(s, "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                              "=2E\r\n=46rom here\r\na=3Db=20\r\n"));
    free(o.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_before_tonight),
        cmocka_unit_test(median_and_aging),
        cmocka_unit_test(damaged_refused),
        cmocka_unit_test(eml_headers),
        cmocka_unit_test(eml_qp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
