/*
 * jsonata.h: JSONata, the second query language of Step Functions
 * ("QueryLanguage": "JSONata", expressions written as "{% ... %}").
 *
 * The compiler parses each expression once (jsonata_parse, in
 * compiler/jsonata_parse.c) into a tree of asl_node, which lower.c writes
 * out as static data like every other tree; the runtime evaluates that tree
 * over cJSON (asl_jsonata_eval, in runtime/jsonata.c). The language is
 * JSONata 2.0 as AWS runs it, with AWS's additions ($partition, $range,
 * $hash, $random with a seed, $uuid, $parse) and without $eval.
 *
 * Node kinds. asl.h's enum is shared, so JSONata nodes use kind numbers from
 * JN_BASE (100) up, stored in asl_node.kind. lower.c must print .kind as a
 * plain number for them (there is no ASL_N_ name to print); op, flags, num,
 * str and kids are used as in every other node. A kind's fields:
 */
#ifndef ASL_JSONATA_H
#define ASL_JSONATA_H

#include "internal.h"

#define JN_BASE 100

enum jn_kind {
    JN_ROOT = JN_BASE,  /* str = the expression's text (trimmed, no {% %}); kids[0] = body */
    JN_NUMBER,          /* num; str = the literal as written */
    JN_STRING,          /* str (escapes resolved) */
    JN_VALUE,           /* op = JN_V_NULL, JN_V_FALSE or JN_V_TRUE */
    JN_REGEX,           /* str = pattern; op = JN_RX_* flags */
    JN_NAME,            /* a field name: str */
    JN_VARIABLE,        /* $name: str = name ("" is $, the context; "$" is $$) */
    JN_WILDCARD,        /* * */
    JN_DESCENDANT,      /* ** */
    JN_PATH,            /* a.b.c: kids = steps; flags JN_F_KEEP_SINGLETON */
    JN_BINARY,          /* op = jn_op; kids[0] op kids[1] */
    JN_NEGATE,          /* -kids[0] */
    JN_ARRAY,           /* [a, b]: kids = items; flags JN_F_CONS */
    JN_OBJECT,          /* {k: v}: kids = JN_PAIR */
    JN_PAIR,            /* kids[0] = key expression, kids[1] = value expression */
    JN_CONDITION,       /* kids[0] ? kids[1] : kids[2] (count 2 when there is no else) */
    JN_BLOCK,           /* (a; b; c): kids = expressions */
    JN_BIND,            /* $str := kids[0] */
    JN_CALL,            /* kids[0] = the function, kids[1..] = arguments; op = builtin + 1
                           when kids[0] names one (0 otherwise); flags JN_F_PARTIAL, JN_F_TAIL */
    JN_PLACEHOLDER,     /* ? in a partial application */
    JN_LAMBDA,          /* function($a, $b)<sig>{body}: kids = parameters (JN_VARIABLE)
                           then the body; op = number of parameters; str = signature or NULL */
    JN_APPLY,           /* kids[0] ~> kids[1] */
    JN_SORT,            /* a path step ^(...): kids = JN_SORT_TERM */
    JN_SORT_TERM,       /* kids[0] = key; op = 1 when descending (>) */
    JN_GROUP,           /* kids[0]{...}: kids[1] = JN_OBJECT, evaluated per key group */
    JN_FILTER,          /* kids[0][kids[1]][kids[2]]...: predicates applied in turn */
    JN_FOCUS_BIND,      /* step@$str: kids[0] = the step (binds $str, keeps the context) */
    JN_INDEX_BIND,      /* step#$str: kids[0] = the step; $str = position in its results */
    JN_INDEX_STAGE,     /* #$str after a predicate: a JN_FILTER kid, numbering what passed */
    JN_PARENT,          /* %: op = the label of the step whose context it is (see below) */
    JN_TRANSFORM,       /* | kids[0] | kids[1] [, kids[2]] |: pattern, update, deletions */
    JN__END
};

/* JN_VALUE literals */
enum { JN_V_NULL, JN_V_FALSE, JN_V_TRUE };

/* JN_REGEX flags */
#define JN_RX_I 1u  /* /.../i */
#define JN_RX_M 2u  /* /.../m */

/* JN_BINARY operators */
enum jn_op {
    JN_OP_ADD, JN_OP_SUB, JN_OP_MUL, JN_OP_DIV, JN_OP_MOD,
    JN_OP_EQ, JN_OP_NE, JN_OP_LT, JN_OP_LE, JN_OP_GT, JN_OP_GE,
    JN_OP_CONCAT, JN_OP_AND, JN_OP_OR, JN_OP_IN, JN_OP_RANGE,
};

/* Flags (asl_node.flags) */
#define JN_F_KEEP_ARRAY     1u  /* expr[]: a singleton sequence stays an array */
#define JN_F_KEEP_SINGLETON 2u  /* JN_PATH: some step has [] */
#define JN_F_CONS           4u  /* JN_ARRAY: first or last step of a path, not flattened */
#define JN_F_PARTIAL        8u  /* JN_CALL: has ? arguments */
#define JN_F_TAIL          16u  /* JN_CALL: in tail position of a lambda body */
#define JN_F_TUPLE         32u  /* a path step with @ or # bindings, or one % refers to */
#define JN_F_TUPLES_OUT    64u  /* JN_PATH: returns its tuple stream (a % outside it needs it) */

/* The parent operator. The parser finds, for each %, the path step whose
 * input it names (counting one step back per %, as jsonata-js does) and
 * gives that step (a JN_NAME or JN_WILDCARD) and the % the same label, a
 * number >= 1 in op. The step binds its input to the label in the path's
 * tuple stream, where the % reads it. */

/* ------------------------------------------------------------- compiler */

/* Parses a JSONata expression, with or without its "{%" "%}" delimiters.
 * Returns a JN_ROOT tree allocated with cc_alloc, or NULL with *msg set
 * (cc_alloc'd): "S0202: Expected \"]\", got \",\" (at position 5)" for a
 * syntax error (JSONata's code and text; the position is 1-based), or
 * "Reference to 'name' at the top level is not supported." for what AWS
 * refuses at definition time: a path that starts from the (absent)
 * context item (a bare field name, *, **, or $ outside any path), and $$. */
asl_node *jsonata_parse(const char *text, char **msg);
/* The same with flags: JN_PARSE_STANDARD parses standard JSONata (aslc
 * jsonata): the text as it is (no "{% %}"), paths from the context and $$
 * allowed. */
#define JN_PARSE_STANDARD 1u
asl_node *jsonata_parse_ex(const char *text, unsigned flags, char **msg);

/* Which members of $states a parsed expression reads, so the compiler can
 * refuse what AWS refuses: $states.result outside a state's Output and
 * Assign, $states.errorOutput outside a Catch. */
#define JN_STATES_INPUT        1u
#define JN_STATES_RESULT       2u
#define JN_STATES_ERROR_OUTPUT 4u
#define JN_STATES_CONTEXT      8u
#define JN_STATES_OTHER       16u  /* $states itself, or a member by any other name */
unsigned jsonata_states_refs(const asl_node *expr);

/* ------------------------------------------------------------- runtime */

/* Evaluates a JN_ROOT tree. states_var is the value of $states (an object
 * with input, context, and result / errorOutput where the field allows
 * them); workflow variables come from asl_ctx_var(c, name) (c may be NULL:
 * no variables). Neither is modified; both must outlive the call.
 *   - a value: returns it (new, the caller owns it);
 *   - undefined (the expression matched nothing): returns NULL and leaves
 *     err->error NULL;
 *   - failure: returns NULL with err->error "States.QueryEvaluationError"
 *     and err->cause JSONata's code and message, e.g.
 *     "T2001: The left side of the \"+\" operator must evaluate to a number",
 *     or exactly JSONATA_UNSUPPORTED when the result is a function.
 * Numbers that are not finite (1/0) come back as the strings "Infinity",
 * "-Infinity" and "NaN", as AWS writes them. */
cJSON *asl_jsonata_eval(const asl_node *expr, asl_ctx *c, const cJSON *states_var, asl_err *err);

/* Standard JSONata, as jsonata-js evaluates it (aslc jsonata): input is
 * the context $ (and $$), bindings (an object, or NULL) the variables.
 * Returns the result (new) or NULL: undefined with err->error NULL, or a
 * failure with err->error "JSONataError" and err->cause "CODE: message"
 * (every failure carries JSONata's code). Functions in the result are
 * left out as JSON.stringify leaves them out (a function alone is
 * undefined, null in an array); numbers that are not finite fail (D1001). */
cJSON *asl_jsonata_eval_doc(const asl_node *expr, const cJSON *input, const cJSON *bindings, asl_err *err);

#define JSONATA_UNSUPPORTED "returned an unsupported result type."

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

/* ------------------------------------------------ JSONata states (io.c) */

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

/* Checks a regular expression's syntax (JavaScript flavour, as JSONata
 * uses). Returns NULL when it compiles, else a static message. Used by the
 * parser so that a bad /regex/ fails at compile time. */
const char *jsonata_regex_check(const char *pattern, size_t len);

/* The builtin functions, in the order of JN_CALL's op - 1. */
#define JSONATA_BUILTINS(X)                                                      \
    X(SUM, "sum") X(COUNT, "count") X(MAX, "max") X(MIN, "min")                  \
    X(AVERAGE, "average") X(STRING, "string") X(SUBSTRING, "substring")          \
    X(SUBSTRING_BEFORE, "substringBefore") X(SUBSTRING_AFTER, "substringAfter")  \
    X(LOWERCASE, "lowercase") X(UPPERCASE, "uppercase") X(LENGTH, "length")      \
    X(TRIM, "trim") X(PAD, "pad") X(MATCH, "match") X(CONTAINS, "contains")      \
    X(REPLACE, "replace") X(SPLIT, "split") X(JOIN, "join")                      \
    X(FORMAT_BASE, "formatBase") X(FORMAT_NUMBER, "formatNumber")             \
    X(FORMAT_INTEGER, "formatInteger") X(PARSE_INTEGER, "parseInteger")         \
    X(NUMBER, "number") X(FLOOR, "floor")           \
    X(CEIL, "ceil") X(ROUND, "round") X(ABS, "abs") X(SQRT, "sqrt")              \
    X(POWER, "power") X(RANDOM, "random") X(BOOLEAN, "boolean") X(NOT, "not")    \
    X(MAP, "map") X(ZIP, "zip") X(FILTER, "filter") X(SINGLE, "single")          \
    X(REDUCE, "reduce") X(SIFT, "sift") X(KEYS, "keys") X(LOOKUP, "lookup")      \
    X(APPEND, "append") X(EXISTS, "exists") X(SPREAD, "spread")                  \
    X(MERGE, "merge") X(REVERSE, "reverse") X(EACH, "each") X(ERROR, "error")    \
    X(ASSERT, "assert") X(TYPE, "type") X(SORT, "sort") X(SHUFFLE, "shuffle")    \
    X(DISTINCT, "distinct") X(BASE64_ENCODE, "base64encode")                     \
    X(BASE64_DECODE, "base64decode") X(ENCODE_URL_COMPONENT, "encodeUrlComponent") \
    X(ENCODE_URL, "encodeUrl") X(DECODE_URL_COMPONENT, "decodeUrlComponent")    \
    X(DECODE_URL, "decodeUrl") X(TO_MILLIS, "toMillis")                          \
    X(FROM_MILLIS, "fromMillis") X(NOW, "now") X(MILLIS, "millis")               \
    X(PARTITION, "partition") X(RANGE, "range") X(HASH, "hash")                  \
    X(UUID, "uuid") X(PARSE, "parse") X(CLONE, "clone")

enum jn_builtin {
#define X(id, name) JN_FN_##id,
    JSONATA_BUILTINS(X)
#undef X
    JN_FN__COUNT
};

/* The builtin named name (without $), or -1; the name of builtin id. */
int jsonata_builtin(const char *name);
const char *jsonata_builtin_name(int id);

#endif
