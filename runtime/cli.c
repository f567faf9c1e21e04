/*
 * cli.c: the main() of every compiled machine (and of `aslc run`): parses
 * the run options, starts the main execution, runs the scheduler until
 * every execution has ended, and prints what was asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "handlers.h"
#include "history.h"
#include "cli.h"
#include "quotas.h"
#include "mock.h"
#include "pool.h"

static const char usage[] =
    "usage: %s [RUN OPTIONS]\n"
    "Runs one execution of the compiled state machine.\n"
    "\n"
    "  --input JSON           execution input (default {})\n"
    "  --input-file FILE      read the execution input from FILE ('-' for stdin)\n"
    "  --name NAME            execution name (default: a UUID)\n"
    "  --describe             print AWS DescribeExecution JSON for the main execution\n"
    "  --history              print the main execution's AWS GetExecutionHistory JSON\n"
    "  --executions           list every execution the run started\n"
    "  --virtual-time         virtual clock: timers fire at once, timestamps advance\n"
    "  --lambda NAME=COMMAND  serve Lambda function NAME (name or ARN) with COMMAND: a\n"
    "                         shell command (event JSON on stdin, result on stdout), or\n"
    "                         python:FILE.py[:FN] / node:FILE.js[:FN] to call a handler\n"
    "  --mock FILE            mock configuration file (AWS Step Functions Local's format)\n"
    "  --test-case NAME       with --mock: the test case whose mocked responses to use\n"
    "  --region REGION        region in ARNs (default us-east-1)\n"
    "  --account ID           account in ARNs (default 123456789012)\n"
    "  --max-history-events N  fail an execution whose history reaches N events\n"
    "                         (AWS's quota, default 25000; 0: no limit)\n"
    "  --max-payload-bytes N  fail a state whose input or output is over N bytes\n"
    "                         of JSON (AWS's quota, default 262144; 0: no limit)\n"
    "  --bench N              run N executions and report throughput and latency\n"
    "  --concurrency C        with --bench: executions in flight at once (default 1)\n"
    "  --json                 with --bench: also print one JSON object\n"
    "  --help                 this text\n"
    "\n"
    "Without --describe the output JSON goes to stdout (exit 0); a failed\n"
    "execution prints 'Error: Cause' on stderr and exits 1.\n";


static int bad_usage(const char *prog, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(try --help)\n");
    return 64;
}

/* Parses argv into o; returns 0, or an exit status. */
int asl_cli_parse(asl_cli *o, int argc, char **argv, int first)
{
    const char *prog = o->prog;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE() do { if (!v) return bad_usage(prog, "option %s needs a value", a); i++; } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf(usage, prog);
            return -1;
        } else if (!strcmp(a, "--input")) {
            NEEDS_VALUE();
            o->input_text = v;
        } else if (!strcmp(a, "--input-file")) {
            NEEDS_VALUE();
            o->input_file = v;
        } else if (!strcmp(a, "--name")) {
            NEEDS_VALUE();
            o->name = v;
        } else if (!strcmp(a, "--describe")) {
            o->describe = true;
        } else if (!strcmp(a, "--history")) {
            o->history = true;
        } else if (!strcmp(a, "--executions")) {
            o->executions = true;
        } else if (!strcmp(a, "--virtual-time")) {
            o->virtual_time = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--lambda")) {
            NEEDS_VALUE();
            const char *eq = strchr(v, '=');
            if (!eq || eq == v)
                return bad_usage(prog, "--lambda takes NAME=COMMAND, got '%s'", v);
            char *name = strndup(v, (size_t)(eq - v));
            asl_handlers_add_process(name, eq + 1);
            free(name);
        } else if (!strcmp(a, "--mock") || !strcmp(a, "--test-case")) {
            NEEDS_VALUE();
            int rc = asl_mock_option(a, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--max-history-events") || !strcmp(a, "--max-payload-bytes")) {
            NEEDS_VALUE();
            int rc = asl_limit_option(prog, a, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--region")) {
            NEEDS_VALUE();
            asl_set_account(v, NULL);
        } else if (!strcmp(a, "--account")) {
            NEEDS_VALUE();
            asl_set_account(NULL, v);
        } else if (!strcmp(a, "--bench") || !strcmp(a, "--concurrency")) {
            NEEDS_VALUE();
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || errno)
                return bad_usage(prog, "expected a positive number, got '%s'", v);
            *(a[2] == 'b' ? &o->bench : &o->concurrency) = n;
        } else {
            return bad_usage(prog, "unknown option '%s'", a);
        }
#undef NEEDS_VALUE
    }
    return 0;
}

/* The execution input from --input / --input-file (default {}). */
cJSON *asl_cli_input(const asl_cli *o, int *status)
{
    const char *text = o->input_text ? o->input_text : "{}";
    char *owned = NULL;
    if (o->input_file) {
        if (!(owned = asl_read_file(o->input_file))) {
            fprintf(stderr, "%s: cannot open input file '%s': %s\n", o->prog, o->input_file, strerror(errno));
            *status = 66;
            return NULL;
        }
        text = owned;
    }
    cJSON *in = asl_json_parse(text);
    if (!in) {
        fprintf(stderr, "%s: the execution input is not valid JSON%s%s\n", o->prog,
                o->input_file ? ": " : "", o->input_file ? o->input_file : "");
        *status = 65;
    }
    free(owned);
    return in;
}

static void print_json(const cJSON *v)
{
    char *t = asl_json_print(v);
    puts(t);
    free(t);
}

static void add_date(cJSON *o, const char *key, double t)
{
    char buf[40];
    asl_timestamp_format(t, buf);
    cJSON_AddStringToObject(o, key, buf);
}

/* AWS DescribeExecution for x. */
cJSON *asl_describe(const asl_exec *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "executionArn", x->arn);
    cJSON_AddStringToObject(o, "stateMachineArn", x->machine_arn);
    cJSON_AddStringToObject(o, "name", x->name);
    cJSON_AddStringToObject(o, "status", asl_status_name(x->status));
    add_date(o, "startDate", x->start);
    if (x->status != ASL_RUNNING)
        add_date(o, "stopDate", x->stop);
    char *in = asl_json_print(x->input);
    cJSON_AddStringToObject(o, "input", in);
    free(in);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "inputDetails"), "included", 1);
    if (x->status == ASL_SUCCEEDED) {
        char *out = asl_json_print(x->output);
        cJSON_AddStringToObject(o, "output", out);
        free(out);
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "outputDetails"), "included", 1);
    } else if (x->status != ASL_RUNNING) {
        if (x->err.error)
            cJSON_AddStringToObject(o, "error", x->err.error);
        if (x->err.cause)
            cJSON_AddStringToObject(o, "cause", x->err.cause);
    }
    cJSON_AddNumberToObject(o, "redriveCount", 0);
    cJSON_AddStringToObject(o, "redriveStatus", "NOT_REDRIVABLE");
    return o;
}

static void print_executions(void)
{
    cJSON *list = cJSON_CreateArray();
    for (asl_exec *x = asl_exec_list(); x; x = x->next) {
        cJSON *d = asl_describe(x);
        if (x->parent_arn)
            cJSON_AddStringToObject(d, "startedBy", x->parent_arn);
        cJSON_AddItemToArray(list, d);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "executions", list);
    print_json(o);
    cJSON_Delete(o);
}

static int report(const asl_cli *o, const asl_exec *x)
{
    if (o->describe) {
        cJSON *d = asl_describe(x);
        print_json(d);
        cJSON_Delete(d);
    } else if (x->status == ASL_SUCCEEDED) {
        print_json(x->output);
    } else if (x->status == ASL_RUNNING) {
        fprintf(stderr, "%s: execution '%s' is still running, but nothing is left that could complete it "
                        "(a task token nobody sends?)\n", o->prog, x->name);
    } else {
        if (x->err.cause)
            fprintf(stderr, "%s: %s\n", x->err.error ? x->err.error : "", x->err.cause);
        else
            fprintf(stderr, "%s\n", x->err.error ? x->err.error : "");
    }
    if (o->history) {
        cJSON *h = asl_history_json(x);
        print_json(h);
        cJSON_Delete(h);
    }
    if (o->executions)
        print_executions();
    return x->status == ASL_SUCCEEDED ? 0 : 1;
}

static void cleanup(void)
{
    asl_exec_free_all();
    asl_task_free_all();
    asl_handlers_free();
}

int asl_run_once(const asl_program *p, const asl_cli *o)
{
    int status = 0;
    cJSON *input = asl_cli_input(o, &status);
    if (!input) {
        cleanup();
        return status;
    }
    asl_set_virtual_time(o->virtual_time, 0);
    /* Events are counted either way (causes quote their ids); they are
     * kept only for --history. */
    asl_history_enable(o->history);
    asl_err e = {0};
    asl_exec *x = asl_exec_start(p, &p->machines[0], o->name, input, NULL, &e);
    if (!x) {
        fprintf(stderr, "%s: %s: %s\n", o->prog, e.error, e.cause);
        asl_err_clear(&e);
        cleanup();
        return 1;
    }
    asl_sched_run();
    status = report(o, x);
    cleanup();
    return status;
}

static int run(const asl_program *p, int argc, char **argv)
{
    asl_cli o = {.prog = argc > 0 ? argv[0] : "asl", .concurrency = 1};
    for (int i = 0; i < p->nprocesses; i++) {
        const char *eq = strchr(p->processes[i], '=');
        char *name = strndup(p->processes[i], (size_t)(eq - p->processes[i]));
        asl_handlers_add_process(name, eq + 1);
        free(name);
    }
    int rc = asl_cli_parse(&o, argc, argv, 1);
    if (!rc)
        rc = asl_mock_begin(p, o.prog);
    if (rc) {
        asl_handlers_free();
        return rc < 0 ? 0 : rc;
    }
    if (o.bench)
        return asl_bench(p, &o);
    return asl_run_once(p, &o);
}

int asl_main(const asl_program *p, int argc, char **argv)
{
    /* The pool serves only what the run allocates: `aslc run` frees its
     * own (malloc'd) definitions after this returns. */
    asl_pool_install();
    int rc = run(p, argc, argv);
    asl_pool_uninstall();
    return rc;
}
