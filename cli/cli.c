/* The option handling the commands share: --year, --tz, -j, --inflate,
 * --progress, times given on the command line, the usage hint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <omp.h>
#include "cli.h"
#include "inflate.h"
#include "msg.h"
#include "tstamp.h"

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
