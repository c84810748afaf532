/* The DNSBL side of report.html; see dashboard.h. */
#include <stdlib.h>
#include <string.h>
#include "dashboard.h"
#include "asn.h"
#include "escape.h"
#include "pubdiff.h"
#include "xalloc.h"

enum { TOP_ROWS = 15, CHANGES_SHOWN = 20, HELD_SHOWN = 30 };

const char dashboard_css[] =
    ".cards{display:flex;flex-wrap:wrap;gap:.6em;margin:.6em 0}"
    ".card{border:1px solid #ddd;border-radius:4px;padding:.4em .8em;min-width:8em;flex:1 1 8em}"
    ".card b{display:block;font-size:1.6em}.card span{color:#555;font-size:.9em}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "svg.axis text{font-size:10px;fill:#555}"
    ".c-spam{fill:#c62828}.c-net{fill:#6a1b9a}.c-auth{fill:#ef6c00}.c-dynamic{fill:#1565c0}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(20em,1fr));gap:0 1.5em}";

static void h(struct outbuf *o, const char *s)
{
    esc_html(o, s ? s : "", s ? strlen(s) : 0);
}

/* The smallest 1, 2 or 5 x 10^k not below v: an axis that ends on a round
 * figure. */
static double nice_max(double v)
{
    double m = 1;

    if (v <= 1)
        return 1;
    while (m * 10 < v)
        m *= 10;
    return v <= m ? m : v <= 2 * m ? 2 * m : v <= 5 * m ? 5 * m : 10 * m;
}

static void card(struct outbuf *o, const char *label, size_t v, const char *note)
{
    outbuf_printf(o, "<div class=\"card\"><b>%zu</b><span>%s%s%s</span></div>", v, label,
                  note ? " " : "", note ? note : "");
}

void dashboard_headline(struct outbuf *o, const struct custview_listing *s)
{
    if (!s->have)
        return;
    outbuf_puts(o, "<div class=\"cards\" id=\"headline\">");
    card(o, "addresses seen", s->seen, NULL);
    card(o, "entries listed", s->listed, NULL);
    if (s->have_diff) {
        card(o, "added", s->added, "since the last publication");
        card(o, "removed", s->removed, "since the last publication");
    }
    card(o, "allowlist hits", s->allowlisted, "(would be listed)");
    if (s->l)
        card(o, "networks escalated", s->l->nets_escalated, NULL);
    outbuf_puts(o, "</div>\n");
}

/* Listed entries per cause as horizontal bars, with an axis in entries. */
static void by_cause(struct outbuf *o, const struct custview_listing *s)
{
    enum { W = 640, LEFT = 80, ROW = 26, TOP = 8 };
    double max = 0;

    for (int c = 1; c < CAUSE__COUNT; c++)
        if (s->by_cause[c] > max)
            max = (double)s->by_cause[c];
    max = nice_max(max);
    int hgt = TOP + ROW * (CAUSE__COUNT - 1) + 34;
    outbuf_printf(o, "<h3>Listings by cause</h3>\n<div class=\"scroll\"><svg class=\"axis\" "
                  "id=\"chart-cause\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                  "role=\"img\" aria-label=\"listed entries per cause\">", W, hgt, W, hgt);
    for (int c = 1; c < CAUSE__COUNT; c++) {
        double w = (double)s->by_cause[c] * (W - LEFT - 40) / max;
        int y = TOP + ROW * (c - 1);
        outbuf_printf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                      "<rect class=\"c-%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
                      "<title>%zu %s</title></rect><text x=\"%.1f\" y=\"%d\">%zu</text>",
                      LEFT - 6, y + 15, policy_cause_name(c), policy_cause_name(c), LEFT, y,
                      w, ROW - 8, s->by_cause[c], policy_cause_name(c), LEFT + w + 4, y + 15,
                      s->by_cause[c]);
    }
    int ay = TOP + ROW * (CAUSE__COUNT - 1);
    outbuf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", LEFT, ay,
                  W - 40, ay);
    for (int t = 0; t <= 4; t++) {
        double x = LEFT + (double)t * (W - LEFT - 40) / 4;
        outbuf_printf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                      "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>", x, ay, x,
                      ay + 4, x, ay + 15, max * t / 4);
    }
    outbuf_printf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">listed entries</text>"
                  "</svg></div>\n", (LEFT + W - 40) / 2, ay + 30);
}

/* The hour (or day, over four days) of each listed address's last
 * evidence: when the listed traffic came. */
static void by_time(struct outbuf *o, const struct listings *l)
{
    enum { W = 720, H = 160, LEFT = 44, BOTTOM = 36, MAXB = 96 };
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    size_t cnt[MAXB] = { 0 };

    for (size_t i = 0; i < l->n; i++) {
        int64_t last = listings_last(l, &l->v[i]);
        if (last != INT64_MIN && last != INT64_MAX) {
            t0 = last < t0 ? last : t0;
            t1 = last > t1 ? last : t1;
        }
    }
    outbuf_puts(o, "<h3>Listings by the hour of their last evidence</h3>\n");
    if (t0 > t1) {
        outbuf_puts(o, "<p class=\"muted\">No listed address has evidence in this run.</p>\n");
        return;
    }
    int64_t step = t1 - t0 < 4 * 86400 ? 3600 : 86400;
    t0 -= t0 % step;
    size_t nb = (size_t)((t1 - t0) / step) + 1, top = 0;
    if (nb > MAXB) {            /* very long spans: the last MAXB steps */
        t0 += (int64_t)(nb - MAXB) * step;
        nb = MAXB;
    }
    for (size_t i = 0; i < l->n; i++) {
        int64_t last = listings_last(l, &l->v[i]);
        if (last != INT64_MIN && last != INT64_MAX && last >= t0)
            cnt[(last - t0) / step]++;
    }
    for (size_t b = 0; b < nb; b++)
        top = cnt[b] > top ? cnt[b] : top;
    double max = nice_max((double)top), bw = (double)(W - LEFT - 10) / (double)nb;
    outbuf_printf(o, "<div class=\"scroll\"><svg class=\"axis\" id=\"chart-time\" width=\"%d\" "
                  "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"listed "
                  "addresses per %s\">", W, H + BOTTOM, W, H + BOTTOM, step == 3600 ? "hour" : "day");
    for (int t = 0; t <= 4; t++) {
        double y = H - (double)t * (H - 10) / 4;
        outbuf_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                      "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>", LEFT, y, W - 10,
                      y, LEFT - 4, y + 3, max * t / 4);
    }
    for (size_t b = 0; b < nb; b++) {
        double x = LEFT + bw * (double)b, hh = (double)cnt[b] * (H - 10) / max;
        if (cnt[b])
            outbuf_printf(o, "<rect class=\"c-spam\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\"><title>%zu</title></rect>", x, H - hh,
                          bw > 2 ? bw - 1 : bw, hh, cnt[b]);
        if (b % (step == 3600 ? 6 : 7) == 0) {
            outbuf_printf(o, "<text x=\"%.1f\" y=\"%d\">", x, H + 13);
            outbuf_time(o, t0 + (int64_t)b * step, step == 3600 && b % 24 ? "%H:00" : "%m-%d");
            outbuf_puts(o, "</text>");
        }
    }
    outbuf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
                  "<text x=\"%d\" y=\"%d\">listed addresses per %s (UTC)</text></svg></div>\n",
                  LEFT, H, W - 10, H, LEFT, H + 30, step == 3600 ? "hour" : "day");
}

/* The evidence classes with the most events against st, as text. */
static void reasons(struct outbuf *o, const struct ip_stats *st)
{
    uint32_t n[AC__COUNT];
    bool used[AC__COUNT] = { false };

    ip_stats_counts(st, n);
    for (int shown = 0; shown < 3; shown++) {
        int best = -1;
        for (int k = 0; k < AC__COUNT; k++)
            if (!used[k] && n[k] && agg_is_evidence(k) && (best < 0 || n[k] > n[best]))
                best = k;
        if (best < 0)
            break;
        used[best] = true;
        outbuf_printf(o, "%s%s \xc3\x97%u", shown ? ", " : "", agg_class_name(best), n[best]);
    }
}

/* One of the top addresses: the highest score first, then prefix order. */
struct top {
    double score;
    const struct listing *e;
};

static bool before(const struct top *x, const struct top *y)
{
    if (x->score != y->score)
        return x->score > y->score;
    return ipprefix_cmp(&x->e->pfx, &y->e->pfx) < 0;
}

static void asn_cell(struct outbuf *o, const struct asn_db *db, uint32_t asn)
{
    outbuf_puts(o, "<td class=\"l\">");
    if (asn) {
        outbuf_printf(o, "AS%u ", asn);
        h(o, asn_org(db, asn));
    }
    outbuf_puts(o, "</td>");
}

static void top_addresses(struct outbuf *o, const struct custview_listing *s)
{
    const struct listings *l = s->l;
    struct top v[TOP_ROWS + 1];
    size_t n = 0;
    char ip[IPPREFIX_STRLEN];

    /* The first TOP_ROWS in that order, kept sorted as they come: no
     * array of every listed address to sort. */
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].st == NULL)
            continue;
        struct top t = { listings_score(l, &l->v[i]), &l->v[i] };
        if (n == TOP_ROWS && !before(&t, &v[n - 1]))
            continue;
        size_t k = n < TOP_ROWS ? n++ : n - 1;
        for (; k > 0 && before(&t, &v[k - 1]); k--)
            v[k] = v[k - 1];
        v[k] = t;
    }
    outbuf_puts(o, "<h3>Top addresses</h3>\n<div class=\"scroll\"><table id=\"top-addresses\">"
                "<tr><th class=\"l\">address</th><th class=\"l\">cause</th><th>score</th>"
                "<th class=\"l\">rDNS</th><th class=\"l\">AS</th><th class=\"l\">reasons "
                "(events)</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const struct listing *e = v[i].e;
        struct listing_more m;
        listings_more(l, e, &m);
        outbuf_printf(o, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%g</td>"
                      "<td class=\"l\">", ipprefix_format(&e->pfx, ip),
                      policy_cause_name(e->d.cause), m.score);
        h(o, e->st->rdns);
        outbuf_puts(o, "</td>");
        asn_cell(o, s->asn, m.asn ? m.asn : e->st->asn);
        outbuf_puts(o, "<td class=\"l\">");
        reasons(o, e->st);
        outbuf_puts(o, "</td></tr>\n");
    }
    outbuf_puts(o, "</table></div>\n");
}

/* Most listed addresses first, then prefix order. */
static bool net_before(const struct net_stats *x, const struct net_stats *y)
{
    if (x->ips_listed != y->ips_listed)
        return x->ips_listed > y->ips_listed;
    return ipprefix_cmp(&x->pfx, &y->pfx) < 0;
}

/* Networks with two or more listed addresses, or escalated, or held: the
 * first TOP_ROWS in net_before's order, kept sorted as they come. */
static void top_networks(struct outbuf *o, const struct custview_listing *s)
{
    struct netagg_iter it = { 0, 0 };
    struct net_stats v[TOP_ROWS], ns;
    size_t n = 0;
    char pfx[IPPREFIX_STRLEN];

    while (listings_net_next(s->l, &it, &ns)) {
        if (ns.ips_listed < 2 && ns.status == NET_NONE)
            continue;
        if (n == TOP_ROWS && !net_before(&ns, &v[n - 1]))
            continue;
        size_t k = n < TOP_ROWS ? n++ : n - 1;
        for (; k > 0 && net_before(&ns, &v[k - 1]); k--)
            v[k] = v[k - 1];
        v[k] = ns;
    }
    outbuf_puts(o, "<h3>Top networks</h3>\n<div class=\"scroll\"><table id=\"top-networks\">"
                "<tr><th class=\"l\">network</th><th>listed</th><th>seen</th>"
                "<th>sending good mail</th><th class=\"l\">escalated</th><th class=\"l\">AS"
                "</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        outbuf_printf(o, "<tr><td class=\"l\">%s</td><td>%u</td><td>%u</td><td>%u</td>"
                      "<td class=\"l\">%s</td>", ipprefix_format(&v[i].pfx, pfx),
                      v[i].ips_listed, v[i].ips_seen, v[i].ips_good,
                      netagg_status_name(v[i].status));
        asn_cell(o, s->asn, v[i].asn);
        outbuf_puts(o, "</tr>\n");
    }
    outbuf_puts(o, "</table></div>\n");
}

static int cmp_as(const void *a, const void *b)
{
    const struct asn_stats *x = *(const struct asn_stats *const *)a;
    const struct asn_stats *y = *(const struct asn_stats *const *)b;

    if (x->ips_listed != y->ips_listed)
        return x->ips_listed < y->ips_listed ? 1 : -1;
    return (x->asn > y->asn) - (x->asn < y->asn);
}

static void top_asns(struct outbuf *o, const struct custview_listing *s)
{
    const struct netagg *na = &s->l->nets;
    const struct asn_stats **v = xmalloc((na->nasv + 1) * sizeof(*v));
    size_t n = 0;

    for (size_t i = 0; i < na->nasv; i++)
        if (na->asv[i]->asn && na->asv[i]->ips_listed)
            v[n++] = na->asv[i];
    outbuf_puts(o, "<h3>Top ASNs</h3>\n");
    if (n == 0) {
        outbuf_puts(o, "<p class=\"muted\">No ASN data (run with --asn-db).</p>\n");
        free(v);
        return;
    }
    qsort(v, n, sizeof(*v), cmp_as);
    outbuf_puts(o, "<div class=\"scroll\"><table id=\"top-asns\"><tr><th class=\"l\">AS</th>"
                "<th>listed</th><th>seen</th><th>networks escalated</th><th>events</th></tr>\n");
    for (size_t i = 0; i < n && i < TOP_ROWS; i++) {
        outbuf_puts(o, "<tr>");
        asn_cell(o, s->asn, v[i]->asn);
        outbuf_printf(o, "<td>%u</td><td>%u</td><td>%u</td><td>%llu</td></tr>\n",
                      v[i]->ips_listed, v[i]->ips_seen, v[i]->nets_listed,
                      (unsigned long long)v[i]->events);
    }
    outbuf_puts(o, "</table></div>\n");
    free(v);
}

static void change_list(struct outbuf *o, const struct custview_listing *s, bool added)
{
    const struct pubdiff *d = s->diff;
    size_t n = added ? d->added.n : d->removed.n;
    char buf[PUBDIFF_TEXT_MAX];

    outbuf_printf(o, "<div><h4>%s (%zu)</h4><pre>", added ? "Added" : "Removed", n);
    for (size_t i = 0; i < n && i < CHANGES_SHOWN; i++) {
        struct span t = added ? pubdiff_added_text(d, s->l, i, buf)
            : pubdiff_removed_text(d, i, buf);
        esc_html(o, t.p, t.n);
        outbuf_putc(o, '\n');
    }
    if (n > CHANGES_SHOWN)
        outbuf_printf(o, "... %zu more in summary.json\n", n - CHANGES_SHOWN);
    outbuf_puts(o, "</pre></div>");
}

static void changes(struct outbuf *o, const struct custview_listing *s)
{
    outbuf_puts(o, "<h3 id=\"changes\">What changed since the last publication</h3>\n");
    if (!s->have_diff) {
        outbuf_puts(o, "<p class=\"muted\">Not published by a run.</p>\n");
        return;
    }
    outbuf_printf(o, "<p>%zu added, %zu removed, %zu kept (previously %zu).</p>\n", s->added,
                  s->removed, s->kept, s->previous);
    if (s->diff) {
        outbuf_puts(o, "<div class=\"grid\">");
        change_list(o, s, true);
        change_list(o, s, false);
        outbuf_puts(o, "</div>\n");
    }
}

static void held(struct outbuf *o, const struct custview_listing *s)
{
    const struct listings *l = s->l;
    char ip[IPPREFIX_STRLEN];
    size_t k = 0;

    outbuf_printf(o, "<h3 id=\"held\">Held networks and allowlist hits</h3>\n<p>%zu networks "
                  "held back, %zu allowlisted addresses that would have been listed.</p>\n"
                  "<div class=\"scroll\"><table id=\"held-table\"><tr><th class=\"l\">entry"
                  "</th><th class=\"l\">why not listed</th><th>listed inside / score</th></tr>\n",
                  l->nets_held, l->nallowed);
    /* Only kept networks can be held: those of listed addresses alone
     * (listings_net_next's others) have no status. */
    for (size_t i = 0; k < HELD_SHOWN && i < l->nets.nnets; i++) {
        const struct net_stats *ns = &l->nets.nets[i];
        if (ns->status == NET_HELD_ALLOWLIST || ns->status == NET_HELD_GOOD) {
            outbuf_printf(o, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%u</td>"
                          "</tr>\n", ipprefix_format(&ns->pfx, ip),
                          netagg_status_name(ns->status), ns->ips_listed);
            k++;
        }
    }
    for (size_t i = 0; i < l->nallowed && i < HELD_SHOWN; i++)
        outbuf_printf(o, "<tr><td class=\"l\">%s</td><td class=\"l\">allowlisted (would be "
                      "%s)</td><td>%g</td></tr>\n", ipprefix_format(&l->allowed[i].pfx, ip),
                      policy_cause_name(l->allowed[i].d.cause),
                      listings_score(l, &l->allowed[i]));
    outbuf_puts(o, "</table></div>\n");
}

void dashboard_write(struct outbuf *o, const struct custview_listing *s)
{
    outbuf_puts(o, "<div id=\"dnsbl\"><h2>Today's listings</h2>\n");
    if (!s->have || s->l == NULL) {
        outbuf_puts(o, "<p class=\"muted\">No listing in this run.</p></div>\n");
        return;
    }
    by_cause(o, s);
    by_time(o, s->l);
    changes(o, s);
    top_addresses(o, s);
    outbuf_puts(o, "<div class=\"grid\"><div>");
    top_networks(o, s);
    outbuf_puts(o, "</div><div>");
    top_asns(o, s);
    outbuf_puts(o, "</div></div>\n");
    held(o, s);
    outbuf_puts(o, "</div>\n");
}
