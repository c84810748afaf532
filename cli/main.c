/* rblforge: mail logs to DNSBL zones, firewall sets and abuse reports.
 * main() only dispatches to the subcommand (cli/cmd_*.c); the option
 * handling the commands share is in cli/cli.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "inflate.h"
#include "unzstd.h"
#include "msg.h"
#include "version.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} commands[] = {
    { "run", cmd_run, "the nightly job: read logs, decide, publish zone and sets" },
    { "events", cmd_events, "print one line per recognised log event (JSONL/TSV)" },
    { "report", cmd_report, "per-customer outbound-spam reports for the abuse desk" },
    { "check-config", cmd_check_config, "validate a config file, print the effective settings" },
    { "top", cmd_top, "the heaviest addresses, networks, ASNs or rDNS classes for an event" },
    { "explain", cmd_explain, "why an address or network is (not) listed, with the arithmetic" },
    { "scan", cmd_scan, "read logs into a partial aggregate (for merge: scale-out, windows)" },
    { "merge", cmd_merge, "decide and publish from partials as run would from their logs" },
    { "delist", cmd_delist, "remove entries by hand from a state file, with a note" },
    { "status", cmd_status, "what is listed now: cause, code, since, expiry, removals and notes" },
    { "unparsed", cmd_unparsed, "lines the parsers did not understand, grouped into templates" },
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: rblforge COMMAND [OPTIONS] [LOG...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(fp, "  %-13s %s\n", commands[i].name, commands[i].what);
    fprintf(fp, "\n'rblforge COMMAND --help' describes each command; "
            "rblforge(1) has the details.\n"
            "Exit status: 0 ok, 1 runtime failure, 2 usage or config error,\n"
            "3 published but some input was damaged, 4 safety valve tripped,\n"
            "5 output directory locked, 6 post-publish command failed.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("rblforge %s\ninflate: %s\nzstd: %s\n", RBLFORGE_VERSION, inflate_backends(),
               unzstd_available() ? "yes" : "no");
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    msg_error("unknown command \"%s\"", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
