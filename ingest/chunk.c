/* Line-aligned chunking of decompressed input; see chunk.h. */
#include <string.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __x86_64__
#include <immintrin.h>
#endif
#include "chunk.h"
#include "hugemem.h"
#include "msg.h"
#include "xalloc.h"

struct chunker {
    struct input *in;
    char *carry;                /* a partial last line kept for the next chunk */
    size_t carry_len;
    bool eof;
    bool skipping;              /* inside an overlong line: drop until '\n' */
    uint64_t next_line;
    uint64_t long_lines;
};

struct chunker *chunker_new(struct input *in)
{
    struct chunker *ck = xcalloc(1, sizeof(*ck));

    ck->in = in;
    ck->carry = xmalloc(CHUNK_MAX_LINE + 1);
    ck->next_line = 1;
    return ck;
}

void chunk_init(struct chunk *c, size_t cap)
{
    if (cap < 2 * CHUNK_MAX_LINE)
        cap = 2 * CHUNK_MAX_LINE;
    c->buf = hugemem_alloc(cap);        /* filled over and over: one fault per 2 MiB */
    c->cap = cap;
    c->ends_cap = cap / 32 + 64;
    c->ends = xmalloc(c->ends_cap * sizeof(*c->ends));
    c->nends = 0;
    c->index_level = CHUNK_INDEX_SSE2;
#ifdef __x86_64__
    /* RBLFORGE_NO_AVX2 and RBLFORGE_NO_AVX512 (hidden): the tests check
     * the SSE2 and AVX2 steps too. */
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi")
        && __builtin_cpu_supports("popcnt") && getenv("RBLFORGE_NO_AVX2") == NULL)
        c->index_level = __builtin_cpu_supports("avx512bw") && getenv("RBLFORGE_NO_AVX512") == NULL
            ? CHUNK_INDEX_AVX512 : CHUNK_INDEX_AVX2;
#endif
    c->len = 0;
    c->first_line = 0;
    c->nlines = 0;
}

void chunk_free(struct chunk *c)
{
    free(c->buf);
    free(c->ends);
    c->buf = NULL;
    c->ends = NULL;
    c->nends = c->ends_cap = 0;
    c->cap = c->len = 0;
}

/* Newlines in [p, p+n). Every byte of every chunk passes through here, so
 * it compares 16 bytes at a time (SSE2 is part of x86-64) instead of one
 * memchr call per line, and sums the matches in byte lanes (a compare
 * gives -1 per match), folded with psadbw before a lane can overflow:
 * no popcount, which baseline x86-64 lacks and gcc turns into a call. */
static uint64_t count_lines(const char *p, size_t n)
{
    uint64_t k = 0;
    size_t i = 0;

#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (i + 64 <= n) {
        __m128i acc = zero;
        /* 4 matches per lane per round: 63 rounds stay under 255. */
        for (int r = 0; r < 63 && i + 64 <= n; r++, i += 64) {
            __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl);
            __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), nl);
            __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), nl);
            __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), nl);
            acc = _mm_sub_epi8(acc, _mm_add_epi8(_mm_add_epi8(a, b), _mm_add_epi8(c, d)));
        }
        __m128i sum = _mm_sad_epu8(acc, zero);
        k += (uint64_t)_mm_cvtsi128_si64(sum) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum));
    }
#endif
    for (; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/*
 * The lines of c->buf[0, n): their ends go to c->ends while there is room
 * for a whole step's worth, and all are counted. Most 64-byte steps hold
 * no line end or one, so each step stores two offsets unconditionally and
 * keeps as many as it found: a branch per step that is nearly always
 * taken the same way, instead of one per line that is not. Every byte of
 * the input passes here: the step's mask comes from AVX-512BW or AVX2
 * where the CPU has it, chosen at run time (chunk_init).
 */
#define INDEX_STEPS(newlines64)                                                 \
    for (; i + 64 <= n && k + 64 <= c->ends_cap; i += 64) {                    \
        uint64_t m = newlines64(p + i);                                         \
        uint64_t m2 = m & (m - 1), m3 = m2 & (m2 - 1);                          \
        e[k] = (uint32_t)i + (uint32_t)__builtin_ctzll(m | top);                \
        e[k + 1] = (uint32_t)i + (uint32_t)__builtin_ctzll(m2 | top);           \
        k += (m != 0) + (m2 != 0);                                              \
        for (; m3; m3 &= m3 - 1)                                                \
            e[k++] = (uint32_t)i + (uint32_t)__builtin_ctzll(m3);               \
    }

#ifdef __x86_64__
/* The same for CPUs with AVX2, which have BMI1 and POPCNT too: tzcnt is
 * defined on 0 (64, in a store that is not kept), one popcnt counts the
 * step's ends, and ends_cap is checked once per run of steps that cannot
 * pass it (a step adds 64 ends at most): 23 instructions a step, not 33. */
#define INDEX_STEPS_BMI(newlines64)                                             \
    while (i + 64 <= n && k + 64 <= c->ends_cap) {                             \
        size_t steps = (n - i) / 64, room = (c->ends_cap - k) / 64;           \
        size_t lim = i + 64 * (steps < room ? steps : room);                   \
        for (; i < lim; i += 64) {                                             \
            uint64_t m = newlines64(p + i);                                     \
            size_t cnt = (size_t)_mm_popcnt_u64(m);                             \
            e[k] = (uint32_t)i + (uint32_t)_tzcnt_u64(m);                       \
            m = _blsr_u64(m);                                                   \
            e[k + 1] = (uint32_t)i + (uint32_t)_tzcnt_u64(m);                   \
            if (cnt > 2)                                                        \
                for (size_t j = k + 2; (m = _blsr_u64(m)) != 0; j++)            \
                    e[j] = (uint32_t)i + (uint32_t)_tzcnt_u64(m);               \
            k += cnt;                                                           \
        }                                                                      \
    }

__attribute__((target("avx2,bmi,popcnt")))
static inline uint64_t newlines64_avx2(const char *p)
{
    const __m256i nl = _mm256_set1_epi8('\n');
    __m256i a = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)p), nl);
    __m256i b = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + 32)), nl);

    return (uint64_t)(uint32_t)_mm256_movemask_epi8(a)
        | (uint64_t)(uint32_t)_mm256_movemask_epi8(b) << 32;
}

__attribute__((target("avx2,bmi,popcnt")))
static size_t index_steps_avx2(const char *p, size_t n, struct chunk *c, size_t *at)
{
    uint32_t *e = c->ends;
    size_t k = 0, i = 0;

    INDEX_STEPS_BMI(newlines64_avx2)
    *at = i;
    return k;
}

/* One compare of 64 bytes into a mask register: the mask at once. */
__attribute__((target("avx512f,avx512bw,bmi,popcnt")))
static inline uint64_t newlines64_avx512(const char *p)
{
    return _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)p), _mm512_set1_epi8('\n'));
}

__attribute__((target("avx512f,avx512bw,bmi,popcnt")))
static size_t index_steps_avx512(const char *p, size_t n, struct chunk *c, size_t *at)
{
    uint32_t *e = c->ends;
    size_t k = 0, i = 0;

    INDEX_STEPS_BMI(newlines64_avx512)
    *at = i;
    return k;
}
#endif

static size_t index_steps(const char *p, size_t n, struct chunk *c, size_t *at)
{
    size_t k = 0, i = 0;
#ifdef __x86_64__
    if (c->index_level == CHUNK_INDEX_AVX512)
        return index_steps_avx512(p, n, c, at);
    if (c->index_level == CHUNK_INDEX_AVX2)
        return index_steps_avx2(p, n, c, at);
#endif
#ifdef __SSE2__
    const uint64_t top = UINT64_C(1) << 63;     /* keeps ctz defined on 0 */
    uint32_t *e = c->ends;
    INDEX_STEPS(chunk_newlines64)
#endif
    *at = i;
    return k;
}

static uint64_t index_lines(struct chunk *c, size_t n)
{
    const char *p = c->buf;
    uint32_t *e = c->ends;
    size_t i, k = index_steps(p, n, c, &i);

    for (; i < n && k < c->ends_cap; i++)
        if (p[i] == '\n')
            e[k++] = (uint32_t)i;
    c->nends = k;
    return k + count_lines(p + i, n - i);
}

/*
 * Drop the rest of an overlong line: bytes up to the next '\n' in
 * [p, p+n) are removed. Returns the number of bytes removed from the front.
 */
static size_t skip_overlong(struct chunker *ck, char *p, size_t n)
{
    char *nl = memchr(p, '\n', n);

    if (nl == NULL)
        return n;
    ck->skipping = false;
    return (size_t)(nl - p);    /* keep the '\n': it ends the cut line */
}

bool chunker_next(struct chunker *ck, struct chunk *c)
{
    size_t len = 0;

    if (ck->eof && ck->carry_len == 0)
        return false;
    memcpy(c->buf, ck->carry, ck->carry_len);
    len = ck->carry_len;
    ck->carry_len = 0;
    while (!ck->eof && len < c->cap) {
        size_t got = input_read(ck->in, c->buf + len, c->cap - len);
        if (got == 0) {
            ck->eof = true;
            ck->skipping = false;
            break;
        }
        if (ck->skipping) {
            size_t drop = skip_overlong(ck, c->buf + len, got);
            memmove(c->buf + len, c->buf + len + drop, got - drop);
            got -= drop;
        }
        len += got;
        if (ck->skipping)
            continue;
        /* Stop early once there is a line end in the fresh data and the
         * buffer is reasonably full: keeps latency low on pipes. */
        if (len >= c->cap - CHUNK_MAX_LINE)
            break;
    }
    /* Whole lines only: keep the partial tail for next time. */
    size_t end = len;
    if (!ck->eof || ck->skipping) {
        char *nl = memrchr(c->buf, '\n', len);
        end = nl ? (size_t)(nl - c->buf) + 1 : 0;
    }
    c->len = end;
    c->first_line = ck->next_line;
    c->nlines = index_lines(c, end);
    size_t tail = len - end;
    if (tail > CHUNK_MAX_LINE) {
        /* The tail is one overlong line: cut it and skip the rest. */
        msg_warn("%s:%llu: line longer than %d bytes cut", input_name(ck->in),
                 (unsigned long long)(ck->next_line + c->nlines), CHUNK_MAX_LINE);
        ck->long_lines++;
        memcpy(ck->carry, c->buf + end, CHUNK_MAX_LINE);
        ck->carry_len = CHUNK_MAX_LINE;
        ck->skipping = true;
    } else {
        memcpy(ck->carry, c->buf + end, tail);
        ck->carry_len = tail;
    }
    if (end && c->buf[end - 1] != '\n')
        c->nlines++;            /* last line of the file without '\n' */
    ck->next_line += c->nlines;
    if (end == 0 && !ck->eof)
        return chunker_next(ck, c);
    return end > 0 || ck->carry_len > 0;
}

uint64_t chunker_long_lines(const struct chunker *ck)
{
    return ck->long_lines;
}

void chunker_free(struct chunker *ck)
{
    if (ck == NULL)
        return;
    free(ck->carry);
    free(ck);
}
