/* rblforge report: the per-customer outbound reports alone (the job that
 * builds them is driver/report_job.c, shared with `rblforge run`). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "report_job.h"
#include "asn.h"
#include "cidrset.h"
#include "cli.h"
#include "listing.h"
#include "msg.h"
#include "policy.h"
#include "xalloc.h"

static const char help[] =
    "usage: rblforge report --customers FILE -o OUTDIR [-c CONFIG] [--allowlist FILE]\n"
    "                       [--asn-db FILE]\n"
    "                       [--templates DIR] [--lang ja,en] [-j N] [--year Y]\n"
    "                       [--tz ZONE] [--now TIME] [-v] LOG...\n"
    "\n"
    "Per-customer outbound reports alone (rblforge run --customers writes the\n"
    "same files next to the zone): OUTDIR/customers/index.csv, <customer>.json,\n"
    "<customer>.txt (a letter per language), and OUTDIR/report.html.\n"
    "\n"
    "  --customers FILE     customer<TAB>kind<TAB>value rows, kind ip, cidr, sasl,\n"
    "                       sender_domain or uid (default: [customers] map)\n"
    "  -o, --output DIR     where to publish (created if missing)\n"
    "  -c, --config FILE    thresholds ([customers]) and listing policy\n"
    "      --allowlist FILE for the listing summary in report.html (default: [policy] allowlist)\n"
    "      --asn-db FILE    MaxMind ASN database: ASNs per login (default:\n"
    "                       [policy] asn_db)\n"
    "      --templates DIR  letter.<lang>.txt templates (default: [customers]\n"
    "                       templates, the installed ones, ./datasets/templates)\n"
    "      --lang LIST      letter languages in order (default: ja,en)\n"
    "  -j, --jobs N, --year Y, --tz ZONE, --now TIME: as for run\n"
    "  -v, --verbose        a summary per tier on stderr\n"
    "\n"
    "Exit status: 0 published; 1 runtime failure, nothing replaced; 2 usage or\n"
    "configuration error; 3 published, but some input was damaged; 5 locked.\n";

static int lock_dir(const char *outdir)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/.rblforge.lock", outdir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        msg_warn("%s: cannot open the lock: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        msg_warn("%s: another rblforge run holds the lock", outdir);
        close(fd);
        return -2;
    }
    return fd;
}

static void tiers_summary(const struct cust_report *r)
{
    size_t by[TIER__COUNT] = { 0 };
    for (size_t i = 0; i < r->n; i++)
        by[r->c[i].tier]++;
    msg_info("%llu outbound messages, %zu customers: %zu suspend, %zu warn, %zu watch, %zu ok",
             (unsigned long long)r->messages, r->n, by[TIER_SUSPEND], by[TIER_WARN],
             by[TIER_WATCH], by[TIER_OK]);
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "customers", required_argument, NULL, OPT_CUSTOMERS },
        { "templates", required_argument, NULL, OPT_TEMPLATES },
        { "lang", required_argument, NULL, OPT_LANG },
        { "allowlist", required_argument, NULL, OPT_ALLOWLIST },
        { "asn-db", required_argument, NULL, OPT_ASN_DB },
        { "jobs", required_argument, NULL, 'j' },
        { "year", required_argument, NULL, OPT_YEAR },
        { "tz", required_argument, NULL, OPT_TZ },
        { "now", required_argument, NULL, OPT_NOW },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_common common = { 0 };
    const char *config = NULL, *outdir = NULL, *allowfile = NULL, *customers = NULL,
        *templates = NULL, *lang = NULL, *asnfile = NULL;
    bool verbose = isatty(STDERR_FILENO);
    int64_t now = (int64_t)time(NULL);
    struct policy policy;
    int opt;

    while ((opt = getopt_long(argc, argv, "c:o:j:vh", longopts, NULL)) != -1) {
        if (cli_common_option(opt, optarg, &common))
            continue;
        switch (opt) {
        case 'c': config = optarg; break;
        case 'o': outdir = optarg; break;
        case OPT_CUSTOMERS: customers = optarg; break;
        case OPT_TEMPLATES: templates = optarg; break;
        case OPT_LANG: lang = optarg; break;
        case OPT_ALLOWLIST: allowfile = optarg; break;
        case OPT_ASN_DB: asnfile = optarg; break;
        case 'v': verbose = true; break;
        case OPT_NOW:
            if (!cli_parse_time(optarg, &now)) {
                msg_warn("--now: want YYYY-MM-DDTHH:MM:SSZ or a Unix time, got \"%s\"", optarg);
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
    if (outdir == NULL || optind >= argc) {
        msg_warn("report: %s", outdir ? "no LOG given (use '-' for stdin)" : "-o OUTDIR is required");
        return cli_usage_error("report");
    }
    policy_init(&policy);
    if (config && !policy_load(&policy, config))
        return EXIT_USAGE;
    if (customers == NULL && policy.customers.map[0] == 0) {
        msg_warn("report: --customers FILE (or [customers] map in the config) is required");
        return cli_usage_error("report");
    }
    struct report_job j;
    if (!report_job_init(&j, &policy.customers, customers, templates, lang))
        return EXIT_USAGE;
    /* As in run: the command line overrides the configuration's file. */
    if (allowfile == NULL)
        allowfile = policy.allowlist;
    struct cidrset *allow = NULL;
    if (!cidrset_open(allowfile, &allow)) {
        report_job_free(&j);
        return EXIT_USAGE;
    }
    if (asnfile == NULL && policy.asn_db[0])
        asnfile = policy.asn_db;
    struct asn_db *asn = NULL;
    if (asnfile && (asn = asn_open(asnfile)) == NULL) {
        cidrset_free(allow);
        report_job_free(&j);
        return EXIT_USAGE;
    }
    if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", outdir, strerror(errno));
        cidrset_free(allow);
        asn_close(asn);
        report_job_free(&j);
        return EXIT_RUNTIME;
    }
    struct pipeline_opts po = { .year = common.year, .sink = &j.sink, .agg_conf = &policy.agg };
    struct pipeline_stats st;
    char *const *files = argv + optind;
    size_t nfiles = (size_t)(argc - optind);
    struct agg *agg = pipeline_aggregate(files, nfiles, &po, &st);
    int status = EXIT_OK;

    if (st.unreadable) {
        msg_warn("%u of %u inputs could not be read; nothing published", st.unreadable, st.files);
        status = EXIT_RUNTIME;
    } else {
        struct listings l;
        struct afile *html = NULL;
        listings_build(&l, agg, &policy, allow);
        report_job_build(&j, files, nfiles, now, asn);
        custview_listing_from(&j.out.listing, &l);
        if (verbose)
            tiers_summary(&j.rep);
        int lock = lock_dir(outdir);
        afile_catch_signals();
        if (lock < 0) {
            status = lock == -2 ? EXIT_LOCKED : EXIT_RUNTIME;
        } else if (!custout_stage(&j.out, outdir, &html)) {
            status = EXIT_RUNTIME;
        } else if (!afile_publish_all(&html, 1)) {
            custout_abort(&j.out);
            status = EXIT_RUNTIME;
        } else if (!custout_commit(&j.out)) {
            status = EXIT_RUNTIME;
        }
        if (status == EXIT_OK && st.damaged) {
            msg_warn("%u input(s) damaged; published what could be read", st.damaged);
            status = EXIT_DAMAGED;
        }
        if (lock >= 0)
            close(lock);
        listings_free(&l);
    }
    agg_free(agg);
    cidrset_free(allow);
    asn_close(asn);
    report_job_free(&j);
    return status;
}
