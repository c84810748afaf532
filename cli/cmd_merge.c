/* rblforge merge: decide and publish from partial aggregates, or merge
 * them into one. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "job.h"
#include "msg.h"
#include "scale.h"

static const char help[] =
    "usage: rblforge merge -o OUTDIR [-c CONFIG] [--allowlist FILE]\n"
    "                      [--denylist FILE] [--asn-db FILE] [--geo-db FILE]\n"
    "                      [--state FILE] [--test-range CIDR]\n"
    "                      [--abuse-contacts FILE] [--now T|logs] [--window 7d]\n"
    "                      [--force] [--strict]\n"
    "                      [--post-publish CMD] [-j N] [--customers FILE\n"
    "                      [--templates DIR] [--lang ja,en]] [-v] PART...\n"
    "       rblforge merge --partial OUT [--now T --window 7d] [-v] PART...\n"
    "\n"
    "Reduce partial aggregates written by 'rblforge scan', in any order, and\n"
    "decide and publish into OUTDIR exactly as 'rblforge run' over the same\n"
    "logs would (given them in chronological order): the same files, lock,\n"
    "safety valve, state and exit status. Inputs are numbered by their first\n"
    "stamp, then name; a file read into two partials is refused, and so are\n"
    "partials read with different --year, --tz, --since/--until or\n"
    "--customers/--state.\n"
    "The abuse messages (OUT/abuse/) are not written by merge: they quote\n"
    "the raw log lines of each new source, which partials do not carry; with\n"
    "[abuse] from and abuse contacts set, merge refuses (exit 2). The\n"
    "contacts alone (summary.json's abuse counts) merge as run has them.\n"
    "With --partial OUT the partials are merged into one partial instead\n"
    "(reductions as trees).\n"
    "\n"
    "      --window N[d|h|s]  only the partials whose events all lie in\n"
    "                       [--now - N, --now), e.g. the last 7 daily\n"
    "                       partials; one that straddles an edge is refused\n"
    "      --partial OUT    write a merged partial, publish nothing\n"
    "  The other options are run's (see rblforge run --help); --year, --tz,\n"
    "  --inflate and --progress are accepted and matter only to scan.\n"
    "\n"
    "Exit status: as run: 0 published; 1 runtime failure (a damaged partial),\n"
    "nothing published; 2 usage error or partials that do not go together;\n"
    "3 published, but some input was damaged; 4 safety valve tripped;\n"
    "5 another run holds the lock; 6 the post-publish command failed.\n";

int cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "partial", required_argument, NULL, OPT_PARTIAL },
        { "window", required_argument, NULL, OPT_WINDOW },
        CLI_OPT_CONFIG,
        CLI_OPT_OUTPUT,
        CLI_OPT_ALLOWLIST,
        CLI_OPT_DENYLIST,
        CLI_OPT_ASN_DB,
        CLI_OPT_GEO_DB,
        CLI_OPT_STATE,
        CLI_OPT_TEST_RANGE,
        { "abuse-contacts", required_argument, NULL, OPT_ABUSE_CONTACTS },
        { "now", required_argument, NULL, OPT_NOW },
        CLI_THREAD_OPTIONS,
        { "force", no_argument, NULL, OPT_FORCE },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "post-publish", required_argument, NULL, OPT_POST_PUBLISH },
        CLI_OPT_VERBOSE,
        CLI_REPORT_OPTIONS,
        CLI_INPUT_OPTIONS,
        CLI_OPT_HELP,
        { NULL, 0, NULL, 0 },
    };
    struct job_opts o = { .use = JOB_ALLOW | JOB_DENY | JOB_ASN | JOB_RUN | JOB_REPORTS,
                          .cmd = "merge", .progress = -1, .verbose = isatty(STDERR_FILENO) };
    struct scale_opts so = { 0 };
    const char *now_arg = NULL, *part = NULL, *window = NULL;
    struct scale s;
    struct job j;
    int opt, status;

    while ((opt = getopt_long(argc, argv, "c:o:j:vh", longopts, NULL)) != -1) {
        if (cli_job_option(opt, optarg, &o))
            continue;
        switch (opt) {
        case OPT_PARTIAL: part = optarg; break;
        case OPT_WINDOW: window = optarg; break;
        case OPT_NOW: now_arg = optarg; break;
        case OPT_FORCE: o.force = true; break;
        case OPT_STRICT: o.strict = true; break;
        case OPT_POST_PUBLISH: o.post_publish = optarg; break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("merge");
        }
    }
    if ((o.outdir == NULL) == (part == NULL)) {
        msg_warn("merge: give either -o OUTDIR (publish) or --partial OUT (merge into one)");
        return cli_usage_error("merge");
    }
    if (optind >= argc) {
        msg_warn("merge: no PART given");
        return cli_usage_error("merge");
    }
    if (window && !scale_parse_window(window, &so.window)) {
        msg_warn("merge: --window: want a length such as 7d, 36h or 3600s, got \"%s\"", window);
        return cli_usage_error("merge");
    }
    /* --now logs as run takes it: dated from the partials' newest evidence. */
    o.now_logs = now_arg != NULL && strcmp(now_arg, "logs") == 0;
    o.now_given = now_arg != NULL && !o.now_logs;
    if (o.now_logs && window) {
        msg_warn("merge: --window counts back from --now: give --now T with it, not --now logs");
        return cli_usage_error("merge");
    }
    if (!cli_job_times("merge", o.now_logs ? NULL : now_arg, NULL, NULL, &o))
        return cli_usage_error("merge");
    so.now = o.now;
    so.verbose = o.verbose;
    if (part)
        return scale_merge_partials(part, argv + optind, (size_t)(argc - optind), &so);
    status = job_open(&j, &o);
    if (status == EXIT_OK)
        status = scale_read(&j, &s, argv + optind, (size_t)(argc - optind), &so);
    else
        memset(&s, 0, sizeof(s));
    if (status == EXIT_OK && (status = job_decide(&j)) == EXIT_OK)
        status = job_publish(&j);
    job_close(&j);
    scale_free(&s);
    return cli_job_failed("merge", status);
}
