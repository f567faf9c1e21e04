/*
 * itemreader.c: a Distributed Map's ItemReader. s3:listObjectsV2 gives
 * one item per object under Prefix; s3:getObject reads one object as
 * ReaderConfig.InputType says: JSON (an array), JSONL (a value a line),
 * CSV (a row an object of strings, named by the first row or by
 * CSVHeaders; CSVDelimiter COMMA, PIPE, SEMICOLON, SPACE or TAB; quoted
 * fields as RFC 4180 writes them) or MANIFEST (an S3 Inventory
 * manifest.json: every row of the CSV files it lists, gzip or not, named
 * by its fileSchema). MaxItems keeps the first items.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dmap.h"
#include "s3.h"

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int reader_failed(asl_err *e, const char *fmt, const char *arg)
{
    return asl_err_set(e, "States.ItemReaderFailed", fmt, arg);
}

/* ---------------------------------------------------------------- CSV */

/* The fields of the line at *p (advanced past it), in a new array of
 * strings; NULL at the end of the text. */
static cJSON *csv_row(const char **p, char delim)
{
    const char *s = *p;
    if (!*s)
        return NULL;
    cJSON *row = cJSON_CreateArray();
    asl_buf b = {0};
    for (;;) {
        asl_buf_puts(&b, "");
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"')
                    s++;
                asl_buf_putc(&b, *s);
            }
            if (*s == '"')
                s++;
        }
        while (*s && *s != delim && *s != '\n' && *s != '\r')
            asl_buf_putc(&b, *s++);
        cJSON_AddItemToArray(row, cJSON_CreateString(b.p));
        asl_buf_free(&b);
        b = (asl_buf){0};
        if (*s != delim)
            break;
        s++;
    }
    if (*s == '\r')
        s++;
    if (*s == '\n')
        s++;
    *p = s;
    return row;
}

static char delimiter(const cJSON *cfg)
{
    static const struct {
        const char *name;
        char c;
    } names[] = {{"COMMA", ','}, {"PIPE", '|'}, {"SEMICOLON", ';'}, {"SPACE", ' '}, {"TAB", '\t'}};
    const char *d = str(cfg, "CSVDelimiter");
    for (size_t i = 0; d && i < sizeof names / sizeof *names; i++)
        if (!strcmp(d, names[i].name))
            return names[i].c;
    return ',';
}

/* Rows of text as objects named by headers (taken: NULL means the first
 * row), appended to items; max > 0 stops there. */
static void csv_items(const char *text, char delim, cJSON *headers, cJSON *items, long max)
{
    const char *p = text;
    if (!headers)
        headers = csv_row(&p, delim);
    for (cJSON *row; (max <= 0 || cJSON_GetArraySize(items) < max) && (row = csv_row(&p, delim));) {
        if (cJSON_GetArraySize(row) == 1 && !row->child->valuestring[0]) {
            cJSON_Delete(row); /* a blank line */
            continue;
        }
        cJSON *o = cJSON_CreateObject();
        const cJSON *h = headers ? headers->child : NULL;
        for (const cJSON *v = row->child; v && h; v = v->next, h = h->next)
            cJSON_AddStringToObject(o, cJSON_IsString(h) ? h->valuestring : "", v->valuestring);
        for (; h; h = h->next)
            cJSON_AddStringToObject(o, cJSON_IsString(h) ? h->valuestring : "", "");
        cJSON_AddItemToArray(items, o);
        cJSON_Delete(row);
    }
    cJSON_Delete(headers);
}

/* ------------------------------------------------------------- gzip */

/* text, inflated when it is gzip (free the result; NULL when it is not
 * gzip or does not inflate). */
static char *gunzip(const char *data, size_t len)
{
    if (len < 2 || (unsigned char)data[0] != 0x1f || (unsigned char)data[1] != 0x8b)
        return NULL;
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return NULL;
    size_t cap = len * 4 + 64, used = 0;
    char *out = malloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    int rc;
    do {
        if (cap - used < 2 && !(out = realloc(out, cap *= 2)))
            abort();
        z.next_out = (Bytef *)out + used;
        z.avail_out = (uInt)(cap - used - 1);
        rc = inflate(&z, Z_NO_FLUSH);
        used = cap - 1 - z.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    out[used] = '\0';
    return out;
}

/* ---------------------------------------------------------- readers */

static int json_items(const char *text, bool lines, cJSON *items, asl_err *e)
{
    if (!lines) {
        cJSON *v = asl_json_parse(text);
        if (!cJSON_IsArray(v)) {
            cJSON_Delete(v);
            return reader_failed(e, "%s", "Attempting to map over non-iterable node."), -1;
        }
        for (cJSON *c; (c = cJSON_DetachItemFromArray(v, 0));)
            cJSON_AddItemToArray(items, c);
        cJSON_Delete(v);
        return 0;
    }
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        cJSON *v = line[strspn(line, " \t\r")] ? asl_json_parse(line) : NULL;
        if (!v && line[strspn(line, " \t\r")]) {
            reader_failed(e, "The JSONL line is not valid JSON: %.200s", line);
            free(line);
            return -1;
        }
        free(line);
        if (v)
            cJSON_AddItemToArray(items, v);
        p += n + (p[n] == '\n');
    }
    return 0;
}

/* An S3 Inventory manifest: the rows of the files it lists. */
static int manifest_items(const char *bucket, const char *text, cJSON *items, long max, asl_err *e)
{
    cJSON *m = asl_json_parse(text);
    const char *schema = str(m, "fileSchema"), *src = str(m, "destinationBucket");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files");
    if (!schema || !cJSON_IsArray(files)) {
        cJSON_Delete(m);
        return reader_failed(e, "%s", "The manifest has no fileSchema or files."), -1;
    }
    /* "Bucket, Key, Size" names the columns; the files have no header */
    cJSON *names = cJSON_CreateArray();
    for (const char *p = schema; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, ",");
        size_t k = n;
        while (k && p[k - 1] == ' ')
            k--;
        char *name = strndup(p, k);
        cJSON_AddItemToArray(names, cJSON_CreateString(name));
        free(name);
        p += n + (p[n] == ',');
    }
    /* destinationBucket is an ARN (arn:aws:s3:::NAME); the files are there */
    if (src && !strncmp(src, "arn:aws:s3:::", 13))
        src += 13;
    int rc = 0;
    for (const cJSON *f = files->child; f && !rc && (max <= 0 || cJSON_GetArraySize(items) < max); f = f->next) {
        size_t len;
        char *data = asl_s3_get(src ? src : bucket, str(f, "key") ? str(f, "key") : "", &len, e);
        if (!data) {
            rc = -1;
            break;
        }
        char *plain = gunzip(data, len);
        csv_items(plain ? plain : data, ',', cJSON_Duplicate(names, 1), items, max);
        free(plain);
        free(data);
    }
    cJSON_Delete(names);
    cJSON_Delete(m);
    return rc;
}

static long max_items(const cJSON *cfg)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, "MaxItems");
    return cJSON_IsNumber(v) && v->valuedouble > 0 ? (long)v->valuedouble : 0;
}

cJSON *asl_items_read(const cJSON *reader, asl_err *e)
{
    const char *resource = str(reader, "Resource");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(reader, "ReaderConfig");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(reader, "Parameters");
    if (!args)
        args = cJSON_GetObjectItemCaseSensitive(reader, "Arguments");
    const char *bucket = str(args, "Bucket");
    long max = max_items(cfg);
    if (!bucket)
        return reader_failed(e, "%s", "The ItemReader's Parameters have no Bucket."), NULL;
    if (resource && !strcmp(resource, "arn:aws:states:::s3:listObjectsV2")) {
        cJSON *items = asl_s3_list(bucket, str(args, "Prefix"), e);
        while (items && max > 0 && cJSON_GetArraySize(items) > max)
            cJSON_DeleteItemFromArray(items, cJSON_GetArraySize(items) - 1);
        return items;
    }
    const char *key = str(args, "Key"), *type = str(cfg, "InputType");
    if (!key)
        return reader_failed(e, "%s", "The ItemReader's Parameters have no Key."), NULL;
    size_t len;
    char *text = asl_s3_get(bucket, key, &len, e);
    if (!text)
        return NULL;
    cJSON *items = cJSON_CreateArray();
    int rc = 0;
    if (type && !strcmp(type, "CSV")) {
        const char *loc = str(cfg, "CSVHeaderLocation");
        cJSON *given = loc && !strcmp(loc, "GIVEN")
                           ? cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cfg, "CSVHeaders"), 1)
                           : NULL;
        csv_items(text, delimiter(cfg), given, items, max);
    } else if (type && !strcmp(type, "MANIFEST")) {
        rc = manifest_items(bucket, text, items, max, e);
    } else {
        rc = json_items(text, type && !strcmp(type, "JSONL"), items, e);
    }
    free(text);
    if (rc < 0) {
        cJSON_Delete(items);
        return NULL;
    }
    while (max > 0 && cJSON_GetArraySize(items) > max)
        cJSON_DeleteItemFromArray(items, cJSON_GetArraySize(items) - 1);
    return items;
}
