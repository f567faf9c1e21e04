/*
 * run_unit.c: runs a file of unit cases (jq style). A case is three lines:
 * an expression, the input ($), and the expected result. The kind decides
 * what the expression is:
 *   expr     a path or intrinsic call, as in the value of a "key.$" field;
 *   rule     a Choice rule as one-line JSON, expected true or false;
 *   rule-c   the same, evaluated by the walker and again by the C that aslc
 *            writes for it (rule_c.c): both must give what is expected;
 *   jsonata  a JSONata expression (without "{% %}"); the input line is
 *            $states.input.
 * (Standard JSONata's cases are the module's own: jsonata/tests/.)
 * The expected line is JSON (compared structurally), "! nomatch" (a
 * definite path found nothing), "! undefined" (a JSONata expression
 * returned nothing), "! parse" (the compiler must reject the expression),
 * "! Name" or "! Name: cause" (evaluation fails with that error).
 * Directives: "%context {...}" sets $$ ($states.context), "%vars {...}" the
 * variables, "%states {...}" more members of $states (result, errorOutput).
 *
 *     run_unit expr|rule|rule-c|jsonata FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc.h"
#include "jsonata_fields.h"
#include "rule_c.h"

typedef struct result {
    cJSON *value;        /* the value, or NULL */
    const char *error;   /* "nomatch", "parse", or an error name */
    char *cause;
} result;

static void result_free(result *r)
{
    cJSON_Delete(r->value);
    free(r->cause);
}

static void set_error(result *r, asl_err *e)
{
    r->error = cc_strdup(e->error ? e->error : "(none)");
    r->cause = e->cause ? strdup(e->cause) : NULL;
    asl_err_clear(e);
}

static result eval_expr(const char *expr, asl_ctx *c)
{
    result r = {0};
    char *msg = NULL;
    asl_node *n = parse_dynamic(expr, &msg);
    if (!n) {
        r.error = "parse";
        r.cause = msg ? strdup(msg) : NULL;
        return r;
    }
    if (n->kind == ASL_N_PATH) {
        int rc = asl_path_select(n, c, &r.value);
        if (rc == 1)
            r.error = "nomatch";
        else if (rc < 0)
            set_error(&r, &c->err);
    } else if (!(r.value = asl_call(n, c))) {
        set_error(&r, &c->err);
    }
    return r;
}

static result eval_rule(const char *text, asl_ctx *c)
{
    result r = {0};
    cJSON *json = cJSON_Parse(text);
    int before = diag_error_count();
    cc_src src = {.file = "rule"};
    asl_node *n = json ? parse_rule(&src, "Choices[0]", json, false) : NULL;
    cJSON_Delete(json);
    if (!n || diag_error_count() != before) {
        r.error = "parse";
        return r;
    }
    int v = asl_rule_eval(n, c);
    if (v < 0)
        set_error(&r, &c->err);
    else
        r.value = cJSON_CreateBool(v);
    return r;
}

static result eval_jsonata(const char *text, asl_ctx *c, const cJSON *extra)
{
    result r = {0};
    jsonata_error err;
    jsonata_node *n = jsonata_parse(text, JSONATA_STEP_FUNCTIONS, &err);
    if (!n) {
        r.error = "parse";
        r.cause = err.message;
        return r;
    }
    cJSON *states = extra ? cJSON_Duplicate(extra, 1) : cJSON_CreateObject();
    cJSON_AddItemToObject(states, "input", cJSON_Duplicate(c->input, 1));
    cJSON_AddItemToObject(states, "context", c->context ? cJSON_Duplicate(c->context, 1) : cJSON_CreateObject());
    asl_err e = {0};
    r.value = asl_jsonata_eval(n, c, states, &e);
    jsonata_free(n);
    if (!r.value && e.error)
        set_error(&r, &e);
    else if (!r.value)
        r.error = "undefined";
    cJSON_Delete(states);
    return r;
}

static bool check(const char *file, int line, const char *expected, result *r)
{
    if (expected[0] == '!') {
        const char *want = expected + 1;
        while (*want == ' ')
            want++;
        const char *colon = strstr(want, ": ");
        size_t n = colon ? (size_t)(colon - want) : strlen(want);
        bool ok = r->error && strlen(r->error) == n && !strncmp(r->error, want, n);
        if (ok && colon && (!r->cause || strcmp(r->cause, colon + 2)))
            ok = false;
        if (!ok) {
            char *got = r->value ? asl_json_print(r->value) : NULL;
            fprintf(stderr, "%s:%d: expected error %s, but got %s%s%s\n", file, line, want,
                    got ? got : (r->error ? r->error : "nothing"), r->cause ? ": " : "", r->cause ? r->cause : "");
            free(got);
        }
        return ok;
    }
    cJSON *want = cJSON_Parse(expected);
    if (!want) {
        fprintf(stderr, "%s:%d: the expected line is not JSON\n", file, line);
        return false;
    }
    bool ok = r->value && cJSON_Compare(want, r->value, 1);
    if (!ok) {
        char *got = r->value ? asl_json_print(r->value) : NULL;
        fprintf(stderr, "%s:%d: expected %s, but got %s%s%s\n", file, line, expected,
                got ? got : (r->error ? r->error : "nothing"), r->cause ? ": " : "", r->cause ? r->cause : "");
        free(got);
    }
    cJSON_Delete(want);
    return ok;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "expr") && strcmp(argv[1], "rule") && strcmp(argv[1], "rule-c") &&
                      strcmp(argv[1], "jsonata"))) {
        fputs("usage: run_unit expr|rule|rule-c|jsonata FILE\n", stderr);
        return 64;
    }
    bool rule_c = !strcmp(argv[1], "rule-c");
    bool rule = rule_c || !strcmp(argv[1], "rule"), jsonata = !strcmp(argv[1], "jsonata");
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 66;
    }
    cJSON *context = NULL, *vars = NULL, *states = NULL;
    char *lines[3] = {0};
    int got = 0, lineno = 0, first = 0, passed = 0, failed = 0;
    static char buf[1 << 20];
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        chomp(buf);
        if ((buf[0] == '\0' || buf[0] == '#') && got == 0)
            continue;
        if (!strncmp(buf, "%context ", 9) || !strncmp(buf, "%vars ", 6) || !strncmp(buf, "%states ", 8)) {
            cJSON **dst = buf[1] == 'c' ? &context : buf[1] == 'v' ? &vars : &states;
            cJSON_Delete(*dst);
            *dst = cJSON_Parse(strchr(buf, ' ') + 1);
            continue;
        }
        if (got == 0)
            first = lineno;
        lines[got++] = strdup(buf);
        if (got < 3)
            continue;
        cJSON *input = cJSON_Parse(lines[1]);
        asl_ctx c = {.input = input, .context = context, .vars = vars};
        result r = !input ? (result){0}
                   : jsonata ? eval_jsonata(lines[0], &c, states)
                   : rule    ? eval_rule(lines[0], &c)
                             : eval_expr(lines[0], &c);
        if (!input)
            fprintf(stderr, "%s:%d: the input line is not JSON\n", argv[2], first + 1);
        bool ok = input && check(argv[2], first, lines[2], &r);
        if (input && rule_c) {
            rule_c_result g = rule_c_eval(lines[0], input, vars, context);
            result rg = {g.value, g.error, g.cause};
            if (!check(argv[2], first, lines[2], &rg)) {
                fprintf(stderr, "%s:%d: (that was the generated C)\n", argv[2], first);
                ok = false;
            }
            result_free(&rg);
            free(g.error);
        }
        if (ok)
            passed++;
        else
            failed++;
        result_free(&r);
        asl_err_clear(&c.err);
        cJSON_Delete(input);
        for (int i = 0; i < 3; i++)
            free(lines[i]);
        got = 0;
    }
    fclose(f);
    if (got)
        fprintf(stderr, "%s:%d: incomplete case at the end of the file\n", argv[2], first), failed++;
    cJSON_Delete(context);
    cJSON_Delete(vars);
    cJSON_Delete(states);
    cc_free_all();
    printf("%s: %d passed, %d failed\n", argv[2], passed, failed);
    return failed ? 1 : 0;
}
