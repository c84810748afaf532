#ifndef RBLFORGE_CUSTOUT_H
#define RBLFORGE_CUSTOUT_H
/*
 * The customer reports on disk: OUT/customers/index.csv, <customer>.json,
 * <customer>.txt, and OUT/report.html.
 *
 * Publishing: the customers/ files are written (each through atomic.h)
 * into a fresh staging directory OUT/.customers.new.XXXXXX; report.html is
 * an afile in OUT handed back to the caller, who renames it together with
 * its other outputs; custout_commit() then swaps the staging directory
 * with OUT/customers (renameat2 RENAME_EXCHANGE, or two renames where the
 * file system cannot exchange) and removes the old one. So a reader sees
 * yesterday's directory or today's, never a mix, and customers who sent
 * nothing today do not linger. Staging directories left by a killed run
 * are removed by the next one.
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

/* Write customers/ into a staging directory and report.html into an afile
 * (*html) the caller publishes. False (with warnings, nothing left behind)
 * on failure. */
bool custout_stage(struct custview *x, const char *outdir, struct afile **html);
/* Swap the staging directory into place; false with a warning. */
bool custout_commit(struct custview *x);
/* Remove the staging directory. */
void custout_abort(struct custview *x);

#endif
