#ifndef RBLFORGE_CIDRSET_H
#define RBLFORGE_CIDRSET_H
/*
 * A set of IPv4/IPv6 prefixes (allowlists, denylists): loaded from a file
 * of addresses and CIDRs, one per line, '#' comments. Lookup is a binary
 * search per distinct prefix length.
 */
#include <stdbool.h>
#include <stddef.h>
#include "ipaddr.h"

struct cidrset;

struct cidrset *cidrset_new(void);
/* Adds the entries of path. On a bad line writes "path:line: ..." and
 * returns false (the set keeps the lines before it). A set loaded is
 * ready for lookups from several threads; after cidrset_add, the first
 * lookup sorts it (one thread only). */
bool cidrset_load(struct cidrset *cs, const char *path);
void cidrset_add(struct cidrset *cs, const struct ipprefix *p);
/* A new set from path into *out; a NULL or empty path gives *out = NULL
 * and true (no list). false (with the warning of cidrset_load, *out NULL)
 * on a bad file. */
bool cidrset_open(const char *path, struct cidrset **out);
/* The most specific prefix containing a, or NULL. */
const struct ipprefix *cidrset_match(struct cidrset *cs, const struct ipaddr *a);
/* The widest prefix of the set that contains all of p, or NULL. */
const struct ipprefix *cidrset_covering(struct cidrset *cs, const struct ipprefix *p);
/* True when any prefix of the set lies inside (or equals) p. */
bool cidrset_overlaps(struct cidrset *cs, const struct ipprefix *p);
size_t cidrset_count(const struct cidrset *cs);
const struct ipprefix *cidrset_get(struct cidrset *cs, size_t i);
void cidrset_free(struct cidrset *cs);

#endif
