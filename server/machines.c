/*
 * machines.c: state machines through the API (Create, Describe, Update,
 * Delete, List, ValidateStateMachineDefinition) and the checks every
 * action shares: ARNs, names, page tokens. A machine is a compiled unit
 * in the engine plus what AWS describes (definition, role, type, dates).
 * Updating compiles the new definition into a new unit: executions already
 * running finish on the old code, new ones get the new, as on AWS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ids.h"
#include "internal.h"
#include "server.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *dup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        exit(70);
    return p;
}

char *machines_arn(const srv *s, const char *kind, const char *name)
{
    return srv_printf("arn:aws:states:%s:%s:%s:%s", s->opt.region, s->opt.account, kind, name);
}

srv_machine *machines_find(srv *s, const char *arn)
{
    for (srv_machine *m = s->machines; m; m = m->next)
        if (!strcmp(m->arn, arn))
            return m;
    return NULL;
}

/* A new definition, kept until the server stops. */
static srv_def *new_def(srv *s, const char *text)
{
    srv_def *d = calloc(1, sizeof *d);
    if (!d)
        exit(70);
    *d = (srv_def){.text = dup(text), .date = now(), .next = s->defs};
    asl_uuid(d->revision);
    s->defs = d;
    return d;
}

srv_machine *machines_add(srv *s, const char *name, const char *arn, const char *definition, int unit)
{
    srv_machine *m = calloc(1, sizeof *m);
    if (!m)
        exit(70);
    m->name = dup(name);
    m->arn = dup(arn);
    m->def = new_def(s, definition);
    m->role_arn = srv_printf("arn:aws:iam::%s:role/aslc-serve", s->opt.account);
    m->type = dup("STANDARD");
    m->created = now();
    m->unit = unit;
    m->next = s->machines;
    s->machines = m;
    return m;
}

static void machine_free(srv_machine *m)
{
    free(m->name);
    free(m->arn);
    free(m->role_arn);
    free(m->type);
    free(m->description);
    free(m);
}

void machines_free(srv *s)
{
    while (s->machines) {
        srv_machine *next = s->machines->next;
        machine_free(s->machines);
        s->machines = next;
    }
    while (s->defs) {
        srv_def *next = s->defs->next;
        free(s->defs->text);
        free(s->defs);
        s->defs = next;
    }
}

/* Whether another machine of the list still uses a unit. */
static bool unit_used(const srv *s, int unit)
{
    for (const srv_machine *m = s->machines; m; m = m->next)
        if (m->unit == unit)
            return true;
    return false;
}

/* ------------------------------------------------------------ checks */

bool machines_arn_ok(srv_call *c, const char *arn, const char *kind)
{
    /* arn:PARTITION:states:REGION:ACCOUNT:KIND:NAME[...] */
    const char *p = arn;
    int colons = 0;
    for (; *p && colons < 5; p++)
        colons += *p == ':';
    if (!strncmp(arn, "arn:", 4) && colons == 5 && strstr(arn, ":states:") && !strncmp(p, kind, strlen(kind)) &&
        p[strlen(kind)] == ':' && p[strlen(kind) + 1])
        return true;
    srv_reply_error(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn);
    return false;
}

bool machines_name_ok(srv_call *c, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", *p)) {
            srv_reply_error(c, "InvalidName", "Invalid Name: '%s'", name);
            return false;
        }
    return true;
}

int machines_page_start(srv_call *c)
{
    const char *t = srv_str(c, "nextToken");
    if (!t)
        return 0;
    char *end;
    long n = strncmp(t, "aslc-page-", 10) ? -1 : strtol(t + 10, &end, 10);
    if (n < 0 || *end) {
        srv_reply_error(c, "InvalidToken", "Invalid Token: '%s'", t);
        return -1;
    }
    return (int)n;
}

void machines_page_token(cJSON *out, int next, int total)
{
    if (next >= total)
        return;
    char t[32];
    snprintf(t, sizeof t, "aslc-page-%d", next);
    cJSON_AddStringToObject(out, "nextToken", t);
}

/* ----------------------------------------------------------- actions */

/* Compiles a definition for machine name; false after answering
 * InvalidDefinition with aslc's diagnostics. */
static int compile(srv *s, srv_call *c, const char *name, const char *type, const char *definition)
{
    char *diags;
    int status;
    int unit = compile_load(s, name, type, NULL, definition, &diags, &status);
    if (!unit) {
        for (char *p = diags; *p; p++)
            if (*p == '\n')
                *p = ';';
        srv_reply_error(c, "InvalidDefinition", "Invalid State Machine Definition: '%s'", diags);
    }
    free(diags);
    return unit;
}

void act_create_state_machine(srv *s, srv_call *c)
{
    const char *name = srv_str(c, "name"), *def = srv_str(c, "definition"), *role = srv_str(c, "roleArn");
    const char *type = srv_str(c, "type") ? srv_str(c, "type") : "STANDARD";
    if (!machines_name_ok(c, name))
        return;
    if (strncmp(role, "arn:", 4)) {
        srv_reply_error(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", role);
        return;
    }
    char *arn = machines_arn(s, "stateMachine", name);
    srv_machine *old = machines_find(s, arn);
    if (old && (strcmp(old->def->text, def) || strcmp(old->role_arn, role) || strcmp(old->type, type))) {
        srv_reply_error(c, "StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn);
    } else if (!old) {
        int unit = compile(s, c, name, type, def);
        if (unit) {
            old = machines_add(s, name, arn, def, unit);
            free(old->role_arn);
            old->role_arn = dup(role);
            free(old->type);
            old->type = dup(type);
            durable_machine(s, old);
            tags_add(s, arn, cJSON_GetObjectItemCaseSensitive(c->in, "tags"));
        }
    }
    free(arn);
    if (c->status)
        return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "stateMachineArn", old->arn);
    cJSON_AddItemToObject(out, "creationDate", srv_time(old->created));
    srv_reply(c, out);
}

/* The machine the call's stateMachineArn names; NULL after answering. */
static srv_machine *named(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "stateMachineArn");
    if (!machines_arn_ok(c, arn, "stateMachine"))
        return NULL;
    srv_machine *m = machines_find(s, arn);
    if (!m)
        srv_reply_error(c, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn);
    return m;
}

cJSON *machines_describe(const srv_machine *m)
{
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "stateMachineArn", m->arn);
    cJSON_AddStringToObject(out, "name", m->name);
    cJSON_AddStringToObject(out, "status", "ACTIVE");
    cJSON_AddStringToObject(out, "definition", m->def->text);
    cJSON_AddStringToObject(out, "revisionId", m->def->revision);
    cJSON_AddStringToObject(out, "roleArn", m->role_arn);
    cJSON_AddStringToObject(out, "type", m->type);
    cJSON_AddItemToObject(out, "creationDate", srv_time(m->created));
    cJSON *log = cJSON_AddObjectToObject(out, "loggingConfiguration");
    cJSON_AddStringToObject(log, "level", "OFF");
    cJSON_AddBoolToObject(log, "includeExecutionData", false);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(out, "tracingConfiguration"), "enabled", false);
    return out;
}

void act_describe_state_machine(srv *s, srv_call *c)
{
    srv_machine *m = named(s, c);
    if (m)
        srv_reply(c, machines_describe(m));
}

void act_update_state_machine(srv *s, srv_call *c)
{
    srv_machine *m = named(s, c);
    if (!m)
        return;
    const char *def = srv_str(c, "definition"), *role = srv_str(c, "roleArn");
    if (!def && !role && !srv_has(c, "loggingConfiguration") && !srv_has(c, "tracingConfiguration")) {
        srv_reply_error(c, "MissingRequiredParameter",
                        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration "
                        "must be specified");
        return;
    }
    if (role && strncmp(role, "arn:", 4)) {
        srv_reply_error(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", role);
        return;
    }
    if (def) {
        int unit = compile(s, c, m->name, m->type, def);
        if (!unit)
            return;
        int old = m->unit;
        m->unit = unit;
        if (!unit_used(s, old))
            asl_engine_unload(s->engine, old);
        m->def = new_def(s, def);
    }
    if (role) {
        free(m->role_arn);
        m->role_arn = dup(role);
    }
    durable_machine(s, m);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "updateDate", srv_time(now()));
    cJSON_AddStringToObject(out, "revisionId", m->def->revision);
    srv_reply(c, out);
}

void act_delete_state_machine(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "stateMachineArn");
    if (!machines_arn_ok(c, arn, "stateMachine"))
        return;
    for (srv_machine **p = &s->machines; *p; p = &(*p)->next) {
        srv_machine *m = *p;
        if (strcmp(m->arn, arn))
            continue;
        *p = m->next;
        durable_machine_deleted(s, m);
        tags_drop(s, m->arn);
        if (!unit_used(s, m->unit))
            asl_engine_unload(s->engine, m->unit);
        machine_free(m);
        break;
    }
    srv_reply(c, cJSON_CreateObject());
}

void machines_page(srv_call *c, const char *key, void *const *items, int total, cJSON *(*item)(const void *))
{
    int start = machines_page_start(c), max = srv_int(c, "maxResults", 0), i;
    if (start < 0)
        return;
    if (max <= 0)
        max = 100;
    cJSON *out = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(out, key);
    for (i = start; i < total && i < start + max; i++)
        cJSON_AddItemToArray(list, item(items[i]));
    machines_page_token(out, i, total);
    srv_reply(c, out);
}

static cJSON *list_item(const void *p)
{
    const srv_machine *m = p;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "stateMachineArn", m->arn);
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "type", m->type);
    cJSON_AddItemToObject(o, "creationDate", srv_time(m->created));
    return o;
}

void act_list_state_machines(srv *s, srv_call *c)
{
    int total = 0, i = 0;
    for (srv_machine *m = s->machines; m; m = m->next)
        total++;
    /* Oldest first: the list keeps the newest at its head. */
    void **all = calloc((size_t)total + 1, sizeof *all);
    for (srv_machine *m = s->machines; m; m = m->next)
        all[total - ++i] = m;
    machines_page(c, "stateMachines", all, total, list_item);
    free(all);
}

void act_validate_definition(srv *s, srv_call *c)
{
    cJSON *diags;
    const char *def = srv_str(c, "definition");
    bool ok = compile_check(s, def, srv_str(c, "type"), &diags);
    int max = srv_int(c, "maxResults", 0), n = cJSON_GetArraySize(diags);
    bool truncated = max > 0 && n > max;
    while (max > 0 && cJSON_GetArraySize(diags) > max)
        cJSON_DeleteItemFromArray(diags, cJSON_GetArraySize(diags) - 1);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "result", ok ? "OK" : "FAIL");
    cJSON_AddItemToObject(out, "diagnostics", diags);
    cJSON_AddBoolToObject(out, "truncated", truncated);
    srv_reply(c, out);
}
