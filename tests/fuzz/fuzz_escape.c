/* libFuzzer target: the escaping functions, one per output format. Their
 * promises are checked on every output: valid UTF-8, no control byte (but
 * the newlines a format keeps), no invisible character, nothing that ends
 * the format's context (quotes in HTML, a bare quote in JSON or CSV). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "outbuf.h"

static void check(const unsigned char *p, size_t n, const char *forbid, bool nl_ok)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && !(nl_ok && c == '\n')) || c == 0x7f || (c && strchr(forbid, c)))
                abort();
            i++;
            continue;
        }
        size_t k = esc_utf8_len(p + i, n - i);
        if (k == 0)
            abort();            /* invalid UTF-8 got through */
        if ((k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
            || (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80
                && ((p[i + 2] >= 0x8b && p[i + 2] <= 0x8f) || (p[i + 2] >= 0xa8 && p[i + 2] <= 0xae)))
            || (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x81 && p[i + 2] >= 0xa0 && p[i + 2] <= 0xaf)
            || (k == 3 && p[i] == 0xef && p[i + 1] == 0xbb && p[i + 2] == 0xbf))
            abort();            /* an invisible character got through */
        i += k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct outbuf o;
    const char *p = (const char *)data;

    outbuf_init_mem(&o, 64);
    esc_html(&o, p, size);
    check((const unsigned char *)o.buf, o.len, "<>\"'", false);
    o.len = 0;
    esc_text(&o, p, size, 1);
    check((const unsigned char *)o.buf, o.len, "", true);
    o.len = 0;
    esc_tsv(&o, p, size);
    check((const unsigned char *)o.buf, o.len, "", false);
    o.len = 0;
    esc_json(&o, p, size);
    /* Inside the quotes every '"' is escaped: no unescaped one before the end. */
    if (o.len < 2 || o.buf[0] != '"' || o.buf[o.len - 1] != '"')
        abort();
    for (size_t i = 1; i + 1 < o.len; i++)
        if (o.buf[i] == '\\')
            i++;
        else if (o.buf[i] == '"')
            abort();
    check((const unsigned char *)o.buf, o.len, "", false);
    o.len = 0;
    esc_csv(&o, p, size);
    check((const unsigned char *)o.buf, o.len, "", true);
    if (o.len && (o.buf[0] == '=' || o.buf[0] == '+' || o.buf[0] == '-' || o.buf[0] == '@'))
        abort();                /* a formula prefix reached the cell */
    free(o.buf);
    return 0;
}
