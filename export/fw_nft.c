/*
 * nftables: declare the table and interval sets (a no-op when they exist),
 * flush them and add the elements. `nft -f` applies a file as one
 * transaction, so the sets never appear empty or half-filled. Elements are
 * the minimal non-overlapping prefixes (interval sets reject overlaps).
 */
#include <string.h>
#include "fw_nft.h"
#include "ipaddr.h"

struct elems {
    struct outbuf *o;
    size_t left;                /* elements still to come */
};

static void element(const struct ipprefix *p, void *ctx)
{
    struct elems *e = ctx;

    outbuf_putc(e->o, '\t');
    outbuf_ipprefix(e->o, p);
    if (--e->left)
        outbuf_putc(e->o, ',');
    outbuf_putc(e->o, '\n');
}

static void elements(struct outbuf *o, const struct policy *p, const struct zonedata *z,
                     int family, const char *set)
{
    struct elems e = { o, family == 4 ? z->nfw4 : z->nfw6 };

    if (e.left == 0)
        return;
    outbuf_printf(o, "add element %s %s %s {\n", p->nft_family, p->nft_table, set);
    zonedata_fw_each(z, family, element, &e);
    outbuf_puts(o, "}\n");
}

/* [firewall] nft_rule: a chain of its own on the input hook that drops
 * the sets' sources, so the file is a complete ruleset snippet. Flushed
 * first: loading the file again leaves one rule of each, not two. */
static void chain(struct outbuf *o)
{
    outbuf_puts(o, "\tchain input {\n\t\ttype filter hook input priority filter - 10; "
                "policy accept;\n\t}\n");
}

static void chain_rules(struct outbuf *o, const struct policy *p, bool v4, bool v6)
{
    outbuf_printf(o, "flush chain %s %s input\n", p->nft_family, p->nft_table);
    if (v4)
        outbuf_printf(o, "add rule %s %s input ip saddr @%s drop\n", p->nft_family,
                      p->nft_table, p->nft_set4);
    if (v6)
        outbuf_printf(o, "add rule %s %s input ip6 saddr @%s drop\n", p->nft_family,
                      p->nft_table, p->nft_set6);
}

void fw_nft_write(struct outbuf *o, const struct export_ctx *x)
{
    const struct policy *p = x->p;
    bool v4 = strcmp(p->nft_family, "ip6") != 0;
    bool v6 = strcmp(p->nft_family, "ip") != 0;

    outbuf_printf(o, "#!/usr/sbin/nft -f\n# written by rblforge: %zu IPv4 and %zu IPv6 "
                  "prefixes; load with: nft -f fw.nft\n", x->z->nfw4, x->z->nfw6);
    outbuf_printf(o, "table %s %s {\n", p->nft_family, p->nft_table);
    if (v4)
        outbuf_printf(o, "\tset %s {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n", p->nft_set4);
    if (v6)
        outbuf_printf(o, "\tset %s {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n", p->nft_set6);
    if (p->nft_rule)
        chain(o);
    outbuf_puts(o, "}\n");
    if (v4)
        outbuf_printf(o, "flush set %s %s %s\n", p->nft_family, p->nft_table, p->nft_set4);
    if (v6)
        outbuf_printf(o, "flush set %s %s %s\n", p->nft_family, p->nft_table, p->nft_set6);
    if (v4)
        elements(o, p, x->z, 4, p->nft_set4);
    if (v6)
        elements(o, p, x->z, 6, p->nft_set6);
    if (p->nft_rule)
        chain_rules(o, p, v4, v6);
}
