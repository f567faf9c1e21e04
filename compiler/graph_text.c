/*
 * graph_text.c: the words on the picture. A state's type and what it does,
 * a Choice rule in the short form the console shows ($.kind == "a"), the
 * Retry and Catch of a state, and which nested machine a task starts.
 * Everything comes from the checked model (asl_state, asl_node), never
 * from the definition's text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

#define RULE_MAX 48   /* longer rules are cut, with an ellipsis */

static const char *const type_names[] = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"};

static const char *const operator_names[] = {
#define X(id, name) name,
    ASL_OPERATORS(X)
#undef X
};

const char *graph_type_name(const asl_state *s)
{
    return type_names[s->type];
}

/* A literal or a path, as it would be written. */
static void operand(asl_buf *b, const asl_node *n)
{
    switch (n->kind) {
    case ASL_N_STRING: asl_json_write_string(b, n->str); break;
    case ASL_N_NUMBER:
        if (n->str)
            asl_buf_puts(b, n->str);
        else
            asl_json_write_number(b, n->num);
        break;
    case ASL_N_TRUE: asl_buf_puts(b, "true"); break;
    case ASL_N_FALSE: asl_buf_puts(b, "false"); break;
    case ASL_N_NULL: asl_buf_puts(b, "null"); break;
    default: asl_buf_puts(b, n->str ? n->str : "?"); break;
    }
}

/* The comparison word of an operator, from its name: StringLessThanEqualsPath
 * compares with "<=". */
static const char *symbol(const char *name)
{
    if (strstr(name, "Matches"))
        return "matches";
    if (strstr(name, "GreaterThanEquals"))
        return ">=";
    if (strstr(name, "LessThanEquals"))
        return "<=";
    if (strstr(name, "GreaterThan"))
        return ">";
    if (strstr(name, "LessThan"))
        return "<";
    return "==";
}

static void rule(asl_buf *b, const asl_node *r, bool nested);

static void rule_list(asl_buf *b, const asl_node *r, const char *word)
{
    for (int i = 0; i < r->count; i++) {
        if (i)
            asl_buf_printf(b, " %s ", word);
        rule(b, &r->kids[i], true);
    }
}

static void test(asl_buf *b, const asl_node *r)
{
    const char *name = operator_names[r->op];
    operand(b, &r->kids[0]);
    if (!strncmp(name, "Is", 2)) {
        /* IsNull: true reads "is null", false "is not null" */
        bool yes = r->kids[1].kind == ASL_N_TRUE;
        char word[32];
        snprintf(word, sizeof word, "%s", name + 2);
        word[0] = (char)(word[0] - 'A' + 'a');
        asl_buf_printf(b, " is %s%s", yes ? "" : "not ", word);
        return;
    }
    asl_buf_printf(b, " %s ", symbol(name));
    operand(b, &r->kids[1]);
}

static void rule(asl_buf *b, const asl_node *r, bool nested)
{
    bool paren = nested && (r->kind == ASL_N_RULE_AND || r->kind == ASL_N_RULE_OR);
    if (paren)
        asl_buf_putc(b, '(');
    switch (r->kind) {
    case ASL_N_RULE_AND: rule_list(b, r, "and"); break;
    case ASL_N_RULE_OR: rule_list(b, r, "or"); break;
    case ASL_N_RULE_NOT:
        asl_buf_puts(b, "not ");
        rule(b, &r->kids[0], true);
        break;
    case ASL_N_RULE_TEST: test(b, r); break;
    default: /* a JSONata Condition keeps its text */
        asl_buf_puts(b, r->str ? r->str : "?");
        break;
    }
    if (paren)
        asl_buf_putc(b, ')');
}

/* Cuts text to max bytes without splitting a UTF-8 sequence. */
static const char *shorten(const char *text, size_t max)
{
    if (strlen(text) <= max)
        return text;
    size_t n = max - 1;
    while (n && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    return cc_printf("%.*s…", (int)n, text);
}

/* Takes the buffer's text into compiler memory. */
static const char *take(asl_buf *b)
{
    char *t = asl_buf_take(b);
    const char *s = cc_strdup(t ? t : "");
    free(t);
    return s;
}

const char *graph_rule_text(const asl_node *r)
{
    asl_buf b = {0};
    rule(&b, r, false);
    return shorten(take(&b), RULE_MAX);
}

/* "arn:aws:states:::lambda:invoke" -> "lambda:invoke"; a Lambda ARN ->
 * its function name; anything else is shown whole. */
static const char *resource_text(const char *r)
{
    const char *p;
    if (!strncmp(r, "arn:aws:states:::", 17))
        return r + 17;
    if ((p = strstr(r, ":function:")))
        return cc_printf("lambda %s", p + 10);
    if ((p = strstr(r, ":activity:")))
        return cc_printf("activity %s", p + 10);
    return r;
}

/* A number or a path field: "1 s", "$.delay". */
static const char *amount(const asl_node *n, const char *unit)
{
    asl_buf b = {0};
    operand(&b, n);
    if (n->kind == ASL_N_NUMBER)
        asl_buf_puts(&b, unit);
    return shorten(take(&b), RULE_MAX);
}

const char *graph_detail(const asl_state *s)
{
    switch (s->type) {
    case ASL_TASK: return resource_text(s->resource);
    case ASL_WAIT:
        if (s->seconds)
            return cc_printf("%s", amount(s->seconds, " s"));
        return s->timestamp ? cc_printf("until %s", amount(s->timestamp, "")) : NULL;
    case ASL_FAIL:
        if (s->error && s->error->kind == ASL_N_STRING)
            return s->error->str;
        return s->error ? amount(s->error, "") : NULL;
    case ASL_MAP: return s->items_path ? cc_printf("items %s", amount(s->items_path, "")) : NULL;
    case ASL_PARALLEL: return cc_printf("%d branch%s", s->nbranches, s->nbranches == 1 ? "" : "es");
    default: return NULL;
    }
}

static const char *error_list(const char *const *errors, int n)
{
    asl_buf b = {0};
    for (int i = 0; i < n; i++)
        asl_buf_printf(&b, "%s%s", i ? ", " : "", errors[i]);
    return shorten(take(&b), RULE_MAX);
}

const char *graph_retry_text(const asl_state *s)
{
    if (!s->nretry)
        return NULL;
    asl_buf b = {0};
    asl_buf_puts(&b, "Retry ");
    for (int i = 0; i < s->nretry; i++) {
        const asl_retrier *r = &s->retry[i];
        asl_buf_printf(&b, "%s%s ×%d", i ? "; " : "", error_list(r->errors, r->nerrors), r->max_attempts);
    }
    return shorten(take(&b), RULE_MAX + 16);
}

const char *graph_errors_text(const asl_catcher *c)
{
    return error_list(c->errors, c->nerrors);
}

const char *graph_child_label(const asl_state *s)
{
    static const char *const patterns[] = {"", ".sync", ".sync:2", ".waitForTaskToken"};
    return cc_printf("startExecution%s", patterns[s->pattern]);
}

/* The literal StateMachineArn a task's Parameters (or Arguments) give. */
static const char *literal_arn(const asl_state *s)
{
    const asl_node *p = s->parameters;
    for (int i = 0; p && p->kind == ASL_N_OBJECT && i < p->count; i++)
        if (!strcmp(p->kids[i].str, "StateMachineArn") && p->kids[i].kids[0].kind == ASL_N_STRING)
            return p->kids[i].kids[0].str;
    return NULL;
}

int graph_child_machine(const cc_unit *u, const asl_state *s)
{
    if (s->type != ASL_TASK || s->integration != ASL_RES_START_EXECUTION)
        return -1;
    const char *arn = literal_arn(s);
    const cc_machine *m = arn ? model_find_machine(u, arn) : NULL;
    return m ? (int)(m - u->machines) : -1;
}
