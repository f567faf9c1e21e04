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

/* Gives v's members (at any depth) the unit's pointers for the keys it
 * names; a value from another unit (foreign) also gets a copy of each
 * other constant key. A view's members belong to another value: left as
 * they are. */
static void rekey(cJSON *v, const asl_machine *m, bool foreign)
{
    for (cJSON *c = v->child; c; c = c->next) {
        bool constant = c->type & cJSON_StringIsConst;
        if (c->string && (foreign || !constant)) {
            const char *k = m->key_slots ? lookup(m, c->string) : NULL;
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
            rekey(c, m, foreign);
    }
}

void asl_keys_intern(cJSON *v, const asl_machine *m)
{
    if (v && v->child && !(v->type & cJSON_IsReference) && m->key_slots)
        rekey(v, m, false);
}

void asl_keys_adopt(cJSON *v, const asl_machine *m)
{
    if (v && v->child && !(v->type & cJSON_IsReference))
        rekey(v, m, true);
}
