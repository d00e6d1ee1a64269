/*
 * ledger.h - the job ledger on the target: what a job planned and what has committed.
 *
 * Tables in schema "confiture" on the target database:
 *
 *   confiture.job        one row per job: state, source, snapshot, plan hash, the job spec
 *   confiture.task       the plan: one row per task (copy chunk, index, constraint, FK, finish)
 *   confiture.task_done  one row per committed task, PRIMARY KEY (job_id, task_id)
 *   confiture.attempt    one row per attempt started (job_id, task_id, attempt)
 *
 * Exactly once: a worker opens its target transaction with ledger_claim(), which inserts the
 * task's task_done row, then loads the chunk (or runs the DDL), then ledger_record()s the
 * counts and commits. A second attempt of a committed task fails on the primary key and is
 * rolled back ("skipped"); a concurrent attempt waits on the key until the first one ends.
 * A crash loses at most the tasks in flight, whose transactions roll back. A resumed job
 * reads job, task and task_done to know what is left, and runs the same plan.
 *
 * Fencing. A worker first records its attempt (ledger_start_attempt, committed at once);
 * ledger_record, just before the commit, refuses to go on when a later attempt of the task
 * has started: an attempt that was frozen (SIGSTOP, a stalled network) and whose task was
 * handed to another worker meanwhile can never commit. (The primary key alone already
 * prevents a double load; the fence makes a stale attempt give way instead of racing.)
 */
#ifndef CONFITURE_LEDGER_H
#define CONFITURE_LEDGER_H

#include <libpq-fe.h>
#include <stdint.h>

#include "common/err.h"

/* SQL creating the ledger schema and tables when missing, or adding what an older ledger
 * lacks (idempotent). */
extern const char *const ledger_schema_sql;

/* A query returning one boolean: true when the ledger is there and complete. */
extern const char *const ledger_check_sql;

/*
 * Records that attempt of task has started (committed at once, outside any transaction).
 * Returns 1 when it is the latest attempt, 0 when a later one has started already (the
 * caller gives up: its task belongs to another attempt), -1 on error.
 */
int ledger_start_attempt(PGconn *conn, const char *job, int task, int attempt, const char *worker,
                         err_t *err);

/*
 * Claims a task inside the caller's open transaction. Returns 1 when claimed, 0 when the task
 * is already committed (the transaction is then aborted: the caller rolls back), -1 on error
 * (err set).
 */
int ledger_claim(PGconn *conn, const char *job, int task, int attempt, const char *worker,
                 err_t *err);

/* Records rows and bytes of the claimed task, in the same transaction, unless a later
 * attempt has started: then returns -1 with err code "stale" (the caller rolls back). Returns
 * 0, or -1 with err set. */
int ledger_record(PGconn *conn, const char *job, int task, int attempt, int64_t rows, int64_t bytes,
                  err_t *err);

/* Reads the rows and bytes an earlier, committed attempt of the task recorded (outside any
 * transaction), so a skipped attempt reports what the task really copied. Returns 0 or -1. */
int ledger_committed_counts(PGconn *conn, const char *job, int task, int64_t *rows, int64_t *bytes,
                            err_t *err);

#endif
