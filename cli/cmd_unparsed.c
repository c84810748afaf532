/* rblforge unparsed: what the parsers did not understand, as templates. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "escape.h"
#include "msg.h"
#include "outbuf.h"
#include "pipeline.h"

static const char help[] =
    "usage: rblforge unparsed [--format text|json] [--year Y] [--tz ZONE] [-j N]\n"
    "                         [--inflate zlib|isal] [--progress|--no-progress] LOG...\n"
    "\n"
    "Lines of programs rblforge reads (Postfix, qmail, postgrey, ...) that no\n"
    "shape matched, grouped into templates (addresses, ids, numbers, host names\n"
    "and paths masked): count, share of all lines, one raw example each (escaped),\n"
    "most frequent first. Then the lines of programs rblforge does not read,\n"
    "per program. Known lines that carry no evidence (connect/disconnect\n"
    "counters, daemon started, statistics, ...) are not listed.\n"
    "\n"
    "  -f, --format FMT   text (default, tab-separated) or json\n"
    "      --year Y       year of year-less syslog stamps\n"
    "      --tz ZONE      time zone of stamps without an offset (default: TZ)\n"
    "  -j, --jobs N       threads; the output is the same for any N\n"
    "      --inflate NAME gzip backend: isal or zlib\n"
    "      --progress, --no-progress  progress on stderr\n"
    "  -h, --help         this text\n";

static void ignore(const struct event *ev, void *ctx)
{
    (void)ev;
    (void)ctx;
}

static int cmp_prog(const void *a, const void *b)
{
    const struct parse_prog_count *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

static double share(uint64_t k, uint64_t n)
{
    return n ? 100.0 * (double)k / (double)n : 0.0;
}

static void print_text(struct outbuf *o, const struct parse_stats *ps)
{
    const struct unknown_set *u = &ps->unmatched;
    uint64_t unmatched = 0;

    for (unsigned f = 0; f < PF__COUNT; f++)
        unmatched += ps->fam_unmatched[f];
    outbuf_printf(o, "# %llu of %llu lines: programs we read, no shape matched\n",
                  (unsigned long long)unmatched, (unsigned long long)ps->lines);
    outbuf_puts(o, "count\tshare\tprogram\ttemplate\texample\n");
    for (unsigned i = 0; i < u->n; i++) {
        const struct unknown_tpl *t = &u->t[i];
        outbuf_printf(o, "%llu\t%.2f%%\t", (unsigned long long)t->count,
                      share(t->count, ps->lines));
        esc_tsv(o, t->prog, t->nprog);
        outbuf_putc(o, '\t');
        esc_tsv(o, t->tpl, t->ntpl);
        outbuf_putc(o, '\t');
        esc_tsv(o, t->ex, t->nex);
        outbuf_putc(o, '\n');
    }
    if (u->overflow)
        outbuf_printf(o, "%llu\t%.2f%%\t(other)\t(more templates than kept)\t\n",
                      (unsigned long long)u->overflow, share(u->overflow, ps->lines));
    outbuf_puts(o, "\n# programs we do not read\ncount\tshare\tprogram\n");
    for (unsigned i = 0; i < PARSE_PROG_SLOTS; i++)
        if (ps->foreign[i].count) {
            outbuf_printf(o, "%llu\t%.2f%%\t", (unsigned long long)ps->foreign[i].count,
                          share(ps->foreign[i].count, ps->lines));
            esc_tsv(o, ps->foreign[i].name, strlen(ps->foreign[i].name));
            outbuf_putc(o, '\n');
        }
}

static void print_json(struct outbuf *o, const struct parse_stats *ps)
{
    const struct unknown_set *u = &ps->unmatched;

    outbuf_printf(o, "{\"lines\": %llu, \"known_no_evidence\": %llu, \"families\": {",
                  (unsigned long long)ps->lines, (unsigned long long)ps->known_no_evidence);
    for (unsigned f = 0, k = 0; f < PF__COUNT; f++) {
        if (!ps->fam_lines[f])
            continue;
        outbuf_printf(o, "%s\"%s\": {\"lines\": %llu, \"unmatched\": %llu}", k++ ? ", " : "",
                      parse_family_name(f), (unsigned long long)ps->fam_lines[f],
                      (unsigned long long)ps->fam_unmatched[f]);
    }
    outbuf_puts(o, "},\n \"templates\": [");
    for (unsigned i = 0; i < u->n; i++) {
        const struct unknown_tpl *t = &u->t[i];
        outbuf_printf(o, "%s\n  {\"count\": %llu, \"share\": %.4f, \"program\": ", i ? "," : "",
                      (unsigned long long)t->count, share(t->count, ps->lines) / 100.0);
        esc_json(o, t->prog, t->nprog);
        outbuf_puts(o, ", \"template\": ");
        esc_json(o, t->tpl, t->ntpl);
        outbuf_puts(o, ", \"example\": ");
        esc_json(o, t->ex, t->nex);
        outbuf_putc(o, '}');
    }
    outbuf_printf(o, "],\n \"templates_overflow\": %llu,\n \"unknown_programs\": {",
                  (unsigned long long)u->overflow);
    for (unsigned i = 0, k = 0; i < PARSE_PROG_SLOTS; i++)
        if (ps->foreign[i].count) {
            outbuf_puts(o, k++ ? ", " : "");
            esc_json(o, ps->foreign[i].name, strlen(ps->foreign[i].name));
            outbuf_printf(o, ": %llu", (unsigned long long)ps->foreign[i].count);
        }
    outbuf_puts(o, "}}\n");
}

int cmd_unparsed(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "year", required_argument, NULL, OPT_YEAR },
        { "tz", required_argument, NULL, OPT_TZ },
        { "jobs", required_argument, NULL, 'j' },
        CLI_INPUT_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_common common = { .progress = -1 };
    struct pipeline_stats st;
    struct outbuf o;
    bool json = false;
    int opt;

    while ((opt = getopt_long(argc, argv, "f:j:h", longopts, NULL)) != -1) {
        if (cli_common_option(opt, optarg, &common))
            continue;
        switch (opt) {
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = true;
            else if (strcmp(optarg, "text") == 0)
                json = false;
            else {
                msg_error("--format: want text or json, got \"%s\"", optarg);
                return cli_usage_error("unparsed");
            }
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("unparsed");
        }
    }
    if (optind >= argc) {
        msg_error("unparsed: no LOG given (use '-' for stdin)");
        return cli_usage_error("unparsed");
    }
    struct pipeline_opts po = { .year = common.year, .inflate = common.inflate,
                                .progress = common.progress };
    pipeline_events(argv + optind, (size_t)(argc - optind), &po, ignore, NULL, &st);
    unknown_sort(&st.parse.unmatched);
    unsigned nf = st.parse.nforeign < PARSE_PROG_SLOTS - 1 ? st.parse.nforeign : PARSE_PROG_SLOTS - 1;
    qsort(st.parse.foreign, nf, sizeof(st.parse.foreign[0]), cmp_prog);
    outbuf_init(&o, STDOUT_FILENO);
    if (json)
        print_json(&o, &st.parse);
    else
        print_text(&o, &st.parse);
    if (!outbuf_close(&o))
        msg_fatal("write error on standard output");
    if (st.unreadable)
        return EXIT_RUNTIME;
    return st.damaged ? EXIT_DAMAGED : EXIT_OK;
}
