#ifndef RBLFORGE_IPADDR_H
#define RBLFORGE_IPADDR_H
/*
 * IPv4 and IPv6 addresses as fixed-size values. Parsing is strict: no
 * leading zeros tricks, no octet over 255, no trailing junk.
 */
#include <stdint.h>
#include <stdbool.h>
#include "span.h"

#define IPADDR_STRLEN 46        /* INET6_ADDRSTRLEN */

struct ipaddr {
    uint8_t family;             /* 4 or 6; 0 = none */
    uint8_t b[16];              /* network order; IPv4 uses b[0..3] */
};

struct ipprefix {
    struct ipaddr addr;         /* host bits are zero */
    uint8_t len;                /* prefix length in bits */
};

/* Parse a whole span as an address. IPv6 may carry an "IPv6:" prefix
 * (Postfix writes it in some HELO/literal forms). */
bool ipaddr_parse(struct span s, struct ipaddr *out);
bool ipaddr_parse_v4(struct span s, uint32_t *out);
/* "addr" or "addr/len"; rejects host bits set unless mask_host is true. */
bool ipprefix_parse(struct span s, struct ipprefix *out, bool mask_host);

static inline uint32_t ipaddr_v4(const struct ipaddr *a)
{
    return (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16
        | (uint32_t)a->b[2] << 8 | a->b[3];
}
void ipaddr_set_v4(struct ipaddr *a, uint32_t v);
/* High and low 64 bits of an IPv6 address, as integers. */
uint64_t ipaddr_v6_hi(const struct ipaddr *a);
uint64_t ipaddr_v6_lo(const struct ipaddr *a);
void ipaddr_set_v6(struct ipaddr *a, uint64_t hi, uint64_t lo);

/* Writes the canonical text form into buf (IPADDR_STRLEN bytes), returns buf. */
char *ipaddr_format(const struct ipaddr *a, char *buf);
/* The same, returning the length of the text. */
size_t ipaddr_text(const struct ipaddr *a, char *buf);
/* "addr" for a host prefix, "addr/len" otherwise; buf of IPPREFIX_STRLEN. */
#define IPPREFIX_STRLEN (IPADDR_STRLEN + 4)
char *ipprefix_format(const struct ipprefix *p, char *buf);
/* The same, returning the length of the text. */
size_t ipprefix_text(const struct ipprefix *p, char *buf);
/* Total order: IPv4 before IPv6, then numerically. */
int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b);
/* Prefix order: by address (as ipaddr_cmp), then the shorter prefix (the
 * network) before the longer ones it holds. */
int ipprefix_cmp(const struct ipprefix *a, const struct ipprefix *b);
bool ipprefix_contains(const struct ipprefix *p, const struct ipaddr *a);
/* a with all but the first len bits cleared. */
struct ipaddr ipaddr_mask(const struct ipaddr *a, unsigned len);

/* An IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d, a > 0)
 * IPv6 address becomes the IPv4 address it carries, so one client has
 * one key; true if a changed. :: and ::1 stay IPv6. */
bool ipaddr_unmap(struct ipaddr *a);

/* What kind of address a mail client could come from (RFC 6890 and the
 * ranges it lists). */
enum ipaddr_scope {
    IPS_GLOBAL = 0,
    IPS_DOC,                    /* documentation: 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
    IPS_PRIVATE,                /* RFC 1918, 100.64/10 (shared), fc00::/7 (ULA) */
    IPS_SPECIAL,                /* loopback, unspecified, multicast, broadcast, link-local, reserved */
};
enum ipaddr_scope ipaddr_scope(const struct ipaddr *a);
const char *ipaddr_scope_name(enum ipaddr_scope s);

#endif
