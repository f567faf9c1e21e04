/*
 * jsonata_lib.c: JSONata's function library as AWS Step Functions has it:
 * aggregation, strings, numbers, booleans, higher-order functions, objects
 * and arrays, encodings and AWS's additions ($partition, $range, $hash,
 * $uuid, $parse), plus the table that names them, with their signatures,
 * for the evaluator (jsonata_eval.c). Date functions are in
 * jsonata_dates.c. What only the host has (randomness, digests) comes from
 * its jsonata_host.
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

#include "jsonata.h"
#include "jsonata_internal.h"

/* ------------------------------------------------------------- library helpers */

typedef jv *(*bfn)(ev *e, jv **a, int n, jv *input);

static double arg_num(jv *v)
{
    return v ? v->n : 0;
}

static jv *str_copy(ev *e, const char *s, size_t n)
{
    return jn_str_n(e, jn_sdup(e, s, n), n);
}

/* The matches of s, one at a time, as JSONata walks them: those of a regex
 * (a FN_REGEX value; an empty match after the first is an error, it would
 * never advance), or those a matcher function returns, each an object
 * {match, start, end, groups, next} whose next() gives the following one.
 * caps[0..1] is where the current match stands (bytes). */
typedef struct matcher {
    ev *e;
    const rx *re;          /* NULL: fn is a matcher function */
    jv *fn, *cur;          /* the function, its current match object */
    jv *str;
    const char *s;
    size_t len;
    size_t *caps;
    int first;
} matcher;

/* The byte offset of code point cp of m's string (clamped). */
static size_t cp_offset(const matcher *m, double cp)
{
    size_t i = 0, adv;
    for (double k = 0; k < cp && i < m->len; k++) {
        jn_u8_next(m->s + i, m->len - i, &adv);
        i += adv;
    }
    return i;
}

/* The text between byte offsets a and b of m's string, as JavaScript's
 * substring(a, b) gives it: a custom matcher may report a match that starts
 * before the previous one ended, and jsonata-js then takes the span reversed. */
static size_t span(const matcher *m, size_t a, size_t b, const char **p)
{
    *p = m->s + (a < b ? a : b);
    return a < b ? b - a : a - b;
}

static int next_fn_match(matcher *m)
{
    ev *e = m->e;
    if (m->first) {
        m->cur = jn_apply(e, m->fn, &m->str, 1, NULL);
    } else {
        jv *next = m->cur ? jn_lookup_field(e, m->cur, "next") : NULL;
        m->cur = next && next->t == T_FUNC ? jn_apply(e, next, NULL, 0, NULL) : NULL;
    }
    m->first = 0;
    if (!m->cur)
        return 0;
    jv *start = m->cur->t == T_OBJ ? jn_lookup_field(e, m->cur, "start") : NULL;
    jv *end = m->cur->t == T_OBJ ? jn_lookup_field(e, m->cur, "end") : NULL;
    jv *match = m->cur->t == T_OBJ ? jn_lookup_field(e, m->cur, "match") : NULL;
    if (!start || start->t != T_NUM)
        jn_fail(e, "T1010: The matcher function argument passed to function \"match\" does not return the correct object structure");
    m->caps[0] = cp_offset(m, start->n);
    if (end && end->t == T_NUM)
        m->caps[1] = cp_offset(m, end->n);
    else
        m->caps[1] = cp_offset(m, start->n + (match && match->t == T_STR ? (double)jn_cp_count(match->s, match->slen) : 0));
    if (m->caps[1] < m->caps[0])
        m->caps[1] = m->caps[0];
    return 1;
}

static int next_match(matcher *m)
{
    if (!m->re)
        return next_fn_match(m);
    size_t from = 0;
    if (!m->first) {
        from = m->caps[1];
        if (from >= m->len)
            return 0;
    }
    long steps = 0;
    int r = jn_rx_search(m->re, m->s, m->len, from, m->caps, &steps);
    if (r < 0)
        jn_fail(m->e, "The regular expression is too complex for this input");
    if (r && !m->first && m->caps[0] == m->caps[1])
        jn_fail(m->e, "D1004: Regular expression matches zero length string");
    m->first = 0;
    return r;
}

static matcher matcher_new(ev *e, jv *re, jv *s)
{
    int is_rx = re->f->kind == FN_REGEX;
    size_t ncaps = is_rx ? 2 * (size_t)(re->f->re->ngroups + 1) : 2;
    matcher m = {e, is_rx ? re->f->re : NULL, is_rx ? NULL : re, NULL, s, s->s, s->slen,
                 jn_alloc(e, sizeof(size_t) * ncaps), 1};
    return m;
}

/* Group g (1..) of the current match, or NULL. */
static jv *group_of(matcher *m, int g)
{
    if (!m->re) {
        jv *groups = m->cur ? jn_lookup_field(m->e, m->cur, "groups") : NULL;
        if (!groups || groups->t != T_ARR || g > jn_len_of(m->e, groups))
            return NULL;
        return groups->a[g - 1];
    }
    if (g > m->re->ngroups || m->caps[2 * g] == SIZE_MAX)
        return NULL;
    return str_copy(m->e, m->s + m->caps[2 * g], m->caps[2 * g + 1] - m->caps[2 * g]);
}

static int group_count(const matcher *m)
{
    if (m->re)
        return m->re->ngroups;
    jv *groups = m->cur ? jn_lookup_field(m->e, m->cur, "groups") : NULL;
    return groups && groups->t == T_ARR ? jn_len_of(m->e, groups) : 0;
}

/* The match object $match and function replacements see. */
static jv *match_object(matcher *m, int with_index)
{
    ev *e = m->e;
    if (!m->re && !with_index)
        return m->cur; /* a matcher function's own object */
    jv *o = jn_obj(e);
    jn_obj_set(e, o, "match", m->re ? str_copy(e, m->s + m->caps[0], m->caps[1] - m->caps[0])
                                    : jn_lookup_field(e, m->cur, "match"));
    if (with_index) {
        jn_obj_set(e, o, "index", m->re ? jn_num(e, (double)jn_cp_count(m->s, m->caps[0]))
                                        : jn_lookup_field(e, m->cur, "start"));
    } else {
        jn_obj_set(e, o, "start", jn_num(e, (double)jn_cp_count(m->s, m->caps[0])));
        jn_obj_set(e, o, "end", jn_num(e, (double)jn_cp_count(m->s, m->caps[1])));
    }
    if (!m->re) {
        jv *groups = jn_lookup_field(e, m->cur, "groups");
        jn_obj_set(e, o, "groups", groups ? groups : jn_arr(e, 0));
        return o;
    }
    jv *groups = jn_arr(e, 0);
    for (int g = 1; g <= m->re->ngroups; g++) {
        jv *t = group_of(m, g);
        jn_push(e, groups, t ? t : e->vnull);
    }
    jn_obj_set(e, o, "groups", groups);
    return o;
}

/* ------------------------------------------------------------- aggregation */

static jv *f_sum(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *r = a[0];
    if ((r->fl & F_RANGE) && fabs(r->n) + r->b < 0x1p53 / 1e7) {
        /* every partial sum is a whole number below 2^53, so adding them
         * one by one is exact and the series' formula gives the same */
        int64_t first = (int64_t)r->n, count = r->b;
        return jn_num(e, (double)(count * (2 * first + count - 1) / 2));
    }
    double t = 0;
    for (int i = 0; i < jn_len_of(e, a[0]); i++)
        t += a[0]->a[i]->n;
    return jn_num(e, t);
}

static jv *f_count(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return jn_num(e, a[0] ? jn_count(e, a[0]) : 0);
}

static jv *extreme(ev *e, jv *v, int max)
{
    if (!v || jn_len_of(e, v) == 0)
        return NULL;
    double r = v->a[0]->n;
    for (int i = 1; i < v->len; i++)
        if (max ? v->a[i]->n > r : v->a[i]->n < r)
            r = v->a[i]->n;
    return jn_num(e, r);
}

static jv *f_max(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return extreme(e, a[0], 1);
}

static jv *f_min(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return extreme(e, a[0], 0);
}

static jv *f_average(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0] || jn_len_of(e, a[0]) == 0)
        return NULL;
    double t = 0;
    for (int i = 0; i < a[0]->len; i++)
        t += a[0]->a[i]->n;
    return jn_num(e, t / a[0]->len);
}

/* ------------------------------------------------------------- strings */

static jv *f_string(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    return jn_to_string(e, a[0], n > 1 && a[1] && a[1]->b);
}

/* JavaScript's slice over code points. */
static jv *cp_slice(ev *e, jv *s, double from, double to)
{
    cps c = jn_to_cps(e, s->s, s->slen);
    double len = (double)c.n;
    from = from < 0 ? fmax(len + from, 0) : fmin(from, len);
    to = to < 0 ? fmax(len + to, 0) : fmin(to, len);
    if (to <= from)
        return jn_str(e, "");
    size_t b = c.off[(size_t)from], en = c.off[(size_t)to];
    return str_copy(e, s->s + b, en - b);
}

static jv *f_substring(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double len = (double)jn_cp_count(a[0]->s, a[0]->slen);
    double start = trunc(arg_num(a[1]));
    if (len + start < 0)
        start = 0;
    if (n > 2 && a[2]) {
        double l = trunc(a[2]->n);
        if (l <= 0)
            return jn_str(e, "");
        double end = start >= 0 ? start + l : len + start + l;
        return cp_slice(e, a[0], start, end);
    }
    return cp_slice(e, a[0], start, len);
}

static jv *f_substring_before(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    if (!a[1])
        return a[0];
    const char *p = strstr(a[0]->s, a[1]->s);
    return p ? str_copy(e, a[0]->s, (size_t)(p - a[0]->s)) : a[0];
}

static jv *f_substring_after(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    if (!a[1])
        return a[0];
    const char *p = strstr(a[0]->s, a[1]->s);
    return p ? jn_str(e, p + a[1]->slen) : a[0];
}

static jv *map_case(ev *e, jv *s, int upper)
{
    if (!s)
        return NULL;
    char *out = jn_alloc(e, s->slen * 2 + 2);
    size_t i = 0, o = 0, adv;
    while (i < s->slen) {
        uint32_t c = jn_u8_next(s->s + i, s->slen - i, &adv);
        if (adv == 1 && c >= 0x80) { /* an invalid byte: kept as it is */
            out[o++] = s->s[i];
        } else if (upper && c == 0xDF) {
            out[o++] = 'S';
            out[o++] = 'S';
        } else
            o += jn_u8_put(out + o, upper ? jn_cp_upper(c) : jn_cp_lower(c));
        i += adv;
    }
    return jn_str_n(e, out, o);
}

static jv *f_lowercase(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return map_case(e, a[0], 0);
}

static jv *f_uppercase(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return map_case(e, a[0], 1);
}

static jv *f_length(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? jn_num(e, (double)jn_cp_count(a[0]->s, a[0]->slen)) : NULL;
}

static jv *f_trim(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    char *out = jn_alloc(e, a[0]->slen + 1);
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < a[0]->slen; i++) {
        char c = a[0]->s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && o)
            out[o++] = ' ';
        space = 0;
        out[o++] = c;
    }
    return jn_str_n(e, out, o);
}

static jv *f_pad(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    const char *ch = n > 2 && a[2] && a[2]->slen ? a[2]->s : " ";
    double width = trunc(arg_num(a[1]));
    size_t len = jn_cp_count(a[0]->s, a[0]->slen);
    double want = fabs(width);
    if (want <= (double)len)
        return a[0];
    if (want > e->max_items)
        jn_fail(e, "Expression evaluation memory limit exceeded");
    size_t padn = (size_t)want - len;
    cps pc = jn_to_cps(e, ch, strlen(ch));
    sbuf pad = {e, 0, 0, 0};
    for (size_t i = 0; i < padn; i++) {
        size_t k = i % pc.n;
        jn_sb_put(&pad, ch + pc.off[k], pc.off[k + 1] - pc.off[k]);
    }
    sbuf b = {e, 0, 0, 0};
    if (width < 0) {
        jn_sb_put(&b, pad.p, pad.len);
        jn_sb_put(&b, a[0]->s, a[0]->slen);
    } else {
        jn_sb_put(&b, a[0]->s, a[0]->slen);
        jn_sb_put(&b, pad.p, pad.len);
    }
    return jn_str_n(e, b.p, b.len);
}

static jv *f_match(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double limit = n > 2 && a[2] ? a[2]->n : -1;
    if (n > 2 && a[2] && limit < 0)
        jn_fail(e, "D3040: Third argument of match function must evaluate to a positive number");
    jv *out = jn_arr(e, F_SEQ);
    if (!a[1])
        jn_fail(e, "T0410: Argument 2 of function \"match\" does not match function signature");
    matcher m = matcher_new(e, a[1], a[0]);
    for (int count = 0; (limit < 0 || count < limit) && next_match(&m); count++)
        jn_push(e, out, match_object(&m, 1));
    return out;
}

static jv *f_contains(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0] || !a[1])
        return NULL;
    if (a[1]->t == T_STR)
        return jn_boolean_v(e, strstr(a[0]->s, a[1]->s) != NULL);
    matcher m = matcher_new(e, a[1], a[0]);
    return jn_boolean_v(e, next_match(&m));
}

/* $replace's replacement text: $0 the match, $1.. the groups, $$ a $. */
static void substitute(sbuf *b, matcher *m, const char *rep)
{
    int ng = group_count(m);
    for (const char *p = rep; *p;) {
        if (*p != '$') {
            jn_sb_putc(b, *p++);
            continue;
        }
        p++;
        if (*p == '$') {
            jn_sb_putc(b, '$');
            p++;
        } else if (*p == '0') {
            jn_sb_put(b, m->s + m->caps[0], m->caps[1] - m->caps[0]);
            p++;
        } else if (*p >= '1' && *p <= '9') {
            int digits = ng ? (int)floor(log10(ng)) + 1 : 1;
            int g = 0, used = 0;
            while (used < digits && p[used] >= '0' && p[used] <= '9')
                g = g * 10 + (p[used++] - '0');
            if (used > 1 && g > ng) {
                g /= 10;
                used--;
            }
            jv *t = g >= 1 && g <= ng ? group_of(m, g) : NULL;
            if (t && t->t == T_STR)
                jn_sb_put(b, t->s, t->slen);
            p += used;
        } else {
            jn_sb_putc(b, '$');
        }
    }
}

static jv *f_replace(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    if (a[1] && a[1]->t == T_STR && a[1]->slen == 0)
        jn_fail(e, "D3010: Second argument of replace function cannot be an empty string");
    double limit = n > 3 && a[3] ? a[3]->n : -1;
    if (n > 3 && a[3] && limit < 0)
        jn_fail(e, "D3011: Fourth argument of replace function must evaluate to a positive number");
    if (!a[1] || !a[2])
        return a[0];
    sbuf b = {e, 0, 0, 0};
    int count = 0;
    if (a[1]->t == T_STR) {
        const char *s = a[0]->s, *hit;
        while ((limit < 0 || count < limit) && (hit = strstr(s, a[1]->s))) {
            jn_sb_put(&b, s, (size_t)(hit - s));
            jn_sb_puts(&b, a[2]->t == T_STR ? a[2]->s : "");
            s = hit + a[1]->slen;
            count++;
        }
        jn_sb_puts(&b, s);
        return jn_str_n(e, jn_sb_str(&b), b.len);
    }
    matcher m = matcher_new(e, a[1], a[0]);
    size_t pos = 0;
    while ((limit < 0 || count < limit) && next_match(&m)) {
        const char *p;
        size_t len = span(&m, pos, m.caps[0], &p);
        jn_sb_put(&b, p, len);
        if (a[2]->t == T_STR) {
            substitute(&b, &m, a[2]->s);
        } else {
            jv *mo = match_object(&m, 0);
            jv *r = jn_apply(e, a[2], &mo, 1, NULL);
            if (!r || r->t != T_STR)
                jn_fail(e, "D3012: Attempted to replace a matched string with a non-string value");
            jn_sb_put(&b, r->s, r->slen);
        }
        pos = m.caps[1];
        count++;
    }
    jn_sb_put(&b, m.s + pos, m.len - pos);
    return jn_str_n(e, jn_sb_str(&b), b.len);
}

static jv *f_split(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double limit = n > 2 && a[2] ? floor(a[2]->n) : -1;
    if (n > 2 && a[2] && a[2]->n < 0)
        jn_fail(e, "D3020: Third argument of split function must evaluate to a positive number");
    jv *out = jn_arr(e, 0);
    const char *s = a[0]->s;
    if (!a[1]) {
        jn_push(e, out, a[0]);
        return out;
    }
    if (a[1]->t == T_STR) {
        if (a[1]->slen == 0) {
            cps c = jn_to_cps(e, s, a[0]->slen);
            for (size_t i = 0; i < c.n && (limit < 0 || (double)i < limit); i++)
                jn_push(e, out, str_copy(e, s + c.off[i], c.off[i + 1] - c.off[i]));
            return out;
        }
        const char *hit;
        while ((limit < 0 || out->len < limit) && (hit = strstr(s, a[1]->s))) {
            jn_push(e, out, str_copy(e, s, (size_t)(hit - s)));
            s = hit + a[1]->slen;
        }
        if (limit < 0 || out->len < limit)
            jn_push(e, out, jn_str(e, s));
        return out;
    }
    matcher m = matcher_new(e, a[1], a[0]);
    size_t start = 0;
    int count = 0;
    while ((limit < 0 || count < limit) && next_match(&m)) {
        const char *p;
        size_t len = span(&m, start, m.caps[0], &p);
        jn_push(e, out, str_copy(e, p, len));
        start = m.caps[1];
        count++;
    }
    if (limit < 0 || count < limit)
        jn_push(e, out, str_copy(e, s + start, a[0]->slen - start));
    return out;
}

static jv *f_join(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    const char *sep = n > 1 && a[1] ? a[1]->s : "";
    sbuf b = {e, 0, 0, 0};
    for (int i = 0; i < jn_len_of(e, a[0]); i++) {
        if (i)
            jn_sb_puts(&b, sep);
        jn_sb_put(&b, a[0]->a[i]->s, a[0]->a[i]->slen);
    }
    return jn_str_n(e, jn_sb_str(&b), b.len);
}

/* ------------------------------------------------------------- numbers */

static jv *f_format_base(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double radix = n > 1 && a[1] ? a[1]->n : 10;
    if (radix < 2 || radix > 36)
        jn_fail(e, "D3100: The radix of the formatBase function must be between 2 and 36.  It was given %s", jn_show(e, a[1]));
    double v = floor(a[0]->n + 0.5);
    int neg = v < 0;
    v = fabs(v);
    char buf[80], *p = buf + sizeof buf - 1;
    *p = '\0';
    int r = (int)radix;
    do {
        double q = floor(v / r);
        int d = (int)(v - q * r);
        *--p = "0123456789abcdefghijklmnopqrstuvwxyz"[d];
        v = q;
    } while (v > 0 && p > buf + 1);
    if (neg)
        *--p = '-';
    return str_copy(e, p, strlen(p));
}

/* JSON number syntax (leading zeros allowed, as JSONata's test does). */
static int parse_decimal(const char *s, double *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p)
        return 0;
    *out = strtod(s, NULL);
    return isfinite(*out);
}

static jv *f_number(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    jv *v = a[0];
    if (!v)
        return NULL;
    if (v->t == T_NUM)
        return v;
    if (v->t == T_BOOL)
        return jn_num(e, v->b);
    double d;
    if (parse_decimal(v->s, &d))
        return jn_num(e, d);
    const char *s = v->s;
    int base = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2;
    if (base && s[2]) {
        double r = 0;
        const char *p = s + 2;
        for (; *p; p++) {
            int dv = jn_hexval(*p);
            if (dv < 0 || dv >= base)
                break;
            r = r * base + dv;
        }
        if (!*p)
            return jn_num(e, r);
    }
    jn_fail(e, "D3030: Unable to cast value to a number: %s", jn_show(e, v));
}

static jv *f_floor(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? jn_num(e, floor(a[0]->n)) : NULL;
}

static jv *f_ceil(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? jn_num(e, ceil(a[0]->n)) : NULL;
}

static jv *f_abs(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? jn_num(e, fabs(a[0]->n)) : NULL;
}

static jv *f_sqrt(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    if (a[0]->n < 0)
        jn_fail(e, "D3060: The sqrt function cannot be applied to a negative number: %s", jn_show(e, a[0]));
    return jn_num(e, sqrt(a[0]->n));
}

static jv *f_power(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    double r = a[1] ? pow(a[0]->n, a[1]->n) : NAN;
    if (!isfinite(r))
        jn_fail(e, "D3061: The power function has resulted in a value that cannot be represented as a JSON number: "
                "base=%s, exponent=%s", jn_show(e, a[0]), jn_show(e, a[1]));
    return jn_num(e, r);
}

/* Shifts d's decimal point by places, through its decimal text (as
 * JSONata does, so that 2.675 rounds at the digit it shows). */
static double shift(double d, int places)
{
    char tmp[64];
    jn_js_number(d, tmp);
    char *ex = strchr(tmp, 'e');
    int exp = places;
    if (ex) {
        exp += atoi(ex + 1);
        *ex = '\0';
    }
    char buf[80];
    snprintf(buf, sizeof buf, "%se%d", tmp, exp);
    return strtod(buf, NULL);
}

/* v rounded half to even at prec decimal places (JSONata's $round). */
double jn_round_half_even(double v, int prec)
{
    if (prec)
        v = shift(v, prec);
    double r = floor(v + 0.5);
    if (fabs(r - v) == 0.5 && fmod(fabs(r), 2) == 1)
        r -= 1;
    if (prec)
        r = shift(r, -prec);
    if (r == 0)
        r = 0; /* no -0 */
    return r;
}

/* $round: half to even, at precision decimal places. */
static jv *f_round(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    int64_t p64 = n > 1 && a[1] ? jn_to_i64(a[1]->n) : 0;
    return jn_num(e, jn_round_half_even(a[0]->n, p64 > 400 ? 400 : p64 < -400 ? -400 : (int)p64));
}

/* java.util.Random, which AWS seeds $random with. */
/* 64 random bits: the host's, else splitmix64 over a per-thread state
 * seeded from the clock and its own address. */
static uint64_t random_u64(ev *e)
{
    if (e->host->random)
        return e->host->random(e->host->ud);
    static _Thread_local uint64_t state;
    if (!state) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)&state;
    }
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double java_random(int64_t seed)
{
    uint64_t s = ((uint64_t)seed ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1);
    uint64_t parts[2];
    int bits[2] = {26, 27};
    for (int i = 0; i < 2; i++) {
        s = (s * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
        parts[i] = (uint64_t)(int64_t)(int32_t)(s >> (48 - bits[i]));
    }
    return (double)((parts[0] << 27) + parts[1]) * 0x1.0p-53;
}

static void aws_arity(ev *e, int n, int max, const char *name)
{
    if (n > max)
        jn_fail(e, "T0410: Argument %d of function \"%s\" does not match function signature", max + 1, name);
}

/* AWS rounds these arguments towards zero; anything but a number is a
 * signature error. */
static double aws_int(ev *e, jv *v, int index, const char *name)
{
    if (!v || v->t != T_NUM)
        jn_fail(e, "T0410: Argument %d of function \"%s\" does not match function signature", index, name);
    return trunc(v->n);
}

static jv *f_random(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 1, "random");
    if (n == 0 || !a[0])
        return jn_num(e, (double)(random_u64(e) >> 11) * 0x1.0p-53);
    return jn_num(e, java_random(jn_to_i64(aws_int(e, a[0], 1, "random"))));
}

/* ------------------------------------------------------------- booleans */

static jv *f_boolean(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    int b = jn_bool_of(e, a[0]);
    return b < 0 ? NULL : jn_boolean_v(e, b);
}

static jv *f_not(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    int b = jn_bool_of(e, a[0]);
    return b < 0 ? NULL : jn_boolean_v(e, !b);
}

static jv *f_exists(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return jn_boolean_v(e, a[0] != NULL);
}

/* ------------------------------------------------------------- higher order */

static jv *f_map(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = jn_arr(e, F_SEQ);
    for (int i = 0; i < jn_len_of(e, a[0]); i++) {
        jv *r = jn_apply_hof(e, a[1], a[0]->a[i], i, a[0], NULL);
        if (r)
            jn_push(e, out, r);
    }
    return out;
}

static jv *f_filter(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = jn_arr(e, F_SEQ);
    for (int i = 0; i < jn_len_of(e, a[0]); i++)
        if (jn_truthy(e, jn_apply_hof(e, a[1], a[0]->a[i], i, a[0], NULL)))
            jn_push(e, out, a[0]->a[i]);
    return out;
}

static jv *f_single(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    jv *hit = NULL;
    int found = 0;
    for (int i = 0; i < jn_len_of(e, a[0]); i++) {
        if (n > 1 && a[1] && !jn_truthy(e, jn_apply_hof(e, a[1], a[0]->a[i], i, a[0], NULL)))
            continue;
        if (found++)
            jn_fail(e, "D3138: The $single() function expected exactly 1 matching result.  Instead it matched more.");
        hit = a[0]->a[i];
    }
    if (!found)
        jn_fail(e, "D3139: The $single() function expected exactly 1 matching result.  Instead it matched 0.");
    return hit;
}

static jv *f_reduce(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    int ar = jn_arity(e, a[1]);
    if (ar < 2)
        jn_fail(e, "D3050: The second argument of reduce function must be a function with at least two arguments");
    int i = 0, len = jn_len_of(e, a[0]);
    jv *acc = n > 2 ? a[2] : NULL;
    if (!acc && len > 0)
        acc = a[0]->a[i++];
    for (; i < len; i++) {
        jv *args[4] = {acc, a[0]->a[i], jn_num(e, i), a[0]};
        acc = jn_apply(e, a[1], args, ar < 4 ? ar : 4, NULL);
    }
    return acc;
}

static jv *f_zip(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    jv *out = jn_arr(e, 0);
    int len = n ? INT32_MAX : 0;
    for (int i = 0; i < n; i++) {
        if (!a[i])
            return out;
        if (jn_len_of(e, a[i]) < len)
            len = a[i]->len;
    }
    for (int k = 0; k < len; k++) {
        jv *t = jn_arr(e, 0);
        for (int i = 0; i < n; i++)
            jn_push(e, t, a[i]->a[k]);
        jn_push(e, out, t);
    }
    return out;
}

static jv *f_sift(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = jn_obj(e);
    for (int i = 0; i < jn_len_of(e, a[0]); i++) {
        jv *args[3] = {a[0]->a[i], jn_str(e, a[0]->k[i]), a[0]};
        int ar = jn_arity(e, a[1]);
        if (jn_truthy(e, jn_apply(e, a[1], args, ar < 3 ? (ar < 1 ? 1 : ar) : 3, NULL)))
            jn_obj_set(e, out, a[0]->k[i], a[0]->a[i]);
    }
    return out->len ? out : NULL;
}

static jv *f_each(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = jn_arr(e, F_SEQ);
    for (int i = 0; i < jn_len_of(e, a[0]); i++) {
        jv *args[3] = {a[0]->a[i], jn_str(e, a[0]->k[i]), a[0]};
        int ar = jn_arity(e, a[1]);
        jv *r = jn_apply(e, a[1], args, ar < 3 ? (ar < 1 ? 1 : ar) : 3, NULL);
        if (r)
            jn_push(e, out, r);
    }
    return out;
}

/* ------------------------------------------------------------- objects, arrays */

static void keys_into(ev *e, jv *v, jv *out)
{
    jn_guard(e);
    if (jn_is_arr(v)) {
        for (int i = 0; i < jn_len_of(e, v); i++)
            keys_into(e, v->a[i], out);
    } else if (v && v->t == T_OBJ) {
        for (int i = 0; i < jn_len_of(e, v); i++) {
            int seen = 0;
            for (int k = 0; k < out->len && !seen; k++)
                seen = !strcmp(out->a[k]->s, v->k[i]);
            if (!seen)
                jn_push(e, out, jn_str(e, v->k[i]));
        }
    }
}

static jv *f_keys(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    jv *out = jn_arr(e, F_SEQ);
    keys_into(e, a[0], out);
    return out;
}

static jv *f_lookup(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[1] ? jn_lookup_field(e, a[0], a[1]->s) : NULL;
}

static jv *f_append(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return jn_append(e, a[0], a[1]);
}

static jv *f_spread(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    jn_guard(e);
    jv *v = a[0];
    if (!v)
        return NULL;
    if (jn_is_arr(v)) { /* JSONata appends, which makes a plain array */
        jv *out = jn_arr(e, jn_len_of(e, v) ? 0 : F_SEQ);
        for (int i = 0; i < jn_len_of(e, v); i++) {
            jv *one = f_spread(e, &v->a[i], 1, NULL);
            jn_push_flat(e, out, one);
        }
        return out;
    }
    if (v->t != T_OBJ)
        return v;
    jv *out = jn_arr(e, F_SEQ);
    for (int i = 0; i < jn_len_of(e, v); i++) {
        jv *o = jn_obj(e);
        jn_obj_set(e, o, v->k[i], v->a[i]);
        jn_push(e, out, o);
    }
    return out;
}

static jv *f_merge(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = jn_obj(e);
    for (int i = 0; i < jn_len_of(e, a[0]); i++) {
        jv *o = a[0]->a[i];
        for (int k = 0; k < jn_len_of(e, o); k++)
            jn_obj_set(e, out, o->k[k], o->a[k]);
    }
    return out;
}

static jv *f_reverse(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    int len = jn_len_of(e, a[0]);
    if (len <= 1)
        return a[0];
    jv *out = jn_arr(e, 0);
    for (int i = len - 1; i >= 0; i--)
        jn_push(e, out, a[0]->a[i]);
    return out;
}

static jv *f_error(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    jn_fail(e, "D3137: %s", a[0] ? a[0]->s : "$error() function evaluated");
}

static jv *f_assert(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0] || !a[0]->b)
        jn_fail(e, "D3141: %s", n > 1 && a[1] ? a[1]->s : "$assert() statement failed");
    return NULL;
}

static jv *f_type(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    static const char *const names[] = {"null", "boolean", "number", "string", "array", "object", "function"};
    return a[0] ? jn_str(e, names[a[0]->t]) : NULL;
}

static jv *f_sort(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    int len = jn_len_of(e, a[0]);
    if (len <= 1)
        return a[0];
    sorter s = {e, n > 1 ? a[1] : NULL};
    if (!s.fn) {
        char t = jn_symbol(a[0]->a[0]);
        for (int i = 0; i < len; i++)
            if (jn_symbol(a[0]->a[i]) != t || (t != 'n' && t != 's'))
                jn_fail(e, "D3070: The single argument form of the sort function can only be applied to an array of "
                        "strings or an array of numbers.  Use the second argument to specify a comparison function");
    }
    return jn_sorted(&s, a[0]->a, len);
}

static jv *f_shuffle(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    int len = jn_len_of(e, a[0]);
    jv *out = jn_arr(e, 0);
    for (int i = 0; i < len; i++)
        jn_push(e, out, a[0]->a[i]);
    for (int i = len - 1; i > 0; i--) {
        int j = (int)(random_u64(e) % (uint64_t)(i + 1));
        jv *t = out->a[i];
        out->a[i] = out->a[j];
        out->a[j] = t;
    }
    return out;
}

static uint64_t distinct_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* A hash that values jn_deep_equal calls equal share (object fields in
 * any order), so that $distinct is linear in the items. */
static uint64_t distinct_hash(ev *e, jv *v)
{
    jn_guard(e);
    if (!v)
        return 1;
    uint64_t h = distinct_mix((uint64_t)v->t + 2);
    switch ((jtype)v->t) {
    case T_NULL: return h;
    case T_BOOL: return distinct_mix(h ^ (uint64_t)(unsigned)v->b);
    case T_NUM: {
        double d = v->n == 0 ? 0 : v->n;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return distinct_mix(h ^ bits);
    }
    case T_STR:
        for (size_t i = 0; i < v->slen; i++)
            h = (h ^ (unsigned char)v->s[i]) * 1099511628211ULL;
        return distinct_mix(h);
    case T_FUNC: return distinct_mix(h ^ (uint64_t)(uintptr_t)v->f);
    case T_ARR: {
        int len = jn_len_of(e, v);
        for (int i = 0; i < len; i++)
            h = distinct_mix(h * 31 + distinct_hash(e, v->a[i]));
        return h;
    }
    case T_OBJ: {
        int len = jn_len_of(e, v);
        uint64_t sum = 0;
        for (int i = 0; i < len; i++) {
            uint64_t k = 1469598103934665603ULL;
            for (const char *p = v->k[i]; *p; p++)
                k = (k ^ (unsigned char)*p) * 1099511628211ULL;
            sum += distinct_mix(k ^ distinct_hash(e, v->a[i]) * 0x9E3779B97F4A7C15ULL);
        }
        return distinct_mix(h ^ sum);
    }
    }
    return h;
}

static jv *f_distinct(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!jn_is_arr(a[0]) || jn_len_of(e, a[0]) <= 1)
        return a[0];
    jv *out = jn_arr(e, F_SEQ);
    size_t size = 16;
    while (size < 2 * (size_t)a[0]->len)
        size <<= 1;
    jv **kept = jn_alloc(e, size * sizeof *kept);
    uint64_t *hashes = jn_alloc(e, size * sizeof *hashes);
    memset(kept, 0, size * sizeof *kept);
    int undefined_seen = 0;
    for (int i = 0; i < a[0]->len; i++) {
        jv *v = a[0]->a[i];
        if (!v) {
            if (!undefined_seen++)
                jn_push(e, out, v);
            continue;
        }
        uint64_t h = distinct_hash(e, v);
        size_t k = h & (size - 1);
        while (kept[k] && !(hashes[k] == h && jn_deep_equal(e, kept[k], v)))
            k = (k + 1) & (size - 1);
        if (kept[k])
            continue;
        kept[k] = v;
        hashes[k] = h;
        jn_push(e, out, v);
    }
    return out;
}

/* ------------------------------------------------------------- encodings */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static jv *f_base64encode(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    const unsigned char *s = (const unsigned char *)a[0]->s;
    size_t len = a[0]->slen, o = 0;
    char *out = jn_alloc(e, (len + 2) / 3 * 4 + 1);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < len ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < len ? s[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? b64[v & 63] : '=';
    }
    return jn_str_n(e, out, o);
}

/* Replaces byte sequences that are not UTF-8 with U+FFFD. */
static jv *valid_utf8(ev *e, const char *s, size_t len)
{
    char *out = jn_alloc(e, len * 3 + 1);
    size_t i = 0, o = 0, adv;
    while (i < len) {
        uint32_t c = jn_u8_next(s + i, len - i, &adv);
        if ((adv == 1 && c >= 0x80) || c == 0)
            o += jn_u8_put(out + o, 0xFFFD);
        else
            o += jn_u8_put(out + o, c);
        i += adv;
    }
    return jn_str_n(e, out, o);
}

static jv *f_base64decode(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    const char *s = a[0]->s;
    char *out = jn_alloc(e, a[0]->slen + 1);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '=' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            continue;
        const char *k = strchr(b64, *p);
        if (!k || !*p)
            jn_fail(e, "D3137: The argument of the base64decode function is not valid base64: %s", jn_show(e, a[0]));
        acc = acc << 6 | (uint32_t)(k - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xFF);
        }
    }
    return valid_utf8(e, out, o);
}

/* encodeURIComponent (component) or encodeURI. */
static jv *url_encode(ev *e, jv *v, int component)
{
    if (!v)
        return NULL;
    const char *keep = component ? "-_.!~*'()" : "-_.!~*'();/?:@&=+$,#";
    sbuf b = {e, 0, 0, 0};
    for (size_t i = 0, adv; i < v->slen; i += adv) {
        /* a lone UTF-16 surrogate (ED A0..BF xx) has no UTF-8 to encode,
         * as JavaScript's encodeURI refuses it */
        uint32_t cp = jn_u8_next(v->s + i, v->slen - i, &adv);
        if (cp >= 0xD800 && cp <= 0xDFFF)
            jn_fail(e, "D3140: Malformed URL passed to $%s(): %s", component ? "encodeUrlComponent" : "encodeUrl",
                    jn_show(e, v));
        adv = 1;
        unsigned char c = (unsigned char)v->s[i];
        if (isalnum(c) || (c && strchr(keep, c))) {
            jn_sb_putc(&b, (char)c);
        } else {
            char tmp[4];
            snprintf(tmp, sizeof tmp, "%%%02X", c);
            jn_sb_puts(&b, tmp);
        }
    }
    return jn_str_n(e, jn_sb_str(&b), b.len);
}

static jv *url_decode(ev *e, jv *v, int component, const char *name)
{
    if (!v)
        return NULL;
    const char *reserved = component ? "" : ";/?:@&=+$,#";
    char *out = jn_alloc(e, v->slen + 1);
    size_t o = 0;
    for (size_t i = 0; i < v->slen; i++) {
        if (v->s[i] != '%') {
            out[o++] = v->s[i];
            continue;
        }
        int h = i + 2 < v->slen ? jn_hexval(v->s[i + 1]) : -1, l = i + 2 < v->slen ? jn_hexval(v->s[i + 2]) : -1;
        if (h < 0 || l < 0)
            jn_fail(e, "D3140: Malformed URL passed to $%s(): %s", name, jn_show(e, v));
        char c = (char)(h * 16 + l);
        if (c && strchr(reserved, c)) {
            memcpy(out + o, v->s + i, 3);
            o += 3;
        } else {
            out[o++] = c;
        }
        i += 2;
    }
    size_t adv;
    for (size_t i = 0; i < o; i += adv)
        if (jn_u8_next(out + i, o - i, &adv) >= 0x80 && adv == 1)
            jn_fail(e, "D3140: Malformed URL passed to $%s(): %s", name, jn_show(e, v));
    return jn_str_n(e, out, o);
}

static jv *f_encode_url_component(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_encode(e, a[0], 1);
}

static jv *f_encode_url(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_encode(e, a[0], 0);
}

static jv *f_decode_url_component(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_decode(e, a[0], 1, "decodeUrlComponent");
}

static jv *f_decode_url(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_decode(e, a[0], 0, "decodeUrl");
}

/* ------------------------------------------------------------- AWS's functions */

/* $partition(array, size): chunks of size items. */
static jv *f_partition(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 2, "partition");
    if (n < 1 || !a[0])
        return NULL;
    if (!jn_is_arr(a[0]))
        jn_fail(e, "T0412: Argument 1 of function \"partition\" must be an array of undefined");
    int len = jn_len_of(e, a[0]);
    if (len == 0)
        return NULL;
    jv *out = jn_arr(e, 0);
    if (n < 2 || !a[1]) {
        jn_push(e, out, a[0]);
        return out;
    }
    double size = aws_int(e, a[1], 2, "partition");
    if (size < 0)
        jn_fail(e, "D3137: Second argument must be zero or greater");
    if (size == 0)
        return NULL;
    int step = size > len ? len : (int)size;
    for (int i = 0; i < len; i += step) {
        jv *c = jn_arr(e, 0);
        for (int k = i; k < i + step && k < len; k++)
            jn_push(e, c, a[0]->a[k]);
        jn_push(e, out, c);
    }
    return out;
}

/* $range(first, last, step): a sequence, so one value is that value. */
static jv *f_range(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 3, "range");
    double first = aws_int(e, n > 0 ? a[0] : NULL, 1, "range");
    double last = aws_int(e, n > 1 ? a[1] : NULL, 2, "range");
    if (n < 3 || !a[2])
        return NULL;
    double step = aws_int(e, a[2], 3, "range");
    if (step == 0 || (step > 0 && first > last) || (step < 0 && first < last))
        return NULL;
    double count = floor((last - first) / step) + 1;
    if (count > e->max_items)
        jn_fail(e, "Expression evaluation memory limit exceeded");
    jv *out = jn_arr(e, F_SEQ);
    for (double i = 0; i < count; i++)
        jn_push(e, out, jn_num(e, first + i * step));
    return out;
}

static jv *f_hash(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 2, "hash");
    if (n < 1 || !a[0] || a[0]->t != T_STR)
        jn_fail(e, "T0410: Argument 1 of function \"hash\" does not match function signature");
    if (n < 2 || !a[1])
        return NULL;
    if (a[1]->t != T_STR)
        jn_fail(e, "T0410: Argument 2 of function \"hash\" does not match function signature");
    char hex[129];
    if (!e->host->hash || e->host->hash(e->host->ud, a[1]->s, a[0]->s, a[0]->slen, hex) < 0)
        jn_fail(e, "D3137: Hash algorithm '%s' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5", a[1]->s);
    return str_copy(e, hex, strlen(hex));
}

static jv *f_uuid(ev *e, jv **a, int n, jv *in)
{
    (void)a, (void)in;
    aws_arity(e, n, 0, "uuid");
    static const char hex[] = "0123456789abcdef";
    uint64_t r[2] = {random_u64(e), random_u64(e)};
    unsigned char b[16];
    memcpy(b, r, 16);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char text[37], *p = text;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    return str_copy(e, text, 36);
}

/* cJSON takes a repeated key; JSON (and AWS) does not. */
static int has_duplicate_keys(const cJSON *j)
{
    for (const cJSON *c = j->child; c; c = c->next) {
        if (cJSON_IsObject(j))
            for (const cJSON *d = c->next; d; d = d->next)
                if (!strcmp(c->string, d->string))
                    return 1;
        if (has_duplicate_keys(c))
            return 1;
    }
    return 0;
}

static jv *f_parse(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 1, "parse");
    if (n < 1 || !a[0])
        return NULL;
    if (a[0]->t != T_STR)
        jn_fail(e, "T0410: Argument 1 of function \"parse\" does not match function signature");
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(a[0]->s, &end, 1);
    if (!j || has_duplicate_keys(j)) {
        cJSON_Delete(j);
        jn_fail(e, "D3137: Invalid JSON");
    }
    owned *o = malloc(sizeof *o);
    if (!o) {
        cJSON_Delete(j);
        jn_fail(e, "Expression evaluation memory limit exceeded");
    }
    o->json = j;
    o->next = e->docs;
    e->docs = o;
    return jn_wrap(e, j);
}

/* $clone: a deep copy (what a transform changes). */
static jv *f_clone(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? jn_deep_copy(e, a[0]) : NULL;
}

/* ------------------------------------------------------------- the library */

typedef struct bdef {
    const char *sig;   /* NULL: the function checks its own arguments (AWS's) */
    bfn fn;
} bdef;

static const bdef library[JN_FN__COUNT] = {
    [JN_FN_SUM] = {"<a<n>:n>", f_sum},
    [JN_FN_COUNT] = {"<a:n>", f_count},
    [JN_FN_MAX] = {"<a<n>:n>", f_max},
    [JN_FN_MIN] = {"<a<n>:n>", f_min},
    [JN_FN_AVERAGE] = {"<a<n>:n>", f_average},
    [JN_FN_STRING] = {"<x-b?:s>", f_string},
    [JN_FN_SUBSTRING] = {"<s-nn?:s>", f_substring},
    [JN_FN_SUBSTRING_BEFORE] = {"<s-s:s>", f_substring_before},
    [JN_FN_SUBSTRING_AFTER] = {"<s-s:s>", f_substring_after},
    [JN_FN_LOWERCASE] = {"<s-:s>", f_lowercase},
    [JN_FN_UPPERCASE] = {"<s-:s>", f_uppercase},
    [JN_FN_LENGTH] = {"<s-:n>", f_length},
    [JN_FN_TRIM] = {"<s-:s>", f_trim},
    [JN_FN_PAD] = {"<s-ns?:s>", f_pad},
    [JN_FN_MATCH] = {"<s-f<s:o>n?:a<o>>", f_match},
    [JN_FN_CONTAINS] = {"<s-(sf):b>", f_contains},
    [JN_FN_REPLACE] = {"<s-(sf)(sf)n?:s>", f_replace},
    [JN_FN_SPLIT] = {"<s-(sf)n?:a<s>>", f_split},
    [JN_FN_JOIN] = {"<a<s>s?:s>", f_join},
    [JN_FN_FORMAT_BASE] = {"<n-n?:s>", f_format_base},
    [JN_FN_FORMAT_NUMBER] = {"<n-so?:s>", jn_f_format_number},
    [JN_FN_FORMAT_INTEGER] = {"<n-s:s>", jn_f_format_integer},
    [JN_FN_PARSE_INTEGER] = {"<s-s:n>", jn_f_parse_integer},
    [JN_FN_NUMBER] = {"<(nsb)-:n>", f_number},
    [JN_FN_FLOOR] = {"<n-:n>", f_floor},
    [JN_FN_CEIL] = {"<n-:n>", f_ceil},
    [JN_FN_ROUND] = {"<n-n?:n>", f_round},
    [JN_FN_ABS] = {"<n-:n>", f_abs},
    [JN_FN_SQRT] = {"<n-:n>", f_sqrt},
    [JN_FN_POWER] = {"<n-n:n>", f_power},
    [JN_FN_RANDOM] = {NULL, f_random},
    [JN_FN_BOOLEAN] = {"<x-:b>", f_boolean},
    [JN_FN_NOT] = {"<x-:b>", f_not},
    [JN_FN_MAP] = {"<af>", f_map},
    [JN_FN_ZIP] = {"<a+>", f_zip},
    [JN_FN_FILTER] = {"<af>", f_filter},
    [JN_FN_SINGLE] = {"<af?>", f_single},
    [JN_FN_REDUCE] = {"<afj?:j>", f_reduce},
    [JN_FN_SIFT] = {"<o-f?:o>", f_sift},
    [JN_FN_KEYS] = {"<x-:a<s>>", f_keys},
    [JN_FN_LOOKUP] = {"<x-s:x>", f_lookup},
    [JN_FN_APPEND] = {"<xx:a>", f_append},
    [JN_FN_EXISTS] = {"<x:b>", f_exists},
    [JN_FN_SPREAD] = {"<x-:a<o>>", f_spread},
    [JN_FN_MERGE] = {"<a<o>:o>", f_merge},
    [JN_FN_REVERSE] = {"<a:a>", f_reverse},
    [JN_FN_EACH] = {"<o-f:a>", f_each},
    [JN_FN_ERROR] = {"<s?:x>", f_error},
    [JN_FN_ASSERT] = {"<bs?:x>", f_assert},
    [JN_FN_TYPE] = {"<x:s>", f_type},
    [JN_FN_SORT] = {"<af?:a>", f_sort},
    [JN_FN_SHUFFLE] = {"<a:a>", f_shuffle},
    [JN_FN_DISTINCT] = {"<x:x>", f_distinct},
    [JN_FN_BASE64_ENCODE] = {"<s-:s>", f_base64encode},
    [JN_FN_BASE64_DECODE] = {"<s-:s>", f_base64decode},
    [JN_FN_ENCODE_URL_COMPONENT] = {"<s-:s>", f_encode_url_component},
    [JN_FN_ENCODE_URL] = {"<s-:s>", f_encode_url},
    [JN_FN_DECODE_URL_COMPONENT] = {"<s-:s>", f_decode_url_component},
    [JN_FN_DECODE_URL] = {"<s-:s>", f_decode_url},
    [JN_FN_TO_MILLIS] = {"<s-s?:n>", jn_f_to_millis},
    [JN_FN_FROM_MILLIS] = {"<n-s?s?:s>", jn_f_from_millis},
    [JN_FN_NOW] = {"<s?s?:s>", jn_f_now},
    [JN_FN_MILLIS] = {"<:n>", jn_f_millis},
    [JN_FN_PARTITION] = {NULL, f_partition},
    [JN_FN_RANGE] = {NULL, f_range},
    [JN_FN_HASH] = {NULL, f_hash},
    [JN_FN_UUID] = {NULL, f_uuid},
    [JN_FN_PARSE] = {NULL, f_parse},
    [JN_FN_CLONE] = {"<(oa)-:o>", f_clone},
};

static const char *const builtin_names[JN_FN__COUNT] = {
#define X(id, name) name,
    JSONATA_BUILTINS(X)
#undef X
};

int jsonata_builtin(const char *name)
{
    for (int i = 0; i < JN_FN__COUNT; i++)
        if (!strcmp(builtin_names[i], name))
            return i;
    return -1;
}

const char *jsonata_builtin_name(int id)
{
    return id >= 0 && id < JN_FN__COUNT ? builtin_names[id] : NULL;
}

/* How many arguments a higher-order function passes it: JSONata counts a
 * native function's parameters without the optional ones ($string takes
 * one, so $map(a, $string) passes no index). */
int jn_builtin_arity(int id)
{
    if (!library[id].sig)
        return 1;
    sig s;
    jn_sig_parse(library[id].sig, &s);
    int n = 0;
    for (int i = 0; i < s.n; i++)
        n += !s.p[i].opt;
    return n;
}

jv *jn_call_builtin(ev *e, int id, jv **args, int nargs, jv *input)
{
    if (library[id].sig)
        args = jn_validate(e, library[id].sig, args, &nargs, input, builtin_names[id]);
    return library[id].fn(e, args, nargs, input);
}
