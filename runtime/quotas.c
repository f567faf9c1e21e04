/*
 * quotas.c: AWS Step Functions' execution quotas (see quotas.h): payload
 * sizes measured as AWS measures them, in bytes of compact UTF-8 JSON, and
 * the history event limit, which leaves room for the final event so that a
 * failing execution's history holds exactly the limit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotas.h"

asl_limits asl_limit = {.history_events = 25000, .payload_bytes = 262144};

/* Bytes of s as a JSON string literal (asl_json_write_string's escapes). */
static size_t string_size(const char *s)
{
    size_t n = 2;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            n++;
        else if (*p == '"' || *p == '\\' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\b' || *p == '\f')
            n += 2;
        else
            n += 6;
    }
    return n;
}

static size_t size_in(const cJSON *v, size_t n, size_t stop)
{
    if (!v)
        return n + 4;
    char num[32];
    switch (v->type & 0xff) {
    case cJSON_False: return n + 5;
    case cJSON_True: return n + 4;
    case cJSON_Number: return n + asl_json_format_number(v->valuedouble, num);
    case cJSON_String: return n + string_size(v->valuestring ? v->valuestring : "");
    case cJSON_Raw: return n + (v->valuestring ? strlen(v->valuestring) : 4);
    case cJSON_Array:
    case cJSON_Object: break;
    default: return n + 4;
    }
    bool obj = cJSON_IsObject(v);
    n += 2;
    for (const cJSON *c = v->child; c && n <= stop; c = c->next) {
        if (c != v->child)
            n++;
        if (obj)
            n += string_size(c->string ? c->string : "") + 1;
        n = size_in(c, n, stop);
    }
    return n;
}

size_t asl_json_size(const cJSON *v, size_t stop)
{
    return size_in(v, 0, stop);
}

/* An upper bound of asl_json_size, cheap enough for every transition: no
 * number is formatted (none prints longer than 24 bytes). Strings count
 * first as if every byte took its longest escape (strlen is the cheapest
 * walk); a document past the limit that way is bounded again with exact
 * string sizes, and measured exactly only if that passes the limit too:
 * a 100 KB input otherwise passed 256 KiB and was measured, a printf per
 * number, at every start. */
static size_t bound_in(const cJSON *v, size_t n, size_t stop, bool exact)
{
    switch (v->type & 0xff) {
    case cJSON_Number: return n + 24;
    case cJSON_String:
        if (exact)
            return n + string_size(v->valuestring ? v->valuestring : "");
        return n + 2 + 6 * (v->valuestring ? strlen(v->valuestring) : 0);
    case cJSON_Raw: return n + (v->valuestring ? strlen(v->valuestring) : 4);
    case cJSON_Array:
    case cJSON_Object: break;
    default: return n + 5;
    }
    n += 2;
    for (const cJSON *c = v->child; c && n <= stop; c = c->next) {
        size_t key = !c->string ? 0 : exact ? 1 + string_size(c->string) : 3 + 6 * strlen(c->string);
        n = bound_in(c, n + 1 + key, stop, exact);
    }
    return n;
}

static size_t bound(const cJSON *v, size_t stop)
{
    size_t n = bound_in(v, 0, stop, false);
    return n <= stop ? n : bound_in(v, 0, stop, true);
}

bool asl_payload_text_over(size_t len)
{
    return asl_limit.payload_bytes && len > asl_limit.payload_bytes;
}

size_t asl_json_size_bound(const cJSON *v, size_t stop)
{
    if (v && (v->type & 0xff) == cJSON_String && v->valuestring) {
        /* (a $$ text or a token, the commonest alone: no walk) */
        size_t n = 2 + 6 * strlen(v->valuestring);
        if (n <= stop)
            return n;
    }
    return v ? bound(v, stop) : 4;
}

bool asl_output_over(asl_frame *f, const cJSON *output)
{
    size_t limit = asl_limit.payload_bytes, bound = f->out_bound;
    f->out_bound = 0;
    if (!limit || (bound && bound <= limit)) {
        f->data_bound = bound;
        return false;
    }
    size_t n = asl_json_size(output, limit);
    f->data_bound = n;
    return n > limit;
}

size_t asl_payload_size(const cJSON *v)
{
    size_t n = asl_json_size_bound(v, asl_limit.payload_bytes);
    if (asl_limit.payload_bytes && n > asl_limit.payload_bytes)
        n = asl_json_size(v, asl_limit.payload_bytes);
    return n;
}

bool asl_payload_over(const cJSON *v)
{
    size_t limit = asl_limit.payload_bytes;
    if (!limit || !v || bound(v, limit) <= limit)
        return false;
    return asl_json_size(v, limit) > limit;
}

asl_step asl_fail_data_limit(asl_frame *f, const char *what, cJSON *output)
{
    cJSON_Delete(output);
    asl_err_set(&f->err, "States.DataLimitExceeded",
                "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.",
                what);
    return ASL_STEP_FAIL;
}

void asl_limit_validation_cause(asl_buf *b, const char *field, size_t limit)
{
    asl_buf_printf(b, "1 validation error detected: Value at '%s' failed to satisfy constraint: "
                      "Member must have length less than or equal to %zu", field, limit);
}

/* The events that end an execution always fit: the limit leaves room. */
bool asl_history_over(asl_exec *x, const char *type)
{
    /* Express executions keep no history, so its quota does not bind them. */
    if (!asl_limit.history_events || x->machine->express || x->events + 1 < asl_limit.history_events ||
        !strncmp(type, "Execution", 9))
        return false;
    x->over_limit = true;
    return true;
}

void asl_history_limit_cause(asl_buf *b)
{
    asl_buf_printf(b, "The execution reached the maximum number of history events (%ld).", asl_limit.history_events);
}

int asl_limit_option(const char *prog, const char *option, const char *value)
{
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (!*value || *end || n < 0 || errno || n > 1000000000000LL) {
        fprintf(stderr, "%s: %s expects a number (0 for no limit), got '%s'\n(try --help)\n", prog, option, value);
        return 64;
    }
    if (!strcmp(option, "--max-history-events"))
        asl_limit.history_events = (long)n;
    else
        asl_limit.payload_bytes = (size_t)n;
    return 0;
}
