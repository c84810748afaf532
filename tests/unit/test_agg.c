/* agg: records that keep only the classes they have, growing and moving as
 * classes arrive, checked against plain arrays of counts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "agg.h"

static struct ipaddr IP(const char *s)
{
    struct ipaddr a;
    assert_true(ipaddr_parse(span_make(s, strlen(s)), &a));
    return a;
}

static uint64_t rng = 20261126;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* An event of every class, found through agg_classify itself. The tables
 * know one own zone, so that its class is reachable too. */
static struct event class_ev[AC__COUNT];
static const struct agg_conf test_conf = { .nzones = 1, .zone = { "bl.example" } };
#define agg_new(e) agg_new_conf((e), &test_conf)

static int find_events(void **state)
{
    (void)state;
    for (int t = 0; t < EV__COUNT; t++)
        for (int r = 0; r < R__COUNT; r++) {
            struct event ev = { .type = t, .reason = r };
            int c = agg_classify(&ev);
            if (c >= 0 && class_ev[c].type == EV_NONE)
                class_ev[c] = ev;
        }
    /* The classes a field decides: a login, a hit on our own zone, an SPF fail. */
    struct event login = { .type = EV_CLIENT, .sasl_user = span_make("cust1", 5) };
    struct event own = { .type = EV_DNSBL, .dnsbl = span_make("BL.example.", 11) };
    if (agg_classify(&login) == AC_AUTHENTICATED)
        class_ev[AC_AUTHENTICATED] = login;
    if (agg_classify_conf(&test_conf, &own) == AC_OWN_ZONE)
        class_ev[AC_OWN_ZONE] = own;
    /* An SPF result of fail that names the client. */
    struct event spf = { .type = EV_SPF, .status = span_make("fail", 4) };
    ipaddr_parse(span_make("192.0.2.1", 9), &spf.ip);
    if (agg_classify(&spf) == AC_SPF_FAIL)
        class_ev[AC_SPF_FAIL] = spf;
    for (int c = 0; c < AC__COUNT; c++)
        if (class_ev[c].type == EV_NONE)
            return -1;
    return 0;
}

/* times events of class c for ip, as one rsyslog "repeated" line. */
static void add(struct agg *a, const struct ipaddr *ip, int c, uint32_t times, uint64_t line)
{
    struct event ev = class_ev[c];
    char rep[16];

    ev.ip = *ip;
    ev.has_ts = true;
    ev.ts = 1000 + (int64_t)line;
    ev.line = line;
    snprintf(rep, sizeof(rep), "%u", times);
    ev.repeat = span_make(rep, strlen(rep));
    agg_add(a, &ev);
}

static void check(const struct ip_stats *st, const uint32_t want[AC__COUNT])
{
    uint32_t n[AC__COUNT];

    assert_non_null(st);
    ip_stats_counts(st, n);
    for (int c = 0; c < AC__COUNT; c++) {
        assert_int_equal(ip_stats_n(st, c), want[c]);
        assert_int_equal(n[c], want[c]);
    }
}

static void shuffle(int *v, int n)
{
    for (int i = 0; i < n; i++)
        v[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rnd((uint32_t)i + 1), t = v[i];
        v[i] = v[j], v[j] = t;
    }
}

/* Addresses of both families gain all 21 classes in random order, counts
 * added again at random; after every step each lookup returns the
 * (possibly moved) record with the counts of a plain array. */
static void test_growth_random_order(void **state)
{
    enum { NA = 6 };
    const char *names[NA] = { "192.0.2.1", "192.0.2.2", "10.0.0.1",
                              "2001:db8::1", "2001:db8::2", "2001:db8:1::1" };
    struct ipaddr ip[NA];
    int order[NA][AC__COUNT], next[NA] = { 0 };
    uint32_t want[NA][AC__COUNT] = { { 0 } };
    const struct ip_stats *seen[NA] = { 0 };
    int moves[NA] = { 0 };
    struct agg *a = agg_new(false);
    (void)state;
    for (int i = 0; i < NA; i++) {
        ip[i] = IP(names[i]);
        shuffle(order[i], AC__COUNT);
    }
    for (uint64_t line = 1, left = NA * AC__COUNT; left; line++) {
        int i = (int)rnd(NA), c;
        if (next[i] < AC__COUNT && rnd(3)) {
            c = order[i][next[i]++];
            left--;
        } else if (next[i] > 0) {
            c = order[i][rnd((uint32_t)next[i])];
        } else {
            continue;
        }
        uint32_t times = 1 + rnd(1000);
        add(a, &ip[i], c, times, line);
        want[i][c] += times;
        for (int j = 0; j < NA; j++) {
            const struct ip_stats *st = agg_lookup(a, &ip[j]);
            if (next[j] == 0) {
                assert_null(st);
                continue;
            }
            check(st, want[j]);
            if (st != seen[j])
                seen[j] = st, moves[j]++;
        }
    }
    assert_int_equal(agg_count(a), NA);
    for (int i = 0; i < NA; i++)
        assert_true(moves[i] > 1);      /* the records did move */
    agg_free(a);
}

struct snap {
    int n;
    struct ipaddr ip[64];
    uint32_t cnt[64][AC__COUNT];
};

static void snap_visit(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    struct snap *s = ctx;

    assert_true(s->n < 64);
    s->ip[s->n] = *ip;
    ip_stats_counts(st, s->cnt[s->n++]);
}

static void take(const struct agg *a, struct snap *s)
{
    memset(s, 0, sizeof(*s));
    agg_walk(a, snap_visit, s);
}

/* Disjoint, overlapping, equal and one-sided class sets; the sums do not
 * depend on the merge order; the sources stay unchanged; a merge into a
 * table with full records moves them. */
static void test_merge_class_sets(void **state)
{
    static const struct {
        const char *ip;
        uint32_t x, y;          /* class masks in either table */
    } cases[] = {
        { "192.0.2.1", 0x15, 0x2a },                    /* disjoint */
        { "192.0.2.2", 0xa84, 0x100280 },               /* overlapping */
        { "192.0.2.3", 0x7, 0x7 },                      /* the same */
        { "192.0.2.4", 0, 0x1fffff },                   /* only in y, every class */
        { "192.0.2.5", 0x1fffff, 0x1 },                 /* full, and one more count */
        { "2001:db8::5", 0x100001, 0 },                 /* only in x */
        { "2001:db8::6", 0x3, 0x1c },                   /* disjoint, fills and moves */
    };
    enum { NC = sizeof(cases) / sizeof(cases[0]) };
    uint32_t want[NC][AC__COUNT] = { { 0 } };
    struct agg *x = agg_new(false), *y = agg_new(false), *m1 = agg_new(false), *m2 = agg_new(false), *m3 = agg_new(false);
    (void)state;
    for (size_t i = 0; i < NC; i++) {
        struct ipaddr ip = IP(cases[i].ip);
        for (int c = 0; c < AC__COUNT; c++) {
            uint32_t tx = 1 + rnd(50), ty = 1 + rnd(50);
            if (cases[i].x >> c & 1)
                add(x, &ip, c, tx, 10 * i + 1), want[i][c] += tx;
            if (cases[i].y >> c & 1)
                add(y, &ip, c, ty, 10 * i + 2), want[i][c] += ty;
        }
        /* m3 holds the address already, its record full: the merge must
         * move it. */
        add(m3, &ip, AC_CONNECT, 1, 10 * i + 3);
        add(m3, &ip, AC_ACCEPTED, 1, 10 * i + 4);
        add(m3, &ip, AC_REJ_DNSBL, 1, 10 * i + 5);
    }
    struct snap sx, sy, after;
    take(x, &sx), take(y, &sy);
    agg_merge(m1, x), agg_merge(m1, y);
    agg_merge(m2, y), agg_merge(m2, x);
    agg_merge(m3, x), agg_merge(m3, y);
    take(x, &after);
    assert_memory_equal(&after, &sx, sizeof(after));
    take(y, &after);
    assert_memory_equal(&after, &sy, sizeof(after));
    for (size_t i = 0; i < NC; i++) {
        struct ipaddr ip = IP(cases[i].ip);
        check(agg_lookup(m1, &ip), want[i]);
        check(agg_lookup(m2, &ip), want[i]);
        want[i][AC_CONNECT]++, want[i][AC_ACCEPTED]++, want[i][AC_REJ_DNSBL]++;
        check(agg_lookup(m3, &ip), want[i]);
    }
    assert_int_equal(agg_count(m1), NC);
    agg_free(x), agg_free(y), agg_free(m1), agg_free(m2), agg_free(m3);
}

/* A record that moves leaves its old place to the next record of that
 * size: many addresses growing through every class, one after another
 * or a few at a time, hold little more than their final records; a second
 * pass over the same addresses allocates nothing. */
static void test_free_list_reuse(void **state)
{
    /* c * 7 walks every class once: 7 shares no factor with the count. */
    _Static_assert(AC__COUNT % 7 != 0, "pick another step");
    enum { N = 20000, WINDOW = 8 };
    /* A full record, rounded up to its alignment as the table stores it. */
    size_t al = _Alignof(struct ip_stats);
    size_t full = (offsetof(struct ip_stats, cnt) + AC__COUNT * sizeof(uint16_t) + al - 1) & ~(al - 1);
    (void)state;
    for (int window = 1; window <= WINDOW; window *= WINDOW) {
        struct agg *a = agg_new(false);
        size_t first = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (uint32_t base = 0; base < N; base += window)
                for (int c = 0; c < AC__COUNT; c++)
                    for (int w = 0; w < window; w++) {
                        struct ipaddr ip = { .family = 4 };
                        uint32_t k = 0x0a000000 + base + (uint32_t)w;
                        ip.b[0] = (uint8_t)(k >> 24), ip.b[1] = (uint8_t)(k >> 16);
                        ip.b[2] = (uint8_t)(k >> 8), ip.b[3] = (uint8_t)k;
                        add(a, &ip, (c * 7 + (int)(k % AC__COUNT)) % AC__COUNT, 1, k);
                    }
            if (pass == 0)
                first = agg_memory(a);
        }
        assert_int_equal(agg_count(a), N);
        assert_true(first <= (size_t)N * full + (size_t)(window + 1) * AC__COUNT * full);
        assert_int_equal(agg_memory(a), first);
        uint32_t want[AC__COUNT];
        for (int c = 0; c < AC__COUNT; c++)
            want[c] = 2;
        for (uint32_t k = 0x0a000000; k < 0x0a000000 + N; k += 997) {
            struct ipaddr ip = { .family = 4, .b = { 10, (uint8_t)(k >> 16), (uint8_t)(k >> 8),
                                                     (uint8_t)k } };
            check(agg_lookup(a, &ip), want);
        }
        agg_free(a);
    }
}

/* The recent-address cache follows a moved record: the old place, reused
 * by the next address, is never written for the moved one. Through
 * agg_add and through agg_merge. */
static void test_recent_after_move(void **state)
{
    struct ipaddr x = IP("192.0.2.1"), y = IP("192.0.2.2");
    uint32_t wx[AC__COUNT] = { 0 }, wy[AC__COUNT] = { 0 };
    (void)state;
    for (int via_merge = 0; via_merge < 2; via_merge++) {
        struct agg *a = agg_new(false), *src = agg_new(false);
        add(a, &x, AC_CONNECT, 1, 1);
        add(a, &x, AC_REJ_DNSBL, 1, 2);
        add(a, &x, AC_LOST, 1, 3);
        const struct ip_stats *old = agg_lookup(a, &x);
        if (via_merge) {
            add(src, &x, AC_PS_PREGREET, 1, 4);
            agg_merge(a, src);
        } else {
            add(a, &x, AC_PS_PREGREET, 1, 4);
        }
        assert_ptr_not_equal(agg_lookup(a, &x), old);
        add(a, &y, AC_CONNECT, 1, 5);
        assert_ptr_equal(agg_lookup(a, &y), old);       /* x's old place */
        add(a, &x, AC_CONNECT, 5, 6);           /* x from the cache */
        memset(wx, 0, sizeof(wx)), memset(wy, 0, sizeof(wy));
        wx[AC_CONNECT] = 6, wx[AC_REJ_DNSBL] = 1, wx[AC_LOST] = 1, wx[AC_PS_PREGREET] = 1;
        wy[AC_CONNECT] = 1;
        check(agg_lookup(a, &x), wx);
        check(agg_lookup(a, &y), wy);
        agg_free(a), agg_free(src);
    }
}

/* One evidence event of class c for ip at time ts from file f, line line. */
static void evidence(struct agg *a, const struct ipaddr *ip, int c, int64_t ts,
                     unsigned f, uint64_t line)
{
    struct event ev = class_ev[c];

    ev.ip = *ip;
    ev.has_ts = true;
    ev.ts = ts;
    ev.file_index = f;
    ev.line = line;
    agg_add(a, &ev);
}

/* Evidence lines, kept only when asked for: the earliest and latest by
 * time, position breaking ties; records that grow and move keep them,
 * and a merge in either order picks the same lines. Without them the
 * times are the same. */
static void test_evidence_lines(void **state)
{
    struct ipaddr x = IP("192.0.2.9"), y = IP("2001:db8::9");
    struct agg *t[2][2];
    struct agg_pos first, last;
    (void)state;

    for (int keep = 0; keep < 2; keep++) {
        for (int k = 0; k < 2; k++)
            t[keep][k] = agg_new(keep);
        /* table 0: x's evidence at 50 (file 1 line 7) and 90; y at 20 */
        evidence(t[keep][0], &x, AC_REJ_DNSBL, 50, 1, 7);
        evidence(t[keep][0], &x, AC_CONNECT, 10, 0, 1);         /* not evidence */
        evidence(t[keep][0], &x, AC_LOST, 90, 1, 9);
        evidence(t[keep][0], &y, AC_AUTH_FAIL, 20, 1, 3);
        /* table 1: x at 50 too but on an earlier line, and at 90 later;
         * new classes move x's record */
        evidence(t[keep][1], &x, AC_REJ_HELO, 50, 0, 400);
        evidence(t[keep][1], &x, AC_REJ_SENDER, 90, 2, 1);
        evidence(t[keep][1], &x, AC_REJ_POLICY, 70, 0, 2);
        evidence(t[keep][1], &x, AC_REJ_CONTENT, 60, 0, 3);
    }
    for (int keep = 0; keep < 2; keep++)
        for (int order = 0; order < 2; order++) {
            struct agg *m = agg_new(keep);
            agg_merge(m, t[keep][order]);
            agg_merge(m, t[keep][!order]);
            const struct ip_stats *sx = agg_lookup(m, &x), *sy = agg_lookup(m, &y);
            assert_true(ip_stats_ev_first(sx) == 50 && ip_stats_ev_last(sx) == 90);
            assert_true(ip_stats_ev_first(sy) == 20 && ip_stats_ev_last(sy) == 20);
            assert_int_equal(agg_evidence_lines(m, sx, &first, &last), keep);
            if (keep) {
                assert_true(first.file == 0 && first.line == 400);
                assert_true(last.file == 2 && last.line == 1);
                assert_true(agg_evidence_lines(m, sy, &first, &last));
                assert_true(first.file == 1 && first.line == 3 && last.line == 3);
            }
            agg_free(m);
        }
    /* A record with no evidence has no lines. */
    struct agg *a = agg_new(true);
    evidence(a, &x, AC_CONNECT, 10, 0, 1);
    assert_false(agg_evidence_lines(a, agg_lookup(a, &x), &first, &last));
    agg_free(a);
    for (int keep = 0; keep < 2; keep++)
        agg_free(t[keep][0]), agg_free(t[keep][1]);
}

/* A record's hostname is the one of its earliest line, whatever order the
 * lines arrive in: in order (the usual case, where later lines skip the
 * comparison), out of order within a table and across files, and through
 * merges in either order. */
static void named(struct agg *a, const struct ipaddr *ip, const char *host, uint32_t file,
                  uint64_t line)
{
    struct event ev = class_ev[AC_CONNECT];

    ev.ip = *ip;
    ev.file_index = file;
    ev.line = line;
    ev.rdns = span_make(host, strlen(host));
    agg_add(a, &ev);
}

static void test_rdns_earliest_line(void **state)
{
    struct ipaddr x = IP("192.0.2.7"), y = IP("198.51.100.7"), z = IP("2001:db8::7");
    (void)state;

    struct agg *t0 = agg_new(false), *t1 = agg_new(false);
    named(t0, &x, "x-line10", 0, 10);
    named(t0, &x, "x-line20", 0, 20);          /* later: kept x-line10 */
    named(t0, &y, "y-file1", 1, 5);
    named(t0, &y, "y-file0-line90", 0, 90);    /* an earlier file: replaces */
    named(t0, &y, "y-file1-line1", 1, 1);      /* behind the high mark, not earliest */
    named(t0, &z, "z-line30", 0, 30);
    named(t0, &z, "z-line3", 0, 3);            /* earlier line of the same file */
    named(t0, &x, "x-line9", 0, 9);
    assert_string_equal(agg_lookup(t0, &x)->rdns, "x-line9");
    assert_string_equal(agg_lookup(t0, &y)->rdns, "y-file0-line90");
    assert_string_equal(agg_lookup(t0, &z)->rdns, "z-line3");
    named(t1, &x, "x-line8", 0, 8);
    named(t1, &y, "y-line91", 0, 91);
    named(t1, &z, "z-line2", 0, 2);
    named(t1, &z, "z-line1", 0, 1);
    for (int order = 0; order < 2; order++) {
        struct agg *m = agg_new(false);
        agg_merge(m, order ? t1 : t0);
        agg_merge(m, order ? t0 : t1);
        assert_string_equal(agg_lookup(m, &x)->rdns, "x-line8");
        assert_string_equal(agg_lookup(m, &y)->rdns, "y-file0-line90");
        assert_string_equal(agg_lookup(m, &z)->rdns, "z-line1");
        /* Lines after the merged ones leave the names alone. */
        named(m, &x, "x-line500", 3, 500);
        named(m, &z, "z-line500", 3, 500);
        assert_string_equal(agg_lookup(m, &x)->rdns, "x-line8");
        assert_string_equal(agg_lookup(m, &z)->rdns, "z-line1");
        agg_free(m);
    }
    agg_free(t0);
    agg_free(t1);
}

/* Records a merge creates in a table that lacks the address are copies
 * sized for their own counts and holding their own hostname: the source
 * tables can go, their memory reused, and the copies still grow into
 * every class without touching their neighbours. */
static void test_merge_new_records(void **state)
{
    enum { N = 64 };
    struct agg *m = agg_new(false), *src = agg_new(false);
    uint32_t want[N][AC__COUNT] = { { 0 } };
    char host[N][40];
    (void)state;

    for (uint32_t i = 0; i < N; i++) {
        struct ipaddr ip = { .family = 4, .b = { 192, 0, 2, (uint8_t)i } };
        struct event ev = class_ev[AC_REJ_DNSBL];
        snprintf(host[i], sizeof(host[i]), "host-%u.example", i);
        ev.ip = ip;
        ev.line = i + 1;
        ev.rdns = span_make(host[i], strlen(host[i]));
        agg_add(src, &ev);              /* one class: the record has room for three */
        want[i][AC_REJ_DNSBL] = 1;
    }
    agg_merge(m, src);
    agg_free(src);
    /* A table of other names, likely on the freed memory. */
    struct agg *other = agg_new(false);
    for (uint32_t i = 0; i < N; i++) {
        struct ipaddr ip = { .family = 4, .b = { 198, 51, 100, (uint8_t)i } };
        struct event ev = class_ev[AC_CONNECT];
        ev.ip = ip;
        ev.line = i + 1;
        ev.rdns = span_make("overwritten.example.net", 23);
        agg_add(other, &ev);
    }
    for (uint32_t i = 0; i < N; i += 2) {
        struct ipaddr ip = { .family = 4, .b = { 192, 0, 2, (uint8_t)i } };
        for (int c = 0; c < AC__COUNT; c++)
            if (c != AC_REJ_DNSBL)
                add(m, &ip, c, 2, 1000 + i), want[i][c] += 2;
    }
    for (uint32_t i = 0; i < N; i++) {
        struct ipaddr ip = { .family = 4, .b = { 192, 0, 2, (uint8_t)i } };
        const struct ip_stats *st = agg_lookup(m, &ip);
        check(st, want[i]);
        assert_string_equal(st->rdns, host[i]);
    }
    assert_int_equal(agg_count(m), N);
    agg_free(other);
    agg_free(m);
}

/* A table emptied with agg_clear and filled again, over and over, holds
 * what a new table would: its reused records start at zero, and the
 * recent cache forgets the old ones. Half of each round's addresses were
 * in the round before; 20000 of them take the arena past its small
 * blocks. */
static void test_clear_refill(void **state)
{
    enum { N = 20000, ROUNDS = 4 };
    struct agg *t = agg_new(true);
    uint32_t (*want)[AC__COUNT] = calloc(N, sizeof(*want));
    uint64_t *first_line = calloc(N, sizeof(*first_line));
    (void)state;

    assert_non_null(want);
    assert_non_null(first_line);
    for (uint32_t r = 0; r < ROUNDS; r++) {
        uint32_t base = r * (N / 2);
        memset(want, 0, N * sizeof(*want));
        memset(first_line, 0, N * sizeof(*first_line));
        for (uint32_t k = 0; k < 3 * N; k++) {
            uint32_t i = k < N ? k : rnd(N);    /* every address, then at random */
            struct ipaddr ip = { .family = 4 };
            uint32_t v = 0x0a000000 + base + i;
            char host[32];
            ipaddr_set_v4(&ip, v);
            int c = (int)rnd(AC__COUNT);
            struct event ev = class_ev[c];
            ev.ip = ip;
            ev.has_ts = true;
            ev.ts = 1000 + k;
            ev.line = k + 1;
            snprintf(host, sizeof(host), "r%u-%u.example", r, base + i);
            ev.rdns = span_make(host, strlen(host));
            agg_add(t, &ev);
            want[i][c]++;
            if (agg_is_evidence(c) && first_line[i] == 0)
                first_line[i] = ev.line;
        }
        assert_int_equal(agg_count(t), N);
        for (uint32_t i = 0; i < N; i++) {
            struct ipaddr ip = { .family = 4 };
            struct agg_pos first, last;
            char host[32];
            ipaddr_set_v4(&ip, 0x0a000000 + base + i);
            const struct ip_stats *st = agg_lookup(t, &ip);
            check(st, want[i]);
            snprintf(host, sizeof(host), "r%u-%u.example", r, base + i);
            assert_string_equal(st->rdns, host);
            assert_int_equal(agg_evidence_lines(t, st, &first, &last), first_line[i] != 0);
            if (first_line[i])
                assert_int_equal(first.line, first_line[i]);
        }
        if (r > 0) {                    /* the half not seen again is gone */
            struct ipaddr ip = { .family = 4 };
            ipaddr_set_v4(&ip, 0x0a000000 + base - 1);
            assert_null(agg_lookup(t, &ip));
        }
        agg_clear(t);
        assert_int_equal(agg_count(t), 0);
        assert_int_equal(agg_memory(t), 0);
    }
    free(want);
    free(first_line);
    agg_free(t);
}

/* agg_collect in batches of any size visits what agg_walk visits, in the
 * same order, the edges of both key spaces included. */
struct walked {
    struct ipaddr ip[64];
    const struct ip_stats *st[64];
    size_t n;
};

static void walked_one(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    struct walked *w = ctx;

    assert_true(w->n < 64);
    w->ip[w->n] = *ip;
    w->st[w->n++] = st;
}

/* Counts are 16 bits until one passes 65535: the record widens (and
 * moves) to 32-bit counts, in agg_add, through the recent cache, in a
 * merge whose sums pass it, and from agg_put, which a merge narrows
 * again when the counts allow. */
static void test_wide_counts(void **state)
{
    struct ipaddr ip[3] = { IP("192.0.2.7"), IP("2001:db8::7"), IP("198.51.100.7") };
    uint32_t want[3][AC__COUNT] = { { 0 } };
    struct agg *a = agg_new(false), *x = agg_new(false), *y = agg_new(false);
    (void)state;

    for (int i = 0; i < 2; i++) {
        add(a, &ip[i], AC_CONNECT, 1, 1), want[i][AC_CONNECT] += 1;
        add(a, &ip[i], AC_LOST, 65534, 2), want[i][AC_LOST] += 65534;
        add(a, &ip[i], AC_REJ_DNSBL, 7, 3), want[i][AC_REJ_DNSBL] += 7;
        assert_false(agg_lookup(a, &ip[i])->wide);
        check(agg_lookup(a, &ip[i]), want[i]);
        add(a, &ip[i], AC_LOST, 1, 4), want[i][AC_LOST] += 1;      /* 65535: still fits */
        assert_false(agg_lookup(a, &ip[i])->wide);
        add(a, &ip[i], AC_LOST, 1, 5), want[i][AC_LOST] += 1;
        assert_true(agg_lookup(a, &ip[i])->wide);
        check(agg_lookup(a, &ip[i]), want[i]);
        /* More classes after widening, in front of and behind the wide ones. */
        add(a, &ip[i], AC_AUTH_FAIL, 3, 6), want[i][AC_AUTH_FAIL] += 3;
        add(a, &ip[i], AC_ACCEPTED, 999999, 7), want[i][AC_ACCEPTED] += 999999;
        add(a, &ip[i], AC_PS_PREGREET, 2, 8), want[i][AC_PS_PREGREET] += 2;
        add(a, &ip[i], AC_LOST, 10, 9), want[i][AC_LOST] += 10;
        check(agg_lookup(a, &ip[i]), want[i]);
    }
    /* Narrow sums past 65535 in a merge, either way round. */
    add(x, &ip[2], AC_CONNECT, 40000, 1);
    add(y, &ip[2], AC_CONNECT, 40000, 2);
    add(y, &ip[2], AC_LOST, 1, 3);
    want[2][AC_CONNECT] = 80000, want[2][AC_LOST] = 1;
    assert_false(agg_lookup(x, &ip[2])->wide);
    agg_merge(x, y);
    assert_true(agg_lookup(x, &ip[2])->wide);
    check(agg_lookup(x, &ip[2]), want[2]);
    agg_merge(a, x);
    check(agg_lookup(a, &ip[2]), want[2]);
    /* agg_put: wide records into a table, narrowed where they fit. */
    struct agg *p = agg_new(false);
    struct agg_rec r;
    for (int i = 0; i < 3; i++) {
        agg_rec_get(a, agg_lookup(a, &ip[i]), &r);
        agg_put(p, &ip[i], &r);
        check(agg_lookup(p, &ip[i]), want[i]);
        assert_true(agg_lookup(p, &ip[i])->wide);
    }
    struct ipaddr small = IP("192.0.2.99");
    uint32_t ws[AC__COUNT] = { 0 };
    add(y, &small, AC_REJ_HELO, 5, 9), ws[AC_REJ_HELO] = 5;
    agg_rec_get(y, agg_lookup(y, &small), &r);
    agg_put(p, &small, &r);
    assert_false(agg_lookup(p, &small)->wide);
    check(agg_lookup(p, &small), ws);
    agg_put(p, &small, &r), ws[AC_REJ_HELO] = 10;
    assert_false(agg_lookup(p, &small)->wide);
    check(agg_lookup(p, &small), ws);
    agg_free(a), agg_free(x), agg_free(y), agg_free(p);
}

/* Evidence times outside [0, 2^32) widen a record too: the times stay
 * exact, the counts and the evidence lines with them, through agg_add,
 * agg_merge and agg_put, which narrows again what fits. */
static void test_wide_times(void **state)
{
    struct ipaddr x = IP("192.0.2.8"), y = IP("2001:db8::8");
    const int64_t big = (int64_t)1 << 33;
    struct agg_pos f, l;
    (void)state;
    for (int keep = 0; keep < 2; keep++) {
        struct agg *a = agg_new(keep), *b = agg_new(keep), *m = agg_new(keep), *p = agg_new(keep);
        uint32_t want[AC__COUNT] = { 0 };
        for (int i = 0; i < 2; i++) {
            const struct ipaddr *ip = i ? &y : &x;
            evidence(a, ip, AC_REJ_DNSBL, 100, 1, 10);
            evidence(a, ip, AC_REJ_DNSBL, 50, 1, 11);
            add(a, ip, AC_CONNECT, 3, 12);
            assert_false(agg_lookup(a, ip)->wide);
            evidence(a, ip, AC_LOST, -5, 1, 13);
            assert_true(agg_lookup(a, ip)->wide);
            evidence(a, ip, AC_REJ_HELO, big, 1, 14);
            evidence(a, ip, AC_REJ_HELO, -5, 1, 9);     /* the same time, an earlier line */
            evidence(a, ip, AC_REJ_HELO, big, 2, 1);    /* the same time, a later line */
            const struct ip_stats *st = agg_lookup(a, ip);
            assert_true(ip_stats_ev_first(st) == -5 && ip_stats_ev_last(st) == big);
            memset(want, 0, sizeof(want));
            want[AC_REJ_DNSBL] = 2, want[AC_CONNECT] = 3, want[AC_LOST] = 1, want[AC_REJ_HELO] = 3;
            check(st, want);
            assert_int_equal(agg_evidence_lines(a, st, &f, &l), keep);
            if (keep)
                assert_true(f.file == 1 && f.line == 9 && l.file == 2 && l.line == 1);
            /* b: narrow, inside; merged both ways. */
            evidence(b, ip, AC_REJ_DNSBL, 20, 3, 1);
            evidence(b, ip, AC_REJ_DNSBL, 30, 3, 2);
        }
        agg_merge(m, b);
        agg_merge(m, a);
        agg_merge(b, a);
        want[AC_REJ_DNSBL] = 4;
        for (int i = 0; i < 2; i++) {
            const struct ipaddr *ip = i ? &y : &x;
            for (int t = 0; t < 2; t++) {
                struct agg *g = t ? b : m;
                const struct ip_stats *st = agg_lookup(g, ip);
                assert_true(st->wide);
                assert_true(ip_stats_ev_first(st) == -5 && ip_stats_ev_last(st) == big);
                check(st, want);
                assert_int_equal(agg_evidence_lines(g, st, &f, &l), keep);
                if (keep)
                    assert_true(f.file == 1 && f.line == 9 && l.file == 2 && l.line == 1);
            }
        }
        /* Through agg_put: wide where it must be, narrow where it can. */
        struct agg_rec r;
        agg_rec_get(m, agg_lookup(m, &x), &r);
        agg_put(p, &x, &r);
        assert_true(agg_lookup(p, &x)->wide);
        assert_true(ip_stats_ev_first(agg_lookup(p, &x)) == -5);
        check(agg_lookup(p, &x), want);
        struct agg *n = agg_new(keep);
        struct ipaddr z = IP("192.0.2.80");
        evidence(n, &z, AC_AUTH_FAIL, 0, 4, 4);
        evidence(n, &z, AC_AUTH_FAIL, UINT32_MAX, 4, 5);
        agg_rec_get(n, agg_lookup(n, &z), &r);
        agg_put(p, &z, &r);
        const struct ip_stats *st = agg_lookup(p, &z);
        assert_false(st->wide);
        assert_true(ip_stats_ev_first(st) == 0 && ip_stats_ev_last(st) == UINT32_MAX);
        assert_int_equal(ip_stats_n(st, AC_AUTH_FAIL), 2);
        assert_int_equal(agg_evidence_lines(p, st, &f, &l), keep);
        if (keep)
            assert_true(f.line == 4 && l.line == 5);
        agg_free(a), agg_free(b), agg_free(m), agg_free(p), agg_free(n);
    }
}

/* Thousands of messages open at once in one chunk (the table of open
 * client= lines grows and its probe runs cross), taken by qmgr in random
 * order: every message with both lines is credited once, to its client,
 * as when a chunk boundary sends everything through agg_settle. */
static void test_queue_pairing_many(void **state)
{
    enum { N = 5000 };
    static char qid[N][12];
    static int order[N];
    static uint32_t want[64];
    struct agg *t[2] = { agg_new(false), agg_new(false) };
    (void)state;
    memset(want, 0, sizeof(want));
    for (int i = 0; i < N; i++) {
        snprintf(qid[i], sizeof(qid[i]), "%X", 0x10000 + i * 7919);
        if (i % 7 && i % 11)
            want[i % 64]++;
    }
    shuffle(order, N);
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < N; i++) {
            if (i % 11 == 0)
                continue;       /* qmgr alone: a message submitted locally */
            struct event ev = { .type = EV_CLIENT, .has_ts = true, .ts = 1000, .line = (uint64_t)i };
            ev.ip.family = 4, ev.ip.b[0] = 10, ev.ip.b[3] = (uint8_t)(i % 64);
            ev.host = span_make("mx1", 3);
            ev.qid = span_make(qid[i], strlen(qid[i]));
            agg_add(t[k], &ev);
        }
        if (k)
            agg_chunk_begin(t[k]);      /* the pairs cut: all of them through agg_settle */
        for (int j = 0; j < N; j++) {
            int i = order[j];
            if (i % 7 == 0)
                continue;       /* refused by cleanup: no qmgr line */
            struct event ev = { .type = EV_QUEUED, .has_ts = true, .ts = 2000 + j / 1000,
                                .line = (uint64_t)(N + j) };
            ev.host = span_make("mx1", 3);
            ev.qid = span_make(qid[i], strlen(qid[i]));
            agg_add(t[k], &ev);
        }
        /* In one chunk, only the lines without their other half stay open. */
        size_t open = 0;
        for (int i = 0; i < N; i++)
            open += (i % 7 == 0) != (i % 11 == 0);
        if (k == 0)
            assert_int_equal(agg_open_lines(t[k], NULL, NULL), open);
        agg_settle(t[k]);
        for (int c = 0; c < 64; c++) {
            struct ipaddr ip = { .family = 4, .b = { 10, 0, 0, (uint8_t)c } };
            assert_int_equal(ip_stats_n(agg_lookup(t[k], &ip), AC_ACCEPTED), want[c]);
        }
        agg_free(t[k]);
    }
}

static void test_collect_batches(void **state)
{
    static const char *const names[] = {
        "0.0.0.0", "0.0.0.1", "10.0.0.1", "192.0.2.1", "255.255.255.254", "255.255.255.255",
        "::", "::1", "2001:db8::1", "2001:db8::2", "2001:db8:0:1::1",
        "2001:db8::ffff:ffff:ffff:ffff", "2001:db8:0:1::", "ffff:ffff:ffff:ffff::",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    };
    enum { N = sizeof(names) / sizeof(names[0]) };
    (void)state;

    for (int only = 0; only < 3; only++) {      /* both families, IPv4 only, IPv6 only */
        struct agg *a = agg_new(false);
        struct walked w = { .n = 0 };
        size_t added = 0;
        for (size_t i = 0; i < N; i++) {
            struct ipaddr ip = IP(names[i]);
            if ((only == 1 && ip.family != 4) || (only == 2 && ip.family != 6))
                continue;
            add(a, &ip, AC_CONNECT, 1, i + 1);
            added++;
        }
        agg_walk(a, walked_one, &w);
        /* Every address, in address order (the edges of both ranges too). */
        assert_int_equal(w.n, added);
        for (size_t i = 1; i < w.n; i++)
            assert_true(ipaddr_cmp(&w.ip[i - 1], &w.ip[i]) < 0);
        for (size_t max = 1; max <= N + 1; max++) {
            struct agg_cursor cur;
            struct ipaddr ip[N + 1];
            const struct ip_stats *st[N + 1];
            size_t got = 0, k;
            memset(&cur, 0, sizeof(cur));
            while ((k = agg_collect(a, &cur, ip, st, max)) > 0) {
                assert_true(k <= max && got + k <= w.n);
                for (size_t i = 0; i < k; i++, got++) {
                    assert_int_equal(ipaddr_cmp(&ip[i], &w.ip[got]), 0);
                    assert_ptr_equal(st[i], w.st[got]);
                }
            }
            assert_int_equal(got, w.n);
            assert_int_equal(agg_collect(a, &cur, ip, st, max), 0);
        }
        agg_free(a);
    }
}

struct seal_walk {
    struct ipaddr ip[512];
    const struct ip_stats *st[512];
    size_t n;
};

static void seal_visit(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    struct seal_walk *w = ctx;

    assert_true(w->n < 512);
    w->ip[w->n] = *ip;
    w->st[w->n++] = st;
}

/* A sealed index walks and looks up as the hash did, IPv6 addresses
 * (still in Judy) too; a table without IPv4 addresses is not sealed. */
static void test_seal(void **state)
{
    (void)state;
    struct agg *a = agg_new(false);
    struct seal_walk *before = calloc(1, sizeof(*before)), *after = calloc(1, sizeof(*after));
    struct ipaddr ip;

    for (int i = 0; i < 500; i++) {
        ipaddr_set_v4(&ip, rnd(UINT32_MAX) | 1);
        add(a, &ip, AC_REJ_HELO, 1 + rnd(3), (uint64_t)i);
    }
    agg_walk(a, seal_visit, before);
    bool sealed = agg_seal(a);
    agg_walk(a, seal_visit, after);
    assert_int_equal(after->n, before->n);
    assert_int_equal(agg_count(a), before->n);
    for (size_t i = 0; i < before->n; i++) {
        assert_int_equal(ipaddr_cmp(&after->ip[i], &before->ip[i]), 0);
        assert_ptr_equal(after->st[i], before->st[i]);
        assert_ptr_equal(agg_lookup(a, &before->ip[i]), before->st[i]);
    }
    ipaddr_set_v4(&ip, 2);      /* the addresses above are odd */
    assert_null(agg_lookup(a, &ip));
    ip = IP("2001:db8::1");
    assert_null(agg_lookup(a, &ip));
    assert_true(sealed);
    assert_false(agg_seal(a));
    agg_drop_index(a);
    assert_int_equal(agg_count(a), before->n);
    agg_free(a);

    a = agg_new(false);
    ip = IP("2001:db8::1");
    add(a, &ip, AC_REJ_HELO, 1, 2);
    assert_false(agg_seal(a));
    add(a, &before->ip[0], AC_REJ_HELO, 1, 1);
    assert_true(agg_seal(a));
    assert_non_null(agg_lookup(a, &ip));
    assert_non_null(agg_lookup(a, &before->ip[0]));
    after->n = 0;
    agg_walk(a, seal_visit, after);
    assert_int_equal(after->n, 2);
    assert_int_equal(ipaddr_cmp(&after->ip[0], &before->ip[0]), 0);
    assert_int_equal(ipaddr_cmp(&after->ip[1], &ip), 0);
    agg_free(a);
    free(before);
    free(after);
}

/* A walk sorts the index into a copy; what is added after it (new
 * addresses, records that move for a class they had no room for) shows in
 * the next walk, in order, and in lookups. */
static void test_walk_then_add(void **state)
{
    (void)state;
    struct agg *a = agg_new(false);
    struct seal_walk *w = calloc(1, sizeof(*w));
    struct ipaddr ip;
    uint32_t keys[400];

    for (int i = 0; i < 400; i++)
        keys[i] = rnd(UINT32_MAX);
    for (int i = 0; i < 200; i++) {
        ipaddr_set_v4(&ip, keys[i]);
        add(a, &ip, AC_REJ_HELO, 1, (uint64_t)i);
    }
    agg_walk(a, seal_visit, w);
    assert_int_equal(w->n, agg_count(a));
    for (int i = 0; i < 400; i++) {
        ipaddr_set_v4(&ip, keys[i]);
        for (int c = AC_REJ_DNSBL; c < AC_REJ_DNSBL + 5; c++)
            add(a, &ip, c, 1, (uint64_t)(1000 + i));
    }
    w->n = 0;
    agg_walk(a, seal_visit, w);
    assert_int_equal(w->n, agg_count(a));
    for (size_t i = 0; i < w->n; i++) {
        if (i > 0)
            assert_true(ipaddr_cmp(&w->ip[i - 1], &w->ip[i]) < 0);
        assert_ptr_equal(agg_lookup(a, &w->ip[i]), w->st[i]);
        assert_int_equal(ip_stats_n(w->st[i], AC_REJ_DNSBL), 1);
    }
    agg_free(a);
    free(w);
}

/* Sealed before any walk, the hash is sorted in place: a crowded /16
 * (sorted by the next 8 bits, then the last 8) and lone addresses walk in
 * order, and every address is found. */
static void test_seal_in_place(void **state)
{
    enum { N = 3000 };
    (void)state;
    struct agg *a = agg_new(false);
    uint32_t *keys = calloc(N, sizeof(*keys));
    struct ipaddr ip;
    size_t n = 0, prev_set = 0;
    uint32_t prev = 0;

    for (int i = 0; i < N; i++) {
        keys[i] = i % 3 ? (UINT32_C(0x0a01) << 16) | rnd(1 << 16) : rnd(UINT32_MAX);
        ipaddr_set_v4(&ip, keys[i]);
        add(a, &ip, AC_REJ_HELO, 1, (uint64_t)i);
    }
    assert_true(agg_seal(a));
    struct agg_cursor cur = { 0 };
    struct ipaddr ips[64];
    const struct ip_stats *st[64];
    size_t k;
    while ((k = agg_collect(a, &cur, ips, st, 64)) > 0)
        for (size_t i = 0; i < k; i++, n++) {
            uint32_t v = ipaddr_v4(&ips[i]);
            if (prev_set)
                assert_true(v > prev);
            prev = v, prev_set = 1;
            assert_ptr_equal(agg_lookup(a, &ips[i]), st[i]);
        }
    assert_int_equal(n, agg_count(a));
    for (int i = 0; i < N; i++) {
        ipaddr_set_v4(&ip, keys[i]);
        assert_non_null(agg_lookup(a, &ip));
    }
    agg_free(a);
    free(keys);
}

/* The same lines into a plain table and, in batches merged into another
 * table and cleared, into a batch table (IPv4 in a hash that grows from
 * 1024 slots): every record the same, field by field. */
struct batch_cmp {
    const struct agg *plain, *all;
    size_t n;
};

static void batch_visit(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    struct batch_cmp *b = ctx;
    struct agg_rec want, got;
    const struct ip_stats *o = agg_lookup(b->all, ip);

    assert_non_null(o);
    agg_rec_get(b->plain, st, &want);
    agg_rec_get(b->all, o, &got);
    assert_memory_equal(want.n, got.n, sizeof(want.n));
    assert_int_equal(want.mask, got.mask);
    assert_int_equal(want.first, got.first);
    assert_int_equal(want.last, got.last);
    assert_int_equal(want.ev_first_ts, got.ev_first_ts);
    assert_int_equal(want.ev_last_ts, got.ev_last_ts);
    assert_int_equal(want.ev_first.line, got.ev_first.line);
    assert_int_equal(want.ev_last.line, got.ev_last.line);
    assert_int_equal(want.rdns == NULL, got.rdns == NULL);
    if (want.rdns)
        assert_string_equal(want.rdns, got.rdns);
    assert_int_equal(want.rdns_pos.line, got.rdns_pos.line);
    assert_int_equal(want.rdns_unknown, got.rdns_unknown);
    b->n++;
}

static void test_batch_merge(void **state)
{
    enum { N = 6000, LINES = 80000, BATCH = 9000 };
    struct agg *plain = agg_new(true), *all = agg_new(true);
    struct agg *b = agg_new_conf(true, &test_conf);
    (void)state;

    for (uint32_t k = 0; k < LINES; k++) {
        uint32_t i = rnd(N);
        int c = (int)rnd(AC__COUNT);
        struct event ev = class_ev[c];
        char host[32], rep[16];
        if (i % 16 == 0) {
            ev.ip = IP("2001:db8::");
            ev.ip.b[15] = (uint8_t)i, ev.ip.b[14] = (uint8_t)(i >> 8);
        } else {
            ev.ip.family = 4;
            ipaddr_set_v4(&ev.ip, i * UINT32_C(2654435761));
        }
        ev.has_ts = true;
        ev.ts = 1000 + k;
        ev.line = k + 1;
        snprintf(rep, sizeof(rep), "%u", rnd(40) ? 1 + rnd(3) : 30000);
        ev.repeat = span_make(rep, strlen(rep));
        if (rnd(4) == 0) {
            snprintf(host, sizeof(host), "h%u-%u.example", i, rnd(3));
            ev.rdns = span_make(host, strlen(host));
        } else {
            ev.rdns_unknown = rnd(8) == 0;
        }
        agg_add(plain, &ev);
        agg_add(b, &ev);
        if ((k + 1) % BATCH == 0) {
            agg_merge(all, b);
            agg_clear(b);
            assert_int_equal(agg_count(b), 0);
        }
    }
    agg_merge(all, b);
    assert_int_equal(agg_count(all), agg_count(plain));
    struct batch_cmp cmp = { plain, all, 0 };
    agg_walk(plain, batch_visit, &cmp);
    assert_int_equal(cmp.n, agg_count(plain));
    /* The batch table still answers lookups. */
    struct ipaddr ip = { .family = 4 };
    ipaddr_set_v4(&ip, 1 * UINT32_C(2654435761));
    const struct ip_stats *st = agg_lookup(b, &ip);
    if (st)
        assert_true(st->mask != 0);
    ipaddr_set_v4(&ip, 0xfffffffe);
    assert_null(agg_lookup(b, &ip));
    agg_free(b);
    agg_free(all);
    agg_free(plain);
}

/* Postfix's disconnect counters: a login succeeded if the first "auth="
 * (at the start or after a space) counts one or more. */
static void test_disconnect_auth(void **state)
{
    static const struct {
        const char *text;
        int want;
    } t[] = {
        { "ehlo=1 auth=1 mail=1 rcpt=0/1 quit=1 commands=4/5", AC_AUTHENTICATED },
        { "auth=1", AC_AUTHENTICATED },
        { "ehlo=1 auth=12/12 quit=1", AC_AUTHENTICATED },
        { "ehlo=1 auth=0/1 commands=1/2", -1 },
        { "ehlo=1 mail=1 rcpt=1/1 data=1 quit=1 commands=5", -1 },
        { "ehlo=1 xauth=1 auth=1", -1 },
        { "ehlo=1 uauth=1", -1 },
        { "ehlo=1 auth=", -1 },
        { "ehlo=1 auth", -1 },
        { "ehlo=1 aut", -1 },
        { "u", -1 },
        { "", -1 },
        { "quit=1 auth=01", AC_AUTHENTICATED },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct event ev = { .type = EV_DISCONNECT };
        ev.text = span_make(t[i].text, strlen(t[i].text));
        assert_int_equal(agg_classify(&ev), t[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth_random_order),
        cmocka_unit_test(test_merge_class_sets),
        cmocka_unit_test(test_free_list_reuse),
        cmocka_unit_test(test_recent_after_move),
        cmocka_unit_test(test_evidence_lines),
        cmocka_unit_test(test_rdns_earliest_line),
        cmocka_unit_test(test_merge_new_records),
        cmocka_unit_test(test_collect_batches),
        cmocka_unit_test(test_clear_refill),
        cmocka_unit_test(test_wide_counts),
        cmocka_unit_test(test_wide_times),
        cmocka_unit_test(test_queue_pairing_many),
        cmocka_unit_test(test_seal),
        cmocka_unit_test(test_walk_then_add),
        cmocka_unit_test(test_seal_in_place),
        cmocka_unit_test(test_batch_merge),
        cmocka_unit_test(test_disconnect_auth),
    };
    return cmocka_run_group_tests(tests, find_events, NULL);
}
