/*
 * member.h: an object's member by key, for the look-ups generated code
 * makes many times a transition (choice.c's asl_peek_key, params.c).
 */
#ifndef ASL_MEMBER_H
#define ASL_MEMBER_H

#include <cjson/cJSON.h>

/* o's member key, or NULL (o not an object, or no such member). Keys are
 * told apart by their first byte and the rest compared here: keys are
 * short, and a call to strcmp costs more than the compare. */
static inline const cJSON *asl_member(const cJSON *o, const char *key)
{
    if (!o || (o->type & 0xff) != cJSON_Object)
        return NULL;
    for (const cJSON *m = o->child; m; m = m->next) {
        const char *a = m->string, *b = key;
        if (!a || *a != *b)
            continue;
        while (*a && *a == *b)
            a++, b++;
        if (*a == *b)
            return m;
    }
    return NULL;
}

#endif
