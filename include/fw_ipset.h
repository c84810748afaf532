#ifndef RBLFORGE_FW_IPSET_H
#define RBLFORGE_FW_IPSET_H
/* fw.ipset: `ipset restore` input, filled aside and swapped in. */
#include "outbuf.h"
#include "zonedata.h"

void fw_ipset_write(struct outbuf *o, const struct export_ctx *x);

#endif
