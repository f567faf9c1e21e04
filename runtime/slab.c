/*
 * slab.c: fixed-size records from 64 KiB chunks (see slab.h). A record
 * given back is chained through its first word onto the slab's free list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

enum { SLAB_CHUNK = 65536 };

#if defined(__SANITIZE_ADDRESS__)

void *asl_slab_alloc_slow(asl_slab *s, int zero)
{
    void *p = zero ? calloc(1, s->size) : malloc(s->size);
    if (!p)
        abort();
    return p;
}

void asl_slab_free_slow(asl_slab *s, void *p)
{
    (void)s;
    free(p);
}

#else

static void out_of_memory(void)
{
    fputs("aslc runtime: out of memory\n", stderr);
    abort();
}

/* Carves a new chunk into records on the free list. */
static void refill(asl_slab *s)
{
    size_t count = SLAB_CHUNK / s->size;
    if (count < 1)
        count = 1;
    unsigned char *chunk = malloc(count * s->size);
    if (!chunk)
        out_of_memory();
    if (s->nchunks == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        unsigned char **grown = realloc(s->chunks, cap * sizeof *grown);
        if (!grown)
            out_of_memory();
        s->chunks = grown;
        s->cap = cap;
    }
    s->chunks[s->nchunks++] = chunk;
    for (size_t i = count; i-- > 0;) {
        void **rec = (void **)(chunk + i * s->size);
        *rec = s->free;
        s->free = rec;
    }
}

/* The free list is empty: a chunk more, and its first record. */
void *asl_slab_alloc_slow(asl_slab *s, int zero)
{
    refill(s);
    void **rec = s->free;
    s->free = *rec;
    return zero ? memset(rec, 0, s->size) : (void *)rec;
}

void asl_slab_free_slow(asl_slab *s, void *p)
{
    asl_slab_free(s, p);
}

#endif
