/*
 * jsonata_parse.c: JSONata expressions to trees (jsonata_node), and the
 * walks over a tree that checks before evaluation need.
 *
 * Three passes, as jsonata-js does it: a Pratt parser builds a raw tree
 * (binary ".", "[", "{" and "^" kept as written), process() rewrites it
 * into the evaluable shape (paths as lists of steps, predicates attached to
 * the step they filter, tail calls marked), and check_refs() refuses what
 * AWS refuses at definition time (a path starting from the context item,
 * which a Step Functions expression does not have, and $$). The result is
 * copied into jsonata_node form at the end, each node's kids in one array.
 * Messages use JSONata's error codes and texts. Everything one parse
 * allocates comes from one arena, which the tree's root heads and
 * jsonata_free releases (a failed parse releases it at once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata.h"
#include "jsonata_tree.h"

/* ------------------------------------------------------------- arena */

/* One parse's memory: every allocation is linked to the previous one. The
 * arena being built is per thread, so parses in two threads do not mix. */
typedef struct pblock {
    struct pblock *prev;
    max_align_t data[];
} pblock;

static _Thread_local pblock *arena;

static void *p_alloc(size_t n)
{
    pblock *b = calloc(1, sizeof *b + (n ? n : 1));
    if (!b) {
        fputs("jsonata: out of memory\n", stderr);
        abort();
    }
    b->prev = arena;
    arena = b;
    return b->data;
}

static void arena_release(pblock *b)
{
    while (b) {
        pblock *prev = b->prev;
        free(b);
        b = prev;
    }
}

static char *p_strndup(const char *s, size_t n)
{
    char *out = p_alloc(n + 1);
    memcpy(out, s, n);
    return out;
}

static char *p_strdup(const char *s)
{
    return p_strndup(s, strlen(s));
}

static char *p_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *p_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = p_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* s as JSON.stringify writes a string (JSONata's messages quote so). */
static char *p_quote(const char *s)
{
    char *out = p_alloc(6 * strlen(s) + 3), *o = out;
    *o++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        const char *esc = *c == '"' ? "\\\"" : *c == '\\' ? "\\\\" : *c == '\b' ? "\\b" : *c == '\f' ? "\\f"
                        : *c == '\n' ? "\\n" : *c == '\r' ? "\\r" : *c == '\t' ? "\\t" : NULL;
        if (esc) {
            o += sprintf(o, "%s", esc);
        } else if (*c < 0x20 || *c == 0x7f) {
            o += sprintf(o, "\\u%04x", *c);
        } else {
            *o++ = (char)*c;
        }
    }
    *o = '"';
    return out;
}

/* ------------------------------------------------------------- tokens */

typedef enum tkind { TK_END, TK_OP, TK_NAME, TK_VAR, TK_STR, TK_NUM, TK_VALUE, TK_REGEX } tkind;

typedef struct token {
    tkind k;
    const char *op;      /* TK_OP: the operator ("..", "and" ...) */
    char *s;             /* TK_NAME, TK_VAR, TK_STR, TK_REGEX: text */
    double num;          /* TK_NUM */
    int val;             /* TK_VALUE: JN_V_*; TK_REGEX: flags */
    int pos;             /* offset of the first character */
    const char *raw;     /* TK_NUM: the literal as written */
    size_t rawlen;
} token;

/* A tree node while parsing. Raw kinds (R_*) exist only before process(). */
enum { R_DOT = 200, R_PRED, R_GROUPBY, R_ORDERBY, R_FOCUS, R_INDEX };

typedef struct pnode pnode;
struct pnode {
    int kind, op;
    unsigned flags;
    double num;
    const char *str;
    pnode **kids;
    int n, cap;
    int pos;
    int *seek;           /* the % slots inside this node still looking for their step */
    int nseek, capseek;
    int slot;            /* JN_PARENT: its own slot */
};

/* A % looking for the step it names: level is how many steps back it still
 * has to go; label is what the step and the % will share. */
typedef struct slot {
    int label, level;
    pnode *parent;
} pslot;

typedef struct parser {
    const char *src;
    size_t len, at;
    token t;             /* the current token */
    int depth;
    char *msg;
    jmp_buf fail;
    pslot *slots;
    int nslots, capslots;
} parser;

/* Syntax errors unwind to jsonata_parse, which releases the arena: nothing
 * leaks on the way. */
static _Noreturn void fail_at(parser *p, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static _Noreturn void fail_at(parser *p, int pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *m = p_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(m, (size_t)n + 1, fmt, ap);
    va_end(ap);
    p->msg = pos >= 0 ? p_printf("%s (at position %d)", m, pos + 1) : m;
    longjmp(p->fail, 1);
}

/* A token's value as JSONata's messages show it (JSON.stringify). */
static const char *tok_text(const token *t)
{
    switch (t->k) {
    case TK_END: return "(end)";
    case TK_OP: return p_quote(t->op);
    case TK_NUM: return p_strndup(t->raw, t->rawlen);
    case TK_VALUE: return t->val == JN_V_NULL ? "null" : t->val == JN_V_TRUE ? "true" : "false";
    case TK_VAR: return p_quote(p_printf("$%s", t->s));
    default: return p_quote(t->s);
    }
}

static const char *const ops2[] = {"..", ":=", "!=", ">=", "<=", "**", "~>"};
static const char opchars[] = ".[]{}(),@#;:?+-*/%|=<>^&!~";

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void put_utf8(char *out, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xC0 | cp >> 6);
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xE0 | cp >> 12);
        out[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | cp >> 18);
        out[(*n)++] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hex4(const char *s, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return 0;
        *v = *v << 4 | (uint32_t)d;
    }
    return 1;
}

/* A string literal; p->at is past the opening quote. */
static void lex_string(parser *p, char quote)
{
    const char *s = p->src;
    size_t start = p->at - 1;
    char *out = p_alloc(p->len - p->at + 1);
    size_t n = 0;
    while (p->at < p->len && s[p->at] != quote) {
        char c = s[p->at++];
        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        if (p->at >= p->len)
            break;
        c = s[p->at++];
        const char *esc = strchr("\"\\/bfnrt", c);
        if (esc && c) {
            out[n++] = "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
        } else if (c == 'u') {
            uint32_t cp, lo;
            if (p->at + 4 > p->len || !hex4(s + p->at, &cp))
                fail_at(p, (int)p->at, "S0104: The escape sequence \\u must be followed by 4 hex digits");
            p->at += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p->at + 6 <= p->len && s[p->at] == '\\' && s[p->at + 1] == 'u' &&
                hex4(s + p->at + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p->at += 6;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD; /* a lone surrogate has no UTF-8 form */
            }
            if (cp == 0)
                fail_at(p, (int)p->at - 6, "S0104: The escape sequence \\u0000 is not supported");
            put_utf8(out, &n, cp);
        } else {
            unsigned char b = (unsigned char)c; /* the whole character, not one byte of it */
            int w = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            if ((size_t)w > p->len - (p->at - 1))
                w = 1;
            fail_at(p, (int)p->at - 2, "S0103: Unsupported escape sequence: \\%.*s", w, s + p->at - 1);
        }
    }
    if (p->at >= p->len)
        fail_at(p, (int)start, "S0101: String literal must be terminated by a matching quote");
    p->at++;
    p->t.k = TK_STR;
    p->t.s = out;
}

/* A regex literal; p->at is past the opening slash. Brackets nest, so a /
 * inside [...] or (...) does not end it. */
static void lex_regex(parser *p)
{
    const char *s = p->src;
    size_t start = p->at;
    int depth = 0;
    while (p->at < p->len) {
        char c = s[p->at];
        int escaped = 0;
        for (size_t k = p->at; k > start && s[k - 1] == '\\'; k--)
            escaped ^= 1;
        if (c == '/' && depth == 0 && !escaped) {
            if (p->at == start)
                fail_at(p, (int)start, "S0301: Empty regular expressions are not allowed");
            const char *err = jsonata_regex_check(s + start, p->at - start);
            if (err)
                fail_at(p, (int)start, "S0302: Invalid regular expression: %s", err);
            p->t.k = TK_REGEX;
            p->t.s = p_strndup(s + start, p->at - start);
            p->t.val = 0;
            p->at++;
            while (p->at < p->len && (s[p->at] == 'i' || s[p->at] == 'm')) {
                int flag = s[p->at] == 'i' ? (int)JN_RX_I : (int)JN_RX_M;
                if (p->t.val & flag)
                    fail_at(p, (int)p->at, "S0302: Invalid regular expression flags");
                p->t.val |= flag;
                p->at++;
            }
            return;
        }
        if (!escaped && (c == '(' || c == '[' || c == '{'))
            depth++;
        if (!escaped && (c == ')' || c == ']' || c == '}'))
            depth--;
        p->at++;
    }
    fail_at(p, (int)start - 1, "S0302: No terminating / in regular expression");
}

static void lex_number(parser *p)
{
    const char *s = p->src;
    size_t i = p->at;
    if (s[i] == '0')
        i++;
    else
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i + 1 < p->len && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < p->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < p->len && s[j] >= '0' && s[j] <= '9') {
            while (j < p->len && s[j] >= '0' && s[j] <= '9')
                j++;
            i = j;
        }
    }
    p->t.k = TK_NUM;
    p->t.raw = s + p->at;
    p->t.rawlen = i - p->at;
    char *text = p_strndup(s + p->at, i - p->at);
    p->t.num = strtod(text, NULL);
    if (p->t.num > 1.7976931348623157e308)
        fail_at(p, (int)p->at, "S0102: Number out of range: %s", text);
    p->at = i;
}

static void lex_name(parser *p)
{
    const char *s = p->src;
    size_t i = p->at;
    while (i < p->len && !is_space(s[i]) && !strchr(opchars, s[i]))
        i++;
    char *name = p_strndup(s + p->at, i - p->at);
    p->at = i;
    if (name[0] == '$') {
        p->t.k = TK_VAR;
        p->t.s = name + 1;
    } else if (!strcmp(name, "and") || !strcmp(name, "or") || !strcmp(name, "in")) {
        p->t.k = TK_OP;
        p->t.op = name;
    } else if (!strcmp(name, "true") || !strcmp(name, "false") || !strcmp(name, "null")) {
        p->t.k = TK_VALUE;
        p->t.val = name[0] == 't' ? JN_V_TRUE : name[0] == 'f' ? JN_V_FALSE : JN_V_NULL;
    } else {
        p->t.k = TK_NAME;
        p->t.s = name;
    }
}

/* Reads the next token into p->t. infix says where the parser stands, as
 * in jsonata-js: after an operand (a literal, a name, a prefix symbol, a
 * closing bracket) a '/' divides; anywhere else it starts a regex. */
static void next(parser *p, int infix)
{
    const char *s = p->src;
    for (;;) {
        while (p->at < p->len && is_space(s[p->at]))
            p->at++;
        if (p->at + 1 < p->len && s[p->at] == '/' && s[p->at + 1] == '*') {
            const char *end = strstr(s + p->at + 2, "*/");
            if (!end || (size_t)(end - s) >= p->len)
                fail_at(p, (int)p->at, "S0106: Comment has no closing tag");
            p->at = (size_t)(end - s) + 2;
            continue;
        }
        break;
    }
    memset(&p->t, 0, sizeof p->t);
    p->t.pos = (int)p->at;
    if (p->at >= p->len) {
        p->t.k = TK_END;
        return;
    }
    char c = s[p->at];
    if (c == '/' && !infix) {
        p->at++;
        lex_regex(p);
        return;
    }
    for (size_t i = 0; i < sizeof ops2 / sizeof *ops2; i++)
        if (p->at + 1 < p->len && s[p->at] == ops2[i][0] && s[p->at + 1] == ops2[i][1]) {
            p->t.k = TK_OP;
            p->t.op = ops2[i];
            p->at += 2;
            return;
        }
    if (c == '!') /* only != is an operator */
        fail_at(p, (int)p->at, "S0204: Unknown operator: \"!\"");
    if (strchr(opchars, c)) {
        static const char *const single[] = {".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?",
                                             "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~"};
        p->t.k = TK_OP;
        p->t.op = single[strchr(opchars, c) - opchars];
        p->at++;
        return;
    }
    if (c == '"' || c == '\'') {
        p->at++;
        lex_string(p, c);
    } else if (c >= '0' && c <= '9') {
        lex_number(p);
    } else if (c == '`') {
        const char *end = memchr(s + p->at + 1, '`', p->len - p->at - 1);
        if (!end)
            fail_at(p, (int)p->at, "S0105: Quoted property name must be terminated with a backquote (`)");
        p->t.k = TK_NAME;
        p->t.s = p_strndup(s + p->at + 1, (size_t)(end - s) - p->at - 1);
        p->at = (size_t)(end - s) + 1;
    } else {
        lex_name(p);
    }
}

static int is_op(const parser *p, const char *op)
{
    return p->t.k == TK_OP && !strcmp(p->t.op, op);
}

/* Consumes the operator op, or fails the way JSONata does; infix is how
 * the next token is read (see next). */
static void expect_then(parser *p, const char *op, int infix)
{
    if (!is_op(p, op)) {
        if (p->t.k == TK_END)
            fail_at(p, p->t.pos, "S0203: Expected %s before end of expression", p_quote(op));
        fail_at(p, p->t.pos, "S0202: Expected %s, got %s", p_quote(op), tok_text(&p->t));
    }
    next(p, infix);
}

/* Closing brackets mostly end an operand, so what follows is read as an
 * operator; jsonata-js makes three exceptions (order-by's ")", a lambda
 * body's "}", the "]" of []), which use expect_then directly. */
static void expect(parser *p, const char *op)
{
    expect_then(p, op, !strcmp(op, ")") || !strcmp(op, "]") || !strcmp(op, "}"));
}

/* ------------------------------------------------------------- raw tree */

static pnode *pn(int kind, int pos)
{
    pnode *n = p_alloc(sizeof *n);
    n->kind = kind;
    n->pos = pos;
    return n;
}

/* arr, or a copy with room for more when its n elements (size bytes
 * each) fill *cap. */
static void *grow(void *arr, int n, int *cap, size_t size)
{
    if (n < *cap)
        return arr;
    *cap = *cap ? 2 * *cap : 4;
    void *more = p_alloc(size * (size_t)*cap);
    if (n)
        memcpy(more, arr, size * (size_t)n);
    return more;
}

static void push(pnode *parent, pnode *kid)
{
    parent->kids = grow(parent->kids, parent->n, &parent->cap, sizeof *parent->kids);
    parent->kids[parent->n++] = kid;
}

static pnode *pn2(int kind, int op, int pos, pnode *a, pnode *b)
{
    pnode *n = pn(kind, pos);
    n->op = op;
    push(n, a);
    if (b)
        push(n, b);
    return n;
}

static pnode *expression(parser *p, int rbp);

/* Left binding power of an operator token (0 for everything else). */
static int op_bp(const token *t)
{
    static const struct { const char *op; int bp; } table[] = {
        {".", 75}, {"[", 80}, {"{", 70}, {"(", 80}, {"@", 80}, {"#", 80}, {"?", 20}, {"+", 50}, {"-", 50},
        {"*", 60}, {"/", 60}, {"%", 60}, {"=", 40}, {"<", 40}, {">", 40}, {"!=", 40}, {"<=", 40}, {">=", 40},
        {"~>", 40}, {"^", 40}, {"in", 40}, {"and", 30}, {"or", 25}, {"&", 50}, {":=", 10},
    };
    if (t->k != TK_OP)
        return 0;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (!strcmp(table[i].op, t->op))
            return table[i].bp;
    return 0;
}

static int lbp(const parser *p)
{
    return op_bp(&p->t);
}

/* Object pairs up to the closing brace; the opening one is consumed. */
static pnode *object_body(parser *p, int pos)
{
    pnode *obj = pn(JN_OBJECT, pos);
    if (!is_op(p, "}")) {
        for (;;) {
            pnode *key = expression(p, 0);
            expect(p, ":");
            pnode *value = expression(p, 0);
            push(obj, pn2(JN_PAIR, 0, key->pos, key, value));
            if (!is_op(p, ","))
                break;
            next(p, 0);
        }
    }
    expect(p, "}");
    return obj;
}

static pnode *array_body(parser *p, int pos)
{
    pnode *arr = pn(JN_ARRAY, pos);
    if (!is_op(p, "]")) {
        for (;;) {
            pnode *item = expression(p, 0);
            if (is_op(p, "..")) {
                int at = p->t.pos;
                next(p, 0);
                item = pn2(JN_BINARY, JN_OP_RANGE, at, item, expression(p, 0));
            }
            push(arr, item);
            if (!is_op(p, ","))
                break;
            next(p, 0);
        }
    }
    expect(p, "]");
    return arr;
}

static pnode *block_body(parser *p, int pos)
{
    pnode *b = pn(JN_BLOCK, pos);
    while (!is_op(p, ")")) {
        push(b, expression(p, 0));
        if (!is_op(p, ";"))
            break;
        next(p, 0);
    }
    expect(p, ")");
    return b;
}

/* %: a new slot, labelled by its number. */
static pnode *parent_node(parser *p, int pos)
{
    p->slots = grow(p->slots, p->nslots, &p->capslots, sizeof *p->slots);
    pnode *n = pn(JN_PARENT, pos);
    n->slot = p->nslots;
    n->op = p->nslots + 1;
    p->slots[p->nslots++] = (pslot){n->op, 1, n};
    return n;
}

/* The prefix ("nud") meaning of the token just consumed, t. */
static pnode *nud(parser *p, const token *t)
{
    pnode *n;
    switch (t->k) {
    case TK_END: fail_at(p, t->pos, "S0207: Unexpected end of expression");
    case TK_NUM:
        n = pn(JN_NUMBER, t->pos);
        n->num = t->num;
        n->str = p_strndup(t->raw, t->rawlen);
        return n;
    case TK_STR:
        n = pn(JN_STRING, t->pos);
        n->str = t->s;
        return n;
    case TK_VALUE:
        n = pn(JN_VALUE, t->pos);
        n->op = t->val;
        return n;
    case TK_REGEX:
        n = pn(JN_REGEX, t->pos);
        n->str = t->s;
        n->op = t->val;
        return n;
    case TK_NAME:
        n = pn(JN_NAME, t->pos);
        n->str = t->s;
        return n;
    case TK_VAR:
        n = pn(JN_VARIABLE, t->pos);
        n->str = t->s;
        return n;
    case TK_OP: break;
    }
    const char *op = t->op;
    if (!strcmp(op, "and") || !strcmp(op, "or") || !strcmp(op, "in")) { /* field names too */
        n = pn(JN_NAME, t->pos);
        n->str = op;
        return n;
    }
    if (!strcmp(op, "-")) {
        n = pn(JN_NEGATE, t->pos);
        push(n, expression(p, 70));
        return n;
    }
    if (!strcmp(op, "*"))
        return pn(JN_WILDCARD, t->pos);
    if (!strcmp(op, "**"))
        return pn(JN_DESCENDANT, t->pos);
    if (!strcmp(op, "("))
        return block_body(p, t->pos);
    if (!strcmp(op, "["))
        return array_body(p, t->pos);
    if (!strcmp(op, "{"))
        return object_body(p, t->pos);
    if (!strcmp(op, "|")) {
        n = pn(JN_TRANSFORM, t->pos);
        push(n, expression(p, 0));
        expect_then(p, "|", 0);
        push(n, expression(p, 0));
        if (is_op(p, ",")) {
            next(p, 0);
            push(n, expression(p, 0));
        }
        expect_then(p, "|", 1);
        return n;
    }
    if (!strcmp(op, "%"))
        return parent_node(p, t->pos);
    fail_at(p, t->pos, "S0211: The symbol %s cannot be used as a unary operator", p_quote(op));
}

/* A lambda's signature <...>, read as raw text: its characters are not
 * JSONata tokens. The current token is the opening '<'. */
static const char *signature(parser *p)
{
    size_t start = (size_t)p->t.pos, i = start;
    int depth = 0;
    for (; i < p->len; i++) {
        if (p->src[i] == '<')
            depth++;
        else if (p->src[i] == '>' && --depth == 0)
            break;
    }
    if (i >= p->len)
        fail_at(p, (int)start, "S0401: Unterminated function signature");
    p->at = i + 1;
    next(p, 0);
    return p_strndup(p->src + start, i + 1 - start);
}

/* function($a, $b)<sig>{ body }: the arguments are parsed already. */
static pnode *lambda(parser *p, pnode *call)
{
    pnode *lam = pn(JN_LAMBDA, call->pos);
    for (int i = 1; i < call->n; i++) {
        if (call->kids[i]->kind != JN_VARIABLE)
            fail_at(p, call->kids[i]->pos, "S0208: Parameter %d of function definition must be a variable name (start with $)", i);
        push(lam, call->kids[i]);
    }
    lam->op = lam->n;
    if (is_op(p, "<"))
        lam->str = signature(p);
    expect(p, "{");
    push(lam, expression(p, 0));
    expect_then(p, "}", 0);
    return lam;
}

static pnode *call(parser *p, pnode *left, int pos)
{
    pnode *c = pn(JN_CALL, pos);
    push(c, left);
    if (!is_op(p, ")")) {
        for (;;) {
            if (is_op(p, "?")) {
                /* a placeholder only when an argument ends there */
                size_t save = p->at;
                token keep = p->t;
                next(p, 0);
                if (is_op(p, ",") || is_op(p, ")")) {
                    push(c, pn(JN_PLACEHOLDER, keep.pos));
                    c->flags |= JN_F_PARTIAL;
                } else {
                    p->at = save;
                    p->t = keep;
                    push(c, expression(p, 0));
                }
            } else {
                push(c, expression(p, 0));
            }
            if (!is_op(p, ","))
                break;
            next(p, 0);
        }
    }
    expect(p, ")");
    if (left->kind == JN_NAME && (!strcmp(left->str, "function") || !strcmp(left->str, "\xce\xbb")))
        return lambda(p, c);
    return c;
}

static pnode *order_by(parser *p, pnode *left, int pos)
{
    pnode *o = pn(R_ORDERBY, pos);
    push(o, left);
    expect(p, "(");
    for (;;) {
        pnode *term = pn(JN_SORT_TERM, p->t.pos);
        if (is_op(p, "<")) {
            next(p, 0);
        } else if (is_op(p, ">")) {
            term->op = 1;
            next(p, 0);
        }
        push(term, expression(p, 0));
        push(o, term);
        if (!is_op(p, ","))
            break;
        next(p, 0);
    }
    expect_then(p, ")", 0);
    return o;
}

static int binary_op(const char *op)
{
    static const char *const names[] = {"+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or", "in"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(names[i], op))
            return (int)i;
    return -1;
}

/* The infix ("led") meaning of operator t, whose left operand is left. */
static pnode *led(parser *p, const token *t, pnode *left)
{
    const char *op = t->op;
    int bop = binary_op(op);
    if (bop >= 0)
        return pn2(JN_BINARY, bop, t->pos, left, expression(p, op_bp(t)));
    if (!strcmp(op, "."))
        return pn2(R_DOT, 0, t->pos, left, expression(p, 75));
    if (!strcmp(op, "[")) {
        if (is_op(p, "]")) { /* [] keeps a singleton sequence an array */
            next(p, 0);
            pnode *step = left;
            while (step->kind == R_PRED)
                step = step->kids[0];
            step->flags |= JN_F_KEEP_ARRAY;
            return left;
        }
        pnode *pred = expression(p, 0);
        expect(p, "]");
        return pn2(R_PRED, 0, t->pos, left, pred);
    }
    if (!strcmp(op, "{"))
        return pn2(R_GROUPBY, 0, t->pos, left, object_body(p, t->pos));
    if (!strcmp(op, "("))
        return call(p, left, t->pos);
    if (!strcmp(op, "?")) {
        pnode *c = pn2(JN_CONDITION, 0, t->pos, left, expression(p, 0));
        if (is_op(p, ":")) {
            next(p, 0);
            push(c, expression(p, 0));
        }
        return c;
    }
    if (!strcmp(op, ":=")) {
        if (left->kind != JN_VARIABLE)
            fail_at(p, left->pos, "S0212: The left side of := must be a variable name (start with $)");
        pnode *b = pn2(JN_BIND, 0, t->pos, expression(p, 9), NULL);
        b->str = left->str;
        return b;
    }
    if (!strcmp(op, "~>"))
        return pn2(JN_APPLY, 0, t->pos, left, expression(p, 40));
    if (!strcmp(op, "^"))
        return order_by(p, left, t->pos);
    if (!strcmp(op, "@") || !strcmp(op, "#")) {
        pnode *var = expression(p, 80);
        if (var->kind != JN_VARIABLE)
            fail_at(p, var->pos, "S0214: The right side of %s must be a variable name (start with $)", op);
        pnode *b = pn2(op[0] == '@' ? R_FOCUS : R_INDEX, 0, t->pos, left, NULL);
        b->str = var->str;
        return b;
    }
    fail_at(p, t->pos, "S0201: Syntax error: %s", p_quote(op));
}

static pnode *expression(parser *p, int rbp)
{
    if (++p->depth > 400)
        fail_at(p, p->t.pos, "U1001: Stack overflow error: the expression is nested too deeply");
    token t = p->t;
    next(p, 1);
    pnode *left = nud(p, &t);
    while (rbp < lbp(p)) {
        t = p->t;
        next(p, 0);
        left = led(p, &t, left);
    }
    p->depth--;
    return left;
}

/* ------------------------------------------------------------- process */

static pnode *process(parser *p, pnode *n);

static void seek_push(pnode *n, int slot)
{
    n->seek = grow(n->seek, n->nseek, &n->capseek, sizeof *n->seek);
    n->seek[n->nseek++] = slot;
}

/* The slots value still seeks become result's to resolve (jsonata-js's
 * pushAncestry). */
static void push_ancestry(pnode *result, const pnode *value)
{
    for (int i = 0; i < value->nseek; i++)
        seek_push(result, value->seek[i]);
    if (value->kind == JN_PARENT)
        seek_push(result, value->slot);
}

static pnode *step_base(pnode *s);

/* One step back for slot s from node (jsonata-js's seekParent): a name or
 * wildcard is a step and takes the label when s has gone far enough; a %
 * sends it one step further; a block or path passes it to their last
 * step(s), and must then hand their tuple stream on. */
static void seek_parent(parser *p, pnode *node, int s)
{
    pslot *sl = &p->slots[s];
    pnode *base = step_base(node);
    switch (base->kind) {
    case JN_NAME:
    case JN_WILDCARD:
        if (--sl->level == 0) {
            if (base->op) /* the step names another % already: share its label */
                sl->parent->op = base->op;
            else
                base->op = sl->label;
            sl->label = base->op;
            base->flags |= JN_F_TUPLE;
            node->flags |= JN_F_TUPLE;
        }
        return;
    case JN_PARENT: sl->level++; return;
    case JN_BLOCK:
        if (base->n > 0) {
            base->flags |= JN_F_TUPLE;
            node->flags |= JN_F_TUPLE;
            seek_parent(p, base->kids[base->n - 1], s);
        }
        return;
    case JN_PATH: {
        base->flags |= JN_F_TUPLES_OUT;
        node->flags |= JN_F_TUPLE;
        int i = base->n - 1;
        seek_parent(p, base->kids[i--], s);
        while (p->slots[s].level > 0 && i >= 0)
            seek_parent(p, base->kids[i--], s);
        return;
    }
    default:
        fail_at(p, base->pos, "S0217: The object representing the 'parent' cannot be derived from this kind of expression");
    }
}

static int is_focus(pnode *s)
{
    for (;;) {
        if (s->kind == JN_FOCUS_BIND)
            return 1;
        if (s->kind != JN_FILTER && s->kind != JN_INDEX_BIND)
            return 0;
        s = s->kids[0];
    }
}

/* The slots the last step of path seeks go back along the path's steps;
 * what reaches its start seeks on from the path itself. */
static void resolve_ancestry(parser *p, pnode *path)
{
    pnode *last = path->kids[path->n - 1];
    int nslots = last->nseek + (last->kind == JN_PARENT);
    int *slots = p_alloc(sizeof *slots * (size_t)(nslots + 1));
    if (last->nseek)
        memcpy(slots, last->seek, sizeof *slots * (size_t)last->nseek);
    if (last->kind == JN_PARENT)
        slots[last->nseek] = last->slot;
    for (int k = 0; k < nslots; k++) {
        int i = path->n - 2;
        while (p->slots[slots[k]].level > 0) {
            if (i < 0) {
                seek_push(path, slots[k]);
                break;
            }
            pnode *step = path->kids[i--];
            while (i >= 0 && is_focus(step) && is_focus(path->kids[i]))
                step = path->kids[i--];
            seek_parent(p, step, slots[k]);
        }
    }
}

static pnode *as_path(pnode *n)
{
    if (n->kind == JN_PATH)
        return n;
    pnode *path = pn(JN_PATH, n->pos);
    push(path, n);
    return path;
}

/* The node a step's kind is judged by: a filtered step by what it filters. */
static pnode *step_base(pnode *s)
{
    while (s->kind == JN_FILTER || s->kind == JN_FOCUS_BIND || s->kind == JN_INDEX_BIND)
        s = s->kids[0];
    return s;
}

/* a.b: steps are joined into one path; literal strings become names. */
static pnode *process_dot(parser *p, pnode *n)
{
    pnode *lstep = process(p, n->kids[0]);
    pnode *path = as_path(lstep);
    if (lstep->kind == JN_PARENT)
        seek_push(path, lstep->slot);
    pnode *rest = process(p, n->kids[1]);
    /* a [] that ended up on a path (step@$v[] ...) keeps the whole path's singleton */
    if (rest->kind == JN_PATH && (rest->flags & (JN_F_KEEP_ARRAY | JN_F_KEEP_SINGLETON)))
        path->flags |= JN_F_KEEP_SINGLETON;
    if (rest->kind == JN_PATH) {
        for (int i = 0; i < rest->n; i++)
            push(path, rest->kids[i]);
    } else {
        push(path, rest);
    }
    for (int i = 0; i < path->n; i++) {
        pnode *b = step_base(path->kids[i]);
        if (b->kind == JN_NUMBER || b->kind == JN_VALUE)
            fail_at(p, b->pos, "S0213: The literal value %s cannot be used as a step within a path expression",
                    b->kind == JN_NUMBER ? b->str : b->op == JN_V_NULL ? "null" : b->op == JN_V_TRUE ? "true" : "false");
        if (b->kind == JN_STRING)
            b->kind = JN_NAME;
        if (path->kids[i]->flags & JN_F_KEEP_ARRAY)
            path->flags |= JN_F_KEEP_SINGLETON;
    }
    if (path->kids[0]->kind == JN_ARRAY)
        path->kids[0]->flags |= JN_F_CONS;
    if (path->kids[path->n - 1]->kind == JN_ARRAY)
        path->kids[path->n - 1]->flags |= JN_F_CONS;
    resolve_ancestry(p, path);
    return path;
}

/* x[pred]: on a path the predicate filters its last step, item by item;
 * elsewhere the whole value. */
static pnode *add_filter(parser *p, pnode *target, pnode *pred)
{
    if (target->kind == JN_GROUP)
        fail_at(p, pred->pos, "S0209: A predicate cannot follow a grouping expression in a step");
    if (target->kind != JN_FILTER) {
        pnode *f = pn(JN_FILTER, target->pos);
        f->flags = target->flags & (JN_F_KEEP_ARRAY | JN_F_TUPLE);
        target->flags &= ~JN_F_KEEP_ARRAY;
        push(f, target);
        target = f;
    }
    push(target, pred);
    return target;
}

/* A % in the predicate one step back names the step filtered; one
 * further back seeks on from the step. */
static pnode *process_pred(parser *p, pnode *n)
{
    pnode *r = process(p, n->kids[0]);
    pnode *pred = process(p, n->kids[1]);
    pnode **step = r->kind == JN_PATH ? &r->kids[r->n - 1] : &r;
    for (int i = 0; i < pred->nseek; i++) {
        if (p->slots[pred->seek[i]].level == 1)
            seek_parent(p, *step, pred->seek[i]);
        else
            p->slots[pred->seek[i]].level--;
    }
    pnode *f = add_filter(p, *step, pred);
    push_ancestry(f, pred);
    if (step_base(f)->flags & JN_F_TUPLE)
        f->flags |= JN_F_TUPLE;
    *step = f;
    return r;
}

/* step@$v binds $v to each result of the step, keeping the context;
 * step#$i binds $i to each result's position. Either makes the path a
 * stream of tuples (see the evaluator). */
static pnode *process_bind(parser *p, pnode *n)
{
    pnode *r = process(p, n->kids[0]);
    /* x@$v outside a path stays x (a path made of it later binds $v), as
     * in jsonata-js: $@$i over [1, 2, 3] is [1, 2, 3] */
    bool lone_focus = n->kind == R_FOCUS && r->kind != JN_PATH;
    if (r->kind != JN_PATH)
        r = as_path(r);
    pnode **last = &r->kids[r->n - 1];
    pnode *step = *last;
    pnode *b;
    if (n->kind == R_FOCUS) {
        if (step->kind == JN_FILTER)
            fail_at(p, n->pos, "S0215: A context variable binding must precede any predicates on a step");
        if (step->kind == JN_SORT)
            fail_at(p, n->pos, "S0216: A context variable binding must precede the 'order-by' clause on a step");
        b = pn2(JN_FOCUS_BIND, 0, n->pos, step, NULL);
    } else if (step->kind == JN_FILTER) {
        b = pn(JN_INDEX_STAGE, n->pos);
        b->str = n->str;
        push(step, b);
        step->flags |= JN_F_TUPLE;
        return r;
    } else {
        b = pn2(JN_INDEX_BIND, 0, n->pos, step, NULL);
    }
    b->str = n->str;
    b->flags = JN_F_TUPLE | (step->flags & JN_F_KEEP_ARRAY);
    step->flags &= ~JN_F_KEEP_ARRAY;
    *last = b;
    return lone_focus ? b : r;
}

/* Marks the calls a lambda's body returns directly, so that the evaluator
 * can run them as tail calls (no deeper C stack for tail recursion). */
static void mark_tail(pnode *n)
{
    if (n->kind == JN_CALL && !(n->flags & (JN_F_PARTIAL | JN_F_KEEP_ARRAY)))
        n->flags |= JN_F_TAIL;
    else if (n->kind == JN_CONDITION)
        for (int i = 1; i < n->n; i++)
            mark_tail(n->kids[i]);
    else if (n->kind == JN_BLOCK && n->n)
        mark_tail(n->kids[n->n - 1]);
}

static pnode *process(parser *p, pnode *n)
{
    pnode *r = n;
    /* 1+1+...+1 nests without nesting brackets; bound the tree walks */
    if (++p->depth > 5000)
        fail_at(p, n->pos, "U1001: Stack overflow error: the expression is nested too deeply");
    switch (n->kind) {
    case R_DOT: r = process_dot(p, n); break;
    case R_PRED: r = process_pred(p, n); break;
    case R_FOCUS:
    case R_INDEX: r = process_bind(p, n); break;
    case R_GROUPBY: {
        pnode *base = process(p, n->kids[0]);
        if (base->kind == JN_GROUP)
            fail_at(p, n->pos, "S0210: Each step can only have one grouping expression");
        r = pn2(JN_GROUP, 0, n->pos, base, process(p, n->kids[1]));
        break;
    }
    case R_ORDERBY: {
        r = as_path(process(p, n->kids[0]));
        pnode *sort = pn(JN_SORT, n->pos);
        for (int i = 1; i < n->n; i++) {
            pnode *term = process(p, n->kids[i]);
            push_ancestry(sort, term);
            push(sort, term);
        }
        push(r, sort);
        resolve_ancestry(p, r);
        break;
    }
    case JN_NAME:
        r = as_path(n);
        if (n->flags & JN_F_KEEP_ARRAY)
            r->flags |= JN_F_KEEP_SINGLETON;
        break;
    case JN_NEGATE:
        n->kids[0] = process(p, n->kids[0]);
        if (n->kids[0]->kind == JN_NUMBER) {
            r = n->kids[0];
            r->num = -r->num;
            r->str = p_printf("-%s", r->str);
        } else {
            push_ancestry(n, n->kids[0]);
        }
        break;
    case JN_LAMBDA:
        n->kids[n->n - 1] = process(p, n->kids[n->n - 1]);
        mark_tail(n->kids[n->n - 1]);
        break;
    case JN_CALL:
        for (int i = 0; i < n->n; i++) {
            n->kids[i] = process(p, n->kids[i]);
            if (i > 0) /* the arguments' %s, not the procedure's */
                push_ancestry(n, n->kids[i]);
        }
        if (n->kids[0]->kind == JN_VARIABLE)
            n->op = jsonata_builtin(n->kids[0]->str) + 1;
        break;
    case JN_APPLY:
    case JN_TRANSFORM: /* no % inside looks out of these (as in jsonata-js) */
        for (int i = 0; i < n->n; i++)
            n->kids[i] = process(p, n->kids[i]);
        break;
    default:
        /* operators, constructors, conditions, blocks, bindings: their
         * operands' %s seek on from them */
        for (int i = 0; i < n->n; i++) {
            n->kids[i] = process(p, n->kids[i]);
            push_ancestry(n, n->kids[i]);
        }
    }
    if (n->flags & JN_F_KEEP_ARRAY)
        r->flags |= JN_F_KEEP_ARRAY;
    p->depth--;
    return r;
}

/* ------------------------------------------------------------- checks */

/* AWS evaluates an expression with no context item: a path starting from
 * it (a bare field name, *, **, or $) can only mean a mistake, and AWS
 * refuses the definition; so it does $$, the (absent) root. top is true
 * where the context is the expression's own, false inside a path step,
 * predicate, grouping or sort key, or a lambda body (whose context is its
 * caller's business). */
static void check_refs(parser *p, const pnode *n, int top)
{
    if (n->kind == JN_VARIABLE && (!strcmp(n->str, "$") || (top && !n->str[0])))
        fail_at(p, -1, "Reference to '$%s' at the top level is not supported.", n->str);
    if (top && (n->kind == JN_NAME || n->kind == JN_WILDCARD || n->kind == JN_DESCENDANT))
        fail_at(p, -1, "Reference to '%s' at the top level is not supported.",
                n->kind == JN_NAME ? n->str : n->kind == JN_WILDCARD ? "*" : "**");
    switch (n->kind) {
    case JN_PATH:
        for (int i = 0; i < n->n; i++)
            check_refs(p, n->kids[i], i == 0 && top);
        return;
    case JN_FILTER:
    case JN_GROUP:
        check_refs(p, n->kids[0], top);
        for (int i = 1; i < n->n; i++)
            check_refs(p, n->kids[i], 0);
        return;
    case JN_SORT:
    case JN_LAMBDA:
    case JN_TRANSFORM: /* evaluated against the object transformed */
        for (int i = 0; i < n->n; i++)
            check_refs(p, n->kids[i], 0);
        return;
    default:
        for (int i = 0; i < n->n; i++)
            check_refs(p, n->kids[i], top);
    }
}

/* ------------------------------------------------------------- output */

static void to_node(const pnode *n, jsonata_node *out)
{
    out->kind = (unsigned short)n->kind;
    out->op = (unsigned short)n->op;
    out->flags = n->flags;
    out->num = n->num;
    out->str = n->str;
    out->count = n->n;
    if (!n->n)
        return;
    jsonata_node *kids = p_alloc(sizeof *kids * (size_t)n->n);
    for (int i = 0; i < n->n; i++)
        to_node(n->kids[i], &kids[i]);
    out->kids = kids;
}

/* The expression between "{%" and "%}" (when present), trimmed. */
static char *strip(const char *text)
{
    size_t len = strlen(text);
    if (len >= 4 && !strncmp(text, "{%", 2) && !strcmp(text + len - 2, "%}")) {
        text += 2;
        len -= 4;
    }
    while (len && is_space(*text))
        text++, len--;
    while (len && is_space(text[len - 1]))
        len--;
    return p_strndup(text, len);
}

/* A tree and the arena it lives in: the root is the arena's first block's
 * payload, so jsonata_free finds the arena from it. */
typedef struct parsed {
    pblock *mem;
    jsonata_node root;
} parsed;

static void set_error(jsonata_error *err, const char *msg)
{
    jsonata_error_clear(err);
    err->message = strdup(msg);
    if (!err->message) {
        fputs("jsonata: out of memory\n", stderr);
        abort();
    }
    size_t n = strlen(msg);
    if (n > 6 && msg[0] >= 'A' && msg[0] <= 'Z' && msg[5] == ':')
        memcpy(err->code, msg, 5);
}

jsonata_node *jsonata_parse(const char *text, unsigned flags, jsonata_error *err)
{
    pblock *outer = arena; /* none, unless a hook parses from inside a parse */
    arena = NULL;
    parsed *out = p_alloc(sizeof *out);
    /* on the heap: what changes between setjmp and longjmp must not be a
     * local of this function */
    parser *p = p_alloc(sizeof *p);
    p->src = flags & JSONATA_STEP_FUNCTIONS ? strip(text) : p_strdup(text);
    p->len = strlen(p->src);
    err->code[0] = 0;
    err->message = NULL;
    if (setjmp(p->fail)) {
        set_error(err, p->msg);
        arena_release(arena);
        arena = outer;
        return NULL;
    }
    next(p, 0);
    if (p->t.k == TK_END)
        fail_at(p, -1, "S0207: Unexpected end of expression");
    pnode *body = expression(p, 0);
    if (p->t.k != TK_END)
        fail_at(p, p->t.pos, "S0201: Syntax error: %s", tok_text(&p->t));
    body = process(p, body);
    if (body->kind == JN_PARENT || body->nseek)
        fail_at(p, body->pos, "S0217: The object representing the 'parent' cannot be derived from this kind of expression");
    if (flags & JSONATA_STEP_FUNCTIONS)
        check_refs(p, body, 1);
    out->root.kind = JN_ROOT;
    out->root.str = p->src;
    out->root.count = 1;
    jsonata_node *kid = p_alloc(sizeof *kid);
    to_node(body, kid);
    out->root.kids = kid;
    out->mem = arena;
    arena = outer;
    return &out->root;
}

void jsonata_free(jsonata_node *tree)
{
    if (tree)
        arena_release(((parsed *)((char *)tree - offsetof(parsed, root)))->mem);
}

const char *jsonata_kind_name(unsigned kind)
{
    static const char *const names[] = {
#define X(name) #name,
        JN_KINDS(X)
#undef X
    };
    if (kind < JSONATA_KIND_ROOT || kind - JSONATA_KIND_ROOT >= sizeof names / sizeof *names)
        return NULL;
    return names[kind - JSONATA_KIND_ROOT];
}

void jsonata_error_clear(jsonata_error *err)
{
    free(err->message);
    err->message = NULL;
    err->code[0] = 0;
}

/* ------------------------------------------------------------- inspect */

unsigned jsonata_var_members(const jsonata_node *n, const char *var, const char *const *members, int count)
{
    unsigned refs = 0;
    int from = 0;
    if (n->kind == JN_PATH && n->count > 1 && n->kids[0].kind == JN_VARIABLE && !strcmp(n->kids[0].str, var)) {
        const jsonata_node *step = &n->kids[1];
        while (step->kind == JN_FILTER || step->kind == JN_FOCUS_BIND || step->kind == JN_INDEX_BIND)
            step = &step->kids[0];
        unsigned bit = 1u << count;
        for (int i = 0; step->kind == JN_NAME && i < count; i++)
            if (!strcmp(members[i], step->str))
                bit = 1u << i;
        refs |= bit;
        from = 1; /* the variable itself is accounted for */
    } else if (n->kind == JN_VARIABLE && !strcmp(n->str, var)) {
        return 1u << count;
    }
    for (int i = from; i < n->count; i++)
        refs |= jsonata_var_members(&n->kids[i], var, members, count);
    return refs;
}

void jsonata_names(const jsonata_node *n, void (*fn)(void *ud, const char *name, int use), void *ud)
{
    if (n->kind == JN_BIND || n->kind == JN_FOCUS_BIND || n->kind == JN_INDEX_BIND || n->kind == JN_INDEX_STAGE)
        fn(ud, n->str, JSONATA_NAME_BOUND);
    int from = 0;
    if (n->kind == JN_LAMBDA)
        for (; from < n->op; from++) /* the parameters: bound, not read */
            fn(ud, n->kids[from].str, JSONATA_NAME_BOUND);
    else if (n->kind == JN_CALL && n->kids[0].kind == JN_VARIABLE) {
        fn(ud, n->kids[0].str, JSONATA_NAME_CALLED);
        from = 1;
    } else if (n->kind == JN_VARIABLE && n->str[0] && strcmp(n->str, "$")) {
        fn(ud, n->str, JSONATA_NAME_READ);
    }
    for (int i = from; i < n->count; i++)
        jsonata_names(&n->kids[i], fn, ud);
}
