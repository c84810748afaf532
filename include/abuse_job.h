#ifndef RBLFORGE_ABUSE_JOB_H
#define RBLFORGE_ABUSE_JOB_H
/*
 * The abuse messages wired into a run: the run's sources with a contact
 * (abuse_plan), their raw log lines from a second reading of the inputs
 * (the aggregation keeps only the first and last line of an address, and
 * nothing per line may be kept on the main read's hot path), and the
 * messages staged into the publication as a publish_extra.
 */
#include <stdbool.h>
#include "abuse_mail.h"
#include "pipeline.h"
#include "publish.h"

struct abuse_job_key {
    struct ipaddr ip;
    size_t v;                   /* index in plan.v */
};

struct abuse_job {
    struct abuse_plan plan;
    struct abuse_evidence *ev;  /* one per plan.v */
    struct abuse_job_key *order;        /* the sources with a contact, by address */
    struct abuse_mail_in in;
    struct publish_extra extra;
};

/* Plans the messages for l and reads files again (po: the main read's
 * window and state, so the same lines are read) for the lines of the
 * sources that have a contact. aj->extra then stages them. */
void abuse_job_build(struct abuse_job *aj, const struct listings *l,
                     const struct abuse_contacts *c, const struct policy *p, bool with_state,
                     char *const *files, size_t nfiles, const struct pipeline_opts *po,
                     int64_t now);
void abuse_job_free(struct abuse_job *aj);

#endif
