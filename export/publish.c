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

/* The zone entries (zonedata_build): with several threads, built on one
 * of their own beside the diff and the writers that do not read them,
 * which otherwise left a core idle for as long as they took; the writers
 * that read them wait for them. */
struct zonejob {
    struct zonedata *z;
    const struct listings *l;
    struct cidrset *allow;
    unsigned fw_causes;
    bool threaded;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
};

static void *zonejob_main(void *arg)
{
    struct zonejob *j = arg;

    zonedata_build(j->z, j->l, j->allow, j->fw_causes);
    pthread_mutex_lock(&j->mu);
    j->done = true;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

static void zonejob_start(struct zonejob *j, bool parallel)
{
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->done = false;
    j->threaded = parallel && pthread_create(&j->th, NULL, zonejob_main, j) == 0;
    if (!j->threaded)
        zonejob_main(j);
}

/* Returns when the entries are complete. */
static void zonejob_wait(struct zonejob *j)
{
    pthread_mutex_lock(&j->mu);
    while (!j->done)
        pthread_cond_wait(&j->cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
}

static void zonejob_end(struct zonejob *j)
{
    if (j->threaded)
        pthread_join(j->th, NULL);
    j->threaded = false;
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
}

struct writers {
    struct afile **af;
    const struct export_ctx *x;
    const struct summary_ctx *sc;
    const struct publish_result *r;
    struct zonejob *zj;
    bool ok[N_OUT + 2];
};

static void write_dashboard(struct outbuf *o, const struct export_ctx *x,
                            const struct publish_result *r, const struct pubdiff *d);

/* Writes and finishes output number k of the run order: those that do
 * not read the zone entries first, then the biggest first, so a parallel
 * runner balances its threads. N_OUT is summary.json (it counts the
 * entries), N_OUT + 1 report.html (when it is written here: its afile is
 * not NULL). */
static void write_one(size_t k, void *ctx)
{
    static const unsigned char order[] = { 5, N_OUT + 1, 6, 7, 2, N_OUT, 9, 8, 4, 3, 0, 1 };
    _Static_assert(sizeof(order) == N_OUT + 2, "one entry per output, summary and report");
    struct writers *w = ctx;
    size_t i = order[k];

    if (w->af[i] == NULL) {
        w->ok[i] = true;
        return;
    }
    if (i == N_OUT || (i < N_OUT && outputs[i].zone))
        zonejob_wait(w->zj);
    if (i < N_OUT)
        outputs[i].write(afile_out(w->af[i]), w->x);
    else if (i == N_OUT)
        write_summary(afile_out(w->af[i]), w->sc);
    else
        write_dashboard(afile_out(w->af[i]), w->x, w->r, w->sc->d);
    w->ok[i] = afile_finish_flushing(w->af[i]);
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

/* The zone entries started (zj), the diff against the live publication,
 * and the safety valve: EXIT_OK to go on, or EXIT_VALVE with the entries
 * finished and freed. */
static int prepare(const char *outdir, const struct export_ctx *x, const struct publish_opts *o,
                   struct publish_result *r, struct pubdiff *d, struct zonejob *zj)
{
    zonejob_start(zj, o->parallel);
    r->had_previous = pubdiff_read_previous(d, outdir);
    pubdiff_compute(d, x->l);
    r->previous = d->prev, r->added = d->added.n, r->removed = d->removed.n, r->kept = d->kept;
    print_diff(d, x->l, o->verbose);
    if (!valve_trips(d, x->p))
        return EXIT_OK;
    if (!o->force) {
        msg_warn("%s: nothing replaced; rerun with --force to publish anyway", outdir);
        zonejob_end(zj);
        zonedata_free(zj->z);
        return EXIT_VALVE;
    }
    msg_warn("--force: publishing anyway");
    return EXIT_OK;
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

/* Every output and the extras (customer reports, abuse messages) into the
 * staging directory, finished and carried over: true when the
 * publication is complete, false (all temporaries gone) otherwise or
 * when a signal came meanwhile. */
static bool stage(struct pubdir *pd, const struct export_ctx *x, const struct summary_ctx *sc,
                  const struct publish_opts *o, struct publish_result *r, struct pubdiff *d,
                  struct zonejob *zj)
{
    struct afile *af[N_OUT + 2 + PUBLISH_EXTRAS] = { 0 };
    /* Without the customer reports (which write it with their section),
     * report.html is the operator's dashboard alone, written with the
     * other outputs. */
    bool dashboard = o->extra[0] == NULL;
    size_t naf = N_OUT + 1 + dashboard;
    bool ok = pd != NULL;

    /* Temporaries are created one after another (the signal handler's
     * list is not thread-safe); the writers then run through o->run_all,
     * possibly in parallel: they only read x and each has its own file. */
    for (size_t i = 0; i < N_OUT + 1 && ok; i++)
        ok = (af[i] = open_output(pubdir_path(pd), i)) != NULL;
    if (ok && dashboard)
        ok = (af[N_OUT + 1] = afile_open(pubdir_path(pd), "report.html", 0644)) != NULL;
    if (ok) {
        struct writers w = { af, x, sc, r, zj, { false } };
        if (o->run_all)
            o->run_all(N_OUT + 2, write_one, &w);
        else
            for (size_t i = 0; i < N_OUT + 2; i++)
                write_one(i, &w);
        for (size_t i = 0; i < N_OUT + 2; i++)
            ok = ok && w.ok[i];
    }
    r->diff = d;
    for (size_t k = 0; ok && k < PUBLISH_EXTRAS; k++)
        if (o->extra[k]) {
            ok = o->extra[k]->stage(o->extra[k]->ctx, pubdir_path(pd), x->l, r, &af[naf]);
            if (af[naf])
                naf++;
        }
    r->diff = NULL;
    /* A signal that came while the files were written abandons the
     * publication: nothing of it is live yet. */
    if (!ok || afile_signal_held()) {
        for (size_t i = 0; i < N_OUT + 2 + PUBLISH_EXTRAS; i++)
            afile_abort(af[i]);
        return false;
    }
    return afile_publish_all(af, naf) && pubdir_carry(pd) && !afile_signal_held();
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
    struct zonejob zj = { .z = &z, .l = x->l, .allow = allow, .fw_causes = x->p->fw_causes };
    int status;

    memset(r, 0, sizeof(*r));
    r->hook_status = -1;
    remove_stale_temporaries(outdir);
    if ((status = prepare(outdir, x, o, r, &d, &zj)) != EXIT_OK)
        goto out;
    uint32_t serial = (uint32_t)o->now, prev = previous_serial(outdir);
    if (prev && (int32_t)(serial - prev) <= 0)
        serial = prev + 1;      /* RFC 1982 order: always move forward */
    x->z = &z;
    x->serial = serial;
    x->now = o->now;
    struct summary_ctx sc = { x, &d };
    /* The whole publication is built in a staging directory and switched
     * in at once (pubdir.h): whatever happens, old or new, never a mix. */
    afile_hold_signals();
    struct pubdir *pd = pubdir_begin(outdir);
    bool ok = stage(pd, x, &sc, o, r, &d, &zj);
    zonejob_end(&zj);
    zonedata_free(&z);
    x->z = NULL;
    enum pubdir_rc rc = switch_in(outdir, pd, ok, o);
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
