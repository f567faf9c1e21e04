/*
 * ids.h: names and secrets. Execution names are UUIDs from a PRNG seeded
 * once (cheap, unique enough); task tokens must be unguessable, so they come
 * from the system's random source.
 */
#ifndef ASL_IDS_H
#define ASL_IDS_H

#include <stdint.h>

/* A version 4 UUID, 36 characters and a NUL. */
void asl_uuid(char out[37]);
/* 64 random bits from the process's PRNG (seeded once; not for secrets). */
uint64_t asl_random_u64(void);
/* A uniformly distributed double in [0, 1). */
double asl_random_unit(void);
/* Fills buf with n bytes from the system's random source. */
void asl_random_secure(void *buf, unsigned long n);

#endif
