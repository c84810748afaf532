/* Lock, compare, check, write, rename, hook; see publish.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "publish.h"
#include "atomic.h"
#include "clock.h"
#include "escape.h"
#include "asn_csv.h"
#include "fw_ipset.h"
#include "fw_nft.h"
#include "listings_csv.h"
#include "networks_csv.h"
#include "postfix_map.h"
#include "summary_json.h"
#include "zone_bind.h"
#include "zone_rbldnsd.h"
#include "zonedata.h"
#include "msg.h"
#include "pubdiff.h"
#include "pubdir.h"
#include "custhtml.h"
#include "xalloc.h"

/* Entry i of the added (or else removed) list as text, made in buf. */
static struct span diff_entry(const struct pubdiff *d, const struct listings *l, bool added,
                              size_t i, char buf[PUBDIFF_TEXT_MAX])
{
    return added ? pubdiff_added_text(d, l, i, buf) : pubdiff_removed_text(d, i, buf);
}

static void print_list(const struct pubdiff *d, const struct listings *l, bool added)
{
    enum { SHOW = 10 };         /* summary.json has the complete lists */
    size_t n = added ? d->added.n : d->removed.n;
    const char *sign = added ? "+" : "-";
    char buf[PUBDIFF_TEXT_MAX];

    for (size_t i = 0; i < n && i < SHOW; i++) {
        struct span t = diff_entry(d, l, added, i, buf);
        msg_info("  %s %.*s", sign, t.n < INT_MAX ? (int)t.n : INT_MAX, t.p);
    }
    if (n > SHOW)
        msg_info("  %s ... %zu more in summary.json", sign, n - SHOW);
}

/* With -v only: a publication that went as planned needs no human, and
 * cron mails whatever a job prints. */
static void print_diff(const struct pubdiff *d, const struct listings *l, bool verbose)
{
    if (!verbose)
        return;
    msg_info("publish: %zu added, %zu removed, %zu kept (previously %zu)",
             d->added.n, d->removed.n, d->kept, d->prev);
    print_list(d, l, true);
    print_list(d, l, false);
}

const char *publish_iso_time(int64_t t, char buf[40])
{
    time_t tt = (time_t)t;
    struct tm tm;
    char z[8];

    if (localtime_r(&tt, &tm) == NULL || strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm) == 0
        || strftime(z, sizeof(z), "%z", &tm) != 5) {
        snprintf(buf, 40, "@%lld", (long long)t);
        return buf;
    }
    /* RFC 3339 wants the offset's colon: +0900 -> +09:00. */
    size_t n = strlen(buf);
    snprintf(buf + n, 40 - n, "%.3s:%.2s", z, z + 3);
    return buf;
}

/* summary.json: the run in numbers, and the diff against the last publication. */
struct summary_ctx {
    const struct export_ctx *x;
    const struct pubdiff *d;
};

/* Every entry of a list, each split at its comma (every entry's text has
 * one: "prefix,cause"). */
static void json_list(struct outbuf *o, const struct pubdiff *d, const struct listings *l,
                      bool added)
{
    size_t n = added ? d->added.n : d->removed.n;
    char buf[PUBDIFF_TEXT_MAX];

    outbuf_printf(o, ",\n  \"%s\": [", added ? "added" : "removed");
    for (size_t i = 0; i < n; i++) {
        struct span t = diff_entry(d, l, added, i, buf);
        size_t a = (size_t)((const char *)memchr(t.p, ',', t.n) - t.p);
        outbuf_puts(o, i ? ",\n    {\"entry\": " : "\n    {\"entry\": ");
        if (!added && pubdiff_removed_junk(d, i)) {
            esc_json(o, t.p, a);
            outbuf_puts(o, ", \"cause\": ");
            esc_json(o, t.p + a + 1, t.n - a - 1);
            outbuf_putc(o, '}');
            continue;
        }
        /* Our own text: quoted as it is. */
        outbuf_putc(o, '"');
        outbuf_write(o, t.p, a);
        outbuf_puts(o, "\", \"cause\": \"");
        outbuf_write(o, t.p + a + 1, t.n - a - 1);
        outbuf_puts(o, "\"}");
    }
    outbuf_puts(o, n ? "\n  ]" : "]");
}

static void write_summary(struct outbuf *o, const struct summary_ctx *s)
{
    const struct listings *l = s->x->l;
    size_t by[CAUSE__COUNT] = { 0 };

    for (size_t i = 0; i < l->n; i++)
        by[l->v[i].d.cause]++;
    char iso[40];

    outbuf_printf(o, "{\n  \"now\": %lld,\n  \"now_iso\": \"%s\",\n  \"addresses_seen\": %zu,\n"
                  "  \"listed\": %zu,\n  \"listed_by_cause\": {", (long long)s->x->now,
                  publish_iso_time(s->x->now, iso), l->seen, l->n);
    for (int c = 1; c < CAUSE__COUNT; c++)
        outbuf_printf(o, "%s\"%s\": %zu", c > 1 ? ", " : "", policy_cause_name(c), by[c]);
    outbuf_printf(o, "},\n  \"allowlisted_not_listed\": %zu,\n  \"published_prefixes\": "
                  "{\"rbldnsd\": %zu, \"rbldnsd6\": %zu, \"fw4\": %zu, \"fw6\": %zu},\n"
                  "  \"previous\": %zu,\n  \"kept\": %zu", l->nallowed,
                  zonedata_count(s->x->z, 4), zonedata_count(s->x->z, 6), s->x->z->nfw4,
                  s->x->z->nfw6, s->d->prev, s->d->kept);
    json_list(o, s->d, l, true);
    json_list(o, s->d, l, false);
    summary_json_fields(o, s->x);
    outbuf_puts(o, "\n}\n");
}

struct output {
    const char *name;
    void (*write)(struct outbuf *o, const struct export_ctx *x);
    bool zone;                  /* reads x->z: waits for the zone entries */
};

static const struct output outputs[] = {
    { "bl.rbldnsd", zone_rbldnsd_write4, true },
    { "bl6.rbldnsd", zone_rbldnsd_write6, true },
    { "bl.zone", zone_bind_write, true },
    { "fw.nft", fw_nft_write, true },
    { "fw.ipset", fw_ipset_write, true },
    { "listings.csv", listings_csv_write, false },
    { "networks.csv", networks_csv_write, false },
    { "asn.csv", asn_csv_write, false },
    { "postfix/client_access.cidr", postfix_map_client_write, true },
    { "postfix/postscreen_access.cidr", postfix_map_postscreen_write, true },
};
enum { N_OUT = sizeof(outputs) / sizeof(outputs[0]) };

/* Something tasks of one run_all wait for: done once. */
struct latch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
};

static void latch_init(struct latch *l)
{
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->done = false;
}

static void latch_open(struct latch *l)
{
    pthread_mutex_lock(&l->mu);
    l->done = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static void latch_wait(struct latch *l)
{
    pthread_mutex_lock(&l->mu);
    while (!l->done)
        pthread_cond_wait(&l->cv, &l->mu);
    pthread_mutex_unlock(&l->mu);
}

static void latch_destroy(struct latch *l)
{
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
}

/*
 * A publication as one set of tasks for run_all, in this order: the zone
 * entries (task 0); the diff, the safety valve and, if it lets the run
 * go on, the staging directory and its temporaries (task 1); then the
 * writers, those that do not read the zone entries first. A task waits
 * only for tasks handed out before it, so a runner that takes them in
 * order never waits for one nobody runs; with two threads the zone
 * entries are built beside the diff and the first writers, and no
 * thread idles until the last writers.
 */
struct pubrun {
    const char *outdir;
    struct export_ctx *x;
    struct cidrset *allow;
    const struct publish_opts *o;
    struct publish_result *r;
    struct pubdiff *d;
    struct zonedata *z;
    struct summary_ctx sc;
    struct latch zone, staged;  /* tasks 0 and 1 done */
    int status;                 /* task 1's: EXIT_OK, or EXIT_VALVE (nothing written) */
    struct pubdir *pd;          /* the staging directory, NULL if none */
    bool opened;                /* every output's temporary is open */
    struct afile *af[N_OUT + 2 + PUBLISH_EXTRAS];
    bool ok[N_OUT + 2];
};
enum { PUBRUN_WRITERS = 2 };    /* the first writer's task */

static void write_dashboard(struct outbuf *o, const struct export_ctx *x,
                            const struct publish_result *r, const struct pubdiff *d);

/* Writes and finishes output number k of the run order: those that do
 * not read the zone entries first, then the biggest first, so a parallel
 * runner balances its threads. N_OUT is summary.json (it counts the
 * entries), N_OUT + 1 report.html (when it is written here: its afile is
 * not NULL). */
static void write_one(struct pubrun *p, size_t k)
{
    static const unsigned char order[] = { 5, N_OUT + 1, 6, 7, 2, N_OUT, 9, 8, 4, 3, 0, 1 };
    _Static_assert(sizeof(order) == N_OUT + 2, "one entry per output, summary and report");
    size_t i = order[k];

    latch_wait(&p->staged);
    if (!p->opened || p->af[i] == NULL) {
        p->ok[i] = true;        /* nothing to write: stage() decides */
        return;
    }
    if (i == N_OUT || (i < N_OUT && outputs[i].zone))
        latch_wait(&p->zone);
    if (i < N_OUT)
        outputs[i].write(afile_out(p->af[i]), p->x);
    else if (i == N_OUT)
        write_summary(afile_out(p->af[i]), &p->sc);
    else
        write_dashboard(afile_out(p->af[i]), p->x, p->r, p->d);
    p->ok[i] = afile_finish_flushing(p->af[i]);
}

/* The serial of the previous bl.zone, 0 if none. */
static uint32_t previous_serial(const char *outdir)
{
    char path[4096], line[256];
    uint32_t serial = 0;

    snprintf(path, sizeof(path), "%s/bl.zone", outdir);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return 0;
    while (fgets(line, sizeof(line), fp))
        if (strstr(line, "; serial")) {
            serial = (uint32_t)strtoul(line, NULL, 10);
            break;
        }
    fclose(fp);
    return serial;
}

/* An output's name split into the directory it goes to (OUTDIR or a
 * subdirectory of it, as for "postfix/...") and its base name. */
static const char *out_place(const char *outdir, const char *name, char *dir, size_t size)
{
    const char *slash = strrchr(name, '/');

    if (slash == NULL) {
        snprintf(dir, size, "%s", outdir);
        return name;
    }
    snprintf(dir, size, "%s/%.*s", outdir, (int)(slash - name), name);
    return slash + 1;
}

static const char *out_name(size_t i)
{
    return i < N_OUT ? outputs[i].name : "summary.json";
}

/* Leftovers of a run killed before our signal handler could clean up, in
 * OUTDIR and the subdirectories the outputs go to. */
static void remove_stale_in(const char *outdir, const char *dir)
{
    char path[4096 + 256];
    DIR *d;
    struct dirent *de;

    if ((d = opendir(dir)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] != '.' || n < 8 || de->d_name[n - 7] != '.')
            continue;
        for (size_t i = 0; i < N_OUT + 1; i++) {
            char odir[4096];
            const char *base = out_place(outdir, out_name(i), odir, sizeof(odir));
            size_t k = strlen(base);
            if (strcmp(odir, dir) == 0 && n == k + 8 && strncmp(de->d_name + 1, base, k) == 0) {
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                unlink(path);
            }
        }
    }
    closedir(d);
}

static void remove_stale_temporaries(const char *outdir)
{
    char dir[4096];

    remove_stale_in(outdir, outdir);
    /* Each subdirectory once: the outputs of one are next to each other. */
    for (size_t i = 0; i < N_OUT; i++) {
        const char *s = strrchr(outputs[i].name, '/');
        size_t k = s ? (size_t)(s - outputs[i].name) + 1 : 0;
        if (k && (i == 0 || strncmp(outputs[i].name, outputs[i - 1].name, k) != 0)) {
            out_place(outdir, outputs[i].name, dir, sizeof(dir));
            remove_stale_in(outdir, dir);
        }
    }
}

/* The temporary of output i, its subdirectory made if missing. */
static struct afile *open_output(const char *outdir, size_t i)
{
    char dir[4096];
    const char *base = out_place(outdir, out_name(i), dir, sizeof(dir));

    if (base != out_name(i) && mkdir(dir, 0755) < 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", dir, strerror(errno));
        return NULL;
    }
    return afile_open(dir, base, 0644);
}

int publish_lock(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        msg_warn("%s: cannot open the lock: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        msg_warn("%s: another rblforge run holds the lock", path);
        close(fd);
        return -2;
    }
    return fd;
}

static int run_hook(const char *cmd, const char *outdir)
{
    pid_t pid = fork();
    int st;

    if (pid < 0) {
        msg_warn("post-publish: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setenv("RBLFORGE_OUTDIR", outdir, 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The valve looks at the count (net change) and at the churn (every entry
 * added or removed): swapping 1,000 entries for 1,000 others keeps the
 * count and is still a publication nobody should get unreviewed. */
static bool valve_trips(const struct pubdiff *d, const struct policy *p)
{
    size_t prev = d->prev, cur = d->cur;
    size_t change = prev > cur ? prev - cur : cur - prev;
    size_t churn = d->added.n + d->removed.n;

    if (prev > 0 && cur == 0) {
        msg_warn("safety valve: an empty listing would replace %zu entries", prev);
        return true;
    }
    if (prev > 0 && change >= p->min_change && (double)change > p->max_change * (double)prev) {
        msg_warn("safety valve: the listing would change from %zu to %zu entries "
                 "(more than %g%%)", prev, cur, p->max_change * 100);
        return true;
    }
    if (prev > 0 && churn >= p->min_change && (double)churn > p->max_churn * (double)prev) {
        msg_warn("safety valve: %zu entries added and %zu removed against %zu published "
                 "(churn more than %g%% of them, [publish] max_churn)", d->added.n,
                 d->removed.n, prev, p->max_churn * 100);
        return true;
    }
    return false;
}

/* The diff against the live publication and the safety valve: EXIT_OK
 * to go on, or EXIT_VALVE. */
static int diff_and_valve(struct pubrun *p)
{
    const struct publish_opts *o = p->o;
    struct publish_result *r = p->r;
    struct pubdiff *d = p->d;

    r->had_previous = pubdiff_read_previous(d, p->outdir);
    pubdiff_compute(d, p->x->l);
    r->previous = d->prev, r->added = d->added.n, r->removed = d->removed.n, r->kept = d->kept;
    print_diff(d, p->x->l, o->verbose);
    if (!valve_trips(d, p->x->p))
        return EXIT_OK;
    if (!o->force) {
        msg_warn("%s: nothing replaced; rerun with --force to publish anyway", p->outdir);
        return EXIT_VALVE;
    }
    msg_warn("--force: publishing anyway");
    return EXIT_OK;
}

/* Task 1: the diff and the valve, then the staging directory and every
 * output's temporary, one after another (the signal handler's list of
 * temporaries is not thread-safe). The whole publication is built in the
 * staging directory and switched in at once (pubdir.h): whatever
 * happens, old or new, never a mix. */
static void begin_stage(struct pubrun *p)
{
    struct export_ctx *x = p->x;

    if ((p->status = diff_and_valve(p)) != EXIT_OK)
        return;
    uint32_t serial = (uint32_t)p->o->now, prev = previous_serial(p->outdir);
    if (prev && (int32_t)(serial - prev) <= 0)
        serial = prev + 1;      /* RFC 1982 order: always move forward */
    x->z = p->z;
    x->serial = serial;
    x->now = p->o->now;
    afile_hold_signals();
    p->pd = pubdir_begin(p->outdir);
    /* Without the customer reports (which write it with their section),
     * report.html is the operator's dashboard alone, written with the
     * other outputs. */
    bool dashboard = p->o->extra[0] == NULL, ok = p->pd != NULL;
    for (size_t i = 0; i < N_OUT + 1 && ok; i++)
        ok = (p->af[i] = open_output(pubdir_path(p->pd), i)) != NULL;
    if (ok && dashboard)
        ok = (p->af[N_OUT + 1] = afile_open(pubdir_path(p->pd), "report.html", 0644)) != NULL;
    p->opened = ok;
}

static void publish_task(size_t k, void *ctx)
{
    struct pubrun *p = ctx;

    if (k == 0) {
        zonedata_build(p->z, p->x->l, p->allow, p->x->p->fw_causes);
        latch_open(&p->zone);
    } else if (k == 1) {
        begin_stage(p);
        latch_open(&p->staged);
    } else {
        write_one(p, k - PUBRUN_WRITERS);
    }
}

/* report.html when no customer reports write it: the dashboard of the
 * day's listings. */
static void write_dashboard(struct outbuf *o, const struct export_ctx *x,
                            const struct publish_result *r, const struct pubdiff *d)
{
    struct custview v = { .now = x->now };

    custview_listing_from(&v.listing, x->l);
    v.listing.have_diff = true;
    v.listing.added = r->added;
    v.listing.removed = r->removed;
    v.listing.kept = r->kept;
    v.listing.previous = r->previous;
    v.listing.diff = d;
    v.listing.asn = x->asn;
    custhtml_write(o, &v);
}

/* After the tasks: the extras (customer reports, abuse messages) into
 * the staging directory, everything finished and carried over: true when
 * the publication is complete, false (all temporaries gone) otherwise or
 * when a signal came meanwhile. */
static bool stage(struct pubrun *p)
{
    const struct publish_opts *o = p->o;
    struct afile **af = p->af;
    size_t naf = N_OUT + 1 + (af[N_OUT + 1] != NULL);
    bool ok = p->opened;

    for (size_t i = 0; i < N_OUT + 2; i++)
        ok = ok && p->ok[i];
    p->r->diff = p->d;
    for (size_t k = 0; ok && k < PUBLISH_EXTRAS; k++)
        if (o->extra[k]) {
            ok = o->extra[k]->stage(o->extra[k]->ctx, pubdir_path(p->pd), p->x->l, p->r,
                                    &af[naf]);
            if (af[naf])
                naf++;
        }
    p->r->diff = NULL;
    /* A signal that came while the files were written abandons the
     * publication: nothing of it is live yet. */
    if (!ok || afile_signal_held()) {
        for (size_t i = 0; i < N_OUT + 2 + PUBLISH_EXTRAS; i++)
            afile_abort(af[i]);
        return false;
    }
    double t0 = clock_seconds(CLOCK_MONOTONIC);
    ok = afile_publish_all(af, naf) && pubdir_carry(p->pd) && !afile_signal_held();
    p->r->commit_s += clock_seconds(CLOCK_MONOTONIC) - t0;
    return ok;
}

/* The state is saved (before_switch), then the switch; a held signal is
 * told which publication is live and then released (the process dies of
 * it here). */
static enum pubdir_rc switch_in(const char *outdir, struct pubdir *pd, bool ok,
                                const struct publish_opts *o)
{
    /* The state is saved before the switch: a publication the state does
     * not know of would be read again and counted twice. */
    if (ok && o->before_switch && !o->before_switch(o->before_ctx))
        ok = false;
    enum pubdir_rc rc = ok ? pubdir_commit(pd) : (pubdir_abort(pd), PUBDIR_OLD);
    if (afile_signal_held()) {
        /* Said before dying of it: which publication is live. */
        msg_warn("%s: signal %d: %s", outdir, afile_signal_held(), rc == PUBDIR_OLD
                 ? "nothing published; the previous publication is still live"
                 : "the new publication is live");
        if (o->on_signal)
            o->on_signal(o->before_ctx, rc != PUBDIR_OLD);
    }
    afile_release_signals();
    return rc;
}

int publish_run(const char *outdir, struct export_ctx *x, struct cidrset *allow,
                const struct publish_opts *o, struct publish_result *r)
{
    struct pubdiff d = { 0 };
    struct zonedata z;
    struct pubrun p = { .outdir = outdir, .x = x, .allow = allow, .o = o, .r = r, .d = &d,
                        .z = &z, .sc = { x, &d } };
    int status = EXIT_OK;

    memset(r, 0, sizeof(*r));
    r->hook_status = -1;
    remove_stale_temporaries(outdir);
    latch_init(&p.zone);
    latch_init(&p.staged);
    size_t ntasks = PUBRUN_WRITERS + N_OUT + 2;
    if (o->run_all)
        o->run_all(ntasks, publish_task, &p);
    else
        for (size_t k = 0; k < ntasks; k++)
            publish_task(k, &p);
    latch_destroy(&p.zone);
    latch_destroy(&p.staged);
    if (p.status != EXIT_OK) {
        zonedata_free(&z);
        status = p.status;
        goto out;
    }
    struct pubdir *pd = p.pd;
    bool ok = stage(&p);
    zonedata_free(&z);
    x->z = NULL;
    double t0 = clock_seconds(CLOCK_MONOTONIC);
    enum pubdir_rc rc = switch_in(outdir, pd, ok, o);
    r->commit_s += clock_seconds(CLOCK_MONOTONIC) - t0;
    if (rc == PUBDIR_OLD) {
        msg_warn("%s: nothing published; the previous publication is still live", outdir);
        status = EXIT_RUNTIME;
        goto out;
    }
    if (rc == PUBDIR_NEW_LINKS_FAILED) {
        msg_warn("%s: published as %s/current, but some %s/NAME links are not updated",
                 outdir, outdir, outdir);
        status = EXIT_LINKS;
    }
    if (o->post_publish) {
        r->hook_status = run_hook(o->post_publish, outdir);
        if (r->hook_status != 0) {
            msg_warn("post-publish command failed with status %d", r->hook_status);
            if (status == EXIT_OK)
                status = EXIT_HOOK;
        } else if (o->verbose) {
            msg_info("post-publish command exited 0");
        }
    }
out:
    pubdiff_free(&d);
    return status;
}
