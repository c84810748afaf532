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
 * made it (merges into the shared table) goes to the freeing thread's
 * lists. The arenas live until the process ends, as the tables do (their
 * blocks stay reachable from the list of heaps: leak checkers see them in
 * use), unless judy_mem_release finds every node free: a run drops the
 * table's index once its addresses are decided (agg_drop_index): the
 * memory goes back before escalation, sorting and publishing want more.
 *
 * If libJudy binds its calls itself (built with -Bsymbolic), none of this
 * is called and Judy uses malloc: both halves or neither.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdalign.h>
#include <pthread.h>
#include <Judy.h>
#include "arena.h"
#include "judy_mem.h"
#include "xalloc.h"

enum { MAX_WORDS = 512 };       /* a full branch, 256 pointers; bigger ones from malloc */

struct free_node {
    struct free_node *next;
};

struct judy_heap {
    struct arena mem;           /* nodes never made before; all zero is arena_init's state */
    struct free_node *free[MAX_WORDS + 1];      /* by size in words */
    uint64_t nonempty[MAX_WORDS / 64 + 1];      /* bit w: free[w] has a node */
    size_t words_out;           /* handed out and not given back (this thread) */
    struct judy_heap *next;     /* every thread's, for judy_mem_release */
};

/* A thread's heap outlives the thread (its nodes may still be in use),
 * and all of them are listed here for judy_mem_release. */
static _Thread_local struct judy_heap *my;
static struct judy_heap *heaps;
static pthread_mutex_t heaps_mu = PTHREAD_MUTEX_INITIALIZER;

static struct judy_heap *heap_new(void)
{
    struct judy_heap *h = xcalloc(1, sizeof(*h));

    arena_init(&h->mem);
    pthread_mutex_lock(&heaps_mu);
    h->next = heaps;
    heaps = h;
    pthread_mutex_unlock(&heaps_mu);
    return my = h;
}

static inline struct judy_heap *mine(void)
{
    return my ? my : heap_new();
}

static void push(struct judy_heap *h, void *p, size_t words)
{
    struct free_node *f = p;

    f->next = h->free[words];
    h->free[words] = f;
    h->nonempty[words / 64] |= UINT64_C(1) << (words % 64);
}

static void *pop(struct judy_heap *h, size_t words)
{
    struct free_node *f = h->free[words];

    if ((h->free[words] = f->next) == NULL)
        h->nonempty[words / 64] &= ~(UINT64_C(1) << (words % 64));
    return f;
}

/* The smallest size above words with a free node, or 0. */
static size_t larger_free(const struct judy_heap *h, size_t words)
{
    size_t w = words + 1;

    for (size_t i = w / 64; i <= MAX_WORDS / 64; i++) {
        uint64_t m = h->nonempty[i];
        if (i == w / 64)
            m &= ~UINT64_C(0) << (w % 64);
        if (m)
            return i * 64 + (size_t)__builtin_ctzll(m);
    }
    return 0;
}

Word_t JudyMalloc(Word_t words)
{
    struct judy_heap *h = mine();
    void *p;
    size_t big;

    if (words == 0 || words > MAX_WORDS) {
        p = malloc(words * sizeof(Word_t));
        if (p == NULL)
            return 0;           /* Judy reports it (PJERR) */
    } else if (h->free[words]) {
        p = pop(h, words);
    } else if ((big = larger_free(h, words)) != 0) {
        /* Split the best fit: a node that grew leaves its old size free,
         * and without this the lists keep what the end of growth left
         * (on 4 M addresses, 120 MB of blocks for 83 MB of nodes). */
        p = pop(h, big);
        push(h, (Word_t *)p + words, big - words);
    } else {
        p = arena_alloc_aligned(&h->mem, words * sizeof(Word_t), alignof(Word_t));
    }
    h->words_out += words;
    return (Word_t)p;
}

void JudyFree(Pvoid_t p, Word_t words)
{
    struct judy_heap *h;

    if (p == NULL)
        return;
    h = mine();
    h->words_out -= words;    /* wraps per thread; summed by the caller */
    if (words == 0 || words > MAX_WORDS) {
        free(p);
        return;
    }
    push(h, p, words);
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
    return mine()->words_out;
}

size_t judy_mem_words_all(void)
{
    size_t out = 0;

    pthread_mutex_lock(&heaps_mu);
    for (struct judy_heap *h = heaps; h; h = h->next)
        out += h->words_out;
    pthread_mutex_unlock(&heaps_mu);
    return out;
}

bool judy_mem_release(void)
{
    size_t out = 0;

    pthread_mutex_lock(&heaps_mu);
    for (struct judy_heap *h = heaps; h; h = h->next)
        out += h->words_out;
    /* The sum: a node freed by another thread counts there. */
    if (out == 0) {
        for (struct judy_heap *h = heaps; h; h = h->next) {
            arena_release(&h->mem);
            memset(h->free, 0, sizeof(h->free));
            memset(h->nonempty, 0, sizeof(h->nonempty));
        }
    }
    pthread_mutex_unlock(&heaps_mu);
    return out == 0;
}
