/*
 * json_build.c: making cJSON values on the hot path: a node is one allocation
 * (cJSON_malloc, so cJSON_Delete frees it) filled in place, members are
 * linked through a tail pointer (cJSON_AddItemTo* does more per call), and
 * a copy adds up an upper bound of its size as JSON while it walks (the
 * bound asl_json_size_bound gives, so the payload quota needs no walk of
 * its own).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *alloc(size_t n)
{
    void *p = cJSON_malloc(n);
    if (!p)
        abort();
    return p;
}

cJSON *asl_json_node(int type)
{
    cJSON *v = alloc(sizeof *v);
    memset(v, 0, sizeof *v);
    v->type = type;
    return v;
}

cJSON *asl_json_number(double d)
{
    cJSON *v = asl_json_node(cJSON_Number);
    v->valuedouble = d;
    /* valueint as cJSON_CreateNumber sets it */
    v->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
    return v;
}

char *asl_json_text(const char *s, size_t n)
{
    char *t = alloc(n + 1);
    memcpy(t, s, n + 1);
    return t;
}

cJSON *asl_json_string(const char *s)
{
    cJSON *v = asl_json_node(cJSON_String);
    v->valuestring = asl_json_text(s, strlen(s));
    return v;
}

void asl_json_add(cJSON *parent, cJSON **tail, const char *key, cJSON *item)
{
    if (key) {
        if (item->string && !(item->type & cJSON_StringIsConst))
            cJSON_free(item->string);
        item->string = (char *)(uintptr_t)key;
        item->type |= cJSON_StringIsConst;
    }
    /* cJSON's list: the first member's prev is the last member. */
    if (*tail) {
        (*tail)->next = item;
        item->prev = *tail;
    } else {
        parent->child = item;
    }
    parent->child->prev = item;
    *tail = item;
}

/* A copy of v, its key kept as cJSON_Duplicate keeps it (a constant key
 * shared, another copied); *bound grows by the copy's size bound. */
static cJSON *copy(const cJSON *v, int type, size_t *bound)
{
    cJSON *c = asl_json_node(type);
    switch (type & 0xff) {
    case cJSON_Number:
        c->valuedouble = v->valuedouble;
        c->valueint = v->valueint;
        *bound += 24;
        break;
    case cJSON_String:
    case cJSON_Raw: {
        const char *s = v->valuestring ? v->valuestring : "";
        size_t n = strlen(s);
        c->valuestring = asl_json_text(s, n);
        *bound += (type & 0xff) == cJSON_Raw ? n : ASL_BOUND_TEXT(n);
        break;
    }
    case cJSON_Array:
    case cJSON_Object: {
        *bound += 2;
        cJSON *tail = NULL;
        for (const cJSON *m = v->child; m; m = m->next) {
            cJSON *k = copy(m, m->type & ~cJSON_IsReference, bound);
            if (m->string) {
                size_t n = strlen(m->string);
                k->string = (m->type & cJSON_StringIsConst) ? m->string : asl_json_text(m->string, n);
                *bound += 3 + 6 * n;
            }
            *bound += 1;
            asl_json_add(c, &tail, NULL, k);
        }
        break;
    }
    default:
        *bound += 5;
        break;
    }
    return c;
}

cJSON *asl_json_copy_bound(const cJSON *v, size_t *bound)
{
    /* The copy of a member has no key: it is about to be stored elsewhere. */
    return copy(v, v->type & 0xff, bound);
}
