#ifndef RBLFORGE_PARSE_POSTFIX_H
#define RBLFORGE_PARSE_POSTFIX_H
/*
 * Postfix's smtpd (and the services that share its wording): the message
 * after "postfix[/service]/smtpd[pid]: ". Dispatches postscreen/dnsblog to
 * parse_postscreen.c and queue lines of the other daemons to parse_pfqueue.c.
 */
#include <stdbool.h>
#include "event.h"

/* service is the last component of the syslog tag ("smtpd" of
 * "postfix/submission/smtpd"). True when ev became an event; on false ev
 * may hold partial fields (the caller discards it). */
bool parse_postfix(struct span service, struct span msg, struct event *ev);
/* The daemons parse_postfix tells apart by name (PFD_QUEUE: all whose
 * queue lines, "QID: ...", go straight to parse_pfqueue): the dispatcher
 * keeps a tag's answer (parse.c's memo) and passes it to parse_postfix_as. */
enum pf_daemon { PFD_QUEUE, PFD_SMTPD, PFD_POSTSCREEN };
static inline enum pf_daemon parse_postfix_daemon(struct span service)
{
    if (span_eq_lit(service, "smtpd"))
        return PFD_SMTPD;
    if (span_eq_lit(service, "postscreen") || span_eq_lit(service, "dnsblog"))
        return PFD_POSTSCREEN;
    return PFD_QUEUE;
}
/* parse_postfix with d = parse_postfix_daemon(service). */
bool parse_postfix_as(enum pf_daemon d, struct span service, struct span msg, struct event *ev);

#endif
