/*
 * template.h: private to template.c (machines and their definitions) and
 * template_fn.c (CloudFormation's intrinsic functions). aslc.h, section
 * template.c, is the public face.
 */
#ifndef ASLC_TEMPLATE_H
#define ASLC_TEMPLATE_H

#include "aslc.h"

/* A state machine resource of the template. */
typedef struct tpl_machine {
    const char *id;        /* logical ID */
    const char *name;      /* StateMachineName / Name, else the logical ID */
    const char *arn;
    const char *path;      /* Resources.ID.Properties */
    bool sam;              /* AWS::Serverless::StateMachine */
} tpl_machine;

struct cc_template {
    cc_src *doc;           /* the template, with positions */
    const cc_opts *o;      /* --sub, --parameter */
    const cJSON *resources, *parameters, *conditions, *mappings;
    tpl_machine *machines;
    int nmachines;
    const char *region, *account, *partition;
    int depth;             /* of Condition references, against cycles */
};

/* Where evaluated values go: a definition being built (out, noting the
 * position of every key) or nowhere (out NULL). vars is Fn::Sub's own map. */
typedef struct tpl_ctx {
    cc_template *t;
    cc_src *out;
    const cJSON *vars;
} tpl_ctx;

/* The value of v (at tpath in the template; dpath in the definition, or
 * NULL) with every intrinsic function applied. Returns a new value, or
 * NULL for AWS::NoValue (the key or element is dropped). What cannot be
 * resolved locally becomes the text ${NAME}, for DefinitionSubstitutions,
 * --sub and the unresolved warning to deal with. */
cJSON *tpl_eval(tpl_ctx *c, const cJSON *v, const char *tpath, const char *dpath);
/* v evaluated to a string (numbers and booleans as text), or NULL. */
const char *tpl_string(tpl_ctx *c, const cJSON *v, const char *tpath);
/* What Ref of a logical ID or parameter gives (a new value), NULL for
 * AWS::NoValue. */
cJSON *tpl_ref(cc_template *t, const char *name);
/* The value of a template parameter (--parameter, else its Default) or a
 * pseudo parameter, or NULL. */
const char *tpl_parameter(cc_template *t, const char *name);

#endif
