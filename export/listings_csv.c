/* listings.csv: the day's listed entries with their evidence. */
#include <string.h>
#include "listings_csv.h"
#include "escape.h"
#include "ipaddr.h"
#include "tstamp.h"

/* Rows come in address order, so their dates repeat: the date part is
 * formatted once per day (by tstamp_format, for the same text) and the
 * time of day by hand. One per column: a row's expiry is days after its
 * evidence, and one cache for all three was refilled twice a row. */
struct day_text {
    int64_t day;
    size_t n;                   /* 0: nothing cached */
    char text[32];              /* "YYYY-MM-DDT" */
};

static void put_time(struct outbuf *o, int64_t t, struct day_text *dt)
{
    char buf[32];

    outbuf_putc(o, ',');
    if (t == INT64_MAX || t == INT64_MIN || t == 0)
        return;
    if (t < -((int64_t)1 << 40) || t > (int64_t)1 << 40) {
        tstamp_format(t, 0, buf);       /* far off: no shortcut */
        outbuf_puts(o, buf);
        return;
    }
    int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    unsigned sod = (unsigned)(t - day * 86400);
    if (dt->n == 0 || dt->day != day) {
        size_t n = (size_t)tstamp_format(day * 86400, 0, buf);
        dt->day = day;
        dt->n = n - 9;                  /* without "00:00:00Z" */
        memcpy(dt->text, buf, dt->n);
    }
    char *d = outbuf_room(o, dt->n + 9);
    memcpy(d, dt->text, dt->n);
    d += dt->n;
    unsigned v[3] = { sod / 3600, sod / 60 % 60, sod % 60 };
    for (int i = 0; i < 3; i++) {
        *d++ = (char)('0' + v[i] / 10);
        *d++ = (char)('0' + v[i] % 10);
        *d++ = i < 2 ? ':' : 'Z';
    }
    o->len += dt->n + 9;
}

void listings_csv_write(struct outbuf *o, const struct export_ctx *r)
{
    const struct listings *l = r->l;
    struct day_text dt[3] = { { 0, 0, { 0 } } };

    outbuf_puts(o, "address,cause,code,score,bar,auth_score");
    for (int k = 0; k < AC__COUNT; k++) {
        outbuf_putc(o, ',');
        outbuf_puts(o, agg_class_name(k));
    }
    outbuf_puts(o, ",rdns,rdns_class,asn,as_org,first_seen,last_seen,expires,source\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct listing *e = &l->v[i];
        const struct ip_stats *st = e->st;
        struct listing_more m;
        /* The evidence records are scattered in memory: fetch ahead. */
        if (i + 8 < l->n && l->v[i + 8].st)
            __builtin_prefetch(l->v[i + 8].st);
        if (i + 4 < l->n && l->v[i + 4].st && l->v[i + 4].st->rdns)
            __builtin_prefetch(l->v[i + 4].st->rdns);
        listings_more(l, e, &m);
        outbuf_ipprefix(o, &e->pfx);
        outbuf_putc(o, ',');
        outbuf_puts(o, policy_cause_name(e->d.cause));
        outbuf_putc(o, ',');
        outbuf_puts(o, policy_code(r->p, e->d.cause));
        outbuf_putc(o, ',');
        outbuf_g(o, m.score);
        outbuf_putc(o, ',');
        if (st)
            outbuf_g(o, policy_bar(r->p, e->d.rdns));
        outbuf_putc(o, ',');
        outbuf_g(o, m.auth_score);
        uint32_t n[AC__COUNT];
        if (st) {
            ip_stats_counts(st, n);
            outbuf_u32s(o, n, AC__COUNT, ',');
        } else {                /* a network's row: no counts */
            memset(outbuf_room(o, AC__COUNT), ',', AC__COUNT);
            o->len += AC__COUNT;
        }
        outbuf_putc(o, ',');
        if (st && st->rdns)
            esc_csv(o, st->rdns, strlen(st->rdns));
        else if (st && st->rdns_unknown)
            outbuf_puts(o, "unknown");
        outbuf_putc(o, ',');
        if (st)
            outbuf_puts(o, rdns_class_name(e->d.rdns));
        outbuf_putc(o, ',');
        const char *org = asn_org(r->asn, m.asn);
        if (m.asn)
            outbuf_u64(o, m.asn);
        outbuf_putc(o, ',');
        if (org)
            esc_csv(o, org, strlen(org));
        put_time(o, m.first, &dt[0]);
        put_time(o, m.last, &dt[1]);
        put_time(o, m.expires, &dt[2]);
        /* Where the entry comes from: today's evidence, the network rule,
         * the denylist, or the state file (no new evidence). */
        outbuf_putc(o, ',');
        outbuf_puts(o, e->flags & LF_DENY ? "denylist" : e->flags & LF_STATE ? "state"
                    : e->d.cause == CAUSE_NET ? "network" : "evidence");
        outbuf_putc(o, '\n');
    }
}
