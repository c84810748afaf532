/* The state across nightly runs: entries, their notes and how they move
 * on; see state.h. */
#include <stdlib.h>
#include <string.h>
#include "state.h"
#include "arena.h"
#include "xalloc.h"

struct entry {
    struct state_entry e;
    bool touched;               /* matched by this run's decisions */
};

struct state {
    struct entry *v;
    size_t n, cap;
    bool sorted;
    struct state_note *notes;
    size_t nnotes, notes_cap, seq;
    bool notes_sorted;
    struct state_inputs in;
    struct arena text;          /* the notes' text: few entries have one */
};

struct state *state_new(void)
{
    struct state *s = xcalloc(1, sizeof(*s));

    s->sorted = s->notes_sorted = true;
    arena_init(&s->text);
    return s;
}

void state_free(struct state *s)
{
    if (s == NULL)
        return;
    free(s->v);
    free(s->notes);
    free(s->in.v);
    arena_free(&s->text);
    free(s);
}

size_t state_count(const struct state *s)
{
    return s->n;
}

struct state_inputs *state_inputs(struct state *s)
{
    return &s->in;
}

const struct state_inputs *state_inputs_of(const struct state *s)
{
    return &s->in;
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

const struct state_entry *state_entry_at(const struct state *cs, size_t i)
{
    struct state *s = (struct state *)cs;

    sort_entries(s);
    return &s->v[i].e;
}

int64_t state_newest(const struct state *s)
{
    int64_t t = INT64_MIN;

    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].e.last > t)
            t = s->v[i].e.last;
    return t;
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

/* ---- notes ---- */

/* Length of the UTF-8 sequence at p that is a character a note may hold
 * (no C1 controls, no surrogates, no overlong forms), 0 if none. */
static size_t note_char(const unsigned char *p, size_t n)
{
    if (p[0] >= 0x20 && p[0] < 0x7f)
        return 1;
    size_t k = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
        : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
    if (k == 0 || k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((p[0] == 0xc2 && p[1] < 0xa0)                   /* C1 controls */
        || (p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)
        || (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
        return 0;
    return k;
}

bool state_note_ok(const char *text)
{
    size_t n = strlen(text);

    if (n > STATE_NOTE_MAX)
        return false;
    for (size_t i = 0, k; i < n; i += k)
        if ((k = note_char((const unsigned char *)text + i, n - i)) == 0)
            return false;
    return true;
}

/* src made storable (bytes of no valid character become '?', cut at a
 * character's end), kept in s; "" for none. */
static const char *note_copy(struct state *s, const char *src)
{
    char buf[STATE_NOTE_MAX + 1];
    size_t n = src ? strlen(src) : 0, w = 0;

    for (size_t i = 0, k; i < n && w < STATE_NOTE_MAX; i += k) {
        k = note_char((const unsigned char *)src + i, n - i);
        if (k == 0) {
            buf[w++] = '?';
            k = 1;
        } else if (w + k > STATE_NOTE_MAX) {
            break;
        } else {
            memcpy(buf + w, src + i, k);
            w += k;
        }
    }
    return w ? arena_strndup(&s->text, buf, w) : "";
}

void state_put(struct state *s, const struct state_entry *e)
{
    struct entry *d = add_entry(s, &e->pfx);

    d->e = *e;
    d->e.note = note_copy(s, e->note);
}

void state_note_add(struct state *s, const struct ipprefix *pfx, int64_t at, const char *text)
{
    s->notes = xgrow(s->notes, &s->notes_cap, s->nnotes + 1, sizeof(*s->notes));
    s->notes[s->nnotes++] = (struct state_note){ *pfx, at, note_copy(s, text), s->seq++ };
    s->notes_sorted = false;
}

static int cmp_note(const void *a, const void *b)
{
    const struct state_note *x = a, *y = b;
    int c = ipprefix_cmp(&x->pfx, &y->pfx);

    if (c)
        return c;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

const struct state_note *state_notes_all(const struct state *cs, size_t *n)
{
    struct state *s = (struct state *)cs;

    if (!s->notes_sorted && s->nnotes)
        qsort(s->notes, s->nnotes, sizeof(*s->notes), cmp_note);
    s->notes_sorted = true;
    *n = s->nnotes;
    return s->notes;
}

const struct state_note *state_notes(const struct state *s, const struct ipprefix *pfx,
                                     size_t *n)
{
    size_t all, lo = 0, hi;
    const struct state_note *v = state_notes_all(s, &all);

    hi = all;
    while (lo < hi) {           /* the first note of pfx */
        size_t mid = lo + (hi - lo) / 2;
        if (ipprefix_cmp(&v[mid].pfx, pfx) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < all && ipprefix_cmp(&v[end].pfx, pfx) == 0)
        end++;
    *n = end - lo;
    return *n ? v + lo : NULL;
}

/* ---- listings ---- */

/* How strong new evidence is against the plain thresholds (not the
 * rDNS-lowered bar): a removal by hand is undone only by evidence that
 * would list a named server relist_factor times over. */
static double strength(const struct listing_more *m, const struct policy *p)
{
    double sp = m->score / p->threshold, a = m->auth_score / p->auth_threshold;

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
    bool removals = false;
    for (size_t i = 0; i < s->n; i++) {
        s->v[i].touched = false;
        removals |= s->v[i].e.removed_at != 0;
    }
    /* An address held off may share its network with others. */
    if (removals)
        listings_nets_unfold(l);
    for (size_t i = 0; i < n; i++) {
        struct listing e = l->v[i];
        struct listing_more m;
        if (e.flags & LF_DENY) {
            l->v[w++] = e;
            continue;
        }
        listings_more(l, &e, &m);
        struct entry *se = find_in(s, &e.pfx, n0);
        if (se && se->e.removed_at) {
            if (strength(&m, p) < p->relist_factor) {
                se->touched = true;
                l->held++;
                listings_drop(l, &e);
                continue;       /* stays off */
            }
            se->e.removed_at = 0;
            se->e.note = "";    /* relisted: the notes stay as history */
        }
        if (se == NULL) {
            se = add_entry(s, &e.pfx);
            e.flags |= LF_NEW;
        } else if (se->e.listed_until <= now) {
            e.flags |= LF_NEW;
        }
        if (e.flags & LF_NEW)
            l->added++;
        if (m.first < se->e.first)
            se->e.first = m.first;
        if (m.last != INT64_MIN && m.last > se->e.last)
            se->e.last = m.last;
        se->e.score = m.score;
        se->e.cause = e.d.cause;
        int64_t base = se->e.last != INT64_MIN ? se->e.last : now;
        se->e.listed_until = base + p->expiry;
        se->touched = true;
        m.first = se->e.first;
        m.expires = se->e.listed_until;
        listings_set_more(l, &e, &m);
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
            struct listing c = { .pfx = se->e.pfx, .flags = LF_STATE };
            struct listing_more m = { .score = se->e.score, .first = se->e.first,
                                      .last = se->e.last, .expires = se->e.listed_until };
            c.d.cause = se->e.cause & 15;
            c.d.rdns = RDNS_NONE;
            listings_push(l, &c, &m);
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
    state_note_add(s, pfx, now, note);
    if (note && *note)
        e->e.note = note_copy(s, note);
}
