/* judy_mem: libJudy's nodes from our per-thread free lists, checked through
 * Judy itself: the arrays keep their contents while nodes are made, freed
 * and reused, on one thread and across two. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <Judy.h>
#include <omp.h>
#include "judy_mem.h"

/* Keys spread like addresses: dense runs and far jumps, so that Judy
 * makes every kind of node (leaves, bitmap and full branches). */
static Word_t key_of(uint32_t i)
{
    return (Word_t)(i * UINT32_C(2654435761)) >> (i % 3 == 0 ? 0 : 8);
}

static Pvoid_t fill(uint32_t n, uint32_t salt)
{
    Pvoid_t a = NULL;
    PWord_t v;

    for (uint32_t i = 0; i < n; i++) {
        JLI(v, a, key_of(i));
        assert_true(v != NULL && v != PJERR);
        *v = key_of(i) ^ salt;
    }
    return a;
}

static void check(Pvoid_t a, uint32_t n, uint32_t salt)
{
    PWord_t v;
    Word_t count;

    for (uint32_t i = 0; i < n; i++) {
        JLG(v, a, key_of(i));
        assert_non_null(v);
        assert_true(*v == (key_of(i) ^ salt));
    }
    JLC(count, a, 0, -1);
    /* key_of repeats a few keys: count what is distinct. */
    assert_true(count > n / 2 && count <= n);
}

static void skip_unless_ours(void)
{
    size_t before = judy_mem_words_out();
    Pvoid_t a = fill(10, 0);
    Word_t bytes;

    if (judy_mem_words_out() == before) {
        JLFA(bytes, a);
        print_message("libJudy does not call our JudyMalloc (bound inside the library): "
                      "judy_mem is not in use here\n");
        skip();
    }
    JLFA(bytes, a);
}

/* Every word handed out comes back when the arrays are freed, and the next
 * filling reuses the freed nodes, whole or split from larger ones:
 * contents intact every time (a split that overlaps its remainder fails). */
static void test_one_thread(void **state)
{
    (void)state;
    skip_unless_ours();
    size_t before = judy_mem_words_out();
    for (int round = 0; round < 3; round++) {
        Pvoid_t a = fill(200000, (uint32_t)round), b = fill(5000, 7);
        assert_true(judy_mem_words_out() - before > 200000 / 8);
        check(a, 200000, (uint32_t)round);
        check(b, 5000, 7);
        Word_t freed;
        JLFA(freed, a);
        check(b, 5000, 7);
        JLFA(freed, b);
        assert_true(judy_mem_words_out() == before);
    }
}

/* Nodes made on one thread and freed on the other (as merges do with the
 * shared table): the words balance over both threads, and arrays built
 * from recycled foreign nodes hold their contents. */
static void test_two_threads(void **state)
{
    static Pvoid_t made[2];
    static size_t out[2];
    bool two = false;
    (void)state;
    skip_unless_ours();
#pragma omp parallel num_threads(2)
    {
        int t = omp_get_thread_num();
        Word_t freed;
        if (omp_get_num_threads() == 2) {
#pragma omp single nowait
            two = true;
            size_t before = judy_mem_words_out();
            for (int round = 0; round < 3; round++) {
                made[t] = fill(100000, (uint32_t)t);
#pragma omp barrier
                JLFA(freed, made[1 - t]);   /* the other thread's nodes */
#pragma omp barrier
            }
            made[t] = fill(100000, (uint32_t)t + 5);
            check(made[t], 100000, (uint32_t)t + 5);
            JLFA(freed, made[t]);
            out[t] = judy_mem_words_out() - before;
        }
    }
    if (!two)
        skip();
    assert_true(out[0] + out[1] == 0);          /* modulo 2^64 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread),
        cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests_name("judy_mem", tests, NULL, NULL);
}
