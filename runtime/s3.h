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

/* Another S3 API (--s3-endpoint): an S3 client outside libaslrt
 * (s3/s3client.c, libcurl) installs itself when a program links it; the
 * calls below go to it for every bucket no --s3 folder serves. */
typedef struct asl_s3_client {
    /* 0, or an exit status after saying what is wrong (prog: who asks) */
    int (*open)(const char *prog, const char *endpoint);
    char *(*get)(const char *bucket, const char *key, size_t *len, asl_err *e);
    cJSON *(*list)(const char *bucket, const char *prefix, asl_err *e);
    int (*put)(const char *bucket, const char *key, const char *data, size_t len, asl_err *e);
    void (*close)(void);
} asl_s3_client;
void asl_s3_client_install(const asl_s3_client *c);
/* --s3-endpoint URL: 0, or an exit status after saying what is wrong
 * (64 when the program carries no S3 client). */
int asl_s3_endpoint_option(const char *prog, const char *url);
/* S3's error (its code, message and request id; status its HTTP status) as
 * Step Functions raises it: S3.NoSuchKeyException and
 * S3.NoSuchBucketException for the errors the SDK models, S3.S3Exception
 * for the rest, with the SDK's message as the cause. */
void asl_s3_error(asl_err *e, int status, const char *code, const char *message, const char *request_id);

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
