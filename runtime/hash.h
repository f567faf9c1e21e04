/*
 * hash.h: the message digests States.Hash offers (MD5, SHA-1, SHA-256,
 * SHA-384, SHA-512), written here so the runtime needs no crypto library.
 */
#ifndef ASL_HASH_H
#define ASL_HASH_H

#include <stddef.h>

typedef enum asl_hash_alg {
    ASL_HASH_MD5,
    ASL_HASH_SHA1,
    ASL_HASH_SHA256,
    ASL_HASH_SHA384,
    ASL_HASH_SHA512,
} asl_hash_alg;

/* Longest digest as hex text, with its terminating NUL. */
#define ASL_HASH_HEX_MAX 129

/* The algorithm AWS calls name ("MD5", "SHA-1", "SHA-256", "SHA-384",
 * "SHA-512", spelled exactly so), or -1. */
int asl_hash_lookup(const char *name);

/* Writes the digest of data[0..n) as lowercase hex into hex (at least
 * ASL_HASH_HEX_MAX bytes), NUL-terminated. */
void asl_hash_hex(asl_hash_alg alg, const void *data, size_t n, char *hex);

#endif
