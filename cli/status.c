/*
 * status.c - `confiture status --checkpoint FILE`: what a job has done and what is left, read
 * from the ledger on its target (the checkpoint file names the job and the target; --to
 * overrides the target).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/checkpoint.h"
#include "cli/cli.h"
#include "common/config.h"
#include "common/exitcodes.h"
#include "common/ledger.h"
#include "common/pgutil.h"

int
cli_status(const cli_options_t *o)
{
    char job[64];
    char *target = NULL;
    const char *params[1] = {job};
    PGconn *conn = NULL;
    PGresult *row = NULL, *kinds = NULL, *tables = NULL;
    value_t *doc = NULL;
    int64_t chunks = 0, chunks_done = 0, rows = 0;
    err_t err;
    int rc = EXIT_CODE_OK;

    err_clear(&err);
    if (checkpoint_read(o->checkpoint, job, sizeof(job), &target, &err) != 0)
        return cli_fail(o, &err);
    conn =
        cli_connect(o, o->to != NULL ? o->to : (target ? target : ""), "target", NULL, false, &err);
    if (conn == NULL)
        goto fail;
    row = pgutil_query(conn, &err, ledger_check_sql, 0, NULL);
    if (row == NULL)
        goto fail;
    if (PQgetvalue(row, 0, 0)[0] != 't') {
        err_set(&err, "status", EXIT_CODE_USAGE, "%s has no confiture ledger",
                o->to != NULL ? o->to : target);
        err_hint(&err, "the job never prepared this target, or --to names another database");
        goto fail;
    }
    PQclear(row);
    row = pgutil_query(conn, &err,
                       "SELECT state, to_char(updated_at AT TIME ZONE 'UTC', "
                       "'YYYY-MM-DD HH24:MI:SS'), "
                       "extract(epoch FROM now() - coalesce(heartbeat_at, updated_at))::bigint, "
                       "snapshot, source, coalesce(rules_hash, ''), "
                       "coalesce(mask_key_fingerprint, '') "
                       "FROM confiture.job WHERE job_id = $1",
                       1, params);
    if (row == NULL)
        goto fail;
    if (PQntuples(row) == 0) {
        err_set(&err, "status", EXIT_CODE_USAGE, "job %s is not in the ledger of %s", job,
                o->to != NULL ? o->to : target);
        err_hint(&err, "the job stopped before it prepared the target, or --to names another "
                       "database");
        goto fail;
    }
    kinds = pgutil_query(conn, &err,
                         "SELECT t.kind, count(*), count(d.task_id) FROM confiture.task t "
                         "LEFT JOIN confiture.task_done d USING (job_id, task_id) "
                         "WHERE t.job_id = $1 AND t.kind <> 'leakscan' GROUP BY t.kind "
                         "ORDER BY min(t.task_id)",
                         1, params);
    tables = kinds ? pgutil_query(conn, &err,
                                  "SELECT t.relation, count(*), count(d.task_id), "
                                  "coalesce(sum(d.rows), 0) FROM confiture.task t "
                                  "LEFT JOIN confiture.task_done d USING (job_id, task_id) "
                                  "WHERE t.job_id = $1 AND t.kind = 'copy' "
                                  "GROUP BY t.relation ORDER BY t.relation",
                                  1, params)
                   : NULL;
    if (tables == NULL)
        goto fail;
    for (int r = 0; r < PQntuples(tables); r++) {
        chunks += pgutil_int(tables, r, 1, 0);
        chunks_done += pgutil_int(tables, r, 2, 0);
        rows += pgutil_int(tables, r, 3, 0);
    }

    if (o->format == FORMAT_JSON) {
        value_t *c = value_new_map(), *k = value_new_map(), *t = value_new_array();

        doc = value_new_map();
        value_map_put_bool(doc, "ok", true);
        value_map_put_string(doc, "command", "status");
        value_map_put_string(doc, "job", job);
        value_map_put_string(doc, "state", PQgetvalue(row, 0, 0));
        value_map_put_string(doc, "updated_at", PQgetvalue(row, 0, 1));
        value_map_put_int(doc, "heartbeat_age_s", pgutil_int(row, 0, 2, 0));
        value_map_put_string(doc, "snapshot", PQgetvalue(row, 0, 3));
        value_map_put_int(c, "total", chunks);
        value_map_put_int(c, "done", chunks_done);
        value_map_put(doc, "chunks", c);
        value_map_put_int(doc, "rows", rows);
        for (int r = 0; r < PQntuples(kinds); r++) {
            value_t *e = value_new_map();

            value_map_put_int(e, "total", pgutil_int(kinds, r, 1, 0));
            value_map_put_int(e, "done", pgutil_int(kinds, r, 2, 0));
            value_map_put(k, PQgetvalue(kinds, r, 0), e);
        }
        value_map_put(doc, "tasks", k);
        for (int r = 0; r < PQntuples(tables); r++) {
            value_t *e = value_new_map();

            value_map_put_string(e, "table", PQgetvalue(tables, r, 0));
            value_map_put_int(e, "chunks", pgutil_int(tables, r, 1, 0));
            value_map_put_int(e, "done", pgutil_int(tables, r, 2, 0));
            value_map_put_int(e, "rows", pgutil_int(tables, r, 3, 0));
            value_array_push(t, e);
        }
        value_map_put(doc, "tables", t);
        if (PQgetvalue(row, 0, 5)[0]) {
            value_t *m = value_new_map();

            value_map_put_string(m, "rules_hash", PQgetvalue(row, 0, 5));
            value_map_put_string(m, "key_fingerprint", PQgetvalue(row, 0, 6));
            value_map_put(doc, "masking", m);
        }
        cli_print_json(doc);
    } else {
        printf("job %s: %s (updated %s UTC; last heartbeat %s s ago)\n", job, PQgetvalue(row, 0, 0),
               PQgetvalue(row, 0, 1), PQgetvalue(row, 0, 2));
        printf("chunks: %lld of %lld committed, %lld left; %lld rows\n", (long long) chunks_done,
               (long long) chunks, (long long) (chunks - chunks_done), (long long) rows);
        printf("tasks:");
        for (int r = 0; r < PQntuples(kinds); r++)
            printf("%s %s %s/%s", r ? "," : "", PQgetvalue(kinds, r, 0), PQgetvalue(kinds, r, 2),
                   PQgetvalue(kinds, r, 1));
        printf("\n\n%-44s %7s %7s %12s\n", "table", "chunks", "done", "rows");
        for (int r = 0; r < PQntuples(tables); r++)
            printf("%-44s %7s %7s %12s\n", PQgetvalue(tables, r, 0), PQgetvalue(tables, r, 1),
                   PQgetvalue(tables, r, 2), PQgetvalue(tables, r, 3));
        if (strcmp(PQgetvalue(row, 0, 0), "done") != 0 &&
            strcmp(PQgetvalue(row, 0, 0), "different") != 0 &&
            strcmp(PQgetvalue(row, 0, 0), "leaked") != 0)
            printf("\nto finish it: the same confiture sync command with --checkpoint %s "
                   "--resume\n",
                   o->checkpoint);
    }
    goto done;

fail:
    rc = cli_fail(o, &err);
done:
    value_destroy(&doc);
    PQclear(row);
    PQclear(kinds);
    PQclear(tables);
    PQfinish(conn);
    free(target);
    return rc;
}
