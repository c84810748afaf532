/* zonedata: the entries against the plain way of making them, and the
 * allowlist's effects (ranges it covers dropped, prefixes
 * strictly inside a published range kept as exclusions) against a
 * brute-force check of every pair, on random nested sets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "zonedata.h"

static const enum cause causes[] = { CAUSE_SPAM, CAUSE_AUTH, CAUSE_DYNAMIC, CAUSE_NET };

static struct ipprefix rand_prefix(int family)
{
    struct ipprefix p;

    memset(&p, 0, sizeof(p));
    if (family == 4) {
        /* Dense in 192.0.2.0/23 so that ranges nest and touch. */
        ipaddr_set_v4(&p.addr, 0xc0000200u + (uint32_t)(rand() % 512));
        p.len = (uint8_t)(rand() % 3 ? 32 : 23 + rand() % 9);
    } else {
        p.addr.family = 6;
        p.addr.b[0] = 0x20, p.addr.b[1] = 0x01, p.addr.b[2] = 0x0d, p.addr.b[3] = 0xb8;
        p.addr.b[15] = (uint8_t)(rand() % 256);
        p.len = (uint8_t)(rand() % 3 ? 128 : 120 + rand() % 8);
    }
    p.addr = ipaddr_mask(&p.addr, p.len);
    return p;
}

/* Does outer contain all of inner? */
static bool within(const struct ipprefix *outer, const struct ipprefix *inner)
{
    return outer->addr.family == inner->addr.family && outer->len <= inner->len
        && ipprefix_contains(outer, &inner->addr);
}

static void test_allowlist_against_brute_force(void **state)
{
    size_t total_excl = 0, total_dropped = 0;
    (void)state;
    srand(5);
    for (int round = 0; round < 200; round++) {
        struct listings l;
        memset(&l, 0, sizeof(l));
        size_t n = 20 + (size_t)(rand() % 300);
        for (size_t i = 0; i < n; i++) {
            struct listing e;
            memset(&e, 0, sizeof(e));
            e.pfx = rand_prefix(rand() % 4 ? 4 : 6);
            e.d.cause = causes[rand() % 4];
            listings_push(&l, &e, &(struct listing_more){ 0 });
        }
        listings_sort(&l);
        struct cidrset *allow = cidrset_new();
        size_t na = (size_t)(rand() % 40);
        for (size_t i = 0; i < na; i++) {
            struct ipprefix a = rand_prefix(rand() % 4 ? 4 : 6);
            cidrset_add(allow, &a);
        }
        struct zonedata z;
        zonedata_build(&z, &l, allow, ~0u);

        /* No published entry lies inside a single allowlisted prefix. */
        for (size_t i = 0; i < z.n; i++) {
            struct zone_entry e = zonedata_at(&z, i);
            for (size_t k = 0; k < cidrset_count(allow); k++)
                assert_false(within(cidrset_get(allow, k), &e.pfx));
        }
        /* Dropped: the per-cause minimal ranges that one prefix covers. */
        size_t dropped = 0;
        for (size_t c = 0; c < 4; c++)
            for (int fam = 4; fam <= 6; fam += 2) {
                struct ipprefix *in = calloc(l.n + 1, sizeof(*in));
                size_t k = 0;
                for (size_t i = 0; i < l.n; i++)
                    if (l.v[i].d.cause == causes[c])
                        in[k++] = l.v[i].pfx;
                struct cidr_list m = { 0 };
                cidr_minimal(in, k, NULL, 0, fam, &m);
                for (size_t i = 0; i < m.n; i++)
                    for (size_t a = 0; a < cidrset_count(allow); a++)
                        if (within(cidrset_get(allow, a), &m.v[i])) {
                            dropped++;
                            break;
                        }
                cidr_list_free(&m);
                free(in);
            }
        assert_int_equal(z.dropped, dropped);
        /* Exclusions: exactly the allowlisted prefixes strictly inside a
         * published range, in the allowlist's order. */
        size_t x = 0;
        for (size_t a = 0; a < cidrset_count(allow); a++) {
            const struct ipprefix *p = cidrset_get(allow, a);
            bool want = false;
            for (size_t i = 0; i < z.n && !want; i++) {
                struct zone_entry e = zonedata_at(&z, i);
                want = e.pfx.len < p->len && within(&e.pfx, p);
            }
            if (!want)
                continue;
            if (x >= z.excl.n)
                fail_msg("round %d: exclusion %zu missing", round, x);
            assert_int_equal(ipaddr_cmp(&z.excl.v[x].addr, &p->addr), 0);
            assert_int_equal(z.excl.v[x].len, p->len);
            x++;
        }
        assert_int_equal(z.excl.n, x);
        total_excl += x, total_dropped += z.dropped;
        zonedata_free(&z);
        cidrset_free(allow);
        listings_free(&l);
    }
    /* The random sets must reach both paths. */
    assert_true(total_excl > 50 && total_dropped > 50);
}

static int cmp_entry(const void *a, const void *b)
{
    return ipprefix_cmp(&((const struct zone_entry *)a)->pfx, &((const struct zone_entry *)b)->pfx);
}

/* The entries the plain way: every cause's minimal cover per family from
 * a copy of its prefixes, the allowlisted ranges dropped, all sorted, and
 * equal prefixes folded to the cause first in causes[]. Returns the count
 * of entries (in *out, to free) and of folds. */
static size_t reference(const struct listings *l, struct cidrset *allow, struct zone_entry **out,
                        size_t *dropped, size_t *folds)
{
    struct zone_entry *e = calloc(l->n + 1, sizeof(*e));
    struct ipprefix *in = calloc(l->n + 1, sizeof(*in));
    size_t n = 0, w = 0;

    *dropped = *folds = 0;
    for (size_t c = 0; c < 4; c++) {
        size_t k = 0;
        for (size_t i = 0; i < l->n; i++)
            if (l->v[i].d.cause == causes[c])
                in[k++] = l->v[i].pfx;
        for (int fam = 4; fam <= 6; fam += 2) {
            struct cidr_list m = { 0 };
            cidr_minimal(in, k, NULL, 0, fam, &m);
            for (size_t i = 0; i < m.n; i++) {
                if (allow && cidrset_covering(allow, &m.v[i]))
                    ++*dropped;
                else
                    e[n++] = (struct zone_entry){ m.v[i], (uint8_t)causes[c] };
            }
            cidr_list_free(&m);
        }
    }
    free(in);
    qsort(e, n, sizeof(*e), cmp_entry);
    for (size_t r = 0; r < n; r++) {
        if (w && cmp_entry(&e[w - 1], &e[r]) == 0) {
            for (size_t c = 0; c < 4; c++)
                if (causes[c] == e[r].cause || causes[c] == e[w - 1].cause) {
                    e[w - 1].cause = (uint8_t)causes[c];
                    break;
                }
            ++*folds;
            continue;
        }
        e[w++] = e[r];
    }
    *out = e;
    return w;
}

/* Every cause can be the biggest (zonedata merges the others first), the
 * causes overlap, nest and list equal prefixes in both families, and the
 * allowlist drops some of their ranges: the entries must be those of the
 * plain way, entry for entry. */
static void test_entries_against_reference(void **state)
{
    size_t biggest[4] = { 0 }, total_folds = 0, total_dropped = 0;
    (void)state;
    srand(11);
    for (int round = 0; round < 400; round++) {
        struct listings l;
        unsigned weight[4], sum = 0;
        size_t count[4] = { 0 }, big = 0;
        memset(&l, 0, sizeof(l));
        for (size_t c = 0; c < 4; c++)
            sum += weight[c] = (unsigned)(rand() % 4 ? rand() % 10 : 0);
        size_t n = round % 50 == 0 ? (size_t)(rand() % 3) : 20 + (size_t)(rand() % 400);
        for (size_t i = 0; sum && i < n; i++) {
            struct listing e;
            unsigned pick = (unsigned)rand() % sum, c = 0;
            while (pick >= weight[c])
                pick -= weight[c++];
            memset(&e, 0, sizeof(e));
            e.pfx = rand_prefix(rand() % 3 ? 4 : 6);
            e.d.cause = causes[c];
            listings_push(&l, &e, &(struct listing_more){ 0 });
        }
        listings_sort(&l);
        for (size_t i = 0; i < l.n; i++)
            for (size_t c = 0; c < 4; c++)
                count[c] += l.v[i].d.cause == causes[c];
        for (size_t c = 1; c < 4; c++)
            if (count[c] > count[big])
                big = c;
        biggest[big] += l.n > 0;
        struct cidrset *allow = NULL;
        if (round % 3) {
            allow = cidrset_new();
            for (size_t i = 0, na = (size_t)(rand() % 20); i < na; i++) {
                struct ipprefix a = rand_prefix(rand() % 3 ? 4 : 6);
                cidrset_add(allow, &a);
            }
        }
        struct zonedata z;
        struct zone_entry *want;
        size_t dropped, folds, nwant = reference(&l, allow, &want, &dropped, &folds);
        zonedata_build(&z, &l, allow, ~0u);
        assert_int_equal(z.n, nwant);
        for (size_t i = 0; i < z.n; i++) {
            struct zone_entry e = zonedata_at(&z, i);
            if (cmp_entry(&e, &want[i]) != 0 || e.cause != want[i].cause)
                fail_msg("round %d: entry %zu differs", round, i);
        }
        assert_int_equal(z.dropped, dropped);
        total_folds += folds, total_dropped += dropped;
        free(want);
        zonedata_free(&z);
        cidrset_free(allow);
        listings_free(&l);
    }
    for (size_t c = 0; c < 4; c++)
        assert_true(biggest[c] > 10);
    assert_true(total_folds > 50 && total_dropped > 50);
}

/* An allowlisted /30 inside a published /24, with an address of the /30
 * also listed on its own: the address is dropped (the /30 covers it) and
 * the /30 becomes the /24's exclusion. */
static void test_exclusion_under_nested(void **state)
{
    struct listings l;
    struct listing e;
    struct ipprefix a;
    struct cidrset *allow = cidrset_new();
    struct zonedata z;
    (void)state;
    memset(&l, 0, sizeof(l));
    memset(&e, 0, sizeof(e));
    ipaddr_set_v4(&e.pfx.addr, 0xc0000200u);
    e.pfx.len = 24;
    e.d.cause = CAUSE_NET;
    listings_push(&l, &e, &(struct listing_more){ 0 });
    ipaddr_set_v4(&e.pfx.addr, 0xc0000208u);
    e.pfx.len = 32;
    e.d.cause = CAUSE_SPAM;
    listings_push(&l, &e, &(struct listing_more){ 0 });
    listings_sort(&l);
    memset(&a, 0, sizeof(a));
    ipaddr_set_v4(&a.addr, 0xc0000208u);
    a.len = 30;
    cidrset_add(allow, &a);
    zonedata_build(&z, &l, allow, ~0u);
    assert_int_equal(z.n, 1);
    assert_int_equal(z.dropped, 1);
    assert_int_equal(z.excl.n, 1);
    assert_int_equal(z.excl.v[0].len, 30);
    zonedata_free(&z);
    cidrset_free(allow);
    listings_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exclusion_under_nested),
        cmocka_unit_test(test_allowlist_against_brute_force),
        cmocka_unit_test(test_entries_against_reference),
    };
    return cmocka_run_group_tests_name("zonedata", tests, NULL, NULL);
}
