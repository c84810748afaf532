#ifndef RBLFORGE_ZONEDATA_H
#define RBLFORGE_ZONEDATA_H
/*
 * The day's listings as the published files need them, computed once:
 * per cause, the minimal prefixes covering exactly the listed addresses
 * (never wider); the allowlisted prefixes that sit inside a listed range
 * (rbldnsd '!' exclusions); and for the firewall sets, per family, the
 * minimal prefixes of everything listed for the firewall's causes minus
 * everything allowlisted:
 * counted here, made on demand (zonedata_fw_each), as they are as long as
 * the listing.
 */
#include <stdbool.h>
#include <stdint.h>
#include "abuse.h"
#include "asn.h"
#include "cidr.h"
#include "cidrset.h"
#include "listing.h"
#include "parse.h"

struct zone_entry {
    struct ipprefix pfx;
    uint8_t cause;              /* enum cause: 19 bytes an entry, not 24 */
};

/* ref[i] of a struct zonedata with this bit: own[ref[i] - ZONE_OWN]. */
#define ZONE_OWN UINT32_C(0x80000000)

struct zonedata {
    /* The entries (zonedata_at), sorted by family, address, then length:
     * ref[i] is the index of a listing that is an entry as it is (the
     * usual one: an address) or, with ZONE_OWN, of an entry of own (a
     * range made of several listings, or one whose cause another's won).
     * 4 bytes an entry, not a copy of each. */
    uint32_t *ref;
    size_t n, cap;
    size_t n4;                  /* entries [0, n4) are IPv4, the others IPv6 */
    struct zone_entry *own;
    size_t nown, own_cap;
    const struct listings *l;
    struct cidr_list excl;      /* allowlisted prefixes inside a listed one */
    struct cidr_list allowed;   /* the whole allowlist */
    size_t nfw4, nfw6;          /* prefixes in the firewall sets */
    unsigned fw_causes;         /* bit 1 << cause: the causes the firewall sets take */
    size_t dropped;             /* listed prefixes entirely allowlisted */
};

/* Everything a writer of a published file may need (zone_*.c, fw_*.c,
 * *_csv.c, summary_json.c); locking, the safety valve and atomic publishing
 * are publish.c's business. Only prefixes we format ourselves and
 * validated configuration strings reach zone and firewall files; log-derived
 * text goes only to files with an escaping function of their own (CSV,
 * JSON). The caller fills the first block; publish_run() adds the rest. */
struct export_ctx {
    const struct listings *l;
    const struct policy *p;
    const struct asn_db *asn;           /* NULL: ASN columns stay empty */
    const struct parse_stats *parse;    /* NULL: no line counts */
    unsigned files, damaged;
    uint64_t dropped_lines;             /* lines of damaged members, not evidence */
    bool with_state;                    /* state-file counts are meaningful */
    const struct abuse_contacts *contacts;      /* NULL: no abuse section in summary.json */
    bool abuse_messages;                /* OUT/abuse/ is written: summary.json names the files */
    /* set by publish_run */
    const struct zonedata *z;
    uint32_t serial;                    /* SOA serial of bl.zone */
    int64_t now;
};

/* Entry i (< z->n). */
static inline struct zone_entry zonedata_at(const struct zonedata *z, size_t i)
{
    uint32_t r = z->ref[i];

    if (r & ZONE_OWN)
        return z->own[r - ZONE_OWN];
    struct zone_entry e = { z->l->v[r].pfx, (uint8_t)z->l->v[r].d.cause };
    return e;
}

/* Fills z from l (kept, not copied: l must not change while z is used);
 * allow may be NULL. The firewall sets take the entries
 * of the causes in fw_causes (bit 1 << cause; [firewall] causes). Besides z
 * it holds, for a moment, only the entries of the causes other than the
 * one with most listings. */
void zonedata_build(struct zonedata *z, const struct listings *l, struct cidrset *allow,
                    unsigned fw_causes);
/* Besides the entries, zonedata_build makes the exclusions and counts the
 * firewall sets per family (they are as long as the listing: counted
 * there, made again by each writer that wants them, not kept). */
/* Of two causes (enum cause) listed for one prefix, the one it is
 * published for: spam, auth, dynamic, then net. */
uint8_t zonedata_winner(uint8_t a, uint8_t b);
/* The firewall set of one family to emit, prefix by prefix in address
 * order (nfw4 or nfw6 of them). */
void zonedata_fw_each(const struct zonedata *z, int family, cidr_emit_fn *emit, void *ctx);
/* Count of entries of one family. */
size_t zonedata_count(const struct zonedata *z, int family);
void zonedata_free(struct zonedata *z);

#endif
