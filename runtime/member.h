/*
 * member.h: an object's member by key, for the look-ups generated code
 * makes many times a transition (choice.c's asl_peek_key, params.c,
 * path.c), and the hash of the unit's key index (compiler/lower_keys.c
 * writes the index, keys.c reads it).
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

/* FNV-1a of a key's bytes: where aslc puts the key in the unit's index
 * (asl_machine.key_index) and where keys.c looks for it. */
static inline unsigned asl_key_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

#endif
