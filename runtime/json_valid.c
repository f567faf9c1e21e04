/*
 * json_valid.c: whether JSON text would parse, without parsing it. A
 * SendTaskSuccess output is checked when it comes (AWS answers
 * InvalidOutput at once) but parsed only when its frame takes it; checking
 * by a parse made every answer cost two. This walk accepts exactly what
 * asl_json_parse_checked accepts (cJSON's grammar, as lenient as cJSON is:
 * numbers are what strtod reads of a run of number characters, \u escapes
 * with bad hex read as 0; no NUL, valid UTF-8, finite numbers, cJSON's
 * nesting limit), which tests/json/valid_test.c checks against it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct scan {
    const unsigned char *p, *end; /* *end is the NUL after the text */
    int depth;
} scan;

static void skip_space(scan *s)
{
    while (s->p < s->end && *s->p <= 32)
        s->p++;
}

static unsigned hex4(const unsigned char *p)
{
    unsigned h = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return 0; /* as cJSON: a bad digit makes the whole code 0 */
        h = h << 4 | d;
    }
    return h;
}

static bool string(scan *s)
{
    if (s->p >= s->end || *s->p != '"')
        return false;
    const unsigned char *q = s->p + 1, *close = q;
    /* Without a backslash before the closing quote: found at once. */
    const unsigned char *quote = memchr(q, '"', (size_t)(s->end - q));
    if (quote && !memchr(q, '\\', (size_t)(quote - q))) {
        s->p = quote + 1;
        return true;
    }
    while (close < s->end && *close != '"') {
        if (*close == '\\' && ++close >= s->end)
            return false;
        close++;
    }
    if (close >= s->end)
        return false;
    while (q < close) {
        if (*q != '\\') {
            q++;
            continue;
        }
        switch (q[1]) {
        case 'b': case 'f': case 'n': case 'r': case 't': case '"': case '\\': case '/':
            q += 2;
            continue;
        case 'u':
            break;
        default:
            return false;
        }
        if (close - q < 6)
            return false;
        unsigned first = hex4(q + 2);
        if (first >= 0xDC00 && first <= 0xDFFF)
            return false;
        if (first >= 0xD800 && first <= 0xDBFF) {
            const unsigned char *second = q + 6;
            if (close - second < 6 || second[0] != '\\' || second[1] != 'u')
                return false;
            unsigned low = hex4(second + 2);
            if (low < 0xDC00 || low > 0xDFFF)
                return false;
            q += 12;
        } else {
            q += 6;
        }
    }
    s->p = close + 1;
    return true;
}

static bool number(scan *s)
{
    /* As cJSON 1.7.15: the run of number characters, read by strtod. */
    size_t n = 0;
    while (s->p + n < s->end && s->p[n] && strchr("0123456789+-eE.", s->p[n]))
        n++;
    char small[64], *digits = n < sizeof small ? small : malloc(n + 1);
    if (!digits)
        abort();
    memcpy(digits, s->p, n);
    digits[n] = '\0';
    char *after;
    double d = strtod(digits, &after);
    size_t used = (size_t)(after - digits);
    if (digits != small)
        free(digits);
    if (!used || !isfinite(d))
        return false;
    s->p += used;
    return true;
}

static bool value(scan *s);

/* An array or object: cJSON's nesting limit, members separated by commas. */
static bool container(scan *s, bool object)
{
    if (s->depth >= CJSON_NESTING_LIMIT)
        return false;
    s->depth++;
    s->p++;
    skip_space(s);
    unsigned char close = object ? '}' : ']';
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        skip_space(s);
        if (object) {
            if (!string(s))
                return false;
            skip_space(s);
            if (s->p >= s->end || *s->p != ':')
                return false;
            s->p++;
            skip_space(s);
        }
        if (!value(s))
            return false;
        skip_space(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        break;
    }
    if (s->p >= s->end || *s->p != close)
        return false;
    s->p++;
    s->depth--;
    return true;
}

static bool word(scan *s, const char *w, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
        return false;
    s->p += n;
    return true;
}

static bool value(scan *s)
{
    if (s->p >= s->end)
        return false;
    switch (*s->p) {
    case 'n': return word(s, "null", 4);
    case 'f': return word(s, "false", 5);
    case 't': return word(s, "true", 4);
    case '"': return string(s);
    case '[': return container(s, false);
    case '{': return container(s, true);
    default:
        return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) && number(s);
    }
}

bool asl_json_text_valid(const char *text, size_t len)
{
    asl_buf why = {0};
    bool text_ok = asl_json_text_check(text, len, &why);
    asl_buf_free(&why);
    if (!text_ok)
        return false;
    scan s = {(const unsigned char *)text, (const unsigned char *)text + len, 0};
    if (len >= 4 && !memcmp(text, "\xEF\xBB\xBF", 3)) /* cJSON skips a byte order mark (then) */
        s.p += 3;
    skip_space(&s);
    if (!value(&s))
        return false;
    skip_space(&s);
    return s.p == s.end;
}
