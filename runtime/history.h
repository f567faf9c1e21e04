/*
 * history.h: execution event history in AWS GetExecutionHistory's shape.
 * Recorded only when someone will read it (--history); ids are counted
 * always.
 */
#ifndef ASL_HISTORY_H
#define ASL_HISTORY_H

#include "exec.h"
#include "quotas.h"

/* Turns recording on for executions started from now on. */
void asl_history_enable(bool on);
/* Whether events need their details (recording, or an observer reads
 * them); callers build details only then. */
#define asl_history_enabled() ((asl_observing & ASL_OBSERVING_DETAILS) != 0)
bool asl_history_recording(void);
/* The key AWS gives an event type's details ("taskScheduledEventDetails"). */
const char *asl_history_details_key(const char *type, char *key, size_t n);
/* Hands an event to the engine's observers and appends it to x's history: type as AWS names it (e.g.
 * "PassStateEntered"), prev its previousEventId, details (taken, may be
 * NULL) under the key AWS uses for that type. Returns the event id, which
 * is counted even when nothing is recorded. */
static inline int asl_history_add(asl_exec *x, int prev, const char *type, cJSON *details);
/* asl_history_add for an event that is recorded, observed or near the
 * quota; hearers is asl_event_hearers(type). */
int asl_history_record(asl_exec *x, int prev, const char *type, cJSON *details, unsigned hearers);
/* Whether an event that observers with the hearers bits hear would only be
 * counted (recorded nowhere, handed to no observer, far from the event
 * quota): the caller may then just count it, ++x->events being its id. */
extern bool asl_history_on;
#define asl_history_counted_only_by(x, hearers)                                                     \
    (!asl_history_on && !(asl_observing & (hearers)) &&                                            \
     (!asl_limit.history_events || (x)->events + 1 < asl_limit.history_events))
#define asl_history_counted_only(x, type) asl_history_counted_only_by(x, asl_event_hearers(type))
/* asl_history_add for an event whose hearers the caller knows (an
 * execution's start or end): no look at its type's name. */
static inline int asl_history_add_heard(asl_exec *x, int prev, const char *type, cJSON *details, unsigned hearers)
{
    /* Most events are only counted: that costs no call. */
    if (asl_history_counted_only_by(x, hearers)) {
        if (details)
            cJSON_Delete(details);
        return ++x->events;
    }
    return asl_history_record(x, prev, type, details, hearers);
}
static inline int asl_history_add(asl_exec *x, int prev, const char *type, cJSON *details)
{
    return asl_history_add_heard(x, prev, type, details, asl_event_hearers(type));
}

/* {"events":[...]} (new value). */
cJSON *asl_history_json(const asl_exec *x);
void asl_history_free(asl_history *h);
/* x's recorded events become events (an array, taken): a restored
 * execution's history. */
void asl_history_restore(asl_exec *x, cJSON *events);
/* Appends one event as GetExecutionHistory shows it, as recorded. */
void asl_history_write_event(asl_buf *b, const asl_event *ev);

#endif
