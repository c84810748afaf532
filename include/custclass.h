#ifndef RBLFORGE_CUSTCLASS_H
#define RBLFORGE_CUSTCLASS_H
/*
 * What a remote server's refusal says, from its reply text and DSN:
 * spam, blocklist, reputation (together: spam-like), unknown recipient,
 * rate limit. Case-insensitive keywords; a reply may have several.
 */
#include <stdbool.h>

enum {
    RC_SPAM = 1, RC_BLOCKLIST = 2, RC_REPUTATION = 4, RC_UNKNOWN_RECIPIENT = 8,
    RC_RATE_LIMIT = 16,
};
#define RC_SPAMLIKE (RC_SPAM | RC_BLOCKLIST | RC_REPUTATION)

/* Classes of a remote reply text (text and dsn may be NULL). */
unsigned custclass_reply(const char *text, const char *dsn);
/* The main class as a word: "blocklist,spam", "reputation", "spam",
 * "unknown_recipient", "rate_limit" or "other". */
const char *custclass_names(unsigned c);

#endif
