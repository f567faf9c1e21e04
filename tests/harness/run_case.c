/*
 * run_case.c: runs one case folder through aslc and checks the result.
 *
 *     run_case aot|jit ASLC CASE_DIR WORK_DIR
 *         CASE_DIR holds definition.asl.json, optionally input.json, args
 *         (extra aslc arguments, one per line, e.g. "--tasks" "handlers.c")
 *         and run-args (extra run options), and either expected.json (the
 *         output) or expected-error.json ({"Error": ..., "Cause": ...}; Cause
 *         is compared only when present). The execution runs with
 *         --virtual-time --describe; output is compared structurally.
 *         Optionally also expected-history.json ({"events": [...]}, as
 *         --history prints it; each event is compared on id,
 *         previousEventId and type only) and expected-executions.json
 *         ({"executions": [...]}, as --executions prints it; each listed
 *         execution is compared on the keys the file gives): for each, the
 *         run is repeated with --history or --executions in place of
 *         --describe.
 *     run_case errors ASLC CASE_DIR WORK_DIR
 *         runs `aslc check definition.asl.json` and compares stderr with
 *         expected.txt exactly, and the exit status with 65 (or the number in
 *         the file exit-status). When expected.txt has no " [CODE]" (the
 *         ValidateStateMachineDefinition code check prints), codes are
 *         left out of the comparison.
 *     run_case cli ASLC CASE_DIR WORK_DIR
 *         runs the shell script `cmd` with ASLC and WORK (a scratch
 *         folder) in its environment and compares its stdout with the file
 *         expected, its stderr with expected-stderr (each only when the
 *         file exists) and its exit status with exit-status (default 0),
 *         exactly. For what a case folder cannot say: exit statuses,
 *         messages, signals, inputs made on the fly.
 * A case may hold definition.asl.yaml, template.yaml or template.json (a
 * SAM or CloudFormation template) in place of definition.asl.json.
 * The case folder is the working directory, so relative paths in args work
 * and diagnostics name files as the case does.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    p[got] = '\0';
    fclose(f);
    return p;
}

/* The case's definition file (see the top of the file). */
static char *definition(void)
{
    static const char *const names[] = {"definition.asl.yaml", "template.yaml", "template.json"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (access(names[i], R_OK) == 0)
            return (char *)names[i];
    return "definition.asl.json";
}

/* Strings add_lines hands out, freed at exit. */
static char *owned[256];
static int nowned;

static void free_owned(void)
{
    while (nowned)
        free(owned[--nowned]);
}

/* Appends the lines of a file (if it exists) to argv. */
static int add_lines(const char *path, char **argv, int n)
{
    char *text = slurp(path);
    if (!text)
        return n;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        if (line[0] && line[0] != '#')
            argv[n++] = owned[nowned < 256 ? nowned++ : 255] = strdup(line);
    free(text);
    return n;
}

/* Runs argv, capturing stdout and stderr into files in work; returns the
 * exit status (or -1). */
static int run(char **argv, const char *out, const char *err)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
            _exit(127);
        execv(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    if (WIFSIGNALED(st)) {
        fprintf(stderr, "%s died of signal %d\n", argv[0], WTERMSIG(st));
        return -1;
    }
    return WEXITSTATUS(st);
}

static void show(const char *label, const char *path)
{
    char *t = slurp(path);
    if (t && *t)
        fprintf(stderr, "%s:\n%s\n", label, t);
    free(t);
}

/* Removes the " [CODE]" aslc check ends each line with, for expected.txt
 * files written without codes. */
static void strip_codes(char *text)
{
    char *w = text;
    for (char *r = text; *r;) {
        char *eol = r + strcspn(r, "\n"), *open = eol;
        while (open > r && open[-1] != '[')
            open--;
        bool code = open > r + 1 && open[-2] == ' ' && eol[-1] == ']' && strspn(open, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == (size_t)(eol - 1 - open);
        size_t keep = code ? (size_t)(open - 2 - r) : (size_t)(eol - r);
        memmove(w, r, keep);
        w += keep;
        if (*eol)
            *w++ = '\n';
        r = *eol ? eol + 1 : eol;
    }
    *w = '\0';
}

static bool has_codes(const char *text)
{
    char *copy = strdup(text);
    strip_codes(copy);
    bool changed = strcmp(copy, text) != 0;
    free(copy);
    return changed;
}

static int check_errors(const char *aslc, const char *work)
{
    char *argv[64] = {(char *)aslc, "check", definition()};
    int n = add_lines("args", argv, 3);
    argv[n] = NULL;
    char out[8192], err[8192];
    if (snprintf(out, sizeof out, "%s/stdout", work) >= (int)sizeof out ||
        snprintf(err, sizeof err, "%s/stderr", work) >= (int)sizeof err)
        return 1;
    int st = run(argv, out, err);
    char *want = slurp("expected.txt"), *got = slurp(err), *ws = slurp("exit-status");
    if (want && got && !has_codes(want))
        strip_codes(got);
    int want_st = ws ? atoi(ws) : 65;
    int ok = want && got && !strcmp(want, got) && st == want_st;
    if (!ok)
        fprintf(stderr, "expected (exit %d):\n%s\nbut got (exit %d):\n%s\n", want_st, want ? want : "(no expected.txt)", st,
                got ? got : "");
    free(want);
    free(got);
    free(ws);
    return ok ? 0 : 1;
}

/* Compares a file of the case (if it exists) with what the run wrote. */
static int compare_text(const char *file, const char *got_path)
{
    char *want = slurp(file);
    if (!want)
        return 0;
    char *got = slurp(got_path);
    int fails = !got || strcmp(want, got) != 0;
    if (fails)
        fprintf(stderr, "%s: expected:\n%s\nbut got:\n%s\n", file, want, got ? got : "");
    free(want);
    free(got);
    return fails;
}

static int check_cli(const char *aslc, const char *work)
{
    char out[8192], err[8192];
    if (snprintf(out, sizeof out, "%s/stdout", work) >= (int)sizeof out ||
        snprintf(err, sizeof err, "%s/stderr", work) >= (int)sizeof err)
        return 1;
    if (setenv("ASLC", aslc, 1) < 0 || setenv("WORK", work, 1) < 0)
        return 1;
    char *argv[] = {"/bin/sh", "cmd", NULL};
    int st = run(argv, out, err);
    char *ws = slurp("exit-status");
    int want_st = ws ? atoi(ws) : 0;
    free(ws);
    int fails = compare_text("expected", out) + compare_text("expected-stderr", err);
    if (st != want_st) {
        fprintf(stderr, "expected exit status %d, got %d\n", want_st, st);
        show("stderr", err);
        fails++;
    }
    return fails ? 1 : 0;
}

static int compare(const cJSON *want, const cJSON *got, const char *what)
{
    if (cJSON_Compare(want, got, 1))
        return 0;
    char *w = cJSON_PrintUnformatted(want), *g = got ? cJSON_PrintUnformatted(got) : NULL;
    fprintf(stderr, "%s: expected %s, but got %s\n", what, w, g ? g : "nothing");
    free(w);
    free(g);
    return 1;
}

/* The last line of a file (what --history / --executions print last). */
static cJSON *last_line(const char *path)
{
    char *text = slurp(path);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        text[--n] = '\0';
    char *line = strrchr(text, '\n');
    cJSON *v = cJSON_Parse(line ? line + 1 : text);
    free(text);
    return v;
}

/* Compares the arrays under key: same length, and each element on the
 * given keys (keys NULL: the keys the expected element has). */
static int compare_list(const cJSON *want, const cJSON *got, const char *key, const char *const *keys)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(want, key), *g = cJSON_GetObjectItemCaseSensitive(got, key);
    if (!cJSON_IsArray(w) || !cJSON_IsArray(g)) {
        fprintf(stderr, "%s: expected an array in both the case and the run\n", key);
        return 1;
    }
    int nw = cJSON_GetArraySize(w), ng = cJSON_GetArraySize(g), fails = 0;
    if (nw != ng) {
        fprintf(stderr, "%s: expected %d entries, got %d\n", key, nw, ng);
        fails++;
    }
    for (int i = 0; i < nw && i < ng; i++) {
        const cJSON *we = cJSON_GetArrayItem(w, i), *ge = cJSON_GetArrayItem(g, i);
        cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject();
        for (const cJSON *k = we->child; k; k = k->next) {
            bool wanted = !keys;
            for (int j = 0; keys && keys[j]; j++)
                wanted |= !strcmp(keys[j], k->string);
            const cJSON *gv = cJSON_GetObjectItemCaseSensitive(ge, k->string);
            if (!wanted)
                continue;
            cJSON_AddItemToObject(a, k->string, cJSON_Duplicate(k, 1));
            if (gv)
                cJSON_AddItemToObject(b, k->string, cJSON_Duplicate(gv, 1));
        }
        char what[64];
        snprintf(what, sizeof what, "%s[%d]", key, i);
        fails += compare(a, b, what);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    return fails;
}

/* Reruns the execution with flag in place of --describe (argv[at]) and
 * compares what it prints last with the case's file. */
static int check_listing(char **argv, int at, const char *flag, const char *file, const char *out,
                         const char *err)
{
    char *text = slurp(file);
    if (!text)
        return 0;
    cJSON *want = cJSON_Parse(text);
    free(text);
    argv[at] = (char *)flag;
    run(argv, out, err);
    argv[at] = "--describe";
    cJSON *got = last_line(out);
    static const char *const history_keys[] = {"id", "previousEventId", "type", NULL};
    int fails;
    if (!want || !got) {
        fprintf(stderr, "%s: %s\n", file, want ? "the run printed no JSON last" : "not valid JSON");
        fails = 1;
    } else if (!strcmp(flag, "--history")) {
        fails = compare_list(want, got, "events", history_keys);
    } else {
        fails = compare_list(want, got, "executions", NULL);
    }
    cJSON_Delete(want);
    cJSON_Delete(got);
    return fails;
}

static int check_run(const char *mode, const char *aslc, const char *work)
{
    char prog[8192], out[8192], err[8192];
    if (snprintf(prog, sizeof prog, "%s/prog", work) >= (int)sizeof prog ||
        snprintf(out, sizeof out, "%s/stdout", work) >= (int)sizeof out ||
        snprintf(err, sizeof err, "%s/stderr", work) >= (int)sizeof err)
        return 1;
    char *argv[128];
    int n = 0;
    if (!strcmp(mode, "aot")) {
        char *build[64] = {(char *)aslc, definition(), "-o", prog};
        int k = add_lines("args", build, 4);
        build[k] = NULL;
        if (run(build, out, err) != 0) {
            show("aslc failed", err);
            return 1;
        }
        argv[n++] = prog;
    } else {
        argv[n++] = (char *)aslc;
        argv[n++] = "run";
        argv[n++] = definition();
        n = add_lines("args", argv, n);
    }
    if (!access("input.json", R_OK)) {
        argv[n++] = "--input-file";
        argv[n++] = "input.json";
    }
    argv[n++] = "--virtual-time";
    int describe_at = n;
    argv[n++] = "--describe";
    n = add_lines("run-args", argv, n);
    argv[n] = NULL;
    int st = run(argv, out, err);
    char *text = slurp(out);
    cJSON *d = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!d) {
        fprintf(stderr, "no DescribeExecution JSON on stdout (exit %d)\n", st);
        show("stderr", err);
        return 1;
    }
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(d, "status");
    int fails = 0;
    char *exp = slurp("expected.json"), *experr = slurp("expected-error.json");
    if (exp) {
        cJSON *want = cJSON_Parse(exp);
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(d, "output");
        cJSON *got = cJSON_IsString(o) ? cJSON_Parse(o->valuestring) : NULL;
        if (!cJSON_IsString(status) || strcmp(status->valuestring, "SUCCEEDED")) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(d, "error"), *c = cJSON_GetObjectItemCaseSensitive(d, "cause");
            fprintf(stderr, "expected SUCCEEDED, but the execution ended %s: %s: %s\n",
                    cJSON_IsString(status) ? status->valuestring : "?", cJSON_IsString(e) ? e->valuestring : "",
                    cJSON_IsString(c) ? c->valuestring : "");
            fails++;
        } else {
            fails += compare(want, got, "output");
        }
        cJSON_Delete(want);
        cJSON_Delete(got);
    } else if (experr) {
        cJSON *want = cJSON_Parse(experr);
        cJSON *got = cJSON_CreateObject();
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(d, "error"), *c = cJSON_GetObjectItemCaseSensitive(d, "cause");
        if (e)
            cJSON_AddItemToObject(got, "Error", cJSON_Duplicate(e, 1));
        if (c && cJSON_GetObjectItemCaseSensitive(want, "Cause"))
            cJSON_AddItemToObject(got, "Cause", cJSON_Duplicate(c, 1));
        fails += compare(want, got, "error");
        if (st != 1)
            fprintf(stderr, "a failed execution must exit 1, got %d\n", st), fails++;
        cJSON_Delete(want);
        cJSON_Delete(got);
    } else {
        fprintf(stderr, "the case has neither expected.json nor expected-error.json\n");
        fails++;
    }
    free(exp);
    free(experr);
    cJSON_Delete(d);
    if (fails)
        show("stderr", err);
    fails += check_listing(argv, describe_at, "--history", "expected-history.json", out, err);
    fails += check_listing(argv, describe_at, "--executions", "expected-executions.json", out, err);
    return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fputs("usage: run_case aot|jit|errors|cli ASLC CASE_DIR WORK_DIR\n", stderr);
        return 64;
    }
    char aslc[4096];
    if (!realpath(argv[2], aslc)) {
        perror(argv[2]);
        return 66;
    }
    char work[4096];
    if (!realpath(argv[4], work) && errno != ENOENT)
        return 66;
    atexit(free_owned);
    if (chdir(argv[3]) < 0) {
        perror(argv[3]);
        return 66;
    }
    if (!strcmp(argv[1], "errors"))
        return check_errors(aslc, work);
    if (!strcmp(argv[1], "cli"))
        return check_cli(aslc, work);
    return check_run(argv[1], aslc, work);
}
