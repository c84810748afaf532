#ifndef RBLFORGE_PUBDIFF_H
#define RBLFORGE_PUBDIFF_H
/*
 * What a publication changes: the day's entries against those of the
 * previous listings.csv, compared as the text "prefix,cause" (its first
 * two cells) and listed in prefix order (address, then length, then
 * cause: the order of listings.csv).
 *
 * Memory: the previous entries are read through a fixed buffer and
 * compared as they come (both sides are in prefix order; a file that is
 * not is read again and its keys sorted), keeping only the removed ones.
 * The added entries are indices into the listings and the removed ones
 * keys; the text of one is made on demand
 * (pubdiff_added_text, pubdiff_removed_text). Only previous lines that
 * are no entry's text ("junk") are kept as text.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "listing.h"
#include "span.h"

/* A buffer that holds the text of any added or keyed removed entry. */
#define PUBDIFF_TEXT_MAX (IPPREFIX_STRLEN + 32)

struct pubdiff_key;             /* a previous entry in binary; see pubdiff.c */
struct pubdiff_reader;          /* the previous listings.csv, open */

struct pubdiff {
    size_t prev, cur, kept;     /* entries before, now, and in both */
    struct {
        uint32_t *v;            /* indices into the listings' v, prefix order;
                                 * NULL: 0 .. n - 1 (no previous entries) */
        size_t n;
    } added;
    struct {
        struct pubdiff_key *v;  /* the keyed ones, prefix order */
        size_t n;               /* all: the keyed ones, then the njunk junk lines */
    } removed;
    struct pubdiff_reader *reader;      /* between read and compute */
    /* During compute: the removed keys (or, for a file out of prefix
     * order, every previous key). After compute, removed.v is this array. */
    struct pubdiff_key *keys;
    size_t nkeys, keys_cap;
    /* The previous lines that do not, in file order: junk_at[k] is where
     * the k-th starts in junk (each ends with a NUL). */
    char *junk;
    size_t *junk_at;
    size_t njunk, junk_len, junk_cap, junk_at_cap;
};

/* Opens OUTDIR/listings.csv (d zeroed before) for pubdiff_compute, which
 * reads it; false if there is none. */
bool pubdiff_read_previous(struct pubdiff *d, const char *outdir);
/* Compares l with the previous keys: fills added, removed, cur and kept.
 * d then refers to l's entries by index: l must outlive the lists and
 * not change. Fatal if l has more than UINT32_MAX entries. */
void pubdiff_compute(struct pubdiff *d, const struct listings *l);
/* Added entry i (< d->added.n) as "prefix,cause", written to buf; l is
 * the listings d was computed with. The span points into buf. */
struct span pubdiff_added_text(const struct pubdiff *d, const struct listings *l, size_t i,
                               char buf[PUBDIFF_TEXT_MAX]);
/* Removed entry i (< d->removed.n) as "prefix,cause": a keyed one is
 * written to buf, a junk line points into d (valid until pubdiff_free). */
struct span pubdiff_removed_text(const struct pubdiff *d, size_t i, char buf[PUBDIFF_TEXT_MAX]);
/* Is removed entry i junk, a previous line as it was? Every other text is
 * made here from a key: an address and a cause name, nothing to escape. */
bool pubdiff_removed_junk(const struct pubdiff *d, size_t i);
/* Frees what d holds and zeroes it. */
void pubdiff_free(struct pubdiff *d);

#endif
