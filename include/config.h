#ifndef RBLFORGE_CONFIG_H
#define RBLFORGE_CONFIG_H
/*
 * The configuration file (INI, read with inih): [policy], [rdns],
 * [network], [weights], [zone], [publish], [ipset], [nft] into struct
 * policy, [customers] into its struct cust_policy. The built-in default
 * is itself an INI text (config_default_ini) parsed like a user's file,
 * so "no config" and "the default config" cannot drift apart.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "custpolicy.h"
#include "policy.h"

extern const char config_default_ini[];

/* The built-in defaults. */
void config_init(struct policy *p);
/* Overlay the settings of an INI file. Every error is reported as
 * "error: path:line: key: message" and the parse goes on; false if there
 * was any (or the path is not a readable regular file). */
bool config_load(struct policy *p, const char *path);
/* The file the configuration names for f ("" for none). */
const char *config_file(const struct policy *p, enum policy_file f);
/* "path:line: key" of the setting that named f, into buf. */
const char *config_file_where(const struct policy *p, enum policy_file f, char *buf, size_t n);
/* Check that the files the configuration names exist and can be read
 * (templates: a directory), skipping those whose bit (1 << f) is in
 * skip; each failure reported with config_file_where. false if any. */
bool config_check_files(const struct policy *p, unsigned skip);
/* Write the effective configuration as an INI file. */
void config_print(const struct policy *p, FILE *fp);
/* Parse "90", "90s", "15m", "36h", "7d", "2w" (0 allowed) into seconds. */
bool config_parse_duration(const char *v, int64_t *out);

/* The [customers] defaults. */
void config_customers_init(struct cust_policy *p);
/* One "[customers] name = value" setting; false with a message in err. */
bool config_customers_set(struct cust_policy *p, const char *name, const char *value,
                          char *err, size_t errlen);

#endif
