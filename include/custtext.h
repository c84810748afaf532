#ifndef RBLFORGE_CUSTTEXT_H
#define RBLFORGE_CUSTTEXT_H
/*
 * The words of the customer reports: the English one-line description of
 * a signal, with its figures, for the JSON, the HTML page and the letters
 * (analyze/customers.c keeps the numbers and the signal ids only).
 */
#include <stddef.h>
#include <stdint.h>
#include "customers.h"
#include "outbuf.h"

/* Room for a summary; longer ones are cut (a login name is bounded). */
#define CUSTTEXT_SUMMARY_MAX 400

/* The summary of signal s of customer c (r: the report it belongs to)
 * into buf (n bytes, NUL-terminated, cut to fit); returns buf. */
const char *custtext_summary(const struct cust_report *r, const struct customer *c,
                             const struct cust_sig *s, char *buf, size_t n);

/* t in the configured zone (TZ, set by --tz) with its offset:
 * "2026-12-01 09:14:03 +0900"; with_seconds false drops ":SS". */
void custtext_time(struct outbuf *o, int64_t t, int with_seconds);
/* Parts of t in the configured zone, for labels that show the offset
 * elsewhere: "09:00", "12-01 09:00", or the offset alone "+0900". */
enum custtext_part { CT_CLOCK, CT_DAY_CLOCK, CT_OFFSET };
void custtext_local(struct outbuf *o, int64_t t, enum custtext_part part);
/* The period of the report: "2026-11-23 00:00 +0900 - 2026-11-25 00:00 +0900". */
void custtext_period(struct outbuf *o, const struct cust_report *r);
/* An evidence line for a medium: the line as logged (or the rendered
 * fields when it was not kept, marked so), through esc (esc_text with
 * newlines escaped, esc_html, esc_json's body is not suitable: JSON
 * writers call esc_json on custtext_evidence_bytes). */
void custtext_evidence(struct outbuf *o, const struct cust_evidence *e,
                       void (*esc)(struct outbuf *, const char *, size_t));
/* The Postfix settings that throttle customer c (tier throttle): a
 * sender-dependent transport of one process with a delay between
 * deliveries, sized from its usual hourly volume. Plain text lines. */
void custtext_throttle(struct outbuf *o, const struct cust_report *r, const struct customer *c);

#endif
