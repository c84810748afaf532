/*
 * rbldnsd datasets; see rbldnsd(8). bl.rbldnsd is an ip4set: the most
 * specific entry answers, so a listed address inside an escalated network
 * keeps its own code; '!' lines exclude allowlisted addresses inside a
 * listed range. bl6.rbldnsd is an ip6trie (longest prefix wins).
 */
#include <string.h>
#include "zone_rbldnsd.h"
#include "ipaddr.h"

size_t zone_rbldnsd_txt(const struct policy *p, enum cause c, const char *what, char *buf)
{
    const char *t = policy_txt(p, c);
    size_t n = 0, wl = strlen(what);

    while (*t && n < 255) {
        if (*t == '$') {
            size_t k = wl < 255 - n ? wl : 255 - n;
            memcpy(buf + n, what, k);
            n += k;
            t++;
            continue;
        }
        /* The text up to the next '$', in one copy. */
        const char *d = strchr(t, '$');
        size_t k = d ? (size_t)(d - t) : strlen(t);
        if (k > 255 - n)
            k = 255 - n;
        memcpy(buf + n, t, k);
        n += k;
        t += k;
    }
    buf[n] = 0;
    return n;
}

static void dataset(struct outbuf *o, const struct export_ctx *x, int family)
{
    const struct policy *p = x->p;
    char a[IPPREFIX_STRLEN];

    outbuf_printf(o, "# rbldnsd %s dataset written by rblforge: %zu entries\n",
                  family == 4 ? "ip4set" : "ip6trie", zonedata_count(x->z, family));
    outbuf_printf(o, "$TTL %u\n", p->ttl);
    /* The default value: A record and TXT template ('$' = queried address). */
    outbuf_printf(o, ":%s:%s\n", policy_code(p, CAUSE_SPAM), policy_txt(p, CAUSE_SPAM));
    /* RFC 5782 section 5 test points: 127.0.0.2 (::FFFF:7F00:2) listed,
     * 127.0.0.1 (::FFFF:7F00:1) not. */
    outbuf_puts(o, family == 4 ? "127.0.0.2\n" : "::ffff:7f00:2\n");
    size_t lo = family == 4 ? 0 : x->z->n4, hi = family == 4 ? x->z->n4 : x->z->n;

    for (size_t i = lo; i < hi; i++) {
        struct zone_entry ze = zonedata_at(x->z, i);
        const struct zone_entry *e = &ze;
        outbuf_ipprefix(o, &e->pfx);
        if (e->cause != CAUSE_SPAM) {
            outbuf_puts(o, " :");
            outbuf_puts(o, policy_code(p, e->cause));
            outbuf_putc(o, ':');
            outbuf_puts(o, policy_txt(p, e->cause));
        }
        outbuf_putc(o, '\n');
    }
    for (size_t i = 0; i < x->z->excl.n; i++)
        if (x->z->excl.v[i].addr.family == family)
            outbuf_printf(o, "!%s\n", ipprefix_format(&x->z->excl.v[i], a));
}

void zone_rbldnsd_write4(struct outbuf *o, const struct export_ctx *x)
{
    dataset(o, x, 4);
}

void zone_rbldnsd_write6(struct outbuf *o, const struct export_ctx *x)
{
    dataset(o, x, 6);
}
