#ifndef RBLFORGE_REPORT_JOB_H
#define RBLFORGE_REPORT_JOB_H
/*
 * The customer reports wired into a command: the outbound collector as a
 * pipeline sink, the report built after the read, and its files published
 * with the run's other outputs (publish_extra) or on their own
 * (`rblforge report`).
 */
#include <stdbool.h>
#include <stdint.h>
#include "custout.h"
struct asn_db;
#include "customers.h"
#include "letter.h"
#include "outbound.h"
#include "pipeline.h"
#include "publish.h"

struct report_job {
    struct cust_policy cp;
    struct letter_policy lp;    /* [letters] */
    struct custmap *map;
    struct letters *letters;
    struct asn_db *geo;         /* [customers] geo_db, NULL if none */
    struct outbound *ob;
    struct pipeline_sink sink;
    struct cust_report rep;
    struct custview out;
    struct publish_extra extra;
    bool built;
};

/* Load the map (customers, or the config's map key) and the letter
 * templates (templates dir / languages, or the config's, or the installed
 * ones). False with a warning naming file:line on error (exit 2). */
bool report_job_init(struct report_job *j, const struct cust_policy *cp,
                     const struct letter_policy *lp, const char *customers,
                     const char *templates, const char *languages);
/* Join and build the report after the read; files are the input names;
 * asn (may be NULL) adds ASNs per login. */
struct asn_db;
void report_job_build(struct report_job *j, char *const *files, size_t nfiles, int64_t now,
                      struct asn_db *asn);
void report_job_free(struct report_job *j);

#endif
