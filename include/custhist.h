#ifndef RBLFORGE_CUSTHIST_H
#define RBLFORGE_CUSTHIST_H
/*
 * The customers' history across nights (run --state FILE keeps it in
 * FILE.customers): per login and per customer a compact baseline, its
 * daily volumes, the keys of the places it signed in from (origin ASN,
 * rDNS family, network, country) with first and last day seen, and the
 * last day it sent in each hour of the day (UTC). What was not seen for
 * [customers] history_days is forgotten when the history is saved.
 *
 * A night is judged against what was known before it: a key is known if
 * it was first seen on an earlier day, and today's own volume is not part
 * of the baseline, so running the same night twice judges it the same.
 *
 * The file is text, one record a line, names %-encoded; the last line
 * carries the number of lines and an FNV-1a 64 checksum of everything
 * before it. A file that fails it is refused (fail closed), a missing one
 * is a first night. Written through the atomic writer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct custhist;

enum custhist_kind { CUSTHIST_LOGIN = 'L', CUSTHIST_CUSTOMER = 'C' };

/* An empty history for the night of now (unix time; days are UTC days). */
struct custhist *custhist_new(int64_t now);
/* Reads path into h; a missing file is no error. False with a warning
 * naming path:line on a damaged or foreign file. */
bool custhist_load(struct custhist *h, const char *path);
/* Writes the history, without what is older than days, to path through
 * the atomic writer (mode 0600). False with a warning on failure. */
bool custhist_save(const struct custhist *h, const char *path, double days);
void custhist_free(struct custhist *h);

/* Whether the entity has any day before tonight. */
bool custhist_known_entity(const struct custhist *h, int kind, const char *name);
/* True if key ("a:64500", "f:ocn.ne.jp", "n:192.0.2.0/24", "c:JP") was
 * seen for the entity before tonight. */
bool custhist_known(const struct custhist *h, int kind, const char *name, const char *key);
/* The median of the entity's daily volumes before tonight, and the number
 * of those days (0: no baseline). */
double custhist_median(const struct custhist *h, int kind, const char *name, size_t *ndays);
/* Of the hours set in mask (bit h = UTC hour h), those in which the
 * entity never sent before tonight; 0 without history. */
uint32_t custhist_unusual_hours(const struct custhist *h, int kind, const char *name,
                                uint32_t mask);

/* Tonight's figures of an entity: messages, the place keys (n of them)
 * and the hours it sent in. Recording the same entity twice adds up. */
void custhist_record(struct custhist *h, int kind, const char *name, uint64_t messages,
                     const char *const *keys, size_t n, uint32_t hours);

#endif
