/*
 * model_dmap.c: a Distributed Map's fields. ProcessorConfig says the mode
 * (INLINE or DISTRIBUTED) and the children's ExecutionType; ItemReader,
 * ItemBatcher and ResultWriter are objects whose values may come from the
 * state's input, so each becomes one payload template that the runtime
 * evaluates when the state starts (runtime/dmap.c reads the result). In a
 * JSONPath state their *Path fields (MaxItemsPath, MaxItemsPerBatchPath,
 * MaxInputBytesPerBatchPath) are written as the equivalent .$ field of the
 * template, so no path is parsed at run time; in a JSONata state the
 * objects are JSONata templates ("{% %}" strings) as Arguments are.
 */
#include <string.h>

#include "model.h"

static bool is_one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

/* A string field that must be one of a list of words. */
static void check_word(mctx *c, const cJSON *o, const char *path, const char *key, const char *const *words)
{
    const cJSON *v = get(o, key);
    if (!v || (!cJSON_IsString(v) && c->jsonata))
        return;
    if (!cJSON_IsString(v) || !is_one_of(v->valuestring, words)) {
        const char *list = "";
        for (const char *const *w = words; *w; w++)
            list = cc_printf("%s%s\"%s\"", list, *list ? ", " : "", *w);
        diag_error(c->src, diag_path_key(path, key), "expected one of %s, got %s", list, model_got(v));
    }
}

/* The object at key, or NULL (reporting anything else). */
static const cJSON *object_field(mctx *c, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = get(o, key);
    if (v && !cJSON_IsObject(v)) {
        diag_error(c->src, diag_path_key(path, key), "expected an object, got %s", model_got(v));
        return NULL;
    }
    return v;
}

/* A copy of o whose fields named in paths ("MaxItemsPath") are renamed
 * to their template form ("MaxItems.$"); both may not be given. */
static cJSON *with_paths(mctx *c, const cJSON *o, const char *path, const char *const *paths)
{
    cJSON *copy = cJSON_Duplicate(o, 1);
    for (const char *const *p = paths; *p; p++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(copy, *p);
        if (!v)
            continue;
        const char *plain = cc_strndup(*p, strlen(*p) - 4);
        if (get(o, plain)) {
            diag_error(c->src, diag_path_key(path, *p), "%s and %s cannot both be set", plain, *p);
            cJSON_Delete(cJSON_DetachItemViaPointer(copy, v));
            continue;
        }
        if (!cJSON_IsString(v) || v->valuestring[0] != '$')
            diag_error(c->src, diag_path_key(path, *p), "expected a path, got %s", model_got(v));
        cJSON_AddItemToObject(copy, cc_printf("%s.$", plain), cJSON_DetachItemViaPointer(copy, v));
    }
    return copy;
}

/* The template of a field (JSONata: as Arguments are; JSONPath: with the
 * *Path fields of its parts renamed). */
static const asl_node *field_template(mctx *c, const cJSON *o, const char *path, const char *key,
                                      const char *part, const char *const *paths)
{
    const cJSON *v = get(o, key);
    if (c->jsonata)
        return model_jn_field(c, o, path, key, JN_ALLOW_IN);
    const char *fp = diag_path_key(path, key);
    cJSON *copy = with_paths(c, v, fp, paths);
    if (part) {
        cJSON *inner = cJSON_GetObjectItemCaseSensitive(copy, part);
        if (cJSON_IsObject(inner)) {
            cJSON *renamed = with_paths(c, inner, diag_path_key(fp, part), paths);
            cJSON_ReplaceItemViaPointer(copy, inner, renamed);
        }
    }
    const asl_node *n = model_template(c, copy, fp);
    cJSON_Delete(copy);
    return n;
}

static void item_reader(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    static const char *const keys[] = {"Resource", "ReaderConfig", "Parameters", "Arguments", NULL};
    static const char *const types[] = {"CSV", "JSON", "JSONL", "MANIFEST", NULL};
    static const char *const locations[] = {"FIRST_ROW", "GIVEN", NULL};
    static const char *const delimiters[] = {"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB", NULL};
    static const char *const paths[] = {"MaxItemsPath", NULL};
    const cJSON *r = object_field(c, o, path, "ItemReader");
    if (!r)
        return;
    const char *rp = diag_path_key(path, "ItemReader");
    model_check_keys(c, r, rp, keys);
    const char *res = model_string_field(c, r, rp, "Resource", true);
    if (res && strcmp(res, "arn:aws:states:::s3:getObject") && strcmp(res, "arn:aws:states:::s3:listObjectsV2"))
        diag_error(c->src, diag_path_key(rp, "Resource"),
                   "expected \"arn:aws:states:::s3:getObject\" or \"arn:aws:states:::s3:listObjectsV2\", got %s",
                   diag_quote(res));
    const cJSON *cfg = object_field(c, r, rp, "ReaderConfig");
    const char *cp = diag_path_key(rp, "ReaderConfig");
    if (cfg) {
        static const char *const ckeys[] = {"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter",
                                            "MaxItems", "MaxItemsPath", NULL};
        model_check_keys(c, cfg, cp, ckeys);
        check_word(c, cfg, cp, "InputType", types);
        check_word(c, cfg, cp, "CSVHeaderLocation", locations);
        check_word(c, cfg, cp, "CSVDelimiter", delimiters);
        const cJSON *loc = get(cfg, "CSVHeaderLocation");
        if (cJSON_IsString(loc) && !strcmp(loc->valuestring, "GIVEN") && !cJSON_IsArray(get(cfg, "CSVHeaders")))
            diag_error(c->src, cp, "CSVHeaderLocation GIVEN needs CSVHeaders, an array of column names");
    }
    if (res && !strcmp(res, "arn:aws:states:::s3:getObject") && (!cfg || !get(cfg, "InputType")))
        diag_error(c->src, rp, "ReaderConfig.InputType is required with arn:aws:states:::s3:getObject");
    s->item_reader = field_template(c, o, path, "ItemReader", "ReaderConfig", paths);
}

static void item_batcher(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    static const char *const keys[] = {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                                       "MaxInputBytesPerBatchPath", "BatchInput", NULL};
    static const char *const paths[] = {"MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath", NULL};
    const cJSON *b = object_field(c, o, path, "ItemBatcher");
    if (!b)
        return;
    const char *bp = diag_path_key(path, "ItemBatcher");
    model_check_keys(c, b, bp, keys);
    bool any = false;
    for (int i = 0; i < 4; i++)
        any |= get(b, keys[i]) != NULL;
    if (!any)
        diag_error(c->src, bp, "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path forms)");
    s->item_batcher = field_template(c, o, path, "ItemBatcher", NULL, paths);
}

static void result_writer(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    static const char *const keys[] = {"Resource", "Parameters", "Arguments", "WriterConfig", NULL};
    static const char *const outputs[] = {"JSON", "JSONL", NULL};
    static const char *const transforms[] = {"NONE", "COMPACT", "FLATTEN", NULL};
    static const char *const none[] = {NULL};
    const cJSON *w = object_field(c, o, path, "ResultWriter");
    if (!w)
        return;
    const char *wp = diag_path_key(path, "ResultWriter");
    model_check_keys(c, w, wp, keys);
    const char *res = model_string_field(c, w, wp, "Resource", false);
    if (res && strcmp(res, "arn:aws:states:::s3:putObject"))
        diag_error(c->src, diag_path_key(wp, "Resource"), "expected \"arn:aws:states:::s3:putObject\", got %s",
                   diag_quote(res));
    const char *args = c->jsonata ? "Arguments" : "Parameters";
    if (!get(w, "WriterConfig") && (!res || !get(w, args)))
        diag_error(c->src, wp, "ResultWriter needs Resource and %s, WriterConfig, or all three", args);
    else if ((res != NULL) != (get(w, args) != NULL))
        diag_error(c->src, wp, "ResultWriter's Resource and %s go together", args);
    const cJSON *cfg = object_field(c, w, wp, "WriterConfig");
    if (cfg) {
        const char *cp = diag_path_key(wp, "WriterConfig");
        static const char *const ckeys[] = {"OutputType", "Transformation", NULL};
        model_check_keys(c, cfg, cp, ckeys);
        check_word(c, cfg, cp, "OutputType", outputs);
        check_word(c, cfg, cp, "Transformation", transforms);
    }
    s->result_writer = field_template(c, o, path, "ResultWriter", NULL, none);
}

void model_dmap_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    const char *key = get(o, "ItemProcessor") ? "ItemProcessor" : "Iterator";
    const cJSON *p = get(o, key);
    const cJSON *cfg = cJSON_IsObject(p) ? get(p, "ProcessorConfig") : NULL;
    const char *cp = diag_path_key(diag_path_key(path, key), "ProcessorConfig");
    const cJSON *mode = cfg ? get(cfg, "Mode") : NULL, *type = cfg ? get(cfg, "ExecutionType") : NULL;
    static const char *const modes[] = {"INLINE", "DISTRIBUTED", NULL}, *const types[] = {"STANDARD", "EXPRESS", NULL};
    if (cfg)
        check_word(c, cfg, cp, "Mode", modes);
    bool distributed = cJSON_IsString(mode) && !strcmp(mode->valuestring, "DISTRIBUTED");
    static const char *const dfields[] = {"ItemReader", "ItemBatcher", "ResultWriter", "Label", NULL};
    for (const char *const *f = dfields; *f; f++)
        if (!distributed && get(o, *f))
            diag_error(c->src, diag_path_key(path, *f), "%s needs a DISTRIBUTED Map (ProcessorConfig.Mode)", *f);
    if (!distributed)
        return;
    if (!type)
        diag_error(c->src, cp, "ExecutionType: required field is missing (STANDARD or EXPRESS)");
    else
        check_word(c, cfg, cp, "ExecutionType", types);
    s->distributed = cJSON_IsString(type) && !strcmp(type->valuestring, "EXPRESS") ? 2 : 1;
    if (c->mc->m.express && s->distributed == 1)
        diag_error(c->src, diag_path_key(cp, "ExecutionType"),
                   "Express state machine does not support Distributed Map with STANDARD child executions");
    s->label = model_string_field(c, o, path, "Label", false);
    if (s->label && (strlen(s->label) > 40 || strpbrk(s->label, " <>{}[]?*\"#%\\^|~`$&,;:/")))
        diag_error(c->src, diag_path_key(path, "Label"),
                   "a Label has at most 40 characters, none of them blanks or <>{}[]?*\"#%%\\^|~`$&,;:/");
    item_reader(c, o, path, s);
    item_batcher(c, o, path, s);
    result_writer(c, o, path, s);
}
