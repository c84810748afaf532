/* Output escaping for JSON, CSV and TSV; see escape.h. */
#include <stdbool.h>
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

static void hexbyte(struct outbuf *o, const char *prefix, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";

    outbuf_puts(o, prefix);
    outbuf_putc(o, hex[c >> 4]);
    outbuf_putc(o, hex[c & 15]);
}

/*
 * Walk p, passing safe runs through and calling esc for every byte that is
 * ASCII-special for the format, a control character, DEL or invalid UTF-8.
 */
typedef bool special_fn(unsigned char c);
typedef void escape_fn(struct outbuf *o, unsigned char c, bool invalid);

/* Inlined into each caller so special() and esc() are direct calls the
 * compiler can fold: this runs over every byte `rblforge events` prints. */
static inline __attribute__((always_inline))
void walk(struct outbuf *o, const char *p, size_t n, special_fn *special,
          escape_fn *esc)
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
    outbuf_putc(o, '"');
    walk(o, p, n, json_special, json_esc);
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

    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r'
            || p[i] == ' ' || p[i] == '\'';
    bool formula = n > 0 && (p[0] == '=' || p[0] == '+' || p[0] == '-'
                             || p[0] == '@' || p[0] == '\t' || p[0] == '\r');
    if (quote || formula)
        outbuf_putc(o, '"');
    if (formula)
        outbuf_putc(o, '\'');
    walk(o, p, n, csv_special, csv_esc);
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
    walk(o, p, n, tsv_special, tsv_esc);
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
    walk(o, p, n, html_special, html_esc);
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
    walk(o, p, n, text_special, keep_newlines ? text_esc_nl : text_esc);
}
