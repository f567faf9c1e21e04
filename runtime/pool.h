/*
 * pool.h: the allocator behind cJSON while executions run. malloc/free were
 * over half of the instructions of a transition; JSON values are small and
 * short-lived, so size-classed free lists serve them in a few instructions.
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

#endif
