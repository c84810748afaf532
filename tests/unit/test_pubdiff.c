/* pubdiff: the diff against the previous listings.csv, checked by hand on
 * the awkward files (garbage, duplicates, disorder, long lines, no final
 * newline, IPv6, empty) and against a plain text diff on random ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "pubdiff.h"
#include "xalloc.h"

static char dir[] = "/tmp/rblforge-pubdiff-XXXXXX";

static void write_prev(const char *t, size_t n)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/listings.csv", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(t, 1, n, fp), n);
    fclose(fp);
}

static void add(struct listings *l, const char *pfx, enum cause c)
{
    struct ipprefix p;

    assert_true(ipprefix_parse(span_make(pfx, strlen(pfx)), &p, false));
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    memset(&l->v[l->n], 0, sizeof(l->v[0]));
    l->v[l->n].pfx = p;
    l->v[l->n++].d.cause = c;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The diff as it was first written: every key as text, both sides sorted
 * with strcmp, then merged. */
struct ref {
    char **prev, **cur, **added, **removed;
    char **file;                /* prev in the file's order */
    size_t nprev, ncur, nadded, nremoved, kept;
};

static void ref_diff(struct ref *r, const char *bytes, size_t len, const struct listings *l)
{
    char *t = xmalloc(len + 1);

    memset(r, 0, sizeof(*r));
    memcpy(t, bytes, len);
    t[len] = 0;
    r->prev = xmalloc((len + 1) * sizeof(char *));
    char *p = memchr(t, '\n', len), *end = t + len;
    for (p = p ? p + 1 : end; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        char *nul = memchr(p, 0, (size_t)(eol - p));
        char *stop = nul ? nul : eol;
        char *c1 = memchr(p, ',', (size_t)(stop - p));
        char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(stop - c1 - 1)) : NULL;
        if (c2)
            r->prev[r->nprev++] = xstrndup(p, (size_t)(c2 - p));
        p = eol + 1;
    }
    free(t);
    r->cur = xmalloc((l->n + 1) * sizeof(char *));
    for (size_t i = 0; i < l->n; i++) {
        char b[IPPREFIX_STRLEN + 32];
        size_t n = ipprefix_text(&l->v[i].pfx, b);
        b[n++] = ',';
        strcpy(b + n, policy_cause_name(l->v[i].d.cause));
        r->cur[r->ncur++] = xstrndup(b, strlen(b));
    }
    r->file = xmalloc((r->nprev + 1) * sizeof(char *));
    memcpy(r->file, r->prev, r->nprev * sizeof(char *));
    qsort(r->prev, r->nprev, sizeof(char *), cmp_str);
    qsort(r->cur, r->ncur, sizeof(char *), cmp_str);
    r->added = xmalloc((r->ncur + 1) * sizeof(char *));
    r->removed = xmalloc((r->nprev + 1) * sizeof(char *));
    size_t i = 0, j = 0;
    while (i < r->nprev || j < r->ncur) {
        int c = i == r->nprev ? 1 : j == r->ncur ? -1 : strcmp(r->prev[i], r->cur[j]);
        if (c == 0)
            r->kept++, i++, j++;
        else if (c < 0)
            r->removed[r->nremoved++] = r->prev[i++];
        else
            r->added[r->nadded++] = r->cur[j++];
    }
}

static void ref_free(struct ref *r)
{
    for (size_t i = 0; i < r->nprev; i++)
        free(r->prev[i]);
    for (size_t i = 0; i < r->ncur; i++)
        free(r->cur[i]);
    free(r->prev);
    free(r->file);
    free(r->cur);
    free(r->added);
    free(r->removed);
}

/* The texts of the added (or else removed) list, in its order; each
 * checked to be what text() of its entry or key renders. */
static char **texts(const struct pubdiff *d, const struct listings *l, bool added)
{
    size_t n = added ? d->added.n : d->removed.n;
    char **t = xmalloc((n + 1) * sizeof(char *));
    char buf[PUBDIFF_TEXT_MAX];

    for (size_t i = 0; i < n; i++) {
        struct span s = added ? pubdiff_added_text(d, l, i, buf) : pubdiff_removed_text(d, i, buf);
        assert_non_null(memchr(s.p, ',', s.n));
        assert_null(memchr(s.p, 0, s.n));
        t[i] = xstrndup(s.p, s.n);
    }
    return t;
}

static void texts_free(char **t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

/* An entry's text parsed back: false for junk. */
static bool parse_text(const char *t, struct ipprefix *p, int *cause)
{
    const char *comma = strchr(t, ',');
    char b[IPPREFIX_STRLEN];

    if (!ipprefix_parse(span_make(t, (size_t)(comma - t)), p, false)
        || ipprefix_text(p, b) != (size_t)(comma - t) || memcmp(b, t, (size_t)(comma - t)) != 0)
        return false;
    *cause = policy_cause_lookup(comma + 1, strlen(comma + 1));
    return *cause >= 0;
}

/* Prefix order, then cause. */
static int cmp_entry(const struct ipprefix *a, int ca, const struct ipprefix *b, int cb)
{
    int c = ipprefix_cmp(a, b);

    return c ? c : (ca > cb) - (ca < cb);
}

/* The same entries as want (in strcmp order), in prefix order: added ones
 * as distinct indices into l; removed ones keyed first, then the junk in
 * the order of the file (junk: file-order texts that are junk). */
static void same_list(const char *what, const struct pubdiff *d, const struct listings *l,
                      bool added, char **want, size_t n, char **file, size_t nfile)
{
    size_t got = added ? d->added.n : d->removed.n;
    if (got != n)
        fail_msg("%s: %zu entries, want %zu", what, got, n);
    char **t = texts(d, l, added), **sorted = xmalloc((n + 1) * sizeof(char *));
    memcpy(sorted, t, n * sizeof(char *));
    qsort(sorted, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (strcmp(sorted[i], want[i]) != 0)
            fail_msg("%s[%zu]: \"%s\", want \"%s\"", what, i, sorted[i], want[i]);
    free(sorted);
    struct ipprefix p, q;
    int c = 0, cq = 0;
    size_t keyed = added ? n : n - d->njunk;
    if (added) {
        char *used = xmalloc(l->n + 1);
        memset(used, 0, l->n + 1);
        for (size_t i = 0; i < n; i++) {
            assert_true(d->added.v[i] < l->n);
            assert_false(used[d->added.v[i]]);
            used[d->added.v[i]] = 1;
        }
        free(used);
    }
    for (size_t i = 0; i < keyed; i++) {
        if (!parse_text(t[i], &q, &cq))
            fail_msg("%s[%zu]: \"%s\" is not an entry", what, i, t[i]);
        if (i > 0 && cmp_entry(&p, c, &q, cq) > 0)
            fail_msg("%s[%zu]: \"%s\" after \"%s\"", what, i, t[i], t[i - 1]);
        p = q, c = cq;
    }
    /* The junk: in the file's order, and junk indeed. */
    for (size_t i = keyed, f = 0; i < n; i++, f++) {
        if (parse_text(t[i], &q, &cq))
            fail_msg("%s[%zu]: \"%s\" is an entry", what, i, t[i]);
        while (f < nfile && strcmp(file[f], t[i]) != 0)
            f++;
        if (f == nfile)
            fail_msg("%s[%zu]: \"%s\" out of the file's order", what, i, t[i]);
    }
    texts_free(t, n);
}

/* Writes the file, diffs it against l both ways and compares. */
static void check(const char *bytes, size_t len, const struct listings *l, struct pubdiff *d)
{
    struct ref r;

    write_prev(bytes, len);
    memset(d, 0, sizeof(*d));
    assert_true(pubdiff_read_previous(d, dir));
    pubdiff_compute(d, l);
    ref_diff(&r, bytes, len, l);
    assert_int_equal(d->prev, r.nprev);
    assert_int_equal(d->cur, l->n);
    assert_int_equal(d->kept, r.kept);
    same_list("added", d, l, true, r.added, r.nadded, r.file, r.nprev);
    same_list("removed", d, l, false, r.removed, r.nremoved, r.file, r.nprev);
    ref_free(&r);
}

#define CHECK(lit, l, d) check((lit), sizeof(lit) - 1, (l), (d))

/* The list is exactly want, in this order. */
static void want_list(const struct pubdiff *d, const struct listings *l, bool added,
                      const char *const *want, size_t n)
{
    char **t = texts(d, l, added);

    assert_int_equal(added ? d->added.n : d->removed.n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(t[i], want[i]);
    texts_free(t, n);
}

static void test_garbage(void **state)
{
    struct listings l = { 0 };
    struct pubdiff d;
    /* All junk: in the file's order. */
    static const char *const rm[] = { "not-an-ip,spam", "1.2.3.4,bogus", "1.2.3.4/32,spam",
                                      "IPv6:2001:db8::1,spam", "2001:DB8::1,spam",
                                      "1.2.3.5\x01,spam" };
    (void)state;
    add(&l, "1.2.3.4", CAUSE_SPAM);
    add(&l, "2001:db8::1", CAUSE_SPAM);
    CHECK("prefix,cause,score\n"
          "no commas at all\n"
          "one,comma\n"
          "not-an-ip,spam,x\n"
          "1.2.3.4,bogus,x\n"
          "1.2.3.4/32,spam,x\n"
          "IPv6:2001:db8::1,spam,x\n"
          "2001:DB8::1,spam,x\n"
          "1.2.3.5\x01,spam,x\n"
          "1.2.3.4\0,spam,x\n"          /* the NUL ends the line */
          "1.2.3.4,spam\0,x\n"
          "\n"
          "1.2.3.4,spam,x\n", &l, &d);
    assert_int_equal(d.prev, 7);
    assert_int_equal(d.kept, 1);
    want_list(&d, &l, false, rm, 6);
    static const char *const ad[] = { "2001:db8::1,spam" };
    want_list(&d, &l, true, ad, 1);
    pubdiff_free(&d);
    free(l.v);
}

static void test_duplicates_and_order(void **state)
{
    struct listings l = { 0 };
    struct pubdiff d;
    (void)state;
    add(&l, "1.2.3.4", CAUSE_SPAM);
    add(&l, "9.9.9.0/24", CAUSE_NET);
    add(&l, "10.0.0.1", CAUSE_AUTH);
    /* Duplicate previous keys: one matches, the other is removed. Out
     * of order: found all the same. */
    CHECK("h\n10.0.0.1,auth,x\n1.2.3.4,spam,x\n9.9.9.0/24,net,x\n1.2.3.4,spam,y\n", &l, &d);
    static const char *const rm[] = { "1.2.3.4,spam" };
    assert_int_equal(d.prev, 4);
    assert_int_equal(d.kept, 3);
    want_list(&d, &l, false, rm, 1);
    assert_int_equal(d.added.n, 0);
    pubdiff_free(&d);
    /* Same prefix, other cause: removed and added. */
    CHECK("h\n1.2.3.4,auth,x\n9.9.9.0/24,net,x\n10.0.0.1,auth,x\n", &l, &d);
    assert_int_equal(d.kept, 2);
    static const char *const rm2[] = { "1.2.3.4,auth" }, *const ad2[] = { "1.2.3.4,spam" };
    want_list(&d, &l, false, rm2, 1);
    want_list(&d, &l, true, ad2, 1);
    assert_int_equal(d.added.v[0], 0);
    pubdiff_free(&d);
    /* Current entries out of order, one prefix twice with two causes (as
     * a hand-made listing may be). */
    add(&l, "1.2.3.4", CAUSE_NET);
    add(&l, "1.2.3.0/24", CAUSE_NET);
    CHECK("h\n1.2.3.4,net,x\n1.2.3.4,spam,x\n1.2.3.4,dynamic,x\n", &l, &d);
    assert_int_equal(d.kept, 2);
    static const char *const ad3[] = { "1.2.3.0/24,net", "9.9.9.0/24,net", "10.0.0.1,auth" };
    static const char *const rm3[] = { "1.2.3.4,dynamic" };
    want_list(&d, &l, true, ad3, 3);
    want_list(&d, &l, false, rm3, 1);
    /* The sorted keys' entries, found back in l. */
    assert_int_equal(d.added.v[0], 4);
    assert_int_equal(d.added.v[1], 1);
    assert_int_equal(d.added.v[2], 2);
    pubdiff_free(&d);
    free(l.v);
}

/* The lists in prefix order (address, then length, then cause; not
 * strcmp order), IPv4 before IPv6, junk last in the file's order; the
 * same from an out-of-order listing, whose indices still find the
 * entries. */
static void test_prefix_order(void **state)
{
    static const struct { const char *pfx; enum cause c; } cur[] = {
        { "1.0.96.105", CAUSE_SPAM }, { "1.0.224.231", CAUSE_SPAM },
        { "9.9.9.0/24", CAUSE_NET }, { "9.9.9.0", CAUSE_DYNAMIC },
        { "9.9.9.7", CAUSE_AUTH }, { "9.9.9.7", CAUSE_SPAM },  /* two causes */
        { "10.0.0.1", CAUSE_SPAM }, { "::1", CAUSE_SPAM },
        { "2001:db8::/32", CAUSE_NET }, { "2001:db8::5", CAUSE_SPAM },
    };
    static const char *const ad[] = { "1.0.96.105,spam", "1.0.224.231,spam", "9.9.9.0/24,net",
                                      "9.9.9.0,dynamic", "9.9.9.7,spam", "9.9.9.7,auth",
                                      "::1,spam", "2001:db8::/32,net" };
    static const char *const rm[] = { "1.0.96.105,auth", "9.9.9.7,dynamic", "10.1.1.1,spam",
                                      "::1,dynamic", "2001:db8::5,net",
                                      "junk line,x", "1.2.3.4,spam\x01", "zzz,spam" };
    static const char prev[] = "prefix,cause,score\n"
        "junk line,x,y\n"
        "2001:db8::5,spam,x\n"
        "::1,dynamic,x\n"
        "1.0.96.105,auth,x\n"
        "1.2.3.4,spam\x01,x\n"
        "10.1.1.1,spam,x\n"
        "10.0.0.1,spam,x\n"
        "2001:db8::5,net,x\n"
        "9.9.9.7,dynamic,x\n"
        "zzz,spam,x\n";
    enum { N = sizeof(cur) / sizeof(cur[0]) };
    (void)state;
    for (int shuffled = 0; shuffled < 2; shuffled++) {
        struct listings l = { 0 };
        struct pubdiff d;
        for (size_t i = 0; i < N; i++) {
            size_t k = shuffled ? (i * 7 + 3) % N : i;      /* 7 is prime to N */
            add(&l, cur[k].pfx, cur[k].c);
        }
        CHECK(prev, &l, &d);
        assert_int_equal(d.prev, 10);
        assert_int_equal(d.kept, 2);
        assert_int_equal(d.njunk, 3);
        want_list(&d, &l, true, ad, 8);
        want_list(&d, &l, false, rm, 8);
        /* Each index is the entry the text says. */
        for (size_t i = 0; i < d.added.n; i++) {
            char b[IPPREFIX_STRLEN + 32];
            const struct listing *e = &l.v[d.added.v[i]];
            size_t n = ipprefix_text(&e->pfx, b);
            snprintf(b + n, sizeof(b) - n, ",%s", policy_cause_name(e->d.cause));
            assert_string_equal(b, ad[i]);
        }
        pubdiff_free(&d);
        free(l.v);
    }
}

static void test_long_lines(void **state)
{
    struct listings l = { 0 };
    struct pubdiff d;
    enum { LONG = 300 * 1024 };
    char *t = xmalloc(3 * LONG + 100);
    size_t n = 0;
    (void)state;
    add(&l, "1.2.3.4", CAUSE_SPAM);
    add(&l, "5.6.7.8", CAUSE_AUTH);
    n += (size_t)sprintf(t + n, "h\n1.2.3.4,spam,");
    memset(t + n, 'x', LONG), n += LONG;        /* a long tail */
    n += (size_t)sprintf(t + n, "\n");
    memset(t + n, 'k', LONG), n += LONG;        /* a long key: removed whole */
    n += (size_t)sprintf(t + n, ",spam,y\n");
    memset(t + n, 'z', LONG), n += LONG;        /* long, no key */
    n += (size_t)sprintf(t + n, "\n5.6.7.8,auth,x");    /* no final newline */
    check(t, n, &l, &d);
    assert_int_equal(d.prev, 3);
    assert_int_equal(d.kept, 2);
    assert_int_equal(d.removed.n, 1);
    char buf[PUBDIFF_TEXT_MAX];
    struct span k = pubdiff_removed_text(&d, 0, buf);
    assert_int_equal(k.n, LONG + 5);
    assert_true(k.p[0] == 'k' && memcmp(k.p + LONG, ",spam", 5) == 0);
    pubdiff_free(&d);
    /* A last line without newline and without its second comma. */
    CHECK("h\n1.2.3.4,spam,x\n5.6.7.8,auth", &l, &d);
    assert_int_equal(d.prev, 1);
    pubdiff_free(&d);
    free(t);
    free(l.v);
}

static void test_ipv6_and_empty(void **state)
{
    struct listings l = { 0 };
    struct pubdiff d;
    char path[4096];
    (void)state;
    add(&l, "2001:db8::/32", CAUSE_NET);
    add(&l, "2001:db8:1::5", CAUSE_SPAM);
    add(&l, "::ffff:1.2.3.4", CAUSE_SPAM);
    CHECK("h\n2001:db8::/32,net,x\n2001:db8:1::5,spam,x\n2001:db8:1:0::5,spam,x\n"
          "2001:db8::/032,net,x\n2001:db8::/33,net\n", &l, &d);
    assert_int_equal(d.kept, 2);
    pubdiff_free(&d);
    CHECK("", &l, &d);
    assert_int_equal(d.prev, 0);
    assert_int_equal(d.added.n, 3);
    pubdiff_free(&d);
    CHECK("prefix,cause,no newline", &l, &d);
    assert_int_equal(d.prev, 0);
    pubdiff_free(&d);
    snprintf(path, sizeof(path), "%s/listings.csv", dir);
    unlink(path);
    memset(&d, 0, sizeof(d));
    assert_false(pubdiff_read_previous(&d, dir));
    pubdiff_compute(&d, &l);
    assert_int_equal(d.added.n, 3);
    assert_int_equal(d.prev, 0);
    pubdiff_free(&d);
    free(l.v);
}

/* Random prefixes from a small space, so that both sides meet often. */
static void random_prefix(char *b)
{
    switch (rand() % 4) {
    case 0:
        sprintf(b, "10.0.%d.%d", rand() % 2, rand() % 40);
        break;
    case 1:
        sprintf(b, "10.0.%d.0/%d", rand() % 2, 22 + rand() % 3 * 2);
        break;
    case 2:
        sprintf(b, "2001:db8::%x", rand() % 40);
        break;
    default:
        sprintf(b, "2001:db8:%x::/48", rand() % 3);
        break;
    }
}

static void test_random(void **state)
{
    static const char *const spoil[] = { "/32", "/128", "X", ",", "\0", "\n", "/0" };
    enum { CAP = 4 << 20 };
    char *t = xmalloc(CAP);
    (void)state;
    srand(5);
    for (int round = 0; round < 300; round++) {
        struct listings l = { 0 };
        struct pubdiff d;
        char b[128];
        size_t n = 0;
        int ncur = rand() % 60, nprev = rand() % 80;
        for (int i = 0; i < ncur; i++) {
            random_prefix(b);
            struct ipprefix p;
            if (ipprefix_parse(span_make(b, strlen(b)), &p, true)) {
                add(&l, "0.0.0.0", (enum cause)(rand() % CAUSE__COUNT));
                l.v[l.n - 1].pfx = p;
            }
        }
        if (rand() % 2)
            listings_sort(&l);
        if (rand() % 10)
            n += (size_t)sprintf(t + n, "prefix,cause,score\n");
        for (int i = 0; i < nprev; i++) {
            if (rand() % 3 == 0 && l.n) {
                const struct listing *e = &l.v[(size_t)rand() % l.n];
                n += ipprefix_text(&e->pfx, t + n);
                n += (size_t)sprintf(t + n, ",%s", policy_cause_name(e->d.cause));
            } else {
                random_prefix(b);
                n += (size_t)sprintf(t + n, "%s,%s", b,
                                     policy_cause_name((enum cause)(rand() % CAUSE__COUNT)));
            }
            if (rand() % 8 == 0) {          /* spoil it somewhere */
                const char *s = spoil[rand() % 7];
                size_t at = n - (size_t)rand() % 8, k = *s ? strlen(s) : 1;
                memmove(t + at + k, t + at, n - at);
                memcpy(t + at, s, k);
                n += k;
            }
            if (rand() % 20 == 0 && n < CAP / 2) {
                size_t k = (size_t)rand() % (200 * 1024);
                memset(t + n, 'q', k);
                n += k;
            }
            n += (size_t)sprintf(t + n, ",%d", rand());
            if (i + 1 < nprev || rand() % 2)
                t[n++] = '\n';
        }
        check(t, n, &l, &d);
        pubdiff_free(&d);
        free(l.v);
    }
    free(t);
}

/* An IPv4 text near the form ipprefix_text writes: leading zeros,
 * octets past 255, too few or too many, odd lengths. */
static void random_ipv4_text(char *b)
{
    static const char *const octet[] = { "0", "00", "01", "1", "9", "10", "99", "100", "010",
                                         "199", "255", "256", "300", "1000", "", "x" };
    static const char *const tail[] = { "", "", "", "/0", "/00", "/1", "/8", "/16", "/24",
                                        "/024", "/28", "/31", "/32", "/33", "/", "/x", "/240",
                                        "/3x", "x", "." };
    int parts = 3 + rand() % 3 * (rand() % 4 == 0) + (rand() % 8 != 0);
    size_t k = 0;

    for (int j = 0; j < parts; j++)
        k += (size_t)sprintf(b + k, "%s%s", j ? (rand() % 30 ? "." : "..") : "",
                             rand() % 3 ? octet[rand() % 5 + 3 * (rand() % 4)]
                                        : octet[rand() % 16]);
    sprintf(b + k, "%s", tail[rand() % 20]);
}

/* Such texts, random and a fixed few (host bits, "/32", a length with a
 * leading zero), are keys or junk exactly as the reference, which renders
 * each address back. */
static void test_ipv4_texts(void **state)
{
    static const char *const fixed[] = { "10.0.0.0/08", "10.0.0.0/8", "0.0.0.0/00", "0.0.0.0/0",
                                         "0.0.0.0/32", "0.0.0.0", "192.0.2.0/024", "192.0.2.0/24",
                                         "192.0.2.1/32", "192.0.2.1/31", "192.0.2.0/31",
                                         "192.0.2.0/33", "192.0.2.0/", "192.0.2.0/2x" };
    enum { RANDOM = 40, FIXED = sizeof(fixed) / sizeof(fixed[0]), CAP = 1 << 20 };
    char *t = xmalloc(CAP), b[128];
    (void)state;
    srand(11);
    for (int round = 0; round < 200; round++) {
        struct listings l = { 0 };
        struct pubdiff d;
        size_t n = (size_t)sprintf(t, "address,cause\n");
        for (int i = 0; i < RANDOM + FIXED; i++) {
            if (i < RANDOM)
                random_ipv4_text(b);
            else
                strcpy(b, fixed[i - RANDOM]);
            enum cause c = (enum cause)(rand() % CAUSE__COUNT);
            n += (size_t)sprintf(t + n, "%s,%s,%d\n", b, policy_cause_name(c), i);
            struct ipprefix p;
            if (rand() % 2 && ipprefix_parse(span_make(b, strlen(b)), &p, true)) {
                add(&l, "0.0.0.0", rand() % 3 ? c : (enum cause)(rand() % CAUSE__COUNT));
                l.v[l.n - 1].pfx = p;
            }
        }
        listings_sort(&l);
        check(t, n, &l, &d);
        pubdiff_free(&d);
        free(l.v);
    }
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_duplicates_and_order),
        cmocka_unit_test(test_prefix_order),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_ipv6_and_empty),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_ipv4_texts),
    };
    if (mkdtemp(dir) == NULL)
        return 1;
    int rc = cmocka_run_group_tests_name("pubdiff", tests, NULL, NULL);
    char path[4096];
    snprintf(path, sizeof(path), "%s/listings.csv", dir);
    unlink(path);
    rmdir(dir);
    return rc;
}
