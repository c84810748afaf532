#ifndef RBLFORGE_PARSE_H
#define RBLFORGE_PARSE_H
/*
 * Log line to event. parse_line() reads the syslog/multilog header (stamp,
 * host, program, pid) and hands the message to the parser of the program
 * that wrote it (parse_postfix.c, parse_qmail.c). No allocation: the event
 * points into the line.
 */
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include "event.h"
#include "tstamp.h"

#define PARSE_PROG_SLOTS 32
#define PARSE_PROG_NAME 32

/* Lines seen but not turned into an event, per program. */
struct parse_stats {
    uint64_t lines;
    uint64_t events;
    uint64_t no_header;         /* no recognisable stamp/program */
    uint64_t long_lines;
    unsigned nprog;
    struct {
        char name[PARSE_PROG_NAME];
        uint64_t count;
    } unrec[PARSE_PROG_SLOTS];  /* the last slot collects "(other)" overflow */
};

struct parser {
    struct tsctx ts;
    struct parse_stats st;
    /* The caller counts client addresses only (no queue-id joins): Postfix
     * queue lines of shapes that never name the client come back as bare
     * EV_NOTE events with their queue id, unparsed. Events and the stats
     * are otherwise the same. */
    bool client_only;
};

/* ref: the file's mtime (year-less stamps); year: explicit year or 0. */
void parser_init(struct parser *ps, time_t ref, int year);

/* Parse one line (without its '\n'). ev->file, file_index and line must be
 * set by the caller; the rest is filled. Returns true if ev is an event. */
bool parse_line(struct parser *ps, const char *p, size_t n, struct event *ev);

/* Add src's counts to dst (program slots merged by name). */
void parse_stats_merge(struct parse_stats *dst, const struct parse_stats *src);

/* Program-specific parsers: message after "prog[pid]: ". They return true
 * when ev became an event; on false ev may hold partial fields (the caller
 * discards it). */
/* Postfix: service is the last component of the syslog tag ("smtpd" of
 * "postfix/submission/smtpd"); parse_postfix.c dispatches to the others. */
bool parse_postfix(struct span service, struct span msg, struct event *ev);
/* Does parse_postfix hand this daemon's queue lines ("QID: ...") straight
 * to parse_pfqueue (true for all but smtpd, postscreen and dnsblog)? */
bool parse_postfix_queue_daemon(struct span service);
bool parse_postscreen(struct span msg, struct event *ev);   /* also dnsblog */
/* "QUEUEID: ..." messages of any Postfix daemon (cleanup, qmgr, delivery
 * agents, bounce, pickup, postsuper) and the smtp client's own lines. */
bool parse_pfqueue(struct span service, struct span msg, struct event *ev);
/* For parser.client_only: a queue line that cannot name the client (a
 * delivery, qmgr's sender line, cleanup's message-id, "removed") becomes
 * a bare EV_NOTE with its queue id; false for any other message. */
bool parse_pfqueue_no_client(struct span msg, struct event *ev);
/* Policy servers (postgrey). */
bool parse_policy(struct span prog, struct span msg, struct event *ev);
/* qmail: prog is the syslog tag, or absent (p == NULL) for multilog lines. */
bool parse_qmail(struct span prog, struct span msg, struct event *ev);
bool parse_qmail_send(struct span msg, struct event *ev);

/* Reject lines and reject texts (parse_reject.c). */
/* "STAGE from host[addr][:port]: REPLY[; from=<> to=<> proto= helo=<>]"
 * after "reject: " (smtpd, postscreen); fills stage, client, code, dsn,
 * envelope, text and reason. False if the client part is malformed, and
 * then ev is left as it was. */
bool parse_reject_line(struct span s, struct event *ev);
/* Split "REPLY; from=<a> to=<b> proto=P helo=<h>" (also postscreen's
 * comma form): fills from/to/helo, returns the reply part. */
struct span parse_reject_envelope(struct span s, struct event *ev);
/* The reason class of a reject reply; *dnsbl gets the list name for R_DNSBL. */
enum ev_reason parse_reject_reason(struct span text, struct span *dnsbl);

/* Shared scanners for the program parsers (parse.c). */
/* "host[addr]" (optionally ":port") at the start of s: fills rdns/ip/port,
 * returns bytes consumed or 0. "unknown" host names leave rdns absent. */
size_t parse_client(struct span s, struct event *ev);
/* Value of key=<...> or key=value (up to ',' or ' ') searched in s; the
 * key starts a word. */
struct span parse_kv(struct span s, const char *key, size_t keylen);
/* Several keys in one pass: each val is what parse_kv would return.
 * Make each with PARSE_KV_WANT("key="). */
struct parse_kv_want {
    const char *key;
    size_t keylen;
    uint64_t tail;              /* the key's last 8 bytes (parse_kv_tail) */
    struct span val;
};
/* The last min(n, 8) bytes of p, first in the low byte: how an 8-byte
 * load of them reads on a little-endian machine. Written out, not as a
 * loop, so that of a literal it folds to a constant. */
static inline uint64_t parse_kv_tail(const char *p, size_t n)
{
    size_t k = n < 8 ? n : 8;
    const unsigned char *t = (const unsigned char *)p + n - k;

    return (k > 0 ? (uint64_t)t[0] : 0) | (k > 1 ? (uint64_t)t[1] << 8 : 0)
        | (k > 2 ? (uint64_t)t[2] << 16 : 0) | (k > 3 ? (uint64_t)t[3] << 24 : 0)
        | (k > 4 ? (uint64_t)t[4] << 32 : 0) | (k > 5 ? (uint64_t)t[5] << 40 : 0)
        | (k > 6 ? (uint64_t)t[6] << 48 : 0) | (k > 7 ? (uint64_t)t[7] << 56 : 0);
}
#define PARSE_KV_WANT(lit) \
    { (lit), sizeof(lit) - 1, parse_kv_tail((lit), sizeof(lit) - 1), SPAN_NULL }
void parse_kv_many(struct span s, struct parse_kv_want *w, size_t n);
/* "NNN" (and " X.Y.Z"), or a bare "X.Y.Z", at the start of s: fills code
 * and dsn, returns bytes consumed. */
size_t parse_code_dsn(struct span s, struct event *ev);
/* An enhanced status code "X.Y.Z" at the start of s: its length or 0. */
size_t parse_dsn_len(struct span s);
/* A Postfix queue id: short (upper-case hex) or long (base-52 with 'z'). */
bool parse_is_queue_id(struct span s);
/* Leading "QUEUEID: " or "NOQUEUE: ": sets ev->qid, returns bytes used or 0. */
size_t parse_queue_prefix(struct span s, struct event *ev);
/* Digits at the start of s (at most 18): their count, value in *v. */
size_t parse_digits(struct span s, uint64_t *v);
/* Forget what a failed parse attempt filled in, keeping the header
 * (stamp, host, program, pid, repeat count). */
void parse_event_clear(struct event *ev);
/* s cut to the contract's text bound. */
struct span parse_bounded(struct span s);

#endif
