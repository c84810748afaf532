#ifndef RBLFORGE_PARTIAL_H
#define RBLFORGE_PARTIAL_H
/*
 * Partial aggregates: what `rblforge scan` read from some logs, kept so
 * that `rblforge merge` can decide and publish later from many of them,
 * as one run over all the logs would. A partial holds the per-address
 * table (agg.h, with rDNS names and evidence positions), the customer
 * collector's records before the queue-ID join (outbound.h), the inputs
 * it read (names, first stamp, reading positions for the state), the
 * reading statistics, the options that shape aggregation and the period
 * the events cover.
 *
 * The file is binary and streamed: a magic line and a version, a header
 * (options, inputs, then the reading statistics with the parser's tables),
 * the address records in address order (IPv4 keys delta-coded), the queue
 * lines no chunk paired (agg_qline, in agg_settle's order), the customer
 * collector's records, then a 64-bit checksum of everything before it
 * (multiply-xorshift over little-endian words). Version 2 added the
 * parser's per-family counts and tables, the own zones, the open queue-ID
 * pairings and this checksum (version 1 had FNV-1a). Version 3 added the
 * raw log line the collector keeps for a message's first record and an
 * unsent attempt (the customers' letters quote it). Version 4 hashes the
 * open pairings' keys (agg_qline.key) a word at a time.
 * Integers are LEB128 varints (signed ones zigzag-coded). Positions name
 * files by their index in the partial's own file table; the reader
 * renumbers them (partial_load's map) into the merge's global order.
 * Written through the atomic writer: a killed or retried task never
 * leaves half a partial under the final name.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "agg.h"
#include "outbound.h"
#include "parse.h"
#include "state.h"

#define PARTIAL_VERSION 4
#define PARTIAL_MAX_FILES (1u << 20)    /* struct agg_pos numbers files in 20 bits */

enum partial_flag {
    PARTIAL_OUTBOUND = 1 << 0,  /* the customer collector's records are in */
    PARTIAL_LINES = 1 << 1,     /* evidence lines are kept */
    PARTIAL_INPUTS = 1 << 2,    /* reading positions (read with a state) */
};

/* The reading statistics, summed over the files. */
struct partial_counts {
    uint32_t files, unreadable, damaged;
    uint64_t bytes, dropped_lines;
    struct parse_stats parse;   /* examples' file indices: the partial's own */
};

struct partial_file {
    char *name;                 /* as given on the scan's command line */
    bool has_first;
    int64_t first_ts;           /* the file's first stamped event: the merge's order */
    bool has_input;
    struct state_input in;      /* how far it was read (PARTIAL_INPUTS) */
};

struct partial_head {
    unsigned version, flags;    /* enum partial_flag */
    int year;                   /* --year, 0 = inferred */
    char tz[128];               /* TZ of stamps without an offset, "" if unset */
    struct agg_conf zones;      /* the own zones the lines were classified with */
    int64_t since, until;       /* the reading window, 0 = unbounded */
    bool has_period;
    int64_t period_first, period_last;  /* earliest and latest event counted */
    struct partial_counts counts;
    struct partial_file *files;
    size_t nfiles;
};

/* Write a (agg_keeps_lines must match PARTIAL_LINES; not settled: its
 * open queue lines are written, sorted in place) and ob (the records
 * before the join; NULL unless PARTIAL_OUTBOUND) with h to path,
 * atomically. h's period is computed here from the records. False with a
 * warning; nothing is left under path then. */
bool partial_write(const char *path, const struct partial_head *h, struct agg *a,
                   const struct outbound *ob);

struct partial_reader;
/* Open path and read its header into h (h's strings are the caller's:
 * partial_head_free). NULL with a warning naming the file when it is not
 * a partial, of another version, or cut short. */
struct partial_reader *partial_open(const char *path, struct partial_head *h);
/* Add the records and open queue lines into a and ob (ob NULL: skipped),
 * their file indices renumbered through map (one entry per h->nfiles;
 * h->counts' are the caller's to renumber), then check the
 * checksum. False with a warning if the file is damaged: a and ob then
 * hold part of it and must be dropped. */
bool partial_load(struct partial_reader *r, const uint32_t *map, struct agg *a,
                  struct outbound *ob);
/* NULL is a no-op. */
void partial_close(struct partial_reader *r);
void partial_head_free(struct partial_head *h);

/* Do partials a and b agree on what shapes aggregation (flags, year, TZ,
 * own zones and, unless window, the reading window)? If not, why in why. */
bool partial_compatible(const struct partial_head *a, const struct partial_head *b,
                        bool window, char *why, size_t n);
/* Are own zones a and b the same list? */
bool partial_same_zones(const struct agg_conf *a, const struct agg_conf *b);

#endif
