/* Customer report files and their publication; see custout.h. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "custout.h"
#include "custhtml.h"
#include "custtext.h"
#include "escape.h"
#include "msg.h"
#include "xalloc.h"

static void signal_list(struct outbuf *o, const struct customer *c, char sep)
{
    for (size_t i = 0; i < c->nsig; i++) {
        if (i)
            outbuf_putc(o, sep);
        outbuf_puts(o, cust_signal_name(c->sig[i].id));
    }
}

void custout_index_csv(struct outbuf *o, const struct cust_report *r)
{
    outbuf_puts(o, "customer,tier,messages,recipients,sent,bounced,deferred,bounce_rate,"
                "spam_rejections,login_ips,signals\n");
    for (size_t i = 0; i < r->n; i++) {
        const struct customer *c = &r->c[i];
        esc_csv(o, c->name, strlen(c->name));
        outbuf_printf(o, ",%s,%llu,%llu,%llu,%llu,%llu,%.4f,%llu,%zu,", cust_tier_name(c->tier),
                      (unsigned long long)c->messages, (unsigned long long)c->recipients,
                      (unsigned long long)c->sent, (unsigned long long)c->bounced,
                      (unsigned long long)c->deferred, c->bounce_rate,
                      (unsigned long long)c->spam_rejections, c->client_ips);
        signal_list(o, c, ';');
        outbuf_putc(o, '\n');
    }
}

static void iso(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void jstr(struct outbuf *o, const char *s)
{
    esc_json(o, s ? s : "", s ? strlen(s) : 0);
}

static void jnum(struct outbuf *o, double v)
{
    if (v == (double)(long long)v && v < 1e15 && v > -1e15)
        outbuf_printf(o, "%lld", (long long)v);
    else
        outbuf_printf(o, "%.4f", v);
}

static const char *file_name(const struct custview *x, uint32_t f)
{
    return f < x->nfiles ? x->files[f] : "?";
}

static void json_counts(struct outbuf *o, const char *name, const char *key, const char *nkey,
                        const struct cust_count *v, size_t n)
{
    outbuf_printf(o, ",\n  \"%s\": [", name);
    for (size_t i = 0; i < n; i++) {
        outbuf_printf(o, "%s{\"%s\": ", i ? ", " : "", key);
        jstr(o, v[i].name);
        outbuf_printf(o, ", \"%s\": %llu", nkey, (unsigned long long)v[i].n);
        if (v[i].extra) {
            outbuf_puts(o, ", \"class\": ");
            jstr(o, v[i].extra);
        }
        outbuf_putc(o, '}');
    }
    outbuf_putc(o, ']');
}

static void json_figures(struct outbuf *o, const struct customer *c)
{
    char a[32];

    outbuf_printf(o, ",\n  \"figures\": {\"messages\": %llu, \"recipients\": %llu, "
                  "\"attempts\": %llu, \"sent\": %llu, \"bounced\": %llu, \"deferred\": %llu, "
                  "\"other\": %llu, \"expired_messages\": %llu, \"bounce_rate\": %.4f, "
                  "\"spam_rejections\": %llu, \"blocklist_rejections\": %llu, "
                  "\"reputation_rejections\": %llu, \"unknown_recipients\": %llu, "
                  "\"rate_limited\": %llu, \"recipient_domains\": %zu, \"client_ips\": %zu, "
                  "\"peak_hour_messages\": %u, \"median_hour_messages\": %u",
                  (unsigned long long)c->messages, (unsigned long long)c->recipients,
                  (unsigned long long)c->attempts, (unsigned long long)c->sent,
                  (unsigned long long)c->bounced, (unsigned long long)c->deferred,
                  (unsigned long long)c->other, (unsigned long long)c->expired, c->bounce_rate,
                  (unsigned long long)c->spam_rejections,
                  (unsigned long long)c->blocklist_rejections,
                  (unsigned long long)c->reputation_rejections,
                  (unsigned long long)c->unknown_recipient, (unsigned long long)c->rate_limited,
                  c->rcpt_domains, c->client_ips, c->peak, c->median);
    if (c->peak) {
        iso(c->peak_hour, a, sizeof(a));
        outbuf_printf(o, ", \"peak_hour\": \"%s\"", a);
    }
    outbuf_puts(o, "}");
}

/* The evidence of a signal: file as the operator named it, line, time,
 * the line as logged (kept) or the parsed fields (not kept). */
static void json_evidence(struct outbuf *o, const struct custview *x, const struct cust_sig *s)
{
    char a[32];

    outbuf_puts(o, "}, \"evidence\": [");
    for (size_t k = 0; k < s->nev; k++) {
        const struct cust_evidence *e = &s->ev[k];
        iso(e->ts, a, sizeof(a));
        outbuf_puts(o, k ? ",\n      {\"file\": " : "\n      {\"file\": ");
        jstr(o, file_name(x, e->file));
        outbuf_printf(o, ", \"line\": %llu, \"time\": \"%s\", \"as_logged\": %s, \"text\": ",
                      (unsigned long long)e->line, a, e->raw.p ? "true" : "false");
        if (e->raw.p)
            esc_json(o, e->raw.p, e->raw.n);
        else
            jstr(o, e->text);
        outbuf_putc(o, '}');
    }
    outbuf_puts(o, "]}");
}

static void json_signals(struct outbuf *o, const struct custview *x, const struct customer *c)
{
    char a[32];

    outbuf_puts(o, ",\n  \"signals\": [");
    for (size_t i = 0; i < c->nsig; i++) {
        const struct cust_sig *s = &c->sig[i];
        outbuf_printf(o, "%s\n    {\"name\": \"%s\", \"level\": \"%s\", \"summary\": ",
                      i ? "," : "", cust_signal_name(s->id), cust_tier_name(s->level));
        char sum[CUSTTEXT_SUMMARY_MAX];
        jstr(o, custtext_summary(x->r, c, s, sum, sizeof(sum)));
        if (s->id == SIG_ACCOUNT_COMPROMISE) {
            outbuf_puts(o, ", \"login\": ");
            jstr(o, c->logins[s->login].user);
        }
        outbuf_puts(o, ", \"figures\": {");
        for (size_t k = 0; k < s->nfig; k++) {
            outbuf_printf(o, "%s\"%s\": ", k ? ", " : "", s->fig[k].name);
            if (strcmp(s->fig[k].name, "peak_hour") == 0) {
                iso((int64_t)s->fig[k].value, a, sizeof(a));
                outbuf_printf(o, "\"%s\"", a);
            } else {
                jnum(o, s->fig[k].value);
            }
        }
        json_evidence(o, x, s);
    }
    outbuf_puts(o, c->nsig ? "\n  ]" : "]");
}

static void json_logins(struct outbuf *o, const struct cust_report *r, const struct customer *c)
{
    outbuf_puts(o, ",\n  \"logins\": [");
    for (size_t i = 0; i < c->nlogins; i++) {
        const struct cust_login *l = &c->logins[i];
        outbuf_puts(o, i ? ",\n    {\"login\": " : "\n    {\"login\": ");
        jstr(o, l->user);
        outbuf_printf(o, ", \"messages\": %llu, \"client_ips\": %zu, \"networks\": %zu",
                      (unsigned long long)l->messages, l->ips, l->networks);
        if (r->have_asn)
            outbuf_printf(o, ", \"asns\": %zu", l->asns);
        if (r->have_geo)
            outbuf_printf(o, ", \"countries\": %zu", l->countries);
        outbuf_printf(o, ", \"rdns_families\": %zu, \"places\": %zu, \"concurrent\": %zu, "
                      "\"attempts\": %llu, \"bounced\": %llu, \"spam_rejections\": %llu, "
                      "\"unknown_recipients\": %llu, \"recipient_domains\": %zu, "
                      "\"peak_hour_messages\": %u, \"median_hour_messages\": %u, "
                      "\"level\": \"%s\"}", l->families, l->places, l->concurrent,
                      (unsigned long long)l->attempts, (unsigned long long)l->bounced,
                      (unsigned long long)l->spam, (unsigned long long)l->unknown,
                      l->rcpt_domains, l->peak, l->median,
                      cust_tier_name(custlogin_level(l, r->policy)));
        if (r->have_history) {
            o->len--;           /* reopen the object */
            outbuf_printf(o, ", \"known_login\": %s, \"new_places\": %zu, "
                          "\"baseline_days\": %zu, \"baseline_daily_median\": %g, "
                          "\"unusual_hours\": %d}", l->have_history ? "true" : "false",
                          l->new_places, l->base_days, l->base_median,
                          __builtin_popcount(l->unusual_hours));
        }
    }
    outbuf_puts(o, c->nlogins ? "\n  ]" : "]");
}

static void json_ips(struct outbuf *o, const struct customer *c)
{
    if (c->nips == 0)
        return;
    outbuf_puts(o, ",\n  \"client_addresses\": [");
    for (size_t i = 0; i < c->nips; i++) {
        const struct cust_ipline *l = &c->ips[i];
        outbuf_puts(o, i ? ",\n    {\"ip\": " : "\n    {\"ip\": ");
        jstr(o, l->ip);
        outbuf_printf(o, ", \"messages\": %llu, \"recipients\": %llu, \"sent\": %llu, "
                      "\"bounced\": %llu, \"deferred\": %llu, \"spam_rejections\": %llu}",
                      (unsigned long long)l->messages, (unsigned long long)l->recipients,
                      (unsigned long long)l->sent, (unsigned long long)l->bounced,
                      (unsigned long long)l->deferred, (unsigned long long)l->spam_rejections);
    }
    outbuf_puts(o, "\n  ]");
}

static void json_hourly(struct outbuf *o, const struct cust_report *r, const struct customer *c)
{
    char a[32];

    iso(r->hour0, a, sizeof(a));
    outbuf_printf(o, ",\n  \"hourly\": {\"start\": \"%s\", \"messages\": [", a);
    for (size_t h = 0; h < r->hours; h++)
        outbuf_printf(o, "%s%u", h ? "," : "", c->hour_msgs[h]);
    outbuf_puts(o, "], \"bounced\": [");
    for (size_t h = 0; h < r->hours; h++)
        outbuf_printf(o, "%s%u", h ? "," : "", c->hour_bounced[h]);
    outbuf_puts(o, "]}");
}

void custout_json(struct outbuf *o, const struct custview *x, const struct customer *c)
{
    const struct cust_report *r = x->r;
    char a[32], b[32];

    outbuf_puts(o, "{\n  \"customer\": ");
    jstr(o, c->name);
    outbuf_printf(o, ",\n  \"tier\": \"%s\"", cust_tier_name(c->tier));
    iso(r->hour0, a, sizeof(a));
    iso(r->hour0 + (int64_t)r->hours * 3600, b, sizeof(b));
    outbuf_printf(o, ",\n  \"period\": {\"from\": \"%s\", \"to\": \"%s\"}", a, b);
    json_figures(o, c);
    json_signals(o, x, c);
    if (c->tier == TIER_THROTTLE) {
        struct outbuf t;
        outbuf_init_mem(&t, 1024);
        custtext_throttle(&t, r, c);
        outbuf_puts(o, ",\n  \"throttle_postfix\": ");
        esc_json(o, t.buf, t.len);
        free(t.buf);
    }
    json_logins(o, r, c);
    json_counts(o, "top_senders", "sender", "messages", c->senders, c->nsenders);
    json_counts(o, "top_recipient_domains", "domain", "attempts", c->domains, c->ndomains);
    json_counts(o, "remote_rejections", "remote", "attempts", c->remote, c->nremote);
    json_ips(o, c);
    json_hourly(o, r, c);
    outbuf_puts(o, "\n}\n");
}

/* ---- publication ---- */

typedef void writer_fn(struct outbuf *o, const struct custview *x, const struct customer *c,
                       size_t lang);

static bool write_one(const char *dir, const char *name, writer_fn *fn,
                      const struct custview *x, const struct customer *c, size_t lang)
{
    struct afile *af = afile_open(dir, name, 0644);
    if (af == NULL)
        return false;
    fn(afile_out(af), x, c, lang);
    if (!afile_finish(af)) {
        afile_abort(af);
        return false;
    }
    return afile_publish_all(&af, 1);
}

static void w_index(struct outbuf *o, const struct custview *x, const struct customer *c,
                    size_t lang)
{
    (void)c, (void)lang;
    custout_index_csv(o, x->r);
}

static void w_json(struct outbuf *o, const struct custview *x, const struct customer *c,
                   size_t lang)
{
    (void)lang;
    custout_json(o, x, c);
}

static void letter_in(struct letter_in *in, const struct custview *x, const struct customer *c)
{
    *in = (struct letter_in){ x->r, c, x->files, x->nfiles, x->now, x->lp };
}

static void w_text(struct outbuf *o, const struct custview *x, const struct customer *c,
                   size_t lang)
{
    struct letter_in in;
    letter_in(&in, x, c);
    letters_text(o, x->letters, lang, &in);
}

static void w_eml(struct outbuf *o, const struct custview *x, const struct customer *c,
                  size_t lang)
{
    struct letter_in in;
    letter_in(&in, x, c);
    letters_eml(o, x->letters, lang, &in);
}

/* customers/<name>.<lang>.txt and .eml for every language; nothing to
 * tell an ok customer: no letter. */
static bool write_letters(const char *sub, const struct custview *x, const struct customer *c)
{
    char name[CUSTMAP_NAME_MAX + 16];
    bool ok = true;

    if (c->tier == TIER_OK)
        return true;
    for (size_t i = 0; ok && i < letters_count(x->letters); i++) {
        snprintf(name, sizeof(name), "%s.%s.txt", c->name, letters_lang(x->letters, i));
        ok = write_one(sub, name, w_text, x, c, i);
        snprintf(name, sizeof(name), "%s.%s.eml", c->name, letters_lang(x->letters, i));
        ok = ok && write_one(sub, name, w_eml, x, c, i);
    }
    return ok;
}

bool custout_stage(struct custview *x, const char *dir, struct afile **html)
{
    char name[CUSTMAP_NAME_MAX + 16], sub[4096];
    bool ok;

    *html = NULL;
    snprintf(sub, sizeof(sub), "%s/customers", dir);
    if (mkdir(sub, 0755) < 0) {
        msg_warn("%s: cannot create: %s", sub, strerror(errno));
        return false;
    }
    ok = write_one(sub, "index.csv", w_index, x, NULL, 0);
    for (size_t i = 0; ok && i < x->r->n; i++) {
        const struct customer *c = &x->r->c[i];
        snprintf(name, sizeof(name), "%s.json", c->name);
        ok = write_one(sub, name, w_json, x, c, 0);
        ok = ok && write_letters(sub, x, c);
    }
    if (ok && (*html = afile_open(dir, "report.html", 0644)) != NULL) {
        custhtml_write(afile_out(*html), x);
        ok = afile_finish(*html);
    } else {
        ok = false;
    }
    if (!ok) {
        afile_abort(*html);
        *html = NULL;
    }
    return ok;
}
