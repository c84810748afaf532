#ifndef RBLFORGE_ABUSE_MAIL_H
#define RBLFORGE_ABUSE_MAIL_H
/*
 * The messages to other networks' abuse desks, written as .eml files
 * (RFC 5322, CRLF, sendable with `sendmail -t < FILE`; rblforge sends
 * nothing) into DIR/abuse/CONTACT/ of the publication being staged:
 *   SOURCE.eml  one per newly listed source with a contact (RFC 5965:
 *               one feedback report a message): an ARF report
 *               (multipart/report; report-type=feedback-report) or an
 *               X-ARF 0.2 one (X-XARF: PLAIN), with the source's raw log
 *               lines as evidence;
 *   digest.eml  for a contact with two or more sources, one plain message
 *               listing them (at most max_sources, the rest counted).
 * CONTACT and SOURCE are abuse_contact_dirname / abuse_source_filename.
 * Log bytes reach a message only quoted-printable encoded in a body part
 * (mime.h), never a header; our users' local parts are redacted first
 * (abuse_mail_redact) unless the policy says not to.
 */
#include <stdbool.h>
#include <stdint.h>
#include "abuse_plan.h"
#include "outbuf.h"
#include "policy.h"

/* Evidence lines kept per source; the rest are counted. */
#define ABUSE_MAIL_LINES 200
/* Bytes kept of one evidence line; the rest are cut and said so. */
#define ABUSE_MAIL_LINE_MAX 4096

/* The raw log lines of one source, in input order. */
struct abuse_evidence {
    struct outbuf text;         /* memory buffer: each line and a '\n' */
    uint32_t lines;             /* lines kept in text */
    uint64_t more;              /* lines not kept (over ABUSE_MAIL_LINES) */
};

/* Appends one line (bounded) or counts it. */
void abuse_evidence_add(struct abuse_evidence *ev, const char *p, size_t n);
void abuse_evidence_free(struct abuse_evidence *ev);

struct abuse_mail_in {
    const struct abuse_plan *plan;
    const struct abuse_evidence *ev;    /* one per plan->v, same index */
    const struct policy *p;             /* [abuse] and the zone's name */
    int64_t now;
};

/* Our users' local parts out of one log line, into o: the local part of
 * every address (local@domain) but the envelope sender's (from=<...>,
 * the remote side's claim) becomes "redacted", and so does the value of
 * sasl_username= (a login name of ours). */
void abuse_mail_redact(struct outbuf *o, const char *p, size_t n);

/* The message for plan->v[i] (which has a contact) into o. */
void abuse_mail_message(struct outbuf *o, const struct abuse_mail_in *in, size_t i);
/* The digest of the contact group by_contact[from..to) into o. */
void abuse_mail_digest(struct outbuf *o, const struct abuse_mail_in *in, size_t from,
                       size_t to);

/* Writes every message into dir/abuse/ (created); false with a warning
 * on error. Each file goes through the atomic writer. */
bool abuse_mail_stage(const struct abuse_mail_in *in, const char *dir);

#endif
