/*
 * runtime_symbols.h: the runtime functions generated code may call, handed
 * to libtcc by name. Keep in step with the function declarations of asl.h and asl_gen.h.
 */
#ifndef ASLC_RUNTIME_SYMBOLS_H
#define ASLC_RUNTIME_SYMBOLS_H

#include "asl_gen.h"

#define SYM(f) {#f, (const void *)(f)}
static const struct {
    const char *name;
    const void *addr;
} aslc_runtime_symbols[] = {
    SYM(asl_state_pass), SYM(asl_state_task), SYM(asl_state_choice), SYM(asl_state_wait),
    SYM(asl_state_succeed), SYM(asl_state_fail), SYM(asl_state_parallel), SYM(asl_state_map),
    SYM(asl_main), SYM(asl_task_succeed), SYM(asl_task_fail), SYM(asl_task_token),
    SYM(asl_task_resource), SYM(asl_send_task_success), SYM(asl_send_task_failure),
    SYM(asl_send_task_heartbeat), SYM(asl_task_succeed_json), SYM(asl_send_task_success_json),
    /* Choice rules written as C */
    SYM(asl_choice_begin), SYM(asl_peek), SYM(asl_peek_key), SYM(asl_present), SYM(asl_choice_walk),
    SYM(asl_choose), SYM(asl_string_compare), SYM(asl_string_matches), SYM(asl_timestamp),
    /* Parameters written as C */
    SYM(asl_tmpl_begin), SYM(asl_tmpl_path), SYM(asl_tmpl_context), SYM(asl_tmpl_math_add), SYM(asl_tmpl_call),
    SYM(asl_tmpl_value), SYM(asl_tmpl_literal), SYM(asl_tmpl_pass), SYM(asl_tmpl_take), SYM(asl_tmpl_open),
    SYM(asl_tmpl_close),
};
#undef SYM

#endif
