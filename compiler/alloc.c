/*
 * alloc.c: the compiler's allocator. aslc is a short-lived program that
 * builds many small trees (nodes, strings) with shared substructure; rather
 * than track ownership, every allocation is remembered and released at once
 * by cc_free_all(), which keeps the sanitizer build leak-free.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc.h"

/* Each allocation is preceded by a link to the previous one. */
typedef struct block {
    struct block *prev;
    max_align_t align[];
} block;

static block *last;

void *cc_alloc(size_t n)
{
    block *b = calloc(1, sizeof(block) + (n ? n : 1));
    if (!b) {
        fputs("aslc: out of memory\n", stderr);
        exit(70);
    }
    b->prev = last;
    last = b;
    return b->align;
}

void cc_push(const char ***list, int *n, const char *s)
{
    /* A fresh copy each time: lists are short (command-line options,
     * handlers), and a list made elsewhere with its exact size may be
     * appended to. */
    const char **l = cc_alloc(sizeof *l * (size_t)(*n + 1));
    if (*n)
        memcpy(l, *list, sizeof *l * (size_t)*n);
    l[(*n)++] = s;
    *list = l;
}

void cc_free_all(void)
{
    while (last) {
        block *prev = last->prev;
        free(last);
        last = prev;
    }
}

char *cc_strndup(const char *s, size_t n)
{
    char *p = cc_alloc(n + 1);
    memcpy(p, s, n);
    return p;
}

char *cc_strdup(const char *s)
{
    return cc_strndup(s, strlen(s));
}

char *cc_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = cc_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

asl_node *node_new(asl_node_kind kind)
{
    asl_node *n = cc_alloc(sizeof *n);
    n->kind = (unsigned short)kind;
    return n;
}

/* Kids grow by doubling; the old array stays allocated until cc_free_all,
 * which is fine for definitions of any realistic size. */
void node_push(asl_node *parent, const asl_node *kid)
{
    int n = parent->count;
    if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4, 8 ...: full */
        asl_node *kids = cc_alloc(sizeof(asl_node) * (size_t)(n ? 2 * n : 1));
        if (n)
            memcpy(kids, parent->kids, sizeof(asl_node) * (size_t)n);
        parent->kids = kids;
    }
    ((asl_node *)parent->kids)[n] = *kid;
    parent->count = n + 1;
}

asl_node *node_from_json(const cJSON *v)
{
    asl_node *n = node_new(ASL_N_NULL);
    n->flags = ASL_F_CONST;
    if (cJSON_IsTrue(v)) {
        n->kind = ASL_N_TRUE;
    } else if (cJSON_IsFalse(v)) {
        n->kind = ASL_N_FALSE;
    } else if (cJSON_IsNumber(v)) {
        n->kind = ASL_N_NUMBER;
        n->num = v->valuedouble;
    } else if (cJSON_IsString(v)) {
        n->kind = ASL_N_STRING;
        n->str = cc_strdup(v->valuestring);
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        n->kind = cJSON_IsArray(v) ? ASL_N_ARRAY : ASL_N_OBJECT;
        for (const cJSON *c = v->child; c; c = c->next) {
            asl_node *k = node_from_json(c);
            if (n->kind == ASL_N_OBJECT) {
                asl_node *f = node_new(ASL_N_FIELD);
                f->flags = ASL_F_CONST;
                f->str = cc_strdup(c->string);
                node_push(f, k);
                k = f;
            }
            node_push(n, k);
        }
        node_literal_bound(n);
    }
    return n;
}

void node_literal_bound(asl_node *n)
{
    bool object = n->kind == ASL_N_OBJECT;
    double b = ASL_BOUND_BRACKETS;
    for (int i = 0; i < n->count; i++) {
        const asl_node *k = &n->kids[i], *v = object ? &k->kids[0] : k;
        b += object ? ASL_BOUND_MEMBER(strlen(k->str)) : 1;
        switch (v->kind) {
        case ASL_N_NULL:
        case ASL_N_TRUE:
        case ASL_N_FALSE: b += ASL_BOUND_LITERAL; break;
        case ASL_N_NUMBER: b += ASL_BOUND_NUMBER; break;
        case ASL_N_STRING: b += ASL_BOUND_TEXT(strlen(v->str ? v->str : "")); break;
        default: break; /* containers, paths and calls: counted as they are built */
        }
    }
    n->num = b;
}
