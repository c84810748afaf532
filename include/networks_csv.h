#ifndef RBLFORGE_NETWORKS_CSV_H
#define RBLFORGE_NETWORKS_CSV_H
/* networks.csv: every network with at least one listed address. */
#include "outbuf.h"
#include "zonedata.h"

void networks_csv_write(struct outbuf *o, const struct export_ctx *x);

#endif
