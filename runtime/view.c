/*
 * view.c: views, so that a state reads its execution's input without
 * copying it.
 *
 * An execution's input (x->input) never changes and outlives everything
 * the execution makes (its frames, their values and its output). So a
 * value may read parts of it in place: a view is a node of our own whose
 * members are the input's (cJSON's IsReference flag: cJSON_Delete frees
 * the node and leaves its members; a string view shares the text). The
 * root frame starts from a view of the input, and a path that selects
 * something under a view gets a view of it, in O(1) whatever its size.
 *
 * The rule, for every value of an execution:
 *  - a view points into its execution's input (or at text that lives as
 *    long as the execution: a response's literal strings, handlers.c, and
 *    a template's constant strings, io.c, which are the unit's),
 *    nowhere else, so values
 *    that leave the execution (a child's input, a response handed to
 *    another execution) are real copies (cJSON_Duplicate makes one) or
 *    have their views replaced by copies (asl_json_settle);
 *  - a view's members are never changed: code that adds, replaces or
 *    removes members first makes the container its own (asl_json_own),
 *    one level at a time, and a node found under a view is copied or
 *    viewed, never detached.
 * ResultPath (asl_path_assign) and the detaching paths (asl_path_detach)
 * are the only places that change a value that may hold views; see
 * path.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool asl_json_is_view(const cJSON *v)
{
    return v && (v->type & cJSON_IsReference);
}

cJSON *asl_json_view(const cJSON *v)
{
    int type = v->type & 0xff;
    cJSON *n;
    switch (type) {
    case cJSON_Object:
    case cJSON_Array:
        n = asl_json_node(type | cJSON_IsReference);
        n->child = v->child;
        return n;
    case cJSON_String:
        n = asl_json_node(cJSON_String | cJSON_IsReference);
        n->valuestring = v->valuestring;
        return n;
    case cJSON_Number:
        return asl_json_number(v->valuedouble);
    default:
        return asl_json_node(type); /* true, false, null */
    }
}

void asl_json_own(cJSON *v)
{
    if (!(v->type & cJSON_IsReference) || !(v->type & (cJSON_Object | cJSON_Array)))
        return;
    const cJSON *src = v->child;
    v->child = NULL;
    v->type &= ~cJSON_IsReference;
    cJSON *tail = NULL;
    for (const cJSON *c = src; c; c = c->next) {
        cJSON *m = asl_json_view(c);
        /* A key of the input's own is copied, never borrowed: the member
         * may be copied out of the execution, and cJSON_Duplicate keeps a
         * constant key. A constant key (one the unit names, keys.c) is
         * the unit's and outlives the input: kept. */
        bool constant = c->type & cJSON_StringIsConst;
        if (c->string && !constant)
            m->string = asl_json_text(c->string, strlen(c->string));
        asl_json_add(v, &tail, constant ? c->string : NULL, m);
    }
}

void asl_json_settle(cJSON *v)
{
    if (!(v->type & cJSON_IsReference)) {
        if (v->type & (cJSON_Object | cJSON_Array))
            for (cJSON *c = v->child; c; c = c->next)
                if (c->type & (cJSON_IsReference | cJSON_Object | cJSON_Array)) /* (a scalar of its own: nothing) */
                    asl_json_settle(c);
        return;
    }
    v->type &= ~cJSON_IsReference;
    if ((v->type & cJSON_String) && v->valuestring) {
        v->valuestring = asl_json_text(v->valuestring, strlen(v->valuestring));
    } else if (v->child) {
        /* the members copied; the copy's own node and key thrown away */
        cJSON *copy = cJSON_Duplicate(v, 1);
        if (!copy)
            abort();
        v->child = copy->child;
        copy->child = NULL;
        cJSON_Delete(copy);
    }
}

cJSON *asl_json_clone(const cJSON *v)
{
    if (v->type & cJSON_IsReference)
        return asl_json_view(v);
    int type = v->type & 0xff;
    if (type != cJSON_Object && type != cJSON_Array)
        return asl_json_copy(v);
    cJSON *n = asl_json_node(type);
    cJSON *tail = NULL;
    for (const cJSON *c = v->child; c; c = c->next) {
        cJSON *m = asl_json_clone(c);
        bool constant = c->type & cJSON_StringIsConst;
        if (c->string && !constant)
            m->string = asl_json_text(c->string, strlen(c->string));
        asl_json_add(n, &tail, constant ? c->string : NULL, m);
    }
    return n;
}
