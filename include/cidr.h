#ifndef RBLFORGE_CIDR_H
#define RBLFORGE_CIDR_H
/*
 * Prefix-set arithmetic for the exports: the minimal list of CIDR prefixes
 * that covers exactly a union of prefixes minus another union. Never wider
 * than the input: firewalls and zones list only what the evidence supports.
 */
#include <stdbool.h>
#include <stddef.h>
#include "ipaddr.h"

struct cidr_list {
    struct ipprefix *v;
    size_t n, cap;
};

void cidr_list_add(struct cidr_list *l, const struct ipprefix *p);
void cidr_list_free(struct cidr_list *l);

/* Appends to out, in address order, the minimal prefixes of one family
 * (4 or 6) covering (union of in) minus (union of ex). */
void cidr_minimal(const struct ipprefix *in, size_t nin, const struct ipprefix *ex,
                  size_t nex, int family, struct cidr_list *out);

/* Says whether a record (given by its start, which is its prefix) is part
 * of the input. */
typedef bool cidr_keep_fn(const void *rec, void *ctx);
/* Takes one prefix of the cover: the caller stores it where it likes. */
typedef void cidr_emit_fn(const struct ipprefix *p, void *ctx);
/* The same over an array of records of stride bytes that each begin with
 * a struct ipprefix (listings, zone entries), only those keep accepts (all
 * when keep is NULL), handing each prefix of the cover to emit, in address
 * order, instead of appending it to a list. sorted: the records are in
 * address order (listings and zone entries are), then read once as they
 * come, nothing copied but the exclusions; a record found out of order is
 * a bug and panics. Otherwise they are copied as ranges and sorted. ctx
 * goes to both. */
void cidr_minimal_each(const void *in, size_t stride, size_t nin, bool sorted,
                       cidr_keep_fn *keep, const struct ipprefix *ex, size_t nex, int family,
                       cidr_emit_fn *emit, void *ctx);

/* Fills *out with the i-th record's prefix; false if it is not part of
 * the input. */
typedef bool cidr_get_fn(size_t i, struct ipprefix *out, void *ctx);
/* cidr_minimal_each over nin records read through get (for records that
 * are not an array of prefixes), which must be in address order; ctx goes
 * to both. */
void cidr_minimal_get(cidr_get_fn *get, size_t nin, const struct ipprefix *ex, size_t nex,
                      int family, cidr_emit_fn *emit, void *ctx);

#endif
