#ifndef RBLFORGE_PARSE_REJECT_H
#define RBLFORGE_PARSE_REJECT_H
/*
 * Reject lines and reject texts, shared by smtpd, postscreen and the
 * queue daemons' parsers.
 */
#include <stdbool.h>
#include "event.h"

/* "STAGE from host[addr][:port]: REPLY[; from=<> to=<> proto= helo=<>]"
 * after "reject: " (smtpd, postscreen); fills stage, client, code, dsn,
 * envelope, text and reason (with ev->client_only not code, dsn and the
 * envelope). False if the client part is malformed, and then ev is left
 * as it was. */
bool parse_reject_line(struct span s, struct event *ev);
/* Split "REPLY; from=<a> to=<b> proto=P helo=<h>" (also postscreen's
 * comma form): fills from/to/helo (unless ev->client_only), returns the
 * reply part. */
struct span parse_reject_envelope(struct span s, struct event *ev);
/* The reason class of a reject reply; *dnsbl gets the list name for R_DNSBL. */
enum ev_reason parse_reject_reason(struct span text, struct span *dnsbl);

#endif
