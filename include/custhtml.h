#ifndef RBLFORGE_CUSTHTML_H
#define RBLFORGE_CUSTHTML_H
/*
 * report.html: one self-contained page for the abuse desk (inline CSS and
 * SVG, no scripts, nothing fetched): the day's listing summary, customers
 * grouped by tier with figures, an hourly chart of messages and bounces,
 * signals and evidence. Every string that came from a log or the customer
 * map goes through esc_html.
 */
#include "custview.h"
#include "outbuf.h"

void custhtml_write(struct outbuf *o, const struct custview *x);

#endif
