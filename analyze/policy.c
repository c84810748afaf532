/* Listing policy: INI settings through inih, and the decision rule. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <math.h>
#include <ini.h>
#include "policy.h"
#include "ipaddr.h"
#include "msg.h"

/*
 * Why these numbers: one strong signal (a pregreeting bot, a relay probe)
 * or a handful of weaker ones reaches 10; good mail accepted from the same
 * address counts against its rejects, so a busy legitimate MTA with the
 * usual trickle of bad recipients never gets there.
 */
const char policy_default_ini[] =
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
    "min_change = 10\n"
    "\n"
    "[ipset]\n"
    "set4 = rbl4\n"
    "set6 = rbl6\n"
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

bool policy_parse_duration(const char *v, int64_t *out)
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

static const char *const cause_names[CAUSE__COUNT] = {
    [CAUSE_NONE] = "none", [CAUSE_SPAM] = "spam", [CAUSE_NET] = "net",
    [CAUSE_AUTH] = "auth", [CAUSE_DYNAMIC] = "dynamic",
};

int policy_cause_lookup(const char *name, size_t len)
{
    for (int c = 0; c < CAUSE__COUNT; c++)
        if (strlen(cause_names[c]) == len && memcmp(cause_names[c], name, len) == 0)
            return c;
    return -1;
}

static int on_setting(void *user, const char *section, const char *name,
                      const char *value)
{
    struct load_ctx *c = user;
    struct policy *p = c->p;
    double d;
    int k;

#define BAD(...) do { snprintf(c->err, sizeof(c->err), __VA_ARGS__); return 0; } while (0)
    if (strcmp(section, "policy") == 0) {
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
            if (!policy_parse_duration(value, dst) || (dst == &p->expiry && *dst == 0))
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
        } else {
            BAD("unknown key \"%.40s\" in [policy]", name);
        }
    } else if (strcmp(section, "rdns") == 0) {
        if ((k = rdns_class_lookup(name)) < 0 || strcmp(name, "static-generic") == 0)
            BAD("unknown rDNS class \"%.40s\" in [rdns] (none, fcrdns_fail, dynamic, "
                "static_generic, named, unlogged)", name);
        if (!parse_num(value, 0.01, 100, &p->rdns_factor[k]))
            BAD("%s: want a threshold factor from 0.01 to 100, got \"%.40s\"", name, value);
    } else if (strcmp(section, "network") == 0) {
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
    } else if (strcmp(section, "weights") == 0) {
        if ((k = agg_class_lookup(name)) < 0)
            BAD("unknown evidence class \"%.40s\" in [weights]", name);
        if (!parse_num(value, -1e6, 1e6, &d))
            BAD("%s: want a number, got \"%.40s\"", name, value);
        p->weight[k] = d;
    } else if (strcmp(section, "zone") == 0) {
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
    } else if (strcmp(section, "publish") == 0) {
        if (strcmp(name, "max_change") == 0) {
            if (!parse_num(value, 0, 1e6, &p->max_change))
                BAD("max_change: want a fraction such as 0.5, got \"%.40s\"", value);
        } else if (strcmp(name, "min_change") == 0) {
            if (!parse_num(value, 0, 1e9, &d) || d != floor(d))
                BAD("min_change: want a whole number, got \"%.40s\"", value);
            p->min_change = (unsigned)d;
        } else {
            BAD("unknown key \"%.40s\" in [publish]", name);
        }
    } else if (strcmp(section, "ipset") == 0) {
        char *dst = strcmp(name, "set4") == 0 ? p->ipset_set4
            : strcmp(name, "set6") == 0 ? p->ipset_set6 : NULL;
        if (dst == NULL)
            BAD("unknown key \"%.40s\" in [ipset]", name);
        /* ipset names are at most 31 bytes; we append "-new" for the swap. */
        if (!is_ident(value, 28))
            BAD("%s: want up to 27 letters, digits and '_', got \"%.40s\"", name, value);
        strcpy(dst, value);
    } else if (strcmp(section, "nft") == 0) {
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
    } else if (strcmp(section, "customers") == 0) {
        if (!cust_policy_set(&p->customers, name, value, c->err, sizeof(c->err)))
            return 0;
    } else if (strcmp(section, "abuse") == 0) {
        if (!abuse_policy_set(&p->abuse, name, value, c->err, sizeof(c->err)))
            return 0;
    } else {
        BAD("unknown section [%.40s]", section);
    }
    return 1;
#undef BAD
}

void policy_init(struct policy *p)
{
    struct load_ctx c = { p, "(built-in)", "" };

    memset(p, 0, sizeof(*p));
    cust_policy_init(&p->customers);
    abuse_policy_init(&p->abuse);
    if (ini_parse_string(policy_default_ini, on_setting, &c) != 0)
        msg_panic("built-in policy does not parse: %s", c.err);
}

/* inih reads a line in pieces of INI_MAX_LINE bytes and parses the rest
 * as a line of its own: a long value would be cut, or its tail taken for
 * a comment. The number of the first such line, 0 if none. */
static int overlong_line(const char *path)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int no = 0, bad = 0;

    if (fp == NULL)
        return 0;               /* ini_parse says why */
    while (bad == 0 && (n = getline(&line, &cap, fp)) >= 0) {
        no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n > INI_MAX_LINE - 2)       /* inih's buffer: the line, its newline and a NUL */
            bad = no;
    }
    free(line);
    fclose(fp);
    return bad;
}

bool policy_load(struct policy *p, const char *path)
{
    struct load_ctx c = { p, path, "" };
    int bad = overlong_line(path);

    if (bad) {
        msg_warn("%s:%d: line longer than %d bytes", path, bad, INI_MAX_LINE - 2);
        return false;
    }
    int rc = ini_parse(path, on_setting, &c);

    if (rc == -1) {
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    if (rc != 0) {
        msg_warn("%s:%d: %s", path, rc, c.err[0] ? c.err : "syntax error");
        return false;
    }
    return true;
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

void policy_print(const struct policy *p, FILE *fp)
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
        print_num(fp, agg_class_name(k), p->weight[k]);
    fprintf(fp, "\n[zone]\nttl = %u\n", p->ttl);
    for (int c = 1; c < CAUSE__COUNT; c++)
        fprintf(fp, "code_%s = %s\n", cause_names[c], p->code[c]);
    for (int c = 1; c < CAUSE__COUNT; c++)
        fprintf(fp, "txt_%s = %s\n", cause_names[c], p->txt[c]);
    fprintf(fp, "name = %s\nns = %s\nhostmaster = %s\n", p->zone_name, p->zone_ns,
            p->zone_hostmaster);
    fprintf(fp, "\n[publish]\nmax_change = %g\nmin_change = %u\n", p->max_change, p->min_change);
    fprintf(fp, "\n[ipset]\nset4 = %s\nset6 = %s\n", p->ipset_set4, p->ipset_set6);
    fprintf(fp, "\n[nft]\nfamily = %s\ntable = %s\nset4 = %s\nset6 = %s\n",
            p->nft_family, p->nft_table, p->nft_set4, p->nft_set6);
    cust_policy_print(&p->customers, fp);
    abuse_policy_print(&p->abuse, fp);
}

void policy_decide(const struct policy *p, const struct ipaddr *ip, const struct ip_stats *st,
                   struct decision *d)
{
    uint32_t n[AC__COUNT];

    ip_stats_counts(st, n);
    d->score = 0;
    for (int k = 0; k < AC__COUNT; k++)
        if (k != AC_AUTH_FAIL)
            d->score += p->weight[k] * n[k];
    d->auth_score = p->weight[AC_AUTH_FAIL] * n[AC_AUTH_FAIL];
    d->rdns = rdns_of(ip, st);
    /* No or dynamic rDNS lowers the bar: such senders have no business
     * talking to an MX directly. */
    /* Both lists may apply: the stronger evidence, relative to its own
     * threshold, names the cause. */
    double spam = d->score / policy_bar(p, d->rdns), auth = d->auth_score / p->auth_threshold;
    if (spam >= 1 && spam >= auth)
        d->cause = CAUSE_SPAM;
    else if (auth >= 1)
        d->cause = CAUSE_AUTH;
    else if (p->list_dynamic && d->rdns == RDNS_DYNAMIC && d->score >= p->dynamic_threshold)
        d->cause = CAUSE_DYNAMIC;       /* a PBL-like entry: some evidence, generic name */
    else
        d->cause = CAUSE_NONE;
}

const char *policy_cause_name(enum cause c)
{
    return (unsigned)c < CAUSE__COUNT ? cause_names[c] : "none";
}

const char *policy_code(const struct policy *p, enum cause c)
{
    return p->code[(unsigned)c < CAUSE__COUNT ? c : CAUSE_SPAM];
}

const char *policy_txt(const struct policy *p, enum cause c)
{
    return p->txt[(unsigned)c < CAUSE__COUNT ? c : CAUSE_SPAM];
}
