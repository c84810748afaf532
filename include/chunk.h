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
static inline bool chunk_line(const struct chunk *c, size_t *pos,
                              const char **p, size_t *n)
{
    if (*pos >= c->len)
        return false;
    const char *s = c->buf + *pos;
    size_t rest = c->len - *pos, len = span_find_byte(s, 0, rest, '\n');
    *pos += len + (len < rest);
    if (len && s[len - 1] == '\r')
        len--;
    *p = s;
    *n = len;
    return true;
}

#endif
