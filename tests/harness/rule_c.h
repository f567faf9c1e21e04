/*
 * rule_c.h: a Choice rule evaluated by the C aslc writes for it (rule_c.c),
 * for run_unit's rule-c kind.
 */
#ifndef RULE_C_H
#define RULE_C_H

#include <cjson/cJSON.h>

/* true/false in value, or an error ("parse": the compiler rejected the
 * rule) with the cause AWS words (without its prefix naming the state).
 * All three are the caller's to free. */
typedef struct rule_c_result {
    cJSON *value;
    char *error;
    char *cause;
} rule_c_result;

/* vars and context may be NULL (%vars and %context in a unit file). */
rule_c_result rule_c_eval(const char *rule_json, const cJSON *input, const cJSON *vars, const cJSON *context);

#endif
