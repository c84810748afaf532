/* Partial aggregate files: streamed, versioned, checksummed; see partial.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "partial.h"
#include "atomic.h"
#include "msg.h"
#include "xalloc.h"

static const char magic[8] = "RBLFPRT\n";
static const char trailer[4] = "END\n";

enum { BUF = 256 * 1024, NAME_MAX_LEN = 4095, STR_MAX_LEN = 65536 };

/* Record tags. */
enum {
    T_V6 = 1 << 0, T_RDNS = 1 << 1, T_RDNS_UNKNOWN = 1 << 2, T_EVIDENCE = 1 << 3,
};
/* Queue-record string presence bits (bit 6: same host as the record before). */
enum { S_ID = 1 << 0, S_A = 1 << 1, S_B = 1 << 2, S_C = 1 << 3, S_TEXT = 1 << 4,
       S_HOST = 1 << 5, S_SAME_HOST = 1 << 6, S_REMOTE = 1 << 7 };
/* The queue record's fourth byte: its raw line (version 3). */
enum { S_RAW = 1 << 0, S_RAW_CUT = 1 << 1 };

/* The checksum: a 64-bit multiply-xorshift over little-endian words, fed
 * in pieces of any length (the bytes of a word may arrive in two). Each
 * step is a bijection of the state for a given word, so a change confined
 * to one word always changes the sum. A word at a time: reading a partial
 * is bound by its bytes, and FNV's multiply per byte was a sixth of it. */
struct sum {
    uint64_t h, w;              /* w: the n bytes of a word not yet mixed */
    unsigned n;
};
#define SUM_START { 0x243f6a8885a308d3ULL, 0, 0 }

static inline void sum_mix(struct sum *s, uint64_t v)
{
    s->h = (s->h ^ v) * 0x9e3779b97f4a7c15ULL;
    s->h ^= s->h >> 29;
}

static void sum_add(struct sum *s, const unsigned char *p, size_t n)
{
    for (; n && s->n; p++, n--) {
        s->w |= (uint64_t)*p << (8 * s->n);
        if (++s->n == 8) {
            sum_mix(s, s->w);
            s->w = 0, s->n = 0;
        }
    }
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        sum_mix(s, v);
    }
    for (; n; p++, n--)
        s->w |= (uint64_t)*p << (8 * s->n++);
}

/* The sum of everything added; s is spent. */
static uint64_t sum_end(struct sum *s)
{
    sum_mix(s, s->w | (uint64_t)s->n << 56);
    return s->h;
}

static uint64_t zig(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzig(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- writing ---- */

struct w {
    struct afile *af;
    unsigned char *buf;
    size_t len;
    struct sum sum;
    uint32_t prev_v4;
    const char *prev_host;
};

static void w_flush(struct w *w)
{
    sum_add(&w->sum, w->buf, w->len);
    outbuf_write(afile_out(w->af), w->buf, w->len);
    w->len = 0;
}

static void w_bytes(struct w *w, const void *p, size_t n)
{
    while (n) {
        if (w->len == BUF)
            w_flush(w);
        size_t k = BUF - w->len < n ? BUF - w->len : n;
        memcpy(w->buf + w->len, p, k);
        w->len += k;
        p = (const char *)p + k;
        n -= k;
    }
}

static void w_u(struct w *w, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;

    do {
        b[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    if (BUF - w->len >= n) {
        memcpy(w->buf + w->len, b, n);
        w->len += n;
    } else {
        w_bytes(w, b, n);
    }
}

static void w_s(struct w *w, int64_t v)
{
    w_u(w, zig(v));
}

static void w_str(struct w *w, const char *s, size_t n)
{
    w_u(w, n);
    w_bytes(w, s, n);
}

static void w_ip(struct w *w, const struct ipaddr *ip)
{
    unsigned char f = (unsigned char)ip->family;

    w_bytes(w, &f, 1);
    if (ip->family == 4)
        w_bytes(w, ip->b, 4);
    else if (ip->family == 6)
        w_bytes(w, ip->b, 16);
}

/* A program table of parse_stats: the named slots, then "(other)". */
static void w_progs(struct w *w, const struct parse_prog_count *tab, unsigned n)
{
    if (n > PARSE_PROG_SLOTS - 1)
        n = PARSE_PROG_SLOTS - 1;
    w_u(w, n);
    for (unsigned i = 0; i < n; i++) {
        w_str(w, tab[i].name, strnlen(tab[i].name, PARSE_PROG_NAME - 1));
        w_u(w, tab[i].count);
    }
    w_u(w, tab[PARSE_PROG_SLOTS - 1].count);
}

static void w_counts(struct w *w, const struct partial_counts *c)
{
    const struct parse_stats *ps = &c->parse;
    const struct unknown_set *u = &ps->unmatched;

    w_u(w, c->files), w_u(w, c->unreadable), w_u(w, c->damaged);
    w_u(w, c->bytes), w_u(w, c->dropped_lines);
    w_u(w, ps->lines), w_u(w, ps->events), w_u(w, ps->no_header);
    w_u(w, ps->long_lines), w_u(w, ps->known_no_evidence);
    w_u(w, PF__COUNT);
    for (unsigned f = 0; f < PF__COUNT; f++)
        w_u(w, ps->fam_lines[f]), w_u(w, ps->fam_unmatched[f]);
    w_progs(w, ps->unrec, ps->nprog);
    w_progs(w, ps->foreign, ps->nforeign);
    w_u(w, u->n), w_u(w, u->overflow);
    for (unsigned i = 0; i < u->n; i++) {
        const struct unknown_tpl *t = &u->t[i];
        w_u(w, t->count), w_u(w, t->ex_file), w_u(w, t->ex_line);
        w_str(w, t->prog, t->nprog);
        w_str(w, t->tpl, t->ntpl);
        w_str(w, t->ex, t->nex);
    }
}

static void w_file(struct w *w, const struct partial_file *f, unsigned flags)
{
    w_str(w, f->name, strlen(f->name));
    w_u(w, f->has_first);
    if (f->has_first)
        w_s(w, f->first_ts);
    if (!(flags & PARTIAL_INPUTS))
        return;
    w_u(w, f->has_input);
    if (!f->has_input)
        return;
    const struct state_input *in = &f->in;
    w_u(w, in->dev), w_u(w, in->ino), w_u(w, in->size), w_u(w, in->hlen);
    w_u(w, in->hash), w_u(w, in->consumed), w_u(w, in->lines), w_s(w, in->seen);
    w_str(w, in->name, strnlen(in->name, sizeof(in->name) - 1));
}

struct period {
    bool has;
    int64_t first, last;
};

static void period_note(struct period *p, int64_t t)
{
    if (!p->has || t < p->first)
        p->first = t;
    if (!p->has || t > p->last)
        p->last = t;
    p->has = true;
}

static void period_agg(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    (void)ip;
    if (st->first)
        period_note(ctx, st->first);
    if (st->last)
        period_note(ctx, st->last);
}

static void period_ob(const struct ob_rec *r, void *ctx)
{
    if (r->ts)
        period_note(ctx, r->ts);
}

struct w_agg {
    struct w *w;
    const struct agg *a;
    bool lines;
};

static void w_rec(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    struct w_agg *x = ctx;
    struct w *w = x->w;
    struct agg_rec r;
    unsigned char tag = 0;

    agg_rec_get(x->a, st, &r);
    if (ip->family == 6)
        tag |= T_V6;
    if (r.rdns)
        tag |= T_RDNS;
    if (r.rdns_unknown)
        tag |= T_RDNS_UNKNOWN;
    if (r.ev_first_ts != INT64_MAX)
        tag |= T_EVIDENCE;
    w_bytes(w, &tag, 1);
    if (ip->family == 6) {
        w_bytes(w, ip->b, 16);
    } else {
        uint32_t k = ipaddr_v4(ip);
        w_u(w, k - w->prev_v4);         /* address order: ascending */
        w->prev_v4 = k;
    }
    w_u(w, r.mask);
    for (uint32_t m = r.mask; m; m &= m - 1)
        w_u(w, r.n[__builtin_ctz(m)]);
    w_u(w, r.first);
    w_u(w, r.last - (r.last >= r.first ? r.first : 0));
    if (tag & T_EVIDENCE) {
        w_s(w, r.ev_first_ts);
        w_s(w, r.ev_last_ts - r.ev_first_ts);
        if (x->lines) {
            w_u(w, r.ev_first.file), w_u(w, r.ev_first.line);
            w_u(w, r.ev_last.file), w_u(w, r.ev_last.line);
        }
    }
    if (r.rdns) {
        w_str(w, r.rdns, r.rdns_n);
        w_u(w, r.rdns_pos.file), w_u(w, r.rdns_pos.line);
    }
}

struct w_line {
    struct w *w;
    int64_t prev_ts;
};

static void w_qline(const struct agg_qline *q, void *ctx)
{
    struct w_line *x = ctx;
    unsigned char k[8];

    for (int i = 0; i < 8; i++)
        k[i] = (unsigned char)(q->key >> (8 * i));
    w_bytes(x->w, k, sizeof(k));
    w_s(x->w, q->ts - x->prev_ts);     /* agg_settle's order: by time */
    x->prev_ts = q->ts;
    w_u(x->w, q->pos.file), w_u(x->w, q->pos.line);
    w_ip(x->w, &q->ip);
}

static void w_ostr(struct w *w, const char *s)
{
    if (s)
        w_str(w, s, strlen(s));
}

static void w_obrec(const struct ob_rec *r, void *ctx)
{
    struct w *w = ctx;
    unsigned char h[4] = { r->kind, r->status, 0, 0 };

    h[2] |= r->id ? S_ID : 0;
    h[2] |= r->a ? S_A : 0;
    h[2] |= r->b ? S_B : 0;
    h[2] |= r->c ? S_C : 0;
    h[2] |= r->text ? S_TEXT : 0;
    h[2] |= r->remote ? S_REMOTE : 0;
    h[3] |= r->raw.p ? S_RAW : 0;
    h[3] |= r->raw.p && r->raw.cut ? S_RAW_CUT : 0;
    if (r->host && w->prev_host && strcmp(r->host, w->prev_host) == 0)
        h[2] |= S_SAME_HOST;
    else if (r->host)
        h[2] |= S_HOST;
    w_bytes(w, h, 4);
    w_u(w, r->file), w_u(w, r->line), w_s(w, r->ts), w_u(w, r->nrcpt);
    w_ip(w, &r->ip);
    if (h[2] & S_HOST)
        w_ostr(w, r->host);
    if (r->host)
        w->prev_host = r->host;
    w_ostr(w, r->id), w_ostr(w, r->a), w_ostr(w, r->b), w_ostr(w, r->c), w_ostr(w, r->text);
    if (r->raw.p)
        w_str(w, r->raw.p, r->raw.n);
}

static void count_ob(const struct ob_rec *r, void *ctx)
{
    (void)r;
    ++*(size_t *)ctx;
}

struct w_first {
    struct w *w;
    size_t n;
};

static void count_first(uint32_t file, uint64_t line, int64_t ts, void *ctx)
{
    (void)file, (void)line, (void)ts;
    ((struct w_first *)ctx)->n++;
}

static void w_first(uint32_t file, uint64_t line, int64_t ts, void *ctx)
{
    struct w *w = ((struct w_first *)ctx)->w;

    w_u(w, file), w_u(w, line), w_s(w, ts);
}

bool partial_write(const char *path, const struct partial_head *h, struct agg *a,
                   const struct outbound *ob)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    struct period per = { 0 };
    struct w w = { .sum = SUM_START };

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if (h->nfiles > PARTIAL_MAX_FILES || !!(h->flags & PARTIAL_LINES) != agg_keeps_lines(a)
        || !!(h->flags & PARTIAL_OUTBOUND) != (ob != NULL))
        msg_panic("partial_write: header and tables disagree");
    agg_walk(a, period_agg, &per);
    if (ob)
        outbound_each(ob, period_ob, &per);
    w.af = afile_open(dir, slash ? slash + 1 : path, 0644);
    if (w.af == NULL)
        return false;
    w.buf = xmalloc(BUF);
    w_bytes(&w, magic, sizeof(magic));
    w_u(&w, PARTIAL_VERSION);
    w_u(&w, h->flags);
    w_s(&w, h->year);
    w_str(&w, h->tz, strnlen(h->tz, sizeof(h->tz) - 1));
    w_u(&w, h->zones.nzones);
    for (unsigned i = 0; i < h->zones.nzones; i++)
        w_str(&w, h->zones.zone[i], strnlen(h->zones.zone[i], AGG_ZONE_LEN - 1));
    w_s(&w, h->since), w_s(&w, h->until);
    w_u(&w, per.has);
    if (per.has)
        w_s(&w, per.first), w_s(&w, per.last);
    w_u(&w, h->nfiles);
    for (size_t i = 0; i < h->nfiles; i++)
        w_file(&w, &h->files[i], h->flags);
    w_counts(&w, &h->counts);

    struct w_agg x = { &w, a, agg_keeps_lines(a) };
    w_u(&w, agg_count(a));
    agg_walk(a, w_rec, &x);
    struct w_line wl = { &w, 0 };
    w_u(&w, agg_open_lines(a, NULL, NULL));
    agg_open_lines(a, w_qline, &wl);
    if (ob) {
        size_t n = 0;
        struct w_first wf = { &w, 0 };
        outbound_each(ob, count_ob, &n);
        w_u(&w, n);
        outbound_each(ob, w_obrec, &w);
        outbound_each_first(ob, count_first, &wf);
        w_u(&w, wf.n);
        outbound_each_first(ob, w_first, &wf);
    }
    w_bytes(&w, trailer, sizeof(trailer));
    w_flush(&w);
    unsigned char sum[8];
    uint64_t total = sum_end(&w.sum);
    for (int i = 0; i < 8; i++)
        sum[i] = (unsigned char)(total >> (8 * i));
    outbuf_write(afile_out(w.af), sum, sizeof(sum));
    free(w.buf);
    if (!afile_finish(w.af)) {
        afile_abort(w.af);
        return false;
    }
    return afile_publish_all(&w.af, 1);
}

/* ---- reading ---- */

struct partial_reader {
    char *path;
    int fd;
    unsigned char *buf;
    size_t len, pos, hashed;    /* buf[hashed..pos) not yet in sum */
    struct sum sum;
    bool eof, bad;
    const char *why;            /* the first problem found */
    unsigned flags;
    size_t nfiles;
    char *str;                  /* string scratch (STR_MAX_LEN + 1) */
    char *host;                 /* the last queue record's host */
};

static void r_fail(struct partial_reader *r, const char *why)
{
    if (!r->bad)
        r->why = why;
    r->bad = true;
}

static bool r_fill(struct partial_reader *r)
{
    if (r->eof || r->bad)
        return false;
    sum_add(&r->sum, r->buf + r->hashed, r->pos - r->hashed);
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = r->hashed = 0;
    while (r->len < BUF) {
        ssize_t k = read(r->fd, r->buf + r->len, BUF - r->len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r_fail(r, strerror(errno));
            return false;
        }
        if (k == 0) {
            r->eof = true;
            break;
        }
        r->len += (size_t)k;
    }
    return r->len > 0;
}

static bool r_bytes(struct partial_reader *r, void *p, size_t n)
{
    while (n) {
        if (r->pos == r->len && !r_fill(r)) {
            r_fail(r, "cut short");
            memset(p, 0, n);
            return false;
        }
        size_t k = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(p, r->buf + r->pos, k);
        r->pos += k;
        p = (char *)p + k;
        n -= k;
    }
    return true;
}

static uint64_t r_u_slow(struct partial_reader *r)
{
    uint64_t v = 0;

    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->pos == r->len && !r_fill(r)) {
            r_fail(r, "cut short");
            return 0;
        }
        unsigned char b = r->buf[r->pos++];
        if (shift == 63 && (b & 0x7e)) {
            r_fail(r, "number out of range");
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r_fail(r, "number out of range");
    return 0;
}

/* A varint; the common case (ten bytes at hand) without refill checks. */
static inline uint64_t r_u(struct partial_reader *r)
{
    if (r->len - r->pos < 10)
        return r_u_slow(r);
    const unsigned char *p = r->buf + r->pos;
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (i == 9 && p[i] > 1)
                break;
            r->pos += i + 1;
            return v;
        }
    }
    r_fail(r, "number out of range");
    return 0;
}

/* A number that must be at most max. */
static uint64_t r_max(struct partial_reader *r, uint64_t max)
{
    uint64_t v = r_u(r);

    if (v > max) {
        r_fail(r, "value out of range");
        return 0;
    }
    return v;
}

static int64_t r_s(struct partial_reader *r)
{
    return unzig(r_u(r));
}

/* A string of at most max bytes into r->str (NUL-terminated); its length. */
static size_t r_str(struct partial_reader *r, size_t max)
{
    size_t n = (size_t)r_max(r, max);

    r_bytes(r, r->str, n);
    r->str[n] = 0;
    return n;
}

static void r_ip(struct partial_reader *r, struct ipaddr *ip)
{
    unsigned char f;

    memset(ip, 0, sizeof(*ip));
    r_bytes(r, &f, 1);
    if (f == 4)
        r_bytes(r, ip->b, 4);
    else if (f == 6)
        r_bytes(r, ip->b, 16);
    else if (f != 0)
        r_fail(r, "bad address family");
    ip->family = f;
}

static void r_progs(struct partial_reader *r, struct parse_prog_count *tab, unsigned *n)
{
    *n = (unsigned)r_max(r, PARSE_PROG_SLOTS - 1);
    for (unsigned i = 0; i < *n && !r->bad; i++) {
        size_t k = r_str(r, PARSE_PROG_NAME - 1);
        memcpy(tab[i].name, r->str, k + 1);
        tab[i].len = (uint8_t)k;
        tab[i].count = r_u(r);
        if (k == 0 || strlen(tab[i].name) != k)
            r_fail(r, "bad program name");
    }
    tab[PARSE_PROG_SLOTS - 1].count = r_u(r);
    if (tab[PARSE_PROG_SLOTS - 1].count) {
        memcpy(tab[PARSE_PROG_SLOTS - 1].name, "(other)", 8);
        tab[PARSE_PROG_SLOTS - 1].len = 7;
    }
}

/* The statistics; the examples' file indices are checked against the
 * partial's file table (read before them). */
static void r_counts(struct partial_reader *r, struct partial_counts *c, size_t nfiles)
{
    struct parse_stats *ps = &c->parse;
    struct unknown_set *u = &ps->unmatched;

    memset(c, 0, sizeof(*c));
    c->files = (uint32_t)r_max(r, UINT32_MAX);
    c->unreadable = (uint32_t)r_max(r, UINT32_MAX);
    c->damaged = (uint32_t)r_max(r, UINT32_MAX);
    c->bytes = r_u(r), c->dropped_lines = r_u(r);
    ps->lines = r_u(r), ps->events = r_u(r), ps->no_header = r_u(r);
    ps->long_lines = r_u(r), ps->known_no_evidence = r_u(r);
    if (r_u(r) != PF__COUNT)
        r_fail(r, "another list of program families");
    for (unsigned f = 0; f < PF__COUNT; f++)
        ps->fam_lines[f] = r_u(r), ps->fam_unmatched[f] = r_u(r);
    r_progs(r, ps->unrec, &ps->nprog);
    r_progs(r, ps->foreign, &ps->nforeign);
    u->n = (unsigned)r_max(r, UNKNOWN_SLOTS);
    u->overflow = r_u(r);
    for (unsigned i = 0; i < u->n && !r->bad; i++) {
        struct unknown_tpl *t = &u->t[i];
        t->count = r_u(r);
        t->ex_file = (uint32_t)r_max(r, nfiles ? nfiles - 1 : 0);
        t->ex_line = r_u(r);
        t->nprog = (uint8_t)r_str(r, UNKNOWN_PROG - 1);
        memcpy(t->prog, r->str, t->nprog);
        t->ntpl = (uint8_t)r_str(r, UNKNOWN_TPL - 1);
        memcpy(t->tpl, r->str, t->ntpl);
        t->nex = (uint8_t)r_str(r, UNKNOWN_EXAMPLE);
        memcpy(t->ex, r->str, t->nex);
        t->hash = unknown_hash(t->prog, t->nprog, t->tpl, t->ntpl);
        if (nfiles == 0)
            r_fail(r, "an example without an input");
    }
}

static void r_file(struct partial_reader *r, struct partial_file *f, unsigned flags)
{
    size_t n = r_str(r, NAME_MAX_LEN);

    f->name = xstrdup(r->str);
    if (n == 0 || strlen(f->name) != n)
        r_fail(r, "bad input name");
    f->has_first = r_max(r, 1);
    if (f->has_first)
        f->first_ts = r_s(r);
    if (!(flags & PARTIAL_INPUTS))
        return;
    f->has_input = r_max(r, 1);
    if (!f->has_input)
        return;
    struct state_input *in = &f->in;
    in->dev = r_u(r), in->ino = r_u(r), in->size = r_u(r);
    in->hlen = (uint32_t)r_max(r, STATE_HEAD_BLOCK);
    in->hash = r_u(r), in->consumed = r_u(r), in->lines = r_u(r), in->seen = r_s(r);
    n = r_str(r, sizeof(in->name) - 1);
    memcpy(in->name, r->str, n + 1);
}

struct partial_reader *partial_open(const char *path, struct partial_head *h)
{
    struct partial_reader *r = xcalloc(1, sizeof(*r));
    char m[sizeof(magic)];

    memset(h, 0, sizeof(*h));
    r->path = xstrdup(path);
    r->sum = (struct sum)SUM_START;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        partial_close(r);
        return NULL;
    }
    r->buf = xmalloc(BUF);
    r->str = xmalloc(STR_MAX_LEN + 1);
    r_bytes(r, m, sizeof(m));
    if (r->bad || memcmp(m, magic, sizeof(m)) != 0) {
        msg_warn("%s: not an rblforge partial (rblforge scan --partial writes them)", path);
        partial_close(r);
        return NULL;
    }
    h->version = (unsigned)r_max(r, UINT32_MAX);
    if (h->version != PARTIAL_VERSION) {
        msg_warn("%s: partial format version %u; this rblforge reads version %d: scan "
                 "the logs again with this version", path, h->version, PARTIAL_VERSION);
        partial_close(r);
        return NULL;
    }
    h->flags = (unsigned)r_max(r, PARTIAL_OUTBOUND | PARTIAL_LINES | PARTIAL_INPUTS);
    h->year = (int)r_s(r);
    size_t n = r_str(r, sizeof(h->tz) - 1);
    memcpy(h->tz, r->str, n + 1);
    h->zones.nzones = (unsigned)r_max(r, AGG_ZONES_MAX);
    for (unsigned i = 0; i < h->zones.nzones; i++) {
        n = r_str(r, AGG_ZONE_LEN - 1);
        memcpy(h->zones.zone[i], r->str, n + 1);
    }
    h->since = r_s(r), h->until = r_s(r);
    h->has_period = r_max(r, 1);
    if (h->has_period)
        h->period_first = r_s(r), h->period_last = r_s(r);
    h->nfiles = (size_t)r_max(r, PARTIAL_MAX_FILES);
    /* Grown as names arrive: a damaged count cannot ask for much memory. */
    size_t cap = 0;
    for (size_t i = 0; i < h->nfiles && !r->bad; i++) {
        h->files = xgrow(h->files, &cap, i + 1, sizeof(*h->files));
        memset(&h->files[i], 0, sizeof(h->files[i]));
        r_file(r, &h->files[i], h->flags);
        if (r->bad)
            h->nfiles = i + 1;
    }
    if (!r->bad)
        r_counts(r, &h->counts, h->nfiles);
    if (r->bad) {
        msg_warn("%s: damaged partial (header: %s)", path, r->why);
        partial_head_free(h);
        partial_close(r);
        return NULL;
    }
    r->flags = h->flags;
    r->nfiles = h->nfiles;
    return r;
}

static uint32_t r_file_index(struct partial_reader *r, const uint32_t *map)
{
    uint64_t f = r_u(r);

    if (f >= r->nfiles) {
        r_fail(r, "file index out of range");
        return 0;
    }
    return map[f];
}

/* One address's record (after the previous one at *v4, unless first);
 * its name, if any, into rdns. */
static void read_rec(struct partial_reader *r, const uint32_t *map, bool first, uint32_t *v4,
                     struct ipaddr *ip, struct agg_rec *rec, char rdns[256])
{
    bool lines = r->flags & PARTIAL_LINES;
    unsigned char tag;

    memset(rec, 0, sizeof(*rec));
    r_bytes(r, &tag, 1);
    if (tag & ~(T_V6 | T_RDNS | T_RDNS_UNKNOWN | T_EVIDENCE))
        r_fail(r, "bad record");
    memset(ip, 0, sizeof(*ip));
    if (tag & T_V6) {
        ip->family = 6;
        r_bytes(r, ip->b, 16);
    } else {
        uint64_t d = r_max(r, UINT32_MAX);
        if (!first && (d == 0 || d > UINT32_MAX - *v4))
            r_fail(r, "addresses out of order");
        *v4 += (uint32_t)d;
        ipaddr_set_v4(ip, *v4);
    }
    rec->mask = (uint32_t)r_max(r, (UINT64_C(1) << AC__COUNT) - 1);
    for (uint32_t m = rec->mask; m; m &= m - 1)
        rec->n[__builtin_ctz(m)] = (uint32_t)r_max(r, UINT32_MAX);
    rec->first = (uint32_t)r_max(r, UINT32_MAX);
    uint64_t dl = r_max(r, UINT32_MAX);
    rec->last = (uint32_t)(rec->first + dl);
    if (dl > UINT32_MAX - rec->first)
        r_fail(r, "bad time");
    rec->ev_first_ts = INT64_MAX, rec->ev_last_ts = INT64_MIN;
    if (tag & T_EVIDENCE) {
        rec->ev_first_ts = r_s(r);
        int64_t d = r_s(r);
        if (d < 0 || rec->ev_first_ts > INT64_MAX - d || rec->ev_first_ts == INT64_MAX)
            r_fail(r, "bad evidence time");
        rec->ev_last_ts = rec->ev_first_ts + (d < 0 ? 0 : d);
        if (lines) {
            rec->ev_first.file = r_file_index(r, map);
            rec->ev_first.line = r_max(r, (UINT64_C(1) << 44) - 1);
            rec->ev_last.file = r_file_index(r, map);
            rec->ev_last.line = r_max(r, (UINT64_C(1) << 44) - 1);
        }
    }
    rec->rdns_unknown = (tag & T_RDNS_UNKNOWN) != 0;
    if (tag & T_RDNS) {
        size_t k = (size_t)r_max(r, 255);
        r_bytes(r, rdns, k);
        rdns[k] = 0;
        rec->rdns = rdns;
        rec->rdns_n = strlen(rdns);
        rec->rdns_pos.file = r_file_index(r, map);
        rec->rdns_pos.line = r_max(r, (UINT64_C(1) << 44) - 1);
        if (rec->rdns_n == 0)
            r_fail(r, "empty name");
    }
}

/* The records are read a batch ahead of putting them, and their places
 * in the table fetched meanwhile: a partial's addresses come in order,
 * which the table's hash scatters, and a table of millions waited for
 * memory at every put (a 30-partial merge of 1 M addresses each took
 * 9.4-11 s against 6.1 s with Judy's index, which the order suited). */
enum { LOAD_BATCH = 16 };

static bool load_agg(struct partial_reader *r, const uint32_t *map, struct agg *a)
{
    uint64_t n = r_u(r);
    uint32_t v4 = 0;
    struct agg_rec rec[LOAD_BATCH];
    struct ipaddr ip[LOAD_BATCH];
    char rdns[LOAD_BATCH][256];

    for (uint64_t i = 0; i < n && !r->bad;) {
        size_t k = 0;
        for (; k < LOAD_BATCH && i < n && !r->bad; k++, i++) {
            read_rec(r, map, i == 0, &v4, &ip[k], &rec[k], rdns[k]);
            agg_prefetch(a, &ip[k]);
        }
        /* A bad record stops the load before it is put. */
        for (size_t j = 0; j < k && !(r->bad && j == k - 1); j++)
            agg_put(a, &ip[j], &rec[j]);
    }
    return !r->bad;
}

static bool load_lines(struct partial_reader *r, const uint32_t *map, struct agg *a)
{
    uint64_t n = r_u(r);
    int64_t ts = 0;

    for (uint64_t i = 0; i < n && !r->bad; i++) {
        struct agg_qline q;
        unsigned char k[8];

        memset(&q, 0, sizeof(q));
        r_bytes(r, k, sizeof(k));
        for (int b = 0; b < 8; b++)
            q.key |= (uint64_t)k[b] << (8 * b);
        int64_t d = r_s(r);
        if (i > 0 && (d < 0 || ts > INT64_MAX - d))
            r_fail(r, "queue lines out of order");
        else
            ts = i > 0 ? ts + d : d;    /* the first from 0: any stamp */
        q.ts = ts;
        q.pos.file = r_file_index(r, map);
        q.pos.line = r_max(r, (UINT64_C(1) << 44) - 1);
        r_ip(r, &q.ip);
        if (!r->bad)
            agg_put_line(a, &q);
    }
    return !r->bad;
}

/* An optional string of a queue record, copied (the collector copies it
 * again into its own space: the scratch is reused per string). */
static char *r_ostr(struct partial_reader *r, bool present, char **slot)
{
    if (!present)
        return NULL;
    size_t n = r_str(r, STR_MAX_LEN);
    *slot = xrealloc(*slot, n + 1);
    memcpy(*slot, r->str, n + 1);
    return *slot;
}

static bool load_ob(struct partial_reader *r, const uint32_t *map, struct outbound *ob)
{
    uint64_t n = r_u(r);
    char *s[5] = { 0 };
    bool have_host = false;

    for (uint64_t i = 0; i < n && !r->bad; i++) {
        unsigned char h[4];
        struct ob_rec rec;

        memset(&rec, 0, sizeof(rec));
        r_bytes(r, h, 4);
        rec.kind = h[0], rec.status = h[1];
        rec.remote = (h[2] & S_REMOTE) != 0;
        rec.file = r_file_index(r, map);
        rec.line = r_u(r);
        rec.ts = r_s(r);
        rec.nrcpt = (uint32_t)r_max(r, UINT32_MAX);
        r_ip(r, &rec.ip);
        if (h[2] & S_HOST) {
            size_t k = r_str(r, STR_MAX_LEN);
            r->host = xrealloc(r->host, k + 1);
            memcpy(r->host, r->str, k + 1);
            have_host = true;
        } else if ((h[2] & S_SAME_HOST) && !have_host) {
            r_fail(r, "bad queue record");
        }
        rec.host = (h[2] & (S_HOST | S_SAME_HOST)) ? r->host : NULL;
        rec.id = r_ostr(r, h[2] & S_ID, &s[0]);
        rec.a = r_ostr(r, h[2] & S_A, &s[1]);
        rec.b = r_ostr(r, h[2] & S_B, &s[2]);
        rec.c = r_ostr(r, h[2] & S_C, &s[3]);
        rec.text = r_ostr(r, h[2] & S_TEXT, &s[4]);
        if (h[3] & ~(S_RAW | S_RAW_CUT))
            r_fail(r, "bad queue record");
        if (h[3] & S_RAW) {
            size_t k = r_str(r, OB_RAW_MAX);
            rec.raw = (struct ob_raw){ r->str, (uint32_t)k, (h[3] & S_RAW_CUT) != 0 };
        }
        if (!r->bad && ob && !outbound_put(ob, &rec))
            r_fail(r, "bad queue record");
    }
    for (int i = 0; i < 5; i++)
        free(s[i]);
    uint64_t nf = r_u(r);
    for (uint64_t i = 0; i < nf && !r->bad; i++) {
        uint32_t f = r_file_index(r, map);
        uint64_t line = r_u(r);
        int64_t ts = r_s(r);
        if (line == 0)
            r_fail(r, "bad first line");
        if (!r->bad && ob)
            outbound_put_first(ob, f, line, ts);
    }
    return !r->bad;
}

bool partial_load(struct partial_reader *r, const uint32_t *map, struct agg *a,
                  struct outbound *ob)
{
    char t[sizeof(trailer)];
    unsigned char sum[8];
    uint64_t want = 0;

    load_agg(r, map, a);
    load_lines(r, map, a);
    if (r->flags & PARTIAL_OUTBOUND)
        load_ob(r, map, ob);
    r_bytes(r, t, sizeof(t));
    if (!r->bad && memcmp(t, trailer, sizeof(t)) != 0)
        r_fail(r, "no end mark where expected");
    sum_add(&r->sum, r->buf + r->hashed, r->pos - r->hashed);
    r->hashed = r->pos;
    uint64_t have = sum_end(&r->sum);
    r_bytes(r, sum, sizeof(sum));
    for (int i = 0; i < 8; i++)
        want |= (uint64_t)sum[i] << (8 * i);
    if (!r->bad && want != have)
        r_fail(r, "checksum mismatch");
    if (!r->bad && (r->pos < r->len || (!r->eof && r_fill(r))))
        r_fail(r, "data after the checksum");
    if (r->bad) {
        msg_warn("%s: damaged partial (%s); scan its logs again", r->path, r->why);
        return false;
    }
    return true;
}

void partial_close(struct partial_reader *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r->path);
    free(r->buf);
    free(r->str);
    free(r->host);
    free(r);
}

void partial_head_free(struct partial_head *h)
{
    for (size_t i = 0; h->files && i < h->nfiles; i++)
        free(h->files[i].name);
    free(h->files);
    h->files = NULL;
    h->nfiles = 0;
}

bool partial_compatible(const struct partial_head *a, const struct partial_head *b,
                        bool window, char *why, size_t n)
{
    static const struct {
        unsigned flag;
        const char *what;
    } fl[] = {
        { PARTIAL_OUTBOUND, "customer records (--customers / [customers] map)" },
        { PARTIAL_LINES, "evidence lines" },
        { PARTIAL_INPUTS, "reading positions (--state)" },
    };

    for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
        if ((a->flags & fl[i].flag) != (b->flags & fl[i].flag)) {
            snprintf(why, n, "one has %s, the other not", fl[i].what);
            return false;
        }
    if (a->year != b->year) {
        snprintf(why, n, "--year %d against --year %d", a->year, b->year);
        return false;
    }
    if (strcmp(a->tz, b->tz) != 0) {
        snprintf(why, n, "time zone \"%s\" against \"%s\"", a->tz, b->tz);
        return false;
    }
    if (!partial_same_zones(&a->zones, &b->zones)) {
        snprintf(why, n, "own zones %s against %s ([policy] own_zones, zone)",
                 a->zones.nzones ? a->zones.zone[0] : "(none)",
                 b->zones.nzones ? b->zones.zone[0] : "(none)");
        return false;
    }
    if (!window && (a->since != b->since || a->until != b->until)) {
        snprintf(why, n, "reading window [%lld, %lld) against [%lld, %lld) "
                 "(--since/--until, [policy] window)", (long long)a->since,
                 (long long)a->until, (long long)b->since, (long long)b->until);
        return false;
    }
    return true;
}

bool partial_same_zones(const struct agg_conf *a, const struct agg_conf *b)
{
    if (a->nzones != b->nzones)
        return false;
    for (unsigned i = 0; i < a->nzones; i++)
        if (strcmp(a->zone[i], b->zone[i]) != 0)
            return false;
    return true;
}
