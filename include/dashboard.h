#ifndef RBLFORGE_DASHBOARD_H
#define RBLFORGE_DASHBOARD_H
/*
 * The DNSBL side of report.html, the operator's dashboard: headline
 * figures, listings by cause and by hour of their last evidence (inline
 * SVG charts with axes and units), the top addresses, networks and ASNs
 * with their reasons, what changed since the last publication, the
 * networks held back and the allowlist hits. Self-contained HTML (no
 * scripts, nothing fetched); every log-derived string through esc_html.
 * custhtml.c writes the page around it and the customers' section.
 */
#include <stdint.h>
#include "custview.h"
#include "outbuf.h"

/* The style rules the dashboard's markup needs (for the page's <style>). */
extern const char dashboard_css[];
/* The headline figures: a row of cards. */
void dashboard_headline(struct outbuf *o, const struct custview_listing *l);
/* Every section after the headline. */
void dashboard_write(struct outbuf *o, const struct custview_listing *l);

#endif
