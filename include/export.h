#ifndef RBLFORGE_EXPORT_H
#define RBLFORGE_EXPORT_H
/*
 * Writers for the published files. Each writes one format of the day's
 * listings into an outbuf; locking, the safety valve and atomic publishing
 * are publish.c's business. Only prefixes we format ourselves and
 * validated configuration strings reach zone and firewall files;
 * log-derived text goes only to files with an escaping function of their
 * own (CSV, JSON).
 */
#include <stdbool.h>
#include <stdint.h>
#include "asn.h"
#include "listing.h"
#include "outbuf.h"
#include "parse.h"
#include "zonedata.h"

/* Everything a writer may need. The caller fills the first block;
 * publish_run() adds the rest. */
struct export_ctx {
    const struct listings *l;
    const struct policy *p;
    const struct asn_db *asn;           /* NULL: ASN columns stay empty */
    const struct parse_stats *parse;    /* NULL: no line counts */
    unsigned files, damaged;
    bool with_state;                    /* state-file counts are meaningful */
    /* set by publish_run */
    const struct zonedata *z;
    uint32_t serial;                    /* SOA serial of bl.zone */
    int64_t now;
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
/* listings.csv: one row per listed entry with its evidence counts, cause,
 * code, rDNS class, ASN and dates. */
void export_listings_csv(struct outbuf *o, const struct export_ctx *x);
/* networks.csv: every network with at least one listed address. */
void export_networks_csv(struct outbuf *o, const struct export_ctx *x);
/* asn.csv: every origin AS seen (empty without an ASN database). */
void export_asn_csv(struct outbuf *o, const struct export_ctx *x);
/* The analysis keys of summary.json (counts, unparsed lines per program,
 * state effects, allowlist hits, held networks), each written as
 * ",\n  \"key\": value" to extend the object publish.c writes. */
void export_summary_fields(struct outbuf *o, const struct export_ctx *x);

/* The TXT template of a cause with every '$' replaced by what; at most
 * 255 bytes (one TXT string). Returns the length. */
size_t export_txt(const struct policy *p, enum cause c, const char *what, char *buf);

#endif
