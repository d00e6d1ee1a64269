/*
 * job.h - one sync job: its snapshot, its plan, the target's preparation and finish.
 *
 * The coordinator's reactor owns the sockets and the scheduler; a job owns the database
 * side. Life of a job:
 *
 *   job_open      connect, export the snapshot, read both catalogs, select tables,
 *                 preflight (every problem at once, nothing written), plan the tasks
 *   job_prepare   one target transaction: ledger rows, indexes/constraints/FKs/triggers held
 *                 aside, TRUNCATE of the selection (skipped by a dry run)
 *   job_schedule  hand the tasks and their dependencies to the scheduler
 *   job_task_*    workers' reports
 *   job_finish    sequences, ledger state, row counts compared; the summary
 */
#ifndef CONFITURE_JOB_H
#define CONFITURE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/value.h"
#include "coordinator/sched.h"

typedef struct job job_t;

/*
 * Opens a job from a SUBMIT body: {source, target (references), tables, exclude (arrays of
 * patterns), chunk_size (bytes), dry_run, copy_format, masking, resume}. config_dir resolves
 * env: references; keep_s is how long the job's snapshot holder keeps the snapshot once no
 * coordinator runs the job. With resume (a job id), the job is read back from the target's
 * ledger instead of planned. Returns the job (caller destroys it), or NULL with err set and
 * nothing written anywhere.
 */
job_t *job_open(const value_t *spec, const char *config_dir, int keep_s, err_t *err);

/* Closes the job's connections (releasing its snapshot) and frees it; *self_p = NULL. */
void job_destroy(job_t **self_p);

/* The job id. */
const char *job_id(const job_t *self);

/* True for a dry run. */
bool job_dry_run(const job_t *self);

/* The plan as an event body {event:"plan", tables:[...], chunks, bytes, ...}; caller owns. */
value_t *job_plan(const job_t *self);

/* Prepares the target in one transaction. Returns 0, or -1 with err set (target untouched). */
int job_prepare(job_t *self, err_t *err);

/* Adds every task and dependency to sched (task ids equal the job's task numbers). */
void job_schedule(job_t *self, sched_t *sched);

/* The TASK message body for a task attempt; caller owns. */
value_t *job_task_message(const job_t *self, int task, int attempt);

/* A short description of a task ("copy public.film 3/8"), for logs and events. */
const char *job_task_label(const job_t *self, int task);

/* The table (display name) a task belongs to. */
const char *job_task_table(const job_t *self, int task);

/* Records a task's DONE report (the message body: rows, bytes, skipped, and a leak scan's
 * columns). Returns an event body to forward to the CLI (caller owns). */
value_t *job_task_done(job_t *self, int task, const value_t *done);

/* The masking key fingerprint a worker needs for this job's tasks, or NULL (no masking). */
const char *job_mask_key(const job_t *self);

/*
 * Finishes the target: sequences set from the source, row counts compared with what was
 * copied, ledger state done. Fills summary (a map) with tables, chunks, rows, bytes and any
 * differences, and for a masked job its masking and leaks. Returns 0 when the target matches,
 * 1 when counts differ, 2 when a masked column leaks source values (summary masking.leaks),
 * -1 with err set when the finish itself failed.
 */
int job_finish(job_t *self, value_t *summary, err_t *err);

/* Fills summary (a map) with the job id and its counts: tables, chunks, rows, bytes. */
void job_summary(const job_t *self, value_t *summary);

/* Marks the job failed (or interrupted) in the ledger (best effort) and fills summary's
 * counts. Either way the job stays resumable, and its snapshot holder keeps the snapshot. */
void job_fail(job_t *self, value_t *summary, const char *message, bool interrupted);

/* True when the job was opened from the ledger (--resume). */
bool job_resumed(const job_t *self);

/* Renews the job's heartbeat in the ledger (its snapshot holder watches it); reconnects to
 * the target when it went away. Best effort. */
void job_heartbeat(job_t *self);

/* Ends the database backends of a lost attempt (found by application_name), so that an
 * attempt whose worker froze cannot hold its claim or commit later. Best effort. */
void job_terminate_attempt(job_t *self, int task, int attempt);

/* A hint for a task failure with this SQLSTATE (e.g. a foreign key that fails to validate
 * after a resume in a new snapshot), or NULL. */
const char *job_failure_hint(job_t *self, int task, const char *sqlstate);

#endif
