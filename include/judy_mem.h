#ifndef RBLFORGE_JUDY_MEM_H
#define RBLFORGE_JUDY_MEM_H
/*
 * Judy's nodes come from per-thread free lists on huge-page blocks
 * (analyze/judy_mem.c replaces libJudy's JudyMalloc and JudyFree). For
 * the tests: whether it is in use, and whether every node comes back.
 */
#include <stddef.h>

/* Words this thread handed out less those it took back, modulo 2^64 (a
 * node freed by another thread counts there). Unchanged by Judy's work
 * where libJudy binds its own allocator. */
size_t judy_mem_words_out(void);

#endif
