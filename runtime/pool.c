/*
 * pool.c: size-classed free lists for cJSON's small allocations. Each block
 * carries an 8-byte header naming its class, so free needs no size; blocks
 * above the largest class go to malloc. Memory is kept for reuse, never
 * returned: a long benchmark stays flat once warm.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "pool.h"

/* (the header of 8 bytes keeps cJSON's structures, pointers and doubles,
 * aligned) */
static const size_t class_size[ASL_POOL_CLASSES] = {16, 32, 48, 64, 96, 128, 192, 256, 384, ASL_POOL_LARGEST};

/* (pool.h's in-line calls use the lists and the classes directly) */
asl_pool_block *asl_pool_lists[ASL_POOL_CLASSES];
unsigned char asl_pool_class_of[ASL_POOL_LARGEST + 1];
/* Every chunk's start, so that the memory kept for reuse stays reachable
 * (valgrind counts chunks known only by blocks inside them as lost). */
static unsigned char **chunks;
static size_t nchunks, chunk_cap;

static void init_classes(void)
{
    size_t c = 0;
    for (size_t n = 0; n <= ASL_POOL_LARGEST; n++) {
        while (class_size[c] < n)
            c++;
        asl_pool_class_of[n] = (unsigned char)c;
    }
}

/* Carves a 64 KiB chunk into blocks of one class. */
static void refill(size_t c)
{
    size_t step = ASL_POOL_HEADER + class_size[c];
    size_t count = 65536 / step;
    unsigned char *chunk = malloc(step * count);
    if (chunk && nchunks == chunk_cap) {
        size_t cap = chunk_cap ? chunk_cap * 2 : 64;
        unsigned char **grown = realloc(chunks, cap * sizeof *chunks);
        if (grown)
            chunks = grown, chunk_cap = cap;
    }
    if (chunk && nchunks < chunk_cap)
        chunks[nchunks++] = chunk;
    if (!chunk) {
        fputs("aslc runtime: out of memory\n", stderr);
        abort();
    }
    for (size_t i = 0; i < count; i++) {
        asl_pool_block *b = (asl_pool_block *)(chunk + i * step);
        b->next = asl_pool_lists[c];
        asl_pool_lists[c] = b;
    }
}

/* Past the fast path: a block above the largest class, or an empty list. */
__attribute__((noinline)) static void *alloc_slow(size_t n)
{
    if (n > ASL_POOL_LARGEST) {
        unsigned char *p = malloc(ASL_POOL_HEADER + n);
        if (!p)
            return NULL;
        p[ASL_POOL_HEADER - 1] = ASL_POOL_BIG;
        return p + ASL_POOL_HEADER;
    }
    unsigned char c = asl_pool_class_of[n];
    refill(c);
    return asl_pool_pop(c);
}

void *asl_pool_alloc(size_t n)
{
    /* (the common case pops a list: no frame, no call) */
    void *p = n <= ASL_POOL_LARGEST ? asl_pool_pop(asl_pool_class_of[n]) : NULL;
    return p ? p : alloc_slow(n);
}

/* Gives back p (not NULL): a push onto its class's list. */
static inline void put(void *p)
{
    unsigned char *h = (unsigned char *)p - ASL_POOL_HEADER;
    unsigned char c = h[ASL_POOL_HEADER - 1];
    if (c == ASL_POOL_BIG) {
        free(h);
        return;
    }
    asl_pool_block *b = (asl_pool_block *)h;
    b->next = asl_pool_lists[c];
    asl_pool_lists[c] = b;
}

void asl_pool_free(void *p)
{
    if (p)
        put(p);
}

bool asl_pool_on;

/* cJSON_Delete's walk, with the pool's free in line rather than called
 * through cJSON's hook for every node, key and string. */
static void delete_pooled(cJSON *v)
{
    while (v) {
        cJSON *next = v->next;
        if (!(v->type & cJSON_IsReference)) {
            if (v->child)
                delete_pooled(v->child);
            if (v->valuestring)
                put(v->valuestring);
        }
        if (!(v->type & cJSON_StringIsConst) && v->string)
            put(v->string);
        put(v);
        v = next;
    }
}

void asl_json_delete(cJSON *v)
{
    if (asl_pool_on)
        delete_pooled(v);
    else
        cJSON_Delete(v);
}

void asl_pool_install(void)
{
    static int done;
    if (!done) {
        done = 1;
        init_classes();
    }
#if !defined(__SANITIZE_ADDRESS__)
    cJSON_Hooks hooks = {asl_pool_alloc, asl_pool_free};
    cJSON_InitHooks(&hooks);
    asl_pool_on = true;
#endif
}

void asl_pool_uninstall(void)
{
    cJSON_InitHooks(NULL);
    asl_pool_on = false;
}
