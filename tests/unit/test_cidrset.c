/* cidrset: match, covering and overlaps against a plain scan of the set,
 * on random nested sets of both families. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "cidrset.h"

static uint64_t rng = 20261126;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* A random prefix near a few bases, so that prefixes nest and touch. */
static struct ipprefix random_prefix(void)
{
    struct ipprefix p;
    int v6 = rnd(4) == 0;
    unsigned max = v6 ? 128 : 32, len = rnd(3) ? max - rnd(12) : rnd(max + 1);
    uint8_t b[16] = { 0 };

    if (v6) {
        b[0] = 0x20, b[1] = 0x01, b[2] = 0x0d, b[3] = 0xb8;
        for (int i = 4; i < 16; i++)
            b[i] = (uint8_t)(i > 12 ? rnd(256) : rnd(2));
        ipaddr_set_v6(&p.addr, 0, 0);
        memcpy(p.addr.b, b, 16);
    } else {
        ipaddr_set_v4(&p.addr, 0xC0000200u + rnd(4) * 0x10000u + rnd(1024));
    }
    p.addr = ipaddr_mask(&p.addr, len);
    p.len = (uint8_t)len;
    return p;
}

static bool contains(const struct ipprefix *outer, const struct ipprefix *inner)
{
    return outer->addr.family == inner->addr.family && outer->len <= inner->len
        && ipprefix_contains(outer, &inner->addr);
}

static void test_against_scan(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        struct cidrset *cs = cidrset_new();
        struct ipprefix v[64];
        int n = 1 + (int)rnd(64);
        for (int i = 0; i < n; i++) {
            v[i] = random_prefix();
            cidrset_add(cs, &v[i]);
        }
        for (int q = 0; q < 200; q++) {
            struct ipprefix p = random_prefix();
            struct ipprefix host = { p.addr, p.addr.family == 4 ? 32 : 128 };
            const struct ipprefix *most = NULL, *widest = NULL;
            bool overlap = false;
            for (int i = 0; i < n; i++) {
                if (contains(&v[i], &host) && (!most || v[i].len > most->len))
                    most = &v[i];
                if (contains(&v[i], &p) && (!widest || v[i].len < widest->len))
                    widest = &v[i];
                overlap |= contains(&v[i], &p) || contains(&p, &v[i]);
            }
            const struct ipprefix *m = cidrset_match(cs, &p.addr);
            const struct ipprefix *w = cidrset_covering(cs, &p);
            assert_int_equal(m != NULL, most != NULL);
            if (m)
                assert_true(m->len == most->len && contains(m, &host));
            assert_int_equal(w != NULL, widest != NULL);
            if (w)
                assert_true(w->len == widest->len && contains(w, &p));
            assert_int_equal(cidrset_overlaps(cs, &p), overlap);
        }
        cidrset_free(cs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
