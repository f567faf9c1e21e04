/*
 * slab.h: records of one size (executions, frames, tasks) carved from
 * large chunks, without malloc's header and rounding on each: a run that
 * holds a million suspended executions holds three million such records.
 */
#ifndef ASL_SLAB_H
#define ASL_SLAB_H

#include <stddef.h>

typedef struct asl_slab {
    size_t size;                /* a record's size (ASL_SLAB rounds it up to 8) */
    void *free;                 /* records given back, for reuse */
    unsigned char **chunks;     /* every chunk, so that the memory stays reachable */
    size_t nchunks, cap;
} asl_slab;

/* A slab of records of type T, to be used as a static initialiser. */
#define ASL_SLAB(T) {.size = (sizeof(T) + 7) & ~(size_t)7}

/* A zeroed record (aborts when memory is out, as the engine's callocs do). */
void *asl_slab_alloc(asl_slab *s);
/* A record as it was left (not zeroed): for one the caller fills whole. */
void *asl_slab_alloc_raw(asl_slab *s);
/* Gives p (from asl_slab_alloc on s, or NULL) back for reuse. Memory is
 * kept, never returned: a long run stays flat once warm. Sanitizer builds
 * use calloc and free instead, so AddressSanitizer sees every record. */
void asl_slab_free(asl_slab *s, void *p);

#endif
