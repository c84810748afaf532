#ifndef RBLFORGE_PUBDIFF_H
#define RBLFORGE_PUBDIFF_H
/*
 * What a publication changes: the day's entries against those of the
 * previous listings.csv, compared as the text "prefix,cause" (its first
 * two cells) and listed in strcmp order.
 *
 * Memory: the previous entries are kept as small binary keys, read
 * through a fixed buffer; only the added and removed entries become text.
 */
#include <stdbool.h>
#include <stddef.h>
#include "listing.h"

struct pubdiff_keys {
    const char **v;             /* "prefix,cause", sorted; owned by the pubdiff */
    size_t n;
};

struct pubdiff_key;             /* a previous entry in binary; see pubdiff.c */

struct pubdiff {
    struct pubdiff_keys added, removed;
    size_t prev, cur, kept;     /* entries before, now, and in both */
    /* Between read and compute: the previous entries that parse as a
     * prefix and a cause, and (as text in rtext) those that do not. */
    struct pubdiff_key *keys;
    size_t nkeys, keys_cap, njunk;
    char *atext, *rtext;        /* where the added and removed strings live */
    size_t alen, acap, rlen, rcap;
};

/* Reads the keys of OUTDIR/listings.csv (d zeroed before); false if there
 * is none. */
bool pubdiff_read_previous(struct pubdiff *d, const char *outdir);
/* Compares l with the previous keys: fills added, removed, cur and kept. */
void pubdiff_compute(struct pubdiff *d, const struct listings *l);
/* Frees what d holds and zeroes it. */
void pubdiff_free(struct pubdiff *d);

#endif
