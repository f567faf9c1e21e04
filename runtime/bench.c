/*
 * bench.c: --bench N [--concurrency C]. Runs N executions of the main
 * machine, C in flight at once, all in this one scheduler, and reports
 * throughput (executions and state transitions per second, child
 * executions' transitions included), latency percentiles and peak RSS.
 * Ended executions are freed as it goes, so memory stays flat. It drives
 * the engine one turn at a time (asl_engine_step), learns of ended
 * executions from the event stream and forgets each after the turn it
 * ended in (asl_engine_forget: O(1)), as any embedder would; an
 * execution's output, which nothing reads here, is dropped when it ends.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "handlers.h"
#include "quotas.h"
#include "history.h"
#include "pool.h"

static struct {
    const asl_program *p;
    asl_engine *engine;
    const cJSON *input;
    size_t input_size;          /* its asl_payload_size, measured once */
    long n, started, done, failed, to_start;
    unsigned long transitions;
    double *latency;            /* seconds, by execution */
    double *start_at;           /* when each execution started, by start order */
    double t0, last_progress;
    asl_exec **ended;           /* ended in this turn: forgotten after it */
    size_t nended, cap_ended;
    bool progress;
    char marker;                /* &marker marks executions we started */
} B;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Why executions failed: a count per error name, and the first cause. */
enum { MAX_REASONS = 16 };
static struct {
    char *error, *cause;
    long count;
} reasons[MAX_REASONS];
static int nreasons;

static void note_failure(const char *error, const char *cause)
{
    error = error ? error : "(no error name)";
    for (int i = 0; i < nreasons; i++) {
        if (!strcmp(reasons[i].error, error)) {
            reasons[i].count++;
            return;
        }
    }
    if (nreasons == MAX_REASONS)
        return;
    reasons[nreasons].error = strdup(error);
    reasons[nreasons].cause = cause ? strdup(cause) : NULL;
    reasons[nreasons++].count = 1;
}

static void report_failures(void)
{
    for (int i = 0; i < nreasons; i++) {
        printf("failed         %ld x %s%s%s\n", reasons[i].count, reasons[i].error, reasons[i].cause ? ": " : "",
               reasons[i].cause ? reasons[i].cause : "");
        free(reasons[i].error);
        free(reasons[i].cause);
    }
    nreasons = 0;
}

/* A duration in the unit that reads best (latencies run from microseconds
 * to hours). */
static const char *duration(double seconds, char *buf, size_t n)
{
    if (seconds < 1e-3)
        snprintf(buf, n, "%.1f us", seconds * 1e6);
    else if (seconds < 1)
        snprintf(buf, n, "%.2f ms", seconds * 1e3);
    else
        snprintf(buf, n, "%.3f s", seconds);
    return buf;
}

static void start_one(void)
{
    asl_err e = {0};
    asl_exec *x = asl_engine_start_shared(B.engine, &B.p->machines[0], NULL, B.input, B.input_size, &e);
    if (!x) {
        note_failure(e.error, e.cause);
        asl_err_clear(&e);
        B.failed++;
        B.done++;
        return;
    }
    /* x->user: 1 + its index in start_at (no allocation per execution) */
    B.start_at[B.started] = mono();
    x->user = (void *)(uintptr_t)(B.started + 1);
    B.started++;
}

static void show_progress(void)
{
    double now = mono();
    if (now - B.last_progress < 0.2)
        return;
    B.last_progress = now;
    int width = 40, filled = (int)(width * B.done / B.n);
    fprintf(stderr, "\r[%.*s%*s] %ld/%ld", filled, "########################################", width - filled, "",
            B.done, B.n);
}

/* An execution ended: the observer sees its last event (and only that). */
static void on_event(void *ud, const asl_event *ev)
{
    asl_exec *x = ev->exec;
    B.transitions += x->transitions;
    if (B.nended == B.cap_ended) {
        B.cap_ended = B.cap_ended ? 2 * B.cap_ended : 1024;
        B.ended = realloc(B.ended, B.cap_ended * sizeof *B.ended);
        if (!B.ended)
            abort();
    }
    B.ended[B.nended++] = x;
    uintptr_t k = (uintptr_t)x->user;
    if (!k)
        return; /* a child execution */
    x->user = NULL;
    B.latency[B.done++] = mono() - B.start_at[k - 1];
    /* Nothing reads the output of an execution the bench started (it has
     * no parent task nor Map Run to hand it to): it goes now rather than
     * when the turn ends, since a turn may end a million executions that
     * were answered at once. */
    if (!ASL_KIN(x, waiter) && !ASL_KIN(x, dmap)) {
        asl_json_delete(x->output);
        x->output = NULL;
    }
    if (x->status != ASL_SUCCEEDED) {
        note_failure(x->err.error, x->err.cause);
        B.failed++;
    }
    if (B.progress)
        show_progress();
    if (B.started + B.to_start < B.n)
        B.to_start++;
}

/* Runs the engine until every execution ended or waits for what nobody
 * will send; starts a new execution for each one that ended. */
static void drive(void)
{
    asl_engine_wait w;
    for (;;) {
        asl_engine_step(B.engine, &w);
        for (size_t i = 0; i < B.nended; i++)
            asl_engine_forget(B.engine, B.ended[i]);
        B.nended = 0;
        if (B.to_start) {
            for (; B.to_start > 0; B.to_start--)
                start_one();
            continue;
        }
        if (w.deadline < 0 && !w.nfds)
            break;
        asl_engine_block(B.engine, &w);
    }
}

/* Where the q-th latency quantile lies in the latencies sorted. */
static size_t pct_index(double q)
{
    size_t i = (size_t)ceil(q * (double)B.done) - 1;
    return i < (size_t)B.done ? i : (size_t)B.done - 1;
}

static double pct(double q)
{
    return B.done ? B.latency[pct_index(q)] * 1e6 : 0;
}

/* Puts a[k] where sorting a[lo..hi] would put it, the smaller before it
 * and the larger after (Hoare's selection: linear on average). */
static void select_kth(double *a, long lo, long hi, long k)
{
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* The four quantiles the report prints (p50, p90, p99, max) put in their
 * places: each is selected among the latencies after the one before, so
 * the whole array is not sorted (a million latencies took longer to sort
 * than the report to print). */
static void place_percentiles(void)
{
    static const double q[] = {0.5, 0.9, 0.99, 1.0};
    long from = 0;
    for (size_t i = 0; B.done && i < sizeof q / sizeof *q; i++) {
        long k = (long)pct_index(q[i]);
        if (k < from)
            continue;
        select_kth(B.latency, from, B.done - 1, k);
        from = k + 1;
    }
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void report(const asl_cli *o, double secs)
{
    place_percentiles();
    double eps = secs > 0 ? (double)B.done / secs : 0, tps = secs > 0 ? (double)B.transitions / secs : 0;
    printf("executions     %ld (%ld failed), %ld at once\n", B.done, B.failed, o->concurrency);
    printf("wall time      %.3f s%s\n", secs, o->virtual_time ? " (executions on the virtual clock)" : "");
    printf("throughput     %.0f executions/s, %.0f transitions/s (%lu transitions)\n", eps, tps, B.transitions);
    char d[4][32];
    printf("latency        p50 %s, p90 %s, p99 %s, max %s\n", duration(pct(0.5) / 1e6, d[0], sizeof d[0]),
           duration(pct(0.9) / 1e6, d[1], sizeof d[1]), duration(pct(0.99) / 1e6, d[2], sizeof d[2]),
           duration(pct(1.0) / 1e6, d[3], sizeof d[3]));
    report_failures();
    printf("peak RSS       %ld KiB\n", peak_rss_kb());
    if (o->json)
        printf("{\"executions\":%ld,\"failed\":%ld,\"concurrency\":%ld,\"seconds\":%.6f,\"executions_per_s\":%.1f,"
               "\"transitions\":%lu,\"transitions_per_s\":%.1f,\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,"
               "\"max_us\":%.2f,\"peak_rss_kb\":%ld}\n",
               B.done, B.failed, o->concurrency, secs, eps, B.transitions, tps, pct(0.5), pct(0.9), pct(0.99),
               pct(1.0), peak_rss_kb());
}

int asl_bench(const asl_program *p, const asl_cli *o)
{
    int status = 0;
    cJSON *input = asl_cli_input(o, &status);
    if (!input)
        return status;
    memset(&B, 0, sizeof B);
    B.p = p;
    asl_keys_intern(input, &B.p->machines[0]); /* as exec.c does for an input of its own */
    B.input = input;
    B.input_size = asl_payload_size(input);
    B.n = o->bench;
    B.latency = calloc((size_t)B.n, sizeof *B.latency);
    B.start_at = calloc((size_t)B.n, sizeof *B.start_at);
    if (!B.latency || !B.start_at)
        abort();
    B.progress = isatty(2);
    B.engine = asl_cli_engine(p, o, false);
    asl_engine_observe(B.engine, on_event, NULL, ASL_OBSERVE_ENDS);
    B.t0 = B.last_progress = mono();
    long first = o->concurrency < B.n ? o->concurrency : B.n;
    for (long i = 0; i < first; i++)
        start_one();
    drive();
    double secs = mono() - B.t0;
    if (B.progress)
        fputc('\n', stderr);
    report(o, secs);
    asl_engine_free(B.engine);
    free(B.latency);
    free(B.start_at);
    free(B.ended);
    asl_json_delete(input);
    return B.failed ? 1 : 0;
}
