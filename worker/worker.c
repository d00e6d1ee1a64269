/*
 * worker.c - the worker process: asks the coordinator for tasks and runs them.
 *
 * How it works. A worker connects a DEALER socket to the coordinator's work ROUTER, says
 * HELLO, and asks for one task at a time (READY credit=1). A TASK is one of:
 *
 *   copy   one chunk: source COPY (SELECT ... WHERE range) TO STDOUT inside the job's
 *          exported snapshot, streamed into COPY ... FROM STDIN on the target;
 *   sql    statements on the target (an index, a constraint, a foreign key, ANALYZE);
 *   leakscan  the masked columns of one table compared, source (in the snapshot) against
 *          target: no masked value may still equal its source (common/leakscan.h).
 *
 * A copy task of a masked table carries its rules ("mask" entries); the worker masks the
 * stream with its own key (worker/maskstream.h), which it reads at start from
 * --mask-key-file or CONFITURE_MASK_KEY and never sends anywhere: HELLO carries only its
 * fingerprint, and a task for another key is refused.
 *
 * Either way the target work runs in one transaction that first claims the task in the
 * ledger (common/ledger.h): a task that already committed is skipped, never redone. The
 * result goes back as DONE (rows, bytes, skipped) or FAILED (SQLSTATE, message, whether a
 * retry may help), followed by READY for the next task.
 *
 * Liveness. The worker is single-threaded: while a COPY streams, the pump calls back every
 * second (or whenever the source has nothing to read), and the worker then sends PROGRESS or
 * HEARTBEAT and reads the coordinator's messages (HEARTBEAT, CANCEL, SHUTDOWN). A CANCEL of
 * the running attempt, a SHUTDOWN or a signal aborts the task: its connections are closed, so
 * both transactions roll back. If the coordinator goes silent the worker says HELLO again
 * (the coordinator may have restarted) and keeps what it is doing: the ledger makes a
 * duplicate attempt harmless.
 *
 * Secrets. A task names its databases by reference (env:, var:, dsn:); the worker resolves
 * them from its own environment and config dir. Connections are kept between tasks of the
 * same job and closed after an error.
 */
#include "worker/worker.h"

#include <czmq.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/exitcodes.h"
#include "common/ledger.h"
#include "common/log.h"
#include "common/pgutil.h"
#include "common/value.h"
#include "common/leakscan.h"
#include "proto/proto.h"
#include "worker/mask.h"
#include "worker/maskstream.h"
#include "worker/pump.h"

/* Retries of an attempt whose connection dropped: first pause, longest pause, and how long
 * to keep trying when the task does not say (its "retry_ms", from sync --retry-time). */
#define S_RETRY_FIRST_MS   500
#define S_RETRY_MAX_MS     8000
#define S_RETRY_DEFAULT_MS 60000

typedef struct worker {
    const worker_options_t *options;            /* how we were started */
    volatile sig_atomic_t *stop;                /* set by the signal handler */
    zsock_t *sock;                              /* DEALER to the coordinator */
    char id[128];                               /* our worker id */
    int64_t last_sent;                          /* when we last sent anything (ms, monotonic) */
    int64_t last_heard;                         /* when the coordinator last spoke */
    bool shutdown;                              /* SHUTDOWN received */
    char *src_ref;                              /* reference of the open source connection */
    PGconn *src;                                /* cached source connection, or NULL */
    char *tgt_ref;                              /* reference of the open target connection */
    PGconn *tgt;                                /* cached target connection, or NULL */
    char *encoding;                             /* client_encoding of the cached connections */
    const char *job;                            /* running task's job, or NULL */
    int task;                                   /* running task's id */
    int attempt;                                /* running task's attempt */
    bool cancelled;                             /* CANCEL received for the running attempt */
    bool has_key;                               /* a masking key was given */
    mask_key_t key;                             /* the masking key (never sent, never logged) */
    char fingerprint[MASK_FINGERPRINT_LEN + 1]; /* its fingerprint, "" without a key */
    value_t *report;                            /* extra DONE fields of the running task, or NULL */
} worker_t;

static int64_t
s_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
s_send(worker_t *w, const char *command, const value_t *body)
{
    if (proto_send(w->sock, NULL, command, body) != 0)
        log_warn("cannot send %s to the coordinator", command);
    w->last_sent = s_now();
}

static void
s_hello(worker_t *w)
{
    value_t *body = value_new_map();
    char host[256] = "";

    gethostname(host, sizeof(host) - 1);
    value_map_put_string(body, "worker", w->id);
    value_map_put_string(body, "host", host);
    value_map_put_int(body, "pid", getpid());
    value_map_put_int(body, "version", PROTO_VERSION);
    /* How many tasks we can take now: the coordinator sets our credit to this. */
    value_map_put_int(body, "credit", w->job == NULL ? 1 : 0);
    value_map_put_string(body, "mask_key", w->fingerprint);
    s_send(w, PROTO_HELLO, body);
    value_destroy(&body);
}

static void
s_ready(worker_t *w)
{
    value_t *body = value_new_map();

    value_map_put_int(body, "credit", 1);
    s_send(w, PROTO_READY, body);
    value_destroy(&body);
}

static void
s_close_connections(worker_t *w)
{
    PQfinish(w->src);
    PQfinish(w->tgt);
    w->src = w->tgt = NULL;
    free(w->src_ref);
    free(w->tgt_ref);
    free(w->encoding);
    w->src_ref = w->tgt_ref = w->encoding = NULL;
}

/* Handles one message from the coordinator outside of a task, or while one runs. */
static void
s_handle(worker_t *w, const char *command, const value_t *body)
{
    w->last_heard = s_now();
    if (strcmp(command, PROTO_HEARTBEAT) == 0)
        return;
    if (strcmp(command, PROTO_SHUTDOWN) == 0) {
        log_debug("shutdown requested by the coordinator");
        w->shutdown = true;
        return;
    }
    if (strcmp(command, PROTO_CANCEL) == 0) {
        if (w->job != NULL && strcmp(value_map_string(body, "job", ""), w->job) == 0 &&
            value_map_int(body, "task", -1) == w->task &&
            value_map_int(body, "attempt", -1) == w->attempt) {
            log_info("task %d attempt %d cancelled by the coordinator", w->task, w->attempt);
            w->cancelled = true;
        }
        return;
    }
    if (strcmp(command, PROTO_ERROR) == 0) {
        /* The coordinator does not know us (it restarted, or declared us dead). */
        log_warn("coordinator: %s", value_map_string(body, "message", "error"));
        if (strcmp(value_map_string(body, "code", ""), "unknown_worker") == 0)
            s_hello(w);
        return;
    }
    log_warn("unexpected %s from the coordinator while busy; ignored", command);
}

/* A TASK that came while we are busy (a hello crossed a dispatch): hand it straight back,
 * so the coordinator requeues it now rather than when its lease expires. */
static void
s_refuse(worker_t *w, const value_t *task)
{
    value_t *body = value_new_map();

    log_debug("refusing task %lld: busy with task %d", (long long) value_map_int(task, "task", -1),
              w->task);
    value_map_put_string(body, "job", value_map_string(task, "job", ""));
    value_map_put_int(body, "task", value_map_int(task, "task", -1));
    value_map_put_int(body, "attempt", value_map_int(task, "attempt", 0));
    value_map_put_string(body, "code", "busy");
    value_map_put_string(body, "sqlstate", "");
    value_map_put_string(body, "message", "the worker was busy with another task");
    value_map_put_bool(body, "retry", true);
    s_send(w, PROTO_FAILED, body);
    value_destroy(&body);
}

/*
 * Waits up to timeout_ms for a message (or for fd to be readable), handles every message that
 * is there, sends a heartbeat when due. Returns the TASK body when one arrived (caller owns
 * it), else NULL.
 */
static value_t *
s_poll(worker_t *w, int fd, int timeout_ms)
{
    zmq_pollitem_t items[2] = {{zsock_resolve(w->sock), 0, ZMQ_POLLIN, 0},
                               {NULL, fd, ZMQ_POLLIN, 0}};
    value_t *task = NULL;
    int64_t now;

    if (zmq_poll(items, fd >= 0 ? 2 : 1, timeout_ms) > 0 || (items[0].revents & ZMQ_POLLIN)) {
        while (zsock_events(w->sock) & ZMQ_POLLIN) {
            char *command = NULL;
            value_t *body = NULL;
            err_t err;
            int rc = proto_recv(w->sock, false, NULL, &command, &body, &err);

            if (rc == -2)
                break;
            if (rc != 0) {
                log_warn("dropped a malformed message from the coordinator: %s", err.message);
                continue;
            }
            if (strcmp(command, PROTO_TASK) == 0 && task == NULL && w->job == NULL) {
                w->last_heard = s_now();
                task = body;
                body = NULL;
            } else if (strcmp(command, PROTO_TASK) == 0) {
                w->last_heard = s_now();
                s_refuse(w, body);
            } else {
                s_handle(w, command, body);
            }
            free(command);
            value_destroy(&body);
        }
    }
    now = s_now();
    if (now - w->last_sent >= w->options->heartbeat_ms)
        s_send(w, PROTO_HEARTBEAT, NULL);
    if (now - w->last_heard > w->options->coordinator_timeout_ms) {
        log_warn("no word from the coordinator for %d s; saying hello again",
                 (int) ((now - w->last_heard) / 1000));
        w->last_heard = now;
        s_hello(w);
    }
    return task;
}

/* The pump's service callback: progress, heartbeats, cancel. */
static int
s_service(void *arg, int fd, int timeout_ms, int64_t rows, int64_t bytes)
{
    worker_t *w = arg;
    value_t *stray;

    if (s_now() - w->last_sent >= w->options->heartbeat_ms) {
        value_t *body = value_new_map();

        value_map_put_string(body, "job", w->job);
        value_map_put_int(body, "task", w->task);
        value_map_put_int(body, "attempt", w->attempt);
        value_map_put_int(body, "rows", rows);
        value_map_put_int(body, "bytes", bytes);
        s_send(w, PROTO_PROGRESS, body);
        value_destroy(&body);
    }
    stray = s_poll(w, fd, timeout_ms); /* never a task: w->job is set, so they are refused */
    value_destroy(&stray);
    return (w->cancelled || w->shutdown || *w->stop) ? -1 : 0;
}

/* Opens (or reuses) a connection to ref. Returns it or NULL with err set. */
static PGconn *
s_connection(worker_t *w, bool source, const char *ref, const char *encoding, err_t *err)
{
    PGconn **conn = source ? &w->src : &w->tgt;
    char **conn_ref = source ? &w->src_ref : &w->tgt_ref;
    char *conninfo;

    if (w->encoding != NULL && strcmp(w->encoding, encoding) != 0)
        s_close_connections(w);
    if (*conn != NULL && strcmp(*conn_ref, ref) == 0 && PQstatus(*conn) == CONNECTION_OK &&
        PQtransactionStatus(*conn) == PQTRANS_IDLE)
        return *conn;
    PQfinish(*conn);
    *conn = NULL;
    free(*conn_ref);
    *conn_ref = NULL;
    conninfo = pgutil_resolve_ref(ref, w->options->config_dir, err);
    if (conninfo == NULL)
        return NULL;
    *conn = pgutil_connect(conninfo, source ? "source" : "target", encoding, NULL, err);
    free(conninfo);
    if (*conn == NULL)
        return NULL;
    *conn_ref = strdup(ref);
    if (w->encoding == NULL)
        w->encoding = strdup(encoding);
    return *conn;
}

static int
s_set_application_name(worker_t *w, PGconn *conn, err_t *err)
{
    char name[128], sql[256];

    snprintf(name, sizeof(name), "confiture job=%s task=%d attempt=%d", w->job, w->task,
             w->attempt);
    snprintf(sql, sizeof(sql), "SET application_name = '%s'", name);
    return pgutil_exec(conn, err, sql);
}

/*
 * After a claim that did not succeed (claim 0: committed by an earlier attempt; -1: error):
 * rolls back and, for a skip, reports the counts the committed attempt recorded, so the
 * job's totals stay right. Returns claim, or -1.
 */
static int
s_skip(PGconn *tgt, worker_t *w, int claim, int64_t *rows, int64_t *bytes, err_t *err)
{
    err_t ignored;

    pgutil_exec(tgt, &ignored, "ROLLBACK");
    if (claim == 0 && ledger_committed_counts(tgt, w->job, w->task, rows, bytes, err) != 0)
        return -1;
    return claim;
}

/* The pump's transform for a masked copy. */
static int
s_mask_transform(void *arg, const char *data, size_t len, const char **out, size_t *outlen,
                 err_t *err)
{
    maskstream_t *stream = arg;

    if (data == NULL)
        return maskstream_finish(stream, err);
    return maskstream_message(stream, data, len, out, outlen, err);
}

/*
 * The masking of a copy task, when it has rules: NULL with err clear when it has none, NULL
 * with err set when this worker cannot mask it (no key, another key, a rule that does not
 * build).
 */
static maskstream_t *
s_mask_stream(worker_t *w, const value_t *task, err_t *err)
{
    const value_t *mask = value_map_get(task, "mask");
    const char *wanted = value_map_string(task, "mask_key", "");
    const char *table = value_map_string(task, "table", "?");

    err_clear(err);
    if (mask == NULL || value_size(mask) == 0)
        return NULL;
    if (!w->has_key || strcmp(wanted, w->fingerprint) != 0) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG,
                "worker %s cannot mask %s: the job's masking key is %s, this worker has %s%s",
                w->id, table, wanted, w->has_key ? "key " : "no key", w->fingerprint);
        err_hint(err, "give every worker the same CONFITURE_MASK_KEY or --mask-key-file");
        return NULL;
    }
    return maskstream_new(mask, (int) value_map_int(task, "mask_fields", 0),
                          value_map_bool(task, "binary", false), table, &w->key, err);
}

/*
 * Records the attempt (fencing: see common/ledger.h), opens the target transaction with
 * begin_sql and claims the task in it. Returns 1 claimed, 0 already committed, -1 error,
 * -3 superseded (a later attempt of the task has started: this one must give way).
 */
static int
s_claim(worker_t *w, PGconn *tgt, const char *begin_sql, err_t *err)
{
    int rc = ledger_start_attempt(tgt, w->job, w->task, w->attempt, w->id, err);

    if (rc < 0)
        return -1;
    if (rc == 0) {
        err_set(err, "stale", EXIT_CODE_FAILED,
                "task %d attempt %d was superseded by a later attempt", w->task, w->attempt);
        return -3;
    }
    if (pgutil_exec(tgt, err, begin_sql) != 0)
        return -1;
    return ledger_claim(tgt, w->job, w->task, w->attempt, w->id, err);
}

/* Runs a copy task. Returns 1 done, 0 skipped (already committed), -1 failed, -2 aborted,
 * -3 superseded. */
static int
s_run_copy(worker_t *w, const value_t *task, int64_t *rows, int64_t *bytes, err_t *err)
{
    const char *encoding = value_map_string(task, "encoding", "UTF8");
    PGconn *tgt, *src;
    maskstream_t *stream;
    char sql[256];
    int rc;

    tgt = s_connection(w, false, value_map_string(task, "target", ""), encoding, err);
    if (tgt == NULL)
        return -1;
    src = s_connection(w, true, value_map_string(task, "source", ""), encoding, err);
    if (src == NULL)
        return -1;
    if (s_set_application_name(w, tgt, err) != 0 || s_set_application_name(w, src, err) != 0)
        return -1;
    rc = s_claim(w, tgt, "BEGIN; SET LOCAL synchronous_commit = off", err);
    if (rc <= 0)
        return rc == -3 ? -3 : s_skip(tgt, w, rc, rows, bytes, err);
    snprintf(sql, sizeof(sql),
             "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '%s'",
             value_map_string(task, "snapshot", ""));
    if (pgutil_exec(src, err, sql) != 0) {
        if (strcmp(pgutil_err_sqlstate(err), "22023") == 0)
            err_hint(err, "the job's snapshot is gone: its holder (confiture-coordinator "
                          "--hold-snapshot) or the source server stopped; --resume goes on in "
                          "a new snapshot");
        return -1;
    }
    stream = s_mask_stream(w, task, err);
    if (stream == NULL && err->code[0] != '\0')
        return -1;
    rc = pump_copy(src, value_map_string(task, "source_sql", ""), tgt,
                   value_map_string(task, "target_sql", ""), stream ? s_mask_transform : NULL,
                   stream, s_service, w, rows, bytes, err);
    maskstream_destroy(&stream);
    if (rc != 0)
        return rc;
    if (pgutil_exec(src, err, "COMMIT") != 0)
        return -1;
    if (ledger_record(tgt, w->job, w->task, w->attempt, *rows, *bytes, err) != 0)
        return strcmp(err->code, "stale") == 0 ? -3 : -1;
    if (pgutil_exec(tgt, err, "COMMIT") != 0)
        return -1;
    return 1;
}

/*
 * Runs sql (one or more statements) without going deaf: while the server works (an index
 * build, a foreign key validation, ANALYZE can take minutes), the worker keeps sending
 * PROGRESS, which renews the task's lease, and keeps reading CANCEL. When value is not NULL
 * it gets the first column of the first row of the last result. Returns 0, -1 with err set,
 * or -2 when aborted (the caller drops the connection, which rolls the transaction back).
 */
static int
s_exec_serviced(worker_t *w, PGconn *conn, const char *sql, int64_t *value, err_t *err)
{
    int rc = 0;

    if (!PQsendQuery(conn, sql))
        return pgutil_set_error(err, conn, NULL, NULL);
    for (;;) {
        PGresult *res;
        ExecStatusType status;

        while (PQisBusy(conn)) {
            if (s_service(w, PQsocket(conn), 1000, 0, 0) != 0)
                return -2;
            if (!PQconsumeInput(conn))
                return pgutil_set_error(err, conn, NULL, NULL);
        }
        res = PQgetResult(conn);
        if (res == NULL)
            return rc;
        status = PQresultStatus(res);
        if (rc == 0 && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            rc = pgutil_set_error(err, conn, res, NULL);
        else if (value != NULL && status == PGRES_TUPLES_OK && PQntuples(res) > 0)
            *value = pgutil_int(res, 0, 0, 0);
        PQclear(res);
    }
}

/* Runs an sql task. Same returns as s_run_copy. */
static int
s_run_sql(worker_t *w, const value_t *task, int64_t *rows, err_t *err)
{
    const value_t *statements = value_map_get(task, "statements");
    const char *count_sql = value_map_string(task, "count_sql", NULL);
    PGconn *tgt;
    int rc;

    tgt = s_connection(w, false, value_map_string(task, "target", ""),
                       value_map_string(task, "encoding", "UTF8"), err);
    if (tgt == NULL)
        return -1;
    if (s_set_application_name(w, tgt, err) != 0)
        return -1;
    rc = s_claim(w, tgt,
                 "BEGIN; SET LOCAL synchronous_commit = off; "
                 "SET LOCAL maintenance_work_mem = '256MB'",
                 err);
    if (rc <= 0) {
        int64_t bytes = 0;

        return rc == -3 ? -3 : s_skip(tgt, w, rc, rows, &bytes, err);
    }
    /* The count first: the statements change no row, and a finish task's last one, the attach
     * of its keys, may wait for a leak scan of the table, which the count need not wait for. */
    if (count_sql != NULL) {
        rc = s_exec_serviced(w, tgt, count_sql, rows, err);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < value_size(statements); i++) {
        rc = s_exec_serviced(w, tgt, value_string(value_at(statements, i), ""), NULL, err);
        if (rc != 0)
            return rc;
    }
    if (ledger_record(tgt, w->job, w->task, w->attempt, *rows, 0, err) != 0)
        return strcmp(err->code, "stale") == 0 ? -3 : -1;
    if (pgutil_exec(tgt, err, "COMMIT") != 0)
        return -1;
    return 1;
}

/*
 * Runs a leak scan task: the source read in the job's snapshot, the target as committed.
 * The DONE report gets "columns": [{column, strategy, checked, equal, skipped}].
 */
static int
s_run_leakscan(worker_t *w, const value_t *task, err_t *err)
{
    const char *encoding = value_map_string(task, "encoding", "UTF8");
    const value_t *columns = value_map_get(task, "columns");
    size_t n = value_size(columns);
    leak_column_t *cols = calloc(n ? n : 1, sizeof(leak_column_t));
    PGconn *tgt, *src;
    value_t *report;
    char sql[256];
    int rc = -1;

    if (cols == NULL)
        abort();
    tgt = s_connection(w, false, value_map_string(task, "target", ""), encoding, err);
    src = tgt ? s_connection(w, true, value_map_string(task, "source", ""), encoding, err) : NULL;
    if (src == NULL || s_set_application_name(w, tgt, err) != 0 ||
        s_set_application_name(w, src, err) != 0)
        goto done;
    snprintf(sql, sizeof(sql),
             "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '%s'",
             value_map_string(task, "snapshot", ""));
    if (pgutil_exec(src, err, sql) != 0 ||
        pgutil_exec(tgt, err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        cols[i].column = value_map_string(value_at(columns, i), "column", "");
        cols[i].strategy = value_map_string(value_at(columns, i), "strategy", "");
    }
    rc = leakscan_table(src, tgt, value_map_string(task, "schema", ""),
                        value_map_string(task, "name", ""), cols, (int) n, s_service, w, err);
    if (rc != 0) {
        rc = strcmp(err->code, "interrupted") == 0 ? -2 : -1;
        goto done;
    }
    rc = -1;
    if (pgutil_exec(src, err, "COMMIT") != 0 || pgutil_exec(tgt, err, "COMMIT") != 0)
        goto done;
    report = value_new_array();
    for (size_t i = 0; i < n; i++) {
        value_t *c = value_new_map();

        value_map_put_string(c, "column", cols[i].column);
        value_map_put_string(c, "strategy", cols[i].strategy);
        value_map_put_int(c, "checked", cols[i].checked);
        value_map_put_int(c, "equal", cols[i].equal);
        if (cols[i].skipped != NULL)
            value_map_put_string(c, "skipped", cols[i].skipped);
        value_array_push(report, c);
    }
    w->report = value_new_map();
    value_map_put(w->report, "columns", report);
    rc = 1;
done:
    free(cols);
    return rc;
}

/* True when a failure may heal by itself: a connection lost or refused, a server starting
 * up or shutting down, too many connections, a serialization failure or deadlock. Errors of
 * permissions, schema or data do not: they fail the attempt at once. */
static bool
s_healable(const err_t *err)
{
    static const char *const lasting[] = {"authentication failed", "pg_hba.conf",
                                          "does not exist",        "permission denied",
                                          "no password supplied",  NULL};

    if (strcmp(err->code, "connect") == 0) {
        /* refused, reset, starting up, shutting down: yes; refused by policy: no */
        for (int i = 0; lasting[i] != NULL; i++)
            if (strstr(err->message, lasting[i]) != NULL || strstr(err->detail, lasting[i]) != NULL)
                return false;
        return true;
    }
    return pgutil_sqlstate_retryable(pgutil_err_sqlstate(err));
}

/* Waits ms while staying alive (heartbeats, progress, CANCEL). Returns 0, or -1 when the
 * attempt was cancelled or the worker is stopping. */
static int
s_pause(worker_t *w, int ms)
{
    int64_t until = s_now() + ms;

    while (s_now() < until) {
        int left = (int) (until - s_now());

        if (s_service(w, -1, left < 200 ? left : 200, 0, 0) != 0)
            return -1;
    }
    return 0;
}

static void
s_run_task(worker_t *w, value_t *task)
{
    const char *kind = value_map_string(task, "kind", "");
    int64_t rows = 0, bytes = 0;
    value_t *body = value_new_map();
    int64_t retry_until = s_now() + value_map_int(task, "retry_ms", S_RETRY_DEFAULT_MS);
    err_t err;
    int rc;

    err_clear(&err);
    w->job = value_map_string(task, "job", "");
    w->task = (int) value_map_int(task, "task", -1);
    w->attempt = (int) value_map_int(task, "attempt", 0);
    w->cancelled = false;
    log_debug("task %d attempt %d: %s %s", w->task, w->attempt, kind,
              value_map_string(task, "table", ""));

    for (int delay = S_RETRY_FIRST_MS;;
         delay = delay * 2 > S_RETRY_MAX_MS ? S_RETRY_MAX_MS : delay * 2) {
        err_clear(&err);
        rows = bytes = 0;
        if (strcmp(kind, "copy") == 0)
            rc = s_run_copy(w, task, &rows, &bytes, &err);
        else if (strcmp(kind, "sql") == 0)
            rc = s_run_sql(w, task, &rows, &err);
        else if (strcmp(kind, "leakscan") == 0)
            rc = s_run_leakscan(w, task, &err);
        else
            rc = err_set(&err, "protocol", EXIT_CODE_INTERNAL, "unknown task kind \"%s\"", kind);
        if (rc != -1 || !s_healable(&err) || s_now() + delay > retry_until)
            break;
        /* A connection that dropped (a backend ended, a server restarting): the attempt's
         * transactions rolled back with it; the same attempt starts over after a pause. */
        log_warn("task %d attempt %d (%s): %s; retrying in %.1f s", w->task, w->attempt,
                 value_map_string(task, "table", kind), err.message, delay / 1000.0);
        s_close_connections(w);
        if (s_pause(w, delay) != 0) {
            rc = -2;
            break;
        }
    }

    value_map_put_string(body, "job", w->job);
    value_map_put_int(body, "task", w->task);
    value_map_put_int(body, "attempt", w->attempt);
    if (rc >= 0) {
        value_map_put_int(body, "rows", rows);
        value_map_put_int(body, "bytes", bytes);
        value_map_put_bool(body, "skipped", rc == 0);
        for (size_t i = 0; i < value_size(w->report); i++)
            value_map_put(body, value_map_key_at(w->report, i),
                          value_dup(value_map_value_at(w->report, i)));
        s_send(w, PROTO_DONE, body);
    } else {
        const char *sqlstate = pgutil_err_sqlstate(&err);

        if (rc == -2)
            err_set(&err, "interrupted", EXIT_CODE_INTERRUPTED, "task aborted");
        else if (rc == -3)
            log_info("task %d attempt %d: superseded by a later attempt; rolled back", w->task,
                     w->attempt);
        else
            log_warn("task %d attempt %d (%s) failed: %s", w->task, w->attempt,
                     value_map_string(task, "table", kind), err.message);
        value_map_put_string(body, "code", err.code);
        value_map_put_string(body, "sqlstate", sqlstate);
        value_map_put_string(body, "message", err.message);
        value_map_put_string(body, "detail", err.detail);
        value_map_put_string(body, "hint", err.hint);
        value_map_put_bool(body, "retry", rc == -2 || (rc == -1 && s_healable(&err)));
        s_send(w, PROTO_FAILED, body);
        /* Whatever state the connections are in, their transactions must roll back. */
        s_close_connections(w);
    }
    value_destroy(&body);
    value_destroy(&w->report);
    w->job = NULL;
}

int
worker_run(const worker_options_t *options, volatile sig_atomic_t *stop)
{
    worker_t w;
    char host[200] = "localhost";

    memset(&w, 0, sizeof(w));
    w.options = options;
    w.stop = stop;
    gethostname(host, sizeof(host) - 1);
    {
        err_t err;
        int loaded = mask_key_load(options->mask_key_file, &w.key, &err);

        /* the secret is in memory now: no child or later reader of ours needs it */
        unsetenv(MASK_KEY_ENV);
        if (loaded < 0) {
            log_err(&err);
            return err.exit_code;
        }
        w.has_key = loaded == 1;
        if (w.has_key)
            mask_key_fingerprint(&w.key, w.fingerprint);
        log_info("masking key: %s%s", w.has_key ? "fingerprint " : "none",
                 w.has_key ? w.fingerprint : "");
    }
    if (options->name != NULL)
        snprintf(w.id, sizeof(w.id), "%s", options->name);
    else
        snprintf(w.id, sizeof(w.id), "%s:%d", host, (int) getpid());

    w.sock = zsock_new(ZMQ_DEALER);
    if (w.sock == NULL) {
        log_error("cannot create a ZeroMQ socket");
        return EXIT_CODE_INTERNAL;
    }
    zsock_set_identity(w.sock, w.id);
    zsock_set_linger(w.sock, 1000);
    zsock_set_sndhwm(w.sock, 0);
    if (zsock_connect(w.sock, "%s", options->endpoint) != 0) {
        log_error("cannot connect to the coordinator at \"%s\"", options->endpoint);
        zsock_destroy(&w.sock);
        return EXIT_CODE_USAGE;
    }
    log_debug("worker %s connected to %s", w.id, options->endpoint);
    w.last_heard = s_now();
    s_hello(&w); /* with credit 1: no READY needed */

    while (!*stop && !w.shutdown) {
        value_t *task = s_poll(&w, -1, 500);

        if (task != NULL) {
            s_run_task(&w, task);
            value_destroy(&task);
            if (!*stop && !w.shutdown)
                s_ready(&w);
        }
    }
    s_send(&w, PROTO_BYE, NULL);
    s_close_connections(&w);
    mask_key_wipe(&w.key);
    zsock_destroy(&w.sock);
    return *stop ? EXIT_CODE_INTERRUPTED : EXIT_CODE_OK;
}
