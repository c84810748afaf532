/* rblforge scan: read logs into a partial aggregate, for merge. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "job.h"
#include "msg.h"
#include "scale.h"

static const char help[] =
    "usage: rblforge scan --partial PART [-c CONFIG] [--state FILE] [--since T]\n"
    "                     [--until T] [--now T] [--strict] [-j N] [--year Y]\n"
    "                     [--tz ZONE] [--customers FILE [--templates DIR]\n"
    "                     [--lang ja,en]] [--inflate zlib|isal]\n"
    "                     [--progress|--no-progress] [-v] LOG...\n"
    "\n"
    "Read the logs as 'rblforge run' does and write what was read to PART, a\n"
    "partial aggregate: per-address evidence with rDNS names and positions,\n"
    "the customer collector's records (with --customers), the inputs read and\n"
    "their reading positions (with --state, which is only read), the reading\n"
    "statistics, the period the events cover and the options that shape\n"
    "aggregation. 'rblforge merge' decides and publishes from any number of\n"
    "partials. PART is written to a temporary and renamed: a killed or retried\n"
    "scan never leaves half a partial.\n"
    "\n"
    "The options are run's; those that only matter when deciding (--allowlist,\n"
    "--denylist, --asn-db) are accepted and left to merge. --since, --until,\n"
    "--year, --tz and [policy] window shape what is counted: partials read\n"
    "with different ones are not merged.\n"
    "\n"
    "Exit status: 0 written; 1 runtime failure (an input could not be read),\n"
    "nothing written; 2 usage or configuration error; 3 written, but some\n"
    "input was damaged.\n";

int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "partial", required_argument, NULL, OPT_PARTIAL },
        CLI_OPT_CONFIG,
        CLI_OPT_ALLOWLIST,
        CLI_OPT_DENYLIST,
        CLI_OPT_ASN_DB,
        CLI_OPT_STATE,
        { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL },
        { "now", required_argument, NULL, OPT_NOW },
        CLI_THREAD_OPTIONS,
        { "strict", no_argument, NULL, OPT_STRICT },
        CLI_OPT_VERBOSE,
        CLI_REPORT_OPTIONS,
        CLI_INPUT_OPTIONS,
        CLI_OPT_HELP,
        { NULL, 0, NULL, 0 },
    };
    struct job_opts o = { .use = JOB_WINDOW | JOB_REPORTS | JOB_EVIDENCE_LINES
                          | JOB_OPEN_PAIRS,
                          .cmd = "scan", .progress = -1 };
    const char *since_arg = NULL, *until_arg = NULL, *now_arg = NULL, *part = NULL;
    struct scale_inputs in;
    struct job j;
    int opt, status;

    while ((opt = getopt_long(argc, argv, "c:j:vh", longopts, NULL)) != -1) {
        if (cli_job_option(opt, optarg, &o))
            continue;
        switch (opt) {
        case OPT_PARTIAL: part = optarg; break;
        case OPT_SINCE: since_arg = optarg; break;
        case OPT_UNTIL: until_arg = optarg; break;
        case OPT_NOW: now_arg = optarg; break;
        case OPT_STRICT: o.strict = true; break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("scan");
        }
    }
    /* Decided by merge: opened there, not here. */
    o.allowlist = o.denylist = o.asn_db = NULL;
    if (part == NULL || *part == 0) {
        msg_warn("scan: --partial PART is required");
        return cli_usage_error("scan");
    }
    if (optind >= argc) {
        msg_warn("scan: no LOG given (use '-' for stdin)");
        return cli_usage_error("scan");
    }
    if (!cli_job_times("scan", now_arg, since_arg, until_arg, &o))
        return cli_usage_error("scan");
    status = job_open(&j, &o);
    scale_inputs_order(&in, argv + optind, (size_t)(argc - optind), o.inflate, o.year);
    if (status == EXIT_OK)
        status = job_read(&j, in.files, in.n);
    if (status == EXIT_OK)
        status = scale_scan_write(&j, &in, part);
    job_close(&j);
    scale_inputs_free(&in);
    return cli_job_failed("scan", status);
}
