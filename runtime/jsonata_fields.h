/*
 * jsonata_fields.h: the glue between the JSONata module (jsonata/jsonata.h)
 * and ASL (runtime/jsonata_fields.c): JSONata states' fields ("{% %}"
 * expressions anywhere in Arguments, Output, Assign, Items ...), $states,
 * the workflow's variables, and AWS's wording of a field's failure.
 *
 * A JSONata expression sits in an ASL tree as the module's root node
 * (kind JSONATA_KIND_ROOT): asl_node and jsonata_node have one layout
 * (checked in jsonata_fields.c), so the tree lower.c writes out is the
 * module's as it stands. The root's op holds which members of $states the
 * expression reads (JN_STATES_*, set by the compiler).
 */
#ifndef ASL_JSONATA_FIELDS_H
#define ASL_JSONATA_FIELDS_H

#include "internal.h"
#include "jsonata.h"

/* Which members of $states an expression reads (bits of the root's op),
 * so the compiler can refuse what AWS refuses ($states.result outside a
 * state's Output and Assign, $states.errorOutput outside a Catch) and the
 * runtime builds $states.context only for who reads it. */
#define JN_STATES_INPUT        1u
#define JN_STATES_RESULT       2u
#define JN_STATES_ERROR_OUTPUT 4u
#define JN_STATES_CONTEXT      8u
#define JN_STATES_OTHER       16u  /* $states itself, or a member by any other name */
/* The members, in the order of those bits (for jsonata_var_members). */
#define JN_STATES_MEMBERS {"input", "result", "errorOutput", "context"}

/* The tree of an ASL node that is a JSONata expression (kind
 * JSONATA_KIND_ROOT). */
const jsonata_node *asl_jsonata_tree(const asl_node *n);

/* The runtime's clock (virtual time included), random numbers and
 * digests as a JSONata host, with no variables (aslc jsonata adds its
 * bindings). */
jsonata_host asl_jsonata_host(void);

/* Evaluates a JSONata expression as AWS does (JSONATA_STEP_FUNCTIONS):
 * states_var is $states (an object with input, context, and result /
 * errorOutput where the field has them); workflow variables come from
 * asl_ctx_var(c, name) (c may be NULL: no variables). Neither is
 * modified; both must outlive the call.
 *   - a value: returns it (new, the caller owns it);
 *   - undefined (the expression matched nothing): returns NULL and leaves
 *     err->error NULL;
 *   - failure: returns NULL with err->error "States.QueryEvaluationError"
 *     and err->cause JSONata's code and message, e.g.
 *     "T2001: The left side of the \"+\" operator must evaluate to a number",
 *     or exactly JSONATA_FUNCTION_RESULT when the result is a function. */
cJSON *asl_jsonata_eval(const jsonata_node *expr, asl_ctx *c, const cJSON *states_var, asl_err *err);

/* Rewrites what asl_jsonata_eval left in err (an error, or nothing for an
 * undefined result) into AWS's sentence for the field it was evaluated for
 * ("Output", "Arguments/key", "Items", "Choices[0]/Condition" ...):
 *   The JSONata expression '<text>' specified for the field '<field>'
 *   returned nothing (undefined).        | returned an unsupported result type.
 *   threw an error during evaluation. T2001: ...
 * err->error becomes States.QueryEvaluationError. The caller then prefixes
 * "An error occurred while executing the state 'S' (entered at the event
 * id #N). " as for every state failure. */
void asl_jsonata_field_error(asl_err *err, const asl_node *expr, const char *field);

/* ------------------------------------------------------ JSONata states */

/* What a JSONata state's fields are evaluated against: $states.input (the
 * state's raw input), $states.result and $states.errorOutput where the
 * field has them, $states.context ($$, built only for expressions that
 * read it), and the frame's variables. All borrowed. */
typedef struct asl_jn {
    asl_frame *f;
    const cJSON *input;
    const cJSON *result;        /* NULL: none */
    const cJSON *error_output;  /* NULL: none */
    const cJSON *map_item;      /* inside ItemSelector: $states.context.Map.Item */
    int map_index;
    asl_err err;                /* set when an evaluation fails (no state prefix yet) */
} asl_jn;

void asl_jn_init(asl_jn *j, asl_frame *f, const cJSON *input);
/* Evaluates a field (a literal, a template with expressions inside, or an
 * expression) named field ("Output", "Arguments" ...). NULL with j->err
 * set: an expression that fails or returns nothing (undefined) anywhere
 * in it, worded as AWS words it with the field's path (Output/a/b). */
cJSON *asl_jn_eval(asl_jn *j, const asl_node *n, const char *field);
/* The same, and the value must be of the cJSON type in mask (cJSON_Array
 * ...); "integer" in expected also asks for a whole number. */
cJSON *asl_jn_eval_as(asl_jn *j, const asl_node *n, const char *field, int mask, const char *expected);
/* Fails the frame with j->err (States.QueryEvaluationError), its cause
 * prefixed with the state and its event id as AWS does. */
asl_step asl_jn_fail(asl_jn *j);
/* Fails the frame with States.QueryEvaluationError and a prefixed cause. */
asl_step asl_jn_fail_msg(asl_frame *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Assign and Output of a JSONata state (or Catch): both read the variables
 * as they were; then the variables are stored. Without an Output the
 * output is *dflt (taken: *dflt becomes NULL). NULL with the frame failed. */
cJSON *asl_jn_finish(asl_jn *j, const asl_node *assign, const asl_node *output, cJSON **dflt);
/* A JSONata state's effective input: Arguments, else a copy of the input.
 * NULL with the frame failed. */
cJSON *asl_jn_arguments(asl_frame *f, const asl_state *s);

#endif
