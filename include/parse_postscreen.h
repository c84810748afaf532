#ifndef RBLFORGE_PARSE_POSTSCREEN_H
#define RBLFORGE_PARSE_POSTSCREEN_H
/*
 * Postfix's postscreen and dnsblog: the message after the syslog tag.
 */
#include <stdbool.h>
#include "event.h"

/* True when ev became an event. */
bool parse_postscreen(struct span msg, struct event *ev);

#endif
