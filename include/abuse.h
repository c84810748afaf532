#ifndef RBLFORGE_ABUSE_H
#define RBLFORGE_ABUSE_H
/*
 * Reports to other networks' abuse desks: the [abuse] settings and the
 * offline contact table. The table is a CSV with the header
 * "network,abuse_email,name"; network is a CIDR prefix (IPv4 or IPv6) or
 * AS<number>. An address's contact is the longest prefix holding it,
 * else its ASN's, else none. scripts/rpsl2contacts makes the file from
 * the RIRs' RPSL bulk data.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ipaddr.h"

#define ABUSE_STR 256

enum abuse_format {
    ABUSE_ARF = 0,              /* RFC 5965 multipart/report feedback reports */
    ABUSE_XARF,                 /* X-ARF 0.2 (X-XARF: PLAIN, a YAML report part) */
};

struct abuse_policy {
    char contacts[1024];        /* the contact table; "" = none */
    char from[ABUSE_STR];       /* From: of the messages; "" = no messages */
    char reply_to[ABUSE_STR];   /* Reply-To:, "" = none */
    char organisation[ABUSE_STR];
    enum abuse_format format;   /* format = arf | xarf */
    bool ja;                    /* languages = en,ja: Japanese for every contact
                                 * (.jp contacts always get it) */
    unsigned max_sources;       /* sources listed in a contact's digest */
    bool redact;                /* redact our users' local parts (default yes) */
};

void abuse_policy_init(struct abuse_policy *p);
/* One [abuse] setting; false with the reason in err. Addresses must be
 * plain addr-spec (they reach mail headers). */
bool abuse_policy_set(struct abuse_policy *p, const char *name, const char *value,
                      char *err, size_t errlen);
void abuse_policy_print(const struct abuse_policy *p, FILE *fp);
/* --abuse-format: "arf" or "xarf"; false otherwise. */
bool abuse_format_parse(const char *s, enum abuse_format *f);
/* --letters / languages: "en", "ja", "en,ja" (English is always written);
 * false otherwise. */
bool abuse_languages_parse(const char *s, bool *ja);

/* The directory a contact's messages go to under OUT/abuse/: the address
 * with every byte but [A-Za-z0-9@._+-] written as %XX, so that it is a
 * safe file name and two addresses never share one. */
#define ABUSE_DIRNAME_MAX (254 * 3 + 1)
void abuse_contact_dirname(const char *email, char out[ABUSE_DIRNAME_MAX]);
/* The file name of a source's message in that directory: the address
 * with ':' written as '-' (IPv6), then ".eml". */
#define ABUSE_FILENAME_MAX 64
void abuse_source_filename(const struct ipaddr *ip, char out[ABUSE_FILENAME_MAX]);
/* The digest's file name in a contact's directory. */
#define ABUSE_DIGEST_NAME "digest.eml"

/* A bare addr-spec of safe characters (local@domain, no quotes, spaces,
 * angle brackets or control bytes), at most 254 bytes. */
bool abuse_email_ok(const char *s, size_t n);

struct abuse_contact {
    const char *email;          /* validated by abuse_email_ok */
    const char *name;           /* the network's name as the file gives it
                                 * (no control bytes; may be any UTF-8) */
};

struct abuse_contacts;

/* Loads path; NULL with a warning naming path:line on a bad file. */
struct abuse_contacts *abuse_contacts_load(const char *path);
/* The contact of ip (longest prefix, then asn if not 0), or NULL; what
 * says which ("prefix" or "asn"), may be NULL. Pointers live as long as
 * the table. */
const struct abuse_contact *abuse_contacts_lookup(const struct abuse_contacts *c,
                                                  const struct ipaddr *ip, uint32_t asn,
                                                  const char **what);
size_t abuse_contacts_count(const struct abuse_contacts *c);
void abuse_contacts_free(struct abuse_contacts *c);


#endif
