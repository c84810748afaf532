/* The small scanners the program parsers and the dispatcher share: client
 * "host[addr]", key=value fields, reply codes, queue ids, digits. */
#include <string.h>
#include "scan.h"

/* span_mask3_64(p, n, '[', ' ', ']'), or its first 16, 32 or 48 bytes
 * when they hold two of those bytes already: the '[' and the end of the
 * address after it (a host name is rarely longer than 40 bytes). */
static inline uint64_t client_mask(const char *p, size_t n)
{
#ifdef __SSE2__
    if (n >= 16) {
        const __m128i va = _mm_set1_epi8('['), vb = _mm_set1_epi8(' '), vc = _mm_set1_epi8(']');
        uint64_t m = 0;
        for (size_t k = 0; k < 64; k += 16) {
            size_t o = k + 16 <= n ? k : n - 16;
            __m128i x = _mm_loadu_si128((const __m128i *)(p + o));
            m |= (uint64_t)span_match3(x, va, vb, vc) << o;
            if (m & (m - 1))
                break;
        }
        return m;
    }
#endif
    return span_mask3_64(p, n, '[', ' ', ']');
}

/* The addresses of the last clients by their text: a client names itself
 * on several lines in a row (postscreen, connect, client=, reject,
 * disconnect), and three word compares cost less than a parse. Per thread,
 * direct-mapped by a hash of the text; only texts that parsed. */
enum { ADDR_MEMO_BITS = 8 };
struct addr_memo {
    uint64_t w[3];              /* the text's bytes 0-7, 8-15, 16-23, zeros after it */
    struct ipaddr ip;
    uint8_t n;                  /* the text's length, 0: empty */
};
static _Thread_local struct addr_memo addr_memo[1 << ADDR_MEMO_BITS];

/* ipaddr_parse(span_make(p, n), ip) for 8 <= n <= 24 (IPv4 and shorter
 * IPv6): the text in three words, read from p[0, n) alone. */
static inline bool memo_parse(const char *p, size_t n, struct ipaddr *ip)
{
    uint64_t w0 = span_load8(p), w1, w2 = 0;

    /* The last word: the 8 bytes that end the text, shifted down to
     * those past the words before it (in two halves: 64 at n = 8). */
    if (n <= 16) {
        unsigned k = 4 * (16 - (unsigned)n);
        w1 = span_load8(p + n - 8) >> k >> k;
    } else {
        unsigned k = 4 * (24 - (unsigned)n);
        w1 = span_load8(p + 8);
        w2 = span_load8(p + n - 8) >> k >> k;
    }
    struct addr_memo *e = &addr_memo[((w0 ^ w1 ^ w2) * UINT64_C(0x9E3779B97F4A7C15))
                                     >> (64 - ADDR_MEMO_BITS)];

    if (e->w[0] == w0 && e->w[1] == w1 && e->w[2] == w2 && e->n == n) {
        *ip = e->ip;
        return true;
    }
    if (!ipaddr_parse(span_make(p, n), ip))
        return false;
    e->w[0] = w0;
    e->w[1] = w1;
    e->w[2] = w2;
    e->ip = *ip;
    e->n = (uint8_t)n;
    return true;
}

/* The client address of scan_client: the text at s.p[a0, i). */
static inline bool client_addr(struct span s, size_t a0, size_t i, struct ipaddr *ip)
{
    struct span addr = span_make(s.p + a0, i - a0);

    if (span_eq_lit(addr, "unknown"))
        return true;
    if (addr.n >= 8 && addr.n <= 24)
        return memo_parse(addr.p, addr.n, ip);
    return ipaddr_parse(addr, ip);
}

size_t scan_client(struct span s, struct event *ev)
{
    /* "host[addr]": no space or bracket in the host name, no space or ']'
     * in the address. Both ends from one mask of the first 64 bytes when
     * they are in it (nearly always); else searched for. */
    uint64_t m = client_mask(s.p, s.n);
    size_t lb = m ? (size_t)__builtin_ctzll(m) : span_find_any3(s.p, 64, s.n, '[', ' ', ']');
    struct span host;
    size_t i;

    if (lb == s.n || s.p[lb] != '[')
        return 0;
    host = span_make(s.p, lb);
    size_t a0 = lb + 1;
    /* A '[' in the mask ends the address too: then it is no ']' (as a
     * '[' inside the address would fail to parse). */
    m = lb < 64 ? (m >> lb) >> 1 : 0;
    i = m ? a0 + (size_t)__builtin_ctzll(m) : span_find_any3(s.p, a0 > 64 ? a0 : 64, s.n, ']', ' ', ']');
    if (i >= s.n || s.p[i] != ']')
        return 0;
    if (!client_addr(s, a0, i, &ev->ip))
        return 0;
    i++;
    if (span_eq_lit(host, "unknown"))
        ev->rdns_unknown = true;
    else if (host.n)
        ev->rdns = host;
    if (i < s.n && s.p[i] == ':') {         /* smtpd_client_port_logging */
        uint32_t port = 0, d;
        size_t j = i + 1, lim = s.n - i > 6 ? i + 6 : s.n;     /* 5 digits at most */
        while (j < lim && (d = (uint32_t)(unsigned char)s.p[j] - '0') <= 9)
            port = port * 10 + d, j++;
        if (j > i + 1 && port <= 65535) {
            ev->port = port;
            i = j;
        }
    }
    return i;
}

/* The value after a key that ends at s.p[i - 1]. */
static struct span kv_value(struct span s, size_t i)
{
    if (i < s.n && s.p[i] == '<') {
        /* <...>: up to the '>' followed by a separator or the end. */
        for (size_t j = i + 1; (j = span_find_byte(s.p, j, s.n, '>')) < s.n; j++)
            if (j + 1 == s.n || s.p[j + 1] == ' ' || s.p[j + 1] == ',' || s.p[j + 1] == ';'
                || s.p[j + 1] == ':')
                return span_make(s.p + i + 1, j - i - 1);
        return span_make(s.p + i + 1, s.n - i - 1);
    }
    size_t j = span_find_any3(s.p, i, s.n, ',', ' ', ';');
    return span_make(s.p + i, j - i);
}

/* What may precede a key: a key inside a value ("xfrom=") is not a key. */
static inline bool kv_separator(char c)
{
    return c == ' ' || c == ',' || c == ';' || c == '(';
}

/* Does key, whose last 8 bytes (or all) are tail (scan_kv_tail), end at
 * s.p[e], starting a word? Those 8 bytes are one compare; only longer
 * keys have letters left to compare one by one. */
static inline bool kv_key_at(struct span s, size_t e, const char *key, size_t keylen,
                             uint64_t tail)
{
    if (e + 1 < keylen)
        return false;
    size_t k = e + 1 - keylen, m = 0;
    if (e >= 7) {
        unsigned shift = 8 * (8 - (unsigned)(keylen < 8 ? keylen : 8));
        if ((span_load8(s.p + e - 7) >> shift) != tail)
            return false;
        for (; m + 8 < keylen; m++)
            if (s.p[k + m] != key[m])
                return false;
    } else {
        for (; m < keylen; m++)
            if (s.p[k + m] != key[m])
                return false;
    }
    return k == 0 || kv_separator(s.p[k - 1]);
}

struct span scan_kv_tailed(struct span s, const char *key, size_t keylen, uint64_t tail)
{
    if (keylen == 0)
        return SPAN_NULL;
    /* Keys end in '=' (qmail's in ':'), rare in a line: look for that
     * byte and check the rest of the key before it. */
    char last = key[keylen - 1];
    for (size_t e = 0; (e = span_find_byte(s.p, e, s.n, last)) < s.n; e++)
        if (kv_key_at(s, e, key, keylen, tail))
            return kv_value(s, e + 1);
    return SPAN_NULL;
}

/* One pass over the '=' of s for all the keys of a line shape (a
 * delivery line has five): the first match of each, as scan_kv finds it.
 * The keys still looked for are bits of a mask: a '=' costs one compare
 * per key left, and ends at the key that matches (keys start words, so
 * one '=' ends one key at most). */
void scan_kv_many(struct span s, struct scan_kv_want *w, size_t n)
{
    uint32_t left = 0;

    for (size_t i = 0; i < n && i < 32; i++) {
        w[i].val = SPAN_NULL;
        if (w[i].keylen && w[i].key[w[i].keylen - 1] == '=')
            left |= 1u << i;
        else if (w[i].keylen)
            w[i].val = scan_kv(s, w[i].key, w[i].keylen);
    }
    for (size_t e = 0; left && (e = span_find_byte(s.p, e, s.n, '=')) < s.n; e++)
        for (uint32_t m = left; m; m &= m - 1) {
            unsigned i = (unsigned)__builtin_ctz(m);
            if (kv_key_at(s, e, w[i].key, w[i].keylen, w[i].tail)) {
                w[i].val = kv_value(s, e + 1);
                left &= ~(1u << i);
                break;
            }
        }
}

size_t scan_dsn_len(struct span s)
{
    size_t k = 0, dots = 0, run = 0;

    if (s.n == 0 || (s.p[0] != '2' && s.p[0] != '4' && s.p[0] != '5'))
        return 0;
    while (k < s.n && ((s.p[k] >= '0' && s.p[k] <= '9') || s.p[k] == '.')) {
        if (s.p[k] == '.') {
            if (run == 0)
                return 0;
            dots++;
            run = 0;
        } else if (++run > 3) {
            return 0;
        }
        k++;
    }
    return dots == 2 && run > 0 ? k : 0;
}

size_t scan_code_dsn(struct span s, struct event *ev)
{
    size_t i = 0, k;

    /* milters and proxies may answer with the enhanced code alone. */
    if ((k = scan_dsn_len(s)) > 0 && (k == s.n || s.p[k] == ' ' || s.p[k] == ';')) {
        ev->dsn = span_make(s.p, k);
        return k;
    }
    if (s.n < 3 || s.p[0] < '2' || s.p[0] > '5' || s.p[1] < '0' || s.p[1] > '9'
        || s.p[2] < '0' || s.p[2] > '9' || (s.n > 3 && s.p[3] != ' ' && s.p[3] != '-'))
        return 0;
    ev->code = span_make(s.p, 3);
    i = 3;
    if (i + 1 < s.n && (s.p[i] == ' ' || s.p[i] == '-')) {
        struct span d = span_skip(s, i + 1);
        if ((k = scan_dsn_len(d)) > 0 && (k == d.n || d.p[k] == ' ')) {
            ev->dsn = span_make(d.p, k);
            i += 1 + k;
        }
    }
    return i;
}

/* Character classes of queue ids: one table lookup per byte, no branches
 * (every Postfix line asks). */
enum { QC_HEX = 1, QC_NONHEX = 2, QC_VOWEL = 4, QC_Z = 8, QC_BAD = 16 };
static const unsigned char qid_class[256] = {
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
         1,  1,  1,  1,  1,  1,  1,  1,  1,  1, 16, 16, 16, 16, 16, 16,
        16,  1,  1,  1,  1,  1,  1,  2,  2,  6,  2,  2,  2,  2,  2,  6,
         2,  2,  2,  2,  2,  6,  2,  2,  2,  2,  2, 16, 16, 16, 16, 16,
        16,  6,  2,  2,  2,  6,  2,  2,  2,  6,  2,  2,  2,  2,  2,  6,
         2,  2,  2,  2,  2,  6,  2,  2,  2,  2, 10, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16,  1,  1, 16, 16, 16, 16, 16,  1, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
};

bool scan_is_queue_id(struct span s)
{
    unsigned acc = 0;

    if (s.n < 5 || s.n > 20)
        return false;
    for (size_t i = 0; i < s.n; i++)
        acc |= qid_class[(unsigned char)s.p[i]];
    if (acc & QC_BAD)
        return false;
    /* Short ids are upper-case hex; long ids are base 52 without vowels,
     * with a 'z' between the time and the inode part. */
    return (!(acc & QC_NONHEX) && s.n <= 16) || (s.n >= 10 && (acc & QC_Z) && !(acc & QC_VOWEL));
}

/* The first ':' in the first 24 bytes of s (s.n >= 32), or -1. One
 * compare of 32 bytes: most lines that reach here either start with a
 * short queue id or have no colon near their start. */
static inline long colon24(struct span s)
{
#ifdef __SSE2__
    __m128i x = _mm_loadu_si128((const __m128i *)s.p);
    __m128i y = _mm_loadu_si128((const __m128i *)(s.p + 16));
    __m128i c = _mm_set1_epi8(':');
    uint32_t colon = ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, c))
                      | (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(y, c)) << 16) & 0xffffff;
    return colon ? (long)__builtin_ctz(colon) : -1;
#else
    return span_chr(span_make(s.p, 24), ':');
#endif
}

/* The same for 16 <= s.n < 32 (qmgr's "QID: removed"): the first 16
 * bytes at once, the rest up to 24 one by one. */
static inline long colon16(struct span s)
{
#ifdef __SSE2__
    unsigned colon = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
        _mm_loadu_si128((const __m128i *)s.p), _mm_set1_epi8(':')));
    if (colon)
        return (long)__builtin_ctz(colon);
    long c = span_chr(span_make(s.p + 16, (s.n < 24 ? s.n : 24) - 16), ':');
    return c < 0 ? -1 : c + 16;
#else
    return span_chr(span_make(s.p, s.n < 24 ? s.n : 24), ':');
#endif
}

/* A bit for each of the 16 bytes at p that is 0-9 or A-F: asked only of
 * a line with a colon where a short queue id ends. */
static inline unsigned hex16(const char *p)
{
#ifdef __SSE2__
    __m128i x = _mm_loadu_si128((const __m128i *)p);
    /* Signed compares: bytes of 0x80 and up are below '0'. */
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    __m128i af = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
                               _mm_cmplt_epi8(x, _mm_set1_epi8('F' + 1)));

    return (unsigned)_mm_movemask_epi8(_mm_or_si128(digit, af));
#else
    (void)p;
    return 0;
#endif
}

size_t scan_queue_prefix(struct span s, struct event *ev)
{
    long colon = s.n >= 32 ? colon24(s) : s.n >= 16 ? colon16(s) : span_chr(s, ':');

    if (colon <= 0 || (size_t)colon + 1 > s.n)
        return 0;
    struct span id = span_make(s.p, (size_t)colon);
    /* A short id of upper-case hex (nearly every line) needs no table. */
    unsigned before = (1u << colon) - 1;
    if (!(colon >= 5 && colon < 16 && s.n >= 16 && (hex16(s.p) & before) == before)
        && !span_eq_lit(id, "NOQUEUE") && !scan_is_queue_id(id))
        return 0;
    ev->qid = id;
    return (size_t)colon + 1 < s.n && s.p[colon + 1] == ' ' ? (size_t)colon + 2
        : (size_t)colon + 1;
}

size_t scan_digits(struct span s, uint64_t *v)
{
    size_t i = 0;

    *v = 0;
    while (i < s.n && i < 18 && s.p[i] >= '0' && s.p[i] <= '9')
        *v = *v * 10 + (uint64_t)(s.p[i++] - '0');
    return i;
}

struct span scan_bounded(struct span s)
{
    if (s.n > EVENT_TEXT_MAX)
        s.n = EVENT_TEXT_MAX;
    return s;
}

void scan_event_clear(struct event *ev)
{
    int64_t ts = ev->ts;
    uint32_t usec = ev->usec;
    bool has_ts = ev->has_ts;
    struct span host = ev->host, prog = ev->prog, pid = ev->pid, repeat = ev->repeat;

    event_reset(ev);
    ev->ts = ts;
    ev->usec = usec;
    ev->has_ts = has_ts;
    ev->host = host;
    ev->prog = prog;
    ev->pid = pid;
    ev->repeat = repeat;
}
