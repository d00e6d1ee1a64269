/*
 * sched.h - the scheduler's state machine: tasks with dependencies, workers with credit,
 * attempts, leases and liveness. Pure bookkeeping: no sockets, no clock of its own (every
 * call that needs the time takes `now` in milliseconds), no logging, so it is unit-tested
 * directly and the coordinator's reactor stays thin.
 *
 * Tasks. A task is added with a priority (higher is dispatched first; ties go to the task
 * added first) and may depend on other tasks; it is WAITING while any of them is not DONE,
 * then READY. Dispatch makes it RUNNING on one worker with attempt = previous attempt + 1
 * (the first attempt is 1) and a lease deadline (now + lease_ms). Progress renews the lease.
 * DONE is final. A failure with retry=true, a dead worker, or an expired lease puts it back
 * to READY (the attempt number is kept, the next dispatch increments it), unless it has
 * already had max_attempts attempts: then it is FAILED, which is final.
 * A task may be marked DONE without running (resume: already committed).
 *
 *     WAITING --deps done--> READY --dispatch--> RUNNING --done--> DONE
 *                              ^                    |
 *                              +--fail/dead/lease---+--(attempts exhausted or no retry)--> FAILED
 *
 * Workers. A worker is known by its id (the ROUTER identity, as text). It joins, asks for
 * work by adding credit, and is seen at every message. A dispatch uses one credit; the
 * scheduler never hands a worker more tasks than its credit allows. A worker not seen for
 * heartbeat_timeout_ms is dead: removed, its running tasks requeued. Stale results (a task's
 * DONE/FAILED/PROGRESS with an attempt that is not the current running one) are ignored.
 */
#ifndef CONFITURE_SCHED_H
#define CONFITURE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sched sched_t;

typedef enum task_state {
    TASK_WAITING,
    TASK_READY,
    TASK_RUNNING,
    TASK_DONE,
    TASK_FAILED
} task_state_t;

/* Why a task went back to the queue or a worker went away, for sched_tick's callback. */
typedef enum sched_event {
    SCHED_WORKER_DEAD,   /* worker silent past the heartbeat timeout; task = -1 */
    SCHED_LEASE_EXPIRED, /* task made no progress within its lease: requeued or failed */
    SCHED_REQUEUED,      /* task requeued because its worker died */
    SCHED_TASK_FAILED    /* task ran out of attempts (state FAILED) */
} sched_event_t;

/* Called by sched_tick for each event: worker is the worker concerned (may be NULL),
 * task the task id or -1, attempt the attempt that was lost. */
typedef void(sched_event_fn)(void *arg, sched_event_t event, const char *worker, int task,
                             int attempt);

/* Creates a scheduler. max_attempts >= 1; timeouts in milliseconds, > 0. */
sched_t *sched_new(int max_attempts, int64_t heartbeat_timeout_ms, int64_t lease_ms);

/* Frees the scheduler; sets *self_p to NULL; safe on NULL and twice. */
void sched_destroy(sched_t **self_p);

/* Adds a task (state READY, or WAITING once it gets a dependency). Returns its id: 0, 1, 2...
 * in order of addition. */
int sched_add_task(sched_t *self, int priority);

/* Makes task wait for depends_on to be DONE. Both must exist; call before any dispatch of
 * task. Returns 0, or -1 for an unknown id or a task depending on itself. */
int sched_add_dependency(sched_t *self, int task, int depends_on);

/* A resumed job: the task already had attempts 1..attempt in earlier runs. Its next dispatch
 * is attempt + 1 (so a late report or commit of an old attempt is told apart), and it gets
 * max_attempts more. Call before the task is dispatched. */
void sched_set_attempt(sched_t *self, int task, int attempt);

/* Marks a task DONE without running it (resume), releasing its dependents. */
void sched_mark_done(sched_t *self, int task);

/* A worker joins (or rejoins: then it only counts as seen). Returns 0. */
int sched_worker_join(sched_t *self, const char *worker, int64_t now);

/* A worker adds credit (asks for that many more tasks); also counts as seen.
 * Returns -1 for an unknown worker. */
int sched_worker_credit(sched_t *self, const char *worker, int credit, int64_t now);

/* A worker states how many more tasks it can take now (its HELLO): its credit becomes that,
 * whatever it was; also counts as seen. Returns -1 for an unknown worker. */
int sched_worker_set_credit(sched_t *self, const char *worker, int credit, int64_t now);

/* Any message from a worker: it is alive. Returns -1 for an unknown worker. */
int sched_worker_seen(sched_t *self, const char *worker, int64_t now);

/* A worker leaves (BYE, or the coordinator decides it is gone): its running tasks are
 * requeued as for a dead worker. Unknown workers are ignored. */
void sched_worker_leave(sched_t *self, const char *worker);

/* True when the worker is known. */
bool sched_worker_known(const sched_t *self, const char *worker);

/*
 * Picks the next dispatch: the highest-priority READY task and a live worker with credit
 * (the worker with the most credit left; ties to the longest idle). Marks the task RUNNING
 * there with the next attempt and a lease, uses one credit. Returns the task id and sets
 * *worker (borrowed, valid until that worker leaves) and *attempt; returns -1 when nothing
 * can be dispatched now.
 */
int sched_next(sched_t *self, int64_t now, const char **worker, int *attempt);

/* The worker reports progress on task attempt: renews the lease. Returns 0, or -1 when the
 * attempt is stale or the task is not RUNNING (ignore the message). */
int sched_progress(sched_t *self, int task, int attempt, int64_t now);

/* The task attempt finished. Returns 0 (task DONE, dependents released), or -1 when the
 * attempt is stale (the report is ignored: another attempt owns the task). */
int sched_done(sched_t *self, int task, int attempt);

/* The task attempt failed. With retry and attempts left, the task goes back to READY;
 * otherwise it is FAILED. Returns 0, or -1 when the attempt is stale. */
int sched_failed(sched_t *self, int task, int attempt, bool retry);

/* Advances time: workers silent past the timeout die (their tasks requeued), RUNNING tasks
 * past their lease are requeued (or FAILED when out of attempts). Reports each event to cb
 * (may be NULL). Returns the number of events. */
int sched_tick(sched_t *self, int64_t now, sched_event_fn *cb, void *arg);

/* Task queries. */
task_state_t sched_task_state(const sched_t *self, int task);
int sched_task_attempt(const sched_t *self, int task);        /* last attempt, 0 if none */
const char *sched_task_worker(const sched_t *self, int task); /* when RUNNING, else NULL */
size_t sched_task_count(const sched_t *self);
size_t sched_count(const sched_t *self, task_state_t state); /* tasks in that state */

/* True when every task is DONE. */
bool sched_all_done(const sched_t *self);

/* Workers: how many are known, how many run a task now. */
size_t sched_worker_count(const sched_t *self);
size_t sched_worker_busy(const sched_t *self);

#endif
