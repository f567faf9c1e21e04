/*
 * report.h: an execution as one self-contained HTML page (report.c): the
 * graph coloured by what happened, every state entered with its input,
 * the steps of its processing, output, timing, error and cause, Map
 * iterations and Parallel branches to browse, child executions linked.
 * The page's look and behaviour live in compiler/report/ (HTML, CSS, JS),
 * embedded into aslc at build time; nothing is fetched from a network.
 */
#ifndef ASLC_REPORT_H
#define ASLC_REPORT_H

#include "aslc.h"

/* The run to show: {"executions": [{"executionArn", "stateMachineArn",
 * "name", "status", "parentArn", "events": [...]}, ...]}, the main
 * execution first, events as GetExecutionHistory gives them (an object
 * {"events": [...]} of one execution is taken too). Writes the page to
 * path; returns an exit status (0, 65 for a record it cannot read, 74). */
int report_write(const cc_unit *u, const cJSON *record, const char *path);
/* The same page as text (malloc'd), or NULL when record has no executions. */
char *report_text(const cc_unit *u, const cJSON *record);

/* The page without the run, cut where the executions' JSON goes: *head
 * and *tail (malloc'd). libaslreport (reporter/reporter.h) fills it in. */
void report_frame(const cc_unit *u, char **head, char **tail);
/* `aslc DEF -o PROG --with-report`: C text to append to the program
 * (lowered without its main): the frame as two strings and a main() that
 * installs libaslreport's writer with them before asl_main. */
char *report_program_main(const cc_unit *u);

/* aslc run --report: lets the run's CLI write the report of unit u
 * (report_run.c). */
void report_attach(const cc_unit *u);

/* The page's parts (report_assets.c, generated from compiler/report/). */
extern const char report_page_html[], report_page_css[], report_page_js[];
/* The page of a whole `aslc test` run (compiler/report/tests.html, holes
 * {{TITLE}} and {{DATA}}; embedded by cmake/reporter.cmake). */
extern const char report_tests_html[];

#endif
