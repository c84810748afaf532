#ifndef RBLFORGE_CLI_H
#define RBLFORGE_CLI_H
/* Subcommands (one file each in cli/) and the options they share. Each
 * returns the process exit status. */
#include <stdbool.h>
#include <stdint.h>

int cmd_run(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_delist(int argc, char **argv);
int cmd_unparsed(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_merge(int argc, char **argv);

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
    OPT_TEST_RANGE, OPT_GEO_DB,
    OPT_INFLATE = 1100, OPT_PROGRESS, OPT_NO_PROGRESS,
    OPT_ABUSE_CONTACTS = 1200, OPT_ABUSE_FORMAT, OPT_LETTERS, OPT_ABUSE_MAX_SOURCES,
    OPT_NO_REDACT,
    OPT_WAIT = 1300, OPT_CREATE,
};
/* scan and merge (cli/cmd_scan.c, cli/cmd_merge.c). */
enum { OPT_PARTIAL = 1400, OPT_WINDOW };
/* The long options every log-reading command takes (--inflate, --progress,
 * --no-progress), for splicing into a getopt_long table. */
#define CLI_INPUT_OPTIONS \
    { "inflate", required_argument, NULL, OPT_INFLATE }, \
    { "progress", no_argument, NULL, OPT_PROGRESS }, \
    { "no-progress", no_argument, NULL, OPT_NO_PROGRESS }
/* Handles a shared option; false if opt is not one of them. Exits with
 * EXIT_USAGE on a bad value. */
bool cli_common_option(int opt, const char *arg, struct cli_common *c);

/* The options of the shared job (driver/job.c), one macro per row so
 * that each command's getopt_long table lists exactly the ones it takes. */
#define CLI_OPT_CONFIG { "config", required_argument, NULL, 'c' }
#define CLI_OPT_OUTPUT { "output", required_argument, NULL, 'o' }
#define CLI_OPT_ALLOWLIST { "allowlist", required_argument, NULL, OPT_ALLOWLIST }
#define CLI_OPT_DENYLIST { "denylist", required_argument, NULL, OPT_DENYLIST }
#define CLI_OPT_ASN_DB { "asn-db", required_argument, NULL, OPT_ASN_DB }
#define CLI_OPT_GEO_DB { "geo-db", required_argument, NULL, OPT_GEO_DB }
#define CLI_OPT_STATE { "state", required_argument, NULL, OPT_STATE }
#define CLI_OPT_TEST_RANGE { "test-range", required_argument, NULL, OPT_TEST_RANGE }
#define CLI_OPT_VERBOSE { "verbose", no_argument, NULL, 'v' }
#define CLI_OPT_HELP { "help", no_argument, NULL, 'h' }
/* The customer reports: --customers, --templates, --lang. */
#define CLI_REPORT_OPTIONS \
    { "customers", required_argument, NULL, OPT_CUSTOMERS }, \
    { "templates", required_argument, NULL, OPT_TEMPLATES }, \
    { "lang", required_argument, NULL, OPT_LANG }
/* The abuse contacts and messages (rblforge run). */
#define CLI_ABUSE_OPTIONS \
    { "abuse-contacts", required_argument, NULL, OPT_ABUSE_CONTACTS }, \
    { "abuse-format", required_argument, NULL, OPT_ABUSE_FORMAT }, \
    { "letters", required_argument, NULL, OPT_LETTERS }, \
    { "abuse-max-sources", required_argument, NULL, OPT_ABUSE_MAX_SOURCES }, \
    { "no-redact", no_argument, NULL, OPT_NO_REDACT }
/* -j N, --year Y, --tz ZONE: every command that reads logs. */
#define CLI_THREAD_OPTIONS \
    { "jobs", required_argument, NULL, 'j' }, \
    { "year", required_argument, NULL, OPT_YEAR }, \
    { "tz", required_argument, NULL, OPT_TZ }

struct job_opts;
/* Handles an option of the shared job into o (the files, -o, -v, the
 * report options and the cli_common ones); false if opt is none of them
 * (the times stay with each command: their forms and messages differ).
 * Exits with EXIT_USAGE on a bad value. */
bool cli_job_option(int opt, const char *arg, struct job_opts *o);
/* The exit status of a failed job_open: the usage hint for JOB_USAGE. */
int cli_job_failed(const char *cmd, int status);
/* A time for --now: RFC 3339 / YYYY-MM-DD, or a Unix time in seconds. */
bool cli_parse_time(const char *arg, int64_t *ts);
/* --now (default: the clock), then --since and --until relative to it,
 * into o, as run reads them; false (warned, naming cmd) on a bad value. */
bool cli_job_times(const char *cmd, const char *now_arg, const char *since_arg,
                   const char *until_arg, struct job_opts *o);
/* "Try 'rblforge CMD --help'" and EXIT_USAGE. */
int cli_usage_error(const char *cmd);

#endif
