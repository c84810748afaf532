/* The state file across nightly runs; see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "state.h"
#include "atomic.h"
#include "arena.h"
#include "msg.h"
#include "xalloc.h"

#define STATE_MAGIC "rblforge-state 1\n"
enum { INPUT_KEEP_DAYS = 30, MAX_STATE_BYTES = 1 << 30 };

struct entry {
    struct state_entry e;
    bool touched;               /* matched by this run's decisions */
};

struct state {
    struct entry *v;
    size_t n, cap;
    bool sorted;
    struct state_input *in;
    size_t nin, incap;
    struct arena notes;         /* the entries' notes: few have one */
};

struct state *state_new(void)
{
    struct state *s = xcalloc(1, sizeof(*s));

    s->sorted = true;
    arena_init(&s->notes);
    return s;
}

void state_free(struct state *s)
{
    if (s == NULL)
        return;
    free(s->v);
    free(s->in);
    arena_free(&s->notes);
    free(s);
}

size_t state_count(const struct state *s)
{
    return s->n;
}

int64_t state_newest(const struct state *s)
{
    int64_t t = INT64_MIN;

    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].e.last > t)
            t = s->v[i].e.last;
    return t;
}

uint64_t state_hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static int cmp_entry(const void *a, const void *b)
{
    return ipprefix_cmp(&((const struct entry *)a)->e.pfx, &((const struct entry *)b)->e.pfx);
}

static void sort_entries(struct state *s)
{
    if (!s->sorted && s->n)
        qsort(s->v, s->n, sizeof(*s->v), cmp_entry);
    s->sorted = true;
}

/* Search the first n entries, which must be sorted. */
static struct entry *find_in(struct state *s, const struct ipprefix *pfx, size_t n)
{
    struct entry key = { .e.pfx = *pfx };

    return n ? bsearch(&key, s->v, n, sizeof(*s->v), cmp_entry) : NULL;
}

static struct entry *find(struct state *s, const struct ipprefix *pfx)
{
    sort_entries(s);
    return find_in(s, pfx, s->n);
}

const struct state_entry *state_find(const struct state *s, const struct ipprefix *pfx)
{
    struct entry *e = find((struct state *)s, pfx);

    return e ? &e->e : NULL;
}

static struct entry *add_entry(struct state *s, const struct ipprefix *pfx)
{
    s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
    struct entry *e = &s->v[s->n++];
    memset(e, 0, sizeof(*e));
    e->e.pfx = *pfx;
    e->e.first = INT64_MAX;
    e->e.last = INT64_MIN;
    e->e.note = "";
    s->sorted = false;
    return e;
}

/* Notes and names go into a tab-separated line: printable ASCII only. */
static void sanitize(char *dst, size_t cap, const char *src)
{
    size_t i = 0;

    for (; src && src[i] && i + 1 < cap; i++)
        dst[i] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '\\' ? src[i] : '?';
    dst[i] = 0;
}

/* src sanitised as a note, kept in s; "" for none. */
static const char *note_of(struct state *s, const char *src)
{
    char buf[128];

    sanitize(buf, sizeof(buf), src);
    return buf[0] ? arena_strndup(&s->notes, buf, strlen(buf)) : "";
}

/* ---- reading ---- */

static bool num_i64(const char *f, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(f, &end, 10);

    if (errno || end == f || *end)
        return false;
    *out = v;
    return true;
}

static bool num_u64(const char *f, uint64_t *out, int base)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(f, &end, base);

    if (errno || end == f || *end || *f == '-')
        return false;
    *out = v;
    return true;
}

/* Splits line in place at tabs; returns the number of fields. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;

    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

static bool parse_line(struct state *s, char *line)
{
    char *f[12];
    size_t nf = split(line, f, 12);
    uint64_t u[8];
    int64_t t[4];

    if (strcmp(f[0], "E") == 0 && nf == 9) {
        struct ipprefix pfx;
        double score;
        char *end;
        int c = policy_cause_lookup(f[5], strlen(f[5]));
        if (!ipprefix_parse(span_make(f[1], strlen(f[1])), &pfx, false) || c < 0
            || !num_i64(f[2], &t[0]) || !num_i64(f[3], &t[1]) || !num_i64(f[6], &t[2])
            || !num_i64(f[7], &t[3]))
            return false;
        score = strtod(f[4], &end);
        if (end == f[4] || *end)
            return false;
        struct entry *e = add_entry(s, &pfx);
        e->e.first = t[0], e->e.last = t[1], e->e.score = score, e->e.cause = c;
        e->e.listed_until = t[2], e->e.removed_at = t[3];
        e->e.note = note_of(s, f[8]);
        return true;
    }
    if (strcmp(f[0], "F") == 0 && nf == 10) {
        struct state_input in = { 0 };
        if (!num_u64(f[1], &u[0], 10) || !num_u64(f[2], &u[1], 10) || !num_u64(f[3], &u[2], 10)
            || !num_u64(f[4], &u[3], 10) || u[3] > STATE_HEAD_BLOCK
            || !num_u64(f[5], &u[4], 16) || !num_u64(f[6], &u[5], 10)
            || !num_u64(f[7], &u[6], 10) || !num_i64(f[8], &t[0]))
            return false;
        in.dev = u[0], in.ino = u[1], in.size = u[2], in.hlen = (uint32_t)u[3];
        in.hash = u[4], in.consumed = u[5], in.lines = u[6], in.seen = t[0];
        sanitize(in.name, sizeof(in.name), f[9]);
        s->in = xgrow(s->in, &s->incap, s->nin + 1, sizeof(*s->in));
        s->in[s->nin++] = in;
        return true;
    }
    return false;
}

bool state_load(struct state *s, const char *path)
{
    FILE *fp = fopen(path, "rb");

    if (fp == NULL) {
        if (errno == ENOENT)
            return true;        /* the first run */
        msg_warn("%s: cannot open state file: %s", path, strerror(errno));
        return false;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0, r;
    do {
        buf = xgrow(buf, &cap, n + 65536, 1);
        r = fread(buf + n, 1, cap - n - 1, fp);
        n += r;
    } while (r > 0 && n < MAX_STATE_BYTES);
    bool rerr = ferror(fp);
    fclose(fp);
    buf[n] = 0;
    bool ok = false;
    if (rerr) {
        msg_warn("%s: read error", path);
        goto out;
    }
    if (n < sizeof(STATE_MAGIC) - 1 || memcmp(buf, STATE_MAGIC, sizeof(STATE_MAGIC) - 1)) {
        msg_warn("%s:1: not an rblforge state file of version 1", path);
        goto out;
    }
    /* The last line: "end\t<lines>\t<fnv64 of everything before it>". */
    if (n < 2 || buf[n - 1] != '\n') {
        msg_warn("%s: truncated state file (no end line); refusing it", path);
        goto out;
    }
    char *endl = buf + n - 1;
    while (endl > buf && endl[-1] != '\n')
        endl--;
    uint64_t want, nlines;
    char *f[4];
    uint64_t got = state_hash(buf, (size_t)(endl - buf));
    buf[n - 1] = 0;
    if (split(endl, f, 4) != 3 || strcmp(f[0], "end") || !num_u64(f[1], &nlines, 10)
        || !num_u64(f[2], &want, 16) || want != got) {
        msg_warn("%s: checksum mismatch or damaged end line; refusing the state file", path);
        goto out;
    }
    unsigned long lineno = 1;
    char *p = buf + sizeof(STATE_MAGIC) - 1;
    while (p < endl) {
        char *nl = memchr(p, '\n', (size_t)(endl - p));
        *nl = 0;
        lineno++;
        if (*p != '#' && !parse_line(s, p)) {
            msg_warn("%s:%lu: bad state record", path, lineno);
            goto out;
        }
        p = nl + 1;
    }
    if (lineno - 1 != nlines) {
        msg_warn("%s: %lu records, the end line says %" PRIu64, path, lineno - 1, nlines);
        goto out;
    }
    ok = true;
out:
    free(buf);
    return ok;
}

/* ---- writing ---- */

struct sbuf {
    char *p;
    size_t n, cap;
    unsigned lines;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;

    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->p = xgrow(b->p, &b->cap, b->n + (size_t)(k > 0 ? k : 0) + 4096, 1);
    }
}

bool state_save(const struct state *cs, const char *path)
{
    struct state *s = (struct state *)cs;
    struct sbuf b = { 0 };
    char ip[IPPREFIX_STRLEN];
    int64_t newest = INT64_MIN;

    b.p = xgrow(NULL, &b.cap, 65536, 1);
    sb_printf(&b, "%s", STATE_MAGIC);
    sort_entries(s);
    for (size_t i = 0; i < s->n; i++) {
        const struct state_entry *e = &s->v[i].e;
        sb_printf(&b, "E\t%s\t%" PRId64 "\t%" PRId64 "\t%.17g\t%s\t%" PRId64 "\t%" PRId64 "\t%s\n",
                  ipprefix_format(&e->pfx, ip), e->first, e->last, e->score,
                  policy_cause_name(e->cause), e->listed_until, e->removed_at, e->note);
        b.lines++;
    }
    for (size_t i = 0; i < s->nin; i++)
        if (s->in[i].seen > newest)
            newest = s->in[i].seen;
    for (size_t i = 0; i < s->nin; i++) {
        const struct state_input *in = &s->in[i];
        /* Inputs not seen for a month are gone (logrotate deleted them). */
        if (in->seen < newest - INPUT_KEEP_DAYS * 86400)
            continue;
        sb_printf(&b, "F\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%u\t%016" PRIx64 "\t%" PRIu64
                  "\t%" PRIu64 "\t%" PRId64 "\t%s\n", in->dev, in->ino, in->size, in->hlen,
                  in->hash, in->consumed, in->lines, in->seen, in->name);
        b.lines++;
    }
    sb_printf(&b, "end\t%u\t%016" PRIx64 "\n", b.lines, state_hash(b.p, b.n));

    /* The temporary next to the file, renamed over it (util/atomic.c). */
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : path;
    if (slash == dir)
        dir[1] = 0;             /* "/state": the root directory */
    else if (slash)
        *slash = 0;
    struct afile *af = afile_open(slash ? dir : ".", name, 0600);
    bool ok = af != NULL;
    if (ok) {
        outbuf_write(afile_out(af), b.p, b.n);
        if (afile_finish(af)) {
            ok = afile_publish_all(&af, 1);
        } else {
            afile_abort(af);
            ok = false;
        }
    }
    free(dir);
    free(b.p);
    return ok;
}

/* ---- inputs ---- */

static bool head_matches(const struct state_input *r, const char *head, size_t headlen)
{
    return r->hlen <= headlen && state_hash(head, r->hlen) == r->hash;
}

void state_input_resume(const struct state *s, uint64_t dev, uint64_t ino,
                        const char *head, size_t headlen,
                        uint64_t *skip_bytes, uint64_t *skip_lines)
{
    const struct state_input *best = NULL;

    *skip_bytes = *skip_lines = 0;
    for (size_t i = 0; i < s->nin; i++) {
        const struct state_input *r = &s->in[i];
        if (r->hlen == 0 || !head_matches(r, head, headlen))
            continue;
        /* Same inode first (the file grew or was renamed); otherwise the
         * longest read of the same content (a compressed copy). */
        bool same = r->dev == dev && r->ino == ino;
        bool best_same = best && best->dev == dev && best->ino == ino;
        if (best == NULL || (same && !best_same)
            || (same == best_same && r->consumed > best->consumed))
            best = r;
    }
    if (best) {
        *skip_bytes = best->consumed;
        *skip_lines = best->lines;
    }
}

void state_input_done(struct state *s, const struct state_input *in)
{
    size_t w = 0;

    for (size_t r = 0; r < s->nin; r++) {
        const struct state_input *o = &s->in[r];
        bool replaced = (o->dev == in->dev && o->ino == in->ino)
            || (o->hlen == in->hlen && o->hash == in->hash && o->consumed <= in->consumed);
        if (!replaced)
            s->in[w++] = *o;
    }
    s->nin = w;
    s->in = xgrow(s->in, &s->incap, s->nin + 1, sizeof(*s->in));
    s->in[s->nin] = *in;
    sanitize(s->in[s->nin].name, sizeof(s->in[s->nin].name), in->name);
    s->nin++;
}

/* ---- listings ---- */

/* How strong new evidence is against the plain thresholds (not the
 * rDNS-lowered bar): a removal by hand is undone only by evidence that
 * would list a named server relist_factor times over. */
static double strength(const struct listing *l, const struct policy *p)
{
    double sp = l->d.score / p->threshold, a = l->d.auth_score / p->auth_threshold;

    return sp > a ? sp : a;
}

void state_apply(struct state *s, struct listings *l, const struct policy *p,
                 struct cidrset *allow, int64_t now)
{
    size_t w = 0, n = l->n;

    sort_entries(s);
    /* New entries go after the n0 sorted ones and are sorted in at the
     * end: one sort, not one per new entry. The listings are unique, so
     * a new entry is never looked up again in this loop. */
    size_t n0 = s->n;
    for (size_t i = 0; i < s->n; i++)
        s->v[i].touched = false;
    for (size_t i = 0; i < n; i++) {
        struct listing e = l->v[i];
        if (e.flags & LF_DENY) {
            l->v[w++] = e;
            continue;
        }
        struct entry *se = find_in(s, &e.pfx, n0);
        if (se && se->e.removed_at) {
            if (strength(&e, p) < p->relist_factor) {
                se->touched = true;
                l->held++;
                continue;       /* stays off */
            }
            se->e.removed_at = 0;
            se->e.note = "";
        }
        if (se == NULL) {
            se = add_entry(s, &e.pfx);
            e.flags |= LF_NEW;
        } else if (se->e.listed_until <= now) {
            e.flags |= LF_NEW;
        }
        if (e.flags & LF_NEW)
            l->added++;
        if (e.first < se->e.first)
            se->e.first = e.first;
        if (e.last != INT64_MIN && e.last > se->e.last)
            se->e.last = e.last;
        se->e.score = e.d.score;
        se->e.cause = e.d.cause;
        int64_t base = se->e.last != INT64_MIN ? se->e.last : now;
        se->e.listed_until = base + p->expiry;
        se->touched = true;
        e.first = se->e.first;
        e.expires = se->e.listed_until;
        l->v[w++] = e;
    }
    l->n = w;
    /* The entries without new evidence: carried while their time lasts. */
    size_t keep = 0;
    sort_entries(s);
    for (size_t i = 0; i < s->n; i++) {
        struct entry *se = &s->v[i];
        if (se->touched || se->e.removed_at) {
            s->v[keep++] = *se;
            continue;
        }
        if (allow && cidrset_overlaps(allow, &se->e.pfx)) {
            l->expired++;       /* allowlisted since: gone for good */
            continue;
        }
        if (se->e.listed_until > now) {
            struct listing c = { .pfx = se->e.pfx, .first = se->e.first, .last = se->e.last,
                                 .expires = se->e.listed_until, .flags = LF_STATE };
            c.d.cause = se->e.cause;
            c.d.score = se->e.score;
            c.d.rdns = RDNS_NONE;
            listings_push(l, &c);
            l->carried++;
            s->v[keep++] = *se;
        } else {
            l->expired++;
        }
    }
    s->n = keep;
    listings_sort(l);
}

void state_remove(struct state *s, const struct ipprefix *pfx, int64_t now, const char *note)
{
    struct entry *e = find(s, pfx);

    if (e == NULL)
        e = add_entry(s, pfx);
    e->e.removed_at = now;
    e->e.listed_until = 0;
    e->e.note = note_of(s, note && *note ? note : "removed by hand");
}
