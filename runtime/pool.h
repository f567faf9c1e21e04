/*
 * pool.h: the allocator behind cJSON while executions run. malloc/free were
 * over half of the instructions of a transition; JSON values are small and
 * short-lived, so size-classed free lists serve them in a few instructions.
 * The common case of an allocation (a class whose list is not empty) is in
 * line here, for the code that makes values on the hot path (json_build.c);
 * cJSON itself calls asl_pool_alloc.
 */
#ifndef ASL_POOL_H
#define ASL_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Routes cJSON's allocations through the pool (a no-op in sanitizer
 * builds, so AddressSanitizer sees every allocation). */
void asl_pool_install(void);
/* Back to malloc/free, once nothing the pool allocated is left. */
void asl_pool_uninstall(void);
void *asl_pool_alloc(size_t n);
void asl_pool_free(void *p);
/* Whether cJSON allocates from the pool now. */
extern bool asl_pool_on;
/* cJSON_Delete(v), quicker when the pool is installed (it frees what
 * cJSON_Delete frees, with the pool's free in line). */
void asl_json_delete(cJSON *v);
/* The same for a value that is most often not there (NULL). */
static inline void asl_json_drop(cJSON *v)
{
    if (v)
        asl_json_delete(v);
}

/* Each block has an 8-byte header whose last byte names its class
 * (ASL_POOL_BIG: from malloc); a free block's header holds the next free
 * block. */
enum { ASL_POOL_HEADER = 8, ASL_POOL_CLASSES = 10, ASL_POOL_LARGEST = 512, ASL_POOL_BIG = 0xff };
typedef union asl_pool_block {
    union asl_pool_block *next;
    unsigned char bytes[ASL_POOL_HEADER];
} asl_pool_block;
extern asl_pool_block *asl_pool_lists[ASL_POOL_CLASSES];
extern unsigned char asl_pool_class_of[ASL_POOL_LARGEST + 1];

/* A block of class c popped from its list, its header naming the class;
 * NULL if the list is empty. */
static inline void *asl_pool_pop(unsigned char c)
{
    asl_pool_block *b = asl_pool_lists[c];
    if (!b)
        return NULL;
    asl_pool_lists[c] = b->next;
    b->bytes[ASL_POOL_HEADER - 1] = c;
    return b->bytes + ASL_POOL_HEADER;
}

/* n bytes (at most ASL_POOL_LARGEST), NULL with the pool off (asl_pool_on)
 * or its list empty: the caller then asks cJSON_malloc. */
static inline void *asl_pool_take(size_t n)
{
    return asl_pool_on ? asl_pool_pop(asl_pool_class_of[n]) : NULL;
}

#endif
