/*
 * The memory of Judy's nodes. libJudy gets every node from JudyMalloc()
 * and gives it back with JudyFree() and its size in words: the one place
 * it calls malloc, meant to be replaced. These definitions take the place
 * of libJudy's own (the dynamic linker binds its calls to the executable's
 * symbols first).
 *
 * Why: a run makes and frees millions of small nodes (a node that grows
 * is copied into a new one), and glibc's malloc spends a call, a 16-byte
 * rounding and a header on each, on 4 KiB pages that fault one by one
 * (tens of microseconds each on a VM). Here a node comes from a free list
 * of its exact size, split from the smallest larger free node, or from
 * the thread's arena (2 MiB huge-page blocks once it is large); all per
 * thread, so no lock. A node freed by another thread than the one that
 * made it (merges into the shared table) goes to that thread's lists.
 * The arenas live until the process ends, as the tables do (their blocks
 * stay reachable from the thread's state: leak checkers see them in use).
 *
 * If libJudy binds its calls itself (built with -Bsymbolic), none of this
 * is called and Judy uses malloc: both halves or neither.
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdalign.h>
#include <Judy.h>
#include "arena.h"
#include "judy_mem.h"

enum { MAX_WORDS = 512 };       /* a full branch, 256 pointers; bigger ones from malloc */

struct free_node {
    struct free_node *next;
};

struct judy_heap {
    struct arena mem;           /* nodes never made before; all zero is arena_init's state */
    struct free_node *free[MAX_WORDS + 1];      /* by size in words */
    uint64_t nonempty[MAX_WORDS / 64 + 1];      /* bit w: free[w] has a node */
    size_t words_out;           /* handed out and not given back (this thread) */
};

static _Thread_local struct judy_heap heap;

static void push(void *p, size_t words)
{
    struct free_node *f = p;

    f->next = heap.free[words];
    heap.free[words] = f;
    heap.nonempty[words / 64] |= UINT64_C(1) << (words % 64);
}

static void *pop(size_t words)
{
    struct free_node *f = heap.free[words];

    if ((heap.free[words] = f->next) == NULL)
        heap.nonempty[words / 64] &= ~(UINT64_C(1) << (words % 64));
    return f;
}

/* The smallest size above words with a free node, or 0. */
static size_t larger_free(size_t words)
{
    size_t w = words + 1;

    for (size_t i = w / 64; i <= MAX_WORDS / 64; i++) {
        uint64_t m = heap.nonempty[i];
        if (i == w / 64)
            m &= ~UINT64_C(0) << (w % 64);
        if (m)
            return i * 64 + (size_t)__builtin_ctzll(m);
    }
    return 0;
}

Word_t JudyMalloc(Word_t words)
{
    void *p;
    size_t big;

    if (words == 0 || words > MAX_WORDS) {
        p = malloc(words * sizeof(Word_t));
        if (p == NULL)
            return 0;           /* Judy reports it (PJERR) */
    } else if (heap.free[words]) {
        p = pop(words);
    } else if ((big = larger_free(words)) != 0) {
        /* Split the best fit: a node that grew leaves its old size free,
         * and without this the lists keep what the end of growth left
         * (on 4 M addresses, 120 MB of blocks for 83 MB of nodes). */
        p = pop(big);
        push((Word_t *)p + words, big - words);
    } else {
        p = arena_alloc_aligned(&heap.mem, words * sizeof(Word_t), alignof(Word_t));
    }
    heap.words_out += words;
    return (Word_t)p;
}

void JudyFree(Pvoid_t p, Word_t words)
{
    if (p == NULL)
        return;
    heap.words_out -= words;    /* wraps per thread; summed by the caller */
    if (words == 0 || words > MAX_WORDS) {
        free(p);
        return;
    }
    push(p, words);
}

/* libJudy's "virtual" nodes are ordinary memory too. */
Word_t JudyMallocVirtual(Word_t words)
{
    return JudyMalloc(words);
}

void JudyFreeVirtual(Pvoid_t p, Word_t words)
{
    JudyFree(p, words);
}

size_t judy_mem_words_out(void)
{
    return heap.words_out;
}
