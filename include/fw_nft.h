#ifndef RBLFORGE_FW_NFT_H
#define RBLFORGE_FW_NFT_H
/* fw.nft: nftables interval sets replaced in one transaction. */
#include "outbuf.h"
#include "zonedata.h"

void fw_nft_write(struct outbuf *o, const struct export_ctx *x);

#endif
