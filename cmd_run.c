/* rblforge run: the nightly job. Read logs, decide, publish atomically. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include "cidrset.h"
#include "cli.h"
#include "atomic.h"
#include "publish.h"
#include "listing.h"
#include "msg.h"
#include "pipeline.h"
#include "policy.h"

static const char help[] =
    "usage: rblforge run [-c CONFIG] -o OUTDIR [--allowlist FILE] [-j N]\n"
    "                    [--year Y] [--tz ZONE] [--now TIME] [--force] [--strict]\n"
    "                    [--post-publish CMD] [--inflate zlib|isal]\n"
    "                    [--progress|--no-progress] [-v] LOG...\n"
    "\n"
    "Read the logs, weigh the evidence per client address and publish into\n"
    "OUTDIR: bl.rbldnsd (rbldnsd ip4set), bl6.rbldnsd (ip6trie), bl.zone (BIND),\n"
    "fw.nft (nftables sets), fw.ipset (ipset restore), listings.csv and\n"
    "summary.json. Files are written to temporaries and renamed into place\n"
    "only when all of them were written; a lock keeps two runs apart.\n"
    "\n"
    "  -c, --config FILE    policy settings (INI); built-in defaults otherwise\n"
    "  -o, --output DIR     where to publish (created if missing)\n"
    "      --allowlist FILE addresses and CIDRs never to list, one per line\n"
    "  -j, --jobs N         threads (default: all cores, or OMP_NUM_THREADS)\n"
    "      --year Y         year of year-less syslog stamps (default: inferred)\n"
    "      --tz ZONE        time zone of stamps without an offset\n"
    "      --now TIME       the run's time (YYYY-MM-DDTHH:MM:SSZ or a Unix time):\n"
    "                       zone serial and summary; default: now\n"
    "      --force          publish even when the safety valve trips\n"
    "      --strict         publish nothing if any input was damaged or had\n"
    "                       lines without a syslog header\n"
    "      --post-publish CMD  run CMD (sh -c) after a successful publish, with\n"
    "                       RBLFORGE_OUTDIR set; its failure gives exit status 6\n"
    "      --inflate NAME   gzip backend: isal (ISA-L igzip, the default when\n"
    "                       built in) or zlib\n"
    "      --progress, --no-progress  bytes read, MB/s and ETA on stderr\n"
    "                       (default: when stderr is a terminal)\n"
    "  -v, --verbose        print a summary and the diff on stderr (default\n"
    "                       when stderr is a terminal)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 published; 1 runtime failure, nothing published;\n"
    "2 usage or configuration error; 3 published, but some input was damaged;\n"
    "4 safety valve tripped, nothing replaced; 5 another run holds the lock;\n"
    "6 published, but the post-publish command failed.\n";

/* The output writers of publish_run, one per thread as they come. */
static void run_all_omp(size_t n, void (*fn)(size_t i, void *ctx), void *ctx)
{
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < n; i++)
        fn(i, ctx);
}

static void summary(const struct pipeline_stats *st, const struct listings *l)
{
    size_t spam = 0, auth = 0;
    uint64_t unrec = 0;

    for (size_t i = 0; i < l->n; i++)
        l->v[i].d.cause == CAUSE_AUTH ? auth++ : spam++;
    for (unsigned i = 0; i < PARSE_PROG_SLOTS; i++)
        unrec += st->parse.unrec[i].count;
    msg_info("%u files, %llu lines, %llu events, %llu unrecognised, "
             "%llu without a syslog header", st->files,
             (unsigned long long)st->parse.lines,
             (unsigned long long)st->parse.events, (unsigned long long)unrec,
             (unsigned long long)st->parse.no_header);
    msg_info("%zu addresses seen, %zu listed (%zu spam, %zu auth), "
             "%zu allowlisted not listed", l->seen, l->n, spam, auth, l->nallowed);
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "allowlist", required_argument, NULL, OPT_ALLOWLIST },
        { "jobs", required_argument, NULL, 'j' },
        { "year", required_argument, NULL, OPT_YEAR },
        { "tz", required_argument, NULL, OPT_TZ },
        { "verbose", no_argument, NULL, 'v' },
        { "now", required_argument, NULL, OPT_NOW },
        { "force", no_argument, NULL, OPT_FORCE },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "post-publish", required_argument, NULL, OPT_POST_PUBLISH },
        CLI_INPUT_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_common common = { .progress = -1 };
    const char *config = NULL, *outdir = NULL, *allowfile = NULL;
    bool verbose = isatty(STDERR_FILENO), strict = false;
    struct publish_opts pub = { .now = (int64_t)time(NULL), .run_all = run_all_omp };
    struct policy policy;
    int opt;

    while ((opt = getopt_long(argc, argv, "c:o:j:vh", longopts, NULL)) != -1) {
        if (cli_common_option(opt, optarg, &common))
            continue;
        switch (opt) {
        case 'c': config = optarg; break;
        case 'o': outdir = optarg; break;
        case OPT_ALLOWLIST: allowfile = optarg; break;
        case 'v': verbose = true; break;
        case OPT_FORCE: pub.force = true; break;
        case OPT_STRICT: strict = true; break;
        case OPT_POST_PUBLISH: pub.post_publish = optarg; break;
        case OPT_NOW:
            if (!cli_parse_time(optarg, &pub.now)) {
                msg_warn("--now: want YYYY-MM-DDTHH:MM:SSZ or a Unix time, got \"%s\"", optarg);
                return cli_usage_error("run");
            }
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("run");
        }
    }
    if (outdir == NULL) {
        msg_warn("run: -o OUTDIR is required");
        return cli_usage_error("run");
    }
    if (optind >= argc) {
        msg_warn("run: no LOG given (use '-' for stdin)");
        return cli_usage_error("run");
    }
    policy_init(&policy);
    if (config && !policy_load(&policy, config))
        return EXIT_USAGE;
    struct cidrset *allow = NULL;
    if (allowfile) {
        allow = cidrset_new();
        if (!cidrset_load(allow, allowfile)) {
            cidrset_free(allow);
            return EXIT_USAGE;
        }
    }
    if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", outdir, strerror(errno));
        cidrset_free(allow);
        return EXIT_RUNTIME;
    }

    struct pipeline_opts po = { .year = common.year, .inflate = common.inflate,
                                .progress = common.progress };
    struct pipeline_stats st;
    struct agg *agg = pipeline_aggregate(argv + optind, (size_t)(argc - optind), &po, &st);
    struct listings l;
    int status = EXIT_OK;

    /* A missing input means missing evidence: publishing would delist
     * addresses that are still bad. */
    if (st.unreadable) {
        msg_warn("%u of %u inputs could not be read; nothing published",
                 st.unreadable, st.files);
        status = EXIT_RUNTIME;
    } else if (strict && (st.damaged || st.parse.no_header)) {
        msg_warn("--strict: %u damaged input(s), %llu lines without a syslog header; "
                 "nothing published", st.damaged, (unsigned long long)st.parse.no_header);
        status = EXIT_RUNTIME;
    } else {
        struct publish_result pr;
        listings_build(&l, agg, &policy, allow);
        if (verbose)
            summary(&st, &l);
        pub.verbose = verbose;
        afile_catch_signals();
        status = publish_run(outdir, &l, &policy, allow, &pub, &pr);
        if (status == EXIT_OK && st.damaged) {
            msg_warn("%u input(s) damaged; published what could be read", st.damaged);
            status = EXIT_DAMAGED;
        }
        listings_free(&l);
    }
    agg_free(agg);
    cidrset_free(allow);
    return status;
}
