/*
 * strmap.c: a map from strings to ints (open addressing, FNV-1a), so that
 * looking up a state by name or a generated name among those taken costs
 * the same for 20,000 states as for 20. Keys are borrowed; tables live in
 * cc_alloc memory like everything else the compiler builds.
 */
#include <string.h>

#include "aslc.h"

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t find(const cc_strmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void grow(cc_strmap *m)
{
    cc_strmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = cc_alloc(sizeof *m->keys * m->cap);
    m->vals = cc_alloc(sizeof *m->vals * m->cap);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i])
            continue;
        size_t j = find(m, old.keys[i]);
        m->keys[j] = old.keys[i];
        m->vals[j] = old.vals[i];
    }
}

int cc_strmap_get(const cc_strmap *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t i = find(m, key);
    return m->keys[i] ? m->vals[i] : -1;
}

int *cc_strmap_put(cc_strmap *m, const char *key, int value, bool *added)
{
    if ((m->used + 1) * 2 > m->cap)
        grow(m);
    size_t i = find(m, key);
    *added = !m->keys[i];
    if (*added) {
        m->keys[i] = key;
        m->vals[i] = value;
        m->used++;
    }
    return &m->vals[i];
}
