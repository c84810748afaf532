/* Bump allocator in 64 KiB blocks, 2 MiB ones once it is large; see arena.h. */
#include <stdlib.h>
#include <string.h>
#include <stdalign.h>
#include <stdint.h>
#include <sys/mman.h>
#include "arena.h"
#include "hugemem.h"
#include "xalloc.h"
#include "msg.h"

struct arena_block {
    struct arena_block *next;
    size_t size;
    alignas(max_align_t) char data[];
};

enum {
    ARENA_BLOCK = 64 * 1024,
    /* Past this much, blocks are 2 MiB on huge pages: a table of a
     * million addresses otherwise takes a page fault per 4 KiB (tens of
     * microseconds each on a VM) and misses the TLB on every lookup. */
    ARENA_BIG_AFTER = 1024 * 1024,
    ARENA_BIG_BLOCK = 2 * 1024 * 1024,
};

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->spare = NULL;
    a->used = 0;
    a->total = 0;
}

void *arena_alloc_aligned(struct arena *a, size_t n, size_t align)
{
    if (align == 0 || (align & (align - 1)) || align > alignof(max_align_t))
        msg_panic("arena_alloc_aligned: alignment %zu", align);
    /* Blocks start at max_align_t, so aligning the offset aligns the address. */
    size_t at = (a->used + align - 1) & ~(align - 1);
    if (a->head == NULL || at > a->head->size || a->head->size - at < n) {
        size_t block = a->total >= ARENA_BIG_AFTER ? ARENA_BIG_BLOCK - sizeof(struct arena_block)
                                                   : ARENA_BLOCK;
        size_t sz = n > ARENA_BLOCK / 4 ? n : block;
        struct arena_block *b;

        /* Any spare block has room for an ordinary object (at most
         * ARENA_BLOCK / 4 bytes, less than any block); a one-off object
         * gets a block of its own. */
        if (a->spare && n <= ARENA_BLOCK / 4) {
            b = a->spare;
            a->spare = b->next;
        } else {
            b = hugemem_alloc(sizeof(*b) + sz);
            b->size = sz;
        }
        /* A large one-off object goes behind the head so the head keeps
         * its free space. */
        if (n > ARENA_BLOCK / 4 && a->head) {
            b->next = a->head->next;
            a->head->next = b;
            memset(b->data, 0, n);
            a->total += n;
            return b->data;
        }
        b->next = a->head;
        a->head = b;
        at = 0;
    }
    void *p = a->head->data + at;
    a->used = at + n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    return arena_alloc_aligned(a, n, alignof(max_align_t));
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc_aligned(a, n + 1, 1);

    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void free_blocks(struct arena_block *b)
{
    struct arena_block *next;

    for (; b; b = next) {
        next = b->next;
        free(b);
    }
}

size_t arena_blocks(const struct arena *a, char **base, size_t *size, size_t max)
{
    size_t n = 0;

    for (const struct arena_block *b = a->head; b; b = b->next, n++)
        if (n < max) {
            base[n] = (char *)b->data;
            size[n] = b->size;
        }
    return n;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->head, *next;

    for (; b; b = next) {
        next = b->next;
        b->next = a->spare;
        a->spare = b;
    }
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

/* The whole pages of each block go back to the kernel before free(),
 * which may keep a block in the heap (glibc does past its dynamic mmap
 * threshold). The first page, with the block's header, stays. */
static void release_blocks(struct arena_block *b)
{
    enum { PAGE = 4096 };
    struct arena_block *next;

    for (; b; b = next) {
        next = b->next;
        uintptr_t lo = ((uintptr_t)b->data + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
        uintptr_t hi = ((uintptr_t)b->data + b->size) & ~(uintptr_t)(PAGE - 1);
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_DONTNEED);
        free(b);
    }
}

void arena_release(struct arena *a)
{
    release_blocks(a->head);
    release_blocks(a->spare);
    arena_init(a);
}

void arena_free(struct arena *a)
{
    free_blocks(a->head);
    free_blocks(a->spare);
    arena_init(a);
}
