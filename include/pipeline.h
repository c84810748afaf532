#ifndef RBLFORGE_PIPELINE_H
#define RBLFORGE_PIPELINE_H
/*
 * The stages wired together: read -> inflate -> split into lines -> parse
 * -> event, for a list of input files, on OpenMP threads. Any thread
 * inflates the next line-aligned chunk of a file while the others parse
 * earlier chunks; several files are read at once. Chunk buffers are
 * recycled from a small pool, so memory stays bounded whatever the input
 * size. Results never depend on the thread count or the chunk size:
 * aggregation tables are per thread and merged with commutative rules,
 * printed events are written in input order, and with an explicit --year
 * (whose month-rollover rule depends on the previous line) the chunks of
 * one file are parsed in order.
 */
#include <stddef.h>
#include <stdint.h>
#include "agg.h"
#include "inflate.h"
#include "outbuf.h"
#include "parse.h"

/* An optional second consumer of the aggregation pass (the customer
 * reports' collector): one state per thread, fed every event that thread
 * parses, handed back to done() in thread order after the parallel part. */
struct pipeline_sink {
    void *(*thread_new)(void *ctx);
    void (*add)(void *state, const struct event *ev);
    void (*done)(void *ctx, void *state);
    /* A state whose reading is thrown away (damaged input is read again). */
    void (*discard)(void *state);
    void *ctx;
};

/* Per input, inside pipeline_aggregate: the damaged members a first
 * reading found, and the lines a second reading skipped because of them. */
struct pipeline_damage {
    uint64_t *starts;           /* compressed offsets of damaged members */
    size_t n;
    uint64_t dropped;           /* lines of those members not parsed */
    bool read_again;            /* the second reading is under way */
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
    enum inflate_kind inflate;  /* INFLATE_AUTO: the fastest built in */
    int progress;               /* progress on stderr: 1 yes, 0 no, -1 if a TTY */
    size_t chunk_size;          /* bytes per chunk, 0 = default (tests shrink it) */
    bool evidence_lines;        /* keep each address's first/last evidence line */
    const struct agg_conf *agg_conf;    /* own zones for the tables; NULL = none */
    /* Leave the queue lines paired by no chunk open (agg_open_lines)
     * instead of settling them: a scan's partial carries them. */
    bool open_pairs;
};

enum { PIPELINE_TIMED_THREADS = 8 };

struct pipeline_stats {
    struct parse_stats parse;
    unsigned files;
    unsigned unreadable;        /* could not be opened */
    unsigned damaged;           /* opened, but data was lost (warned) */
    uint64_t bytes;             /* decompressed bytes read */
    uint64_t dropped_lines;     /* lines of damaged members, not evidence */
    /* Where each thread's time went in the last reading (-v): wall seconds
     * inflating, parsing and waiting for work, and the CPU it was given. */
    struct pipeline_thread_time {
        double inflate, parse, wait, cpu;
    } thread[PIPELINE_TIMED_THREADS];
    unsigned nthreads;          /* entries of thread[] filled */
};

/* "t0 inflate 0.61 s, parse 0.58 s, idle 0.01 s, CPU 1.19 s; t1 ..." into
 * buf (always terminated). */
void pipeline_times_format(const struct pipeline_stats *st, char *buf, size_t n);

typedef void pipeline_event_fn(const struct event *ev, void *ctx);

/* Calls fn for every event in input order, never on two threads at once
 * (inflating still overlaps parsing). */
void pipeline_events(char *const *files, size_t n, const struct pipeline_opts *o,
                     pipeline_event_fn *fn, void *ctx, struct pipeline_stats *st);

/* pipeline_events with each event's whole line as logged (its bytes
 * valid only during the call; at most the pipeline's line bound). */
typedef void pipeline_line_fn(const struct event *ev, struct span line, void *ctx);
void pipeline_lines(char *const *files, size_t n, const struct pipeline_opts *o,
                    pipeline_line_fn *fn, void *ctx, struct pipeline_stats *st);

/* fn formats one event into ob, the buffer of the chunk it came from; it
 * runs on several threads at once, so it may only read ctx. The buffers
 * are appended to out in input order: the bytes are the same for any
 * thread count. */
typedef void pipeline_print_fn(const struct event *ev, struct outbuf *ob, void *ctx);
void pipeline_print(char *const *files, size_t n, const struct pipeline_opts *o,
                    pipeline_print_fn *fn, void *ctx, struct outbuf *out,
                    struct pipeline_stats *st);

/* Returns a new table owned by the caller (agg_free). */
struct agg *pipeline_aggregate(char *const *files, size_t n,
                               const struct pipeline_opts *o,
                               struct pipeline_stats *st);

#endif
