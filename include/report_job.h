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
    const struct asn_db *asn;   /* report_job_build's, for the dashboard's names */
    bool built;
    struct custhist *hist;      /* with --state: STATE.customers */
    char hist_path[4096], hist_bak[4200];
    bool hist_saved;
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
/* With --state: the customers' history STATE.customers (custhist.h) for
 * the night of now; false with a warning if it is damaged (fail closed). */
bool report_job_history(struct report_job *j, const char *state, int64_t now);
/* Saves tonight's history (after report_job_build), the previous one
 * kept aside as .prev until report_job_settle_history; true if there is
 * none. Called just before the publication is switched in. */
bool report_job_save_history(struct report_job *j);
/* After the switch: drop the previous history, or put it back when the
 * publication was not switched in. */
void report_job_settle_history(struct report_job *j, bool published);
void report_job_free(struct report_job *j);

#endif
