/*
 * rule_c.c: a Choice rule run through the C that aslc writes for it (run_unit
 * rule-c), so that every case of tests/unit/choice.test checks the generated
 * code against the same expectations as the walker. The rule becomes the one
 * rule of a Choice state whose Next and Default are Pass states with Result
 * true and false; the machine is compiled with the JIT and run on an engine
 * of its own. Variables (%vars) are assigned by a Pass state before the
 * Choice; of the context (%context) the execution's name and start time are
 * given (a named execution under a virtual clock that starts then).
 */
#include <stdlib.h>
#include <string.h>

#include "aslc.h"
#include "asl_engine.h"
#include "exec.h"
#include "rule_c.h"

/* The machine around the rule (new text). */
static char *definition(const char *rule_json, const cJSON *vars)
{
    cJSON *rule = cJSON_Parse(rule_json);
    if (!cJSON_IsObject(rule)) {
        cJSON_Delete(rule);
        return NULL;
    }
    cJSON_AddStringToObject(rule, "Next", "T");
    cJSON *d = cJSON_CreateObject(), *states = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "StartAt", vars ? "V" : "C");
    cJSON_AddItemToObject(d, "States", states);
    if (vars) {
        cJSON *v = cJSON_AddObjectToObject(states, "V");
        cJSON_AddStringToObject(v, "Type", "Pass");
        cJSON_AddItemToObject(v, "Assign", cJSON_Duplicate(vars, 1));
        cJSON_AddStringToObject(v, "Next", "C");
    }
    cJSON *c = cJSON_AddObjectToObject(states, "C");
    cJSON_AddStringToObject(c, "Type", "Choice");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "Choices"), rule);
    cJSON_AddStringToObject(c, "Default", "F");
    for (int i = 0; i < 2; i++) {
        cJSON *p = cJSON_AddObjectToObject(states, i ? "F" : "T");
        cJSON_AddStringToObject(p, "Type", "Pass");
        cJSON_AddBoolToObject(p, "Result", !i);
        cJSON_AddBoolToObject(p, "End", 1);
    }
    char *text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    return text;
}

/* The execution's outcome as the walker would give it: true or false, or
 * the error with the cause AWS's prefix is taken off. */
static void outcome(asl_exec *x, rule_c_result *r)
{
    if (asl_exec_status(x) == ASL_SUCCEEDED) {
        char *out = asl_exec_output_json(x);
        r->value = out ? cJSON_Parse(out) : NULL;
        free(out);
        return;
    }
    const char *error = asl_exec_error(x), *cause = asl_exec_cause(x);
    r->error = strdup(error ? error : "(none)");
    const char *rest = cause ? strstr(cause, "). ") : NULL;
    if (cause && !strncmp(cause, "An error occurred while executing the state", 43) && rest)
        cause = rest + 3;
    r->cause = cause ? strdup(cause) : NULL;
}

rule_c_result rule_c_eval(const char *rule_json, const cJSON *input, const cJSON *vars, const cJSON *context)
{
    rule_c_result r = {0};
    char *def = definition(rule_json, vars);
    if (!def) {
        r.error = strdup("parse");
        return r;
    }
    diag_reset();
    cc_opts o = {.main_file = "rule.asl.json", .main_text = def, .main_len = strlen(def)};
    cc_unit u;
    memset(&u, 0, sizeof u);
    int status = 0;
    if (!unit_load(&u, &o, &status)) {
        r.error = strdup("parse");
        unit_free(&u);
        free(def);
        return r;
    }
    char *c_text = lower_unit(&u, false);
    void *jit;
    const asl_program *p = jit_load(&u, c_text, &jit);
    free(c_text);
    if (!p) {
        r.error = strdup("the generated C did not compile");
    } else {
        const cJSON *ex = cJSON_GetObjectItemCaseSensitive(context, "Execution");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(ex, "Name");
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(ex, "StartTime");
        double t0 = 0;
        asl_engine_config cfg = {.virtual_time = true, .wait_scale = 1};
        asl_engine *e = asl_engine_new(&cfg);
        if (cJSON_IsString(start) && asl_timestamp_parse(start->valuestring, &t0))
            asl_set_virtual_time(true, t0);
        asl_engine_load(e, p, NULL, NULL);
        char *in = cJSON_PrintUnformatted(input);
        asl_err err = {0};
        asl_exec *x = asl_engine_start(e, asl_engine_machine_arn(e, &p->machines[0]),
                                       cJSON_IsString(name) ? name->valuestring : NULL, in, &err);
        free(in);
        if (x) {
            asl_engine_run(e);
            outcome(x, &r);
        } else {
            r.error = strdup(err.error ? err.error : "the execution did not start");
        }
        asl_err_clear(&err);
        asl_engine_free(e);
    }
    jit_release(jit);
    unit_free(&u);
    free(def);
    return r;
}
