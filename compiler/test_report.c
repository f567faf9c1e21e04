/*
 * test_report.c: aslc test's reports for CI: JUnit XML (--junit FILE: a
 * testsuite per spec file, a testcase per case, a failure element with
 * the reason) and JSON (--report FILE: every case, and the coverage when
 * --coverage is on).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

static int close_file(FILE *f, const char *file)
{
    if (ferror(f) | (fclose(f) != 0)) {
        fprintf(stderr, "aslc test: cannot write '%s': %s\n", file, strerror(errno));
        return 74;
    }
    return 0;
}

static FILE *open_file(const char *file)
{
    FILE *f = fopen(file, "w");
    if (!f)
        fprintf(stderr, "aslc test: cannot write '%s': %s\n", file, strerror(errno));
    return f;
}

/* XML text: markup characters escaped, control characters (not allowed
 * in XML 1.0) left out. */
static void xml(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '&')
            fputs("&amp;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c >= 0x20 || c == '\n' || c == '\t')
            fputc(c, f);
    }
}

int ts_write_junit(const char *file, const ts_result *r, int n)
{
    FILE *f = open_file(file);
    if (!f)
        return 74;
    int failed = 0;
    double total = 0;
    for (int i = 0; i < n; i++)
        failed += !r[i].passed, total += r[i].seconds;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"aslc test\" tests=\"%d\" failures=\"%d\" "
               "time=\"%.3f\">\n", n, failed, total);
    for (int i = 0; i < n;) {
        int j = i, fails = 0;
        double t = 0;
        for (; j < n && !strcmp(r[j].spec, r[i].spec); j++)
            fails += !r[j].passed, t += r[j].seconds;
        fputs("  <testsuite name=\"", f);
        xml(f, r[i].spec);
        fprintf(f, "\" tests=\"%d\" failures=\"%d\" time=\"%.3f\">\n", j - i, fails, t);
        for (; i < j; i++) {
            fputs("    <testcase classname=\"", f);
            xml(f, r[i].spec);
            fputs("\" name=\"", f);
            xml(f, r[i].name);
            fprintf(f, "\" time=\"%.3f\"", r[i].seconds);
            if (r[i].passed) {
                fputs("/>\n", f);
                continue;
            }
            fputs(">\n      <failure message=\"", f);
            xml(f, r[i].message);
            fputs("\">", f);
            xml(f, r[i].message);
            fputs("</failure>\n    </testcase>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return close_file(f, file);
}

cJSON *ts_results_json(const ts_result *r, int n, const ts_cover *cover)
{
    cJSON *o = cJSON_CreateObject(), *cases = cJSON_CreateArray();
    int failed = 0;
    for (int i = 0; i < n; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "spec", r[i].spec);
        cJSON_AddStringToObject(c, "name", r[i].name);
        cJSON_AddStringToObject(c, "result", r[i].passed ? "passed" : "failed");
        if (r[i].message)
            cJSON_AddStringToObject(c, "message", r[i].message);
        if (r[i].status)
            cJSON_AddStringToObject(c, "status", r[i].status);
        cJSON *out = r[i].output ? cJSON_Parse(r[i].output) : NULL;
        if (out)
            cJSON_AddItemToObject(c, "output", out);
        cJSON_AddNumberToObject(c, "seconds", r[i].seconds);
        cJSON_AddItemToArray(cases, c);
        failed += !r[i].passed;
    }
    cJSON_AddNumberToObject(o, "passed", n - failed);
    cJSON_AddNumberToObject(o, "failed", failed);
    cJSON_AddItemToObject(o, "cases", cases);
    if (cover)
        cJSON_AddItemToObject(o, "coverage", ts_cover_json(cover));
    return o;
}

int ts_write_json(const char *file, const ts_result *r, int n, const ts_cover *cover)
{
    cJSON *o = ts_results_json(r, n, cover);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    FILE *f = open_file(file);
    if (f)
        fprintf(f, "%s\n", text);
    cJSON_free(text);
    return f ? close_file(f, file) : 74;
}
