#ifndef RBLFORGE_MIME_H
#define RBLFORGE_MIME_H
/*
 * RFC 5322 / MIME pieces for the abuse messages: folded header fields,
 * encoded-words (RFC 2047) for UTF-8 text in headers, quoted-printable
 * and base64 bodies, all with CRLF line ends. Whatever the input bytes,
 * the output is 7-bit, has no bare CR or LF, no line over 78 characters
 * (a header token longer than that stays whole on its own line), and
 * never contains "=_" outside a header: a boundary that starts with
 * "=_" cannot occur in a body these functions encode.
 */
#include <stdbool.h>
#include <stddef.h>
#include "outbuf.h"

/* A header field being written: tokens are separated by one space and
 * folded onto continuation lines before 78 columns. */
struct mime_hdr {
    struct outbuf *o;
    size_t col;
};

void mime_hdr_begin(struct mime_hdr *h, struct outbuf *o, const char *name);
/* One token of printable ASCII (no CR, LF or control byte: the caller's
 * own words and validated values); folded before it if it does not fit. */
void mime_hdr_token(struct mime_hdr *h, const char *s, size_t n);
/* Each space-separated word of s as a token. */
void mime_hdr_words(struct mime_hdr *h, const char *s);
/* Text as a phrase (a display name, a subject): words of atext stay as
 * they are, anything else becomes UTF-8 encoded-words (B encoding, at most
 * 75 characters each, never splitting a character). Invalid UTF-8 and
 * control bytes become U+FFFD. */
void mime_hdr_text(struct mime_hdr *h, const char *s, size_t n);
void mime_hdr_end(struct mime_hdr *h);

/* Whether every byte of p[0..n) is printable ASCII, space or '\n'. */
bool mime_is_ascii(const char *p, size_t n);

/* p[0..n) as quoted-printable: '\n' is a line break (CRLF), everything
 * else but printable ASCII is =XX, so are '=', a space or tab before a
 * line end, a '.' starting a line (a lone "." ends `sendmail -t` input)
 * and the 'F' of a line starting "From ". Soft breaks keep lines at 76. */
void mime_qp(struct outbuf *o, const char *p, size_t n);
/* p[0..n) as base64 in lines of 76, '\n' of the text first made CRLF
 * when text is true (a text/plain body in canonical form). */
void mime_base64(struct outbuf *o, const char *p, size_t n, bool text);

#endif
