/* chunk: the lines a chunker hands out, and their numbers, against a
 * plain split of the same bytes. The line index (chunk.ends) is built in
 * 64-byte steps and can run out of room on short lines, so the inputs mix
 * empty, short, long and overlong lines, CRLF ends and a last line without
 * '\n', around every step boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "chunk.h"
#include "input.h"

struct text {
    char *p;
    size_t n, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->n + n > t->cap) {
        t->cap = (t->n + n) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
}

static uint64_t rnd_state;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rnd_state >> 33);
}

/* A line of n bytes: letters, with the line number in front to tell
 * lines apart. */
static void put_line(struct text *t, size_t n, unsigned no, const char *end)
{
    char buf[32];
    int k = snprintf(buf, sizeof(buf), "%u ", no);

    for (size_t i = 0; i < n; i++) {
        char c = i < (size_t)k ? buf[i] : (char)('a' + (i + no) % 26);
        put(t, &c, 1);
    }
    put(t, end, strlen(end));
}

/* The lines of t as the chunker must give them: split at '\n', one '\r'
 * before it dropped, an overlong line cut to its first CHUNK_MAX_LINE
 * bytes (the chunker may hand out more of it; the parse cuts the rest). */
/* Returns the number of chunks whose index did not hold every line. */
static uint64_t check_against_split(const struct text *t, size_t cap)
{
    char path[] = "/tmp/rblforge-test-chunk-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, t->p, t->n), (ssize_t)t->n);
    close(fd);

    struct input *in = input_open(path);
    assert_non_null(in);
    struct chunker *ck = chunker_new(in);
    struct chunk c;
    chunk_init(&c, cap);

    size_t at = 0;              /* where the reference split stands */
    uint64_t want_line = 1, chunks = 0, overflowed = 0;
    while (chunker_next(ck, &c)) {
        chunks++;
        assert_int_equal(c.first_line, want_line);
        overflowed += c.nends < c.nlines;
        struct chunk_cursor cur = { 0, 0 };
        const char *p;
        size_t n;
        uint64_t k = 0;
        while (chunk_line(&c, &cur, &p, &n)) {
            assert_true(at < t->n);
            const char *nl = memchr(t->p + at, '\n', t->n - at);
            size_t len = nl ? (size_t)(nl - (t->p + at)) : t->n - at;
            size_t next = at + len + (nl != NULL);
            if (len && t->p[at + len - 1] == '\r')
                len--;
            if (len > CHUNK_MAX_LINE) {
                assert_true(n >= CHUNK_MAX_LINE);
                assert_memory_equal(p, t->p + at, CHUNK_MAX_LINE);
            } else {
                assert_int_equal(n, len);
                assert_memory_equal(p, t->p + at, len);
            }
            at = next;
            k++;
        }
        assert_int_equal(k, c.nlines);
        want_line += c.nlines;
    }
    assert_int_equal(at, t->n);
    assert_true(chunks > 1);
    chunk_free(&c);
    chunker_free(ck);
    input_close(in);
    unlink(path);
    return overflowed;
}

/* Log-like lines of 60 to 400 bytes: the index holds every line. */
static void test_log_lines(void **state)
{
    (void)state;
    struct text t = { 0 };

    rnd_state = 1;
    for (unsigned i = 0; t.n < 3 * 1024 * 1024; i++)
        put_line(&t, 60 + rnd() % 340, i, rnd() % 7 ? "\n" : "\r\n");
    assert_int_equal(check_against_split(&t, 256 * 1024), 0);
    free(t.p);
}

/* Every length from 0 to 200 in turn, then runs of empty lines: the
 * index runs out of room and the rest is searched line by line. */
static void test_short_lines(void **state)
{
    (void)state;
    struct text t = { 0 };

    rnd_state = 2;
    for (unsigned i = 0; t.n < 2 * 1024 * 1024; i++) {
        if (i % 5000 < 3000)
            put_line(&t, i % 201, i, "\n");
        else
            put(&t, "\n", 1);
    }
    put_line(&t, 77, 0, "");    /* a last line without its '\n' */
    assert_true(check_against_split(&t, 128 * 1024) > 0);
    free(t.p);
}

/* Overlong lines among ordinary ones, one of them the file's last. */
static void test_overlong_lines(void **state)
{
    (void)state;
    struct text t = { 0 };

    rnd_state = 3;
    for (unsigned i = 0; i < 40; i++) {
        for (unsigned j = 0; j < 200; j++)
            put_line(&t, rnd() % 300, i * 1000 + j, "\n");
        put_line(&t, CHUNK_MAX_LINE + rnd() % (3 * CHUNK_MAX_LINE), i, "\n");
    }
    put_line(&t, 3 * CHUNK_MAX_LINE, 1, "");
    check_against_split(&t, 128 * 1024);
    free(t.p);
}

/* The same lines on every 64-byte phase of the index's steps. */
static void test_phases(void **state)
{
    (void)state;
    for (unsigned phase = 0; phase < 64; phase++) {
        struct text t = { 0 };
        rnd_state = 100 + phase;
        put_line(&t, phase, 0, "\n");
        for (unsigned i = 1; t.n < 300 * 1024; i++)
            put_line(&t, rnd() % 70, i, rnd() % 3 ? "\n" : "\r\n");
        check_against_split(&t, 128 * 1024);
        free(t.p);
    }
}

/* The index's steps as this CPU takes them (AVX-512BW or AVX2 where it
 * has them), with AVX2 at most and with SSE2 alone (chunk_init reads
 * RBLFORGE_NO_AVX512 and RBLFORGE_NO_AVX2). */
static int cpu_index(void **state)
{
    (void)state;
    return unsetenv("RBLFORGE_NO_AVX2") | unsetenv("RBLFORGE_NO_AVX512");
}

static int avx2_index(void **state)
{
    (void)state;
    return unsetenv("RBLFORGE_NO_AVX2") | setenv("RBLFORGE_NO_AVX512", "1", 1);
}

static int sse2_index(void **state)
{
    (void)state;
    return setenv("RBLFORGE_NO_AVX2", "1", 1) | unsetenv("RBLFORGE_NO_AVX512");
}

/* Each setup gets the steps it names, where the CPU has them: the
 * tests above ran each level this host can run, not the best one thrice. */
static void test_level(void **state)
{
    (void)state;
    struct chunk c;
    enum chunk_index_level want = CHUNK_INDEX_SSE2;

#ifdef __x86_64__
    if (getenv("RBLFORGE_NO_AVX2") == NULL && __builtin_cpu_supports("avx2")
        && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("popcnt"))
        want = getenv("RBLFORGE_NO_AVX512") == NULL && __builtin_cpu_supports("avx512bw")
            ? CHUNK_INDEX_AVX512 : CHUNK_INDEX_AVX2;
#endif
    chunk_init(&c, 1024);
    assert_int_equal(c.index_level, want);
    chunk_free(&c);
}

#define BOTH(t) cmocka_unit_test_setup(t, cpu_index), cmocka_unit_test_setup(t, avx2_index), \
    cmocka_unit_test_setup(t, sse2_index)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_log_lines),
        BOTH(test_short_lines),
        BOTH(test_overlong_lines),
        BOTH(test_phases),
        BOTH(test_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
