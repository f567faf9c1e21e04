/*
 * main.c: the aslc driver. The pipeline reads top to bottom: load every
 * definition and check it (unit_load), lower it to C (lower_unit), then
 * write the C, build a native program, or JIT-compile and run it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc.h"
#include "commands.h"
#include "mock_file.h"
#include "report.h"

/* Subcommands that are front ends of their own (each in its own file,
 * declared in commands.h). The compile pipeline below serves the rest:
 * build, --emit-c, run and check. */
static const struct command {
    const char *name;
    int (*main)(int argc, char **argv);   /* argv[0] is the command's name */
} commands[] = {
#define X(name, fn) {name, fn},
    ASLC_COMMANDS(X)
#undef X
    {NULL, NULL},
};

static const char usage[] =
    "usage: aslc DEF -o PROG [COMPILE OPTIONS]     build a native executable\n"
    "       aslc DEF --emit-c -o FILE.c           write the generated C\n"
    "                 [--no-main]                 ... without main(), for embedding\n"
    "       aslc run DEF [COMPILE and RUN OPTIONS] compile in memory (JIT) and run once\n"
    "       aslc check DEF [COMPILE OPTIONS]      lint: diagnostics with AWS's codes\n"
    "                 [--handlers] [--format text|json]  (--handlers: every Task served)\n"
    "       aslc serve [DEF ...] [--port 8083]    the Step Functions API on localhost\n"
    "                                             (see aslc serve --help)\n"
    "DEF is a definition (JSON, or YAML: .yaml/.yml) or a SAM/CloudFormation template\n"
    "(YAML or JSON, CDK's cdk.out/*.template.json too)\n"
    "\n"
    "COMPILE OPTIONS\n"
    "  --type STANDARD|EXPRESS     the workflow type (default: the template's, else STANDARD)\n"
    "  --state-machine ID          the template's state machine to run (logical ID)\n"
    "  --sub KEY=VALUE             a DefinitionSubstitutions value (wins over the template's)\n"
    "  --parameter NAME=VALUE      a template parameter (also AWS::Region, AWS::AccountId)\n"
    "  --machine ARN_OR_NAME=FILE  the definition of a state machine that tasks start\n"
    "                              (also read from aslc.json next to DEF, see README)\n"
    "  --tasks FILE.c              C task handlers: ASL_HANDLER(\"resource\", fn) { ... }\n"
    "                              (payload as text) or ASL_HANDLER_JSON (as a cJSON value)\n"
    "  --lambda NAME=COMMAND       serve Lambda function NAME by running COMMAND\n"
    "                              (or python:FILE.py[:FN], node:FILE.js[:FN]); NAME may\n"
    "                              be any Task Resource, which fakes an SDK integration:\n"
    "                              --lambda arn:aws:states:::dynamodb:putItem=COMMAND\n"
    "  --with-report               link the report writer in: PROG --report FILE.html\n"
    "                              then works as with aslc run (with --emit-c: link\n"
    "                              libaslreport.a, next to libaslrt.a, before it)\n"
    "  --mock FILE                 mock configuration file (docs/mocks.md): a Task that a\n"
    "                              test case mocks needs no handler (a run option too)\n"
    "  -o FILE                     output file\n"
    "  --s3-client                 (a build) link the S3 API client, for --s3-endpoint\n"
    "\n"
    "RUN OPTIONS (aslc run, and the built program)\n"
    "  --input JSON | --input-file FILE, --name NAME, --describe, --history,\n"
    "  --mock FILE --test-case NAME,\n"
    "  --executions, --virtual-time, --bench N [--concurrency C] [--json],\n"
    "  --region REGION, --account ID, --max-history-events N,\n"
    "  --max-payload-bytes N (see PROG --help)\n"
    "\n"
    "Exit status: 0 success, 1 failed execution, 64 usage, 65 invalid definition,\n"
    "66 cannot open a file, 70 internal or C compiler error.\n";

typedef enum { MODE_BUILD, MODE_EMIT, MODE_RUN, MODE_CHECK } mode;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "aslc: ");
    fprintf(stderr, msg, arg);
    fputs("\n(try aslc --help)\n", stderr);
    return 64;
}

typedef struct args {
    mode mode;
    cc_opts opts;
    const char *out;
    bool with_main;       /* --emit-c without --no-main */
    bool with_report;     /* --with-report: PROG --report FILE.html works */
    char **run_argv;      /* run options, passed on to the program's main */
    int run_argc;
    bool handlers, json;  /* check --handlers, --format json */
    bool s3_client;       /* --s3-client: the program can use --s3-endpoint */
} args;

static int parse_args(args *a, int argc, char **argv)
{
    int i = 1;
    a->mode = MODE_BUILD;
    if (i < argc && (!strcmp(argv[i], "run") || !strcmp(argv[i], "check"))) {
        a->mode = argv[i][0] == 'r' ? MODE_RUN : MODE_CHECK;
        i++;
    }
    a->run_argv = cc_alloc(sizeof(char *) * (size_t)(argc + 1));
    a->run_argv[a->run_argc++] = "aslc run";
    bool emit = false;
    a->with_main = true;
    for (; i < argc; i++) {
        const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(s, "-o") || !strcmp(s, "--machine") || !strcmp(s, "--tasks") || !strcmp(s, "--lambda") ||
                     !strcmp(s, "--mock") || !strcmp(s, "--state-machine") || !strcmp(s, "--sub") ||
                     !strcmp(s, "--parameter") || !strcmp(s, "--format") || !strcmp(s, "--type");
        if (takes && !v)
            return usage_error("option %s needs a value", s);
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(s, "--version")) {
            puts("aslc 0.1");
            return -1;
        } else if (!strcmp(s, "--no-main")) {
            a->with_main = false;
        } else if (a->mode == MODE_BUILD && !strcmp(s, "--s3-client")) {
            a->s3_client = true;
        } else if (!strcmp(s, "--emit-c")) {
            emit = true;
        } else if (!strcmp(s, "--with-report")) {
            a->with_report = true;
        } else if (!strcmp(s, "-o")) {
            a->out = argv[++i];
        } else if (!strcmp(s, "--machine")) {
            if (!strchr(v, '=') || v[0] == '=')
                return usage_error("--machine takes ARN_OR_NAME=FILE, got '%s'", v);
            cc_push(&a->opts.machines, &a->opts.nmachines, argv[++i]);
        } else if (!strcmp(s, "--mock")) {
            int rc = asl_mock_option(s, argv[++i]); /* the JIT's run keeps it */
            if (rc)
                return rc;
        } else if (a->mode == MODE_CHECK && !strcmp(s, "--handlers")) {
            a->handlers = true;
        } else if (a->mode == MODE_CHECK && !strcmp(s, "--format")) {
            if (strcmp(v, "text") && strcmp(v, "json"))
                return usage_error("--format takes text or json, got '%s'", v);
            a->json = !strcmp(argv[++i], "json");
        } else if (!strcmp(s, "--type")) {
            if (strcmp(v, "STANDARD") && strcmp(v, "EXPRESS"))
                return usage_error("--type takes STANDARD or EXPRESS, got '%s'", v);
            a->opts.type = argv[++i];
        } else if (!strcmp(s, "--state-machine")) {
            a->opts.state_machine = argv[++i];
        } else if (!strcmp(s, "--sub") || !strcmp(s, "--parameter")) {
            if (!strchr(v, '=') || v[0] == '=')
                return usage_error(s[2] == 's' ? "--sub takes KEY=VALUE, got '%s'" : "--parameter takes NAME=VALUE, got '%s'", v);
            if (s[2] == 's')
                cc_push(&a->opts.subs, &a->opts.nsubs, argv[++i]);
            else
                cc_push(&a->opts.params, &a->opts.nparams, argv[++i]);
        } else if (!strcmp(s, "--tasks")) {
            cc_push(&a->opts.tasks, &a->opts.ntasks, argv[++i]);
        } else if (!strcmp(s, "--lambda")) {
            if (!strchr(v, '=') || v[0] == '=')
                return usage_error("--lambda takes NAME=COMMAND, got '%s'", v);
            cc_push(&a->opts.lambdas, &a->opts.nlambdas, argv[++i]);
        } else if (!a->opts.main_file && (s[0] != '-' || !strcmp(s, "-"))) {
            a->opts.main_file = s;
        } else if (a->mode == MODE_RUN) {
            a->run_argv[a->run_argc++] = argv[i];
        } else {
            return usage_error("unknown option '%s'", s);
        }
    }
    if (!a->with_main && !emit)
        return usage_error("%s", "--no-main goes with --emit-c");
    if (a->with_report && (a->mode != MODE_BUILD || !a->with_main))
        return usage_error("%s", a->mode == MODE_BUILD ? "--with-report needs the program's main() (not --no-main)"
                                                       : "--with-report goes with a build (aslc DEF -o PROG); "
                                                         "aslc run takes --report FILE.html as it is");
    if (emit) {
        if (a->mode != MODE_BUILD)
            return usage_error("--emit-c goes with a build, not with '%s'", a->mode == MODE_RUN ? "run" : "check");
        a->mode = MODE_EMIT;
    }
    if (!a->opts.main_file)
        return usage_error("%s", "no definition file given");
    a->opts.every_machine = a->mode == MODE_CHECK && !a->opts.state_machine;
    a->opts.lint = a->mode == MODE_CHECK && !a->handlers;
    a->opts.check_files = a->mode == MODE_CHECK;
    if (a->mode == MODE_CHECK)
        diag_set_format(true, a->json);
    if ((a->mode == MODE_BUILD || a->mode == MODE_EMIT) && !a->out)
        return usage_error("%s", "no output file given (-o FILE)");
    return 0;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        return 74;
    }
    return 0;
}

int main(int argc, char **argv)
{
    for (const struct command *c = commands; argc > 1 && c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->main(argc - 1, argv + 1);
    args a = {0};
    int rc = parse_args(&a, argc, argv);
    if (rc) {
        cc_free_all();
        return rc < 0 ? 0 : rc;
    }
    cc_unit u;
    int status = 0;
    if (unit_load(&u, &a.opts, &status) && a.mode != MODE_CHECK) {
        report_attach(&u);   /* aslc run --report FILE.html */
        char *c_text = lower_unit(&u, a.mode != MODE_RUN && a.with_main && !a.with_report);
        if (a.with_report) {
            asl_buf all = {0};
            asl_buf_puts(&all, c_text);
            char *m = report_program_main(&u);
            asl_buf_puts(&all, m);
            free(m);
            free(c_text);
            c_text = asl_buf_take(&all);
        }
        if (a.mode == MODE_EMIT)
            status = write_file(a.out, c_text);
        else if (a.mode == MODE_BUILD)
            status = build_native(&u, c_text, a.out, a.s3_client, a.with_report);
        else
            status = jit_run(&u, c_text, a.run_argc, a.run_argv);
        free(c_text);
    }
    if (a.mode == MODE_CHECK && a.json && diag_print_json())
        status = 74;
    unit_free(&u);
    cc_free_all();
    return status;
}
