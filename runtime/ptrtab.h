/*
 * ptrtab.h: a set of pointers found by a key they carry (an execution by
 * its ARN, or by its machine and name). Open addressing, linear probing,
 * deletion by backward shift (no tombstones): 8 bytes a slot, at most 3/4
 * full, every operation O(1) on average, so the engine never walks every
 * live execution to find one.
 */
#ifndef ASL_PTRTAB_H
#define ASL_PTRTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct asl_ptrtab {
    void **slot;
    size_t cap, n;                         /* cap a power of two (0: empty) */
    uint64_t (*hash)(const void *p);       /* the hash of an element's key */
} asl_ptrtab;

/* The element whose key hashes to h and that match(element, key) accepts,
 * or NULL. */
void *asl_ptrtab_find(const asl_ptrtab *t, uint64_t h, bool (*match)(const void *p, const void *key),
                      const void *key);
/* Adds p (not already in the table). */
void asl_ptrtab_put(asl_ptrtab *t, void *p);
/* Removes p if present. */
void asl_ptrtab_del(asl_ptrtab *t, void *p);
void asl_ptrtab_free(asl_ptrtab *t);

/* A 64-bit hash of a string, and of a pair of strings: of their lengths
 * and last 32 bytes (ARNs and names differ at their ends), a word at a
 * time, then mixed. */
uint64_t asl_hash_str(const char *s);
uint64_t asl_hash_str2(const char *a, const char *b);

#endif
