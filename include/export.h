#ifndef RBLFORGE_EXPORT_H
#define RBLFORGE_EXPORT_H
/*
 * Writers for the published files. Each writes one format of the day's
 * listings into an outbuf; atomic publishing is publish.c's business.
 * Only prefixes we format ourselves and validated configuration strings
 * reach zone and firewall files; log-derived text goes only to files with
 * an escaping function of their own (CSV, JSON).
 */
#include <stdint.h>
#include "listing.h"
#include "outbuf.h"
#include "zonedata.h"

struct export_ctx {
    const struct listings *l;
    const struct policy *p;
    const struct zonedata *z;
    uint32_t serial;            /* SOA serial of bl.zone */
};

/* bl.rbldnsd: rbldnsd ip4set of the IPv4 entries. */
void export_rbldnsd(struct outbuf *o, const struct export_ctx *x);
/* bl6.rbldnsd: rbldnsd ip6trie of the IPv6 entries. */
void export_rbldnsd6(struct outbuf *o, const struct export_ctx *x);
/* bl.zone: a BIND master file (RFC 5782 names, wildcards for networks). */
void export_bind(struct outbuf *o, const struct export_ctx *x);
/* fw.nft: nftables interval sets replaced in one transaction. */
void export_nft(struct outbuf *o, const struct export_ctx *x);
/* fw.ipset: `ipset restore` input, filled aside and swapped in. */
void export_ipset(struct outbuf *o, const struct export_ctx *x);
/* listings.csv: one row per listed entry with its evidence counts. */
void export_listings_csv(struct outbuf *o, const struct export_ctx *x);

/* The TXT template of a cause with every '$' replaced by what; at most
 * 255 bytes (one TXT string). Returns the length. */
size_t export_txt(const struct policy *p, enum cause c, const char *what, char *buf);

#endif
