/*
 * mock.h: AWS Step Functions Local's mocked service integrations. A mock
 * configuration file (--mock FILE) names, per state machine and test case,
 * the Task states whose service calls are replaced by mocked responses; a
 * run picks one test case (--test-case NAME). See docs/mocks.md.
 *
 * aslc and the runtime share this module: aslc reads the file at compile
 * time so that a mocked Task needs no handler; a run reads it again.
 */
#ifndef ASL_MOCK_H
#define ASL_MOCK_H

#include <stdbool.h>

#include "exec.h"

/* The run options --mock FILE and --test-case NAME (opt is the option as
 * written). --mock loads and checks FILE, replacing any file loaded
 * before. Returns 0, or an exit status after printing every problem: 65
 * when the file does not match AWS's format, 66 when it cannot be read. */
int asl_mock_option(const char *opt, const char *value);

/* Before a run of p: --mock and --test-case go together, and the main
 * machine must have the test case. Warns about entries of the test case
 * that name no Task state. Returns 0, or an exit status (64, 65) after
 * printing the problem (usage problems prefixed with prog). Without
 * --mock and --test-case, does nothing. */
int asl_mock_begin(const asl_program *p, const char *prog);

/* Compile side: true if some test case of the loaded file mocks the state
 * named state of the machine named machine (so it needs no handler). */
bool asl_mock_covers(const char *machine, const char *state);

/* Serves t from the selected test case if it mocks t's state: completes t
 * with the mocked response for this invocation and returns true. Returns
 * false when t is not mocked. */
bool asl_mock_dispatch(asl_task *t);

/* Forgets the file, the test case and the invocation counters. */
void asl_mock_free(void);

#endif
