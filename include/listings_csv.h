#ifndef RBLFORGE_LISTINGS_CSV_H
#define RBLFORGE_LISTINGS_CSV_H
/* listings.csv: one row per listed entry with its evidence counts, cause,
 * code, rDNS class, ASN and dates. */
#include "outbuf.h"
#include "zonedata.h"

void listings_csv_write(struct outbuf *o, const struct export_ctx *x);

#endif
