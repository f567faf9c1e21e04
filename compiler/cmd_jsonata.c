/*
 * cmd_jsonata.c: `aslc jsonata`, one standard JSONata expression evaluated
 * over a document, as jsonata-js evaluates it: the input is the context $
 * (and $$), bindings are variables. The user's way to try an expression
 * before putting it in a state, and how the JSONata engine is measured
 * against the language's own test suite.
 *
 * Output: the result as JSON on stdout, nothing for undefined (both exit
 * 0); a failure prints "CODE: message" on stderr (JSONata's error code as
 * the first word) and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aslc.h"
#include "commands.h"
#include "jsonata_fields.h"

static const char jsonata_usage[] =
    "usage: aslc jsonata (EXPR | --expr-file FILE) [--input JSON | --input-file FILE]\n"
    "                    [--bindings JSON | --bindings-file FILE] [--repeat N]\n"
    "Evaluates a JSONata expression (standard JSONata 2.0: the input is $, bindings\n"
    "are variables, {\"x\": 1} binds $x) and prints the result as JSON, or nothing\n"
    "when it is undefined. An error prints its JSONata code first (T2001: ...),\n"
    "exit status 1; 64 usage, 65 invalid JSON, 66 cannot open a file.\n"
    "--repeat N evaluates N times and reports the mean time of one evaluation on\n"
    "stderr as {\"evaluations\": N, \"mean_us\": T} (parsing not included).\n";

typedef struct jn_args {
    const char *expr, *expr_file;
    const char *input, *input_file;
    const char *bindings, *bindings_file;
    const char *repeat;
} jn_args;

static int jn_usage(const char *fmt, const char *arg)
{
    fputs("aslc jsonata: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(try aslc jsonata --help)\n", stderr);
    return 64;
}

/* Options that take a value, and where each one's value goes. */
static const char **jn_slot(jn_args *a, const char *opt)
{
    static const char *const names[] = {"--expr-file", "--input", "--input-file", "--bindings", "--bindings-file",
                                        "--repeat"};
    const char **slots[] = {&a->expr_file, &a->input, &a->input_file, &a->bindings, &a->bindings_file, &a->repeat};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(opt, names[i]))
            return slots[i];
    return NULL;
}

static int jn_parse_args(jn_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **slot = jn_slot(a, s);
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            fputs(jsonata_usage, stdout);
            return -1;
        } else if (slot) {
            if (i + 1 >= argc)
                return jn_usage("option %s needs a value", s);
            *slot = argv[++i];
        } else if (s[0] == '-' && s[1] == '-') {
            return jn_usage("unknown option '%s'", s);
        } else if (!a->expr) {
            a->expr = s;
        } else {
            return jn_usage("more than one expression given ('%s')", s);
        }
    }
    if (!!a->expr + !!a->expr_file != 1)
        return jn_usage("%s", "give one expression: EXPR or --expr-file FILE");
    if (a->input && a->input_file)
        return jn_usage("%s", "give --input or --input-file, not both");
    if (a->bindings && a->bindings_file)
        return jn_usage("%s", "give --bindings or --bindings-file, not both");
    if (a->repeat && (atol(a->repeat) < 1 || strspn(a->repeat, "0123456789") != strlen(a->repeat)))
        return jn_usage("--repeat takes a positive number, got '%s'", a->repeat);
    return 0;
}

/* Reads text given inline or in a file; NULL with *rc set when the file
 * cannot be read. what names it in the message. */
static char *jn_text(const char *inline_text, const char *file, int *rc)
{
    if (!file)
        return inline_text ? strdup(inline_text) : NULL;
    char *t = asl_read_file(file);
    if (!t) {
        perror(file);
        *rc = 66;
    }
    return t;
}

/* Parses JSON given inline or in a file into *out (NULL when neither is
 * given). Returns 0, or an exit status after saying what is wrong. */
static int jn_json(const char *inline_text, const char *file, const char *what, cJSON **out)
{
    int rc = 0;
    *out = NULL;
    char *text = jn_text(inline_text, file, &rc);
    if (!text)
        return rc;
    const char *end = NULL;
    *out = cJSON_ParseWithOpts(text, &end, 1);
    if (!*out) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        fprintf(stderr, "aslc jsonata: %s%s%s: not valid JSON (at offset %zu)\n", what, file ? " " : "",
                file ? file : "", at);
        rc = 65;
    }
    free(text);
    return rc;
}

/* Evaluates n times more (after the one whose result counts) and reports
 * the mean time of one evaluation. */
static void jn_time(const jsonata_node *n, const cJSON *input, const jsonata_host *host, long times)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < times; i++) {
        jsonata_error err;
        cJSON_Delete(jsonata_evaluate(n, input, host, 0, &err));
        jsonata_error_clear(&err);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3 / (double)times;
    fprintf(stderr, "{\"evaluations\": %ld, \"mean_us\": %.3f}\n", times, us);
}

static int jn_eval(const char *text, const cJSON *input, const cJSON *bindings, long repeat)
{
    jsonata_error err;
    jsonata_node *n = jsonata_parse(text, 0, &err);
    if (!n) {
        fprintf(stderr, "%s\n", err.message);
        jsonata_error_clear(&err);
        return 1;
    }
    jsonata_host host = asl_jsonata_host();
    host.variable = jsonata_object_variable;
    host.ud = (void *)bindings;
    cJSON *r = jsonata_evaluate(n, input, &host, 0, &err);
    if (repeat > 0)
        jn_time(n, input, &host, repeat);
    jsonata_free(n);
    if (err.message) {
        fprintf(stderr, "%s\n", err.message);
        jsonata_error_clear(&err);
        return 1;
    }
    int rc = 0;
    if (r) {
        char *out = asl_json_print(r);
        if (puts(out) < 0 || fflush(stdout) != 0) {
            perror("aslc jsonata: stdout");
            rc = 74;
        }
        free(out);
        cJSON_Delete(r);
    }
    return rc;
}

int cmd_jsonata(int argc, char **argv)
{
    jn_args a = {0};
    int rc = jn_parse_args(&a, argc, argv);
    if (rc)
        return rc < 0 ? 0 : rc;
    cJSON *input = NULL, *bindings = NULL;
    char *text = jn_text(a.expr, a.expr_file, &rc);
    if (text && !(rc = jn_json(a.input, a.input_file, "--input", &input)) &&
        !(rc = jn_json(a.bindings, a.bindings_file, "--bindings", &bindings))) {
        if (bindings && !cJSON_IsObject(bindings)) {
            fputs("aslc jsonata: --bindings: expected a JSON object\n", stderr);
            rc = 65;
        } else {
            rc = jn_eval(text, input, bindings, a.repeat ? atol(a.repeat) : 0);
        }
    }
    cJSON_Delete(input);
    cJSON_Delete(bindings);
    free(text);
    cc_free_all();
    return rc;
}
