/* rblforge check-config: validate a config file and print the result. */
#include <getopt.h>
#include <stdio.h>
#include "asn.h"
#include "cidrset.h"
#include "cli.h"
#include "msg.h"
#include "config.h"
#include "policy.h"

static const char help[] =
    "usage: rblforge check-config [-c CONFIG]\n"
    "\n"
    "Validate CONFIG (an INI file; every key optional) and print the effective\n"
    "configuration: the built-in defaults overlaid with CONFIG. Without -c,\n"
    "print the built-in defaults. Errors name the file, the line and the key\n"
    "and exit with status 2. The files it names (allowlist, denylist, asn_db)\n"
    "are checked too.\n";

/* The files a configuration names must load as `run` would load them. */
static bool check_files(const struct policy *p)
{
    bool ok = true;
    const char *lists[] = { p->allowlist, p->denylist };

    for (size_t i = 0; i < 2; i++) {
        struct cidrset *cs;
        ok &= cidrset_open(lists[i], &cs);
        cidrset_free(cs);
    }
    if (p->asn_db[0]) {
        struct asn_db *db = asn_open(p->asn_db);
        ok &= db != NULL;
        asn_close(db);
    }
    return ok;
}

int cmd_check_config(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL;
    struct policy p;
    int opt;

    while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            config = optarg;
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        default:
            return cli_usage_error("check-config");
        }
    }
    if (optind < argc) {
        msg_warn("check-config: unexpected argument \"%s\"", argv[optind]);
        return cli_usage_error("check-config");
    }
    config_init(&p);
    if (config && (!config_load(&p, config) || !check_files(&p)))
        return EXIT_USAGE;
    config_print(&p, stdout);
    return EXIT_OK;
}
