/*
 * common.h: what the fuzz targets share: the input as a NUL-terminated
 * copy, split at its first newline when a target takes two parts.
 */
#ifndef ASLC_FUZZ_COMMON_H
#define ASLC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd, NUL-terminated copy of the input. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Cuts s at its first newline; returns what follows (or "" if none). */
static inline char *fuzz_split(char *s)
{
    char *nl = strchr(s, '\n');
    if (!nl)
        return s + strlen(s);
    *nl = '\0';
    return nl + 1;
}

#endif
