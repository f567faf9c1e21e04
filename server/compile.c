/*
 * compile.c: definitions compiled inside the running server. The pipeline
 * is aslc's own (unit_load -> lower_unit -> libtcc); the unit is loaded into
 * the engine, which releases the libtcc state once no execution needs it.
 * Diagnostics are caught through diag.c's sink instead of going to stderr:
 * as aslc prints them (InvalidDefinition's message) and as
 * ValidateStateMachineDefinition lists them (diag_code.c's AWS code,
 * message, /States/... location). The compiler allocates from one arena, emptied after each
 * compile: nothing the server keeps lives there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc.h"
#include "server.h"

typedef struct caught {
    asl_buf text;           /* aslc's lines */
    cJSON *list;            /* ValidateStateMachineDefinition's diagnostics */
    int errors;
} caught;

static void sink(void *ud, const diag_item *d)
{
    caught *c = ud;
    if (c->text.len)
        asl_buf_puts(&c->text, "\n");
    asl_buf_puts(&c->text, d->file);
    if (d->line)
        asl_buf_printf(&c->text, ":%d:%d", d->line, d->col);
    asl_buf_printf(&c->text, ": %s: ", d->severity);
    if (d->path && *d->path)
        asl_buf_printf(&c->text, "%s: ", d->path);
    asl_buf_puts(&c->text, d->message);
    if (!strcmp(d->severity, "note"))
        return;
    c->errors += !strcmp(d->severity, "error");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "severity", !strcmp(d->severity, "error") ? "ERROR" : "WARNING");
    cJSON_AddStringToObject(o, "code", diag_code(d->path, d->message));
    cJSON_AddStringToObject(o, "message", d->message);
    if (d->path && *d->path)
        cJSON_AddStringToObject(o, "location", diag_location(d->path));
    cJSON_AddItemToArray(c->list, o);
}

static void options(const srv *s, cc_opts *o, const char *name, const char *type, const char *file,
                    const char *text)
{
    memset(o, 0, sizeof *o);
    o->type = type;
    o->main_file = file ? file : "definition";
    o->main_text = text;
    o->main_len = text ? strlen(text) : 0;
    o->main_name = name;
    o->tasks = s->opt.tasks;
    o->ntasks = s->opt.ntasks;
    if (!text) {
        o->machines = s->opt.machines;
        o->nmachines = s->opt.nmachines;
    }
    o->lenient = true;
}

/* The definition text of the unit's machine named name. */
static const char *text_of(const cc_unit *u, const char *name)
{
    for (int i = 0; i < u->nmachines; i++)
        if (!strcmp(u->machines[i].m.name, name))
            return u->machines[i].src->text;
    return "{}";
}

int compile_load(srv *s, const char *name, const char *type, const char *file, const char *text, char **diags,
                 int *status)
{
    cc_opts o;
    options(s, &o, name, type, file, text);
    caught c = {.list = cJSON_CreateArray()};
    diag_reset();
    diag_set_sink(sink, &c);
    cc_unit u;
    *status = 0;
    bool ok = unit_load(&u, &o, status);
    diag_set_sink(NULL, NULL);
    int unit = 0;
    if (ok) {
        char *c_text = lower_unit(&u, false);
        void *state;
        const asl_program *p = jit_load(&u, c_text, &state);
        free(c_text);
        if (p) {
            unit = asl_engine_load(s->engine, p, jit_release, state);
            /* A definition named at start brings the machines of its
             * project file: each exists on its own. */
            for (int i = 0; !text && i < p->nmachines; i++)
                machines_add(s, p->machines[i].name, asl_engine_machine_arn(s->engine, &p->machines[i]),
                             text_of(&u, p->machines[i].name), unit);
        } else {
            *status = 70;
            asl_buf_puts(&c.text, "the C compiler (libtcc) failed on the generated code");
        }
    }
    unit_free(&u);
    cc_free_all();
    cJSON_Delete(c.list);
    *diags = asl_buf_take(&c.text);
    return unit;
}

bool compile_check(srv *s, const char *text, const char *type, cJSON **diagnostics)
{
    cc_opts o;
    options(s, &o, "definition", type, NULL, text);
    caught c = {.list = cJSON_CreateArray()};
    diag_reset();
    diag_set_sink(sink, &c);
    cc_unit u;
    int status = 0;
    bool ok = unit_load(&u, &o, &status);
    diag_set_sink(NULL, NULL);
    unit_free(&u);
    cc_free_all();
    asl_buf_free(&c.text);
    *diagnostics = c.list;
    return ok && !c.errors;
}
