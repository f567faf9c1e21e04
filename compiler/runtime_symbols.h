/*
 * runtime_symbols.h: the runtime functions generated code may call, handed
 * to libtcc by name. Keep in step with the function declarations of asl.h.
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
    SYM(asl_send_task_heartbeat),
};
#undef SYM

#endif
