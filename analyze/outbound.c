/* Queue-event records, their chronological order and the queue-ID join;
 * see outbound.h. */
#include <stdlib.h>
#include <string.h>
#include "outbound.h"
#include "arena.h"
#include "xalloc.h"

enum rec_kind {
    RK_CLIENT, RK_PICKUP, RK_QUEUED, RK_DELIVERY, RK_REMOVED, RK_EXPIRED,
    RK_QINFO, RK_QSTART, RK_QDELIV, RK_QEND,
};

/* One queue event. Which strings are set depends on the kind:
 *   CLIENT  ip, a = sasl user        PICKUP  a = from, b = uid
 *   QUEUED  a = from, nrcpt          DELIVERY a = to, b = relay, c = dsn, text
 *   QINFO   a = from, b = uid        QSTART  a = to, c = delivery number
 *   QDELIV  id = delivery number, b = relay, c = dsn, text */
struct rec {
    uint64_t line;
    int64_t ts;
    uint32_t file;
    uint32_t nrcpt;
    uint8_t kind, status;
    bool remote;
    struct ipaddr ip;
    const char *host, *id, *a, *b, *c, *text;
    const char *chost;          /* CLIENT: the logged client host name */
    struct ob_raw raw;
};

struct file_first {
    uint64_t line;              /* 0: no stamped event seen */
    int64_t ts;
};

/* Records live in fixed blocks: no copying as they grow, and a merge
 * moves block pointers. */
enum { REC_BLOCK = 4096 };
struct rec_block {
    struct rec *v;
    size_t n;
};

struct outbound {
    struct rec_block *blk;
    size_t nblk, capblk;
    size_t n;                   /* records in all blocks */
    struct arena *arenas;       /* [0] is ours; merged collectors' follow */
    size_t narenas;
    struct file_first *ff;
    size_t nff;
    char *pool;                 /* unaligned string space in arenas[0] */
    size_t pool_left;
    const char *last_host;      /* the syslog host is nearly always the same */
    size_t last_host_n;
    /* After the join. */
    struct ob_msg *msgs;
    size_t nmsgs;
    struct ob_delivery *dv;
    uint32_t *rank;             /* by file index */
    size_t nrank;
};

struct outbound *outbound_new(void)
{
    struct outbound *ob = xcalloc(1, sizeof(*ob));

    ob->arenas = xcalloc(1, sizeof(*ob->arenas));
    ob->narenas = 1;
    arena_init(&ob->arenas[0]);
    return ob;
}

/* A NUL-terminated copy, packed without the arena's alignment padding. */
static const char *pool_copy(struct outbound *ob, const char *p, size_t n)
{
    enum { POOL_BLOCK = 16000 };

    if (n + 1 > ob->pool_left) {
        if (n + 1 > POOL_BLOCK / 4)
            return arena_strndup(&ob->arenas[0], p, n);
        ob->pool = arena_alloc(&ob->arenas[0], POOL_BLOCK);
        ob->pool_left = POOL_BLOCK;
    }
    char *d = ob->pool;
    memcpy(d, p, n);
    d[n] = 0;
    ob->pool += n + 1;
    ob->pool_left -= n + 1;
    return d;
}

static const char *copy(struct outbound *ob, struct span s)
{
    return s.p ? pool_copy(ob, s.p, s.n) : NULL;
}

/* At most OB_TEXT_MAX bytes, not cutting a UTF-8 sequence. */
static const char *copy_text(struct outbound *ob, struct span s)
{
    if (s.p == NULL)
        return NULL;
    if (s.n > OB_TEXT_MAX) {
        s.n = OB_TEXT_MAX;
        while (s.n > 0 && ((unsigned char)s.p[s.n] & 0xc0) == 0x80)
            s.n--;
    }
    return pool_copy(ob, s.p, s.n);
}

/* The line as logged, at most OB_RAW_MAX bytes, not cutting a UTF-8
 * sequence; into the pool like the fields (no allocation of its own). */
static struct ob_raw copy_raw(struct outbound *ob, struct span s)
{
    struct ob_raw r = { NULL, 0, false };

    if (s.p == NULL)
        return r;
    if (s.n > OB_RAW_MAX) {
        r.cut = true;
        s.n = OB_RAW_MAX;
        while (s.n > 0 && ((unsigned char)s.p[s.n] & 0xc0) == 0x80)
            s.n--;
    }
    r.p = pool_copy(ob, s.p, s.n);
    r.n = (uint32_t)s.n;
    return r;
}

static const char *copy_host(struct outbound *ob, struct span s)
{
    if (s.p == NULL)
        s = SPAN_LIT("");
    if (ob->last_host && ob->last_host_n == s.n && memcmp(ob->last_host, s.p, s.n) == 0)
        return ob->last_host;
    ob->last_host = pool_copy(ob, s.p, s.n);
    ob->last_host_n = s.n;
    return ob->last_host;
}

static void note_first(struct outbound *ob, const struct event *ev)
{
    if (!ev->has_ts)
        return;
    if (ev->file_index >= ob->nff) {
        size_t n = ev->file_index + 1;
        ob->ff = xrealloc(ob->ff, n * sizeof(*ob->ff));
        memset(ob->ff + ob->nff, 0, (n - ob->nff) * sizeof(*ob->ff));
        ob->nff = n;
    }
    struct file_first *f = &ob->ff[ev->file_index];
    if (f->line == 0 || ev->line < f->line)
        f->line = ev->line, f->ts = ev->ts;
}

/* The last component of "postfix/submission/smtp". */
static struct span service(struct span prog)
{
    long sl = span_rchr(prog, '/');
    return sl >= 0 ? span_skip(prog, (size_t)sl + 1) : prog;
}

/* "host[addr]:port": the host name (or the address when the name is
 * "unknown" or empty); remote unless "none" or a loopback address (a
 * content filter on the same machine). */
static void relay_fields(struct outbound *ob, struct span relay, struct rec *r)
{
    if (relay.p == NULL || relay.n == 0 || span_eq_lit(relay, "none")) {
        r->b = NULL;
        r->remote = false;
        return;
    }
    long lb = span_chr(relay, '[');
    struct span host = lb >= 0 ? span_make(relay.p, (size_t)lb) : relay;
    if (lb >= 0) {
        struct span rest = span_skip(relay, (size_t)lb + 1);
        long rb = span_chr(rest, ']');
        struct ipaddr ip;
        if (rb > 0 && ipaddr_parse(span_make(rest.p, (size_t)rb), &ip)) {
            if ((ip.family == 4 && ip.b[0] == 127)
                || (ip.family == 6 && ipaddr_v6_hi(&ip) == 0 && ipaddr_v6_lo(&ip) == 1))
                r->remote = false;
            if (host.n == 0 || span_eq_lit(host, "unknown"))
                host = span_make(rest.p, (size_t)rb);
        }
    }
    r->b = copy(ob, host);
}

static enum ob_status postfix_status(struct span s)
{
    if (span_eq_lit(s, "sent"))
        return OB_SENT;
    if (span_eq_lit(s, "bounced"))
        return OB_BOUNCED;
    if (span_eq_lit(s, "deferred"))
        return OB_DEFERRED;
    return OB_OTHER;
}

static struct rec *push(struct outbound *ob, const struct event *ev, enum rec_kind k,
                        struct span id)
{
    if (ob->nblk == 0 || ob->blk[ob->nblk - 1].n == REC_BLOCK) {
        ob->blk = xgrow(ob->blk, &ob->capblk, ob->nblk + 1, sizeof(*ob->blk));
        ob->blk[ob->nblk++] = (struct rec_block){ xmalloc(REC_BLOCK * sizeof(struct rec)), 0 };
    }
    struct rec_block *b = &ob->blk[ob->nblk - 1];
    struct rec *r = &b->v[b->n++];
    ob->n++;
    memset(r, 0, sizeof(*r));
    r->line = ev->line;
    r->ts = ev->has_ts ? ev->ts : 0;
    r->file = ev->file_index;
    r->kind = (uint8_t)k;
    r->host = copy_host(ob, ev->host);
    r->id = copy(ob, id);
    return r;
}

void outbound_add(struct outbound *ob, const struct event *ev)
{
    struct rec *r;

    note_first(ob, ev);
    switch (ev->type) {
    case EV_CLIENT:
        if (!ev->qid.p)
            return;
        r = push(ob, ev, RK_CLIENT, ev->qid);
        r->ip = ev->ip;
        r->a = ev->sasl_user.n ? copy(ob, ev->sasl_user) : NULL;
        if (!ev->rdns_unknown && ev->rdns.n && !span_eq_lit(ev->rdns, "unknown"))
            r->chost = copy_text(ob, ev->rdns);
        r->raw = copy_raw(ob, ev->logline);
        return;
    case EV_PICKUP:
        if (!ev->qid.p)
            return;
        r = push(ob, ev, RK_PICKUP, ev->qid);
        r->a = copy(ob, ev->from);
        r->b = copy(ob, ev->uid);
        r->raw = copy_raw(ob, ev->logline);
        return;
    case EV_QUEUED:
        if (!ev->qid.p)
            return;
        r = push(ob, ev, RK_QUEUED, ev->qid);
        r->a = copy(ob, ev->from);
        {
            uint64_t v = 0;
            for (size_t i = 0; i < ev->nrcpt.n && i < 9; i++)
                if (ev->nrcpt.p[i] >= '0' && ev->nrcpt.p[i] <= '9')
                    v = v * 10 + (uint64_t)(ev->nrcpt.p[i] - '0');
            r->nrcpt = (uint32_t)v;
        }
        return;
    case EV_DELIVERY:
        if (!ev->qid.p)
            return;
        r = push(ob, ev, RK_DELIVERY, ev->qid);
        r->a = copy(ob, ev->to.p ? ev->to : SPAN_LIT(""));
        r->status = (uint8_t)postfix_status(ev->status);
        r->remote = span_eq_lit(service(ev->prog), "smtp");
        relay_fields(ob, ev->relay, r);
        r->c = copy(ob, ev->dsn);
        if (r->status != OB_SENT) {
            r->text = copy_text(ob, ev->text);
            r->raw = copy_raw(ob, ev->logline);
        }
        return;
    case EV_REMOVED:
    case EV_EXPIRED:
        if (!ev->qid.p)
            return;
        push(ob, ev, ev->type == EV_REMOVED ? RK_REMOVED : RK_EXPIRED, ev->qid);
        return;
    case EV_QMAIL_INFO:
        r = push(ob, ev, RK_QINFO, ev->msg);
        r->a = copy(ob, ev->from);
        r->b = copy(ob, ev->uid);
        r->raw = copy_raw(ob, ev->logline);
        return;
    case EV_QMAIL_START:
        r = push(ob, ev, RK_QSTART, ev->msg);
        r->a = copy(ob, ev->to.p ? ev->to : SPAN_LIT(""));
        r->c = copy(ob, ev->delivery);
        r->remote = span_eq_lit(ev->relay, "remote");
        return;
    case EV_QMAIL_DELIVERY:
        r = push(ob, ev, RK_QDELIV, ev->delivery);
        r->status = span_eq_lit(ev->status, "success") ? OB_SENT
            : span_eq_lit(ev->status, "failure") ? OB_BOUNCED
            : span_eq_lit(ev->status, "deferral") ? OB_DEFERRED : OB_OTHER;
        r->b = copy(ob, ev->relay);
        r->c = copy(ob, ev->dsn);
        /* qmail's text lives in the event's scratch buffer: copied here. */
        if (r->status != OB_SENT) {
            r->text = copy_text(ob, ev->text);
            r->raw = copy_raw(ob, ev->logline);
        }
        return;
    case EV_QMAIL_END:
        push(ob, ev, RK_QEND, ev->msg);
        return;
    default:
        return;
    }
}

void outbound_merge(struct outbound *dst, struct outbound *src)
{
    if (src->nblk) {
        /* dst's last block, if not full, stays the one push() fills. */
        dst->blk = xgrow(dst->blk, &dst->capblk, dst->nblk + src->nblk, sizeof(*dst->blk));
        if (dst->nblk && dst->blk[dst->nblk - 1].n < REC_BLOCK) {
            struct rec_block last = dst->blk[dst->nblk - 1];
            memcpy(dst->blk + dst->nblk - 1, src->blk, src->nblk * sizeof(*src->blk));
            dst->blk[dst->nblk - 1 + src->nblk] = last;
        } else {
            memcpy(dst->blk + dst->nblk, src->blk, src->nblk * sizeof(*src->blk));
        }
        dst->nblk += src->nblk;
        dst->n += src->n;
        src->nblk = 0;
    }
    dst->arenas = xrealloc(dst->arenas, (dst->narenas + src->narenas) * sizeof(*dst->arenas));
    for (size_t i = 0; i < src->narenas; i++)
        dst->arenas[dst->narenas++] = src->arenas[i];
    src->narenas = 1;
    arena_init(&src->arenas[0]);
    src->n = 0;
    src->last_host = NULL;
    src->pool = NULL;
    src->pool_left = 0;
    for (size_t i = 0; i < src->nff; i++) {
        struct event e;
        if (src->ff[i].line == 0)
            continue;
        e.has_ts = true;
        e.file_index = (uint32_t)i;
        e.line = src->ff[i].line;
        e.ts = src->ff[i].ts;
        note_first(dst, &e);
    }
}

/* ---- ordering ---- */

static const uint32_t *sort_rank;

static int cmp_rec(const void *x, const void *y)
{
    const struct rec *a = *(const struct rec *const *)x, *b = *(const struct rec *const *)y;
    uint32_t ra = sort_rank[a->file], rb = sort_rank[b->file];

    if (ra != rb)
        return ra < rb ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static const struct file_first *sort_ff;
static size_t sort_nff;

static int cmp_file(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    bool ha = a < sort_nff && sort_ff[a].line, hb = b < sort_nff && sort_ff[b].line;

    /* Files with a stamp first, by their first stamp; then command-line order. */
    if (ha != hb)
        return ha ? -1 : 1;
    if (ha && sort_ff[a].ts != sort_ff[b].ts)
        return sort_ff[a].ts < sort_ff[b].ts ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void build_rank(struct outbound *ob)
{
    uint32_t nfiles = (uint32_t)ob->nff;

    for (size_t b = 0; b < ob->nblk; b++)
        for (size_t i = 0; i < ob->blk[b].n; i++)
            if (ob->blk[b].v[i].file >= nfiles)
                nfiles = ob->blk[b].v[i].file + 1;
    uint32_t *order = xcalloc(nfiles ? nfiles : 1, sizeof(*order));
    for (uint32_t i = 0; i < nfiles; i++)
        order[i] = i;
    sort_ff = ob->ff, sort_nff = ob->nff;
    if (nfiles > 1)
        qsort(order, nfiles, sizeof(*order), cmp_file);
    ob->rank = xcalloc(nfiles ? nfiles : 1, sizeof(*ob->rank));
    ob->nrank = nfiles;
    for (uint32_t i = 0; i < nfiles; i++)
        ob->rank[order[i]] = i;
    free(order);
}

uint32_t outbound_file_rank(const struct outbound *ob, uint32_t file)
{
    return file < ob->nrank ? ob->rank[file] : file;
}

/* ---- the join: open queue IDs in an open-addressing table ---- */

struct slot {
    const char *host, *id;
    char ns;                    /* 'P' Postfix qid, 'Q' qmail msg, 'D' qmail delivery */
    long val;                   /* open message (or start record) index, -1 if closed */
};

struct table {
    struct slot *s;
    size_t cap, used;
};

static uint64_t hash_key(const char *host, char ns, const char *id)
{
    uint64_t h = 1469598103934665603ULL ^ (unsigned char)ns;

    for (const char *p = host; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static struct slot *lookup(struct table *t, const char *host, char ns, const char *id)
{
    if (t->used * 2 >= t->cap) {
        struct table nt = { xcalloc(t->cap ? t->cap * 2 : 1024, sizeof(struct slot)),
                            t->cap ? t->cap * 2 : 1024, 0 };
        for (size_t i = 0; i < t->cap; i++)
            if (t->s[i].id) {
                struct slot *d = lookup(&nt, t->s[i].host, t->s[i].ns, t->s[i].id);
                *d = t->s[i];
            }
        free(t->s);
        *t = nt;
    }
    size_t i = (size_t)(hash_key(host, ns, id) & (t->cap - 1));
    for (;; i = (i + 1) & (t->cap - 1)) {
        struct slot *s = &t->s[i];
        if (s->id == NULL) {
            s->host = host, s->id = id, s->ns = ns, s->val = -1;
            t->used++;
            return s;
        }
        if (s->ns == ns && strcmp(s->id, id) == 0 && strcmp(s->host, host) == 0)
            return s;
    }
}

struct join {
    struct outbound *ob;
    struct ob_msg *m;
    size_t nm, capm;
    struct ob_delivery *d;
    size_t *dmsg;               /* message of each attempt */
    size_t nd, capd, capdm;
};

static size_t new_msg(struct join *j, const struct rec *r, bool started)
{
    j->m = xgrow(j->m, &j->capm, j->nm + 1, sizeof(*j->m));
    struct ob_msg *m = &j->m[j->nm];
    memset(m, 0, sizeof(*m));
    m->qid = r->kind == RK_QDELIV ? "" : r->id;
    m->ts = r->ts;
    m->file = r->file;
    m->line = r->line;
    m->started = started;
    m->raw = r->raw;
    return j->nm++;
}

/* The open message of (host, ns, id), or a new one started by r. */
static size_t open_msg(struct join *j, struct table *t, const struct rec *r, char ns,
                       bool starts)
{
    struct slot *s = lookup(t, r->host, ns, r->id);

    if (starts || s->val < 0)
        s->val = (long)new_msg(j, r, starts);
    return (size_t)s->val;
}

static void add_attempt(struct join *j, size_t msg, const struct rec *r, const char *to,
                        bool remote)
{
    j->d = xgrow(j->d, &j->capd, j->nd + 1, sizeof(*j->d));
    j->dmsg = xgrow(j->dmsg, &j->capdm, j->nd + 1, sizeof(*j->dmsg));
    struct ob_delivery *d = &j->d[j->nd];
    d->to = to ? to : "";
    d->relay = r->b;
    d->dsn = r->c;
    d->text = r->text;
    d->raw = r->raw;
    d->ts = r->ts;
    d->line = r->line;
    d->file = r->file;
    d->status = r->status;
    d->remote = remote;
    j->dmsg[j->nd++] = msg;
}

static void close_msg(struct table *t, const struct rec *r, char ns)
{
    lookup(t, r->host, ns, r->id)->val = -1;
}

/* Every record, in (file rank, line) order: pointers, records are ~130
 * bytes. The caller frees the array. */
static struct rec **order_records(struct outbound *ob)
{
    struct rec **ord = xmalloc((ob->n ? ob->n : 1) * sizeof(*ord));
    size_t no = 0;

    build_rank(ob);
    sort_rank = ob->rank;
    for (size_t b = 0; b < ob->nblk; b++)
        for (size_t i = 0; i < ob->blk[b].n; i++)
            ord[no++] = &ob->blk[b].v[i];
    if (ob->n > 1)
        qsort(ord, ob->n, sizeof(*ord), cmp_rec);
    return ord;
}

/* qmail "delivery D: ...": the attempt of the message whose "starting
 * delivery D" record the delivery number points at. */
static void qmail_delivery(struct join *j, struct table *t, struct table *qd,
                           struct rec *const *ord, const struct rec *r)
{
    struct slot *s = lookup(qd, r->host, 'D', r->id);
    size_t m;

    if (s->val < 0) {
        m = new_msg(j, r, false);
        add_attempt(j, m, r, NULL, false);
        return;
    }
    const struct rec *st = ord[s->val];
    struct slot *ms = lookup(t, st->host, 'Q', st->id);
    m = ms->val >= 0 ? (size_t)ms->val : new_msg(j, st, false);
    if (ms->val < 0)
        ms->val = (long)m;
    add_attempt(j, m, r, st->a, st->remote);
    s->val = -1;
}

/* Record i (in order) into the messages. */
static void join_record(struct join *j, struct table *t, struct table *qd,
                        struct rec *const *ord, size_t i)
{
    const struct rec *r = ord[i];
    size_t m;

    switch (r->kind) {
    case RK_CLIENT:
        m = open_msg(j, t, r, 'P', true);
        j->m[m].ip = r->ip;
        j->m[m].sasl_user = r->a;
        j->m[m].client_host = r->chost;
        break;
    case RK_PICKUP:
        m = open_msg(j, t, r, 'P', true);
        j->m[m].uid = r->b;
        if (r->a)
            j->m[m].from = r->a;
        break;
    case RK_QUEUED:
        m = open_msg(j, t, r, 'P', false);
        if (r->a)
            j->m[m].from = r->a;
        if (r->nrcpt)
            j->m[m].nrcpt = r->nrcpt;
        break;
    case RK_DELIVERY:
        m = open_msg(j, t, r, 'P', false);
        add_attempt(j, m, r, r->a, r->remote);
        break;
    case RK_EXPIRED:
        m = open_msg(j, t, r, 'P', false);
        j->m[m].expired = true;
        break;
    case RK_REMOVED:
        close_msg(t, r, 'P');
        break;
    case RK_QINFO:
        m = open_msg(j, t, r, 'Q', true);
        j->m[m].from = r->a;
        j->m[m].uid = r->b;
        break;
    case RK_QSTART:
        if (r->c == NULL)
            break;
        open_msg(j, t, r, 'Q', false);
        /* The delivery number points at this start record. */
        lookup(qd, r->host, 'D', r->c)->val = (long)i;
        break;
    case RK_QDELIV:
        qmail_delivery(j, t, qd, ord, r);
        break;
    case RK_QEND:
        close_msg(t, r, 'Q');
        break;
    }
}

/* Attempts grouped by message, each group in log order, into ob. */
static void group_attempts(struct outbound *ob, struct join *j)
{
    size_t *start = xcalloc(j->nm + 1, sizeof(*start));
    for (size_t i = 0; i < j->nd; i++)
        start[j->dmsg[i] + 1]++;
    for (size_t i = 0; i < j->nm; i++)
        start[i + 1] += start[i];
    ob->dv = xmalloc((j->nd ? j->nd : 1) * sizeof(*ob->dv));
    size_t *fill = xmalloc((j->nm + 1) * sizeof(*fill));
    memcpy(fill, start, (j->nm + 1) * sizeof(*fill));
    for (size_t i = 0; i < j->nd; i++)
        ob->dv[fill[j->dmsg[i]]++] = j->d[i];
    for (size_t i = 0; i < j->nm; i++) {
        j->m[i].d = ob->dv + start[i];
        j->m[i].nd = start[i + 1] - start[i];
    }
    ob->msgs = j->m;
    ob->nmsgs = j->nm;
    free(fill);
    free(start);
}

void outbound_join(struct outbound *ob)
{
    struct table t = { 0 }, qd = { 0 };
    struct join j = { .ob = ob };
    struct rec **ord = order_records(ob);

    for (size_t i = 0; i < ob->n; i++)
        join_record(&j, &t, &qd, ord, i);
    group_attempts(ob, &j);
    free(ord);
    /* The records are spent: messages point into the arenas only. */
    for (size_t b = 0; b < ob->nblk; b++)
        free(ob->blk[b].v);
    free(ob->blk);
    ob->blk = NULL;
    ob->nblk = ob->capblk = ob->n = 0;
    free(j.d);
    free(j.dmsg);
    free(t.s);
    free(qd.s);
}

size_t outbound_count(const struct outbound *ob)
{
    return ob->nmsgs;
}

const struct ob_msg *outbound_msg(const struct outbound *ob, size_t i)
{
    return &ob->msgs[i];
}

bool outbound_is_outbound(const struct ob_msg *m)
{
    if (m->sasl_user || m->uid)
        return true;
    for (size_t i = 0; i < m->nd; i++)
        if (m->d[i].remote)
            return true;
    return false;
}

const char *outbound_status_name(enum ob_status s)
{
    static const char *const names[] = { "sent", "bounced", "deferred", "other" };
    return (unsigned)s <= OB_OTHER ? names[s] : "other";
}

/* ---- records in and out (partial files) ---- */

void outbound_each(const struct outbound *ob, outbound_rec_fn *fn, void *ctx)
{
    struct ob_rec o;

    for (size_t b = 0; b < ob->nblk; b++)
        for (size_t i = 0; i < ob->blk[b].n; i++) {
            const struct rec *r = &ob->blk[b].v[i];
            o = (struct ob_rec){ r->line, r->ts, r->file, r->nrcpt, r->kind, r->status,
                                 r->remote, r->ip, r->host, r->id, r->a, r->b, r->c,
                                 r->text, r->raw };
            fn(&o, ctx);
        }
}

void outbound_each_first(const struct outbound *ob, outbound_first_fn *fn, void *ctx)
{
    for (size_t i = 0; i < ob->nff; i++)
        if (ob->ff[i].line)
            fn((uint32_t)i, ob->ff[i].line, ob->ff[i].ts, ctx);
}

static const char *copy_str(struct outbound *ob, const char *s)
{
    return s ? pool_copy(ob, s, strlen(s)) : NULL;
}

bool outbound_put(struct outbound *ob, const struct ob_rec *o)
{
    struct event ev;

    if (o->kind > RK_QEND || o->status > OB_OTHER)
        return false;
    memset(&ev, 0, sizeof(ev));
    ev.line = o->line;
    ev.has_ts = true;
    ev.ts = o->ts;
    ev.file_index = o->file;
    ev.host = o->host ? span_make(o->host, strlen(o->host)) : SPAN_LIT("");
    struct rec *r = push(ob, &ev, (enum rec_kind)o->kind,
                         o->id ? span_make(o->id, strlen(o->id)) : SPAN_NULL);
    r->nrcpt = o->nrcpt;
    r->status = o->status;
    r->remote = o->remote;
    r->ip = o->ip;
    r->a = copy_str(ob, o->a);
    r->b = copy_str(ob, o->b);
    r->c = copy_str(ob, o->c);
    r->text = copy_str(ob, o->text);
    if (o->raw.p && o->raw.n <= OB_RAW_MAX) {
        r->raw.p = pool_copy(ob, o->raw.p, o->raw.n);
        r->raw.n = o->raw.n;
        r->raw.cut = o->raw.cut;
    }
    return true;
}

void outbound_put_first(struct outbound *ob, uint32_t file, uint64_t line, int64_t ts)
{
    struct event e;

    memset(&e, 0, sizeof(e));
    e.has_ts = true;
    e.file_index = file;
    e.line = line;
    e.ts = ts;
    note_first(ob, &e);
}

void outbound_free(struct outbound *ob)
{
    if (ob == NULL)
        return;
    for (size_t i = 0; i < ob->narenas; i++)
        arena_free(&ob->arenas[i]);
    free(ob->arenas);
    for (size_t b = 0; b < ob->nblk; b++)
        free(ob->blk[b].v);
    free(ob->blk);
    free(ob->ff);
    free(ob->msgs);
    free(ob->dv);
    free(ob->rank);
    free(ob);
}
