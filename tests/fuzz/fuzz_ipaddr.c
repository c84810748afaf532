/*
 * libFuzzer: ipaddr_parse() and ipprefix_parse() against glibc. The input
 * is the text, in a buffer of exactly its size (the IPv4 scan loads 8
 * bytes at a time: ASan sees a read past the span). Aborts if
 * ipaddr_parse disagrees with inet_pton (AF_INET for the whole text,
 * AF_INET6 after an optional "IPv6:"), or if an address does not read
 * back the same from its own text.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ipaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct span s = span_make((const char *)data, size);
    struct ipaddr a, back;
    struct ipprefix pfx;
    unsigned char want[16] = { 0 };
    char text[IPPREFIX_STRLEN];
    bool ok = ipaddr_parse(s, &a);

    (void)ipprefix_parse(s, &pfx, size % 2);
    if (size < 64 && memchr(data, 0, size) == NULL) {
        char c[64];
        int ref;
        memcpy(c, data, size);
        c[size] = 0;
        if ((ref = inet_pton(AF_INET, c, want)) != 1) {
            const char *v6 = c;
            if (strncmp(v6, "IPv6:", 5) == 0 || strncmp(v6, "ipv6:", 5) == 0)
                v6 += 5;
            ref = inet_pton(AF_INET6, v6, want) == 1 ? 6 : 0;
        } else {
            ref = 4;
        }
        if ((ok ? a.family : 0) != ref)
            abort();
        if (ok && memcmp(a.b, want, ref == 4 ? 4 : 16) != 0)
            abort();
    } else if (ok) {
        abort();                /* no address is that long, or holds a NUL */
    }
    if (ok) {
        size_t n = ipaddr_text(&a, text);
        if (!ipaddr_parse(span_make(text, n), &back) || ipaddr_cmp(&a, &back) != 0)
            abort();
    }
    return 0;
}
