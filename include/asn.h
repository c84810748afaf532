#ifndef RBLFORGE_ASN_H
#define RBLFORGE_ASN_H
/*
 * Origin AS of an address from a MaxMind DB in the GeoLite2-ASN / DB-IP
 * ASN layout (autonomous_system_number, autonomous_system_organization).
 * The only file that includes maxminddb.h. Organisation names are
 * interned once per ASN; lookups are done once per distinct address after
 * the aggregation tables are merged (asn_annotate).
 */
#include <stdbool.h>
#include <stdint.h>
#include "agg.h"
#include "ipaddr.h"

struct asn_db;

/* Opens path; NULL with a warning naming the file when it cannot be
 * opened or is not a MaxMind DB. */
struct asn_db *asn_open(const char *path);
/* The ASN of ip (0 when the database has no entry). */
uint32_t asn_lookup(struct asn_db *db, const struct ipaddr *ip);
/* The ISO country code of ip (a GeoLite2-Country/City database opened
 * with asn_open) into cc; false, cc empty, when the database has none. */
bool asn_country(struct asn_db *db, const struct ipaddr *ip, char cc[3]);
/* The organisation of an ASN met by asn_lookup, or NULL. The string may
 * hold any bytes the database had: escape it on output. */
const char *asn_org(const struct asn_db *db, uint32_t asn);
/* Sets st->asn for every address of a. */
void asn_annotate(struct asn_db *db, struct agg *a);
void asn_close(struct asn_db *db);

#endif
