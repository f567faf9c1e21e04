/*
 * jsonata_dates.c: JSONata's date functions ($toMillis, $fromMillis, $now,
 * $millis): civil dates from milliseconds and back, and XPath's picture
 * strings (format-dateTime) for formatting and parsing them, with ISO
 * 8601 as the default.
 *
 * As jsonata-js does it: a picture is cut into literals and [markers]; a
 * marker's number is written by the integer pictures of jsonata_format.c
 * ([Y0001], [D1o], [MI], [Yw]); names ([FNn], [MN,*-3]) come from English
 * tables. Parsing builds one regular expression from the picture (each
 * part a group), then fills in what the text did not give: components
 * more significant than those given come from $now(), less significant
 * ones are the start of their range, and a gap between given ones is an
 * error (D3136).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata.h"
#include "jsonata_internal.h"

#define DAY_MS 86400000.0

/* ------------------------------------------------------------- the calendar */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m may run past 1..12). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y += (m - 1 >= 0 ? (m - 1) / 12 : -((12 - m) / 12));
    m = ((m - 1) % 12 + 12) % 12 + 1;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct civil {
    int64_t year;
    int month, day, hour, minute, second, ms; /* month 1..12 */
    int64_t days;                              /* since 1970-01-01 */
    double t;                                  /* the milliseconds */
} civil;

static civil civil_from_ms(double ms)
{
    civil c;
    c.t = trunc(ms); /* a Date keeps whole milliseconds */
    int64_t t = (int64_t)c.t;
    int64_t days = t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
    int64_t rem = t - days * 86400000;
    c.days = days;
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
    return c;
}

/* 1 Monday .. 7 Sunday */
static int weekday(int64_t days)
{
    int64_t wd = (days + 3) % 7; /* 1970-01-01 was a Thursday */
    return (int)(wd < 0 ? wd + 7 : wd) + 1;
}

/* The day the first week of a month starts (month 0..11, may run over):
 * ISO 8601's first week holds the first Thursday, and XPath counts the
 * weeks of a month the same way. */
static int64_t first_week(int64_t year, int64_t month0)
{
    int64_t first = days_from_civil(year, month0 + 1, 1);
    int dow = weekday(first);
    return dow > 4 ? first + (8 - dow) : first - (dow - 1);
}

static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                           "August", "September", "October", "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/* A component's value at the moment c (0 for Z and z, the offset being
 * applied already; -1 for a letter that is no component). */
static double component(const civil *c, char comp)
{
    int64_t today = days_from_civil(c->year, c->month, c->day);
    switch (comp) {
    case 'Y': return (double)c->year;
    case 'M': return c->month;
    case 'D': return c->day;
    case 'd': return (double)(today - days_from_civil(c->year, 1, 1) + 1);
    case 'F': return weekday(today);
    case 'W': {
        double week = (double)(today - first_week(c->year, 0)) / 7 + 1;
        if (week > 52 && today >= first_week(c->year + 1, 0))
            week = 1;
        else if (week < 1)
            week = (double)(today - first_week(c->year - 1, 0)) / 7 + 1;
        return floor(week);
    }
    case 'w': {
        double week = (double)(today - first_week(c->year, c->month - 1)) / 7 + 1;
        if (week > 4 && today >= first_week(c->year, c->month))
            week = 1;
        else if (week < 1)
            week = (double)(today - first_week(c->year, c->month - 2)) / 7 + 1;
        return floor(week);
    }
    case 'X':
        if (c->t < (double)first_week(c->year, 0) * DAY_MS)
            return (double)(c->year - 1);
        return c->t >= (double)first_week(c->year + 1, 0) * DAY_MS ? (double)(c->year + 1) : (double)c->year;
    case 'x':
        if (c->t < (double)first_week(c->year, c->month - 1) * DAY_MS)
            return c->month == 1 ? 12 : c->month - 1;
        if (c->t >= (double)first_week(c->year, c->month) * DAY_MS)
            return c->month == 12 ? 1 : c->month + 1;
        return c->month;
    case 'H': return c->hour;
    case 'h': return c->hour % 12 ? c->hour % 12 : 12;
    case 'm': return c->minute;
    case 's': return c->second;
    case 'f': return c->ms;
    case 'Z':
    case 'z': return 0;
    }
    return -1;
}

/* ------------------------------------------------------------- pictures */

typedef enum { NAMES_NONE, NAMES_LOWER, NAMES_UPPER, NAMES_TITLE } names_case;

/* A picture part: a literal (comp 0), or a [marker]. */
typedef struct dpart {
    char comp;
    const char *literal;
    const char *pres1;     /* first presentation modifier */
    char pres2;            /* a, t, c, o or 0 */
    names_case names;
    int has_width;
    double wmin, wmax;     /* NAN: absent (or *) */
    ipic ifmt;
    int has_ifmt;
    int n;                 /* Y: the digits kept (-1 all) */
} dpart;

typedef struct dpicture {
    dpart *parts;
    int n;
} dpicture;

static const char default_comps[] = "YMDdFWwXxHhPmsfZzCE";
static const char *const default_pres[] = {"1", "1", "1", "1", "n", "1", "1", "1", "1", "1", "1", "n",
                                           "01", "01", "1", "01:01", "01:01", "n", "n"};

static void add_part(ev *e, dpicture *p, dpart part)
{
    dpart *parts = jn_alloc(e, sizeof *parts * (size_t)(p->n + 1));
    if (p->n)
        memcpy(parts, p->parts, sizeof *parts * (size_t)p->n);
    parts[p->n++] = part;
    p->parts = parts;
}

/* A literal between markers, "]]" read as "]". */
static void add_literal(ev *e, dpicture *p, const char *s, size_t n)
{
    if (!n)
        return;
    sbuf b = {e, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        jn_sb_putc(&b, s[i]);
        if (s[i] == ']' && i + 1 < n && s[i + 1] == ']')
            i++;
    }
    add_part(e, p, (dpart){.literal = jn_sb_str(&b)});
}

/* parseInt of a width: a number, or NAN for "*", absent or no digits. */
static double width_of(const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '*'))
        return NAN;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 31 ? n : 31), s);
    char *end;
    double v = (double)strtol(tmp, &end, 10);
    return end == tmp ? NAN : v;
}

static void parse_width(dpart *d, const char *w)
{
    const char *dash = strchr(w, '-');
    d->has_width = 1;
    d->wmin = width_of(w, dash ? (size_t)(dash - w) : strlen(w));
    d->wmax = dash ? width_of(dash + 1, strlen(dash + 1)) : NAN;
}

/* One marker's text (between the brackets, white space removed). */
static dpart parse_marker(ev *e, const char *m)
{
    dpart d = {.comp = m[0]};
    size_t mlen = strlen(m);
    const char *comma = strrchr(m, ',');
    size_t pend = comma ? (size_t)(comma - m) : mlen;
    size_t plen = pend > 1 ? pend - 1 : 0;
    if (comma)
        parse_width(&d, comma + 1);
    char *pres = jn_sdup(e, mlen ? m + 1 : m, plen);
    if (plen > 1 && strchr("atco", pres[plen - 1])) {
        d.pres2 = pres[plen - 1];
        pres[plen - 1] = '\0';
    }
    if (plen == 0) {
        const char *dc = d.comp ? strchr(default_comps, d.comp) : NULL;
        if (!dc)
            jn_fail(e, "D3132: Unknown component specifier %c in date/time picture string", d.comp ? d.comp : ' ');
        pres = (char *)default_pres[dc - default_comps];
    }
    d.pres1 = pres;
    if (pres[0] == 'n')
        d.names = NAMES_LOWER;
    else if (pres[0] == 'N')
        d.names = pres[1] == 'n' ? NAMES_TITLE : NAMES_UPPER;
    else if (d.comp && strchr("YMDdFWwXxHhmsf", d.comp)) {
        char *with = jn_alloc(e, strlen(pres) + 3);
        sprintf(with, d.pres2 ? "%s;%c" : "%s", pres, d.pres2);
        jn_ipic_parse(e, with, &d.ifmt);
        d.has_ifmt = 1;
        if (d.has_width && !isnan(d.wmin) && d.ifmt.mandatory < d.wmin)
            d.ifmt.mandatory = d.wmin > 1000 ? 1000 : (int)d.wmin;
        if (d.comp == 'Y') {
            d.n = -1;
            if (d.has_width && !isnan(d.wmax)) {
                d.n = d.wmax > 1000 ? 1000 : d.wmax < -1000 ? -1000 : (int)d.wmax;
                d.ifmt.mandatory = d.n;
            } else if (d.ifmt.mandatory + d.ifmt.optional >= 2) {
                d.n = d.ifmt.mandatory + d.ifmt.optional;
            }
        }
    }
    if (d.comp == 'Z' || d.comp == 'z') {
        jn_ipic_parse(e, pres, &d.ifmt);
        d.has_ifmt = 1;
    }
    return d;
}

static dpicture parse_picture(ev *e, const char *pic)
{
    dpicture p = {0};
    size_t start = 0, pos = 0, len = strlen(pic);
    while (pos < len) {
        if (pic[pos] != '[') {
            pos++;
            continue;
        }
        if (pic[pos + 1] == '[') {
            add_literal(e, &p, pic + start, pos - start);
            add_part(e, &p, (dpart){.literal = "["});
            pos += 2;
            start = pos;
            continue;
        }
        add_literal(e, &p, pic + start, pos - start);
        const char *end = strchr(pic + pos, ']');
        if (!end)
            jn_fail(e, "D3135: No matching closing bracket ']' in date/time picture string");
        sbuf m = {e, 0, 0, 0};
        for (const char *q = pic + pos + 1; q < end; q++)
            if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != '\f' && *q != '\v')
                jn_sb_putc(&m, *q);
        add_part(e, &p, parse_marker(e, jn_sb_str(&m)));
        pos = (size_t)(end - pic) + 1;
        start = pos;
    }
    add_literal(e, &p, pic + start, pos - start);
    return p;
}

/* ------------------------------------------------------------- formatting */

static void put_name(sbuf *b, const char *name, const dpart *d)
{
    size_t len = strlen(name);
    if (d->has_width && !isnan(d->wmax) && d->wmax >= 0 && (double)len > d->wmax)
        len = (size_t)d->wmax;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (d->names == NAMES_UPPER && c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        else if (d->names == NAMES_LOWER && c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        jn_sb_putc(b, c);
    }
}

static void put_jv(sbuf *b, jv *s)
{
    jn_sb_put(b, s->s, s->slen);
}

/* [Z...] and [z...]: the offset (hours and minutes, as jsonata-js splits
 * the +hhmm argument) in the marker's integer picture. */
static void put_offset(ev *e, sbuf *b, const dpart *d, int oh, int om)
{
    int offset = oh * 100 + om;
    sbuf v = {e, 0, 0, 0};
    if (d->ifmt.regular) {
        put_jv(&v, jn_format_integer(e, offset, &d->ifmt));
    } else if (d->ifmt.mandatory == 1 || d->ifmt.mandatory == 2) {
        put_jv(&v, jn_format_integer(e, oh, &d->ifmt));
        if (om != 0) {
            ipic two;
            jn_ipic_parse(e, "00", &two);
            jn_sb_putc(&v, ':');
            put_jv(&v, jn_format_integer(e, om, &two));
        }
    } else if (d->ifmt.mandatory == 3 || d->ifmt.mandatory == 4) {
        put_jv(&v, jn_format_integer(e, offset, &d->ifmt));
    } else {
        jn_fail(e, "D3134: The timezone integer format specifier cannot have more than four digits");
    }
    if (offset == 0 && d->pres2 == 't') {
        jn_sb_putc(b, 'Z');
        return;
    }
    if (d->comp == 'z')
        jn_sb_puts(b, "GMT");
    if (offset >= 0)
        jn_sb_putc(b, '+');
    jn_sb_puts(b, jn_sb_str(&v));
}

static void put_marker(ev *e, sbuf *b, const dpart *d, const civil *c, int oh, int om)
{
    char comp = d->comp;
    if (comp && strchr("YMDdFWwXxHhms", comp)) {
        double v = component(c, comp);
        if (comp == 'Y' && d->n != -1)
            v = d->n > 300 ? v : fmod(v, pow(10, d->n)); /* 10^n past any year: the year itself */
        if (d->names != NAMES_NONE) {
            if (comp == 'M' || comp == 'x')
                put_name(b, month_names[(int)v - 1], d);
            else if (comp == 'F')
                put_name(b, day_names[(int)v - 1], d);
            else
                jn_fail(e, "D3133: The 'name' modifier is not supported for the %c component", comp);
            return;
        }
        put_jv(b, jn_format_integer(e, v, &d->ifmt));
    } else if (comp == 'f') {
        if (!d->has_ifmt)
            jn_fail(e, "D3133: The 'name' modifier is not supported for the f component");
        put_jv(b, jn_format_integer(e, component(c, 'f'), &d->ifmt));
    } else if (comp == 'Z' || comp == 'z') {
        put_offset(e, b, d, oh, om);
    } else if (comp == 'P') {
        jn_sb_puts(b, c->hour >= 12 ? "pm" : "am");
    } else if (comp == 'C' || comp == 'E') {
        jn_sb_puts(b, "ISO");
    } else {
        jn_sb_puts(b, "undefined"); /* what jsonata-js writes for a letter that is no component */
    }
}

/* $fromMillis / $now: ms formatted by a picture (default ISO 8601), at a
 * time zone given as "+hhmm". */
static jv *format_time(ev *e, double ms, jv *picture, jv *tz)
{
    if (!(fabs(ms) <= 8.64e15)) /* JavaScript's range of dates */
        jn_fail(e, "D3137: The number %s is out of the range of dates", jn_show(e, jn_num(e, ms)));
    int oh = 0, om = 0;
    if (tz) {
        long v = strtol(tz->s, NULL, 10); /* parseInt */
        if (v > 999999 || v < -999999)
            jn_fail(e, "D3134: The timezone integer format specifier cannot have more than four digits");
        oh = (int)floor((double)v / 100);
        om = (int)(v % 100);
    }
    dpicture p = parse_picture(e, picture ? picture->s : "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
    civil c = civil_from_ms(ms + (60.0 * oh + om) * 60000.0);
    sbuf b = {e, 0, 0, 0};
    for (int i = 0; i < p.n; i++) {
        if (p.parts[i].comp)
            put_marker(e, &b, &p.parts[i], &c, oh, om);
        else
            jn_sb_puts(&b, p.parts[i].literal);
    }
    return jn_str_n(e, jn_sb_str(&b), b.len);
}

/* ------------------------------------------------------------- ISO 8601 */

static int digits_at(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        *out = *out * 10 + (s[i] - '0');
    }
    return 1;
}

/* Date.parse's ISO 8601: YYYY[-MM[-DD]][THH:MM:SS[.fff]][Z|+hh:mm|+hhmm],
 * no offset read as UTC. 0 when it is no such date (NaN). */
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
            while (*s >= '0' && *s <= '9')
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

/* What $toMillis accepts without a picture (jsonata-js's pattern, before
 * Date.parse has its say). */
static int iso_shape(ev *e, const char *s)
{
    static const char pattern[] =
        "^\\d{4}(-[01]\\d)*(-[0-3]\\d)*(T[0-2]\\d:[0-5]\\d:[0-5]\\d)*(\\.\\d+)?([+-][0-2]\\d:?[0-5]\\d|Z)?$";
    const char *err;
    const rx *re = jn_rx_cached(pattern, sizeof pattern - 1, 0, jn_arena_cb, e, &err);
    size_t caps[2 * 8];
    long steps = 0;
    return re && re->ngroups < 8 && jn_rx_search(re, s, strlen(s), 0, caps, &steps) == 1;
}

/* ------------------------------------------------------------- parsing */

/* The regular expression one picture part matches; before another
 * marker (no literal between) a number takes exactly its mandatory
 * digits ([Y0001][M01][D01] reads 20180205). */
static void part_regex(ev *e, sbuf *b, const dpart *d, const dpart *next)
{
    if (!d->comp) {
        for (const char *q = d->literal; *q; q++) {
            if (strchr(".*+?^${}()|[]\\", *q))
                jn_sb_putc(b, '\\');
            jn_sb_putc(b, *q);
        }
    } else if (d->comp == 'Z' || d->comp == 'z') {
        jn_sb_puts(b, d->comp == 'z' ? "GMT[-+][0-9]+" : "[-+][0-9]+");
        if (d->ifmt.regular) {
            char tmp[4];
            jn_sb_put(b, tmp, jn_u8_put(tmp, d->ifmt.sepch[0]));
            jn_sb_puts(b, "[0-9]+");
        }
    } else if (d->has_ifmt) {
        int fixed = d->comp == 'Y' ? d->n : 0;
        if (next && next->comp && d->ifmt.kind == IP_DECIMAL && d->ifmt.mandatory > 0)
            fixed = d->ifmt.mandatory;
        jn_ipic_regex(b, &d->ifmt, fixed);
    } else if (d->comp == 'M' || d->comp == 'x' || d->comp == 'F' || d->comp == 'P') {
        jn_sb_puts(b, "[a-zA-Z]+");
    } else {
        jn_fail(e, "D3133: The 'name' modifier is not supported for the %c component", d->comp);
    }
}

/* A name's value: months 1..12, days 1..7, am 0 / pm 1 (the text as
 * written: the lookup is exact, the match was not); NAN when unknown. */
static double name_value(const dpart *d, const char *s)
{
    if (d->comp == 'P')
        return !strcmp(s, "am") || !strcmp(s, "AM") ? 0 : !strcmp(s, "pm") || !strcmp(s, "PM") ? 1 : NAN;
    int months = d->comp != 'F';
    for (int i = 0; i < (months ? 12 : 7); i++) {
        const char *name = months ? month_names[i] : day_names[i];
        size_t len = strlen(name);
        if (d->has_width && d->wmax > 0 && (double)len > d->wmax)
            len = (size_t)d->wmax;
        if (strlen(s) == len && !strncmp(s, name, len))
            return i + 1;
    }
    return NAN;
}

/* An offset in minutes, as jsonata-js reads it. */
static double offset_value(const dpart *d, const char *s)
{
    if (d->comp == 'z')
        s += 3;
    if (d->ifmt.regular) {
        char sep[5] = {0};
        jn_u8_put(sep, d->ifmt.sepch[0]);
        const char *at = strstr(s, sep);
        return strtol(s, NULL, 10) * 60.0 + (at ? strtol(at + strlen(sep), NULL, 10) : 0);
    }
    size_t digits = strlen(s) - 1;
    if (digits <= 2)
        return strtol(s, NULL, 10) * 60.0;
    char hh[4] = {s[0], s[1], s[2], 0};
    return strtol(hh, NULL, 10) * 60.0 + strtol(s + 3, NULL, 10);
}

/* The components given: value, or NAN when absent. */
enum { C_Y, C_X, C_M, C_x, C_W, C_w, C_d, C_D, C_F, C_P, C_H, C_h, C_m, C_s, C_f, C_Z, C_z, C__N };
static const char comp_letters[] = "YXMxWwdDFPHhmsfZz";

static int given(const double *v, int i)
{
    return !isnan(v[i]);
}

/* jsonata-js tells which date and time forms were given by bit masks of
 * components whose value is truthy (a 0 counts as absent there). */
static int mask_of(const double *v, const char *letters)
{
    int mask = 0;
    for (const char *l = letters; *l; l++) {
        double x = v[strchr(comp_letters, *l) - comp_letters];
        mask = mask << 1 | (!isnan(x) && x != 0);
    }
    return mask;
}

static int is_type(int type, int mask)
{
    return !(~type & mask) && (type & mask);
}

/* Date.UTC: fields may overflow into the next; years 0..99 mean 19xx. */
static double date_utc(double y, double mo, double d, double h, double mi, double s, double ms)
{
    if (isnan(y) || isnan(mo) || isnan(d) || isnan(h) || isnan(mi) || isnan(s) || isnan(ms))
        return NAN;
    y = trunc(y);
    if (y >= 0 && y <= 99)
        y += 1900;
    double ym = y + floor(mo / 12), mn = fmod(fmod(mo, 12) + 12, 12);
    /* JavaScript's dates end 8.64e15 ms either side of 1970 (about 275,760
     * years): past that a date is NaN, and the day count would overflow. */
    if (fabs(ym) > 300000 || fabs(d) > 1e9 || fabs(h) > 1e12 || fabs(mi) > 1e13 || fabs(s) > 1e15 ||
        fabs(ms) > 1e17)
        return NAN;
    double days = (double)days_from_civil((int64_t)ym, (int64_t)mn + 1, 1) + trunc(d) - 1;
    double t = days * DAY_MS + trunc(h) * 3600000.0 + trunc(mi) * 60000.0 + trunc(s) * 1000.0 + trunc(ms);
    return fabs(t) > 8.64e15 ? NAN : t;
}

/* Fills in what the text did not give and makes the timestamp. */
static jv *complete(ev *e, double *v)
{
    int dm = mask_of(v, "YXMxWwdD");
    int date_a = is_type(161, dm), date_b = !date_a && is_type(130, dm);
    int date_c = is_type(84, dm), date_d = !date_c && is_type(72, dm);
    int tm = mask_of(v, "PHhmsf");
    int time_a = is_type(23, tm), time_b = !time_a && is_type(47, tm);
    char comps[16];
    snprintf(comps, sizeof comps, "%s%s", date_b ? "YD" : date_c ? "XxwF" : date_d ? "XWF" : "YMD",
             time_b ? "Phmsf" : "Hmsf");
    civil now = civil_from_ms(jn_now_ms(e));
    int started = 0, ended = 0;
    for (const char *c = comps; *c; c++) {
        int i = (int)(strchr(comp_letters, *c) - comp_letters);
        if (!given(v, i)) {
            if (started) {
                v[i] = strchr("MDd", *c) ? 1 : 0;
                ended = 1;
            } else {
                v[i] = *c == 'P' ? 0 : component(&now, *c); /* jsonata-js's "am"/"pm" never equals 1 */
            }
        } else {
            started = 1;
            if (ended)
                jn_fail(e, "D3136: The date/time picture string is missing specifiers required to parse the timestamp");
        }
    }
    v[C_M] = v[C_M] > 0 ? v[C_M] - 1 : 0;
    if (date_b) {
        civil at = civil_from_ms(date_utc(v[C_Y], 0, 1, 0, 0, 0, 0) + (v[C_d] - 1) * DAY_MS);
        v[C_M] = at.month - 1;
        v[C_D] = at.day;
    }
    if (date_c || date_d)
        jn_fail(e, "D3136: The date/time picture string is missing specifiers required to parse the timestamp");
    if (time_b) {
        v[C_H] = v[C_h] == 12 ? 0 : v[C_h];
        if (v[C_P] == 1)
            v[C_H] += 12;
    }
    double ms = date_utc(v[C_Y], v[C_M], v[C_D], v[C_H], v[C_m], v[C_s], v[C_f]);
    double z = given(v, C_Z) && v[C_Z] != 0 ? v[C_Z] : given(v, C_z) ? v[C_z] : 0;
    if (!isnan(z))
        ms -= z * 60000.0;
    return isnan(ms) ? NULL : jn_num(e, ms);
}

/* $toMillis with a picture: undefined when the text does not match it. */
static jv *parse_time(ev *e, const char *text, const char *picture)
{
    dpicture p = parse_picture(e, picture);
    sbuf re_text = {e, 0, 0, 0};
    jn_sb_putc(&re_text, '^');
    for (int i = 0; i < p.n; i++) {
        jn_sb_putc(&re_text, '(');
        part_regex(e, &re_text, &p.parts[i], i + 1 < p.n ? &p.parts[i + 1] : NULL);
        jn_sb_putc(&re_text, ')');
    }
    jn_sb_putc(&re_text, '$');
    const char *err;
    const rx *re = jn_rx_cached(re_text.p, re_text.len, JN_RX_I, jn_arena_cb, e, &err);
    if (!re)
        jn_fail(e, "D3136: The date/time picture string cannot be read: %s", err);
    size_t *caps = jn_alloc(e, sizeof *caps * 2 * (size_t)(re->ngroups + 1));
    long steps = 0;
    int r = jn_rx_search(re, text, strlen(text), 0, caps, &steps);
    if (r < 0)
        jn_fail(e, "D3136: The timestamp is too complex to match against the picture");
    if (r == 0)
        return NULL;
    double v[C__N];
    for (int i = 0; i < C__N; i++)
        v[i] = NAN;
    int any = 0;
    for (int i = 0; i < p.n; i++) {
        const dpart *d = &p.parts[i];
        if (!d->comp)
            continue;
        const char *at = strchr(comp_letters, d->comp);
        char *s = jn_sdup(e, text + caps[2 * (i + 1)], caps[2 * (i + 1) + 1] - caps[2 * (i + 1)]);
        double x = d->comp == 'Z' || d->comp == 'z' ? offset_value(d, s)
                   : d->has_ifmt                   ? jn_parse_integer(e, s, &d->ifmt)
                                                   : name_value(d, s);
        any = 1;
        if (at && d->comp)
            v[at - comp_letters] = x;
    }
    if (!any)
        return NULL;
    return complete(e, v);
}

/* ------------------------------------------------------------- the functions */

jv *jn_f_to_millis(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    if (n > 1 && a[1])
        return parse_time(e, a[0]->s, a[1]->s);
    double ms;
    if (!iso_shape(e, a[0]->s))
        jn_fail(e, "D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given %s",
                jn_show(e, a[0]));
    return iso_millis(a[0]->s, &ms) ? jn_num(e, ms) : NULL;
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
    return format_time(e, jn_now_ms(e), n > 0 ? a[0] : NULL, n > 1 ? a[1] : NULL);
}

jv *jn_f_millis(ev *e, jv **a, int n, jv *in)
{
    (void)a, (void)n, (void)in;
    return jn_num(e, jn_now_ms(e));
}
