/*
 * test.h: private to aslc test's files: test.c (the command: specs found,
 * run, summed up), test_spec.c (reading a spec), test_run.c (a case through
 * the engine, checked against its expectations), test_cover.c (coverage
 * from the event stream), test_report.c (JUnit XML, the JSON report) and
 * test_page.c (the HTML page of the run).
 */
#ifndef ASLC_TEST_H
#define ASLC_TEST_H

#include "aslc.h"
#include "asl_engine.h"

/* What a case expects; NULL/unset fields are not checked. */
typedef struct ts_expect {
    const char *status;          /* SUCCEEDED (default), FAILED, TIMED_OUT, ABORTED */
    const cJSON *output;         /* exact */
    const cJSON *output_contains;/* a subset (objects by key, recursively) */
    const char *error, *cause, *cause_contains;
    const cJSON *path;           /* states entered, in order (main execution) */
    const cJSON *path_includes;  /* states that must have been entered */
    const cJSON *variables;      /* a subset of the variables at the end */
} ts_expect;

typedef struct ts_case {
    const char *name;
    char *input;                 /* JSON text (malloc'd via cc_) */
    const char *mock_case;       /* the mock file's test case, or NULL */
    ts_expect expect;
} ts_case;

/* One spec file: the machine and how to serve its tasks, and the cases. */
typedef struct ts_spec {
    const char *file;
    cc_src *src;                 /* the spec itself, for diagnostics */
    cc_opts opts;                /* machine, --machine, --tasks, --lambda, --sub... */
    const char *mock;            /* mock file, or NULL */
    bool virtual_time;
    ts_case *cases;
    int ncases;
} ts_spec;

/* test_spec.c: reads a spec (JSON or YAML); NULL after reporting. */
ts_spec *ts_spec_load(const char *file);
void ts_spec_free(ts_spec *s);

/* A case's outcome. */
typedef struct ts_result {
    const char *spec, *name;
    bool passed;
    char *message;               /* why it failed (cc_alloc'd), NULL if passed */
    const char *status;          /* the execution's status */
    char *output;                /* its output JSON (cc_alloc'd) or NULL */
    double seconds;              /* wall time */
    const char *failed_state;    /* the state whose failure ended it (cc_alloc'd), or NULL */
    const char *error, *cause;   /* the execution's (cc_alloc'd), or NULL */
    char *report;                /* its report page (malloc'd), with --report FILE.html */
} ts_result;

/* test_cover.c: what a suite exercised, machine by machine. */
typedef struct ts_cover ts_cover;
ts_cover *ts_cover_new(void);
/* Registers the machines of a compiled unit (their graphs stay valid
 * until ts_cover_free, so the caller keeps the unit alive). */
void ts_cover_unit(ts_cover *c, const cc_unit *u);
/* The observer: feeds every event of every execution. */
void ts_cover_event(void *cover, const asl_event *ev);
/* Forgets the executions seen (the engine of a case is gone). */
void ts_cover_forget(ts_cover *c);
void ts_cover_print(const ts_cover *c, FILE *f);
cJSON *ts_cover_json(const ts_cover *c);
void ts_cover_free(ts_cover *c);

/* test_run.c: compiles the spec's unit and runs every case, appending
 * results (with each case's report page when pages is set); returns 0, or
 * 65/66 when the unit cannot be built. */
int ts_run_spec(ts_spec *s, ts_cover *cover, bool pages, ts_result **results, int *nresults);

/* test_report.c */
int ts_write_junit(const char *file, const ts_result *r, int n);
int ts_write_json(const char *file, const ts_result *r, int n, const ts_cover *cover);
/* What the JSON report holds: {"passed", "failed", "cases", "coverage"}. */
cJSON *ts_results_json(const ts_result *r, int n, const ts_cover *cover);
/* One HTML page for the run: the cases and each one's report (test_page.c). */
int ts_write_html(const char *file, const ts_result *r, int n, const ts_cover *cover);

#endif
