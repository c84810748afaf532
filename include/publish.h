#ifndef RBLFORGE_PUBLISH_H
#define RBLFORGE_PUBLISH_H
/*
 * Publishing a run: every output file is written to a temporary in OUTDIR
 * and renamed into place only when all of them were written (atomic.h).
 * The table of outputs lives here; a new format is one more row.
 */
#include <stdbool.h>
#include "export.h"
#include "listing.h"
#include "policy.h"

/* Write and publish every output; false (with warnings) if any failed, in
 * which case the previously published files are unchanged. */
bool publish_report(const char *outdir, const struct export_ctx *x);
/* publish_report with the listings and policy only. */
bool publish_all(const char *outdir, const struct listings *l, const struct policy *p);

#endif
