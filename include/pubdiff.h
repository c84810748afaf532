#ifndef RBLFORGE_PUBDIFF_H
#define RBLFORGE_PUBDIFF_H
/*
 * What a publication changes: the day's entries against those of the
 * previous listings.csv, compared as the text "prefix,cause" (its first
 * two cells) and listed in strcmp order.
 */
#include <stdbool.h>
#include <stddef.h>
#include "listing.h"

struct pubdiff_keys {
    const char **v;             /* "prefix,cause", sorted; owned by the pubdiff */
    size_t n;
};

struct pubdiff {
    struct pubdiff_keys prev, cur, added, removed;
    size_t kept;
    char *prev_text, *cur_text; /* where the strings live */
};

/* Reads OUTDIR/listings.csv into d->prev (d zeroed before); false if there
 * is none. */
bool pubdiff_read_previous(struct pubdiff *d, const char *outdir);
/* Fills d->cur from l and compares it with d->prev. */
void pubdiff_compute(struct pubdiff *d, const struct listings *l);
void pubdiff_free(struct pubdiff *d);

#endif
