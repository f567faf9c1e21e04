/*
 * s3.h: Amazon S3 as a Distributed Map reads and writes it, served from
 * local folders (--s3 BUCKET=DIR): an object's key is its path relative to
 * the bucket's folder. Failures are S3's: the error code (NoSuchBucket,
 * NoSuchKey, ...) and the cause text the AWS SDK gives.
 */
#ifndef ASL_S3_H
#define ASL_S3_H

#include <stddef.h>

#include "internal.h"

/* --s3 BUCKET=DIR: 0, or 64 after saying what is wrong. */
int asl_s3_option(const char *prog, const char *value);
/* Forgets every bucket. */
void asl_s3_free(void);

/* An object's bytes (malloc'd, NUL-terminated; *len without the NUL), or
 * NULL with e set (error: S3's code, cause: the SDK's message). */
char *asl_s3_get(const char *bucket, const char *key, size_t *len, asl_err *e);
/* ListObjectsV2 of every key under prefix (NULL: all), in key order, as
 * the items a Distributed Map gets: {Etag, Key, LastModified, Size,
 * StorageClass}. NULL with e set. */
cJSON *asl_s3_list(const char *bucket, const char *prefix, asl_err *e);
/* Writes an object (making the folders of its key); -1 with e set. */
int asl_s3_put(const char *bucket, const char *key, const char *data, size_t len, asl_err *e);

#endif
