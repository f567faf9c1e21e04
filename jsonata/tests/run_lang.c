/*
 * run_lang.c: runs a file of standard JSONata cases against the module
 * alone (it links nothing of aslc). A case is three lines: the
 * expression; the input, the context $ ("-": no input at all); the
 * expected result as JSON, "! undefined", "! CODE" (a failure with that
 * JSONata code) or "! CODE: message" (the whole message). "%vars {...}"
 * sets the bindings ({"x": 1} is $x) for the cases after it; blank lines
 * and # comments between cases are skipped.
 *
 *     run_lang FILE
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata.h"

typedef struct result {
    cJSON *value;       /* NULL: undefined, or the failure in err */
    jsonata_error err;
} result;

static result evaluate(const char *text, const cJSON *input, const cJSON *bindings)
{
    result r = {0};
    jsonata_node *tree = jsonata_parse(text, 0, &r.err);
    if (!tree)
        return r;
    jsonata_host host = {.variable = jsonata_object_variable, .ud = (void *)bindings};
    r.value = jsonata_evaluate(tree, input, &host, 0, &r.err);
    jsonata_free(tree);
    return r;
}

static void report(const char *file, int line, const char *expected, const result *r)
{
    char *got = r->value ? cJSON_PrintUnformatted(r->value) : NULL;
    fprintf(stderr, "%s:%d: expected %s, but got %s\n", file, line, expected,
            got ? got : r->err.message ? r->err.message : "undefined");
    free(got);
}

static bool check(const char *file, int line, const char *expected, const result *r)
{
    bool ok;
    if (expected[0] == '!') {
        const char *want = expected + 1;
        while (*want == ' ')
            want++;
        if (!strcmp(want, "undefined"))
            ok = !r->value && !r->err.message;
        else if (strchr(want, ':'))
            ok = r->err.message && !strcmp(r->err.message, want);
        else
            ok = r->err.message && !strcmp(r->err.code, want);
    } else {
        cJSON *want = cJSON_Parse(expected);
        if (!want) {
            fprintf(stderr, "%s:%d: the expected line is not JSON\n", file, line);
            return false;
        }
        ok = r->value && cJSON_Compare(want, r->value, 1);
        cJSON_Delete(want);
    }
    if (!ok)
        report(file, line, expected, r);
    return ok;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: run_lang FILE\n", stderr);
        return 64;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 66;
    }
    cJSON *vars = NULL;
    char *lines[3] = {0};
    int got = 0, lineno = 0, first = 0, passed = 0, failed = 0;
    static char buf[1 << 20];
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        chomp(buf);
        if ((buf[0] == '\0' || buf[0] == '#') && got == 0)
            continue;
        if (!strncmp(buf, "%vars ", 6)) {
            cJSON_Delete(vars);
            vars = cJSON_Parse(buf + 6);
            continue;
        }
        if (got == 0)
            first = lineno;
        lines[got++] = strdup(buf);
        if (got < 3)
            continue;
        bool none = !strcmp(lines[1], "-");
        cJSON *input = none ? NULL : cJSON_Parse(lines[1]);
        if (!none && !input) {
            fprintf(stderr, "%s:%d: the input line is not JSON\n", argv[1], first + 1);
            failed++;
        } else {
            result r = evaluate(lines[0], input, vars);
            if (check(argv[1], first, lines[2], &r))
                passed++;
            else
                failed++;
            cJSON_Delete(r.value);
            jsonata_error_clear(&r.err);
        }
        cJSON_Delete(input);
        for (int i = 0; i < 3; i++)
            free(lines[i]);
        got = 0;
    }
    fclose(f);
    if (got)
        fprintf(stderr, "%s:%d: incomplete case at the end of the file\n", argv[1], first), failed++;
    cJSON_Delete(vars);
    printf("%s: %d passed, %d failed\n", argv[1], passed, failed);
    return failed ? 1 : 0;
}
