/* rbldnsd ip4set dataset; see rbldnsd(8), "ip4set Dataset". */
#include "export.h"
#include "ipaddr.h"

void export_rbldnsd(struct outbuf *o, const struct listings *l, const struct policy *p)
{
    char ip[IPPREFIX_STRLEN];
    size_t n4 = 0;

    for (size_t i = 0; i < l->n; i++)
        n4 += l->v[i].pfx.addr.family == 4;
    outbuf_printf(o, "# rbldnsd ip4set dataset written by rblforge: %zu entries\n", n4);
    outbuf_printf(o, "$TTL %u\n", p->ttl);
    /* The default value: A record and TXT template ('$' = queried address). */
    outbuf_printf(o, ":%s:%s\n", policy_code(p, CAUSE_SPAM), policy_txt(p, CAUSE_SPAM));
    /* RFC 5782 section 5: 127.0.0.2 is listed, 127.0.0.1 is not. */
    outbuf_puts(o, "127.0.0.2\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct listing *e = &l->v[i];
        if (e->pfx.addr.family != 4)
            continue;
        outbuf_puts(o, ipprefix_format(&e->pfx, ip));
        if (e->d.cause != CAUSE_SPAM)
            outbuf_printf(o, " :%s:%s", policy_code(p, e->d.cause),
                          policy_txt(p, e->d.cause));
        outbuf_putc(o, '\n');
    }
}
