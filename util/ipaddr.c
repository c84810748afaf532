/* Strict IP address scanning and formatting; see ipaddr.h. */
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include "ipaddr.h"

#ifndef __SSE2__
/* Bit i set where byte i of m is 0x80. */
static inline unsigned byte_bits(uint64_t m)
{
    return (unsigned)(((m >> 7) * UINT64_C(0x0102040810204080)) >> 56);
}
#endif

/* An octet of l digits (1-3) at q, read left to right (q[0..2] readable);
 * *bad set for a leading zero or a value over 255. The digits are
 * weighed by l from a table instead of branching on l: octet lengths in
 * logs are random, and gcc's branches for a select mispredicted. The
 * bytes past the octet get weight 0. */
static inline unsigned octet_at(const char *q, unsigned l, unsigned *bad)
{
    static const uint8_t w[4][3] = { { 0 }, { 1, 0, 0 }, { 10, 1, 0 }, { 100, 10, 1 } };
    unsigned a = (unsigned char)q[0] - '0', b = (unsigned char)q[1] - '0',
             c = (unsigned char)q[2] - '0';
    unsigned v = a * w[l][0] + b * w[l][1] + c * w[l][2];

    *bad |= ((l > 1) & (a == 0)) | (v > 255);
    return v;
}

/* The same for the octet of l digits that ends at e (e[-3..-1] readable). */
static inline unsigned octet_before(const char *e, unsigned l, unsigned *bad)
{
    static const uint8_t w[4][3] = { { 0 }, { 0, 0, 1 }, { 0, 10, 1 }, { 100, 10, 1 } };
    unsigned a = (unsigned char)e[-3] - '0', b = (unsigned char)e[-2] - '0',
             c = (unsigned char)e[-1] - '0';
    unsigned v = a * w[l][0] + b * w[l][1] + c * w[l][2];

    *bad |= ((l == 2) & (b == 0)) | ((l == 3) & (a == 0)) | (v > 255);
    return v;
}

#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#define V4_SSSE3 1
/* The octets' digits of a dotted quad of lengths l1..l4 (index
 * ((l1-1)*3 + l2-1)*9 + (l3-1)*3 + l4-1) moved into four 4-byte slots
 * as 0, hundreds, tens, ones (0x80: a zero). */
#define V4_OCTET(s, l) 0x80, (l) == 3 ? (s) : 0x80, (l) >= 2 ? (s) + (l) - 2 : 0x80, (s) + (l) - 1
#define V4_E(a, b, c, d) \
    { V4_OCTET(0, a), V4_OCTET((a) + 1, b), V4_OCTET((a) + (b) + 2, c), \
      V4_OCTET((a) + (b) + (c) + 3, d) }
#define V4_E4(a, b, c) V4_E(a, b, c, 1), V4_E(a, b, c, 2), V4_E(a, b, c, 3)
#define V4_E3(a, b) V4_E4(a, b, 1), V4_E4(a, b, 2), V4_E4(a, b, 3)
#define V4_E2(a) V4_E3(a, 1), V4_E3(a, 2), V4_E3(a, 3)
static const uint8_t v4_shuffle[81][16] __attribute__((aligned(16))) = {
    V4_E2(1), V4_E2(2), V4_E2(3),
};

/* The octets of d (the bytes less '0') in the order of the pattern idx
 * as one word, the first octet the most significant; *bad set if one is
 * over 255. One shuffle and two multiply-adds instead of twelve byte
 * loads and multiplies; SSSE3, so taken when the CPU has it. */
__attribute__((target("ssse3")))
static uint32_t octets_ssse3(__m128i d, unsigned idx, unsigned *bad)
{
    __m128i y = _mm_shuffle_epi8(d, _mm_load_si128((const __m128i *)v4_shuffle[idx]));
    __m128i w = _mm_setr_epi8(0, 100, 10, 1, 0, 100, 10, 1, 0, 100, 10, 1, 0, 100, 10, 1);
    __m128i v = _mm_madd_epi16(_mm_maddubs_epi16(y, w), _mm_set1_epi16(1));

    *bad |= (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi32(v, _mm_set1_epi32(255)));
    v = _mm_packs_epi32(v, v);
    return __builtin_bswap32((uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(v, v)));
}
#endif

/* Dotted quad, strict: four decimal octets of 1-3 digits, no leading
 * zero (octal ambiguity), nothing after. It runs for every client address
 * of every line: the first and the last 8 bytes (they overlap) say where
 * the dots and digits are, and the octets are read from there, without a
 * branch that depends on the address. Never reads outside s. */
static inline __attribute__((always_inline))
bool parse_v4(struct span s, uint32_t *out, bool ssse3)
{
    const char *p = s.p;
    size_t n = s.n;

    if (n < 7 || n > 15)
        return false;
    if (n == 7) {                       /* d.d.d.d */
        for (int i = 0; i < 7; i++)
            if (i % 2 ? p[i] != '.' : (unsigned)(unsigned char)p[i] - '0' > 9)
                return false;
        *out = (uint32_t)(p[0] - '0') << 24 | (uint32_t)(p[2] - '0') << 16
               | (uint32_t)(p[4] - '0') << 8 | (uint32_t)(p[6] - '0');
        return true;
    }
    /* Bytes 0-7, and 8 to n - 1 of the last 8 (zeros after them). */
    uint64_t lo = span_load8(p), hi = span_load8(p + n - 8) >> (8 * (15 - n)) >> 8;
    unsigned dots, digits;
#ifdef __SSE2__
    /* A bit per byte from one compare each (the word-wise masks took a
     * third of the instructions of a parse). */
    __m128i x = _mm_set_epi64x((long long)hi, (long long)lo);
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
    digits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
#else
    dots = byte_bits(span_bytes_eq(lo, '.')) | byte_bits(span_bytes_eq(hi, '.')) << 8;
    digits = byte_bits(span_bytes_digit(lo)) | byte_bits(span_bytes_digit(hi)) << 8;
#endif
    if ((dots | digits) != (1u << n) - 1)
        return false;
#ifdef V4_SSSE3
    unsigned starts = 1u | dots << 1;
#else
    (void)ssse3;
#endif
    /* Three dots (a bit past the end stands in for a missing one). */
    unsigned d1 = (unsigned)__builtin_ctz(dots | 1u << 16);
    dots &= dots - 1;
    unsigned d2 = (unsigned)__builtin_ctz(dots | 1u << 16);
    dots &= dots - 1;
    unsigned d3 = (unsigned)__builtin_ctz(dots | 1u << 16);
    dots &= dots - 1;
    unsigned l1 = d1, l2 = d2 - d1 - 1, l3 = d3 - d2 - 1, l4 = (unsigned)n - 1 - d3;
    if (dots || l1 - 1 > 2 || l2 - 1 > 2 || l3 - 1 > 2 || l4 - 1 > 2)
        return false;
    unsigned bad = 0;
    uint32_t v;
#ifdef V4_SSSE3
    if (ssse3) {
        /* A leading zero: an octet's first digit '0' with a digit after it. */
        unsigned zeros = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('0')));
        bad = starts & digits >> 1 & zeros;
        v = octets_ssse3(d, (((l1 - 1) * 3 + l2 - 1) * 3 + l3 - 1) * 3 + l4 - 1, &bad);
    } else
#endif
    v = octet_at(p, l1, &bad) << 24 | octet_at(p + d1 + 1, l2, &bad) << 16
        | octet_at(p + d2 + 1, l3, &bad) << 8 | octet_before(p + n, l4, &bad);
    if (bad)
        return false;
    *out = v;
    return true;
}

static bool parse_v4_generic(struct span s, uint32_t *out)
{
    return parse_v4(s, out, false);
}

#ifdef V4_SSSE3
/* The same compiled for SSSE3: the octets' shuffle inline, no test of the
 * CPU per address. */
__attribute__((target("ssse3")))
static bool parse_v4_ssse3(struct span s, uint32_t *out)
{
    return parse_v4(s, out, true);
}
#endif

bool ipaddr_parse_v4(struct span s, uint32_t *out)
{
#ifdef V4_SSSE3
    if (__builtin_cpu_supports("ssse3"))
        return parse_v4_ssse3(s, out);
#endif
    return parse_v4_generic(s, out);
}

void ipaddr_set_v4(struct ipaddr *a, uint32_t v)
{
    memset(a, 0, sizeof(*a));
    a->family = 4;
    a->b[0] = (uint8_t)(v >> 24);
    a->b[1] = (uint8_t)(v >> 16);
    a->b[2] = (uint8_t)(v >> 8);
    a->b[3] = (uint8_t)v;
}

/* 8 bytes of an address as a number, the first the most significant. */
static inline uint64_t addr_word(const uint8_t *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

uint64_t ipaddr_v6_hi(const struct ipaddr *a)
{
    return addr_word(a->b);
}

uint64_t ipaddr_v6_lo(const struct ipaddr *a)
{
    return addr_word(a->b + 8);
}

/* addr_word's inverse. */
static inline void store_word(uint8_t *p, uint64_t w)
{
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    memcpy(p, &w, 8);
}

void ipaddr_set_v6(struct ipaddr *a, uint64_t hi, uint64_t lo)
{
    a->family = 6;
    store_word(a->b, hi);
    store_word(a->b + 8, lo);
}

/* A hex digit's value, or -1. */
static inline int hex_value(unsigned char c)
{
    if ((unsigned)(c - '0') < 10)
        return c - '0';
    c |= 0x20;                  /* 'A'-'F' to 'a'-'f'; no other byte lands there */
    return (unsigned)(c - 'a') < 6 ? c - 'a' + 10 : -1;
}

/* IPv6 text as inet_pton(AF_INET6) reads it (RFC 4291 2.2): groups of 1-4
 * hex digits, at most one "::" for a run of zero groups, optionally a
 * dotted quad as the last 32 bits; no zone id. Read from the span: no
 * copy into a C string, no call per address. */
static bool parse_v6(struct span s, uint8_t out[16])
{
    uint8_t b[16] = { 0 };
    size_t i = 0, tok, n = 0, gap = SIZE_MAX;   /* n bytes filled; gap: where "::" was */
    unsigned val = 0, digits = 0;

    if (s.n == 0)
        return false;
    if (s.p[0] == ':') {        /* only as the first half of "::" */
        if (s.n < 2 || s.p[1] != ':')
            return false;
        i = 1;
    }
    tok = i;
    while (i < s.n) {
        unsigned char c = (unsigned char)s.p[i++];
        int d = hex_value(c);
        if (d >= 0) {
            if (digits == 4)
                return false;
            val = val << 4 | (unsigned)d;
            digits++;
        } else if (c == ':') {
            tok = i;
            if (digits == 0) {  /* the second ':' of "::" */
                if (gap != SIZE_MAX)
                    return false;
                gap = n;
                continue;
            }
            if (i == s.n || n == 16)    /* a trailing ':', or a ninth group */
                return false;
            b[n++] = (uint8_t)(val >> 8);
            b[n++] = (uint8_t)val;
            val = digits = 0;
        } else if (c == '.' && n <= 12) {
            /* The group read as hex was the first octet: the quad starts
             * after the last ':' and ends the address. */
            uint32_t v4;
            if (!ipaddr_parse_v4(span_skip(s, tok), &v4))
                return false;
            b[n++] = (uint8_t)(v4 >> 24);
            b[n++] = (uint8_t)(v4 >> 16);
            b[n++] = (uint8_t)(v4 >> 8);
            b[n++] = (uint8_t)v4;
            digits = 0;
            break;
        } else {
            return false;
        }
    }
    if (digits) {
        if (n == 16)
            return false;
        b[n++] = (uint8_t)(val >> 8);
        b[n++] = (uint8_t)val;
    }
    if (gap != SIZE_MAX) {
        if (n == 16)            /* "::" must stand for one group at least */
            return false;
        memmove(b + 16 - (n - gap), b + gap, n - gap);
        memset(b + gap, 0, 16 - n);
        n = 16;
    }
    if (n != 16)
        return false;
    memcpy(out, b, 16);
    return true;
}

/* Not inlined into ipaddr_parse: its registers would be saved and
 * restored for every IPv4 address too. */
static __attribute__((noinline)) bool parse_v6_text(struct span s, struct ipaddr *out)
{
    if (span_starts_lit(s, "IPv6:") || span_starts_lit(s, "ipv6:"))
        s = span_skip(s, 5);
    if (!parse_v6(s, out->b))   /* out is left alone if not an address */
        return false;
    out->family = 6;
    return true;
}

bool ipaddr_parse(struct span s, struct ipaddr *out)
{
    uint32_t v4;

    if (ipaddr_parse_v4(s, &v4)) {
        ipaddr_set_v4(out, v4);
        return true;
    }
    return parse_v6_text(s, out);
}

/* The first len bits of a 64-bit word set (len 0 to 64). */
static inline uint64_t first_bits(unsigned len)
{
    return len == 0 ? 0 : ~UINT64_C(0) << (64 - len);
}

/* Two words and a mask each instead of a loop over bytes: the maps and
 * the zones test 1.7 M addresses against their networks in a night. */
struct ipaddr ipaddr_mask(const struct ipaddr *a, unsigned len)
{
    struct ipaddr m = *a;
    uint64_t hi = addr_word(a->b), lo = addr_word(a->b + 8);

    if (a->family == 4) {
        hi &= first_bits(len < 32 ? len : 32) | UINT64_C(0xffffffff);
    } else {
        hi &= first_bits(len < 64 ? len : 64);
        lo &= first_bits(len <= 64 ? 0 : len < 128 ? len - 64 : 64);
    }
    store_word(m.b, hi);
    store_word(m.b + 8, lo);
    return m;
}

bool ipprefix_parse(struct span s, struct ipprefix *out, bool mask_host)
{
    long slash = span_chr(s, '/');
    struct span a = slash < 0 ? s : span_make(s.p, (size_t)slash);
    unsigned len, max;

    if (!ipaddr_parse(a, &out->addr))
        return false;
    max = out->addr.family == 4 ? 32 : 128;
    if (slash < 0) {
        len = max;
    } else {
        struct span l = span_skip(s, (size_t)slash + 1);
        if (l.n == 0 || l.n > 3)
            return false;
        len = 0;
        for (size_t i = 0; i < l.n; i++) {
            if (l.p[i] < '0' || l.p[i] > '9')
                return false;
            len = len * 10 + (unsigned)(l.p[i] - '0');
        }
        if (len > max || (l.n > 1 && l.p[0] == '0'))
            return false;
    }
    struct ipaddr m = ipaddr_mask(&out->addr, len);
    if (!mask_host && memcmp(m.b, out->addr.b, sizeof(m.b)) != 0)
        return false;
    out->addr = m;
    out->len = (uint8_t)len;
    return true;
}

/* The digits by hand: every event and every output line formats an
 * address, and snprintf's format parsing cost more than the digits. */
/* An IPv6 address as the C library's inet_ntop writes it (RFC 5952:
 * lower-case hex, the longest run of two or more zero groups, the first
 * of equals, as "::"; ::a.b.c.d and ::ffff:a.b.c.d in dotted quad), at a
 * tenth of its cost: the zones and maps format every IPv6 entry. */
static size_t v6_text(const uint8_t *b, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    unsigned w[8];
    int best = -1, best_len = 0, cur = -1;
    char *d = buf;

    for (int i = 0; i < 8; i++) {
        w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
        if (w[i] == 0) {
            if (cur < 0)
                cur = i;
            if (i - cur + 1 > best_len)
                best = cur, best_len = i - cur + 1;
        } else {
            cur = -1;
        }
    }
    if (best_len < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *d++ = ':';
            continue;
        }
        if (i)
            *d++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            struct ipaddr v4 = { .family = 4 };
            memcpy(v4.b, b + 12, 4);
            return (size_t)(d - buf) + ipaddr_text(&v4, d);
        }
        unsigned v = w[i];
        int n = v >= 0x1000 ? 4 : v >= 0x100 ? 3 : v >= 0x10 ? 2 : 1;
        for (int k = n - 1; k >= 0; k--, v >>= 4)
            d[k] = hex[v & 15];
        d += n;
    }
    if (best >= 0 && best + best_len == 8)
        *d++ = ':';
    *d = 0;
    return (size_t)(d - buf);
}

/* Every octet's text and a dot, 4 bytes each, copied in one store: the
 * outputs write an address 1.6 M times on a night of 200 k listings.
 * Bytes past the dot are filler the next octet overwrites. */
static const char octet_dot[256 * 4 + 1] =
    "0...1...2...3...4...5...6...7...8...9...10..11..12..13..14..15.."
    "16..17..18..19..20..21..22..23..24..25..26..27..28..29..30..31.."
    "32..33..34..35..36..37..38..39..40..41..42..43..44..45..46..47.."
    "48..49..50..51..52..53..54..55..56..57..58..59..60..61..62..63.."
    "64..65..66..67..68..69..70..71..72..73..74..75..76..77..78..79.."
    "80..81..82..83..84..85..86..87..88..89..90..91..92..93..94..95.."
    "96..97..98..99..100.101.102.103.104.105.106.107.108.109.110.111."
    "112.113.114.115.116.117.118.119.120.121.122.123.124.125.126.127."
    "128.129.130.131.132.133.134.135.136.137.138.139.140.141.142.143."
    "144.145.146.147.148.149.150.151.152.153.154.155.156.157.158.159."
    "160.161.162.163.164.165.166.167.168.169.170.171.172.173.174.175."
    "176.177.178.179.180.181.182.183.184.185.186.187.188.189.190.191."
    "192.193.194.195.196.197.198.199.200.201.202.203.204.205.206.207."
    "208.209.210.211.212.213.214.215.216.217.218.219.220.221.222.223."
    "224.225.226.227.228.229.230.231.232.233.234.235.236.237.238.239."
    "240.241.242.243.244.245.246.247.248.249.250.251.252.253.254.255.";

/* Writes 4 bytes at d; returns the end of the octet's text and dot. */
static inline char *octet_text(char *d, unsigned v)
{
    memcpy(d, octet_dot + 4 * v, 4);
    return d + 2 + (v >= 10) + (v >= 100);
}

size_t ipaddr_text(const struct ipaddr *a, char *buf)
{
    char *d = buf;

    if (a->family == 4) {
        /* 16 bytes at most: "255.255.255.255" and the NUL over the last dot. */
        for (int i = 0; i < 4; i++)
            d = octet_text(d, a->b[i]);
        *--d = 0;
        return (size_t)(d - buf);
    }
    if (a->family == 6)
        return v6_text(a->b, buf);
    memcpy(buf, "unknown", 8);
    return 7;
}

char *ipaddr_format(const struct ipaddr *a, char *buf)
{
    ipaddr_text(a, buf);
    return buf;
}

/* Every sort of the outputs compares addresses: two words, not a call
 * of memcmp. An IPv4 address is its first 4 bytes. */
int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    uint64_t x = addr_word(a->b), y = addr_word(b->b);
    if (a->family == 4)
        x >>= 32, y >>= 32;
    else if (x == y)
        x = addr_word(a->b + 8), y = addr_word(b->b + 8);
    return (x > y) - (x < y);
}

int ipprefix_cmp(const struct ipprefix *a, const struct ipprefix *b)
{
    int c = ipaddr_cmp(&a->addr, &b->addr);

    return c ? c : (a->len > b->len) - (a->len < b->len);
}

bool ipprefix_contains(const struct ipprefix *p, const struct ipaddr *a)
{
    if (p->addr.family != a->family)
        return false;
    struct ipaddr m = ipaddr_mask(a, p->len);
    return memcmp(m.b, p->addr.b, 16) == 0;
}

size_t ipprefix_text(const struct ipprefix *p, char *buf)
{
    char *d = buf + ipaddr_text(&p->addr, buf);

    if (p->len != (p->addr.family == 4 ? 32 : 128)) {
        *d++ = '/';
        if (p->len >= 100)
            *d++ = (char)('0' + p->len / 100);
        if (p->len >= 10)
            *d++ = (char)('0' + p->len / 10 % 10);
        *d++ = (char)('0' + p->len % 10);
        *d = 0;
    }
    return (size_t)(d - buf);
}

char *ipprefix_format(const struct ipprefix *p, char *buf)
{
    ipprefix_text(p, buf);
    return buf;
}

bool ipaddr_unmap(struct ipaddr *a)
{
    static const uint8_t zero[10];

    if (a->family != 6 || memcmp(a->b, zero, 10) != 0)
        return false;
    bool mapped = a->b[10] == 0xff && a->b[11] == 0xff;
    /* ::a.b.c.d with a > 0: :: and ::1 (and all of ::/104) are not IPv4. */
    bool compat = a->b[10] == 0 && a->b[11] == 0 && a->b[12] != 0;
    if (!mapped && !compat)
        return false;
    uint32_t v = (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16
        | (uint32_t)a->b[14] << 8 | a->b[15];
    ipaddr_set_v4(a, v);
    return true;
}

/* The ranges, longest match not needed: they do not overlap, and are in
 * address order (ipaddr_scope searches them by halves). */
static const struct {
    uint32_t net;
    uint8_t len;
    uint8_t scope;
} v4_ranges[] = {
    { 0x00000000, 8, IPS_SPECIAL },     /* "this network", 0.0.0.0 */
    { 0x0a000000, 8, IPS_PRIVATE },     /* RFC 1918 */
    { 0x64400000, 10, IPS_PRIVATE },    /* shared address space (CGN) */
    { 0x7f000000, 8, IPS_SPECIAL },     /* loopback */
    { 0xa9fe0000, 16, IPS_SPECIAL },    /* link-local */
    { 0xac100000, 12, IPS_PRIVATE },    /* RFC 1918 */
    { 0xc0000000, 24, IPS_SPECIAL },    /* IETF protocol assignments */
    { 0xc0000200, 24, IPS_DOC },        /* TEST-NET-1 */
    { 0xc0586300, 24, IPS_SPECIAL },    /* 6to4 relay anycast (deprecated) */
    { 0xc0a80000, 16, IPS_PRIVATE },    /* RFC 1918 */
    { 0xc6120000, 15, IPS_SPECIAL },    /* benchmarking */
    { 0xc6336400, 24, IPS_DOC },        /* TEST-NET-2 */
    { 0xcb007100, 24, IPS_DOC },        /* TEST-NET-3 */
    { 0xe0000000, 4, IPS_SPECIAL },     /* multicast */
    { 0xf0000000, 4, IPS_SPECIAL },     /* reserved, and 255.255.255.255 */
};

static const struct {
    uint64_t hi, lo;
    uint8_t len;
    uint8_t scope;
} v6_ranges[] = {
    { 0, 0, 128, IPS_SPECIAL },                         /* :: */
    { 0, 1, 128, IPS_SPECIAL },                         /* ::1 */
    { 0, 0, 96, IPS_SPECIAL },                          /* ::/96 left after ipaddr_unmap */
    { 0, UINT64_C(0xffff00000000), 96, IPS_SPECIAL },   /* ::ffff:0:0/96 if not unmapped */
    { UINT64_C(0x0064ff9b00010000), 0, 48, IPS_PRIVATE },      /* local-use NAT64 */
    { UINT64_C(0x0100000000000000), 0, 64, IPS_SPECIAL },      /* discard-only */
    { UINT64_C(0x2001000200000000), 0, 48, IPS_SPECIAL },      /* benchmarking */
    { UINT64_C(0x2001001000000000), 0, 28, IPS_SPECIAL },      /* ORCHID */
    { UINT64_C(0x2001002000000000), 0, 28, IPS_SPECIAL },      /* ORCHIDv2 */
    { UINT64_C(0x20010db800000000), 0, 32, IPS_DOC },          /* documentation */
    { UINT64_C(0xfc00000000000000), 0, 7, IPS_PRIVATE },       /* unique local */
    { UINT64_C(0xfe80000000000000), 0, 10, IPS_SPECIAL },      /* link-local */
    { UINT64_C(0xfec0000000000000), 0, 10, IPS_SPECIAL },      /* site-local (deprecated) */
    { UINT64_C(0xff00000000000000), 0, 8, IPS_SPECIAL },       /* multicast */
};

enum ipaddr_scope ipaddr_scope(const struct ipaddr *a)
{
    if (a->family == 4) {
        /* The last range starting at or below v is the only one that may
         * hold it: every address decided passes here, most of them in
         * none, which a scan found only after all 15. */
        uint32_t v = ipaddr_v4(a);
        size_t lo = 0, hi = sizeof(v4_ranges) / sizeof(v4_ranges[0]);
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (v4_ranges[mid].net <= v)
                lo = mid;
            else
                hi = mid;
        }
        unsigned len = v4_ranges[lo].len;
        if ((v >> (32 - len)) == (v4_ranges[lo].net >> (32 - len)))
            return (enum ipaddr_scope)v4_ranges[lo].scope;
        return IPS_GLOBAL;
    }
    if (a->family != 6)
        return IPS_SPECIAL;
    uint64_t hi = ipaddr_v6_hi(a), lo = ipaddr_v6_lo(a);
    for (size_t i = 0; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++) {
        unsigned len = v6_ranges[i].len;
        bool hit = len <= 64
            ? (hi >> (64 - len)) == (v6_ranges[i].hi >> (64 - len))
            : hi == v6_ranges[i].hi
              && (len == 128 ? lo == v6_ranges[i].lo
                  : (lo >> (128 - len)) == (v6_ranges[i].lo >> (128 - len)));
        if (hit)
            return (enum ipaddr_scope)v6_ranges[i].scope;
    }
    return IPS_GLOBAL;
}

const char *ipaddr_scope_name(enum ipaddr_scope s)
{
    static const char *const names[] = {
        [IPS_GLOBAL] = "global", [IPS_DOC] = "documentation",
        [IPS_PRIVATE] = "private", [IPS_SPECIAL] = "special",
    };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
