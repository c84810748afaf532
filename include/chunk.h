#ifndef RBLFORGE_CHUNK_H
#define RBLFORGE_CHUNK_H
/*
 * Splits an input into large blocks of whole lines. A line is never split
 * between two chunks, so chunks can be parsed independently (and later in
 * parallel). Lines longer than CHUNK_MAX_LINE are cut at that length and
 * the excess skipped: memory stays bounded on any byte sequence.
 */
#include <stdint.h>
#include <stdbool.h>
#include "input.h"
#include "span.h"

#define CHUNK_MAX_LINE (64 * 1024)

struct chunk {
    char *buf;                  /* owned by the chunk, reused across fills */
    size_t cap;
    size_t len;                 /* bytes of whole lines in buf */
    uint64_t first_line;        /* 1-based number of the first line */
    uint64_t nlines;            /* lines in buf (the last may lack '\n') */
    /* Offsets of the '\n' ending each of the first nends lines, found in
     * the one pass that counts them: the parse walks these instead of
     * searching every line again. Lines averaging under 32 bytes can
     * outrun ends_cap; those past it are searched for as they are read. */
    uint32_t *ends;
    size_t nends, ends_cap;
    enum chunk_index_level { CHUNK_INDEX_SSE2, CHUNK_INDEX_AVX2, CHUNK_INDEX_AVX512 }
        index_level;            /* the index steps' instructions (see chunk_init) */
};

/* Where an iteration over a chunk's lines stands: byte and line. */
struct chunk_cursor {
    size_t pos;
    size_t k;
};

struct chunker;

/* Takes a reference to in; it stays owned by the caller. */
struct chunker *chunker_new(struct input *in);
/* Fills c with the next lines; false at end of input. */
bool chunker_next(struct chunker *ck, struct chunk *c);
/* Lines cut because they were longer than CHUNK_MAX_LINE. */
uint64_t chunker_long_lines(const struct chunker *ck);
void chunker_free(struct chunker *ck);

/* A chunk with a buffer of about cap bytes. */
void chunk_init(struct chunk *c, size_t cap);
void chunk_free(struct chunk *c);

#ifdef __SSE2__
/* Bit i set where p[i] is '\n', for i in [0, 64). */
static inline uint64_t chunk_newlines64(const char *p)
{
    const __m128i nl = _mm_set1_epi8('\n');
    __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), nl);
    __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), nl);
    __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), nl);
    __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), nl);

    return (uint64_t)(unsigned)_mm_movemask_epi8(a)
        | (uint64_t)(unsigned)_mm_movemask_epi8(b) << 16
        | (uint64_t)(unsigned)_mm_movemask_epi8(c) << 32
        | (uint64_t)(unsigned)_mm_movemask_epi8(d) << 48;
}
#endif

/* Index of the first '\n' in p[0, n), or n: for lines past a chunk's
 * index, and for callers without a chunk. 64 bytes a step. */
static inline size_t chunk_find_newline(const char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 64 <= n; i += 64) {
        uint64_t m = chunk_newlines64(p + i);
        if (m)
            return i + (size_t)__builtin_ctzll(m);
    }
#endif
    return span_find_byte(p, i, n, '\n');
}

/* The next line of c at *cur, without its '\n' (and without a '\r'
 * before it); false after the last. Start with a zeroed cursor. */
static inline bool chunk_line(const struct chunk *c, struct chunk_cursor *cur,
                              const char **p, size_t *n)
{
    size_t pos = cur->pos;
    if (pos >= c->len)
        return false;
    const char *s = c->buf + pos;
    size_t rest = c->len - pos, len;
    if (cur->k < c->nends)
        len = c->ends[cur->k++] - pos;
    else
        len = chunk_find_newline(s, rest);
    cur->pos = pos + len + (len < rest);
    if (len && s[len - 1] == '\r')
        len--;
    *p = s;
    *n = len;
    return true;
}

#endif
