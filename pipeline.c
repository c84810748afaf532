/* Input files to events and aggregates; see pipeline.h. */
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "pipeline.h"
#include "chunk.h"
#include "input.h"
#include "msg.h"
#include "state.h"
#include "xalloc.h"
#include <sys/stat.h>

enum { CHUNK_CAP = 4 * 1024 * 1024, LONG_LINE_WARNINGS = 3 };

static bool in_window(const struct pipeline_opts *o, const struct event *ev)
{
    if (!ev->has_ts)
        return true;
    return (o->since == 0 || ev->ts >= o->since) && (o->until == 0 || ev->ts < o->until);
}

/* Incremental reading: identify the file by its first decompressed block
 * and skip what an earlier run read. Returns the lines skipped. */
static uint64_t resume(const char *path, struct input *in, const struct pipeline_opts *o,
                       struct state_input *rec)
{
    char head[STATE_HEAD_BLOCK], skipbuf[65536];
    size_t hl = 0, k;
    struct stat sb;
    uint64_t skip, skip_lines, done = 0;

    memset(rec, 0, sizeof(*rec));
    snprintf(rec->name, sizeof(rec->name), "%s", path);
    if (stat(path, &sb) == 0)
        rec->dev = (uint64_t)sb.st_dev, rec->ino = (uint64_t)sb.st_ino,
        rec->size = (uint64_t)sb.st_size;
    struct input *h = input_open(path);
    if (h) {
        while (hl < sizeof(head) && (k = input_read(h, head + hl, sizeof(head) - hl)) > 0)
            hl += k;
        input_close(h);
    }
    rec->hlen = (uint32_t)hl;
    rec->hash = state_hash(head, hl);
    state_input_resume(o->state, rec->dev, rec->ino, head, hl, &skip, &skip_lines);
    while (done < skip && (k = input_read(in, skipbuf, skip - done < sizeof(skipbuf)
                                         ? (size_t)(skip - done) : sizeof(skipbuf))) > 0)
        done += k;
    if (done < skip)
        msg_warn("%s: shorter than what an earlier run read (%llu of %llu bytes); "
                 "nothing new read", path, (unsigned long long)done, (unsigned long long)skip);
    rec->consumed = done;
    rec->lines = skip_lines;
    return skip_lines;
}

static void read_file(const char *path, uint32_t index, const struct pipeline_opts *o,
                      pipeline_event_fn *fn, void *ctx, struct pipeline_stats *st)
{
    struct input *in = input_open(path);
    struct parser ps;
    struct chunk c;
    struct event ev;
    unsigned long warned = 0;
    uint64_t line_base = 0;
    struct state_input *rec = o->state && o->inputs && strcmp(path, "-") != 0
        ? &o->inputs[index] : NULL;

    st->files++;
    if (in == NULL) {
        st->unreadable++;
        return;
    }
    if (rec)
        line_base = resume(path, in, o, rec);
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
        ev.line = c.first_line + line_base;
        for (size_t start = pos; chunk_line(&c, &pos, &p, &len); ev.line++, start = pos) {
            /* A last line without its newline is still being written:
             * an incremental run leaves it for the next one. */
            if (rec && pos == c.len && c.buf[c.len - 1] != '\n') {
                rec->consumed -= pos - start;
                break;
            }
            if (len > CHUNK_MAX_LINE) {
                if (warned++ < LONG_LINE_WARNINGS)
                    msg_warn("%s:%llu: line longer than %d bytes cut", ev.file,
                             (unsigned long long)ev.line, CHUNK_MAX_LINE);
                ps.st.long_lines++;
                len = CHUNK_MAX_LINE;
            }
            if (parse_line(&ps, p, len, &ev) && in_window(o, &ev))
                fn(&ev, ctx);
            if (rec)
                rec->lines++;
        }
        st->bytes += c.len;
        if (rec)
            rec->consumed += c.len;
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
