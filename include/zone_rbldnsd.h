#ifndef RBLFORGE_ZONE_RBLDNSD_H
#define RBLFORGE_ZONE_RBLDNSD_H
/* The rbldnsd data files: ip4set and ip6trie, with TXT templates. */
#include <stddef.h>
#include "outbuf.h"
#include "zonedata.h"

/* bl.rbldnsd: rbldnsd ip4set of the IPv4 entries. */
void zone_rbldnsd_write4(struct outbuf *o, const struct export_ctx *x);
/* bl6.rbldnsd: rbldnsd ip6trie of the IPv6 entries. */
void zone_rbldnsd_write6(struct outbuf *o, const struct export_ctx *x);
/* The TXT template of a cause with every '$' replaced by what; at most
 * 255 bytes (one TXT string). Returns the length. */
size_t zone_rbldnsd_txt(const struct policy *p, enum cause c, const char *what, char *buf);

#endif
