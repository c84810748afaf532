#ifndef RBLFORGE_PARSE_QMAIL_SEND_H
#define RBLFORGE_PARSE_QMAIL_SEND_H
/*
 * qmail-send's delivery lines (starting, delivery, status, end msg).
 */
#include <stdbool.h>
#include "event.h"

bool parse_qmail_send(struct span msg, struct event *ev);

#endif
