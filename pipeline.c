/* Input files to events and aggregates; see pipeline.h. */
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "pipeline.h"
#include "chunk.h"
#include "input.h"
#include "msg.h"
#include "xalloc.h"

enum { CHUNK_CAP = 4 * 1024 * 1024, LONG_LINE_WARNINGS = 3 };

static void read_file(const char *path, uint32_t index, const struct pipeline_opts *o,
                      pipeline_event_fn *fn, void *ctx, struct pipeline_stats *st)
{
    struct input *in = input_open(path);
    struct parser ps;
    struct chunk c;
    struct event ev;
    unsigned long warned = 0;

    st->files++;
    if (in == NULL) {
        st->unreadable++;
        return;
    }
    struct chunker *ck = chunker_new(in);
    parser_init(&ps, input_mtime(in), o->year);
    chunk_init(&c, CHUNK_CAP);
    memset(&ev, 0, sizeof(ev));
    ev.file = input_name(in);
    ev.file_index = index;
    while (chunker_next(ck, &c)) {
        size_t pos = 0;
        const char *p;
        size_t len;
        ev.line = c.first_line;
        for (; chunk_line(&c, &pos, &p, &len); ev.line++) {
            if (len > CHUNK_MAX_LINE) {
                if (warned++ < LONG_LINE_WARNINGS)
                    msg_warn("%s:%llu: line longer than %d bytes cut", ev.file,
                             (unsigned long long)ev.line, CHUNK_MAX_LINE);
                ps.st.long_lines++;
                len = CHUNK_MAX_LINE;
            }
            if (parse_line(&ps, p, len, &ev))
                fn(&ev, ctx);
        }
        st->bytes += c.len;
    }
    if (warned > LONG_LINE_WARNINGS)
        msg_warn("%s: %lu more overlong lines not reported", ev.file,
                 warned - LONG_LINE_WARNINGS);
    ps.st.long_lines += chunker_long_lines(ck);
    parse_stats_merge(&st->parse, &ps.st);
    if (input_damage(in))
        st->damaged++;
    chunk_free(&c);
    chunker_free(ck);
    input_close(in);
}

static void stats_add(struct pipeline_stats *dst, const struct pipeline_stats *src)
{
    parse_stats_merge(&dst->parse, &src->parse);
    dst->files += src->files;
    dst->unreadable += src->unreadable;
    dst->damaged += src->damaged;
    dst->bytes += src->bytes;
}

void pipeline_events(char *const *files, size_t n, const struct pipeline_opts *o,
                     pipeline_event_fn *fn, void *ctx, struct pipeline_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (size_t i = 0; i < n; i++)
        read_file(files[i], (uint32_t)i, o, fn, ctx, st);
}

struct per_thread {
    struct agg *agg;
    void *sink;                 /* pipeline_sink state, NULL if none */
    const struct pipeline_sink *fn;
};

static void add_event(const struct event *ev, void *ctx)
{
    struct per_thread *pt = ctx;

    agg_add(pt->agg, ev);
    if (pt->sink)
        pt->fn->add(pt->sink, ev);
}

struct agg *pipeline_aggregate(char *const *files, size_t n,
                               const struct pipeline_opts *o,
                               struct pipeline_stats *st)
{
    int nt = omp_get_max_threads();
    struct per_thread *per = xcalloc((size_t)nt, sizeof(*per));
    struct pipeline_stats *fst = xcalloc(n ? n : 1, sizeof(*fst));

    memset(st, 0, sizeof(*st));
    /* One file per task; per-thread tables, merged in thread order. The
     * merge rules are commutative, so the result is the same for any
     * thread count or schedule. */
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < n; i++) {
        int t = omp_get_thread_num();
        if (per[t].agg == NULL) {
            per[t].agg = agg_new();
            per[t].fn = o->sink;
            if (o->sink)
                per[t].sink = o->sink->thread_new(o->sink->ctx);
        }
        read_file(files[i], (uint32_t)i, o, add_event, &per[t], &fst[i]);
    }
    struct agg *all = agg_new();
    for (int t = 0; t < nt; t++) {
        if (per[t].agg)
            agg_merge(all, per[t].agg);
        agg_free(per[t].agg);
        if (per[t].sink)
            o->sink->done(o->sink->ctx, per[t].sink);
    }
    for (size_t i = 0; i < n; i++)
        stats_add(st, &fst[i]);
    free(per);
    free(fst);
    return all;
}
