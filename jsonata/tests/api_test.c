/*
 * api_test.c: the JSONata module's C API (jsonata.h), linked with the
 * module and cJSON only: parsing and its errors, evaluation with a host
 * (variables, clock, random bits, digests), the two dialects, the walks
 * for checks, and the library's names. Each check prints what failed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata.h"
#include "../../tests/harness/check.h"

/* Evaluates text over input (JSON text or NULL) and returns the result
 * as compact JSON (malloc'd), "undefined", or "!" and the message. */
static char *run(const char *text, const char *input, const jsonata_host *host, unsigned flags)
{
    jsonata_error err;
    jsonata_node *tree = jsonata_parse(text, flags, &err);
    if (!tree) {
        char *out = malloc(strlen(err.message) + 2);
        sprintf(out, "!%s", err.message);
        jsonata_error_clear(&err);
        return out;
    }
    cJSON *in = input ? cJSON_Parse(input) : NULL;
    cJSON *v = jsonata_evaluate(tree, in, host, flags, &err);
    char *out;
    if (v) {
        out = cJSON_PrintUnformatted(v);
    } else if (err.message) {
        out = malloc(strlen(err.message) + 2);
        sprintf(out, "!%s", err.message);
    } else {
        out = strdup("undefined");
    }
    CHECK(!v || !err.message);
    cJSON_Delete(v);
    cJSON_Delete(in);
    jsonata_error_clear(&err);
    jsonata_free(tree);
    return out;
}

static void expect(const char *text, const char *input, const jsonata_host *host, unsigned flags, const char *want)
{
    char *got = run(text, input, host, flags);
    if (strcmp(got, want)) {
        fprintf(stderr, "%s over %s: expected %s, got %s\n", text, input ? input : "nothing", want, got);
        failures++;
    }
    free(got);
}

static void test_parse(void)
{
    jsonata_error err;
    jsonata_node *t = jsonata_parse("a.b[0]", 0, &err);
    CHECK(t && !err.message);
    CHECK(t->kind == JSONATA_KIND_ROOT && t->count == 1 && !strcmp(t->str, "a.b[0]"));
    CHECK(t->kids[0].kind >= JSONATA_KIND_BASE);
    jsonata_free(t);
    jsonata_free(NULL);

    CHECK(!jsonata_parse("[1, 2", 0, &err));
    CHECK(!strcmp(err.code, "S0203") && strstr(err.message, "S0203: ") == err.message);
    jsonata_error_clear(&err);
    CHECK(!err.message && !err.code[0]);

    /* Step Functions' dialect: delimiters allowed, the context refused */
    t = jsonata_parse("{% 1 + 2 %}", JSONATA_STEP_FUNCTIONS, &err);
    CHECK(t && !strcmp(t->str, "1 + 2"));
    jsonata_free(t);
    CHECK(!jsonata_parse("{% a.b %}", JSONATA_STEP_FUNCTIONS, &err));
    CHECK(!err.code[0] && !strcmp(err.message, "Reference to 'a' at the top level is not supported."));
    jsonata_error_clear(&err);
    CHECK(!jsonata_parse("{% 1 + 2 %}", 0, &err)); /* standard: no delimiters */
    jsonata_error_clear(&err);
}

static const cJSON *vars_of(void *ud, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(ud, name);
}

static double fixed_now(void *ud)
{
    (void)ud;
    return 1700000000.5;
}

static uint64_t zero_bits(void *ud)
{
    (void)ud;
    return 0;
}

static int fake_hash(void *ud, const char *algorithm, const char *data, size_t n, char *hex)
{
    (void)ud;
    if (strcmp(algorithm, "LEN"))
        return -1;
    sprintf(hex, "%zu", n);
    return 0;
}

static void test_evaluate(void)
{
    expect("a.b", "{\"a\":{\"b\":[1,2]}}", NULL, 0, "[1,2]");
    expect("missing", "{}", NULL, 0, "undefined");
    expect("$", NULL, NULL, 0, "undefined");
    expect("$$.x", "{\"x\":7}", NULL, 0, "7");
    expect("1 + \"a\"", NULL, NULL, 0, "!T2002: The right side of the \"+\" operator must evaluate to a number");

    cJSON *vars = cJSON_Parse("{\"x\":3,\"f\":{\"k\":\"v\"}}");
    jsonata_host h = {.variable = vars_of, .ud = vars};
    expect("$x * 2 & $f.k", NULL, &h, 0, "\"6v\"");
    expect("($x := 10; $x)", NULL, &h, 0, "10"); /* a binding shadows the host's */
    jsonata_host obj = {.variable = jsonata_object_variable, .ud = vars};
    expect("$x", NULL, &obj, 0, "3");
    cJSON_Delete(vars);

    jsonata_host clock = {.now = fixed_now, .random = zero_bits, .hash = fake_hash};
    expect("$millis()", NULL, &clock, 0, "1700000000500");
    expect("$now()", NULL, &clock, 0, "\"2023-11-14T22:13:20.500Z\"");
    expect("$random()", NULL, &clock, 0, "0");
    expect("$uuid()", NULL, &clock, 0, "\"00000000-0000-4000-8000-000000000000\"");
    expect("$hash(\"abc\", \"LEN\")", NULL, &clock, 0, "\"3\"");
    expect("$hash(\"abc\", \"MD5\")", NULL, &clock, 0,
           "!D3137: Hash algorithm 'MD5' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5");
    expect("$hash(\"abc\", \"LEN\")", NULL, NULL, 0,
           "!D3137: Hash algorithm 'LEN' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5");
}

static void test_dialects(void)
{
    /* functions in a result: left out (standard), a failure (AWS) */
    expect("[1, $sum]", NULL, NULL, 0, "[1,null]");
    expect("$sum", NULL, NULL, 0, "undefined");
    expect("{% $sum %}", NULL, NULL, JSONATA_STEP_FUNCTIONS, "!" JSONATA_FUNCTION_RESULT);
    /* numbers that are not finite: D1001 (standard), strings (AWS) */
    expect("1/0", NULL, NULL, 0, "!D1001: Number out of range");
    expect("{% [1/0, -1/0] %}", NULL, NULL, JSONATA_STEP_FUNCTIONS, "[\"Infinity\",\"-Infinity\"]");
    /* AWS's depth bound is lower than jsonata-js's */
    const char *deep = "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(60))";
    expect(deep, NULL, NULL, 0, "60");
    char *got = run(deep, NULL, NULL, JSONATA_STEP_FUNCTIONS);
    CHECK(got[0] == '!');
    free(got);
}

typedef struct seen {
    char text[512];
} seen;

static void note(void *ud, const char *name, int use)
{
    seen *s = ud;
    const char *tag = use == JSONATA_NAME_BOUND ? "bound" : use == JSONATA_NAME_READ ? "read" : "called";
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s%s:%s", n ? " " : "", tag, name);
}

static void test_inspect(void)
{
    jsonata_error err;
    jsonata_node *t = jsonata_parse("($y := $x; $f($y, function($p) { $p + $q }))", 0, &err);
    CHECK(t != NULL);
    seen s = {""};
    jsonata_names(t, note, &s);
    if (strcmp(s.text, "bound:y read:x called:f read:y bound:p read:p read:q")) {
        fprintf(stderr, "jsonata_names: got %s\n", s.text);
        failures++;
    }
    jsonata_free(t);

    static const char *const members[] = {"input", "result"};
    t = jsonata_parse("$states.input.a + $states.result", 0, &err);
    CHECK(jsonata_var_members(t, "states", members, 2) == 3u);
    jsonata_free(t);
    t = jsonata_parse("$count($states) + $states.other", 0, &err);
    CHECK(jsonata_var_members(t, "states", members, 2) == 4u);
    CHECK(jsonata_var_members(t, "other", members, 2) == 0u);
    jsonata_free(t);

    int i = jsonata_builtin("formatNumber");
    CHECK(i >= 0 && !strcmp(jsonata_builtin_name(i), "formatNumber"));
    CHECK(jsonata_builtin("eval") < 0);
    int n = 0;
    while (jsonata_builtin_name(n))
        n++;
    CHECK(n > 60 && !jsonata_builtin_name(-1));
}

int main(void)
{
    test_parse();
    test_evaluate();
    test_dialects();
    test_inspect();
    printf("jsonata api: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
