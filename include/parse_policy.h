#ifndef RBLFORGE_PARSE_POLICY_H
#define RBLFORGE_PARSE_POLICY_H
/*
 * Policy servers beside Postfix (postgrey).
 */
#include <stdbool.h>
#include "event.h"

/* prog is the syslog tag. True when ev became an event. */
bool parse_policy(struct span prog, struct span msg, struct event *ev);

#endif
