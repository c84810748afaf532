/* rbldnsd ip4set dataset; see rbldnsd(8), "ip4set Dataset". */
#include "export.h"
#include "ipaddr.h"

void export_rbldnsd(struct outbuf *o, const struct listings *l, const struct policy *p)
{
    char ip[IPADDR_STRLEN];
    size_t n4 = 0;

    for (size_t i = 0; i < l->n; i++)
        n4 += l->v[i].st->ip.family == 4;
    outbuf_printf(o, "# rbldnsd ip4set dataset written by rblforge: %zu entries\n", n4);
    outbuf_printf(o, "$TTL %u\n", p->ttl);
    /* The default value: A record and TXT template ('$' = queried address). */
    outbuf_printf(o, ":%s:%s\n", p->code_spam, p->txt_spam);
    /* RFC 5782 section 5: 127.0.0.2 is listed, 127.0.0.1 is not. */
    outbuf_puts(o, "127.0.0.2\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct listing *e = &l->v[i];
        if (e->st->ip.family != 4)
            continue;
        outbuf_puts(o, ipaddr_format(&e->st->ip, ip));
        if (e->d.cause != CAUSE_SPAM)
            outbuf_printf(o, " :%s:%s", policy_code(p, e->d.cause),
                          policy_txt(p, e->d.cause));
        outbuf_putc(o, '\n');
    }
}
