/*
 * member.h: an object's member by key, for the look-ups generated code
 * makes many times a transition (choice.c's asl_peek_key, params.c).
 */
#ifndef ASL_MEMBER_H
#define ASL_MEMBER_H

#include <cjson/cJSON.h>

/* o's member key, or NULL (o not an object, or no such member).
 * A key the unit names is one pointer wherever the generated code names it
 * (compiler/lower_keys.c), and members that templates and ResultPath add
 * carry it: such a member is found by its address, one compare. Other
 * keys (parsed input, runtime literals) are told apart by their first
 * byte and the rest compared here: keys are short, and a call to strcmp
 * costs more than the compare. */
static inline __attribute__((always_inline)) const cJSON *asl_member(const cJSON *o, const char *key)
{
    if (!o || (o->type & 0xff) != cJSON_Object)
        return NULL;
    char first = key[0];
    for (const cJSON *m = o->child; m; m = m->next) {
        const char *a = m->string;
        if (a == key)
            return m;
        if (!a || *a != first)
            continue;
        if (!first)
            return m; /* both "" */
        const char *b = key;
        while (*++a == *++b)
            if (!*a)
                return m;
    }
    return NULL;
}

#endif
