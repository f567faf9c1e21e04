/*
 * resultwriter.c: a Distributed Map's ResultWriter. With Resource
 * s3:putObject and a Bucket, the children's records go to
 * PREFIX/RUN_ID/SUCCEEDED_0.json, FAILED_0.json and PENDING_0.json (one
 * file per status that has records; AWS starts a new file past 5 GB, which
 * no local run reaches), listed by PREFIX/RUN_ID/manifest.json, and the
 * state's result is {MapRunArn, ResultWriterDetails: {Bucket, Key}}.
 * WriterConfig shapes each record: Transformation NONE (the whole
 * DescribeExecution-like record, the default with a Bucket), COMPACT (the
 * output alone, the default without) or FLATTEN (outputs that are arrays
 * spread into the list); a failed child's record is always whole.
 * OutputType JSON writes one array, JSONL a record a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmap.h"
#include "s3.h"

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void add_date(cJSON *o, const char *key, double t)
{
    char buf[40];
    asl_timestamp_format(t, buf);
    cJSON_AddStringToObject(o, key, buf);
}

/* A child's whole record (Transformation NONE). */
static cJSON *record(const asl_dmap_result *r, const char *machine_arn)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = r->status && !strcmp(r->status, "SUCCEEDED");
    if (r->status && !ok) {
        if (r->err.cause)
            cJSON_AddStringToObject(o, "Cause", r->err.cause);
        if (r->err.error)
            cJSON_AddStringToObject(o, "Error", r->err.error);
    }
    if (r->arn)
        cJSON_AddStringToObject(o, "ExecutionArn", r->arn);
    char *in = asl_json_print(r->input);
    cJSON_AddStringToObject(o, "Input", in);
    free(in);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "InputDetails"), "Included", 1);
    if (r->name)
        cJSON_AddStringToObject(o, "Name", r->name);
    if (ok) {
        char *out = asl_json_print(r->output);
        cJSON_AddStringToObject(o, "Output", out);
        free(out);
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "OutputDetails"), "Included", 1);
        cJSON_AddNumberToObject(o, "RedriveCount", 0);
        cJSON_AddStringToObject(o, "RedriveStatus", "NOT_REDRIVABLE");
        cJSON_AddStringToObject(o, "RedriveStatusReason", "Execution is SUCCEEDED and cannot be redriven");
    }
    if (r->status)
        add_date(o, "StartDate", r->start);
    cJSON_AddStringToObject(o, "StateMachineArn", machine_arn);
    cJSON_AddStringToObject(o, "Status", r->status ? r->status : "PENDING");
    if (r->status)
        add_date(o, "StopDate", r->stop);
    return o;
}

/* Appends r's record to list as transformation says. */
static void add_record(cJSON *list, const asl_dmap_result *r, const char *machine_arn, const char *transformation)
{
    bool ok = r->status && !strcmp(r->status, "SUCCEEDED");
    if (!ok || !strcmp(transformation, "NONE")) {
        cJSON_AddItemToArray(list, record(r, machine_arn));
    } else if (!strcmp(transformation, "FLATTEN") && cJSON_IsArray(r->output)) {
        for (const cJSON *e = r->output->child; e; e = e->next)
            cJSON_AddItemToArray(list, cJSON_Duplicate(e, 1));
    } else {
        cJSON_AddItemToArray(list, cJSON_Duplicate(r->output, 1));
    }
}

/* The records of one status as the file's text (JSON array or lines). */
static char *file_text(const cJSON *list, bool lines)
{
    if (!lines)
        return asl_json_print(list);
    asl_buf b = {0};
    asl_buf_puts(&b, "");
    for (const cJSON *e = list->child; e; e = e->next) {
        char *t = asl_json_print(e);
        asl_buf_puts(&b, t);
        asl_buf_putc(&b, '\n');
        free(t);
    }
    return asl_buf_take(&b);
}

/* Which file a result goes to. */
static const char *status_file(const asl_dmap_result *r)
{
    if (!r->status)
        return "PENDING";
    return !strcmp(r->status, "SUCCEEDED") ? "SUCCEEDED" : "FAILED";
}

cJSON *asl_results_write(const cJSON *writer, const char *run_arn, const char *machine_arn,
                         const asl_dmap_result *r, int n, asl_err *e)
{
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(writer, "Parameters");
    if (!args)
        args = cJSON_GetObjectItemCaseSensitive(writer, "Arguments");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(writer, "WriterConfig");
    const char *bucket = str(args, "Bucket"), *prefix = str(args, "Prefix");
    const char *transformation = str(cfg, "Transformation"), *type = str(cfg, "OutputType");
    bool to_s3 = writer && str(writer, "Resource");
    if (!transformation)
        transformation = to_s3 ? "NONE" : "COMPACT";
    bool lines = type && !strcmp(type, "JSONL");
    if (!to_s3) {
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < n; i++)
            add_record(list, &r[i], machine_arn, transformation);
        return list;
    }
    if (!bucket)
        return asl_err_set(e, "States.ResultWriterFailed", "The ResultWriter's Parameters have no Bucket."), NULL;
    /* PREFIX/RUN_ID/: the run's id is the last part of its ARN */
    const char *id = strrchr(run_arn, ':') + 1;
    asl_buf dir = {0};
    if (prefix && *prefix)
        asl_buf_printf(&dir, "%s%s", prefix, prefix[strlen(prefix) - 1] == '/' ? "" : "/");
    asl_buf_printf(&dir, "%s/", id);
    cJSON *manifest = cJSON_CreateObject();
    cJSON_AddStringToObject(manifest, "DestinationBucket", bucket);
    cJSON_AddStringToObject(manifest, "MapRunArn", run_arn);
    cJSON *files = cJSON_AddObjectToObject(manifest, "ResultFiles");
    static const char *const statuses[] = {"FAILED", "PENDING", "SUCCEEDED"};
    int rc = 0;
    for (int k = 0; k < 3 && !rc; k++) {
        cJSON *listed = cJSON_AddArrayToObject(files, statuses[k]);
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < n; i++)
            if (!strcmp(status_file(&r[i]), statuses[k]))
                add_record(list, &r[i], machine_arn, transformation);
        if (cJSON_GetArraySize(list)) {
            char *text = file_text(list, lines);
            char *key = NULL;
            if (asprintf(&key, "%s%s_0.json", dir.p, statuses[k]) < 0)
                abort();
            size_t len = strlen(text);
            rc = asl_s3_put(bucket, key, text, len, e);
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "Key", key);
            cJSON_AddNumberToObject(f, "Size", (double)len);
            cJSON_AddItemToArray(listed, f);
            free(key);
            free(text);
        }
        cJSON_Delete(list);
    }
    char *mkey = NULL;
    if (asprintf(&mkey, "%smanifest.json", dir.p) < 0)
        abort();
    asl_buf_free(&dir);
    char *mtext = asl_json_print(manifest);
    cJSON_Delete(manifest);
    if (!rc)
        rc = asl_s3_put(bucket, mkey, mtext, strlen(mtext), e);
    free(mtext);
    if (rc) {
        free(mkey);
        char *cause = e->cause ? strdup(e->cause) : NULL;
        asl_err_clear(e);
        asl_err_set(e, "States.ResultWriterFailed", "%s", cause ? cause : "");
        free(cause);
        return NULL;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "MapRunArn", run_arn);
    cJSON *d = cJSON_AddObjectToObject(out, "ResultWriterDetails");
    cJSON_AddStringToObject(d, "Bucket", bucket);
    cJSON_AddStringToObject(d, "Key", mkey);
    free(mkey);
    return out;
}
