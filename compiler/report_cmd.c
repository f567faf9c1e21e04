/*
 * report_cmd.c: `aslc report DEF.asl.json HISTORY.json -o FILE.html`, the
 * report of an execution recorded earlier: the GetExecutionHistory JSON
 * that `aslc run --history` prints (its last line) or that AWS's
 * `aws stepfunctions get-execution-history` gives, or a record of several
 * executions (report.h). `aslc run --report FILE.html` writes the same page
 * straight from a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "graph.h"
#include "report.h"

static const char usage[] =
    "usage: aslc report DEF.asl.json HISTORY.json -o FILE.html [--machine ARN_OR_NAME=FILE]\n"
    "                   [--state-machine ID --sub KEY=VALUE --parameter NAME=VALUE]\n"
    "Writes the report of a recorded execution as one HTML file: the graph\n"
    "coloured by what happened, each state's input, output, error and timing.\n"
    "HISTORY.json is GetExecutionHistory's JSON ({\"events\": [...]}, as\n"
    "`aslc run --history` prints it) or {\"executions\": [...]}.\n";

static int parse(cc_opts *o, const char **history, const char **out, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int taken = graph_unit_option(o, "report", argc, argv, &i);
        if (taken > 1)
            return taken;
        if (taken)
            continue;
        if (!strcmp(s, "-o") && i + 1 >= argc)
            return graph_usage_error("report", "option %s needs a value", s);
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(s, "-o")) {
            *out = argv[++i];
        } else if (s[0] != '-' && !o->main_file) {
            o->main_file = s;
        } else if (s[0] != '-' && !*history) {
            *history = s;
        } else {
            return graph_usage_error("report", "unknown option '%s'", s);
        }
    }
    if (!o->main_file || !*history)
        return graph_usage_error("report", "%s", "give the definition and the history: aslc report DEF.asl.json HISTORY.json -o FILE.html");
    if (!*out)
        return graph_usage_error("report", "%s", "no output file given (-o FILE.html)");
    return 0;
}

/* The history file ("-": stdin), parsed; NULL after saying why (*rc set). */
static cJSON *read_record(const char *path, int *rc)
{
    char *text = asl_read_file(path);
    if (!text) {
        perror(path);
        *rc = 66;
        return NULL;
    }
    cJSON *v = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsObject(v)) {
        fprintf(stderr, "%s: error: not a JSON object (expected GetExecutionHistory's {\"events\": [...]})\n", path);
        cJSON_Delete(v);
        *rc = 65;
        return NULL;
    }
    return v;
}

int cmd_report(int argc, char **argv)
{
    cc_opts o = {.draw_only = true};
    const char *history = NULL, *out = NULL;
    int rc = parse(&o, &history, &out, argc, argv);
    if (rc) {
        cc_free_all();
        return rc < 0 ? 0 : rc;
    }
    cc_unit u;
    cJSON *record = read_record(history, &rc);
    if (record && unit_load(&u, &o, &rc))
        rc = report_write(&u, record, out);
    if (record)
        unit_free(&u);
    cJSON_Delete(record);
    cc_free_all();
    return rc;
}
