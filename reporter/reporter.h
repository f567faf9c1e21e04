/*
 * reporter.h: the run half of the execution report (`--report FILE.html`),
 * libaslreport. The page's frame (template, style, script, the graph's SVG
 * and the machines' states) depends on the definition and is made by aslc
 * (compiler/report.c) as two texts, head and tail; what depends on the run
 * (each execution with its history and the values after each processing
 * step) is gathered here and goes between them. `aslc run --report` uses
 * it in aslc; a program built with `aslc DEF -o PROG --with-report` links
 * it with its frame compiled in. Programs built without it link none of it.
 */
#ifndef ASL_REPORTER_H
#define ASL_REPORTER_H

#include <cjson/cJSON.h>

#include "asl_engine.h"

/* Starts noting the StateInspection events of every execution of e
 * (before the main execution starts). */
void asl_report_begin(asl_engine *e);
/* Every execution of e, main first, as the page reads them:
 * {"executionArn", "stateMachineArn", "name", "status", "parentArn",
 * "events", "inspections"}; stops noting. A new array the caller owns. */
cJSON *asl_report_executions(asl_engine *e);
/* One execution with its history (the engine must record histories). */
cJSON *asl_report_execution(const asl_exec *x);
/* v as JSON text that is safe inside <script> (malloc'd). */
char *asl_report_script_json(const cJSON *v);
/* head, the executions as JSON safe inside <script>, tail (malloc'd). */
char *asl_report_page(const char *head, const cJSON *executions, const char *tail);
/* Writes text to path; 0, or 74 after saying why on stderr. */
int asl_report_save(const char *path, const char *text);
/* A compiled program's main() calls this (aslc ... --with-report) before
 * asl_main: --report FILE.html then writes its page with this frame. */
void asl_report_install(const char *head, const char *tail);

#endif
