#ifndef RBLFORGE_ABUSE_PLAN_H
#define RBLFORGE_ABUSE_PLAN_H
/*
 * Which sources the abuse desks hear about and who hears: one rule for
 * summary.json and the messages (abuse_mail.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include "abuse.h"
#include "listing.h"

/* Whether the abuse desks hear about e: a listed address (not a network,
 * a denylist entry or an entry carried from the state file) with
 * evidence of this run, and with a state file (with_state) newly listed
 * by this run. Allowlisted and held addresses are not in the listing at
 * all. summary.json and the messages use this one rule. */
bool abuse_source(const struct listing *e, bool with_state);

/* The run's sources (abuse_source) with their contacts. */
struct abuse_item {
    const struct listing *e;
    int64_t first, last;                /* its evidence (struct listing_more) */
    const struct abuse_contact *c;      /* NULL: no contact */
    const char *via;                    /* "prefix" or "asn"; NULL without a contact */
};

struct abuse_plan {
    struct abuse_item *v;       /* every source, in listing order */
    size_t n, with_contact;
    /* The sources with a contact grouped by contact address (byte order
     * of the address), each group in listing order: a contact's messages
     * go to one directory and a group of two or more gets a digest. */
    const struct abuse_item **by_contact;
};

/* Fills p from l (kept, not copied) and the table c. */
void abuse_plan_build(struct abuse_plan *p, const struct listings *l,
                      const struct abuse_contacts *c, bool with_state);
/* The end of the group starting at by_contact[i]. */
size_t abuse_plan_group_end(const struct abuse_plan *p, size_t i);
void abuse_plan_free(struct abuse_plan *p);

#endif
