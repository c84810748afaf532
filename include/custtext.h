#ifndef RBLFORGE_CUSTTEXT_H
#define RBLFORGE_CUSTTEXT_H
/*
 * The words of the customer reports: the English one-line description of
 * a signal, with its figures, for the JSON, the HTML page and the letters
 * (analyze/customers.c keeps the numbers and the signal ids only).
 */
#include <stddef.h>
#include "customers.h"

/* Room for a summary; longer ones are cut (a login name is bounded). */
#define CUSTTEXT_SUMMARY_MAX 200

/* The summary of signal s of customer c (r: the report it belongs to)
 * into buf (n bytes, NUL-terminated, cut to fit); returns buf. */
const char *custtext_summary(const struct cust_report *r, const struct customer *c,
                             const struct cust_sig *s, char *buf, size_t n);

#endif
