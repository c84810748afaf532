#ifndef RBLFORGE_TSTAMP_H
#define RBLFORGE_TSTAMP_H
/*
 * Log timestamps to UTC. Recognised at the start of a line:
 *   "Mar  5 14:02:01"            BSD syslog, local time, no year
 *   "Mar  5 2024 14:02:01"       BSD syslog with year (syslog-ng)
 *   "Mar 05 14:02:01.123456"     journalctl -o short-precise (fraction kept)
 *   "Tue 2026-12-01 09:14:03 JST" journalctl -o short-full (UTC, GMT and
 *                                numeric zones are honoured; any other
 *                                abbreviation is read as local time)
 *   "2024-03-05T14:02:01.123+09:00" RFC 3339 (fraction and offset optional;
 *                                without an offset the time is local)
 *   "@4000000065e7..."            multilog TAI64N label
 *   "1157520813.485077"          splogger (qmail via syslog), tstamp_parse_unix
 * A year-less stamp gets the year that puts it at or before the file's
 * modification time (with two days of slack for clock skew): so a file
 * rotated in January that starts in December is read right, and so is a
 * December-to-January rollover inside one file. With an explicit year the
 * first stamp gets that year and a backwards month jump advances it.
 */
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include "span.h"

enum { BSD_STAMP_LEN = 15 };

struct tsctx {
    time_t ref;                 /* file mtime: upper bound for year-less stamps */
    int ref_year;               /* local year of ref, computed once: localtime_r
                                 * takes glibc's process-wide zone lock */
    int year;                   /* explicit year (--year), 0 = infer */
    int last_month;             /* for explicit-year rollover */
    /* Cache of the last local hour converted, so mktime runs once an hour. */
    int c_year, c_mon, c_mday, c_hour;
    int64_t c_epoch;
    /* The last "Mmm dd hh:mm:ss" and its value: a busy log repeats each
     * second's stamp on many lines. */
    char bsd_last[BSD_STAMP_LEN];
    bool bsd_cached;
    int64_t bsd_ts;
    /* The first 32 bytes of the last line with an RFC 3339 stamp: a
     * high-precision stamp (rsyslog's RSYSLOG_FileFormat) differs on
     * every line in its seconds and fraction, seldom elsewhere. rfc_var:
     * the bytes of those digits; rfc_fixed: every other byte of the stamp
     * and, with no zone, the byte after it; rfc_base: the UTC of that
     * minute's second 0. */
    char rfc_key[32];
    uint32_t rfc_var, rfc_fixed;
    uint8_t rfc_frac_n, rfc_len;
    bool rfc_cached;
    int64_t rfc_base;
};

void tstamp_init(struct tsctx *t, time_t ref, int year);

/* tstamp_parse without the look at the last stamp. */
bool tstamp_parse_new(struct tsctx *t, struct span s, int64_t *ts, uint32_t *usec,
                      size_t *used);

/* A BSD stamp's fraction: s.p[i] is the '.' after the seconds. Returns
 * where the stamp ends (i itself when no digit follows the '.'), and sets
 * *usec from the first 6 of up to 9 digits. */
size_t tstamp_bsd_fraction(struct span s, size_t i, uint32_t *usec);

/* Parse a stamp at the start of s. On success sets *ts (UTC seconds),
 * *usec, and *used (bytes consumed, not counting the following space).
 * The same 15 bytes as the last BSD stamp: the same instant (the year
 * inference depends on those bytes and on t alone), inline, as on most
 * lines of a busy log; a fraction after them (journalctl -o
 * short-precise) is read on its own. */
static inline bool tstamp_parse(struct tsctx *t, struct span s, int64_t *ts, uint32_t *usec,
                                size_t *used)
{
    if (t->bsd_cached && s.n >= BSD_STAMP_LEN && span_load8(s.p) == span_load8(t->bsd_last)
        && span_load8(s.p + 7) == span_load8(t->bsd_last + 7)) {
        *usec = 0;
        *ts = t->bsd_ts;
        *used = s.n > BSD_STAMP_LEN && s.p[BSD_STAMP_LEN] == '.'
            ? tstamp_bsd_fraction(s, BSD_STAMP_LEN, usec) : BSD_STAMP_LEN;
        return true;
    }
    return tstamp_parse_new(t, s, ts, usec, used);
}

/* splogger's "1157520813.485077" (UTC seconds, optional fraction) at the
 * start of s; at least 9 digits, so a small number is never a stamp. */
bool tstamp_parse_unix(struct span s, int64_t *ts, uint32_t *usec, size_t *used);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t tstamp_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Format UTC seconds + microseconds as ISO 8601 with 'Z' into buf (32 bytes);
 * the fraction is printed only when usec is non-zero. Returns the length. */
int tstamp_format(int64_t ts, uint32_t usec, char *buf);

/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[Z|+hh:mm]" or a relative "-7d",
 * "-12h" (relative to now) from a C string. For command-line options. */
bool tstamp_parse_arg(const char *s, time_t now, int64_t *ts);

#endif
