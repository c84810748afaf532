#ifndef RBLFORGE_JUDY_MEM_H
#define RBLFORGE_JUDY_MEM_H
/*
 * Judy's nodes come from per-thread free lists on huge-page blocks
 * (analyze/judy_mem.c replaces libJudy's JudyMalloc and JudyFree). These
 * say whether it is in use, for the tests.
 */
#include <stddef.h>

/* Nodes this thread asked for: 0 after Judy work if libJudy does not use
 * ours (a libJudy that binds its own allocator). */
size_t judy_mem_calls(void);
/* Words this thread handed out less those it took back. Modulo 2^64: a
 * node freed by another thread counts there. */
size_t judy_mem_words_out(void);

#endif
