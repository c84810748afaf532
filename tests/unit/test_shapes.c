/*
 * The shape catalogue (tests/shapes/catalogue.tsv): the example of every
 * writer format must parse to its event kind with its fields, or be
 * recognised as known without evidence. A row that no parser recognises
 * fails the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "event_print.h"
#include "outbuf.h"
#include "parse.h"

#define CATALOGUE "tests/shapes/catalogue.tsv"

/* "key=value;key=value": each must appear in the JSON as "key":"value"
 * or "key":value. */
static int check_fields(const char *json, char *fields, char *why, size_t cap)
{
    for (char *f = strtok(fields, ";"); f; f = strtok(NULL, ";")) {
        char *eq = strchr(f, '='), want[600];
        if (!eq)
            continue;
        *eq = 0;
        snprintf(want, sizeof(want), "\"%s\":\"%s\"", f, eq + 1);
        if (strstr(json, want))
            continue;
        snprintf(want, sizeof(want), "\"%s\":%s,", f, eq + 1);
        char want2[600];
        snprintf(want2, sizeof(want2), "\"%s\":%s}", f, eq + 1);
        if (strstr(json, want) || strstr(json, want2))
            continue;
        snprintf(why, cap, "field %s=%s missing", f, eq + 1);
        return -1;
    }
    return 0;
}

static void test_catalogue(void **state)
{
    static struct event ev;
    char row[4096], line[4096], json[8192];
    struct parser ps;
    unsigned n = 0, bad = 0;
    (void)state;

    FILE *f = fopen(CATALOGUE, "r");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", CATALOGUE);
    while (fgets(row, sizeof(row), f)) {
        char *col[6], *p = row, why[700] = "";
        size_t k = strlen(row);
        if (k && row[k - 1] == '\n')
            row[--k] = 0;
        if (row[0] == '#' || strncmp(row, "tag\t", 4) == 0 || k == 0)
            continue;
        int nc = 0;
        for (; nc < 6; nc++) {
            col[nc] = p;
            char *t = strchr(p, '\t');
            if (!t) {
                nc++;
                break;
            }
            *t = 0;
            p = t + 1;
        }
        if (nc != 6)
            fail_msg("catalogue row with %d columns: %s", nc, row);
        n++;
        int len = snprintf(line, sizeof(line), "Dec  1 09:14:03 mx1 %s[123]: %s", col[0], col[4]);
        parser_init(&ps, 0, 2026);
        memset(&ev, 0, sizeof(ev));
        ev.file = "t";
        ev.line = 1;
        bool ok = parse_line(&ps, line, (size_t)len, &ev);
        if (strcmp(col[3], "known-no-evidence") == 0) {
            if (ok || ps.last != PC_KNOWN)
                snprintf(why, sizeof(why), "want known-no-evidence, got %s",
                         ok ? event_type_name(ev.type) : ps.last == PC_UNMATCHED ? "unmatched" : "other");
        } else if (!ok) {
            snprintf(why, sizeof(why), "not recognised (%s)",
                     ps.last == PC_KNOWN ? "taken as known" : "no shape");
        } else if (strcmp(event_type_name(ev.type), col[3]) != 0) {
            snprintf(why, sizeof(why), "kind %s", event_type_name(ev.type));
        } else {
            FILE *tmp = tmpfile();
            struct outbuf o;
            outbuf_init(&o, fileno(tmp));
            event_print(&o, EVENT_JSONL, &ev);
            outbuf_close(&o);
            rewind(tmp);
            size_t r = fread(json, 1, sizeof(json) - 1, tmp);
            json[r] = 0;
            fclose(tmp);
            check_fields(json, col[5], why, sizeof(why));
            if (why[0])
                strncat(why, json, sizeof(why) - strlen(why) - 1);
        }
        if (why[0]) {
            print_error("%s %s (%s): %s\n  %s\n", col[0], col[2], col[1], why, line);
            bad++;
        }
    }
    fclose(f);
    assert_true(n >= 80);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue),
    };
    setenv("TZ", "UTC", 1);
    return cmocka_run_group_tests_name("shapes", tests, NULL, NULL);
}
