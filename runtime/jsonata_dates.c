/*
 * jsonata_dates.c: JSONata's date functions ($toMillis, $fromMillis, $now,
 * $millis): civil dates from milliseconds and back, XPath picture strings
 * for formatting and parsing, ISO 8601.
 */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exec.h"
#include "hash.h"
#include "internal.h"
#include "jsonata.h"
#include "jsonata_internal.h"

/* ------------------------------------------------------------- dates */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct civil {
    int64_t year;
    int month, day, hour, minute, second, ms, wday, yday; /* wday: 1 Monday .. 7 Sunday */
} civil;

static civil civil_from_ms(double ms)
{
    int64_t t = (int64_t)floor(ms);
    int64_t days = t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
    int64_t rem = t - days * 86400000;
    civil c;
    c.hour = (int)(rem / 3600000);
    c.minute = (int)(rem / 60000 % 60);
    c.second = (int)(rem / 1000 % 60);
    c.ms = (int)(rem % 1000);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    int64_t wd = (days + 3) % 7; /* 1970-01-01 was a Thursday */
    c.wday = (int)(wd < 0 ? wd + 7 : wd) + 1;
    c.yday = (int)(days - days_from_civil(c.year, 1, 1)) + 1;
    return c;
}

static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                           "August", "September", "October", "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/* A name as a picture's presentation asks: N upper, n lower, Nn title,
 * cut to the width's maximum. */
static void put_name(sbuf *b, const char *name, const char *pres, int maxw)
{
    size_t len = strlen(name);
    if (maxw > 0 && (size_t)maxw < len)
        len = (size_t)maxw;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (pres[0] == 'N' && pres[1] != 'n')
            c = (char)toupper((unsigned char)c);
        else if (pres[0] == 'n' || i > 0)
            c = (char)tolower((unsigned char)c);
        jn_sb_putc(b, c);
    }
}

static void put_decimal(sbuf *b, int64_t v, const char *pres, int ordinal)
{
    int digits = 0;
    for (const char *p = pres; *p; p++)
        digits += isdigit((unsigned char)*p) != 0;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*lld", digits > 0 ? digits : 1, (long long)v);
    jn_sb_puts(b, tmp);
    if (ordinal) {
        int64_t t = v % 100;
        jn_sb_puts(b, (t >= 11 && t <= 13) ? "th" : v % 10 == 1 ? "st" : v % 10 == 2 ? "nd" : v % 10 == 3 ? "rd" : "th");
    }
}

/* [Z01:01], [Z0101], [Z01], [z]: the offset; with t, Z for UTC. */
static void put_offset(sbuf *b, int offset, char comp, const char *pres, int t)
{
    if (comp == 'z')
        jn_sb_puts(b, "GMT");
    if (t && offset == 0) {
        jn_sb_putc(b, 'Z');
        return;
    }
    int a = abs(offset), hh = a / 60, mm = a % 60;
    char tmp[24];
    char sign = offset < 0 ? '-' : '+';
    int digits = 0;
    for (const char *p = pres; *p && *p != ':'; p++)
        digits += isdigit((unsigned char)*p) != 0;
    if (strchr(pres, ':') || comp == 'z')
        snprintf(tmp, sizeof tmp, "%c%0*d:%02d", sign, digits == 1 ? 1 : 2, hh, mm);
    else if (digits <= 2 && mm)
        snprintf(tmp, sizeof tmp, "%c%0*d:%02d", sign, digits, hh, mm);
    else if (digits <= 2)
        snprintf(tmp, sizeof tmp, "%c%0*d", sign, digits, hh);
    else
        snprintf(tmp, sizeof tmp, "%c%02d%02d", sign, hh, mm);
    jn_sb_puts(b, tmp);
}

/* One [component presentation,width] marker. */
static void put_marker(ev *e, sbuf *b, const char *m, size_t mlen, const civil *c, int offset)
{
    char spec[64];
    size_t n = 0;
    for (size_t i = 0; i < mlen && n < sizeof spec - 1; i++)
        if (!isspace((unsigned char)m[i]))
            spec[n++] = m[i];
    spec[n] = '\0';
    if (!n)
        jn_fail(e, "D3132: Unknown component specifier \"\" in date/time picture string");
    char comp = spec[0];
    char pres[64] = "";
    int maxw = -1;
    char *width = strchr(spec + 1, ',');
    if (width) {
        char *dash = strchr(width, '-');
        if (dash && dash[1] && dash[1] != '*')
            maxw = atoi(dash + 1);
        *width = '\0';
    }
    snprintf(pres, sizeof pres, "%s", spec + 1);
    size_t pl = strlen(pres);
    int ordinal = pl > 1 && pres[pl - 1] == 'o' && isdigit((unsigned char)pres[pl - 2]);
    int tflag = pl > 0 && pres[pl - 1] == 't';
    if (ordinal || tflag)
        pres[pl - 1] = '\0';
    static const char defaults[] = "YMDdFWwXxHhPmsfZzCE";
    static const char *const dpres[] = {"1", "1", "1", "1", "n", "1", "1", "1", "1", "1", "1", "n",
                                        "01", "01", "1", "01:01", "01:01", "n", "n"};
    const char *cp = strchr(defaults, comp);
    if (!cp || !comp)
        jn_fail(e, "D3132: Unknown component specifier \"%c\" in date/time picture string", comp);
    if (!pres[0])
        snprintf(pres, sizeof pres, "%s", dpres[cp - defaults]);
    int named = pres[0] == 'N' || pres[0] == 'n';
    switch (comp) {
    case 'Y': {
        int digits = 0;
        for (const char *p = pres; *p; p++)
            digits += isdigit((unsigned char)*p) != 0;
        int64_t y = c->year;
        if (maxw > 0 && maxw < 19) /* 10^19 is past int64_t */
            y %= (int64_t)pow(10, maxw);
        else if (digits == 2)
            y %= 100;
        put_decimal(b, y, pres, ordinal);
        break;
    }
    case 'M':
        if (named)
            put_name(b, month_names[c->month - 1], pres, maxw);
        else
            put_decimal(b, c->month, pres, ordinal);
        break;
    case 'D': put_decimal(b, c->day, pres, ordinal); break;
    case 'd': put_decimal(b, c->yday, pres, ordinal); break;
    case 'F':
        if (named)
            put_name(b, day_names[c->wday - 1], pres, maxw);
        else
            put_decimal(b, c->wday, pres, ordinal);
        break;
    case 'H': put_decimal(b, c->hour, pres, ordinal); break;
    case 'h': put_decimal(b, c->hour % 12 ? c->hour % 12 : 12, pres, ordinal); break;
    case 'P': put_name(b, c->hour < 12 ? "am" : "pm", pres[0] == 'N' ? "N" : "n", maxw); break;
    case 'm': put_decimal(b, c->minute, pres, ordinal); break;
    case 's': put_decimal(b, c->second, pres, ordinal); break;
    case 'f': put_decimal(b, c->ms, pres, ordinal); break;
    case 'Z':
    case 'z': put_offset(b, offset, comp, pres, tflag); break;
    case 'W': case 'w': case 'X': case 'x': {
        /* ISO weeks: a week (Monday to Sunday) belongs to the year, or
         * month, of its Thursday, and is numbered by which Thursday it is */
        int64_t days = days_from_civil(c->year, c->month, c->day);
        civil thu = civil_from_ms((double)(days + 4 - c->wday) * 86400000.0);
        int64_t v = comp == 'W' ? (thu.yday - 1) / 7 + 1 : comp == 'X' ? thu.year
                  : comp == 'w' ? (thu.day - 1) / 7 + 1 : thu.month;
        put_decimal(b, v, pres, ordinal);
        break;
    }
    case 'C':
    case 'E': jn_sb_puts(b, "ISO"); break;
    }
}

/* $fromMillis / $now: ms formatted by an XPath picture string (or as
 * ISO 8601), at a "+hhmm" time zone offset. */
static jv *format_time(ev *e, double ms, jv *picture, jv *tz)
{
    if (!(fabs(ms) <= 8.64e15)) /* JavaScript's range of dates */
        jn_fail(e, "D3137: The number %s is out of the range of dates", jn_show(e, jn_num(e, ms)));
    int offset = 0;
    if (tz) {
        long v = strtol(tz->s, NULL, 10);
        if (v > 9999 || v < -9999)
            jn_fail(e, "D3134: The timezone integer format specifier cannot have more than four digits");
        offset = (int)(v / 100 * 60 + v % 100);
    }
    const char *pic = picture ? picture->s : "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
    civil c = civil_from_ms(ms + offset * 60000.0);
    sbuf b = {e, 0, 0, 0};
    for (const char *p = pic; *p;) {
        if (p[0] == '[' && p[1] == '[') {
            jn_sb_putc(&b, '[');
            p += 2;
        } else if (p[0] == ']' && p[1] == ']') {
            jn_sb_putc(&b, ']');
            p += 2;
        } else if (*p == '[') {
            const char *end = strchr(p, ']');
            if (!end)
                jn_fail(e, "D3135: No matching closing bracket ']' in date/time picture string");
            put_marker(e, &b, p + 1, (size_t)(end - p - 1), &c, offset);
            p = end + 1;
        } else {
            jn_sb_putc(&b, *p++);
        }
    }
    return jn_str_n(e, jn_sb_str(&b), b.len);
}

static int digits_at(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        *out = *out * 10 + (s[i] - '0');
    }
    return 1;
}

/* ISO 8601 as JSONata's $toMillis accepts it: YYYY[-MM[-DD]][THH:MM:SS
 * [.fff]][Z|+hh:mm|+hhmm]. No offset means UTC. */
static int iso_millis(const char *s, double *out)
{
    int y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, off = 0;
    double frac = 0;
    if (!digits_at(s, 4, &y))
        return 0;
    s += 4;
    if (*s == '-') {
        if (!digits_at(s + 1, 2, &mo) || mo < 1 || mo > 12)
            return 0;
        s += 3;
        if (*s == '-') {
            if (!digits_at(s + 1, 2, &d) || d < 1 || d > 31)
                return 0;
            s += 3;
        }
    }
    if (*s == 'T') {
        if (!digits_at(s + 1, 2, &h) || s[3] != ':' || !digits_at(s + 4, 2, &mi) || s[6] != ':' ||
            !digits_at(s + 7, 2, &sec) || h > 24 || mi > 59 || sec > 59)
            return 0;
        s += 9;
        if (*s == '.') {
            const char *f = ++s;
            while (isdigit((unsigned char)*s))
                s++;
            if (s == f)
                return 0;
            frac = strtod(f - 1, NULL);
        }
    }
    if (*s == 'Z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int oh, om;
        int sign = *s == '-' ? -1 : 1;
        if (!digits_at(s + 1, 2, &oh))
            return 0;
        s += 3;
        if (*s == ':')
            s++;
        if (!digits_at(s, 2, &om))
            return 0;
        s += 2;
        off = sign * (oh * 60 + om);
    }
    if (*s)
        return 0;
    double days = (double)days_from_civil(y, mo, d);
    *out = ((days * 24 + h) * 60 + mi - off) * 60000.0 + sec * 1000.0 + floor(frac * 1000 + 1e-9);
    return 1;
}

/* $toMillis with a picture: reads the components the picture names. */
static int picture_millis(ev *e, const char *s, const char *pic, double *out)
{
    int64_t y = INT64_MIN;
    int mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0, off = 0, pm = -1;
    for (const char *p = pic; *p;) {
        if (*p != '[' || p[1] == '[') {
            int lit = (*p == '[' || *p == ']') && p[1] == *p ? 2 : 1;
            if (*s != *p)
                return 0;
            s++;
            p += lit;
            continue;
        }
        const char *end = strchr(p, ']');
        if (!end)
            jn_fail(e, "D3135: No matching closing bracket ']' in date/time picture string");
        char comp = p[1];
        const char *pres = p + 2;
        int named = *pres == 'N' || *pres == 'n';
        int width = 0;
        for (const char *q = pres; q < end && isdigit((unsigned char)*q); q++)
            width++;
        int next_is_marker = end[1] == '[' && end[2] != '[';
        p = end + 1;
        if (comp == 'M' && named) {
            int found = 0;
            for (int i = 0; i < 12 && !found; i++)
                for (size_t len = strlen(month_names[i]); len >= 3 && !found; len = len > 3 ? 3 : 0)
                    if (!strncasecmp(s, month_names[i], len)) {
                        mo = i + 1;
                        s += len;
                        found = 1;
                    }
            if (!found)
                return 0;
            continue;
        }
        if (comp == 'P') {
            if (!strncasecmp(s, "am", 2) || !strncasecmp(s, "pm", 2)) {
                pm = tolower((unsigned char)s[0]) == 'p';
                s += 2;
                continue;
            }
            return 0;
        }
        if (comp == 'Z' || comp == 'z') {
            if (comp == 'z' && !strncmp(s, "GMT", 3))
                s += 3;
            if (*s == 'Z') {
                s++;
                continue;
            }
            if (*s != '+' && *s != '-')
                return 0;
            int sign = *s++ == '-' ? -1 : 1, oh, om = 0;
            if (!digits_at(s, 2, &oh))
                return 0;
            s += 2;
            if (*s == ':')
                s++;
            if (digits_at(s, 2, &om))
                s += 2;
            off = sign * (oh * 60 + om);
            continue;
        }
        const char *start = s;
        int64_t v = 0;
        int maxd = next_is_marker && width ? width : 9;
        while (isdigit((unsigned char)*s) && s - start < maxd)
            v = v * 10 + (*s++ - '0');
        if (s == start)
            return 0;
        switch (comp) {
        case 'Y': y = v; break;
        case 'M': mo = (int)v; break;
        case 'D': d = (int)v; break;
        case 'H': case 'h': h = (int)v; break;
        case 'm': mi = (int)v; break;
        case 's': sec = (int)v; break;
        case 'f': ms = (int)((double)v * pow(10, 3 - (int)(s - start))); break;
        default: jn_fail(e, "D3136: The date/time picture string is missing specifiers required to parse the timestamp");
        }
    }
    if (*s)
        return 0;
    if (y == INT64_MIN)
        jn_fail(e, "D3136: The date/time picture string is missing specifiers required to parse the timestamp");
    if (pm >= 0)
        h = h % 12 + (pm ? 12 : 0);
    double days = (double)days_from_civil(y, mo, d);
    *out = ((days * 24 + h) * 60 + mi - off) * 60000.0 + sec * 1000.0 + ms;
    return 1;
}

jv *jn_f_to_millis(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double ms;
    if (n > 1 && a[1]) {
        if (!picture_millis(e, a[0]->s, a[1]->s, &ms))
            return NULL;
        return jn_num(e, ms);
    }
    if (!iso_millis(a[0]->s, &ms))
        jn_fail(e, "D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given %s",
             jn_show(e, a[0]));
    return jn_num(e, ms);
}

jv *jn_f_from_millis(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    return format_time(e, a[0]->n, n > 1 ? a[1] : NULL, n > 2 ? a[2] : NULL);
}

jv *jn_f_now(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    return format_time(e, e->now_ms, n > 0 ? a[0] : NULL, n > 1 ? a[1] : NULL);
}

jv *jn_f_millis(ev *e, jv **a, int n, jv *in)
{
    (void)a, (void)n, (void)in;
    return jn_num(e, e->now_ms);
}
