/*
 * ptrtab.c: a set of pointers found by a key they carry (see ptrtab.h).
 * The table stores only the pointers: a hash is recomputed from the
 * element when the table grows or an element is removed, which keeps the
 * table at 8 bytes a slot for the million executions a run may hold.
 */
#include <stdlib.h>
#include <string.h>

#include "ptrtab.h"

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Eight bytes a step (a byte-at-a-time FNV over a whole ARN took 700
 * instructions of each execution's start and end). The last word's length
 * goes into it, so padding does not collide. */
static uint64_t words(uint64_t h, const char *s, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = (uint64_t)n << 56;
    memcpy(&w, s, n);
    h = (h ^ w) * k;
    return h ^ h >> 29;
}

/* Keys are ARNs and names: they differ at their ends (an execution's name,
 * a machine's name), so the last 32 bytes and the length are hashed; equal
 * tails only meet in a slot, where the key is compared whole. */
static uint64_t tail(uint64_t h, const char *s)
{
    size_t n = strlen(s), k = n > 32 ? n - 32 : 0;
    return words(h ^ n, s + k, n - k);
}

uint64_t asl_hash_str(const char *s)
{
    return mix(tail(0xcbf29ce484222325ULL, s));
}

uint64_t asl_hash_str2(const char *a, const char *b)
{
    return mix(tail(tail(0xcbf29ce484222325ULL, a) + 1, b));
}

void *asl_ptrtab_find(const asl_ptrtab *t, uint64_t h, bool (*match)(const void *p, const void *key),
                      const void *key)
{
    if (!t->cap)
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = h & mask; t->slot[i]; i = (i + 1) & mask)
        if (match(t->slot[i], key))
            return t->slot[i];
    return NULL;
}

static void insert(asl_ptrtab *t, void *p)
{
    size_t mask = t->cap - 1, i = t->hash(p) & mask;
    while (t->slot[i])
        i = (i + 1) & mask;
    t->slot[i] = p;
}

void asl_ptrtab_put(asl_ptrtab *t, void *p)
{
    if ((t->n + 1) * 4 > t->cap * 3) {
        size_t old = t->cap;
        void **slots = t->slot;
        t->cap = old ? old * 2 : 64;
        t->slot = calloc(t->cap, sizeof *t->slot);
        if (!t->slot)
            abort();
        for (size_t i = 0; i < old; i++)
            if (slots[i])
                insert(t, slots[i]);
        free(slots);
    }
    insert(t, p);
    t->n++;
}

void asl_ptrtab_del(asl_ptrtab *t, void *p)
{
    if (!t->cap)
        return;
    size_t mask = t->cap - 1, i = t->hash(p) & mask;
    while (t->slot[i] && t->slot[i] != p)
        i = (i + 1) & mask;
    if (!t->slot[i])
        return;
    /* Backward shift: move later members of the run into the hole when
     * their home slot does not lie after it (cyclically). */
    for (size_t j = (i + 1) & mask; t->slot[j]; j = (j + 1) & mask) {
        size_t home = t->hash(t->slot[j]) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            t->slot[i] = t->slot[j];
            i = j;
        }
    }
    t->slot[i] = NULL;
    t->n--;
}

void asl_ptrtab_free(asl_ptrtab *t)
{
    free(t->slot);
    t->slot = NULL;
    t->cap = t->n = 0;
}
