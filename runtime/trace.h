/*
 * trace.h: --trace, a live line on stderr for every state entered and
 * left, read from the engine's event stream (asl_engine_observe).
 */
#ifndef ASL_TRACE_H
#define ASL_TRACE_H

#include <stdio.h>

#include "asl_engine.h"

typedef struct asl_trace asl_trace;

/* Starts tracing e's executions to out: JSON lines (json) or text,
 * coloured when colour is set. */
asl_trace *asl_trace_start(asl_engine *e, FILE *out, bool json, bool colour);
/* Stops and frees (before the engine is freed). */
void asl_trace_stop(asl_engine *e, asl_trace *t);

#endif
