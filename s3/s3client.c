/*
 * s3client.c: --s3-endpoint URL, the S3 API of another server (LocalStack,
 * MinIO, s3rver, AWS itself) for a Distributed Map's ItemReader and
 * ResultWriter, through libcurl: path-style addresses (URL/BUCKET/KEY),
 * requests signed with Signature Version 4 by libcurl (CURLOPT_AWS_SIGV4)
 * from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
 * AWS_REGION (or AWS_DEFAULT_REGION; us-east-1); no credentials: requests
 * go unsigned. S3's answers are read by s3xml.c.
 *
 * Not part of libaslrt: aslc links this file, and a compiled program only
 * when built with aslc --s3-client (libaslrt_s3.a, whole, and -lcurl). It
 * installs itself into the runtime (asl_s3_client_install) when the
 * program loads, so nothing in libaslrt names libcurl.
 *
 * Calls are blocking (60 s at most each): the engine waits for S3 while a
 * Map Run reads its items or writes its results.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "s3.h"
#include "s3client.h"

static struct {
    char *endpoint, *region, *userpwd, *sigv4, *token;
} cfg;

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int s3c_open(const char *prog, const char *endpoint)
{
    if (strncmp(endpoint, "http://", 7) && strncmp(endpoint, "https://", 8)) {
        fprintf(stderr, "%s: --s3-endpoint takes an http:// or https:// URL, got '%s'\n", prog, endpoint);
        return 64;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "%s: --s3-endpoint: libcurl could not start\n", prog);
        return 70;
    }
    size_t n = strlen(endpoint);
    while (n > 0 && endpoint[n - 1] == '/')
        n--;
    cfg.endpoint = strndup(endpoint, n);
    const char *region = env("AWS_REGION") ? env("AWS_REGION") : env("AWS_DEFAULT_REGION");
    cfg.region = strdup(region ? region : "us-east-1");
    const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
    if (id && secret) {
        if (asprintf(&cfg.userpwd, "%s:%s", id, secret) < 0 ||
            asprintf(&cfg.sigv4, "aws:amz:%s:s3", cfg.region) < 0)
            abort();
    }
    if (env("AWS_SESSION_TOKEN") && asprintf(&cfg.token, "x-amz-security-token: %s", env("AWS_SESSION_TOKEN")) < 0)
        abort();
    return 0;
}

static void s3c_close(void)
{
    free(cfg.endpoint);
    free(cfg.region);
    free(cfg.userpwd);
    free(cfg.sigv4);
    free(cfg.token);
    memset(&cfg, 0, sizeof cfg);
    curl_global_cleanup();
}

/* ------------------------------------------------------------ requests */

typedef struct buf {
    char *data;
    size_t len;
} buf;

static size_t take(char *p, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    char *grown = realloc(b->data, b->len + size * n + 1);
    if (!grown)
        return 0;
    b->data = grown;
    memcpy(b->data + b->len, p, size * n);
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}

/* A key's path: every byte but unreserved ones and '/' escaped, as S3's
 * canonical URI wants it (libcurl signs the path as it is sent). */
static char *key_path(const char *key)
{
    char *out = malloc(strlen(key) * 3 + 1), *o = out;
    if (!out)
        abort();
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return out;
}

/* One request: method on /bucket[/key][?query] with body (may be NULL).
 * The HTTP status, and the answer in *out; 0 when S3 could not be reached
 * (e set: S3.SdkClientException). */
static long s3c_request(const char *method, const char *bucket, const char *key, const char *query, const char *body,
                 size_t len, buf *out, asl_err *e)
{
    char *path = key ? key_path(key) : NULL, *url;
    if (asprintf(&url, "%s/%s%s%s%s%s", cfg.endpoint, bucket, path ? "/" : "", path ? path : "", query ? "?" : "",
                 query ? query : "") < 0)
        abort();
    free(path);
    CURL *c = curl_easy_init();
    if (!c)
        abort();
    char hash[65], header[100];
    asl_hash_hex(ASL_HASH_SHA256, body ? body : "", body ? len : 0, hash);
    snprintf(header, sizeof header, "x-amz-content-sha256: %s", hash);
    struct curl_slist *h = curl_slist_append(NULL, header);
    if (cfg.token)
        h = curl_slist_append(h, cfg.token);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        h = curl_slist_append(h, "Content-Type: application/octet-stream");
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (cfg.sigv4) {
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, cfg.sigv4);
        curl_easy_setopt(c, CURLOPT_USERPWD, cfg.userpwd);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        asl_err_set(e, "S3.SdkClientException", "Unable to execute HTTP request: %s (%s)", curl_easy_strerror(rc),
                    url);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(url);
    return status;
}

/* The answer of a request that failed with status, as S3's error. */
static void failed(long status, buf *b, asl_err *e)
{
    if (status)
        s3xml_error(status, b->data, b->len, e);
    free(b->data);
}

/* ------------------------------------------------------------ the API */

static char *s3c_get(const char *bucket, const char *key, size_t *len, asl_err *e)
{
    buf b = {0};
    long status = s3c_request("GET", bucket, key, NULL, NULL, 0, &b, e);
    if (status != 200)
        return failed(status, &b, e), NULL;
    if (!b.data && !(b.data = calloc(1, 1)))
        abort();
    *len = b.len;
    return b.data;
}

static int s3c_put(const char *bucket, const char *key, const char *data, size_t len, asl_err *e)
{
    buf b = {0};
    long status = s3c_request("PUT", bucket, key, NULL, data, len, &b, e);
    if (status != 200)
        return failed(status, &b, e), -1;
    free(b.data);
    return 0;
}

static cJSON *s3c_list(const char *bucket, const char *prefix, asl_err *e)
{
    cJSON *items = cJSON_CreateArray();
    char *next = NULL;
    CURL *esc = curl_easy_init();
    if (!esc)
        abort();
    do {
        char *p = prefix ? curl_easy_escape(esc, prefix, 0) : NULL, *t = next ? curl_easy_escape(esc, next, 0) : NULL;
        char *query;
        /* the query's parameters in name order, as the signature wants */
        if (asprintf(&query, "%s%s%slist-type=2%s%s", t ? "continuation-token=" : "", t ? t : "", t ? "&" : "",
                     p ? "&prefix=" : "", p ? p : "") < 0)
            abort();
        curl_free(p);
        curl_free(t);
        free(next);
        next = NULL;
        buf b = {0};
        long status = s3c_request("GET", bucket, NULL, query, NULL, 0, &b, e);
        free(query);
        if (status != 200) {
            failed(status, &b, e);
            cJSON_Delete(items);
            items = NULL;
            break;
        }
        bool ok = s3xml_list(b.data, b.len, items, &next);
        free(b.data);
        if (!ok) {
            asl_err_set(e, "S3.SdkClientException", "Unable to unmarshall response (the ListObjectsV2 answer of "
                                                    "bucket '%s' is not S3's XML)", bucket);
            cJSON_Delete(items);
            items = NULL;
            break;
        }
    } while (next);
    free(next);
    curl_easy_cleanup(esc);
    return items;
}

static const asl_s3_client client = {s3c_open, s3c_get, s3c_list, s3c_put, s3c_close};

/* A constructor, so that linking this file is all a program does to have
 * the client (libaslrt cannot name it: it would pull libcurl in). */
__attribute__((constructor)) static void s3c_install(void)
{
    asl_s3_client_install(&client);
}
