/* Names of event types, reasons and fields: the stable vocabulary of
 * `rblforge events`. */
#include <stddef.h>
#include <string.h>
#include "event.h"

static const char *const type_names[EV__COUNT] = {
    [EV_NONE] = "none",
    [EV_CONNECT] = "connect",
    [EV_DISCONNECT] = "disconnect",
    [EV_REJECT] = "reject",
    [EV_REJECT_WARNING] = "reject_warning",
    [EV_AUTH_FAIL] = "auth_fail",
    [EV_CLIENT] = "client",
    [EV_RDNS_FAIL] = "rdns_fail",
    [EV_LOST] = "lost",
    [EV_POSTSCREEN] = "postscreen",
    [EV_CLEANUP] = "cleanup",
    [EV_QUEUED] = "queued",
    [EV_DELIVERY] = "delivery",
    [EV_REMOVED] = "removed",
    [EV_EXPIRED] = "expired",
    [EV_BOUNCE] = "bounce",
    [EV_PICKUP] = "pickup",
    [EV_TCP_OK] = "tcp_ok",
    [EV_TCP_DENY] = "tcp_deny",
    [EV_TCP_END] = "tcp_end",
    [EV_TCP_PID] = "tcp_pid",
    [EV_RBL] = "rbl",
    [EV_QMAIL_SMTPD] = "qmail_smtpd",
    [EV_QMAIL_NEW] = "qmail_new",
    [EV_QMAIL_INFO] = "qmail_info",
    [EV_QMAIL_START] = "qmail_start",
    [EV_QMAIL_DELIVERY] = "qmail_delivery",
    [EV_QMAIL_END] = "qmail_end",
    [EV_QMAIL_BOUNCE] = "qmail_bounce",
    [EV_REPEATED] = "repeated",
    [EV_ACTION] = "action",
    [EV_NOTE] = "note",
    [EV_REMOTE] = "remote",
    [EV_POLICY] = "policy",
    [EV_DNSBL] = "dnsbl",
    [EV_QMAIL_STATUS] = "qmail_status",
    [EV_TLS] = "tls",
    [EV_SPF] = "spf",
};

static const char *const reason_names[R__COUNT] = {
    [R_NONE] = "",
    [R_DNSBL] = "dnsbl",
    [R_UNKNOWN_RECIPIENT] = "unknown_recipient",
    [R_RELAY_DENIED] = "relay_denied",
    [R_NO_RDNS] = "no_rdns",
    [R_HELO] = "helo",
    [R_SENDER] = "sender",
    [R_POLICY] = "policy",
    [R_RATE_LIMIT] = "rate_limit",
    [R_CONTENT] = "content",
    [R_OTHER] = "other",
    [R_PS_PASS_NEW] = "pass_new",
    [R_PS_PASS_OLD] = "pass_old",
    [R_PS_PREGREET] = "pregreet",
    [R_PS_DNSBL] = "dnsbl_rank",
    [R_PS_HANGUP] = "hangup",
    [R_PS_PIPELINING] = "command_pipelining",
    [R_PS_NON_SMTP] = "non_smtp_command",
    [R_PS_BARE_NEWLINE] = "bare_newline",
    [R_PS_COMMAND_LIMIT] = "command_limit",
    [R_PS_ALLOWLISTED] = "allowlisted",
    [R_PS_DENYLISTED] = "denylisted",
    [R_LOST] = "lost_connection",
    [R_TIMEOUT] = "timeout",
    [R_TOO_MANY_ERRORS] = "too_many_errors",
    [R_PIPELINING] = "improper_pipelining",
    [R_SERVER_ERROR] = "server_error",
    [R_PS_NO_RCPT] = "no_valid_rcpt",
    [R_PASSDB] = "passdb",
};

const char *event_type_name(enum ev_type t)
{
    return (unsigned)t < EV__COUNT && type_names[t] ? type_names[t] : "none";
}

const char *event_reason_name(enum ev_reason r)
{
    return (unsigned)r < R__COUNT && reason_names[r] ? reason_names[r] : "";
}

#define F(name) { #name, offsetof(struct event, name) }
const struct event_field event_span_fields[] = {
    F(rdns), F(qid), F(stage), F(code), F(dsn), F(from), F(to), F(orig_to),
    F(helo), F(sasl_method), { "sasl_user", offsetof(struct event, sasl_user) },
    F(relay), F(status), F(size), F(nrcpt), F(uid), F(msg), F(delivery),
    F(qp), F(message_id), F(dnsbl), F(repeat), F(text), F(raw),
};
#undef F
const size_t event_span_field_count =
    sizeof(event_span_fields) / sizeof(event_span_fields[0]);

#ifdef EVENT_RESET_AVX2
#include <immintrin.h>
__attribute__((target("avx2")))
void event_reset_avx2(struct event *ev)
{
    char *p = (char *)ev + EVENT_CLEAR_FROM;
    __m256i z = _mm256_setzero_si256();
    size_t i;

    /* Zero as far as gcc knows no more: else it makes this "rep stos". */
    __asm__("" : "+x"(z));
    _Static_assert(EVENT_CLEAR_LEN >= 32, "event_reset_avx2 clears in 32-byte steps");
#pragma GCC unroll 32
    for (i = 0; i + 32 <= EVENT_CLEAR_LEN; i += 32)
        _mm256_storeu_si256((__m256i *)(p + i), z);
    if (i < EVENT_CLEAR_LEN)            /* the tail: the last 32 bytes again */
        _mm256_storeu_si256((__m256i *)(p + EVENT_CLEAR_LEN - 32), z);
}
#endif
