#ifndef RBLFORGE_ZONE_BIND_H
#define RBLFORGE_ZONE_BIND_H
/* bl.zone: a BIND master file (RFC 5782 names, wildcards for networks). */
#include "outbuf.h"
#include "zonedata.h"

void zone_bind_write(struct outbuf *o, const struct export_ctx *x);

#endif
