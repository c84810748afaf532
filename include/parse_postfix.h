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
/* Does parse_postfix hand this daemon's queue lines ("QID: ...") straight
 * to parse_pfqueue (true for all but smtpd, postscreen and dnsblog)?
 * Inline: the dispatcher asks for every line. */
static inline bool parse_postfix_queue_daemon(struct span service)
{
    return !span_eq_lit(service, "smtpd") && !span_eq_lit(service, "postscreen")
        && !span_eq_lit(service, "dnsblog");
}

#endif
