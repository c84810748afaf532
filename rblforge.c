/* rblforge: mail logs to DNSBL zones, firewall sets and abuse reports.
 * main() only dispatches to the subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <omp.h>
#include "cli.h"
#include "inflate.h"
#include "unzstd.h"
#include "msg.h"
#include "tstamp.h"
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
    { "delist", cmd_delist, "remove entries by hand from a state file, with a note" },
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

bool cli_common_option(int opt, const char *arg, struct cli_common *c)
{
    char *end;
    long v;

    switch (opt) {
    case OPT_YEAR:
        v = strtol(arg, &end, 10);
        if (*arg == 0 || *end || v < 1970 || v > 9999)
            msg_fatal_status(EXIT_USAGE, "--year: want a year from 1970 to 9999, got \"%s\"", arg);
        c->year = (int)v;
        return true;
    case OPT_TZ:
        if (setenv("TZ", arg, 1) < 0)
            msg_fatal_status(EXIT_USAGE, "--tz: cannot set TZ");
        tzset();
        return true;
    case 'j':
        v = strtol(arg, &end, 10);
        if (*arg == 0 || *end || v < 1 || v > 1024)
            msg_fatal_status(EXIT_USAGE, "-j: want a thread count from 1 to 1024, got \"%s\"", arg);
        omp_set_num_threads((int)v);
        return true;
    case OPT_INFLATE: {
        enum inflate_kind k;
        if (!inflate_kind_parse(arg, &k))
            msg_fatal_status(EXIT_USAGE, "--inflate: want one of auto %s, got \"%s\"",
                             inflate_backends(), arg);
        c->inflate = (int)k;
        return true;
    }
    case OPT_PROGRESS:
        c->progress = 1;
        return true;
    case OPT_NO_PROGRESS:
        c->progress = 0;
        return true;
    }
    return false;
}

bool cli_parse_time(const char *arg, int64_t *ts)
{
    char *end;
    long long v = strtoll(arg, &end, 10);

    if (*arg && *end == 0 && v >= 0 && v < (1LL << 40)) {
        *ts = v;
        return true;
    }
    return tstamp_parse_arg(arg, time(NULL), ts);
}

int cli_usage_error(const char *cmd)
{
    fprintf(stderr, "Try 'rblforge %s --help'.\n", cmd);
    return EXIT_USAGE;
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
    msg_warn("unknown command \"%s\"", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
