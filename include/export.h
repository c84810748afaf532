#ifndef RBLFORGE_EXPORT_H
#define RBLFORGE_EXPORT_H
/*
 * Writers for the published files. Each writes one format of the day's
 * listings into an outbuf; atomic publishing is the caller's business.
 * Only addresses we format ourselves and validated configuration strings
 * reach zone and firewall files; log-derived text goes only to files with
 * an escaping function of their own (CSV, JSON).
 */
#include <stdbool.h>
#include "asn.h"
#include "listing.h"
#include "outbuf.h"
#include "parse.h"

/* Everything a writer may need: the listings and policy, and for the
 * reports (summary.json, networks.csv, asn.csv) what else the run knows. */
struct export_ctx {
    const struct listings *l;
    const struct policy *p;
    const struct asn_db *asn;           /* NULL: ASN columns stay empty */
    const struct parse_stats *parse;    /* NULL: no line counts */
    unsigned files, damaged;
    bool with_state;                    /* added/removed are meaningful */
};

/* bl.rbldnsd: an rbldnsd ip4set dataset of the IPv4 listings. */
void export_rbldnsd(struct outbuf *o, const struct listings *l, const struct policy *p);
/* fw.nft: nftables sets of the listed addresses, replaced in one transaction. */
void export_nft(struct outbuf *o, const struct listings *l, const struct policy *p);
/* listings.csv: one row per listed entry with its evidence counts, cause,
 * code, rDNS class, ASN and dates. */
void export_listings_csv(struct outbuf *o, const struct export_ctx *x);
/* networks.csv: every network with at least one listed address. */
void export_networks_csv(struct outbuf *o, const struct export_ctx *x);
/* asn.csv: every origin AS seen (empty without an ASN database). */
void export_asn_csv(struct outbuf *o, const struct export_ctx *x);
/* summary.json: counts, listed by cause, state effects, allowlist hits,
 * networks held, unparsed lines per program. */
void export_summary_json(struct outbuf *o, const struct export_ctx *x);
/* Its keys after addresses_seen, listed, listed_by_cause and
 * allowlisted_not_listed, each written as ",\n  \"key\": value": for a
 * summary writer that owns the object. */
void export_summary_fields(struct outbuf *o, const struct export_ctx *x);

#endif
