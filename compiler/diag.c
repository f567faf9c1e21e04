/*
 * diag.c: compiler diagnostics, one per line on stderr:
 *
 *     FILE[:LINE:COL]: SEVERITY: PATH: message
 *
 * PATH is a dotted field path (States.Route.Choices[2].Next); LINE:COL comes
 * from load.c's key-position table and is left out when the path is unknown.
 * Every diagnostic stays on one line whatever the definition holds: control
 * characters in the file name, the path or the message are printed as JSON
 * escapes. Errors are counted; after MAX_ERRORS of them one "too many errors"
 * line is printed and everything after it is suppressed (still counted), so a
 * badly broken file does not bury the first, most useful, errors.
 *
 * A program that compiles more than once (aslc serve) sets a sink instead:
 * each diagnostic goes to it as parts, and diag_reset starts a new count.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc.h"

enum { MAX_ERRORS = 20 };

static int nerrors;
static bool stopped;    /* the cap was hit: print nothing more */
static bool with_codes; /* aslc check: AWS's code after each message */
static cJSON *kept;     /* aslc check --format json: the diagnostics, printed at the end */
static diag_sink_fn sink;
static void *sink_ud;

void diag_set_sink(diag_sink_fn fn, void *ud)
{
    sink = fn;
    sink_ud = ud;
}

void diag_reset(void)
{
    nerrors = 0;
    stopped = false;
}

/* The JSON escape for byte c, or NULL when c needs none. buf holds the
 * \u00XX form. DEL is escaped too: it is invisible on a terminal. */
static const char *escape_of(unsigned char c, char buf[8])
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: break;
    }
    if (c < 0x20 || c == 0x7f) {
        snprintf(buf, 8, "\\u%04x", c);
        return buf;
    }
    return NULL;
}

/* Writes s with control characters escaped (quotes and backslashes are
 * left alone: they cannot break a line, and messages quote values
 * themselves). */
static void put_line_safe(const char *s)
{
    char buf[8];
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        const char *e = c < 0x20 || c == 0x7f ? escape_of(c, buf) : NULL;
        if (e)
            fputs(e, stderr);
        else
            fputc(c, stderr);
    }
}

/* vsnprintf into a malloc'd string; NULL only when out of memory. */
static char *format(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static const char *file_of(const cc_src *src)
{
    return src && src->file ? src->file : "aslc";
}

/* One diagnostic as an element of --format json's list; a note goes
 * with the diagnostic before it. */
static void keep(const cc_src *src, const char *path, const char *severity, const char *msg, int line, int col)
{
    cJSON *d = cJSON_CreateObject();
    if (strcmp(severity, "note")) {
        cJSON_AddStringToObject(d, "severity", severity[0] == 'e' ? "ERROR" : "WARNING");
        cJSON_AddStringToObject(d, "code", diag_code(path, msg));
    }
    cJSON_AddStringToObject(d, "message", msg);
    if (path && *path)
        cJSON_AddStringToObject(d, "location", diag_location(path));
    cJSON_AddStringToObject(d, "file", file_of(src));
    if (line > 0) {
        cJSON_AddNumberToObject(d, "line", line);
        cJSON_AddNumberToObject(d, "column", col);
    }
    cJSON *last = cJSON_GetArrayItem(kept, cJSON_GetArraySize(kept) - 1);
    if (!strcmp(severity, "note") && last) {
        cJSON *notes = cJSON_GetObjectItemCaseSensitive(last, "notes");
        if (!notes)
            notes = cJSON_AddArrayToObject(last, "notes");
        cJSON_AddItemToArray(notes, d);
    } else {
        cJSON_AddItemToArray(kept, d);
    }
}

void diag_set_format(bool codes, bool json)
{
    with_codes = codes;
    if (json && !kept)
        kept = cJSON_CreateArray();
}

int diag_print_json(void)
{
    if (!kept)
        return 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "result", nerrors ? "FAIL" : "OK");
    cJSON_AddItemToObject(o, "diagnostics", kept);
    kept = NULL;
    char *text = cJSON_Print(o);
    int rc = text && puts(text) >= 0 && fflush(stdout) == 0 ? 0 : 74;
    cJSON_free(text);
    cJSON_Delete(o);
    return rc;
}

static void report(const cc_src *src, const char *path, const char *severity,
                   const char *fmt, va_list ap)
{
    int line = 0, col = 0;
    if (src && path)
        load_position(src, path, &line, &col);
    char *msg = format(fmt, ap);
    if (sink) {
        sink(sink_ud, &(diag_item){file_of(src), line, col, severity, path, msg ? msg : fmt});
        free(msg);
        return;
    }
    if (kept) {
        keep(src, path, severity, msg ? msg : fmt, line, col);
        free(msg);
        return;
    }
    put_line_safe(file_of(src));
    if (line > 0)
        fprintf(stderr, ":%d:%d", line, col);
    fprintf(stderr, ": %s: ", severity);
    if (path && *path) {
        put_line_safe(path);
        fputs(": ", stderr);
    }
    put_line_safe(msg ? msg : fmt);
    if (with_codes && strcmp(severity, "note"))
        fprintf(stderr, " [%s]", diag_code(path, msg ? msg : fmt));
    fputc('\n', stderr);
    free(msg);
}

void diag_error(const cc_src *src, const char *path, const char *fmt, ...)
{
    nerrors++;
    if (nerrors > MAX_ERRORS && !stopped && !kept) {
        stopped = true;
        if (sink) {
            sink(sink_ud, &(diag_item){file_of(src), 0, 0, "error", NULL, "too many errors, stopping"});
        } else {
            put_line_safe(file_of(src));
            fputs(": error: too many errors, stopping\n", stderr);
        }
    }
    if (stopped)
        return;
    va_list ap;
    va_start(ap, fmt);
    report(src, path, "error", fmt, ap);
    va_end(ap);
}

void diag_warning(const cc_src *src, const char *path, const char *fmt, ...)
{
    if (stopped)
        return;
    va_list ap;
    va_start(ap, fmt);
    report(src, path, "warning", fmt, ap);
    va_end(ap);
}

void diag_note(const cc_src *src, const char *path, const char *fmt, ...)
{
    if (stopped)
        return;
    va_list ap;
    va_start(ap, fmt);
    report(src, path, "note", fmt, ap);
    va_end(ap);
}

int diag_error_count(void)
{
    return nerrors;
}

/* [A-Za-z_][A-Za-z0-9_]*: such keys need no quotes in a path. */
static bool is_identifier(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* s as a JSON string literal, cc_alloc'd. Bytes >= 0x80 are kept as they
 * are, so any Unicode name stays readable. */
char *diag_quote(const char *s)
{
    char buf[8];
    size_t n = 2;
    for (const char *p = s; *p; p++) {
        const char *e = escape_of((unsigned char)*p, buf);
        n += e ? strlen(e) : 1;
    }
    char *out = cc_alloc(n + 1), *o = out;
    *o++ = '"';
    for (const char *p = s; *p; p++) {
        const char *e = escape_of((unsigned char)*p, buf);
        if (e) {
            size_t k = strlen(e);
            memcpy(o, e, k);
            o += k;
        } else {
            *o++ = *p;
        }
    }
    *o = '"';
    return out;
}

char *diag_path_key(const char *path, const char *key)
{
    const char *seg = is_identifier(key) ? key : diag_quote(key);
    if (!path || !*path)
        return seg == key ? cc_strdup(key) : (char *)seg;
    return cc_printf("%s.%s", path, seg);
}

char *diag_path_index(const char *path, int index)
{
    return cc_printf("%s[%d]", path ? path : "", index);
}
