/* Per-customer figures, signals and tiers; see customers.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "customers.h"
#include "asn.h"
#include "xalloc.h"

/* ---- building ---- */

const char *cust_tier_name(enum cust_tier t)
{
    static const char *const n[] = { "ok", "watch", "warn", "throttle", "suspend" };
    return (unsigned)t < TIER__COUNT ? n[t] : "ok";
}

const char *cust_signal_name(enum cust_signal s)
{
    static const char *const n[] = {
        "high_bounce_rate", "remote_spam_rejections", "blocklisted_by_remote",
        "account_compromise", "volume_spike", "invalid_recipients",
    };
    return (unsigned)s < SIG__COUNT ? n[s] : "";
}

/* A (customer, key, key2) row for distinct counts and top lists; pos is
 * the message index (log order), val a count or class. */
struct row {
    size_t c;
    const char *k, *k2;
    size_t pos;
    unsigned val;
};

struct rows {
    struct row *v;
    size_t n, cap;
};

static void row_add(struct rows *r, size_t c, const char *k, const char *k2, size_t pos,
                    unsigned val)
{
    r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
    r->v[r->n++] = (struct row){ c, k ? k : "", k2 ? k2 : "", pos, val };
}

static int cmp_row(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    int d;
    if (a->c != b->c)
        return a->c < b->c ? -1 : 1;
    if ((d = strcmp(a->k, b->k)) != 0)
        return d;
    if ((d = strcmp(a->k2, b->k2)) != 0)
        return d;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void rows_sort(struct rows *r)
{
    if (r->n > 1)
        qsort(r->v, r->n, sizeof(*r->v), cmp_row);
}

/* Evidence candidates: first N per customer and signal. */
#define cand cust_ref

struct build {
    struct cust_report *r;
    const struct outbound *ob;
    const struct cust_policy *p;
    struct arena *mem;
    size_t ncust;
    struct cand *cand;          /* [ncust][SIG__COUNT][nev] */
    size_t *ncand;              /* [ncust][SIG__COUNT] */
    size_t nev;
    /* cust_report_build's working set, step to step. */
    struct customer *cv;        /* [ncust]; the last one is (unmapped) */
    long *owner;                /* per message: customer index, -1 not counted */
    size_t nm;
    struct asn_db *asn, *geo;
    struct custhist *hist;
    struct rows domains, ips, logins, senders, remote, blhosts;
};

static struct cand *cand_slot(struct build *b, size_t c, int s)
{
    /* Counts every candidate; keeps the first nev. */
    size_t *n = &b->ncand[c * SIG__COUNT + (size_t)s];
    if ((*n)++ >= b->nev)
        return NULL;
    return &b->cand[(c * SIG__COUNT + (size_t)s) * b->nev + *n - 1];
}

static const char *ipstr(struct arena *a, const struct ipaddr *ip)
{
    char buf[IPADDR_STRLEN];
    if (ip->family == 0)
        return "unknown";
    ipaddr_format(ip, buf);
    return arena_strndup(a, buf, strlen(buf));
}

static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : "";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t distinct_recipients(const struct ob_msg *m)
{
    const char *small[64], **v = m->nd <= 64 ? small : xmalloc(m->nd * sizeof(*v));
    size_t n = 0, u = 0;

    for (size_t i = 0; i < m->nd; i++)
        if (m->d[i].status != OB_OTHER)
            v[n++] = m->d[i].to;
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            u++;
    if (v != small)
        free(v);
    return u;
}

static char *render(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *render(struct arena *a, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    return arena_strndup(a, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static const struct outbound *ev_ob;

static int cmp_evidence(const void *x, const void *y)
{
    const struct cust_evidence *a = x, *b = y;
    uint32_t ra = outbound_file_rank(ev_ob, a->file), rb = outbound_file_rank(ev_ob, b->file);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* The rendered fields of a line that was not kept as logged. */
static const char *evidence_text(struct build *b, const struct ob_msg *m, size_t att)
{
    const char *from = m->from ? m->from : "";
    if (att == CUST_REF_MSG)
        return render(b->mem, "%s: client=[%s]%s%s, from=<%s>, recipients=%zu",
                      m->qid, ipstr(b->mem, &m->ip), m->sasl_user ? ", sasl_username=" : "",
                      m->sasl_user ? m->sasl_user : "", from, distinct_recipients(m));
    const struct ob_delivery *d = &m->d[att];
    return render(b->mem, "%s: to=<%s>, relay=%s, dsn=%s, status=%s (%s)", m->qid, d->to,
                  d->relay ? d->relay : "none", d->dsn ? d->dsn : "-",
                  outbound_status_name(d->status), d->text ? d->text : "");
}

/* Evidence of signal s from the candidates cv[0..n): the lines as logged,
 * in time order, each once. */
static void evidence_from(struct build *b, struct cust_sig *s, const struct cand *cv, size_t n)
{
    s->ev = arena_alloc(b->mem, (n ? n : 1) * sizeof(*s->ev));
    for (size_t i = 0; i < n; i++) {
        const struct ob_msg *m = outbound_msg(b->ob, cv[i].msg);
        struct cust_evidence *e = &s->ev[s->nev];
        if (cv[i].att == CUST_REF_MSG) {
            e->file = m->file, e->line = m->line, e->ts = m->ts, e->raw = m->raw;
        } else {
            const struct ob_delivery *d = &m->d[cv[i].att];
            e->file = d->file, e->line = d->line, e->ts = d->ts, e->raw = d->raw;
        }
        e->text = e->raw.p ? NULL : evidence_text(b, m, cv[i].att);
        bool dup = false;
        for (size_t k = 0; k < s->nev && !dup; k++)
            dup = s->ev[k].file == e->file && s->ev[k].line == e->line;
        s->nev += !dup;
    }
    ev_ob = b->ob;
    if (s->nev > 1)
        qsort(s->ev, s->nev, sizeof(*s->ev), cmp_evidence);
}

static void evidence(struct build *b, struct cust_sig *s, size_t c)
{
    if (s->id == SIG_ACCOUNT_COMPROMISE) {
        const struct cust_login *lg = &b->cv[c].logins[s->login];
        evidence_from(b, s, lg->ev, lg->nev);
        return;
    }
    size_t n = b->ncand[c * SIG__COUNT + s->id];
    evidence_from(b, s, &b->cand[(c * SIG__COUNT + s->id) * b->nev], n < b->nev ? n : b->nev);
    s->more = n > b->nev ? n - b->nev : 0;
}

/* The new signal of customer c at level (its figures to be added), or
 * NULL for TIER_OK. The words are export/custtext.c's. */
static struct cust_sig *add_sig(struct build *b, struct customer *cu, size_t c,
                                enum cust_signal id, enum cust_tier level, size_t login)
{
    if (level == TIER_OK)
        return NULL;
    struct cust_sig *s = &cu->sig[cu->nsig++];
    s->id = id;
    s->level = level;
    s->login = login;
    evidence(b, s, c);
    if (level > cu->tier)
        cu->tier = level;
    return s;
}

static void fig(struct cust_sig *s, const char *name, double v)
{
    if (s->nfig < sizeof(s->fig) / sizeof(s->fig[0]))
        s->fig[s->nfig++] = (struct cust_figure){ name, v };
}

/* The highest tier whose threshold v reaches (0 disables a tier). */
static enum cust_tier level_of(double v, const double *th)
{
    for (int t = TIER_SUSPEND; t >= TIER_WATCH; t--)
        if (th[t] > 0 && v >= th[t])
            return (enum cust_tier)t;
    return TIER_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* account_compromise: the login whose dispersion and outcome reach the
 * highest tier (then the most places); every figure it was judged by. */
static void compromise(struct build *b, struct customer *cu, size_t c)
{
    size_t worst = SIZE_MAX;
    enum cust_tier wl = TIER_OK, l;

    for (size_t i = 0; i < cu->nlogins; i++) {
        l = custlogin_level(&cu->logins[i], b->p);
        if (l > wl || (l == wl && l != TIER_OK
                       && cu->logins[i].places > cu->logins[worst].places))
            worst = i, wl = l;
    }
    struct cust_sig *s = add_sig(b, cu, c, SIG_ACCOUNT_COMPROMISE, wl, worst);
    if (s == NULL)
        return;
    const struct cust_login *lg = &cu->logins[worst];
    fig(s, "places", (double)lg->places);
    fig(s, "addresses", (double)lg->ips);
    fig(s, "networks", (double)lg->networks);
    if (b->r->have_asn)
        fig(s, "asns", (double)lg->asns);
    fig(s, "families", (double)lg->families);
    if (b->r->have_geo)
        fig(s, "countries", (double)lg->countries);
    fig(s, "concurrent", (double)lg->concurrent);
    fig(s, "messages", (double)lg->messages);
    fig(s, "login_spam_rejections", (double)lg->spam);
    fig(s, "login_bounce_rate", lg->bounce_rate);
    fig(s, "login_unknown_recipients", (double)lg->unknown);
    fig(s, "login_peak_hour_messages", (double)lg->peak);
    fig(s, "login_median_hour_messages", (double)lg->median);
    if (b->r->have_history) {
        fig(s, "new_places", (double)lg->new_places);
        if (lg->base_days)
            fig(s, "baseline_daily_median", lg->base_median);
    }
}

static void signals(struct build *b, struct customer *cu, size_t c)
{
    const struct cust_policy *p = b->p;
    enum cust_tier l;
    struct cust_sig *s;

    uint64_t final = cu->sent + cu->bounced;
    if (final >= p->min_attempts && final > 0
        && (l = level_of(cu->bounce_rate, p->bounce_rate)) != TIER_OK) {
        s = add_sig(b, cu, c, SIG_HIGH_BOUNCE_RATE, l, 0);
        fig(s, "bounce_rate", cu->bounce_rate);
        fig(s, "bounced", (double)cu->bounced);
        fig(s, "sent", (double)cu->sent);
    }
    if (cu->spam_rejections > 0) {
        double rate = cu->attempts ? (double)cu->spam_rejections / (double)cu->attempts : 0;
        l = TIER_OK;
        for (int t = TIER_SUSPEND; t >= TIER_WATCH && l == TIER_OK; t--)
            if (p->spam_rejections[t] > 0 && (double)cu->spam_rejections >= p->spam_rejections[t]
                && rate >= p->spam_rate[t])
                l = (enum cust_tier)t;
        if ((s = add_sig(b, cu, c, SIG_REMOTE_SPAM_REJECTIONS, l, 0)) != NULL) {
            fig(s, "spam_rejections", (double)cu->spam_rejections);
            fig(s, "spam_rejection_rate", rate);
            fig(s, "attempts", (double)cu->attempts);
        }
    }
    if ((l = level_of((double)cu->blocklist_rejections, p->blocklist)) != TIER_OK) {
        s = add_sig(b, cu, c, SIG_BLOCKLISTED_BY_REMOTE, l, 0);
        fig(s, "blocklist_rejections", (double)cu->blocklist_rejections);
        fig(s, "remote_servers", (double)cu->blocklist_remotes);
    }
    compromise(b, cu, c);
    if (cu->peak >= p->spike_min && cu->peak > 0
        && (double)cu->peak >= p->spike_factor * (cu->median ? cu->median : 1)) {
        s = add_sig(b, cu, c, SIG_VOLUME_SPIKE, TIER_WATCH, 0);
        fig(s, "peak_hour_messages", cu->peak);
        fig(s, "median_hour_messages", cu->median);
        fig(s, "peak_hour", (double)cu->peak_hour);
    }
    double inv = cu->attempts ? (double)cu->unknown_recipient / (double)cu->attempts : 0;
    if (p->invalid_rate_watch > 0 && inv >= p->invalid_rate_watch
        && (double)cu->unknown_recipient >= p->invalid_min) {
        s = add_sig(b, cu, c, SIG_INVALID_RECIPIENTS, TIER_WATCH, 0);
        fig(s, "unknown_recipients", (double)cu->unknown_recipient);
        fig(s, "rate", inv);
    }
}

/* Top lists from sorted rows of one customer: (k, count) by count desc. */
static int cmp_count(const void *x, const void *y)
{
    const struct cust_count *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->name, b->name);
}

enum { TOP = 10 };

/* Rows sorted by (c, k, k2): groups of equal (c, k) into counts (of equal
 * (c, k, k2) when classes is true, k2 being the class). Returns the number
 * of groups. */
static size_t top_list(struct build *b, const struct rows *r, size_t *i, size_t c,
                       struct cust_count **out, size_t *nout, bool classes)
{
    size_t start = *i, groups = 0;
    while (*i < r->n && r->v[*i].c == c)
        (*i)++;
    struct cust_count *all = xmalloc((*i - start + 1) * sizeof(*all));
    for (size_t j = start; j < *i;) {
        size_t k = j;
        uint64_t n = 0;
        for (; k < *i && strcmp(r->v[k].k, r->v[j].k) == 0
               && (!classes || strcmp(r->v[k].k2, r->v[j].k2) == 0); k++)
            n++;
        all[groups++] = (struct cust_count){ r->v[j].k, n, classes ? r->v[j].k2 : NULL };
        j = k;
    }
    if (groups > 1)
        qsort(all, groups, sizeof(*all), cmp_count);
    *nout = groups < TOP ? groups : TOP;
    *out = arena_alloc(b->mem, (*nout ? *nout : 1) * sizeof(**out));
    memcpy(*out, all, *nout * sizeof(**out));
    free(all);
    return groups;
}

static int cmp_customer(const void *x, const void *y)
{
    const struct customer *a = x, *b = y;
    if (a->tier != b->tier)
        return a->tier > b->tier ? -1 : 1;
    if (a->spam_rejections != b->spam_rejections)
        return a->spam_rejections > b->spam_rejections ? -1 : 1;
    if (a->bounced != b->bounced)
        return a->bounced > b->bounced ? -1 : 1;
    if (a->messages != b->messages)
        return a->messages > b->messages ? -1 : 1;
    return strcmp(a->name, b->name);
}

enum { MAX_HOURS = 24 * 31 };

/* The hour bin of t, or -1 outside the report's hours. */
static long hour_bin(const struct cust_report *r, int64_t t)
{
    if (r->hours == 0 || t < r->hour0 || (t - r->hour0) / 3600 >= (int64_t)r->hours)
        return -1;
    return (long)((t - r->hour0) / 3600);
}

/* Which customer each outbound message belongs to (b->owner), what is
 * counted at all, and the report's hour bins. */
static void assign_owners(struct build *b, struct custmap *map)
{
    struct cust_report *r = b->r;
    size_t U = b->ncust - 1;
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;

    for (size_t i = 0; i < b->nm; i++) {
        const struct ob_msg *m = outbound_msg(b->ob, i);
        b->owner[i] = -1;
        if (!outbound_is_outbound(m)) {
            /* A bounce notice Postfix made itself: from=<>, no client. */
            if (m->from && m->from[0] == 0 && !m->started)
                r->notices++;
            else
                r->inbound_skipped++;
            continue;
        }
        if (m->from && m->from[0] == 0 && !m->started && !m->sasl_user && !m->uid) {
            r->notices++;
            continue;
        }
        long c = custmap_find(map, m->sasl_user, m->uid, &m->ip, m->from);
        b->owner[i] = c < 0 ? (long)U : c;
        if (m->ts < tmin)
            tmin = m->ts;
        if (m->ts > tmax)
            tmax = m->ts;
        for (size_t k = 0; k < m->nd; k++)     /* retries may come days later */
            if (m->d[k].ts > tmax)
                tmax = m->d[k].ts;
    }
    if (tmin <= tmax) {
        int64_t h1 = tmax - ((tmax % 3600) + 3600) % 3600;
        r->hour0 = tmin - ((tmin % 3600) + 3600) % 3600;
        r->hours = (size_t)((h1 - r->hour0) / 3600 + 1);
        if (r->hours > MAX_HOURS) {
            r->hours = MAX_HOURS;
            r->hour0 = h1 - (MAX_HOURS - 1) * 3600;
        }
    }
    for (size_t c = 0; c < b->ncust; c++) {
        b->cv[c].hour_msgs = arena_alloc(r->mem, (r->hours + 1) * sizeof(uint32_t));
        b->cv[c].hour_bounced = arena_alloc(r->mem, (r->hours + 1) * sizeof(uint32_t));
    }
}

/* Delivery attempt k of message i (customer c): counts, reply classes,
 * evidence candidates, the rows of the remote hosts. */
static void count_attempt(struct build *b, struct customer *cu, size_t c, size_t i,
                          const struct ob_msg *m, size_t k)
{
    const struct ob_delivery *d = &m->d[k];
    struct cand *cd;
    long hb;

    if (d->status == OB_OTHER) {
        cu->other++;
        return;
    }
    cu->attempts++;
    row_add(&b->domains, c, domain_of(d->to), NULL, i, 0);
    if (d->status == OB_SENT) {
        cu->sent++;
        return;
    }
    if (d->status == OB_BOUNCED) {
        cu->bounced++;
        /* Retries may come after the last message's hour. */
        if ((hb = hour_bin(b->r, d->ts)) >= 0)
            cu->hour_bounced[hb]++;
        if ((cd = cand_slot(b, c, SIG_HIGH_BOUNCE_RATE)))
            *cd = (struct cand){ i, k };
    } else {
        cu->deferred++;
    }
    unsigned cls = custclass_reply(d->text, d->dsn);
    if (cls & RC_SPAMLIKE) {
        cu->spam_rejections++;
        if ((cd = cand_slot(b, c, SIG_REMOTE_SPAM_REJECTIONS)))
            *cd = (struct cand){ i, k };
    }
    if (cls & RC_BLOCKLIST) {
        cu->blocklist_rejections++;
        if ((cd = cand_slot(b, c, SIG_BLOCKLISTED_BY_REMOTE)))
            *cd = (struct cand){ i, k };
    }
    if (cls & RC_REPUTATION)
        cu->reputation_rejections++;
    if ((cls & RC_UNKNOWN_RECIPIENT) && d->status == OB_BOUNCED) {
        cu->unknown_recipient++;
        if ((cd = cand_slot(b, c, SIG_INVALID_RECIPIENTS)))
            *cd = (struct cand){ i, k };
    }
    if (cls & RC_RATE_LIMIT)
        cu->rate_limited++;
    if (d->relay && cls)
        row_add(&b->remote, c, d->relay, custclass_names(cls), i, cls);
    if (d->relay && (cls & RC_BLOCKLIST))
        row_add(&b->blhosts, c, d->relay, NULL, i, 0);
}

/* Every counted message into its customer's figures and rows. */
static void count_messages(struct build *b)
{
    struct cust_report *r = b->r;

    for (size_t i = 0; i < b->nm; i++) {
        if (b->owner[i] < 0)
            continue;
        const struct ob_msg *m = outbound_msg(b->ob, i);
        size_t c = (size_t)b->owner[i];
        struct customer *cu = &b->cv[c];
        const char *ip = ipstr(r->mem, &m->ip);
        uint64_t rc = distinct_recipients(m);

        r->messages++;
        cu->messages++;
        cu->recipients += rc;
        cu->expired += m->expired;
        if (m->ts < cu->first)
            cu->first = m->ts;
        if (m->ts > cu->last)
            cu->last = m->ts;
        long hb = hour_bin(r, m->ts);
        if (hb >= 0)
            cu->hour_msgs[hb]++;
        if (m->ip.family)
            row_add(&b->ips, c, ip, NULL, i, 0);
        if (m->sasl_user)
            row_add(&b->logins, c, m->sasl_user, NULL, i, 0);
        if (m->from)
            row_add(&b->senders, c, m->from[0] ? m->from : "<>", NULL, i, 0);
        for (size_t k = 0; k < m->nd; k++)
            count_attempt(b, cu, c, i, m, k);
    }
}

/* Customer c's logins from the sorted rows from *il on: rows of one
 * login are its messages in log order. */
static void customer_logins(struct build *b, struct customer *cu, size_t c, size_t *il)
{
    const struct rows *logins = &b->logins;
    size_t start = *il;
    while (*il < logins->n && logins->v[*il].c == c)
        (*il)++;
    size_t nu = 0;
    for (size_t j = start; j < *il; j++)
        nu += j == start || strcmp(logins->v[j].k, logins->v[j - 1].k) != 0;
    cu->logins = arena_alloc(b->mem, (nu ? nu : 1) * sizeof(*cu->logins));
    size_t *msgs = xmalloc((*il - start + 1) * sizeof(*msgs));
    struct custlogin_ctx x = { b->ob, b->p, b->asn, b->geo, b->hist, b->nev, b->mem };
    for (size_t j = start; j < *il;) {
        size_t k = j, n = 0;
        for (; k < *il && strcmp(logins->v[k].k, logins->v[j].k) == 0; k++)
            msgs[n++] = logins->v[k].pos;
        custlogin_build(&cu->logins[cu->nlogins++], logins->v[j].k, msgs, n, &x);
        j = k;
    }
    free(msgs);
}

/* Hourly peak and the median of active hours; the bounce rate. */
static void customer_hours(const struct cust_report *r, struct customer *cu)
{
    uint32_t *act = xmalloc((r->hours + 1) * sizeof(*act));
    size_t na = 0;
    for (size_t h = 0; h < r->hours; h++) {
        if (cu->hour_msgs[h])
            act[na++] = cu->hour_msgs[h];
        if (cu->hour_msgs[h] > cu->peak)
            cu->peak = cu->hour_msgs[h], cu->peak_hour = r->hour0 + (int64_t)h * 3600;
    }
    if (na > 1)
        qsort(act, na, sizeof(*act), cmp_u32);
    cu->median = na ? act[(na - 1) / 2] : 0;
    free(act);
    cu->bounce_rate = cu->sent + cu->bounced
        ? (double)cu->bounced / (double)(cu->sent + cu->bounced) : 0;
}

/* Distinct counts and top lists, customer by customer. */
static void customer_lists(struct build *b)
{
    rows_sort(&b->domains), rows_sort(&b->ips), rows_sort(&b->logins), rows_sort(&b->senders),
        rows_sort(&b->remote), rows_sort(&b->blhosts);
    size_t id = 0, ii = 0, il = 0, is = 0, ir = 0, ib = 0;
    for (size_t c = 0; c < b->ncust; c++) {
        struct customer *cu = &b->cv[c];
        struct cust_count *tmp;
        size_t ntmp;
        cu->rcpt_domains = top_list(b, &b->domains, &id, c, &cu->domains, &cu->ndomains, false);
        cu->client_ips = top_list(b, &b->ips, &ii, c, &tmp, &ntmp, false);
        top_list(b, &b->senders, &is, c, &cu->senders, &cu->nsenders, false);
        top_list(b, &b->remote, &ir, c, &cu->remote, &cu->nremote, true);
        cu->blocklist_remotes = top_list(b, &b->blhosts, &ib, c, &tmp, &ntmp, false);
        customer_logins(b, cu, c, &il);
        customer_hours(b->r, cu);
    }
}

/* Spike evidence: the first messages of the peak hour. */
static void spike_evidence(struct build *b)
{
    for (size_t i = 0; i < b->nm; i++) {
        if (b->owner[i] < 0)
            continue;
        const struct ob_msg *m = outbound_msg(b->ob, i);
        struct customer *cu = &b->cv[b->owner[i]];
        struct cand *cd;
        if (cu->peak && m->ts >= cu->peak_hour && m->ts < cu->peak_hour + 3600
            && (cd = cand_slot(b, (size_t)b->owner[i], SIG_VOLUME_SPIKE)))
            *cd = (struct cand){ i, SIZE_MAX };
    }
}

/* (unmapped): figures per client address. */
static void unmapped_ips(struct build *b)
{
    size_t U = b->ncust - 1;
    struct customer *cu = &b->cv[U];
    struct rows per = { 0 };
    for (size_t i = 0; i < b->nm; i++)
        if (b->owner[i] == (long)U)
            row_add(&per, 0, ipstr(b->mem, &outbound_msg(b->ob, i)->ip), NULL, i, 0);
    rows_sort(&per);
    size_t nips = 0;
    for (size_t j = 0; j < per.n; j++)
        nips += j == 0 || strcmp(per.v[j].k, per.v[j - 1].k) != 0;
    cu->ips = arena_alloc(b->mem, (nips ? nips : 1) * sizeof(*cu->ips));
    for (size_t j = 0; j < per.n; j++) {
        if (j == 0 || strcmp(per.v[j].k, per.v[j - 1].k) != 0)
            cu->ips[cu->nips++].ip = per.v[j].k;
        struct cust_ipline *l = &cu->ips[cu->nips - 1];
        const struct ob_msg *m = outbound_msg(b->ob, per.v[j].pos);
        l->messages++;
        l->recipients += distinct_recipients(m);
        for (size_t k = 0; k < m->nd; k++) {
            const struct ob_delivery *d = &m->d[k];
            l->sent += d->status == OB_SENT;
            l->bounced += d->status == OB_BOUNCED;
            l->deferred += d->status == OB_DEFERRED;
            if ((d->status == OB_BOUNCED || d->status == OB_DEFERRED)
                && (custclass_reply(d->text, d->dsn) & RC_SPAMLIKE))
                l->spam_rejections++;
        }
    }
    free(per.v);
}

/* Tonight into the history, after every customer was judged against
 * what it held before (a login under two customers adds up). */
static void record_history(struct build *b)
{
    for (size_t c = 0; c < b->ncust; c++) {
        const struct customer *cu = &b->cv[c];
        if (cu->messages)
            custhist_record(b->hist, CUSTHIST_CUSTOMER, cu->name, cu->messages, NULL, 0, 0);
        for (size_t i = 0; i < cu->nlogins; i++) {
            const struct cust_login *lg = &cu->logins[i];
            custhist_record(b->hist, CUSTHIST_LOGIN, lg->user, lg->messages, lg->keys,
                            lg->nkeys, lg->hour_mask);
        }
    }
}

void cust_report_build(struct cust_report *r, const struct outbound *ob,
                       struct custmap *map, const struct cust_policy *p,
                       struct asn_db *asn, struct asn_db *geo, struct custhist *hist)
{
    size_t nm = outbound_count(ob), nc = custmap_customers(map) + 1, U = nc - 1;
    struct build b = { r, ob, p, NULL, nc, NULL, NULL, (size_t)p->evidence,
                       .nm = nm, .asn = asn, .geo = geo, .hist = hist };

    memset(r, 0, sizeof(*r));
    r->policy = p;
    r->have_asn = asn != NULL;
    r->have_geo = geo != NULL;
    r->mem = xmalloc(sizeof(*r->mem));
    arena_init(r->mem);
    b.mem = r->mem;
    b.owner = xmalloc((nm ? nm : 1) * sizeof(*b.owner));
    b.cv = arena_alloc(r->mem, nc * sizeof(*b.cv));
    for (size_t c = 0; c < nc; c++) {
        b.cv[c].name = custmap_name(map, c);
        b.cv[c].contact = custmap_contact(map, c);
        b.cv[c].number = c < U ? c + 1 : 0;
        b.cv[c].first = INT64_MAX;
        b.cv[c].last = INT64_MIN;
    }
    b.cand = xcalloc(nc * SIG__COUNT * (b.nev ? b.nev : 1), sizeof(*b.cand));
    b.ncand = xcalloc(nc * SIG__COUNT, sizeof(*b.ncand));

    assign_owners(&b, map);
    count_messages(&b);
    customer_lists(&b);
    spike_evidence(&b);
    unmapped_ips(&b);
    r->have_history = hist != NULL;
    for (size_t c = 0; c < nc; c++)
        signals(&b, &b.cv[c], c);
    if (hist)
        record_history(&b);

    /* Customers with no outbound mail are still listed (a clean slate is
     * news too), except an empty (unmapped). */
    r->c = xmalloc(nc * sizeof(*r->c));
    for (size_t c = 0; c < nc; c++)
        if (c != U || b.cv[c].messages)
            r->c[r->n++] = b.cv[c];
    if (r->n > 1)
        qsort(r->c, r->n, sizeof(*r->c), cmp_customer);

    free(b.domains.v), free(b.ips.v), free(b.logins.v), free(b.senders.v), free(b.remote.v);
    free(b.blhosts.v);
    free(b.cand), free(b.ncand), free(b.owner);
}

void cust_report_free(struct cust_report *r)
{
    if (r->mem) {
        arena_free(r->mem);
        free(r->mem);
    }
    free(r->c);
    memset(r, 0, sizeof(*r));
}
