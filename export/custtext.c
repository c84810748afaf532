/* The words of the customer reports; see custtext.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "custtext.h"

/* Appends to buf (n bytes) at *used, cutting to fit. */
static void add(char *buf, size_t n, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t n, size_t *used, const char *fmt, ...)
{
    va_list ap;
    if (*used >= n)
        return;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *used, n - *used, fmt, ap);
    va_end(ap);
    if (k > 0)
        *used = *used + (size_t)k < n ? *used + (size_t)k : n - 1;
}

/* "login L from 14 places (...); 37 refusals citing spam, ...": every
 * figure the tier was judged by, and whether an outcome came with it. */
static void compromise(const struct cust_report *r, const struct cust_login *lg,
                       enum cust_tier level, char *buf, size_t n)
{
    size_t u = 0;
    buf[0] = 0;
    add(buf, n, &u, "login %.60s signed in from %zu places (%zu addresses in %zu networks",
        lg->user, lg->places, lg->ips, lg->networks);
    if (r->have_asn)
        add(buf, n, &u, ", %zu ASNs", lg->asns);
    add(buf, n, &u, ", %zu rDNS families", lg->families);
    if (r->have_geo)
        add(buf, n, &u, ", %zu countries", lg->countries);
    add(buf, n, &u, ")");
    if (lg->have_history)
        add(buf, n, &u, ", %zu of them new for this login", lg->new_places);
    if (lg->concurrent)
        add(buf, n, &u, ", changing place %zu times within minutes", lg->concurrent);
    if (lg->outcomes == 0) {
        add(buf, n, &u, "; its %llu messages met no refusal, bounce or spike: dispersion "
            "alone, at most watch", (unsigned long long)lg->messages);
        return;
    }
    add(buf, n, &u, "; %llu messages", (unsigned long long)lg->messages);
    if (lg->outcomes & OUT_SPAM)
        add(buf, n, &u, ", %llu refusals citing spam or blocklists",
            (unsigned long long)lg->spam);
    if (lg->outcomes & OUT_BOUNCE)
        add(buf, n, &u, ", %.1f%% bounced", lg->bounce_rate * 100);
    if (lg->outcomes & OUT_UNKNOWN)
        add(buf, n, &u, ", %llu unknown recipients", (unsigned long long)lg->unknown);
    if (lg->outcomes & OUT_SPIKE)
        add(buf, n, &u, ", %u in one hour against a median of %u", lg->peak, lg->median);
    if (lg->outcomes & OUT_BASELINE)
        add(buf, n, &u, ", %llu messages against a median of %g a day over %zu earlier "
            "days", (unsigned long long)lg->messages, lg->base_median, lg->base_days);
    (void)level;
}

const char *custtext_summary(const struct cust_report *r, const struct customer *c,
                             const struct cust_sig *s, char *buf, size_t n)
{
    double rate;

    switch (s->id) {
    case SIG_HIGH_BOUNCE_RATE:
        snprintf(buf, n, "%.1f%% of %llu delivery attempts with a final answer "
                 "bounced (%llu)", c->bounce_rate * 100,
                 (unsigned long long)(c->sent + c->bounced), (unsigned long long)c->bounced);
        break;
    case SIG_REMOTE_SPAM_REJECTIONS:
        rate = c->attempts ? (double)c->spam_rejections / (double)c->attempts : 0;
        snprintf(buf, n, "%llu delivery attempts refused by remote servers for spam, "
                 "blocklisting or reputation (%.1f%% of %llu attempts)",
                 (unsigned long long)c->spam_rejections, rate * 100,
                 (unsigned long long)c->attempts);
        break;
    case SIG_BLOCKLISTED_BY_REMOTE:
        snprintf(buf, n, "%llu delivery attempts refused because our sending "
                 "address is listed on a blocklist (%zu remote servers)",
                 (unsigned long long)c->blocklist_rejections, c->blocklist_remotes);
        break;
    case SIG_ACCOUNT_COMPROMISE:
        compromise(r, &c->logins[s->login], s->level, buf, n);
        break;
    case SIG_VOLUME_SPIKE:
        snprintf(buf, n, "%u messages in one hour against a median of %u per "
                 "active hour", c->peak, c->median);
        break;
    case SIG_INVALID_RECIPIENTS:
        rate = c->attempts ? (double)c->unknown_recipient / (double)c->attempts : 0;
        snprintf(buf, n, "%llu attempts to addresses that do not exist (%.1f%% of "
                 "attempts): an old or bought list", (unsigned long long)c->unknown_recipient,
                 rate * 100);
        break;
    default:
        snprintf(buf, n, "%s", "");
        break;
    }
    return buf;
}

void custtext_time(struct outbuf *o, int64_t t, int with_seconds)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];

    if (localtime_r(&tt, &tm) == NULL) {
        outbuf_puts(o, "?");
        return;
    }
    long off = tm.tm_gmtoff / 60;
    size_t n = strftime(buf, sizeof(buf), with_seconds ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M",
                        &tm);
    outbuf_write(o, buf, n);
    outbuf_printf(o, " %c%02ld%02ld", off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
                  (off < 0 ? -off : off) % 60);
}

void custtext_local(struct outbuf *o, int64_t t, enum custtext_part part)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (localtime_r(&tt, &tm) == NULL) {
        outbuf_puts(o, "?");
        return;
    }
    long off = tm.tm_gmtoff / 60, a = off < 0 ? -off : off;
    if (part == CT_OFFSET)
        outbuf_printf(o, "%c%02ld%02ld", off < 0 ? '-' : '+', a / 60, a % 60);
    else if (part == CT_DAY_CLOCK)
        outbuf_printf(o, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                      tm.tm_min);
    else
        outbuf_printf(o, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void custtext_period(struct outbuf *o, const struct cust_report *r)
{
    custtext_time(o, r->hour0, 0);
    outbuf_puts(o, " - ");
    custtext_time(o, r->hour0 + (int64_t)r->hours * 3600, 0);
}

void custtext_evidence(struct outbuf *o, const struct cust_evidence *e,
                       void (*esc)(struct outbuf *, const char *, size_t))
{
    if (e->raw.p) {
        esc(o, e->raw.p, e->raw.n);
        if (e->raw.cut)
            outbuf_puts(o, " [...]");
        return;
    }
    static const char mark[] = "(line not kept; its parsed fields) ";
    esc(o, mark, sizeof(mark) - 1);
    esc(o, e->text ? e->text : "", e->text ? strlen(e->text) : 0);
}

void custtext_throttle(struct outbuf *o, const struct cust_report *r, const struct customer *c)
{
    /* Allow throttle_factor times the usual busiest-hour volume, at least
     * one message a minute. */
    double per_hour = r->policy->throttle_factor * (c->median ? c->median : 1);
    long delay = per_hour >= 60 ? 1 : (long)(3600 / per_hour);
    if (delay > 600)
        delay = 600;
    outbuf_puts(o, "# /etc/postfix/master.cf: one delivery process, slow\n"
                "throttled unix - - n - 1 smtp\n"
                "# /etc/postfix/main.cf\n"
                "sender_dependent_default_transport_maps = hash:/etc/postfix/throttled_senders\n");
    outbuf_printf(o, "throttled_destination_rate_delay = %lds\n"
                  "throttled_destination_concurrency_limit = 1\n"
                  "# /etc/postfix/throttled_senders (postmap it, then postfix reload)\n", delay);
    for (size_t i = 0; i < c->nsenders && i < 10; i++) {
        const char *sdr = c->senders[i].name;
        if (strcmp(sdr, "<>") == 0)
            continue;
        /* Only addresses that cannot break the map's line format. */
        bool ok = *sdr != 0;
        for (const char *p = sdr; *p && ok; p++)
            ok = (unsigned char)*p > ' ' && (unsigned char)*p < 127 && *p != '#';
        if (ok)
            outbuf_printf(o, "%s throttled:\n", sdr);
    }
}
