/*
 * jsonata_format.c: JSONata's number pictures. $formatInteger and
 * $parseInteger (XPath's format-integer: decimal digit patterns with
 * grouping, words, roman numerals, letters, ordinals), which the date
 * pictures of jsonata_dates.c use for their components too, and
 * $formatNumber (XPath's format-number: decimal-format pictures with
 * grouping, percent, per-mille and exponents).
 *
 * The behaviour is jsonata-js's (the reference AWS runs), quirks included
 * where a test can see them: which error code wins when a picture breaks
 * several rules, how separators land in a number shorter than its
 * picture. Text is handled as arrays of code points.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonata.h"
#include "jsonata_internal.h"

/* ------------------------------------------------------------- code point text */

/* A growable array of code points in the arena. */
typedef struct ustr {
    ev *e;
    uint32_t *c;
    int n, cap;
} ustr;

static void u_insert(ustr *u, int at, uint32_t c)
{
    if (u->n == u->cap) {
        int cap = u->cap ? 2 * u->cap : 32;
        uint32_t *p = jn_alloc(u->e, sizeof *p * (size_t)cap);
        if (u->n)
            memcpy(p, u->c, sizeof *p * (size_t)u->n);
        u->c = p;
        u->cap = cap;
    }
    memmove(u->c + at + 1, u->c + at, sizeof *u->c * (size_t)(u->n - at));
    u->c[at] = c;
    u->n++;
}

static void u_push(ustr *u, uint32_t c)
{
    u_insert(u, u->n, c);
}

static void u_puts(ustr *u, const char *s)
{
    size_t len = strlen(s), i = 0, adv;
    while (i < len) {
        u_push(u, jn_u8_next(s + i, len - i, &adv));
        i += adv;
    }
}

static ustr u_from(ev *e, const char *s)
{
    ustr u = {e, NULL, 0, 0};
    u_puts(&u, s);
    return u;
}

static jv *u_value(ustr *u)
{
    sbuf b = {u->e, 0, 0, 0};
    char tmp[4];
    for (int i = 0; i < u->n; i++)
        jn_sb_put(&b, tmp, jn_u8_put(tmp, u->c[i]));
    return jn_str_n(u->e, jn_sb_str(&b), b.len);
}

static int u_index(const uint32_t *c, int n, uint32_t ch, int from)
{
    for (int i = from < 0 ? 0 : from; i < n; i++)
        if (c[i] == ch)
            return i;
    return -1;
}

static int u_last(const uint32_t *c, int n, uint32_t ch)
{
    for (int i = n - 1; i >= 0; i--)
        if (c[i] == ch)
            return i;
    return -1;
}

/* JavaScript's s.substr(0, at) + sep + s.substr(at): an at past the start
 * counts from the end (a picture longer than the number cuts it). */
static void u_js_insert(ustr *u, int at, uint32_t sep)
{
    if (at >= 0) {
        u_insert(u, at > u->n ? u->n : at, sep);
        return;
    }
    int keep = u->n + at < 0 ? 0 : u->n + at; /* substr(at) starts there */
    memmove(u->c, u->c + keep, sizeof *u->c * (size_t)(u->n - keep));
    u->n -= keep;
    u_insert(u, 0, sep);
}

/* ------------------------------------------------------------- integer pictures */

/* The first code point of every Unicode decimal digit family (BMP). */
static const uint32_t digit_families[] = {
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
};

static long digit_family(uint32_t c)
{
    for (size_t i = 0; i < sizeof digit_families / sizeof *digit_families; i++)
        if (c >= digit_families[i] && c <= digit_families[i] + 9)
            return (long)digit_families[i];
    return -1;
}

static int gcd(int a, int b)
{
    return b == 0 ? a : gcd(b, a % b);
}

/* The interval when the separators are all the same character at every
 * multiple of one interval (12,345,678), else 0. */
static int regular_interval(const int *pos, const uint32_t *chars, int n)
{
    if (n == 0)
        return 0;
    for (int i = 1; chars && i < n; i++)
        if (chars[i] != chars[0])
            return 0;
    int f = pos[0];
    for (int i = 1; i < n; i++)
        f = gcd(f, pos[i]);
    for (int k = 1; k <= n; k++) {
        int found = 0;
        for (int i = 0; i < n && !found; i++)
            found = pos[i] == k * f;
        if (!found)
            return 0;
    }
    return f;
}

void jn_ipic_parse(ev *e, const char *picture, ipic *p)
{
    memset(p, 0, sizeof *p);
    p->kind = IP_DECIMAL;
    p->tcase = IC_LOWER;
    const char *semi = strrchr(picture, ';');
    size_t plen = semi ? (size_t)(semi - picture) : strlen(picture);
    if (semi && semi[1] == 'o')
        p->ordinal = 1;
    char *primary = jn_sdup(e, picture, plen);
    static const struct { const char *pic; ip_kind kind; ip_case tcase; } named[] = {
        {"A", IP_LETTERS, IC_UPPER}, {"a", IP_LETTERS, IC_LOWER}, {"I", IP_ROMAN, IC_UPPER},
        {"i", IP_ROMAN, IC_LOWER}, {"W", IP_WORDS, IC_UPPER}, {"Ww", IP_WORDS, IC_TITLE}, {"w", IP_WORDS, IC_LOWER},
    };
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcmp(primary, named[i].pic)) {
            p->kind = named[i].kind;
            p->tcase = named[i].tcase;
            return;
        }
    /* a decimal digit pattern, read from the right so that separators get
     * their distance from the units digit */
    ustr u = u_from(e, primary);
    p->seppos = jn_alloc(e, sizeof *p->seppos * (size_t)(u.n + 1));
    p->sepch = jn_alloc(e, sizeof *p->sepch * (size_t)(u.n + 1));
    long zero = -1;
    int at = 0;
    for (int i = u.n - 1; i >= 0; i--) {
        long fam = digit_family(u.c[i]);
        if (fam >= 0) {
            p->mandatory++;
            at++;
            if (zero < 0)
                zero = fam;
            else if (fam != zero)
                jn_fail(e, "D3131: In a decimal digit pattern, all digits must be from the same decimal group");
        } else if (u.c[i] == '#') {
            at++;
            p->optional++;
        } else {
            p->seppos[p->nseps] = at;
            p->sepch[p->nseps++] = u.c[i];
        }
    }
    if (p->mandatory == 0) {
        p->kind = IP_SEQUENCE;
        p->token = primary;
        return;
    }
    p->zero = (uint32_t)zero;
    p->regular = regular_interval(p->seppos, p->sepch, p->nseps);
}

/* ---- words */

static const char *const few[] = {"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
                                  "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
                                  "Eighteen", "Nineteen"};
static const char *const ordinal_few[] = {"Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth",
                                          "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth",
                                          "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth",
                                          "Eighteenth", "Nineteenth"};
static const char *const decades[] = {"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
                                      "Hundred"};
static const char *const magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

/* English words for num, as jsonata-js says them: "One Hundred and Two",
 * "Two Thousand, Three Hundred", ordinals on the last word. */
static void words(sbuf *b, double num, int prev, int ord)
{
    jn_guard(b->e);
    if (!isfinite(num))
        jn_fail(b->e, "D3061: The number %s cannot be written in words", jn_show(b->e, jn_num(b->e, num)));
    if (num <= 19) {
        jn_sb_puts(b, prev ? " and " : "");
        jn_sb_puts(b, ord ? ordinal_few[(int)num] : few[(int)num]);
    } else if (num < 100) {
        int tens = (int)floor(num / 10), rem = (int)fmod(num, 10);
        jn_sb_puts(b, prev ? " and " : "");
        const char *d = decades[tens - 2];
        if (rem > 0) {
            jn_sb_puts(b, d);
            jn_sb_putc(b, '-');
            words(b, rem, 0, ord);
        } else if (ord) {
            jn_sb_put(b, d, strlen(d) - 1);
            jn_sb_puts(b, "ieth");
        } else {
            jn_sb_puts(b, d);
        }
    } else if (num < 1000) {
        double rem = fmod(num, 100);
        jn_sb_puts(b, prev ? ", " : "");
        jn_sb_puts(b, few[(int)floor(num / 100)]);
        jn_sb_puts(b, " Hundred");
        if (rem > 0)
            words(b, rem, 1, ord);
        else if (ord)
            jn_sb_puts(b, "th");
    } else {
        int mag = (int)floor(log10(num) / 3);
        if (mag > 4)
            mag = 4;
        double factor = pow(10, mag * 3), mant = floor(num / factor), rem = num - mant * factor;
        jn_sb_puts(b, prev ? ", " : "");
        words(b, mant, 0, 0);
        jn_sb_putc(b, ' ');
        jn_sb_puts(b, magnitudes[mag - 1]);
        if (rem > 0)
            words(b, rem, 1, ord);
        else if (ord)
            jn_sb_puts(b, "th");
    }
}

/* The value of one word (lower case), or NAN for a word that is none. */
static double word_value(const char *w, size_t n)
{
    char lw[32];
    if (n == 0 || n >= sizeof lw)
        return NAN;
    for (size_t i = 0; i < n; i++)
        lw[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
    lw[n] = '\0';
    for (int i = 0; i < 20; i++) {
        if (!strcasecmp(lw, few[i]) || !strcasecmp(lw, ordinal_few[i]))
            return i;
    }
    for (int i = 0; i < 9; i++) {
        size_t dl = strlen(decades[i]);
        if (!strcasecmp(lw, decades[i]) || (n == dl + 3 && !strncasecmp(lw, decades[i], dl - 1) && !strcmp(lw + dl - 1, "ieth")))
            return (i + 2) * 10;
    }
    if (!strcmp(lw, "hundredth"))
        return 100;
    for (int i = 0; i < 4; i++) {
        size_t ml = strlen(magnitudes[i]);
        if (!strncasecmp(lw, magnitudes[i], ml) && (!lw[ml] || !strcmp(lw + ml, "th")))
            return pow(10, (i + 1) * 3);
    }
    return NAN;
}

/* Words back to a number: units add up, hundreds and magnitudes multiply
 * what came before them (within the current thousand group). */
static double words_value(const char *s)
{
    double segs[64];
    int n = 1;
    segs[0] = 0;
    size_t len = strlen(s), i = 0;
    while (i <= len) {
        /* parts are split at ", ", " and ", white space, "-" and "\" */
        size_t j = i;
        while (j < len && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '-' || s[j] == '\\' ||
                            (s[j] == ',' && j + 1 < len && s[j + 1] == ' ')))
            j++;
        size_t next = j + 1;
        if (j < len && s[j] == ',')
            next = j + 2;
        else if (j < len && s[j] == ' ' && !strncmp(s + j, " and ", 5))
            next = j + 5;
        double v = word_value(s + i, j - i);
        if (v < 100) {
            double top = segs[--n];
            if (top >= 1000) {
                n++;
                top = 0;
            }
            if (n < 64)
                segs[n++] = top + v;
        } else {
            segs[n - 1] = segs[n - 1] * v;
        }
        if (j >= len)
            break;
        i = next;
    }
    double sum = 0;
    for (int k = 0; k < n; k++)
        sum += segs[k];
    return sum;
}

/* ---- roman numerals and letters */

static void roman(sbuf *b, double v)
{
    static const struct { int v; const char *s; } numerals[] = {
        {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
        {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"},
    };
    for (size_t i = 0; i < sizeof numerals / sizeof *numerals;) {
        if (v >= numerals[i].v) {
            jn_sb_puts(b, numerals[i].s);
            v -= numerals[i].v;
        } else {
            i++;
        }
        jn_guard(b->e);
    }
}

static double roman_value(const char *s)
{
    double total = 0, max = 1;
    for (size_t i = strlen(s); i-- > 0;) {
        const char *digits = "MDCLXVI";
        static const double values[] = {1000, 500, 100, 50, 10, 5, 1};
        const char *d = strchr(digits, s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
        double v = d && s[i] ? values[d - digits] : NAN;
        if (v < max) {
            total -= v;
        } else {
            max = v;
            total += v;
        }
    }
    return total;
}

static void letters(sbuf *b, double v, char a)
{
    char tmp[64];
    int n = 0;
    while (v > 0 && n < (int)sizeof tmp) {
        tmp[n++] = (char)(fmod(v - 1, 26) + a);
        v = floor((v - 1) / 26);
    }
    while (n > 0)
        jn_sb_putc(b, tmp[--n]);
}

/* ---- formatting */

static _Noreturn void sequence_unsupported(ev *e, const ipic *p)
{
    jn_fail(e, "D3130: Formatting or parsing an integer as a sequence starting with %s is not supported by this "
            "implementation", p->token);
}

static void change_case(char *s, ip_case c)
{
    for (; *s; s++)
        if (c == IC_UPPER && *s >= 'a' && *s <= 'z')
            *s = (char)(*s - 32);
        else if (c == IC_LOWER && *s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

static void format_decimal(ev *e, ustr *u, double value, const ipic *p)
{
    char digits[400];
    jn_js_number(value, digits);
    for (int pad = p->mandatory - (int)strlen(digits); pad > 0; pad--)
        u_push(u, '0');
    u_puts(u, digits);
    for (int i = 0; i < u->n; i++)
        if (u->c[i] >= '0' && u->c[i] <= '9')
            u->c[i] = u->c[i] - '0' + p->zero;
    if (p->regular) {
        int n = (u->n - 1) / p->regular;
        for (int k = n; k > 0; k--)
            u_insert(u, u->n - k * p->regular, p->sepch[0]);
    } else {
        for (int k = p->nseps - 1; k >= 0; k--)
            u_js_insert(u, u->n - p->seppos[k], p->sepch[k]);
    }
    if (p->ordinal) {
        uint32_t last = u->n ? u->c[u->n - 1] : 0;
        const char *suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        if (u->n > 1 && u->c[u->n - 2] == '1')
            suffix = "th";
        u_puts(u, suffix);
    }
    (void)e;
}

jv *jn_format_integer(ev *e, double value, const ipic *p)
{
    int negative = value < 0;
    value = fabs(value);
    sbuf b = {e, 0, 0, 0};
    ustr u = {e, NULL, 0, 0};
    if (negative)
        jn_sb_putc(&b, '-');
    switch (p->kind) {
    case IP_LETTERS: letters(&b, value, p->tcase == IC_UPPER ? 'A' : 'a'); break;
    case IP_ROMAN:
        roman(&b, value);
        if (p->tcase == IC_UPPER)
            change_case(b.p ? b.p : (char *)"", IC_UPPER);
        break;
    case IP_WORDS:
        words(&b, value, 0, p->ordinal);
        if (p->tcase != IC_TITLE && b.p)
            change_case(b.p, p->tcase);
        break;
    case IP_DECIMAL:
        format_decimal(e, &u, value, p);
        if (negative)
            u_insert(&u, 0, '-');
        return u_value(&u);
    case IP_SEQUENCE: sequence_unsupported(e, p);
    }
    return jn_str_n(e, jn_sb_str(&b), b.len);
}

/* $formatInteger(number, picture) */
jv *jn_f_format_integer(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    ipic p;
    jn_ipic_parse(e, a[1] ? a[1]->s : "", &p);
    return jn_format_integer(e, floor(a[0]->n), &p);
}

/* ---- parsing */

double jn_parse_integer(ev *e, const char *s, const ipic *p)
{
    switch (p->kind) {
    case IP_LETTERS: {
        double v = 0;
        size_t len = strlen(s);
        char a = p->tcase == IC_UPPER ? 'A' : 'a';
        for (size_t i = 0; i < len; i++)
            v += ((unsigned char)s[len - i - 1] - a + 1) * pow(26, (double)i);
        return v;
    }
    case IP_ROMAN: return roman_value(s);
    case IP_WORDS: return words_value(s);
    case IP_DECIMAL: {
        ustr u = u_from(e, s);
        if (p->ordinal)
            u.n = u.n >= 2 ? u.n - 2 : 0;
        char digits[64];
        int nd = 0;
        for (int i = 0; i < u.n; i++) {
            uint32_t c = u.c[i];
            int sep = 0;
            for (int k = 0; k < p->nseps && !sep; k++)
                sep = p->regular ? c == ',' : c == p->sepch[k];
            if (sep)
                continue;
            if (p->zero != '0')
                c = c - p->zero + '0';
            if (c < '0' || c > '9' || nd >= (int)sizeof digits - 1)
                break; /* parseInt stops at what is no digit */
            digits[nd++] = (char)c;
        }
        digits[nd] = '\0';
        return nd ? strtod(digits, NULL) : NAN;
    }
    case IP_SEQUENCE: break;
    }
    sequence_unsupported(e, p);
}

/* The regular expression a component's text matches when parsing a date
 * ($toMillis with a picture); fixed is the number of digits a fixed-width
 * year takes (0: any). */
void jn_ipic_regex(sbuf *b, const ipic *p, int fixed)
{
    switch (p->kind) {
    case IP_LETTERS: jn_sb_puts(b, p->tcase == IC_UPPER ? "[A-Z]+" : "[a-z]+"); return;
    case IP_ROMAN: jn_sb_puts(b, p->tcase == IC_UPPER ? "[MDCLXVI]+" : "[mdclxvi]+"); return;
    case IP_WORDS: {
        jn_sb_puts(b, "(?:");
        for (int i = 0; i < 20; i++) {
            jn_sb_puts(b, i ? "|" : "");
            jn_sb_puts(b, few[i]);
            jn_sb_putc(b, '|');
            jn_sb_puts(b, ordinal_few[i]);
        }
        for (int i = 0; i < 9; i++) {
            jn_sb_putc(b, '|');
            jn_sb_puts(b, decades[i]);
            jn_sb_putc(b, '|');
            jn_sb_put(b, decades[i], strlen(decades[i]) - 1);
            jn_sb_puts(b, "ieth");
        }
        for (int i = 0; i < 4; i++) {
            jn_sb_putc(b, '|');
            jn_sb_puts(b, magnitudes[i]);
            jn_sb_putc(b, '|');
            jn_sb_puts(b, magnitudes[i]);
            jn_sb_puts(b, "th");
        }
        jn_sb_puts(b, "|and|[\\-, ])+");
        return;
    }
    case IP_DECIMAL: {
        char tmp[32];
        if (fixed > 0)
            snprintf(tmp, sizeof tmp, "[0-9]{%d}", fixed);
        jn_sb_puts(b, fixed > 0 ? tmp : "[0-9]+");
        if (p->ordinal)
            jn_sb_puts(b, "(?:th|st|nd|rd)");
        return;
    }
    case IP_SEQUENCE: break;
    }
    sequence_unsupported(b->e, p);
}

/* $parseInteger(string, picture) */
jv *jn_f_parse_integer(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    ipic p;
    jn_ipic_parse(e, a[1] ? a[1]->s : "", &p);
    return jn_num(e, jn_parse_integer(e, a[0]->s, &p));
}

/* ------------------------------------------------------------- $formatNumber */

/* The decimal format's symbols (each one character; options override). */
typedef struct dformat {
    uint32_t decimal, group, exponent, minus, percent, permille, zero, digit, pattern;
    const char *infinity, *nan;
} dformat;

/* One sub-picture, split (F&O 4.7.3) and analysed (4.7.4). */
typedef struct subpic {
    const uint32_t *pic;
    int n;
    int prefix_len, suffix_len;
    const uint32_t *integer, *fraction, *mantissa, *exponent_part;
    int ni, nf, nm, ne, has_exponent;
    /* analysis */
    int *int_groups, n_int_groups, regular;
    int *frac_groups, n_frac_groups;
    int min_int, scaling, min_frac, max_frac, min_exp;
    ustr prefix, suffix;
} subpic;

static int is_digit_of(const dformat *f, uint32_t c)
{
    return c >= f->zero && c <= f->zero + 9;
}

static int is_active(const dformat *f, uint32_t c)
{
    return is_digit_of(f, c) || c == f->decimal || c == f->exponent || c == f->group || c == f->digit ||
           c == f->pattern;
}

static int count_digits(const dformat *f, const uint32_t *c, int n, int optional_too)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += is_digit_of(f, c[i]) || (optional_too && c[i] == f->digit);
    return k;
}

static void split_subpicture(ev *e, const dformat *f, const uint32_t *pic, int n, subpic *s)
{
    static const uint32_t none[1];
    if (!pic)
        pic = none; /* "" has no code points (NULL): offsets from NULL are undefined */
    memset(s, 0, sizeof *s);
    s->pic = pic;
    s->n = n;
    int first = -1, last = -1;
    for (int i = 0; i < n; i++)
        if (is_active(f, pic[i]) && pic[i] != f->exponent) {
            if (first < 0)
                first = i;
            last = i;
        }
    s->prefix_len = first < 0 ? n : first;
    s->suffix_len = last < 0 ? 0 : n - last - 1;
    const uint32_t *active = pic + s->prefix_len;
    int nactive = n - s->prefix_len - s->suffix_len;
    if (nactive < 0)
        nactive = 0;
    int exp_at = u_index(pic, n, f->exponent, s->prefix_len);
    s->mantissa = active;
    s->nm = nactive;
    if (exp_at >= 0 && exp_at <= n - s->suffix_len) {
        /* jsonata-js cuts the active part at the exponent's position in
         * the whole sub-picture */
        s->nm = exp_at < nactive ? exp_at : nactive;
        s->exponent_part = active + (exp_at + 1 < nactive ? exp_at + 1 : nactive);
        s->ne = exp_at + 1 < nactive ? nactive - exp_at - 1 : 0;
        s->has_exponent = 1;
    }
    int dp = u_index(s->mantissa, s->nm, f->decimal, 0);
    if (dp < 0) {
        s->integer = s->mantissa;
        s->ni = s->nm;
        s->fraction = pic + n - s->suffix_len; /* as jsonata-js: the suffix */
        s->nf = s->suffix_len;
    } else {
        s->integer = s->mantissa;
        s->ni = dp;
        s->fraction = s->mantissa + dp + 1;
        s->nf = s->nm - dp - 1;
    }
    s->prefix = (ustr){e, NULL, 0, 0};
    for (int i = 0; i < s->prefix_len; i++)
        u_push(&s->prefix, pic[i]);
    s->suffix = (ustr){e, NULL, 0, 0};
    for (int i = n - s->suffix_len; i < n; i++)
        u_push(&s->suffix, pic[i]);
}

/* F&O 4.7.3's rules; as in jsonata-js the last rule broken names the error. */
static void validate_subpicture(ev *e, const dformat *f, const subpic *s)
{
    const char *err = NULL;
    const uint32_t *p = s->pic;
    int n = s->n;
    int dpos = u_index(p, n, f->decimal, 0);
    if (dpos != u_last(p, n, f->decimal))
        err = "D3081: The sub-picture must not contain more than one instance of the 'decimal-separator' character";
    if (u_index(p, n, f->percent, 0) != u_last(p, n, f->percent))
        err = "D3082: The sub-picture must not contain more than one instance of the 'percent' character";
    if (u_index(p, n, f->permille, 0) != u_last(p, n, f->permille))
        err = "D3083: The sub-picture must not contain more than one instance of the 'per-mille' character";
    if (u_index(p, n, f->percent, 0) >= 0 && u_index(p, n, f->permille, 0) >= 0)
        err = "D3084: The sub-picture must not contain both a 'percent' and a 'per-mille' character";
    if (count_digits(f, s->mantissa, s->nm, 1) == 0)
        err = "D3085: The mantissa part of a sub-picture must contain at least one character that is either an "
              "'optional digit character' or a member of the 'decimal digit family'";
    for (int i = 0; i < n - s->prefix_len - s->suffix_len; i++)
        if (!is_active(f, p[s->prefix_len + i]))
            err = "D3086: A sub-picture must not contain a passive character that is preceded by an active character "
                  "and that is followed by another active character";
    if (dpos >= 0) {
        if ((dpos > 0 && p[dpos - 1] == f->group) || (dpos + 1 < n && p[dpos + 1] == f->group))
            err = "D3087: A 'grouping-separator' character must not be adjacent to a 'decimal-separator' character";
    } else if (s->ni > 0 && s->integer[s->ni - 1] == f->group) {
        err = "D3088: The integer part of a sub-picture must not end with a 'grouping-separator' character";
    }
    for (int i = 0; i + 1 < n; i++)
        if (p[i] == f->group && p[i + 1] == f->group)
            err = "D3089: A sub-picture must not contain two adjacent instances of the 'grouping-separator' character";
    int opt = u_index(s->integer, s->ni, f->digit, 0);
    if (opt >= 0 && count_digits(f, s->integer, opt, 0) > 0)
        err = "D3090: The integer part of a sub-picture must not contain a member of the 'decimal digit family' that "
              "is followed by an instance of the 'optional digit character'";
    opt = u_last(s->fraction, s->nf, f->digit);
    if (opt >= 0 && count_digits(f, s->fraction + opt, s->nf - opt, 0) > 0)
        err = "D3091: The fractional part of a sub-picture must not contain an instance of the 'optional digit "
              "character' that is followed by a member of the 'decimal digit family'";
    int has_pct = u_index(p, n, f->percent, 0) >= 0 || u_index(p, n, f->permille, 0) >= 0;
    if (s->has_exponent && s->ne > 0 && has_pct)
        err = "D3092: A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character "
              "treated as an 'exponent-separator'";
    if (s->has_exponent && (s->ne == 0 || count_digits(f, s->exponent_part, s->ne, 0) != s->ne))
        err = "D3093: The exponent part of a sub-picture that contains an 'exponent-separator' must contain at least "
              "one character and consist only of members of the 'decimal digit family'";
    if (err)
        jn_fail(e, "%s", err);
}

/* Where the grouping separators of part stand, counted in digits from the
 * decimal point. As jsonata-js does, the search for the next one after
 * the first runs in the integer part, whichever part is measured. */
static int *group_positions(ev *e, const dformat *f, const subpic *s, const uint32_t *part, int np, int to_left,
                            int *count)
{
    int *pos = jn_alloc(e, sizeof *pos * (size_t)(np + s->ni + 1));
    *count = 0;
    int g = u_index(part, np, f->group, 0);
    while (g >= 0 && *count < np + s->ni) {
        pos[(*count)++] = to_left ? count_digits(f, part, g < np ? g : np, 1)
                                  : count_digits(f, part + (g < np ? g : np), np - (g < np ? g : np), 1);
        g = u_index(s->integer, s->ni, f->group, g + 1);
    }
    return pos;
}

static void analyse_subpicture(ev *e, const dformat *f, subpic *s)
{
    s->int_groups = group_positions(e, f, s, s->integer, s->ni, 0, &s->n_int_groups);
    s->regular = regular_interval(s->int_groups, NULL, s->n_int_groups);
    s->frac_groups = group_positions(e, f, s, s->fraction, s->nf, 1, &s->n_frac_groups);
    s->min_int = count_digits(f, s->integer, s->ni, 0);
    s->scaling = s->min_int;
    s->min_frac = count_digits(f, s->fraction, s->nf, 0);
    s->max_frac = count_digits(f, s->fraction, s->nf, 1);
    if (s->min_int == 0 && s->max_frac == 0) {
        if (s->has_exponent)
            s->min_frac = s->max_frac = 1;
        else
            s->min_int = 1;
    }
    if (s->has_exponent && s->min_int == 0 && u_index(s->integer, s->ni, f->digit, 0) >= 0)
        s->min_int = 1;
    if (s->min_int == 0 && s->min_frac == 0)
        s->min_frac = 1;
    s->min_exp = s->has_exponent ? count_digits(f, s->exponent_part, s->ne, 0) : 0;
}

/* |v| with dp decimals, in the format's digits. */
static void fixed_digits(ustr *u, const dformat *f, double v, int dp)
{
    int len = snprintf(NULL, 0, "%.*f", dp, fabs(v));
    char *t = jn_alloc(u->e, (size_t)len + 1);
    snprintf(t, (size_t)len + 1, "%.*f", dp, fabs(v));
    for (int i = 0; i < len; i++)
        u_push(u, t[i] >= '0' && t[i] <= '9' ? (uint32_t)(t[i] - '0') + f->zero : (uint32_t)t[i]);
}

static int contains(const subpic *s, uint32_t c)
{
    return u_index(s->pic, s->n, c, 0) >= 0;
}

static jv *format_with(ev *e, const dformat *f, double value, subpic *s)
{
    double adjusted = contains(s, f->percent) ? value * 100 : contains(s, f->permille) ? value * 1000 : value;
    double mantissa = adjusted;
    int exponent = 0;
    if (s->min_exp > 0 && mantissa != 0 && isfinite(mantissa)) {
        double maxm = pow(10, s->scaling), minm = pow(10, s->scaling - 1);
        mantissa = fabs(mantissa);
        while (mantissa < minm)
            mantissa *= 10, exponent--;
        while (mantissa > maxm)
            mantissa /= 10, exponent++;
    }
    double rounded = jn_round_half_even(mantissa, s->max_frac);
    ustr u = {e, NULL, 0, 0};
    fixed_digits(&u, f, rounded, s->max_frac);
    int dp = u_index(u.c, u.n, '.', 0);
    if (dp < 0)
        u_push(&u, f->decimal);
    else
        u.c[dp] = f->decimal;
    int lead = 0;
    while (lead < u.n && u.c[lead] == f->zero)
        lead++;
    memmove(u.c, u.c + lead, sizeof *u.c * (size_t)(u.n - lead));
    u.n -= lead;
    while (u.n > 0 && u.c[u.n - 1] == f->zero)
        u.n--;
    dp = u_index(u.c, u.n, f->decimal, 0);
    int pad_left = s->min_int - dp, pad_right = s->min_frac - (u.n - dp - 1);
    for (; pad_left > 0; pad_left--)
        u_insert(&u, 0, f->zero);
    for (; pad_right > 0; pad_right--)
        u_push(&u, f->zero);
    dp = u_index(u.c, u.n, f->decimal, 0);
    if (s->regular > 0) {
        int groups = (dp - 1) / s->regular;
        for (int g = 1; g <= groups; g++)
            u_js_insert(&u, dp - g * s->regular, f->group);
    } else {
        for (int k = 0; k < s->n_int_groups; k++) {
            u_js_insert(&u, dp - s->int_groups[k], f->group);
            dp++;
        }
    }
    dp = u_index(u.c, u.n, f->decimal, 0);
    for (int k = 0; k < s->n_frac_groups; k++)
        u_js_insert(&u, s->frac_groups[k] + dp + 1, f->group);
    dp = u_index(u.c, u.n, f->decimal, 0);
    if (!contains(s, f->decimal) || dp == u.n - 1)
        u.n--;
    if (s->min_exp > 0) {
        ustr x = {e, NULL, 0, 0};
        fixed_digits(&x, f, exponent, 0);
        u_push(&u, f->exponent);
        if (exponent < 0)
            u_push(&u, f->minus);
        for (int pad = s->min_exp - x.n; pad > 0; pad--)
            u_push(&u, f->zero);
        for (int i = 0; i < x.n; i++)
            u_push(&u, x.c[i]);
    }
    ustr out = {e, NULL, 0, 0};
    for (int i = 0; i < s->prefix.n; i++)
        u_push(&out, s->prefix.c[i]);
    for (int i = 0; i < u.n; i++)
        u_push(&out, u.c[i]);
    for (int i = 0; i < s->suffix.n; i++)
        u_push(&out, s->suffix.c[i]);
    return u_value(&out);
}

/* The first character of an option's text (as jsonata-js reads it). */
static uint32_t option_char(ev *e, jv *options, const char *key, uint32_t dflt)
{
    jv *v = options ? jn_lookup_field(e, options, key) : NULL;
    if (!v || v->t != T_STR || !v->slen)
        return dflt;
    size_t adv;
    return jn_u8_next(v->s, v->slen, &adv);
}

/* $formatNumber(number, picture [, options]) */
jv *jn_f_format_number(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    jv *opts = n > 2 ? a[2] : NULL;
    dformat f = {
        option_char(e, opts, "decimal-separator", '.'), option_char(e, opts, "grouping-separator", ','),
        option_char(e, opts, "exponent-separator", 'e'), option_char(e, opts, "minus-sign", '-'),
        option_char(e, opts, "percent", '%'), option_char(e, opts, "per-mille", 0x2030),
        option_char(e, opts, "zero-digit", '0'), option_char(e, opts, "digit", '#'),
        option_char(e, opts, "pattern-separator", ';'), "Infinity", "NaN",
    };
    ustr pic = u_from(e, a[1] ? a[1]->s : "");
    int semi = u_index(pic.c, pic.n, f.pattern, 0);
    if (semi >= 0 && u_index(pic.c, pic.n, f.pattern, semi + 1) >= 0)
        jn_fail(e, "D3080: The picture string must only contain a maximum of two sub-pictures");
    subpic parts[2];
    int nparts = semi >= 0 ? 2 : 1;
    split_subpicture(e, &f, pic.c, semi >= 0 ? semi : pic.n, &parts[0]);
    if (semi >= 0)
        split_subpicture(e, &f, pic.c + semi + 1, pic.n - semi - 1, &parts[1]);
    for (int i = 0; i < nparts; i++)
        validate_subpicture(e, &f, &parts[i]);
    for (int i = 0; i < nparts; i++)
        analyse_subpicture(e, &f, &parts[i]);
    if (nparts == 1) {
        parts[1] = parts[0];
        parts[1].prefix = (ustr){e, NULL, 0, 0};
        u_push(&parts[1].prefix, f.minus);
        for (int i = 0; i < parts[0].prefix.n; i++)
            u_push(&parts[1].prefix, parts[0].prefix.c[i]);
    }
    double v = a[0]->n;
    return format_with(e, &f, v, &parts[v >= 0 ? 0 : 1]);
}
