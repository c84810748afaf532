#ifndef RBLFORGE_ZONEDATA_H
#define RBLFORGE_ZONEDATA_H
/*
 * The day's listings as the published files need them, computed once:
 * per cause, the minimal prefixes covering exactly the listed addresses
 * (never wider); the allowlisted prefixes that sit inside a listed range
 * (rbldnsd '!' exclusions); and for the firewall sets one minimal prefix
 * list per family of everything listed minus everything allowlisted.
 */
#include <stdint.h>
#include "cidr.h"
#include "cidrset.h"
#include "listing.h"

struct zone_entry {
    struct ipprefix pfx;
    uint8_t cause;              /* enum cause: 19 bytes an entry, not 24 */
};

struct zonedata {
    struct zone_entry *e;       /* sorted by family, address, then length */
    size_t n, cap;
    struct cidr_list excl;      /* allowlisted prefixes inside a listed one */
    struct cidr_list fw4, fw6;  /* listed minus allowlisted, minimal */
    size_t dropped;             /* listed prefixes entirely allowlisted */
};

/* Fills z from l; allow may be NULL. Besides z it holds, for a moment,
 * only the entries of the causes other than the one with most listings. */
void zonedata_build(struct zonedata *z, const struct listings *l, struct cidrset *allow);
/* Count of entries of one family. */
size_t zonedata_count(const struct zonedata *z, int family);
void zonedata_free(struct zonedata *z);

#endif
