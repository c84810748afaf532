#ifndef RBLFORGE_JOB_H
#define RBLFORGE_JOB_H
/*
 * The sequence every log-reading command runs, written once:
 *   job_open     config -> customer reports -> allow/deny lists -> ASN
 *                database -> OUTDIR, locks and state
 *   job_read     pipeline aggregate (with the reports' collector as a
 *                sink), the input checks, the ASN annotation
 *   job_decide   listings, the state's memory of earlier runs
 *   job_publish  zone, sets and reports (or the reports alone), the state
 *   job_close    releases everything, whatever happened
 * Which steps apply is said by job_opts.use (JOB_*): `rblforge run` uses
 * them all, `explain` and `top` stop after the decision or the read.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "agg.h"
#include "listing.h"
#include "pipeline.h"
#include "policy.h"
#include "abuse_job.h"
#include "report_job.h"

enum job_use {
    JOB_ALLOW = 1 << 0,         /* open the allowlist (given, or [policy] allowlist) */
    JOB_DENY = 1 << 1,          /* the denylist, likewise */
    JOB_ASN = 1 << 2,           /* open the ASN db and annotate the addresses read */
    JOB_ASN_LOGINS = 1 << 3,    /* open the ASN db for the customer logins only */
    JOB_WINDOW = 1 << 4,        /* without --since: now - [policy] window */
    JOB_RUN = 1 << 5,           /* the nightly run: OUTDIR and state locks, the state,
                                 * the zone and sets published, -v figures */
    JOB_REPORTS = 1 << 6,       /* customer reports when --customers or [customers] map */
    JOB_REPORTS_ONLY = 1 << 7,  /* `rblforge report`: the reports are required and alone */
    JOB_ALL_NETWORKS = 1 << 8,  /* keep networks with nothing listed (explain) */
    JOB_EVIDENCE_LINES = 1 << 9,        /* keep each address's first/last evidence line */
    JOB_OPEN_PAIRS = 1 << 10,   /* leave queue-ID pairs open for a later merge (scan) */
};

/* job_open's answer for a usage error the command reports with its
 * "Try 'rblforge CMD --help'" hint (the warning was printed). */
#define JOB_USAGE (-1)

struct job_opts {
    unsigned use;               /* enum job_use */
    const char *cmd;            /* the command's name, for messages */
    const char *config, *allowlist, *denylist, *asn_db, *state, *outdir;
    const char *geo_db;         /* --geo-db: countries per login (customer reports) */
    const char *customers, *templates, *lang;
    const char *abuse_contacts;
    /* The abuse messages' settings over [abuse]'s: NULL / 0 / false keep them. */
    const char *abuse_format, *abuse_letters;
    unsigned abuse_max_sources;
    bool no_redact;
#define JOB_TEST_RANGES_MAX 16
    const char *test_ranges[JOB_TEST_RANGES_MAX];       /* --test-range */
    unsigned ntest_ranges;
    int year;                   /* explicit year for year-less stamps, 0 = infer */
    int inflate;                /* enum inflate_kind; 0 = auto */
    int progress;               /* 1 yes, 0 no, -1 when stderr is a terminal */
    int64_t now, since, until;
    bool since_given;           /* JOB_WINDOW applies only without it */
    bool now_given;             /* --now T: the user's time, not checked against the logs */
    bool now_logs;              /* --now logs: the run's time is its newest evidence */
    bool verbose, strict, force;
    const char *post_publish;
};

struct job {
    const struct job_opts *o;
    struct policy policy;
    struct cidrset *allow, *deny;
    struct asn_db *asn;
    struct abuse_contacts *contacts;    /* --abuse-contacts, [abuse] contacts */
    struct state *state;
    struct state_input *inputs;
    int lock, slock;
    bool state_saved;           /* saved for the publication under way */
    char state_bak[4096];       /* STATE.prev while it is switched in */
    bool reports;
    struct report_job rj;
    char *const *files;
    size_t nfiles;
    struct agg *agg;
    struct pipeline_opts po;    /* the read's options (the abuse messages read again) */
    struct pipeline_stats st;
    struct listings l;
    bool decided;
    int64_t since;
    int64_t now;                /* the run's time: o->now, or --now logs' */
    int64_t newest;             /* the newest event read (JOB_RUN); INT64_MIN if none */
    double t_read, t_decide, t_publish, cpu_read, cpu_decide;  /* JOB_RUN -v figures */
    long mb_read, mb_decide;
};

/* Load the configuration and open what o->use asks for. EXIT_OK, an exit
 * status (warned) or JOB_USAGE; call job_close in every case. j keeps o. */
int job_open(struct job *j, const struct job_opts *o);
/* Read files (n >= 1) into j->agg. EXIT_OK, or EXIT_RUNTIME (warned) when a
 * publishing job (JOB_RUN, JOB_REPORTS_ONLY) must not publish: an input
 * could not be read, or --strict saw damage. */
int job_read(struct job *j, char *const *files, size_t n);
/* The reading is over (job_read, or a merge of partials; j->agg holds
 * what was read): a run notes its newest event (--now logs dates from
 * it), and the time, CPU and peak memory the -v figures show. */
void job_read_done(struct job *j);
/* After the reading (job_read, or a merge of partials): the unmatched
 * lines warning, the input checks of a publishing job (EXIT_RUNTIME,
 * warned, when an input was unreadable or --strict saw damage), the ASN
 * annotation. EXIT_OK otherwise. */
int job_read_checks(struct job *j);
/* Decide the listings (j->l); a run merges them with the state. A run
 * is first dated (--now logs: from the newest evidence); EXIT_USAGE
 * (reported) when, without --now, the newest evidence is older than the
 * expiry window: everything published would expire at once. */
int job_decide(struct job *j);
/* Publish (JOB_RUN: zone, sets and the reports; JOB_REPORTS_ONLY: the
 * reports) and save the state; an exit status (EXIT_DAMAGED when an input
 * was damaged but the rest published). */
int job_publish(struct job *j);
/* The exit status of a job that prints rather than publishes: EXIT_RUNTIME
 * when an input could not be read, EXIT_DAMAGED when one was damaged. */
int job_status(const struct job *j);
void job_close(struct job *j);

#endif
