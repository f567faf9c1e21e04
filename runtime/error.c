/*
 * error.c: ASL error values (a name and a cause), the currency of every
 * failure inside an execution.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int asl_err_set(asl_err *e, const char *error, const char *fmt, ...)
{
    asl_err_clear(e);
    e->error = dup_or_null(error);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        e->cause = malloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(e->cause, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void asl_err_clear(asl_err *e)
{
    free(e->error);
    free(e->cause);
    e->error = e->cause = NULL;
}

void asl_err_move(asl_err *dst, asl_err *src)
{
    asl_err_clear(dst);
    *dst = *src;
    src->error = src->cause = NULL;
}
