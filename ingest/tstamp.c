/* Timestamp recognition and conversion to UTC; see tstamp.h. */
#include <string.h>
#include <stdio.h>
#include "tstamp.h"

void tstamp_init(struct tsctx *t, time_t ref, int year)
{
    struct tm rt;

    memset(t, 0, sizeof(*t));
    t->ref = ref;
    t->year = year;
    t->c_year = -1;
    localtime_r(&ref, &rt);
    t->ref_year = rt.tm_year + 1900;
}

int64_t tstamp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

int tstamp_format(int64_t ts, uint32_t usec, char *buf)
{
    int64_t days = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
    int64_t sod = ts - days * 86400;
    int y;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    if (usec)
        return snprintf(buf, 32, "%04d-%02u-%02uT%02d:%02d:%02d.%06uZ", y, m, d,
                        (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
                        usec);
    return snprintf(buf, 32, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
                    (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

static bool digits(const char *p, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static int month_of(const char *p)
{
    /* On every line: decide by the first letter, confirm the other two. */
    char b = p[1], c = p[2];

    switch (p[0]) {
    case 'J':
        return b == 'a' && c == 'n' ? 1 : b == 'u' && c == 'n' ? 6 : b == 'u' && c == 'l' ? 7 : 0;
    case 'F': return b == 'e' && c == 'b' ? 2 : 0;
    case 'M': return b == 'a' && c == 'r' ? 3 : b == 'a' && c == 'y' ? 5 : 0;
    case 'A': return b == 'p' && c == 'r' ? 4 : b == 'u' && c == 'g' ? 8 : 0;
    case 'S': return b == 'e' && c == 'p' ? 9 : 0;
    case 'O': return b == 'c' && c == 't' ? 10 : 0;
    case 'N': return b == 'o' && c == 'v' ? 11 : 0;
    case 'D': return b == 'e' && c == 'c' ? 12 : 0;
    default: return 0;
    }
}

static bool hms(const char *p, int *h, int *mi, int *s)
{
    return digits(p, 2, h) && p[2] == ':' && digits(p + 3, 2, mi)
        && p[5] == ':' && digits(p + 6, 2, s) && *h < 24 && *mi < 60
        && *s <= 60;
}

size_t tstamp_bsd_fraction(struct span s, size_t i, uint32_t *usec)
{
    size_t j = i + 1;
    uint32_t frac = 0;
    int nd = 0;

    while (j < s.n && j < i + 10 && s.p[j] >= '0' && s.p[j] <= '9') {
        if (nd < 6)
            frac = frac * 10 + (uint32_t)(s.p[j] - '0'), nd++;
        j++;
    }
    if (j == i + 1)
        return i;
    while (nd < 6)
        frac *= 10, nd++;
    *usec = frac;
    return j;
}

/* Local civil time to UTC through mktime, cached per hour (DST changes
 * happen on hour boundaries in every zone that matters here). */
static int64_t local_to_utc(struct tsctx *t, int y, int mon, int d, int h,
                            int mi, int s)
{
    if (y != t->c_year || mon != t->c_mon || d != t->c_mday || h != t->c_hour) {
        struct tm tm = { 0 };
        tm.tm_year = y - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_isdst = -1;
        time_t e = mktime(&tm);
        t->c_year = y, t->c_mon = mon, t->c_mday = d, t->c_hour = h;
        t->c_epoch = (int64_t)e;
    }
    return t->c_epoch + mi * 60 + s;
}

static bool valid_date(int y, int m, int d)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return false;
    return true;
}

/* sec_end: where the seconds end, before any fraction. */
static bool parse_bsd(struct tsctx *t, struct span s, int64_t *ts, uint32_t *usec,
                      size_t *used, size_t *sec_end)
{
    int mon, d, y = 0, h, mi, sec;
    const char *p = s.p;
    size_t i;

    if (s.n < 15 || p[3] != ' ' || (mon = month_of(p)) == 0)
        return false;
    /* Day: " 5", "05" or "5" (some relays strip the pad). */
    if (p[4] == ' ' && p[5] >= '1' && p[5] <= '9') {
        d = p[5] - '0';
        i = 6;
    } else if (digits(p + 4, 2, &d)) {
        i = 6;
    } else if (p[4] >= '1' && p[4] <= '9') {
        d = p[4] - '0';
        i = 5;
    } else {
        return false;
    }
    if (i >= s.n || p[i] != ' ')
        return false;
    i++;
    /* Optional year: "Mar  5 2024 14:02:01". */
    if (s.n >= i + 13 && digits(p + i, 4, &y) && p[i + 4] == ' ')
        i += 5;
    else
        y = 0;
    if (s.n < i + 8 || !hms(p + i, &h, &mi, &sec))
        return false;
    i += 8;
    *sec_end = i;
    if (i < s.n && p[i] == '.')
        i = tstamp_bsd_fraction(s, i, usec);
    if (y == 0) {
        if (t->year) {
            if (t->last_month && mon < t->last_month - 6)
                t->year++;
            else if (t->last_month && mon > t->last_month + 6)
                t->year--;
            t->last_month = mon;
            y = t->year;
        } else {
            time_t ref = t->ref;
            y = t->ref_year;
            if (!valid_date(y, mon, d) && valid_date(y - 1, mon, d))
                y--;
            if (valid_date(y, mon, d)) {
                int64_t v = local_to_utc(t, y, mon, d, h, mi, sec);
                if (v <= (int64_t)ref + 2 * 86400) {
                    *ts = v;        /* the common case: one conversion */
                    *used = i;
                    return true;
                }
                y--;
            }
        }
    }
    if (!valid_date(y, mon, d))
        return false;
    *ts = local_to_utc(t, y, mon, d, h, mi, sec);
    *used = i;
    return true;
}

/* What parse_rfc3339 read after the seconds, for the memo. */
struct rfc_shape {
    size_t frac_n, zone_at, zone_n;
    int sec;
};

static bool parse_rfc3339(struct tsctx *t, struct span s, int64_t *ts,
                          uint32_t *usec, size_t *used, struct rfc_shape *shape)
{
    const char *p = s.p;
    int y, mon, d, h, mi, sec;
    size_t i = 19;

    if (s.n < 19 || !digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mon)
        || p[7] != '-' || !digits(p + 8, 2, &d) || (p[10] != 'T' && p[10] != ' ')
        || !hms(p + 11, &h, &mi, &sec) || !valid_date(y, mon, d))
        return false;
    *usec = 0;
    if (i < s.n && (p[i] == '.' || p[i] == ',')) {
        uint32_t frac = 0;
        int nd = 0;
        i++;
        while (i < s.n && p[i] >= '0' && p[i] <= '9') {
            if (nd < 6)
                frac = frac * 10 + (uint32_t)(p[i] - '0'), nd++;
            i++;
        }
        if (nd == 0)
            return false;
        while (nd < 6)
            frac *= 10, nd++;
        *usec = frac;
    }
    if (shape)
        shape->frac_n = i == 19 ? 0 : i - 20, shape->zone_at = i, shape->sec = sec;
    int64_t days = tstamp_days_from_civil(y, (unsigned)mon, (unsigned)d);
    int64_t utc = days * 86400 + h * 3600 + mi * 60 + sec;
    if (i < s.n && (p[i] == 'Z' || p[i] == 'z')) {
        i++;
    } else if (i + 5 <= s.n && (p[i] == '+' || p[i] == '-')) {
        /* "+09:00", or "+0900" as some relays write it */
        int oh, om;
        bool colon = i + 6 <= s.n && p[i + 3] == ':';
        if (!digits(p + i + 1, 2, &oh) || !digits(p + i + (colon ? 4 : 3), 2, &om)
            || oh > 23 || om > 59)
            return false;
        int off = oh * 3600 + om * 60;
        utc -= p[i] == '+' ? off : -off;
        i += colon ? 6 : 5;
    } else {
        utc = local_to_utc(t, y, mon, d, h, mi, sec);
    }
    if (shape)
        shape->zone_n = i - shape->zone_at;
    *ts = utc;
    *used = i;
    return true;
}

#ifdef __SSE2__
/* An RFC 3339 stamp like the last one but for the digits of its seconds
 * and fraction: its value from the memo, exactly what parse_rfc3339 would
 * give; false: ask it. Both 16-byte halves of the first 32 bytes are
 * compared at once with the remembered ones, and the varying bytes
 * checked to be digits. */
static bool rfc3339_same_minute(const struct tsctx *t, struct span s, int64_t *ts,
                                uint32_t *usec, size_t *used)
{
    static const uint32_t scale[9] = { 1000000, 100000, 10000, 1000, 100, 10, 1, 10, 100 };
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);

    if (s.n < 32)
        return false;
    __m128i x = _mm_loadu_si128((const __m128i *)s.p);
    __m128i y = _mm_loadu_si128((const __m128i *)(s.p + 16));
    uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_loadu_si128((const __m128i *)t->rfc_key)))
        | (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(y, _mm_loadu_si128((const __m128i *)(t->rfc_key + 16)))) << 16;
    __m128i dy = _mm_sub_epi8(y, zero);
    uint32_t digit = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(dy, nine), dy)) << 16;
    unsigned s1 = (unsigned char)s.p[17] - '0', s2 = (unsigned char)s.p[18] - '0';

    if ((eq & t->rfc_fixed) != t->rfc_fixed || (digit & t->rfc_var) != t->rfc_var
        || s1 * 10 + s2 > 60)
        return false;
    uint64_t frac = 0;
    if (t->rfc_frac_n) {
        /* 8 bytes from the fraction's first digit, the digits to the top
         * of the word and summed in three multiplications. */
        unsigned drop = 8 * (8 - t->rfc_frac_n);
        frac = (span_load8(s.p + 20) << drop) & SPAN_BYTES(0x0F);
        frac = frac * 2561 >> 8;
        frac = (frac & UINT64_C(0x00FF00FF00FF00FF)) * 6553601 >> 16;
        frac = (uint32_t)((frac & UINT64_C(0x0000FFFF0000FFFF)) * UINT64_C(42949672960001) >> 32);
        frac = t->rfc_frac_n <= 6 ? frac * scale[t->rfc_frac_n] : frac / scale[t->rfc_frac_n];
    }
    *ts = t->rfc_base + s1 * 10 + s2;
    *usec = (uint32_t)frac;
    *used = t->rfc_len;
    return true;
}
#endif

/* An RFC 3339 stamp at the start of s, through the memo when it can. */
static bool parse_rfc3339_memo(struct tsctx *t, struct span s, int64_t *ts, uint32_t *usec,
                               size_t *used)
{
    struct rfc_shape sh;

#ifdef __SSE2__
    if (t->rfc_cached && rfc3339_same_minute(t, s, ts, usec, used))
        return true;
#endif
    if (!parse_rfc3339(t, s, ts, usec, used, &sh))
        return false;
    /* Remembered when the stamp and, with no zone, the byte after it lie
     * in the first 32 bytes; that byte must not be one that could start a
     * zone on a longer line ("+0100" needs five bytes). */
    size_t end = sh.zone_at + sh.zone_n, i = sh.zone_at;
    if (s.n >= 32 && sh.frac_n <= 8 && (sh.zone_n ? end <= 32 : !memchr("Zz+-", s.p[i], 4))) {
        uint32_t var = 3u << 17, len = sh.zone_n ? end : i + 1;
        if (sh.frac_n)
            var |= ((1u << sh.frac_n) - 1) << 20;
        memcpy(t->rfc_key, s.p, 32);
        t->rfc_var = var;
        t->rfc_fixed = (len == 32 ? ~0u : (1u << len) - 1) & ~var;
        t->rfc_frac_n = (uint8_t)sh.frac_n;
        t->rfc_len = (uint8_t)*used;
        t->rfc_base = *ts - sh.sec;
        t->rfc_cached = true;
    }
    return true;
}

/* "YYYY-MM-DD HH:MM:SS" already checked by parse_rfc3339, read as UTC. */
static int64_t naive_utc(const char *p)
{
    int y = 0, mon = 1, d = 1, h = 0, mi = 0, sec = 0;

    digits(p, 4, &y), digits(p + 5, 2, &mon), digits(p + 8, 2, &d);
    hms(p + 11, &h, &mi, &sec);
    return tstamp_days_from_civil(y, (unsigned)mon, (unsigned)d) * 86400 + h * 3600
        + mi * 60 + sec;
}

static bool weekday(const char *p)
{
    static const char days[] = "MonTueWedThuFriSatSun";

    for (int i = 0; i < 7; i++)
        if (memcmp(p, days + 3 * i, 3) == 0)
            return true;
    return false;
}

/* journalctl -o short-full: "Tue 2026-12-01 09:14:03 JST" (and with
 * ".uuuuuu" after the seconds). The zone is what journalctl's own zone
 * called itself: "UTC"/"GMT" are UTC, "+03"/"-0330" are offsets, any
 * other abbreviation ("JST", "CEST") names the local zone of the reader,
 * which is ours (TZ) when the log is read where it was written. */
static bool parse_short_full(struct tsctx *t, struct span s, int64_t *ts,
                             uint32_t *usec, size_t *used)
{
    struct span r = span_skip(s, 4);
    size_t k;
    int64_t v;

    /* The date and time without a zone are local to parse_rfc3339. */
    if (r.n < 19 || r.p[10] != ' ' || !parse_rfc3339(t, r, &v, usec, &k, NULL) || k == r.n
        || r.p[k] != ' ')
        return false;
    size_t z = k + 1, e = z;
    while (e < r.n && e < z + 6 && r.p[e] != ' ')
        e++;
    if (e == z || (e < r.n && r.p[e] != ' '))
        return false;
    struct span zone = span_make(r.p + z, e - z);
    if (span_eq_lit(zone, "UTC") || span_eq_lit(zone, "GMT")) {
        v = naive_utc(r.p);
    } else if (zone.p[0] == '+' || zone.p[0] == '-') {
        int oh, om = 0;
        if ((zone.n != 3 && zone.n != 5) || !digits(zone.p + 1, 2, &oh)
            || (zone.n == 5 && !digits(zone.p + 3, 2, &om)) || oh > 23 || om > 59)
            return false;
        v = naive_utc(r.p);
        v -= (zone.p[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
        for (size_t j = 0; j < zone.n; j++)
            if (!((zone.p[j] >= 'A' && zone.p[j] <= 'Z') || (zone.p[j] >= 'a' && zone.p[j] <= 'z')))
                return false;
    }
    *ts = v;
    *used = 4 + e;
    return true;
}

/* "@4000000065e7a3b1 2c3d4e5f" TAI64N: 2^62 + TAI seconds. multilog labels
 * with TAI = UTC + 10 s (daemontools' fixed offset, no leap-second table),
 * which is what tai64nlocal undoes too. */
static bool parse_tai64n(struct span s, int64_t *ts, uint32_t *usec, size_t *used)
{
    uint64_t sec = 0;
    uint32_t nano = 0;

    if (s.n < 25 || s.p[0] != '@')
        return false;
    for (int i = 1; i <= 24; i++) {
        char c = s.p[i];
        unsigned v;
        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (i <= 16)
            sec = sec << 4 | v;
        else
            nano = nano << 4 | v;
    }
    if (sec < (UINT64_C(1) << 62) + 10 || sec > (UINT64_C(1) << 62) + (UINT64_C(1) << 40)
        || nano > 999999999)
        return false;
    *ts = (int64_t)(sec - (UINT64_C(1) << 62) - 10);
    *usec = nano / 1000;
    *used = 25;
    return true;
}

bool tstamp_parse_unix(struct span s, int64_t *ts, uint32_t *usec, size_t *used)
{
    int64_t v = 0;
    uint32_t frac = 0;
    size_t i = 0;
    int nd = 0;

    while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && i < 12)
        v = v * 10 + (s.p[i++] - '0');
    if (i < 9 || (i < s.n && s.p[i] >= '0' && s.p[i] <= '9'))
        return false;
    if (i < s.n && s.p[i] == '.') {
        i++;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
            if (nd < 6)
                frac = frac * 10 + (uint32_t)(s.p[i] - '0'), nd++;
            i++;
        }
        if (nd == 0)
            return false;
        while (nd < 6)
            frac *= 10, nd++;
    }
    if (i < s.n && s.p[i] != ' ')
        return false;
    *ts = v;
    *usec = frac;
    *used = i;
    return true;
}

bool tstamp_parse_new(struct tsctx *t, struct span s, int64_t *ts, uint32_t *usec,
                      size_t *used)
{
    *usec = 0;
    if (s.n == 0)
        return false;
    if (s.p[0] == '@')
        return parse_tai64n(s, ts, usec, used);
    if (s.p[0] >= '0' && s.p[0] <= '9')
        return parse_rfc3339_memo(t, s, ts, usec, used);
    if (s.n > 4 && s.p[3] == ' ' && s.p[4] >= '0' && s.p[4] <= '9' && weekday(s.p))
        return parse_short_full(t, s, ts, usec, used);
    size_t sec_end;
    if (!parse_bsd(t, s, ts, usec, used, &sec_end))
        return false;
    /* The cache (tstamp_parse): "Mmm dd hh:mm:ss", whatever fraction follows. */
    if (sec_end == BSD_STAMP_LEN) {
        memcpy(t->bsd_last, s.p, BSD_STAMP_LEN);
        t->bsd_ts = *ts;
        t->bsd_cached = true;
    }
    return true;
}

bool tstamp_parse_arg(const char *arg, time_t now, int64_t *ts)
{
    size_t n = strlen(arg);
    struct tsctx t;
    uint32_t usec;
    size_t used;

    if (n >= 3 && arg[0] == '-') {
        int64_t v = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            if (arg[i] < '0' || arg[i] > '9' || v > 100000000)
                return false;
            v = v * 10 + (arg[i] - '0');
        }
        char u = arg[n - 1];
        int64_t mul = u == 'd' ? 86400 : u == 'h' ? 3600 : u == 'm' ? 60 : 0;
        if (mul == 0)
            return false;
        *ts = (int64_t)now - v * mul;
        return true;
    }
    tstamp_init(&t, now, 0);
    if (n == 10) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%sT00:00:00", arg);
        return parse_rfc3339(&t, span_make(buf, strlen(buf)), ts, &usec, &used, NULL)
            && used == strlen(buf);
    }
    return parse_rfc3339(&t, span_make(arg, n), ts, &usec, &used, NULL) && used == n;
}
