/*
 * bench.c: --bench N. Placeholder until the benchmark mode lands.
 */
#include <stdio.h>

#include "cli.h"

int asl_bench(const asl_program *p, const asl_cli *o)
{
    (void)p;
    fprintf(stderr, "%s: --bench is not implemented yet\n", o->prog);
    return 64;
}
