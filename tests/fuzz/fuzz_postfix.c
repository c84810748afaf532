/*
 * libFuzzer: a Postfix message (after "prog[pid]: ") through
 * parse_postfix(). The first byte picks the daemon, so every service's
 * shapes are reached; the rest is the message.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "parse_postfix.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const services[] = {
        "smtpd", "postscreen", "dnsblog", "cleanup", "qmgr", "smtp", "lmtp",
        "local", "virtual", "pipe", "error", "bounce", "pickup", "postsuper",
    };
    static struct event ev;

    if (size == 0)
        return 0;
    const char *svc = services[data[0] % (sizeof(services) / sizeof(services[0]))];
    memset(&ev, 0, sizeof(ev));
    parse_postfix(span_make(svc, strlen(svc)), span_make((const char *)data + 1, size - 1), &ev);
    return 0;
}
