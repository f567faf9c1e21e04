/*
 * fuzz_definition.c: the definition pipeline on arbitrary text: load (the
 * strict JSON scanner, cJSON), model and check every field, and when the
 * definition is valid, lower it to C. Diagnostics go to a sink that drops
 * them. Seeds: every definition under tests/.
 */
#include "aslc.h"
#include "common.h"

static void drop(void *ud, const diag_item *d)
{
    (void)ud, (void)d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    cc_opts o = {.main_file = "fuzz.asl.json", .main_text = text, .main_len = size, .main_name = "fuzz",
                 .lenient = true};
    diag_reset();
    diag_set_sink(drop, NULL);
    cc_unit u;
    int status = 0;
    if (unit_load(&u, &o, &status))
        free(lower_unit(&u, false));
    unit_free(&u);
    diag_set_sink(NULL, NULL);
    cc_free_all();
    free(text);
    return 0;
}
