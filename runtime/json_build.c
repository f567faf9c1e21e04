/*
 * json_build.c: making cJSON values on the hot path: a node is one
 * allocation filled in place (from the pool's list in line, pool.h, else
 * cJSON_malloc: cJSON_Delete frees it either way), members are linked
 * through a tail pointer (cJSON_AddItemTo* does more per call), and a
 * copy adds up an upper bound of its size as JSON while it walks (the
 * bound asl_json_size_bound gives, so the payload quota needs no walk of
 * its own).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* From the pool in line when cJSON allocates from it (pool.h), else as
 * cJSON allocates. */
static inline void *alloc(size_t n)
{
    void *p = n <= ASL_POOL_LARGEST ? asl_pool_take(n) : NULL;
    if (!p && !(p = cJSON_malloc(n)))
        abort();
    return p;
}

cJSON *asl_json_node_slow(int type)
{
    cJSON *v = cJSON_malloc(sizeof *v);
    if (!v)
        abort();
    *v = (cJSON){.type = type};
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

cJSON *asl_json_string_len(const char *s, size_t n)
{
    cJSON *v = asl_json_node(cJSON_String);
    v->valuestring = asl_json_text(s, n);
    return v;
}

cJSON *asl_json_string(const char *s)
{
    return asl_json_string_len(s, strlen(s));
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
