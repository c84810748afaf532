#ifndef RBLFORGE_EML_H
#define RBLFORGE_EML_H
/*
 * Internet messages (RFC 5322 with MIME) as sendmail -t reads them: CRLF
 * line ends, header lines folded to at most 78 characters, non-ASCII
 * header text as UTF-8 encoded-words (RFC 2047), a UTF-8 text body in
 * quoted-printable (ASCII text) or base64.
 *
 * Nothing a caller passes can add a header line or end the header block:
 * control bytes in header values are replaced (structured values) or
 * turned into spaces before encoding (text), and body lines that sendmail
 * or mbox readers treat specially ("." alone, "From ") are encoded.
 */
#include <stddef.h>
#include <stdint.h>
#include "outbuf.h"

/* "Name: value" for a structured value (addresses, ids, dates): bytes
 * outside printable ASCII become '?'; folded at spaces. */
void eml_header(struct outbuf *o, const char *name, const char *value);
/* "Name: text" for unstructured text of n bytes (UTF-8; invalid bytes
 * become '?', control bytes spaces): as it is when it is printable ASCII
 * and looks like no encoded-word, else encoded-words of whole characters,
 * one per folded line. */
void eml_header_text(struct outbuf *o, const char *name, const char *p, size_t n);
/* "Date: " t in the configured zone (TZ), "Tue, 01 Dec 2026 09:14:03 +0900". */
void eml_date(struct outbuf *o, int64_t t);
/* The MIME headers of a UTF-8 text/plain body, the blank line and the
 * body (p, n bytes, '\n' line ends) encoded: quoted-printable when every
 * byte is ASCII, base64 otherwise. lang ("ja") goes into
 * Content-Language when not NULL. */
void eml_body(struct outbuf *o, const char *lang, const char *p, size_t n);

#endif
