#ifndef RBLFORGE_CUSTOUT_H
#define RBLFORGE_CUSTOUT_H
/*
 * The customer reports on disk: OUT/customers/index.csv, <customer>.json,
 * a letter per language for customers above ok (<customer>.<lang>.txt and
 * <customer>.<lang>.eml for sendmail -t), and OUT/report.html.
 *
 * They are part of a publication (pubdir.h): written into its staging
 * directory and switched in with the zone files, so a reader sees
 * yesterday's reports or today's, never a mix, and customers who sent
 * nothing today do not linger.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "atomic.h"
#include "custview.h"
#include "outbuf.h"

/* index.csv: one row per customer, worst first. */
void custout_index_csv(struct outbuf *o, const struct cust_report *r);
/* <customer>.json: figures, signals with figures and evidence. */
void custout_json(struct outbuf *o, const struct custview *x, const struct customer *c);

/* Write dir/customers/ (dir is the staging directory of a publication,
 * pubdir.h) and report.html into an afile in dir (*html) the caller
 * finishes with its other outputs. False with warnings on failure; what
 * was written goes with the staging directory. */
bool custout_stage(struct custview *x, const char *dir, struct afile **html);

#endif
