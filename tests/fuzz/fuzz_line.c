/*
 * libFuzzer: one log line through parse_line() (stamps, syslog/multilog
 * headers, every program parser) and the JSONL/TSV printers. The input is
 * the line itself, in a buffer of exactly its size. A third pass parses it
 * for a table of addresses (parser.client_only) and aborts if that answers
 * otherwise, or makes an event with a client address that differs in more
 * than what the table never reads (a reject's reply code and envelope,
 * the SASL method of client=).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "event_print.h"
#include "parse.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int devnull = -1;
static struct outbuf o;        /* one buffer: a 256 KB malloc per run is slow under ASan */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct event ev, fast;
    struct parser ps;
    bool got = false;

    if (devnull < 0) {
        setenv("TZ", "UTC", 1);
        devnull = open("/dev/null", O_WRONLY);
        outbuf_init(&o, devnull);
    }
    /* Two passes: inferred year, and an explicit year (the rollover path). */
    for (int pass = 0; pass < 2; pass++) {
        parser_init(&ps, (time_t)1764000000, pass ? 2026 : 0);
        memset(&ev, 0, sizeof(ev));
        ev.file = "fuzz";
        ev.line = 1;
        if ((got = parse_line(&ps, (const char *)data, size, &ev))) {
            event_print(&o, pass ? EVENT_TSV : EVENT_JSONL, &ev);
            outbuf_flush(&o);
        }
    }
    /* The second pass again, for a table of addresses. */
    parser_init(&ps, (time_t)1764000000, 2026);
    ps.client_only = true;
    memset(&fast, 0, sizeof(fast));
    fast.file = "fuzz";
    fast.line = 1;
    if (parse_line(&ps, (const char *)data, size, &fast) != got)
        abort();
    /* What it leaves out (a reject's reply code and envelope, the SASL
     * method of client=), the table never reads. */
    fast.client_only = ev.client_only;
    fast.code = ev.code, fast.dsn = ev.dsn;
    fast.from = ev.from, fast.to = ev.to, fast.helo = ev.helo;
    fast.sasl_method = ev.sasl_method;
    if (got && ev.ip.family != 0 && memcmp(&ev, &fast, offsetof(struct event, scratch)) != 0)
        abort();
    /* An unmatched line became one template: printable, bounded, and the
     * same template when its masked form is masked again is not required,
     * but the counts must add up. */
    if (ps.last == PC_UNMATCHED) {
        const struct unknown_set *u = &ps.st.unmatched;
        if (u->n != 1 || u->t[0].count != 1 || u->t[0].ntpl >= UNKNOWN_TPL
            || u->t[0].nex > UNKNOWN_EXAMPLE)
            abort();
        for (size_t i = 0; i < u->t[0].ntpl; i++)
            if (u->t[0].tpl[i] < 0x20 || u->t[0].tpl[i] > 0x7e)
                abort();
    } else if (ps.st.unmatched.n != 0) {
        abort();
    }
    return 0;
}
