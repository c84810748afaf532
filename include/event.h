#ifndef RBLFORGE_EVENT_H
#define RBLFORGE_EVENT_H
/*
 * One recognised log line. String fields are spans into the line (or, for
 * a few fixed words, into static storage); nothing here owns memory, so an
 * event is valid only while its chunk is. An absent field has p == NULL.
 * The JSON/TSV names of every field are the `rblforge events` contract
 * documented in rblforge(1); EVENT_FIELDS lists them in output order.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "span.h"
#include "ipaddr.h"

/* The contract's bound on reply/reject texts. */
#define EVENT_TEXT_MAX 512

enum ev_type {
    EV_NONE = 0,
    EV_CONNECT,
    EV_DISCONNECT,
    EV_REJECT,
    EV_REJECT_WARNING,          /* reject_warning: a dry run, never evidence */
    EV_AUTH_FAIL,
    EV_CLIENT,                  /* smtpd accepted a message: QUEUEID: client= */
    EV_RDNS_FAIL,
    EV_LOST,
    EV_POSTSCREEN,
    EV_CLEANUP,
    EV_QUEUED,
    EV_DELIVERY,
    EV_REMOVED,
    EV_EXPIRED,
    EV_BOUNCE,
    EV_PICKUP,
    EV_TCP_OK,
    EV_TCP_DENY,
    EV_TCP_END,
    EV_TCP_PID,
    EV_RBL,
    EV_QMAIL_SMTPD,
    EV_QMAIL_NEW,
    EV_QMAIL_INFO,
    EV_QMAIL_START,
    EV_QMAIL_DELIVERY,
    EV_QMAIL_END,
    EV_QMAIL_BOUNCE,
    EV_REPEATED,                /* "last message repeated N times" */
    EV_ACTION,                  /* access/header/milter action that is not a reject */
    EV_NOTE,                    /* other text tied to a queue id */
    EV_REMOTE,                  /* smtp/lmtp client: what a remote server did */
    EV_POLICY,                  /* policy server verdict (postgrey) */
    EV_DNSBL,                   /* dnsblog: address listed by a DNSBL */
    EV_QMAIL_STATUS,            /* qmail-send "status: local l/L remote r/R" */
    EV_TLS,                     /* TLS connection established from/to */
    EV_SPF,                     /* an SPF policy server's result (policyd-spf) */
    EV__COUNT
};

/* Why something was rejected, or what postscreen decided. */
enum ev_reason {
    R_NONE = 0,
    /* smtpd / qmail-smtpd rejects */
    R_DNSBL,
    R_UNKNOWN_RECIPIENT,
    R_RELAY_DENIED,
    R_NO_RDNS,
    R_HELO,
    R_SENDER,
    R_POLICY,                   /* greylisting, policy services */
    R_RATE_LIMIT,
    R_CONTENT,                  /* milter/header/body checks */
    R_OTHER,
    /* postscreen verdicts */
    R_PS_PASS_NEW,
    R_PS_PASS_OLD,
    R_PS_PREGREET,
    R_PS_DNSBL,
    R_PS_HANGUP,
    R_PS_PIPELINING,
    R_PS_NON_SMTP,
    R_PS_BARE_NEWLINE,
    R_PS_COMMAND_LIMIT,
    R_PS_ALLOWLISTED,
    R_PS_DENYLISTED,
    /* lost connection / timeout / too many errors / pipelining */
    R_LOST,
    R_TIMEOUT,
    R_TOO_MANY_ERRORS,
    R_PIPELINING,
    /* auth_fail caused by our own side (the SASL backend is down) */
    R_SERVER_ERROR,
    /* postscreen: DATA/BDAT without a valid RCPT (its dummy SMTP engine) */
    R_PS_NO_RCPT,
    /* auth_fail told by an auth backend (Dovecot's auth process); the
     * login process's own line for the same attempt is what counts */
    R_PASSDB,
    R__COUNT
};

struct event {
    /* Kept by event_reset: the caller's (file, line) and the parser's wish. */
    const char *file;           /* input name, owned by the pipeline */
    uint64_t line;              /* 1-based, in the decompressed stream */
    uint32_t file_index;        /* position of the file on the command line */
    /* Copied from parser.client_only: the consumer reads the client and
     * the verdict alone, so the parsers leave out what only a printer
     * shows (a reject's envelope, reply code and enhanced status, the SASL
     * method of a queue's client= line). */
    bool client_only;
    /* Cleared by event_reset: from ts up to scratch. */
    int64_t ts;                 /* UTC seconds */
    uint32_t usec;
    bool has_ts;
    enum ev_type type;
    enum ev_reason reason;
    struct ipaddr ip;           /* family 0 when absent or "unknown" */
    uint32_t port;              /* 0 when absent */
    bool rdns_unknown;          /* the logger wrote "unknown" as the host name */
    struct span host, prog, pid;
    struct span rdns, qid, stage, code, dsn, from, to, orig_to, helo;
    struct span sasl_method, sasl_user, relay, status, size, nrcpt, uid;
    struct span msg, delivery, qp, message_id, dnsbl, repeat, text, raw;
    struct span logline;        /* the whole line as logged, without CR/LF */
    /* Decoded text (qmail delivery reports) lives here, not in the line. */
    char scratch[EVENT_TEXT_MAX];
};

const char *event_type_name(enum ev_type t);
const char *event_reason_name(enum ev_reason r);

/* The string fields in contract order, for generic printers. */
struct event_field {
    const char *name;
    size_t offset;              /* offsetof(struct event, <span>) */
};
extern const struct event_field event_span_fields[];
extern const size_t event_span_field_count;

static inline struct span event_span(const struct event *ev, size_t offset)
{
    return *(const struct span *)((const char *)ev + offset);
}

/* Clear everything but file, file_index, line and client_only (and the
 * scratch buffer, which only holds what a span of this event points at).
 * Once or twice per line: inline, as 16-byte stores of the one block
 * from ts to scratch (kept fields first, so nothing is saved and put
 * back). gcc turns a memset of this size into "rep stos", whose start-up
 * cost was 5% of the read phase; a call to the C library's cost the call
 * and its size dispatch on every line. */
#define EVENT_CLEAR_FROM offsetof(struct event, ts)
#define EVENT_CLEAR_LEN (offsetof(struct event, scratch) - EVENT_CLEAR_FROM)
#if defined(__x86_64__) && defined(__GNUC__)
#define EVENT_RESET_AVX2 1
/* The same with 32-byte stores, half as many: for CPUs with AVX2. */
void event_reset_avx2(struct event *ev);
#endif
static inline void event_reset(struct event *ev)
{
    char *p = (char *)ev + EVENT_CLEAR_FROM;
#ifdef EVENT_RESET_AVX2
    if (__builtin_cpu_supports("avx2")) {
        event_reset_avx2(ev);
        return;
    }
#endif
#ifdef __SSE2__
    __m128i z = _mm_setzero_si128();
    size_t i;

    /* Zero as far as gcc knows no more: else it makes this "rep stos". */
    __asm__("" : "+x"(z));
    _Static_assert(EVENT_CLEAR_LEN >= 16, "event_reset clears in 16-byte steps");
#pragma GCC unroll 64
    for (i = 0; i + 16 <= EVENT_CLEAR_LEN; i += 16)
        _mm_storeu_si128((__m128i *)(p + i), z);
    if (i < EVENT_CLEAR_LEN)            /* the tail: the last 16 bytes again */
        _mm_storeu_si128((__m128i *)(p + EVENT_CLEAR_LEN - 16), z);
#else
    memset(p, 0, EVENT_CLEAR_LEN);
#endif
}

#endif
