/* rblforge run: the nightly job. Read logs, decide, publish atomically. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "asn.h"
#include "atomic.h"
#include "cidrset.h"
#include "report_job.h"
#include "cli.h"
#include "publish.h"
#include "listing.h"
#include "msg.h"
#include "pipeline.h"
#include "policy.h"
#include "state.h"
#include "tstamp.h"
#include "xalloc.h"

static const char help[] =
    "usage: rblforge run [-c CONFIG] -o OUTDIR [--allowlist FILE] [--denylist FILE]\n"
    "                    [--asn-db FILE] [--state FILE] [--since T] [--until T]\n"
    "                    [--now T] [--force] [--strict] [--post-publish CMD]\n"
    "                    [-j N] [--year Y] [--tz ZONE] [--customers FILE\n"
    "                    [--templates DIR] [--lang ja,en]] [--inflate zlib|isal]\n"
    "                    [--progress|--no-progress] [--abuse-contacts FILE]\n"
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
    "      --denylist FILE  addresses and CIDRs always listed (cause spam)\n"
    "      --asn-db FILE    GeoLite2-ASN / DB-IP ASN .mmdb for the ASN columns\n"
    "      --state FILE     remember listings and what was read across runs:\n"
    "                       read only new data, keep entries until they expire\n"
    "      --since T, --until T  only events in [T, T'): YYYY-MM-DD,\n"
    "                       YYYY-MM-DDTHH:MM:SSZ or -7d, -12h (before --now)\n"
    "      --now T          the time of the run (expiry, window, zone serial,\n"
    "                       summary; also Unix seconds); default: now\n"
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
    "                       each newly listed address's contact; [abuse] contacts\n"
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

/* The output writers of publish_run and the blocks of listings_decide,
 * one per thread as they come. */
static void run_all_omp(size_t n, void (*fn)(size_t i, void *ctx), void *ctx)
{
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < n; i++)
        fn(i, ctx);
}

static void summary(const struct pipeline_stats *st, const struct listings *l)
{
    size_t by[CAUSE__COUNT] = { 0 };
    uint64_t unrec = 0;

    for (size_t i = 0; i < l->n; i++)
        by[l->v[i].d.cause]++;
    for (unsigned i = 0; i < PARSE_PROG_SLOTS; i++)
        unrec += st->parse.unrec[i].count;
    msg_info("%u files, %llu lines, %llu events, %llu unrecognised, "
             "%llu without a syslog header", st->files,
             (unsigned long long)st->parse.lines,
             (unsigned long long)st->parse.events, (unsigned long long)unrec,
             (unsigned long long)st->parse.no_header);
    msg_info("%zu addresses seen, %zu listed (%zu spam, %zu auth, %zu dynamic, "
             "%zu networks), %zu allowlisted not listed, %zu networks held",
             l->seen, l->n, by[CAUSE_SPAM], by[CAUSE_AUTH], by[CAUSE_DYNAMIC],
             by[CAUSE_NET], l->nallowed, l->nets_held);
}

/* Peak resident memory so far, in MB (ru_maxrss is in kilobytes on Linux). */
static long peak_mb(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024 : -1;
}

/* CPU seconds of all threads so far: against the wall time, how well the
 * reading kept the cores busy. */
static double cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool time_arg(const char *opt, const char *arg, time_t now, int64_t *out)
{
    if (strcmp(opt, "--now") == 0 ? cli_parse_time(arg, out) : tstamp_parse_arg(arg, now, out))
        return true;
    msg_warn("run: %s: want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[Z|+hh:mm] or -7d/-12h, got \"%s\"",
             opt, arg);
    return false;
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "allowlist", required_argument, NULL, OPT_ALLOWLIST },
        { "denylist", required_argument, NULL, OPT_DENYLIST },
        { "asn-db", required_argument, NULL, OPT_ASN_DB },
        { "state", required_argument, NULL, OPT_STATE },
        { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL },
        { "now", required_argument, NULL, OPT_NOW },
        { "jobs", required_argument, NULL, 'j' },
        { "year", required_argument, NULL, OPT_YEAR },
        { "tz", required_argument, NULL, OPT_TZ },
        { "force", no_argument, NULL, OPT_FORCE },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "post-publish", required_argument, NULL, OPT_POST_PUBLISH },
        { "verbose", no_argument, NULL, 'v' },
        { "customers", required_argument, NULL, OPT_CUSTOMERS },
        { "templates", required_argument, NULL, OPT_TEMPLATES },
        { "lang", required_argument, NULL, OPT_LANG },
        { "abuse-contacts", required_argument, NULL, OPT_ABUSE_CONTACTS },
        CLI_INPUT_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *customers = NULL, *templates = NULL, *lang = NULL;
    struct report_job rj;
    bool reports = false;
    struct cli_common common = { .progress = -1 };
    const char *config = NULL, *outdir = NULL, *allowfile = NULL, *denyfile = NULL;
    const char *asnfile = NULL, *statefile = NULL, *since_arg = NULL, *until_arg = NULL;
    const char *now_arg = NULL, *contactsfile = NULL;
    bool verbose = isatty(STDERR_FILENO), strict = false;
    struct publish_opts pub = { .run_all = run_all_omp };
    struct policy policy;
    int opt;

    while ((opt = getopt_long(argc, argv, "c:o:j:vh", longopts, NULL)) != -1) {
        if (cli_common_option(opt, optarg, &common))
            continue;
        switch (opt) {
        case 'c': config = optarg; break;
        case 'o': outdir = optarg; break;
        case OPT_ALLOWLIST: allowfile = optarg; break;
        case OPT_DENYLIST: denyfile = optarg; break;
        case OPT_ASN_DB: asnfile = optarg; break;
        case OPT_STATE: statefile = optarg; break;
        case OPT_SINCE: since_arg = optarg; break;
        case OPT_UNTIL: until_arg = optarg; break;
        case OPT_NOW: now_arg = optarg; break;
        case 'v': verbose = true; break;
        case OPT_FORCE: pub.force = true; break;
        case OPT_STRICT: strict = true; break;
        case OPT_POST_PUBLISH: pub.post_publish = optarg; break;
        case OPT_CUSTOMERS: customers = optarg; break;
        case OPT_TEMPLATES: templates = optarg; break;
        case OPT_LANG: lang = optarg; break;
        case OPT_ABUSE_CONTACTS: contactsfile = optarg; break;
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
    /* Everything below is released at "out", whatever happened. */
    struct cidrset *allow = NULL, *deny = NULL;
    struct asn_db *asn = NULL;
    struct abuse_contacts *contacts = NULL;
    struct state *state = NULL;
    struct state_input *inputs = NULL;
    struct agg *agg = NULL;
    int lock = -1, slock = -1, status = EXIT_OK;
    int64_t now = time(NULL), since = 0, until = 0;

    policy_init(&policy);
    if (config && !policy_load(&policy, config))
        return EXIT_USAGE;
    reports = customers || policy.customers.map[0];
    if (reports && !report_job_init(&rj, &policy.customers, customers, templates, lang))
        return EXIT_USAGE;
    /* The command line overrides the configuration's files. */
    if (allowfile == NULL)
        allowfile = policy.allowlist;
    if (denyfile == NULL)
        denyfile = policy.denylist;
    if (asnfile == NULL && policy.asn_db[0])
        asnfile = policy.asn_db;
    if (contactsfile == NULL && policy.abuse.contacts[0])
        contactsfile = policy.abuse.contacts;
    if ((now_arg && !time_arg("--now", now_arg, (time_t)now, &now))
        || (since_arg && !time_arg("--since", since_arg, (time_t)now, &since))
        || (until_arg && !time_arg("--until", until_arg, (time_t)now, &until))) {
        status = cli_usage_error("run");
        goto out;
    }
    if (since_arg == NULL && policy.window)
        since = now - policy.window;
    if (!cidrset_open(allowfile, &allow) || !cidrset_open(denyfile, &deny)
        || (asnfile && (asn = asn_open(asnfile)) == NULL)
        || (contactsfile && (contacts = abuse_contacts_load(contactsfile)) == NULL)) {
        status = EXIT_USAGE;
        goto out;
    }
    if (asn == NULL)
        msg_warn("no ASN database (--asn-db or [policy] asn_db): ASN columns stay empty");
    if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", outdir, strerror(errno));
        status = EXIT_RUNTIME;
        goto out;
    }
    /* One run at a time per output directory and per state file. */
    char lockpath[4096];
    snprintf(lockpath, sizeof(lockpath), "%s/.rblforge.lock", outdir);
    lock = publish_lock(lockpath);
    if (lock >= 0 && statefile) {
        snprintf(lockpath, sizeof(lockpath), "%s.lock", statefile);
        slock = publish_lock(lockpath);
    }
    if (lock < 0 || slock == -2 || (statefile && slock < 0)) {
        status = lock == -2 || slock == -2 ? EXIT_LOCKED : EXIT_RUNTIME;
        goto out;
    }
    if (statefile) {
        state = state_new();
        /* A damaged state would delist everything it carries: fail closed. */
        if (!state_load(state, statefile)) {
            msg_warn("%s: state file not usable; nothing published", statefile);
            status = EXIT_RUNTIME;
            goto out;
        }
    }

    size_t nfiles = (size_t)(argc - optind);
    if (state)
        inputs = xcalloc(nfiles, sizeof(*inputs));
    struct pipeline_opts po = { .year = common.year, .since = since, .until = until,
                                .state = state, .inputs = inputs,
                                .sink = reports ? &rj.sink : NULL,
                                .inflate = common.inflate, .progress = common.progress };
    struct pipeline_stats st;
    double t_read = seconds();
    agg = pipeline_aggregate(argv + optind, nfiles, &po, &st);
    double t_decide = seconds(), cpu_read = cpu_seconds();
    long mb_read = peak_mb(), mb_decide = 0;
    struct listings l;

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
        struct listing_opts lo = { .allow = allow, .deny = deny, .run_all = run_all_omp };
        if (asn)
            asn_annotate(asn, agg);     /* once per distinct address */
        listings_decide(&l, agg, &policy, &lo);
        if (state)
            state_apply(state, &l, &policy, allow, now);
        double t_publish = seconds();
        mb_decide = peak_mb();
        if (verbose) {
            summary(&st, &l);
            if (state)
                msg_info("state: %zu added, %zu expired, %zu carried without new evidence, "
                         "%zu held off after a manual removal", l.added, l.expired, l.carried,
                         l.held);
        }
        struct export_ctx rep = { .l = &l, .p = &policy, .asn = asn, .parse = &st.parse,
                              .files = st.files, .damaged = st.damaged,
                              .with_state = state != NULL, .contacts = contacts };
        struct publish_result pr;
        pub.now = now;
        pub.verbose = verbose;
        if (reports) {
            report_job_build(&rj, argv + optind, nfiles, now, asn);
            pub.extra = &rj.extra;
        }
        afile_catch_signals();
        status = publish_run(outdir, &rep, allow, &pub, &pr);
        if (verbose) {
            msg_info("time: read %.2f s (CPU %.2f s), decide %.2f s, publish %.2f s",
                     t_decide - t_read, cpu_read, t_publish - t_decide, seconds() - t_publish);
            msg_info("peak memory: %ld MB after read, %ld MB after decide, %ld MB after publish",
                     mb_read, mb_decide, peak_mb());
        }
        if (status == EXIT_OK && st.damaged) {
            msg_warn("%u input(s) damaged; published what could be read", st.damaged);
            status = EXIT_DAMAGED;
        }
        /* The state moves on only with a publication: otherwise the next
         * run would skip data that never reached the zone. */
        bool published = status == EXIT_OK || status == EXIT_DAMAGED || status == EXIT_HOOK;
        if (state && published) {
            for (size_t i = 0; i < nfiles; i++)
                if (inputs[i].name[0]) {
                    inputs[i].seen = now;
                    state_input_done(state, &inputs[i]);
                }
            if (!state_save(state, statefile)) {
                msg_warn("%s: state not saved; the next run reads these logs again", statefile);
                status = EXIT_RUNTIME;
            }
        }
        listings_free(&l);
    }
out:
    agg_free(agg);
    free(inputs);
    state_free(state);
    asn_close(asn);
    abuse_contacts_free(contacts);
    cidrset_free(allow);
    cidrset_free(deny);
    if (reports)
        report_job_free(&rj);
    if (lock >= 0)
        close(lock);
    if (slock >= 0)
        close(slock);
    return status;
}
