/* rblforge report: the per-customer outbound reports alone (the job that
 * builds them is driver/report_job.c, shared with `rblforge run`). */
#include <getopt.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "job.h"
#include "msg.h"

static const char help[] =
    "usage: rblforge report --customers FILE -o OUTDIR [-c CONFIG] [--allowlist FILE]\n"
    "                       [--asn-db FILE] [--geo-db FILE]\n"
    "                       [--templates DIR] [--lang ja,en] [-j N] [--year Y]\n"
    "                       [--tz ZONE] [--now TIME] [-v] LOG...\n"
    "\n"
    "Per-customer outbound reports alone (rblforge run --customers writes the\n"
    "same files next to the zone): OUTDIR/customers/index.csv, <customer>.json,\n"
    "<customer>.<lang>.txt and .eml (a letter per language), and OUTDIR/report.html.\n"
    "\n"
    "  --customers FILE     customer<TAB>kind<TAB>value[<TAB>contact] rows, kind ip, cidr, sasl,\n"
    "                       sender_domain or uid (default: [customers] map)\n"
    "  -o, --output DIR     where to publish (created if missing)\n"
    "  -c, --config FILE    thresholds ([customers]) and listing policy\n"
    "      --allowlist FILE for the listing summary in report.html (default: [policy] allowlist)\n"
    "      --asn-db FILE    MaxMind ASN database: ASNs per login (default:\n"
    "                       [policy] asn_db)\n"
    "      --geo-db FILE    GeoLite2-Country/City database: countries per login\n"
    "                       (default: [customers] geo_db)\n"
    "      --templates DIR  letter.<lang>.txt templates (default: [customers]\n"
    "                       templates, the installed ones, ./datasets/templates)\n"
    "      --lang LIST      letter languages in order (default: ja,en)\n"
    "  -j, --jobs N, --year Y, --tz ZONE, --now TIME: as for run\n"
    "  -v, --verbose        a summary per tier on stderr\n"
    "\n"
    "Exit status: 0 published; 1 runtime failure, nothing replaced; 2 usage or\n"
    "configuration error; 3 published, but some input was damaged; 5 locked.\n";

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_OPT_CONFIG,
        CLI_OPT_OUTPUT,
        CLI_REPORT_OPTIONS,
        CLI_OPT_ALLOWLIST,
        CLI_OPT_ASN_DB,
        CLI_OPT_GEO_DB,
        CLI_THREAD_OPTIONS,
        { "now", required_argument, NULL, OPT_NOW },
        CLI_OPT_VERBOSE,
        CLI_OPT_HELP,
        { NULL, 0, NULL, 0 },
    };
    struct job_opts o = { .use = JOB_ALLOW | JOB_ASN_LOGINS | JOB_REPORTS_ONLY,
                          .cmd = "report", .now = (int64_t)time(NULL),
                          .verbose = isatty(STDERR_FILENO) };
    struct job j;
    int opt, status;

    while ((opt = getopt_long(argc, argv, "c:o:j:vh", longopts, NULL)) != -1) {
        if (cli_job_option(opt, optarg, &o))
            continue;
        switch (opt) {
        case OPT_NOW:
            if (!cli_parse_time(optarg, &o.now)) {
                msg_error("--now: want YYYY-MM-DDTHH:MM:SSZ or a Unix time, got \"%s\"", optarg);
                return cli_usage_error("report");
            }
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("report");
        }
    }
    if (o.outdir == NULL || optind >= argc) {
        msg_error("report: %s", o.outdir ? "no LOG given (use '-' for stdin)"
                 : "-o OUTDIR is required");
        return cli_usage_error("report");
    }
    status = job_open(&j, &o);
    if (status == EXIT_OK)
        status = job_read(&j, argv + optind, (size_t)(argc - optind));
    if (status == EXIT_OK) {
        job_decide(&j);
        status = job_publish(&j);
    }
    job_close(&j);
    return cli_job_failed("report", status);
}
