#ifndef RBLFORGE_PARSE_POLICY_H
#define RBLFORGE_PARSE_POLICY_H
/*
 * Policy servers beside Postfix: postgrey, the SPF policy daemons
 * (policyd-spf, postfix-policyd-spf-perl) and postfwd. Each takes the
 * message after the syslog tag; true when ev became an event.
 */
#include <stdbool.h>
#include "event.h"

/* postgrey: "[QUEUEID: ]action=...", "whitelisted: ...", "delayed N seconds: ...". */
bool parse_policy_postgrey(struct span msg, struct event *ev);

/* SPF results (EV_SPF, status = the result in lower case) and the
 * daemon's refusals (EV_SPF with reason policy and the reply code). */
bool parse_policy_spf(struct span msg, struct event *ev);

/* postfwd "[RULES] rule=..., client=host[addr], ..., action=A": a reject
 * (REJECT, DEFER, 4xx/5xx) or a policy event. */
bool parse_policy_postfwd(struct span msg, struct event *ev);

#endif
