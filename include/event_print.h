#ifndef RBLFORGE_EVENT_PRINT_H
#define RBLFORGE_EVENT_PRINT_H
/* `rblforge events` output: JSON Lines or TSV with a header, fields and
 * order as documented in rblforge(1). */
#include "event.h"
#include "outbuf.h"

enum event_format { EVENT_JSONL, EVENT_TSV };

void event_print_header(struct outbuf *o, enum event_format f);
void event_print(struct outbuf *o, enum event_format f, const struct event *ev);

#endif
