/* Output escaping for JSON, CSV and TSV; see escape.h. */
#include <stdbool.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "escape.h"

size_t esc_utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
            return 0;           /* overlong, or a UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
            || (p[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

/* The code point of a valid k-byte sequence that a reader would not see:
 * C1 controls, the bidirectional controls (U+061C, U+200E/F, U+202A-E,
 * U+2066-9: "Trojan Source" reordering), zero-width characters (U+200B-D,
 * U+2060-4, U+FEFF), line and paragraph separators (U+2028/9), and the
 * other invisible format characters of U+206A-F. 0 for anything else. */
static unsigned invisible(const unsigned char *p, size_t k)
{
    unsigned cp;

    if (k == 2 && p[0] == 0xc2 && p[1] < 0xa0)
        return 0x80u + (p[1] & 0x1fu);          /* U+0080-U+009F */
    if (k == 2 && p[0] == 0xd8 && p[1] == 0x9c)
        return 0x061c;
    if (k != 3 || (p[0] != 0xe2 && p[0] != 0xef))
        return 0;
    cp = ((unsigned)(p[0] & 0x0f) << 12) | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3fu);
    if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e)
        || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff)
        return cp;
    return 0;
}

static void hexbyte(struct outbuf *o, const char *prefix, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";

    outbuf_puts(o, prefix);
    outbuf_putc(o, hex[c >> 4]);
    outbuf_putc(o, hex[c & 15]);
}

/* The length of p's leading run of printable ASCII (from `first` to
 * '~') other than a, b and c: most fields (host names, organisations) are
 * one such run, copied as they are instead of walked byte by byte. */
static inline bool plain(unsigned char x, unsigned first, char a, char b, char c)
{
    return x - first <= 0x7eu - first && x != (unsigned char)a && x != (unsigned char)b
        && x != (unsigned char)c;
}

#ifdef __SSE2__
/* Bit i set where p[i] is not plain, for i in [0, 16). */
static inline unsigned not_plain16(const char *p, unsigned first, char a, char b, char c)
{
    __m128i x = _mm_loadu_si128((const __m128i *)p);
    /* Below first, or 0x7f and up: unsigned minimum and maximum. */
    __m128i bad = _mm_or_si128(
        _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8((char)(first - 1))), x),
        _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x7f)), x));

    bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8(a)));
    bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8(b)));
    bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8(c)));
    return (unsigned)_mm_movemask_epi8(bad);
}
#endif

/* 16 bytes a step where there are 16 (the last step overlapping the one
 * before), never reading outside p[0, n). */
static inline size_t plain_run(const char *p, size_t n, unsigned first, char a, char b, char c)
{
    size_t i = 0;

#ifdef __SSE2__
    if (n >= 16) {
        for (; i + 16 <= n; i += 16) {
            unsigned m = not_plain16(p + i, first, a, b, c);
            if (m)
                return i + (size_t)__builtin_ctz(m);
        }
        if (i == n)
            return n;
        unsigned m = not_plain16(p + n - 16, first, a, b, c) >> (16 - (n - i));
        return m ? i + (size_t)__builtin_ctz(m) : n;
    }
#endif
    while (i < n && plain((unsigned char)p[i], first, a, b, c))
        i++;
    return i;
}

/*
 * Walk p, passing safe runs through and calling esc for every byte that is
 * ASCII-special for the format, a control character, DEL or invalid UTF-8;
 * an invisible character (invisible()) is written as the visible text
 * \uXXXX, after uprefix (the format's way of writing a backslash).
 */
typedef bool special_fn(unsigned char c);
typedef void escape_fn(struct outbuf *o, unsigned char c, bool invalid);

/* Inlined into each caller so special() and esc() are direct calls the
 * compiler can fold: this runs over every byte `rblforge events` prints. */
static inline __attribute__((always_inline))
void walk(struct outbuf *o, const char *p, size_t n, special_fn *special,
          escape_fn *esc, const char *uprefix)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, run = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        if (c < 0x80) {
            if (c >= 0x20 && c != 0x7f && !special(c)) {
                i++;
                continue;
            }
            outbuf_write(o, s + run, i - run);
            esc(o, c, false);
            run = ++i;
        } else if ((k = esc_utf8_len(s + i, n - i)) != 0) {
            unsigned cp = invisible(s + i, k);
            if (cp) {
                outbuf_write(o, s + run, i - run);
                hexbyte(o, uprefix, (unsigned char)(cp >> 8));
                hexbyte(o, "", (unsigned char)cp);
                run = i + k;
            }
            i += k;
        } else {
            outbuf_write(o, s + run, i - run);
            esc(o, c, true);
            run = ++i;
        }
    }
    outbuf_write(o, s + run, i - run);
}

static bool json_special(unsigned char c) { return c == '"' || c == '\\'; }

static void json_esc(struct outbuf *o, unsigned char c, bool invalid)
{
    if (invalid)
        hexbyte(o, "\\\\x", c);
    else if (c == '"')
        outbuf_puts(o, "\\\"");
    else if (c == '\\')
        outbuf_puts(o, "\\\\");
    else if (c == '\n')
        outbuf_puts(o, "\\n");
    else if (c == '\t')
        outbuf_puts(o, "\\t");
    else if (c == '\r')
        outbuf_puts(o, "\\r");
    else
        hexbyte(o, "\\u00", c);
}

void esc_json(struct outbuf *o, const char *p, size_t n)
{
    size_t k = plain_run(p, n, 0x20, '"', '\\', '"');

    outbuf_putc(o, '"');
    outbuf_write(o, p, k);
    walk(o, p + k, n - k, json_special, json_esc, "\\\\u");
    outbuf_putc(o, '"');
}

static bool csv_special(unsigned char c) { return c == '"'; }

static void csv_esc(struct outbuf *o, unsigned char c, bool invalid)
{
    if (c == '"' && !invalid)
        outbuf_puts(o, "\"\"");
    else
        hexbyte(o, "\\x", c);
}

void esc_csv(struct outbuf *o, const char *p, size_t n)
{
    bool quote = false;
    bool formula = n > 0 && (p[0] == '=' || p[0] == '+' || p[0] == '-'
                             || p[0] == '@' || p[0] == '\t' || p[0] == '\r');

    /* Neither a formula nor quoted (no ',', '"', '\'', space or line end)
     * nor anything to escape: as it is. */
    if (!formula && n > 0
        && plain_run(p, n, 0x21, ',', '"', '\'') == n) {
        outbuf_write(o, p, n);
        return;
    }
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r'
            || p[i] == ' ' || p[i] == '\'';
    if (quote || formula)
        outbuf_putc(o, '"');
    if (formula)
        outbuf_putc(o, '\'');
    walk(o, p, n, csv_special, csv_esc, "\\u");
    if (quote || formula)
        outbuf_putc(o, '"');
}

static bool tsv_special(unsigned char c) { return c == '\\'; }

static void tsv_esc(struct outbuf *o, unsigned char c, bool invalid)
{
    if (invalid)
        hexbyte(o, "\\x", c);
    else if (c == '\\')
        outbuf_puts(o, "\\\\");
    else if (c == '\t')
        outbuf_puts(o, "\\t");
    else if (c == '\n')
        outbuf_puts(o, "\\n");
    else if (c == '\r')
        outbuf_puts(o, "\\r");
    else
        hexbyte(o, "\\x", c);
}

void esc_tsv(struct outbuf *o, const char *p, size_t n)
{
    walk(o, p, n, tsv_special, tsv_esc, "\\u");
}

static bool html_special(unsigned char c)
{
    return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'';
}

static void html_esc(struct outbuf *o, unsigned char c, bool invalid)
{
    if (invalid)
        hexbyte(o, "\\x", c);
    else if (c == '&')
        outbuf_puts(o, "&amp;");
    else if (c == '<')
        outbuf_puts(o, "&lt;");
    else if (c == '>')
        outbuf_puts(o, "&gt;");
    else if (c == '"')
        outbuf_puts(o, "&quot;");
    else if (c == '\'')
        outbuf_puts(o, "&#39;");
    else
        hexbyte(o, "\\x", c);
}

void esc_html(struct outbuf *o, const char *p, size_t n)
{
    walk(o, p, n, html_special, html_esc, "\\u");
}

static bool text_special(unsigned char c)
{
    (void)c;
    return false;
}

static void text_esc(struct outbuf *o, unsigned char c, bool invalid)
{
    hexbyte(o, "\\x", c);
    (void)invalid;
}

static void text_esc_nl(struct outbuf *o, unsigned char c, bool invalid)
{
    if (c == '\n' && !invalid)
        outbuf_putc(o, '\n');
    else
        hexbyte(o, "\\x", c);
}

void esc_text(struct outbuf *o, const char *p, size_t n, int keep_newlines)
{
    walk(o, p, n, text_special, keep_newlines ? text_esc_nl : text_esc, "\\u");
}
