/*
 * diag_code.c: the code AWS's ValidateStateMachineDefinition would give a
 * diagnostic (INVALID_JSON_DESCRIPTION, MISSING_TRANSITION_TARGET,
 * SCHEMA_VALIDATION_FAILED...), and its location in AWS's form
 * (/States/Name/Field), for `aslc check`.
 *
 * The code is read from what the diagnostic says (its path and message),
 * not passed by every caller: the checker's many messages stay as they
 * are, and one table here says how each kind maps to AWS's list. What
 * only aslc checks (a handler, a nested machine, a template's
 * substitutions) gets a code of its own, prefixed ASLC_.
 */
#include <stdio.h>
#include <string.h>

#include "aslc.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Substrings of a message, in order of precedence, and their code. */
static const struct {
    const char *text, *code;
} by_message[] = {
    {"invalid JSON:", "INVALID_JSON_DESCRIPTION"},
    {"invalid YAML", "INVALID_JSON_DESCRIPTION"},
    {"file is empty", "MISSING_DESCRIPTION"},
    {"cannot open", "ASLC_CANNOT_OPEN"},
    {"no handler serves", "ASLC_NO_HANDLER"},
    {"handler file", "ASLC_NO_HANDLER"},
    {"is not resolved", "ASLC_UNRESOLVED_SUBSTITUTION"},
    {"cannot be resolved locally", "ASLC_UNRESOLVED_SUBSTITUTION"},
    {"is not known", "ASLC_UNKNOWN_STATE_MACHINE"},
    {"in this template", "ASLC_TEMPLATE"},
    {"reaches an end", "MISSING_END_STATE"},
    {"nested too deeply", "TOO_DEEPLY_NESTED"},
    {"a state name must", "INVALID_STATE_NAME"},
    {"looks like a path", "NO_DOLLAR"},
    {"Express state machine does not support", "SCHEMA_VALIDATION_FAILED"},
};

const char *diag_code(const char *path, const char *msg)
{
    path = path ? path : "";
    for (size_t i = 0; i < sizeof by_message / sizeof *by_message; i++)
        if (strstr(msg, by_message[i].text))
            return by_message[i].code;
    if (strstr(msg, "duplicate key") && (!strcmp(path, "States") || ends_with(path, ".States")))
        return "DUPLICATE_STATE_NAME";
    if (strstr(msg, "does not exist") &&
        (ends_with(path, ".Next") || ends_with(path, ".Default") || ends_with(path, "StartAt")))
        return "MISSING_TRANSITION_TARGET";
    if (ends_with(path, ".Resource"))
        return "INVALID_RESOURCE";
    return "SCHEMA_VALIDATION_FAILED";
}

/* States."Check stock".Choices[2].Next -> /States/Check stock/Choices/2/Next */
char *diag_location(const char *path)
{
    asl_buf b = {0};
    asl_buf_puts(&b, "");
    for (const char *p = path ? path : ""; *p;) {
        if (*p == '.' || *p == '[') {
            p++;
            continue;
        }
        asl_buf_puts(&b, "/");
        if (*p == '"') {   /* a JSON-quoted key */
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                asl_buf_put(&b, p, 1);
            }
            p += *p == '"';
        } else {
            size_t n = strcspn(p, ".[]");
            asl_buf_put(&b, p, n);
            p += n;
            p += *p == ']';
        }
    }
    char *r = cc_strdup(b.p);
    asl_buf_free(&b);
    return r;
}
