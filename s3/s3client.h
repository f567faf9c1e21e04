/*
 * s3client.h: the S3 API client behind --s3-endpoint (s3client.c, libcurl)
 * and its reading of S3's XML answers (s3xml.c, libxml2). Linked into aslc
 * and, on request (aslc --s3-client), into compiled programs; never into
 * libaslrt.
 */
#ifndef ASL_S3CLIENT_H
#define ASL_S3CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

/* S3's error answer (<Error><Code>...</Code><Message>...</Message>
 * <RequestId>...</RequestId></Error>, or nothing: a HEAD-like 404) to a
 * request that got status, into e as Step Functions raises it. */
void s3xml_error(long status, const char *xml, size_t len, asl_err *e);

/* A ListObjectsV2 answer: its objects appended to items as a Distributed
 * Map's items ({Etag, Key, LastModified, Size, StorageClass}), *next set
 * to the NextContinuationToken (malloc'd) when the list is truncated.
 * False if it is not S3's XML. */
bool s3xml_list(const char *xml, size_t len, cJSON *items, char **next);

#endif
