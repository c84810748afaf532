/* MIME encoders for the abuse messages; see mime.h. */
#include <string.h>
#include "mime.h"
#include "escape.h"

enum { FOLD_AT = 76, QP_LINE = 76 };

void mime_hdr_begin(struct mime_hdr *h, struct outbuf *o, const char *name)
{
    h->o = o;
    outbuf_puts(o, name);
    outbuf_putc(o, ':');
    h->col = strlen(name) + 1;
}

void mime_hdr_token(struct mime_hdr *h, const char *s, size_t n)
{
    if (h->col + 1 + n > FOLD_AT && h->col > 1) {
        outbuf_puts(h->o, "\r\n");
        h->col = 0;
    }
    outbuf_putc(h->o, ' ');
    for (size_t i = 0; i < n; i++)      /* defence: never a control byte */
        outbuf_putc(h->o, (unsigned char)s[i] > 32 && (unsigned char)s[i] < 127 ? s[i] : '?');
    h->col += 1 + n;
}

void mime_hdr_words(struct mime_hdr *h, const char *s)
{
    while (*s) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (n)
            mime_hdr_token(h, s, n);
        s += n;
    }
}

static bool atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || (c && strchr("!#$%&'*+-/?^_`{|}~.", c));
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_block(char *out, const unsigned char *p, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0)
            | (i + 2 < n ? p[i + 2] : 0);
        out[k++] = b64[v >> 18 & 63];
        out[k++] = b64[v >> 12 & 63];
        out[k++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[k++] = i + 2 < n ? b64[v & 63] : '=';
    }
    return k;
}

/* One encoded-word of at most 45 bytes of valid UTF-8 (60 of base64). */
static void enc_word(struct mime_hdr *h, const unsigned char *p, size_t n)
{
    char w[12 + 60 + 1];
    size_t k = 0;

    memcpy(w, "=?UTF-8?B?", 10);
    k = 10 + b64_block(w + 10, p, n);
    memcpy(w + k, "?=", 2);
    mime_hdr_token(h, w, k + 2);
}

void mime_hdr_text(struct mime_hdr *h, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    bool plain = true;

    for (size_t i = 0; i < n; i++)
        plain = plain && (u[i] == ' ' || atext(u[i]));
    if (plain) {
        for (size_t i = 0; i < n;) {
            while (i < n && s[i] == ' ')
                i++;
            size_t j = i;
            while (j < n && s[j] != ' ')
                j++;
            if (j > i)
                mime_hdr_token(h, s + i, j - i);
            i = j;
        }
        return;
    }
    /* Valid UTF-8 only, in words that end on a character boundary. */
    unsigned char buf[45];
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t c = esc_utf8_len(u + i, n - i);
        const unsigned char *ch = u + i;
        static const unsigned char repl[3] = { 0xef, 0xbf, 0xbd };
        size_t cl = c;
        if (c == 0 || (c == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
            ch = repl, cl = 3;
            c = 1;
        }
        if (k + cl > sizeof(buf)) {
            enc_word(h, buf, k);
            k = 0;
        }
        memcpy(buf + k, ch, cl);
        k += cl;
        i += c;
    }
    if (k)
        enc_word(h, buf, k);
}

void mime_hdr_end(struct mime_hdr *h)
{
    outbuf_puts(h->o, "\r\n");
    h->col = 0;
}

bool mime_is_ascii(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\n' && ((unsigned char)p[i] < 32 || (unsigned char)p[i] > 126))
            return false;
    return true;
}

void mime_qp(struct outbuf *o, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n') {
            outbuf_puts(o, "\r\n");
            col = 0;
            continue;
        }
        bool at_end = i + 1 == n || p[i + 1] == '\n';
        bool lit = c > 32 && c < 127 && c != '=';
        if (c == ' ' && !at_end)
            lit = true;
        if (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 && memcmp(p + i, "From ", 5) == 0)))
            lit = false;
        size_t w = lit ? 1 : 3;
        /* Room for the character and, unless the line ends here, a soft
         * break '=' after it. */
        if (col + w + (at_end ? 0 : 1) > QP_LINE) {
            outbuf_puts(o, "=\r\n");
            col = 0;
            if (c == '.' || (c == 'F' && n - i >= 5 && memcmp(p + i, "From ", 5) == 0))
                lit = false, w = 3;
        }
        if (lit) {
            outbuf_putc(o, (char)c);
        } else {
            outbuf_putc(o, '=');
            outbuf_putc(o, hex[c >> 4]);
            outbuf_putc(o, hex[c & 15]);
        }
        col += w;
    }
}

void mime_base64(struct outbuf *o, const char *p, size_t n, bool text)
{
    unsigned char in[57];
    char out[76];
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (text && p[i] == '\n') {
            in[k++] = '\r';
            if (k == sizeof(in)) {
                outbuf_write(o, out, b64_block(out, in, k));
                outbuf_puts(o, "\r\n");
                k = 0;
            }
        }
        in[k++] = (unsigned char)p[i];
        if (k == sizeof(in)) {
            outbuf_write(o, out, b64_block(out, in, k));
            outbuf_puts(o, "\r\n");
            k = 0;
        }
    }
    if (k) {
        outbuf_write(o, out, b64_block(out, in, k));
        outbuf_puts(o, "\r\n");
    }
}
