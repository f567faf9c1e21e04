/*
 * fuzz_jsonata.c: JSONata: the first line is an expression (the text
 * between "{%" and "%}"), the rest $states.input. Parsed and evaluated by
 * the JSONata module (jsonata/) in AWS's dialect, through the runtime's
 * glue (with its memory, time and stack bounds). Seeds: the cases of
 * tests/unit/jsonata.test and jsonata/tests/*.test.
 */
#include "aslc.h"
#include "common.h"
#include "jsonata_fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expr = fuzz_text(data, size), *rest = fuzz_split(expr);
    cJSON *input = cJSON_Parse(rest);
    if (!input)
        input = cJSON_CreateNull();
    jsonata_error err;
    jsonata_node *n = jsonata_parse(expr, JSONATA_STEP_FUNCTIONS, &err);
    jsonata_error_clear(&err);
    if (n) {
        asl_ctx c = {.input = input};
        cJSON *states = cJSON_CreateObject();
        cJSON_AddItemToObject(states, "input", cJSON_Duplicate(input, 1));
        cJSON_AddItemToObject(states, "context", cJSON_CreateObject());
        asl_err e = {0};
        cJSON *out = asl_jsonata_eval(n, &c, states, &e);
        if (out)
            free(asl_json_print(out));
        cJSON_Delete(out);
        cJSON_Delete(states);
        asl_err_clear(&e);
        jsonata_free(n);
    }
    cc_free_all();
    cJSON_Delete(input);
    free(expr);
    return 0;
}
