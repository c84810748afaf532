/* rblforge delist: remove entries from a state file by hand. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "msg.h"
#include "state.h"
#include "tstamp.h"

static const char help[] =
    "usage: rblforge delist --state FILE [--note TEXT] [--now T] ADDRESS|CIDR...\n"
    "\n"
    "Take entries off the list by hand (a delisting request, a mistake). The\n"
    "next `rblforge run --state FILE` no longer publishes them, and they stay\n"
    "off unless new evidence reaches [policy] relist_factor (default 2) times\n"
    "the threshold. The time and the note are kept in the state file and shown\n"
    "by `rblforge explain`.\n";

int cmd_delist(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "state", required_argument, NULL, OPT_STATE },
        { "note", required_argument, NULL, 'm' },
        { "now", required_argument, NULL, OPT_NOW },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *statefile = NULL, *note = NULL;
    int64_t now = time(NULL);
    int opt;

    while ((opt = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_STATE: statefile = optarg; break;
        case 'm': note = optarg; break;
        case OPT_NOW:
            if (!tstamp_parse_arg(optarg, time(NULL), &now)) {
                msg_error("--now: bad time \"%s\"", optarg);
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
    if (statefile == NULL || optind >= argc) {
        msg_error("delist: want --state FILE and at least one ADDRESS|CIDR");
        return cli_usage_error("delist");
    }
    struct state *s = state_new();
    if (!state_load(s, statefile)) {
        state_free(s);
        return EXIT_RUNTIME;
    }
    for (int i = optind; i < argc; i++) {
        struct ipprefix pfx;
        if (!ipprefix_parse(span_make(argv[i], strlen(argv[i])), &pfx, false)) {
            msg_error("delist: \"%s\" is not an address or a CIDR with clean host bits", argv[i]);
            state_free(s);
            return EXIT_USAGE;
        }
        if (state_find(s, &pfx) == NULL)
            msg_warn("delist: %s is not in %s; recorded as removed anyway", argv[i], statefile);
        state_remove(s, &pfx, now, note);
    }
    bool ok = state_save(s, statefile);
    state_free(s);
    return ok ? EXIT_OK : EXIT_RUNTIME;
}
