/*
 * test_page.c: `aslc test --report FILE.html`, the whole run as one
 * self-contained page (compiler/report/tests.html): every case under its
 * spec, passed or failed, why it failed, how its execution ended, and its
 * execution report (the page `aslc run --report` writes, made by
 * test_run.c) shown in a frame when the case is picked. The page opens on
 * the first failed case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "reporter.h"
#include "test.h"

static void add_string(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
}

/* The JSON report's data, each case with where its execution failed and
 * its page. */
static cJSON *page_data(const ts_result *r, int n, const ts_cover *cover)
{
    cJSON *o = ts_results_json(r, n, cover);
    cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "cases")->child;
    for (int i = 0; i < n && c; i++, c = c->next) {
        add_string(c, "failedState", r[i].failed_state);
        add_string(c, "error", r[i].error);
        add_string(c, "cause", r[i].cause);
        add_string(c, "report", r[i].report);
    }
    return o;
}

int ts_write_html(const char *file, const ts_result *r, int n, const ts_cover *cover)
{
    cJSON *data = page_data(r, n, cover);
    char *json = asl_report_script_json(data);
    cJSON_Delete(data);
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed += !r[i].passed;
    asl_buf b = {0};
    const char *t = report_tests_html;
    for (const char *hole; (hole = strstr(t, "{{")); t = strstr(hole, "}}") + 2) {
        asl_buf_put(&b, t, (size_t)(hole - t));
        if (!strncmp(hole, "{{TITLE}}", 9))
            asl_buf_printf(&b, "%d passed, %d failed", n - failed, failed);
        else if (!strncmp(hole, "{{DATA}}", 8))
            asl_buf_puts(&b, json);
    }
    asl_buf_puts(&b, t);
    free(json);
    char *text = asl_buf_take(&b);
    int rc = asl_report_save(file, text);
    free(text);
    return rc;
}
