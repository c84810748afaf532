/* The shared job: open -> read -> decide -> publish; see job.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "clock.h"
#include "job.h"
#include "pubdir.h"
#include "abuse.h"
#include "asn.h"
#include "atomic.h"
#include "cidrset.h"
#include "config.h"
#include "custout.h"
#include "custview.h"
#include "msg.h"
#include "publish.h"
#include "state_file.h"
#include "xalloc.h"

/* The tasks of publish_run and the blocks of listings_decide, one per
 * thread as they come, handed out in order (publish_run's tasks wait only
 * for tasks before them). */
static void run_all_omp(size_t n, void (*fn)(size_t i, void *ctx), void *ctx)
{
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < n; i++)
        fn(i, ctx);
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

/* The customer reports: required and alone (report), or when asked for
 * by --customers or the configuration's map (run). */
static int open_reports(struct job *j)
{
    const struct job_opts *o = j->o;

    if ((o->use & JOB_REPORTS_ONLY) && o->customers == NULL && j->policy.customers.map[0] == 0) {
        msg_error("%s: --customers FILE (or [customers] map in the config) is required", o->cmd);
        return JOB_USAGE;
    }
    if (!(o->use & (JOB_REPORTS | JOB_REPORTS_ONLY))
        || (o->customers == NULL && j->policy.customers.map[0] == 0))
        return EXIT_OK;
    struct cust_policy cp = j->policy.customers;
    if (o->geo_db && snprintf(cp.geo_db, sizeof(cp.geo_db), "%s", o->geo_db)
        >= (int)sizeof(cp.geo_db)) {
        msg_warn("--geo-db: path too long");
        return EXIT_USAGE;
    }
    if (!report_job_init(&j->rj, &cp, &j->policy.letters, o->customers, o->templates, o->lang))
        return EXIT_USAGE;
    j->reports = true;
    return EXIT_OK;
}

/* --abuse-format, --letters, --abuse-max-sources and --no-redact over
 * the [abuse] settings. */
static int abuse_options(struct job *j)
{
    const struct job_opts *o = j->o;
    struct abuse_policy *ap = &j->policy.abuse;

    if (o->abuse_format && !abuse_format_parse(o->abuse_format, &ap->format)) {
        msg_warn("--abuse-format: want arf or xarf, got \"%.40s\"", o->abuse_format);
        return JOB_USAGE;
    }
    if (o->abuse_letters && !abuse_languages_parse(o->abuse_letters, &ap->ja)) {
        msg_warn("--letters: want en, ja or en,ja, got \"%.40s\"", o->abuse_letters);
        return JOB_USAGE;
    }
    if (o->abuse_max_sources)
        ap->max_sources = o->abuse_max_sources;
    if (o->no_redact)
        ap->redact = false;
    if (j->contacts && ap->from[0] == 0)
        msg_warn("[abuse] from is not set: no abuse messages are written (OUT/abuse/)");
    return EXIT_OK;
}

/* The allow/deny lists and the ASN database; the command line overrides
 * the configuration's files. */
static int open_lists(struct job *j)
{
    const struct job_opts *o = j->o;
    const char *allow = o->allowlist ? o->allowlist : j->policy.allowlist;
    const char *deny = o->denylist ? o->denylist : j->policy.denylist;
    const char *asn = o->asn_db ? o->asn_db : j->policy.asn_db[0] ? j->policy.asn_db : NULL;

    if (((o->use & JOB_ALLOW) && !cidrset_open(allow, &j->allow))
        || ((o->use & JOB_DENY) && !cidrset_open(deny, &j->deny)))
        return EXIT_USAGE;
    if ((o->use & (JOB_ASN | JOB_ASN_LOGINS)) && asn && (j->asn = asn_open(asn)) == NULL)
        return EXIT_USAGE;
    /* Running without one is a choice, not a fault: said with -v only,
     * not mailed by cron every night. */
    if ((o->use & JOB_RUN) && j->asn == NULL && o->verbose)
        msg_info("no ASN database (--asn-db or [policy] asn_db): ASN columns stay empty");
    const char *contacts = o->abuse_contacts ? o->abuse_contacts
        : j->policy.abuse.contacts[0] ? j->policy.abuse.contacts : NULL;
    if ((o->use & JOB_RUN) && contacts
        && (j->contacts = abuse_contacts_load(contacts)) == NULL)
        return EXIT_USAGE;
    return abuse_options(j);
}

/* OUTDIR; for a run also its lock and the state file's, and the state. */
static int open_outputs(struct job *j)
{
    const struct job_opts *o = j->o;
    char lockpath[4096];

    if (o->outdir && mkdir(o->outdir, 0755) < 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", o->outdir, strerror(errno));
        return EXIT_RUNTIME;
    }
    if (o->use & JOB_RUN) {
        /* One run at a time per output directory and per state file. */
        snprintf(lockpath, sizeof(lockpath), "%s/.rblforge.lock", o->outdir);
        j->lock = publish_lock(lockpath);
        if (j->lock >= 0 && o->state)
            j->slock = state_file_lock(o->state, 0);    /* as delist takes it */
        if (j->lock < 0 || j->slock == -2 || (o->state && j->slock < 0))
            return j->lock == -2 || j->slock == -2 ? EXIT_LOCKED : EXIT_RUNTIME;
    }
    if (o->state) {
        j->state = state_new();
        /* A damaged state would delist everything it carries: fail closed. */
        if (!state_file_load(j->state, o->state)) {
            if (o->use & JOB_RUN)
                msg_warn("%s: state file not usable; nothing published", o->state);
            return EXIT_RUNTIME;
        }
        if (j->reports && !report_job_history(&j->rj, o->state, o->now))
            return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

/* The files of the configuration this job does not open: those it does
 * not use and those the command line names instead. */
static unsigned unused_files(const struct job_opts *o)
{
    unsigned skip = 0;

    if (!(o->use & JOB_ALLOW) || o->allowlist)
        skip |= 1u << POLICY_FILE_ALLOWLIST;
    if (!(o->use & JOB_DENY) || o->denylist)
        skip |= 1u << POLICY_FILE_DENYLIST;
    if (!(o->use & (JOB_ASN | JOB_ASN_LOGINS)) || o->asn_db)
        skip |= 1u << POLICY_FILE_ASN_DB;
    if (!(o->use & (JOB_REPORTS | JOB_REPORTS_ONLY)) || o->customers)
        skip |= 1u << POLICY_FILE_CUSTOMERS_MAP;
    if (!(o->use & (JOB_REPORTS | JOB_REPORTS_ONLY)) || o->templates)
        skip |= 1u << POLICY_FILE_TEMPLATES;
    if (!(o->use & JOB_RUN) || o->abuse_contacts)
        skip |= 1u << POLICY_FILE_ABUSE_CONTACTS;
    return skip;
}

int job_open(struct job *j, const struct job_opts *o)
{
    int status;

    memset(j, 0, sizeof(*j));
    j->o = o;
    j->lock = j->slock = -1;
    j->since = o->since;
    j->now = o->now;
    j->newest = INT64_MIN;
    config_init(&j->policy);
    if (o->config && (!config_load(&j->policy, o->config)
                      || !config_check_files(&j->policy, unused_files(o))))
        return EXIT_USAGE;
    for (unsigned i = 0; i < o->ntest_ranges; i++)
        if (!policy_add_test_range(&j->policy, o->test_ranges[i])) {
            msg_error("--test-range: want an address or CIDR, got \"%.60s\"", o->test_ranges[i]);
            return EXIT_USAGE;
        }
    if ((status = open_reports(j)) != EXIT_OK)
        return status;
    if ((o->use & JOB_WINDOW) && !o->since_given && j->policy.window) {
        if (o->now_logs) {
            msg_error("%s: --now logs dates the run after reading, [policy] window before: "
                      "give --since instead of the window, or --now T", o->cmd);
            return EXIT_USAGE;
        }
        j->since = o->now - j->policy.window;
    }
    if ((status = open_lists(j)) != EXIT_OK)
        return status;
    return open_outputs(j);
}


static void newest_event(const struct ipaddr *ip, const struct ip_stats *st, void *arg)
{
    int64_t *newest = arg;

    (void)ip;
    if (st->last && (int64_t)st->last > *newest)
        *newest = st->last;
}

void job_read_done(struct job *j)
{
    if (j->o->use & JOB_RUN)
        agg_visit(j->agg, newest_event, &j->newest);
    j->t_decide = clock_seconds(CLOCK_MONOTONIC);
    j->cpu_read = cpu_seconds();
    j->mb_read = peak_mb();
}

int job_read(struct job *j, char *const *files, size_t n)
{
    const struct job_opts *o = j->o;

    j->files = files;
    j->nfiles = n;
    /* Only a run and a scan (which records the positions for its merge)
     * read incrementally: explain reads every line it is given. */
    bool incremental = j->state && (o->use & (JOB_RUN | JOB_OPEN_PAIRS));
    if (incremental)
        j->inputs = xcalloc(n, sizeof(*j->inputs));
    j->po = (struct pipeline_opts){ .year = o->year, .since = j->since, .until = o->until,
                                .state = incremental ? j->state : NULL, .inputs = j->inputs,
                                .sink = j->reports ? &j->rj.sink : NULL,
                                .inflate = o->inflate, .progress = o->progress,
                                .evidence_lines = (o->use & JOB_EVIDENCE_LINES) != 0,
                                .open_pairs = (o->use & JOB_OPEN_PAIRS) != 0,
                                .agg_conf = &j->policy.agg };
    j->t_read = clock_seconds(CLOCK_MONOTONIC);
    j->agg = pipeline_aggregate(files, n, &j->po, &j->st);
    job_read_done(j);
    return job_read_checks(j);
}

int job_read_checks(struct job *j)
{
    const struct job_opts *o = j->o;

    /* Lines of our programs that no shape matched are evidence we cannot
     * see: a human should look ('rblforge unparsed'). */
    if (o->use & JOB_RUN)
        parse_stats_warn(&j->st.parse);
    if (o->use & (JOB_RUN | JOB_REPORTS_ONLY)) {
        /* A missing input means missing evidence: publishing would delist
         * addresses that are still bad. */
        if (j->st.unreadable) {
            msg_warn("%u of %u inputs could not be read; nothing published",
                     j->st.unreadable, j->st.files);
            return EXIT_RUNTIME;
        }
        if (o->strict && (j->st.damaged || j->st.parse.no_header)) {
            msg_warn("--strict: %u damaged input(s), %llu lines without a syslog header; "
                     "nothing published", j->st.damaged,
                     (unsigned long long)j->st.parse.no_header);
            return EXIT_RUNTIME;
        }
    }
    if ((o->use & JOB_ASN) && j->asn)
        asn_annotate(j->asn, j->agg);   /* once per distinct address */
    return EXIT_OK;
}

static void run_summary(const struct job *j)
{
    const struct pipeline_stats *st = &j->st;
    const struct listings *l = &j->l;
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
    if (j->state)
        msg_info("state: %zu added, %zu expired, %zu carried without new evidence, "
                 "%zu held off after a manual removal", l->added, l->expired, l->carried,
                 l->held);
}

static const char *iso(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "@%lld", (long long)t);
    return buf;
}

/* The time of a run follows its evidence: --now logs dates it from the
 * newest evidence (the logs' newest event, or the state's newest entry);
 * without --now, logs older than the expiry window are refused, as every
 * entry published would expire at once and the next run would remove
 * them all (the valve would trip, for no reason the user could see). */
static int date_run(struct job *j)
{
    const struct job_opts *o = j->o;
    int64_t newest = j->newest;
    char a[32], b[32];

    if (j->state) {
        int64_t s = state_newest(j->state);
        if (s > newest)
            newest = s;
    }
    if (newest == INT64_MIN)
        return EXIT_OK;         /* no evidence at all: nothing to date */
    if (o->now_logs) {
        j->now = newest;
        if (o->verbose)
            msg_info("--now logs: the run is dated %s, the newest evidence", iso(newest, a, 32));
        return EXIT_OK;
    }
    if (o->now_given || newest + j->policy.expiry > j->now)
        return EXIT_OK;
    int64_t x = j->policy.expiry;
    msg_error("the newest evidence (%s) is older than the expiry window ([policy] expiry "
              "= %lld%s) before now (%s): everything published would expire at once; to "
              "re-run archives, date the run from the logs with --now logs (or give "
              "--now T)", iso(newest, a, 32), (long long)(x % 86400 ? x % 3600 ? x : x / 3600
                                                          : x / 86400),
              x % 86400 ? x % 3600 ? "s" : "h" : "d", iso(j->now, b, 32));
    return EXIT_USAGE;
}

int job_decide(struct job *j)
{
    const struct job_opts *o = j->o;
    int status = (o->use & JOB_RUN) ? date_run(j) : EXIT_OK;

    if (status != EXIT_OK)
        return status;
    struct listing_opts lo = { .allow = j->allow, .deny = j->deny,
                               .all_networks = (o->use & JOB_ALL_NETWORKS) != 0,
                               .run_all = (o->use & JOB_RUN) ? run_all_omp : NULL,
                               .drop_index = (o->use & JOB_RUN) ? j->agg : NULL };

    listings_decide(&j->l, j->agg, &j->policy, &lo);
    j->decided = true;
    /* explain shows the state's entry beside today's decision, unmerged. */
    if (j->state && (o->use & JOB_RUN))
        state_apply(j->state, &j->l, &j->policy, j->allow, j->now);
    j->t_publish = clock_seconds(CLOCK_MONOTONIC);
    j->cpu_decide = cpu_seconds();
    j->mb_decide = peak_mb();
    if ((o->use & JOB_RUN) && o->verbose)
        run_summary(j);
    return EXIT_OK;
}

/* The state moves on only with a publication: otherwise the next run
 * would skip data that never reached the zone. It is saved just before
 * the publication is switched in (publish_opts.before_switch), the
 * previous state kept aside until the switch is done, and put back if
 * the switch fails. */
static bool save_state(void *ctx)
{
    struct job *j = ctx;
    char *bak = j->state_bak;

    for (size_t i = 0; i < j->nfiles; i++)
        if (j->inputs[i].name[0]) {
            j->inputs[i].seen = j->now;
            state_input_done(state_inputs(j->state), &j->inputs[i]);
        }
    snprintf(bak, sizeof(j->state_bak), "%s.prev", j->o->state);
    unlink(bak);
    if (link(j->o->state, bak) < 0)
        bak[0] = 0;             /* a first run: there is no previous state */
    if (j->reports && !report_job_save_history(&j->rj)) {
        if (bak[0])
            unlink(bak);
        bak[0] = 0;
        return false;
    }
    if (!state_file_save(j->state, j->o->state)) {
        if (j->reports)
            report_job_settle_history(&j->rj, false);
        msg_warn("%s: state not saved; nothing published, the next run reads these logs "
                 "again", j->o->state);
        if (bak[0])
            unlink(bak);
        bak[0] = 0;
        return false;
    }
    j->state_saved = true;
    return true;
}

/* After publish_run: the state saved for a publication that was not
 * switched in goes back to what it was. */
static void settle_state(struct job *j, int status)
{
    bool published = status != EXIT_RUNTIME && status != EXIT_VALVE;

    if (j->reports)
        report_job_settle_history(&j->rj, published);
    if (!j->state_saved)
        return;
    if (!published) {
        if (j->state_bak[0] && rename(j->state_bak, j->o->state) == 0)
            msg_warn("%s: put back as it was before this run", j->o->state);
        else if (!j->state_bak[0])
            unlink(j->o->state);
    } else if (j->state_bak[0]) {
        unlink(j->state_bak);
    }
    j->state_bak[0] = 0;
}

static int damaged(const struct job *j, int status)
{
    if (status == EXIT_OK && j->st.damaged) {
        msg_warn("%u input(s) damaged; published what could be read", j->st.damaged);
        return EXIT_DAMAGED;
    }
    return status;
}

/* Killed during the publication: the state must match what is live. */
static void state_on_signal(void *ctx, bool published)
{
    settle_state(ctx, published ? EXIT_OK : EXIT_RUNTIME);
}

/* The zone, the sets and the other listing files, with the reports. */
static int publish_listings(struct job *j)
{
    const struct job_opts *o = j->o;
    struct export_ctx rep = { .l = &j->l, .p = &j->policy, .asn = j->asn,
                              .parse = &j->st.parse, .files = j->st.files,
                              .damaged = j->st.damaged,
                              .dropped_lines = j->st.dropped_lines, .with_state = j->state != NULL,
                              .contacts = j->contacts };
    struct publish_opts pub = { .force = o->force, .verbose = o->verbose,
                                .post_publish = o->post_publish, .now = j->now,
                                .run_all = run_all_omp };
    struct publish_result pr;
    struct abuse_job aj;
    bool abuse = j->contacts && j->policy.abuse.from[0];

    if (j->state) {
        pub.before_switch = save_state;
        pub.on_signal = state_on_signal;
        pub.before_ctx = j;
    }

    if (j->reports) {
        report_job_build(&j->rj, j->files, j->nfiles, j->now, j->asn);
        pub.extra[0] = &j->rj.extra;
    }
    if (abuse) {
        abuse_job_build(&aj, &j->l, j->contacts, &j->policy, j->state != NULL, j->files,
                        j->nfiles, &j->po, j->now);
        rep.abuse_messages = true;
        pub.extra[1] = &aj.extra;
    }
    afile_catch_signals();
    int status = publish_run(o->outdir, &rep, j->allow, &pub, &pr);
    if (o->verbose) {
        msg_info("time: read %.2f s (CPU %.2f s), decide %.2f s (CPU %.2f s), "
                 "publish %.2f s (CPU %.2f s; committing %.2f s)", j->t_decide - j->t_read,
                 j->cpu_read, j->t_publish - j->t_decide, j->cpu_decide - j->cpu_read,
                 clock_seconds(CLOCK_MONOTONIC) - j->t_publish, cpu_seconds() - j->cpu_decide,
                 pr.commit_s);
        char times[512];
        pipeline_times_format(&j->st, times, sizeof(times));
        msg_info("time: read threads: %s", times);
        msg_info("peak memory: %ld MB after read, %ld MB after decide, %ld MB after publish",
                 j->mb_read, j->mb_decide, peak_mb());
    }
    settle_state(j, status);
    if (abuse)
        abuse_job_free(&aj);
    return damaged(j, status);
}

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
    msg_info("%llu outbound messages, %zu customers: %zu suspend, %zu throttle, %zu warn, "
             "%zu watch, %zu ok", (unsigned long long)r->messages, r->n, by[TIER_SUSPEND],
             by[TIER_THROTTLE], by[TIER_WARN], by[TIER_WATCH], by[TIER_OK]);
}

/* The customer reports alone: customers/ and report.html as a publication
 * of their own, the other files of the live one carried over. */
static int publish_reports(struct job *j)
{
    struct report_job *rj = &j->rj;
    struct afile *html = NULL;
    struct pubdir *pd = NULL;
    int status = EXIT_OK;

    report_job_build(rj, j->files, j->nfiles, j->now, j->asn);
    custview_listing_from(&rj->out.listing, &j->l);
    if (j->o->verbose)
        tiers_summary(&rj->rep);
    int lock = lock_dir(j->o->outdir);
    afile_catch_signals();
    if (lock < 0) {
        status = lock == -2 ? EXIT_LOCKED : EXIT_RUNTIME;
    } else if ((pd = pubdir_begin(j->o->outdir)) == NULL
               || !custout_stage(&rj->out, pubdir_path(pd), &html)
               || !afile_publish_all(&html, 1) || !pubdir_carry(pd)) {
        pubdir_abort(pd);
        status = EXIT_RUNTIME;
    } else {
        enum pubdir_rc rc = pubdir_commit(pd);
        status = rc == PUBDIR_OLD ? EXIT_RUNTIME : rc == PUBDIR_NEW ? EXIT_OK : EXIT_LINKS;
    }
    if (status == EXIT_RUNTIME && lock >= 0)
        msg_warn("%s: nothing published; the previous publication is still live",
                 j->o->outdir);
    status = damaged(j, status);
    if (lock >= 0)
        close(lock);
    return status;
}

int job_publish(struct job *j)
{
    return (j->o->use & JOB_REPORTS_ONLY) ? publish_reports(j) : publish_listings(j);
}

int job_status(const struct job *j)
{
    return j->st.unreadable ? EXIT_RUNTIME : j->st.damaged ? EXIT_DAMAGED : EXIT_OK;
}

void job_close(struct job *j)
{
    if (j->decided)
        listings_free(&j->l);
    agg_free(j->agg);
    free(j->inputs);
    state_free(j->state);
    asn_close(j->asn);
    abuse_contacts_free(j->contacts);
    cidrset_free(j->allow);
    cidrset_free(j->deny);
    if (j->reports)
        report_job_free(&j->rj);
    if (j->lock >= 0)
        close(j->lock);
    if (j->slock >= 0)
        close(j->slock);
    memset(j, 0, sizeof(*j));
    j->lock = j->slock = -1;
}
