/* rblforge run: the nightly job. Read logs, decide, publish atomically. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "job.h"
#include "msg.h"
#include "tstamp.h"

static const char help[] =
    "usage: rblforge run [-c CONFIG] -o OUTDIR [--allowlist FILE] [--denylist FILE]\n"
    "                    [--test-range CIDR]\n"
    "                    [--asn-db FILE] [--geo-db FILE] [--state FILE] [--since T] [--until T]\n"
    "                    [--now T] [--force] [--strict] [--post-publish CMD]\n"
    "                    [-j N] [--year Y] [--tz ZONE] [--customers FILE\n"
    "                    [--templates DIR] [--lang ja,en]] [--inflate zlib|isal]\n"
    "                    [--progress|--no-progress] [--abuse-contacts FILE\n"
    "                    [--abuse-format arf|xarf] [--letters en|ja]\n"
    "                    [--abuse-max-sources N] [--no-redact]]\n"
    "                    [-v] LOG...\n"
    "\n"
    "Read the logs, weigh the evidence per client address and publish into\n"
    "OUTDIR: bl.rbldnsd (rbldnsd ip4set), bl6.rbldnsd (ip6trie), bl.zone (BIND),\n"
    "fw.nft (nftables sets), fw.ipset (ipset restore), listings.csv,\n"
    "networks.csv, asn.csv and summary.json. Files are written to temporaries\n"
    "and renamed into place only when all of them were written; a lock keeps\n"
    "two runs on one OUTDIR (or one state file) apart.\n"
    "\n"
    "  -c, --config FILE    policy settings (INI); built-in defaults otherwise\n"
    "  -o, --output DIR     where to publish (created if missing)\n"
    "      --allowlist FILE addresses and CIDRs never to list, one per line\n"
    "      --test-range CIDR  make a special or private range listable (labs,\n"
    "                       tests; repeatable; reported in summary.json)\n"
    "      --denylist FILE  addresses and CIDRs always listed (cause spam)\n"
    "      --asn-db FILE    GeoLite2-ASN / DB-IP ASN .mmdb for the ASN columns\n"
    "      --geo-db FILE    GeoLite2-Country/City .mmdb: countries per login\n"
    "      --state FILE     remember listings and what was read across runs:\n"
    "                       read only new data, keep entries until they expire\n"
    "      --since T, --until T  only events in [T, T'): YYYY-MM-DD,\n"
    "                       YYYY-MM-DDTHH:MM:SSZ or -7d, -12h (before --now)\n"
    "      --now T          the time of the run (expiry, window, zone serial,\n"
    "                       summary; also Unix seconds); default: now. Logs\n"
    "                       whose newest evidence is older than [policy] expiry\n"
    "                       are refused without --now (exit 2)\n"
    "      --now logs       date the run from the newest evidence (the logs',\n"
    "                       or the state's): for re-running archives\n"
    "      --force          publish even when the safety valve trips\n"
    "      --strict         publish nothing if any input was damaged or had\n"
    "                       lines without a syslog header\n"
    "      --post-publish CMD  run CMD (sh -c) after a successful publish, with\n"
    "                       RBLFORGE_OUTDIR set; its failure gives exit status 6\n"
    "  -j, --jobs N         threads (default: all cores, or OMP_NUM_THREADS)\n"
    "      --year Y         year of year-less syslog stamps (default: inferred)\n"
    "      --tz ZONE        time zone of stamps without an offset\n"
    "      --customers FILE also publish the per-customer outbound reports\n"
    "                       (OUTDIR/customers/, OUTDIR/report.html; see\n"
    "                       rblforge report --help); also [customers] map\n"
    "      --templates DIR, --lang LIST  letter templates and languages\n"
    "      --abuse-contacts FILE  network,abuse_email,name CSV (CIDR or AS<n>; see\n"
    "                       scripts/rpsl2contacts): summary.json's \"abuse\" names\n"
    "                       each newly listed address's contact; [abuse] contacts.\n"
    "                       With [abuse] from set, OUTDIR/abuse/CONTACT/ADDRESS.eml:\n"
    "                       one report per newly listed address with its log lines\n"
    "                       (sendmail -t < FILE; nothing is sent), and digest.eml\n"
    "                       for a contact of two or more\n"
    "      --abuse-format F arf (RFC 5965, the default) or xarf (X-ARF 0.2)\n"
    "      --letters L      en, or en,ja: Japanese too for every contact (.jp\n"
    "                       contacts always get it); [abuse] languages\n"
    "      --abuse-max-sources N  addresses listed in a digest (default 100)\n"
    "      --no-redact      keep our users' local parts in the evidence\n"
    "      --inflate NAME   gzip backend: isal (ISA-L igzip, the default when\n"
    "                       built in) or zlib\n"
    "      --progress, --no-progress  bytes read, MB/s and ETA on stderr\n"
    "                       (default: when stderr is a terminal)\n"
    "  -v, --verbose        print a summary and the diff on stderr (default\n"
    "                       when stderr is a terminal)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 published; 1 runtime failure, nothing published;\n"
    "2 usage or configuration error (or logs older than the expiry window\n"
    "without --now); 3 published, but some input was damaged;\n"
    "4 safety valve tripped, nothing replaced; 5 another run holds the lock;\n"
    "6 published, but the post-publish command failed.\n";

static bool time_arg(const char *opt, const char *arg, time_t now, int64_t *out)
{
    if (strcmp(opt, "--now") == 0 ? cli_parse_time(arg, out) : tstamp_parse_arg(arg, now, out))
        return true;
    msg_warn("run: %s: want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[Z|+hh:mm] or -7d/-12h, got \"%s\"",
             opt, arg);
    return false;
}

/* The times: --now first, --since and --until relative to it. */
static bool run_times(const char *now_arg, const char *since_arg, const char *until_arg,
                      struct job_opts *o)
{
    o->now = time(NULL);
    o->since_given = since_arg != NULL;
    o->now_logs = now_arg != NULL && strcmp(now_arg, "logs") == 0;
    o->now_given = now_arg != NULL && !o->now_logs;
    return (!o->now_given || time_arg("--now", now_arg, (time_t)o->now, &o->now))
        && (since_arg == NULL || time_arg("--since", since_arg, (time_t)o->now, &o->since))
        && (until_arg == NULL || time_arg("--until", until_arg, (time_t)o->now, &o->until));
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_OPT_CONFIG,
        CLI_OPT_OUTPUT,
        CLI_OPT_ALLOWLIST,
        CLI_OPT_DENYLIST,
        CLI_OPT_ASN_DB,
        CLI_OPT_GEO_DB,
        CLI_OPT_STATE,
        CLI_OPT_TEST_RANGE,
        CLI_ABUSE_OPTIONS,
        { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL },
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
    struct job_opts o = { .use = JOB_ALLOW | JOB_DENY | JOB_ASN | JOB_WINDOW | JOB_RUN
                          | JOB_REPORTS, .cmd = "run", .progress = -1,
                          .verbose = isatty(STDERR_FILENO) };
    const char *since_arg = NULL, *until_arg = NULL, *now_arg = NULL;
    struct job j;
    int opt, status;

    while ((opt = getopt_long(argc, argv, "c:o:j:vh", longopts, NULL)) != -1) {
        if (cli_job_option(opt, optarg, &o))
            continue;
        switch (opt) {
        case OPT_SINCE: since_arg = optarg; break;
        case OPT_UNTIL: until_arg = optarg; break;
        case OPT_NOW: now_arg = optarg; break;
        case OPT_FORCE: o.force = true; break;
        case OPT_STRICT: o.strict = true; break;
        case OPT_POST_PUBLISH: o.post_publish = optarg; break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("run");
        }
    }
    if (o.outdir == NULL) {
        msg_error("run: -o OUTDIR is required");
        return cli_usage_error("run");
    }
    if (optind >= argc) {
        msg_error("run: no LOG given (use '-' for stdin)");
        return cli_usage_error("run");
    }
    if (!run_times(now_arg, since_arg, until_arg, &o))
        return cli_usage_error("run");
    status = job_open(&j, &o);
    if (status == EXIT_OK)
        status = job_read(&j, argv + optind, (size_t)(argc - optind));
    if (status == EXIT_OK) {
        if ((status = job_decide(&j)) == EXIT_OK)
            status = job_publish(&j);
    }
    job_close(&j);
    return cli_job_failed("run", status);
}
