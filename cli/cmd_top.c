/* rblforge top: the heaviest addresses, networks, ASNs or rDNS classes
 * for one kind of event, over archived logs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "asn.h"
#include "cli.h"
#include "escape.h"
#include "job.h"
#include "msg.h"
#include "netagg.h"
#include "outbuf.h"
#include "policy.h"
#include "rdns.h"
#include "state.h"
#include "tstamp.h"
#include "xalloc.h"

static const char help[] =
    "usage: rblforge top [--by ip|net|asn|rdns] [--event E] [-n N] [--since T]\n"
    "                    [--until T] [--format table|csv|json] [-c CONFIG]\n"
    "                    [--asn-db FILE] [--allowlist FILE] [--denylist FILE]\n"
    "                    [--state FILE] [-j N] [--year Y] [--tz ZONE] LOG...\n"
    "\n"
    "Count events of one kind per address, network ([network] prefix lengths\n"
    "of CONFIG), origin AS (needs --asn-db) or rDNS class, and print the N\n"
    "largest, ties in address/number order. The status column says what the\n"
    "policy makes of each address: listed (itself, or inside a listed\n"
    "network), allowlisted (would be listed; never is), held (removed by hand\n"
    "in --state FILE) or -; of a network, listed, held:allowlisted or\n"
    "held:good-mail (not escalated), or how many of its addresses are listed;\n"
    "of an AS or rDNS class, how many of its addresses are listed.\n"
    "\n"
    "  -b, --by KEY         ip (default), net, asn or rdns\n"
    "  -e, --event E        an evidence class as in listings.csv (e.g.\n"
    "                       reject_dnsbl, auth_fail, postscreen_pregreet),\n"
    "                       'evidence' (every class against an address,\n"
    "                       the default), 'all' or 'score' (the policy's score)\n"
    "  -n N                 how many rows (default 10; 0 = all)\n"
    "      --since T, --until T  only events in [T, T'): YYYY-MM-DD,\n"
    "                       YYYY-MM-DDTHH:MM:SSZ or -7d, -12h\n"
    "  -f, --format FMT     table (default), csv or json\n"
    "  -c, --config FILE    policy (network prefix lengths, weights for 'score')\n"
    "      --asn-db FILE    GeoLite2-ASN / DB-IP ASN .mmdb\n"
    "      --allowlist FILE, --denylist FILE  as for run (or the config's)\n"
    "      --state FILE     a run's state file: marks addresses removed by hand\n"
    "  -h, --help           this text\n";

enum by { BY_IP, BY_NET, BY_ASN, BY_RDNS };
enum { EVT_EVIDENCE = -1, EVT_ALL = -2, EVT_SCORE = -3 };
enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

struct row {
    struct ipprefix pfx;        /* ip, net */
    uint64_t key;               /* asn, rdns class */
    double count;
    uint32_t addrs;
    uint32_t listed;            /* addresses the policy lists */
    const char *status;         /* ip rows: listed, allowlisted, held or NULL */
    const char *detail;         /* hostname, organisation; log or db bytes */
};

/* What the options say about the printing. */
struct top_args {
    const char *event;          /* the column's name */
    long limit;
    enum fmt fmt;
};

struct top_ctx {
    enum by by;
    int event;
    const struct policy *p;
    struct row *rows;
    size_t n, cap;
    agg_map v4, v6, asns;       /* key -> row index + 1 */
    struct row rdns[RDNS__COUNT];
    const struct job *j;        /* the listings, allowlist and state */
};

static int cmp_listing(const void *a, const void *b)
{
    return ipprefix_cmp(&((const struct listing *)a)->pfx, &((const struct listing *)b)->pfx);
}

static bool is_listed(const struct listings *l, const struct ipprefix *pfx)
{
    struct listing key = { .pfx = *pfx };

    return l->n && bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_listing) != NULL;
}

/* What the policy makes of one address: listed (itself or its network),
 * allowlisted, held (removed by hand), or NULL. */
static const char *addr_status(const struct top_ctx *c, const struct ipaddr *ip)
{
    const struct job *j = c->j;
    struct ipprefix host = { *ip, ip->family == 4 ? 32 : 128 };
    struct ipprefix net = netagg_net_of(c->p, ip);
    const struct state_entry *se = j->state ? state_find(j->state, &host) : NULL;

    if (se && se->removed_at)
        return "held";
    if (j->allow && cidrset_match(j->allow, ip))
        return "allowlisted";
    if (is_listed(&j->l, &host) || is_listed(&j->l, &net))
        return "listed";
    return NULL;
}

/* A network's status: escalated, held, or how many addresses are listed. */
static const char *net_status(const struct top_ctx *c, const struct row *r, char *buf, size_t n)
{
    struct net_stats ns;

    if (listings_net_find(&c->j->l, &r->pfx.addr, &ns) && ns.status != NET_NONE
        && ns.status != NET_ESCALATED)
        return netagg_status_name(ns.status);
    if (is_listed(&c->j->l, &r->pfx))
        return "listed";
    snprintf(buf, n, "%u listed", r->listed);
    return buf;
}

static double metric(const struct top_ctx *c, const struct ipaddr *ip, const struct ip_stats *st)
{
    double v = 0;

    if (c->event == EVT_SCORE) {
        struct decision d;
        policy_decide(c->p, ip, st, &d);
        return d.score;
    }
    if (c->event >= 0)
        return ip_stats_n(st, c->event);
    uint32_t n[AC__COUNT];
    ip_stats_counts(st, n);
    for (int k = 0; k < AC__COUNT; k++)
        if (c->event == EVT_ALL || agg_is_evidence(k))
            v += n[k];
    return v;
}

static struct row *row_for(struct top_ctx *c, agg_map *m, uint64_t key)
{
    void **slot = agg_map_ins(m, key);

    if (*slot == NULL) {
        c->rows = xgrow(c->rows, &c->cap, c->n + 1, sizeof(*c->rows));
        memset(&c->rows[c->n], 0, sizeof(*c->rows));
        c->rows[c->n].key = key;
        *slot = (void *)(uintptr_t)(++c->n);
    }
    return &c->rows[(uintptr_t)*slot - 1];
}

static void count_one(const struct ipaddr *ip, const struct ip_stats *st, void *arg)
{
    struct top_ctx *c = arg;
    double v = metric(c, ip, st);
    struct row *r;

    if (v == 0)
        return;
    switch (c->by) {
    case BY_IP:
        c->rows = xgrow(c->rows, &c->cap, c->n + 1, sizeof(*c->rows));
        r = &c->rows[c->n++];
        memset(r, 0, sizeof(*r));
        r->pfx.addr = *ip;
        r->pfx.len = ip->family == 4 ? 32 : 128;
        r->detail = st->rdns;
        break;
    case BY_NET: {
        struct ipprefix net = netagg_net_of(c->p, ip);
        r = row_for(c, net.addr.family == 4 ? &c->v4 : &c->v6, netagg_key(&net));
        r->pfx = net;
        break;
    }
    case BY_ASN:
        r = row_for(c, &c->asns, st->asn);
        break;
    default:
        r = &c->rdns[rdns_of(ip, st)];
        r->key = (uint64_t)rdns_of(ip, st);
        break;
    }
    r->count += v;
    r->addrs++;
    const char *status = addr_status(c, ip);
    r->listed += status && status[0] == 'l';
    if (c->by == BY_IP)
        r->status = status;
}

/* Largest first; ties in key order (the rows arrive in that order). */
static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    int c = ipaddr_cmp(&x->pfx.addr, &y->pfx.addr);
    if (c)
        return c;
    return (x->key > y->key) - (x->key < y->key);
}

static void key_text(const struct top_ctx *c, const struct row *r, char *buf, size_t n)
{
    char ip[IPPREFIX_STRLEN];

    if (c->by == BY_IP || c->by == BY_NET)
        snprintf(buf, n, "%s", ipprefix_format(&r->pfx, ip));
    else if (c->by == BY_ASN)
        snprintf(buf, n, r->key ? "AS%llu" : "unknown", (unsigned long long)r->key);
    else
        snprintf(buf, n, "%s", rdns_class_name((enum rdns_class)r->key));
}

static void print_rows(struct top_ctx *c, size_t limit, enum fmt fmt, const char *event)
{
    struct outbuf o;
    char key[64];

    outbuf_init(&o, STDOUT_FILENO);
    if (fmt == FMT_CSV)
        outbuf_printf(&o, "rank,key,%s,addresses,status,detail\n", event);
    else if (fmt == FMT_JSON)
        outbuf_puts(&o, "[");
    else
        outbuf_printf(&o, "%4s  %-20s %12s %9s  %-16s %s\n", "rank", "key", event, "addresses",
                      "status", c->by == BY_IP ? "rdns" : c->by == BY_ASN ? "org" : "");
    for (size_t i = 0; i < c->n && (limit == 0 || i < limit); i++) {
        const struct row *r = &c->rows[i];
        char sbuf[32];
        const char *status = c->by == BY_IP ? (r->status ? r->status : "-")
            : c->by == BY_NET ? net_status(c, r, sbuf, sizeof(sbuf))
            : (snprintf(sbuf, sizeof(sbuf), "%u listed", r->listed), sbuf);
        key_text(c, r, key, sizeof(key));
        const char *d = r->detail;
        if (fmt == FMT_CSV) {
            outbuf_printf(&o, "%zu,%s,%g,%u,%s,", i + 1, key, r->count, r->addrs, status);
            if (d)
                esc_csv(&o, d, strlen(d));
            outbuf_putc(&o, '\n');
        } else if (fmt == FMT_JSON) {
            outbuf_printf(&o, "%s\n  {\"rank\": %zu, \"key\": \"%s\", \"count\": %g, "
                          "\"addresses\": %u, \"status\": \"%s\"", i ? "," : "", i + 1, key,
                          r->count, r->addrs, status);
            if (d) {
                outbuf_puts(&o, ", \"detail\": ");
                esc_json(&o, d, strlen(d));
            }
            outbuf_putc(&o, '}');
        } else {
            outbuf_printf(&o, "%4zu  %-20s %12g %9u  %-16s ", i + 1, key, r->count, r->addrs,
                          status);
            if (d)
                esc_tsv(&o, d, strlen(d) > 80 ? 80 : strlen(d));
            outbuf_putc(&o, '\n');
        }
    }
    if (fmt == FMT_JSON)
        outbuf_puts(&o, c->n ? "\n]\n" : "]\n");
    if (!outbuf_close(&o))
        msg_fatal("write error on standard output");
}

/* -b, -e, -n, -f and the times; false (warned) on a bad value. */
static bool top_option(int opt, const char *arg, struct top_ctx *c, struct top_args *t,
                       struct job_opts *o)
{
    char *end;

    switch (opt) {
    case 'b':
        if (!strcmp(arg, "ip")) c->by = BY_IP;
        else if (!strcmp(arg, "net")) c->by = BY_NET;
        else if (!strcmp(arg, "asn")) c->by = BY_ASN;
        else if (!strcmp(arg, "rdns")) c->by = BY_RDNS;
        else {
            msg_warn("--by: want ip, net, asn or rdns, got \"%s\"", arg);
            return false;
        }
        return true;
    case 'e':
        t->event = arg;
        if (!strcmp(arg, "evidence")) c->event = EVT_EVIDENCE;
        else if (!strcmp(arg, "all")) c->event = EVT_ALL;
        else if (!strcmp(arg, "score")) c->event = EVT_SCORE;
        else if ((c->event = agg_class_lookup(arg)) < 0) {
            msg_warn("--event: unknown event class \"%s\" (see the listings.csv "
                     "columns, or evidence, all, score)", arg);
            return false;
        }
        return true;
    case 'n':
        t->limit = strtol(arg, &end, 10);
        if (*arg == 0 || *end || t->limit < 0 || t->limit > 1000000000) {
            msg_warn("-n: want a count, got \"%s\"", arg);
            return false;
        }
        return true;
    case 'f':
        if (!strcmp(arg, "table")) t->fmt = FMT_TABLE;
        else if (!strcmp(arg, "csv")) t->fmt = FMT_CSV;
        else if (!strcmp(arg, "json")) t->fmt = FMT_JSON;
        else {
            msg_warn("--format: want table, csv or json, got \"%s\"", arg);
            return false;
        }
        return true;
    default:                    /* OPT_SINCE, OPT_UNTIL */
        if (!tstamp_parse_arg(arg, time(NULL), opt == OPT_SINCE ? &o->since : &o->until)) {
            msg_warn("%s: want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[Z] or -7d/-12h, got \"%s\"",
                     opt == OPT_SINCE ? "--since" : "--until", arg);
            return false;
        }
        return true;
    }
}

/* Count per key, sort, print. */
static void top_print(struct top_ctx *c, const struct job *j, const struct top_args *t)
{
    agg_walk(j->agg, count_one, c);
    if (c->by == BY_RDNS) {
        for (int k = 0; k < RDNS__COUNT; k++)
            if (c->rdns[k].addrs) {
                c->rows = xgrow(c->rows, &c->cap, c->n + 1, sizeof(*c->rows));
                c->rows[c->n++] = c->rdns[k];
            }
    }
    if (c->by == BY_ASN)
        for (size_t i = 0; i < c->n; i++)
            c->rows[i].detail = asn_org(j->asn, (uint32_t)c->rows[i].key);
    if (c->n)
        qsort(c->rows, c->n, sizeof(*c->rows), cmp_row);
    print_rows(c, (size_t)t->limit, t->fmt, t->event);
    free(c->rows);
    agg_map_free(&c->v4);
    agg_map_free(&c->v6);
    agg_map_free(&c->asns);
}

int cmd_top(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "by", required_argument, NULL, 'b' },
        { "event", required_argument, NULL, 'e' },
        { "format", required_argument, NULL, 'f' },
        CLI_OPT_CONFIG,
        CLI_OPT_ASN_DB,
        CLI_OPT_ALLOWLIST,
        CLI_OPT_DENYLIST,
        CLI_OPT_STATE,
        { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL },
        CLI_THREAD_OPTIONS,
        CLI_OPT_HELP,
        { NULL, 0, NULL, 0 },
    };
    struct job_opts o = { .use = JOB_ASN | JOB_ALLOW | JOB_DENY, .cmd = "top" };
    struct top_ctx c = { .by = BY_IP, .event = EVT_EVIDENCE };
    struct top_args t = { "evidence", 10, FMT_TABLE };
    struct job j;
    int opt, status;

    while ((opt = getopt_long(argc, argv, "b:e:n:f:c:j:h", longopts, NULL)) != -1) {
        if (cli_job_option(opt, optarg, &o))
            continue;
        switch (opt) {
        case 'b': case 'e': case 'n': case 'f': case OPT_SINCE: case OPT_UNTIL:
            if (!top_option(opt, optarg, &c, &t, &o))
                return cli_usage_error("top");
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("top");
        }
    }
    if (optind >= argc) {
        msg_error("top: no LOG given (use '-' for stdin)");
        return cli_usage_error("top");
    }
    status = job_open(&j, &o);
    if (status == EXIT_OK && c.by == BY_ASN && j.asn == NULL) {
        msg_error("top --by asn needs --asn-db FILE");
        status = JOB_USAGE;
    }
    if (status == EXIT_OK) {
        c.p = &j.policy;
        c.j = &j;
        job_read(&j, argv + optind, (size_t)(argc - optind));
        job_decide(&j);
        top_print(&c, &j, &t);
        status = job_status(&j);
    }
    job_close(&j);
    return cli_job_failed("top", status);
}
