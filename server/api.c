/*
 * api.c: requests checked against the Step Functions API model. The model
 * (server/sfn_api.json, from botocore's service-2.json by
 * scripts/gen-sfn-api) is embedded in aslc and parsed on first use. A
 * member of the wrong JSON type is a SerializationException; a missing
 * required member, a string too short or too long, a number out of range or
 * a value outside an enum is a ValidationException worded as AWS words it
 * ("1 validation error detected: Value null at 'stateMachineArn' failed to
 * satisfy constraint: Member must not be null"). Unknown members are
 * ignored, as AWS's JSON protocol does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"
#include "internal.h"
#include "server.h"

extern const char aslc_sfn_api_text[];

static cJSON *model;

static const cJSON *shape(const char *name)
{
    const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(model, "shapes");
    return cJSON_GetObjectItemCaseSensitive(shapes, name);
}

static const char *field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool number_of(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v))
        return false;
    *out = v->valuedouble;
    return true;
}

/* What the checks found: the first serialization problem, or every
 * constraint that failed. */
typedef struct problems {
    char *serialization;
    asl_buf validation;
    int nvalidation;
} problems;

static void violated(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violated(problems *p, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (p->nvalidation++)
        asl_buf_puts(&p->validation, "; ");
    asl_buf_puts(&p->validation, buf);
}

static void wrong_type(problems *p, const char *path, const char *want)
{
    if (p->serialization)
        return;
    char buf[512];
    snprintf(buf, sizeof buf, "Expected %s for member '%s'", want, path);
    p->serialization = strdup(buf);
}

/* Characters (code points) of UTF-8 text: AWS's lengths count them. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The value as AWS quotes it in a message, cut short. */
static const char *quoted(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsString(v))
        snprintf(buf, n, "%.60s%s", v->valuestring, strlen(v->valuestring) > 60 ? "..." : "");
    else
        asl_json_format_number(v->valuedouble, buf); /* buf holds at least 32 bytes */
    return buf;
}

static void check_value(problems *p, const char *path, const cJSON *sh, const cJSON *v);

static void check_enum(problems *p, const char *path, const cJSON *sh, const cJSON *v)
{
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(sh, "enum");
    if (!en)
        return;
    for (const cJSON *e = en->child; e; e = e->next)
        if (!strcmp(e->valuestring, v->valuestring))
            return;
    asl_buf set = {0};
    for (const cJSON *e = en->child; e; e = e->next) {
        asl_buf_puts(&set, e == en->child ? "" : ", ");
        asl_buf_puts(&set, e->valuestring);
    }
    char q[80];
    violated(p, "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
             quoted(v, q, sizeof q), path, set.p);
    asl_buf_free(&set);
}

static void check_string(problems *p, const char *path, const cJSON *sh, const cJSON *v)
{
    if (!cJSON_IsString(v)) {
        wrong_type(p, path, "a string");
        return;
    }
    double min, max;
    size_t n = chars(v->valuestring);
    char q[80];
    if (number_of(sh, "min", &min) && (double)n < min)
        violated(p, "Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or "
                 "equal to %.0f", quoted(v, q, sizeof q), path, min);
    if (number_of(sh, "max", &max) && (double)n > max)
        violated(p, "Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or "
                 "equal to %.0f", quoted(v, q, sizeof q), path, max);
    check_enum(p, path, sh, v);
}

static void check_number(problems *p, const char *path, const cJSON *sh, const cJSON *v, bool integer)
{
    if (!cJSON_IsNumber(v) || (integer && v->valuedouble != (double)(long long)v->valuedouble)) {
        wrong_type(p, path, integer ? "an integer" : "a number");
        return;
    }
    double min, max;
    char q[80];
    if (number_of(sh, "min", &min) && v->valuedouble < min)
        violated(p, "Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or "
                 "equal to %.0f", quoted(v, q, sizeof q), path, min);
    if (number_of(sh, "max", &max) && v->valuedouble > max)
        violated(p, "Value '%s' at '%s' failed to satisfy constraint: Member must have value less than or "
                 "equal to %.0f", quoted(v, q, sizeof q), path, max);
}

static void check_structure(problems *p, const char *path, const cJSON *sh, const cJSON *v)
{
    if (!cJSON_IsObject(v)) {
        wrong_type(p, path, "an object");
        return;
    }
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(sh, "members");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(sh, "required");
    for (const cJSON *r = req ? req->child : NULL; r; r = r->next) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, r->valuestring);
        if (!m || cJSON_IsNull(m))
            violated(p, "Value null at '%s%s%s' failed to satisfy constraint: Member must not be null", path,
                     *path ? "." : "", r->valuestring);
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        const char *sub = field(members, m->string);
        if (!sub || cJSON_IsNull(m))
            continue;
        char *mpath = srv_printf("%s%s%s", path, *path ? "." : "", m->string);
        check_value(p, mpath, shape(sub), m);
        free(mpath);
    }
}

static void check_list(problems *p, const char *path, const cJSON *sh, const cJSON *v)
{
    if (!cJSON_IsArray(v)) {
        wrong_type(p, path, "a list");
        return;
    }
    int i = 1;
    const cJSON *member = shape(field(sh, "member"));
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        char *epath = srv_printf("%s.%d.member", path, i);
        check_value(p, epath, member, e);
        free(epath);
    }
    double max;
    if (number_of(sh, "max", &max) && (double)(i - 1) > max)
        violated(p, "Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %.0f",
                 path, max);
}

static void check_value(problems *p, const char *path, const cJSON *sh, const cJSON *v)
{
    const char *type = field(sh, "type");
    if (!type)
        return;
    if (!strcmp(type, "structure"))
        check_structure(p, path, sh, v);
    else if (!strcmp(type, "string"))
        check_string(p, path, sh, v);
    else if (!strcmp(type, "integer") || !strcmp(type, "long"))
        check_number(p, path, sh, v, true);
    else if (!strcmp(type, "float") || !strcmp(type, "double"))
        check_number(p, path, sh, v, false);
    else if (!strcmp(type, "boolean") && !cJSON_IsBool(v))
        wrong_type(p, path, "a boolean");
    else if (!strcmp(type, "list"))
        check_list(p, path, sh, v);
    else if (!strcmp(type, "map") && !cJSON_IsObject(v))
        wrong_type(p, path, "an object");
}

bool api_check(const char *action, const cJSON *in, const char **type, char **msg)
{
    if (!model && !(model = cJSON_Parse(aslc_sfn_api_text)))
        abort(); /* the embedded model is built in: a bad one is a build bug */
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(model, "operations"), action);
    if (!op) {
        *type = "UnknownOperationException";
        *msg = NULL;
        return false;
    }
    const char *input = field(op, "input");
    if (!input)
        return true;
    problems p = {0};
    check_value(&p, "", shape(input), in);
    if (p.serialization) {
        *type = "SerializationException";
        *msg = p.serialization;
        asl_buf_free(&p.validation);
        return false;
    }
    if (p.nvalidation) {
        *type = "ValidationException";
        *msg = srv_printf("%d validation error%s detected: %s", p.nvalidation, p.nvalidation > 1 ? "s" : "",
                          p.validation.p);
        asl_buf_free(&p.validation);
        return false;
    }
    return true;
}

void api_free(void)
{
    cJSON_Delete(model);
    model = NULL;
}
