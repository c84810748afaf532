/* Input files to events and aggregates on OpenMP threads; see pipeline.h.
 *
 * Every thread runs the same loop: inflate the next chunk of a file nobody
 * is inflating (or open the next file) while fewer chunks than threads
 * wait to be parsed, otherwise parse a ready chunk, otherwise inflate,
 * otherwise sleep until something changes. One mutex guards the schedule;
 * it is taken per chunk (megabytes), never per line. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <omp.h>
#include "clock.h"
#include "pipeline.h"
#include "chunk.h"
#include "input.h"
#include "msg.h"
#include "progress.h"
#include "resume.h"
#include "state.h"
#include "xalloc.h"
#include <sys/stat.h>

enum { CHUNK_CAP = 4 * 1024 * 1024, LONG_LINE_WARNINGS = 3 };
/* With several threads, each merges its table into the shared one once it
 * holds one address per this many bytes of chunk (65536 with 4 MB chunks),
 * or after a later chunk if another thread is merging, and empties it for
 * the next batch, keeping its memory (freed, the pages went back to the
 * kernel and were faulted in and zeroed again, 2% of a two-thread run's
 * CPU). Memory is one table of every address plus small per-thread
 * tables, not a full table per thread, and logs with few addresses never
 * pay for a merge. An address seen in many batches is merged once per
 * batch: 16384 merged four times as often, cost 5 % of a two-thread run
 * on the bench file and saved 10 MB of a 1M-address peak. Tied to the
 * chunk size so tests exercise it. */
enum { MERGE_BYTES_PER_ADDRESS = 64 };

enum run_mode {
    MODE_AGG,                   /* per-thread tables, files read concurrently */
    MODE_PRINT,                 /* per-chunk output buffers written in order */
    MODE_CALLBACK,              /* one callback, in order, one thread at a time */
};

struct pfile {
    const char *path;
    char *name;                 /* input_name(), kept until all chunks are parsed */
    uint32_t index;
    struct input *in;
    struct chunker *ck;
    bool opened, eof;           /* eof: every chunk has been produced */
    bool busy;                  /* a thread is inflating it */
    bool parsing;               /* ordered parse: a chunk of it is being parsed */
    uint64_t produced, parsed;  /* chunks */
    time_t mtime;
    struct tsctx ts;            /* ordered parse: carried from chunk to chunk */
    atomic_ulong warned;        /* overlong lines reported */
    struct state_input *rec;    /* incremental reading: what this run read */
    uint64_t line_base;         /* lines an earlier run already read */
    uint64_t offset;            /* compressed bytes reported to progress */
    struct pipeline_stats st;   /* files, unreadable, damaged */
    struct pipeline_damage *dmg;        /* MODE_AGG: damaged members found / to skip */
    bool skipping;              /* second reading: damaged members give empty lines */
    atomic_ullong lines, no_header;     /* for the "not a log" warning */
};

enum slot_state { S_FREE, S_READY, S_PARSING, S_PARSED };

struct slot {
    enum slot_state state;
    struct pfile *f;
    uint64_t seq;               /* chunk number within the file */
    uint64_t gseq;              /* chunk number in input order (sequential production) */
    struct chunk c;
    size_t tail;                /* incremental: the unterminated last line starts here */
    bool drop_tail;             /* ... and is left for the next run */
    struct outbuf ob;           /* MODE_PRINT */
};

struct run {
    enum run_mode mode;
    const struct pipeline_opts *o;
    bool ordered;               /* parse the chunks of a file in order (--year) */
    bool sequential;            /* produce files one after another (input order) */
    struct pfile *files;
    size_t nfiles, next_open;
    struct slot *slots;
    size_t nslots;
    size_t ahead;               /* chunks kept ready to parse: one per thread */
    size_t chunk_cap;
    uint64_t next_gseq, next_write, next_parse; /* gseq counters */
    bool writing, parsing_any;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct progress prog;
    /* per mode */
    struct agg **per;           /* per thread */
    void **sinks;               /* per thread: pipeline_sink states */
    struct agg *all;            /* merged batches (several threads only) */
    pthread_mutex_t merge_mu;   /* guards all; never held with mu */
    pipeline_event_fn *fn;
    pipeline_line_fn *lfn;      /* MODE_CALLBACK with the line (pipeline_lines) */
    pipeline_print_fn *pfn;
    void *ctx;
    struct outbuf *out;
    struct pipeline_stats *tst; /* per thread */
    struct pipeline_thread_time *times; /* per thread, for -v */
    struct pipeline_damage *dmg;        /* MODE_AGG: one per file, or NULL */
};

static size_t chunk_size(const struct pipeline_opts *o)
{
    if (o->chunk_size)
        return o->chunk_size;
    const char *e = getenv("RBLFORGE_CHUNK_SIZE");  /* hidden: tests */
    if (e && *e) {
        char *end;
        unsigned long long v = strtoull(e, &end, 10);
        if (*end == 0 && v > 0 && v < (1ull << 30))
            return (size_t)v;
    }
    return CHUNK_CAP;
}

static void stats_add(struct pipeline_stats *dst, const struct pipeline_stats *src)
{
    parse_stats_merge(&dst->parse, &src->parse);
    dst->files += src->files;
    dst->unreadable += src->unreadable;
    dst->damaged += src->damaged;
    dst->bytes += src->bytes;
    dst->dropped_lines += src->dropped_lines;
}

static bool in_window(const struct pipeline_opts *o, const struct event *ev)
{
    if (!ev->has_ts)
        return true;
    return (o->since == 0 || ev->ts >= o->since) && (o->until == 0 || ev->ts < o->until);
}

/* Is f finished (all produced chunks parsed)? Then its input can go. */
static bool file_finished(const struct pfile *f)
{
    return f->eof && f->parsed == f->produced && !f->busy;
}

/* Half the lines or more without a syslog header: binary data, or not a
 * mail log at all. Said once per file, whatever the verbosity. */
enum { NOT_A_LOG_MIN_LINES = 20 };

static void file_close(struct pfile *f)
{
    if (f->name) {
        unsigned long warned = atomic_load(&f->warned);
        unsigned long long lines = atomic_load(&f->lines), bad = atomic_load(&f->no_header);
        if (warned > LONG_LINE_WARNINGS)
            msg_warn("%s: %lu more overlong lines not reported", f->name,
                     warned - LONG_LINE_WARNINGS);
        if (!f->skipping && lines >= NOT_A_LOG_MIN_LINES && bad * 2 >= lines)
            msg_warn("%s: %llu of %llu lines (%llu%%) have no syslog header: binary data, "
                     "or not a mail log?", f->name, bad, lines, bad * 100 / lines);
    }
    free(f->name);
    f->name = NULL;
}

/* Under the lock: a ready slot this thread may parse now, lowest gseq first. */
static struct slot *pick_ready(struct run *r)
{
    struct slot *best = NULL;
    /* Tables do not care about order: the newest chunk, likely the one
     * this thread just inflated and still in its cache. Older ones wait
     * for a thread that finds nothing to inflate. */
    bool newest = r->mode == MODE_AGG && !r->ordered;

    for (size_t i = 0; i < r->nslots; i++) {
        struct slot *s = &r->slots[i];
        if (s->state != S_READY)
            continue;
        if (r->mode == MODE_CALLBACK && (r->parsing_any || s->gseq != r->next_parse))
            continue;
        if (r->ordered && (s->f->parsing || s->seq != s->f->parsed))
            continue;
        if (best == NULL || (newest ? s->gseq > best->gseq : s->gseq < best->gseq))
            best = s;
    }
    return best;
}

static struct slot *free_slot(struct run *r)
{
    for (size_t i = 0; i < r->nslots; i++)
        if (r->slots[i].state == S_FREE)
            return &r->slots[i];
    return NULL;
}

/* Under the lock: a file to inflate the next chunk of, or NULL. */
static struct pfile *pick_producer(struct run *r)
{
    if (r->sequential) {
        /* Input order: only the first file not yet fully produced. */
        for (size_t i = 0; i < r->nfiles; i++) {
            struct pfile *f = &r->files[i];
            if (f->eof)
                continue;
            if (f->busy)
                return NULL;
            if (!f->opened)
                r->next_open = i + 1;
            return f;
        }
        return NULL;
    }
    for (size_t i = 0; i < r->next_open; i++) {
        struct pfile *f = &r->files[i];
        if (f->opened && !f->eof && !f->busy)
            return f;
    }
    if (r->next_open < r->nfiles)
        return &r->files[r->next_open++];
    return NULL;
}

/* Outside the lock, with f->busy set: fill s with f's next chunk, opening
 * f first if open_it. Returns true if s holds a chunk; false at the end
 * of f (f->eof is then set by the caller). */
static bool produce(struct run *r, struct pfile *f, struct slot *s, bool open_it)
{
    if (open_it) {
        f->st.files = 1;
        f->in = input_open_with(f->path, r->o->inflate);
        if (f->in == NULL) {
            f->st.unreadable = 1;
            return false;
        }
        f->name = xstrdup(input_name(f->in));
        f->mtime = input_mtime(f->in);
        if (r->o->state && r->o->inputs && strcmp(f->path, "-") != 0) {
            f->rec = &r->o->inputs[f->index];
            f->line_base = resume_input(f->path, f->in, r->o->inflate, r->o->state, f->rec);
        }
        if (f->dmg && f->dmg->n) {
            input_skip_members(f->in, f->dmg->starts, f->dmg->n);
            f->skipping = true;
        }
        f->ck = chunker_new(f->in);
        tstamp_init(&f->ts, f->mtime, r->o->year);
    }
    if (f->in == NULL)
        return false;
    if (s->c.buf == NULL)
        chunk_init(&s->c, r->chunk_cap);
    bool got = chunker_next(f->ck, &s->c);
    s->drop_tail = false;
    if (got && f->rec) {
        /* Only the producer of f touches f->rec, one chunk after another.
         * A last line without its newline is still being written: an
         * incremental run leaves it for the next one. */
        f->rec->consumed += s->c.len;
        f->rec->lines += s->c.nlines;
        if (s->c.len && s->c.buf[s->c.len - 1] != '\n') {
            const char *nl = memrchr(s->c.buf, '\n', s->c.len);
            s->tail = nl ? (size_t)(nl - s->c.buf) + 1 : 0;
            s->drop_tail = true;
            f->rec->consumed -= s->c.len - s->tail;
            f->rec->lines--;
        }
    }
    uint64_t off = input_offset(f->in);
    progress_add(&r->prog, off - f->offset, got ? s->c.len : 0);
    f->offset = off;
    if (got)
        return true;
    /* End of this input: the chunks in flight still point at f->name. */
    if (input_damage(f->in))
        f->st.damaged = 1;
    if (f->dmg && f->skipping) {
        f->dmg->dropped = input_dropped_lines(f->in);
    } else if (f->dmg) {
        const uint64_t *starts;
        f->dmg->n = input_damaged_members(f->in, &starts);
        if (f->dmg->n) {
            f->dmg->starts = xmalloc(f->dmg->n * sizeof(*starts));
            memcpy(f->dmg->starts, starts, f->dmg->n * sizeof(*starts));
        }
    }
    f->st.parse.long_lines += chunker_long_lines(f->ck);
    chunker_free(f->ck);
    input_close(f->in);
    f->in = NULL;
    f->ck = NULL;
    return false;
}

/* The event being filled, cleared once or twice a line: at the same place
 * in every run. On the stack, whose start moves by a few bytes from run
 * to run, its clearing cost 1% of a run's CPU in most runs and 5 to 6%
 * in some (its cache lines meeting others'). */
static _Thread_local _Alignas(64) struct event thread_event;

/* Outside the lock: the lines of s into events, as the mode wants them. */
static void parse_chunk(struct run *r, struct slot *s, int t)
{
    struct pfile *f = s->f;
    struct pipeline_stats *st = &r->tst[t];
    struct parser ps;
    struct event *ev = &thread_event;
    struct chunk_cursor cur = { 0, 0 };
    /* The lines to parse: an incremental run leaves an unterminated last
     * line for the next run. */
    struct chunk c = s->c;
    size_t len;
    const char *p;
    bool window = r->o->since != 0 || r->o->until != 0;

    if (s->drop_tail)
        c.len = s->tail;

    parser_init(&ps, f->mtime, r->o->year);
    /* The table wants client addresses alone; a second consumer (the
     * outbound reports) wants every queue line. */
    ps.client_only = r->mode == MODE_AGG && r->o->sink == NULL;
    if (r->ordered)
        ps.ts = f->ts;
    /* With several threads, every thread's table is a batch merged into
     * r->all and emptied. */
    if (r->mode == MODE_AGG && r->per[t] == NULL)
        r->per[t] = agg_new_conf(r->o->evidence_lines, r->o->agg_conf);
    if (r->mode == MODE_AGG)
        agg_chunk_begin(r->per[t]);
    if (r->mode == MODE_PRINT)
        s->ob.len = 0;
    if (r->mode == MODE_AGG && r->o->sink && r->sinks[t] == NULL)
        r->sinks[t] = r->o->sink->thread_new(r->o->sink->ctx);
    memset(ev, 0, sizeof(*ev));
    ev->file = f->name;
    ev->file_index = f->index;
    ev->line = c.first_line + f->line_base;
    struct agg *a = r->mode == MODE_AGG ? r->per[t] : NULL;
    void *sink = r->mode == MODE_AGG ? r->sinks[t] : NULL;
    for (; chunk_line(&c, &cur, &p, &len); ev->line++) {
        if (len == 0 && f->skipping)
            continue;           /* a line of a damaged member: never evidence */
        if (len > CHUNK_MAX_LINE) {
            if (atomic_fetch_add(&f->warned, 1) < LONG_LINE_WARNINGS)
                msg_warn("%s:%llu: line longer than %d bytes cut", ev->file,
                         (unsigned long long)ev->line, CHUNK_MAX_LINE);
            ps.st.long_lines++;
            len = CHUNK_MAX_LINE;
        }
        if (!parse_line(&ps, p, len, ev) || (window && !in_window(r->o, ev)))
            continue;
        if (a) {
            agg_add(a, ev);
            if (sink)
                r->o->sink->add(sink, ev);
        } else if (r->mode == MODE_PRINT) {
            r->pfn(ev, &s->ob, r->ctx);
        } else if (r->lfn) {
            r->lfn(ev, span_make(p, len), r->ctx);
        } else {
            r->fn(ev, r->ctx);
        }
    }
    if (r->ordered)
        f->ts = ps.ts;
    parse_stats_merge(&st->parse, &ps.st);
    st->bytes += s->c.len;
    atomic_fetch_add(&f->lines, ps.st.lines);
    atomic_fetch_add(&f->no_header, ps.st.no_header);
    /* agg_merge() rules are commutative: batches may arrive in any order
     * and the result is still the same. While another thread merges, this
     * one parses on and merges after a later chunk: threads fill their
     * tables at the same pace, so they would otherwise wait for each
     * other's merges. */
    if (r->mode == MODE_AGG && r->all
        && agg_count(r->per[t]) >= r->chunk_cap / MERGE_BYTES_PER_ADDRESS
        && pthread_mutex_trylock(&r->merge_mu) == 0) {
        agg_merge(r->all, r->per[t]);
        pthread_mutex_unlock(&r->merge_mu);
        agg_clear(r->per[t]);
    }
}

/* Under the lock, MODE_PRINT: write parsed chunks in input order. One
 * thread writes at a time; the lock is dropped during the write. */
static void write_in_order(struct run *r)
{
    while (!r->writing) {
        struct slot *s = NULL;
        for (size_t i = 0; i < r->nslots; i++)
            if (r->slots[i].state == S_PARSED && r->slots[i].gseq == r->next_write)
                s = &r->slots[i];
        if (s == NULL)
            return;
        r->writing = true;
        pthread_mutex_unlock(&r->mu);
        outbuf_write(r->out, s->ob.buf, s->ob.len);
        pthread_mutex_lock(&r->mu);
        r->writing = false;
        r->next_write++;
        s->state = S_FREE;
        pthread_cond_broadcast(&r->cv);
    }
}

/* Under the lock: has every file been opened and read to its end? */
static bool all_produced(const struct run *r)
{
    if (r->next_open < r->nfiles)
        return false;
    for (size_t i = 0; i < r->nfiles; i++)
        if (!r->files[i].eof || r->files[i].busy)
            return false;
    return true;
}

static bool all_done(const struct run *r)
{
    if (!all_produced(r))
        return false;
    for (size_t i = 0; i < r->nslots; i++)
        if (r->slots[i].state != S_FREE)
            return false;
    return true;
}

/* Under the lock, which it drops meanwhile: s's chunk into events. */
static void parse_slot(struct run *r, struct slot *s, int t)
{
    struct pfile *f = s->f;

    s->state = S_PARSING;
    f->parsing = true;
    r->parsing_any = true;
    pthread_mutex_unlock(&r->mu);
    parse_chunk(r, s, t);
    pthread_mutex_lock(&r->mu);
    f->parsing = false;
    r->parsing_any = false;
    f->parsed++;
    r->next_parse++;
    if (r->mode == MODE_PRINT) {
        s->state = S_PARSED;
        write_in_order(r);
    } else {
        s->state = S_FREE;
    }
    if (file_finished(f))
        file_close(f);
}

/* Under the lock, which it drops meanwhile: f's next chunk into s. */
static void produce_slot(struct run *r, struct slot *s, struct pfile *f)
{
    bool open_it = !f->opened;

    f->busy = true;
    f->opened = true;
    s->state = S_PARSING;      /* reserved while it is filled */
    pthread_mutex_unlock(&r->mu);
    bool got = produce(r, f, s, open_it);
    pthread_mutex_lock(&r->mu);
    f->busy = false;
    if (got) {
        s->f = f;
        s->seq = f->produced++;
        s->gseq = r->next_gseq++;
        s->state = S_READY;
    } else {
        s->state = S_FREE;
        f->eof = true;
        if (file_finished(f))
            file_close(f);
    }
}

static size_t ready_count(const struct run *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->nslots; i++)
        n += r->slots[i].state == S_READY;
    return n;
}

/* Under the lock: will this thread never parse again? Every file is
 * produced to its end and no chunk waits to be parsed. */
static bool no_more_work(const struct run *r)
{
    return all_produced(r) && ready_count(r) == 0;
}

/* Under the lock, which it drops meanwhile: thread t's table into the
 * shared one while the others parse their last chunks, instead of after
 * them (the tables' merge was a serial tail of the read). */
static void merge_early(struct run *r, int t)
{
    pthread_mutex_unlock(&r->mu);
    pthread_mutex_lock(&r->merge_mu);
    agg_merge(r->all, r->per[t]);
    pthread_mutex_unlock(&r->merge_mu);
    agg_free(r->per[t]);
    r->per[t] = NULL;
    pthread_mutex_lock(&r->mu);
}

/*
 * A thread inflates while fewer than r->ahead chunks wait to be parsed,
 * else parses one. With one big file only one thread can inflate at a
 * time: a thread that finds nothing ready while the other inflates would
 * wait, and on a busy host (a thread stalled mid-inflate) that was up to
 * 0.38 s of a 1.6 s two-thread read. A chunk kept ready avoids that wait.
 */
static void worker(struct run *r)
{
    int t = omp_get_thread_num();
    struct pipeline_thread_time *tt = &r->times[t];
    double t0 = clock_seconds(CLOCK_MONOTONIC), t1;
    struct slot *s;
    struct pfile *f;

    tt->cpu = -clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    pthread_mutex_lock(&r->mu);
    for (;;) {
        if (ready_count(r) < r->ahead && (s = free_slot(r)) != NULL
            && (f = pick_producer(r)) != NULL) {
            produce_slot(r, s, f);
            tt->inflate += (t1 = clock_seconds(CLOCK_MONOTONIC)) - t0;
        } else if ((s = pick_ready(r)) != NULL) {
            parse_slot(r, s, t);
            tt->parse += (t1 = clock_seconds(CLOCK_MONOTONIC)) - t0;
        } else if ((s = free_slot(r)) != NULL && (f = pick_producer(r)) != NULL) {
            produce_slot(r, s, f);
            tt->inflate += (t1 = clock_seconds(CLOCK_MONOTONIC)) - t0;
        } else if (all_done(r)) {
            break;
        } else if (r->mode == MODE_AGG && r->all && r->per[t] && no_more_work(r)) {
            merge_early(r, t);
            tt->parse += (t1 = clock_seconds(CLOCK_MONOTONIC)) - t0;
        } else {
            pthread_cond_wait(&r->cv, &r->mu);
            tt->wait += (t1 = clock_seconds(CLOCK_MONOTONIC)) - t0;
            t0 = t1;
            continue;
        }
        t0 = t1;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    tt->cpu += clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

static void run_files(struct run *r, char *const *paths, size_t n,
                      const struct pipeline_opts *o, struct pipeline_stats *st)
{
    int nt = omp_get_max_threads();

    r->o = o;
    r->ordered = o->year != 0;
    r->sequential = r->mode != MODE_AGG;
    r->files = xcalloc(n ? n : 1, sizeof(*r->files));
    r->nfiles = n;
    for (size_t i = 0; i < n; i++) {
        r->files[i].path = paths[i];
        r->files[i].index = (uint32_t)i;
        r->files[i].dmg = r->dmg ? &r->dmg[i] : NULL;
        atomic_init(&r->files[i].warned, 0);
        atomic_init(&r->files[i].lines, 0);
        atomic_init(&r->files[i].no_header, 0);
    }
    r->chunk_cap = chunk_size(o);
    /* Per thread a chunk being parsed and one ready; one being inflated. */
    r->nslots = (size_t)nt * 2 + 1;
    r->slots = xcalloc(r->nslots, sizeof(*r->slots));
    r->ahead = (size_t)nt;
    if (r->mode == MODE_PRINT)
        for (size_t i = 0; i < r->nslots; i++)
            outbuf_init_mem(&r->slots[i].ob, 64 * 1024);
    r->tst = xcalloc((size_t)nt, sizeof(*r->tst));
    r->times = xcalloc((size_t)nt, sizeof(*r->times));
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    progress_init(&r->prog, progress_wanted(o->progress), paths, n);

#pragma omp parallel num_threads(nt)
    worker(r);

    progress_end(&r->prog);
    memset(st, 0, sizeof(*st));
    for (size_t i = 0; i < n; i++)
        stats_add(st, &r->files[i].st);
    for (int t = 0; t < nt; t++)
        stats_add(st, &r->tst[t]);
    st->nthreads = nt < PIPELINE_TIMED_THREADS ? (unsigned)nt : PIPELINE_TIMED_THREADS;
    memcpy(st->thread, r->times, st->nthreads * sizeof(*r->times));
    /* Chunks are merged in whatever order threads finish them. */
    parse_stats_sort(&st->parse);
    for (size_t i = 0; i < r->nslots; i++) {
        chunk_free(&r->slots[i].c);
        if (r->mode == MODE_PRINT)
            free(r->slots[i].ob.buf);
    }
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r->slots);
    free(r->files);
    free(r->tst);
    free(r->times);
}

void pipeline_times_format(const struct pipeline_stats *st, char *buf, size_t n)
{
    size_t len = 0;

    buf[0] = 0;
    for (unsigned t = 0; t < st->nthreads && len < n; t++) {
        const struct pipeline_thread_time *tt = &st->thread[t];
        int k = snprintf(buf + len, n - len, "%st%u inflate %.2f s, parse %.2f s, idle %.2f s, "
                         "CPU %.2f s", t ? "; " : "", t, tt->inflate, tt->parse, tt->wait,
                         tt->cpu);
        if (k < 0)
            break;
        len += (size_t)k;
    }
}

void pipeline_events(char *const *files, size_t n, const struct pipeline_opts *o,
                     pipeline_event_fn *fn, void *ctx, struct pipeline_stats *st)
{
    struct run r = { .mode = MODE_CALLBACK, .fn = fn, .ctx = ctx };

    run_files(&r, files, n, o, st);
}

void pipeline_lines(char *const *files, size_t n, const struct pipeline_opts *o,
                    pipeline_line_fn *fn, void *ctx, struct pipeline_stats *st)
{
    struct run r = { .mode = MODE_CALLBACK, .lfn = fn, .ctx = ctx };

    run_files(&r, files, n, o, st);
}

void pipeline_print(char *const *files, size_t n, const struct pipeline_opts *o,
                    pipeline_print_fn *fn, void *ctx, struct outbuf *out,
                    struct pipeline_stats *st)
{
    struct run r = { .mode = MODE_PRINT, .pfn = fn, .ctx = ctx, .out = out };

    run_files(&r, files, n, o, st);
}

/* One reading into tables: the merged table, or NULL with every table and
 * sink state dropped when discard (damage was found: the caller reads
 * again, skipping the damaged members). */
static struct agg *aggregate_once(struct run *r, char *const *files, size_t n,
                                  const struct pipeline_opts *o, struct pipeline_stats *st,
                                  bool *damaged_members)
{
    int nt = omp_get_max_threads();
    struct agg *all = NULL;

    r->per = xcalloc((size_t)nt, sizeof(*r->per));
    r->sinks = xcalloc((size_t)nt, sizeof(*r->sinks));
    if (nt > 1)
        r->all = agg_new_conf(o->evidence_lines, o->agg_conf);
    pthread_mutex_init(&r->merge_mu, NULL);
    run_files(r, files, n, o, st);
    *damaged_members = false;
    for (size_t i = 0; r->dmg && i < n; i++)
        *damaged_members |= r->dmg[i].n > 0 && !r->dmg[i].read_again;
    if (*damaged_members) {
        agg_free(r->all);
        for (int t = 0; t < nt; t++) {
            agg_free(r->per[t]);
            if (r->sinks[t])
                o->sink->discard(r->sinks[t]);
        }
    } else {
        /* The rest merged in thread order, each table freed as soon as it
         * is merged. The merge rules are commutative: the result is the
         * same for any schedule. */
        all = r->all;
        for (int t = 0; t < nt; t++) {
            if (r->per[t] == NULL)
                continue;
            if (all == NULL) {
                all = r->per[t];
                continue;
            }
            agg_merge(all, r->per[t]);
            agg_free(r->per[t]);
        }
        /* The second consumer's per-thread states, handed back in thread
         * order (its own merge does not depend on the order). */
        for (int t = 0; t < nt; t++)
            if (r->sinks[t])
                o->sink->done(o->sink->ctx, r->sinks[t]);
        if (all == NULL)
            all = agg_new_conf(o->evidence_lines, o->agg_conf);
    }
    pthread_mutex_destroy(&r->merge_mu);
    free(r->per);
    free(r->sinks);
    r->per = NULL;
    r->sinks = NULL;
    r->all = NULL;
    return all;
}

/*
 * Events of a gzip member (zstd frame) whose check failed are no evidence:
 * the bytes before the failure may be garbage that still looks like log
 * lines. A member is only known to be bad at its end, after its lines
 * were counted, and members can be gigabytes, so they are not held back:
 * when a reading finds damaged members, its tables are dropped and the
 * files are read again with those members skipped. Damage is rare; the
 * second reading costs time only then.
 */
struct agg *pipeline_aggregate(char *const *files, size_t n,
                               const struct pipeline_opts *o,
                               struct pipeline_stats *st)
{
    struct pipeline_damage *dmg = xcalloc(n ? n : 1, sizeof(*dmg));
    struct run r = { .mode = MODE_AGG, .dmg = dmg };
    bool again;
    struct agg *all = aggregate_once(&r, files, n, o, st, &again);

    if (again) {
        for (size_t i = 0; i < n; i++)
            dmg[i].read_again = true;
        struct run r2 = { .mode = MODE_AGG, .dmg = dmg };
        all = aggregate_once(&r2, files, n, o, st, &again);
        for (size_t i = 0; i < n; i++)
            if (dmg[i].n) {
                msg_warn("%s: %llu lines of %zu damaged %s not counted as evidence",
                         files[i], (unsigned long long)dmg[i].dropped, dmg[i].n,
                         dmg[i].n == 1 ? "member" : "members");
                st->dropped_lines += dmg[i].dropped;
            }
    }
    for (size_t i = 0; i < n; i++)
        free(dmg[i].starts);
    free(dmg);
    if (!o->open_pairs)
        agg_settle(all);
    return all;
}
