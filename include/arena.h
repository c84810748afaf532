#ifndef RBLFORGE_ARENA_H
#define RBLFORGE_ARENA_H
/*
 * A bump allocator: many small objects with one lifetime. Used for per-IP
 * records and interned hostnames, so the hot path never calls malloc per
 * line. Memory is returned only by arena_free().
 */
#include <stddef.h>
#include "span.h"

struct arena_block;
struct arena {
    struct arena_block *head;
    struct arena_block *spare;  /* emptied by arena_reset, for reuse */
    size_t used;        /* bytes used in head */
    size_t total;       /* bytes handed out, for reports */
};

void arena_init(struct arena *a);
/* Zeroed memory for n bytes, aligned for any object; valid until arena_free. */
void *arena_alloc(struct arena *a, size_t n);
/* The same with a smaller alignment (a power of two up to max_align_t's):
 * the padding to 16 bytes is a large part of a small record. */
void *arena_alloc_aligned(struct arena *a, size_t n, size_t align);
/* A NUL-terminated copy of s in the arena, not aligned. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
static inline char *arena_span(struct arena *a, struct span s)
{
    return arena_strndup(a, s.p, s.n);
}
/* Forget every object but keep the blocks for the next ones: a table
 * emptied and filled again over and over does not give its memory back
 * to the kernel and fault it in again, zeroed, each time. */
void arena_reset(struct arena *a);
/* The blocks objects were taken from (their first bytes and sizes), up to
 * max of them, into base[] and size[]; the count of them all. */
size_t arena_blocks(const struct arena *a, char **base, size_t *size, size_t max);
void arena_free(struct arena *a);
/* arena_free, the memory given back to the kernel at once: for an arena
 * that was large. */
void arena_release(struct arena *a);

#endif
