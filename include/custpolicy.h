#ifndef RBLFORGE_CUSTPOLICY_H
#define RBLFORGE_CUSTPOLICY_H
/*
 * The customer reports' thresholds and tiers: the settings alone, below
 * both the listing policy (policy.h carries them for the config file,
 * config.c parses them) and the customer reports (customers.h) that use
 * them. Header only.
 */

enum cust_tier { TIER_OK, TIER_WATCH, TIER_WARN, TIER_SUSPEND, TIER__COUNT };

/* Thresholds: the [customers] section of the configuration. Per-tier
 * arrays are indexed by TIER_WATCH, TIER_WARN, TIER_SUSPEND; 0 disables a
 * level (except spam_rate, where 0 means "any rate"). */
struct cust_policy {
    double min_attempts;        /* sent+bounced before a bounce rate counts */
    double bounce_rate[TIER__COUNT];
    double spam_rejections[TIER__COUNT];    /* counts */
    double spam_rate[TIER__COUNT];          /* spam rejections / attempts */
    double blocklist[TIER__COUNT];          /* attempts refused for a listing */
    double compromise_networks[TIER__COUNT];/* distinct networks per login */
    double invalid_rate_watch;  /* unknown-recipient bounces / attempts */
    double invalid_min;
    double spike_factor, spike_min;
    double v4_net, v6_net;      /* network prefix lengths for logins */
    double evidence;            /* evidence lines per signal */
    char map[1024];             /* customer map file, "" = none */
    char templates[1024];       /* letter template directory, "" = built-in search */
    char languages[64];         /* letter languages in order, e.g. "ja,en" */
};

#endif
