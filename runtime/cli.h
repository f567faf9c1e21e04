/*
 * cli.h: run options of a compiled machine, shared by its main() and by
 * `aslc run`.
 */
#ifndef ASL_CLI_H
#define ASL_CLI_H

#include <stdbool.h>

#include "exec.h"

typedef struct asl_cli {
    const char *prog;
    const char *input_text, *input_file, *name;
    const char *describe_file, *history_file, *executions_file;
    const char *region, *account;
    const char *report_file;    /* --report FILE.html (aslc run, --with-report) */
    int trace;                  /* --trace: 1 text, 2 JSON lines */
    bool describe, history, executions, virtual_time, json;
    long bench, concurrency;
} asl_cli;

/* The front end that writes --report (aslc run installs it, and so does a
 * program built --with-report, from libaslreport; others have none, so the
 * report writer stays out of libaslrt): begin
 * sees the engine before the main execution starts, end writes the report
 * to path once every execution has ended and returns an exit status. */
typedef struct asl_cli_reporter {
    void (*begin)(asl_engine *e);
    int (*end)(asl_engine *e, const char *path);
} asl_cli_reporter;
extern const asl_cli_reporter *asl_cli_report_writer;

/* Parses run options from argv[first..]; 0 on success, -1 after --help,
 * else an exit status (64) after printing the problem. */
int asl_cli_parse(asl_cli *o, int argc, char **argv, int first);
/* Runs one execution and prints what o asks for; returns the exit status. */
int asl_run_once(const asl_program *p, const asl_cli *o);
/* --bench: runs o->bench executions; returns the exit status. */
int asl_bench(const asl_program *p, const asl_cli *o);
/* An engine for the options (account, clock) with p loaded; record keeps
 * histories. */
asl_engine *asl_cli_engine(const asl_program *p, const asl_cli *o, bool record);
/* The execution input from --input / --input-file (default {}); NULL with
 * *status set (65, 66) after printing the problem. */
cJSON *asl_cli_input(const asl_cli *o, int *status);

#endif
