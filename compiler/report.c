/*
 * report.c: writes the execution report. The page template
 * (compiler/report/page.html) has four holes: the title, the style, the
 * graph (SVG rendered by Graphviz from graph_dot, whose ids name the
 * states) and the data, a JSON object the script reads:
 *
 *     {"title": ..., "machines": [{"name", "arn", "file"}],
 *      "nodes": {"m0_s2_s0": {"m": 0, "name": "Ship", "type": "Task",
 *                             "parent": "m0_s2", "maps": ["Ship each order"]}},
 *      "executions": [...the record's executions...]}
 *
 * "maps" lists the Map states around a state, outermost first: the script
 * finds which iteration an event belongs to by walking previousEventId
 * back to each one's MapIterationStarted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "report.h"
#include "reporter.h"

/* --------------------------------------------------------- nodes */

typedef struct collect {
    cJSON *nodes;
    const graph_state *stack[64];   /* the Parallel and Map states around */
    int depth;
} collect;

static void none(graph_writer *w) {}
static void box_none(graph_writer *w, const char *id, const char *a, const char *b) {}
static void terminal_none(graph_writer *w, const char *id, const char *text) {}
static void point_none(graph_writer *w, const char *id) {}
static void edge_none(graph_writer *w, const char *from, const char *to, graph_edge_kind k, const char *l) {}

static void add_node(graph_writer *w, const graph_state *st)
{
    collect *c = w->ctx;
    cJSON *n = cJSON_AddObjectToObject(c->nodes, st->id);
    cJSON_AddNumberToObject(n, "m", atoi(st->id + 1));
    cJSON_AddStringToObject(n, "name", st->s->name);
    cJSON_AddStringToObject(n, "type", graph_type_name(st->s));
    int depth = c->depth < 64 ? c->depth : 64;
    if (depth)
        cJSON_AddStringToObject(n, "parent", c->stack[depth - 1]->id);
    cJSON *maps = cJSON_AddArrayToObject(n, "maps");
    for (int i = 0; i < depth; i++)
        if (c->stack[i]->s->type == ASL_MAP)
            cJSON_AddItemToArray(maps, cJSON_CreateString(c->stack[i]->s->name));
}

static void open_state(graph_writer *w, const graph_state *st)
{
    collect *c = w->ctx;
    add_node(w, st);
    /* the walker's graph_state lives on its stack until close_state */
    if (c->depth < 64)
        c->stack[c->depth] = st;
    c->depth++;
}

static void close_state(graph_writer *w, const graph_state *st)
{
    ((collect *)w->ctx)->depth--;
}

static cJSON *node_table(const cc_unit *u)
{
    collect c = {cJSON_CreateObject(), {0}, 0};
    graph_writer w = {NULL, &c, 0, none, none, box_none, none, terminal_none, point_none,
                      add_node, open_state, close_state, edge_none};
    graph_walk(u, &w);
    return c.nodes;
}

/* ---------------------------------------------------------- data */

static cJSON *machines(const cc_unit *u)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < u->nmachines; i++) {
        const asl_machine *m = &u->machines[i].m;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m->name);
        if (m->arn)
            cJSON_AddStringToObject(o, "arn", m->arn);
        cJSON_AddStringToObject(o, "file", m->file);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* The record's executions (a copy), or NULL when it has none. */
static cJSON *executions(const cJSON *record)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(record, "executions");
    if (cJSON_IsArray(x))
        return cJSON_Duplicate(x, 1);
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(record, "events");
    if (!cJSON_IsArray(events))
        return NULL;
    cJSON *one = cJSON_CreateObject();   /* a bare history: the main execution */
    cJSON_AddItemToObject(one, "events", cJSON_Duplicate(events, 1));
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, one);
    return a;
}

static const char *base_name(const char *f)
{
    const char *s = strrchr(f, '/');
    return s ? s + 1 : f;
}

/* ---------------------------------------------------------- page */

/* Text in HTML. */
static void html_text(asl_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            asl_buf_puts(b, "&lt;");
        else if (*s == '>')
            asl_buf_puts(b, "&gt;");
        else if (*s == '&')
            asl_buf_puts(b, "&amp;");
        else
            asl_buf_putc(b, *s);
    }
}

/* The graph's SVG without Graphviz's XML prolog, or a note saying why
 * there is none. */
static void svg(asl_buf *b, const cc_unit *u)
{
    char *dot = graph_dot(u);
    size_t n;
    char *img = graph_render(dot, "svg", &n);
    free(dot);
    const char *start = img ? strstr(img, "<svg") : NULL;
    if (start)
        asl_buf_puts(b, start);
    else
        asl_buf_puts(b, "<p class=\"nograph\">No graph: Graphviz's dot did not run (see stderr).</p>");
    free(img);
}

static void asl_buf_puts_free(asl_buf *b, char *s)
{
    asl_buf_puts(b, s);
    free(s);
}

/* Fills the template's holes: {{TITLE}}, {{CSS}}, {{SVG}}, {{DATA}}, {{JS}}. */
static char *page(const cc_unit *u, const cJSON *data, const char *title)
{
    asl_buf b = {0};
    const char *t = report_page_html;
    for (const char *hole; (hole = strstr(t, "{{")); t = strstr(hole, "}}") + 2) {
        asl_buf_put(&b, t, (size_t)(hole - t));
        if (!strncmp(hole, "{{TITLE}}", 9))
            html_text(&b, title);
        else if (!strncmp(hole, "{{CSS}}", 7))
            asl_buf_puts(&b, report_page_css);
        else if (!strncmp(hole, "{{SVG}}", 7))
            svg(&b, u);
        else if (!strncmp(hole, "{{DATA}}", 8))
            asl_buf_puts_free(&b, asl_report_script_json(data));
        else if (!strncmp(hole, "{{JS}}", 6))
            asl_buf_puts(&b, report_page_js);
    }
    asl_buf_puts(&b, t);
    return asl_buf_take(&b);
}

/* Stands for the executions in the frame's data until it is cut in two. */
#define HOLE "\"@aslc-executions@\""

void report_frame(const cc_unit *u, char **head, char **tail)
{
    const char *title = base_name(u->machines[0].m.file);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "title", title);
    cJSON_AddItemToObject(data, "machines", machines(u));
    cJSON_AddItemToObject(data, "nodes", node_table(u));
    cJSON_AddRawToObject(data, "executions", HOLE);
    char *text = page(u, data, title);
    cJSON_Delete(data);
    /* the data's last member: the last hole in the page (a title or a state
     * name holding the same text comes before it) */
    char *hole = NULL;
    for (char *h = text; (h = strstr(h, HOLE)); h++)
        hole = h;
    *head = strndup(text, (size_t)(hole - text));
    *tail = strdup(hole + strlen(HOLE));
    free(text);
}

char *report_text(const cc_unit *u, const cJSON *record)
{
    cJSON *x = executions(record);
    if (!x)
        return NULL;
    char *head, *tail;
    report_frame(u, &head, &tail);
    char *text = asl_report_page(head, x, tail);
    free(head);
    free(tail);
    cJSON_Delete(x);
    return text;
}

int report_write(const cc_unit *u, const cJSON *record, const char *path)
{
    char *text = report_text(u, record);
    if (!text) {
        fprintf(stderr, "aslc: %s: no executions to report: expected {\"events\": [...]} or {\"executions\": [...]}\n",
                path);
        return 65;
    }
    int rc = asl_report_save(path, text);
    free(text);
    return rc;
}

/* One line of C per line of text, as a string literal. */
static void c_lines(asl_buf *b, const char *name, const char *text)
{
    asl_buf_printf(b, "static const char %s[] =\n", name);
    for (const char *t = text; *t;) {
        const char *nl = strchr(t, '\n');
        size_t n = nl ? (size_t)(nl - t) + 1 : strlen(t);
        char *l = strndup(t, n);
        asl_buf_puts(b, "    ");
        lower_c_string(b, l);
        asl_buf_putc(b, '\n');
        free(l);
        t += n;
    }
    asl_buf_puts(b, *text ? ";\n" : "    \"\";\n");
}

char *report_program_main(const cc_unit *u)
{
    char *head, *tail;
    report_frame(u, &head, &tail);
    asl_buf b = {0};
    asl_buf_puts(&b, "\n/* --with-report: the report's frame; libaslreport fills in the run. */\n"
                     "void asl_report_install(const char *head, const char *tail);\n");
    c_lines(&b, "report_head", head);
    c_lines(&b, "report_tail", tail);
    asl_buf_puts(&b, "\nint main(int argc, char **argv)\n{\n    asl_report_install(report_head, report_tail);\n"
                     "    return asl_main(&program, argc, argv);\n}\n");
    free(head);
    free(tail);
    return asl_buf_take(&b);
}
