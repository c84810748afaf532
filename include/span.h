#ifndef RBLFORGE_SPAN_H
#define RBLFORGE_SPAN_H
/*
 * A length-carrying view into bytes owned by someone else (usually a chunk
 * buffer). Log bytes are never NUL-terminated or modified in place.
 * A span with p == NULL is "absent"; p != NULL with n == 0 is "present, empty"
 * (Postfix's null sender from=<> is the classic case).
 */
#include <stddef.h>
#include <string.h>
#include <stdbool.h>

struct span {
    const char *p;
    size_t n;
};

#define SPAN_NULL ((struct span){ NULL, 0 })
#define SPAN_LIT(s) ((struct span){ (s), sizeof(s) - 1 })

static inline struct span span_make(const char *p, size_t n)
{
    return (struct span){ p, n };
}

static inline bool span_present(struct span s) { return s.p != NULL; }

static inline bool span_eq(struct span s, const char *lit, size_t n)
{
    return s.n == n && memcmp(s.p, lit, n) == 0;
}
#define span_eq_lit(s, lit) span_eq((s), (lit), sizeof(lit) - 1)

static inline bool span_starts(struct span s, const char *lit, size_t n)
{
    return s.n >= n && memcmp(s.p, lit, n) == 0;
}
#define span_starts_lit(s, lit) span_starts((s), (lit), sizeof(lit) - 1)

static inline bool span_ends(struct span s, const char *lit, size_t n)
{
    return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}
#define span_ends_lit(s, lit) span_ends((s), (lit), sizeof(lit) - 1)

/* Drop the first k bytes (k <= s.n). */
static inline struct span span_skip(struct span s, size_t k)
{
    return (struct span){ s.p + k, s.n - k };
}

/* Offset of needle in s, or -1. Needles here are short words and log
 * lines are short: memchr on the first byte and a compare beats memmem,
 * whose setup costs more than the search on a 150-byte line. */
static inline long span_find(struct span s, const char *needle, size_t n)
{
    if (n == 0)
        return 0;
    if (s.n < n)
        return -1;
    const char *p = s.p, *last = s.p + (s.n - n);
    while (p <= last) {
        const char *hit = memchr(p, needle[0], (size_t)(last - p) + 1);
        if (hit == NULL)
            return -1;
        if (hit[n - 1] == needle[n - 1] && memcmp(hit + 1, needle + 1, n - 1) == 0)
            return (long)(hit - s.p);
        p = hit + 1;
    }
    return -1;
}
#define span_find_lit(s, lit) span_find((s), (lit), sizeof(lit) - 1)

static inline long span_chr(struct span s, int c)
{
    /* Short spans (a host name, a field) by hand: cheaper than the call. */
    if (s.n <= 32) {
        for (size_t i = 0; i < s.n; i++)
            if (s.p[i] == (char)c)
                return (long)i;
        return -1;
    }
    const char *hit = memchr(s.p, c, s.n);
    return hit ? (long)(hit - s.p) : -1;
}

/* Offset of the last c in s, or -1. */
static inline long span_rchr(struct span s, int c)
{
    for (size_t i = s.n; i > 0; i--)
        if (s.p[i - 1] == c)
            return (long)(i - 1);
    return -1;
}

static inline struct span span_trim_right(struct span s)
{
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'
                   || s.p[s.n - 1] == '\r'))
        s.n--;
    return s;
}

static inline struct span span_trim_left(struct span s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    return s;
}

#endif
