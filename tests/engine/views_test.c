/*
 * views_test.c: a child execution's input is its own, never views of its
 * parent's input (runtime/view.c): a parent forgotten while its child
 * still runs leaves the child's input whole, even once the parent's
 * memory serves other executions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl_engine.h"

const asl_program *aslc_program(void);

#include "../harness/check.h"

static asl_exec *started(asl_engine *e, const char *name, const char *input)
{
    asl_err err = {0};
    asl_exec *x = asl_engine_start(e, "views_parent", name, input, &err);
    if (!x)
        fprintf(stderr, "start %s: %s: %s\n", name, err.error, err.cause ? err.cause : "");
    asl_err_clear(&err);
    return x;
}

int main(void)
{
    /* Real time, Waits a twentieth as long: the child is still waiting when
     * its parent has ended. */
    asl_engine_config c = {.wait_scale = 0.05};
    asl_engine *e = asl_engine_new(&c);
    CHECK(e != NULL);
    asl_engine_load(e, aslc_program(), NULL, NULL);
    const char *input = "{\"child\":\"kid\",\"doc\":{\"name\":\"a name long enough to be an allocation of its own\","
                        "\"list\":[1,2,3],\"deep\":{\"s\":\"some text\"}}}";
    asl_exec *parent = started(e, "parent", input);
    CHECK(parent != NULL);
    /* The parent ends in a few turns; its child waits a quarter second. */
    for (int i = 0; i < 10 && asl_exec_status(parent) == ASL_RUNNING; i++)
        asl_engine_step(e, NULL);
    CHECK(asl_exec_status(parent) == ASL_SUCCEEDED);
    asl_exec *child = asl_engine_find(e, "arn:aws:states:us-east-1:123456789012:execution:Later:kid");
    CHECK(child != NULL && asl_exec_status(child) == ASL_RUNNING);
    asl_engine_forget(e, parent);
    /* The parent's memory, freed, goes to other executions' values. */
    for (int i = 0; i < 50; i++) {
        char name[32], other[256];
        snprintf(name, sizeof name, "other-%d", i);
        snprintf(other, sizeof other, "{\"child\":\"kid-%d\",\"doc\":{\"name\":\"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\","
                 "\"list\":[9,9,9],\"deep\":{\"s\":\"other text\"}}}", i);
        CHECK(started(e, name, other) != NULL);
    }
    asl_engine_run(e);
    CHECK(asl_exec_status(child) == ASL_SUCCEEDED);
    char *out = asl_exec_output_json(child);
    const char *doc = "{\"name\":\"a name long enough to be an allocation of its own\",\"list\":[1,2,3],"
                      "\"deep\":{\"s\":\"some text\"}}";
    char want[512];
    snprintf(want, sizeof want, "{\"doc\":%s,\"name\":\"a name long enough to be an allocation of its own\","
             "\"whole\":{\"child\":\"kid\",\"doc\":%s}}", doc, doc);
    if (!out || strcmp(out, want))
        fprintf(stderr, "child output %s\n          want %s\n", out ? out : "(null)", want);
    CHECK(out && !strcmp(out, want));
    free(out);
    asl_engine_free(e);
    return failures ? 1 : 0;
}
