/*
 * graph_mmd.c: the machine as a Mermaid flowchart, for Markdown (GitHub,
 * GitLab and most wikis draw it). Same walk and labels as the DOT writer;
 * Mermaid links to a subgraph directly, so a Parallel or Map state is its
 * subgraph and needs no entry and exit points: edges to and from those
 * points go to the subgraph, and edges between a subgraph and its own
 * contents are left out.
 */
#include <string.h>

#include "graph.h"

/* Label text inside "...": Mermaid's entity codes for what it would read. */
static void text(asl_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '"': asl_buf_puts(b, "#quot;"); break;
        case '#': asl_buf_puts(b, "#35;"); break;
        case '<': asl_buf_puts(b, "#lt;"); break;
        case '>': asl_buf_puts(b, "#gt;"); break;
        case '&': asl_buf_puts(b, "#amp;"); break;
        case '\n': asl_buf_putc(b, ' '); break;
        default: asl_buf_putc(b, *s); break;
        }
    }
}

static void begin(graph_writer *w)
{
    asl_buf_puts(w->b, "flowchart TD\n");
}

static void end(graph_writer *w)
{
    asl_buf_puts(w->b, "  classDef terminal fill:#e9ebed,stroke:#e9ebed\n"
                       "  classDef fail stroke:#d91515\n"
                       "  classDef succeed stroke:#037f0c\n");
}

static void open_box(graph_writer *w, const char *id, const char *title, const char *subtitle)
{
    graph_indent(w);
    asl_buf_printf(w->b, "subgraph %s [\"", id);
    text(w->b, title);
    if (subtitle) {
        asl_buf_puts(w->b, " · ");
        text(w->b, subtitle);
    }
    asl_buf_puts(w->b, "\"]\n");
    w->depth++;
}

static void close_box(graph_writer *w)
{
    w->depth--;
    graph_indent(w);
    asl_buf_puts(w->b, "end\n");
}

static void terminal(graph_writer *w, const char *id, const char *label)
{
    graph_indent(w);
    asl_buf_printf(w->b, "%s([\"%s\"]):::terminal\n", id, label);
}

static void point(graph_writer *w, const char *id)
{
}

/* Name, then type and detail, then Retry, one a line (sep "<br/>"), or
 * on one line for a subgraph's title (sep " · "), which Mermaid does not
 * make room for. */
static void label(asl_buf *b, const asl_state *s, const char *sep)
{
    text(b, s->name);
    asl_buf_puts(b, sep);
    text(b, graph_type_name(s));
    const char *d = graph_detail(s), *r = graph_retry_text(s);
    if (d) {
        asl_buf_puts(b, " · ");
        text(b, d);
    }
    if (r) {
        asl_buf_puts(b, sep);
        text(b, r);
    }
}

static void state(graph_writer *w, const graph_state *st)
{
    graph_indent(w);
    asl_buf_printf(w->b, "%s[\"", st->id);
    label(w->b, st->s, "<br/>");
    asl_buf_puts(w->b, "\"]");
    if (st->s->type == ASL_FAIL || st->s->type == ASL_SUCCEED)
        asl_buf_puts(w->b, st->s->type == ASL_FAIL ? ":::fail" : ":::succeed");
    asl_buf_putc(w->b, '\n');
}

static void open_state(graph_writer *w, const graph_state *st)
{
    graph_indent(w);
    asl_buf_printf(w->b, "subgraph %s [\"", st->id);
    label(w->b, st->s, " · ");
    asl_buf_puts(w->b, "\"]\n");
    w->depth++;
}

static void close_state(graph_writer *w, const graph_state *st)
{
    close_box(w);
}

/* A cluster's entry or exit point stands for the cluster itself. */
static const char *node(const char *id)
{
    size_t n = strlen(id);
    if (n > 3 && !strcmp(id + n - 3, "_in"))
        return cc_strndup(id, n - 3);
    if (n > 4 && !strcmp(id + n - 4, "_out"))
        return cc_strndup(id, n - 4);
    return id;
}

static void edge(graph_writer *w, const char *from, const char *to, graph_edge_kind kind, const char *lab)
{
    from = node(from);
    to = node(to);
    size_t nf = strlen(from), nt = strlen(to);
    /* a subgraph's own contents: its branches start and end inside it */
    if (kind == GRAPH_BRANCH || (nf > nt && !strncmp(from, to, nt) && from[nt] == '_'))
        return;
    const char *arrow = kind == GRAPH_CATCH ? "-.->" : kind == GRAPH_CHILD ? "-.->" : kind == GRAPH_DEFAULT ? "==>" : "-->";
    asl_buf_printf(w->b, "  %s %s", from, arrow);
    if (lab) {
        asl_buf_puts(w->b, "|\"");
        text(w->b, lab);
        asl_buf_puts(w->b, "\"|");
    }
    asl_buf_printf(w->b, " %s\n", to);
}

char *graph_mermaid(const cc_unit *u)
{
    asl_buf b = {0};
    graph_writer w = {&b, NULL, 0, begin, end, open_box, close_box, terminal, point,
                      state, open_state, close_state, edge};
    graph_walk(u, &w);
    return asl_buf_take(&b);
}
