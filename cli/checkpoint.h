/*
 * checkpoint.h - the --checkpoint file: a readable mirror of a job's ledger, for operators,
 * scripts and `confiture sync --resume`.
 *
 * The truth is the ledger on the target (confiture.job, task, task_done); the file names the
 * job and says what is done, so that --resume knows which job to carry on and `confiture
 * status` where to look. It is rewritten after every committed chunk and at the job's end,
 * atomically: the new content goes to FILE.tmp, is flushed to disk, then renamed over FILE,
 * so a crash leaves either the old file or the new one, never half of one.
 *
 *   {"confiture_checkpoint": 1, "job": "20261124-...", "state": "loading",
 *    "source": "production", "target": "staging", "tables": [...], "exclude": [...],
 *    "chunk_size": 67108864, "copy_format": "auto",
 *    "masking": {"rules_hash": "...", "key_fingerprint": "..."} or null,
 *    "chunks": {"total": 120, "done": 37}, "tasks": {"total": 180, "done": 37},
 *    "per_table": [{"table": "public.film", "chunks": 8, "done": 3}, ...],
 *    "updated_at": "2026-11-24T23:59:59Z"}
 *
 * source and target are the environment names given, or the connection strings without
 * their passwords.
 */
#ifndef CONFITURE_CHECKPOINT_H
#define CONFITURE_CHECKPOINT_H

#include "cli/cli.h"
#include "common/err.h"
#include "common/value.h"

typedef struct checkpoint checkpoint_t;

/* A checkpoint for path, describing the job options o (spec: the SUBMIT body). */
checkpoint_t *checkpoint_new(const char *path, const cli_options_t *o, const value_t *spec);

/* Frees it; *self_p = NULL; safe on NULL. */
void checkpoint_destroy(checkpoint_t **self_p);

/* The job's plan event (job id, tables, chunk counts, and for a resume what is done). */
void checkpoint_plan(checkpoint_t *self, const value_t *plan);

/* A task_done event. */
void checkpoint_task_done(checkpoint_t *self, const value_t *event);

/* The job's state: "loading", "done", "failed", "interrupted", "different", "leaked". */
void checkpoint_state(checkpoint_t *self, const char *state);

/* Writes the file atomically. Returns 0, or -1 with err set (what and where). */
int checkpoint_write(checkpoint_t *self, err_t *err);

/*
 * Reads the job id (into job, len bytes) and, when target is not NULL, the target as
 * recorded (a malloc'd string) from the checkpoint file at path. Returns 0, or -1 with err
 * set (missing file, not a checkpoint).
 */
int checkpoint_read(const char *path, char *job, size_t len, char **target, err_t *err);

#endif
