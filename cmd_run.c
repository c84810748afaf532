/* rblforge run: the nightly job. Read logs, decide, publish atomically. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cidrset.h"
#include "cli.h"
#include "publish.h"
#include "listing.h"
#include "msg.h"
#include "pipeline.h"
#include "policy.h"

static const char help[] =
    "usage: rblforge run [-c CONFIG] -o OUTDIR [--allowlist FILE] [-j N]\n"
    "                    [--year Y] [--tz ZONE] [-v] LOG...\n"
    "\n"
    "Read the logs, weigh the evidence per client address and publish into\n"
    "OUTDIR: bl.rbldnsd (rbldnsd ip4set), fw.nft (nftables sets) and\n"
    "listings.csv. Files are written to temporaries and renamed into place\n"
    "only when all of them were written.\n"
    "\n"
    "  -c, --config FILE    policy settings (INI); built-in defaults otherwise\n"
    "  -o, --output DIR     where to publish (created if missing)\n"
    "      --allowlist FILE addresses and CIDRs never to list, one per line\n"
    "  -j, --jobs N         threads (default: all cores, or OMP_NUM_THREADS)\n"
    "      --year Y         year of year-less syslog stamps (default: inferred)\n"
    "      --tz ZONE        time zone of stamps without an offset\n"
    "  -v, --verbose        print a summary on stderr (default when a terminal)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 published; 1 runtime failure, nothing published;\n"
    "2 usage or configuration error; 3 published, but some input was damaged.\n";

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
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_common common = { 0 };
    const char *config = NULL, *outdir = NULL, *allowfile = NULL;
    bool verbose = isatty(STDERR_FILENO);
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

    struct pipeline_opts po = { .year = common.year };
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
    } else {
        listings_build(&l, agg, &policy, allow);
        if (verbose)
            summary(&st, &l);
        if (!publish_all(outdir, &l, &policy)) {
            msg_warn("%s: outputs not published; the previous ones are unchanged", outdir);
            status = EXIT_RUNTIME;
        } else if (st.damaged) {
            msg_warn("%u input(s) damaged; published what could be read", st.damaged);
            status = EXIT_DAMAGED;
        }
        listings_free(&l);
    }
    agg_free(agg);
    cidrset_free(allow);
    return status;
}
