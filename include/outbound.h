#ifndef RBLFORGE_OUTBOUND_H
#define RBLFORGE_OUTBOUND_H
/*
 * Outbound mail, message by message. A collector (one per thread, fed by
 * the aggregation pass) copies the few fields the customer reports need
 * from each queue event into compact records in its own arena; nothing
 * points into log buffers afterwards. outbound_join() then orders all
 * records by (file in chronological order, line) and follows queue IDs
 * sequentially, so the messages it builds do not depend on which thread
 * read which part of which file.
 *
 * Postfix: a message starts at client= or pickup, gathers qmgr from=/size/
 * nrcpt and every delivery attempt, and ends at removed (or expired then
 * removed); a queue ID seen again after removed is a new message. qmail:
 * info msg M starts one, starting delivery D: msg M + delivery D: add
 * attempts, end msg M ends it. Queue IDs are scoped by the syslog host.
 * Records of a queue ID never started in the input become a message of
 * their own with what they carry (no client).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"

enum ob_status { OB_SENT, OB_BOUNCED, OB_DEFERRED, OB_OTHER };

/* Longest reply text kept per non-sent attempt. */
#define OB_TEXT_MAX 200
/* Longest log line kept as evidence (the rest is cut, marked by raw_cut). */
#define OB_RAW_MAX 1024

/* A log line as logged (any bytes, NUL included), or p == NULL when not
 * kept: kept for the records that can be evidence (a message's first
 * record, a delivery attempt that was not sent), not for the bulk of sent
 * attempts and queue bookkeeping. */
struct ob_raw {
    const char *p;
    uint32_t n;
    bool cut;                   /* the line was longer than OB_RAW_MAX */
};

struct ob_delivery {
    const char *to;             /* recipient address ("" if not logged) */
    const char *relay;          /* remote host name or address, NULL if none */
    const char *dsn;            /* NULL if none */
    const char *text;           /* reply text for non-sent outcomes, else NULL */
    struct ob_raw raw;          /* non-sent outcomes only */
    int64_t ts;
    uint64_t line;
    uint32_t file;
    uint8_t status;             /* enum ob_status */
    bool remote;                /* an SMTP delivery to another server */
};

struct ob_msg {
    const char *qid;
    const char *sasl_user;      /* NULL if none */
    const char *uid;            /* pickup / qmail-inject uid, NULL if none */
    const char *from;           /* envelope sender, NULL if not logged, "" for <> */
    struct ipaddr ip;           /* client address, family 0 if none */
    const char *client_host;    /* its logged host name, NULL if none or "unknown" */
    struct ob_raw raw;          /* the first record as logged */
    int64_t ts;                 /* first record */
    uint64_t line;              /* position of the first record */
    uint32_t file;
    uint32_t nrcpt;             /* qmgr nrcpt=, 0 if not logged */
    bool started;               /* client=, pickup or qmail info seen */
    bool expired;
    const struct ob_delivery *d;        /* attempts in log order */
    size_t nd;
};

struct outbound;

struct outbound *outbound_new(void);
/* Record ev if it belongs to a message's history; any other event only
 * updates the file's first timestamp. Never keeps a pointer into ev. */
void outbound_add(struct outbound *ob, const struct event *ev);
/* Move everything src collected into dst; src is empty afterwards. */
void outbound_merge(struct outbound *dst, struct outbound *src);
/* Order the records and build the messages. Call once, after the merges. */
void outbound_join(struct outbound *ob);
size_t outbound_count(const struct outbound *ob);
const struct ob_msg *outbound_msg(const struct outbound *ob, size_t i);
/* Position of a file among the inputs in chronological order (by first
 * timestamp, ties by command-line index); valid after outbound_join. */
uint32_t outbound_file_rank(const struct outbound *ob, uint32_t file);
/* True if the message went (or tried to go) to another server, or was
 * submitted by a logged-in user or a local program: what the reports count. */
bool outbound_is_outbound(const struct ob_msg *m);
const char *outbound_status_name(enum ob_status s);
/* One collected record before the join, in a portable form (partial
 * files, partial.c): kind and strings as outbound.c keeps them; strings
 * are NUL-terminated, NULL when absent. */
struct ob_rec {
    uint64_t line;
    int64_t ts;
    uint32_t file;
    uint32_t nrcpt;
    uint8_t kind, status;
    bool remote;
    struct ipaddr ip;
    const char *host, *id, *a, *b, *c, *text;
    struct ob_raw raw;          /* the line as kept (p NULL: not kept), any bytes */
};
/* Every record collected so far (before outbound_join), in collection
 * order, then the first stamped line of every file that has one. */
typedef void outbound_rec_fn(const struct ob_rec *r, void *ctx);
void outbound_each(const struct outbound *ob, outbound_rec_fn *fn, void *ctx);
typedef void outbound_first_fn(uint32_t file, uint64_t line, int64_t ts, void *ctx);
void outbound_each_first(const struct outbound *ob, outbound_first_fn *fn, void *ctx);
/* Add a record (strings copied) or a file's first stamped line, as
 * outbound_add would have; false if r->kind is not a kind of ours. */
bool outbound_put(struct outbound *ob, const struct ob_rec *r);
void outbound_put_first(struct outbound *ob, uint32_t file, uint64_t line, int64_t ts);

/* NULL is a no-op. */
void outbound_free(struct outbound *ob);

#endif
