/*
 * s3local.c: S3 buckets served from local folders (--s3 BUCKET=DIR), for
 * a Distributed Map's ItemReader and ResultWriter. A key is a path
 * relative to the bucket's folder ("a/b.csv"); a key that would leave the
 * folder ("..", an absolute path) does not exist. Listing walks the folder
 * in key order, as S3 returns keys. Failures are named as Step Functions
 * names an AWS SDK integration's (S3.NoSuchKeyException), with the SDK's
 * wording of S3's error as the cause.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hash.h"
#include "ids.h"
#include "s3.h"

typedef struct bucket {
    char *name, *dir;
    struct bucket *next;
} bucket;

static bucket *buckets;
static const asl_s3_client *installed, *remote;

void asl_s3_client_install(const asl_s3_client *c)
{
    installed = c;
}

int asl_s3_endpoint_option(const char *prog, const char *url)
{
    if (!installed) {
        fprintf(stderr, "%s: --s3-endpoint: this program has no S3 client; build it with aslc --s3-client "
                        "(or run the definition with aslc run)\n", prog);
        return 64;
    }
    if (remote)
        remote->close();
    remote = NULL;
    int rc = installed->open(prog, url);
    if (!rc)
        remote = installed;
    return rc;
}

int asl_s3_option(const char *prog, const char *value)
{
    const char *eq = strchr(value, '=');
    if (!eq || eq == value || !eq[1]) {
        fprintf(stderr, "%s: --s3 takes BUCKET=DIR, got '%s'\n", prog, value);
        return 64;
    }
    struct stat st;
    if (stat(eq + 1, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: --s3 %s: '%s' is not a folder\n", prog, value, eq + 1);
        return 66;
    }
    bucket *b = calloc(1, sizeof *b);
    if (!b)
        abort();
    b->name = strndup(value, (size_t)(eq - value));
    b->dir = strdup(eq + 1);
    b->next = buckets;
    buckets = b;
    return 0;
}

void asl_s3_free(void)
{
    if (remote)
        remote->close();
    remote = NULL;
    while (buckets) {
        bucket *b = buckets;
        buckets = b->next;
        free(b->name);
        free(b->dir);
        free(b);
    }
}

/* S3's error as the SDK reports it: "<message> (Service: S3, Status
 * Code: 404, Error Code: NoSuchKey, Request ID: ...)". */
void asl_s3_error(asl_err *e, int status, const char *code, const char *message, const char *request_id)
{
    char id[37];
    if (!request_id) {
        asl_uuid(id);
        id[16] = '\0';
        request_id = id;
    }
    bool modelled = !strcmp(code, "NoSuchKey") || !strcmp(code, "NoSuchBucket");
    asl_err_set(e, modelled ? (code[6] == 'K' ? "S3.NoSuchKeyException" : "S3.NoSuchBucketException")
                            : "S3.S3Exception",
                "%s (Service: S3, Status Code: %d, Error Code: %s, Request ID: %s)", message, status, code,
                request_id);
}

static void s3_error(asl_err *e, int status, const char *code, const char *message)
{
    asl_s3_error(e, status, code, message, NULL);
}

/* The folder bucket name serves, or NULL (e set: NoSuchBucket). */
static const bucket *find(const char *name, asl_err *e)
{
    for (const bucket *b = buckets; b; b = b->next)
        if (!strcmp(b->name, name))
            return b;
    s3_error(e, 404, "NoSuchBucket", "The specified bucket does not exist");
    return NULL;
}

/* Whether a bucket goes to the S3 endpoint: no folder serves it. */
static bool elsewhere(const char *name)
{
    if (!remote)
        return false;
    for (const bucket *b = buckets; b; b = b->next)
        if (!strcmp(b->name, name))
            return false;
    return true;
}

/* A key that stays inside the bucket: no empty, "." or ".." segment. */
static bool key_ok(const char *key)
{
    if (!*key || *key == '/')
        return false;
    for (const char *s = key; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        s += n;
        if (*s == '/')
            s++;
    }
    return true;
}

char *asl_s3_get(const char *bucket_name, const char *key, size_t *len, asl_err *e)
{
    if (elsewhere(bucket_name))
        return remote->get(bucket_name, key, len, e);
    const bucket *b = find(bucket_name, e);
    if (!b)
        return NULL;
    char *path = NULL;
    FILE *f = NULL;
    struct stat st;
    if (key_ok(key) && asprintf(&path, "%s/%s", b->dir, key) >= 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
        f = fopen(path, "rb");
    free(path);
    if (!f) {
        s3_error(e, 404, "NoSuchKey", "The specified key does not exist.");
        return NULL;
    }
    char *data = malloc((size_t)st.st_size + 1);
    if (!data)
        abort();
    *len = fread(data, 1, (size_t)st.st_size, f);
    data[*len] = '\0';
    fclose(f);
    return data;
}

/* ----------------------------------------------------------- listing */

typedef struct keys {
    char **v;
    size_t n, cap;
} keys;

static void walk(const char *dir, const char *rel, keys *k)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *ent; (ent = readdir(d));) {
        if (ent->d_name[0] == '.' && (!ent->d_name[1] || (ent->d_name[1] == '.' && !ent->d_name[2])))
            continue;
        char *path, *key;
        if (asprintf(&path, "%s/%s", dir, ent->d_name) < 0 ||
            asprintf(&key, "%s%s%s", rel, *rel ? "/" : "", ent->d_name) < 0)
            abort();
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(path, key, k);
            free(key);
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (k->n == k->cap && !(k->v = realloc(k->v, sizeof *k->v * (k->cap = k->cap ? 2 * k->cap : 16))))
                abort();
            k->v[k->n++] = key;
        } else {
            free(key);
        }
        free(path);
    }
    closedir(d);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One ListObjectsV2 entry, as a Distributed Map item. */
static cJSON *object_item(const bucket *b, const char *key)
{
    char *path;
    if (asprintf(&path, "%s/%s", b->dir, key) < 0)
        abort();
    size_t len = 0;
    char *data = NULL;
    FILE *f = fopen(path, "rb");
    struct stat st = {0};
    if (f && fstat(fileno(f), &st) == 0 && (data = malloc((size_t)st.st_size + 1)))
        len = fread(data, 1, (size_t)st.st_size, f);
    if (f)
        fclose(f);
    free(path);
    char md5[129], etag[140];
    asl_hash_hex(ASL_HASH_MD5, data ? data : "", len, md5);
    free(data);
    snprintf(etag, sizeof etag, "\"%s\"", md5);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Etag", etag);
    cJSON_AddStringToObject(o, "Key", key);
    cJSON_AddNumberToObject(o, "LastModified", (double)st.st_mtime);
    cJSON_AddNumberToObject(o, "Size", (double)len);
    cJSON_AddStringToObject(o, "StorageClass", "STANDARD");
    return o;
}

cJSON *asl_s3_list(const char *bucket_name, const char *prefix, asl_err *e)
{
    if (elsewhere(bucket_name))
        return remote->list(bucket_name, prefix, e);
    const bucket *b = find(bucket_name, e);
    if (!b)
        return NULL;
    keys k = {0};
    walk(b->dir, "", &k);
    if (k.n)
        qsort(k.v, k.n, sizeof *k.v, by_key);
    cJSON *items = cJSON_CreateArray();
    size_t plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < k.n; i++) {
        if (!plen || !strncmp(k.v[i], prefix, plen))
            cJSON_AddItemToArray(items, object_item(b, k.v[i]));
        free(k.v[i]);
    }
    free(k.v);
    return items;
}

/* ----------------------------------------------------------- writing */

/* Makes the folders above path (path is changed and restored). */
static int make_parents(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        int rc = mkdir(path, 0777);
        *s = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

int asl_s3_put(const char *bucket_name, const char *key, const char *data, size_t len, asl_err *e)
{
    if (elsewhere(bucket_name))
        return remote->put(bucket_name, key, data, len, e);
    const bucket *b = find(bucket_name, e);
    if (!b)
        return -1;
    if (!key_ok(key))
        return s3_error(e, 400, "InvalidArgument", "Invalid key."), -1;
    char *path;
    if (asprintf(&path, "%s/%s", b->dir, key) < 0)
        abort();
    FILE *f = make_parents(path) == 0 ? fopen(path, "wb") : NULL;
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    free(path);
    if (!ok)
        return s3_error(e, 403, "AccessDenied", "Access Denied"), -1;
    return 0;
}
