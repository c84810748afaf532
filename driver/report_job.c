/* The customer reports wired into a job: the outbound collector as a
 * pipeline sink, the report built after the read, its files published
 * with the run's other outputs or on their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "report_job.h"
#include "config.h"
#include "asn.h"
#include "msg.h"

#ifndef RBLFORGE_DATADIR
#define RBLFORGE_DATADIR "/usr/local/share/rblforge"
#endif

static void *sink_new(void *ctx)
{
    (void)ctx;
    return outbound_new();
}

static void sink_add(void *state, const struct event *ev)
{
    outbound_add(state, ev);
}

static void sink_done(void *ctx, void *state)
{
    struct report_job *j = ctx;
    outbound_merge(j->ob, state);
    outbound_free(state);
}

static void sink_discard(void *state)
{
    outbound_free(state);
}

static bool extra_stage(void *ctx, const char *dir, const struct listings *l,
                        const struct publish_result *r, struct afile **af)
{
    struct report_job *j = ctx;

    custview_listing_from(&j->out.listing, l);
    j->out.listing.have_diff = true;
    j->out.listing.added = r->added;
    j->out.listing.removed = r->removed;
    j->out.listing.kept = r->kept;
    j->out.listing.previous = r->previous;
    j->out.listing.diff = r->diff;
    j->out.listing.asn = j->asn;
    return custout_stage(&j->out, dir, af);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool report_job_init(struct report_job *j, const struct cust_policy *cp,
                     const struct letter_policy *lp, const char *customers,
                     const char *templates, const char *languages)
{
    memset(j, 0, sizeof(*j));
    j->cp = *cp;
    j->lp = *lp;
    if (languages) {
        char err[160];
        if (!config_customers_set(&j->cp, "languages", languages, err, sizeof(err))) {
            msg_warn("--lang: %s", err);
            return false;
        }
    }
    j->map = custmap_new();
    const char *map = customers ? customers : j->cp.map[0] ? j->cp.map : NULL;
    if (map && !custmap_load(j->map, map)) {
        custmap_free(j->map);
        j->map = NULL;
        return false;
    }
    const char *dir = templates ? templates : j->cp.templates[0] ? j->cp.templates : NULL;
    if (dir == NULL)
        dir = is_dir(RBLFORGE_DATADIR "/templates") ? RBLFORGE_DATADIR "/templates"
            : "datasets/templates";
    j->letters = letters_load(dir, j->cp.languages);
    if (j->letters == NULL) {
        msg_warn("letter templates: give --templates DIR (letter.<lang>.txt files)");
        custmap_free(j->map);
        j->map = NULL;
        return false;
    }
    if (j->cp.geo_db[0] && (j->geo = asn_open(j->cp.geo_db)) == NULL) {
        letters_free(j->letters);
        j->letters = NULL;
        custmap_free(j->map);
        j->map = NULL;
        return false;
    }
    j->ob = outbound_new();
    j->sink = (struct pipeline_sink){ sink_new, sink_add, sink_done, sink_discard, j };
    j->extra = (struct publish_extra){ extra_stage, j };
    return true;
}

void report_job_build(struct report_job *j, char *const *files, size_t nfiles, int64_t now,
                      struct asn_db *asn)
{
    outbound_join(j->ob);
    cust_report_build(&j->rep, j->ob, j->map, &j->cp, asn, j->geo, j->hist);
    j->asn = asn;
    j->out.r = &j->rep;
    j->out.files = files;
    j->out.nfiles = nfiles;
    j->out.letters = j->letters;
    j->out.lp = &j->lp;
    j->out.now = now;
    j->built = true;
}

bool report_job_history(struct report_job *j, const char *state, int64_t now)
{
    snprintf(j->hist_path, sizeof(j->hist_path), "%s.customers", state);
    j->hist = custhist_new(now);
    if (!custhist_load(j->hist, j->hist_path)) {
        msg_warn("%s: customer history not usable; nothing published", j->hist_path);
        return false;
    }
    return true;
}

bool report_job_save_history(struct report_job *j)
{
    if (j->hist == NULL || !j->built)
        return true;
    snprintf(j->hist_bak, sizeof(j->hist_bak), "%s.prev", j->hist_path);
    unlink(j->hist_bak);
    if (link(j->hist_path, j->hist_bak) < 0)
        j->hist_bak[0] = 0;     /* the first night */
    if (!custhist_save(j->hist, j->hist_path, j->cp.history_days)) {
        msg_warn("%s: customer history not saved; nothing published", j->hist_path);
        if (j->hist_bak[0])
            unlink(j->hist_bak);
        j->hist_bak[0] = 0;
        return false;
    }
    j->hist_saved = true;
    return true;
}

void report_job_settle_history(struct report_job *j, bool published)
{
    if (!j->hist_saved)
        return;
    if (!published) {
        if (j->hist_bak[0])
            rename(j->hist_bak, j->hist_path);
        else
            unlink(j->hist_path);
    } else if (j->hist_bak[0]) {
        unlink(j->hist_bak);
    }
    j->hist_bak[0] = 0;
    j->hist_saved = false;
}

void report_job_free(struct report_job *j)
{
    custhist_free(j->hist);
    if (j->built)
        cust_report_free(&j->rep);
    outbound_free(j->ob);
    letters_free(j->letters);
    custmap_free(j->map);
    asn_close(j->geo);
    memset(j, 0, sizeof(*j));
}
