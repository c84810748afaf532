/* Classes of remote replies; see custclass.h. */
#include <string.h>
#include <stddef.h>
#include "custclass.h"

static bool has(const char *text, const char *word)
{
    return strcasestr(text, word) != NULL;
}

unsigned custclass_reply(const char *text, const char *dsn)
{
    static const char *const blocklist[] = {
        "blocklist", "blacklist", "block list", "black list", "blocked using",
        "dnsbl", "rbl", "spamhaus", "spamcop", "barracuda", "listed at", "listed on",
        "listed in", "listed by", "on our block",
    };
    static const char *const spam[] = {
        "spam", "junk", "unsolicited", "bulk mail", "phish", "malware", "virus",
    };
    static const char *const reputation[] = {
        "reputation", "sender score", "senderscore", "poor sender", "low sender",
    };
    static const char *const unknown[] = {
        "does not exist", "user unknown", "unknown user", "no such user",
        "mailbox unavailable", "recipient address rejected", "invalid recipient",
        "no mailbox", "address rejected", "unrouteable",
    };
    static const char *const rate[] = {
        "too many", "rate limit", "ratelimit", "try again later", "throttl", "exceeded",
    };
    unsigned c = 0;

    if (text == NULL)
        text = "";
#define ANY(list, bit) \
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) \
        if (has(text, list[i])) { c |= bit; break; }
    ANY(blocklist, RC_BLOCKLIST);
    ANY(spam, RC_SPAM);
    ANY(reputation, RC_REPUTATION);
    ANY(unknown, RC_UNKNOWN_RECIPIENT);
    ANY(rate, RC_RATE_LIMIT);
#undef ANY
    if (dsn && strcmp(dsn, "5.1.1") == 0 && !(c & RC_SPAMLIKE))
        c |= RC_UNKNOWN_RECIPIENT;
    return c;
}

const char *custclass_names(unsigned c)
{
    if (c & RC_BLOCKLIST)
        return c & RC_SPAM ? "blocklist,spam" : "blocklist";
    if (c & RC_REPUTATION)
        return "reputation";
    if (c & RC_SPAM)
        return "spam";
    if (c & RC_UNKNOWN_RECIPIENT)
        return "unknown_recipient";
    if (c & RC_RATE_LIMIT)
        return "rate_limit";
    return "other";
}
