/* summary.json: what a run saw and decided, for dashboards and mail. */
#include <stdio.h>
#include <string.h>
#include "summary_json.h"
#include "abuse_plan.h"
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

/* "abuse": each source's contact (--abuse-contacts) or none and, when
 * the messages are written, each one's file under OUT/abuse/. */
static void abuse_fields(struct outbuf *o, const struct export_ctx *r)
{
    struct abuse_plan pl;
    char ip[IPPREFIX_STRLEN], dir[ABUSE_DIRNAME_MAX], file[ABUSE_FILENAME_MAX];
    char path[ABUSE_DIRNAME_MAX + ABUSE_FILENAME_MAX + 16];
    size_t digests = 0;

    abuse_plan_build(&pl, r->l, r->contacts, r->with_state);
    for (size_t i = 0; i < pl.with_contact; i = abuse_plan_group_end(&pl, i))
        digests += abuse_plan_group_end(&pl, i) - i > 1;
    outbuf_printf(o, ",\n  \"abuse\": {\"sources\": %zu, \"with_contact\": %zu, "
                  "\"no_contact\": %zu", pl.n, pl.with_contact, pl.n - pl.with_contact);
    if (r->abuse_messages)
        outbuf_printf(o, ", \"messages\": %zu, \"digests\": %zu", pl.with_contact, digests);
    outbuf_puts(o, ",\n    \"reports\": [");
    for (size_t i = 0; i < pl.n; i++) {
        const struct abuse_item *it = &pl.v[i];
        outbuf_printf(o, "%s\n      {\"source\": \"%s\", \"contact\": ", i ? "," : "",
                      ipprefix_format(&it->e->pfx, ip));
        if (it->c) {
            esc_json(o, it->c->email, strlen(it->c->email));
            outbuf_printf(o, ", \"via\": \"%s\", \"network\": ", it->via);
            esc_json(o, it->c->name, strlen(it->c->name));
            if (r->abuse_messages) {
                abuse_contact_dirname(it->c->email, dir);
                abuse_source_filename(&it->e->pfx.addr, file);
                snprintf(path, sizeof(path), "abuse/%s/%s", dir, file);
                outbuf_puts(o, ", \"message\": ");
                esc_json(o, path, strlen(path));
            }
        } else {
            outbuf_puts(o, "null");
        }
        outbuf_putc(o, '}');
    }
    outbuf_puts(o, pl.n ? "\n    ]" : "]");
    if (r->abuse_messages) {
        /* A contact with two or more sources also gets a digest. */
        outbuf_puts(o, ",\n    \"digest_messages\": [");
        size_t k = 0;
        for (size_t i = 0, j; i < pl.with_contact; i = j) {
            j = abuse_plan_group_end(&pl, i);
            if (j - i < 2)
                continue;
            abuse_contact_dirname(pl.by_contact[i]->c->email, dir);
            snprintf(path, sizeof(path), "abuse/%s/%s", dir, ABUSE_DIGEST_NAME);
            outbuf_puts(o, k++ ? ",\n      {\"contact\": " : "\n      {\"contact\": ");
            esc_json(o, pl.by_contact[i]->c->email, strlen(pl.by_contact[i]->c->email));
            outbuf_printf(o, ", \"sources\": %zu, \"message\": ", j - i);
            esc_json(o, path, strlen(path));
            outbuf_putc(o, '}');
        }
        outbuf_puts(o, k ? "\n    ]" : "]");
    }
    outbuf_putc(o, '}');
    abuse_plan_free(&pl);
}

/* What was read: files, lines, events, and the lines no shape matched. */
static void reading_fields(struct outbuf *o, bool *first, const struct export_ctx *r)
{
    const struct parse_stats *ps = r->parse;
    uint64_t unrec = 0;

    for (unsigned i = 0; i < ps->nprog && i < PARSE_PROG_SLOTS; i++)
        unrec += ps->unrec[i].count;
    num(o, first, "files", r->files);
    num(o, first, "damaged_files", r->damaged);
    num(o, first, "damaged_lines_not_counted", r->dropped_lines);
    num(o, first, "lines", ps->lines);
    num(o, first, "events", ps->events);
    num(o, first, "lines_without_header", ps->no_header);
    num(o, first, "unparsed_lines", unrec);
    key(o, first, "unparsed_by_program");
    outbuf_putc(o, '{');
    for (unsigned i = 0; i < ps->nprog && i < PARSE_PROG_SLOTS; i++) {
        outbuf_puts(o, i ? ", " : "");
        esc_json(o, ps->unrec[i].name, strnlen(ps->unrec[i].name, PARSE_PROG_NAME));
        outbuf_puts(o, ": ");
        outbuf_u64(o, ps->unrec[i].count);
    }
    outbuf_putc(o, '}');
    num(o, first, "known_lines_without_evidence", ps->known_no_evidence);
    key(o, first, "unmatched_by_family");
    outbuf_putc(o, '{');
    for (unsigned f = 0, k = 0; f < PF__COUNT; f++)
        if (ps->fam_lines[f])
            outbuf_printf(o, "%s\"%s\": {\"lines\": %llu, \"unmatched\": %llu}",
                          k++ ? ", " : "", parse_family_name(f),
                          (unsigned long long)ps->fam_lines[f],
                          (unsigned long long)ps->fam_unmatched[f]);
    outbuf_putc(o, '}');
    key(o, first, "unmatched_templates");
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
    key(o, first, "unknown_programs");
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

/* Allowlist hits, and networks held off (an allowlisted or a good sender
 * inside). */
static void held_fields(struct outbuf *o, bool *first, const struct listings *l)
{
    char ip[IPPREFIX_STRLEN];

    key(o, first, "allowlist_hits");
    outbuf_putc(o, '[');
    for (size_t i = 0; i < l->nallowed; i++) {
        const struct listing *e = &l->allowed[i];
        outbuf_printf(o, "%s\n    {\"address\": \"%s\", \"cause\": \"%s\", \"score\": %g",
                      i ? "," : "", ipprefix_format(&e->pfx, ip),
                      policy_cause_name(e->d.cause), listings_score(l, e));
        if (e->st && e->st->rdns) {
            outbuf_puts(o, ", \"rdns\": ");
            esc_json(o, e->st->rdns, strlen(e->st->rdns));
        }
        outbuf_putc(o, '}');
    }
    outbuf_puts(o, l->nallowed ? "\n  ]" : "]");
    key(o, first, "networks_held");
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
    if (r->parse)
        reading_fields(o, &first, r);
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
    held_fields(o, &first, l);
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
