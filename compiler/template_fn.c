/*
 * template_fn.c: CloudFormation's intrinsic functions, evaluated locally,
 * as far as a template alone allows: Ref, Fn::GetAtt, Fn::Sub, Fn::Join,
 * Fn::Select, Fn::Split, Fn::If (with Conditions: Fn::Equals, Fn::And,
 * Fn::Or, Fn::Not, Condition), Fn::FindInMap, Fn::GetAZs, Fn::Base64,
 * Fn::ToJsonString, Fn::Length.
 *
 * What a deployment would decide is decided here the way a local run
 * needs: a resource's physical name is its name property (FunctionName,
 * StateMachineName, TableName...) when the template gives one, else its
 * logical ID; ARNs use the region and account of --parameter AWS::Region=
 * and AWS::AccountId= (default us-east-1 and 123456789012, the runtime's
 * own defaults). So `!GetAtt MyFunction.Arn` is
 * arn:aws:lambda:us-east-1:123456789012:function:MyFunction, which
 * `--lambda MyFunction=...` serves. Anything else (an unknown name, an
 * attribute of a resource type not in the table, Fn::ImportValue) becomes
 * the text ${NAME}: a --sub can still supply it, and the definition's
 * unresolved warning names it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "template.h"

/* A number as CloudFormation substitutes it: the shortest text that reads
 * back (0.1, not printf's 0.10000000000000001). */
static const char *number_text(double d)
{
    char tmp[32];
    asl_json_format_number(d, tmp);
    return cc_printf("%s", tmp);
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static cJSON *unresolved(const char *name)
{
    return cJSON_CreateString(cc_printf("${%s}", name));
}

/* --------------------------------------------------------- parameters */

/* NAME=VALUE from a list of options, or NULL. */
static const char *option_value(const char *const *list, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = n - 1; i >= 0; i--)
        if (!strncmp(list[i], name, len) && list[i][len] == '=')
            return list[i] + len + 1;
    return NULL;
}

const char *tpl_parameter(cc_template *t, const char *name)
{
    const char *v = option_value(t->o->params, t->o->nparams, name);
    if (v)
        return v;
    if (!strcmp(name, "AWS::Region"))
        return t->region;
    if (!strcmp(name, "AWS::AccountId"))
        return t->account;
    if (!strcmp(name, "AWS::Partition"))
        return t->partition;
    if (!strcmp(name, "AWS::URLSuffix"))
        return "amazonaws.com";
    if (!strcmp(name, "AWS::StackName"))
        return "aslc";
    if (!strcmp(name, "AWS::StackId"))
        return cc_printf("arn:%s:cloudformation:%s:%s:stack/aslc/00000000-0000-0000-0000-000000000000", t->partition,
                         t->region, t->account);
    const cJSON *p = get(t->parameters, name), *d = p ? get(p, "Default") : NULL;
    if (cJSON_IsString(d))
        return d->valuestring;
    if (cJSON_IsNumber(d))
        return number_text(d->valuedouble);
    return NULL;
}

/* A parameter's value as Ref gives it: lists (List<...>, CommaDelimitedList)
 * as arrays. */
static cJSON *parameter_ref(cc_template *t, const char *name)
{
    const char *v = tpl_parameter(t, name);
    if (!v)
        return NULL;
    const cJSON *p = get(t->parameters, name), *type = p ? get(p, "Type") : NULL;
    if (!cJSON_IsString(type) || (strncmp(type->valuestring, "List<", 5) && strcmp(type->valuestring, "CommaDelimitedList")))
        return cJSON_CreateString(v);
    cJSON *a = cJSON_CreateArray();
    for (const char *s = v; *s;) {
        size_t n = strcspn(s, ",");
        cJSON_AddItemToArray(a, cJSON_CreateString(cc_strndup(s, n)));
        s += n + (s[n] == ',');
    }
    return a;
}

/* ---------------------------------------------------------- resources */

/* Each type's name property, and how Ref and its attributes read. In
 * formats: %1$s partition, %2$s region, %3$s account, %4$s name. */
static const struct rtype {
    const char *type, *name_prop, *ref;
    const char *attrs;   /* "Attr=format;Attr=format" */
} rtypes[] = {
    {"AWS::StepFunctions::StateMachine", "StateMachineName", "arn:%1$s:states:%2$s:%3$s:stateMachine:%4$s",
     "Arn=arn:%1$s:states:%2$s:%3$s:stateMachine:%4$s;Name=%4$s"},
    {"AWS::Serverless::StateMachine", "Name", "arn:%1$s:states:%2$s:%3$s:stateMachine:%4$s",
     "Arn=arn:%1$s:states:%2$s:%3$s:stateMachine:%4$s;Name=%4$s"},
    {"AWS::Lambda::Function", "FunctionName", "%4$s", "Arn=arn:%1$s:lambda:%2$s:%3$s:function:%4$s"},
    {"AWS::Serverless::Function", "FunctionName", "%4$s", "Arn=arn:%1$s:lambda:%2$s:%3$s:function:%4$s"},
    {"AWS::SNS::Topic", "TopicName", "arn:%1$s:sns:%2$s:%3$s:%4$s",
     "TopicArn=arn:%1$s:sns:%2$s:%3$s:%4$s;TopicName=%4$s"},
    {"AWS::SQS::Queue", "QueueName", "https://sqs.%2$s.amazonaws.com/%3$s/%4$s",
     "Arn=arn:%1$s:sqs:%2$s:%3$s:%4$s;QueueName=%4$s;QueueUrl=https://sqs.%2$s.amazonaws.com/%3$s/%4$s"},
    {"AWS::DynamoDB::Table", "TableName", "%4$s", "Arn=arn:%1$s:dynamodb:%2$s:%3$s:table/%4$s"},
    {"AWS::Serverless::SimpleTable", "TableName", "%4$s", "Arn=arn:%1$s:dynamodb:%2$s:%3$s:table/%4$s"},
    {"AWS::S3::Bucket", "BucketName", "%4$s", "Arn=arn:%1$s:s3:::%4$s"},
    {"AWS::Events::EventBus", "Name", "%4$s", "Arn=arn:%1$s:events:%2$s:%3$s:event-bus/%4$s;Name=%4$s"},
    {"AWS::IAM::Role", "RoleName", "%4$s", "Arn=arn:%1$s:iam::%3$s:role/%4$s;RoleId=%4$s"},
    {"AWS::ECS::Cluster", "ClusterName", "%4$s", "Arn=arn:%1$s:ecs:%2$s:%3$s:cluster/%4$s"},
    {"AWS::Batch::JobQueue", "JobQueueName", "arn:%1$s:batch:%2$s:%3$s:job-queue/%4$s", ""},
};

static const struct rtype *rtype_of(const cJSON *res)
{
    const cJSON *type = get(res, "Type");
    for (size_t i = 0; cJSON_IsString(type) && i < sizeof rtypes / sizeof *rtypes; i++)
        if (!strcmp(rtypes[i].type, type->valuestring))
            return &rtypes[i];
    return NULL;
}

/* A resource's physical name: its name property if the template gives a
 * string, else its logical ID. */
static const char *physical_name(cc_template *t, const char *id, const struct rtype *rt)
{
    const cJSON *res = get(t->resources, id);
    const cJSON *v = rt ? get(get(res, "Properties"), rt->name_prop) : NULL;
    if (!v || t->depth > 8)
        return id;
    t->depth++;
    tpl_ctx c = {t, NULL, NULL};
    const char *s = tpl_string(&c, v, NULL);
    t->depth--;
    return s && !strstr(s, "${") ? s : id;
}

static const char *format_for(cc_template *t, const char *fmt, const char *name)
{
    /* Positional arguments: every format names what it uses. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return cc_printf(fmt, t->partition, t->region, t->account, name);
#pragma GCC diagnostic pop
}

/* Ref of a logical ID or parameter; NULL when it names nothing. */
cJSON *tpl_ref(cc_template *t, const char *name)
{
    if (!strcmp(name, "AWS::NoValue"))
        return NULL;
    cJSON *p = parameter_ref(t, name);
    if (p)
        return p;
    const cJSON *res = get(t->resources, name);
    if (!res)
        return unresolved(name);
    const struct rtype *rt = rtype_of(res);
    const char *pn = physical_name(t, name, rt);
    return cJSON_CreateString(rt ? format_for(t, rt->ref, pn) : pn);
}

static cJSON *getatt(cc_template *t, const char *id, const char *attr)
{
    const cJSON *res = get(t->resources, id);
    const struct rtype *rt = res ? rtype_of(res) : NULL;
    size_t n = strlen(attr);
    for (const char *a = rt ? rt->attrs : ""; *a;) {
        size_t len = strcspn(a, ";");
        if (!strncmp(a, attr, n) && a[n] == '=')
            return cJSON_CreateString(format_for(t, cc_strndup(a + n + 1, len - n - 1), physical_name(t, id, rt)));
        a += len + (a[len] == ';');
    }
    return unresolved(cc_printf("%s.%s", id, attr));
}

/* ------------------------------------------------------------ helpers */

/* A scalar as text (Fn::Join, Fn::Sub and substitutions work on text). */
static const char *text_of(const cJSON *v)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v))
        return number_text(v->valuedouble);
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    return NULL;
}

const char *tpl_string(tpl_ctx *c, const cJSON *v, const char *tpath)
{
    tpl_ctx plain = {c->t, NULL, c->vars};
    cJSON *r = tpl_eval(&plain, v, tpath, NULL);
    const char *s = text_of(r);
    s = s ? cc_strdup(s) : NULL;
    cJSON_Delete(r);
    return s;
}

static const cJSON *arg(const cJSON *args, int i)
{
    return cJSON_IsArray(args) ? cJSON_GetArrayItem(args, i) : NULL;
}

/* ----------------------------------------------------------- Fn::Sub */

/* One ${NAME} of a Fn::Sub: its variables, then parameters, resources and
 * attributes; unknown names are kept for the substitutions after. */
static void sub_name(tpl_ctx *c, asl_buf *out, const char *name)
{
    const char *v = c->vars ? text_of(get(c->vars, name)) : NULL;
    cJSON *r = NULL;
    if (!v) {
        const char *dot = strchr(name, '.');
        if (!strstr(name, "::") && dot)
            r = getatt(c->t, cc_strndup(name, (size_t)(dot - name)), dot + 1);
        else
            r = tpl_ref(c->t, name);
        v = r && cJSON_IsArray(r) ? NULL : text_of(r);
    }
    if (v)
        asl_buf_puts(out, v);
    else
        asl_buf_printf(out, "${%s}", name);
    cJSON_Delete(r);
}

static cJSON *fn_sub(tpl_ctx *c, const cJSON *args, const char *tpath)
{
    const cJSON *s = cJSON_IsArray(args) ? arg(args, 0) : args;
    cJSON *vars = NULL;
    if (cJSON_IsArray(args) && arg(args, 1))
        vars = tpl_eval(&(tpl_ctx){c->t, NULL, c->vars}, arg(args, 1), diag_path_index(tpath, 1), NULL);
    if (!cJSON_IsString(s)) {
        cJSON_Delete(vars);
        return unresolved("Fn::Sub");
    }
    tpl_ctx sc = {c->t, NULL, vars};
    asl_buf out = {0};
    asl_buf_puts(&out, "");
    for (const char *p = s->valuestring; *p;) {
        const char *open = strstr(p, "${"), *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            asl_buf_puts(&out, p);
            break;
        }
        asl_buf_put(&out, p, (size_t)(open - p));
        const char *name = cc_strndup(open + 2, (size_t)(close - open - 2));
        if (name[0] == '!')
            asl_buf_printf(&out, "${%s}", name + 1); /* ${!Literal} */
        else
            sub_name(&sc, &out, name);
        p = close + 1;
    }
    cJSON *r = cJSON_CreateString(out.p);
    asl_buf_free(&out);
    cJSON_Delete(vars);
    return r;
}

/* ---------------------------------------------------------- conditions */

static bool condition(cc_template *t, const char *name);

/* Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition. */
static bool truth(tpl_ctx *c, const cJSON *v, const char *tpath)
{
    const cJSON *k = cJSON_IsObject(v) ? v->child : NULL;
    if (!k)
        return cJSON_IsTrue(v) || (cJSON_IsString(v) && !strcmp(v->valuestring, "true"));
    const char *kp = diag_path_key(tpath, k->string);
    if (!strcmp(k->string, "Condition") && cJSON_IsString(k))
        return condition(c->t, k->valuestring);
    if (!strcmp(k->string, "Fn::Not"))
        return !truth(c, arg(k, 0), diag_path_index(kp, 0));
    if (!strcmp(k->string, "Fn::And") || !strcmp(k->string, "Fn::Or")) {
        bool and = k->string[4] == 'A';
        int i = 0;
        for (const cJSON *e = cJSON_IsArray(k) ? k->child : NULL; e; e = e->next, i++)
            if (truth(c, e, diag_path_index(kp, i)) != and)
                return !and;
        return and;
    }
    if (!strcmp(k->string, "Fn::Equals")) {
        cJSON *a = tpl_eval(c, arg(k, 0), diag_path_index(kp, 0), NULL);
        cJSON *b = tpl_eval(c, arg(k, 1), diag_path_index(kp, 1), NULL);
        const char *x = text_of(a), *y = text_of(b);
        bool eq = x && y ? !strcmp(x, y) : cJSON_Compare(a, b, 1);
        cJSON_Delete(a);
        cJSON_Delete(b);
        return eq;
    }
    cJSON *r = tpl_eval(c, v, tpath, NULL);
    bool b = cJSON_IsTrue(r) || (cJSON_IsString(r) && !strcmp(r->valuestring, "true"));
    cJSON_Delete(r);
    return b;
}

static bool condition(cc_template *t, const char *name)
{
    const cJSON *def = get(t->conditions, name);
    if (!def || t->depth > 32)
        return false;
    t->depth++;
    tpl_ctx c = {t, NULL, NULL};
    bool b = truth(&c, def, diag_path_key("Conditions", name));
    t->depth--;
    return b;
}

/* ------------------------------------------------------ the functions */

static cJSON *fn_join(tpl_ctx *c, const cJSON *args, const char *tpath)
{
    const char *delim = text_of(arg(args, 0));
    cJSON *list = tpl_eval(c, arg(args, 1), diag_path_index(tpath, 1), NULL);
    asl_buf out = {0};
    asl_buf_puts(&out, "");
    int i = 0;
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e; e = e->next) {
        const char *s = text_of(e);
        if (i++ && delim)
            asl_buf_puts(&out, delim);
        asl_buf_puts(&out, s ? s : "");
    }
    cJSON *r = cJSON_CreateString(out.p);
    asl_buf_free(&out);
    cJSON_Delete(list);
    return r;
}

static cJSON *fn_select(tpl_ctx *c, const cJSON *args, const char *tpath)
{
    cJSON *index = tpl_eval(c, arg(args, 0), diag_path_index(tpath, 0), NULL);
    cJSON *list = tpl_eval(c, arg(args, 1), diag_path_index(tpath, 1), NULL);
    const char *is = text_of(index);
    cJSON *e = is && cJSON_IsArray(list) ? cJSON_DetachItemFromArray(list, atoi(is)) : NULL;
    cJSON_Delete(index);
    cJSON_Delete(list);
    return e ? e : unresolved("Fn::Select");
}

static cJSON *fn_split(tpl_ctx *c, const cJSON *args, const char *tpath)
{
    const char *delim = text_of(arg(args, 0));
    const char *s = tpl_string(c, arg(args, 1), diag_path_index(tpath, 1));
    if (!delim || !*delim || !s)
        return unresolved("Fn::Split");
    cJSON *a = cJSON_CreateArray();
    for (;;) {
        const char *d = strstr(s, delim);
        cJSON_AddItemToArray(a, cJSON_CreateString(d ? cc_strndup(s, (size_t)(d - s)) : s));
        if (!d)
            return a;
        s = d + strlen(delim);
    }
}

static cJSON *fn_find_in_map(tpl_ctx *c, const cJSON *args, const char *tpath)
{
    const cJSON *v = c->t->mappings;
    for (int i = 0; v && i < 3; i++) {
        const char *key = tpl_string(c, arg(args, i), diag_path_index(tpath, i));
        v = key ? get(v, key) : NULL;
    }
    return v ? cJSON_Duplicate(v, 1) : unresolved("Fn::FindInMap");
}

static cJSON *fn_base64(tpl_ctx *c, const cJSON *args, const char *tpath)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = (const unsigned char *)tpl_string(c, args, tpath);
    if (!s)
        return unresolved("Fn::Base64");
    size_t n = strlen((const char *)s);
    char *out = cc_alloc(4 * (n / 3 + 1) + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        *o++ = b64[v >> 18 & 63];
        *o++ = b64[v >> 12 & 63];
        *o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    return cJSON_CreateString(out);
}

static cJSON *fn_getazs(tpl_ctx *c)
{
    cJSON *a = cJSON_CreateArray();
    for (const char *z = "abc"; *z; z++)
        cJSON_AddItemToArray(a, cJSON_CreateString(cc_printf("%s%c", c->t->region, *z)));
    return a;
}

static cJSON *fn_json(tpl_ctx *c, const cJSON *args, const char *tpath, bool length)
{
    cJSON *v = tpl_eval(c, args, tpath, NULL);
    cJSON *r;
    if (length) {
        r = cJSON_CreateNumber(cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        r = cJSON_CreateString(s ? s : "null");
        cJSON_free(s);
    }
    cJSON_Delete(v);
    return r;
}

/* An intrinsic function call {"Fn::X": args} or {"Ref": name}; *is_fn
 * false when the object is not one. */
static cJSON *call(tpl_ctx *c, const cJSON *o, const char *tpath, const char *dpath, bool *is_fn)
{
    const cJSON *k = o->child;
    *is_fn = k && !k->next && (!strcmp(k->string, "Ref") || !strncmp(k->string, "Fn::", 4));
    if (!*is_fn)
        return NULL;
    const char *fn = k->string, *kp = diag_path_key(tpath, fn);
    tpl_ctx plain = {c->t, NULL, c->vars};
    if (!strcmp(fn, "Ref"))
        return cJSON_IsString(k) ? tpl_ref(c->t, k->valuestring) : unresolved("Ref");
    if (!strcmp(fn, "Fn::GetAtt")) {
        const char *id = text_of(arg(k, 0)), *attr = tpl_string(&plain, arg(k, 1), diag_path_index(kp, 1));
        if (cJSON_IsString(k) && strchr(k->valuestring, '.'))   /* "A.B" */
            id = cc_strndup(k->valuestring, strcspn(k->valuestring, ".")), attr = strchr(k->valuestring, '.') + 1;
        return id && attr ? getatt(c->t, id, attr) : unresolved("Fn::GetAtt");
    }
    if (!strcmp(fn, "Fn::Sub"))
        return fn_sub(c, k, kp);
    if (!strcmp(fn, "Fn::Join"))
        return fn_join(&plain, k, kp);
    if (!strcmp(fn, "Fn::Select"))
        return fn_select(&plain, k, kp);
    if (!strcmp(fn, "Fn::Split"))
        return fn_split(&plain, k, kp);
    if (!strcmp(fn, "Fn::FindInMap"))
        return fn_find_in_map(&plain, k, kp);
    if (!strcmp(fn, "Fn::Base64"))
        return fn_base64(&plain, k, kp);
    if (!strcmp(fn, "Fn::GetAZs"))
        return fn_getazs(c);
    if (!strcmp(fn, "Fn::ToJsonString") || !strcmp(fn, "Fn::Length"))
        return fn_json(&plain, k, kp, fn[4] == 'L');
    if (!strcmp(fn, "Fn::If")) {
        const cJSON *name = arg(k, 0);
        int pick = cJSON_IsString(name) && condition(c->t, name->valuestring) ? 1 : 2;
        /* The branch taken keeps its positions in the definition. */
        return tpl_eval(c, arg(k, pick), diag_path_index(kp, pick), dpath);
    }
    if (!strcmp(fn, "Fn::Equals") || !strcmp(fn, "Fn::And") || !strcmp(fn, "Fn::Or") || !strcmp(fn, "Fn::Not"))
        return cJSON_CreateBool(truth(&plain, o, tpath));
    diag_warning(c->t->doc, kp, "%s cannot be resolved locally: the value is left as ${%s}", fn, fn);
    return unresolved(fn);
}

/* --------------------------------------------------------------- eval */

static int position(const cc_template *t, const char *tpath, int *col)
{
    int line;
    load_position(t->doc, tpath, &line, col);
    return line;
}

static void note(tpl_ctx *c, const char *dpath, const char *tpath)
{
    int col, line = position(c->t, tpath, &col);
    if (c->out && line)
        load_note(c->out, dpath, line, col);
}

cJSON *tpl_eval(tpl_ctx *c, const cJSON *v, const char *tpath, const char *dpath)
{
    if (!v)
        return cJSON_CreateNull();
    if (cJSON_IsObject(v)) {
        bool is_fn;
        cJSON *r = call(c, v, tpath, dpath, &is_fn);
        if (is_fn)
            return r;
        cJSON *o = cJSON_CreateObject();
        for (const cJSON *m = v->child; m; m = m->next) {
            const char *tp = diag_path_key(tpath, m->string), *dp = dpath ? diag_path_key(dpath, m->string) : NULL;
            cJSON *x = tpl_eval(c, m, tp, dp);
            if (!x)
                continue;
            if (dp)
                note(c, dp, tp);
            cJSON_AddItemToObject(o, m->string, x);
        }
        return o;
    }
    if (cJSON_IsArray(v)) {
        cJSON *a = cJSON_CreateArray();
        int i = 0, j = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            const char *tp = diag_path_index(tpath, i), *dp = dpath ? diag_path_index(dpath, j) : NULL;
            cJSON *x = tpl_eval(c, e, tp, dp);
            if (!x)
                continue;
            if (dp)
                note(c, dp, tp);
            cJSON_AddItemToArray(a, x);
            j++;
        }
        return a;
    }
    return cJSON_Duplicate(v, 0);
}
