/*
 * store.h: where aslc serve keeps what must outlive it (docs/durability.md):
 * state machines (every version), activities, executions as the runtime's
 * snapshots, their history events, and a little engine state (meta). One
 * small interface, so that another database could sit behind it; SQLite
 * does (sqlite.c).
 *
 * Writes happen between store_begin and store_commit: all or nothing, one
 * transaction per scheduler turn. Every call that fails returns false (or
 * a negative number) and leaves a message naming the file in
 * store_error(); the caller stops writing.
 */
#ifndef ASLC_STORE_H
#define ASLC_STORE_H

#include <stdbool.h>

typedef struct store store;

/* Opens DIR/aslc.db, creating the folder and the file when missing, and
 * takes DIR/aslc.lock (one server per folder). NULL with *msg (malloc'd,
 * naming the file) and *status: 66 when the folder or file is not an aslc
 * store (corrupt, foreign, from a newer aslc) or is in use, 74 on an I/O
 * error. Nothing is written to a file that is not an aslc store. */
store *store_open(const char *dir, char **msg, int *status);
void store_close(store *s);
/* The last error ("DIR/aslc.db: database or disk is full"). */
const char *store_error(const store *s);

bool store_begin(store *s);
bool store_commit(store *s);

/* A small named value (the engine state). */
bool store_put_meta(store *s, const char *key, const char *value);
/* A state machine's version (record: the server's JSON for it). */
bool store_put_machine(store *s, const char *arn, int version, const char *record);
bool store_put_activity(store *s, const char *arn, const char *record);
bool store_delete_activity(store *s, const char *arn);
/* An execution's snapshot, on machine version `version` (kept from its
 * first save); returns the execution's key for store_add_event, or -1. */
long long store_put_execution(store *s, const char *arn, int version, const char *snapshot);
/* History events of the execution `key`, from id `first` on: JSON objects
 * separated by commas (one row per execution and commit). */
bool store_add_events(store *s, long long key, int first, const char *events);

/* Everything, oldest first within each kind: meta, machines (by ARN then
 * version), activities, executions (in the order they were first saved,
 * with their events as one JSON array). A callback returning false stops
 * the load, which then returns false. */
typedef struct store_loader {
    void *ud;
    bool (*meta)(void *ud, const char *key, const char *value);
    bool (*machine)(void *ud, const char *arn, int version, const char *record);
    bool (*activity)(void *ud, const char *arn, const char *record);
    bool (*execution)(void *ud, const char *arn, int version, const char *snapshot, const char *events);
} store_loader;
bool store_load(store *s, const store_loader *l);

#endif
