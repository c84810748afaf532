/* event_print: each line names its own file, however the name's memory is
 * reused from file to file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "event_print.h"

/* The pipeline frees a file's name once the file is done; the next
 * file's name can land at the same address. Here one buffer holds each
 * name in turn, and every line must carry the name it holds then. */
static void test_file_name_reused_memory(void **state)
{
    static const char *const names[] = { "a/mail.log.1.gz", "b/mail.log.1.gz", "a/mail.log.1.gz",
                                         "a/mail.log.1", "", "c\"quoted\".log" };
    enum { N = sizeof(names) / sizeof(names[0]) };
    char name[64];
    struct event ev;
    (void)state;

    for (int f = 0; f < 2; f++) {
        struct outbuf got, want;
        outbuf_init_mem(&got, 64);
        outbuf_init_mem(&want, 64);
        memset(&ev, 0, sizeof(ev));
        ev.type = EV_CONNECT;
        for (size_t i = 0; i < N; i++) {
            snprintf(name, sizeof(name), "%s", names[i]);
            ev.file = name;
            ev.line = i + 1;
            event_print(&got, f ? EVENT_TSV : EVENT_JSONL, &ev);
        }
        /* The same events, each name in memory of its own. */
        for (size_t i = 0; i < N; i++) {
            ev.file = names[i];
            ev.line = i + 1;
            event_print(&want, f ? EVENT_TSV : EVENT_JSONL, &ev);
        }
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.buf, want.buf, got.len);
        outbuf_close(&got);
        outbuf_close(&want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_name_reused_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
