#ifndef RBLFORGE_AGG_H
#define RBLFORGE_AGG_H
/*
 * Evidence per source address: counts per class, first/last seen and the
 * hostname Postfix logged. IPv4 records are found through a hash of the
 * address, and walked in address order through a sorted copy of it made
 * by the first walk after a change; IPv6 ones through a JudyL of JudyLs
 * keyed by the two 64-bit halves (exact, no hashing). One table per
 * thread (or a batch table per thread, merged and emptied over and over);
 * agg_merge() combines them with commutative rules (sums, min/max,
 * earliest position), so the result does not depend on which thread read
 * which file. The only file that uses Judy's arrays (judy_mem.c gives them
 * their memory).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
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
    /* Never evidence and never weighed; kept to be reported. */
    AC_AUTHENTICATED,           /* SASL logins that succeeded (client=, disconnect auth=N) */
    AC_OWN_ZONE,                /* refusals and DNSBL hits citing our own zones */
    /* Evidence again; after the two above so that the columns of
     * listings.csv written before it keep their places. */
    AC_SPF_FAIL,                /* an SPF fail the policy daemon did not refuse */
    AC__COUNT
};

/* Position of a line: file index on the command line, then line number;
 * packed into 8 bytes (2^20 files, 2^44 lines) to keep tables small. */
struct agg_pos {
    uint64_t line : 44;
    uint64_t file : 20;
};

/* A run keeps one for every address seen, so counts are kept only for the
 * classes an address has (2 to 5 of them, typically), packed in class
 * order behind a 34-byte header, 16 bits each: 40 bytes with up to three
 * counts, 48 with four to seven. A record whose count passes 65535 or
 * whose evidence time is not in [0, 2^32) is widened: cnt then holds the
 * two evidence times (int64) and then 32-bit counts. The address is the
 * table's key, not part of the record (agg_walk passes it). Read counts
 * with ip_stats_n() or ip_stats_counts(), evidence times with
 * ip_stats_ev_first() and ip_stats_ev_last(). Fields are ordered by size:
 * no padding before cnt. */
struct ip_stats {
    /* First logged hostname, NULL if none. In a table's own records its
     * line's position sits in the 8 bytes before it, for agg.c alone. */
    const char *rdns;
    uint32_t asn;               /* 0 = unknown; set after the merge (asn.h) */
    /* UTC seconds of the first/last event, 0 = none. Unsigned 32 bits reach
     * 2106; a stamp before 1970 or after that counts but is not shown. */
    uint32_t first, last;
    uint32_t mask;              /* bit c set: cnt holds class c's count */
    /* The evidence times of a record that is not wide, for agg.c alone. */
    uint32_t ev32_first, ev32_last;
    bool rdns_unknown : 1;      /* Postfix logged "unknown" for it */
    bool wide : 1;              /* cnt: 2 x int64 times, 32-bit counts, unaligned */
    bool has_ev : 1;            /* evidence times are set, for agg.c alone */
    uint8_t cap;                /* room in cnt, in 16-bit units, for agg.c alone */
    uint16_t cnt[];             /* one count per bit of mask, in class order */
};
_Static_assert(AC__COUNT <= 32, "a class mask is 32 bits");

/* Bits set in x. __builtin_popcount is a call into libgcc unless the
 * build targets a CPU with POPCNT; this is what it computes, inline. */
static inline unsigned agg_popcount(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >> 2) & 0x33333333);
    return (((x + (x >> 4)) & 0x0F0F0F0F) * 0x01010101) >> 24;
}

/* The i-th count of st's packed counts. */
static inline uint32_t ip_stats_at(const struct ip_stats *st, unsigned i)
{
    uint32_t v;

    if (__builtin_expect(!st->wide, 1))
        return st->cnt[i];
    memcpy(&v, &st->cnt[8 + 2 * i], sizeof(v));
    return v;
}

/* Time of the earliest evidence (any class but connect, accepted,
 * postscreen pass, authenticated and own zone; 0 for a line without a
 * stamp); INT64_MAX if none. Its line is kept only if the table was asked
 * to (agg_evidence_lines). */
static inline int64_t ip_stats_ev_first(const struct ip_stats *st)
{
    int64_t v;

    if (!st->has_ev)
        return INT64_MAX;
    if (__builtin_expect(!st->wide, 1))
        return st->ev32_first;
    memcpy(&v, &st->cnt[0], sizeof(v));
    return v;
}

/* Time of the latest evidence; INT64_MIN if none. */
static inline int64_t ip_stats_ev_last(const struct ip_stats *st)
{
    int64_t v;

    if (!st->has_ev)
        return INT64_MIN;
    if (__builtin_expect(!st->wide, 1))
        return st->ev32_last;
    memcpy(&v, &st->cnt[4], sizeof(v));
    return v;
}

/* The count of class c in st (0 if it has none). */
static inline uint32_t ip_stats_n(const struct ip_stats *st, enum agg_class c)
{
    uint32_t bit = UINT32_C(1) << c;

    return st->mask & bit ? ip_stats_at(st, agg_popcount(st->mask & (bit - 1))) : 0;
}

/* Every count of st into n, 0 for the classes it does not have: for
 * loops over all classes. */
static inline void ip_stats_counts(const struct ip_stats *st, uint32_t n[AC__COUNT])
{
    unsigned i = 0;

    for (int c = 0; c < AC__COUNT; c++)
        n[c] = 0;
    for (uint32_t m = st->mask; m; m &= m - 1)
        n[__builtin_ctz(m)] = ip_stats_at(st, i++);
}

struct agg;

/* What the table must know of the configuration to classify lines: the
 * zones we publish ourselves (a refusal citing them is our own listing at
 * work, never new evidence). Owned by the caller, which keeps it alive as
 * long as the tables that use it. */
#define AGG_ZONES_MAX 8
#define AGG_ZONE_LEN 254
#define AGG_TXT_MAX 4
#define AGG_TXT_LEN 256
struct agg_conf {
    unsigned nzones;
    char zone[AGG_ZONES_MAX][AGG_ZONE_LEN];
    /* The TXT templates our zones serve ('$' = the queried address):
     * rblsmtpd logs the TXT answer, not the zone's name. */
    unsigned ntxt;
    char txt[AGG_TXT_MAX][AGG_TXT_LEN];
};

/* evidence_lines: also keep where each address's first and last evidence
 * was (explain shows the lines), 16 bytes more per address. */
struct agg *agg_new(bool evidence_lines);
/* The same, classifying with conf (NULL: no own zones). */
struct agg *agg_new_conf(bool evidence_lines, const struct agg_conf *conf);
/* The table is about to be fed the lines of a new chunk of input: a
 * queue ID's lines are paired within a chunk at once, across chunks by
 * agg_settle (see agg.c). Optional: without it, all input is one chunk. */
void agg_chunk_begin(struct agg *a);
/* After the last merge: pair the queue lines left unpaired (a message's
 * smtpd client= and its qmgr line in different chunks) and credit the
 * accepted messages they reveal. The result does not depend on how the
 * input was cut into chunks or which table saw which. */
void agg_settle(struct agg *a);
/* Count ev if it carries a client address and maps to a class. A record
 * that needs room for another class moves: pointers into a table hold
 * until the next agg_add or agg_merge into it. */
void agg_add(struct agg *a, const struct event *ev);
/* Add src into dst; src is left unchanged, dst's records may move. Both
 * keep evidence lines or neither does. */
void agg_merge(struct agg *dst, const struct agg *src);
size_t agg_count(const struct agg *a);
/* The lines of st's first and last evidence, if a keeps them (see
 * agg_new) and st has evidence. */
bool agg_evidence_lines(const struct agg *a, const struct ip_stats *st,
                        struct agg_pos *first, struct agg_pos *last);
/* Record for ip, or NULL. */
const struct ip_stats *agg_lookup(const struct agg *a, const struct ipaddr *ip);
/* Visit every record in address order (IPv4, then IPv6). The address is
 * the table's key, not part of the record. The first walk after a change
 * sorts the IPv4 index into a copy (6 bytes an address) that stays until
 * the next change, agg_seal or agg_drop_index: not while another thread
 * reads a. */
typedef void agg_visit_fn(const struct ipaddr *ip, const struct ip_stats *st, void *ctx);
void agg_walk(const struct agg *a, agg_visit_fn *fn, void *ctx);
/* The same in no particular order, without that copy. */
void agg_visit(const struct agg *a, agg_visit_fn *fn, void *ctx);
/* The same, with writable records: for annotations made after the merge
 * (the ASN), never for counts. Neither walk's callback may add to the
 * table it walks (records would move under the walk). */
typedef void agg_update_fn(const struct ipaddr *ip, struct ip_stats *st, void *ctx);
void agg_update(struct agg *a, agg_update_fn *fn, void *ctx);
/* agg_collect's place in a table's address order; start zeroed. */
struct agg_cursor {
    uint64_t hi, lo;            /* the next IPv6 key to look at */
    uint64_t v4;                /* the next IPv4 key (past 2^32: IPv4 done) */
    bool v6_done;
};
/* The next records, up to max of them, in agg_walk's order (IPv4, then
 * IPv6, by address) into ip[] and st[]; the count, 0 at the end. The
 * table must not change between calls. Lets a caller walk on by batches
 * while it works on the batch before. */
size_t agg_collect(const struct agg *a, struct agg_cursor *c, struct ipaddr *ip,
                   const struct ip_stats **st, size_t max);
/* Bytes held for records and strings, with records waiting for reuse
 * (not Judy's own nodes). */
size_t agg_memory(const struct agg *a);
/* The index of IPv4 addresses as sorted arrays alone (6 bytes an
 * address), the hash freed: true if done (false if a has no IPv4 address
 * or was sealed). Lookups and walks go on as before; nothing may be added
 * to a any more. */
bool agg_seal(struct agg *a);
/* Frees a's index of addresses, not its records (pointers to them stay
 * valid): agg_count and agg_free alone may follow, not lookups or walks.
 * Its memory goes back to the kernel if no other Judy array is in use
 * (judy_mem_release). */
void agg_drop_index(struct agg *a);
/* Empty a, as agg_new left it, keeping its memory for the records to
 * come: a thread's table is merged and refilled many times a run. */
void agg_clear(struct agg *a);
void agg_free(struct agg *a);

/* One record in a portable form, for partial files (partial.c): what a
 * table keeps of an address, positions included. rdns points into the
 * table (agg_rec_get) or the caller's buffer (agg_put); rdns_n <= 255. */
struct agg_rec {
    uint32_t n[AC__COUNT];
    uint32_t mask;
    uint32_t first, last;
    int64_t ev_first_ts, ev_last_ts;    /* INT64_MAX / INT64_MIN: no evidence */
    struct agg_pos ev_first, ev_last;   /* valid if the table keeps lines */
    const char *rdns;                   /* NULL if none */
    size_t rdns_n;
    struct agg_pos rdns_pos;
    bool rdns_unknown;
};
/* Does a keep evidence lines (agg_new)? */
bool agg_keeps_lines(const struct agg *a);
/* st (a record of a) into r. */
void agg_rec_get(const struct agg *a, const struct ip_stats *st, struct agg_rec *r);
/* Add r as the record of ip with agg_merge's rules; r's positions must
 * already be in a's file numbering. The lines are ignored if a keeps
 * none. */
void agg_put(struct agg *a, const struct ipaddr *ip, const struct agg_rec *r);
/* A hint that ip is put soon: its place in a's index is fetched into the
 * cache meanwhile (IPv4; nothing else). */
void agg_prefetch(const struct agg *a, const struct ipaddr *ip);

/* One end of a queue-ID pairing left open: an smtpd client= line (ip
 * set) or a qmgr sender line (ip.family 0), keyed by a hash of the host
 * and the queue ID. Partial files carry them so that a merge pairs what
 * its partials' reads left open, as one run's agg_settle would have. */
struct agg_qline {
    uint64_t key;
    int64_t ts;                 /* 0 if the line had no stamp */
    struct agg_pos pos;
    struct ipaddr ip;
};
typedef void agg_qline_fn(const struct agg_qline *q, void *ctx);
/* Visit the queue lines a holds unpaired (agg_settle not called), in the
 * order agg_settle takes them; their count. a's lists are sorted and
 * joined in place, which changes nothing that a reads later. */
size_t agg_open_lines(struct agg *a, agg_qline_fn *fn, void *ctx);
/* Add q (its position in a's file numbering) to a's unpaired lines. */
void agg_put_line(struct agg *a, const struct agg_qline *q);

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
/* The class an event counts in, or -1 for none. qmgr's "from=<...>,
 * size=..., nrcpt=..." is AC_ACCEPTED: a message is accepted when qmgr
 * takes it, and the table credits it to the client whose smtpd client=
 * line has the same host and queue ID. */
int agg_classify(const struct event *ev);
/* The same, with the zones of conf as our own (NULL: none). */
int agg_classify_conf(const struct agg_conf *conf, const struct event *ev);
/* True if zone (a name from a log line) is one of conf's own zones:
 * ASCII case ignored, a trailing dot allowed. */
bool agg_own_zone(const struct agg_conf *conf, struct span zone);
/* True if text, the reply rblsmtpd (or a qmail-smtpd RBL patch) logged,
 * is one of conf's TXT templates as rbldnsd serves it: an optional
 * "NNN " code, then the template with each '$' standing for a run of
 * address characters. rblsmtpd cuts the TXT at 200 bytes: a text of
 * exactly 200 bytes that matches so far matches. */
bool agg_own_txt(const struct agg_conf *conf, struct span text);

#endif
