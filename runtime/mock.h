/*
 * mock.h: AWS Step Functions Local's mocked service integrations. A mock
 * configuration file (--mock FILE) names, per state machine and test case,
 * the Task states whose service calls are replaced by mocked responses; a
 * run picks one test case (--test-case NAME). See docs/mocks.md.
 *
 * aslc and the runtime share this module: aslc reads the file at compile
 * time (through mock_file.h) so that a mocked Task needs no handler; a run
 * reads it again.
 */
#ifndef ASL_MOCK_H
#define ASL_MOCK_H

#include <stdbool.h>

#include "exec.h"
#include "mock_file.h"

/* Before a run of p: --mock and --test-case go together, and the main
 * machine must have the test case. Warns about entries of the test case
 * that name no Task state. Returns 0, or an exit status (64, 65) after
 * printing the problem (usage problems prefixed with prog). Without
 * --mock and --test-case, does nothing. */
int asl_mock_begin(const asl_program *p, const char *prog);

/* Serves t from the selected test case if it mocks t's state: completes t
 * with the mocked response for this invocation and returns true. Returns
 * false when t is not mocked. */
bool asl_mock_dispatch(asl_task *t);

/* aslc serve: x runs test_case (StartExecution on ARN#TestCase) whatever
 * --test-case says. False when the loaded file has no such test case for
 * x's machine (or no file is loaded). */
bool asl_mock_use_case(asl_exec *x, const char *test_case);
/* Whether the loaded file has test_case for the machine named machine. */
bool asl_mock_has_case(const char *machine, const char *test_case);

/* Forgets the file, the test case and the invocation counters. */
void asl_mock_free(void);

#endif
