/* rblforge delist: remove entries from a state file by hand. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"
#include "escape.h"
#include "msg.h"
#include "outbuf.h"
#include "state_file.h"
#include "tstamp.h"

static const char help[] =
    "usage: rblforge delist --state FILE [--note TEXT] [--now T] [--wait SECONDS]\n"
    "                       [--create] ADDRESS|CIDR...\n"
    "\n"
    "Take entries off the list by hand (a delisting request, a mistake). The\n"
    "next `rblforge run --state FILE` no longer publishes them, and they stay\n"
    "off unless new evidence reaches [policy] relist_factor (default 2) times\n"
    "the threshold. The time and the note (UTF-8 text, at most 512 bytes, no\n"
    "control characters) are kept in the state file, every earlier note too,\n"
    "and shown by `rblforge status` and `rblforge explain`. Each entry removed\n"
    "is confirmed on standard output.\n"
    "\n"
    "  -m, --note TEXT      why (a ticket number); earlier notes are kept\n"
    "      --now T          the time of the removal (default: now)\n"
    "      --wait SECONDS   wait this long for a run that holds the state's\n"
    "                       lock (default: do not wait; exit 5)\n"
    "      --create         create FILE if it does not exist (otherwise a\n"
    "                       mistyped path is an error)\n"
    "\n"
    "Exit status: 0 removed; 1 the state could not be read or written;\n"
    "2 usage error; 5 a run holds the state's lock.\n";

struct delist_args {
    const char *state, *note;
    int64_t now;
    unsigned wait;
    bool create;
};

static const char *ts(int64_t t, char *buf)
{
    if (t == INT64_MAX || t == INT64_MIN || t == 0)
        return "-";
    tstamp_format(t, 0, buf);
    return buf;
}

/* What the removal of pfx did, said on standard output. */
static void confirm(struct outbuf *o, const struct state *s, const char *arg,
                    const struct ipprefix *pfx, const struct state_entry *was, int64_t now)
{
    char t1[40], t2[40];
    size_t nnotes;

    state_notes(s, pfx, &nnotes);
    outbuf_puts(o, "removed ");
    esc_text(o, arg, strlen(arg), 0);
    if (was == NULL)
        outbuf_puts(o, ": was not in the state; recorded as removed");
    else if (was->removed_at)
        outbuf_printf(o, ": already removed by hand %s; removed again", ts(was->removed_at, t1));
    else if (was->listed_until > now)
        outbuf_printf(o, ": was listed (%s since %s, until %s)", policy_cause_name(was->cause),
                      ts(was->first, t1), ts(was->listed_until, t2));
    else
        outbuf_printf(o, ": had expired %s; recorded as removed", ts(was->listed_until, t1));
    if (nnotes > 1)
        outbuf_printf(o, "; %zu removals on record (rblforge status)", nnotes);
    outbuf_putc(o, '\n');
}

static int delist(const struct delist_args *a, char **addrs, int n)
{
    struct stat sb;

    if (!a->create && stat(a->state, &sb) < 0) {
        msg_error("delist: %s: %s (a new state file needs --create)", a->state, strerror(errno));
        return EXIT_USAGE;
    }
    struct ipprefix *pfx = calloc((size_t)n, sizeof(*pfx));
    for (int i = 0; pfx && i < n; i++)
        if (!ipprefix_parse(span_make(addrs[i], strlen(addrs[i])), &pfx[i], false)) {
            msg_error("delist: \"%.60s\" is not an address or a CIDR with clean host bits",
                      addrs[i]);
            free(pfx);
            return EXIT_USAGE;
        }
    /* The run's lock: a run that saved its state after this would lose
     * the removal. */
    int lock = pfx ? state_file_lock(a->state, a->wait) : -1;
    if (lock < 0) {
        free(pfx);
        return lock == -2 ? EXIT_LOCKED : EXIT_RUNTIME;
    }
    struct state *s = state_new();
    int status = EXIT_OK;
    if (!state_file_load(s, a->state)) {
        status = EXIT_RUNTIME;
    } else {
        struct state_entry *was = calloc((size_t)n, sizeof(*was));
        bool *known = calloc((size_t)n, sizeof(*known));
        for (int i = 0; i < n; i++) {
            const struct state_entry *e = state_find(s, &pfx[i]);
            if ((known[i] = e != NULL))
                was[i] = *e;
            state_remove(s, &pfx[i], a->now, a->note);
        }
        if (!state_file_save(s, a->state)) {
            status = EXIT_RUNTIME;
        } else {
            struct outbuf o;
            outbuf_init(&o, STDOUT_FILENO);
            for (int i = 0; i < n; i++)
                confirm(&o, s, addrs[i], &pfx[i], known[i] ? &was[i] : NULL, a->now);
            if (!outbuf_close(&o))
                msg_warn("delist: write error on standard output");
        }
        free(was);
        free(known);
    }
    state_free(s);
    close(lock);
    free(pfx);
    return status;
}

int cmd_delist(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "state", required_argument, NULL, OPT_STATE },
        { "note", required_argument, NULL, 'm' },
        { "now", required_argument, NULL, OPT_NOW },
        { "wait", required_argument, NULL, OPT_WAIT },
        { "create", no_argument, NULL, OPT_CREATE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct delist_args a = { .now = time(NULL) };
    char *end;
    int opt;

    while ((opt = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_STATE: a.state = optarg; break;
        case 'm': a.note = optarg; break;
        case OPT_CREATE: a.create = true; break;
        case OPT_WAIT: {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*optarg == 0 || *optarg == '-' || *end || v > 86400) {
                msg_error("--wait: want seconds from 0 to 86400, got \"%.40s\"", optarg);
                return cli_usage_error("delist");
            }
            a.wait = (unsigned)v;
            break;
        }
        case OPT_NOW:
            if (!cli_parse_time(optarg, &a.now)) {
                msg_error("--now: bad time \"%.40s\"", optarg);
                return cli_usage_error("delist");
            }
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("delist");
        }
    }
    if (a.state == NULL || optind >= argc) {
        msg_error("delist: want --state FILE and at least one ADDRESS|CIDR");
        return cli_usage_error("delist");
    }
    if (a.note && !state_note_ok(a.note)) {
        msg_error("delist: --note: want UTF-8 text of at most %d bytes without control "
                  "characters (tabs, newlines)", STATE_NOTE_MAX);
        return cli_usage_error("delist");
    }
    return delist(&a, argv + optind, argc - optind);
}
