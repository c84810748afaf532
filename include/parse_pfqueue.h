#ifndef RBLFORGE_PARSE_PFQUEUE_H
#define RBLFORGE_PARSE_PFQUEUE_H
/*
 * "QUEUEID: ..." messages of any Postfix daemon (cleanup, qmgr, delivery
 * agents, bounce, pickup, postsuper) and the smtp client's own lines.
 */
#include <stdbool.h>
#include "event.h"

/* True when ev became an event. */
bool parse_pfqueue(struct span service, struct span msg, struct event *ev);
/* The same for a msg whose queue id prefix of q bytes scan_queue_prefix
 * has read into ev->qid. Always true. */
bool parse_pfqueue_rest(struct span msg, size_t q, struct event *ev);
/* The smtp/lmtp client's lines about a remote server ("host X[a] said:
 * ...", "connect to X[a]:25: ...", "warning: bad size limit ... in EHLO
 * reply from X[a]", ...): EV_REMOTE with relay = X[a]. */
bool parse_pfqueue_remote(struct span msg, struct event *ev);
/* For parser.client_only: a queue line that cannot name the client (a
 * delivery, qmgr's sender line, cleanup's message-id, "removed") becomes
 * a bare EV_NOTE with its queue id; false for any other message. */
bool parse_pfqueue_no_client(struct span msg, struct event *ev);

#endif
