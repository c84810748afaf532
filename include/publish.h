#ifndef RBLFORGE_PUBLISH_H
#define RBLFORGE_PUBLISH_H
/*
 * Publishing a run into OUTDIR, safely for cron and CI:
 *  - a lock (OUTDIR/.rblforge.lock, flock; publish_lock) keeps two runs
 *    apart;
 *  - the new listings are compared with the previous publication
 *    (OUTDIR/listings.csv): added, removed, kept, by cause;
 *  - the safety valve refuses to replace anything when the listing count
 *    changes by more than max_change (and at least min_change entries), or
 *    when an empty listing would replace a non-empty one, unless forced;
 *  - every output is written into a staging directory and the whole
 *    publication switched in at once (pubdir.h): old or new, never a mix;
 *  - an optional post-publish command runs after a successful publish.
 * The table of outputs lives in publish.c; a new format is one more row.
 */
#include <stdbool.h>
#include <stdint.h>
#include "cidrset.h"
#include "zonedata.h"

struct afile;
struct publish_result;

/* Outputs published with the listing files (the customer reports, the
 * abuse messages):
 * stage() writes them into dir, the staging directory of the
 * publication, and may hand back one afile (*af, or NULL) to be finished
 * with the others. */
struct publish_extra {
    bool (*stage)(void *ctx, const char *dir, const struct listings *l,
                  const struct publish_result *r, struct afile **af);
    void *ctx;
};

struct publish_opts {
    bool force;                 /* override the safety valve */
    bool verbose;               /* list added/removed entries on stderr */
    const char *post_publish;   /* shell command, or NULL */
    int64_t now;                /* the run's time (SOA serial, summary) */
    /* Further outputs (the customer reports, the abuse messages); NULL
     * entries are skipped. */
#define PUBLISH_EXTRAS 2
    const struct publish_extra *extra[PUBLISH_EXTRAS];
    /* Called when the publication is complete, just before the switch
     * (the state is saved there); false: nothing is published. */
    bool (*before_switch)(void *ctx);
    /* A fatal signal came during the publication: called (before dying
     * of it) with whether the new publication went live. */
    void (*on_signal)(void *ctx, bool published);
    void *before_ctx;
    /* Runs fn(i, ctx) for i in [0, n), possibly on several threads, i
     * handed out in increasing order: a task of the publication may wait
     * for one before it (publish.c). The top layer passes an OpenMP loop,
     * NULL runs them in turn. */
    void (*run_all)(size_t n, void (*fn)(size_t i, void *ctx), void *ctx);
};

struct publish_result {
    bool had_previous;
    size_t previous, added, removed, kept;
    const struct pubdiff *diff; /* the diff itself, during publish_extra.stage only */
    int hook_status;            /* exit status of the post-publish command, -1 if none */
    /* Seconds from the last writer to the publication switched in: the
     * outputs' syncs, the renames and the directories' syncs (the disk's
     * share, for -v). */
    double commit_s;
};

/* Takes OUTDIR's lock (OUTDIR/.rblforge.lock), or any other lock file:
 * the descriptor to close when done, -1 on error, -2 when another run
 * holds it (both warned). */
int publish_lock(const char *path);
/* t as RFC 3339 / ISO 8601 local time with its offset (TZ, --tz):
 * "2026-11-25T12:00:00+09:00", in buf. */
const char *publish_iso_time(int64_t t, char buf[40]);

/* x: the listings, policy and run facts (zonedata.h); publish_run adds the
 * zone data, serial and time. The caller holds OUTDIR's lock. Returns an
 * exit status: EXIT_OK, EXIT_RUNTIME (nothing replaced, the previous
 * publication is live), EXIT_VALVE (nothing replaced), EXIT_HOOK
 * (published, hook failed) or EXIT_LINKS (published, an OUTDIR/NAME link
 * could not be made). */
int publish_run(const char *outdir, struct export_ctx *x, struct cidrset *allow,
                const struct publish_opts *o, struct publish_result *r);

#endif
