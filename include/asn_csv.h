#ifndef RBLFORGE_ASN_CSV_H
#define RBLFORGE_ASN_CSV_H
/* asn.csv: every origin AS seen (empty without an ASN database). */
#include "outbuf.h"
#include "zonedata.h"

void asn_csv_write(struct outbuf *o, const struct export_ctx *x);

#endif
