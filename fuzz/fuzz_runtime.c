/*
 * fuzz_runtime.c: the runtime on arbitrary execution input. The machines
 * in fuzz/machines/ (paths, intrinsics, Choice, Map, Parallel, Retry and
 * Catch, JSONata) are compiled once with libtcc, as `aslc run` compiles
 * them; each input's first byte picks a machine and the rest is the
 * execution input, run to its end on the virtual clock with the history
 * recorded. Seeds: the inputs under tests/cases/, each prefixed with every
 * machine's byte.
 */
#include <dirent.h>
#include <stdio.h>

#include "aslc.h"
#include "asl_engine.h"
#include "common.h"

enum { MAX_MACHINES = 32 };

static const asl_program *programs[MAX_MACHINES];
static void *states[MAX_MACHINES];   /* libtcc's, released at exit */
static int nprograms;

static void release_all(void)
{
    for (int i = 0; i < nprograms; i++)
        jit_release(states[i]);
}

static void drop(void *ud, const diag_item *d)
{
    (void)ud, (void)d;
}

static void compile(const char *path)
{
    cc_opts o = {.main_file = path, .lenient = true};
    diag_set_sink(drop, NULL);
    cc_unit u;
    int status = 0;
    if (unit_load(&u, &o, &status)) {
        char *c_text = lower_unit(&u, false);
        void *state;
        const asl_program *p = jit_load(&u, c_text, &state);
        free(c_text);
        if (p && nprograms < MAX_MACHINES) {
            states[nprograms] = state;
            programs[nprograms++] = p; /* kept until exit */
        } else if (p) {
            jit_release(state);
        }
    } else {
        fprintf(stderr, "fuzz_runtime: %s does not compile\n", path);
    }
    unit_free(&u);
    cc_free_all(); /* the compiled program holds copies of all it needs */
    diag_set_sink(NULL, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    DIR *d = opendir(FUZZ_MACHINES_DIR);
    struct dirent *e;
    char *names[MAX_MACHINES];
    int n = 0;
    while (d && (e = readdir(d)) && n < MAX_MACHINES)
        if (strstr(e->d_name, ".asl.json"))
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    for (int i = 0; i < n; i++) /* in name order: a seed's first byte means the same machine every run */
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", FUZZ_MACHINES_DIR, names[i]);
        compile(path);
        free(names[i]);
    }
    atexit(release_all);
    if (!nprograms) {
        fprintf(stderr, "fuzz_runtime: no machine compiled from %s\n", FUZZ_MACHINES_DIR);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    const asl_program *p = programs[data[0] % nprograms];
    char *input = fuzz_text(data + 1, size - 1);
    asl_engine_config c = {.virtual_time = true, .record_history = true, .wait_scale = 0};
    asl_engine *e = asl_engine_new(&c);
    asl_engine_load(e, p, NULL, NULL);
    asl_err err = {0};
    asl_exec *x = asl_engine_start(e, asl_engine_machine_arn(e, &p->machines[0]), NULL, input, &err);
    asl_err_clear(&err);
    if (x) {
        asl_engine_run(e);
        free(asl_exec_describe_json(x));
        free(asl_exec_history_json(x));
    }
    asl_engine_free(e);
    free(input);
    return 0;
}
