/* report.html; see custhtml.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "custhtml.h"
#include "custtext.h"
#include "dashboard.h"
#include "escape.h"
#include "policy.h"

static void h(struct outbuf *o, const char *s)
{
    esc_html(o, s ? s : "", s ? strlen(s) : 0);
}


static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.2em 0 .4em}"
    "h3{font-size:1.05em;margin:.3em 0}"
    "table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:2px 8px;"
    "text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}"
    ".tier{display:inline-block;padding:1px 8px;border-radius:3px;font-weight:600;color:#fff}"
    ".t-ok{background:#2e7d32}.t-watch{background:#1565c0}.t-warn{background:#ef6c00}"
    ".t-throttle{background:#ad1457}.t-suspend{background:#c62828}"
    "section.customer{border:1px solid #ddd;border-left:6px solid #999;padding:.5em 1em;"
    "margin:.8em 0;border-radius:3px}"
    "section.customer[data-tier=ok]{border-left-color:#2e7d32}"
    "section.customer[data-tier=watch]{border-left-color:#1565c0}"
    "section.customer[data-tier=warn]{border-left-color:#ef6c00}"
    "section.customer[data-tier=throttle]{border-left-color:#ad1457}"
    "section.customer[data-tier=suspend]{border-left-color:#c62828}"
    "pre{background:#f7f7f7;padding:.4em;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all;font-size:12px;margin:.2em 0}"
    ".sig{margin:.4em 0}.sig b{font-family:monospace}.muted{color:#666}"
    "svg{background:#fafafa;border:1px solid #eee;max-width:100%;height:auto}"
    "nav a{margin-right:1em}"
    "@media (max-width:600px){body{margin:.5em;font-size:13px}td,th{padding:2px 4px}"
    "h1{font-size:1.25em}}";

/* One scale for every customer's chart (and for both series: bounces
 * count attempts, so a spammer's red bars may be taller than its blue
 * ones): charts side by side compare at a glance. */
static uint32_t common_max(const struct cust_report *r)
{
    uint32_t max = 1;

    for (size_t k = 0; k < r->n; k++)
        for (size_t i = 0; i < r->hours; i++) {
            if (r->c[k].hour_msgs[i] > max)
                max = r->c[k].hour_msgs[i];
            if (r->c[k].hour_bounced[i] > max)
                max = r->c[k].hour_bounced[i];
        }
    return max;
}

static uint32_t chart_max;      /* custhtml_write's common_max, for chart() */

static void chart(struct outbuf *o, const struct cust_report *r, const struct customer *c)
{
    enum { W = 720, H = 120, PAD = 20 };
    uint32_t max = chart_max ? chart_max : 1;

    double bw = r->hours ? (double)(W - 2 * PAD) / (double)r->hours : 0;
    outbuf_printf(o, "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                  "role=\"img\" aria-label=\"messages and bounces per hour\">", W, H + 24, W,
                  H + 24);
    outbuf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", PAD, H,
                  W - PAD, H);
    for (size_t i = 0; i < r->hours; i++) {
        double x = PAD + bw * (double)i, hm = (double)c->hour_msgs[i] * (H - 16) / max,
            hb = (double)c->hour_bounced[i] * (H - 16) / max;
        if (c->hour_msgs[i])
            outbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#90caf9\"><title>%u messages</title></rect>", x, H - hm,
                          bw > 1.5 ? bw - 0.5 : bw, hm, c->hour_msgs[i]);
        if (c->hour_bounced[i])
            outbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#e53935\"><title>%u bounced</title></rect>", x + bw / 4,
                          H - hb, bw / 2 > 0.5 ? bw / 2 : 0.5, hb, c->hour_bounced[i]);
        if (i % 6 == 0) {
            outbuf_printf(o, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"#666\">", x,
                          H + 12);
            custtext_local(o, r->hour0 + (int64_t)i * 3600, i % 24 == 0 ? CT_DAY_CLOCK : CT_CLOCK);
            outbuf_puts(o, "</text>");
        }
    }
    outbuf_printf(o, "<text x=\"%d\" y=\"10\" font-size=\"9\" fill=\"#666\">0 to %u per hour, "
                  "the same scale for every customer; blue: messages, red: bounced attempts; "
                  "hours at ", PAD, max);
    custtext_local(o, r->hour0, CT_OFFSET);
    outbuf_puts(o, "</text></svg>\n");
}

static const char *fname(const struct custview *x, uint32_t f)
{
    return f < x->nfiles ? x->files[f] : "?";
}

/* The signals with their summary, the evidence as logged and, for the
 * first throttle-level signal, the Postfix throttle. */
static void customer_signals(struct outbuf *o, const struct custview *x, const struct customer *c)
{
    if (c->nsig == 0)
        outbuf_puts(o, "<p class=\"muted\">No signal.</p>\n");
    bool throttled = false;
    for (size_t i = 0; i < c->nsig; i++) {
        const struct cust_sig *s = &c->sig[i];
        outbuf_printf(o, "<div class=\"sig\"><span class=\"tier t-%s\">%s</span> <b>%s</b>: ",
                      cust_tier_name(s->level), cust_tier_name(s->level),
                      cust_signal_name(s->id));
        char sum[CUSTTEXT_SUMMARY_MAX];
        h(o, custtext_summary(x->r, c, s, sum, sizeof(sum)));
        outbuf_puts(o, "\n<pre class=\"evidence\">");
        for (size_t k = 0; k < s->nev; k++) {
            const struct cust_evidence *e = &s->ev[k];
            h(o, fname(x, e->file));
            outbuf_printf(o, ":%llu ", (unsigned long long)e->line);
            custtext_evidence(o, e, esc_html);
            outbuf_putc(o, '\n');
        }
        outbuf_puts(o, "</pre>");
        if (c->tier == TIER_THROTTLE && s->level == TIER_THROTTLE && !throttled) {
            struct outbuf t;
            outbuf_init_mem(&t, 1024);
            custtext_throttle(&t, x->r, c);
            outbuf_puts(o, "<p>Throttle with Postfix:</p><pre class=\"throttle\">");
            esc_html(o, t.buf, t.len);
            outbuf_puts(o, "</pre>");
            free(t.buf);
            throttled = true;
        }
        outbuf_puts(o, "</div>\n");
    }
}

/* Per login: where it signed in from. */
static void customer_logins(struct outbuf *o, const struct custview *x, const struct customer *c)
{
    if (c->nlogins) {
        outbuf_printf(o, "<table class=\"logins\"><tr><th class=\"l\">login</th><th>messages</th>"
                      "<th>client IPs</th><th>networks</th>%s<th>rDNS families</th>%s"
                      "<th>places</th><th>spam refusals</th></tr>",
                      x->r->have_asn ? "<th>ASNs</th>" : "",
                      x->r->have_geo ? "<th>countries</th>" : "");
        for (size_t i = 0; i < c->nlogins && i < 20; i++) {
            outbuf_puts(o, "<tr><td class=\"l\">");
            h(o, c->logins[i].user);
            outbuf_printf(o, "</td><td>%llu</td><td>%zu</td><td>%zu</td>",
                          (unsigned long long)c->logins[i].messages, c->logins[i].ips,
                          c->logins[i].networks);
            if (x->r->have_asn)
                outbuf_printf(o, "<td>%zu</td>", c->logins[i].asns);
            outbuf_printf(o, "<td>%zu</td>", c->logins[i].families);
            if (x->r->have_geo)
                outbuf_printf(o, "<td>%zu</td>", c->logins[i].countries);
            outbuf_printf(o, "<td>%zu</td><td>%llu</td></tr>", c->logins[i].places,
                          (unsigned long long)c->logins[i].spam);
        }
        outbuf_puts(o, "</table>\n");
    }
}

/* Top senders and the remote sites that refused. */
static void customer_senders(struct outbuf *o, const struct customer *c)
{
    if (c->nsenders) {
        outbuf_puts(o, "<p>Top senders: ");
        for (size_t i = 0; i < c->nsenders && i < 5; i++) {
            if (i)
                outbuf_puts(o, ", ");
            h(o, c->senders[i].name);
            outbuf_printf(o, " (%llu)", (unsigned long long)c->senders[i].n);
        }
        outbuf_puts(o, "</p>\n");
    }
    if (c->nremote) {
        outbuf_puts(o, "<p>Remote rejections: ");
        for (size_t i = 0; i < c->nremote && i < 5; i++) {
            if (i)
                outbuf_puts(o, ", ");
            h(o, c->remote[i].name);
            outbuf_printf(o, " (%llu, ", (unsigned long long)c->remote[i].n);
            h(o, c->remote[i].extra);
            outbuf_puts(o, ")");
        }
        outbuf_puts(o, "</p>\n");
    }
}

/* Client addresses mapped to the customer that no login explains. */
static void customer_ips(struct outbuf *o, const struct customer *c)
{
    if (c->nips) {
        outbuf_puts(o, "<table class=\"unmapped\"><tr><th class=\"l\">client IP</th>"
                    "<th>messages</th><th>recipients</th><th>sent</th><th>bounced</th>"
                    "<th>deferred</th><th>spam rejections</th></tr>");
        for (size_t i = 0; i < c->nips && i < 50; i++) {
            const struct cust_ipline *l = &c->ips[i];
            outbuf_puts(o, "<tr><td class=\"l\">");
            h(o, l->ip);
            outbuf_printf(o, "</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td>"
                          "<td>%llu</td><td>%llu</td></tr>", (unsigned long long)l->messages,
                          (unsigned long long)l->recipients, (unsigned long long)l->sent,
                          (unsigned long long)l->bounced, (unsigned long long)l->deferred,
                          (unsigned long long)l->spam_rejections);
        }
        outbuf_puts(o, "</table>\n");
        if (c->nips > 50)
            outbuf_printf(o, "<p class=\"muted\">%zu more addresses in the JSON file.</p>\n",
                          c->nips - 50);
    }
}

static void customer(struct outbuf *o, const struct custview *x, const struct customer *c,
                     size_t idx)
{
    outbuf_printf(o, "<section class=\"customer\" id=\"c%zu\" data-tier=\"%s\" data-customer=\"",
                  idx, cust_tier_name(c->tier));
    h(o, c->name);
    outbuf_puts(o, "\">\n<h3><span class=\"cname\">");
    h(o, c->name);
    outbuf_printf(o, "</span> <span class=\"tier t-%s\">%s</span></h3>\n", cust_tier_name(c->tier),
                  cust_tier_name(c->tier));
    outbuf_printf(o, "<table class=\"figures\"><tr><th>messages</th><th>recipients</th>"
                  "<th>sent</th><th>bounced</th><th>deferred</th><th>bounce rate</th>"
                  "<th>spam rejections</th><th>recipient domains</th><th>client IPs</th>"
                  "<th>peak/h</th><th>median/h</th></tr><tr><td>%llu</td><td>%llu</td>"
                  "<td>%llu</td><td>%llu</td><td>%llu</td><td>%.1f%%</td><td>%llu</td>"
                  "<td>%zu</td><td>%zu</td><td>%u</td><td>%u</td></tr></table>\n",
                  (unsigned long long)c->messages, (unsigned long long)c->recipients,
                  (unsigned long long)c->sent, (unsigned long long)c->bounced,
                  (unsigned long long)c->deferred, c->bounce_rate * 100,
                  (unsigned long long)c->spam_rejections, c->rcpt_domains, c->client_ips,
                  c->peak, c->median);
    chart(o, x->r, c);
    customer_signals(o, x, c);
    customer_logins(o, x, c);
    customer_senders(o, c);
    customer_ips(o, c);
    outbuf_puts(o, "</section>\n");
}

static void page_head(struct outbuf *o)
{
    outbuf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'; img-src data:\">\n"
                "<title>rblforge: the day's listings and outbound mail</title>\n<style>");
    outbuf_puts(o, css);
    outbuf_puts(o, dashboard_css);
    outbuf_puts(o, "</style></head><body>\n");
}

static void page_header(struct outbuf *o, const struct custview *x)
{
    const struct cust_report *r = x->r;

    outbuf_puts(o, "<h1>rblforge: the day's listings and outbound mail</h1>\n"
                "<p class=\"muted\">Outbound mail ");
    if (r->hours) {
        custtext_time(o, r->hour0, 0);
        outbuf_puts(o, " to ");
        custtext_time(o, r->hour0 + (int64_t)r->hours * 3600, 0);
    } else {
        outbuf_puts(o, "none in the input");
    }
    outbuf_puts(o, "; generated ");
    custtext_time(o, x->now, 0);
    outbuf_printf(o, "; %llu outbound messages, %llu bounce notices and %llu inbound "
                  "messages not counted.</p>\n", (unsigned long long)r->messages,
                  (unsigned long long)r->notices, (unsigned long long)r->inbound_skipped);
    dashboard_headline(o, &x->listing);
    outbuf_puts(o, "<nav><a href=\"#dnsbl\">listings</a><a href=\"#changes\">changes</a>"
                "<a href=\"#held\">held</a><a href=\"#customers\">customers</a></nav>\n");
}

static void customer_summary(struct outbuf *o, const struct cust_report *r)
{
    outbuf_puts(o, "<h2 id=\"customers\">Outbound mail by customer</h2>\n<div class=\"scroll\">"
                "<table class=\"summary\"><tr><th class=\"l\">customer</th>"
                "<th class=\"l\">tier</th><th>messages</th><th>bounce rate</th>"
                "<th>spam rejections</th><th class=\"l\">signals</th></tr>\n");
    for (size_t i = 0; i < r->n; i++) {
        const struct customer *c = &r->c[i];
        outbuf_printf(o, "<tr><td class=\"l\"><a href=\"#c%zu\">", i);
        h(o, c->name);
        outbuf_printf(o, "</a></td><td class=\"l\"><span class=\"tier t-%s\">%s</span></td>"
                      "<td>%llu</td><td>%.1f%%</td><td>%llu</td><td class=\"l\">",
                      cust_tier_name(c->tier), cust_tier_name(c->tier),
                      (unsigned long long)c->messages, c->bounce_rate * 100,
                      (unsigned long long)c->spam_rejections);
        for (size_t k = 0; k < c->nsig; k++)
            outbuf_printf(o, "%s%s", k ? ", " : "", cust_signal_name(c->sig[k].id));
        outbuf_puts(o, "</td></tr>\n");
    }
    outbuf_puts(o, "</table></div>\n");
}

void custhtml_write(struct outbuf *o, const struct custview *x)
{
    const struct cust_report *r = x->r;
    size_t by[TIER__COUNT] = { 0 };

    page_head(o);
    if (r == NULL) {
        /* A run without customer reports: the dashboard alone. */
        outbuf_puts(o, "<h1>rblforge: the day's listings</h1>\n<p class=\"muted\">Generated ");
        custtext_time(o, x->now, 0);
        outbuf_puts(o, "; no customer reports in this run (--customers).</p>\n");
        dashboard_headline(o, &x->listing);
        dashboard_write(o, &x->listing);
        outbuf_puts(o, "<p class=\"muted\">Reasons and thresholds: rblforge(1).</p>\n"
                    "</body></html>\n");
        return;
    }
    for (size_t i = 0; i < r->n; i++)
        by[r->c[i].tier]++;
    page_header(o, x);
    dashboard_write(o, &x->listing);
    customer_summary(o, r);
    chart_max = common_max(r);
    for (int t = TIER_SUSPEND; t >= TIER_OK; t--) {
        outbuf_printf(o, "<h2 id=\"tier-%s\">%s (%zu)</h2>\n", cust_tier_name((enum cust_tier)t),
                      cust_tier_name((enum cust_tier)t), by[t]);
        for (size_t i = 0; i < r->n; i++)
            if (r->c[i].tier == (enum cust_tier)t)
                customer(o, x, &r->c[i], i);
    }
    outbuf_puts(o, "<p class=\"muted\">Evidence lines are the lines as logged, with the "
                "file:line they were read from. Tiers and thresholds: rblforge(1).</p>\n"
                "</body></html>\n");
}
