/*
 * aslc.h: the compiler's one internal header, a section per source file.
 *
 * Pipeline (main.c): load (read and parse every definition, remember where
 * each key stands) -> model (check fields, build asl_node trees and state
 * descriptors, report every problem) -> lower (write C) -> emit (cc) or jit
 * (libtcc).
 */
#ifndef ASLC_H
#define ASLC_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "asl_gen.h"
#include "internal.h"

/* ------------------------------------------------------------ alloc.c */

/* Every compiler allocation lives until cc_free_all(), so parsers can build
 * trees without tracking ownership. cc_alloc returns zeroed memory and
 * never returns NULL (it exits on exhaustion). */
void *cc_alloc(size_t n);
/* Appends s to the list of *n strings (cc_alloc'd, grown as needed). */
void cc_push(const char ***list, int *n, const char *s);
char *cc_strdup(const char *s);
char *cc_strndup(const char *s, size_t n);
char *cc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cc_free_all(void);

/* ----------------------------------------------------------- strmap.c */

/* Strings (borrowed) to ints; zero-initialised is empty. */
typedef struct cc_strmap {
    const char **keys;
    int *vals;
    size_t cap, used;
} cc_strmap;

/* The value of key, or -1 when absent. */
int cc_strmap_get(const cc_strmap *m, const char *key);
/* The value slot of key; a new key (*added set) gets value. */
int *cc_strmap_put(cc_strmap *m, const char *key, int value, bool *added);

asl_node *node_new(asl_node_kind kind);
/* Appends a copy of *kid to parent's kids. */
void node_push(asl_node *parent, const asl_node *kid);
/* A node for a JSON value (a plain literal, flags ASL_F_CONST). */
asl_node *node_from_json(const cJSON *v);
/* Sets an array's or object's num to the size bound of its literal parts
 * (asl_gen.h: ASL_BOUND_*). */
void node_literal_bound(asl_node *n);

/* ------------------------------------------------------------- load.c */

/* A loaded definition file: its text, parsed JSON, and the position of
 * every key, found by scanning the text once. */
typedef struct cc_src {
    const char *file;
    char *text;
    cJSON *root;
    struct cc_pos *pos;  /* key positions, sorted by path */
    int npos;
    /* For text embedded in another file (a template's DefinitionString):
     * where it starts there (line0 0 for a file of its own). */
    int line0, col0, indent0;
} cc_src;

/* Loads and parses a file; on failure reports the error (with line:col for
 * invalid JSON) and returns NULL. */
cc_src *load_file(const char *file);
/* Line and column of the key at a dotted path (0 when unknown). */
void load_position(const cc_src *src, const char *path, int *line, int *col);
void load_free(cc_src *src);
/* The whole file, NUL-terminated, malloc'd; NULL after reporting. */
char *load_read(const char *file, size_t *len);
/* Parses text (malloc'd, taken) as a JSON definition named file; with at,
 * positions count from at's line0/col0/indent0 (see cc_src). */
cc_src *load_text(const char *file, char *text, size_t len, const cc_src *at);
/* A definition built in memory (from YAML, or a template's Definition):
 * takes text (may be NULL) and root; positions are noted one by one, then
 * indexed once. */
cc_src *load_tree(const char *file, char *text, cJSON *root);
void load_note(cc_src *src, const char *path, int line, int col);
void load_index(cc_src *src);

/* ------------------------------------------------------------- diag.c */

/* Diagnostics: `FILE[:LINE:COL]: error: PATH: message` on stderr. path is a
 * dotted field path (States.Route.Choices[2].Next) or NULL. */
void diag_error(const cc_src *src, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(const cc_src *src, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_note(const cc_src *src, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int diag_error_count(void);

/* One diagnostic in parts (line 0 when unknown, path may be NULL). */
typedef struct diag_item {
    const char *file;
    int line, col;
    const char *severity;   /* "error", "warning", "note" */
    const char *path;
    const char *message;
} diag_item;
typedef void (*diag_sink_fn)(void *ud, const diag_item *d);
/* Sends every diagnostic to fn instead of stderr (NULL: stderr again). */
void diag_set_sink(diag_sink_fn fn, void *ud);
/* Starts counting errors again (a new compile in the same process). */
void diag_reset(void);
/* Appends a key to a dotted path: .Name, or ."odd name" when the key is not
 * identifier-like. Returns a cc_alloc'd string. */
char *diag_path_key(const char *path, const char *key);
char *diag_path_index(const char *path, int index);
/* s as a JSON string literal (cc_alloc'd), for user values in messages. */
char *diag_quote(const char *s);
/* aslc check: codes prints AWS's code after each message; json keeps the
 * diagnostics for diag_print_json (stdout; returns an exit status). */
void diag_set_format(bool codes, bool json);
int diag_print_json(void);

/* ------------------------------------------------------- diag_code.c */

/* The ValidateStateMachineDefinition code of a diagnostic (ASLC_... for
 * what only aslc checks), and its location as AWS writes it. */
const char *diag_code(const char *path, const char *msg);
char *diag_location(const char *path);

/* ---------------------------------------------------- path_parse.c */

/* Parses a JSONPath ($, $$, $var, @ roots; dot and bracket names, indexes,
 * slices, wildcards, .., unions, filters). Returns an ASL_N_PATH node
 * (flags ASL_F_DEFINITE for a reference path) or NULL with *msg set to a
 * message saying what is wrong and where. */
asl_node *parse_path(const char *text, char **msg);

/* ----------------------------------------------- intrinsic_parse.c */

/* Parses the value of a "key.$" field: a path, or an intrinsic function
 * call (States.Format('{}', $.x), nested calls, escapes). Returns an
 * ASL_N_PATH or ASL_N_CALL node, or NULL with *msg set. */
asl_node *parse_dynamic(const char *text, char **msg);

/* -------------------------------------------------- choice_parse.c */

/* Builds a Choice rule (top-level choice rule when top is true: it may have
 * Next and Assign, which the caller reads) from its JSON at path, reporting
 * every problem with diag_error. Returns NULL if it had errors. */
asl_node *parse_rule(const cc_src *src, const char *path, const cJSON *rule, bool top);

/* ------------------------------------------------------------ model.c */

/* A machine being compiled: where it came from and what it became. */
typedef struct cc_machine {
    cc_src *src;
    asl_machine m;          /* name, arn, graph (fns NULL until lowered) */
} cc_machine;

/* What a compile is given: the main definition, nested machines and task
 * handlers (from flags and the project file). */
typedef struct cc_unit {
    cc_machine *machines;   /* [0] is the main machine */
    int nmachines;
    const char **task_files;  /* C handler files (--tasks) */
    int ntask_files;
    asl_binding *bindings;  /* resources the task files serve (fn NULL here) */
    const char **binding_fns; /* the C function of each binding */
    bool *binding_json;       /* whether it is an ASL_HANDLER_JSON */
    int nbindings;
    const char **lambdas;   /* --lambda NAME=COMMAND given at compile time */
    int nlambdas;
} cc_unit;

/* Builds machine mc (its src loaded) into state descriptors, reporting
 * every problem. Returns false if there were errors. */
bool model_machine(cc_unit *u, cc_machine *mc);
/* The machine for an ARN or name, or NULL. */
const cc_machine *model_find_machine(const cc_unit *u, const char *arn);

/* ------------------------------------------------------------- unit.c */

/* What the command line says about a compile. */
typedef struct cc_opts {
    const char *main_file;
    const char **machines;  /* "ARN_OR_NAME=FILE" */
    int nmachines;
    const char **tasks;     /* C handler files */
    int ntasks;
    const char **lambdas;   /* "NAME=COMMAND" */
    int nlambdas;
    bool draw_only;         /* aslc graph and report: a Task needs no handler */
    const char *state_machine; /* --state-machine LOGICAL_ID, in a template */
    const char **subs;      /* --sub KEY=VALUE */
    int nsubs;
    const char **params;    /* --parameter NAME=VALUE */
    int nparams;
    bool every_machine;     /* check: a template's machines all, none picked */
    bool lint;              /* check: the definition alone (no handlers needed,
                               an unknown child machine is a warning) */
    bool check_files;       /* check: python:/node: handler files exist */
    const char *type;       /* --type STANDARD|EXPRESS for the main machine (NULL: the template's, else STANDARD) */
    /* A definition given as text (aslc serve): main_file only names it in
     * messages, and no project file is read. */
    const char *main_text;
    size_t main_len;
    const char *main_name;  /* the main machine's name (NULL: from main_file) */
    /* Leave to run time what a server cannot know when a definition comes:
     * nested machines created later, tasks that no handler serves. */
    bool lenient;
} cc_opts;

/* Loads the main definition, the project file next to it (aslc.json), the
 * nested machines its tasks start and the handler files; checks it all.
 * Returns false after reporting errors (exit 65, or 66 when a file could
 * not be opened: *status says which). */
bool unit_load(cc_unit *u, const cc_opts *o, int *status);
void unit_free(cc_unit *u);

/* ------------------------------------- yaml.c, template.c, template_fn.c */

/* A YAML file as a cc_src (tree and positions); NULL after reporting. */
cc_src *yaml_load(const char *file);

/* SAM / CloudFormation / CDK templates (template.c has the details). */
typedef struct cc_template cc_template;
/* A definition or template file: YAML for .yaml/.yml, else JSON. */
cc_src *template_read(const char *file);
/* Whether a loaded file is a template (it has Resources). */
bool template_is(const cc_src *doc);
/* The template's state machines (takes doc); NULL after reporting. */
cc_template *template_open(cc_src *doc, const cc_opts *o);
int template_count(const cc_template *t);
const char *template_name(const cc_template *t, int i);
const char *template_arn(const cc_template *t, int i);
/* Whether machine i is EXPRESS (SAM's Type, CloudFormation's StateMachineType). */
bool template_express(const cc_template *t, int i);
/* The machine a logical ID (or name) picks; without one the only machine,
 * or the first when first_ok. -1 after reporting. */
int template_pick(const cc_template *t, const char *id, bool first_ok);
/* Machine i's definition, substitutions done; NULL after reporting, with
 * *status 65, or 66 when its file cannot be opened. */
cc_src *template_definition(cc_template *t, int i, int *status);
void template_free(cc_template *t);
/* NAME=COMMAND for each SAM function the template runs itself (Python or
 * Node.js, CodeUri and Handler): --lambda NAME=python:CodeUri/mod.py:fn. */
const char **template_lambdas(cc_template *t, int *n);

/* ------------------------------------------------------------ lower.c */

/* Writes the C program for the unit. With main_fn, it has a main(). */
char *lower_unit(const cc_unit *u, bool main_fn);
/* s as a C string literal (NULL: 0); anything but printable ASCII as an
 * octal escape, '?' escaped so that no trigraph forms. */
void lower_c_string(asl_buf *b, const char *s);

/* -------------------------------------------------------------- build.c */

/* AOT: compiles the generated C (and task files) with the system cc into
 * an executable; with s3_client it also links the S3 API client
 * (libaslrt_s3.a, libcurl, libxml2) for --s3-endpoint, with with_report
 * the report writer (libaslreport.a). Returns an exit status. */
int build_native(const cc_unit *u, const char *c_text, const char *out, bool s3_client, bool with_report);
/* JIT: compiles the C in memory with libtcc and runs asl_main with args. */
int jit_run(const cc_unit *u, const char *c_text, int argc, char **argv);
/* JIT for a program that keeps what it compiles (aslc serve): the compiled
 * program, alive until jit_release(*state); NULL after reporting on stderr. */
const asl_program *jit_load(const cc_unit *u, const char *c_text, void **state);
void jit_release(void *state);

/* The text of asl.h and asl_gen.h, embedded at build time (asl_header.c). */
extern const char aslc_header_text[];
extern const char aslc_gen_header_text[];

#endif
