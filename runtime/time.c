/*
 * time.c: timestamps as ASL reads and writes them.
 *
 * Reading: "Timestamps MUST conform to the RFC3339 profile of ISO 8601, with
 * the further restrictions that an uppercase T MUST be used to separate date
 * and time, and an uppercase Z MUST be present in the absence of a numeric
 * time zone offset" (ASL spec), e.g. 2016-03-14T01:59:00Z or
 * 2016-03-14T01:59:00.123+01:00. Within that profile we follow what AWS's
 * Java parser (ISO_OFFSET_DATE_TIME, strict resolver) accepts: at most nine
 * fraction digits, real calendar dates only, seconds 00..59 (no leap second)
 * and offsets up to +-18:00. Everything else (no offset, a space instead of
 * T, hour 25, ...) is not a timestamp.
 *
 * Writing: the context object's form, UTC with milliseconds,
 * 2024-01-02T03:04:05.678Z, by hand: no locale, no libc time zone state.
 */
#include <stdio.h>

#include "internal.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse: the date of a day number. */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n decimal digits. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYYY-MM-DDTHH:MM:SS" into f[0..5], range-checked. */
static bool parse_date_time(const char *s, int f[6])
{
    if (!digits(s, 4, &f[0]) || s[4] != '-' || !digits(s + 5, 2, &f[1]) || s[7] != '-' ||
        !digits(s + 8, 2, &f[2]) || s[10] != 'T' || !digits(s + 11, 2, &f[3]) ||
        s[13] != ':' || !digits(s + 14, 2, &f[4]) || s[16] != ':' ||
        !digits(s + 17, 2, &f[5]))
        return false;
    return f[1] >= 1 && f[1] <= 12 && f[2] >= 1 && f[2] <= days_in_month(f[0], f[1]) &&
           f[3] <= 23 && f[4] <= 59 && f[5] <= 59;
}

/* ".fffffffff": one to nine digits, as a fraction of a second. */
static const char *parse_fraction(const char *s, double *frac)
{
    *frac = 0;
    if (*s != '.')
        return s;
    s++;
    double scale = 1;
    long v = 0;
    int n = 0;
    for (; *s >= '0' && *s <= '9'; s++, n++) {
        if (n == 9)
            return NULL;
        v = v * 10 + (*s - '0');
        scale *= 10;
    }
    if (n == 0)
        return NULL;
    *frac = (double)v / scale;
    return s;
}

/* "Z" or "+HH:MM" / "-HH:MM" (at most 18:00), in seconds east of UTC. */
static bool parse_offset(const char *s, int *off)
{
    if (s[0] == 'Z' && s[1] == '\0') {
        *off = 0;
        return true;
    }
    int h, m;
    if ((s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &h) || s[3] != ':' ||
        !digits(s + 4, 2, &m) || s[6] != '\0')
        return false;
    if (m > 59 || h > 18 || (h == 18 && m > 0))
        return false;
    *off = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

bool asl_timestamp_parse(const char *s, double *epoch)
{
    int f[6], off;
    double frac;
    if (!s || !parse_date_time(s, f))
        return false;
    const char *p = parse_fraction(s + 19, &frac);
    if (!p || !parse_offset(p, &off))
        return false;
    long long secs = days_from_civil(f[0], f[1], f[2]) * 86400LL + f[3] * 3600 + f[4] * 60 +
                     f[5] - off;
    *epoch = (double)secs + frac;
    return true;
}

/* Writes v as n digits, zero-padded. */
static char *put_digits(char *p, long long v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + n;
}

static long long floor_div(long long a, long long b)
{
    long long q = a / b;
    return q * b > a ? q - 1 : q;
}

void asl_timestamp_format(double epoch, char *buf)
{
    /* Round to the nearest millisecond: clock readings such as x.678 are
     * stored as x.67799999... and must not print as .677. */
    double x = epoch * 1000.0 + 0.5;
    if (!(x > -9e18 && x < 9e18)) /* NaN or beyond any calendar */
        x = 0;
    long long ms = (long long)x;
    if ((double)ms > x)
        ms--;
    long long secs = floor_div(ms, 1000), days = floor_div(secs, 86400);
    int sod = (int)(secs - days * 86400), milli = (int)(ms - secs * 1000);
    long long y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = buf;
    if (y < 0 || y > 9999)
        p += snprintf(p, 16, "%+lld", y);
    else
        p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sod % 60, 2);
    *p++ = '.';
    p = put_digits(p, milli, 3);
    *p++ = 'Z';
    *p = '\0';
}
