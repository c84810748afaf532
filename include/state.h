#ifndef RBLFORGE_STATE_H
#define RBLFORGE_STATE_H
/*
 * What a nightly run remembers for the next one, in one file:
 *  - per listed entry: first seen, last evidence, last score, cause,
 *    listed-until (last evidence + [policy] expiry), and for entries removed
 *    by hand the removal time and note (they stay off unless new evidence
 *    reaches relist_factor x the threshold);
 *  - per input file read: device, inode, size, a hash of its first
 *    decompressed block and how much of it was read, so the next run reads
 *    only new data, also after logrotate renamed or compressed the file.
 * The file is text, versioned ("rblforge-state 1") and ends with a
 * checksum line; it is written to a temporary in the same directory,
 * fsync'd and renamed (util/atomic.c). A file that fails its checksum is refused:
 * running without it would silently delist entries.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "ipaddr.h"
#include "listing.h"
#include "policy.h"

#define STATE_HEAD_BLOCK 4096   /* bytes of decompressed data that identify a file */

struct state_entry {
    struct ipprefix pfx;
    int64_t first, last;        /* first evidence, last evidence (UTC) */
    double score;
    enum cause cause;
    int64_t listed_until;       /* 0 when not listed (removed by hand) */
    int64_t removed_at;         /* 0 unless removed by hand */
    const char *note;           /* removal note, printable ASCII, at most 127
                                 * bytes; "" if none (owned by the state) */
};

struct state_input {
    uint64_t dev, ino, size;
    uint32_t hlen;              /* bytes hashed: min(STATE_HEAD_BLOCK, data) */
    uint64_t hash;              /* FNV-1a 64 of the first hlen decompressed bytes */
    uint64_t consumed, lines;   /* decompressed bytes/lines read (whole lines) */
    int64_t seen;               /* the last run that saw the file */
    char name[256];
};

struct state;

struct state *state_new(void);
/* Loads path; a missing file is an empty state. false (with a warning
 * naming the file and line) when it is unreadable, of another version or
 * fails its checksum. */
bool state_load(struct state *s, const char *path);
/* Writes atomically; false with a warning on failure. */
bool state_save(const struct state *s, const char *path);
void state_free(struct state *s);

/* FNV-1a 64. */
uint64_t state_hash(const void *p, size_t n);
/* How much of an input was read before: fills *skip_bytes and *skip_lines
 * (0 for a file not seen before). head: the first bytes of its
 * decompressed data (up to STATE_HEAD_BLOCK). A record matches when
 * device and inode match and the hash of its first hlen bytes does, or,
 * for a renamed or compressed copy, when the hash alone does. */
void state_input_resume(const struct state *s, uint64_t dev, uint64_t ino,
                        const char *head, size_t headlen,
                        uint64_t *skip_bytes, uint64_t *skip_lines);
/* Record that an input was read up to consumed bytes / lines; replaces
 * the records it matched. Records not seen for 30 days are dropped at
 * save time. */
void state_input_done(struct state *s, const struct state_input *in);

/* Merge the run's decisions with the state, at time now: entries listed
 * again are updated (listed until last evidence + expiry) and marked
 * LF_NEW when they were not listed before; entries removed by hand stay
 * off unless their score reaches relist_factor x threshold (or their
 * auth score relist_factor x auth_threshold); entries still
 * within their time are carried into l (LF_STATE); expired ones are
 * dropped, and so are carried entries the allowlist (may be NULL) now
 * covers. Updates l->added/expired/held/carried. */
void state_apply(struct state *s, struct listings *l, const struct policy *p,
                 struct cidrset *allow, int64_t now);
/* Remove an entry by hand (known or not) at time now; note is sanitised
 * to printable ASCII. */
void state_remove(struct state *s, const struct ipprefix *pfx, int64_t now, const char *note);
/* The entry of pfx, or NULL. */
const struct state_entry *state_find(const struct state *s, const struct ipprefix *pfx);
size_t state_count(const struct state *s);
/* The newest last evidence of any entry; INT64_MIN if none has one. */
int64_t state_newest(const struct state *s);

#endif
