/*
 * libFuzzer: a qmail-family message through parse_qmail() (tcpserver,
 * rblsmtpd, qmail-smtpd patches, vchkpw, splogger stamps, qmail-send).
 * The first byte picks the syslog tag (or none, as multilog writes it).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "parse_policy.h"
#include "parse_qmail.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const progs[] = {
        NULL, "qmail", "tcpserver", "rblsmtpd", "qmail-smtpd", "qmail-send",
        "vchkpw-smtp", "postgrey",
    };
    static struct event ev;

    if (size == 0)
        return 0;
    const char *p = progs[data[0] % (sizeof(progs) / sizeof(progs[0]))];
    struct span prog = p ? span_make(p, strlen(p)) : SPAN_NULL;
    struct span msg = span_make((const char *)data + 1, size - 1);
    memset(&ev, 0, sizeof(ev));
    if (p && strcmp(p, "postgrey") == 0)
        parse_policy_postgrey(msg, &ev);
    else
        parse_qmail(prog, msg, &ev);
    return 0;
}
