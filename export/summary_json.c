/* summary.json: what a run saw and decided, for dashboards and mail. */
#include <string.h>
#include "summary_json.h"
#include "escape.h"
#include "ipaddr.h"

static void key(struct outbuf *o, bool *first, const char *k)
{
    outbuf_printf(o, "%s\n  \"%s\": ", *first ? "" : ",", k);
    *first = false;
}

static void num(struct outbuf *o, bool *first, const char *k, uint64_t v)
{
    key(o, first, k);
    outbuf_u64(o, v);
}

/* A source the abuse desks hear about: a listed address (not a network,
 * a denylist entry or an entry carried from the state file) with evidence
 * of this run, and with a state file newly listed by this run. Allowlisted
 * and held addresses are not in the listing at all. */
static bool abuse_source(const struct export_ctx *r, const struct listing *e)
{
    return e->st && !(e->flags & (LF_DENY | LF_STATE))
        && e->pfx.len == (e->pfx.addr.family == 4 ? 32 : 128)
        && (!r->with_state || (e->flags & LF_NEW));
}

/* "abuse": each source's contact (--abuse-contacts) or none. */
static void abuse_fields(struct outbuf *o, const struct export_ctx *r)
{
    const struct listings *l = r->l;
    size_t n = 0, none = 0;
    char ip[IPPREFIX_STRLEN];

    for (size_t i = 0; i < l->n; i++)
        if (abuse_source(r, &l->v[i])) {
            n++;
            none += abuse_contacts_lookup(r->contacts, &l->v[i].pfx.addr, l->v[i].asn,
                                          NULL) == NULL;
        }
    outbuf_printf(o, ",\n  \"abuse\": {\"sources\": %zu, \"with_contact\": %zu, "
                  "\"no_contact\": %zu,\n    \"reports\": [", n, n - none, none);
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct listing *e = &l->v[i];
        const char *via = NULL;
        if (!abuse_source(r, e))
            continue;
        const struct abuse_contact *c = abuse_contacts_lookup(r->contacts, &e->pfx.addr,
                                                              e->asn, &via);
        outbuf_printf(o, "%s\n      {\"source\": \"%s\", \"contact\": ", k++ ? "," : "",
                      ipprefix_format(&e->pfx, ip));
        if (c) {
            esc_json(o, c->email, strlen(c->email));
            outbuf_printf(o, ", \"via\": \"%s\", \"network\": ", via);
            esc_json(o, c->name, strlen(c->name));
        } else {
            outbuf_puts(o, "null");
        }
        outbuf_putc(o, '}');
    }
    outbuf_puts(o, k ? "\n    ]}" : "]}");
}

/* The analysis keys, each written as ",\n  \"key\": value", so that
 * another summary writer can append them to its own object. */
void summary_json_fields(struct outbuf *o, const struct export_ctx *r)
{
    const struct listings *l = r->l;
    bool first = false;         /* always after a key of the caller */
    size_t deny = 0, state = 0;
    char ip[IPPREFIX_STRLEN];

    for (size_t i = 0; i < l->n; i++) {
        deny += (l->v[i].flags & LF_DENY) != 0;
        state += (l->v[i].flags & LF_STATE) != 0;
    }
    if (r->parse) {
        const struct parse_stats *ps = r->parse;
        uint64_t unrec = 0;
        for (unsigned i = 0; i < ps->nprog && i < PARSE_PROG_SLOTS; i++)
            unrec += ps->unrec[i].count;
        num(o, &first, "files", r->files);
        num(o, &first, "damaged_files", r->damaged);
        num(o, &first, "damaged_lines_not_counted", r->dropped_lines);
        num(o, &first, "lines", ps->lines);
        num(o, &first, "events", ps->events);
        num(o, &first, "lines_without_header", ps->no_header);
        num(o, &first, "unparsed_lines", unrec);
        key(o, &first, "unparsed_by_program");
        outbuf_putc(o, '{');
        for (unsigned i = 0; i < ps->nprog && i < PARSE_PROG_SLOTS; i++) {
            outbuf_puts(o, i ? ", " : "");
            esc_json(o, ps->unrec[i].name, strnlen(ps->unrec[i].name, PARSE_PROG_NAME));
            outbuf_puts(o, ": ");
            outbuf_u64(o, ps->unrec[i].count);
        }
        outbuf_putc(o, '}');
        num(o, &first, "known_lines_without_evidence", ps->known_no_evidence);
        key(o, &first, "unmatched_by_family");
        outbuf_putc(o, '{');
        for (unsigned f = 0, k = 0; f < PF__COUNT; f++)
            if (ps->fam_lines[f])
                outbuf_printf(o, "%s\"%s\": {\"lines\": %llu, \"unmatched\": %llu}",
                              k++ ? ", " : "", parse_family_name(f),
                              (unsigned long long)ps->fam_lines[f],
                              (unsigned long long)ps->fam_unmatched[f]);
        outbuf_putc(o, '}');
        key(o, &first, "unmatched_templates");
        outbuf_putc(o, '[');
        for (unsigned i = 0; i < ps->unmatched.n && i < 10; i++) {
            const struct unknown_tpl *t = &ps->unmatched.t[i];
            outbuf_printf(o, "%s\n    {\"count\": %llu, \"program\": ", i ? "," : "",
                          (unsigned long long)t->count);
            esc_json(o, t->prog, t->nprog);
            outbuf_puts(o, ", \"template\": ");
            esc_json(o, t->tpl, t->ntpl);
            outbuf_puts(o, ", \"example\": ");
            esc_json(o, t->ex, t->nex);
            outbuf_putc(o, '}');
        }
        outbuf_putc(o, ']');
        key(o, &first, "unknown_programs");
        outbuf_putc(o, '{');
        for (unsigned i = 0, k = 0; i < PARSE_PROG_SLOTS; i++)
            if (ps->foreign[i].count) {
                outbuf_puts(o, k++ ? ", " : "");
                esc_json(o, ps->foreign[i].name, strnlen(ps->foreign[i].name, PARSE_PROG_NAME));
                outbuf_puts(o, ": ");
                outbuf_u64(o, ps->foreign[i].count);
            }
        outbuf_putc(o, '}');
    }
    num(o, &first, "networks_seen", l->nets.nseen);
    num(o, &first, "networks_escalated", l->nets_escalated);
    num(o, &first, "listed_from_denylist", deny);
    /* Without a state file a run cannot know what expired or was carried. */
    static const char *const skeys[] = { "state_added", "state_expired",
                                         "carried_from_state", "held_after_manual_removal" };
    size_t sval[] = { l->added, l->expired, state, l->held };
    for (size_t i = 0; i < 4; i++) {
        key(o, &first, skeys[i]);
        r->with_state ? outbuf_u64(o, sval[i]) : outbuf_puts(o, "null");
    }
    key(o, &first, "allowlist_hits");
    outbuf_putc(o, '[');
    for (size_t i = 0; i < l->nallowed; i++) {
        const struct listing *e = &l->allowed[i];
        outbuf_printf(o, "%s\n    {\"address\": \"%s\", \"cause\": \"%s\", \"score\": %g",
                      i ? "," : "", ipprefix_format(&e->pfx, ip),
                      policy_cause_name(e->d.cause), e->d.score);
        if (e->st && e->st->rdns) {
            outbuf_puts(o, ", \"rdns\": ");
            esc_json(o, e->st->rdns, strlen(e->st->rdns));
        }
        outbuf_putc(o, '}');
    }
    outbuf_puts(o, l->nallowed ? "\n  ]" : "]");
    key(o, &first, "networks_held");
    outbuf_putc(o, '[');
    size_t k = 0;
    for (size_t i = 0; i < l->nets.nnets; i++) {
        const struct net_stats *ns = &l->nets.nets[i];
        if (ns->status != NET_HELD_ALLOWLIST && ns->status != NET_HELD_GOOD)
            continue;
        outbuf_printf(o, "%s\n    {\"net\": \"%s\", \"ips_listed\": %u, \"reason\": \"%s\"}",
                      k++ ? "," : "", ipprefix_format(&ns->pfx, ip), ns->ips_listed,
                      ns->status == NET_HELD_ALLOWLIST ? "allowlisted address inside"
                      : "an address in it sends good mail");
    }
    outbuf_puts(o, k ? "\n  ]" : "]");
    /* Only when a run made special or private ranges listable: such a
     * publication is a lab's, and says so. */
    if (r->p && r->p->ntest_range) {
        key(o, &first, "test_ranges");
        outbuf_putc(o, '[');
        for (unsigned i = 0; i < r->p->ntest_range; i++)
            outbuf_printf(o, "%s\"%s\"", i ? ", " : "",
                          ipprefix_format(&r->p->test_range[i], ip));
        outbuf_putc(o, ']');
    }
    if (r->contacts)
        abuse_fields(o, r);
}
