/*
 * test.c: `aslc test [SPEC|DIR ...] [--junit FILE] [--report FILE]
 * [--coverage]`. Runs every case of every spec (NAME.test.json,
 * NAME.test.yaml; a folder, or no argument for the current one, is
 * searched for them), one line per case, then the coverage (with
 * --coverage) and a last line "N passed, M failed".
 *
 * Exit status: 0 when every case passed, 1 when one failed, 65 when a spec
 * or its machine is invalid (the other specs still run), 64 usage.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "test.h"

static const char usage[] =
    "usage: aslc test [SPEC | DIR ...] [--junit FILE] [--report FILE] [--report FILE.html] [--coverage]\n"
    "  SPEC       a test spec, NAME.test.json or NAME.test.yaml (see README);\n"
    "             a folder (default: the current one) is searched for them\n"
    "  --junit FILE   JUnit XML report\n"
    "  --report FILE  JSON report (with the coverage under --coverage); a FILE\n"
    "             ending in .html: one page with every case, why it failed and\n"
    "             its execution report (as aslc run --report draws it)\n"
    "  --coverage     states, Choice rules, Retry/Catch entries and branches exercised\n";

typedef struct tlist {
    char **files;
    int n;
} tlist;

static bool is_spec(const char *name)
{
    size_t n = strlen(name);
    return (n > 10 && !strcmp(name + n - 10, ".test.json")) || (n > 10 && !strcmp(name + n - 10, ".test.yaml")) ||
           (n > 9 && !strcmp(name + n - 9, ".test.yml"));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every spec under dir, in name order (hidden folders skipped). */
static void find_specs(tlist *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char **names = NULL;
    int n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules"))
            continue;
        names = realloc(names, sizeof *names * (size_t)(n + 1));
        if (!names)
            exit(70);
        names[n++] = cc_strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        char *path = strcmp(dir, ".") ? cc_printf("%s/%s", dir, names[i]) : names[i];
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            find_specs(l, path);
        } else if (is_spec(names[i])) {
            l->files = realloc(l->files, sizeof *l->files * (size_t)(l->n + 1));
            if (!l->files)
                exit(70);
            l->files[l->n++] = path;
        }
    }
    free(names);
}

typedef struct topts {
    tlist specs;
    const char *junit, *report, *html;
    bool coverage;
} topts;

static int parse(topts *o, int argc, char **argv)
{
    bool named = false;   /* a SPEC or DIR was given */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        }
        if (!strcmp(a, "--coverage")) {
            o->coverage = true;
        } else if (!strcmp(a, "--junit") || !strcmp(a, "--report")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "aslc test: option %s needs a value\n(try aslc test --help)\n", a);
                return 64;
            }
            const char *v = argv[++i];
            size_t n = strlen(v);
            bool html = (n > 5 && !strcmp(v + n - 5, ".html")) || (n > 4 && !strcmp(v + n - 4, ".htm"));
            *(a[2] == 'j' ? &o->junit : html ? &o->html : &o->report) = v;
        } else if (a[0] == '-') {
            fprintf(stderr, "aslc test: unknown option '%s'\n(try aslc test --help)\n", a);
            return 64;
        } else {
            named = true;
            struct stat st;
            if (stat(a, &st) != 0) {
                fprintf(stderr, "aslc test: cannot open '%s'\n", a);
                return 66;
            }
            if (S_ISDIR(st.st_mode)) {
                find_specs(&o->specs, a);
            } else {
                o->specs.files = realloc(o->specs.files, sizeof(char *) * (size_t)(o->specs.n + 1));
                if (!o->specs.files)
                    exit(70);
                o->specs.files[o->specs.n++] = (char *)a;
            }
        }
    }
    if (!named)
        find_specs(&o->specs, ".");
    return 0;
}

int cmd_test(int argc, char **argv)
{
    topts o = {{NULL, 0}, NULL, NULL, NULL, false};
    int rc = parse(&o, argc, argv);
    if (rc) {
        free(o.specs.files);
        cc_free_all();
        return rc < 0 ? 0 : rc;
    }
    if (!o.specs.n)
        fputs("aslc test: no spec files (NAME.test.json, NAME.test.yaml) found\n", stderr);
    ts_cover *cover = o.coverage ? ts_cover_new() : NULL;
    ts_result *results = NULL;
    int n = 0, status = 0;
    for (int i = 0; i < o.specs.n; i++) {
        ts_spec *s = ts_spec_load(o.specs.files[i]);
        int st = s ? ts_run_spec(s, cover, o.html != NULL, &results, &n) : 65;
        if (st) {
            printf("FAIL %s: the spec or its machine is invalid (see above)\n", o.specs.files[i]);
            status = status ? status : st;
        }
        ts_spec_free(s);
    }
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed += !results[i].passed;
    if (cover)
        ts_cover_print(cover, stdout);
    int w = o.junit ? ts_write_junit(o.junit, results, n) : 0;
    if (o.report && !w)
        w = ts_write_json(o.report, results, n, cover);
    if (o.html && !w)
        w = ts_write_html(o.html, results, n, cover);
    printf("%d passed, %d failed\n", n - failed, failed);
    fflush(stdout);
    ts_cover_free(cover);
    for (int i = 0; i < n; i++)
        free(results[i].report);
    free(results);
    free(o.specs.files);
    cc_free_all();
    if (w)
        return w;
    return status ? status : failed ? 1 : 0;
}
