#ifndef RBLFORGE_RDNS_H
#define RBLFORGE_RDNS_H
/*
 * rDNS classes from the host name Postfix logged for a client; no live
 * DNS. The rules (documented in rblforge(1), RDNS CLASSES) look for the
 * client's own address inside the name (dotted, dashed, reversed,
 * zero-padded, hex or decimal), access-network words (dyn, dsl, cable,
 * pool, ...), "static" words, and mail-server words (mail, mx, smtp, ...)
 * that make a name an MTA's even when it embeds the address. Listing an
 * MTA as dynamic is the expensive mistake, so the rules lean to "named".
 */
#include <stdint.h>
#include "agg.h"
#include "span.h"
#include "ipaddr.h"

enum rdns_class {
    RDNS_NONE = 0,              /* Postfix logged "unknown" (no PTR) */
    RDNS_FCRDNS_FAIL,           /* the PTR name does not resolve back */
    RDNS_DYNAMIC,               /* generic access-network name */
    RDNS_STATIC_GENERIC,        /* generic name that says static */
    RDNS_NAMED,                 /* an ordinary server name */
    RDNS_UNLOGGED,              /* no line carried a host name (postscreen only) */
    RDNS__COUNT
};

/* The class of a host name for address ip (the name alone: never NONE or
 * FCRDNS_FAIL). Reads at most 255 bytes of host. */
enum rdns_class rdns_classify(struct span host, const struct ipaddr *ip);
/* The class of an aggregated address: fcrdns_fail when Postfix logged the
 * name did not resolve back, none when it logged "unknown" and never a
 * name, unlogged when no line said anything about the name, else
 * rdns_classify(). */
enum rdns_class rdns_of(const struct ipaddr *ip, const struct ip_stats *st);
/* "none", "fcrdns_fail", "dynamic", "static-generic", "named", "unlogged". */
const char *rdns_class_name(enum rdns_class c);
/* Class for a name (also "static_generic"), or -1. */
int rdns_class_lookup(const char *name);
/* The naming family of a host name: its registered domain in lower case
 * (two labels, three under a known second-level word with a two-letter
 * TLD: p1-ipngn.tokyo.ocn.ne.jp -> ocn.ne.jp) into out (cap bytes,
 * NUL-terminated). Returns its length, 0 for a bare label, an address
 * literal or a name with bytes outside [a-z0-9.-]. */
size_t rdns_family(struct span host, char *out, size_t cap);

#endif
