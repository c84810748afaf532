/*
 * libFuzzer: a qmail-family message through parse_qmail() (tcpserver,
 * rblsmtpd, qmail-smtpd patches, vchkpw, splogger stamps, qmail-send), or
 * a message of a daemon beside Postfix through its parser (postgrey,
 * policyd-spf, postfwd, Dovecot, Cyrus). The first byte picks the syslog
 * tag (or none, as multilog writes it).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "parse_mailbox.h"
#include "parse_policy.h"
#include "parse_qmail.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const progs[] = {
        NULL, "qmail", "tcpserver", "rblsmtpd", "qmail-smtpd", "qmail-send",
        "vchkpw-smtp", "postgrey", "policyd-spf", "postfwd", "dovecot", "imap-login",
        "cyrus/imap",
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
    else if (p && strcmp(p, "policyd-spf") == 0)
        parse_policy_spf(msg, &ev);
    else if (p && strcmp(p, "postfwd") == 0)
        parse_policy_postfwd(msg, &ev);
    else if (p && (strcmp(p, "dovecot") == 0 || strcmp(p, "imap-login") == 0))
        parse_mailbox_dovecot(prog, msg, &ev);
    else if (p && strcmp(p, "cyrus/imap") == 0)
        parse_mailbox_cyrus(msg, &ev);
    else
        parse_qmail(prog, msg, &ev);
    return 0;
}
