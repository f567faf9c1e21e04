/*
 * cli.c: the main() of every compiled machine (and of `aslc run`): parses
 * the run options, creates an engine (asl_engine.h) with the program
 * loaded, starts the main execution, runs the engine until every execution
 * has ended, and prints what was asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "handlers.h"
#include "history.h"
#include "s3.h"
#include "cli.h"
#include "quotas.h"
#include "mock.h"
#include "pool.h"
#include "trace.h"

const asl_cli_reporter *asl_cli_report_writer;

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
    "  --describe-file FILE   write the DescribeExecution JSON to FILE (stdout keeps the output)\n"
    "  --history-file FILE    write the GetExecutionHistory JSON to FILE\n"
    "  --executions-file FILE write the list of executions to FILE\n"
    "  --virtual-time         virtual clock: timers fire at once, timestamps advance\n"
    "  --trace[=json]         a line on stderr per state entered and left (JSON lines)\n"
    "  --report FILE.html     the run as an HTML report (aslc run, or a program built\n"
    "                         with aslc DEF -o PROG --with-report)\n"
    "  --lambda NAME=COMMAND  serve Lambda function NAME (name or ARN) with COMMAND: a\n"
    "                         shell command (event JSON on stdin, result on stdout), or\n"
    "                         python:FILE.py[:FN] / node:FILE.js[:FN] to call a handler\n"
    "  --mock FILE            mock configuration file (AWS Step Functions Local's format)\n"
    "  --test-case NAME       with --mock: the test case whose mocked responses to use\n"
    "  --s3 BUCKET=DIR        serve S3 bucket BUCKET from folder DIR (Distributed Map)\n"
    "  --s3-endpoint URL      other buckets from the S3 API at URL (LocalStack, MinIO...;\n"
    "                         credentials and region from AWS_* variables)\n"
    "  --region REGION        region in ARNs (default us-east-1)\n"
    "  --account ID           account in ARNs (default 123456789012)\n"
    "  --lambda-timeout S     end a --lambda process whose task has no TimeoutSeconds\n"
    "                         after S seconds, as Lambda does (default 900; 0: never)\n"
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
        } else if (!strcmp(a, "--describe-file")) {
            NEEDS_VALUE();
            o->describe_file = v;
        } else if (!strcmp(a, "--history-file")) {
            NEEDS_VALUE();
            o->history_file = v;
        } else if (!strcmp(a, "--executions-file")) {
            NEEDS_VALUE();
            o->executions_file = v;
        } else if (!strcmp(a, "--trace") || !strcmp(a, "--trace=json")) {
            o->trace = a[7] ? 2 : 1;
        } else if (!strcmp(a, "--report")) {
            NEEDS_VALUE();
            if (!asl_cli_report_writer)
                return bad_usage(prog, "%s: this program was built without the report writer: build it with "
                                       "aslc DEF -o PROG --with-report (or give --history-file FILE here and use "
                                       "aslc report DEF FILE)", a);
            o->report_file = v;
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
        } else if (!strcmp(a, "--lambda-timeout")) {
            NEEDS_VALUE();
            char *end;
            double secs = strtod(v, &end);
            if (end == v || *end || !(secs >= 0) || secs > 1e9)
                return bad_usage(prog, "--lambda-timeout expects seconds (0: none), got '%s'", v);
            asl_process_set_timeout(secs);
        } else if (!strcmp(a, "--max-history-events") || !strcmp(a, "--max-payload-bytes")) {
            NEEDS_VALUE();
            int rc = asl_limit_option(prog, a, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--s3")) {
            NEEDS_VALUE();
            int rc = asl_s3_option(prog, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--s3-endpoint")) {
            NEEDS_VALUE();
            int rc = asl_s3_endpoint_option(prog, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--region")) {
            NEEDS_VALUE();
            o->region = v;
        } else if (!strcmp(a, "--account")) {
            NEEDS_VALUE();
            o->account = v;
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
    size_t len = strlen(text);
    char *owned = NULL;
    if (o->input_file) {
        if (!(owned = asl_read_file_len(o->input_file, &len))) {
            fprintf(stderr, "%s: cannot open input file '%s': %s\n", o->prog, o->input_file, strerror(errno));
            *status = 66;
            return NULL;
        }
        text = owned;
    }
    asl_buf why = {0};
    cJSON *in = asl_json_parse_checked(text, len, &why);
    if (!in) {
        fprintf(stderr, "%s: the execution input%s%s is not valid JSON: %s\n", o->prog,
                o->input_file ? " in " : "", o->input_file ? o->input_file : "", why.p);
        *status = 65;
    }
    asl_buf_free(&why);
    free(owned);
    return in;
}

/* Writes v as one line of JSON to path ("-" or NULL: stdout); 74 when it
 * cannot be written. */
static int write_json(const char *prog, const char *path, const cJSON *v)
{
    char *t = asl_json_print(v);
    FILE *f = path && strcmp(path, "-") ? fopen(path, "w") : stdout;
    int rc = 0;
    if (!f || fputs(t, f) < 0 || fputc('\n', f) < 0 || fflush(f) != 0)
        rc = 74;
    if (f && f != stdout && fclose(f) != 0)
        rc = 74;
    if (rc)
        fprintf(stderr, "%s: cannot write '%s': %s\n", prog, path ? path : "standard output", strerror(errno));
    free(t);
    return rc;
}

static cJSON *executions_json(asl_engine *e)
{
    cJSON *list = cJSON_CreateArray();
    for (asl_exec *x = asl_engine_executions(e); x; x = asl_exec_next(x)) {
        cJSON *d = asl_describe(x);
        if (asl_exec_parent_arn(x))
            cJSON_AddStringToObject(d, "startedBy", asl_exec_parent_arn(x));
        cJSON_AddItemToArray(list, d);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "executions", list);
    return o;
}

/* Writes one document to stdout or a file (--X-file), if it was asked for;
 * keeps the first failure in *rc. */
static void emit(const asl_cli *o, bool to_stdout, const char *file, cJSON *doc, int *rc)
{
    int w = 0;
    if (to_stdout)
        w = write_json(o->prog, NULL, doc);
    if (file && !w)
        w = write_json(o->prog, file, doc);
    if (w && !*rc)
        *rc = w;
    cJSON_Delete(doc);
}

static int report(const asl_cli *o, asl_engine *e, const asl_exec *x)
{
    int rc = x->status == ASL_SUCCEEDED ? 0 : 1;
    if (o->describe || o->describe_file)
        emit(o, o->describe, o->describe_file, asl_describe(x), &rc);
    if (o->describe) {
        /* stdout holds the description */
    } else if (x->status == ASL_SUCCEEDED) {
        emit(o, true, NULL, cJSON_Duplicate(x->output, 1), &rc);
    } else if (x->status == ASL_RUNNING) {
        fprintf(stderr, "%s: execution '%s' is still running, but nothing is left that could complete it "
                        "(a task token nobody sends?)\n", o->prog, x->name);
    } else {
        if (x->err.cause && x->err.cause[0])
            fprintf(stderr, "%s: %s\n", x->err.error ? x->err.error : "", x->err.cause);
        else if (x->failed_state) /* AWS gives no cause (States.Timeout): say where */
            fprintf(stderr, "%s in state \"%s\"\n", x->err.error ? x->err.error : "", x->failed_state);
        else
            fprintf(stderr, "%s\n", x->err.error ? x->err.error : "");
    }
    if (o->history || o->history_file)
        emit(o, o->history, o->history_file, asl_history_json(x), &rc);
    if (o->executions || o->executions_file)
        emit(o, o->executions, o->executions_file, executions_json(e), &rc);
    return rc;
}

asl_engine *asl_cli_engine(const asl_program *p, const asl_cli *o, bool record)
{
    asl_engine_config c = {.region = o->region, .account = o->account, .virtual_time = o->virtual_time,
                           .record_history = record, .wait_scale = 1};
    asl_engine *e = asl_engine_new(&c);
    if (e)
        asl_engine_load(e, p, NULL, NULL);
    return e;
}

int asl_run_once(const asl_program *p, const asl_cli *o)
{
    int status = 0;
    if (p->machines[0].express && (o->history || o->history_file)) {
        fprintf(stderr, "%s: %s: an EXPRESS execution has no history (AWS has no GetExecutionHistory for "
                        "Express workflows)\n", o->prog, o->history ? "--history" : "--history-file");
        asl_handlers_free();
        return 64;
    }
    cJSON *input = asl_cli_input(o, &status);
    if (!input) {
        asl_handlers_free();
        return status;
    }
    /* Events are counted either way (causes quote their ids); they are
     * kept only for --history. */
    asl_engine *e = asl_cli_engine(p, o, o->history || o->history_file || o->report_file);
    asl_trace *trace = o->trace ? asl_trace_start(e, stderr, o->trace == 2, isatty(2) && !getenv("NO_COLOR")) : NULL;
    if (o->report_file)
        asl_cli_report_writer->begin(e);
    asl_err err = {0};
    asl_exec *x = asl_engine_start_value(e, &p->machines[0], o->name, input, &err);
    if (!x) {
        fprintf(stderr, "%s: %s: %s\n", o->prog, err.error, err.cause);
        asl_err_clear(&err);
        asl_trace_stop(e, trace);
        asl_engine_free(e);
        return 1;
    }
    asl_engine_run(e);
    status = report(o, e, x);
    if (o->report_file) {
        int w = asl_cli_report_writer->end(e, o->report_file);
        if (w && (!status || status == 1))
            status = w;
    }
    asl_trace_stop(e, trace);
    asl_engine_free(e);
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
