/*
 * lower.c: writes the C program for a compile unit. Each state becomes a
 * descriptor (static data: its paths, templates and rules as asl_node
 * arrays) and one function named after the state, with the state's JSON in
 * the comment above it, that hands the descriptor to the runtime (a
 * JSONPath Choice's function holds its rules as C instead: lower_choice.c).
 * The output is deterministic: no timestamps, no absolute paths.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "jsonata_fields.h"
#include "lower.h"

/* ------------------------------------------------------------ text */

/* A C string literal; anything but printable ASCII becomes an octal
 * escape, and '?' is escaped so no trigraph can form. */
void lower_c_string(asl_buf *b, const char *s)
{
    if (!s) {
        asl_buf_puts(b, "0");
        return;
    }
    asl_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '?')
            asl_buf_printf(b, "\\%c", *p);
        else if (*p >= 0x20 && *p < 0x7f)
            asl_buf_putc(b, (char)*p);
        else
            asl_buf_printf(b, "\\%03o", *p);
    }
    asl_buf_putc(b, '"');
}

/* Text inside a comment: no "*" followed by "/" (it would end the
 * comment), no "/" followed by "*" (-Wcomment), no "??" (a trigraph such
 * as ??/ could splice lines), no control characters. */
void lower_comment(asl_buf *b, const char *s, size_t max)
{
    size_t n = 0;
    /* past max, finish the UTF-8 sequence under way */
    for (const char *p = s; *p && (n < max || ((unsigned char)*p & 0xC0) == 0x80); p++, n++) {
        if ((p[0] == '*' && p[1] == '/') || (p[0] == '/' && p[1] == '*') || (p[0] == '?' && p[1] == '?')) {
            asl_buf_putc(b, *p);
            asl_buf_putc(b, ' ');
        } else if ((unsigned char)*p < 0x20)
            asl_buf_putc(b, ' ');
        else
            asl_buf_putc(b, *p);
    }
    if (strlen(s) > max)
        asl_buf_puts(b, " ...");
}

/* state_<name>: identifier characters kept, others '_'; a clash gets a
 * numeric suffix. */
static const char *function_name(lctx *c, const char *prefix, const char *name)
{
    asl_buf t = {0};
    asl_buf_puts(&t, "state_");
    for (const char *s = prefix; s && *s; s++)
        asl_buf_putc(&t, (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ? *s : '_');
    if (prefix)
        asl_buf_puts(&t, "__");
    for (const char *s = name; *s; s++)
        asl_buf_putc(&t, (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ? *s : '_');
    char *base = cc_strdup(t.p);
    asl_buf_free(&t);
    /* A name taken remembers the suffix it last handed out, so names that
     * mangle alike cost one look-up each, not one per earlier clash. */
    bool added;
    int k = *cc_strmap_put(&c->used, base, 2, &added);
    const char *out = base;
    while (!added) {
        out = cc_printf("%s_%d", base, k++);
        cc_strmap_put(&c->used, out, 2, &added);
    }
    if (out != base)
        *cc_strmap_put(&c->used, base, 2, &added) = k;
    return out;
}

/* ------------------------------------------------------------ nodes */

static const char *const kind_names[] = {
#define X(id) "ASL_N_" #id,
    ASL_NODE_KINDS(X)
#undef X
};
static const char *const root_names[] = {"ASL_ROOT_INPUT", "ASL_ROOT_CONTEXT", "ASL_ROOT_VAR", "ASL_ROOT_CURRENT"};
static const char *const expr_op_names[] = {"ASL_OP_EQ", "ASL_OP_NE", "ASL_OP_LT", "ASL_OP_LE",
                                            "ASL_OP_GT", "ASL_OP_GE", "ASL_OP_AND", "ASL_OP_OR"};
static const char *const intrinsic_names[] = {
#define X(id, name) "ASL_FN_" #id,
    ASL_INTRINSICS(X)
#undef X
};
static const char *const operator_names[] = {
#define X(id, name) "ASL_CMP_" #id,
    ASL_OPERATORS(X)
#undef X
};

/* A node's op by name: what it means depends on the kind. */
static void node_op(asl_buf *b, const asl_node *n)
{
    const char *const *names = NULL;
    unsigned count = 0;
    switch (n->kind) {
    case ASL_N_PATH: names = root_names, count = 4; break;
    case ASL_N_EXPR_BINARY: names = expr_op_names, count = 8; break;
    case ASL_N_CALL: names = intrinsic_names, count = ASL_FN__COUNT; break;
    case ASL_N_RULE_TEST: names = operator_names, count = ASL_CMP__COUNT; break;
    default: break;
    }
    if (names && n->op < count)
        asl_buf_printf(b, ", .op = %s", names[n->op]);
    else if (n->op)
        asl_buf_printf(b, ", .op = %u", n->op);
}

static void node_flags(asl_buf *b, unsigned flags)
{
    static const struct { unsigned bit; const char *name; } fl[] = {
        {ASL_F_CONST, "ASL_F_CONST"}, {ASL_F_DEFINITE, "ASL_F_DEFINITE"}, {ASL_F_EXISTS, "ASL_F_EXISTS"},
        {ASL_F_MAP_ITEM, "ASL_F_MAP_ITEM"}};
    if (!flags)
        return;
    asl_buf_puts(b, ", .flags = ");
    const char *sep = "";
    for (size_t i = 0; i < sizeof fl / sizeof *fl; i++) {
        if (flags & fl[i].bit) {
            asl_buf_printf(b, "%s%s", sep, fl[i].name);
            sep = " | ";
            flags &= ~fl[i].bit;
        }
    }
    if (flags)
        asl_buf_printf(b, "%s%u", sep, flags);
}

/* Emits an array of nodes (children first) and returns its name: the
 * given one, or a numbered one. Each node lists only what it has, by
 * name: {.kind = ASL_N_PATH, .op = ASL_ROOT_INPUT, .str = "$.a", ...}. */
const char *lower_nodes(lctx *c, const asl_node *arr, int count, const char *name)
{
    const char **kids = cc_alloc(sizeof *kids * (size_t)count);
    for (int i = 0; i < count; i++)
        kids[i] = arr[i].count ? lower_nodes(c, arr[i].kids, arr[i].count, NULL) : "0";
    if (!name)
        name = cc_printf("n%d", c->counter++);
    asl_buf_printf(c->b, "static const asl_node %s[] = {\n", name);
    for (int i = 0; i < count; i++) {
        const asl_node *n = &arr[i];
        /* JSONata kinds (JSONATA_KIND_BASE and up) are numbers here, their
         * names in a comment: the kinds are private to the JSONata module,
         * and generated code does not see its headers. */
        const char *jn = n->kind >= JSONATA_KIND_BASE ? jsonata_kind_name(n->kind) : NULL;
        if (jn)
            asl_buf_printf(c->b, "    {.kind = %u /* JSONata %s */", n->kind, jn);
        else if (n->kind >= JSONATA_KIND_BASE || n->kind >= ASL_N__COUNT)
            asl_buf_printf(c->b, "    {.kind = %u", n->kind);
        else
            asl_buf_printf(c->b, "    {.kind = %s", kind_names[n->kind]);
        node_op(c->b, n);
        node_flags(c->b, n->flags);
        if (n->num != 0)
            asl_buf_printf(c->b, ", .num = %.17g%s", n->num,
                           n->kind == ASL_N_OBJECT || n->kind == ASL_N_ARRAY ? " /* literal parts' size bound */" : "");
        if (n->str && (n->kind == ASL_N_STEP_NAME || n->kind == ASL_N_FIELD))
            asl_buf_printf(c->b, ", .str = %s", lower_key(c, n->str));
        else if (n->str) {
            asl_buf_puts(c->b, ", .str = ");
            lower_c_string(c->b, n->str);
        }
        if (n->count)
            asl_buf_printf(c->b, ", .count = %d, .kids = %s", n->count, kids[i]);
        asl_buf_puts(c->b, "},\n");
    }
    asl_buf_puts(c->b, "};\n");
    return name;
}

const char *lower_named_node(lctx *c, const asl_node *n, const char *ident, const char *what, int *counter)
{
    const char *text = n->str ? n->str : n->kind == ASL_N_PATH ? "$" : NULL;
    if (text) {
        asl_buf_puts(c->b, "/* ");
        lower_comment(c->b, text, 200);
        asl_buf_puts(c->b, " */\n");
    }
    return lower_nodes(c, n, 1, cc_printf("%s_%s%d", ident + 6, what, (*counter)++));
}

static const char *node(lctx *c, const asl_node *n)
{
    return n ? lower_nodes(c, n, 1, NULL) : "0";
}

/* A state's field, named after the state's function and the field, with
 * the path or text it came from in a comment. */
static const char *named(lctx *c, const asl_node *n, const char *state, const char *ident, const char *field)
{
    if (!n)
        return "0";
    asl_buf_puts(c->b, "/* ");
    lower_comment(c->b, diag_quote(state), 200);
    asl_buf_printf(c->b, ".%s", field);
    if (n->str && (n->kind == ASL_N_PATH || n->kind == ASL_N_STRING || n->kind == ASL_N_CALL || n->kind == JSONATA_KIND_ROOT)) {
        asl_buf_puts(c->b, ": ");
        lower_comment(c->b, diag_quote(n->str), 200);
    }
    asl_buf_puts(c->b, " */\n");
    return lower_nodes(c, n, 1, cc_printf("%s_%s", ident + 6, field));
}

/* ------------------------------------------------------------ states */

static const char *strings(lctx *c, const char *const *s, int n)
{
    if (!n)
        return "0";
    const char *name = cc_printf("e%d", c->counter++);
    asl_buf_printf(c->b, "static const char *const %s[] = {", name);
    for (int i = 0; i < n; i++) {
        lower_c_string(c->b, s[i]);
        asl_buf_puts(c->b, i + 1 < n ? ", " : "};\n");
    }
    return name;
}

static const char *retriers(lctx *c, const asl_state *s)
{
    if (!s->nretry)
        return "0";
    const char **errs = cc_alloc(sizeof *errs * (size_t)s->nretry);
    for (int i = 0; i < s->nretry; i++)
        errs[i] = strings(c, s->retry[i].errors, s->retry[i].nerrors);
    const char *name = cc_printf("retry%d", c->counter++);
    asl_buf_printf(c->b, "static const asl_retrier %s[] = {\n", name);
    for (int i = 0; i < s->nretry; i++) {
        const asl_retrier *r = &s->retry[i];
        asl_buf_printf(c->b, "    {.errors = %s, .nerrors = %d, .max_attempts = %d, .interval = %.17g, .backoff = %.17g",
                       errs[i], r->nerrors, r->max_attempts, r->interval, r->backoff);
        if (r->max_delay)
            asl_buf_printf(c->b, ", .max_delay = %.17g", r->max_delay);
        asl_buf_puts(c->b, r->jitter_full ? ", .jitter_full = 1},\n" : "},\n");
    }
    asl_buf_puts(c->b, "};\n");
    return name;
}

static const char *catchers(lctx *c, const asl_state *s)
{
    if (!s->ncatch)
        return "0";
    const char **errs = cc_alloc(sizeof *errs * (size_t)s->ncatch);
    const char **rp = cc_alloc(sizeof *rp * (size_t)s->ncatch);
    const char **as = cc_alloc(sizeof *as * (size_t)s->ncatch);
    const char **out = cc_alloc(sizeof *out * (size_t)s->ncatch);
    for (int i = 0; i < s->ncatch; i++) {
        errs[i] = strings(c, s->catches[i].errors, s->catches[i].nerrors);
        rp[i] = node(c, s->catches[i].result_path);
        as[i] = node(c, s->catches[i].assign);
        out[i] = node(c, s->catches[i].output);
    }
    const char *name = cc_printf("catch%d", c->counter++);
    asl_buf_printf(c->b, "static const asl_catcher %s[] = {\n", name);
    for (int i = 0; i < s->ncatch; i++)
        asl_buf_printf(c->b, "    {.errors = %s, .nerrors = %d, .next = %d, .result_path = %s, .assign = %s, .output = %s},\n",
                       errs[i], s->catches[i].nerrors, s->catches[i].next, rp[i], as[i], out[i]);
    asl_buf_puts(c->b, "};\n");
    return name;
}

static const char *choices(lctx *c, const asl_state *s, const char **next, const char **assign, const char **output)
{
    *next = *assign = *output = "0";
    if (!s->nrules)
        return "0";
    const char **rules = cc_alloc(sizeof *rules * (size_t)s->nrules);
    const char **as = cc_alloc(sizeof *as * (size_t)s->nrules);
    const char **os = cc_alloc(sizeof *os * (size_t)s->nrules);
    for (int i = 0; i < s->nrules; i++) {
        rules[i] = node(c, s->rules[i]);
        as[i] = node(c, s->choice_assign ? s->choice_assign[i] : NULL);
        os[i] = node(c, s->choice_output ? s->choice_output[i] : NULL);
    }
    const char *name = cc_printf("rules%d", c->counter++);
    *next = cc_printf("%s_next", name);
    *assign = cc_printf("%s_assign", name);
    asl_buf_printf(c->b, "static const asl_node *const %s[] = {", name);
    for (int i = 0; i < s->nrules; i++)
        asl_buf_printf(c->b, "%s%s", rules[i], i + 1 < s->nrules ? ", " : "};\n");
    asl_buf_printf(c->b, "static const int %s[] = {", *next);
    for (int i = 0; i < s->nrules; i++)
        asl_buf_printf(c->b, "%d%s", s->choice_next[i], i + 1 < s->nrules ? ", " : "};\n");
    asl_buf_printf(c->b, "static const asl_node *const %s[] = {", *assign);
    for (int i = 0; i < s->nrules; i++)
        asl_buf_printf(c->b, "%s%s", as[i], i + 1 < s->nrules ? ", " : "};\n");
    if (s->choice_output) {
        *output = cc_printf("%s_output", name);
        asl_buf_printf(c->b, "static const asl_node *const %s[] = {", *output);
        for (int i = 0; i < s->nrules; i++)
            asl_buf_printf(c->b, "%s%s", os[i], i + 1 < s->nrules ? ", " : "};\n");
    }
    return name;
}

static const char *const type_names[] = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"};
static const char *const type_enums[] = {"ASL_PASS", "ASL_TASK", "ASL_CHOICE", "ASL_WAIT",
                                         "ASL_SUCCEED", "ASL_FAIL", "ASL_PARALLEL", "ASL_MAP"};
static const char *const type_fns[] = {"asl_state_pass", "asl_state_task", "asl_state_choice", "asl_state_wait",
                                       "asl_state_succeed", "asl_state_fail", "asl_state_parallel", "asl_state_map"};

static const char *emit_graph(lctx *c, const asl_graph *g, const char *path, const char *prefix);

/* Everything a state descriptor points to, then the initializer itself. */
static void state_init(lctx *c, asl_buf *init, const asl_state *s, const char *path, const char *ident)
{
    const char *br = "0";
    if (s->nbranches) {
        const char **gs = cc_alloc(sizeof *gs * (size_t)s->nbranches);
        for (int i = 0; i < s->nbranches; i++) {
            const char *bp = s->type == ASL_MAP ? diag_path_key(path, "ItemProcessor")
                                                : diag_path_index(diag_path_key(path, "Branches"), i);
            gs[i] = emit_graph(c, s->branches[i], bp, s->branches[i]->name);
        }
        br = cc_printf("branches%d", c->counter++);
        asl_buf_printf(c->b, "static const asl_graph *const %s[] = {", br);
        for (int i = 0; i < s->nbranches; i++)
            asl_buf_printf(c->b, "&%s%s", gs[i], i + 1 < s->nbranches ? ", " : "};\n");
    }
    /* Labelled initialisers, only for what the state has: after the fixed
     * part, one line per field, the node fields in the order of fields.h
     * (each C name after its ASL field). */
    const char *lines[F__COUNT + 4];
    int nlines = 0;
    unsigned lang = s->jsonata ? L_ATA : L_PATH;
    int done[F__COUNT], ndone = 0;
    for (int i = 0; i < F__COUNT; i++) {
        const field_info *fi = &asl_fields[i];
        const asl_node *n = field_node(s, fi);
        bool seen = false;
        for (int k = 0; k < ndone; k++)
            seen |= done[k] == fi->member;
        if (!n || seen || !(fi->types & (1u << s->type)) || !(fi->langs & lang))
            continue;
        done[ndone++] = fi->member;
        lines[nlines++] = cc_printf(".%s = %s", fi->member_name, named(c, n, s->name, ident, fi->name));
    }
    if (s->nrules) {
        const char *cn, *ca, *co, *rules = choices(c, s, &cn, &ca, &co);
        lines[nlines++] = cc_printf(".rules = %s, .choice_next = %s, .choice_assign = %s, .nrules = %d%s%s", rules, cn,
                                    ca, s->nrules, s->choice_output ? ", .choice_output = " : "",
                                    s->choice_output ? co : "");
    }
    if (s->nbranches)
        lines[nlines++] = cc_printf(".branches = %s, .nbranches = %d", br, s->nbranches);
    const char *build = lower_task_params(c, s, ident);
    if (build)
        lines[nlines++] = cc_printf(".build_parameters = %s", build);
    if (s->nretry)
        lines[nlines++] = cc_printf(".retry = %s, .nretry = %d", retriers(c, s), s->nretry);
    if (s->ncatch)
        lines[nlines++] = cc_printf(".catches = %s, .ncatch = %d", catchers(c, s), s->ncatch);
    asl_buf_puts(init, "    {.name = ");
    lower_c_string(init, s->name);
    asl_buf_printf(init, ", .type = %s%s, .next = %d, .default_next = %d", type_enums[s->type],
                   s->end ? ", .end = 1" : "", s->next, s->default_next);
    if (s->jsonata)
        asl_buf_puts(init, ", .jsonata = 1");
    if (s->distributed) {
        asl_buf_printf(init, ", .distributed = %d", s->distributed);
        if (s->label) {
            asl_buf_puts(init, ", .label = ");
            lower_c_string(init, s->label);
        }
    }
    if (s->type == ASL_TASK) {
        asl_buf_puts(init, ",\n     .resource = ");
        lower_c_string(init, s->resource);
        static const char *const integrations[] = {"ASL_RES_HANDLER", "ASL_RES_START_EXECUTION"};
        static const char *const patterns[] = {"ASL_PATTERN_RESPONSE", "ASL_PATTERN_SYNC", "ASL_PATTERN_SYNC2",
                                               "ASL_PATTERN_TOKEN"};
        asl_buf_printf(init, ", .integration = %s, .pattern = %s", integrations[s->integration], patterns[s->pattern]);
    }
    for (int i = 0; i < nlines; i++)
        asl_buf_printf(init, ",\n     %s", lines[i]);
    asl_buf_puts(init, "},\n");
}

/* Emits a graph (its sub-graphs first); returns the graph's C name. */
static const char *emit_graph(lctx *c, const asl_graph *g, const char *path, const char *prefix)
{
    const char *gname = cc_printf("graph%d", c->counter++);
    asl_buf init = {0};
    const char **fns = cc_alloc(sizeof *fns * (size_t)(g->nstates + 1));
    for (int i = 0; i < g->nstates; i++)
        fns[i] = function_name(c, prefix, g->states[i].name);
    for (int i = 0; i < g->nstates; i++) {
        const char *sp = diag_path_key(diag_path_key(path, "States"), g->states[i].name);
        state_init(c, &init, &g->states[i], sp, fns[i]);
    }
    for (int i = 0; i < g->nstates; i++)
        asl_buf_printf(c->b, "static asl_step %s(asl_frame *f);\n", fns[i]);
    asl_buf_printf(c->b, "static const asl_state %s_states[] = {\n%s};\n", gname, init.p ? init.p : "");
    asl_buf_free(&init);
    asl_buf_printf(c->b, "static const asl_state_fn %s_fns[] = {", gname);
    for (int i = 0; i < g->nstates; i++)
        asl_buf_printf(c->b, "%s%s", fns[i], i + 1 < g->nstates ? ", " : "};\n");
    asl_buf_printf(c->b, "static const asl_graph %s = {", gname);
    lower_c_string(c->b, g->name);
    asl_buf_printf(c->b, ", %d, %d, %s_states, %s_fns};\n\n", g->start, g->nstates, gname, gname);
    for (int i = 0; i < g->nstates; i++) {
        const asl_state *s = &g->states[i];
        const char *sp = diag_path_key(diag_path_key(path, "States"), s->name);
        const char *ref = cc_printf("&%s_states[%d]", gname, i);
        asl_buf body = {0};
        if (s->type == ASL_CHOICE && !s->jsonata)
            lower_choice(c, g, s, fns[i], ref, &body);
        else if (!lower_params(c, s, fns[i], ref, &body))
            asl_buf_printf(&body, "    return %s(f, %s);\n", type_fns[s->type], ref);
        int line = 0, col = 0;
        load_position(c->src, sp, &line, &col);
        asl_buf_puts(c->b, "/*\n * State ");
        lower_comment(c->b, cc_printf("%s (%s), %s:%d", diag_quote(s->name), type_names[s->type],
                                       strrchr(c->src->file, '/') ? strrchr(c->src->file, '/') + 1 : c->src->file, line),
                       400);
        asl_buf_puts(c->b, "\n *   ");
        lower_comment(c->b, s->source ? s->source : "", 600);
        asl_buf_printf(c->b, "\n */\nstatic asl_step %s(asl_frame *f)\n{\n%s}\n\n", fns[i], body.p);
        asl_buf_free(&body);
    }
    return gname;
}

/* ------------------------------------------------------------ program */

static const char *basename_of(const char *f)
{
    const char *s = strrchr(f, '/');
    return s ? s + 1 : f;
}

char *lower_unit(const cc_unit *u, bool main_fn)
{
    asl_buf b = {0};
    lctx c = {.b = &b, .key_struct = "key"};
    for (int i = 0; i < u->nbindings; i++)
        if (!strcmp(u->binding_fns[i], "key") || !strcmp(u->binding_fns[i], "key_index"))
            c.key_struct = "key_"; /* (a handler's name is not to clash with it, nor key_index) */
    const char **graphs = cc_alloc(sizeof *graphs * (size_t)u->nmachines);
    for (int i = 0; i < u->nmachines; i++) {
        c.src = u->machines[i].src;
        asl_buf_puts(&b, "/* ---- state machine ");
        lower_comment(&b, cc_printf("%s (%s)", diag_quote(u->machines[i].m.name), basename_of(c.src->file)), 300);
        asl_buf_puts(&b, " ---- */\n\n");
        graphs[i] = emit_graph(&c, u->machines[i].m.graph, NULL, i ? u->machines[i].m.name : NULL);
    }
    const char **timeouts = cc_alloc(sizeof *timeouts * (size_t)u->nmachines);
    for (int i = 0; i < u->nmachines; i++)
        timeouts[i] = node(&c, u->machines[i].m.timeout);
    asl_buf_puts(&b, "static const asl_machine machines[] = {\n");
    for (int i = 0; i < u->nmachines; i++) {
        const asl_machine *m = &u->machines[i].m;
        asl_buf_puts(&b, "    {");
        lower_c_string(&b, m->name);
        asl_buf_puts(&b, ", ");
        lower_c_string(&b, m->arn);
        asl_buf_puts(&b, ", ");
        lower_c_string(&b, basename_of(m->file));
        asl_buf_printf(&b, ", &%s, %s, %d", graphs[i], timeouts[i], m->express ? 1 : 0);
        if (c.nkeys)
            asl_buf_printf(&b, ", %s_index, %u", c.key_struct, lower_key_slots(&c));
        asl_buf_puts(&b, "},\n");
    }
    asl_buf_puts(&b, "};\n\n");
    for (int i = 0; i < u->nbindings; i++)
        asl_buf_printf(&b, "void %s(asl_task *task, %s);\n", u->binding_fns[i],
                       u->binding_json[i] ? "const struct cJSON *event" : "const char *payload");
    if (u->nbindings) {
        asl_buf_puts(&b, "static const asl_binding bindings[] = {\n");
        for (int i = 0; i < u->nbindings; i++) {
            asl_buf_puts(&b, "    {");
            lower_c_string(&b, u->bindings[i].resource);
            asl_buf_printf(&b, u->binding_json[i] ? ", NULL, %s},\n" : ", %s, NULL},\n", u->binding_fns[i]);
        }
        asl_buf_puts(&b, "};\n");
    }
    if (u->nlambdas) {
        asl_buf_puts(&b, "static const char *const processes[] = {\n");
        for (int i = 0; i < u->nlambdas; i++) {
            asl_buf_puts(&b, "    ");
            lower_c_string(&b, u->lambdas[i]);
            asl_buf_puts(&b, ",\n");
        }
        asl_buf_puts(&b, "};\n");
    }
    asl_buf_printf(&b, "static const asl_program program = {machines, %d, %s, %d, %s, %d};\n\n", u->nmachines,
                   u->nbindings ? "bindings" : "0", u->nbindings, u->nlambdas ? "processes" : "0", u->nlambdas);
    asl_buf_puts(&b, "const asl_program *aslc_program(void);\nconst asl_program *aslc_program(void)\n{\n    return &program;\n}\n");
    if (main_fn)
        asl_buf_puts(&b, "\nint main(int argc, char **argv)\n{\n    return asl_main(&program, argc, argv);\n}\n");
    /* the keys go first, now that every use has named them */
    asl_buf out = {0};
    asl_buf_printf(&out, "/* Generated by aslc from %s. Do not edit. */\n#include \"asl_gen.h\"\n\n",
                   basename_of(u->machines[0].src->file));
    lower_keys(&c, &out);
    asl_buf_puts(&out, b.p);
    asl_buf_free(&b);
    return out.p;
}
