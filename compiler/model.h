/*
 * model.h: private to model.c and model_jsonata.c, the two halves of the
 * model pass (aslc.h, section model.c, is its public face). model.c checks
 * the JSONPath side and the common fields and hands JSONata states to
 * model_jsonata.c; each uses a few helpers of the other, declared here.
 */
#ifndef ASLC_MODEL_H
#define ASLC_MODEL_H

#include "aslc.h"
#include "jsonata_fields.h"

typedef struct mctx {
    cc_unit *u;
    cc_machine *mc;
    const cc_src *src;
    bool jsonata;   /* the query language states of the current graph default to */
    bool top_jsonata; /* the machine says JSONata: no JSONPath anywhere in it */
    cc_strmap *state_names; /* the current graph's state indices by name */
    const char **jn_vars;   /* every variable some Assign of the file sets (model_jsonata.c) */
    int njn_vars;           /* jn_vars NULL: not gathered yet */
} mctx;

static inline const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* model.c: field helpers and the JSONPath-side state fields. */
const char *model_got(const cJSON *v);
const char *model_string_field(mctx *c, const cJSON *o, const char *path, const char *key, bool required);
const cJSON *model_required_array(mctx *c, const cJSON *o, const char *path, const char *key, const char *what);
void model_check_keys(mctx *c, const cJSON *o, const char *path, const char *const *allowed);
/* A "did you mean" note when one of the n candidates is close to name. */
void model_suggest(mctx *c, const char *path, const char *name, const char *const *cand, int n);
void model_parse_resource(mctx *c, asl_state *s, const char *path);
void model_parallel_fields(mctx *c, const cJSON *o, const char *path, asl_state *s);
void model_map_processor(mctx *c, const cJSON *o, const char *path, asl_state *s);
/* A payload template (Parameters' kind) from any JSON value. */
const asl_node *model_template(mctx *c, const cJSON *v, const char *path);

/* model_dmap.c: a Distributed Map's fields (ProcessorConfig, ItemReader,
 * ItemBatcher, ResultWriter, Label), for either query language. */
void model_dmap_fields(mctx *c, const cJSON *o, const char *path, asl_state *s);

/* model_jsonata.c: what each place lets an expression read of $states. */
#define JN_ALLOW_IN (JN_STATES_INPUT | JN_STATES_CONTEXT)
#define JN_ALLOW_OUT (JN_ALLOW_IN | JN_STATES_RESULT)
#define JN_ALLOW_CATCH (JN_ALLOW_IN | JN_STATES_ERROR_OUTPUT)

const asl_node *model_jn_field(mctx *c, const cJSON *o, const char *path, const char *key, unsigned allow);
const asl_node *model_jn_assign(mctx *c, const cJSON *o, const char *path, unsigned allow);
void model_jn_state_fields(mctx *c, const cJSON *o, const char *path, asl_state *s);

#endif
