/* rblforge explain: the decision about one address or network, with its
 * arithmetic and the first and last evidence lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "asn.h"
#include "chunk.h"
#include "cidrset.h"
#include "cli.h"
#include "escape.h"
#include "input.h"
#include "job.h"
#include "listing.h"
#include "msg.h"
#include "outbuf.h"
#include "policy.h"
#include "state.h"
#include "tstamp.h"

static const char help[] =
    "usage: rblforge explain ADDRESS|CIDR [-c CONFIG] [--state FILE] [--allowlist FILE]\n"
    "                        [--denylist FILE] [--asn-db FILE] [--since T] [--until T]\n"
    "                        [--now T] [-j N] [--year Y] [--tz ZONE] [--test-range CIDR] LOG...\n"
    "\n"
    "Read the logs as `rblforge run` would and explain the decision about\n"
    "ADDRESS (or every address seen in CIDR): counts per evidence class times\n"
    "their weights, the rDNS class and its factor, the threshold, the ASN,\n"
    "the network escalation rule, allow/denylists, the state file entry, and\n"
    "the first and last evidence lines with file:line.\n";

struct ex {
    struct outbuf o;
    const struct policy *p;
    const struct listings *l;
    struct asn_db *asn;
    struct cidrset *allow, *deny;
    struct state *state;
    char *const *files;
    int64_t now;
};

static const char *ts(int64_t t, char *buf)
{
    if (t == INT64_MAX || t == INT64_MIN || t == 0)
        return "-";
    tstamp_format(t, 0, buf);
    return buf;
}

/* Print line `want` of file, escaped and bounded. */
static void show_line(struct ex *x, const char *label, const char *path, uint64_t want)
{
    struct input *in = input_open(path);

    outbuf_printf(&x->o, "%s %s:%llu: ", label, path, (unsigned long long)want);
    if (in == NULL) {
        outbuf_puts(&x->o, "(cannot open)\n");
        return;
    }
    struct chunker *ck = chunker_new(in);
    struct chunk c;
    bool found = false;
    chunk_init(&c, 1 << 20);
    while (!found && chunker_next(ck, &c)) {
        if (want >= c.first_line + c.nlines)
            continue;
        struct chunk_cursor cur = { 0, 0 };
        const char *p;
        size_t n;
        for (uint64_t ln = c.first_line; chunk_line(&c, &cur, &p, &n); ln++)
            if (ln == want) {
                esc_tsv(&x->o, p, n > 400 ? 400 : n);
                found = true;
                break;
            }
    }
    outbuf_puts(&x->o, found ? "\n" : "(line not found: the file changed?)\n");
    chunk_free(&c);
    chunker_free(ck);
    input_close(in);
}

static const struct listing *find_listing(const struct listings *l, const struct ipprefix *pfx)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].pfx.len == pfx->len && ipaddr_cmp(&l->v[i].pfx.addr, &pfx->addr) == 0)
            return &l->v[i];
    return NULL;
}

static void explain_net(struct ex *x, const struct net_stats *ns)
{
    char net[IPPREFIX_STRLEN];
    const struct policy *p = x->p;

    outbuf_printf(&x->o, "network %s: %u addresses seen, %u listed, %u sending more good "
                  "mail than evidence\n", ipprefix_format(&ns->pfx, net), ns->ips_seen,
                  ns->ips_listed, ns->ips_good);
    outbuf_printf(&x->o, "  rule: listed >= min_listed (%u)%s, or listed >= ratio_min_listed "
                  "(%u) and listed/seen %.2f >= ratio (%g)%s\n", p->net_min_listed,
                  ns->ips_listed >= p->net_min_listed ? " [yes]" : " [no]",
                  p->net_ratio_min_listed, ns->ips_seen ? (double)ns->ips_listed / ns->ips_seen : 0,
                  p->net_ratio,
                  ns->ips_listed >= p->net_ratio_min_listed
                  && ns->ips_listed >= p->net_ratio * ns->ips_seen ? " [yes]" : " [no]");
    outbuf_printf(&x->o, "  escalated: %s", netagg_status_name(ns->status));
    if (ns->status == NET_ESCALATED)
        outbuf_printf(&x->o, " (listed as %s, code %s)", net, policy_code(p, CAUSE_NET));
    else if (ns->status == NET_HELD_ALLOWLIST)
        outbuf_puts(&x->o, " (an allowlisted address is inside: reported, not listed)");
    else if (ns->status == NET_HELD_GOOD)
        outbuf_puts(&x->o, " (an address in it delivers good mail; [network] spare_good)");
    outbuf_putc(&x->o, '\n');
}

static void explain_state(struct ex *x, const struct ipprefix *pfx, const struct listing *e)
{
    char t1[32], t2[32], t3[32];

    if (x->state == NULL)
        return;
    const struct state_entry *se = state_find(x->state, pfx);
    if (se == NULL) {
        outbuf_puts(&x->o, "state: no entry (never listed, or expired)\n");
        return;
    }
    outbuf_printf(&x->o, "state: first seen %s, last evidence %s, last score %g, cause %s, "
                  "listed until %s\n", ts(se->first, t1), ts(se->last, t2), se->score,
                  policy_cause_name(se->cause), ts(se->listed_until, t3));
    if (se->removed_at) {
        outbuf_printf(&x->o, "  removed by hand %s: ", ts(se->removed_at, t1));
        esc_tsv(&x->o, se->note, strlen(se->note));
        outbuf_printf(&x->o, "\n  stays off unless new evidence reaches %g x the threshold (%g)%s\n",
                      x->p->relist_factor, x->p->relist_factor * x->p->threshold,
                      e ? "" : " (no new listing now)");
    } else if (e == NULL && se->listed_until > x->now) {
        outbuf_puts(&x->o, "  still listed from earlier evidence until it expires\n");
    }
}

/* The state's entry of pfx when it was removed by hand, else NULL. */
static const struct state_entry *removed(const struct ex *x, const struct ipprefix *pfx)
{
    const struct state_entry *se = x->state ? state_find(x->state, pfx) : NULL;

    return se && se->removed_at ? se : NULL;
}

/* First of all: a removal by hand outranks what today's evidence says. */
static void explain_removed(struct ex *x, const struct state_entry *se)
{
    char t1[32];

    outbuf_printf(&x->o, "REMOVED BY HAND %s", ts(se->removed_at, t1));
    if (se->note[0]) {
        outbuf_puts(&x->o, ": ");
        esc_text(&x->o, se->note, strlen(se->note), 0);
    }
    outbuf_printf(&x->o, "\n  not published unless new evidence reaches %g x the threshold "
                  "(rblforge status shows every note)\n", x->p->relist_factor);
}

/* The decision line: the cause and its code, and what stands against it
 * (a removal by hand, the allowlist). */
static void explain_decision(struct ex *x, const struct ipaddr *ip, const struct decision *dp,
                             const struct state_entry *gone)
{
    const struct policy *p = x->p;
    struct decision d = *dp;

    outbuf_printf(&x->o, "decision: %s", d.cause == CAUSE_NONE ? "not listed"
                  : policy_cause_name(d.cause));
    if (d.cause != CAUSE_NONE)
        outbuf_printf(&x->o, " (code %s)", policy_code(p, d.cause));
    if (d.cause != CAUSE_NONE && gone) {
        double sp = d.score / p->threshold, au = d.auth_score / p->auth_threshold;
        outbuf_puts(&x->o, (sp > au ? sp : au) >= p->relist_factor
                    ? ", removed by hand, but this evidence reaches relist_factor x the "
                      "threshold: a run lists it again"
                    : ", but removed by hand: held off (see above)");
    }
    outbuf_putc(&x->o, '\n');
    if (d.cause != CAUSE_NONE && x->allow && cidrset_match(x->allow, ip))
        outbuf_puts(&x->o, "  but allowlisted: reported in summary.json, never listed\n");
}

static void explain_addr(struct ex *x, const struct agg *a, const struct ipaddr *ip)
{
    const struct policy *p = x->p;
    const struct ip_stats *st = agg_lookup(a, ip);
    struct ipprefix host = { *ip, ip->family == 4 ? 32 : 128 };
    char buf[IPPREFIX_STRLEN], t1[32], t2[32];

    outbuf_printf(&x->o, "address %s\n", ipaddr_format(ip, buf));
    const struct state_entry *gone = removed(x, &host);
    if (gone)
        explain_removed(x, gone);
    const struct listing *e = find_listing(x->l, &host);
    if (st == NULL) {
        outbuf_puts(&x->o, "no events for this address in the logs read\n");
    } else {
        struct decision d;
        policy_decide(p, ip, st, &d);
        outbuf_printf(&x->o, "events from %s to %s\n", ts(st->first, t1), ts(st->last, t2));
        outbuf_puts(&x->o, "rdns: ");
        if (st->rdns)
            esc_tsv(&x->o, st->rdns, strlen(st->rdns));
        else
            outbuf_puts(&x->o, st->rdns_unknown ? "unknown" : "(not logged)");
        outbuf_printf(&x->o, " -> class %s\n", rdns_class_name(d.rdns));
        outbuf_puts(&x->o, "asn: ");
        if (st->asn) {
            const char *org = asn_org(x->asn, st->asn);
            outbuf_printf(&x->o, "AS%u ", st->asn);
            if (org)
                esc_tsv(&x->o, org, strlen(org));
            outbuf_putc(&x->o, '\n');
        } else {
            outbuf_puts(&x->o, x->asn ? "not in the database\n" : "(no --asn-db)\n");
        }
        outbuf_printf(&x->o, "%-26s %8s %8s %10s\n", "evidence", "count", "weight", "points");
        uint32_t n[AC__COUNT];
        ip_stats_counts(st, n);
        for (int k = 0; k < AC__COUNT; k++) {
            if (n[k] == 0)
                continue;
            double w = p->weight[k];
            outbuf_printf(&x->o, "  %-24s %8u %8g %10g%s\n", agg_class_name(k), n[k], w,
                          w * n[k], k == AC_AUTH_FAIL ? "  (auth score)" : "");
        }
        outbuf_printf(&x->o, "spam score %g; bar = threshold %g x rdns factor %g (%s) = %g%s\n",
                      d.score, p->threshold, p->rdns_factor[d.rdns], rdns_class_name(d.rdns),
                      policy_bar(p, d.rdns), d.score >= policy_bar(p, d.rdns) ? "  [reached]" : "");
        outbuf_printf(&x->o, "auth score %g; auth_threshold %g%s\n", d.auth_score,
                      p->auth_threshold, d.auth_score >= p->auth_threshold ? "  [reached]" : "");
        if (d.rdns == RDNS_DYNAMIC)
            outbuf_printf(&x->o, "dynamic list: %s, dynamic_threshold %g%s\n",
                          p->list_dynamic ? "on" : "off", p->dynamic_threshold,
                          p->list_dynamic && d.score >= p->dynamic_threshold ? "  [reached]" : "");
        explain_decision(x, ip, &d, gone);
        struct agg_pos first, last;
        if (agg_evidence_lines(a, st, &first, &last)) {
            show_line(x, "first evidence", x->files[first.file], first.line);
            show_line(x, "last evidence ", x->files[last.file], last.line);
        }
    }
    if (x->allow && cidrset_match(x->allow, ip))
        outbuf_printf(&x->o, "allowlist: %s\n",
                      ipprefix_format(cidrset_match(x->allow, ip), buf));
    if (x->deny && cidrset_match(x->deny, ip))
        outbuf_printf(&x->o, "denylist: %s (always listed, code %s)\n",
                      ipprefix_format(cidrset_match(x->deny, ip), buf),
                      policy_code(p, CAUSE_SPAM));
    struct net_stats ns;
    if (listings_net_find(x->l, ip, &ns))
        explain_net(x, &ns);
    explain_state(x, &host, e);
}

struct cidr_walk {
    struct ex *x;
    const struct ipprefix *pfx;
    size_t n;
};

static void cidr_row(const struct ipaddr *ip, const struct ip_stats *st, void *arg)
{
    struct cidr_walk *w = arg;
    struct decision d;
    char buf[IPADDR_STRLEN];

    if (!ipprefix_contains(w->pfx, ip))
        return;
    policy_decide(w->x->p, ip, st, &d);
    w->n++;
    bool allowed = d.cause != CAUSE_NONE && w->x->allow && cidrset_match(w->x->allow, ip);
    outbuf_printf(&w->x->o, "%-40s %8g %8g %8g %-15s %s\n", ipaddr_format(ip, buf),
                  d.score, policy_bar(w->x->p, d.rdns), d.auth_score, rdns_class_name(d.rdns),
                  allowed ? "allowlisted (reported)"
                  : d.cause == CAUSE_NONE ? "-" : policy_cause_name(d.cause));
}

static void explain_cidr(struct ex *x, const struct agg *a, const struct ipprefix *pfx)
{
    char buf[IPPREFIX_STRLEN];
    struct cidr_walk w = { x, pfx, 0 };

    outbuf_printf(&x->o, "network %s\n", ipprefix_format(pfx, buf));
    /* The networks of the policy that overlap it, with their rule. */
    struct netagg_iter it = { 0 };
    struct net_stats n;
    while (listings_net_next(x->l, &it, &n)) {
        const struct net_stats *ns = &n;
        if (ns->pfx.addr.family != pfx->addr.family
            || !(ns->pfx.len >= pfx->len ? ipprefix_contains(pfx, &ns->pfx.addr)
                 : ipprefix_contains(&ns->pfx, &pfx->addr)))
            continue;
        explain_net(x, ns);
    }
    outbuf_printf(&x->o, "%-40s %8s %8s %8s %-15s %s\n", "address", "score", "bar", "auth",
                  "rdns", "decision");
    /* No range query on the table; a full walk is fine for an analyst. */
    agg_walk(a, cidr_row, &w);
    if (w.n == 0)
        outbuf_puts(&x->o, "no events for addresses in this network in the logs read\n");
    if (x->deny && cidrset_overlaps(x->deny, pfx))
        outbuf_puts(&x->o, "denylist: overlaps this network\n");
    if (x->allow && cidrset_overlaps(x->allow, pfx))
        outbuf_puts(&x->o, "allowlist: overlaps this network (never escalated)\n");
    explain_state(x, pfx, find_listing(x->l, pfx));
}

/* --since, --until, --now: relative to the clock, not to --now. */
static bool explain_time(int opt, const char *arg, struct job_opts *o)
{
    if (tstamp_parse_arg(arg, time(NULL), opt == OPT_SINCE ? &o->since
                         : opt == OPT_UNTIL ? &o->until : &o->now))
        return true;
    msg_warn("bad time \"%s\": want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[Z] or -7d/-12h", arg);
    return false;
}

/* The address or the network, then the report on standard output. */
static void explain_print(struct ex *x, const struct job *j, const struct ipprefix *pfx)
{
    outbuf_init(&x->o, STDOUT_FILENO);
    if (pfx->len == (pfx->addr.family == 4 ? 32 : 128))
        explain_addr(x, j->agg, &pfx->addr);
    else
        explain_cidr(x, j->agg, pfx);
    if (!outbuf_close(&x->o))
        msg_fatal("write error on standard output");
}

int cmd_explain(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_OPT_CONFIG,
        CLI_OPT_STATE,
        CLI_OPT_TEST_RANGE,
        CLI_OPT_ALLOWLIST,
        CLI_OPT_DENYLIST,
        CLI_OPT_ASN_DB,
        { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL },
        { "now", required_argument, NULL, OPT_NOW },
        CLI_THREAD_OPTIONS,
        CLI_OPT_HELP,
        { NULL, 0, NULL, 0 },
    };
    struct job_opts o = { .use = JOB_ALLOW | JOB_DENY | JOB_ASN | JOB_WINDOW | JOB_ALL_NETWORKS
                          | JOB_EVIDENCE_LINES, .cmd = "explain", .now = time(NULL) };
    struct job j;
    int opt, status;

    while ((opt = getopt_long(argc, argv, "c:j:h", longopts, NULL)) != -1) {
        if (cli_job_option(opt, optarg, &o))
            continue;
        switch (opt) {
        case OPT_SINCE:
        case OPT_UNTIL:
        case OPT_NOW:
            if (!explain_time(opt, optarg, &o))
                return cli_usage_error("explain");
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("explain");
        }
    }
    if (argc - optind < 2) {
        msg_error("explain: want ADDRESS|CIDR and at least one LOG");
        return cli_usage_error("explain");
    }
    const char *target = argv[optind++];
    struct ipprefix pfx;
    if (!ipprefix_parse(span_make(target, strlen(target)), &pfx, false)) {
        msg_error("explain: \"%s\" is not an address or a CIDR with clean host bits", target);
        return cli_usage_error("explain");
    }
    o.since_given = o.since != 0;
    status = job_open(&j, &o);
    if (status == EXIT_OK) {
        job_read(&j, argv + optind, (size_t)(argc - optind));
        job_decide(&j);
        struct ex x = { .p = &j.policy, .l = &j.l, .asn = j.asn, .allow = j.allow,
                        .deny = j.deny, .state = j.state, .files = argv + optind,
                        .now = o.now };
        explain_print(&x, &j, &pfx);
        status = job_status(&j);
    }
    job_close(&j);
    return cli_job_failed("explain", status);
}
