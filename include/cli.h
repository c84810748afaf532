#ifndef RBLFORGE_CLI_H
#define RBLFORGE_CLI_H
/* Subcommands (one file each at the top of the tree) and the options they
 * share. Each returns the process exit status. */
#include <stdbool.h>
#include <stdint.h>

int cmd_run(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_delist(int argc, char **argv);

/* --year Y, --tz ZONE, -j N, --inflate, --progress: shared by commands that read logs. */
struct cli_common {
    int year;
    int inflate;                /* enum inflate_kind; 0 = auto */
    int progress;               /* 1 --progress, 0 --no-progress, -1 auto (TTY) */
};
enum {
    OPT_YEAR = 1000, OPT_TZ, OPT_ALLOWLIST, OPT_FORMAT, OPT_STATS,
    OPT_DENYLIST, OPT_ASN_DB, OPT_STATE, OPT_SINCE, OPT_UNTIL, OPT_NOW,
    OPT_FORCE, OPT_STRICT, OPT_POST_PUBLISH, OPT_CUSTOMERS, OPT_TEMPLATES, OPT_LANG,
    OPT_INFLATE = 1100, OPT_PROGRESS, OPT_NO_PROGRESS,
    OPT_ABUSE_CONTACTS = 1200,
};
/* The long options every log-reading command takes (--inflate, --progress,
 * --no-progress), for splicing into a getopt_long table. */
#define CLI_INPUT_OPTIONS \
    { "inflate", required_argument, NULL, OPT_INFLATE }, \
    { "progress", no_argument, NULL, OPT_PROGRESS }, \
    { "no-progress", no_argument, NULL, OPT_NO_PROGRESS }
/* Handles a shared option; false if opt is not one of them. Exits with
 * EXIT_USAGE on a bad value. */
bool cli_common_option(int opt, const char *arg, struct cli_common *c);
/* A time for --now: RFC 3339 / YYYY-MM-DD, or a Unix time in seconds. */
bool cli_parse_time(const char *arg, int64_t *ts);
/* "Try 'rblforge CMD --help'" and EXIT_USAGE. */
int cli_usage_error(const char *cmd);

#endif
