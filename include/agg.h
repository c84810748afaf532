#ifndef RBLFORGE_AGG_H
#define RBLFORGE_AGG_H
/*
 * Evidence per source address: counts per class, first/last seen and the
 * hostname Postfix logged. IPv4 records live in a JudyL keyed by the
 * address; IPv6 in a JudyL of JudyLs keyed by the two 64-bit halves (exact,
 * no hashing). One table per thread; agg_merge() combines them with
 * commutative rules (sums, min/max, earliest position), so the result does
 * not depend on which thread read which file. The only file that includes
 * Judy.h.
 */
#include <stdint.h>
#include <stdbool.h>
#include "event.h"

enum agg_class {
    AC_CONNECT,
    AC_ACCEPTED,                /* message accepted (good mail) */
    AC_REJ_DNSBL,
    AC_REJ_UNKNOWN_RECIPIENT,
    AC_REJ_RELAY_DENIED,
    AC_REJ_NO_RDNS,
    AC_REJ_HELO,
    AC_REJ_SENDER,
    AC_REJ_POLICY,
    AC_REJ_RATE_LIMIT,
    AC_REJ_CONTENT,
    AC_REJ_OTHER,
    AC_AUTH_FAIL,
    AC_RDNS_FAIL,
    AC_PS_PREGREET,
    AC_PS_DNSBL,
    AC_PS_HANGUP,
    AC_PS_PROTOCOL,             /* pipelining, non-SMTP command, bare newline, limits */
    AC_PS_PASS,
    AC_LOST,                    /* lost connection / timeout after a command */
    AC_PROTOCOL_ERROR,          /* too many errors, improper pipelining */
    AC__COUNT
};

/* Position of a line: file index on the command line, then line number;
 * packed into 8 bytes (2^20 files, 2^44 lines) to keep records small. */
struct agg_pos {
    uint64_t line : 44;
    uint64_t file : 20;
};

/* 160 bytes on 64-bit systems; a run keeps one for every address seen. */
struct ip_stats {
    struct ipaddr ip;
    bool rdns_unknown;          /* Postfix logged "unknown" for it */
    uint32_t n[AC__COUNT];
    uint32_t asn;               /* 0 = unknown; set after the merge (asn.h) */
    /* UTC seconds of the first/last event, 0 = none. Unsigned 32 bits reach
     * 2106; a stamp before 1970 or after that counts but is not shown. */
    uint32_t first, last;
    /* First logged hostname, NULL if none. In a table's own records its
     * line's position sits in the 8 bytes before it, for agg.c alone. */
    const char *rdns;
    /* Earliest and latest evidence line (any class but connect, accepted
     * and postscreen pass), by time then position: for `explain`. */
    struct agg_pos ev_first, ev_last;
    int64_t ev_first_ts, ev_last_ts;
};

struct agg;

struct agg *agg_new(void);
/* Count ev if it carries a client address and maps to a class. */
void agg_add(struct agg *a, const struct event *ev);
/* Add src into dst; src is left unchanged. */
void agg_merge(struct agg *dst, const struct agg *src);
size_t agg_count(const struct agg *a);
/* Record for ip, or NULL. */
const struct ip_stats *agg_lookup(const struct agg *a, const struct ipaddr *ip);
/* Visit every record in address order (IPv4, then IPv6). */
typedef void agg_visit_fn(const struct ip_stats *st, void *ctx);
void agg_walk(const struct agg *a, agg_visit_fn *fn, void *ctx);
/* The same, with writable records: for annotations made after the merge
 * (the ASN), never for counts. */
typedef void agg_update_fn(struct ip_stats *st, void *ctx);
void agg_update(struct agg *a, agg_update_fn *fn, void *ctx);
/* Bytes used by records and strings (not Judy's own nodes). */
size_t agg_memory(const struct agg *a);
void agg_free(struct agg *a);

/* True for the classes that are evidence against an address. */
bool agg_is_evidence(enum agg_class c);

/*
 * A map from 64-bit keys to pointers (a JudyL array), for the other
 * tables of the analysis (networks, ASNs, state): they use it instead of
 * including Judy.h. An empty map is NULL. Keys are visited in ascending
 * order.
 */
typedef void *agg_map;
/* The slot for key, created holding NULL if absent. */
void **agg_map_ins(agg_map *m, uint64_t key);
/* The value for key, or NULL. */
void *agg_map_get(agg_map m, uint64_t key);
/* Iterate: start with *key = 0 and first = true; false when done. */
bool agg_map_next(agg_map m, uint64_t *key, void **val, bool first);
size_t agg_map_count(agg_map m);
/* Frees the map, not the values. */
void agg_map_free(agg_map *m);

/* Stable names, used as config keys and CSV column names. */
const char *agg_class_name(enum agg_class c);
/* Class index for a name, or -1. */
int agg_class_lookup(const char *name);
/* The class an event counts in, or -1 for none. */
int agg_classify(const struct event *ev);

#endif
