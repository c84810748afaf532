#ifndef RBLFORGE_CUSTPOLICY_H
#define RBLFORGE_CUSTPOLICY_H
/*
 * The customer reports' thresholds and tiers: the settings alone, below
 * both the listing policy (policy.h carries them for the config file,
 * config.c parses them) and the customer reports (customers.h) that use
 * them. Header only.
 */

/* The tiers as abuse desks practise them: look, warn, slow down, stop.
 * Terminating a contract stays a human decision. */
enum cust_tier { TIER_OK, TIER_WATCH, TIER_WARN, TIER_THROTTLE, TIER_SUSPEND, TIER__COUNT };

/* Thresholds: the [customers] section of the configuration. Per-tier
 * arrays are indexed by TIER_WATCH .. TIER_SUSPEND; 0 disables a level
 * (except spam_rate, where 0 means "any rate"). */
struct cust_policy {
    double min_attempts;        /* sent+bounced before a bounce rate counts */
    double bounce_rate[TIER__COUNT];
    double spam_rejections[TIER__COUNT];    /* counts */
    double spam_rate[TIER__COUNT];          /* spam rejections / attempts */
    double blocklist[TIER__COUNT];          /* attempts refused for a listing */
    /* Compromise: distinct places per login (addresses of one ASN or one
     * rDNS family are one place); above watch only with an outcome. */
    double compromise_places[TIER__COUNT];
    double compromise_countries;    /* distinct countries that alone are dispersion */
    double compromise_concurrent;   /* place changes within concurrent_minutes */
    double concurrent_minutes;
    double invalid_rate_watch;  /* unknown-recipient bounces / attempts */
    double invalid_min;
    double spike_factor, spike_min;
    double v4_net, v6_net;      /* network prefix lengths for logins */
    double evidence;            /* evidence lines per signal */
    double throttle_factor;     /* throttle: allow this many times the usual hourly volume */
    double history_days;        /* --state: baselines forget what was not seen for this long */
    char map[1024];             /* customer map file, "" = none */
    char templates[1024];       /* letter template directory, "" = built-in search */
    char languages[64];         /* letter languages in order, e.g. "ja,en" */
    char geo_db[1024];          /* GeoLite2-Country/City database, "" = none */
};

/* [letters]: what every letter carries besides the figures. */
struct letter_policy {
    char ticket_prefix[32];     /* ticket reference: PREFIX-YYYYMMDD-customer number */
    char from[256];             /* the desk's address (From:, Reply-To:) */
    char contact[256];          /* how to reach the desk, in the letter's words */
    double deadline_days[TIER__COUNT];  /* reply within, per tier (0: no deadline) */
};

#endif
