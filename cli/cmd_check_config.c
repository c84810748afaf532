/* rblforge check-config: validate a config file and print the result. */
#include <getopt.h>
#include <stdio.h>
#include "asn.h"
#include "cidrset.h"
#include "custmap.h"
#include "abuse.h"
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
    "and exit with status 2; every error is reported, each with its own line.\n"
    "The files it names are checked too (allowlist, denylist, asn_db, the\n"
    "customer map and templates, the abuse contacts), each failure with the\n"
    "configuration's file:line.\n";

/* One file the configuration names: does it load as `run` would load it? */
static bool loads(const struct policy *p, enum policy_file f)
{
    const char *path = config_file(p, f);
    bool ok = true;

    switch (f) {
    case POLICY_FILE_ALLOWLIST:
    case POLICY_FILE_DENYLIST: {
        struct cidrset *cs;
        ok = cidrset_open(path, &cs);
        cidrset_free(cs);
        break;
    }
    case POLICY_FILE_ASN_DB: {
        struct asn_db *db = asn_open(path);
        ok = db != NULL;
        asn_close(db);
        break;
    }
    case POLICY_FILE_CUSTOMERS_MAP: {
        struct custmap *cm = custmap_new();
        ok = custmap_load(cm, path);
        custmap_free(cm);
        break;
    }
    case POLICY_FILE_ABUSE_CONTACTS: {
        struct abuse_contacts *ac = abuse_contacts_load(path);
        ok = ac != NULL;
        abuse_contacts_free(ac);
        break;
    }
    default:                    /* templates: a directory, checked by config_check_files */
        break;
    }
    return ok;
}

/* The files a configuration names must exist and load as `run` would
 * load them; each failure names the configuration's file:line. */
static bool check_files(const struct policy *p)
{
    bool ok = config_check_files(p, 0);
    char where[POLICY_PATH + 64];

    for (int f = 0; ok && f < POLICY_FILE__COUNT; f++)
        if (config_file(p, f)[0] && !loads(p, f)) {
            msg_error("%s: %s does not load (see above)",
                      config_file_where(p, f, where, sizeof(where)), config_file(p, f));
            ok = false;
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
        msg_error("check-config: unexpected argument \"%s\"", argv[optind]);
        return cli_usage_error("check-config");
    }
    config_init(&p);
    if (config && (!config_load(&p, config) || !check_files(&p)))
        return EXIT_USAGE;
    config_print(&p, stdout);
    return EXIT_OK;
}
