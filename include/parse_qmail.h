#ifndef RBLFORGE_PARSE_QMAIL_H
#define RBLFORGE_PARSE_QMAIL_H
/*
 * qmail's smtpd side and its neighbours (tcpserver, rblsmtpd, vchkpw,
 * spamcontrol/chkuser patches); qmail-send lines go to parse_qmail_send.c.
 */
#include <stdbool.h>
#include "event.h"

/* prog is the syslog tag, or absent (p == NULL) for multilog lines. */
bool parse_qmail(struct span prog, struct span msg, struct event *ev);

#endif
