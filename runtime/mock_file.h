/*
 * mock_file.h: the part of the mock module (mock.c) that aslc uses at
 * compile time: reading a mock configuration file, and asking whether it
 * mocks a state (so that state needs no handler). The run-time part is in
 * mock.h.
 */
#ifndef ASL_MOCK_FILE_H
#define ASL_MOCK_FILE_H

#include <stdbool.h>

/* The run options --mock FILE and --test-case NAME (opt is the option as
 * written). --mock loads and checks FILE, replacing any file loaded
 * before. Returns 0, or an exit status after printing every problem: 65
 * when the file does not match AWS's format, 66 when it cannot be read. */
int asl_mock_option(const char *opt, const char *value);

/* True if some test case of the loaded file mocks the state named state
 * of the machine named machine (so it needs no handler). */
bool asl_mock_covers(const char *machine, const char *state);

#endif
