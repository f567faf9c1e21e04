/*
 * s3xml.c: S3's XML answers, read with libxml2: error documents, as Step
 * Functions names the errors (asl_s3_error), and ListObjectsV2 pages, as
 * the items a Distributed Map gets (LastModified in epoch seconds, the
 * ETag with its quotes, as AWS's listObjectsV2 ItemReader gives them).
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "s3.h"
#include "s3client.h"

static xmlDoc *parse(const char *xml, size_t len)
{
    if (!xml || !len || len > 0x7fffffff)
        return NULL;
    return xmlReadMemory(xml, (int)len, "s3.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* The first child element of n called name, or NULL. */
static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

/* Its text (malloc'd, "" when empty or missing). */
static char *text(const xmlNode *n, const char *name)
{
    xmlNode *c = child(n, name);
    xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
    char *s = strdup(t ? (const char *)t : "");
    xmlFree(t);
    if (!s)
        abort();
    return s;
}

void s3xml_error(long status, const char *xml, size_t len, asl_err *e)
{
    xmlDoc *doc = parse(xml, len);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (root && !strcmp((const char *)root->name, "Error")) {
        char *code = text(root, "Code"), *msg = text(root, "Message"), *id = text(root, "RequestId");
        asl_s3_error(e, (int)status, code, msg, *id ? id : NULL);
        free(code);
        free(msg);
        free(id);
    } else {
        /* no error document: S3's codes for the bare statuses */
        const char *code = status == 404 ? "NotFound" : status == 403 ? "Forbidden" : "ServiceUnavailable";
        asl_s3_error(e, (int)status, code, status == 404 ? "Not Found" : status == 403 ? "Forbidden" : "Error", NULL);
    }
    xmlFreeDoc(doc);
}

static cJSON *object_item(const xmlNode *c)
{
    char *etag = text(c, "ETag"), *key = text(c, "Key"), *mod = text(c, "LastModified"), *size = text(c, "Size");
    char *cls = text(c, "StorageClass");
    double when = 0;
    if (!asl_timestamp_parse(mod, &when))
        when = 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Etag", etag);
    cJSON_AddStringToObject(o, "Key", key);
    cJSON_AddNumberToObject(o, "LastModified", (double)(long long)when);
    cJSON_AddNumberToObject(o, "Size", strtod(size, NULL));
    cJSON_AddStringToObject(o, "StorageClass", *cls ? cls : "STANDARD");
    free(etag);
    free(key);
    free(mod);
    free(size);
    free(cls);
    return o;
}

bool s3xml_list(const char *xml, size_t len, cJSON *items, char **next)
{
    xmlDoc *doc = parse(xml, len);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || strcmp((const char *)root->name, "ListBucketResult")) {
        xmlFreeDoc(doc);
        return false;
    }
    for (xmlNode *c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "Contents"))
            cJSON_AddItemToArray(items, object_item(c));
    char *truncated = text(root, "IsTruncated");
    *next = NULL;
    if (!strcmp(truncated, "true")) {
        *next = text(root, "NextContinuationToken");
        if (!**next) {
            free(*next);
            *next = NULL;
        }
    }
    free(truncated);
    xmlFreeDoc(doc);
    return true;
}
