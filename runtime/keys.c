/*
 * keys.c: interns an execution input's keys. aslc writes every object key
 * a unit names once (compiler/lower_keys.c) and an index of them by hash
 * (asl_machine.key_index); members that templates and ResultPath add
 * carry those pointers, and member.h's look-ups compare the pointer before
 * the text. A parsed input's keys are copies, so each look-up of one
 * compares its text; swapping them here for the unit's pointers, once as
 * the input arrives, makes those look-ups one compare too, and every copy
 * of the member afterwards (cJSON_Duplicate, json_build.c, view.c) keeps
 * the pointer instead of copying the key. Only inputs from outside are
 * interned (asl_engine_start_value, and --bench's one input): a child's
 * input is mostly its parent's template, keys interned already.
 *
 * The pointers are the unit's static data, which lives while any of its
 * executions does (asl_unit_hold), as template keys do. A value handed to
 * an execution of another unit (a child's input, a child's output in its
 * parent's result) may outlive the unit its keys point into (a JIT unit is
 * released once unloaded and unused: TestState's, an updated machine's),
 * so it is adopted (asl_keys_adopt): keys the receiving unit names get its
 * pointers, other constant keys a copy of their own.
 */
#include <string.h>

#include "internal.h"
#include "member.h"

/* The unit's own pointer for key k, or NULL. */
static const char *lookup(const asl_machine *m, const char *k)
{
    unsigned mask = m->key_slots - 1;
    for (unsigned i = asl_key_hash(k) & mask;; i = (i + 1) & mask) {
        const char *e = m->key_index[i];
        if (!e)
            return NULL;
        if (e[0] == k[0] && !strcmp(e, k))
            return e;
    }
}

/* (a view's members belong to another value: left as they are) */
static void intern(cJSON *v, const asl_machine *m)
{
    for (cJSON *c = v->child; c; c = c->next) {
        if (c->string && !(c->type & cJSON_StringIsConst)) {
            const char *k = lookup(m, c->string);
            if (k) {
                cJSON_free(c->string);
                c->string = (char *)(uintptr_t)k;
                c->type |= cJSON_StringIsConst;
            }
        }
        if (c->child && !(c->type & cJSON_IsReference))
            intern(c, m);
    }
}

/* (as intern, for a value from another unit) */
static void adopt(cJSON *v, const asl_machine *m)
{
    for (cJSON *c = v->child; c; c = c->next) {
        if (c->string) {
            const char *k = m->key_slots ? lookup(m, c->string) : NULL;
            bool constant = c->type & cJSON_StringIsConst;
            if (k && k != c->string) {
                if (!constant)
                    cJSON_free(c->string);
                c->string = (char *)(uintptr_t)k;
                c->type |= cJSON_StringIsConst;
            } else if (!k && constant) {
                c->string = asl_json_text(c->string, strlen(c->string));
                c->type &= ~cJSON_StringIsConst;
            }
        }
        if (c->child && !(c->type & cJSON_IsReference))
            adopt(c, m);
    }
}

void asl_keys_adopt(cJSON *v, const asl_machine *m)
{
    if (v && v->child && !(v->type & cJSON_IsReference))
        adopt(v, m);
}

void asl_keys_intern(cJSON *v, const asl_machine *m)
{
    if (v && v->child && !(v->type & cJSON_IsReference) && m->key_slots)
        intern(v, m);
}
