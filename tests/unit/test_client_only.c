/* parser.client_only: the table of addresses must not see a difference.
 * Every line of the bundled sample logs is parsed both ways: the same
 * answer and the same stats, and wherever the events differ (beyond a
 * reject's reply code and envelope and client='s SASL method, which the
 * table never reads) the full one carries nothing the table counts (no
 * client address, or a class agg_classify ignores). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "agg.h"
#include "chunk.h"
#include "event.h"
#include "input.h"
#include "parse.h"
#include "scan.h"

static const char *const extra[] = {
    /* Queue lines that do name the client, and smtpd's patched
     * "NOQUEUE: lost connection after": all parsed in full. */
    "Nov 24 06:25:01 mx1 postfix/smtpd[1]: 4F1A2B3C4D: client=x.example[192.0.2.9]",
    "Nov 24 06:25:01 mx1 postfix/cleanup[2]: 4F1A2B3C4D: reject: header Subject: hi from "
    "x.example[192.0.2.9]; from=<a@b> to=<c@d> proto=ESMTP helo=<x>: 5.7.1 no",
    "Nov 24 06:25:01 mx1 postfix/smtpd[1]: NOQUEUE: lost connection after RCPT from "
    "unknown[192.0.2.10]",
    "Nov 24 06:25:01 mx1 postfix/cleanup[2]: 4F1A2B3C4D: milter-reject: END-OF-MESSAGE from "
    "x.example[192.0.2.9]: 5.7.1 spam; from=<a@b> to=<c@d> proto=ESMTP helo=<x>",
    /* Shapes it skips, one of them not even well formed. */
    "Nov 24 06:25:01 mx1 postfix/qmgr[3]: 4F1A2B3C4D: from=<a@b>, size=1, nrcpt=1 (queue active)",
    "Nov 24 06:25:01 mx1 postfix/smtp[4]: 4F1A2B3C4D: to=<c@d>, relay=mx.d[198.51.100.2]:25, "
    "delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
    "Nov 24 06:25:01 mx1 postfix/cleanup[2]: 4F1A2B3C4D: message-id=<x@y>",
    "Nov 24 06:25:01 mx1 postfix/qmgr[3]: 4F1A2B3C4D: removed",
    "Nov 24 06:25:01 mx1 postfix/lmtp[5]: 4F1A2B3C4D: to=broken",
    /* Daemons whose lines never go to the queue-line parser: the same
     * answer (here: not an event), stamped or not (found by fuzz_line). */
    "Nov 24 06:25:01 mx1 postfix/dnsblog[6]: ACB24: removed",
    "/dnsblog:ACB24:removedoC4o:",
    "Nov 24 06:25:01 mx1 postfix/postscreen[6]: ACB24: to=<a@b>",
};

struct both {
    struct parser full, fast;
    uint64_t lines, skipped;
};

/* What a client_only parse leaves out (the table never reads it): taken
 * from the full event, so that a compare sees the rest. */
static void fill_left_out(struct event *f, const struct event *a)
{
    f->client_only = a->client_only;
    f->code = a->code;
    f->dsn = a->dsn;
    f->from = a->from;
    f->to = a->to;
    f->helo = a->helo;
    f->sasl_method = a->sasl_method;
}

static void check_line(struct both *b, const char *p, size_t n)
{
    struct event a, f;

    memset(&a, 0, sizeof(a));
    memset(&f, 0, sizeof(f));
    a.file = f.file = "t";
    bool ra = parse_line(&b->full, p, n, &a), rf = parse_line(&b->fast, p, n, &f);
    if (ra != rf)
        fail_msg("answers differ on: %.*s", (int)n, p);
    b->lines++;
    fill_left_out(&f, &a);
    if (!ra || memcmp(&a, &f, offsetof(struct event, scratch)) == 0)
        return;
    b->skipped++;
    /* qmgr's sender line keeps its type (the table pairs it with the
     * client by queue ID), with nothing but the queue ID. */
    if (f.type == EV_QUEUED && a.type == EV_QUEUED && f.qid.p && a.qid.n == f.qid.n)
        return;
    if (f.type != EV_NOTE || f.qid.p == NULL)
        fail_msg("not a bare note with its queue id: %.*s", (int)n, p);
    if (a.ip.family != 0 && agg_classify(&a) >= 0)
        fail_msg("skipped a line the table counts: %.*s", (int)n, p);
}

static void check_file(struct both *b, const char *path)
{
    struct input *in = input_open(path);
    assert_non_null(in);
    struct chunker *ck = chunker_new(in);
    struct chunk c;
    chunk_init(&c, 1 << 20);
    while (chunker_next(ck, &c)) {
        struct chunk_cursor cur = { 0, 0 };
        const char *p;
        size_t n;
        while (chunk_line(&c, &cur, &p, &n))
            check_line(b, p, n > CHUNK_MAX_LINE ? CHUNK_MAX_LINE : n);
    }
    chunk_free(&c);
    chunker_free(ck);
    input_close(in);
}

static void test_sample_logs(void **state)
{
    static const char *const files[] = {
        "datasets/sample/mail.log", "datasets/sample/mail.log.1.gz",
    };
    struct both b;
    (void)state;

    memset(&b, 0, sizeof(b));
    parser_init(&b.full, 1795575600, 2026);
    parser_init(&b.fast, 1795575600, 2026);
    b.fast.client_only = true;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        check_file(&b, files[i]);
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        check_line(&b, extra[i], strlen(extra[i]));
    assert_true(b.lines > 50000);
    assert_true(b.skipped > b.lines / 10);      /* it does skip */
    const struct parse_stats *x = &b.full.st, *y = &b.fast.st;
    assert_int_equal(x->lines, y->lines);
    assert_int_equal(x->events, y->events);
    assert_int_equal(x->no_header, y->no_header);
    assert_int_equal(x->nprog, y->nprog);
    for (unsigned i = 0; i < x->nprog && i < PARSE_PROG_SLOTS; i++) {
        assert_string_equal(x->unrec[i].name, y->unrec[i].name);
        assert_int_equal(x->unrec[i].count, y->unrec[i].count);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
