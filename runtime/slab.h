/*
 * slab.h: records of one size (executions, frames, tasks, timers) carved from
 * large chunks, without malloc's header and rounding on each: a run that
 * holds a million suspended executions holds three million such records.
 */
#ifndef ASL_SLAB_H
#define ASL_SLAB_H

#include <stddef.h>
#include <string.h>

typedef struct asl_slab {
    size_t size;                /* a record's size (ASL_SLAB rounds it up to 8) */
    void *free;                 /* records given back, for reuse */
    unsigned char **chunks;     /* every chunk, so that the memory stays reachable */
    size_t nchunks, cap;
} asl_slab;

/* A slab of records of type T, to be used as a static initialiser. */
#define ASL_SLAB(T) {.size = (sizeof(T) + 7) & ~(size_t)7}

/* A record as it was left (not zeroed): for one the caller fills whole.
 * Aborts when memory is out, as the engine's callocs do. */
static inline void *asl_slab_alloc_raw(asl_slab *s);
/* A zeroed record. */
static inline void *asl_slab_alloc(asl_slab *s);
/* Gives p (from asl_slab_alloc on s, or NULL) back for reuse. Memory is
 * kept, never returned: a long run stays flat once warm. Sanitizer builds
 * use calloc and free instead, so AddressSanitizer sees every record. */
static inline void asl_slab_free(asl_slab *s, void *p);

/* The calls behind them (slab.c): a chunk carved when the free list is
 * empty, and the sanitizer builds' calloc and free. */
void *asl_slab_alloc_slow(asl_slab *s, int zero);
void asl_slab_free_slow(asl_slab *s, void *p);

/* A record is taken or given back several times an execution (executions,
 * frames, tasks, timers): in line, a pop or a push of the free list. */
#if defined(__SANITIZE_ADDRESS__)
static inline void *asl_slab_alloc_raw(asl_slab *s)
{
    return asl_slab_alloc_slow(s, 0);
}

static inline void *asl_slab_alloc(asl_slab *s)
{
    return asl_slab_alloc_slow(s, 1);
}

static inline void asl_slab_free(asl_slab *s, void *p)
{
    asl_slab_free_slow(s, p);
}
#else
static inline void *asl_slab_alloc_raw(asl_slab *s)
{
    void **rec = s->free;
    if (__builtin_expect(!rec, 0))
        return asl_slab_alloc_slow(s, 0);
    s->free = *rec;
    return rec;
}

static inline void *asl_slab_alloc(asl_slab *s)
{
    return memset(asl_slab_alloc_raw(s), 0, s->size);
}

static inline void asl_slab_free(asl_slab *s, void *p)
{
    if (p) {
        *(void **)p = s->free;
        s->free = p;
    }
}
#endif

#endif
