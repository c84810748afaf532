#ifndef RBLFORGE_SPAN_H
#define RBLFORGE_SPAN_H
/*
 * A length-carrying view into bytes owned by someone else (usually a chunk
 * buffer). Log bytes are never NUL-terminated or modified in place.
 * A span with p == NULL is "absent"; p != NULL with n == 0 is "present, empty"
 * (Postfix's null sender from=<> is the classic case).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdbool.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* p[0, n) == lit[0, n). With n a literal's length (most calls) the
 * compiler folds this into one or two word compares against constants;
 * gcc calls memcmp for most lengths otherwise, once per try. */
static inline bool span_same(const char *p, const char *lit, size_t n)
{
    uint64_t a, b, c, d;
    uint32_t e, f, g, h;

    if (n > 16 && n <= 32)
        return span_same(p, lit, 16) && span_same(p + n - 16, lit + n - 16, 16);
    if (n >= 8 && n <= 16) {
        memcpy(&a, p, 8), memcpy(&b, lit, 8), memcpy(&c, p + n - 8, 8), memcpy(&d, lit + n - 8, 8);
        return a == b && c == d;
    }
    if (n >= 4 && n < 8) {
        memcpy(&e, p, 4), memcpy(&f, lit, 4), memcpy(&g, p + n - 4, 4), memcpy(&h, lit + n - 4, 4);
        return e == f && g == h;
    }
    return memcmp(p, lit, n) == 0;
}

static inline bool span_eq(struct span s, const char *lit, size_t n)
{
    return s.n == n && (n == 0 || (s.p[0] == lit[0] && span_same(s.p, lit, n)));
}
#define span_eq_lit(s, lit) span_eq((s), (lit), sizeof(lit) - 1)

static inline bool span_starts(struct span s, const char *lit, size_t n)
{
    /* The first byte decides most tries of a table of prefixes: no call. */
    return s.n >= n && (n == 0 || (s.p[0] == lit[0] && span_same(s.p, lit, n)));
}
#define span_starts_lit(s, lit) span_starts((s), (lit), sizeof(lit) - 1)

static inline bool span_ends(struct span s, const char *lit, size_t n)
{
    return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}
#define span_ends_lit(s, lit) span_ends((s), (lit), sizeof(lit) - 1)

/* 8 bytes at p as a little-endian word: byte i of the text is byte i of
 * the word on any host. */
static inline uint64_t span_load8(const char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Byte masks of a word, 0x80 in each byte that matches: exact per byte
 * (no carry crosses a byte), for branch-free scans of short fields. */
#define SPAN_BYTES(c) (UINT64_C(0x0101010101010101) * (c))

static inline uint64_t span_bytes_eq(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ SPAN_BYTES(c);

    return ~(((x & SPAN_BYTES(0x7f)) + SPAN_BYTES(0x7f)) | x) & SPAN_BYTES(0x80);
}

static inline uint64_t span_bytes_digit(uint64_t w)
{
    uint64_t w7 = w & SPAN_BYTES(0x7f);

    return (w7 + SPAN_BYTES(0x80 - '0')) & ~(w7 + SPAN_BYTES(0x80 - '9' - 1)) & ~w
        & SPAN_BYTES(0x80);
}

/* How many ASCII digits p[0, n) starts with. Field lengths in logs (pids,
 * octets) are random: a word at a time, the loop's exit is not a branch
 * to mispredict. */
static inline size_t span_digit_run(const char *p, size_t n)
{
    size_t i = 0;

    if (n >= 8) {
        uint64_t other = ~span_bytes_digit(span_load8(p)) & SPAN_BYTES(0x80);
        if (other)
            return (size_t)__builtin_ctzll(other) / 8;
        i = 8;
    }
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    return i;
}

/* Drop the first k bytes (k <= s.n). */
static inline struct span span_skip(struct span s, size_t k)
{
    return (struct span){ s.p + k, s.n - k };
}

#ifdef __SSE2__
/* Bit i set where byte i of x is a, b or c (va, vb, vc: them in every
 * byte). */
static inline unsigned span_match3(__m128i x, __m128i va, __m128i vb, __m128i vc)
{
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)), _mm_cmpeq_epi8(x, vc)));
}
#endif

/* Index of the first c in p[from, n), or n. memchr's own work, inline:
 * the spans searched on the hot path are a few dozen bytes, less than a
 * library call costs to set up. Never reads past p[n - 1]. */
static inline size_t span_find_byte(const char *p, size_t from, size_t n, char c)
{
    size_t i = from;
#ifdef __SSE2__
    const __m128i v = _mm_set1_epi8(c);
    for (; i + 16 <= n; i += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), v));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i < n && n >= 16) {
        /* The tail: the last 16 bytes again, those before i masked off. */
        size_t w = n - 16;
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + w)), v)) & (~0u << (i - w));
        return m ? w + (size_t)__builtin_ctz(m) : n;
    }
#endif
    for (; i < n; i++)
        if (p[i] == c)
            return i;
    return n;
}

/* Bit i set where p[i] is a, b or c, for i < 64 and i < n. The four
 * 16-byte steps start at 0, 16, 32 and 48, each moved back to end at n
 * when it would pass it (overlaps see the same bytes): no branch on n
 * once it is 16 or more, where a loop's exit would depend on the length
 * of a field. */
static inline uint64_t span_mask3_64(const char *p, size_t n, char a, char b, char c)
{
    uint64_t m = 0;

#ifdef __SSE2__
    if (n >= 16) {
        const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
        for (size_t k = 0; k < 64; k += 16) {
            size_t o = k + 16 <= n ? k : n - 16;
            __m128i x = _mm_loadu_si128((const __m128i *)(p + o));
            m |= (uint64_t)span_match3(x, va, vb, vc) << o;
        }
        return m;
    }
#endif
    for (size_t i = 0; i < n && i < 64; i++)
        if (p[i] == a || p[i] == b || p[i] == c)
            m |= UINT64_C(1) << i;
    return m;
}

/* Index of the first byte in p[from, n) that is a, b or c, or n. */
static inline size_t span_find_any3(const char *p, size_t from, size_t n, char a, char b,
                                    char c)
{
    size_t i = from;
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned m = span_match3(x, va, vb, vc);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i < n && n >= 16) {
        size_t w = n - 16;      /* as in span_find_byte */
        __m128i x = _mm_loadu_si128((const __m128i *)(p + w));
        unsigned m = span_match3(x, va, vb, vc) & (~0u << (i - w));
        return m ? w + (size_t)__builtin_ctz(m) : n;
    }
#endif
    for (; i < n; i++)
        if (p[i] == a || p[i] == b || p[i] == c)
            return i;
    return n;
}

/* span_find_any3 from 0 that also notes where the last byte d before the
 * found one is (*last_d, n if none): a syslog tag's end and the '/' of
 * its last name component in one pass. The first 32 bytes, where tags
 * end (at 12 to 24 bytes: no branch on which), are one step. Every
 * line asks (parse_tag): inlined, the result in registers. */
static inline __attribute__((always_inline))
size_t span_find_any3_last(const char *p, size_t n, char a, char b, char c,
                           char d, size_t *last_d)
{
    size_t i = 0;

    *last_d = n;
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c),
                  vd = _mm_set1_epi8(d);
    if (n >= 32) {
        __m128i x = _mm_loadu_si128((const __m128i *)p);
        __m128i y = _mm_loadu_si128((const __m128i *)(p + 16));
        uint32_t m = span_match3(x, va, vb, vc) | (uint32_t)span_match3(y, va, vb, vc) << 16;
        uint32_t md = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd))
                      | (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(y, vd)) << 16;
        if (m)
            md &= (UINT32_C(1) << __builtin_ctz(m)) - 1;
        if (md)
            *last_d = 31 - (size_t)__builtin_clz(md);
        if (m)
            return (size_t)__builtin_ctz(m);
        i = 32;
    }
    for (; i < n && n >= 16; i += 16) {
        size_t w = i + 16 <= n ? i : n - 16;    /* the tail: the last 16 bytes again */
        __m128i x = _mm_loadu_si128((const __m128i *)(p + w));
        unsigned skip = ~0u << (i - w);
        unsigned m = span_match3(x, va, vb, vc) & skip;
        unsigned md = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) & skip;
        if (m)
            md &= (1u << __builtin_ctz(m)) - 1;
        if (md)
            *last_d = w + 31 - (size_t)__builtin_clz(md);
        if (m)
            return w + (size_t)__builtin_ctz(m);
    }
    if (n >= 16)
        return n;
#endif
    for (; i < n; i++) {
        if (p[i] == a || p[i] == b || p[i] == c)
            return i;
        if (p[i] == d)
            *last_d = i;
    }
    return n;
}

/* Offset of needle in s, or -1. Needles here are short words and log
 * lines are short: a scan for the first byte and a compare beats memmem,
 * whose setup costs more than the search on a 150-byte line. */
static inline long span_find(struct span s, const char *needle, size_t n)
{
    if (n == 0)
        return 0;
    if (s.n < n)
        return -1;
    size_t end = s.n - n + 1, i = 0;
    while ((i = span_find_byte(s.p, i, end, needle[0])) < end) {
        if (s.p[i + n - 1] == needle[n - 1] && memcmp(s.p + i + 1, needle + 1, n - 1) == 0)
            return (long)i;
        i++;
    }
    return -1;
}
#define span_find_lit(s, lit) span_find((s), (lit), sizeof(lit) - 1)

static inline long span_chr(struct span s, int c)
{
    size_t i = span_find_byte(s.p, 0, s.n, (char)c);
    return i < s.n ? (long)i : -1;
}

/* Offset of the last c in s, or -1. */
static inline long span_rchr(struct span s, int c)
{
    size_t i = s.n;
#ifdef __SSE2__
    const __m128i v = _mm_set1_epi8((char)c);
    for (; i >= 16; i -= 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s.p + i - 16)), v));
        if (m)
            return (long)(i - 16 + 31 - (size_t)__builtin_clz(m));
    }
#endif
    for (; i > 0; i--)
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
    size_t i = 0;

    /* Counted, then skipped once: the loop moves one index, not both
     * halves of the span. */
    while (i < s.n && (s.p[i] == ' ' || s.p[i] == '\t'))
        i++;
    return (struct span){ s.p + i, s.n - i };
}

#endif
