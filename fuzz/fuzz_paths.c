/*
 * fuzz_paths.c: JSONPath and intrinsic functions: the first line is a
 * path or an intrinsic call as in a "key.$" field (or a Choice rule as
 * JSON when it starts with '{'), the rest the input ($, also $$ and the
 * variables). Parsed as the compiler parses it, evaluated as the runtime
 * does. Seeds: the cases of tests/unit/jsonpath.test, intrinsics.test and
 * choice.test.
 */
#include "aslc.h"
#include "common.h"

static void drop(void *ud, const diag_item *d)
{
    (void)ud, (void)d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expr = fuzz_text(data, size), *rest = fuzz_split(expr);
    cJSON *input = cJSON_Parse(rest);
    if (!input)
        input = cJSON_CreateObject();
    asl_ctx c = {.input = input, .context = input, .vars = input};
    diag_reset();
    diag_set_sink(drop, NULL);
    if (expr[0] == '{') {
        cJSON *rule = cJSON_Parse(expr);
        cc_src src = {.file = "rule"};
        asl_node *n = rule ? parse_rule(&src, "Choices[0]", rule, false) : NULL;
        if (n && diag_error_count() == 0)
            asl_rule_eval(n, &c);
        cJSON_Delete(rule);
    } else {
        char *msg = NULL;
        asl_node *n = parse_dynamic(expr, &msg);
        cJSON *out = NULL;
        if (n && n->kind == ASL_N_PATH)
            asl_path_select(n, &c, &out);
        else if (n)
            out = asl_call(n, &c);
        if (out) {
            free(asl_json_print(out));
            cJSON_Delete(out);
        }
    }
    asl_err_clear(&c.err);
    diag_set_sink(NULL, NULL);
    cc_free_all();
    cJSON_Delete(input);
    free(expr);
    return 0;
}
