#ifndef RBLFORGE_ESCAPE_H
#define RBLFORGE_ESCAPE_H
/*
 * One escaping function per output format. Log bytes are hostile: every
 * string that came from a log goes through one of these on its way out.
 * Bytes that are not valid UTF-8 and control characters are never passed
 * through; they are written as the visible text \xNN. Characters a reader
 * cannot see (bidirectional controls such as U+202E, zero-width and other
 * invisible format characters, C1 controls) are written as the visible
 * text \uXXXX, so a log line cannot reorder or hide what a report shows.
 */
#include <stddef.h>
#include "outbuf.h"

/* A JSON string, quotes included. */
void esc_json(struct outbuf *o, const char *p, size_t n);
/* A CSV cell (RFC 4180 quoting); cells starting with = + - @ (formula
 * prefixes in spreadsheets) get a leading apostrophe. */
void esc_csv(struct outbuf *o, const char *p, size_t n);
/* A TSV cell: tab, newline, backslash written as \t \n \\. */
void esc_tsv(struct outbuf *o, const char *p, size_t n);

/* HTML text or a quoted attribute value: & < > " ' as entities. */
void esc_html(struct outbuf *o, const char *p, size_t n);
/* Plain text (letters): only control characters and invalid UTF-8 are
 * written as \xNN; a newline stays a newline when keep_newlines. */
void esc_text(struct outbuf *o, const char *p, size_t n, int keep_newlines);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
size_t esc_utf8_len(const unsigned char *p, size_t n);

#endif
