/*
 * graph.c: `aslc graph DEF [-o FILE.svg|.png|.dot|.mmd]`, the machine as
 * a picture. aslc writes the DOT (or Mermaid) text from the checked model;
 * Graphviz's dot lays it out and renders SVG or PNG. Nested machines come
 * from --machine and aslc.json as for a build, a template's machine from
 * --state-machine, --sub and --parameter; tasks need no handler here.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "graph.h"

static const char usage[] =
    "usage: aslc graph DEF.asl.json [-o FILE.svg|FILE.png|FILE.dot|FILE.mmd] [--format svg|png|dot|mmd]\n"
    "                  [--machine ARN_OR_NAME=FILE] [--state-machine ID --sub KEY=VALUE --parameter NAME=VALUE]\n"
    "Draws the state machine (and the nested machines it starts). The format\n"
    "follows -o's extension; without -o, DOT text goes to stdout. SVG and PNG\n"
    "are rendered by Graphviz's dot (Debian package graphviz).\n";

int graph_usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "aslc %s: ", cmd);
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\n(try aslc %s --help)\n", cmd);
    return 64;
}

/* Writes all of text to fd, then closes it. */
static bool write_all(int fd, const char *text, size_t n)
{
    while (n) {
        ssize_t k = write(fd, text, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        text += k;
        n -= (size_t)k;
    }
    close(fd);
    return n == 0;
}

static char *read_all(int fd, size_t *len)
{
    asl_buf b = {0};
    char chunk[65536];
    ssize_t k;
    while ((k = read(fd, chunk, sizeof chunk)) != 0) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            break;
        asl_buf_put(&b, chunk, (size_t)k);
    }
    close(fd);
    *len = b.len;
    asl_buf_putc(&b, 0);  /* SVG is text: keep it terminated */
    return b.p;
}

char *graph_render(const char *dot_text, const char *format, size_t *len)
{
    int in[2], out[2];
    if (pipe(in) || pipe(out)) {
        perror("aslc: pipe");
        return NULL;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        char t[16];
        snprintf(t, sizeof t, "-T%s", format);
        execlp("dot", "dot", t, (char *)NULL);
        fprintf(stderr, "aslc: cannot run Graphviz's dot (%s): install the Debian package graphviz\n", strerror(errno));
        _exit(127);
    }
    close(in[0]), close(out[1]);
    if (pid < 0) {
        perror("aslc: fork");
        close(in[1]), close(out[0]);
        return NULL;
    }
    /* dot reads all its input before it writes: no deadlock. When dot
     * could not start, the write fails (EPIPE) instead of killing us. */
    void (*was)(int) = signal(SIGPIPE, SIG_IGN);
    write_all(in[1], dot_text, strlen(dot_text));
    signal(SIGPIPE, was);
    char *text = read_all(out[0], len);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (WIFEXITED(st) && WEXITSTATUS(st) != 127)
            fprintf(stderr, "aslc: Graphviz's dot failed (exit status %d)\n", WEXITSTATUS(st));
        free(text);
        return NULL;
    }
    return text;
}

static const char *format_of(const char *out)
{
    const char *dot = out ? strrchr(out, '.') : NULL;
    return dot ? dot + 1 : "dot";
}

static int write_out(const char *path, const char *text, size_t n)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f || fwrite(text, 1, n, f) != n || (path ? fclose(f) : fflush(f)) != 0) {
        perror(path ? path : "stdout");
        return 74;
    }
    return 0;
}

static int draw(const cc_unit *u, const char *format, const char *out)
{
    bool mmd = !strcmp(format, "mmd");
    char *text = mmd ? graph_mermaid(u) : graph_dot(u);
    size_t n = strlen(text);
    int rc = 0;
    if (!mmd && strcmp(format, "dot") && strcmp(format, "gv")) {
        char *img = graph_render(text, format, &n);
        free(text);
        if (!img)
            return 70;
        text = img;
    }
    rc = write_out(out, text, n);
    free(text);
    return rc;
}

int graph_unit_option(cc_opts *o, const char *prog, int argc, char **argv, int *i)
{
    const char *s = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    const char *form = !strcmp(s, "--machine")         ? "ARN_OR_NAME=FILE"
                       : !strcmp(s, "--sub")           ? "KEY=VALUE"
                       : !strcmp(s, "--parameter")     ? "NAME=VALUE"
                       : !strcmp(s, "--state-machine") ? "ID"
                                                       : NULL;
    if (!form)
        return 0;
    if (!v || (strchr(form, '=') && (!strchr(v, '=') || v[0] == '='))) {
        char msg[64];
        snprintf(msg, sizeof msg, "%s takes %s, got '%%s'", s, form);
        return graph_usage_error(prog, msg, v ? v : "nothing");
    }
    ++*i;
    if (!strcmp(s, "--machine"))
        cc_push(&o->machines, &o->nmachines, v);
    else if (!strcmp(s, "--sub"))
        cc_push(&o->subs, &o->nsubs, v);
    else if (!strcmp(s, "--parameter"))
        cc_push(&o->params, &o->nparams, v);
    else
        o->state_machine = v;
    return 1;
}

static int parse(cc_opts *o, const char **out, const char **format, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int taken = graph_unit_option(o, "graph", argc, argv, &i);
        if (taken > 1)
            return taken;
        if (taken)
            continue;
        if ((!strcmp(s, "-o") || !strcmp(s, "--format")) && i + 1 >= argc)
            return graph_usage_error("graph", "option %s needs a value", s);
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(s, "-o")) {
            *out = argv[++i];
        } else if (!strcmp(s, "--format")) {
            *format = argv[++i];
        } else if (!o->main_file && s[0] != '-') {
            o->main_file = s;
        } else {
            return graph_usage_error("graph", "unknown option '%s'", s);
        }
    }
    if (!o->main_file)
        return graph_usage_error("graph", "%s", "no definition file given");
    if (!*format)
        *format = format_of(*out);
    static const char *const known[] = {"dot", "gv", "mmd", "svg", "png", "pdf", NULL};
    for (int k = 0; known[k]; k++)
        if (!strcmp(*format, known[k]))
            return 0;
    return graph_usage_error("graph", "unknown picture format '%s' (svg, png, pdf, dot or mmd)", *format);
}

int cmd_graph(int argc, char **argv)
{
    cc_opts o = {.draw_only = true};
    const char *out = NULL, *format = NULL;
    int rc = parse(&o, &out, &format, argc, argv);
    if (rc) {
        cc_free_all();
        return rc < 0 ? 0 : rc;
    }
    cc_unit u;
    if (unit_load(&u, &o, &rc))
        rc = draw(&u, format, out);
    unit_free(&u);
    cc_free_all();
    return rc;
}
