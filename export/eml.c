/* Internet messages for sendmail -t; see eml.h. */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include "eml.h"
#include "escape.h"

enum { LINE_MAX_CHARS = 78, QP_MAX = 76 };

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(struct outbuf *o, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0)
            | (i + 2 < n ? p[i + 2] : 0);
        outbuf_putc(o, b64[v >> 18 & 63]);
        outbuf_putc(o, b64[v >> 12 & 63]);
        outbuf_putc(o, i + 1 < n ? b64[v >> 6 & 63] : '=');
        outbuf_putc(o, i + 2 < n ? b64[v & 63] : '=');
    }
}

void eml_header(struct outbuf *o, const char *name, const char *value)
{
    size_t col = strlen(name) + 2;

    outbuf_puts(o, name);
    outbuf_puts(o, ": ");
    for (const char *p = value; *p;) {
        size_t w = strcspn(p, " ");
        /* Fold before a word that would pass the limit (never before the
         * first: a long word stays on its line, as RFC 5322 allows). */
        if (p != value && col + w > LINE_MAX_CHARS) {
            outbuf_puts(o, "\r\n");
            col = 0;
        }
        if (p != value) {
            outbuf_putc(o, ' ');
            col++;
        }
        for (size_t i = 0; i < w; i++) {
            unsigned char c = (unsigned char)p[i];
            outbuf_putc(o, c > ' ' && c < 127 ? (char)c : '?');
        }
        col += w;
        p += w;
        while (*p == ' ')
            p++;
    }
    outbuf_puts(o, "\r\n");
}

/* The text cleaned for a header: control bytes to spaces, invalid UTF-8
 * to '?'; into buf (n + 1 bytes). Returns true if it is all ASCII. */
static bool clean_text(const char *p, size_t n, char *buf)
{
    bool ascii = true;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        size_t k = c < 0x80 ? 1 : esc_utf8_len((const unsigned char *)p + i, n - i);
        if (k == 0) {
            buf[i++] = '?';
            continue;
        }
        if (k == 1) {
            buf[i++] = c < ' ' || c == 127 ? ' ' : (char)c;
            continue;
        }
        ascii = false;
        memcpy(buf + i, p + i, k);
        i += k;
    }
    buf[n] = 0;
    return ascii;
}

void eml_header_text(struct outbuf *o, const char *name, const char *p, size_t n)
{
    char buf[1024];

    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    bool ascii = clean_text(p, n, buf);
    if (ascii && strstr(buf, "=?") == NULL) {
        eml_header(o, name, buf);
        return;
    }
    /* Encoded-words cut between characters (RFC 2047 section 5), short
     * enough for the first line after "Name: " (and at most 45 bytes, 72
     * characters with the delimiters, within the 75 of a word). */
    size_t room = strlen(name) + 2 + 12 < LINE_MAX_CHARS - 8
        ? (LINE_MAX_CHARS - strlen(name) - 2 - 12) / 4 * 3 : 6;
    if (room > 45)
        room = 45;
    outbuf_puts(o, name);
    outbuf_putc(o, ':');
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n) {
            unsigned char c = (unsigned char)buf[end];
            size_t k = c < 0x80 ? 1 : esc_utf8_len((const unsigned char *)buf + end, n - end);
            if (k == 0)
                k = 1;
            if (end + k - i > room && end > i)
                break;
            end += k;
        }
        outbuf_puts(o, i ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
        base64(o, (const unsigned char *)buf + i, end - i);
        outbuf_puts(o, "?=");
        i = end;
    }
    outbuf_puts(o, "\r\n");
}

void eml_date(struct outbuf *o, int64_t t)
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                        "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t tt = (time_t)t;
    struct tm tm;

    if (localtime_r(&tt, &tm) == NULL)
        gmtime_r(&tt, &tm);
    long off = tm.tm_gmtoff / 60, a = off < 0 ? -off : off;
    outbuf_printf(o, "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld\r\n",
                  days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', a / 60, a % 60);
}

/* One line of a quoted-printable body (without its '\n'). */
static void qp_line(struct outbuf *o, const unsigned char *p, size_t n)
{
    size_t col = 0;
    char tok[4];

    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && i + 1 < n);
        /* "." alone ends sendmail's input; "From " is mangled in mboxes. */
        if (i == 0 && (c == '.' || (c == 'F' && n >= 5 && memcmp(p, "From ", 5) == 0)))
            lit = false;
        size_t k = lit ? 1 : 3;
        if (lit)
            tok[0] = (char)c;
        else
            tok[0] = '=', tok[1] = "0123456789ABCDEF"[c >> 4], tok[2] = "0123456789ABCDEF"[c & 15];
        if (col + k > QP_MAX - 1 && !(i + 1 == n && col + k <= QP_MAX)) {
            outbuf_puts(o, "=\r\n");
            col = 0;
        }
        outbuf_write(o, tok, k);
        col += k;
    }
    outbuf_puts(o, "\r\n");
}

void eml_body(struct outbuf *o, const char *lang, const char *p, size_t n)
{
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = (unsigned char)p[i] < 0x80;
    eml_header(o, "MIME-Version", "1.0");
    eml_header(o, "Content-Type", "text/plain; charset=UTF-8");
    if (lang)
        eml_header(o, "Content-Language", lang);
    eml_header(o, "Content-Transfer-Encoding", ascii ? "quoted-printable" : "base64");
    outbuf_puts(o, "\r\n");
    if (ascii) {
        for (size_t i = 0; i < n;) {
            const char *nl = memchr(p + i, '\n', n - i);
            size_t k = nl ? (size_t)(nl - (p + i)) : n - i;
            qp_line(o, (const unsigned char *)p + i, k);
            i += k + (nl != NULL);
        }
        return;
    }
    /* base64 of the text with CRLF line ends, 76 characters a line. */
    unsigned char grp[57];
    size_t g = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            grp[g++] = '\r';
            if (g == sizeof(grp)) {
                base64(o, grp, g), outbuf_puts(o, "\r\n"), g = 0;
            }
        }
        grp[g++] = (unsigned char)p[i];
        if (g == sizeof(grp)) {
            base64(o, grp, g), outbuf_puts(o, "\r\n"), g = 0;
        }
    }
    if (g) {
        base64(o, grp, g);
        outbuf_puts(o, "\r\n");
    }
}
