/*
 * path_parse.c: turns a JSONPath string into an ASL_N_PATH tree, at compile
 * time, so that no path is parsed while an execution runs.
 *
 *   path     -> root step*
 *   root     -> '$' | '$$' | '$' varname | '@' (inside a filter only)
 *   step     -> '.' name | '.' '*' | '.' bracket
 *             | '..' name | '..' '*' | '..' bracket
 *             | bracket
 *   bracket  -> '[' '*' ']' | '[' string (',' string)* ']'
 *             | '[' int (',' int)* ']' | '[' [int] ':' [int] [':' [int]] ']'
 *             | '[' '?' '(' or ')' ']'
 *   or       -> and ('||' and)*
 *   and      -> unary ('&&' unary)*
 *   unary    -> '!' unary | '(' or ')' | value [relop value]
 *   value    -> @-path | number | string | true | false | null
 *
 * Step Functions evaluates paths with Jayway JsonPath, so the syntax follows
 * Jayway where the two differ from other dialects:
 *  - a dot name runs up to the next '.', '[', blank, bracket, parenthesis or
 *    quote, so "$.detail-type" and "$.a:b" are names (AWS examples use
 *    "$.detail-type"); inside a filter it also stops at an operator;
 *  - "$.abc.['def ghi']" (a dot before a bracket) is the form AWS documents;
 *  - a bracketed name keeps its backslashes (AWS runs a Jayway that does
 *    not unescape names); filter string literals are unescaped;
 *  - a filter is written [?( ... )], and a bare path in it tests existence;
 *  - a name followed by '(' is a function call (length() ...), which AWS
 *    does not support, so it is rejected by name;
 *  - a slice needs a start or an end; [a:b:c] is accepted, and Jayway
 *    ignores c (so does the runtime).
 * Filters may only use @ paths: AWS does not support "referencing another
 * value in the JSON structure" in a filter, nor regular expressions.
 *
 * Errors name what is wrong and the offset (0-based byte) where it is, e.g.
 * "unexpected ']' at offset 4". Every node comes from cc_alloc.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc.h"

typedef struct parser {
    const char *text;   /* the whole path, for offsets */
    const char *p;      /* cursor */
    char *msg;          /* the first error, cc_alloc'd */
    bool in_filter;     /* @ allowed, names stop at operators */
} parser;

static asl_node *parse_or(parser *ps);

/* ------------------------------------------------------------ errors */

static int offset(const parser *ps, const char *at)
{
    return (int)(at - ps->text);
}

/* Records the first error (later ones are consequences) and returns NULL. */
static asl_node *fail_at(parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static asl_node *fail_at(parser *ps, const char *at, const char *fmt, ...)
{
    if (ps->msg)
        return NULL;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ps->msg = cc_printf("%s at offset %d", what, offset(ps, at));
    return NULL;
}

/* "unexpected 'x'" for the character at `at`, or "unexpected end of path". */
static asl_node *unexpected(parser *ps, const char *at)
{
    unsigned char c = (unsigned char)*at;
    if (!c)
        return fail_at(ps, at, "unexpected end of path");
    if (c < 0x20 || c >= 0x7f)
        return fail_at(ps, at, "unexpected byte 0x%02X", c);
    return fail_at(ps, at, "unexpected '%c'", c);
}

/* ----------------------------------------------------------- helpers */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_blanks(parser *ps)
{
    while (is_blank(*ps->p))
        ps->p++;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* First character of a variable name: a letter, '_' or any non-ASCII
 * byte (the UTF-8 of a Unicode letter). */
static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

static bool is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

/* Where a dot name ends: Jayway stops at '.', '[', a blank or '('; we also
 * stop at the other brackets and quotes, which no sensible name holds and
 * which would only hide a typo. In a filter, operators end the path too. */
static bool ends_dot_name(const parser *ps, char c)
{
    if (!c || is_blank(c) || strchr(".[]()'\"", c))
        return true;
    return ps->in_filter && strchr("<>=!&|,", c);
}

static bool eat(parser *ps, char c)
{
    if (*ps->p != c)
        return false;
    ps->p++;
    return true;
}

/* Expects c after optional blanks. */
static bool expect(parser *ps, char c)
{
    skip_blanks(ps);
    if (eat(ps, c))
        return true;
    unexpected(ps, ps->p);
    return false;
}

static asl_node *new_name_step(const char *name)
{
    asl_node *n = node_new(ASL_N_STEP_NAME);
    n->str = name;
    return n;
}

static asl_node *new_index_step(long v)
{
    asl_node *n = node_new(ASL_N_STEP_INDEX);
    n->num = (double)v;
    return n;
}

/* ------------------------------------------------------------ strings */

/* Appends the UTF-8 of code point cp to out (at least 4 bytes free). */
static char *put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        *out++ = (char)cp;
    } else if (cp < 0x800) {
        *out++ = (char)(0xC0 | (cp >> 6));
        *out++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *out++ = (char)(0xE0 | (cp >> 12));
        *out++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *out++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *out++ = (char)(0xF0 | (cp >> 18));
        *out++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *out++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *out++ = (char)(0x80 | (cp & 0x3F));
    }
    return out;
}

/* Reads 4 hex digits at s into *cp. */
static bool read_hex4(const char *s, unsigned long *cp)
{
    *cp = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = is_digit(c) ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0)
            return false;
        *cp = *cp * 16 + (unsigned long)d;
    }
    return true;
}

/* \uXXXX at ps->p (after the backslash and 'u'), with a surrogate pair
 * written as two escapes. */
static bool read_unicode_escape(parser *ps, unsigned long *cp)
{
    const char *at = ps->p - 2;
    if (!read_hex4(ps->p, cp)) {
        fail_at(ps, at, "invalid \\u escape");
        return false;
    }
    ps->p += 4;
    if (*cp >= 0xD800 && *cp <= 0xDBFF) {
        unsigned long lo;
        if (ps->p[0] != '\\' || ps->p[1] != 'u' || !read_hex4(ps->p + 2, &lo) || lo < 0xDC00 ||
            lo > 0xDFFF) {
            fail_at(ps, at, "unpaired surrogate in \\u escape");
            return false;
        }
        ps->p += 6;
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (*cp >= 0xDC00 && *cp <= 0xDFFF) {
        fail_at(ps, at, "unpaired surrogate in \\u escape");
        return false;
    }
    return true;
}

/* One escape after a backslash (Java's, as Jayway unescapes names). */
static char *read_escape(parser *ps, char *out)
{
    const char *at = ps->p - 1;
    char c = *ps->p;
    if (!c) {
        fail_at(ps, at, "unterminated string");
        return NULL;
    }
    ps->p++;
    static const char from[] = "\\'\"/bfnrt", to[] = "\\'\"/\b\f\n\r\t";
    const char *k = strchr(from, c);
    if (k) {
        *out++ = to[k - from];
        return out;
    }
    unsigned long cp;
    if (c == 'u')
        return read_unicode_escape(ps, &cp) ? put_utf8(out, cp) : NULL;
    if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
        fail_at(ps, at, "invalid escape");
    else
        fail_at(ps, at, "invalid escape '\\%c'", c);
    return NULL;
}

/* A quoted string at ps->p ('...' or "..."). A filter's string literal is
 * unescaped; a bracketed name is kept as written, backslashes included:
 * a backslash only keeps the next character from closing the name. That
 * is what AWS does: $['x\"y'] finds the key x\"y (backslash included). */
static char *parse_string(parser *ps, bool raw)
{
    const char *start = ps->p;
    char quote = *ps->p++;
    /* Unescaping never lengthens the text: \uXXXX (6 bytes) is at most 4. */
    char *buf = cc_alloc(strlen(ps->p) + 1), *out = buf;
    for (;;) {
        char c = *ps->p;
        if (!c || (raw && c == '\\' && !ps->p[1])) {
            fail_at(ps, start, "unterminated string");
            return NULL;
        }
        ps->p++;
        if (c == quote)
            break;
        if (c == '\\' && raw) {
            *out++ = c;
            *out++ = *ps->p++;
        } else if (c == '\\') {
            if (!(out = read_escape(ps, out)))
                return NULL;
        } else {
            *out++ = c;
        }
    }
    *out = '\0';
    return buf;
}

/* ------------------------------------------------------------ numbers */

/* An integer (index or slice bound): '-'? digits, within int range as
 * Jayway reads them. */
static bool parse_int(parser *ps, long *v)
{
    const char *start = ps->p;
    bool neg = eat(ps, '-');
    if (!is_digit(*ps->p)) {
        unexpected(ps, ps->p);
        return false;
    }
    long n = 0;
    while (is_digit(*ps->p)) {
        n = n * 10 + (*ps->p++ - '0');
        if (n > INT_MAX) {
            fail_at(ps, start, "index out of range");
            return false;
        }
    }
    *v = neg ? -n : n;
    return true;
}

/* A slice bound: an ASL_N_NUMBER, or ASL_N_NULL when left out. */
static bool slice_bound(parser *ps, asl_node *slice)
{
    skip_blanks(ps);
    asl_node *b = node_new(ASL_N_NULL);
    if (*ps->p == '-' || is_digit(*ps->p)) {
        long v;
        if (!parse_int(ps, &v))
            return false;
        b->kind = ASL_N_NUMBER;
        b->num = (double)v;
    }
    node_push(slice, b);
    skip_blanks(ps);
    return true;
}

/* [a:b], [a:], [:b] or [a:b:c]; `first` is a or NULL. Jayway needs a or
 * b, and takes c without using it. */
static asl_node *parse_slice(parser *ps, const asl_node *first)
{
    const char *start = ps->p;
    asl_node *s = node_new(ASL_N_STEP_SLICE);
    asl_node *a = node_new(ASL_N_NULL);
    if (first) {
        a->kind = ASL_N_NUMBER;
        a->num = first->num;
    }
    node_push(s, a);
    ps->p++; /* the first ':' */
    if (!slice_bound(ps, s))
        return NULL;
    if (!first && s->kids[1].kind == ASL_N_NULL)
        return fail_at(ps, start, "a slice needs a start or an end");
    if (!eat(ps, ':')) {
        node_push(s, node_new(ASL_N_NULL));
        return s;
    }
    return slice_bound(ps, s) ? s : NULL;
}

/* [n], [n, m, ...] or a slice, at ps->p (after '[' and blanks). */
static asl_node *parse_indexes(parser *ps)
{
    if (*ps->p == ':')
        return parse_slice(ps, NULL);
    long v;
    if (!parse_int(ps, &v))
        return NULL;
    asl_node *first = new_index_step(v);
    skip_blanks(ps);
    if (*ps->p == ':')
        return parse_slice(ps, first);
    if (*ps->p != ',')
        return first;
    asl_node *u = node_new(ASL_N_STEP_UNION);
    node_push(u, first);
    while (eat(ps, ',')) {
        skip_blanks(ps);
        if (!parse_int(ps, &v))
            return NULL;
        node_push(u, new_index_step(v));
        skip_blanks(ps);
    }
    return u;
}

/* ['a'] or ['a', "b", ...] at ps->p. */
static asl_node *parse_names(parser *ps)
{
    asl_node *u = node_new(ASL_N_STEP_UNION);
    for (;;) {
        skip_blanks(ps);
        if (*ps->p != '\'' && *ps->p != '"')
            return unexpected(ps, ps->p);
        char *name = parse_string(ps, true);
        if (!name)
            return NULL;
        node_push(u, new_name_step(name));
        skip_blanks(ps);
        if (!eat(ps, ','))
            break;
    }
    return u->count == 1 ? new_name_step(u->kids[0].str) : u;
}

/* [?( expr )] at ps->p (on the '?'). */
static asl_node *parse_filter(parser *ps)
{
    ps->p++;
    if (!expect(ps, '('))
        return NULL;
    bool outer = ps->in_filter;
    ps->in_filter = true;
    asl_node *e = parse_or(ps);
    ps->in_filter = outer;
    if (!e || !expect(ps, ')'))
        return NULL;
    asl_node *f = node_new(ASL_N_STEP_FILTER);
    node_push(f, e);
    return f;
}

/* A bracket step at ps->p (on the '['). */
static asl_node *parse_bracket(parser *ps)
{
    ps->p++;
    skip_blanks(ps);
    asl_node *s;
    char c = *ps->p;
    if (c == '*') {
        ps->p++;
        s = node_new(ASL_N_STEP_WILDCARD);
    } else if (c == '\'' || c == '"') {
        s = parse_names(ps);
    } else if (c == '?') {
        s = parse_filter(ps);
    } else if (c == '-' || c == ':' || is_digit(c)) {
        s = parse_indexes(ps);
    } else {
        return unexpected(ps, ps->p);
    }
    if (!s || !expect(ps, ']'))
        return NULL;
    return s;
}

/* A dot name at ps->p: a run of characters up to the next separator. */
static asl_node *parse_dot_name(parser *ps)
{
    const char *start = ps->p;
    while (!ends_dot_name(ps, *ps->p))
        ps->p++;
    if (ps->p == start)
        return fail_at(ps, start, "expected a name");
    if (*ps->p == '(')
        return fail_at(ps, start, "functions such as %.*s() are not supported",
                       (int)(ps->p - start), start);
    return new_name_step(cc_strndup(start, (size_t)(ps->p - start)));
}

/* What follows '.' or '..': '*', a bracket, or a name. */
static asl_node *parse_after_dot(parser *ps)
{
    if (eat(ps, '*'))
        return node_new(ASL_N_STEP_WILDCARD);
    if (*ps->p == '[')
        return parse_bracket(ps);
    return parse_dot_name(ps);
}

/* One step at ps->p (on '.' or '['). */
static asl_node *parse_step(parser *ps)
{
    if (*ps->p == '[')
        return parse_bracket(ps);
    ps->p++;
    if (!eat(ps, '.'))
        return parse_after_dot(ps);
    asl_node *x = parse_after_dot(ps);
    if (!x)
        return NULL;
    asl_node *d = node_new(ASL_N_STEP_DESCEND);
    node_push(d, x);
    return d;
}

/* ------------------------------------------------------------- paths */

/* A reference path names at most one node: only names and single
 * indexes. (A variable's name is its first step, a name too.) */
static bool is_definite(const asl_node *path)
{
    for (int i = 0; i < path->count; i++) {
        unsigned k = path->kids[i].kind;
        if (k != ASL_N_STEP_NAME && k != ASL_N_STEP_INDEX)
            return false;
    }
    return true;
}

static bool step_named(const asl_node *path, int i, const char *name)
{
    return i < path->count && path->kids[i].kind == ASL_N_STEP_NAME && !strcmp(path->kids[i].str, name);
}

/* $$.Map.Item.Index or $$.Map.Item.Value...: the runtime answers these
 * from the iteration's item without building $$, and the flag spares it
 * telling them apart by name for every item. */
static bool is_map_item(const asl_node *path)
{
    if (path->op != ASL_ROOT_CONTEXT || !is_definite(path) || !step_named(path, 0, "Map") ||
        !step_named(path, 1, "Item"))
        return false;
    return (step_named(path, 2, "Index") && path->count == 3) || step_named(path, 2, "Value");
}

static asl_node *parse_steps(parser *ps, asl_node *path)
{
    while (*ps->p == '.' || *ps->p == '[') {
        asl_node *s = parse_step(ps);
        if (!s)
            return NULL;
        node_push(path, s);
    }
    if (is_definite(path))
        path->flags |= ASL_F_DEFINITE;
    if (is_map_item(path))
        path->flags |= ASL_F_MAP_ITEM;
    return path;
}

/* The root at ps->p: $, $$, $name or (in a filter) @. */
static asl_node *parse_root(parser *ps)
{
    asl_node *path = node_new(ASL_N_PATH);
    const char *start = ps->p;
    if (eat(ps, '@')) {
        if (!ps->in_filter)
            return fail_at(ps, start, "'@' is only allowed inside a filter");
        path->op = ASL_ROOT_CURRENT;
        return path;
    }
    if (!eat(ps, '$'))
        return fail_at(ps, start, "a path must start with '$'");
    /* A filter may read the document too ($.items[?(@.id == $.wanted)]),
     * as the Jayway JSONPath that AWS runs allows. */
    if (eat(ps, '$')) {
        path->op = ASL_ROOT_CONTEXT;
    } else if (is_name_start(*ps->p)) {
        const char *name = ps->p;
        while (is_name_char(*ps->p))
            ps->p++;
        path->op = ASL_ROOT_VAR;
        node_push(path, new_name_step(cc_strndup(name, (size_t)(ps->p - name))));
    } else {
        path->op = ASL_ROOT_INPUT;
    }
    return path;
}

/* A whole path at ps->p; str = its text. */
static asl_node *parse_path_here(parser *ps)
{
    const char *start = ps->p;
    asl_node *path = parse_root(ps);
    if (!path || !parse_steps(ps, path))
        return NULL;
    path->str = cc_strndup(start, (size_t)(ps->p - start));
    return path;
}

/* ----------------------------------------------------------- filters */

static bool word_at(const parser *ps, const char *w)
{
    size_t n = strlen(w);
    return strncmp(ps->p, w, n) == 0 && !is_name_char(ps->p[n]);
}

/* A number literal as JSON writes it. */
static asl_node *parse_number(parser *ps)
{
    const char *start = ps->p;
    eat(ps, '-');
    if (!is_digit(*ps->p))
        return unexpected(ps, ps->p);
    while (is_digit(*ps->p))
        ps->p++;
    if (eat(ps, '.')) {
        if (!is_digit(*ps->p))
            return unexpected(ps, ps->p);
        while (is_digit(*ps->p))
            ps->p++;
    }
    if (*ps->p == 'e' || *ps->p == 'E') {
        ps->p++;
        if (*ps->p == '+' || *ps->p == '-')
            ps->p++;
        if (!is_digit(*ps->p))
            return unexpected(ps, ps->p);
        while (is_digit(*ps->p))
            ps->p++;
    }
    asl_node *n = node_new(ASL_N_NUMBER);
    n->flags = ASL_F_CONST;
    n->str = cc_strndup(start, (size_t)(ps->p - start));
    n->num = strtod(n->str, NULL);
    return n;
}

/* An operand: an @ path or a literal. */
static asl_node *parse_value(parser *ps)
{
    skip_blanks(ps);
    char c = *ps->p;
    if (c == '@' || c == '$')
        return parse_path_here(ps);
    if (c == '-' || is_digit(c))
        return parse_number(ps);
    asl_node *n = node_new(ASL_N_STRING);
    n->flags = ASL_F_CONST;
    if (c == '\'' || c == '"') {
        n->str = parse_string(ps, false);
        return n->str ? n : NULL;
    }
    static const struct { const char *word; asl_node_kind kind; } words[] = {
        { "true", ASL_N_TRUE }, { "false", ASL_N_FALSE }, { "null", ASL_N_NULL },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (word_at(ps, words[i].word)) {
            ps->p += strlen(words[i].word);
            n->kind = (unsigned short)words[i].kind;
            return n;
        }
    }
    return unexpected(ps, ps->p);
}

/* A relational operator at ps->p, or -1. */
static int parse_relop(parser *ps)
{
    static const struct { const char *text; asl_expr_op op; } ops[] = {
        { "==", ASL_OP_EQ }, { "!=", ASL_OP_NE }, { "<=", ASL_OP_LE },
        { ">=", ASL_OP_GE }, { "<", ASL_OP_LT },  { ">", ASL_OP_GT },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        if (strncmp(ps->p, ops[i].text, n) == 0) {
            ps->p += n;
            return (int)ops[i].op;
        }
    }
    return -1;
}

static asl_node *binary(int op, const asl_node *l, const asl_node *r)
{
    asl_node *b = node_new(ASL_N_EXPR_BINARY);
    b->op = (unsigned short)op;
    node_push(b, l);
    node_push(b, r);
    return b;
}

/* value [relop value]; a lone path tests that it exists. */
static asl_node *parse_comparison(parser *ps)
{
    asl_node *l = parse_value(ps);
    if (!l)
        return NULL;
    skip_blanks(ps);
    const char *at = ps->p;
    if (strncmp(at, "=~", 2) == 0)
        return fail_at(ps, at, "regular expressions (=~) are not supported");
    if (is_name_start(*at)) {
        const char *e = at;
        while (is_name_char(*e))
            e++;
        return fail_at(ps, at, "operator '%.*s' is not supported", (int)(e - at), at);
    }
    int op = parse_relop(ps);
    if (op < 0) {
        if (l->kind != ASL_N_PATH)
            return fail_at(ps, at, "expected a comparison operator");
        l->flags |= ASL_F_EXISTS;
        return l;
    }
    if (*ps->p == '=' || *ps->p == '~')
        return unexpected(ps, ps->p);
    asl_node *r = parse_value(ps);
    return r ? binary(op, l, r) : NULL;
}

static asl_node *parse_unary(parser *ps)
{
    skip_blanks(ps);
    if (eat(ps, '!')) {
        asl_node *x = parse_unary(ps);
        if (!x)
            return NULL;
        asl_node *n = node_new(ASL_N_EXPR_NOT);
        node_push(n, x);
        return n;
    }
    if (eat(ps, '(')) {
        asl_node *e = parse_or(ps);
        return e && expect(ps, ')') ? e : NULL;
    }
    return parse_comparison(ps);
}

static bool eat2(parser *ps, const char *two)
{
    skip_blanks(ps);
    if (ps->p[0] != two[0] || ps->p[1] != two[1])
        return false;
    ps->p += 2;
    return true;
}

static asl_node *parse_and(parser *ps)
{
    asl_node *l = parse_unary(ps);
    while (l && eat2(ps, "&&")) {
        asl_node *r = parse_unary(ps);
        l = r ? binary(ASL_OP_AND, l, r) : NULL;
    }
    return l;
}

static asl_node *parse_or(parser *ps)
{
    asl_node *l = parse_and(ps);
    while (l && eat2(ps, "||")) {
        asl_node *r = parse_and(ps);
        l = r ? binary(ASL_OP_OR, l, r) : NULL;
    }
    return l;
}

/* --------------------------------------------------------------- API */

/* Text after a complete path. A blank inside is most likely a name with
 * blanks written in dot notation, which needs brackets (Jayway says so). */
static asl_node *leftover(parser *ps)
{
    const char *q = ps->p;
    while (is_blank(*q))
        q++;
    if (q != ps->p && !ends_dot_name(ps, *q))
        return fail_at(ps, ps->p, "unexpected blank (a name with blanks needs brackets: ['a b'])");
    return unexpected(ps, ps->p);
}

asl_node *parse_path(const char *text, char **msg)
{
    parser ps = { .text = text, .p = text };
    asl_node *path = parse_path_here(&ps);
    if (path && *ps.p)
        path = leftover(&ps);
    if (!path && msg)
        *msg = ps.msg ? ps.msg : cc_strdup("invalid path");
    return path;
}
