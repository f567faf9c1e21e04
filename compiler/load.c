/*
 * load.c: reads a definition file, parses it with cJSON, and remembers where
 * every key stands so that diagnostics can say FILE:LINE:COL.
 *
 * cJSON keeps no positions and gives no error message, so the text is first
 * scanned by a small strict JSON scanner of our own. The scanner
 *  - records, for every object key and every array element, its dotted path
 *    (built with diag_path_key/diag_path_index, so it is the very string the
 *    checker will later look up) and where it starts;
 *  - rejects anything that is not JSON (RFC 8259), or that cJSON would
 *    reject (nesting deeper than CJSON_NESTING_LIMIT, numbers longer than the
 *    63 characters cJSON's parse_number copies, lone surrogates), or that
 *    would silently change meaning (invalid UTF-8, numbers that overflow to
 *    infinity), with a message and the line:col where the problem is.
 * It is iterative with an explicit stack, so no input can exhaust the C
 * stack. Only after the scan succeeds is the text handed to cJSON.
 *
 * Duplicate keys: cJSON keeps both, and lookups return the first. ASL
 * forbids them, and since a path is built from its parent's path and the
 * key, two equal keys in one object are exactly two equal paths: after the
 * table is sorted by path they sit side by side.
 *
 * Columns count characters: a UTF-8 sequence is one column. A UTF-8 BOM at
 * the start of the file is skipped; line 1 column 1 is the byte after it.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aslc.h"

struct cc_pos {
    const char *path;    /* cc_alloc'd, from diag_path_key/diag_path_index */
    const char *parent;  /* path of the enclosing object for a key, else NULL */
    size_t off;          /* byte offset in the text (after the BOM) */
    int line, col;
};

enum { MAX_NUMBER = 63 };   /* cJSON's parse_number buffer holds 63 chars */

typedef struct frame {
    const char *path;
    char close;          /* '}' or ']' */
    int index;           /* element index, in arrays */
} frame;

typedef struct scanner {
    const unsigned char *p;
    size_t len, at;
    char err[160];       /* the first (and only) error message */
    size_t err_at;
    char *str;           /* the last string scanned, decoded */
    size_t slen, scap;
    struct cc_pos *pos;
    int npos, pcap;
    int depth;
    frame stack[CJSON_NESTING_LIMIT];
} scanner;

/* ------------------------------------------------------------ helpers */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("aslc: out of memory\n", stderr);
        exit(70);
    }
    return p;
}

static bool fail(scanner *s, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(scanner *s, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    s->err_at = at;
    return false;
}

static void add_pos(scanner *s, const char *path, const char *parent, size_t off)
{
    if (s->npos == s->pcap) {
        s->pcap = s->pcap ? 2 * s->pcap : 64;
        s->pos = xrealloc(s->pos, sizeof *s->pos * (size_t)s->pcap);
    }
    s->pos[s->npos++] = (struct cc_pos){path, parent, off, 0, 0};
}

static void put(scanner *s, const void *bytes, size_t n)
{
    if (s->slen + n + 1 > s->scap) {
        s->scap = (s->slen + n + 1) * 2;
        s->str = xrealloc(s->str, s->scap);
    }
    memcpy(s->str + s->slen, bytes, n);
    s->slen += n;
    s->str[s->slen] = '\0';
}

/* Length of the valid UTF-8 sequence at p (n bytes available), 0 if it is
 * invalid (bad lead byte, overlong form, surrogate, beyond U+10FFFF). */
static int utf8_len(const unsigned char *p, size_t n, unsigned *cp)
{
    unsigned c = p[0];
    int k;
    /* The second byte's range rules out overlong forms (E0, F0),
     * UTF-16 surrogates (ED) and code points past U+10FFFF (F4). */
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
        c &= 0x07;
    } else {
        return 0;
    }
    if ((size_t)k > n || p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3F);
    }
    *cp = c;
    return k;
}

/* How to name the character at `at` in a message: 'x', U+0009, byte 0xFF,
 * or "end of file". */
static const char *describe(const scanner *s, size_t at, char buf[24])
{
    unsigned cp;
    if (at >= s->len)
        return "end of file";
    unsigned char c = s->p[at];
    if (c == '\'')
        snprintf(buf, 24, "\"'\"");
    else if (c > 0x20 && c < 0x7f)
        snprintf(buf, 24, "'%c'", c);
    else if (utf8_len(s->p + at, s->len - at, &cp))
        snprintf(buf, 24, "U+%04X", cp);
    else
        snprintf(buf, 24, "byte 0x%02X", c);
    return buf;
}

/* "expected X, got Y" at the current position. */
static bool unexpected(scanner *s, const char *expected)
{
    char buf[24];
    if (s->at >= s->len)
        return fail(s, s->at, "unexpected end of file, expected %s", expected);
    return fail(s, s->at, "expected %s, got %s", expected, describe(s, s->at, buf));
}

static int peek(const scanner *s)
{
    return s->at < s->len ? s->p[s->at] : -1;
}

static void skip_ws(scanner *s)
{
    while (s->at < s->len && (s->p[s->at] == ' ' || s->p[s->at] == '\t' ||
                              s->p[s->at] == '\n' || s->p[s->at] == '\r'))
        s->at++;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* ------------------------------------------------------------ strings */

static int hex4(const scanner *s, size_t at)
{
    int v = 0;
    if (at + 4 > s->len)
        return -1;
    for (int i = 0; i < 4; i++) {
        int c = s->p[at + i], d;
        if (is_digit(c))
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static void put_utf8(scanner *s, unsigned cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80)
        b[0] = (unsigned char)cp, n = 1;
    else if (cp < 0x800)
        b[0] = (unsigned char)(0xC0 | cp >> 6), n = 2;
    else if (cp < 0x10000)
        b[0] = (unsigned char)(0xE0 | cp >> 12), n = 3;
    else
        b[0] = (unsigned char)(0xF0 | cp >> 18), n = 4;
    for (size_t i = 1; i < n; i++)
        b[i] = (unsigned char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
    put(s, b, n);
}

/* \uXXXX at s->at (the backslash), with its low surrogate if it is a high
 * one. cJSON rejects unpaired surrogates, so we do too, saying why. */
static bool scan_unicode(scanner *s)
{
    int hi = hex4(s, s->at + 2);
    if (hi < 0)
        return fail(s, s->at, "invalid \\u escape, expected 4 hex digits");
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return fail(s, s->at, "invalid \\u escape: unpaired surrogate \\u%04X", (unsigned)hi);
    if (hi < 0xD800 || hi > 0xDBFF) {
        put_utf8(s, (unsigned)hi);
        s->at += 6;
        return true;
    }
    int lo = -1;
    if (s->at + 7 < s->len && s->p[s->at + 6] == '\\' && s->p[s->at + 7] == 'u')
        lo = hex4(s, s->at + 8);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return fail(s, s->at, "invalid \\u escape: unpaired surrogate \\u%04X", (unsigned)hi);
    put_utf8(s, 0x10000 + (((unsigned)hi & 0x3FF) << 10 | ((unsigned)lo & 0x3FF)));
    s->at += 12;
    return true;
}

static bool scan_escape(scanner *s)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char buf[24];
    int c = s->at + 1 < s->len ? s->p[s->at + 1] : -1;
    if (c == 'u')
        return scan_unicode(s);
    const char *e = c > 0 ? strchr(from, c) : NULL;
    if (!e)
        return fail(s, s->at, "invalid escape in string: backslash followed by %s",
                    describe(s, s->at + 1, buf));
    put(s, &to[e - from], 1);
    s->at += 2;
    return true;
}

/* A string at s->at (its opening quote), decoded into s->str. As in cJSON,
 * a \u0000 ends the C string. */
static bool scan_string(scanner *s)
{
    size_t start = s->at++;
    unsigned cp;
    s->slen = 0;
    put(s, "", 0);
    for (;;) {
        if (s->at >= s->len)
            return fail(s, start, "unterminated string");
        unsigned char c = s->p[s->at];
        if (c == '"') {
            s->at++;
            return true;
        }
        if (c == '\\') {
            if (!scan_escape(s))
                return false;
        } else if (c < 0x20) {
            if (c == '\n')
                return fail(s, start, "unterminated string (a newline in a string must be written \\n)");
            return fail(s, s->at, "control character U+%04X in string must be escaped", c);
        } else {
            int n = utf8_len(s->p + s->at, s->len - s->at, &cp);
            if (!n)
                return fail(s, s->at, "invalid UTF-8 in string (byte 0x%02X)", c);
            put(s, s->p + s->at, (size_t)n);
            s->at += (size_t)n;
        }
    }
}

/* ------------------------------------------------------------ scalars */

static bool scan_digits(scanner *s, const char *after)
{
    if (!is_digit(peek(s)))
        return unexpected(s, after);
    while (is_digit(peek(s)))
        s->at++;
    return true;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool scan_number(scanner *s)
{
    size_t start = s->at;
    if (peek(s) == '-')
        s->at++;
    if (peek(s) == '0') {
        s->at++;
        if (is_digit(peek(s)))
            return fail(s, start, "invalid number: leading zero");
    } else if (!scan_digits(s, "a digit")) {
        return false;
    }
    if (peek(s) == '.') {
        s->at++;
        if (!scan_digits(s, "a digit after the decimal point"))
            return false;
    }
    if (peek(s) == 'e' || peek(s) == 'E') {
        s->at++;
        if (peek(s) == '+' || peek(s) == '-')
            s->at++;
        if (!scan_digits(s, "a digit in the exponent"))
            return false;
    }
    if (s->at - start > MAX_NUMBER)
        return fail(s, start, "number is too long (more than %d characters)", MAX_NUMBER);
    /* The text is NUL-terminated, and strtod reads a JSON number exactly. */
    if (isinf(strtod((const char *)s->p + start, NULL)))
        return fail(s, start, "number is out of range");
    return true;
}

/* true, false, null; any other word is reported whole. */
static bool scan_word(scanner *s)
{
    size_t start = s->at, n;
    while (is_word(peek(s)))
        s->at++;
    n = s->at - start;
    const char *w = (const char *)s->p + start;
    if ((n == 4 && !memcmp(w, "true", 4)) || (n == 5 && !memcmp(w, "false", 5)) ||
        (n == 4 && !memcmp(w, "null", 4)))
        return true;
    return fail(s, start, "expected a value, got '%.*s%s'", n > 20 ? 20 : (int)n, w,
                n > 20 ? "..." : "");
}

static bool scan_scalar(scanner *s)
{
    int c = peek(s);
    if (c == '"')
        return scan_string(s);
    if (c == '-' || is_digit(c))
        return scan_number(s);
    if (is_word(c))
        return scan_word(s);
    if (c == '\'')
        return fail(s, s->at, "expected a value, got \"'\" (JSON strings use double quotes)");
    return unexpected(s, "a value");
}

/* ------------------------------------------------------------ structure */

enum want { WANT_VALUE, WANT_KEY, AFTER_VALUE };

/* At a value whose path is *path: opens a container, or scans a scalar.
 * In a non-empty array, *path becomes the path of its first element. */
static bool begin_value(scanner *s, const char **path, enum want *next)
{
    int c = peek(s);
    if (c != '{' && c != '[') {
        *next = AFTER_VALUE;
        return scan_scalar(s);
    }
    if (s->depth == CJSON_NESTING_LIMIT)
        return fail(s, s->at, "nesting is too deep (more than %d levels)", CJSON_NESTING_LIMIT);
    frame *f = &s->stack[s->depth++];
    *f = (frame){*path, c == '{' ? '}' : ']', 0};
    s->at++;
    skip_ws(s);
    if (peek(s) == f->close) {
        s->at++;
        s->depth--;
        *next = AFTER_VALUE;
    } else if (c == '{') {
        *next = WANT_KEY;
    } else {
        *path = diag_path_index(f->path, 0);
        add_pos(s, *path, NULL, s->at);
        *next = WANT_VALUE;
    }
    return true;
}

/* At a key: records its position; returns the path of its value. */
static const char *scan_key(scanner *s)
{
    const frame *f = &s->stack[s->depth - 1];
    size_t start = s->at;
    if (peek(s) == '}') {
        fail(s, s->at, "expected a key, got '}' (a trailing comma is not allowed)");
        return NULL;
    }
    if (peek(s) != '"') {
        unexpected(s, "a string key");
        return NULL;
    }
    if (!scan_string(s))
        return NULL;
    const char *path = diag_path_key(f->path, s->str);
    add_pos(s, path, f->path, start);
    skip_ws(s);
    if (peek(s) != ':') {
        unexpected(s, "':' after the key");
        return NULL;
    }
    s->at++;
    return path;
}

/* Whether the value just scanned (before any whitespace) was a string. */
static bool after_string(const scanner *s)
{
    size_t i = s->at;
    while (i > 0 && strchr(" \t\r\n", s->p[i - 1]))
        i--;
    return i > 0 && s->p[i - 1] == '"';
}

/* After a value inside a container: ',' then the next member, or the
 * closing bracket. After ',' in an array, *path becomes the next element's
 * path (objects get theirs from scan_key). */
static bool after_value(scanner *s, enum want *next, const char **path)
{
    frame *f = &s->stack[s->depth - 1];
    if (peek(s) == f->close) {
        s->at++;
        s->depth--;
        *next = AFTER_VALUE;
        return true;
    }
    if (peek(s) != ',') {
        const char *want = f->close == '}' ? "',' or '}'" : "',' or ']'";
        if (after_string(s) && (is_word(peek(s)) || peek(s) == '"')) {
            /* "Pass, "End": the string ended at a quote meant to open the next one */
            char buf[24], msg[96];
            snprintf(msg, sizeof msg, "%s, got %s (is a closing '\"' missing in the string before it?)", want,
                     describe(s, s->at, buf));
            return fail(s, s->at, "expected %s", msg);
        }
        return unexpected(s, want);
    }
    s->at++;
    skip_ws(s);
    if (f->close == '}') {
        *next = WANT_KEY;
        return true;
    }
    if (peek(s) == ']')
        return fail(s, s->at, "expected a value, got ']' (a trailing comma is not allowed)");
    *path = diag_path_index(f->path, ++f->index);
    add_pos(s, *path, NULL, s->at);
    *next = WANT_VALUE;
    return true;
}

/* Scans the whole text; false with s->err set at the first error. */
static bool scan(scanner *s)
{
    enum want want = WANT_VALUE;
    const char *path = "";
    skip_ws(s);
    add_pos(s, "", NULL, s->at);
    for (;;) {
        skip_ws(s);
        switch (want) {
        case WANT_VALUE:
            if (!begin_value(s, &path, &want))
                return false;
            break;
        case WANT_KEY:
            path = scan_key(s);
            if (!path)
                return false;
            want = WANT_VALUE;
            break;
        case AFTER_VALUE:
            if (s->depth == 0) {
                if (s->at < s->len)
                    return fail(s, s->at, "trailing characters after the value");
                return true;
            }
            if (!after_value(s, &want, &path))
                return false;
            break;
        }
    }
}

/* ------------------------------------------------------------ positions */

typedef struct cursor {
    size_t off;
    int line, col;
} cursor;

/* Moves c forward to offset `to`, counting lines and characters. */
static void advance(cursor *c, const unsigned char *p, size_t to)
{
    for (; c->off < to; c->off++) {
        if (p[c->off] == '\n')
            c->line++, c->col = 1;
        else if ((p[c->off] & 0xC0) != 0x80)
            c->col++;
    }
}

/* Entries were recorded in text order, so one forward pass places them. */
static void place_all(struct cc_pos *pos, int n, const unsigned char *p)
{
    cursor c = {0, 1, 1};
    for (int i = 0; i < n; i++) {
        advance(&c, p, pos[i].off);
        pos[i].line = c.line;
        pos[i].col = c.col;
    }
}

static int by_path(const void *a, const void *b)
{
    const struct cc_pos *x = a, *y = b;
    int d = strcmp(x->path, y->path);
    if (d)
        return d;
    return (x->off > y->off) - (x->off < y->off);
}

/* Reports with an explicit line:col: a one-entry table under path, which
 * diag then finds. path "" prints no PATH part. */
static void report_at(const char *file, const char *path, int line, int col,
                      const char *msg)
{
    struct cc_pos p = {path, NULL, 0, line, col};
    cc_src tmp = {.file = file, .pos = &p, .npos = 1};
    diag_error(&tmp, path, "%s", msg);
}

/* Whether path lies inside the value at prefix. */
static bool inside(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(path, prefix, n) && (path[n] == '.' || path[n] == '[');
}

/* A duplicate key to report: where it is, and the line of the first. */
typedef struct dup {
    struct cc_pos at;
    int first_line;
} dup;

static int dup_by_offset(const void *a, const void *b)
{
    const dup *x = a, *y = b;
    return (x->at.off > y->at.off) - (x->at.off < y->at.off);
}

/* Whether d lies inside the value of another, earlier duplicate: its path
 * then repeats the path of a key in the first value, which is no news. */
static bool in_duplicate(const dup *d, const dup *all, int n)
{
    for (int j = 0; j < n; j++)
        if (inside(d->at.path, all[j].at.path) && d->at.off > all[j].at.off)
            return true;
    return false;
}

/* Reports every duplicate key, in text order, with the line of the first
 * one; returns how many there are. */
static int check_duplicates(const cc_src *src)
{
    dup *dups = NULL;
    int n = 0;
    for (int i = 1; i < src->npos; i++) {
        if (strcmp(src->pos[i].path, src->pos[i - 1].path))
            continue;
        int f = i - 1;
        while (f > 0 && !strcmp(src->pos[f - 1].path, src->pos[i].path))
            f--;
        dups = xrealloc(dups, sizeof *dups * (size_t)(n + 1));
        dups[n++] = (dup){src->pos[i], src->pos[f].line};
    }
    if (n)
        qsort(dups, (size_t)n, sizeof *dups, dup_by_offset);
    for (int i = 0; i < n; i++) {
        if (in_duplicate(&dups[i], dups, n))
            continue;
        /* The key as written in the path: after the parent and its dot,
         * an identifier or an already JSON-quoted string. */
        const char *parent = dups[i].at.parent ? dups[i].at.parent : "";
        const char *key = dups[i].at.path + strlen(parent) + (*parent ? 1 : 0);
        const char *q = *key == '"' ? "" : "\"";
        char *msg = cc_printf("duplicate key %s%s%s (the first is at line %d)", q, key, q, dups[i].first_line);
        report_at(src->file, parent, dups[i].at.line, dups[i].at.col, msg);
    }
    free(dups);
    return n;
}

/* ------------------------------------------------------------ loading */

char *load_read(const char *file, size_t *len)
{
    struct stat st;
    FILE *f = fopen(file, "rb");
    if (f && !fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        cc_src tmp = {.file = file};
        diag_error(&tmp, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0, got;
    char *buf = xrealloc(NULL, cap);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            buf = xrealloc(buf, cap *= 2);
    }
    if (ferror(f)) {
        cc_src tmp = {.file = file};
        diag_error(&tmp, NULL, "cannot read: %s", strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    return "null";
}

/* The line:col of byte offset `off`. */
static void line_col(const unsigned char *p, size_t off, int *line, int *col)
{
    cursor c = {0, 1, 1};
    advance(&c, p, off);
    *line = c.line;
    *col = c.col;
}

/* Text embedded in another file (a template's DefinitionString) counts
 * lines and columns from where it starts there: its first line from
 * src->col0, the others from the column after src->indent0. With indent0
 * -1 every position is line0:col0 (text assembled from pieces). */
static void shift(const cc_src *src, int *line, int *col)
{
    if (!src->line0)
        return;
    if (src->indent0 < 0) {
        *line = src->line0;
        *col = src->col0;
        return;
    }
    *col = *line == 1 ? src->col0 + *col - 1 : src->indent0 + *col;
    *line = src->line0 + *line - 1;
}

/* Scans and parses src->text (after any BOM); false after reporting. */
static bool parse(cc_src *src, const char *base, size_t len)
{
    scanner *s = xrealloc(NULL, sizeof *s);   /* 16 KB of stack frames */
    int line, col;
    *s = (scanner){.p = (const unsigned char *)base, .len = len};
    bool ok = scan(s);
    free(s->str);
    src->pos = s->pos;
    src->npos = s->npos;
    if (!ok) {
        line_col(s->p, s->err_at, &line, &col);
        shift(src, &line, &col);
        report_at(src->file, "", line, col, cc_printf("invalid JSON: %s", s->err));
        free(s);
        return false;
    }
    free(s);
    place_all(src->pos, src->npos, (const unsigned char *)base);
    for (int i = 0; i < src->npos; i++)
        shift(src, &src->pos[i].line, &src->pos[i].col);
    const char *end = base;
    /* len + 1: cJSON wants the terminating NUL inside the buffer. */
    src->root = cJSON_ParseWithLengthOpts(base, len + 1, &end, 1);
    if (!src->root) {
        line_col((const unsigned char *)base, (size_t)(end - base), &line, &col);
        shift(src, &line, &col);
        report_at(src->file, "", line, col, "invalid JSON: cJSON cannot parse this");
        return false;
    }
    return true;
}

cc_src *load_file(const char *file)
{
    size_t len;
    char *text = load_read(file, &len);
    return text ? load_text(file, text, len, NULL) : NULL;
}

cc_src *load_text(const char *file, char *text, size_t len, const cc_src *at)
{
    cc_src *src = xrealloc(NULL, sizeof *src);
    *src = (cc_src){.text = text};
    if (at) {
        src->line0 = at->line0;
        src->col0 = at->col0;
        src->indent0 = at->indent0;
    }
    src->file = strcpy(xrealloc(NULL, strlen(file) + 1), file);
    const char *base = text;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        base += 3, len -= 3;
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", base[i]))
        i++;
    if (i == len) {
        diag_error(src, NULL, "file is empty, expected a JSON object");
        load_free(src);
        return NULL;
    }
    if (!parse(src, base, len)) {
        load_free(src);
        return NULL;
    }
    qsort(src->pos, (size_t)src->npos, sizeof *src->pos, by_path);
    if (!cJSON_IsObject(src->root)) {
        diag_error(src, "", "expected a JSON object at the top level, got %s",
                   type_name(src->root));
        load_free(src);
        return NULL;
    }
    if (check_duplicates(src)) {
        load_free(src);
        return NULL;
    }
    return src;
}

void load_position(const cc_src *src, const char *path, int *line, int *col)
{
    int lo = 0, hi = src && path ? src->npos : 0;
    *line = *col = 0;
    /* Lower bound, so that of two equal paths the first in the text (the
     * one cJSON's lookups return) is found. */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(src->pos[mid].path, path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (src && path && lo < src->npos && !strcmp(src->pos[lo].path, path)) {
        *line = src->pos[lo].line;
        *col = src->pos[lo].col;
    }
}

cc_src *load_tree(const char *file, char *text, cJSON *root)
{
    cc_src *src = xrealloc(NULL, sizeof *src);
    *src = (cc_src){.text = text, .root = root};
    src->file = strcpy(xrealloc(NULL, strlen(file) + 1), file);
    return src;
}

void load_note(cc_src *src, const char *path, int line, int col)
{
    if (src->npos % 64 == 0)
        src->pos = xrealloc(src->pos, sizeof *src->pos * (size_t)(src->npos + 64));
    src->pos[src->npos] = (struct cc_pos){path, NULL, (size_t)src->npos, line, col};
    src->npos++;
}

void load_index(cc_src *src)
{
    qsort(src->pos, (size_t)src->npos, sizeof *src->pos, by_path);
}

void load_free(cc_src *src)
{
    if (!src)
        return;
    cJSON_Delete(src->root);
    free(src->pos);
    free(src->text);
    free((char *)src->file);
    free(src);
}
