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
 * of its exact size, or from a 2 MiB block on a huge page; both are per
 * thread, so no lock. A node freed by another thread than the one that
 * made it (merges into the shared table) goes to that thread's list.
 * Blocks live until the process ends, as the tables do.
 *
 * If libJudy binds its calls itself (built with -Bsymbolic), none of this
 * is called and Judy uses malloc: both halves or neither.
 */
#include <stdlib.h>
#include <Judy.h>
#include "hugemem.h"
#include "judy_mem.h"

enum {
    MAX_WORDS = 512,            /* a full branch, 256 pointers; bigger ones from malloc */
    BLOCK = 2 * 1024 * 1024,
};

struct free_node {
    struct free_node *next;
};

/* A block's first word links it to the one before: the thread's blocks
 * stay reachable (leak checkers see them as in use, as they are). */
struct block {
    struct block *prev;
};

struct judy_heap {
    char *next, *end;           /* the current block's free room */
    struct block *blocks;
    struct free_node *free[MAX_WORDS + 1];      /* by size in words */
    size_t words_out;           /* handed out and not given back (this thread) */
};

static _Thread_local struct judy_heap heap;

static void *carve(size_t words)
{
    size_t n = words * sizeof(Word_t);

    if ((size_t)(heap.end - heap.next) < n) {
        /* The old block's tail becomes a free node of its size. */
        size_t tail = (size_t)(heap.end - heap.next) / sizeof(Word_t);
        if (tail) {
            struct free_node *f = (struct free_node *)(void *)heap.next;
            f->next = heap.free[tail];
            heap.free[tail] = f;
        }
        struct block *b = hugemem_alloc(BLOCK);
        b->prev = heap.blocks;
        heap.blocks = b;
        heap.next = (char *)b + sizeof(Word_t);
        heap.end = (char *)b + BLOCK;
    }
    void *p = heap.next;
    heap.next += n;
    return p;
}

Word_t JudyMalloc(Word_t words)
{
    void *p;

    if (words == 0 || words > MAX_WORDS) {
        p = malloc(words * sizeof(Word_t));
        if (p == NULL)
            return 0;           /* Judy reports it (PJERR) */
    } else if (heap.free[words]) {
        p = heap.free[words];
        heap.free[words] = heap.free[words]->next;
    } else {
        p = carve(words);
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
    struct free_node *f = p;
    f->next = heap.free[words];
    heap.free[words] = f;
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
