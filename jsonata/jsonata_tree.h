/*
 * jsonata_tree.h: private to the JSONata module (jsonata/): the tree the
 * parser builds and the evaluator walks, kind by kind, and the function
 * library's names. The node itself (jsonata_node) is public, in
 * jsonata.h, because a compiler writes trees out as static data; what the
 * fields of each kind mean is not.
 *
 * Kind numbers start at JSONATA_KIND_BASE (100), so that a host may keep
 * its own nodes (below 100) in the same trees, as aslc does. op, flags,
 * num, str and kids are used as each kind says:
 */
#ifndef JSONATA_TREE_H
#define JSONATA_TREE_H

#include "jsonata.h"

#define JN_BASE JSONATA_KIND_BASE

/* Every kind, in number order from JSONATA_KIND_ROOT: X(name). jsonata_kind_name
 * gives a kind's name (aslc writes it beside the number in generated C). */
#define JN_KINDS(X) \
    X(ROOT)         /* str = the expression's text (trimmed, no {% %}); kids[0] = body; op: the */ \
                    /* host's (unused here) */ \
    X(NUMBER)       /* num; str = the literal as written */ \
    X(STRING)       /* str (escapes resolved) */ \
    X(VALUE)        /* op = JN_V_NULL, JN_V_FALSE or JN_V_TRUE */ \
    X(REGEX)        /* str = pattern; op = JN_RX_* flags */ \
    X(NAME)         /* a field name: str */ \
    X(VARIABLE)     /* $name: str = name ("" is $, the context; "$" is $$) */ \
    X(WILDCARD)     /* * */ \
    X(DESCENDANT)   /* ** */ \
    X(PATH)         /* a.b.c: kids = steps; flags JN_F_KEEP_SINGLETON */ \
    X(BINARY)       /* op = jn_op; kids[0] op kids[1] */ \
    X(NEGATE)       /* -kids[0] */ \
    X(ARRAY)        /* [a, b]: kids = items; flags JN_F_CONS */ \
    X(OBJECT)       /* {k: v}: kids = JN_PAIR */ \
    X(PAIR)         /* kids[0] = key expression, kids[1] = value expression */ \
    X(CONDITION)    /* kids[0] ? kids[1] : kids[2] (count 2 when there is no else) */ \
    X(BLOCK)        /* (a; b; c): kids = expressions */ \
    X(BIND)         /* $str := kids[0] */ \
    X(CALL)         /* kids[0] = the function, kids[1..] = arguments; op = builtin + 1 when */ \
                    /* kids[0] names one (0 otherwise); flags JN_F_PARTIAL, JN_F_TAIL */ \
    X(PLACEHOLDER)  /* ? in a partial application */ \
    X(LAMBDA)       /* function($a, $b)<sig>{body}: kids = parameters (JN_VARIABLE) then the */ \
                    /* body; op = number of parameters; str = signature or NULL */ \
    X(APPLY)        /* kids[0] ~> kids[1] */ \
    X(SORT)         /* a path step ^(...): kids = JN_SORT_TERM */ \
    X(SORT_TERM)    /* kids[0] = key; op = 1 when descending (>) */ \
    X(GROUP)        /* kids[0]{...}: kids[1] = JN_OBJECT, evaluated per key group */ \
    X(FILTER)       /* kids[0][kids[1]][kids[2]]...: predicates applied in turn */ \
    X(FOCUS_BIND)   /* step@$str: kids[0] = the step (binds $str, keeps the context) */ \
    X(INDEX_BIND)   /* step#$str: kids[0] = the step; $str = position in its results */ \
    X(INDEX_STAGE)  /* #$str after a predicate: a JN_FILTER kid, numbering what passed */ \
    X(PARENT)       /* %: op = the label of the step whose context it is (see below) */ \
    X(TRANSFORM)    /* | kids[0] | kids[1] [, kids[2]] |: pattern, update, deletions */

enum jn_kind {
    JN__FIRST = JSONATA_KIND_ROOT - 1,
#define X(name) JN_##name,
    JN_KINDS(X)
#undef X
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

/* Flags (jsonata_node.flags) */
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

/* Checks a regular expression's syntax (JavaScript flavour, as JSONata
 * uses). Returns NULL when it compiles, else a static message. Used by the
 * parser so that a bad /regex/ fails when parsed (jsonata_regex.c). */
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

#endif
