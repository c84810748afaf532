/* Scan into partials, merge partials into a job; see scale.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "scale.h"
#include "asn.h"
#include "chunk.h"
#include "input.h"
#include "msg.h"
#include "parse.h"
#include "tstamp.h"
#include "xalloc.h"

/* Bytes of a file read for its first stamp. */
enum { PEEK_BYTES = 1 << 20 };

/* The stamp of the first event of path that has one, parsed as the
 * pipeline parses it (same year rule, from the file's mtime). */
static bool first_stamp(const char *path, int inflate, int year, int64_t *ts)
{
    /* An unreadable file is the reading's to report, once. */
    if (strcmp(path, "-") == 0 || access(path, R_OK) != 0)
        return false;
    struct input *in = input_open_with(path, (enum inflate_kind)inflate);
    if (in == NULL)
        return false;
    char *buf = xmalloc(PEEK_BYTES);
    size_t len = 0, k;
    while (len < PEEK_BYTES && (k = input_read(in, buf + len, PEEK_BYTES - len)) > 0)
        len += k;
    struct parser ps;
    struct event ev;
    bool found = false;
    parser_init(&ps, input_mtime(in), year);
    memset(&ev, 0, sizeof(ev));
    ev.file = path;
    ev.line = 1;
    for (size_t p = 0; p < len && !found; ev.line++) {
        const char *nl = memchr(buf + p, '\n', len - p);
        if (nl == NULL)
            break;
        size_t n = (size_t)(nl - (buf + p));
        if (n <= CHUNK_MAX_LINE && parse_line(&ps, buf + p, n, &ev) && ev.has_ts) {
            *ts = ev.ts;
            found = true;
        }
        p += n + 1;
    }
    input_close(in);
    free(buf);
    return found;
}

struct order {
    char *name;
    bool has_first;
    int64_t first;
};

/* The global order: files with a stamp first, by it; then by name. */
static int order_cmp(bool ha, int64_t ta, const char *na, bool hb, int64_t tb, const char *nb)
{
    if (ha != hb)
        return ha ? -1 : 1;
    if (ha && ta != tb)
        return ta < tb ? -1 : 1;
    return strcmp(na, nb);
}

static int cmp_input(const void *x, const void *y)
{
    const struct order *a = x, *b = y;

    return order_cmp(a->has_first, a->first, a->name, b->has_first, b->first, b->name);
}

void scale_inputs_order(struct scale_inputs *in, char *const *files, size_t n, int inflate,
                        int year)
{
    struct order *v = xcalloc(n ? n : 1, sizeof(*v));

    for (size_t i = 0; i < n; i++) {
        v[i].name = files[i];
        v[i].has_first = first_stamp(files[i], inflate, year, &v[i].first);
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_input);
    in->n = n;
    in->files = xcalloc(n ? n : 1, sizeof(*in->files));
    in->has_first = xcalloc(n ? n : 1, sizeof(*in->has_first));
    in->first = xcalloc(n ? n : 1, sizeof(*in->first));
    for (size_t i = 0; i < n; i++)
        in->files[i] = v[i].name, in->has_first[i] = v[i].has_first, in->first[i] = v[i].first;
    free(v);
}

void scale_inputs_free(struct scale_inputs *in)
{
    free(in->files);
    free(in->has_first);
    free(in->first);
    memset(in, 0, sizeof(*in));
}

int scale_scan_write(struct job *j, const struct scale_inputs *si, const char *path)
{
    const struct job_opts *o = j->o;
    struct partial_head h;
    const char *tz = getenv("TZ");
    int status = EXIT_OK;

    if (j->st.unreadable) {
        msg_warn("%u of %u inputs could not be read; no partial written",
                 j->st.unreadable, j->st.files);
        return EXIT_RUNTIME;
    }
    if (o->strict && (j->st.damaged || j->st.parse.no_header)) {
        msg_warn("--strict: %u damaged input(s), %llu lines without a syslog header; "
                 "no partial written", j->st.damaged,
                 (unsigned long long)j->st.parse.no_header);
        return EXIT_RUNTIME;
    }
    memset(&h, 0, sizeof(h));
    h.version = PARTIAL_VERSION;
    h.flags = (agg_keeps_lines(j->agg) ? PARTIAL_LINES : 0)
        | (j->reports ? PARTIAL_OUTBOUND : 0) | (j->state ? PARTIAL_INPUTS : 0);
    h.year = o->year;
    snprintf(h.tz, sizeof(h.tz), "%s", tz ? tz : "");
    h.zones = j->policy.agg;
    h.since = j->since;
    h.until = o->until;
    h.counts = (struct partial_counts){ j->st.files, j->st.unreadable, j->st.damaged,
                                        j->st.bytes, j->st.dropped_lines, j->st.parse };
    if (j->nfiles > PARTIAL_MAX_FILES) {
        msg_warn("scan: more than %u inputs in one partial", PARTIAL_MAX_FILES);
        return EXIT_USAGE;
    }
    h.nfiles = j->nfiles;
    h.files = xcalloc(j->nfiles ? j->nfiles : 1, sizeof(*h.files));
    for (size_t i = 0; i < j->nfiles; i++) {
        struct partial_file *f = &h.files[i];
        f->name = j->files[i];
        f->has_first = si->has_first[i];
        f->first_ts = si->first[i];
        if (j->inputs && j->inputs[i].name[0]) {
            f->has_input = true;
            f->in = j->inputs[i];
        }
    }
    if (!partial_write(path, &h, j->agg, j->reports ? j->rj.ob : NULL)) {
        msg_warn("%s: partial not written", path);
        status = EXIT_RUNTIME;
    } else if (j->st.damaged) {
        msg_warn("%u input(s) damaged; the partial holds what could be read", j->st.damaged);
        status = EXIT_DAMAGED;
    }
    free(h.files);              /* the names are j's */
    return status;
}

/* ---- merging ---- */

struct src {
    const char *path;
    struct partial_reader *r;
    struct partial_head h;
    bool use;
    uint32_t *map;              /* local file index -> global */
};

struct gfile {
    const char *name;
    bool has_first;
    int64_t first_ts;
    size_t src, local;
};

static int cmp_name(const void *x, const void *y)
{
    return strcmp(((const struct gfile *)x)->name, ((const struct gfile *)y)->name);
}

static int cmp_order(const void *x, const void *y)
{
    const struct gfile *a = x, *b = y;

    return order_cmp(a->has_first, a->first_ts, a->name, b->has_first, b->first_ts, b->name);
}

static void free_srcs(struct src *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        partial_close(v[i].r);
        partial_head_free(&v[i].h);
        free(v[i].map);
    }
    free(v);
}

static const char *stamp(int64_t t, char *buf)
{
    tstamp_format(t, 0, buf);
    return buf;
}

/* Is partial s inside the window? EXIT_OK with s->use set or not, or
 * EXIT_USAGE when it straddles an edge (part of its evidence would be
 * counted, part not: no run over whole files gives that). */
static int in_window(struct src *s, const struct scale_opts *so)
{
    int64_t lo = so->now - so->window;
    char a[40], b[40], c[40], d[40];

    s->use = false;
    if (!s->h.has_period) {
        if (so->verbose)
            msg_info("%s: no events; not in the window", s->path);
        return EXIT_OK;
    }
    if (s->h.period_last < lo || s->h.period_first >= so->now) {
        if (so->verbose)
            msg_info("%s: %s to %s, outside the window", s->path,
                     stamp(s->h.period_first, a), stamp(s->h.period_last, b));
        return EXIT_OK;
    }
    if (s->h.period_first < lo || s->h.period_last >= so->now) {
        msg_warn("%s: its events (%s to %s) straddle the window [%s, %s): scan that "
                 "period in pieces that fall on either side (--since/--until)", s->path,
                 stamp(s->h.period_first, a), stamp(s->h.period_last, b), stamp(lo, c),
                 stamp(so->now, d));
        return EXIT_USAGE;
    }
    s->use = true;
    return EXIT_OK;
}

/* Open every partial, check that they go together, pick those of the
 * window, number their files globally and sum their headers into s->head.
 * *out gets the opened partials (free_srcs). */
static int prepare(struct scale *s, struct src **out, char *const *parts, size_t n,
                   const struct scale_opts *so)
{
    struct src *v = xcalloc(n ? n : 1, sizeof(*v));
    struct gfile *g = NULL;
    size_t ng = 0, capg = 0;
    char why[256];
    int status = EXIT_OK;

    memset(s, 0, sizeof(*s));
    *out = v;
    for (size_t i = 0; i < n; i++) {
        v[i].path = parts[i];
        v[i].r = partial_open(parts[i], &v[i].h);
        if (v[i].r == NULL)
            return EXIT_RUNTIME;
        if (i > 0 && !partial_compatible(&v[0].h, &v[i].h, so->window > 0, why, sizeof(why))) {
            msg_warn("merge: %s and %s cannot be merged: %s", parts[0], parts[i], why);
            return EXIT_USAGE;
        }
        v[i].use = true;
        if (so->window > 0 && (status = in_window(&v[i], so)) != EXIT_OK)
            return status;
        if (v[i].use)
            s->used++;
    }
    if (s->used == 0) {
        msg_warn("merge: no partial has events in the window; nothing published");
        return EXIT_RUNTIME;
    }
    for (size_t i = 0; i < n; i++) {
        if (!v[i].use)
            continue;
        for (size_t k = 0; k < v[i].h.nfiles; k++) {
            g = xgrow(g, &capg, ng + 1, sizeof(*g));
            g[ng++] = (struct gfile){ v[i].h.files[k].name, v[i].h.files[k].has_first,
                                      v[i].h.files[k].first_ts, i, k };
        }
    }
    if (ng > PARTIAL_MAX_FILES) {
        msg_warn("merge: more than %u inputs in all", PARTIAL_MAX_FILES);
        free(g);
        return EXIT_USAGE;
    }
    if (ng > 1)
        qsort(g, ng, sizeof(*g), cmp_name);
    for (size_t i = 1; i < ng; i++)
        if (strcmp(g[i - 1].name, g[i].name) == 0) {
            msg_warn("merge: %s was read into both %s and %s: its evidence would count "
                     "twice", g[i].name, v[g[i - 1].src].path, v[g[i].src].path);
            free(g);
            return EXIT_USAGE;
        }
    if (ng > 1)
        qsort(g, ng, sizeof(*g), cmp_order);

    struct partial_head *h = &s->head;
    const struct partial_head *h0 = NULL;
    h->files = xcalloc(ng ? ng : 1, sizeof(*h->files));
    s->names = xcalloc(ng ? ng : 1, sizeof(*s->names));
    h->nfiles = ng;
    for (size_t i = 0; i < n; i++)
        if (v[i].use)
            v[i].map = xcalloc(v[i].h.nfiles ? v[i].h.nfiles : 1, sizeof(*v[i].map));
    for (size_t i = 0; i < ng; i++) {
        struct partial_file *f = &v[g[i].src].h.files[g[i].local];
        h->files[i] = *f;
        h->files[i].name = s->names[i] = xstrdup(f->name);
        v[g[i].src].map[g[i].local] = (uint32_t)i;
    }
    free(g);
    for (size_t i = 0; i < n; i++) {
        const struct partial_head *p = &v[i].h;
        if (!v[i].use)
            continue;
        if (h0 == NULL) {
            h0 = p;
            h->version = PARTIAL_VERSION;
            h->flags = p->flags, h->year = p->year;
            memcpy(h->tz, p->tz, sizeof(h->tz));
            h->zones = p->zones;
            h->since = p->since, h->until = p->until;
        }
        /* Under a window the reading windows may differ: the widest. */
        if (h->since && (p->since == 0 || p->since < h->since))
            h->since = p->since;
        if (h->until && (p->until == 0 || p->until > h->until))
            h->until = p->until;
        struct partial_counts *c = &h->counts;
        c->files += p->counts.files, c->unreadable += p->counts.unreadable;
        c->damaged += p->counts.damaged, c->bytes += p->counts.bytes;
        c->dropped_lines += p->counts.dropped_lines;
        /* The examples of unmatched lines name files as the run would. */
        struct unknown_set *u = &v[i].h.counts.parse.unmatched;
        for (unsigned k = 0; k < u->n; k++)
            u->t[k].ex_file = v[i].map[u->t[k].ex_file];
        parse_stats_merge(&c->parse, &p->counts.parse);
    }
    parse_stats_sort(&h->counts.parse);      /* as the pipeline leaves them */
    return EXIT_OK;
}

static int load(struct src *v, size_t n, struct agg *a, struct outbound *ob)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].use && !partial_load(v[i].r, v[i].map, a, ob))
            return EXIT_RUNTIME;
    return EXIT_OK;
}

int scale_read(struct job *j, struct scale *s, char *const *parts, size_t n,
               const struct scale_opts *so)
{
    const struct job_opts *o = j->o;
    struct src *v = NULL;

    /* The abuse messages quote every raw line of each new source, found by
     * reading the logs a second time; partials carry no such lines, and a
     * merge that published without them would differ from the run. */
    if (j->contacts && j->policy.abuse.from[0]) {
        msg_error("merge: the abuse messages ([abuse] from with abuse contacts) quote "
                  "the logs' raw lines, which partials do not carry: write them with "
                  "'rblforge run', or merge with a configuration without [abuse] from");
        memset(s, 0, sizeof(*s));
        return EXIT_USAGE;
    }
    int status = prepare(s, &v, parts, n, so);

    if (status != EXIT_OK) {
        free_srcs(v, n);
        return status;
    }
    const struct partial_head *h = &s->head;
    if (j->reports && !(h->flags & PARTIAL_OUTBOUND)) {
        msg_warn("merge: the customer reports need partials scanned with --customers "
                 "(or [customers] map)");
        free_srcs(v, n);
        return EXIT_USAGE;
    }
    if (!partial_same_zones(&h->zones, &j->policy.agg)) {
        msg_warn("merge: the partials' lines were classified with other own zones "
                 "([policy] own_zones, zone) than this configuration's: scan with the "
                 "same configuration");
        free_srcs(v, n);
        return EXIT_USAGE;
    }
    if (j->state && !(h->flags & PARTIAL_INPUTS) && o->verbose)
        msg_info("merge: the partials hold no reading positions (scanned without --state); "
                 "the state keeps its listings only");
    j->t_read = clock_seconds(CLOCK_MONOTONIC);
    j->agg = agg_new((o->use & JOB_EVIDENCE_LINES) && (h->flags & PARTIAL_LINES));
    status = load(v, n, j->agg, j->reports ? j->rj.ob : NULL);
    free_srcs(v, n);
    if (status != EXIT_OK)
        return status;
    agg_settle(j->agg);         /* the queue-ID pairs the partials left open */
    j->files = s->names;
    j->nfiles = h->nfiles;
    memset(&j->st, 0, sizeof(j->st));
    j->st.parse = h->counts.parse;
    j->st.files = h->counts.files;
    j->st.unreadable = h->counts.unreadable;
    j->st.damaged = h->counts.damaged;
    j->st.bytes = h->counts.bytes;
    j->st.dropped_lines = h->counts.dropped_lines;
    if (j->state) {
        j->inputs = xcalloc(h->nfiles ? h->nfiles : 1, sizeof(*j->inputs));
        for (size_t i = 0; i < h->nfiles; i++)
            if (h->files[i].has_input)
                j->inputs[i] = h->files[i].in;
    }
    job_read_done(j);
    status = job_read_checks(j);
    if (status != EXIT_OK)
        return status;
    if (o->verbose)
        msg_info("merge: %zu of %zu partials, %zu inputs, %zu addresses", s->used, n,
                 h->nfiles, agg_count(j->agg));
    return EXIT_OK;
}

int scale_merge_partials(const char *out, char *const *parts, size_t n,
                         const struct scale_opts *so)
{
    struct scale s;
    struct src *v = NULL;
    int status = prepare(&s, &v, parts, n, so);

    if (status == EXIT_OK) {
        s.agg = agg_new((s.head.flags & PARTIAL_LINES) != 0);
        s.ob = (s.head.flags & PARTIAL_OUTBOUND) ? outbound_new() : NULL;
        status = load(v, n, s.agg, s.ob);
    }
    free_srcs(v, n);
    if (status == EXIT_OK && !partial_write(out, &s.head, s.agg, s.ob)) {
        msg_warn("%s: partial not written", out);
        status = EXIT_RUNTIME;
    }
    if (status == EXIT_OK && so->verbose)
        msg_info("merge: %zu of %zu partials, %zu inputs, %zu addresses into %s", s.used, n,
                 s.head.nfiles, agg_count(s.agg), out);
    scale_free(&s);
    return status;
}

void scale_free(struct scale *s)
{
    /* head.files[i].name are the names[] strings. */
    for (size_t i = 0; s->names && i < s->head.nfiles; i++)
        free(s->names[i]);
    free(s->names);
    free(s->head.files);
    agg_free(s->agg);
    outbound_free(s->ob);
    memset(s, 0, sizeof(*s));
}

bool scale_parse_window(const char *arg, int64_t *secs)
{
    int64_t v = 0;
    const char *p = arg;

    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_C(1) << 40))
            return false;
        v = v * 10 + (*p - '0');
    }
    int64_t unit = p[0] == 'd' ? 86400 : p[0] == 'h' ? 3600 : p[0] == 's' ? 1 : 0;
    if (unit == 0 || p[1] != 0 || v == 0)
        return false;
    *secs = v * unit;
    return true;
}
