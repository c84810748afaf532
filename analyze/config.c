/* The configuration file: the INI text of the policy and the customer
 * thresholds, read with inih (the only file that includes <ini.h>), its
 * built-in default and its printed form (check-config). */
#include <errno.h>
#include <sys/stat.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ini.h>
#include "config.h"
#include "ipaddr.h"
#include "msg.h"

/*
 * Why these numbers: one strong signal (a pregreeting bot, a relay probe)
 * or a handful of weaker ones reaches 10; good mail accepted from the same
 * address counts against its rejects, so a busy legitimate MTA with the
 * usual trickle of bad recipients never gets there.
 */
const char config_default_ini[] =
    "[policy]\n"
    "threshold = 10\n"
    "auth_threshold = 20\n"
    "list_dynamic = yes\n"
    "dynamic_threshold = 2\n"
    "window = 0\n"
    "expiry = 7d\n"
    "relist_factor = 2\n"
    "asn_db = \n"
    "allowlist = \n"
    "denylist = \n"
    "own_zones = \n"
    "trusted_networks = \n"
    "list_private = yes\n"
    "test_range = \n"
    "\n"
    "[rdns]\n"
    "none = 0.7\n"
    "fcrdns_fail = 0.7\n"
    "dynamic = 0.5\n"
    "static_generic = 1\n"
    "named = 1\n"
    "unlogged = 1\n"
    "\n"
    "[network]\n"
    "escalate = yes\n"
    "v4_prefix = 24\n"
    "v6_prefix = 64\n"
    "min_listed = 4\n"
    "ratio = 0.75\n"
    "ratio_min_listed = 3\n"
    "spare_good = yes\n"
    "\n"
    "[weights]\n"
    "connect = 0\n"
    "accepted = -3\n"
    "reject_dnsbl = 4\n"
    "reject_unknown_recipient = 2\n"
    "reject_relay_denied = 5\n"
    "reject_no_rdns = 3\n"
    "reject_helo = 2\n"
    "reject_sender = 2\n"
    "reject_policy = 0.5\n"
    "reject_rate_limit = 1\n"
    "reject_content = 3\n"
    "reject_other = 1\n"
    "auth_fail = 1\n"
    "rdns_fail = 1\n"
    "postscreen_pregreet = 10\n"
    "postscreen_dnsbl = 3\n"
    "postscreen_hangup = 1\n"
    "postscreen_protocol = 5\n"
    "postscreen_pass = -1\n"
    "lost = 0\n"
    "protocol_error = 2\n"
    "spf_fail = 0.5\n"
    "\n"
    "[zone]\n"
    "ttl = 3600\n"
    "code_spam = 127.0.0.2\n"
    "code_net = 127.0.0.3\n"
    "code_auth = 127.0.0.4\n"
    "code_dynamic = 127.0.0.10\n"
    "txt_spam = $ sent spam to our mail servers, see https://dnsbl.example/lookup?ip=$\n"
    "txt_net = $ is in a network that sent spam from many addresses, see https://dnsbl.example/lookup?ip=$\n"
    "txt_auth = $ attacked our SMTP AUTH, see https://dnsbl.example/lookup?ip=$\n"
    "txt_dynamic = $ looks like a dynamic address sending direct to MX, see https://dnsbl.example/lookup?ip=$\n"
    "name = bl.example\n"
    "ns = ns1.example.net ns2.example.net\n"
    "hostmaster = hostmaster.bl.example\n"
    "\n"
    "[publish]\n"
    "max_change = 0.5\n"
    "max_churn = 1.0\n"
    "min_change = 10\n"
    "\n"
    "[ipset]\n"
    "set4 = rbl4\n"
    "set6 = rbl6\n"
    "\n"
    "[firewall]\n"
    "causes = spam,auth,net\n"
    "nft_rule = no\n"
    "\n"
    "[nft]\n"
    "family = inet\n"
    "table = rblforge\n"
    "set4 = rbl4\n"
    "set6 = rbl6\n";

struct load_ctx {
    struct policy *p;
    const char *path;
    char err[256];
    FILE *fp;                   /* config_load's file; NULL for the built-in text */
    char *line;
    size_t cap;
    unsigned lineno, errors;
    bool seen_key;              /* a key in this section: indented lines continue it */
};

static bool parse_num(const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);

    if (errno || end == v || *end || !isfinite(d) || d < lo || d > hi)
        return false;
    *out = d;
    return true;
}

/* Names that reach nft files: identifier characters only. */
static bool is_ident(const char *v, size_t max)
{
    size_t n = strlen(v);

    if (n == 0 || n >= max || !((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* TXT templates reach zone files: printable ASCII, no quotes or backslashes. */
static bool is_txt(const char *v)
{
    size_t n = strlen(v), dollars = 0;

    for (size_t i = 0; i < n; i++) {
        if (v[i] < 0x20 || v[i] > 0x7e || v[i] == '"' || v[i] == '\\')
            return false;
        dollars += v[i] == '$';
    }
    /* Every '$' may become a 43-byte prefix: the result must fit one
     * 255-byte TXT string. */
    return n + dollars * 42 <= 255;
}

/* Host names that go into a zone file: LDH labels, dots, no trailing dot. */
static bool is_dnsname(const char *v)
{
    size_t n = strlen(v), label = 0;

    if (n == 0 || n > 253 || v[0] == '.' || v[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '.') {
            if (label == 0 || v[i - 1] == '-')
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                   || (c >= '0' && c <= '9') || (c == '-' && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return v[n - 1] != '-';
}

static bool is_dnsname_list(const char *v)
{
    char buf[POLICY_STR];
    size_t n = strlen(v);

    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, v, n + 1);
    int k = 0;
    for (char *save, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save), k++)
        if (!is_dnsname(tok))
            return false;
    return k > 0;
}

static bool is_code(const char *v)
{
    uint32_t a;

    return ipaddr_parse_v4(span_make(v, strlen(v)), &a) && (a >> 24) == 127;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
        return *out = true, true;
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
        return *out = false, true;
    return false;
}

bool config_parse_duration(const char *v, int64_t *out)
{
    int64_t n = 0;
    size_t i = 0;

    for (; v[i] >= '0' && v[i] <= '9'; i++) {
        if (n > 100000000)
            return false;
        n = n * 10 + (v[i] - '0');
    }
    if (i == 0)
        return false;
    int64_t mul = v[i] == 0 || v[i] == 's' ? 1 : v[i] == 'm' ? 60 : v[i] == 'h' ? 3600
        : v[i] == 'd' ? 86400 : v[i] == 'w' ? 604800 : 0;
    if (mul == 0 || (v[i] && v[i + 1]))
        return false;
    *out = n * mul;
    return true;
}

static bool set_path(char *dst, const char *v)
{
    size_t n = strlen(v);

    if (n >= POLICY_PATH)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

/* ---- [customers] ---- */

static const char *const cust_tier_names[TIER__COUNT] = {
    "ok", "watch", "warn", "throttle", "suspend",
};

/*
 * Why these numbers: a mailbox provider starts throttling around a few per
 * cent of bounces; 10% is a list nobody cleaned, 25% is a bought list or a
 * spam run. One remote rejection for spam is worth a look; five (and 1% of
 * attempts) a warning; twenty (and 5%) stop the service until the customer
 * answers. A login from eight networks in a day is unusual; fifteen is a
 * phished password being used by a botnet. A bulk sender with clean lists
 * trips none of these, whatever its volume.
 */
static const struct {
    const char *name;
    size_t off;
    const char *def;
    double lo, hi;
} knobs[] = {
#define K(n, f, d, lo, hi) { n, offsetof(struct cust_policy, f), d, lo, hi }
    K("min_attempts", min_attempts, "20", 0, 1e12),
    K("bounce_rate_watch", bounce_rate[TIER_WATCH], "0.05", 0, 1),
    K("bounce_rate_warn", bounce_rate[TIER_WARN], "0.10", 0, 1),
    K("bounce_rate_throttle", bounce_rate[TIER_THROTTLE], "0.18", 0, 1),
    K("bounce_rate_suspend", bounce_rate[TIER_SUSPEND], "0.25", 0, 1),
    K("spam_rejections_watch", spam_rejections[TIER_WATCH], "1", 0, 1e12),
    K("spam_rejections_warn", spam_rejections[TIER_WARN], "5", 0, 1e12),
    K("spam_rejections_throttle", spam_rejections[TIER_THROTTLE], "10", 0, 1e12),
    K("spam_rejections_suspend", spam_rejections[TIER_SUSPEND], "20", 0, 1e12),
    K("spam_rate_watch", spam_rate[TIER_WATCH], "0", 0, 1),
    K("spam_rate_warn", spam_rate[TIER_WARN], "0.01", 0, 1),
    K("spam_rate_throttle", spam_rate[TIER_THROTTLE], "0.02", 0, 1),
    K("spam_rate_suspend", spam_rate[TIER_SUSPEND], "0.05", 0, 1),
    K("blocklist_watch", blocklist[TIER_WATCH], "1", 0, 1e12),
    K("blocklist_warn", blocklist[TIER_WARN], "3", 0, 1e12),
    K("blocklist_throttle", blocklist[TIER_THROTTLE], "0", 0, 1e12),
    K("blocklist_suspend", blocklist[TIER_SUSPEND], "0", 0, 1e12),
    K("compromise_places_watch", compromise_places[TIER_WATCH], "3", 0, 1e12),
    K("compromise_places_warn", compromise_places[TIER_WARN], "4", 0, 1e12),
    K("compromise_places_throttle", compromise_places[TIER_THROTTLE], "6", 0, 1e12),
    K("compromise_places_suspend", compromise_places[TIER_SUSPEND], "8", 0, 1e12),
    K("compromise_countries", compromise_countries, "3", 0, 1e12),
    K("compromise_concurrent", compromise_concurrent, "3", 0, 1e12),
    K("concurrent_minutes", concurrent_minutes, "10", 0, 1440),
    K("invalid_rate_watch", invalid_rate_watch, "0.05", 0, 1),
    K("invalid_min", invalid_min, "10", 0, 1e12),
    K("spike_factor", spike_factor, "5", 1, 1e6),
    K("spike_min", spike_min, "50", 0, 1e12),
    K("v4_network", v4_net, "24", 8, 32),
    K("v6_network", v6_net, "64", 16, 128),
    K("evidence_per_signal", evidence, "5", 0, 100),
    K("throttle_factor", throttle_factor, "2", 1, 1000),
    K("history_days", history_days, "30", 1, 366),
#undef K
};
enum { NKNOBS = sizeof(knobs) / sizeof(knobs[0]) };

void config_customers_init(struct cust_policy *p)
{
    char err[128];

    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < NKNOBS; i++)
        if (!config_customers_set(p, knobs[i].name, knobs[i].def, err, sizeof(err)))
            abort();
    strcpy(p->languages, "ja,en");
}

static bool set_str(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20)
            return false;
    memcpy(dst, v, n + 1);
    return true;
}

static bool languages_ok(const char *v)
{
    /* "ja,en": two-letter codes separated by commas. */
    size_t n = strlen(v);
    if (n == 0 || n % 3 != 2)
        return false;
    for (size_t i = 0; i < n; i++)
        if (i % 3 == 2 ? v[i] != ',' : !(v[i] >= 'a' && v[i] <= 'z'))
            return false;
    return true;
}

bool config_customers_set(struct cust_policy *p, const char *name, const char *value,
                     char *err, size_t errlen)
{
    if (strcmp(name, "map") == 0 || strcmp(name, "templates") == 0
        || strcmp(name, "geo_db") == 0) {
        char *dst = name[0] == 'm' ? p->map : name[0] == 't' ? p->templates : p->geo_db;
        if (!set_str(dst, sizeof(p->map), value)) {
            snprintf(err, errlen, "%s: path too long or with control bytes", name);
            return false;
        }
        return true;
    }
    if (strcmp(name, "languages") == 0) {
        if (!languages_ok(value) || !set_str(p->languages, sizeof(p->languages), value)) {
            snprintf(err, errlen, "languages: want codes such as \"ja,en\", got \"%.40s\"",
                     value);
            return false;
        }
        return true;
    }
    for (size_t i = 0; i < NKNOBS; i++) {
        if (strcmp(name, knobs[i].name) != 0)
            continue;
        char *end;
        errno = 0;
        double d = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(d) || d < knobs[i].lo || d > knobs[i].hi) {
            snprintf(err, errlen, "%s: want a number from %g to %g, got \"%.40s\"", name,
                     knobs[i].lo, knobs[i].hi, value);
            return false;
        }
        *(double *)((char *)p + knobs[i].off) = d;
        return true;
    }
    snprintf(err, errlen, "unknown key \"%.40s\" in [customers]", name);
    return false;
}

/* Per-tier thresholds must not fall from one tier to the next: a
 * "suspend" below "warn" would make warn unreachable. 0 (off) is skipped. */
static bool customers_check(const struct cust_policy *p, char *err, size_t errlen)
{
    static const struct { const char *name; size_t off; } tiered[] = {
        { "bounce_rate", offsetof(struct cust_policy, bounce_rate) },
        { "spam_rejections", offsetof(struct cust_policy, spam_rejections) },
        { "spam_rate", offsetof(struct cust_policy, spam_rate) },
        { "blocklist", offsetof(struct cust_policy, blocklist) },
        { "compromise_places", offsetof(struct cust_policy, compromise_places) },
    };
    for (size_t i = 0; i < sizeof(tiered) / sizeof(tiered[0]); i++) {
        const double *v = (const double *)((const char *)p + tiered[i].off);
        int last = 0;
        for (int t = TIER_WATCH; t < TIER__COUNT; t++) {
            if (v[t] == 0)
                continue;
            if (last && v[t] < v[last]) {
                snprintf(err, errlen, "%s_%s = %g is below %s_%s = %g", tiered[i].name,
                         cust_tier_names[t], v[t], tiered[i].name, cust_tier_names[last],
                         v[last]);
                return false;
            }
            last = t;
        }
    }
    return true;
}

/* ---- [letters] ---- */

static void letters_init(struct letter_policy *l)
{
    memset(l, 0, sizeof(*l));
    strcpy(l->ticket_prefix, "ABUSE");
    l->deadline_days[TIER_WARN] = 3;
    l->deadline_days[TIER_THROTTLE] = 2;
    l->deadline_days[TIER_SUSPEND] = 1;
}

/* An address that goes into From: as it is: printable ASCII, one '@', no
 * spaces, quotes, angle brackets or commas (nothing a header could be
 * broken or extended with). */
static bool addr_ok(const char *v)
{
    const char *at = strchr(v, '@');
    if (at == NULL || at == v || at[1] == 0 || strchr(at + 1, '@'))
        return false;
    for (const char *p = v; *p; p++)
        if (*p <= ' ' || *p >= 127 || strchr("\"<>(),;:\\[]", *p))
            return false;
    return true;
}

static bool letters_set(struct letter_policy *l, const char *name, const char *value,
                        char *err, size_t errlen)
{
    if (strcmp(name, "from") == 0) {
        if (strlen(value) >= sizeof(l->from) || (*value && !addr_ok(value))) {
            snprintf(err, errlen, "from: want an address such as abuse@example.net");
            return false;
        }
        strcpy(l->from, value);
        return true;
    }
    if (strcmp(name, "contact") == 0 || strcmp(name, "ticket_prefix") == 0) {
        char *dst = name[0] == 'c' ? l->contact : l->ticket_prefix;
        size_t cap = name[0] == 'c' ? sizeof(l->contact) : sizeof(l->ticket_prefix);
        bool ok = set_str(dst, cap, value);
        for (const char *p = value; ok && name[0] == 't' && *p; p++)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
                || (*p >= '0' && *p <= '9') || *p == '-';
        if (!ok) {
            snprintf(err, errlen, "%s: too long or with characters not allowed", name);
            return false;
        }
        return true;
    }
    if (strncmp(name, "deadline_days_", 14) == 0)
        for (int t = TIER_WATCH; t < TIER__COUNT; t++)
            if (strcmp(name + 14, cust_tier_names[t]) == 0) {
                char *end;
                errno = 0;
                double d = strtod(value, &end);
                if (errno || end == value || *end || !(d >= 0 && d <= 365)) {
                    snprintf(err, errlen, "%s: want days from 0 to 365, got \"%.40s\"", name,
                             value);
                    return false;
                }
                l->deadline_days[t] = d;
                return true;
            }
    snprintf(err, errlen, "unknown key \"%.40s\" in [letters]", name);
    return false;
}

static void print_letters(const struct letter_policy *l, FILE *fp)
{
    fprintf(fp, "\n[letters]\nticket_prefix = %s\nfrom = %s\ncontact = %s\n", l->ticket_prefix,
            l->from, l->contact);
    for (int t = TIER_WATCH; t < TIER__COUNT; t++)
        fprintf(fp, "deadline_days_%s = %g\n", cust_tier_names[t], l->deadline_days[t]);
}

static void print_customers(const struct cust_policy *p, FILE *fp)
{
    fprintf(fp, "\n[customers]\nmap = %s\ntemplates = %s\nlanguages = %s\ngeo_db = %s\n",
            p->map, p->templates, p->languages, p->geo_db);
    for (size_t i = 0; i < NKNOBS; i++)
        fprintf(fp, "%s = %g\n", knobs[i].name, *(const double *)((const char *)p + knobs[i].off));
}

/* A list of CIDRs separated by spaces or commas, Postfix's [addr]/len
 * brackets allowed: into out (room for POLICY_NETS_MAX), count into *n. */
static bool parse_nets(const char *v, struct ipprefix *out, unsigned *n)
{
    unsigned k = 0;
    size_t i = 0, len = strlen(v);

    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == ',' || v[i] == '\t'))
            i++;
        size_t b = i;
        while (i < len && v[i] != ' ' && v[i] != ',' && v[i] != '\t')
            i++;
        if (i == b)
            break;
        char tok[IPPREFIX_STRLEN + 2];
        size_t t = 0;
        for (size_t j = b; j < i; j++) {
            if (v[j] == '[' || v[j] == ']')
                continue;
            if (t + 1 >= sizeof(tok))
                return false;
            tok[t++] = v[j];
        }
        struct ipprefix pfx;
        if (k >= POLICY_NETS_MAX || !ipprefix_parse(span_make(tok, t), &pfx, true))
            return false;
        out[k++] = pfx;
    }
    *n = k;
    return true;
}

/* DNS names separated by spaces or commas into z's own zones. */
static bool parse_zones(const char *v, struct agg_conf *z)
{
    char buf[AGG_ZONES_MAX * AGG_ZONE_LEN];
    size_t n = strlen(v);
    unsigned k = 0;

    if (n >= sizeof(buf))
        return false;
    memcpy(buf, v, n + 1);
    for (char *save, *tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
        if (k >= AGG_ZONES_MAX || !is_dnsname(tok) || strlen(tok) >= AGG_ZONE_LEN)
            return false;
        strcpy(z->zone[k++], tok);
    }
    z->nzones = k;
    return true;
}

/* own_zones not given: the zone this configuration publishes. */
static void config_finish(struct policy *p)
{
    if (!p->own_zones_set) {
        size_t n = strnlen(p->zone_name, AGG_ZONE_LEN - 1);
        p->agg.nzones = 1;
        memcpy(p->agg.zone[0], p->zone_name, n);
        p->agg.zone[0][n] = 0;
    }
    /* What our zones answer to TXT queries, to know our own listing in
     * rblsmtpd's refusals. */
    _Static_assert(CAUSE__COUNT - 1 <= AGG_TXT_MAX && POLICY_STR <= AGG_TXT_LEN,
                   "agg_conf holds every TXT template");
    p->agg.ntxt = 0;
    for (int c = CAUSE_NONE + 1; c < CAUSE__COUNT; c++)
        if (p->txt[c][0])
            strcpy(p->agg.txt[p->agg.ntxt++], p->txt[c]);
}

/* ---- the sections of the policy ---- */

/* A setting's error: the message for "path:line: ..." and inih's stop. */
#define BAD(...) do { snprintf(c->err, sizeof(c->err), __VA_ARGS__); return 0; } while (0)

static int set_policy(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;

    if (strcmp(name, "threshold") == 0) {
        if (!parse_num(value, 0.001, 1e9, &p->threshold))
            BAD("threshold: want a positive number, got \"%.40s\"", value);
    } else if (strcmp(name, "auth_threshold") == 0) {
        if (!parse_num(value, 0.001, 1e9, &p->auth_threshold))
            BAD("auth_threshold: want a positive number, got \"%.40s\"", value);
    } else if (strcmp(name, "list_dynamic") == 0) {
        if (!parse_bool(value, &p->list_dynamic))
            BAD("list_dynamic: want yes or no, got \"%.40s\"", value);
    } else if (strcmp(name, "dynamic_threshold") == 0) {
        if (!parse_num(value, 0.001, 1e9, &p->dynamic_threshold))
            BAD("dynamic_threshold: want a positive number, got \"%.40s\"", value);
    } else if (strcmp(name, "window") == 0 || strcmp(name, "expiry") == 0) {
        int64_t *dst = name[0] == 'w' ? &p->window : &p->expiry;
        if (!config_parse_duration(value, dst) || (dst == &p->expiry && *dst == 0))
            BAD("%s: want a duration like 36h or 7d%s, got \"%.40s\"", name,
                dst == &p->window ? " (0 = all)" : "", value);
    } else if (strcmp(name, "relist_factor") == 0) {
        if (!parse_num(value, 1, 1000, &p->relist_factor))
            BAD("relist_factor: want a number from 1 to 1000, got \"%.40s\"", value);
    } else if (strcmp(name, "asn_db") == 0 || strcmp(name, "allowlist") == 0
               || strcmp(name, "denylist") == 0) {
        char *dst = name[0] == 'a' ? (name[1] == 's' ? p->asn_db : p->allowlist)
            : p->denylist;
        if (!set_path(dst, value))
            BAD("%s: path too long", name);
    } else if (strcmp(name, "own_zones") == 0) {
        if (!parse_zones(value, &p->agg))
            BAD("own_zones: want up to %d DNS names separated by spaces, got \"%.40s\"",
                AGG_ZONES_MAX, value);
        p->own_zones_set = p->agg.nzones > 0;
    } else if (strcmp(name, "trusted_networks") == 0 || strcmp(name, "test_range") == 0) {
        bool tr = name[1] == 'r';
        if (!parse_nets(value, tr ? p->trusted : p->test_range,
                        tr ? &p->ntrusted : &p->ntest_range))
            BAD("%s: want up to %d addresses or CIDRs separated by spaces, got \"%.40s\"",
                name, POLICY_NETS_MAX, value);
    } else if (strcmp(name, "list_private") == 0) {
        if (!parse_bool(value, &p->list_private))
            BAD("list_private: want yes or no, got \"%.40s\"", value);
    } else {
        BAD("unknown key \"%.40s\" in [policy]", name);
    }
    return 1;
}

static int set_rdns(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;
    int k;

    if ((k = rdns_class_lookup(name)) < 0 || strcmp(name, "static-generic") == 0)
        BAD("unknown rDNS class \"%.40s\" in [rdns] (none, fcrdns_fail, dynamic, "
            "static_generic, named, unlogged)", name);
    if (!parse_num(value, 0.01, 100, &p->rdns_factor[k]))
        BAD("%s: want a threshold factor from 0.01 to 100, got \"%.40s\"", name, value);
    return 1;
}

static int set_network(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;
    double d;

    if (strcmp(name, "v4_prefix") == 0 || strcmp(name, "v6_prefix") == 0) {
        bool v4 = name[1] == '4';
        if (!parse_num(value, v4 ? 8 : 16, v4 ? 32 : 64, &d) || d != floor(d))
            BAD("%s: want a prefix length from %d to %d, got \"%.40s\"", name,
                v4 ? 8 : 16, v4 ? 32 : 64, value);
        *(v4 ? &p->net_v4 : &p->net_v6) = (unsigned)d;
    } else if (strcmp(name, "min_listed") == 0 || strcmp(name, "ratio_min_listed") == 0) {
        if (!parse_num(value, 1, 1e9, &d) || d != floor(d))
            BAD("%s: want a whole number from 1, got \"%.40s\"", name, value);
        *(name[0] == 'm' ? &p->net_min_listed : &p->net_ratio_min_listed) = (unsigned)d;
    } else if (strcmp(name, "ratio") == 0) {
        if (!parse_num(value, 0.01, 1, &p->net_ratio))
            BAD("ratio: want a share from 0.01 to 1, got \"%.40s\"", value);
    } else if (strcmp(name, "spare_good") == 0 || strcmp(name, "escalate") == 0) {
        if (!parse_bool(value, name[0] == 's' ? &p->net_spare_good : &p->net_escalate))
            BAD("%s: want yes or no, got \"%.40s\"", name, value);
    } else {
        BAD("unknown key \"%.40s\" in [network]", name);
    }
    return 1;
}

static int set_weights(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;
    double d;
    int k;

    if ((k = agg_class_lookup(name)) < 0)
        BAD("unknown evidence class \"%.40s\" in [weights]", name);
    if (k == AC_AUTHENTICATED || k == AC_OWN_ZONE)
        BAD("%s: not evidence, has no weight (see rblforge(1), TRUSTED CLIENTS "
            "AND OWN ZONES)", name);
    if (!parse_num(value, -1e6, 1e6, &d))
        BAD("%s: want a number, got \"%.40s\"", name, value);
    p->weight[k] = d;
    return 1;
}

static int set_zone(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;
    double d;
    int k;

    if (strcmp(name, "ttl") == 0) {
        if (!parse_num(value, 1, 604800, &d) || d != floor(d))
            BAD("ttl: want whole seconds from 1 to 604800, got \"%.40s\"", value);
        p->ttl = (unsigned)d;
    } else if (strncmp(name, "code_", 5) == 0
               && (k = policy_cause_lookup(name + 5, strlen(name + 5))) > 0) {
        if (!is_code(value))
            BAD("%s: want an address in 127.0.0.0/8, got \"%.40s\"", name, value);
        strcpy(p->code[k], value);
    } else if (strncmp(name, "txt_", 4) == 0 && (k = policy_cause_lookup(name + 4, strlen(name + 4))) > 0) {
        if (!is_txt(value))
            BAD("%s: want printable ASCII without quotes or backslashes that "
                "fits 255 bytes with every '$' replaced by an address", name);
        strcpy(p->txt[k], value);
    } else if (strcmp(name, "name") == 0 || strcmp(name, "hostmaster") == 0) {
        if (!is_dnsname(value))
            BAD("%s: want a DNS name, got \"%.40s\"", name, value);
        strcpy(name[0] == 'n' ? p->zone_name : p->zone_hostmaster, value);
    } else if (strcmp(name, "ns") == 0) {
        if (!is_dnsname_list(value))
            BAD("ns: want one or more DNS names separated by spaces, got \"%.40s\"", value);
        strcpy(p->zone_ns, value);
    } else {
        BAD("unknown key \"%.40s\" in [zone]", name);
    }
    return 1;
}

static int set_publish(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;
    double d;

    if (strcmp(name, "max_change") == 0) {
        if (!parse_num(value, 0, 1e6, &p->max_change))
            BAD("max_change: want a fraction such as 0.5, got \"%.40s\"", value);
    } else if (strcmp(name, "max_churn") == 0) {
        if (!parse_num(value, 0, 1e6, &p->max_churn))
            BAD("max_churn: want a fraction such as 1.0, got \"%.40s\"", value);
    } else if (strcmp(name, "min_change") == 0) {
        if (!parse_num(value, 0, 1e9, &d) || d != floor(d))
            BAD("min_change: want a whole number, got \"%.40s\"", value);
        p->min_change = (unsigned)d;
    } else {
        BAD("unknown key \"%.40s\" in [publish]", name);
    }
    return 1;
}

static int set_ipset(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;

    char *dst = strcmp(name, "set4") == 0 ? p->ipset_set4
        : strcmp(name, "set6") == 0 ? p->ipset_set6 : NULL;
    if (dst == NULL)
        BAD("unknown key \"%.40s\" in [ipset]", name);
    /* ipset names are at most 31 bytes; we append "-new" for the swap. */
    if (!is_ident(value, 28))
        BAD("%s: want up to 27 letters, digits and '_', got \"%.40s\"", name, value);
    strcpy(dst, value);
    return 1;
}

static int set_nft(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;

    char *dst = strcmp(name, "family") == 0 ? p->nft_family
        : strcmp(name, "table") == 0 ? p->nft_table
        : strcmp(name, "set4") == 0 ? p->nft_set4
        : strcmp(name, "set6") == 0 ? p->nft_set6 : NULL;
    if (dst == NULL)
        BAD("unknown key \"%.40s\" in [nft]", name);
    if (dst == p->nft_family) {
        if (strcmp(value, "inet") && strcmp(value, "ip") && strcmp(value, "ip6"))
            BAD("family: want inet, ip or ip6, got \"%.40s\"", value);
    } else if (!is_ident(value, sizeof(p->nft_table))) {
        BAD("%s: want a name of letters, digits and '_', got \"%.40s\"", name, value);
    }
    strcpy(dst, value);
    return 1;
}

/* Causes separated by commas or spaces into a mask (bit 1 << cause). */
static bool parse_causes(const char *v, unsigned *out)
{
    unsigned m = 0;
    size_t i = 0, n = strlen(v);

    while (i < n) {
        while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t'))
            i++;
        size_t b = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (i == b)
            break;
        int c = policy_cause_lookup(v + b, i - b);
        if (c <= 0)
            return false;
        m |= 1u << c;
    }
    *out = m;
    return true;
}

/* Why not dynamic by default: a PBL-like entry says "this address looks
 * like a consumer line", not "it attacked us"; the DNS list lets mail
 * servers weigh that, a firewall would block every port of it. */
static int set_firewall(struct load_ctx *c, const char *name, const char *value)
{
    struct policy *p = c->p;

    if (strcmp(name, "causes") == 0) {
        if (!parse_causes(value, &p->fw_causes))
            BAD("causes: want causes among spam, auth, net, dynamic separated by commas, "
                "got \"%.40s\"", value);
    } else if (strcmp(name, "nft_rule") == 0) {
        if (!parse_bool(value, &p->nft_rule))
            BAD("nft_rule: want yes or no, got \"%.40s\"", value);
    } else {
        BAD("unknown key \"%.40s\" in [firewall]", name);
    }
    return 1;
}

static const struct {
    const char *name;
    int (*set)(struct load_ctx *c, const char *name, const char *value);
} sections[] = {
    { "firewall", set_firewall },
    { "policy", set_policy },
    { "rdns", set_rdns },
    { "network", set_network },
    { "weights", set_weights },
    { "zone", set_zone },
    { "publish", set_publish },
    { "ipset", set_ipset },
    { "nft", set_nft },
};

static int apply_setting(struct load_ctx *c, const char *section, const char *name,
                         const char *value)
{
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        if (strcmp(section, sections[i].name) == 0)
            return sections[i].set(c, name, value);
    if (strcmp(section, "customers") == 0)
        return config_customers_set(&c->p->customers, name, value, c->err, sizeof(c->err));
    if (strcmp(section, "letters") == 0)
        return letters_set(&c->p->letters, name, value, c->err, sizeof(c->err));
    if (strcmp(section, "abuse") == 0)
        return abuse_policy_set(&c->p->abuse, name, value, c->err, sizeof(c->err));
    BAD("unknown section [%.40s]", section);
}
#undef BAD

/* The keys that name a file, for check-config and the messages about
 * those files (enum policy_file order). */
static const struct {
    const char *section, *key;
} file_keys[POLICY_FILE__COUNT] = {
    [POLICY_FILE_ALLOWLIST] = { "policy", "allowlist" },
    [POLICY_FILE_DENYLIST] = { "policy", "denylist" },
    [POLICY_FILE_ASN_DB] = { "policy", "asn_db" },
    [POLICY_FILE_CUSTOMERS_MAP] = { "customers", "map" },
    [POLICY_FILE_TEMPLATES] = { "customers", "templates" },
    [POLICY_FILE_ABUSE_CONTACTS] = { "abuse", "contacts" },
};

/* One setting; an error is reported with its own line and key, and the
 * parse goes on so that every error is reported. */
static int on_setting(void *user, const char *section, const char *name,
                      const char *value)
{
    struct load_ctx *c = user;

    c->seen_key = true;
    c->err[0] = 0;
    if (apply_setting(c, section, name, value)) {
        for (int f = 0; c->fp && f < POLICY_FILE__COUNT; f++)
            if (!strcmp(section, file_keys[f].section) && !strcmp(name, file_keys[f].key))
                c->p->file_line[f] = c->lineno;
        return 1;
    }
    if (c->fp == NULL)
        return 0;               /* the built-in text: config_init panics */
    /* Messages start with the key most of the time; name it once. */
    size_t k = strlen(name);
    const char *m = c->err[0] ? c->err : "bad value";
    if (!strncmp(m, name, k) && m[k] == ':' && m[k + 1] == ' ')
        m += k + 2;
    msg_error("%s:%u: %.60s: %s", c->path, c->lineno, name, m);
    c->errors++;
    return 0;
}

void config_init(struct policy *p)
{
    struct load_ctx c = { .p = p, .path = "(built-in)" };

    memset(p, 0, sizeof(*p));
    config_customers_init(&p->customers);
    letters_init(&p->letters);
    abuse_policy_init(&p->abuse);
    if (ini_parse_string(config_default_ini, on_setting, &c) != 0)
        msg_panic("built-in policy does not parse: %s", c.err);
    config_finish(p);
}

/* The reader under inih: counts lines (so that each error names its
 * own), reports what inih would only count (a line without '=' or a
 * section) and refuses lines longer than inih's buffer, which it would
 * cut and parse the rest of as a line of its own. */
static char *read_line(char *str, int num, void *stream)
{
    struct load_ctx *c = stream;
    ssize_t n = getline(&c->line, &c->cap, c->fp);

    if (n < 0)
        return NULL;
    c->lineno++;
    size_t len = (size_t)n;
    while (len > 0 && (c->line[len - 1] == '\n' || c->line[len - 1] == '\r'))
        len--;
    if (len > (size_t)num - 3) {
        msg_error("%s:%u: line longer than %d bytes", c->path, c->lineno, num - 3);
        c->errors++;
        strcpy(str, "\n");
        return str;
    }
    const char *t = c->line;
    while (t < c->line + len && (*t == ' ' || *t == '\t'))
        t++;
    bool cont = t > c->line && c->seen_key;
    if (t < c->line + len && *t != ';' && *t != '#' && !cont
        && (*t == '[' ? memchr(t, ']', len - (size_t)(t - c->line)) == NULL
            : memchr(t, '=', len - (size_t)(t - c->line)) == NULL
              && memchr(t, ':', len - (size_t)(t - c->line)) == NULL)) {
        int shown = (int)(len - (size_t)(t - c->line));
        msg_error("%s:%u: syntax error: want \"key = value\" or \"[section]\", got \"%.*s\"",
                  c->path, c->lineno, shown > 40 ? 40 : shown, t);
        c->errors++;
        strcpy(str, "\n");
        return str;
    }
    if (*t == '[')
        c->seen_key = false;
    memcpy(str, c->line, len);
    str[len] = '\n';
    str[len + 1] = 0;
    return str;
}

bool config_load(struct policy *p, const char *path)
{
    struct load_ctx c = { .p = p, .path = path };
    struct stat sb;

    if (stat(path, &sb) < 0 || (c.fp = fopen(path, "r")) == NULL) {
        msg_error("%s: cannot open the configuration: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(sb.st_mode)) {
        msg_error("%s: not a regular file: want an INI file", path);
        fclose(c.fp);
        return false;
    }
    set_path(p->config_path, path);
    int rc = ini_parse_stream(read_line, &c, on_setting, &c);
    if (ferror(c.fp)) {
        msg_error("%s: read error after line %u", path, c.lineno);
        c.errors++;
    }
    fclose(c.fp);
    free(c.line);
    if (rc != 0 && c.errors == 0) {
        msg_error("%s:%d: syntax error", path, rc);     /* one inih saw and we did not */
        c.errors++;
    }
    if (c.errors)
        return false;
    if (!customers_check(&p->customers, c.err, sizeof(c.err))) {
        msg_error("%s: [customers] %s", path, c.err);
        return false;
    }
    config_finish(p);
    return true;
}

const char *config_file(const struct policy *p, enum policy_file f)
{
    switch (f) {
    case POLICY_FILE_ALLOWLIST: return p->allowlist;
    case POLICY_FILE_DENYLIST: return p->denylist;
    case POLICY_FILE_ASN_DB: return p->asn_db;
    case POLICY_FILE_CUSTOMERS_MAP: return p->customers.map;
    case POLICY_FILE_TEMPLATES: return p->customers.templates;
    case POLICY_FILE_ABUSE_CONTACTS: return p->abuse.contacts;
    default: return "";
    }
}

const char *config_file_where(const struct policy *p, enum policy_file f, char *buf, size_t n)
{
    snprintf(buf, n, "%s:%u: %s", p->config_path, p->file_line[f], file_keys[f].key);
    return buf;
}

bool config_check_files(const struct policy *p, unsigned skip)
{
    bool ok = true;
    char where[POLICY_PATH + 64];

    for (int f = 0; f < POLICY_FILE__COUNT; f++) {
        const char *path = config_file(p, f);
        struct stat sb;
        bool dir = f == POLICY_FILE_TEMPLATES;
        if ((skip & (1u << f)) || path[0] == 0)
            continue;
        config_file_where(p, f, where, sizeof(where));
        if (stat(path, &sb) < 0 || access(path, R_OK | (dir ? X_OK : 0)) < 0) {
            msg_error("%s: %s: %s", where, path, strerror(errno));
            ok = false;
        } else if (dir ? !S_ISDIR(sb.st_mode) : S_ISDIR(sb.st_mode)) {
            msg_error("%s: %s: %s", where, path, dir ? "want a directory of letter templates"
                      : "is a directory, want a file");
            ok = false;
        }
    }
    return ok;
}

static void print_num(FILE *fp, const char *k, double v)
{
    fprintf(fp, "%s = %g\n", k, v);
}

static void print_duration(FILE *fp, const char *k, int64_t v)
{
    static const struct { int64_t sec; char unit; } u[] = {
        { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' },
    };
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
        if (v && v % u[i].sec == 0) {
            fprintf(fp, "%s = %lld%c\n", k, (long long)(v / u[i].sec), u[i].unit);
            return;
        }
    fprintf(fp, "%s = %lld\n", k, (long long)v);
}

void config_print(const struct policy *p, FILE *fp)
{
    fprintf(fp, "[policy]\n");
    print_num(fp, "threshold", p->threshold);
    print_num(fp, "auth_threshold", p->auth_threshold);
    fprintf(fp, "list_dynamic = %s\n", p->list_dynamic ? "yes" : "no");
    print_num(fp, "dynamic_threshold", p->dynamic_threshold);
    print_duration(fp, "window", p->window);
    print_duration(fp, "expiry", p->expiry);
    print_num(fp, "relist_factor", p->relist_factor);
    fprintf(fp, "asn_db = %s\nallowlist = %s\ndenylist = %s\n", p->asn_db, p->allowlist,
            p->denylist);
    fprintf(fp, "own_zones =");
    for (unsigned i = 0; i < p->agg.nzones; i++)
        fprintf(fp, " %s", p->agg.zone[i]);
    fprintf(fp, "\ntrusted_networks =");
    for (unsigned i = 0; i < p->ntrusted; i++) {
        char b[IPPREFIX_STRLEN];
        fprintf(fp, " %s", ipprefix_format(&p->trusted[i], b));
    }
    fprintf(fp, "\nlist_private = %s\ntest_range =", p->list_private ? "yes" : "no");
    for (unsigned i = 0; i < p->ntest_range; i++) {
        char b[IPPREFIX_STRLEN];
        fprintf(fp, " %s", ipprefix_format(&p->test_range[i], b));
    }
    fprintf(fp, "\n");
    fprintf(fp, "\n[rdns]\n");
    for (int c = 0; c < RDNS__COUNT; c++)
        print_num(fp, c == RDNS_STATIC_GENERIC ? "static_generic" : rdns_class_name(c),
                  p->rdns_factor[c]);
    fprintf(fp, "\n[network]\nescalate = %s\nv4_prefix = %u\nv6_prefix = %u\nmin_listed = %u\n",
            p->net_escalate ? "yes" : "no", p->net_v4, p->net_v6, p->net_min_listed);
    print_num(fp, "ratio", p->net_ratio);
    fprintf(fp, "ratio_min_listed = %u\nspare_good = %s\n", p->net_ratio_min_listed,
            p->net_spare_good ? "yes" : "no");
    fprintf(fp, "\n[weights]\n");
    for (int k = 0; k < AC__COUNT; k++)
        if (k != AC_AUTHENTICATED && k != AC_OWN_ZONE)
            print_num(fp, agg_class_name(k), p->weight[k]);
    fprintf(fp, "\n[zone]\nttl = %u\n", p->ttl);
    for (int c = 1; c < CAUSE__COUNT; c++)
        fprintf(fp, "code_%s = %s\n", policy_cause_name(c), p->code[c]);
    for (int c = 1; c < CAUSE__COUNT; c++)
        fprintf(fp, "txt_%s = %s\n", policy_cause_name(c), p->txt[c]);
    fprintf(fp, "name = %s\nns = %s\nhostmaster = %s\n", p->zone_name, p->zone_ns,
            p->zone_hostmaster);
    fprintf(fp, "\n[publish]\nmax_change = %g\nmax_churn = %g\nmin_change = %u\n", p->max_change,
            p->max_churn, p->min_change);
    fprintf(fp, "\n[ipset]\nset4 = %s\nset6 = %s\n", p->ipset_set4, p->ipset_set6);
    fprintf(fp, "\n[firewall]\ncauses =");
    for (int c = 1, k = 0; c < CAUSE__COUNT; c++)
        if (p->fw_causes >> c & 1)
            fprintf(fp, "%s%s", k++ ? "," : " ", policy_cause_name(c));
    fprintf(fp, "\nnft_rule = %s\n", p->nft_rule ? "yes" : "no");
    fprintf(fp, "\n[nft]\nfamily = %s\ntable = %s\nset4 = %s\nset6 = %s\n",
            p->nft_family, p->nft_table, p->nft_set4, p->nft_set6);
    print_customers(&p->customers, fp);
    print_letters(&p->letters, fp);
    abuse_policy_print(&p->abuse, fp);
}

