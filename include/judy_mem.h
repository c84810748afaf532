#ifndef RBLFORGE_JUDY_MEM_H
#define RBLFORGE_JUDY_MEM_H
/*
 * Judy's nodes come from per-thread free lists on huge-page blocks
 * (analyze/judy_mem.c replaces libJudy's JudyMalloc and JudyFree). For
 * the tests: whether it is in use, and whether every node comes back.
 */
#include <stdbool.h>
#include <stddef.h>

/* Words this thread handed out less those it took back, modulo 2^64 (a
 * node freed by another thread counts there). Unchanged by Judy's work
 * where libJudy binds its own allocator. */
size_t judy_mem_words_out(void);
/* Words handed out and not given back, all threads together. */
size_t judy_mem_words_all(void);
/* If no Judy array holds a node any more (in any thread), the memory of
 * every thread's nodes goes back to the kernel and true is returned; false
 * otherwise, nothing changed. Only while no other thread uses Judy. */
bool judy_mem_release(void);

#endif
