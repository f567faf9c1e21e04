/*
 * lower.h: what lower.c shares with lower_choice.c and lower_params.c, which
 * write a Choice state's rules and a Pass state's Parameters as C (private
 * to the three).
 */
#ifndef ASLC_LOWER_H
#define ASLC_LOWER_H

#include "aslc.h"

typedef struct lctx {
    asl_buf *b;
    int counter;
    cc_strmap used;      /* function names taken so far: the next suffix to try */
    const cc_src *src;
    /* the unit's object keys (lower_keys.c): text -> index */
    cc_strmap keys, key_members;
    const char **key_text, **key_member;
    int nkeys;
    const char *key_struct;  /* the C name of the struct holding them */
} lctx;

/* Text inside a C comment (at most max bytes, then " ..."). */
void lower_comment(asl_buf *b, const char *s, size_t max);
/* Emits an array of nodes (children first) as static data; returns its
 * name: the given one, or a numbered one. */
const char *lower_nodes(lctx *c, const asl_node *arr, int count, const char *name);
/* A node tree of a state's generated code, as static data named after the
 * state's function (Check_path0), its text in a comment above. */
const char *lower_named_node(lctx *c, const asl_node *n, const char *ident, const char *what, int *counter);
/* The shortest text of x that reads back as x. */
const char *lower_number(double x);
/* A C string literal (new). */
const char *lower_cstr(const char *s);
/* The C expression of object key k, key.NAME (lower_keys.c): one
 * pointer for every place the unit names k. */
const char *lower_key(lctx *c, const char *k);
/* The struct of every key lower_key handed out, and key_index, their
 * index by hash, written to out. */
void lower_keys(lctx *c, asl_buf *out);
/* key_index's size (a power of two; 0: no keys). */
unsigned lower_key_slots(const lctx *c);
/* The body of the function of JSONPath Choice state s of graph g, whose
 * descriptor is ref ("&graph0_states[1]"), into body: the rules as C
 * (lower_choice.c). The path nodes it needs go to c->b first. */
void lower_choice(lctx *c, const asl_graph *g, const asl_state *s, const char *ident, const char *ref, asl_buf *body);
/* The same for a JSONPath Pass state's Parameters (lower_params.c), if every
 * field is of a shape params.c builds; false (nothing written) if not. */
bool lower_params(lctx *c, const asl_state *s, const char *ident, const char *ref, asl_buf *body);
/* A JSONPath Task state's Parameters as a function building its payload,
 * written to c->b; its name, or NULL when the walk must build it. */
const char *lower_task_params(lctx *c, const asl_state *s, const char *ident);

#endif
