#ifndef RBLFORGE_SCAN_H
#define RBLFORGE_SCAN_H
/*
 * The scanners every program parser shares (and the dispatcher in
 * parse.c): below the parsers, so that no call runs back up. All read a
 * span and never write into the log buffer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"

/* "host[addr]" (optionally ":port") at the start of s: fills rdns/ip/port,
 * returns bytes consumed or 0. "unknown" host names leave rdns absent. */
size_t scan_client(struct span s, struct event *ev);
/* Several keys in one pass: each val is what scan_kv would return.
 * Make each with SCAN_KV_WANT("key="). */
struct scan_kv_want {
    const char *key;
    size_t keylen;
    uint64_t tail;              /* the key's last 8 bytes (scan_kv_tail) */
    struct span val;
};
/* The last min(n, 8) bytes of p, first in the low byte: how an 8-byte
 * load of them reads on a little-endian machine. Written out, not as a
 * loop, so that of a literal it folds to a constant. */
static inline uint64_t scan_kv_tail(const char *p, size_t n)
{
    size_t k = n < 8 ? n : 8;
    const unsigned char *t = (const unsigned char *)p + n - k;

    return (k > 0 ? (uint64_t)t[0] : 0) | (k > 1 ? (uint64_t)t[1] << 8 : 0)
        | (k > 2 ? (uint64_t)t[2] << 16 : 0) | (k > 3 ? (uint64_t)t[3] << 24 : 0)
        | (k > 4 ? (uint64_t)t[4] << 32 : 0) | (k > 5 ? (uint64_t)t[5] << 40 : 0)
        | (k > 6 ? (uint64_t)t[6] << 48 : 0) | (k > 7 ? (uint64_t)t[7] << 56 : 0);
}
#define SCAN_KV_WANT(lit) \
    { (lit), sizeof(lit) - 1, scan_kv_tail((lit), sizeof(lit) - 1), SPAN_NULL }
/* scan_kv with the key's scan_kv_tail given. */
struct span scan_kv_tailed(struct span s, const char *key, size_t keylen, uint64_t tail);
/* Value of key=<...> or key=value (up to ',' or ' ') searched in s; the
 * key starts a word. Inline: of a literal key the tail folds to a
 * constant. */
static inline struct span scan_kv(struct span s, const char *key, size_t keylen)
{
    return scan_kv_tailed(s, key, keylen, scan_kv_tail(key, keylen));
}
void scan_kv_many(struct span s, struct scan_kv_want *w, size_t n);
/* "NNN" (and " X.Y.Z"), or a bare "X.Y.Z", at the start of s: fills code
 * and dsn, returns bytes consumed. */
size_t scan_code_dsn(struct span s, struct event *ev);
/* An enhanced status code "X.Y.Z" at the start of s: its length or 0. */
size_t scan_dsn_len(struct span s);
/* A Postfix queue id: short (upper-case hex) or long (base-52 with 'z'). */
bool scan_is_queue_id(struct span s);
/* Leading "QUEUEID: " or "NOQUEUE: ": sets ev->qid, returns bytes used or 0. */
size_t scan_queue_prefix(struct span s, struct event *ev);
/* Digits at the start of s (at most 18): their count, value in *v. */
size_t scan_digits(struct span s, uint64_t *v);
/* Forget what a failed parse attempt filled in, keeping the header
 * (stamp, host, program, pid, repeat count). */
void scan_event_clear(struct event *ev);
/* s cut to the contract's text bound. */
struct span scan_bounded(struct span s);

#endif
