/*
 * ledger.c - the job ledger on the target.
 */
#include "common/ledger.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/exitcodes.h"
#include "common/pgutil.h"

const char *const ledger_schema_sql =
    "CREATE SCHEMA IF NOT EXISTS confiture;\n"
    "CREATE TABLE IF NOT EXISTS confiture.job (\n"
    "  job_id text PRIMARY KEY,\n"
    "  created_at timestamptz NOT NULL DEFAULT now(),\n"
    "  updated_at timestamptz NOT NULL DEFAULT now(),\n"
    "  state text NOT NULL,\n"
    "  source text NOT NULL,\n"
    "  snapshot text,\n"
    "  plan_hash text NOT NULL,\n"
    "  spec jsonb NOT NULL);\n"
    "ALTER TABLE confiture.job ADD COLUMN IF NOT EXISTS rules_hash text,\n"
    "  ADD COLUMN IF NOT EXISTS mask_key_fingerprint text,\n"
    "  ADD COLUMN IF NOT EXISTS plan jsonb,\n"
    "  ADD COLUMN IF NOT EXISTS plan_mp bytea,\n"
    "  ADD COLUMN IF NOT EXISTS sequences text[],\n"
    "  ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz;\n"
    "CREATE TABLE IF NOT EXISTS confiture.task (\n"
    "  job_id text NOT NULL REFERENCES confiture.job ON DELETE CASCADE,\n"
    "  task_id integer NOT NULL,\n"
    "  kind text NOT NULL,\n"
    "  relation text NOT NULL,\n"
    "  detail text NOT NULL,\n"
    "  est_bytes bigint NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (job_id, task_id));\n"
    "ALTER TABLE confiture.task ADD COLUMN IF NOT EXISTS label text,\n"
    "  ADD COLUMN IF NOT EXISTS body jsonb,\n"
    "  ADD COLUMN IF NOT EXISTS body_mp bytea,\n"
    "  ADD COLUMN IF NOT EXISTS depends integer[];\n"
    "CREATE TABLE IF NOT EXISTS confiture.task_done (\n"
    "  job_id text NOT NULL,\n"
    "  task_id integer NOT NULL,\n"
    "  attempt integer NOT NULL,\n"
    "  worker text,\n"
    "  rows bigint,\n"
    "  bytes bigint,\n"
    "  done_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
    "  PRIMARY KEY (job_id, task_id),\n"
    "  FOREIGN KEY (job_id, task_id) REFERENCES confiture.task ON DELETE CASCADE);\n"
    "CREATE TABLE IF NOT EXISTS confiture.attempt (\n"
    "  job_id text NOT NULL,\n"
    "  task_id integer NOT NULL,\n"
    "  attempt integer NOT NULL,\n"
    "  worker text,\n"
    "  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
    "  PRIMARY KEY (job_id, task_id, attempt),\n"
    "  FOREIGN KEY (job_id, task_id) REFERENCES confiture.task ON DELETE CASCADE);\n";

const char *const ledger_check_sql =
    "SELECT count(*) = 15 FROM information_schema.columns WHERE table_schema = 'confiture' "
    "AND (table_name, column_name) IN (('job', 'job_id'), ('job', 'rules_hash'), "
    "('job', 'mask_key_fingerprint'), ('job', 'plan'), ('job', 'plan_mp'), ('job', 'sequences'), "
    "('job', 'heartbeat_at'), ('task', 'task_id'), ('task', 'label'), ('task', 'body'), "
    "('task', 'depends'), ('task', 'body_mp'), ('task_done', 'rows'), ('attempt', 'attempt'), "
    "('attempt', 'started_at'))";

int
ledger_start_attempt(PGconn *conn, const char *job, int task, int attempt, const char *worker,
                     err_t *err)
{
    char task_text[16], attempt_text[16];
    const char *params[4] = {job, task_text, attempt_text, worker};
    PGresult *res;
    int rc;

    snprintf(task_text, sizeof(task_text), "%d", task);
    snprintf(attempt_text, sizeof(attempt_text), "%d", attempt);
    res = pgutil_query(conn, err,
                       "INSERT INTO confiture.attempt (job_id, task_id, attempt, worker) "
                       "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING; ",
                       4, params);
    if (res == NULL)
        return -1;
    PQclear(res);
    res = pgutil_query(conn, err,
                       "SELECT NOT EXISTS (SELECT 1 FROM confiture.attempt WHERE job_id = $1 "
                       "AND task_id = $2 AND attempt > $3)",
                       3, params);
    if (res == NULL)
        return -1;
    rc = PQgetvalue(res, 0, 0)[0] == 't' ? 1 : 0;
    PQclear(res);
    return rc;
}

int
ledger_claim(PGconn *conn, const char *job, int task, int attempt, const char *worker, err_t *err)
{
    char task_text[16], attempt_text[16];
    const char *params[4] = {job, task_text, attempt_text, worker};
    PGresult *res;
    const char *state;

    snprintf(task_text, sizeof(task_text), "%d", task);
    snprintf(attempt_text, sizeof(attempt_text), "%d", attempt);
    res = PQexecParams(conn,
                       "INSERT INTO confiture.task_done (job_id, task_id, attempt, worker) "
                       "VALUES ($1, $2, $3, $4)",
                       4, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return 1;
    }
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state != NULL && strcmp(state, "23505") == 0) {
        PQclear(res);
        return 0;
    }
    pgutil_set_error(err, conn, res, "cannot record the task in the ledger");
    PQclear(res);
    return -1;
}

int
ledger_record(PGconn *conn, const char *job, int task, int attempt, int64_t rows, int64_t bytes,
              err_t *err)
{
    char task_text[16], attempt_text[16], rows_text[24], bytes_text[24];
    const char *params[5] = {job, task_text, rows_text, bytes_text, attempt_text};
    PGresult *res;
    bool current;

    snprintf(task_text, sizeof(task_text), "%d", task);
    snprintf(attempt_text, sizeof(attempt_text), "%d", attempt);
    snprintf(rows_text, sizeof(rows_text), "%lld", (long long) rows);
    snprintf(bytes_text, sizeof(bytes_text), "%lld", (long long) bytes);
    res = pgutil_query(conn, err,
                       "UPDATE confiture.task_done SET rows = $3, bytes = $4 "
                       "WHERE job_id = $1 AND task_id = $2 AND NOT EXISTS "
                       "(SELECT 1 FROM confiture.attempt a WHERE a.job_id = $1 "
                       "AND a.task_id = $2 AND a.attempt > $5::integer)",
                       5, params);
    if (res == NULL)
        return -1;
    current = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (!current)
        return err_set(err, "stale", EXIT_CODE_FAILED,
                       "task %d attempt %d was superseded by a later attempt: rolled back", task,
                       attempt);
    return 0;
}

int
ledger_committed_counts(PGconn *conn, const char *job, int task, int64_t *rows, int64_t *bytes,
                        err_t *err)
{
    char task_text[16];
    const char *params[2] = {job, task_text};
    PGresult *res;

    snprintf(task_text, sizeof(task_text), "%d", task);
    res = pgutil_query(conn, err,
                       "SELECT coalesce(rows, 0), coalesce(bytes, 0) FROM confiture.task_done "
                       "WHERE job_id = $1 AND task_id = $2",
                       2, params);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 1) {
        *rows = pgutil_int(res, 0, 0, 0);
        *bytes = pgutil_int(res, 0, 1, 0);
    }
    PQclear(res);
    return 0;
}
