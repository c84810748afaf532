/* rblforge events: one line per recognised log event. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "event_print.h"
#include "msg.h"
#include "outbuf.h"
#include "pipeline.h"

static const char help[] =
    "usage: rblforge events [--format jsonl|tsv] [--stats] [--year Y] [--tz ZONE]\n"
    "                       [-j N] [--inflate zlib|isal] [--progress|--no-progress] LOG...\n"
    "\n"
    "Print one line per recognised log event, in input order. A LOG is a path\n"
    "or '-' for stdin; gzip is detected by content.\n"
    "\n"
    "  -f, --format FMT   jsonl (default) or tsv (with a header line)\n"
    "      --stats        print line counts and unrecognised lines per program\n"
    "                     on stderr at the end\n"
    "      --year Y       year of year-less syslog stamps (default: inferred\n"
    "                     from each file's modification time)\n"
    "      --tz ZONE      time zone of stamps without an offset (default: TZ)\n"
    "  -j, --jobs N       threads (default: all cores, or OMP_NUM_THREADS); the\n"
    "                     output is the same for any N\n"
    "      --inflate NAME gzip backend: isal (the default when built in) or zlib\n"
    "      --progress, --no-progress  bytes read, MB/s and ETA on stderr\n"
    "                     (default: when stderr is a terminal)\n"
    "  -h, --help         this text\n";

struct print_ctx {
    struct outbuf out;
    enum event_format fmt;
};

/* On any thread: ob is the buffer of the event's chunk. */
static void print_one(const struct event *ev, struct outbuf *ob, void *arg)
{
    const struct print_ctx *pc = arg;

    event_print(ob, pc->fmt, ev);
}

static void print_stats(const struct pipeline_stats *st)
{
    fprintf(stderr, "files\t%u\nbytes\t%llu\nlines\t%llu\nevents\t%llu\n"
            "no_header\t%llu\nlong_lines\t%llu\n", st->files,
            (unsigned long long)st->bytes, (unsigned long long)st->parse.lines,
            (unsigned long long)st->parse.events,
            (unsigned long long)st->parse.no_header,
            (unsigned long long)st->parse.long_lines);
    for (unsigned i = 0; i < PARSE_PROG_SLOTS; i++)
        if (st->parse.unrec[i].count)
            fprintf(stderr, "unrecognised\t%s\t%llu\n", st->parse.unrec[i].name,
                    (unsigned long long)st->parse.unrec[i].count);
}

int cmd_events(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "stats", no_argument, NULL, OPT_STATS },
        { "year", required_argument, NULL, OPT_YEAR },
        { "tz", required_argument, NULL, OPT_TZ },
        { "jobs", required_argument, NULL, 'j' },
        CLI_INPUT_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_common common = { .progress = -1 };
    struct print_ctx pc = { .fmt = EVENT_JSONL };
    struct pipeline_stats st;
    bool stats = false;
    int opt;

    while ((opt = getopt_long(argc, argv, "f:j:h", longopts, NULL)) != -1) {
        if (cli_common_option(opt, optarg, &common))
            continue;
        switch (opt) {
        case 'f':
            if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
                pc.fmt = EVENT_JSONL;
            else if (strcmp(optarg, "tsv") == 0)
                pc.fmt = EVENT_TSV;
            else {
                msg_error("--format: want jsonl or tsv, got \"%s\"", optarg);
                return cli_usage_error("events");
            }
            break;
        case OPT_STATS:
            stats = true;
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("events");
        }
    }
    if (optind >= argc) {
        msg_error("events: no LOG given (use '-' for stdin)");
        return cli_usage_error("events");
    }
    struct pipeline_opts po = { .year = common.year, .inflate = common.inflate,
                                .progress = common.progress };
    outbuf_init(&pc.out, STDOUT_FILENO);
    event_print_header(&pc.out, pc.fmt);
    pipeline_print(argv + optind, (size_t)(argc - optind), &po, print_one, &pc, &pc.out, &st);
    if (!outbuf_close(&pc.out))
        msg_fatal("write error on standard output");
    if (stats)
        print_stats(&st);
    if (st.unreadable)
        return EXIT_RUNTIME;
    return st.damaged ? EXIT_DAMAGED : EXIT_OK;
}
