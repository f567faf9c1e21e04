/*
 * maprun_test.c: the Map Run calls of the embedding API (asl_engine.h):
 * a Distributed Map's run found by ARN and listed, described with its
 * counts as they move, updated while it runs (more children start at
 * once), ended by stopping its execution (its children aborted), and
 * refused an update once over. Its children know their run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl_engine.h"

const asl_program *aslc_program(void);

#include "../harness/check.h"

static void drive(asl_engine *e)
{
    asl_engine_wait w;
    while (asl_engine_step(e, &w) > 0 && w.deadline == 0)
        ;
}

/* Whether the run's description holds text. */
static bool described(const asl_map_run *r, const char *text)
{
    char *d = asl_map_run_describe_json(r);
    bool found = d && strstr(d, text);
    if (!found)
        fprintf(stderr, "not in %s: %s\n", d ? d : "(null)", text);
    free(d);
    return found;
}

int main(void)
{
    asl_engine_config c = {.record_history = true, .wait_scale = 1};
    asl_engine *e = asl_engine_new(&c);
    CHECK(e != NULL);
    asl_engine_load(e, aslc_program(), NULL, NULL);
    CHECK(asl_engine_map_runs(e) == NULL);
    asl_err err = {0};
    asl_exec *x = asl_engine_start(e, "maprun", "parent", "{\"items\":[1,2,3]}", &err);
    CHECK(x != NULL);
    drive(e);

    asl_map_run *r = asl_engine_map_runs(e);
    CHECK(r != NULL && asl_map_run_next(r) == NULL);
    const char *arn = asl_map_run_arn(r);
    CHECK(!strncmp(arn, "arn:aws:states:us-east-1:123456789012:mapRun:maprun/Slow:", 57));
    CHECK(asl_engine_map_run(e, arn) == r && asl_engine_map_run(e, "arn:nope") == NULL);
    CHECK(!strcmp(asl_map_run_execution_arn(r), asl_exec_arn(x)));
    CHECK(!strcmp(asl_map_run_machine_arn(r), asl_exec_machine_arn(x)));
    CHECK(asl_map_run_start_date(r) > 0 && asl_map_run_stop_date(r) == 0);
    CHECK(described(r, "\"status\":\"RUNNING\""));
    CHECK(described(r, "\"maxConcurrency\":1,\"toleratedFailurePercentage\":0,\"toleratedFailureCount\":0"));
    CHECK(described(r, "\"executionCounts\":{\"pending\":2,\"running\":1,\"succeeded\":0"));

    int children = 0;
    for (asl_exec *k = asl_engine_executions(e); k; k = asl_exec_next(k)) {
        if (k == x) {
            CHECK(asl_exec_map_run_arn(k) == NULL);
            continue;
        }
        children++;
        CHECK(asl_exec_map_run_arn(k) && !strcmp(asl_exec_map_run_arn(k), arn));
        CHECK(asl_exec_item_count(k) == 1);
        char *d = asl_exec_describe_json(k);
        CHECK(d && strstr(d, "\"mapRunArn\":"));
        free(d);
    }
    CHECK(children == 1);

    /* Nothing to change; then more concurrency: every child starts. */
    CHECK(!asl_map_run_update(e, r, -1, -1, -1, &err));
    CHECK(err.error && !strcmp(err.error, "ValidationException"));
    asl_err_clear(&err);
    CHECK(asl_map_run_update(e, r, 5, 2, 50, &err));
    drive(e);
    CHECK(described(r, "\"maxConcurrency\":5,\"toleratedFailurePercentage\":50,\"toleratedFailureCount\":2"));
    CHECK(described(r, "\"itemCounts\":{\"pending\":0,\"running\":3,\"succeeded\":0"));

    /* Stopping the execution aborts the run and its children. */
    CHECK(asl_engine_stop(e, x, NULL, NULL));
    drive(e);
    CHECK(described(r, "\"status\":\"ABORTED\""));
    CHECK(described(r, "\"running\":0,\"succeeded\":0,\"failed\":0,\"timedOut\":0,\"aborted\":3,\"total\":3"));
    CHECK(described(r, "\"stopDate\":"));
    CHECK(asl_map_run_stop_date(r) >= asl_map_run_start_date(r));
    CHECK(!asl_map_run_update(e, r, 1, -1, -1, &err));
    CHECK(err.error && !strcmp(err.error, "ValidationException"));
    asl_err_clear(&err);
    asl_engine_free(e);
    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    else
        puts("maprun: all checks passed");
    return failures != 0;
}
