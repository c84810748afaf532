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

/* Iterate over the lines of a chunk: returns the next line without its
 * '\n' (and without a '\r' before it), advancing *pos. */
/* Index of the first '\n' in p[0, n), or n. Log lines run to a hundred
 * bytes and more: 64 bytes a step, one test per step, then the 16 that
 * hold it. */
static inline size_t chunk_find_newline(const char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n');
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), nl);
        __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), nl);
        __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), nl);
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) {
            uint64_t m = (uint64_t)(unsigned)_mm_movemask_epi8(a)
                | (uint64_t)(unsigned)_mm_movemask_epi8(b) << 16
                | (uint64_t)(unsigned)_mm_movemask_epi8(c) << 32
                | (uint64_t)(unsigned)_mm_movemask_epi8(d) << 48;
            return i + (size_t)__builtin_ctzll(m);
        }
    }
#endif
    return span_find_byte(p, i, n, '\n');
}

static inline bool chunk_line(const struct chunk *c, size_t *pos,
                              const char **p, size_t *n)
{
    if (*pos >= c->len)
        return false;
    const char *s = c->buf + *pos;
    size_t rest = c->len - *pos, len = chunk_find_newline(s, rest);
    *pos += len + (len < rest);
    if (len && s[len - 1] == '\r')
        len--;
    *p = s;
    *n = len;
    return true;
}

#endif
