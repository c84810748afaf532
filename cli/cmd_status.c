/* rblforge status: what a state file lists now, why and since when, and
 * the removals by hand with their notes. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "config.h"
#include "escape.h"
#include "msg.h"
#include "outbuf.h"
#include "state_file.h"
#include "tstamp.h"
#include "xalloc.h"

static const char help[] =
    "usage: rblforge status --state FILE [-c CONFIG] [--now T]\n"
    "                       [--format table|json] [ADDRESS|CIDR...]\n"
    "\n"
    "What the state file of `rblforge run --state FILE` lists now: per entry\n"
    "its status (listed, removed by hand, expired), cause, return code (of\n"
    "CONFIG, or the built-in one), since (first evidence), last evidence,\n"
    "expiry, and the removals by hand with every note. With ADDRESS or CIDR\n"
    "arguments, only the entries inside them or containing them; an address\n"
    "with no entry is said to be not listed.\n"
    "\n"
    "  -c, --config FILE    the return codes of this configuration\n"
    "      --now T          the time to judge expiry by (default: now)\n"
    "  -f, --format FMT     table (default) or json\n"
    "\n"
    "Exit status: 0 shown; 1 the state could not be read; 2 usage error.\n";

struct status_ctx {
    struct outbuf o;
    const struct state *s;
    struct policy p;
    int64_t now;
    bool json;
    size_t shown;
};

static const char *ts(int64_t t, char *buf)
{
    if (t == INT64_MAX || t == INT64_MIN || t == 0)
        return NULL;
    tstamp_format(t, 0, buf);
    return buf;
}

static const char *status_of(const struct state_entry *e, int64_t now)
{
    return e->removed_at ? "removed" : e->listed_until > now ? "listed" : "expired";
}

/* A time as a JSON string, or null. */
static void json_time(struct outbuf *o, const char *key, int64_t t)
{
    char b[40];

    if (ts(t, b))
        outbuf_printf(o, ", \"%s\": \"%s\"", key, b);
    else
        outbuf_printf(o, ", \"%s\": null", key);
}

static void show_json(struct status_ctx *c, const struct state_entry *e)
{
    char ip[IPPREFIX_STRLEN], b[40];
    size_t n;
    const struct state_note *nv = state_notes(c->s, &e->pfx, &n);

    outbuf_printf(&c->o, "%s\n  {\"entry\": \"%s\", \"status\": \"%s\", \"cause\": \"%s\", "
                  "\"code\": \"%s\"", c->shown ? "," : "", ipprefix_format(&e->pfx, ip),
                  status_of(e, c->now), policy_cause_name(e->cause),
                  policy_code(&c->p, e->cause));
    json_time(&c->o, "since", e->first);
    json_time(&c->o, "last_evidence", e->last);
    json_time(&c->o, "expires", e->removed_at ? 0 : e->listed_until);
    json_time(&c->o, "removed", e->removed_at);
    outbuf_puts(&c->o, ", \"notes\": [");
    for (size_t i = 0; i < n; i++) {
        outbuf_printf(&c->o, "%s{\"at\": \"%s\", \"note\": ", i ? ", " : "",
                      ts(nv[i].at, b) ? b : "");
        esc_json(&c->o, nv[i].text, strlen(nv[i].text));
        outbuf_putc(&c->o, '}');
    }
    outbuf_puts(&c->o, "]}");
}

static void show_table(struct status_ctx *c, const struct state_entry *e)
{
    char ip[IPPREFIX_STRLEN], b1[40], b2[40], b3[40];
    const char *since = ts(e->first, b1), *last = ts(e->last, b2);
    const char *until = ts(e->removed_at ? e->removed_at : e->listed_until, b3);
    size_t n;
    const struct state_note *nv = state_notes(c->s, &e->pfx, &n);

    if (c->shown == 0)
        outbuf_printf(&c->o, "%-20s %-8s %-8s %-11s %-20s %-20s %s\n", "entry", "status",
                      "cause", "code", "since", "last evidence", "expires/removed");
    outbuf_printf(&c->o, "%-20s %-8s %-8s %-11s %-20s %-20s %s\n",
                  ipprefix_format(&e->pfx, ip), status_of(e, c->now),
                  policy_cause_name(e->cause), policy_code(&c->p, e->cause),
                  since ? since : "-", last ? last : "-", until ? until : "-");
    for (size_t i = 0; i < n; i++) {
        outbuf_printf(&c->o, "    removed by hand %s: ", ts(nv[i].at, b1) ? b1 : "-");
        if (nv[i].text[0])
            esc_text(&c->o, nv[i].text, strlen(nv[i].text), 0);
        else
            outbuf_puts(&c->o, "(no note)");
        outbuf_putc(&c->o, '\n');
    }
}

static void show(struct status_ctx *c, const struct state_entry *e)
{
    if (c->json)
        show_json(c, e);
    else
        show_table(c, e);
    c->shown++;
}

/* The entries inside q or containing it; false if there is none. */
static bool show_query(struct status_ctx *c, const struct ipprefix *q, const char *arg)
{
    bool any = false;

    for (size_t i = 0; i < state_count(c->s); i++) {
        const struct state_entry *e = state_entry_at(c->s, i);
        if (e->pfx.addr.family != q->addr.family)
            continue;
        if ((e->pfx.len >= q->len && ipprefix_contains(q, &e->pfx.addr))
            || (e->pfx.len < q->len && ipprefix_contains(&e->pfx, &q->addr))) {
            show(c, e);
            any = true;
        }
    }
    if (!any && !c->json) {
        esc_text(&c->o, arg, strlen(arg), 0);
        outbuf_puts(&c->o, ": not listed (no entry in the state file)\n");
    }
    return any;
}

static int status(struct status_ctx *c, const char *state, char **args, int nargs)
{
    struct state *s = state_new();
    int rc = EXIT_OK;

    c->s = s;
    if (!state_file_load(s, state)) {
        state_free(s);
        return EXIT_RUNTIME;
    }
    outbuf_init(&c->o, STDOUT_FILENO);
    if (c->json)
        outbuf_puts(&c->o, "[");
    if (nargs == 0)
        for (size_t i = 0; i < state_count(s); i++)
            show(c, state_entry_at(s, i));
    for (int i = 0; i < nargs; i++) {
        struct ipprefix q;
        if (!ipprefix_parse(span_make(args[i], strlen(args[i])), &q, true)) {
            msg_error("status: \"%.60s\" is not an address or a CIDR", args[i]);
            rc = EXIT_USAGE;
            break;
        }
        show_query(c, &q, args[i]);
    }
    if (c->json)
        outbuf_puts(&c->o, c->shown ? "\n]\n" : "]\n");
    else if (nargs == 0 && c->shown == 0)
        outbuf_puts(&c->o, "no entries\n");
    if (!outbuf_close(&c->o))
        msg_fatal("write error on standard output");
    state_free(s);
    return rc;
}

int cmd_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "state", required_argument, NULL, OPT_STATE },
        CLI_OPT_CONFIG,
        { "now", required_argument, NULL, OPT_NOW },
        { "format", required_argument, NULL, 'f' },
        CLI_OPT_HELP,
        { NULL, 0, NULL, 0 },
    };
    struct status_ctx c = { .now = time(NULL) };
    const char *state = NULL, *config = NULL;
    int opt;

    while ((opt = getopt_long(argc, argv, "c:f:h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_STATE: state = optarg; break;
        case 'c': config = optarg; break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "table")) {
                msg_error("--format: want table or json, got \"%.40s\"", optarg);
                return cli_usage_error("status");
            }
            c.json = optarg[0] == 'j';
            break;
        case OPT_NOW:
            if (!cli_parse_time(optarg, &c.now)) {
                msg_error("--now: bad time \"%.40s\"", optarg);
                return cli_usage_error("status");
            }
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("status");
        }
    }
    if (state == NULL) {
        msg_error("status: --state FILE is required");
        return cli_usage_error("status");
    }
    if (access(state, F_OK) < 0) {
        msg_error("status: %s: no such state file", state);
        return EXIT_USAGE;
    }
    config_init(&c.p);
    if (config && !config_load(&c.p, config))
        return EXIT_USAGE;
    return status(&c, state, argv + optind, argc - optind);
}
