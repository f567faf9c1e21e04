/*
 * intrinsic_parse.c: the value of a "key.$" field, parsed once by aslc into
 * an asl_node tree: a JSONPath (handed to parse_path) or an intrinsic
 * function call such as States.Format('Hello {}', $.name).
 *
 * The grammar, as AWS documents and accepts it:
 *
 *   call   = name ws "(" ws [ arg { ws "," ws arg } ] ws ")"
 *   name   = one of the ASL_INTRINSICS names ("States.Format", ...)
 *   arg    = string | number | "true" | "false" | "null" | path | call
 *   string = "'" { char | "\'" | "\{" | "\}" | "\\" } "'"
 *   number = JSON number ("-1", "2.5", "1e3")
 *   path   = "$..." up to the next "," or ")" that is outside brackets,
 *            parentheses and quotes, so "$['a,b']" is one path
 *
 * The result is an ASL_N_CALL node: op = the asl_intrinsic, str = the
 * call's text (for runtime messages), kids = the arguments (ASL_N_STRING,
 * ASL_N_NUMBER, ASL_N_TRUE/FALSE/NULL, ASL_N_PATH, nested ASL_N_CALL).
 *
 * One exception to "strings are stored decoded": a literal template of
 * States.Format keeps \{, \} and \\ escaped, because there an escaped brace
 * is literal text and an unescaped pair is a placeholder; the runtime reads
 * every Format template (literal or from a path) with those escapes.
 *
 * Checked here, once, rather than on every execution: the function name,
 * the argument count (AWS's arity for each function), the nesting depth
 * (AWS allows 10 levels) and a literal States.Format template (balanced
 * braces, as many arguments as {} placeholders).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc.h"

/* AWS: "You can nest up to 10 intrinsic functions within a field." */
#define MAX_DEPTH 10

static const char *const fn_names[ASL_FN__COUNT] = {
#define X(id, name) [ASL_FN_##id] = name,
    ASL_INTRINSICS(X)
#undef X
};

/* Number of arguments each function takes (AWS's documentation). */
typedef struct arity {
    int min, max;  /* max -1: any number */
} arity;

static const arity arities[ASL_FN__COUNT] = {
    [ASL_FN_FORMAT] = {1, -1},         /* template, then one per {} */
    [ASL_FN_STRING_TO_JSON] = {1, 1},
    [ASL_FN_JSON_TO_STRING] = {1, 1},
    [ASL_FN_ARRAY] = {0, -1},
    [ASL_FN_ARRAY_PARTITION] = {2, 2},
    [ASL_FN_ARRAY_CONTAINS] = {2, 2},
    [ASL_FN_ARRAY_RANGE] = {3, 3},
    [ASL_FN_ARRAY_GET_ITEM] = {2, 2},
    [ASL_FN_ARRAY_LENGTH] = {1, 1},
    [ASL_FN_ARRAY_UNIQUE] = {1, 1},
    [ASL_FN_BASE64_ENCODE] = {1, 1},
    [ASL_FN_BASE64_DECODE] = {1, 1},
    [ASL_FN_HASH] = {2, 2},
    [ASL_FN_JSON_MERGE] = {3, 3},
    [ASL_FN_MATH_RANDOM] = {2, 3},     /* start, end, optional seed */
    [ASL_FN_MATH_ADD] = {2, 2},
    [ASL_FN_STRING_SPLIT] = {2, 2},
    [ASL_FN_UUID] = {0, 0},
};

typedef struct parser {
    const char *text;  /* the whole field value, for columns */
    const char *p;     /* cursor */
    char *msg;         /* the first error */
    int depth;         /* calls open around the cursor */
} parser;

static asl_node *parse_call(parser *ps);

/* Records the first error, with the position of at. */
static asl_node *fail(parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static asl_node *fail(parser *ps, const char *at, const char *fmt, ...)
{
    if (ps->msg)
        return NULL;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* The position is within the expression, not the file; at its
     * start it says nothing the message does not. */
    if (at == ps->text)
        ps->msg = cc_strdup(what);
    else
        ps->msg = cc_printf("%s (at character %d of the expression)", what, (int)(at - ps->text) + 1);
    return NULL;
}

static void skip_ws(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '.';
}

/* What ends an argument: the delimiters after it. */
static int ends_arg(char c)
{
    return c == ',' || c == ')' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
}

/* -------------------------------------------------------------- literals */

/* string = "'" ... "'". AWS reserves ' { } \ and escapes them with a
 * backslash; any other backslash stays as written. fmt_template: keep
 * \{ \} \\ escaped (see the comment atop the file). */
static asl_node *parse_string(parser *ps, int fmt_template)
{
    const char *open = ps->p++;
    char *out = cc_alloc(strlen(ps->p) + 1), *o = out;
    for (;;) {
        char c = *ps->p;
        if (c == '\0')
            return fail(ps, open, "unterminated string literal: missing closing '");
        ps->p++;
        if (c == '\'')
            break;
        if (c == '\\' && (*ps->p == '\'' || *ps->p == '{' || *ps->p == '}' || *ps->p == '\\')) {
            if (fmt_template && *ps->p != '\'')
                *o++ = '\\';
            c = *ps->p++;
        }
        *o++ = c;
    }
    *o = '\0';
    asl_node *n = node_new(ASL_N_STRING);
    n->flags = ASL_F_CONST;
    n->str = out;
    return n;
}

/* number = "-"? int frac? exp?, JSON's grammar. */
static asl_node *parse_number(parser *ps)
{
    const char *start = ps->p, *q = ps->p;
    if (*q == '-')
        q++;
    if (!is_digit(*q))
        return fail(ps, start, "invalid number");
    if (*q == '0')
        q++;
    else
        while (is_digit(*q))
            q++;
    if (*q == '.') {
        if (!is_digit(*++q))
            return fail(ps, start, "invalid number: digits must follow the decimal point");
        while (is_digit(*q))
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!is_digit(*q))
            return fail(ps, start, "invalid number: digits must follow the exponent");
        while (is_digit(*q))
            q++;
    }
    if (!ends_arg(*q))
        return fail(ps, start, "invalid number \"%.*s\"", (int)strcspn(start, ",) "), start);
    asl_node *n = node_new(ASL_N_NUMBER);
    n->flags = ASL_F_CONST;
    n->str = cc_strndup(start, (size_t)(q - start));
    n->num = strtod(n->str, NULL);
    if (!isfinite(n->num))
        return fail(ps, start, "number %s is out of range", n->str);
    ps->p = q;
    return n;
}

/* true, false, null, or a nested call. */
static asl_node *parse_word(parser *ps)
{
    static const struct { const char *word; asl_node_kind kind; } words[] = {
        {"true", ASL_N_TRUE}, {"false", ASL_N_FALSE}, {"null", ASL_N_NULL},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t len = strlen(words[i].word);
        if (strncmp(ps->p, words[i].word, len) == 0 && ends_arg(ps->p[len])) {
            asl_node *n = node_new(words[i].kind);
            n->flags = ASL_F_CONST;
            ps->p += len;
            return n;
        }
    }
    return parse_call(ps);
}

/* ------------------------------------------------------------------ paths */

/* Where a path argument ends: the first "," or ")" outside brackets,
 * parentheses and quoted strings, or the end of the text. */
static const char *path_end(const char *p)
{
    int nest = 0;
    char quote = 0;
    for (; *p; p++) {
        if (quote) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '[' || *p == '(') {
            nest++;
        } else if ((*p == ']' || *p == ')') && nest > 0) {
            nest--;
        } else if ((*p == ',' || *p == ')') && nest == 0) {
            break;
        }
    }
    return p;
}

static asl_node *parse_path_arg(parser *ps)
{
    const char *start = ps->p, *end = path_end(start);
    const char *last = end;
    while (last > start && (last[-1] == ' ' || last[-1] == '\t' || last[-1] == '\n' ||
                            last[-1] == '\r'))
        last--;
    char *text = cc_strndup(start, (size_t)(last - start));
    char *why = NULL;
    asl_node *n = parse_path(text, &why);
    if (!n)
        return fail(ps, start, "invalid path argument \"%.200s\": %s", text,
                    why ? why : "not a valid JSONPath");
    ps->p = end;
    return n;
}

/* ------------------------------------------------------------------ calls */

static asl_node *parse_arg(parser *ps, int fmt_template)
{
    char c = *ps->p;
    if (c == '\'')
        return parse_string(ps, fmt_template);
    if (c == '$')
        return parse_path_arg(ps);
    if (c == '-' || is_digit(c))
        return parse_number(ps);
    if (is_name_char(c) && c != '.')
        return parse_word(ps);
    if (c == ',' || c == ')')
        return fail(ps, ps->p, "missing argument");
    if (c == '\0')
        return fail(ps, ps->p, "unexpected end of text: missing ')'");
    if (c == '"')
        return fail(ps, ps->p, "string literals in intrinsic functions use single quotes");
    return fail(ps, ps->p, "unexpected character '%c' where an argument was expected", c);
}

/* Looks a function up by name; -1 if unknown. With ignore_case, finds
 * the near miss to suggest. */
static int lookup(const char *name, size_t len, int ignore_case)
{
    for (int i = 0; i < ASL_FN__COUNT; i++) {
        if (strlen(fn_names[i]) != len)
            continue;
        size_t k = 0;
        while (k < len && (name[k] == fn_names[i][k] ||
                           (ignore_case && (name[k] | 0x20) == (fn_names[i][k] | 0x20))))
            k++;
        if (k == len)
            return i;
    }
    return -1;
}

/* Counts the {} placeholders of a Format template (escapes kept, as
 * parse_string stores it), or returns -1 with *bad at an unmatched brace.
 * The runtime applies the same rules to templates it gets from paths. */
static int count_placeholders(const char *t, const char **bad)
{
    int count = 0;
    for (const char *s = t; *s; s++) {
        if (*s == '\\' && (s[1] == '{' || s[1] == '}' || s[1] == '\\')) {
            s++;
        } else if (*s == '{') {
            if (s[1] != '}') {
                *bad = s;
                return -1;
            }
            count++;
            s++;
        } else if (*s == '}') {
            *bad = s;
            return -1;
        }
    }
    return count;
}

/* A literal States.Format template must be well formed and get exactly
 * one argument per {} placeholder, as AWS requires at run time. */
static asl_node *check_format(parser *ps, const char *at, asl_node *call)
{
    const asl_node *t = &call->kids[0];
    if (t->kind != ASL_N_STRING)
        return call;
    const char *bad = NULL;
    int holes = count_placeholders(t->str, &bad);
    if (holes < 0)
        return fail(ps, at, "States.Format: invalid template '%.200s': %s", t->str,
                    *bad == '{' ? "'{' without a matching '}' (write \\{ for a literal brace)"
                                : "'}' without a matching '{' (write \\} for a literal brace)");
    if (holes != call->count - 1)
        return fail(ps, at, "States.Format: the template has %d {} placeholder%s but %d argument%s follow%s it",
                    holes, holes == 1 ? "" : "s", call->count - 1, call->count == 2 ? "" : "s",
                    call->count == 2 ? "s" : "");
    return call;
}

static asl_node *check_arity(parser *ps, const char *at, asl_node *call)
{
    const char *name = fn_names[call->op];
    arity a = arities[call->op];
    int n = call->count;
    if (n >= a.min && (a.max < 0 || n <= a.max))
        return call;
    if (a.max == 0)
        return fail(ps, at, "%s takes no arguments, got %d", name, n);
    if (a.max < 0)
        return fail(ps, at, "%s takes at least %d argument%s, got %d", name, a.min,
                    a.min == 1 ? "" : "s", n);
    if (a.min == a.max)
        return fail(ps, at, "%s takes %d argument%s, got %d", name, a.min, a.min == 1 ? "" : "s",
                    n);
    return fail(ps, at, "%s takes %d or %d arguments, got %d", name, a.min, a.max, n);
}

/* The arguments after "(", up to and including ")". */
static asl_node *parse_args(parser *ps, asl_node *call)
{
    skip_ws(ps);
    if (*ps->p == ')') {
        ps->p++;
        return call;
    }
    for (;;) {
        skip_ws(ps);
        int fmt_template = call->op == ASL_FN_FORMAT && call->count == 0;
        asl_node *arg = parse_arg(ps, fmt_template);
        if (!arg)
            return NULL;
        node_push(call, arg);
        skip_ws(ps);
        if (*ps->p == ')') {
            ps->p++;
            return call;
        }
        if (*ps->p != ',')
            return fail(ps, ps->p, *ps->p ? "expected ',' or ')' after argument %d"
                                          : "unexpected end of text after argument %d: missing ')'",
                        call->count);
        ps->p++;
    }
}

/* call = name "(" args ")" */
static asl_node *parse_call(parser *ps)
{
    const char *start = ps->p;
    while (is_name_char(*ps->p))
        ps->p++;
    size_t len = (size_t)(ps->p - start);
    skip_ws(ps);
    int shown = (int)(len > 60 ? 60 : len);
    if (*ps->p != '(')
        return fail(ps, start, ps->depth ? "expected an argument, got \"%.*s\""
                                         : "expected a path starting with '$' or an intrinsic "
                                           "function call such as States.Format(...), got \"%.*s\"",
                    shown, start);
    int fn = lookup(start, len, 0);
    if (fn < 0) {
        int near = lookup(start, len, 1);
        if (near >= 0)
            return fail(ps, start, "unknown intrinsic function \"%.*s\" (did you mean \"%s\"?)",
                        shown, start, fn_names[near]);
        return fail(ps, start, "unknown intrinsic function \"%.*s\"", shown, start);
    }
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, start, "intrinsic functions nested more than %d deep", MAX_DEPTH);
    ps->p++;
    asl_node *call = node_new(ASL_N_CALL);
    call->op = (unsigned short)fn;
    if (!parse_args(ps, call))
        return NULL;
    ps->depth--;
    call->str = cc_strndup(start, (size_t)(ps->p - start));
    if (!check_arity(ps, start, call))
        return NULL;
    return fn == ASL_FN_FORMAT ? check_format(ps, start, call) : call;
}

asl_node *parse_dynamic(const char *text, char **msg)
{
    *msg = NULL;
    if (text[0] == '$')
        return parse_path(text, msg);
    parser ps = {text, text, NULL, 0};
    skip_ws(&ps);
    asl_node *n = NULL;
    if (*ps.p == '\0')
        fail(&ps, ps.p, "expected a path or an intrinsic function call, got an empty string");
    else if (!is_name_char(*ps.p) || *ps.p == '.')
        fail(&ps, ps.p, "expected a path starting with '$' or an intrinsic function call such as "
                        "States.Format(...)");
    else
        n = parse_call(&ps);
    if (n) {
        skip_ws(&ps);
        if (*ps.p)
            n = fail(&ps, ps.p, "unexpected text after the call: \"%.60s\"", ps.p);
    }
    if (!n)
        *msg = ps.msg;
    return n;
}
