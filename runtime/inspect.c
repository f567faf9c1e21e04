/*
 * inspect.c: the values a state passes through, as TestState's
 * inspectionData names them (input, afterInputPath, afterParameters,
 * result, afterResultSelector, afterResultPath, variables, errorDetails).
 *
 * Only when an observer asked for them (ASL_OBSERVE_INSPECTION): io.c notes
 * each value as the state computes it, and when the state is left (or
 * fails) the frame sends them as one "StateInspection" event. That event is
 * not part of the history: it has id 0 and takes no event id, so the ids
 * that AWS's causes quote stay as AWS numbers them.
 */
#include <stdlib.h>

#include "exec.h"

void asl_inspect_note(asl_frame *f, const char *key, const cJSON *v)
{
    if (!v)
        return;
    if (!f->inspect)
        f->inspect = cJSON_CreateObject();
    char *text = asl_json_print(v);
    cJSON_DeleteItemFromObjectCaseSensitive(f->inspect, key);
    cJSON_AddStringToObject(f->inspect, key, text);
    free(text);
}

void asl_inspect_flush(asl_frame *f, const asl_err *err)
{
    if (!f->inspect && !(err && asl_engine_wants_inspection()))
        return;
    cJSON *d = f->inspect ? f->inspect : cJSON_CreateObject();
    f->inspect = NULL;
    cJSON_AddStringToObject(d, "stateName", f->graph->states[f->state].name);
    if (f->vars) {
        char *text = asl_json_print(f->vars);
        cJSON_AddStringToObject(d, "variables", text);
        free(text);
    }
    if (err && err->error) {
        cJSON *e = cJSON_AddObjectToObject(d, "errorDetails");
        cJSON_AddStringToObject(e, "error", err->error);
        if (err->cause)
            cJSON_AddStringToObject(e, "cause", err->cause);
    }
    asl_engine_emit(f->exec, 0, f->src, "StateInspection", asl_now(), d);
    cJSON_Delete(d);
}
