#ifndef RBLFORGE_POSTFIX_MAP_H
#define RBLFORGE_POSTFIX_MAP_H
/*
 * Postfix cidr_table(5) maps of the listing, for a Postfix that does not
 * query a DNSBL server. Postfix reads a cidr table top to bottom and the
 * first matching pattern wins, while the zone answers with its most
 * specific entry: the maps list the longest prefixes first, so a listed
 * address inside an escalated network and an allowlisted hole inside a
 * listed range answer as the zone does.
 */
#include "outbuf.h"
#include "zonedata.h"

/* postfix/client_access.cidr, for check_client_access: allowlisted holes
 * DUNNO, spam/auth/net REJECT 5.7.1 and dynamic 450 4.7.1, each with the
 * cause's TXT text. */
void postfix_map_client_write(struct outbuf *o, const struct export_ctx *x);
/* postfix/postscreen_access.cidr, for postscreen_access_list: the whole
 * allowlist permit first, then reject for spam/auth/net; dynamic entries
 * are not rejected by postscreen (client_access temp-fails them). */
void postfix_map_postscreen_write(struct outbuf *o, const struct export_ctx *x);

#endif
