#ifndef RBLFORGE_STATE_H
#define RBLFORGE_STATE_H
/*
 * What a nightly run remembers for the next one:
 *  - per listed entry: first seen, last evidence, last score, cause,
 *    listed-until (last evidence + [policy] expiry), and for entries removed
 *    by hand the removal time (they stay off unless new evidence reaches
 *    relist_factor x the threshold);
 *  - the notes of the removals by hand, every one kept (a history);
 *  - the inputs read (state_input.h).
 * This module holds them and moves entries on (state_apply, state_remove);
 * the file they are kept in, and its lock, are state_file.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "ipaddr.h"
#include "listing.h"
#include "policy.h"
#include "state_input.h"

#define STATE_NOTE_MAX 512      /* bytes of one note */

struct state_entry {
    struct ipprefix pfx;
    int64_t first, last;        /* first evidence, last evidence (UTC) */
    double score;
    enum cause cause;
    int64_t listed_until;       /* 0 when not listed (removed by hand) */
    int64_t removed_at;         /* 0 unless removed by hand */
    const char *note;           /* the latest removal's note; "" if none
                                 * (owned by the state) */
};

/* One removal by hand: when, and the note given ("" for none). */
struct state_note {
    struct ipprefix pfx;
    int64_t at;
    const char *text;           /* UTF-8 without control bytes (owned by the state) */
    size_t seq;                 /* order of arrival, for equal times */
};

struct state;

struct state *state_new(void);
void state_free(struct state *s);

size_t state_count(const struct state *s);
/* Entry i of state_count, in prefix order. */
const struct state_entry *state_entry_at(const struct state *s, size_t i);
/* The entry of pfx, or NULL. */
const struct state_entry *state_find(const struct state *s, const struct ipprefix *pfx);
/* Add an entry as read from a file (its note copied, made valid). */
void state_put(struct state *s, const struct state_entry *e);
/* The newest last evidence of any entry; INT64_MIN if none has one. */
int64_t state_newest(const struct state *s);
/* The state's input records (state_input.h). */
struct state_inputs *state_inputs(struct state *s);
const struct state_inputs *state_inputs_of(const struct state *s);

/* A note as it may be stored: valid UTF-8 of at most STATE_NOTE_MAX
 * bytes without control characters (C0, DEL, C1: no tabs or newlines). */
bool state_note_ok(const char *text);
/* Record a removal's note (copied; bytes state_note_ok refuses become '?'). */
void state_note_add(struct state *s, const struct ipprefix *pfx, int64_t at, const char *text);
/* The notes of pfx, oldest first: *n of them (NULL if none). */
const struct state_note *state_notes(const struct state *s, const struct ipprefix *pfx,
                                     size_t *n);
/* Every note, in prefix then time order: for the file writer. */
const struct state_note *state_notes_all(const struct state *s, size_t *n);

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
/* Remove an entry by hand (known or not) at time now, with a note (NULL
 * or "" for none; earlier notes are kept). */
void state_remove(struct state *s, const struct ipprefix *pfx, int64_t now, const char *note);

#endif
