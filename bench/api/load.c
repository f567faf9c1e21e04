/*
 * load.c: the API workload's client. C clients (threads, one libcurl
 * handle each, keep-alive) each repeat StartExecution + DescribeExecution
 * against `aslc serve` for a fixed time, then the round trips per second
 * and the latency percentiles of one start+describe pair are printed as
 * one JSON line. Only loopback endpoints are meant: bench/api/run starts
 * the server itself.
 *
 *     load URL STATE_MACHINE_ARN CLIENTS SECONDS
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct client {
    const char *url, *arn;
    double seconds;
    double *lat;        /* latency of each pair, ms */
    size_t n, cap;
    unsigned long errors;
    char buf[65536];
    size_t len;
} client;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    client *c = ud;
    size_t k = size * n;
    if (c->len + k < sizeof c->buf) {
        memcpy(c->buf + c->len, p, k);
        c->len += k;
        c->buf[c->len] = '\0';
    }
    return k;
}

/* One call; true on HTTP 200. The answer is in c->buf. */
static bool call(client *c, CURL *h, struct curl_slist *base, const char *action, const char *body)
{
    char target[96];
    snprintf(target, sizeof target, "X-Amz-Target: AWSStepFunctions.%s", action);
    struct curl_slist *hs = curl_slist_append(NULL, target);
    for (struct curl_slist *b = base; b; b = b->next)
        hs = curl_slist_append(hs, b->data);
    c->len = 0;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    long code = 0;
    bool ok = curl_easy_perform(h) == CURLE_OK && curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
              code == 200;
    curl_slist_free_all(hs);
    return ok;
}

static void *run(void *ud)
{
    client *c = ud;
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    struct curl_slist *base = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.0");
    base = curl_slist_append(base, "Expect:");
    char start[512], describe[512];
    snprintf(start, sizeof start, "{\"stateMachineArn\":\"%s\",\"input\":\"{\\\"n\\\":1}\"}", c->arn);
    double end = now() + c->seconds;
    while (now() < end) {
        double t0 = now();
        if (!call(c, h, base, "StartExecution", start)) {
            c->errors++;
            continue;
        }
        const char *a = strstr(c->buf, "\"executionArn\":\"");
        if (!a) {
            c->errors++;
            continue;
        }
        a += 16;
        snprintf(describe, sizeof describe, "{\"executionArn\":\"%.*s\"}", (int)strcspn(a, "\""), a);
        if (!call(c, h, base, "DescribeExecution", describe)) {
            c->errors++;
            continue;
        }
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 4096;
            c->lat = realloc(c->lat, sizeof *c->lat * c->cap);
            if (!c->lat)
                exit(1);
        }
        c->lat[c->n++] = (now() - t0) * 1e3;
    }
    curl_slist_free_all(base);
    curl_easy_cleanup(h);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fputs("usage: load URL STATE_MACHINE_ARN CLIENTS SECONDS\n", stderr);
        return 64;
    }
    int n = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (n < 1 || n > 256 || !(seconds > 0 && seconds <= 60)) {
        fputs("load: CLIENTS is 1..256, SECONDS 0..60\n", stderr);
        return 64;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    client *cs = calloc((size_t)n, sizeof *cs);
    pthread_t *th = calloc((size_t)n, sizeof *th);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        cs[i] = (client){.url = argv[1], .arn = argv[2], .seconds = seconds};
        pthread_create(&th[i], NULL, run, &cs[i]);
    }
    size_t total = 0;
    unsigned long errors = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        total += cs[i].n;
        errors += cs[i].errors;
    }
    double elapsed = now() - t0;
    double *all = malloc(sizeof *all * (total ? total : 1));
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        memcpy(all + k, cs[i].lat, sizeof *all * cs[i].n);
        k += cs[i].n;
        free(cs[i].lat);
    }
    qsort(all, total, sizeof *all, by_value);
    double p50 = total ? all[total / 2] : 0, p99 = total ? all[total * 99 / 100] : 0;
    printf("{\"clients\":%d,\"pairs\":%zu,\"errors\":%lu,\"seconds\":%.3f,\"executions_per_s\":%.0f,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
           n, total, errors, elapsed, (double)total / elapsed, p50, p99);
    free(all);
    free(cs);
    free(th);
    curl_global_cleanup();
    return errors && !total;
}
