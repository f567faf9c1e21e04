/*
 * report_run.c: `aslc run --report FILE.html`. The runtime's CLI calls
 * back here (asl_cli_report_writer, runtime/cli.h): before the run,
 * libaslreport starts noting the values after each processing step of
 * every state; after it, the page's frame is made from the unit
 * (report.c) and libaslreport puts the run in it. A program built with
 * --with-report does the same with a frame made when it was compiled
 * (report_program_main).
 */
#include <stdlib.h>

#include "cli.h"
#include "report.h"
#include "reporter.h"

static const cc_unit *unit;

static int end(asl_engine *e, const char *path)
{
    cJSON *x = asl_report_executions(e);
    char *head, *tail;
    report_frame(unit, &head, &tail);
    char *text = asl_report_page(head, x, tail);
    int rc = asl_report_save(path, text);
    free(text);
    free(head);
    free(tail);
    cJSON_Delete(x);
    return rc;
}

void report_attach(const cc_unit *u)
{
    static const asl_cli_reporter writer = {asl_report_begin, end};
    unit = u;
    asl_cli_report_writer = &writer;
}
