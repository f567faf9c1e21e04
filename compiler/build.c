/*
 * build.c: turning generated C into something that runs. AOT pipes the C
 * to the system compiler (no temporary file) and links libaslrt (and
 * libaslreport for --with-report); the JIT
 * compiles it in memory with libtcc, handing it the runtime's symbols from
 * this very process, and runs it at once.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aslc.h"

/* Where the runtime's header and library are: next to the aslc binary
 * (a build tree), or in ../include/aslc and ../lib/aslc (an install). */
static bool runtime_dirs(const char **inc, const char **lib)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    const char *cands[][2] = {{"%s/include", "%s/libaslrt.a"},
                              {"%s/../include/aslc", "%s/../lib/aslc/libaslrt.a"}};
    for (size_t i = 0; i < 2; i++) {
        const char *h = cc_printf(cands[i][0], self), *l = cc_printf(cands[i][1], self);
        if (!access(cc_printf("%s/asl.h", h), R_OK) && !access(l, R_OK)) {
            *inc = h;
            *lib = l;
            return true;
        }
    }
    return false;
}

int build_native(const cc_unit *u, const char *c_text, const char *out, bool s3_client, bool with_report)
{
    const char *inc, *lib;
    if (!runtime_dirs(&inc, &lib)) {
        fputs("aslc: error: cannot find the runtime (asl.h and libaslrt.a) next to the aslc binary\n", stderr);
        return 70;
    }
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    const char **argv = cc_alloc(sizeof *argv * (size_t)(u->ntask_files + 32));
    int n = 0;
    argv[n++] = cc;
    argv[n++] = "-std=c11";
    argv[n++] = "-O2";
    argv[n++] = "-Wall";
    /* Handler files may use POSIX (strdup...): declare it, and never let an
     * undeclared function through (its result would be truncated to int). */
    argv[n++] = "-D_GNU_SOURCE";
    argv[n++] = "-Werror=implicit-function-declaration";
#ifdef ASLC_RUNTIME_CFLAGS
    /* The runtime was built with sanitizers: so must the program be. */
    argv[n++] = "-fsanitize=address,undefined";
#endif
    argv[n++] = cc_printf("-I%s", inc);
    argv[n++] = "-x";
    argv[n++] = "c";
    argv[n++] = "-";
    argv[n++] = "-x";
    argv[n++] = "none";
    for (int i = 0; i < u->ntask_files; i++)
        argv[n++] = u->task_files[i];
    if (s3_client) {
        /* whole: nothing names the client, its constructor installs it */
        char *dir = cc_printf("%s", lib);
        *strrchr(dir, '/') = '\0';
        argv[n++] = "-Wl,--whole-archive";
        argv[n++] = cc_printf("%s/libaslrt_s3.a", dir);
        argv[n++] = "-Wl,--no-whole-archive";
    }
    if (with_report) {
        /* libaslreport.a sits next to libaslrt.a, which it uses */
        const char *report = cc_printf("%.*slibaslreport.a", (int)(strrchr(lib, '/') + 1 - lib), lib);
        if (access(report, R_OK)) {
            fprintf(stderr, "aslc: error: --with-report: cannot find %s next to libaslrt.a\n", report);
            return 70;
        }
        argv[n++] = report;
    }
    argv[n++] = lib;
    if (s3_client) {
        argv[n++] = "-lcurl";
        argv[n++] = "-lxml2";
    }
    argv[n++] = "-lcjson";
    argv[n++] = "-lz"; /* a Distributed Map's MANIFEST files may be gzip */
    argv[n++] = "-lm";
    argv[n++] = "-o";
    argv[n++] = out;
    argv[n] = NULL;
    int fds[2];
    if (pipe(fds) < 0)
        return 71;
    pid_t pid = fork();
    if (pid < 0)
        return 71;
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        execvp(cc, (char *const *)argv);
        fprintf(stderr, "aslc: error: cannot run the C compiler '%s': %s\n", cc, strerror(errno));
        _exit(127);
    }
    close(fds[0]);
    size_t len = strlen(c_text), off = 0;
    while (off < len) {
        ssize_t w = write(fds[1], c_text + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fds[1]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st)) {
        fprintf(stderr, "aslc: error: the C compiler failed building '%s'\n", out);
        return 70;
    }
    return 0;
}

/* ------------------------------------------------------------ JIT */

#ifdef ASLC_JIT
#include <libtcc.h>

#include "runtime_symbols.h"

static void tcc_error(void *opaque, const char *msg)
{
    (void)opaque;
    fprintf(stderr, "aslc: jit: %s\n", msg);
}

/* text with header pasted in place of the first `#include "name"`. */
static char *paste(const char *text, const char *name, const char *header, const char *after)
{
    char *line = cc_printf("#include \"%s\"", name);
    const char *inc = strstr(text, line);
    if (!inc)
        return cc_strdup(text);
    return cc_printf("%.*s%s\n%s%s", (int)(inc - text), text, header, after, inc + strlen(line));
}

/* The generated C with asl_gen.h (and the asl.h it includes) pasted in
 * place of its #include, so libtcc needs no header search for it. */
static char *inline_header(const char *c_text)
{
    const char *gen = paste(aslc_gen_header_text, "asl.h", aslc_header_text, "");
    return paste(c_text, "asl_gen.h", gen, "#line 3 \"generated.c\"\n");
}

/* Compiles the unit's C (and its task files) in memory: the program, with
 * *state set to the TCCState that holds its code, or NULL. */
const asl_program *jit_load(const cc_unit *u, const char *c_text, void **state)
{
    *state = NULL;
    TCCState *s = tcc_new();
    if (!s)
        return NULL;
    tcc_set_error_func(s, NULL, tcc_error);
    tcc_set_lib_path(s, ASLC_TCC_LIB_PATH);
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    const char *inc, *lib;
    if (runtime_dirs(&inc, &lib))
        tcc_add_include_path(s, inc);
    if (tcc_compile_string(s, inline_header(c_text)) < 0)
        goto fail;
    for (int i = 0; i < u->ntask_files; i++)
        if (tcc_add_file(s, u->task_files[i]) < 0)
            goto fail;
    for (size_t i = 0; i < sizeof aslc_runtime_symbols / sizeof *aslc_runtime_symbols; i++)
        tcc_add_symbol(s, aslc_runtime_symbols[i].name, aslc_runtime_symbols[i].addr);
    if (tcc_relocate(s, TCC_RELOCATE_AUTO) < 0)
        goto fail;
    const asl_program *(*program)(void) = (const asl_program *(*)(void))tcc_get_symbol(s, "aslc_program");
    if (!program)
        goto fail;
    *state = s;
    return program();
fail:
    tcc_delete(s);
    return NULL;
}

void jit_release(void *state)
{
    if (state)
        tcc_delete(state);
}

int jit_run(const cc_unit *u, const char *c_text, int argc, char **argv)
{
    void *state;
    const asl_program *p = jit_load(u, c_text, &state);
    int rc = p ? asl_main(p, argc, argv) : 70;
    jit_release(state);
    return rc;
}
#else
int jit_run(const cc_unit *u, const char *c_text, int argc, char **argv)
{
    (void)u;
    (void)c_text;
    (void)argc;
    (void)argv;
    fputs("aslc: error: this aslc was built without the JIT (ASLC_JIT=OFF)\n", stderr);
    return 70;
}

const asl_program *jit_load(const cc_unit *u, const char *c_text, void **state)
{
    (void)u;
    (void)c_text;
    *state = NULL;
    fputs("aslc: error: this aslc was built without the JIT (ASLC_JIT=OFF)\n", stderr);
    return NULL;
}

void jit_release(void *state)
{
    (void)state;
}
#endif
