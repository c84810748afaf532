/* Prefix sets; see cidrset.h. Sorted by (family, length, address). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "cidrset.h"
#include "msg.h"
#include "xalloc.h"

/* Prefixes of one family and length: a stretch of the sorted set. */
struct length_group {
    size_t start, end;
    uint8_t family, len;
};

struct cidrset {
    struct ipprefix *v;
    size_t n, cap;
    bool sorted;
    /* Made by the sort: lookups search each group instead of walking the
     * set to find them (there are at most 33 + 129). */
    struct length_group group[33 + 129];
    size_t ngroups;
};

struct cidrset *cidrset_new(void)
{
    return xcalloc(1, sizeof(struct cidrset));
}

void cidrset_add(struct cidrset *cs, const struct ipprefix *p)
{
    cs->v = xgrow(cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v));
    cs->v[cs->n++] = *p;
    cs->sorted = false;
}

static int cmp_prefix(const void *a, const void *b)
{
    const struct ipprefix *x = a, *y = b;

    if (x->addr.family != y->addr.family)
        return x->addr.family < y->addr.family ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->addr.b, y->addr.b, 16);
}

static void sort(struct cidrset *cs)
{
    if (cs->sorted)
        return;
    if (cs->n > 1)
        qsort(cs->v, cs->n, sizeof(*cs->v), cmp_prefix);
    /* Drop duplicates. */
    size_t w = 0;
    for (size_t r = 0; r < cs->n; r++)
        if (w == 0 || cmp_prefix(&cs->v[w - 1], &cs->v[r]) != 0)
            cs->v[w++] = cs->v[r];
    cs->n = w;
    cs->ngroups = 0;
    for (size_t i = 0, j; i < cs->n; i = j) {
        for (j = i; j < cs->n && cs->v[j].addr.family == cs->v[i].addr.family
             && cs->v[j].len == cs->v[i].len; j++)
            ;
        if (cs->ngroups == sizeof(cs->group) / sizeof(cs->group[0]))
            msg_panic("cidrset: more length groups than families have lengths");
        cs->group[cs->ngroups++] = (struct length_group){ i, j, cs->v[i].addr.family,
                                                          cs->v[i].len };
    }
    cs->sorted = true;
}

bool cidrset_load(struct cidrset *cs, const char *path)
{
    FILE *fp = fopen(path, "r");
    char buf[512];
    unsigned long lineno = 0;

    if (fp == NULL) {
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    while (fgets(buf, sizeof(buf), fp)) {
        lineno++;
        size_t n = strlen(buf);
        if (n == sizeof(buf) - 1 && buf[n - 1] != '\n') {
            msg_warn("%s:%lu: line too long", path, lineno);
            fclose(fp);
            return false;
        }
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = 0;
        struct span s = span_trim_right(span_trim_left(span_make(buf, strlen(buf))));
        while (s.n && s.p[s.n - 1] == '\n')
            s.n--;
        s = span_trim_right(s);
        if (s.n == 0)
            continue;
        struct ipprefix p;
        if (!ipprefix_parse(s, &p, false)) {
            msg_warn("%s:%lu: not an IP address or CIDR with clean host bits: %.*s",
                     path, lineno, (int)(s.n > 60 ? 60 : s.n), s.p);
            fclose(fp);
            return false;
        }
        cidrset_add(cs, &p);
    }
    fclose(fp);
    /* Sorted now, not on the first lookup: the analysis looks up from
     * several threads at once. */
    sort(cs);
    return true;
}

bool cidrset_open(const char *path, struct cidrset **out)
{
    *out = NULL;
    if (path == NULL || *path == 0)
        return true;
    *out = cidrset_new();
    if (cidrset_load(*out, path))
        return true;
    cidrset_free(*out);
    *out = NULL;
    return false;
}

/* The prefixes of the set containing a with a length up to max_len,
 * widest first: the first one if widest, else the last. Walks the length
 * groups of a's family (they ascend), a binary search in each. */
static const struct ipprefix *containing(struct cidrset *cs, const struct ipaddr *a,
                                         unsigned max_len, bool widest)
{
    const struct ipprefix *best = NULL;

    sort(cs);
    for (size_t g = 0; g < cs->ngroups; g++) {
        const struct length_group *lg = &cs->group[g];
        if (lg->family != a->family || lg->len > max_len)
            continue;
        struct ipprefix key = { ipaddr_mask(a, lg->len), lg->len };
        const struct ipprefix *hit =
            bsearch(&key, cs->v + lg->start, lg->end - lg->start, sizeof(key), cmp_prefix);
        if (hit && widest)
            return hit;
        if (hit)
            best = hit;
    }
    return best;
}

const struct ipprefix *cidrset_match(struct cidrset *cs, const struct ipaddr *a)
{
    return containing(cs, a, 128, false);
}

const struct ipprefix *cidrset_covering(struct cidrset *cs, const struct ipprefix *p)
{
    return containing(cs, &p->addr, p->len, true);
}

bool cidrset_overlaps(struct cidrset *cs, const struct ipprefix *p)
{
    /* A prefix of the set that holds p ... */
    if (containing(cs, &p->addr, p->len, true))
        return true;
    /* ... or one inside p: in each longer length group, the first address
     * not below p's (its host bits are zero) is inside p if any is. */
    for (size_t g = 0; g < cs->ngroups; g++) {
        const struct length_group *lg = &cs->group[g];
        if (lg->family != p->addr.family || lg->len <= p->len)
            continue;
        size_t lo = lg->start, hi = lg->end;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (memcmp(cs->v[mid].addr.b, p->addr.b, 16) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < lg->end && ipprefix_contains(p, &cs->v[lo].addr))
            return true;
    }
    return false;
}

size_t cidrset_count(const struct cidrset *cs)
{
    return cs->n;
}

const struct ipprefix *cidrset_get(struct cidrset *cs, size_t i)
{
    sort(cs);
    return i < cs->n ? &cs->v[i] : NULL;
}

void cidrset_free(struct cidrset *cs)
{
    if (cs == NULL)
        return;
    free(cs->v);
    free(cs);
}
