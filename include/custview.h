#ifndef RBLFORGE_CUSTVIEW_H
#define RBLFORGE_CUSTVIEW_H
/*
 * What the customer-report writers (custout.c for the files, custhtml.c
 * for report.html) are given: the report, the inputs' names, the letters
 * and a summary of the day's listings. Below both writers, so neither
 * includes the other's header.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "customers.h"
#include "letter.h"
#include "listing.h"

struct asn_db;
struct pubdiff;

/* What report.html says about the day's listings (optional). */
struct custview_listing {
    bool have;
    size_t seen, listed, allowlisted;
    size_t by_cause[CAUSE__COUNT];
    bool have_diff;
    size_t added, removed, kept, previous;
    /* For the dashboard, valid while the page is written: the listings
     * themselves, the ASN database (NULL: no names), the diff against the
     * previous publication (NULL: none). */
    const struct listings *l;
    const struct asn_db *asn;
    const struct pubdiff *diff;
};

struct custview {
    const struct cust_report *r;
    char *const *files;         /* input names by command-line index */
    size_t nfiles;
    const struct letters *letters;
    const struct letter_policy *lp;     /* [letters]; may be NULL */
    struct custview_listing listing;
    int64_t now;
};

/* Fill the listing summary from the day's listings (l may be NULL). */
void custview_listing_from(struct custview_listing *s, const struct listings *l);

#endif
