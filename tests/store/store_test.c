/*
 * store_test.c: the store (store/store.h on SQLite). What is committed is
 * loaded back, in order, after the store is closed and opened again; what
 * is not committed is not; a second opener of the folder, a corrupt file,
 * another program's database, a store from a newer aslc and a full disk
 * each give an error naming the file, and leave the file as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

#include "../harness/check.h"

static char seen[4096];

static void note(const char *fmt, const char *a, int n, const char *b, const char *c)
{
    size_t len = strlen(seen);
    snprintf(seen + len, sizeof seen - len, fmt, a, n, b, c);
}

static bool on_meta(void *ud, const char *k, const char *v) { note("meta %s%d %s%s;", k, 0, v, ""); return true; }
static bool on_machine(void *ud, const char *arn, int version, const char *record)
{
    note("machine %s %d %s%s;", arn, version, record, "");
    return true;
}
static bool on_activity(void *ud, const char *arn, const char *r) { note("activity %s%d %s%s;", arn, 0, r, ""); return true; }
static bool on_execution(void *ud, const char *arn, int version, const char *snap, const char *events)
{
    note("execution %s %d %s %s;", arn, version, snap, events);
    return true;
}

static const store_loader loader = {NULL, on_meta, on_machine, on_activity, on_execution};

static const char *load(store *s)
{
    seen[0] = '\0';
    CHECK(store_load(s, &loader));
    return seen;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    *n = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

/* Opening dir must fail with a message naming the file and saying why,
 * and the file must be left as it was. */
static void refused(const char *dir, const char *file, const char *why)
{
    size_t n0 = 0, n1 = 0;
    char *before = slurp(file, &n0);
    char *msg;
    int status;
    store *s = store_open(dir, &msg, &status);
    CHECK(s == NULL && status == 66);
    if (msg && (!strstr(msg, file) || !strstr(msg, why)))
        fprintf(stderr, "message: %s\n", msg);
    CHECK(msg && strstr(msg, file) && strstr(msg, why));
    char *after = slurp(file, &n1);
    CHECK(before && after && n0 == n1 && !memcmp(before, after, n0));
    free(before);
    free(after);
    free(msg);
    store_close(s);
}

int main(void)
{
    char dir[] = "/tmp/aslc-store-XXXXXX", file[64], *msg;
    int status;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof file, "%s/aslc.db", dir);

    store *s = store_open(dir, &msg, &status);
    CHECK(s != NULL);
    CHECK(store_begin(s));
    CHECK(store_put_meta(s, "engine", "{\"k\":1}"));
    CHECK(store_put_machine(s, "arn:m", 1, "{\"v\":1}"));
    CHECK(store_put_machine(s, "arn:m", 2, "{\"v\":2}"));
    CHECK(store_put_activity(s, "arn:a", "{}"));
    CHECK(store_put_activity(s, "arn:gone", "{}"));
    CHECK(store_delete_activity(s, "arn:gone"));
    long long b = store_put_execution(s, "arn:x:b", 2, "{\"s\":1}");
    long long a = store_put_execution(s, "arn:x:a", 1, "{\"s\":1}");
    CHECK(a > 0 && b > 0 && a != b);
    CHECK(store_add_events(s, a, 3, "{\"id\":3}"));
    CHECK(store_add_events(s, a, 1, "{\"id\":1},{\"id\":2}"));
    CHECK(store_commit(s));
    /* A later save keeps the execution's key, order and version. */
    CHECK(store_begin(s));
    CHECK(store_put_execution(s, "arn:x:b", 3, "{\"s\":2}") == b);
    CHECK(store_add_events(s, b, 1, "{\"id\":1}"));
    CHECK(store_commit(s));
    /* What is not committed is lost. */
    CHECK(store_begin(s));
    CHECK(store_put_activity(s, "arn:uncommitted", "{}"));
    /* One server per folder. */
    store *other = store_open(dir, &msg, &status);
    CHECK(!other && status == 66 && msg && strstr(msg, "in use by another aslc serve"));
    free(msg);
    store_close(s);

    s = store_open(dir, &msg, &status);
    CHECK(s != NULL);
    const char *want = "meta engine0 {\"k\":1};"
                       "machine arn:m 1 {\"v\":1};machine arn:m 2 {\"v\":2};"
                       "activity arn:a0 {};"
                       "execution arn:x:b 2 {\"s\":2} [{\"id\":1}];"
                       "execution arn:x:a 1 {\"s\":1} [{\"id\":1},{\"id\":2},{\"id\":3}];";
    const char *got = load(s);
    if (strcmp(got, want))
        fprintf(stderr, "loaded: %s\n", got);
    CHECK(!strcmp(got, want));

    /* A full disk: the commit fails, naming the file, and the store keeps
     * what it had. */
    store_close(s);
    setenv("ASLC_STORE_MAX_PAGES", "8", 1);
    s = store_open(dir, &msg, &status);
    CHECK(s != NULL);
    CHECK(store_begin(s));
    char *big = calloc(1, 200000);
    memset(big, 'x', 199999);
    bool ok = store_put_activity(s, "arn:big", big) && store_commit(s);
    CHECK(!ok && strstr(store_error(s), file) && strstr(store_error(s), "full"));
    free(big);
    store_close(s);
    unsetenv("ASLC_STORE_MAX_PAGES");
    s = store_open(dir, &msg, &status);
    CHECK(s && !strcmp(load(s), want));
    store_close(s);

    /* A store from a newer aslc. */
    sqlite3 *db;
    CHECK(sqlite3_open(file, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    refused(dir, file, "written by a newer aslc (store version 99; this aslc reads up to 1)");

    /* Another program's database. */
    unlink(file);
    CHECK(sqlite3_open(file, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    refused(dir, file, "not an aslc store");

    /* A corrupt file. */
    FILE *f = fopen(file, "wb");
    for (int i = 0; i < 300; i++)
        fputs("this is not a database ", f);
    fclose(f);
    refused(dir, file, "not an aslc store");

    /* A file where the folder should be. */
    char notdir[80];
    snprintf(notdir, sizeof notdir, "%s/aslc.db", dir);
    s = store_open(notdir, &msg, &status);
    CHECK(!s && status == 66 && msg && strstr(msg, "not a folder"));
    free(msg);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    else
        puts("store: all checks passed");
    return failures != 0;
}
