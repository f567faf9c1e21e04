/*
 * jsonata_internal.h: private to the JSONata evaluator's files
 * (jsonata_eval.c, jsonata_regex.c, jsonata_lib.c, jsonata_dates.c,
 * jsonata_format.c), not part of any API:
 * the value type (jv) and its arena, one evaluation's state (ev), string
 * buffers, and the functions one of those files uses from another. See
 * jsonata_eval.c's opening comment for how values are owned.
 */
#ifndef JSONATA_INTERNAL_H
#define JSONATA_INTERNAL_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonata.h"
#include "jsonata_tree.h"

/* AWS's bounds: evaluation depth 100 (as its JSONata runtime counts it),
 * about 7 MB for one value, five seconds of evaluation. */
#define MAX_DEPTH 100
/* Standard JSONata (aslc jsonata) has no bound of its own in jsonata-js
 * but the JavaScript stack; this one is what the JSONata test suite
 * configures for its deep-recursion cases, counted the same way. */
#define STD_MAX_DEPTH 302
/* ... and its sequences may be as long as its range operator allows (1e7
 * items, D2014 past that), with memory to match. */
#define STD_MAX_ITEMS 10000000
#define STD_MAX_BYTES ((size_t)4 << 30)
#define MAX_ITEMS 873782
#define MAX_SECONDS 5.0
#define MAX_BYTES (256u << 20)   /* all of one evaluation's values */

/* ------------------------------------------------------------- values */

typedef enum jtype { T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, T_FUNC } jtype;

#define F_SEQ 1u   /* a sequence: empty is undefined, one item is that item */
#define F_KEEP 2u  /* a sequence that stays an array with one item ([]) */
#define F_CONS 4u  /* an array built in a path: not flattened into it */
#define F_WRAP 16u  /* standard JSONata's array input: a sequence of that one array */
#define F_TUPLES 8u /* a path's tuple stream: a[i] each tuple's item, tenv[i] its bindings */
#define F_RANGE 32u /* a range not yet made (len -1): n its first number, b how many (2 or more) */

typedef struct jv jv;
typedef struct jfn jfn;
typedef struct scope scope;

struct jv {
    unsigned char t, fl;
    int b;
    double n;
    const char *s;       /* T_STR, NUL-terminated UTF-8 */
    size_t slen;
    jv **a;              /* T_ARR items; T_OBJ values */
    union {
        const char **k;  /* T_OBJ keys */
        scope **tenv;    /* F_TUPLES: each tuple's bindings */
    };
    int len, cap;
    const cJSON *j;      /* T_ARR / T_OBJ borrowed, until materialised */
    jfn *f;
};

typedef enum fkind { FN_BUILTIN, FN_LAMBDA, FN_PARTIAL, FN_CHAIN, FN_REGEX, FN_THUNK, FN_TRANSFORM } fkind;

typedef struct rx rx;

struct jfn {
    fkind kind;
    int builtin;
    const jsonata_node *node;  /* lambda, regex literal, or the tail call */
    scope *env;
    jv *input;             /* the context where it was made */
    jv *base, *g;          /* partial: the function; chain: f then g */
    jv **args;             /* partial: bound arguments; thunk: evaluated later */
    unsigned char *hole;   /* partial: placeholder positions */
    int nargs;
    const rx *re;
};

struct scope {
    scope *parent;
    const char **names;
    jv **vals;
    int n, cap;
};

/* ------------------------------------------------------------- arena */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
} chunk;

typedef struct owned {
    struct owned *next;
    cJSON *json;
} owned;

/* One evaluation. */
typedef struct ev {
    chunk *mem;
    size_t used;           /* bytes in mem */
    owned *docs;           /* cJSON this evaluation parsed ($parse) */
    const jsonata_host *host;   /* never NULL (a zeroed one when the caller gave none) */
    int std;               /* standard JSONata, not AWS's (JSONATA_STEP_FUNCTIONS) */
    jv *root;              /* std: $$, the input */
    jv *vnull, *vtrue, *vfalse;
    jv *builtins[JN_FN__COUNT];
    jmp_buf fail;
    char *cause;           /* the failure (in the arena, or static) */
    int depth, max_depth;
    int max_items;         /* MAX_ITEMS, or STD_MAX_ITEMS */
    size_t max_bytes;
    unsigned long ticks;
    uintptr_t stack0;      /* the C stack where the evaluation began */
    double t0;             /* monotonic start, for the time bound */
    double now_ms;         /* $now() and $millis(): read the clock once, when first asked (NAN till then) */
    const char *labels[64]; /* the names % labels bind, "!1" ... (made when first used) */
} ev;

/* A growable string in the arena. */
typedef struct sbuf {
    ev *e;
    char *p;
    size_t len, cap;
} sbuf;

/* Recursion over values the expression built ($reduce can nest arrays
 * without bound) stops at a fixed amount of C stack, not at a crash. */
#define STACK_BUDGET (1u << 20)

/* A string as code points (JSONata counts and slices strings by them). */
typedef struct cps {
    uint32_t *cp;
    size_t *off;   /* byte offset of each; off[n] = the length */
    size_t n;
} cps;

/* $sort's comparison: a function, or the natural order (fn NULL). */
typedef struct sorter {
    ev *e;
    jv *fn;
} sorter;

/* JSONata function signatures ("<s-nn?:s>"): one parameter per type letter
 * (or (choice)), with ? optional, + repeated, - "the context if absent". */
typedef struct sparam {
    char types[12];
    char sub;          /* a<n>: the item type */
    char opt, plus, ctx;
} sparam;

typedef struct sig {
    sparam p[8];
    int n;
} sig;

/* A compiled regex (jsonata_regex.c); the evaluator and the library read
 * its group count to size capture arrays. */
typedef struct rseq rseq;
struct rx {
    rseq *alts;
    int nalts;
    int ngroups;
    int icase, multiline;
};

/* ---- jsonata_eval.c: values, arena, errors, UTF-8, numbers, evaluation */
_Noreturn void jn_fail(ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *jn_alloc(ev *e, size_t n);
void *jn_arena_cb(void *ctx, size_t n);   /* jn_alloc for jn_rx_compile (ctx is the ev) */
char *jn_sdup(ev *e, const char *s, size_t n);
void jn_sb_put(sbuf *b, const char *s, size_t n);
void jn_sb_puts(sbuf *b, const char *s);
void jn_sb_putc(sbuf *b, char c);
const char *jn_sb_str(sbuf *b);
size_t jn_stack_used(uintptr_t base);
void jn_guard(ev *e);
jv *jn_num(ev *e, double d);
double jn_now_ms(ev *e);
jv *jn_str_n(ev *e, const char *s, size_t n);
jv *jn_str(ev *e, const char *s);
jv *jn_boolean_v(ev *e, int b);
jv *jn_arr(ev *e, unsigned fl);
jv *jn_obj(ev *e);
jv *jn_wrap(ev *e, const cJSON *j);
int jn_is_arr(const jv *v);
int jn_len_of(ev *e, jv *v);
int jn_count(ev *e, jv *v);
void jn_push(ev *e, jv *a, jv *item);
void jn_push_flat(ev *e, jv *a, jv *v);
void jn_obj_set(ev *e, jv *o, const char *key, jv *val);
uint32_t jn_u8_next(const char *s, size_t n, size_t *adv);
size_t jn_u8_prev(const char *s, size_t lo, size_t p);
size_t jn_u8_put(char *out, uint32_t cp);
cps jn_to_cps(ev *e, const char *s, size_t len);
size_t jn_cp_count(const char *s, size_t len);
uint32_t jn_cp_upper(uint32_t c);
uint32_t jn_cp_lower(uint32_t c);
void jn_js_number(double d, char *out);
int64_t jn_to_i64(double d);
const char *jn_show(ev *e, jv *v);
jv *jn_apply(ev *e, jv *fn, jv **args, int nargs, jv *input);
int jn_bool_of(ev *e, jv *v);
int jn_truthy(ev *e, jv *v);
int jn_deep_equal(ev *e, jv *a, jv *b);
jv *jn_to_string(ev *e, jv *v, int pretty);
jv *jn_append(ev *e, jv *a, jv *b);
jv *jn_lookup_field(ev *e, jv *in, const char *key);
jv *jn_deep_copy(ev *e, jv *v);
jv *jn_sorted(sorter *s, jv **items, int n);
int jn_arity(ev *e, jv *f);
jv **jn_validate(ev *e, const char *sig, jv **args, int *nargs, jv *input, const char *name);
jv *jn_apply_hof(ev *e, jv *fn, jv *value, int index, jv *array, jv *extra);
void jn_sig_parse(const char *s, sig *out);
char jn_symbol(const jv *v);

/* ---- jsonata_regex.c */
int jn_hexval(char ch);
rx *jn_rx_compile(const char *pat, size_t len, unsigned flags, void *(*af)(void *, size_t), void *ctx,
    const char **err);
int jn_rx_search(const rx *re, const char *s, size_t len, size_t from, size_t *caps, long *steps);
/* The same compiled once per process for the first patterns seen (then
 * into af's memory, as jn_rx_compile): never free or change what it
 * returns. */
const rx *jn_rx_cached(const char *pat, size_t len, unsigned flags, void *(*af)(void *, size_t), void *ctx,
                       const char **err);

/* ---- jsonata_format.c: integer pictures ($formatInteger, and the
 * components of date pictures) */
typedef enum { IP_DECIMAL, IP_LETTERS, IP_ROMAN, IP_WORDS, IP_SEQUENCE } ip_kind;
typedef enum { IC_LOWER, IC_UPPER, IC_TITLE } ip_case;
typedef struct ipic {
    ip_kind kind;
    ip_case tcase;
    int ordinal;
    uint32_t zero;         /* decimal: the digit family's zero */
    int mandatory, optional;
    int regular;           /* a separator every `regular` digits (sepch[0]), or 0 */
    int *seppos;           /* separators: digits to their right, in order from the right */
    uint32_t *sepch;
    int nseps;
    const char *token;     /* IP_SEQUENCE: the picture */
} ipic;
void jn_ipic_parse(ev *e, const char *picture, ipic *p);
jv *jn_format_integer(ev *e, double value, const ipic *p);
double jn_parse_integer(ev *e, const char *s, const ipic *p);
void jn_ipic_regex(sbuf *b, const ipic *p, int fixed);
jv *jn_f_format_integer(ev *e, jv **a, int n, jv *in);
jv *jn_f_parse_integer(ev *e, jv **a, int n, jv *in);
jv *jn_f_format_number(ev *e, jv **a, int n, jv *in);

/* ---- jsonata_lib.c */
double jn_round_half_even(double v, int prec);
jv *jn_call_builtin(ev *e, int id, jv **args, int nargs, jv *input);
int jn_builtin_arity(int id);

/* ---- jsonata_dates.c */
jv *jn_f_to_millis(ev *e, jv **a, int n, jv *in);
jv *jn_f_from_millis(ev *e, jv **a, int n, jv *in);
jv *jn_f_now(ev *e, jv **a, int n, jv *in);
jv *jn_f_millis(ev *e, jv **a, int n, jv *in);

#endif
