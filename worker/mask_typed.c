/*
 * mask_typed.c - the strategies that read their input as a typed value: date and timestamp,
 * number, ip; and the check of a constant (strategy value) against its column's type.
 *
 * date, timestamp
 *   Shift the value by a whole number of days drawn from the PRF, uniformly in [-days,
 *   -1] and [1, days] (never 0; option days, default 365), keeping the time of day and the
 *   time zone as written. With keep_year the shift is drawn among those that stay in the
 *   value's year. The input is what PostgreSQL prints in DateStyle ISO: YYYY-MM-DD, then
 *   for timestamps " HH:MM:SS[.ffffff]" and an optional zone "+HH[:MM[:SS]]", then " BC"
 *   for years before 1 AD. BC dates are handled (proleptic Gregorian calendar, as
 *   PostgreSQL's): a shift may cross into or out of BC. 'infinity' and '-infinity' pass
 *   through. A shift that would leave PostgreSQL's range (4714-11-24 BC to 5874897-12-31 for
 *   dates, to 294276-12-31 for timestamps, one day of margin for time zones) is drawn among
 *   those that stay inside. Both strategies do the same; they differ only in their name, and
 *   so in their default value space.
 *
 * number
 *   Adds noise of at most percent (default 10) of the value: v + round(v * u), u uniform in
 *   [-percent/100, +percent/100], so 0 stays 0 and small integers may not change. Integers
 *   stay integers inside their type's range (clamped); numeric(p,s) keeps exactly s decimals
 *   and stays within p digits (clamped to the largest value); an unconstrained numeric keeps
 *   the input's number of decimals; real and double stay floats (clamped to the largest
 *   finite value), written with the fewest digits that read back exactly. NaN, Infinity and
 *   -Infinity pass through. A numeric with more than 38 significant digits is an error.
 *
 * ip
 *   Keeps the first prefix bits (IPv4, default 16) or prefix6 bits (IPv6, default 48) and
 *   draws the others from the PRF; keeps a /mask suffix. In a cidr column (or a value of a
 *   network, its mask shorter than the kept prefix), the bits past the mask stay zero, as
 *   cidr requires. Written with inet_ntop (IPv6 compressed, lower case).
 */
#include "worker/mask_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/exitcodes.h"

/* Most significant digits the number strategy handles in a numeric. */
#define S_NUMERIC_DIGITS 38

/* Largest scale of a numeric read. */
#define S_NUMERIC_SCALE 16383

typedef __int128 s_i128;

/* ---------------------------------------------------------------------------------------- */
/* Locale-independent numbers                                                               */
/* ---------------------------------------------------------------------------------------- */

/* The "C" locale object, made once. */
static locale_t s_c_locale;

/* Guards the making of s_c_locale. */
static pthread_once_t s_c_locale_once = PTHREAD_ONCE_INIT;

/* Makes s_c_locale (aborts when out of memory, the only way newlocale fails for "C"). */
static void
s_c_locale_make(void)
{
    s_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t) 0);
    if (s_c_locale == (locale_t) 0)
        abort();
}

locale_t
mask_c_locale(void)
{
    pthread_once(&s_c_locale_once, s_c_locale_make);
    return s_c_locale;
}

void
mask_format_double(double d, bool single, char *out, size_t size)
{
    locale_t loc = mask_c_locale(), old = uselocale(loc);

    for (int prec = single ? 6 : 15; prec <= (single ? 9 : 17); prec++) {
        snprintf(out, size, "%.*g", prec, single ? (double) (float) d : d);
        if (single ? strtof_l(out, NULL, loc) == (float) d : strtod_l(out, NULL, loc) == d)
            break;
    }
    uselocale(old);
}

/* Fills err for a value that cannot be read as its type (never quoting the value). */
static int
s_value_error(const mask_rule_t *rule, const char *what, err_t *err)
{
    err_set(err, "mask", EXIT_CODE_FAILED, "strategy %s: a value of the column (type %s) is %s",
            mask_rule_strategy(rule), rule->type_text, what);
    err_hint(err, "check the rule's column and strategy; dates must come in DateStyle ISO");
    return -1;
}

/* True for NaN, Infinity, -Infinity (and inf), any case: values that pass through. */
static bool
s_is_special_number(const char *in, size_t len)
{
    static const char *const names[] = {"nan", "infinity", "-infinity", "+infinity",
                                        "inf", "-inf",     "+inf"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && strncasecmp(in, names[i], len) == 0)
            return true;
    return false;
}

/* Reads a decimal integer (optional sign, digits only). Returns 0, or -1. */
static int
s_parse_int64(const char *in, size_t len, int64_t *v)
{
    size_t i = 0;
    bool neg = false;
    uint64_t acc = 0;

    if (i < len && (in[i] == '-' || in[i] == '+'))
        neg = in[i++] == '-';
    if (i == len)
        return -1;
    for (; i < len; i++) {
        unsigned d = (unsigned) (in[i] - '0');

        if (d > 9 || acc > (UINT64_MAX - d) / 10)
            return -1;
        acc = acc * 10 + d;
    }
    if (neg && acc > (uint64_t) INT64_MAX + 1)
        return -1;
    if (!neg && acc > (uint64_t) INT64_MAX)
        return -1;
    *v = neg ? (int64_t) (0 - acc) : (int64_t) acc;
    return 0;
}

/* A decimal number as numeric prints it. */
typedef struct s_decimal {
    bool neg;    /* a minus sign */
    s_i128 mant; /* the digits without the point, as an integer (>= 0) */
    int scale;   /* digits after the point */
    int intdig;  /* significant digits before the point */
} s_decimal_t;

/* Reads [+-]digits[.digits]. Returns 0, -1 when not a number, -2 when too many digits. */
static int
s_decimal_parse(const char *in, size_t len, s_decimal_t *dec)
{
    size_t i = 0;
    int sig = 0, digits = 0;
    bool point = false;

    memset(dec, 0, sizeof(*dec));
    if (i < len && (in[i] == '-' || in[i] == '+'))
        dec->neg = in[i++] == '-';
    for (; i < len; i++) {
        if (in[i] == '.' && !point) {
            point = true;
            continue;
        }
        if (in[i] < '0' || in[i] > '9')
            return -1;
        digits++;
        if (sig > 0 || in[i] != '0')
            sig++;
        if (sig > S_NUMERIC_DIGITS)
            return -2;
        if (point && ++dec->scale > S_NUMERIC_SCALE)
            return -2;
        if (!point && sig > 0)
            dec->intdig++;
        dec->mant = dec->mant * 10 + (in[i] - '0');
    }
    return digits > 0 ? 0 : -1;
}

/* 10^k for 0 <= k <= 38. */
static s_i128
s_pow10(int k)
{
    s_i128 p = 1;

    while (k-- > 0)
        p *= 10;
    return p;
}

/* Changes dec's scale to scale (rounding half away from zero). Returns 0, or -2 on overflow. */
static int
s_decimal_rescale(s_decimal_t *dec, int scale)
{
    int k = scale - dec->scale;

    if (k > 0) {
        s_i128 m = dec->mant;
        int sig = 0;

        while (m > 0) {
            m /= 10;
            sig++;
        }
        if (sig > 0 && sig + k > S_NUMERIC_DIGITS)
            return -2;
        dec->mant *= sig > 0 ? s_pow10(k) : 1;
    } else if (k < 0) {
        if (-k > S_NUMERIC_DIGITS) {
            dec->mant = 0;
        } else {
            s_i128 p = s_pow10(-k), q = dec->mant / p, r = dec->mant % p;

            dec->mant = q + (r >= p - r ? 1 : 0);
        }
    }
    dec->scale = scale;
    return 0;
}

/* Appends v / 10^scale with exactly scale decimals. */
static void
s_append_decimal(buf_t *out, s_i128 v, int scale)
{
    unsigned __int128 u =
        v < 0 ? (unsigned __int128) 0 - (unsigned __int128) v : (unsigned __int128) v;
    char digits[48];
    int n = 0, total;

    do {
        digits[n++] = (char) ('0' + (int) (u % 10));
        u /= 10;
    } while (u > 0);
    total = n > scale ? n : scale + 1;
    if (v < 0)
        buf_append_byte(out, '-');
    for (int pos = total - 1; pos >= 0; pos--) {
        if (pos == scale - 1)
            buf_append_byte(out, '.');
        buf_append_byte(out, pos < n ? digits[pos] : '0');
    }
}

/* The PRF's noise factor: uniform in [-percent/100, +percent/100]. */
static double
s_noise(const mask_rule_t *rule, mask_prf_t *prf)
{
    uint32_t r = mask_prf_u32(prf);

    return ((double) r / 4294967295.0 * 2.0 - 1.0) * rule->percent / 100.0;
}

/* number on an integer type of range [lo, hi]. */
static int
s_number_int(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, int64_t lo,
             int64_t hi, buf_t *out, err_t *err)
{
    char text[24];
    int64_t v, r;
    long double nv;

    if (s_parse_int64(in, len, &v) < 0)
        return s_value_error(rule, "not an integer", err);
    if (v < lo || v > hi)
        return s_value_error(rule, "out of its type's range", err);
    nv = (long double) v + roundl((long double) v * (long double) s_noise(rule, prf));
    if (nv >= (long double) hi)
        r = hi;
    else if (nv <= (long double) lo)
        r = lo;
    else
        r = (int64_t) nv;
    buf_append(out, text, (size_t) snprintf(text, sizeof(text), "%" PRId64, r));
    return 0;
}

/* number on a numeric: the input's digits as a scaled integer, noised, clamped, rescaled. */
static int
s_number_numeric(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out,
                 err_t *err)
{
    s_decimal_t dec;
    int rc = s_decimal_parse(in, len, &dec);
    int precision = rule->col.kind == MASK_COL_NUMERIC ? rule->col.precision : -1;
    int scale = precision >= 0 ? rule->col.scale : -1;
    s_i128 cap, v, r;
    long double delta, nv;

    if (rc == 0)
        rc = s_decimal_rescale(&dec, scale >= 0 ? scale : dec.scale);
    if (rc == -1)
        return s_value_error(rule, "not a number", err);
    if (rc == -2) {
        s_value_error(rule, "a numeric of more than 38 significant digits", err);
        err_hint(err, "strategy number handles up to 38 digits: use value or null");
        return -1;
    }
    cap =
        s_pow10(precision >= 0 && precision < S_NUMERIC_DIGITS ? precision : S_NUMERIC_DIGITS) - 1;
    v = dec.neg ? -dec.mant : dec.mant;
    delta = roundl((long double) v * (long double) s_noise(rule, prf));
    nv = (long double) v + delta;
    if (nv >= (long double) cap)
        r = cap;
    else if (nv <= -(long double) cap)
        r = -cap;
    else
        r = v + (s_i128) delta;
    if (r > cap)
        r = cap;
    if (r < -cap)
        r = -cap;
    s_append_decimal(out, r, dec.scale);
    return 0;
}

/* number on real or double precision. */
static int
s_number_float(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, bool single,
               buf_t *out, err_t *err)
{
    char text[128];
    char *end;
    double v, nv, max = single ? FLT_MAX : DBL_MAX;

    if (len == 0 || len >= sizeof(text) || isspace((unsigned char) in[0]))
        return s_value_error(rule, "not a floating-point number", err);
    memcpy(text, in, len);
    text[len] = '\0';
    v = strtod_l(text, &end, mask_c_locale());
    if (end != text + len || !isfinite(v))
        return s_value_error(rule, "not a floating-point number", err);
    nv = v * (1.0 + s_noise(rule, prf));
    if (!(nv <= max))
        nv = max;
    if (!(nv >= -max))
        nv = -max;
    mask_format_double(nv, single, text, sizeof(text));
    buf_append(out, text, strlen(text));
    return 0;
}

int
mask_number_apply(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out,
                  err_t *err)
{
    int64_t v;
    s_decimal_t dec;

    if (s_is_special_number(in, len)) {
        buf_append(out, in, len);
        return 0;
    }
    switch (rule->col.kind) {
    case MASK_COL_INT2:
        return s_number_int(rule, prf, in, len, INT16_MIN, INT16_MAX, out, err);
    case MASK_COL_INT4:
        return s_number_int(rule, prf, in, len, INT32_MIN, INT32_MAX, out, err);
    case MASK_COL_INT8:
        return s_number_int(rule, prf, in, len, INT64_MIN, INT64_MAX, out, err);
    case MASK_COL_NUMERIC:
        return s_number_numeric(rule, prf, in, len, out, err);
    case MASK_COL_FLOAT4:
        return s_number_float(rule, prf, in, len, true, out, err);
    case MASK_COL_FLOAT8:
        return s_number_float(rule, prf, in, len, false, out, err);
    default: /* unknown type: by the value's shape */
        if (s_parse_int64(in, len, &v) == 0)
            return s_number_int(rule, prf, in, len, INT64_MIN, INT64_MAX, out, err);
        if (s_decimal_parse(in, len, &dec) == 0)
            return s_number_numeric(rule, prf, in, len, out, err);
        return s_number_float(rule, prf, in, len, false, out, err);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Dates and timestamps                                                                     */
/* ---------------------------------------------------------------------------------------- */

/* A date or timestamp as PostgreSQL prints it in DateStyle ISO. */
typedef struct s_when {
    int64_t year;    /* astronomical year: 1 BC is 0, 2 BC is -1 */
    int month;       /* 1..12 */
    int day;         /* 1..31 */
    size_t rest_off; /* where the time of day and zone start (kept as they are) */
    size_t rest_len; /* their bytes (0 for a date) */
} s_when_t;

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t
s_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The proleptic Gregorian date of days since 1970-01-01 (civil_from_days). */
static void
s_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Days in month m of astronomical year y. */
static int
s_days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);

    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads n digits at s[*i] into *v; returns false when they are not all digits. */
static bool
s_digits(const char *s, size_t len, size_t *i, int n, int *v)
{
    *v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return false;
        *v = *v * 10 + (s[*i] - '0');
    }
    return true;
}

/* True when s/len is " HH:MM:SS[.f...][(+|-)HH[:MM[:SS]]]" (a timestamp's rest). */
static bool
s_time_valid(const char *s, size_t len)
{
    size_t i = 0;
    int h, m, sec;

    if (len == 0 || s[i++] != ' ' || !s_digits(s, len, &i, 2, &h) || h > 24 || i >= len ||
        s[i++] != ':' || !s_digits(s, len, &i, 2, &m) || m > 59 || i >= len || s[i++] != ':' ||
        !s_digits(s, len, &i, 2, &sec) || sec > 60)
        return false;
    if (i < len && s[i] == '.') {
        size_t start = ++i;

        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        i++;
        if (!s_digits(s, len, &i, 2, &h))
            return false;
        for (int part = 0; part < 2 && i < len && s[i] == ':'; part++) {
            i++;
            if (!s_digits(s, len, &i, 2, &m) || m > 59)
                return false;
        }
    }
    return i == len;
}

/* Reads an ISO date or timestamp. Returns 0, or -1 when in/len is not one. */
static int
s_when_parse(const char *in, size_t len, s_when_t *w)
{
    size_t i = 0;
    int n = 0;
    bool bc = false;

    if (len >= 3 && memcmp(in + len - 3, " BC", 3) == 0) {
        bc = true;
        len -= 3;
    }
    w->year = 0;
    while (i < len && in[i] >= '0' && in[i] <= '9' && n < 8) {
        w->year = w->year * 10 + (in[i++] - '0');
        n++;
    }
    if (n < 4 || n > 7 || i >= len || in[i++] != '-' || !s_digits(in, len, &i, 2, &w->month) ||
        i >= len || in[i++] != '-' || !s_digits(in, len, &i, 2, &w->day))
        return -1;
    if (w->year == 0 || w->month < 1 || w->month > 12)
        return -1;
    if (bc)
        w->year = 1 - w->year;
    if (w->day < 1 || w->day > s_days_in_month(w->year, w->month))
        return -1;
    w->rest_off = i;
    w->rest_len = len - i;
    if (w->rest_len > 0 && !s_time_valid(in + i, w->rest_len))
        return -1;
    return 0;
}

int
mask_date_apply(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out,
                err_t *err)
{
    s_when_t w;
    int64_t z, lo, hi, min_z, max_z, count, shift, year;
    bool timestamp;
    char head[32];
    int month, day;

    if ((len == 8 && memcmp(in, "infinity", 8) == 0) ||
        (len == 9 && memcmp(in, "-infinity", 9) == 0)) {
        buf_append(out, in, len);
        return 0;
    }
    if (s_when_parse(in, len, &w) < 0)
        return s_value_error(rule, "not an ISO date or timestamp", err);
    timestamp = rule->col.kind == MASK_COL_TIMESTAMP || rule->col.kind == MASK_COL_TIMESTAMPTZ ||
                (rule->col.kind == MASK_COL_UNKNOWN && w.rest_len > 0);
    if (rule->col.kind == MASK_COL_DATE && w.rest_len > 0)
        return s_value_error(rule, "not an ISO date", err);
    /* PostgreSQL's range; a timestamp with a time zone may print one day past it (a UTC
     * limit shown in a zone east or west of UTC), so it is read with that day of slack and
     * shifted to stay one day inside the range */
    z = s_days_from_civil(w.year, w.month, w.day);
    min_z = s_days_from_civil(-4713, 11, 24) + (timestamp ? 1 : 0);
    max_z = timestamp ? s_days_from_civil(294276, 12, 31) - 1 : s_days_from_civil(5874897, 12, 31);
    if (z < min_z - (timestamp ? 2 : 0) || z > max_z + (timestamp ? 2 : 0))
        return s_value_error(rule, "out of PostgreSQL's range", err);

    /* the shifts allowed: [lo, hi] without 0 */
    lo = -rule->days;
    hi = rule->days;
    if (rule->keep_year) {
        int64_t first = s_days_from_civil(w.year, 1, 1), last = s_days_from_civil(w.year, 12, 31);

        lo = lo > first - z ? lo : first - z;
        hi = hi < last - z ? hi : last - z;
    }
    lo = lo > min_z - z ? lo : min_z - z;
    hi = hi < max_z - z ? hi : max_z - z;
    count = hi - lo + 1 - (lo <= 0 && hi >= 0 ? 1 : 0);
    shift = 0;
    if (count > 0) {
        shift = lo + (int64_t) mask_prf_below(prf, (uint32_t) count);
        if (lo <= 0 && shift >= 0)
            shift++;
    }
    s_civil_from_days(z + shift, &year, &month, &day);
    buf_append(out, head,
               (size_t) snprintf(head, sizeof(head), "%04" PRId64 "-%02d-%02d",
                                 year > 0 ? year : 1 - year, month, day));
    buf_append(out, in + w.rest_off, w.rest_len);
    if (year <= 0)
        buf_append(out, " BC", 3);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* IP addresses                                                                             */
/* ---------------------------------------------------------------------------------------- */

/* An inet or cidr value. */
typedef struct s_inet {
    unsigned char addr[16]; /* the address, network order (4 bytes used for IPv4) */
    int bits;               /* 32 or 128 */
    int mask;               /* the /mask suffix, or -1 when absent */
} s_inet_t;

/* Reads ADDRESS[/MASK]. Returns 0, or -1. */
static int
s_inet_parse(const char *in, size_t len, s_inet_t *ip)
{
    const char *slash = memchr(in, '/', len);
    size_t alen = slash != NULL ? (size_t) (slash - in) : len;
    char text[64];

    if (alen == 0 || alen >= sizeof(text))
        return -1;
    memcpy(text, in, alen);
    text[alen] = '\0';
    if (inet_pton(AF_INET, text, ip->addr) == 1)
        ip->bits = 32;
    else if (inet_pton(AF_INET6, text, ip->addr) == 1)
        ip->bits = 128;
    else
        return -1;
    ip->mask = -1;
    if (slash != NULL) {
        size_t i = alen + 1;
        int digits = (int) (len - i);

        if (digits < 1 || digits > 3 || !s_digits(in, len, &i, digits, &ip->mask) ||
            ip->mask > ip->bits)
            return -1;
    }
    return 0;
}

/* True when the bits of ip past its mask are all zero (a valid cidr). */
static bool
s_inet_is_network(const s_inet_t *ip)
{
    int mask = ip->mask < 0 ? ip->bits : ip->mask;

    for (int b = mask; b < ip->bits; b++)
        if (ip->addr[b / 8] & (0x80 >> (b % 8)))
            return false;
    return true;
}

int
mask_ip_apply(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out,
              err_t *err)
{
    s_inet_t ip;
    char text[INET6_ADDRSTRLEN + 8];
    int keep, zero_from;

    if (s_inet_parse(in, len, &ip) < 0)
        return s_value_error(rule, "not an IP address", err);
    keep = ip.bits == 32 ? rule->prefix4 : rule->prefix6;
    zero_from = ip.bits;
    if (ip.mask >= 0 && (rule->col.kind == MASK_COL_CIDR || ip.mask < keep) &&
        s_inet_is_network(&ip)) {
        /* a network: keep it one (bits past the mask stay zero) */
        zero_from = ip.mask;
        keep = keep < ip.mask ? keep : ip.mask;
    }
    for (int b = 0; b < ip.bits; b += 8) {
        unsigned byte = mask_prf_byte(prf);

        for (int k = 0; k < 8; k++) {
            unsigned bit = 0x80u >> k;

            if (b + k < keep)
                continue;
            if (b + k >= zero_from)
                ip.addr[(b + k) / 8] &= (unsigned char) ~bit;
            else
                ip.addr[(b + k) / 8] =
                    (unsigned char) ((ip.addr[(b + k) / 8] & ~bit) | (byte & bit));
        }
    }
    if (inet_ntop(ip.bits == 32 ? AF_INET : AF_INET6, ip.addr, text, sizeof(text)) == NULL)
        return s_value_error(rule, "not an IP address", err);
    buf_append(out, text, strlen(text));
    if (ip.mask >= 0)
        buf_append(out, text, (size_t) snprintf(text, sizeof(text), "/%d", ip.mask));
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Constants                                                                                */
/* ---------------------------------------------------------------------------------------- */

/* True when s/len is a UUID as PostgreSQL reads one: 32 hex digits, hyphens between groups
 * of four, optionally in braces. */
static bool
s_uuid_valid(const char *s, size_t len)
{
    size_t i = 0, hex = 0;

    if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
        i = 1;
        len--;
    }
    for (; i < len; i++) {
        if (isxdigit((unsigned char) s[i]))
            hex++;
        else if (!(s[i] == '-' && hex > 0 && hex % 4 == 0 && hex < 32 && s[i - 1] != '-'))
            return false;
    }
    return hex == 32 && s[len - 1] != '-';
}

/* True when s/len is a boolean PostgreSQL reads. */
static bool
s_bool_valid(const char *s, size_t len)
{
    static const char *const words[] = {"true", "false", "t",  "f",   "yes", "no",
                                        "y",    "n",     "on", "off", "1",   "0"};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i]) == len && strncasecmp(s, words[i], len) == 0)
            return true;
    return false;
}

int
mask_constant_check(const mask_coltype_t *col, const char *type_text, const char *text, size_t len,
                    err_t *err)
{
    const char *problem = NULL;
    int64_t v;
    s_decimal_t dec;
    s_when_t w;
    s_inet_t ip;
    char buf[128];
    char *end;
    int rc;

    switch (col->kind) {
    case MASK_COL_TEXT:
        if (col->limit >= 0 && mask_utf8_chars(text, len) > (size_t) col->limit)
            problem = "is longer than the column";
        break;
    case MASK_COL_INT2:
    case MASK_COL_INT4:
    case MASK_COL_INT8:
        if (s_parse_int64(text, len, &v) < 0 ||
            (col->kind == MASK_COL_INT2 && (v < INT16_MIN || v > INT16_MAX)) ||
            (col->kind == MASK_COL_INT4 && (v < INT32_MIN || v > INT32_MAX)))
            problem = "is not an integer in the type's range";
        break;
    case MASK_COL_NUMERIC:
        if (s_is_special_number(text, len))
            break;
        rc = s_decimal_parse(text, len, &dec);
        if (rc == -1 || (rc == 0 && col->precision >= 0 &&
                         dec.intdig > col->precision - (col->scale > 0 ? col->scale : 0)))
            problem = "is not a number that fits the type";
        break;
    case MASK_COL_FLOAT4:
    case MASK_COL_FLOAT8:
        if (s_is_special_number(text, len))
            break;
        if (len == 0 || len >= sizeof(buf) || isspace((unsigned char) text[0])) {
            problem = "is not a floating-point number";
            break;
        }
        memcpy(buf, text, len);
        buf[len] = '\0';
        (void) strtod_l(buf, &end, mask_c_locale());
        if (end != buf + len)
            problem = "is not a floating-point number";
        break;
    case MASK_COL_UUID:
        if (!s_uuid_valid(text, len))
            problem = "is not a UUID";
        break;
    case MASK_COL_INET:
    case MASK_COL_CIDR:
        if (s_inet_parse(text, len, &ip) < 0 ||
            (col->kind == MASK_COL_CIDR && !s_inet_is_network(&ip)))
            problem = col->kind == MASK_COL_CIDR ? "is not a network address (cidr)"
                                                 : "is not an IP address";
        break;
    case MASK_COL_DATE:
    case MASK_COL_TIMESTAMP:
    case MASK_COL_TIMESTAMPTZ:
        if ((len == 8 && memcmp(text, "infinity", 8) == 0) ||
            (len == 9 && memcmp(text, "-infinity", 9) == 0))
            break;
        if (s_when_parse(text, len, &w) < 0 || (col->kind == MASK_COL_DATE && w.rest_len > 0))
            problem = col->kind == MASK_COL_DATE ? "is not an ISO date (YYYY-MM-DD)"
                                                 : "is not an ISO timestamp";
        break;
    case MASK_COL_JSON:
    case MASK_COL_JSONB:
        if (!mask_json_valid(text, len))
            problem = "is not valid JSON";
        break;
    case MASK_COL_BOOL:
        if (!s_bool_valid(text, len))
            problem = "is not a boolean";
        break;
    default:
        break;
    }
    if (problem == NULL)
        return 0;
    err_set(err, "rules", EXIT_CODE_CONFIG, "the value option of strategy value %s (%s)", problem,
            type_text);
    err_hint(err, "give a value PostgreSQL accepts for the column's type");
    return -1;
}
