#ifndef RBLFORGE_PIPELINE_H
#define RBLFORGE_PIPELINE_H
/*
 * The stages wired together: read -> inflate -> split into lines -> parse
 * -> event, for a list of input files. pipeline_events() delivers events
 * in input order on one thread; pipeline_aggregate() reads files in
 * parallel (OpenMP), one aggregation table per thread, merged at the end.
 */
#include <stddef.h>
#include <stdint.h>
#include "agg.h"
#include "parse.h"

/* An optional second consumer of the aggregation pass (the customer
 * reports' collector): one state per thread, fed every event that thread
 * parses, handed back to done() in thread order after the parallel part. */
struct pipeline_sink {
    void *(*thread_new)(void *ctx);
    void (*add)(void *state, const struct event *ev);
    void (*done)(void *ctx, void *state);
    void *ctx;
};

struct state;
struct state_input;

struct pipeline_opts {
    int year;                   /* explicit year for year-less stamps, 0 = infer */
    int64_t since, until;       /* keep events with since <= ts < until (0: no bound) */
    /* Incremental reading: with a state, each file resumes where the last
     * run stopped and inputs[i] (n entries, caller's) says how far file i
     * was read; the caller records them once the run published. */
    const struct state *state;
    struct state_input *inputs;
    const struct pipeline_sink *sink;   /* NULL: aggregate only */
};

struct pipeline_stats {
    struct parse_stats parse;
    unsigned files;
    unsigned unreadable;        /* could not be opened */
    unsigned damaged;           /* opened, but data was lost (warned) */
    uint64_t bytes;             /* decompressed bytes read */
};

typedef void pipeline_event_fn(const struct event *ev, void *ctx);

void pipeline_events(char *const *files, size_t n, const struct pipeline_opts *o,
                     pipeline_event_fn *fn, void *ctx, struct pipeline_stats *st);
/* Returns a new table owned by the caller (agg_free). */
struct agg *pipeline_aggregate(char *const *files, size_t n,
                               const struct pipeline_opts *o,
                               struct pipeline_stats *st);

#endif
