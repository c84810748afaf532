/* The option handling the commands share: --year, --tz, -j, --inflate,
 * --progress, the options of the shared job, times given on the command
 * line, the usage hint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <omp.h>
#include "cli.h"
#include "inflate.h"
#include "job.h"
#include "msg.h"
#include "tstamp.h"

static const char *tz_dir(void)
{
    const char *d = getenv("TZDIR");

    return d && *d ? d : "/usr/share/zoneinfo";
}

/* A POSIX TZ: a name of three or more letters (or <...>) and an offset,
 * e.g. JST-9, EST5EDT,M3.2.0,M11.1.0, <+09>-9. */
static bool tz_posix(const char *v)
{
    size_t i = 0;

    if (v[0] == '<') {
        const char *e = strchr(v, '>');
        if (e == NULL || e - v < 4)
            return false;
        i = (size_t)(e - v) + 1;
    } else {
        while ((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z'))
            i++;
        if (i < 3)
            return false;
    }
    if (v[i] == '+' || v[i] == '-')
        i++;
    return v[i] >= '0' && v[i] <= '9';
}

/* glibc takes an unknown zone name for UTC without a word: a name must
 * be a zone file (under TZDIR, or a path), or a POSIX TZ string. */
static bool tz_known(const char *v)
{
    char path[4096];
    struct stat sb;

    if (*v == ':')
        v++;
    if (*v == 0)
        return false;
    if (*v != '/' && tz_posix(v))
        return true;
    if (*v == '/' ? snprintf(path, sizeof(path), "%s", v) >= (int)sizeof(path)
        : strstr(v, "..") != NULL
          || snprintf(path, sizeof(path), "%s/%s", tz_dir(), v) >= (int)sizeof(path))
        return false;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool cli_common_option(int opt, const char *arg, struct cli_common *c)
{
    char *end;
    long v;

    switch (opt) {
    case OPT_YEAR:
        v = strtol(arg, &end, 10);
        if (*arg == 0 || *end || v < 1970 || v > 9999)
            msg_fatal_status(EXIT_USAGE, "--year: want a year from 1970 to 9999, got \"%s\"", arg);
        c->year = (int)v;
        return true;
    case OPT_TZ:
        if (!tz_known(arg))
            msg_fatal_status(EXIT_USAGE, "--tz: unknown time zone \"%.60s\": want a name under "
                             "%s (such as Asia/Tokyo) or a POSIX TZ such as JST-9",
                             arg, tz_dir());
        if (setenv("TZ", arg, 1) < 0)
            msg_fatal_status(EXIT_USAGE, "--tz: cannot set TZ");
        tzset();
        return true;
    case 'j':
        v = strtol(arg, &end, 10);
        if (*arg == 0 || *end || v < 1 || v > 1024)
            msg_fatal_status(EXIT_USAGE, "-j: want a thread count from 1 to 1024, got \"%s\"", arg);
        omp_set_num_threads((int)v);
        return true;
    case OPT_INFLATE: {
        enum inflate_kind k;
        if (!inflate_kind_parse(arg, &k))
            msg_fatal_status(EXIT_USAGE, "--inflate: want one of auto %s, got \"%s\"",
                             inflate_backends(), arg);
        c->inflate = (int)k;
        return true;
    }
    case OPT_PROGRESS:
        c->progress = 1;
        return true;
    case OPT_NO_PROGRESS:
        c->progress = 0;
        return true;
    }
    return false;
}

bool cli_job_option(int opt, const char *arg, struct job_opts *o)
{
    struct cli_common c = { o->year, o->inflate, o->progress };

    if (cli_common_option(opt, arg, &c)) {
        o->year = c.year, o->inflate = c.inflate, o->progress = c.progress;
        return true;
    }
    switch (opt) {
    case 'c': o->config = arg; break;
    case 'o': o->outdir = arg; break;
    case 'v': o->verbose = true; break;
    case OPT_ALLOWLIST: o->allowlist = arg; break;
    case OPT_DENYLIST: o->denylist = arg; break;
    case OPT_ASN_DB: o->asn_db = arg; break;
    case OPT_GEO_DB: o->geo_db = arg; break;
    case OPT_STATE: o->state = arg; break;
    case OPT_CUSTOMERS: o->customers = arg; break;
    case OPT_TEMPLATES: o->templates = arg; break;
    case OPT_LANG: o->lang = arg; break;
    case OPT_ABUSE_CONTACTS: o->abuse_contacts = arg; break;
    case OPT_ABUSE_FORMAT: o->abuse_format = arg; break;
    case OPT_LETTERS: o->abuse_letters = arg; break;
    case OPT_NO_REDACT: o->no_redact = true; break;
    case OPT_ABUSE_MAX_SOURCES: {
        char *end;
        long v = strtol(arg, &end, 10);
        if (*arg < '0' || *arg > '9' || *end || v < 1 || v > 1000000)
            msg_fatal_status(EXIT_USAGE, "--abuse-max-sources: want 1 to 1000000, got \"%s\"",
                             arg);
        o->abuse_max_sources = (unsigned)v;
        break;
    }
    case OPT_TEST_RANGE:
        if (o->ntest_ranges == JOB_TEST_RANGES_MAX)
            msg_fatal_status(EXIT_USAGE, "--test-range: at most %d", JOB_TEST_RANGES_MAX);
        o->test_ranges[o->ntest_ranges++] = arg;
        break;
    default: return false;
    }
    return true;
}

int cli_job_failed(const char *cmd, int status)
{
    return status == JOB_USAGE ? cli_usage_error(cmd) : status;
}

bool cli_parse_time(const char *arg, int64_t *ts)
{
    char *end;
    long long v = strtoll(arg, &end, 10);

    if (*arg && *end == 0 && v >= 0 && v < (1LL << 40)) {
        *ts = v;
        return true;
    }
    return tstamp_parse_arg(arg, time(NULL), ts);
}

static bool job_time(const char *cmd, const char *opt, const char *arg, time_t now,
                     int64_t *out)
{
    if (strcmp(opt, "--now") == 0 ? cli_parse_time(arg, out) : tstamp_parse_arg(arg, now, out))
        return true;
    msg_warn("%s: %s: want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[Z|+hh:mm] or -7d/-12h, got \"%s\"",
             cmd, opt, arg);
    return false;
}

bool cli_job_times(const char *cmd, const char *now_arg, const char *since_arg,
                   const char *until_arg, struct job_opts *o)
{
    o->now = time(NULL);
    o->since_given = since_arg != NULL;
    return (now_arg == NULL || job_time(cmd, "--now", now_arg, (time_t)o->now, &o->now))
        && (since_arg == NULL || job_time(cmd, "--since", since_arg, (time_t)o->now, &o->since))
        && (until_arg == NULL || job_time(cmd, "--until", until_arg, (time_t)o->now, &o->until));
}

int cli_usage_error(const char *cmd)
{
    fprintf(stderr, "Try 'rblforge %s --help'.\n", cmd);
    return EXIT_USAGE;
}
