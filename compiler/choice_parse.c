/*
 * choice_parse.c: turns a Choice rule (JSONPath query language) into an
 * asl_node tree, reporting every problem it finds.
 *
 *   rule    -> { "And": [rule, ...] } | { "Or": [rule, ...] } | { "Not": rule }
 *            | { "Variable": path, OPERATOR: operand }
 *
 * A comparison becomes ASL_N_RULE_TEST with op = the asl_operator,
 * kids[0] = the Variable path and kids[1] = the operand: a literal of the
 * type the operator compares (string, number, boolean; a checked timestamp
 * string; a checked StringMatches pattern), or a parsed path for the *Path
 * forms. A top-level rule (an element of Choices) may also carry Next and
 * Assign, which the caller reads; Comment is allowed anywhere.
 *
 * The parser keeps going after an error so that one run reports every
 * problem of a rule, its nested rules included.
 */
#include <stdlib.h>
#include <string.h>

#include "aslc.h"
#include "internal.h"

/* What an operator's operand must be. */
typedef enum operand_kind {
    OPND_STRING,
    OPND_PATTERN,   /* StringMatches */
    OPND_NUMBER,
    OPND_BOOLEAN,   /* BooleanEquals and the Is* tests */
    OPND_TIMESTAMP,
    OPND_PATH,      /* every *Path form */
} operand_kind;

static const char *const operator_names[] = {
#define X(id, name) name,
    ASL_OPERATORS(X)
#undef X
};

/* The fields of one rule object, sorted by role. */
typedef struct rule_fields {
    const cJSON *variable;
    const cJSON *cmp;       /* the comparison operator field */
    int op;
    const cJSON *logic;     /* And, Or or Not */
    bool unknown;           /* an unknown field was reported */
} rule_fields;

static int find_operator(const char *key)
{
    for (int i = 0; i < ASL_CMP__COUNT; i++)
        if (strcmp(key, operator_names[i]) == 0)
            return i;
    return -1;
}

static bool is_path_form(int op)
{
    size_t n = strlen(operator_names[op]);
    return n > 4 && strcmp(operator_names[op] + n - 4, "Path") == 0;
}

static operand_kind operand_of(int op)
{
    const char *name = operator_names[op];
    if (is_path_form(op))
        return OPND_PATH;
    if (op == ASL_CMP_STRING_MATCHES)
        return OPND_PATTERN;
    if (strncmp(name, "String", 6) == 0)
        return OPND_STRING;
    if (strncmp(name, "Numeric", 7) == 0)
        return OPND_NUMBER;
    if (strncmp(name, "Timestamp", 9) == 0)
        return OPND_TIMESTAMP;
    return OPND_BOOLEAN;
}

/* A value as compact JSON for messages, cut short when long. */
static const char *show(const cJSON *v)
{
    char *text = cJSON_PrintUnformatted(v);
    if (!text)
        return "?";
    const char *s = strlen(text) > 60 ? cc_printf("%.57s...", text) : cc_strdup(text);
    free(text);
    return s;
}

static const char *expected_text(operand_kind k)
{
    switch (k) {
    case OPND_STRING:
    case OPND_PATTERN: return "a string";
    case OPND_NUMBER: return "a number";
    case OPND_BOOLEAN: return "a boolean";
    case OPND_TIMESTAMP: return "a timestamp string";
    case OPND_PATH: return "a path string";
    }
    return "?";
}

static bool has_type(operand_kind k, const cJSON *v)
{
    switch (k) {
    case OPND_NUMBER: return cJSON_IsNumber(v);
    case OPND_BOOLEAN: return cJSON_IsBool(v);
    default: return cJSON_IsString(v);
    }
}

/* ------------------------------------------------------------ operands */

/* Parses a path field (Variable or a *Path operand). The ASL requires these
 * to name data: $ (input), $$ (context object) or $name (a variable), never
 * the @ of a filter. */
static asl_node *path_operand(const cc_src *src, const char *fpath, const cJSON *v)
{
    if (!cJSON_IsString(v)) {
        diag_error(src, fpath, "expected a path string, got %s", show(v));
        return NULL;
    }
    char *msg = NULL;
    asl_node *p = parse_path(v->valuestring, &msg);
    if (!p) {
        diag_error(src, fpath, "invalid path %s: %s", show(v), msg ? msg : "syntax error");
        return NULL;
    }
    if (p->op == ASL_ROOT_CURRENT) {
        diag_error(src, fpath, "expected a path starting with $, got %s", show(v));
        return NULL;
    }
    return p;
}

/* "Timestamps MUST conform to the RFC3339 profile of ISO 8601" (ASL). */
static bool check_timestamp(const cc_src *src, const char *fpath, const cJSON *v)
{
    double t;
    if (asl_timestamp_parse(v->valuestring, &t))
        return true;
    diag_error(src, fpath, "expected a timestamp such as \"2016-03-14T01:59:00Z\", got %s",
               show(v));
    return false;
}

/* StringMatches: "*" is the only wildcard; a literal "*" is written "\*"
 * and a literal backslash "\\" (ASL). Any other escape is a mistake. */
static bool check_pattern(const cc_src *src, const char *fpath, const cJSON *v)
{
    for (const char *s = v->valuestring; *s; s++) {
        if (*s != '\\')
            continue;
        if (s[1] == '*' || s[1] == '\\') {
            s++;
            continue;
        }
        diag_error(src, fpath,
                   "invalid escape in StringMatches pattern %s: only \\* and \\\\ may follow a backslash",
                   show(v));
        return false;
    }
    return true;
}

/* The operand node of a comparison, or NULL after reporting a problem. */
static asl_node *operand(const cc_src *src, const char *fpath, int op, const cJSON *v)
{
    operand_kind k = operand_of(op);
    if (!has_type(k, v)) {
        diag_error(src, fpath, "expected %s, got %s", expected_text(k), show(v));
        return NULL;
    }
    if (k == OPND_PATH)
        return path_operand(src, fpath, v);
    if (k == OPND_TIMESTAMP && !check_timestamp(src, fpath, v))
        return NULL;
    if (k == OPND_PATTERN && !check_pattern(src, fpath, v))
        return NULL;
    return node_from_json(v);
}

/* ----------------------------------------------------------- the fields */

/* ASCII case-insensitive equality (strcasecmp is not C11). */
static bool same_letters(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* Suggests the operator a misspelt key was probably meant to be. */
static void suggest(const cc_src *src, const char *fpath, const char *key)
{
    for (int i = 0; i < ASL_CMP__COUNT; i++)
        if (same_letters(key, operator_names[i])) {
            diag_note(src, fpath, "did you mean \"%s\"?", operator_names[i]);
            return;
        }
    static const char *const others[] = {"Variable", "And", "Or", "Not", "Next", "Assign",
                                         "Comment"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        if (same_letters(key, others[i])) {
            diag_note(src, fpath, "did you mean \"%s\"?", others[i]);
            return;
        }
}

/* Reports a field no Choice rule has, with a hint when it looks like an
 * operator: a misspelling, or a *Path form that does not exist. */
static void unknown_field(const cc_src *src, const char *fpath, const char *key)
{
    if (strcmp(key, "Condition") == 0) {
        diag_error(src, fpath, "Condition is for JSONata; a JSONPath Choice rule uses Variable "
                               "and a comparison operator");
        return;
    }
    size_t n = strlen(key);
    if (n > 4 && strcmp(key + n - 4, "Path") == 0) {
        char *base = cc_strndup(key, n - 4);
        if (find_operator(base) >= 0) {
            diag_error(src, fpath, "there is no %s: %s compares with a literal only", key, base);
            return;
        }
    }
    diag_error(src, fpath, "unknown field in a Choice rule");
    suggest(src, fpath, key);
}

static bool is_logic(const char *key)
{
    return strcmp(key, "And") == 0 || strcmp(key, "Or") == 0 || strcmp(key, "Not") == 0;
}

/* Sorts one field into f, reporting fields that do not belong. */
static void classify(const cc_src *src, const char *path, const cJSON *field, bool top,
                     rule_fields *f)
{
    const char *key = field->string;
    const char *fpath = diag_path_key(path, key);
    int op = find_operator(key);
    if (strcmp(key, "Variable") == 0) {
        f->variable = field;
    } else if (op >= 0) {
        if (f->cmp) {
            diag_error(src, fpath, "a Choice rule takes one comparison operator, found %s and %s",
                       f->cmp->string, key);
        } else {
            f->cmp = field;
            f->op = op;
        }
    } else if (is_logic(key)) {
        if (f->logic)
            diag_error(src, fpath, "a Choice rule takes one of And, Or, Not, found %s and %s",
                       f->logic->string, key);
        else
            f->logic = field;
    } else if (strcmp(key, "Next") == 0 || strcmp(key, "Assign") == 0) {
        if (!top)
            diag_error(src, fpath, "%s is allowed only in a top-level Choice rule, not inside And, Or or Not",
                       key);
    } else if (strcmp(key, "Comment") != 0) {
        unknown_field(src, fpath, key);
        f->unknown = true;
    }
}

/* ---------------------------------------------------------- rule kinds */

static asl_node *parse_logic(const cc_src *src, const char *path, const cJSON *field)
{
    const char *fpath = diag_path_key(path, field->string);
    if (strcmp(field->string, "Not") == 0) {
        asl_node *kid = parse_rule(src, fpath, field, false);
        if (!kid)
            return NULL;
        asl_node *n = node_new(ASL_N_RULE_NOT);
        node_push(n, kid);
        return n;
    }
    if (!cJSON_IsArray(field) || !field->child) {
        diag_error(src, fpath, "expected a non-empty array of Choice rules, got %s", show(field));
        return NULL;
    }
    asl_node *n = node_new(field->string[0] == 'A' ? ASL_N_RULE_AND : ASL_N_RULE_OR);
    bool ok = true;
    int i = 0;
    for (const cJSON *r = field->child; r; r = r->next, i++) {
        asl_node *kid = parse_rule(src, diag_path_index(fpath, i), r, false);
        if (kid)
            node_push(n, kid);
        else
            ok = false;
    }
    return ok ? n : NULL;
}

static asl_node *parse_test(const cc_src *src, const char *path, const rule_fields *f)
{
    asl_node *var = NULL;
    const char *vpath = diag_path_key(path, "Variable");
    if (!f->variable)
        diag_error(src, vpath, "required field is missing");
    else
        var = path_operand(src, vpath, f->variable);
    asl_node *opnd = operand(src, diag_path_key(path, f->cmp->string), f->op, f->cmp);
    if (!var || !opnd)
        return NULL;
    asl_node *n = node_new(ASL_N_RULE_TEST);
    n->op = (unsigned short)f->op;
    node_push(n, var);
    node_push(n, opnd);
    return n;
}

/* And/Or/Not replace the comparison: a rule holding both is ambiguous. */
static void check_mixed(const cc_src *src, const char *path, const rule_fields *f)
{
    const cJSON *extra = f->variable ? f->variable : f->cmp;
    if (extra)
        diag_error(src, diag_path_key(path, extra->string),
                   "a Choice rule with %s cannot also have %s", f->logic->string,
                   extra->string);
}

asl_node *parse_rule(const cc_src *src, const char *path, const cJSON *rule, bool top)
{
    if (!cJSON_IsObject(rule)) {
        diag_error(src, path, "expected a Choice rule object, got %s", show(rule));
        return NULL;
    }
    int before = diag_error_count();
    rule_fields f = {0};
    for (const cJSON *field = rule->child; field; field = field->next)
        classify(src, path, field, top, &f);

    asl_node *n = NULL;
    if (f.logic) {
        check_mixed(src, path, &f);
        n = parse_logic(src, path, f.logic);
    } else if (f.cmp) {
        n = parse_test(src, path, &f);
    } else if (f.unknown) {
        /* the unknown field was probably meant as the operator: said already */
    } else if (f.variable) {
        diag_error(src, path, "a Choice rule with Variable needs a comparison operator "
                              "(StringEquals, NumericLessThan, IsPresent, ...)");
    } else {
        diag_error(src, path, "a Choice rule needs Variable and a comparison operator, "
                              "or And, Or, Not");
    }
    return diag_error_count() > before ? NULL : n;
}
