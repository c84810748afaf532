#ifndef RBLFORGE_PARSE_MAILBOX_H
#define RBLFORGE_PARSE_MAILBOX_H
/*
 * Mailbox servers beside Postfix: Dovecot and Cyrus login failures as
 * auth_fail events. Each takes the message after the syslog tag; true
 * when ev became an event.
 */
#include <stdbool.h>
#include "event.h"

/* prog: the syslog tag ("dovecot", or a process such as "imap-login").
 * Login failures are auth_fail (reason server_error when our auth process
 * failed); the auth process's per-attempt lines are auth_fail with reason
 * passdb, which is context, not evidence. */
bool parse_mailbox_dovecot(struct span prog, struct span msg, struct event *ev);

/* Cyrus imapd/pop3d "badlogin: host [addr] MECH ...". */
bool parse_mailbox_cyrus(struct span msg, struct event *ev);

#endif
