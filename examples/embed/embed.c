/*
 * embed.c: the aslc engine embedded in a program of its own.
 *
 * The reference example ("workflow within a workflow") is compiled to C
 * without a main() (`aslc main.asl.json --emit-c --no-main`), which gives
 * aslc_program(). This program creates an engine, loads that unit, starts
 * three executions of the main machine, and prints each one's output as
 * the event stream reports that it ended. It drives the engine from its
 * own loop, one turn at a time, as a program with other work would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl_engine.h"

const asl_program *aslc_program(void);

/* Called for every event of every execution, child executions included. */
static void on_event(void *ud, const asl_event *ev)
{
    int *ended = ud;
    if (asl_exec_parent_arn(ev->exec))
        return; /* an execution that a task started */
    if (!strcmp(ev->type, "ExecutionSucceeded") || !strcmp(ev->type, "ExecutionFailed")) {
        char *details = asl_event_details_json(ev);
        printf("%s %s after %d events: %s\n", asl_exec_name(ev->exec), ev->type, ev->id, details);
        free(details);
        ++*ended;
    }
}

int main(void)
{
    asl_engine_config config = {.wait_scale = 1};
    asl_engine *engine = asl_engine_new(&config);
    asl_engine_load(engine, aslc_program(), NULL, NULL);
    int ended = 0;
    asl_engine_observe(engine, on_event, &ended, ASL_OBSERVE_DETAILS);

    const asl_machine *main_machine = &aslc_program()->machines[0];
    const char *arn = asl_engine_machine_arn(engine, main_machine);
    const char *names[] = {"first", "second", "third"};
    for (int i = 0; i < 3; i++) {
        asl_err err = {0};
        if (!asl_engine_start(engine, arn, names[i], "{}", &err)) {
            fprintf(stderr, "embed: %s: %s\n", err.error, err.cause);
            asl_err_clear(&err);
            return 1;
        }
    }
    /* The outer loop: one turn, then sleep until the engine's next timer
     * (a real program would also poll its own file descriptors here). */
    asl_engine_wait w;
    while (asl_engine_step(engine, &w) > 0 && (w.deadline >= 0 || w.nfds))
        asl_engine_block(engine, &w);
    asl_engine_free(engine);
    return ended == 3 ? 0 : 1;
}
