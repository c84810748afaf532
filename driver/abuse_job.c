/* The abuse messages wired into a run; see abuse_job.h. */
#include <stdlib.h>
#include <string.h>
#include "abuse_job.h"
#include "listing.h"
#include "state.h"
#include "xalloc.h"

static int cmp_key(const void *x, const void *y)
{
    return ipaddr_cmp(&((const struct abuse_job_key *)x)->ip,
                      &((const struct abuse_job_key *)y)->ip);
}

/* One line of the second reading: kept if its client is a source. */
static void on_line(const struct event *ev, struct span line, void *ctx)
{
    struct abuse_job *aj = ctx;
    size_t lo = 0, hi = aj->plan.with_contact;

    if (ev->ip.family == 0)
        return;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t v = aj->order[mid].v;
        int r = ipaddr_cmp(&aj->order[mid].ip, &ev->ip);
        if (r == 0) {
            abuse_evidence_add(&aj->ev[v], line.p, line.n);
            return;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
}

static bool stage(void *ctx, const char *dir, const struct listings *l,
                  const struct publish_result *r, struct afile **af)
{
    struct abuse_job *aj = ctx;

    (void)l, (void)r;
    *af = NULL;
    return abuse_mail_stage(&aj->in, dir);
}

void abuse_job_build(struct abuse_job *aj, const struct listings *l,
                     const struct abuse_contacts *c, const struct policy *p, bool with_state,
                     char *const *files, size_t nfiles, const struct pipeline_opts *po,
                     int64_t now)
{
    memset(aj, 0, sizeof(*aj));
    abuse_plan_build(&aj->plan, l, c, with_state);
    aj->ev = xcalloc(aj->plan.n ? aj->plan.n : 1, sizeof(*aj->ev));
    aj->order = xcalloc(aj->plan.with_contact ? aj->plan.with_contact : 1, sizeof(*aj->order));
    for (size_t i = 0; i < aj->plan.with_contact; i++)
        aj->order[i] = (struct abuse_job_key){ aj->plan.by_contact[i]->e->pfx.addr,
                                               (size_t)(aj->plan.by_contact[i] - aj->plan.v) };
    qsort(aj->order, aj->plan.with_contact, sizeof(*aj->order), cmp_key);
    if (aj->plan.with_contact) {
        /* The same window and, with a state, the same starting points as
         * the main read; its own record of how far each file was read is
         * thrown away. */
        struct pipeline_opts o = *po;
        struct pipeline_stats st;
        o.sink = NULL;
        o.progress = 0;
        o.evidence_lines = false;
        o.inputs = po->inputs ? xcalloc(nfiles ? nfiles : 1, sizeof(*po->inputs)) : NULL;
        pipeline_lines(files, nfiles, &o, on_line, aj, &st);
        free(o.inputs);
    }
    aj->in = (struct abuse_mail_in){ &aj->plan, aj->ev, p, now };
    aj->extra = (struct publish_extra){ stage, aj };
}

void abuse_job_free(struct abuse_job *aj)
{
    for (size_t i = 0; i < aj->plan.n; i++)
        abuse_evidence_free(&aj->ev[i]);
    free(aj->ev);
    free(aj->order);
    abuse_plan_free(&aj->plan);
    memset(aj, 0, sizeof(*aj));
}
