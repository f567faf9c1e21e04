/*
 * graph_dot.c: the machine in Graphviz's DOT language, drawn the way the
 * Step Functions console draws it: top to bottom, Start and End as small
 * pills, each state a rounded box with its name, type and Retry, Parallel
 * and Map states as boxes around their branches, Choice rules and Catch
 * errors on the edges (catches dashed), nested machines in boxes of their
 * own with a dotted edge from the task that starts them.
 *
 * Every node and box carries id="..." (graph.h), which Graphviz keeps in
 * its SVG, so the report can colour a state by what happened to it.
 */
#include <string.h>

#include "graph.h"

/* Text inside an HTML-like label. */
static void html(asl_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': asl_buf_puts(b, "&amp;"); break;
        case '<': asl_buf_puts(b, "&lt;"); break;
        case '>': asl_buf_puts(b, "&gt;"); break;
        case '"': asl_buf_puts(b, "&quot;"); break;
        default: asl_buf_putc(b, *s); break;
        }
    }
}

/* A double-quoted DOT string. */
static void quoted(asl_buf *b, const char *s)
{
    asl_buf_putc(b, '"');
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            asl_buf_putc(b, '\\');
        asl_buf_putc(b, *s == '\n' ? ' ' : *s);
    }
    asl_buf_putc(b, '"');
}

static void begin(graph_writer *w)
{
    asl_buf_puts(w->b, "digraph aslc {\n"
                       "  graph [rankdir=TB, compound=true, nodesep=0.35, ranksep=0.45, fontname=\"Helvetica\", fontsize=11];\n"
                       "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#8d99a8\", fontname=\"Helvetica\", fontsize=11];\n"
                       "  edge [color=\"#5f6b7a\", fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
}

static void end(graph_writer *w)
{
    asl_buf_puts(w->b, "}\n");
}

/* A box's label: the title in bold, a smaller grey line under it. */
static void box_label(asl_buf *b, const char *title, const char *sub1, const char *sub2)
{
    asl_buf_puts(b, "<<B>");
    html(b, title);
    asl_buf_puts(b, "</B>");
    for (const char *sub = sub1; sub; sub = sub == sub1 ? sub2 : NULL) {
        asl_buf_puts(b, "<BR/><FONT POINT-SIZE=\"9\" COLOR=\"#5f6b7a\">");
        html(b, sub);
        asl_buf_puts(b, "</FONT>");
    }
    asl_buf_puts(b, ">");
}

static void open_box(graph_writer *w, const char *id, const char *title, const char *subtitle)
{
    graph_indent(w);
    asl_buf_printf(w->b, "subgraph cluster_%s {\n", id);
    w->depth++;
    graph_indent(w);
    asl_buf_printf(w->b, "id=\"%s\"; style=\"rounded,dashed\"; color=\"#8d99a8\"; labeljust=l; label=", id);
    box_label(w->b, title, subtitle, NULL);
    asl_buf_puts(w->b, ";\n");
}

static void close_box(graph_writer *w)
{
    w->depth--;
    graph_indent(w);
    asl_buf_puts(w->b, "}\n");
}

static void terminal(graph_writer *w, const char *id, const char *text)
{
    graph_indent(w);
    asl_buf_printf(w->b, "%s [id=\"%s\", label=\"%s\", shape=box, style=\"rounded,filled\", fillcolor=\"#e9ebed\", "
                         "color=\"#e9ebed\", fontsize=10, width=0.6, height=0.3];\n", id, id, text);
}

static void point(graph_writer *w, const char *id)
{
    graph_indent(w);
    asl_buf_printf(w->b, "%s [id=\"%s\", shape=point, width=0.06, color=\"#8d99a8\"];\n", id, id);
}

/* Border colour by type, as a hint like the console's icons. */
static const char *type_colour(const asl_state *s)
{
    switch (s->type) {
    case ASL_TASK: return "#0972d3";
    case ASL_CHOICE: return "#8456ce";
    case ASL_SUCCEED: return "#037f0c";
    case ASL_FAIL: return "#d91515";
    default: return "#8d99a8";
    }
}

static const char *subtitle(const graph_state *st)
{
    const char *d = graph_detail(st->s);
    return d ? cc_printf("%s · %s", graph_type_name(st->s), d) : graph_type_name(st->s);
}

static void state(graph_writer *w, const graph_state *st)
{
    graph_indent(w);
    asl_buf_printf(w->b, "%s [id=\"%s\", color=\"%s\", tooltip=", st->id, st->id, type_colour(st->s));
    quoted(w->b, st->s->name);
    asl_buf_puts(w->b, ", label=");
    box_label(w->b, st->s->name, subtitle(st), graph_retry_text(st->s));
    asl_buf_puts(w->b, "];\n");
}

static void open_state(graph_writer *w, const graph_state *st)
{
    graph_indent(w);
    asl_buf_printf(w->b, "subgraph cluster_%s {\n", st->id);
    w->depth++;
    graph_indent(w);
    asl_buf_printf(w->b, "id=\"%s\"; style=\"rounded\"; color=\"#0972d3\"; labeljust=l; tooltip=", st->id);
    quoted(w->b, st->s->name);
    asl_buf_puts(w->b, "; label=");
    box_label(w->b, st->s->name, subtitle(st), graph_retry_text(st->s));
    asl_buf_puts(w->b, ";\n");
}

static void close_state(graph_writer *w, const graph_state *st)
{
    close_box(w);
}

static void edge(graph_writer *w, const char *from, const char *to, graph_edge_kind kind, const char *label)
{
    static const char *const attrs[] = {
        [GRAPH_NEXT] = "",
        [GRAPH_CHOICE] = "",
        [GRAPH_DEFAULT] = "style=bold",
        [GRAPH_CATCH] = "style=dashed, color=\"#d91515\", fontcolor=\"#d91515\"",
        [GRAPH_CHILD] = "style=dotted, color=\"#0972d3\", fontcolor=\"#0972d3\"",
        [GRAPH_BRANCH] = "",
    };
    asl_buf a = {0};
    asl_buf_puts(&a, attrs[kind]);
    if (label) {
        asl_buf_puts(&a, a.len ? ", label=" : "label=");
        quoted(&a, label);
    }
    /* Edges leaving a Parallel or Map start at its box, not at its exit point. */
    size_t n = strlen(from);
    if (n > 4 && !strcmp(from + n - 4, "_out"))
        asl_buf_printf(&a, "%sltail=cluster_%.*s", a.len ? ", " : "", (int)(n - 4), from);
    asl_buf_printf(w->b, "  %s -> %s", from, to);
    if (a.len)
        asl_buf_printf(w->b, " [%.*s]", (int)a.len, a.p);
    asl_buf_puts(w->b, ";\n");
    asl_buf_free(&a);
}

char *graph_dot(const cc_unit *u)
{
    asl_buf b = {0};
    graph_writer w = {&b, NULL, 0, begin, end, open_box, close_box, terminal, point,
                      state, open_state, close_state, edge};
    graph_walk(u, &w);
    return asl_buf_take(&b);
}
