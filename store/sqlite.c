/*
 * sqlite.c: the store (store.h) on SQLite: one file, DIR/aslc.db, in WAL
 * mode with synchronous=NORMAL, so that a commit is one append to the
 * write-ahead log: it survives the process being killed (kill -9), and
 * only a power cut can lose the last commits (docs/durability.md).
 *
 * The file is checked before anything is written to it: an aslc store has
 * application_id 'aslc' and user_version STORE_VERSION (or less: older
 * stores are upgraded); anything else is refused. DIR/aslc.lock, held with
 * flock while the store is open, keeps a second server out (the kernel
 * drops it when the process dies, kill -9 included).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

enum { STORE_VERSION = 1, APPLICATION_ID = 0x61736c63 /* "aslc" */ };

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE machines(arn TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL,"
    "  PRIMARY KEY(arn, version));"
    "CREATE TABLE activities(arn TEXT PRIMARY KEY, record TEXT NOT NULL);"
    "CREATE TABLE executions(key INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, version INTEGER NOT NULL,"
    "  snapshot TEXT NOT NULL);"
    "CREATE TABLE events(execution INTEGER NOT NULL, first INTEGER NOT NULL, events TEXT NOT NULL,"
    "  PRIMARY KEY(execution, first));";

/* The statements, prepared once. */
enum {
    Q_META, Q_MACHINE, Q_ACTIVITY, Q_ACTIVITY_DEL, Q_EXECUTION, Q_EVENT, Q_BEGIN, Q_COMMIT, Q__COUNT
};
static const char *const sql[Q__COUNT] = {
    [Q_META] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
    [Q_MACHINE] = "INSERT OR REPLACE INTO machines(arn, version, record) VALUES(?1, ?2, ?3)",
    [Q_ACTIVITY] = "INSERT OR REPLACE INTO activities(arn, record) VALUES(?1, ?2)",
    [Q_ACTIVITY_DEL] = "DELETE FROM activities WHERE arn = ?1",
    [Q_EXECUTION] = "INSERT INTO executions(arn, version, snapshot) VALUES(?1, ?2, ?3)"
                    " ON CONFLICT(arn) DO UPDATE SET snapshot = excluded.snapshot RETURNING key",
    [Q_EVENT] = "INSERT OR REPLACE INTO events(execution, first, events) VALUES(?1, ?2, ?3)",
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
};

struct store {
    sqlite3 *db;
    char *file;
    int lock;                   /* DIR/aslc.lock's descriptor */
    sqlite3_stmt *q[Q__COUNT];
    char *error;
    bool in_tx;
};

static char *format(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
    char *m = malloc(n);
    if (!m)
        abort();
    snprintf(m, n, fmt, a, b ? b : "");
    return m;
}

/* Records SQLite's error for the file; returns false. */
static bool fail(store *s)
{
    free(s->error);
    s->error = format("%s: %s", s->file, sqlite3_errmsg(s->db));
    return false;
}

const char *store_error(const store *s)
{
    return s->error ? s->error : "";
}

/* ------------------------------------------------------------ opening */

static long long pragma(sqlite3 *db, const char *name, bool *ok)
{
    char q[64];
    snprintf(q, sizeof q, "PRAGMA %s", name);
    sqlite3_stmt *st;
    long long v = 0;
    *ok = sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK;
    if (*ok) {
        int rc = sqlite3_step(st);
        *ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
        if (rc == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

/* Whether the file is an aslc store this aslc reads (an empty file becomes
 * one); else *msg says why. */
static bool check_file(store *s, char **msg)
{
    bool ok1, ok2, ok3;
    long long app = pragma(s->db, "application_id", &ok1);
    long long version = pragma(s->db, "user_version", &ok2);
    long long pages = pragma(s->db, "page_count", &ok3);
    if (!ok1 || !ok2 || !ok3) {
        *msg = format("%s: not an aslc store (%s)", s->file, sqlite3_errmsg(s->db));
        return false;
    }
    if (app == 0 && version == 0 && pages == 0) {
        char q[160];
        snprintf(q, sizeof q, "PRAGMA application_id = %d; PRAGMA user_version = %d; PRAGMA journal_mode = WAL;",
                 APPLICATION_ID, STORE_VERSION);
        if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, q, NULL, NULL, NULL) != SQLITE_OK) {
            *msg = format("%s: cannot create the store (%s)", s->file, sqlite3_errmsg(s->db));
            return false;
        }
        return true;
    }
    if (app != APPLICATION_ID) {
        *msg = format("%s: not an aslc store (a database of another program)%s", s->file, NULL);
        return false;
    }
    if (version > STORE_VERSION) {
        char v[64];
        snprintf(v, sizeof v, "%lld; this aslc reads up to %d", version, STORE_VERSION);
        *msg = format("%s: written by a newer aslc (store version %s)", s->file, v);
        return false;
    }
    return true;
}

static bool take_lock(store *s, const char *dir, char **msg)
{
    char *path = format("%s/%s", dir, "aslc.lock");
    s->lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    bool ok = s->lock >= 0 && flock(s->lock, LOCK_EX | LOCK_NB) == 0;
    if (!ok)
        *msg = format(s->lock < 0 ? "%s: %s" : "%s: in use by another aslc serve%s", path,
                      s->lock < 0 ? strerror(errno) : NULL);
    free(path);
    return ok;
}

store *store_open(const char *dir, char **msg, int *status)
{
    *msg = NULL;
    *status = 66;
    struct stat st;
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        *msg = format("%s: cannot create the folder (%s)", dir, strerror(errno));
        return NULL;
    }
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        *msg = format("%s: not a folder%s", dir, NULL);
        return NULL;
    }
    store *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->file = format("%s/%s", dir, "aslc.db");
    s->lock = -1;
    if (!take_lock(s, dir, msg)) {
        store_close(s);
        return NULL;
    }
    if (sqlite3_open_v2(s->file, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        *msg = format("%s: %s", s->file, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        *status = 74;
        store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 2000);
    if (!check_file(s, msg)) {
        store_close(s);
        return NULL;
    }
    const char *max_pages = getenv("ASLC_STORE_MAX_PAGES"); /* tests: a disk that fills up */
    char q[96];
    snprintf(q, sizeof q, "PRAGMA synchronous = NORMAL; PRAGMA max_page_count = %s;",
             max_pages ? max_pages : "4294967294");
    bool ok = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_exec(s->db, q, NULL, NULL, NULL) == SQLITE_OK;
    for (int i = 0; ok && i < Q__COUNT; i++)
        ok = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) == SQLITE_OK;
    if (!ok) {
        *msg = format("%s: not an aslc store (%s)", s->file, sqlite3_errmsg(s->db));
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->in_tx)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(s->q[i]);
    sqlite3_close(s->db);
    if (s->lock >= 0)
        close(s->lock);
    free(s->file);
    free(s->error);
    free(s);
}

/* ------------------------------------------------------------ writing */

/* Runs statement i with its bound values; false on an error. */
static bool run(store *s, int i)
{
    sqlite3_stmt *st = s->q[i];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? true : fail(s);
}

static void text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

bool store_begin(store *s)
{
    s->in_tx = run(s, Q_BEGIN);
    return s->in_tx;
}

bool store_commit(store *s)
{
    if (run(s, Q_COMMIT)) {
        s->in_tx = false;
        return true;
    }
    /* A failed COMMIT (the disk is full) leaves the transaction open:
     * nothing of it reaches the file. */
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = false;
    return false;
}

bool store_put_meta(store *s, const char *key, const char *value)
{
    text(s->q[Q_META], 1, key);
    text(s->q[Q_META], 2, value);
    return run(s, Q_META);
}

bool store_put_machine(store *s, const char *arn, int version, const char *record)
{
    sqlite3_stmt *st = s->q[Q_MACHINE];
    text(st, 1, arn);
    sqlite3_bind_int(st, 2, version);
    text(st, 3, record);
    return run(s, Q_MACHINE);
}

bool store_put_activity(store *s, const char *arn, const char *record)
{
    text(s->q[Q_ACTIVITY], 1, arn);
    text(s->q[Q_ACTIVITY], 2, record);
    return run(s, Q_ACTIVITY);
}

bool store_delete_activity(store *s, const char *arn)
{
    text(s->q[Q_ACTIVITY_DEL], 1, arn);
    return run(s, Q_ACTIVITY_DEL);
}

long long store_put_execution(store *s, const char *arn, int version, const char *snapshot)
{
    sqlite3_stmt *st = s->q[Q_EXECUTION];
    text(st, 1, arn);
    sqlite3_bind_int(st, 2, version);
    text(st, 3, snapshot);
    int rc = sqlite3_step(st);
    long long key = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (key < 0)
        fail(s);
    return key;
}

bool store_add_events(store *s, long long key, int first, const char *events)
{
    sqlite3_stmt *st = s->q[Q_EVENT];
    sqlite3_bind_int64(st, 1, key);
    sqlite3_bind_int(st, 2, first);
    text(st, 3, events);
    return run(s, Q_EVENT);
}

/* ------------------------------------------------------------ loading */

/* Runs a query and hands each row's columns to row(); false on an error
 * or when row() says stop. */
static bool each(store *s, const char *q, bool (*row)(store *s, sqlite3_stmt *st, const store_loader *l),
                 const store_loader *l)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) != SQLITE_OK)
        return fail(s);
    int rc;
    bool ok = true;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ok = row(s, st, l);
    if (ok && rc != SQLITE_DONE)
        ok = fail(s);
    sqlite3_finalize(st);
    return ok;
}

static const char *col(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? v : "";
}

static bool meta_row(store *s, sqlite3_stmt *st, const store_loader *l)
{
    return !l->meta || l->meta(l->ud, col(st, 0), col(st, 1));
}

static bool machine_row(store *s, sqlite3_stmt *st, const store_loader *l)
{
    return !l->machine || l->machine(l->ud, col(st, 0), sqlite3_column_int(st, 1), col(st, 2));
}

static bool activity_row(store *s, sqlite3_stmt *st, const store_loader *l)
{
    return !l->activity || l->activity(l->ud, col(st, 0), col(st, 1));
}

static bool execution_row(store *s, sqlite3_stmt *st, const store_loader *l)
{
    return !l->execution ||
           l->execution(l->ud, col(st, 0), sqlite3_column_int(st, 1), col(st, 2), col(st, 3));
}

bool store_load(store *s, const store_loader *l)
{
    return each(s, "SELECT key, value FROM meta", meta_row, l) &&
           each(s, "SELECT arn, version, record FROM machines ORDER BY arn, version", machine_row, l) &&
           each(s, "SELECT arn, record FROM activities ORDER BY rowid", activity_row, l) &&
           each(s,
                "SELECT x.arn, x.version, x.snapshot,"
                " '[' || coalesce((SELECT group_concat(events, ',') FROM"
                "   (SELECT events FROM events e WHERE e.execution = x.key ORDER BY e.first)), '') || ']'"
                " FROM executions x ORDER BY x.key",
                execution_row, l);
}
