/*
 * pages.c: what a browser sees of `aslc serve`. GET / lists the state
 * machines and their executions; GET /execution?arn=ARN is that
 * execution's report, the page `aslc report` writes (compiler/report.c),
 * built from the engine's history and the definition the execution runs.
 * A running execution's page reloads itself every 2 seconds. The pages
 * are self-contained: nothing is fetched from a network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aslc.h"
#include "report.h"
#include "reporter.h"
#include "server.h"

/* Text in HTML, attribute values included. */
static void escape(asl_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': asl_buf_puts(b, "&lt;"); break;
        case '>': asl_buf_puts(b, "&gt;"); break;
        case '&': asl_buf_puts(b, "&amp;"); break;
        case '"': asl_buf_puts(b, "&quot;"); break;
        case '\'': asl_buf_puts(b, "&#39;"); break;
        default: asl_buf_putc(b, *s);
        }
    }
}

/* s percent-encoded for a query string (only unreserved characters kept). */
static void url_encode(asl_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
            asl_buf_putc(b, (char)*p);
        else
            asl_buf_printf(b, "%%%02X", *p);
    }
}

/* An epoch date as UTC ISO 8601 ("" for 0: not stopped). */
static void date(asl_buf *b, double epoch)
{
    if (epoch <= 0)
        return;
    time_t t = (time_t)epoch;
    struct tm tm;
    char text[32];
    gmtime_r(&t, &tm);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    asl_buf_printf(b, "%s.%03dZ", text, (int)((epoch - (double)t) * 1000));
}

static const char style[] =
    "<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
    "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.RUNNING{color:#06c}"
    ".SUCCEEDED{color:#080}.FAILED,.TIMED_OUT,.ABORTED{color:#c00}</style>";

static char *index_page(srv *s)
{
    asl_buf b = {0};
    asl_buf_printf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>aslc serve</title>%s</head><body>\n"
                       "<h1>State machines</h1>\n", style);
    if (!s->machines)
        asl_buf_puts(&b, "<p>No state machine.</p>\n");
    for (srv_machine *m = s->machines; m; m = m->next) {
        asl_buf_puts(&b, "<h2>");
        escape(&b, m->name);
        asl_buf_puts(&b, "</h2>\n<p>");
        escape(&b, m->arn);
        asl_buf_puts(&b, " (");
        escape(&b, m->type);
        asl_buf_puts(&b, ")</p>\n<table><tr><th>Execution</th><th>Status</th><th>Started</th><th>Stopped</th></tr>\n");
        int n = 0;
        for (asl_exec *x = asl_engine_executions(s->engine); x; x = asl_exec_next(x)) {
            if (strcmp(asl_exec_machine_arn(x), m->arn))
                continue;
            const char *status = asl_status_name(asl_exec_status(x));
            asl_buf_puts(&b, "<tr><td><a href=\"/execution?arn=");
            url_encode(&b, asl_exec_arn(x));
            asl_buf_puts(&b, "\">");
            escape(&b, asl_exec_name(x));
            asl_buf_printf(&b, "</a></td><td class=\"%s\">%s</td><td>", status, status);
            date(&b, asl_exec_start_date(x));
            asl_buf_puts(&b, "</td><td>");
            date(&b, asl_exec_stop_date(x));
            asl_buf_puts(&b, "</td></tr>\n");
            n++;
        }
        if (!n)
            asl_buf_puts(&b, "<tr><td colspan=\"4\">No execution.</td></tr>\n");
        asl_buf_puts(&b, "</table>\n");
    }
    asl_buf_puts(&b, "</body></html>\n");
    return asl_buf_take(&b);
}

/* The definitions were valid when compiled: their diagnostics again are noise. */
static void quiet(void *ud, const diag_item *d)
{
    (void)ud;
    (void)d;
}

/* The report of the execution arn names, or NULL if it names none. */
static char *execution_page(srv *s, const char *arn)
{
    asl_exec *x = arn ? index_find(s, arn) : NULL;
    srv_machine *m = x ? machines_find(s, asl_exec_machine_arn(x)) : NULL;
    const srv_def *def = x && asl_exec_user(x) ? asl_exec_user(x) : m ? m->def : NULL;
    if (!def)
        return NULL;
    const char *name = strrchr(asl_exec_machine_arn(x), ':') + 1;
    cc_opts o = {.draw_only = true, .lenient = true, .main_file = name, .main_name = name, .main_text = def->text,
                 .main_len = strlen(def->text)};
    cc_unit u;
    int status = 0;
    char *text = NULL;
    diag_reset();
    diag_set_sink(quiet, NULL);
    bool ok = unit_load(&u, &o, &status);
    diag_set_sink(NULL, NULL);
    if (ok) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "executions"), asl_report_execution(x));
        text = report_text(&u, r);
        cJSON_Delete(r);
    }
    unit_free(&u);
    cc_free_all();
    if (text && asl_exec_status(x) == ASL_RUNNING) {
        /* Live: the page asks again every 2 seconds while it runs. */
        char *head = strstr(text, "<head>");
        if (head) {
            head += strlen("<head>");
            char *live = srv_printf("%.*s\n<meta http-equiv=\"refresh\" content=\"2\">%s", (int)(head - text), text,
                                    head);
            free(text);
            text = live;
        }
    }
    return text;
}

char *pages_get(srv *s, const char *url, const char *arn, int *status)
{
    char *page = NULL;
    if (!strcmp(url, "/"))
        page = index_page(s);
    else if (!strcmp(url, "/execution") && !(page = execution_page(s, arn))) {
        *status = 404;
        return srv_printf("no execution %s\n", arn ? "has this ARN" : "named: give /execution?arn=EXECUTION_ARN");
    }
    if (!page) {
        *status = 404;
        return srv_printf("not found: the pages are / and /execution?arn=EXECUTION_ARN\n");
    }
    *status = 200;
    return page;
}
