/*
 * pool.h: the allocator behind cJSON while executions run. malloc/free were
 * over half of the instructions of a transition; JSON values are small and
 * short-lived, so size-classed free lists serve them in a few instructions.
 */
#ifndef ASL_POOL_H
#define ASL_POOL_H

#include <stddef.h>

/* Routes cJSON's allocations through the pool (a no-op in sanitizer
 * builds, so AddressSanitizer sees every allocation). */
void asl_pool_install(void);
/* Back to malloc/free, once nothing the pool allocated is left. */
void asl_pool_uninstall(void);
void *asl_pool_alloc(size_t n);
void asl_pool_free(void *p);

#endif
