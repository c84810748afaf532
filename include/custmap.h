#ifndef RBLFORGE_CUSTMAP_H
#define RBLFORGE_CUSTMAP_H
/*
 * The customer map: which traffic belongs to which customer. A TSV file
 * of "customer<TAB>kind<TAB>value[<TAB>contact]" rows, kind one of ip,
 * cidr, sasl, sender_domain, uid; '#' starts a comment line. The optional
 * contact is the customer's address for letters (To: of the .eml): a
 * plain addr-spec (dot-atom local part, LDH domain of two or more labels,
 * at most CUSTMAP_ADDR_MAX bytes), one per customer. A message belongs to the
 * first match in the order sasl, uid, ip/cidr (most specific prefix),
 * sender_domain; SASL names and domains compare case-insensitively.
 *
 * Customer names become file names (OUT/customers/<name>.json): names
 * with '/', "..", a leading '.', control bytes, invalid UTF-8, more than
 * CUSTMAP_NAME_MAX bytes, or the reserved "(unmapped)" are rejected.
 */
#include <stdbool.h>
#include <stddef.h>
#include "ipaddr.h"

#define CUSTMAP_NAME_MAX 100
#define CUSTMAP_UNMAPPED "(unmapped)"
#define CUSTMAP_ADDR_MAX 254

struct custmap;

struct custmap *custmap_new(void);
/* Adds the rows of path. On a bad row warns "path:line: ..." and returns
 * false. */
bool custmap_load(struct custmap *cm, const char *path);
/* Adds one row; false with a message in err (errlen bytes) if invalid. */
bool custmap_add(struct custmap *cm, const char *customer, const char *kind,
                 const char *value, char *err, size_t errlen);
/* Adds one row with a contact address (NULL: none); false with a message
 * in err if invalid or if the customer already has another contact. */
bool custmap_add_row(struct custmap *cm, const char *customer, const char *kind,
                     const char *value, const char *contact, char *err, size_t errlen);
/* True if a is a plain addr-spec as above: nothing a mail header could be
 * broken or extended with. */
bool custmap_addr_ok(const char *a);
/* True if name may be a customer name (see above). */
bool custmap_name_ok(const char *name, size_t n);
/* Number of customers; names in order of first appearance in the map. */
size_t custmap_customers(const struct custmap *cm);
const char *custmap_name(const struct custmap *cm, size_t i);
/* The contact address of customer i, or NULL. */
const char *custmap_contact(const struct custmap *cm, size_t i);
/* The customer index of a message, or -1: sasl user, uid, client address
 * and envelope sender may each be NULL / family 0. */
long custmap_find(struct custmap *cm, const char *sasl, const char *uid,
                  const struct ipaddr *ip, const char *sender);
void custmap_free(struct custmap *cm);

#endif
