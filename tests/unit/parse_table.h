/*
 * Table-driven parser tests: a log line and the exact JSON event it must
 * produce (NULL when the line is not an event). Shared by test_parse*.c;
 * each table pins part of the `rblforge events` contract.
 */
#ifndef RBLFORGE_TEST_PARSE_TABLE_H
#define RBLFORGE_TEST_PARSE_TABLE_H
#include <stdio.h>
#include <string.h>
#include "event_print.h"
#include "parse.h"
#include "scan.h"

struct parse_case {
    const char *line, *json;
};

/* Parse each line alone (explicit year 2026, TZ as set by main) and compare
 * its JSONL with the expectation; fails the test on the first mismatch. */
static void check_cases(const struct parse_case *cases, size_t n)
{
    static struct event ev;
    struct parser ps;
    char out[8192];

    for (size_t i = 0; i < n; i++) {
        FILE *tmp = tmpfile();
        struct outbuf o;
        parser_init(&ps, 0, 2026);
        memset(&ev, 0, sizeof(ev));
        ev.file = "t";
        ev.line = 1;
        bool ok = parse_line(&ps, cases[i].line, strlen(cases[i].line), &ev);
        if (cases[i].json == NULL) {
            fclose(tmp);
            if (ok)
                fail_msg("case %zu: unexpected event for: %s", i, cases[i].line);
            continue;
        }
        if (!ok) {
            fclose(tmp);
            fail_msg("case %zu: no event for: %s", i, cases[i].line);
        }
        outbuf_init(&o, fileno(tmp));
        event_print(&o, EVENT_JSONL, &ev);
        outbuf_close(&o);
        rewind(tmp);
        size_t k = fread(out, 1, sizeof(out) - 1, tmp);
        out[k] = 0;
        fclose(tmp);
        if (k && out[k - 1] == '\n')
            out[k - 1] = 0;
        if (strcmp(out, cases[i].json) != 0)
            fail_msg("case %zu:\n  line: %s\n  want: %s\n  got:  %s", i, cases[i].line,
                     cases[i].json, out);
    }
}

#endif
