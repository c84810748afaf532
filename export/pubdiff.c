/* The diff against the previous publication; see pubdiff.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pubdiff.h"
#include "hugemem.h"
#include "msg.h"
#include "xalloc.h"

/* An entry as integers, 20 bytes: the address as four big-endian words
 * (IPv4 in the first), so that comparing words follows ipaddr_cmp. */
struct pubdiff_key {
    uint32_t w[4];
    uint8_t family, len, cause;
};

/* A line of listings.csv has 30-odd columns: 60 bytes at the least,
 * 160 on average on the bench file. The reservation stops at 16M keys
 * (320 MB of address space, touched only as filled). */
enum { READ_BUF = 128 * 1024, TYPICAL_LINE = 64, RESERVE_MAX = 1 << 24 };

static struct pubdiff_key key_of(const struct ipprefix *p, unsigned cause)
{
    struct pubdiff_key k = { { 0 }, p->addr.family, p->len, (uint8_t)cause };

    for (int i = 0; i < (p->addr.family == 4 ? 1 : 4); i++) {
        const uint8_t *b = p->addr.b + 4 * i;
        k.w[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    }
    return k;
}

/* policy_cause_name writes "none" for a cause out of range. */
static unsigned cause_of(const struct listing *e)
{
    return (unsigned)e->d.cause < CAUSE__COUNT ? (unsigned)e->d.cause : CAUSE_NONE;
}

static struct pubdiff_key key_of_listing(const struct listing *e)
{
    return key_of(&e->pfx, cause_of(e));
}

/* Prefix order as listings_sort has it: address, then length. */
static int cmp_prefix(const struct pubdiff_key *a, const struct pubdiff_key *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (int i = 0; i < 4; i++)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

static int cmp_key(const void *a, const void *b)
{
    const struct pubdiff_key *x = a, *y = b;
    int c = cmp_prefix(x, y);

    return c ? c : (x->cause > y->cause) - (x->cause < y->cause);
}

/* p[0..n) as ipprefix_text writes an IPv4 entry: a dotted quad (the
 * strict one of ipaddr_parse_v4), then "/len" below 32, no leading zero,
 * with no host bits set. True for that text only, so that the slow path
 * below decides everything else. */
static bool canonical_v4(const char *p, size_t n, uint32_t *w, uint8_t *len)
{
    const char *slash = memchr(p, '/', n);
    size_t an = slash ? (size_t)(slash - p) : n;
    unsigned l = 32;

    if (!ipaddr_parse_v4(span_make(p, an), w))
        return false;
    if (slash) {
        size_t k = n - an - 1;  /* the length's digits */
        if (k < 1 || k > 2 || (k == 2 && slash[1] == '0'))
            return false;
        l = 0;
        for (size_t i = 1; i <= k; i++) {
            if (slash[i] < '0' || slash[i] > '9')
                return false;
            l = l * 10 + (unsigned)(slash[i] - '0');
        }
        if (l > 31 || (l ? *w << l : *w) != 0)
            return false;
    }
    *len = (uint8_t)l;
    return true;
}

/* The key of p[0..n) ("prefix,cause"), if the text is exactly what an
 * entry of that prefix and cause renders to. Anything else ("IPv6:",
 * upper case, "/32", a hand edit) never equals a current entry. */
static bool key_parse(const char *p, size_t n, struct pubdiff_key *k)
{
    size_t an = (size_t)((const char *)memchr(p, ',', n) - p);
    struct ipprefix x;
    char t[IPPREFIX_STRLEN];
    uint32_t w;
    uint8_t len;

    /* Most entries are IPv4: read those without rendering them back. */
    if (canonical_v4(p, an, &w, &len)) {
        int c = policy_cause_lookup(p + an + 1, n - an - 1);
        if (c < 0)
            return false;
        *k = (struct pubdiff_key){ { w, 0, 0, 0 }, 4, len, (uint8_t)c };
        return true;
    }
    if (!ipprefix_parse(span_make(p, an), &x, false) || ipprefix_text(&x, t) != an
        || memcmp(t, p, an) != 0)
        return false;
    int c = policy_cause_lookup(p + an + 1, n - an - 1);
    if (c < 0)
        return false;
    *k = key_of(&x, (unsigned)c);
    return true;
}

/* The text of p and cause, "prefix,cause", in b; returns its length. */
static size_t text_of(const struct ipprefix *p, unsigned cause, char b[PUBDIFF_TEXT_MAX])
{
    size_t n = ipprefix_text(p, b);
    const char *name = policy_cause_name((enum cause)cause);
    size_t nn = strlen(name);
    b[n++] = ',';
    memcpy(b + n, name, nn);    /* names are a few letters */
    return n + nn;
}

/* The text of k. */
static size_t text_key(const struct pubdiff_key *k, char b[PUBDIFF_TEXT_MAX])
{
    struct ipprefix p;

    memset(&p, 0, sizeof(p));
    p.addr.family = k->family;
    p.len = k->len;
    for (int i = 0; i < 16; i++)
        p.addr.b[i] = (uint8_t)(k->w[i / 4] >> (24 - 8 * (i % 4)));
    return text_of(&p, k->cause, b);
}

/* Appends p[0..n) and a NUL to the junk text, and where it starts. */
static void junk_add(struct pubdiff *d, const char *p, size_t n)
{
    d->junk_at = xgrow(d->junk_at, &d->junk_at_cap, d->njunk + 1, sizeof(*d->junk_at));
    d->junk_at[d->njunk++] = d->junk_len;
    d->junk = hugemem_grow(d->junk, &d->junk_cap, d->junk_len + n + 1, 1);
    memcpy(d->junk + d->junk_len, p, n);
    d->junk[d->junk_len + n] = 0;
    d->junk_len += n + 1;
}

/* A line's key into *k (true), or the line to the junk (false). */
static bool add_key(struct pubdiff *d, const char *p, size_t n, struct pubdiff_key *k)
{
    d->prev++;
    if (key_parse(p, n, k))
        return true;
    junk_add(d, p, n);
    return false;
}

/* A line's key is the text before its second comma, if both come before
 * the line's end or a NUL byte. Returns the key's length, 0 for a line
 * without one, -1 if the line may go on past end. */
static long line_key(const char *p, const char *end, bool complete)
{
    const char *c1 = memchr(p, ',', (size_t)(end - p));
    const char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(end - c1 - 1)) : NULL;

    /* A NUL is looked for before the key's end only, not in the whole
     * line (a line is 160 bytes, a key 20). */
    if (c2)
        return memchr(p, 0, (size_t)(c2 - p)) ? 0 : c2 - p;
    return complete || memchr(p, 0, (size_t)(end - p)) ? 0 : -1;
}

/* The previous listings.csv read through a fixed buffer, a key at a
 * time: the comparison streams it instead of holding every key. */
struct pubdiff_reader {
    int fd;
    char *buf;
    size_t cap;
    const char *p, *end;        /* what is read and not yet taken */
    bool skip;                  /* to the next newline: the header first */
    bool eof;
};

static void reader_start(struct pubdiff_reader *r)
{
    r->p = r->end = r->buf;
    r->skip = true;
    r->eof = false;
}

bool pubdiff_read_previous(struct pubdiff *d, const char *outdir)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/listings.csv", outdir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct pubdiff_reader *r = xcalloc(1, sizeof(*r));
    r->fd = fd;
    r->cap = READ_BUF;
    r->buf = xmalloc(r->cap);
    reader_start(r);
    d->reader = r;
    return true;
}

/* The next line's key into *k; lines without one go to the junk. False
 * at the end: a read error ends the file early, as at its end, and a
 * line still open at the end has no key (else it would have been taken
 * already). */
static bool next_key(struct pubdiff *d, struct pubdiff_key *k)
{
    struct pubdiff_reader *r = d->reader;

    for (;;) {
        while (r->p < r->end) {
            const char *line = r->p;
            const char *nl = memchr(line, '\n', (size_t)(r->end - line));
            long n = r->skip ? 0 : line_key(line, nl ? nl : r->end, nl != NULL);
            if (nl)
                r->p = nl + 1, r->skip = false;
            else if (n >= 0)
                r->p = r->end, r->skip = true;  /* the rest of the line does not matter */
            else
                break;
            if (n > 0 && add_key(d, line, (size_t)n, k))
                return true;
        }
        if (r->eof)
            return false;
        size_t len = (size_t)(r->end - r->p);
        memmove(r->buf, r->p, len);
        if (len == r->cap)      /* a key longer than the buffer */
            r->buf = xgrow(r->buf, &r->cap, r->cap + 1, 1);
        ssize_t got = read(r->fd, r->buf + len, r->cap - len);
        r->p = r->buf;
        r->end = r->buf + len + (got > 0 ? (size_t)got : 0);
        r->eof = got <= 0;
    }
}

/* Every previous key into d->keys (the fallback for a file out of
 * prefix order), with room reserved for lines of typical length (see
 * hugemem.h): grown a key at a time, the array was copied and faulted in
 * page by page. */
static void read_all_keys(struct pubdiff *d)
{
    struct stat sb;
    struct pubdiff_key k;

    if (d->keys == NULL && fstat(d->reader->fd, &sb) == 0 && sb.st_size > 0) {
        d->keys_cap = (size_t)sb.st_size / TYPICAL_LINE + 1;
        if (d->keys_cap > RESERVE_MAX)
            d->keys_cap = RESERVE_MAX;
        d->keys = hugemem_alloc(d->keys_cap * sizeof(*d->keys));
    }
    while (next_key(d, &k)) {
        d->keys = hugemem_grow(d->keys, &d->keys_cap, d->nkeys + 1, sizeof(k));
        d->keys[d->nkeys++] = k;
    }
}

static void reader_free(struct pubdiff *d)
{
    if (d->reader) {
        close(d->reader->fd);
        free(d->reader->buf);
        free(d->reader);
        d->reader = NULL;
    }
}

static bool in_prefix_order(const struct pubdiff_key *k, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (cmp_prefix(&k[i - 1], &k[i]) > 0)
            return false;
    return true;
}

/* 0 if l is out of prefix order, 2 if every prefix in it comes once, 1
 * otherwise. */
static int listings_in_prefix_order(const struct listings *l)
{
    int order = 2;

    if (l->n == 0)
        return order;
    struct pubdiff_key a = key_of_listing(&l->v[0]);
    for (size_t j = 1; j < l->n; j++) {
        struct pubdiff_key b = key_of_listing(&l->v[j]);
        int c = cmp_prefix(&a, &b);
        if (c > 0)
            return 0;
        if (c == 0)
            order = 1;
        a = b;
    }
    return order;
}

/* A current entry of an out-of-order listing, sorted: its key and where
 * it is in l. */
struct curkey {
    struct pubdiff_key k;
    uint32_t at;
};

static int cmp_curkey(const void *a, const void *b)
{
    const struct curkey *x = a, *y = b;
    int c = cmp_key(&x->k, &y->k);

    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* l's entry j of the merge order: from l, or from ck, l's keys sorted. */
static struct pubdiff_key cur_key(const struct listings *l, const struct curkey *ck, size_t j)
{
    return ck ? ck[j].k : key_of_listing(&l->v[j]);
}

static uint32_t cur_at(const struct curkey *ck, size_t j)
{
    return ck ? ck[j].at : (uint32_t)j;
}

/* The previous keys in prefix order, from d->keys[0..nkeys) or streamed
 * from the file; the removed ones are written to d->keys from its
 * start (in place over an array: a prefix never removes more keys than
 * it has read). */
struct prev_src {
    struct pubdiff *d;
    bool stream;
    size_t i;                   /* array: the next key */
    bool have;                  /* stream: k is the next key */
    struct pubdiff_key k;
    bool disorder;              /* stream: a key came before the one read last */
    size_t nr;                  /* removed keys written */
};

static bool src_peek(struct prev_src *s, struct pubdiff_key *k)
{
    if (!s->stream) {
        if (s->i == s->d->nkeys)
            return false;
        *k = s->d->keys[s->i];
        return true;
    }
    if (s->have)
        *k = s->k;
    return s->have;
}

static void src_next(struct prev_src *s)
{
    if (!s->stream) {
        s->i++;
        return;
    }
    struct pubdiff_key last = s->k;
    s->have = next_key(s->d, &s->k);
    if (s->have && cmp_prefix(&last, &s->k) > 0) {
        s->disorder = true;
        s->have = false;
    }
}

static void src_removed(struct prev_src *s, const struct pubdiff_key *k)
{
    struct pubdiff *d = s->d;

    if (s->stream)
        d->keys = xgrow(d->keys, &d->keys_cap, s->nr + 1, sizeof(*k));
    d->keys[s->nr++] = *k;
}

/* Merges the sorted previous keys with l (in prefix order, or through
 * ck) by prefix. Within one prefix the entries of a cause on both sides
 * pair off; the rest of either side is removed or added, cause by cause.
 * A prefix normally has one entry a side, but neither side forbids more.
 * False if the stream turned out to be out of prefix order. */
static bool merge(struct prev_src *s, const struct listings *l, const struct curkey *ck)
{
    struct pubdiff *d = s->d;
    size_t nc = l->n, j = 0;
    struct pubdiff_key c, g, pk;
    bool more = src_peek(s, &pk);

    if (nc > 0)
        c = cur_key(l, ck, 0);
    while (more || j < nc) {
        /* The usual entry: the same prefix and cause on both sides, kept.
         * Paired first, the rest of its prefix (rare) pairs as below. */
        if (more && j < nc && c.cause == pk.cause && cmp_prefix(&c, &pk) == 0) {
            d->kept++;
            src_next(s);
            if (s->disorder)
                return false;
            more = src_peek(s, &pk);
            if (++j < nc)
                c = cur_key(l, ck, j);
            continue;
        }
        g = j < nc && (!more || cmp_prefix(&c, &pk) <= 0) ? c : pk;
        size_t pc[CAUSE__COUNT] = { 0 }, cc[CAUSE__COUNT] = { 0 }, j0 = j;
        for (; more && cmp_prefix(&pk, &g) == 0; more = src_peek(s, &pk)) {
            pc[pk.cause]++;
            src_next(s);
        }
        if (s->disorder)
            return false;
        for (; j < nc && cmp_prefix(&c, &g) == 0;)
            if (cc[c.cause]++, ++j < nc)
                c = cur_key(l, ck, j);
        for (unsigned k = 0; k < CAUSE__COUNT; k++) {
            size_t both = pc[k] < cc[k] ? pc[k] : cc[k];
            g.cause = (uint8_t)k;
            d->kept += both;
            for (size_t m = both; m < pc[k]; m++)
                src_removed(s, &g);
            if (cc[k] == both)
                continue;
            /* The entries of this cause past the paired ones. */
            for (size_t m = j0, seen = 0; m < j && seen < cc[k]; m++)
                if (cur_key(l, ck, m).cause == k && seen++ >= both)
                    d->added.v[d->added.n++] = cur_at(ck, m);
        }
    }
    d->nkeys = s->nr;
    return true;
}

/* Back to the start of the file and of the comparison. */
static void restart(struct pubdiff *d)
{
    d->prev = d->kept = d->added.n = 0;
    d->nkeys = d->njunk = d->junk_len = 0;
    if (lseek(d->reader->fd, 0, SEEK_SET) < 0)
        msg_fatal("listings.csv: cannot read it again: %s", strerror(errno));
    reader_start(d->reader);
}

void pubdiff_compute(struct pubdiff *d, const struct listings *l)
{
    if (l->n > UINT32_MAX)
        msg_fatal("publish: %zu entries are more than the diff can count", l->n);
    d->cur = l->n;
    int in_order = listings_in_prefix_order(l);
    /* Nothing before: every entry is added, in the listing's order (a
     * prefix's entries would go cause by cause). No index per entry. */
    if (d->reader == NULL && in_order == 2) {
        d->added.n = l->n;
        goto done;
    }
    /* Reserved, not grown: only the pages of the entries added are touched. */
    d->added.v = hugemem_alloc(l->n * sizeof(*d->added.v));
    struct prev_src s = { .d = d, .stream = d->reader != NULL };
    /* The usual case: both sides in prefix order, the file streamed. */
    if (s.stream && in_order) {
        s.have = next_key(d, &s.k);
        if (merge(&s, l, NULL)) {
            reader_free(d);
            goto done;
        }
        restart(d);
    }
    if (d->reader)
        read_all_keys(d);
    reader_free(d);
    if (!in_prefix_order(d->keys, d->nkeys))
        qsort(d->keys, d->nkeys, sizeof(*d->keys), cmp_key);
    s = (struct prev_src){ .d = d };
    if (in_order) {
        merge(&s, l, NULL);
    } else {
        /* A hand-made listing may be out of order: merge its keys, sorted. */
        struct curkey *ck = hugemem_alloc(l->n * sizeof(*ck));
        for (size_t m = 0; m < l->n; m++)
            ck[m] = (struct curkey){ key_of_listing(&l->v[m]), (uint32_t)m };
        qsort(ck, l->n, sizeof(*ck), cmp_curkey);
        merge(&s, l, ck);
        free(ck);
    }
done:
    /* The keys now are the removed ones: keep no more than those. */
    d->removed.n = d->nkeys + d->njunk;
    d->removed.v = d->nkeys ? xrealloc(d->keys, d->nkeys * sizeof(*d->keys)) : NULL;
    if (!d->nkeys)
        free(d->keys);
    d->keys = NULL;
    d->nkeys = d->keys_cap = 0;
}

struct span pubdiff_added_text(const struct pubdiff *d, const struct listings *l, size_t i,
                               char buf[PUBDIFF_TEXT_MAX])
{
    const struct listing *e = &l->v[d->added.v ? d->added.v[i] : i];

    /* The key's text, made from the listing itself (its prefix is the
     * key's): no round trip through the key's words. */
    return span_make(buf, text_of(&e->pfx, cause_of(e), buf));
}

struct span pubdiff_removed_text(const struct pubdiff *d, size_t i, char buf[PUBDIFF_TEXT_MAX])
{
    size_t keyed = d->removed.n - d->njunk;

    if (i < keyed)
        return span_make(buf, text_key(&d->removed.v[i], buf));
    size_t at = d->junk_at[i - keyed];
    size_t end = i + 1 < d->removed.n ? d->junk_at[i + 1 - keyed] : d->junk_len;
    return span_make(d->junk + at, end - at - 1);
}

bool pubdiff_removed_junk(const struct pubdiff *d, size_t i)
{
    return i >= d->removed.n - d->njunk;
}

void pubdiff_free(struct pubdiff *d)
{
    reader_free(d);
    free(d->added.v);
    free(d->removed.v);
    free(d->keys);
    free(d->junk);
    free(d->junk_at);
    memset(d, 0, sizeof(*d));
}
