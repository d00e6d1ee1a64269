/*
 * coordinator.c - the coordinator process: accepts jobs, schedules their tasks on workers.
 *
 * How it works. One thread, one loop, two ROUTER sockets:
 *
 *   ctl   CLIs SUBMIT a job (and get ACCEPTED, EVENTs, a RESULT) or ask it to STOP;
 *   work  workers say HELLO, ask for tasks with READY credit, report PROGRESS, DONE, FAILED,
 *         HEARTBEAT, BYE; they get TASK, CANCEL, HEARTBEAT, SHUTDOWN.
 *
 * Each turn of the loop reads every waiting message, lets the scheduler (sched.h) expire
 * silent workers and stale leases, dispatches what it can (never more than a worker's
 * credit), sends heartbeats, and checks whether the job is finished or failed.
 *
 * Workers outlive jobs: the coordinator keeps its own table of them (id, credit, last seen),
 * and each job gets a fresh scheduler that the known workers join with their credit.
 *
 * A SUBMIT is handled inline: job_open (snapshot, catalogs, preflight, plan) and job_prepare
 * (one target transaction) block the loop for a few seconds; workers keep heartbeating into
 * the socket meanwhile and their messages are read before any liveness check. One job runs
 * at a time; a second SUBMIT is refused with "busy".
 *
 * Rows never pass through here: the coordinator only moves task descriptions and counts.
 */
#include "coordinator/coordinator.h"

#include <czmq.h>
#include <string.h>
#include <time.h>

#include "common/exitcodes.h"
#include "common/log.h"
#include "common/value.h"
#include "coordinator/job.h"
#include "coordinator/sched.h"
#include "proto/proto.h"

/* How often the running job's ledger heartbeat is renewed (its snapshot holder watches it). */
#define S_JOB_HEARTBEAT_MS 5000

typedef struct peer {
    char id[256];      /* ROUTER identity as text */
    int credit;        /* tasks it asked for and has not been given */
    int64_t pid;       /* process id it said hello with: another one means a restart */
    int64_t last_seen; /* ms, monotonic */
    char mask_key[32]; /* fingerprint of its masking key, "" without one */
    bool mismatch;     /* told that its key does not fit the running job */
} peer_t;

typedef struct coord {
    const coordinator_options_t *options; /* how we were started */
    volatile sig_atomic_t *stop;          /* signal flag */
    zsock_t *ctl;                         /* ROUTER for CLIs */
    zsock_t *work;                        /* ROUTER for workers */
    zhashx_t *peers;                      /* worker id -> peer_t */
    job_t *job;                           /* the running job, or NULL */
    sched_t *sched;                       /* its scheduler */
    zframe_t *client;                     /* identity of the CLI that submitted it */
    int64_t started;                      /* when the job was submitted */
    int64_t last_heartbeat;               /* when heartbeats last went out */
    int64_t last_job_heartbeat;           /* when the job's ledger heartbeat was renewed */
    char failure[1024];                   /* why the job failed, when it did */
    value_t *failure_error;               /* the failing task's error, for the RESULT */
    bool stopping;                        /* STOP received */
    int jobs_done;                        /* jobs finished (for --once) */
    int exit_code;                        /* what coordinator_run returns */
    int64_t shown_workers;                /* workers in the last "workers" event */
    int64_t shown_busy;                   /* busy workers in the last "workers" event */
} coord_t;

static int64_t
s_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
s_send_worker(coord_t *c, const char *worker, const char *command, const value_t *body)
{
    zframe_t *id = zframe_new(worker, strlen(worker));

    proto_send(c->work, id, command, body);
    zframe_destroy(&id);
}

static void
s_send_client(coord_t *c, const char *command, const value_t *body)
{
    if (c->client != NULL)
        proto_send(c->ctl, c->client, command, body);
}

static void
s_event(coord_t *c, value_t **event_p)
{
    s_send_client(c, PROTO_EVENT, *event_p);
    value_destroy(event_p);
}

static value_t *
s_error_body(const err_t *err)
{
    value_t *body = value_new_map();

    value_map_put_string(body, "code", err->code);
    value_map_put_string(body, "message", err->message);
    value_map_put_string(body, "detail", err->detail);
    value_map_put_string(body, "hint", err->hint);
    value_map_put_int(body, "exit_code", err->exit_code);
    return body;
}

/*
 * A worker joins the running job's scheduler, with its credit, when it can run every task of
 * the job: a masked job needs the masking key whose fingerprint the job names, so that every
 * chunk is masked alike. A worker with another key (or none) gets no task of that job.
 */
static void
s_join(coord_t *c, peer_t *peer, int64_t now)
{
    const char *key = job_mask_key(c->job);

    if (key != NULL && strcmp(peer->mask_key, key) != 0) {
        if (!peer->mismatch)
            log_warn("worker %s has %s%s, job %s masks with key %s: it gets no task of this job",
                     peer->id, peer->mask_key[0] ? "masking key " : "no masking key",
                     peer->mask_key, job_id(c->job), key);
        peer->mismatch = true;
        return;
    }
    sched_worker_join(c->sched, peer->id, now);
    sched_worker_set_credit(c->sched, peer->id, peer->credit, now);
}

/* ---------------------------------------------------------------- job lifecycle */

static void
s_end_job(coord_t *c, bool ok, int differences, value_t *summary, value_t *error)
{
    value_map_put_bool(summary, "ok", ok);
    value_map_put_double(summary, "seconds", (double) (s_now() - c->started) / 1000.0);
    if (error != NULL)
        value_map_put(summary, "error", error);
    s_send_client(c, PROTO_RESULT, summary);
    if (ok)
        log_info("job %s done", job_id(c->job));
    else if (differences)
        log_warn("job %s finished: %s", job_id(c->job), c->failure);
    else
        log_error("job %s failed: %s", job_id(c->job), c->failure);
    value_destroy(&summary);
    job_destroy(&c->job);
    sched_destroy(&c->sched);
    zframe_destroy(&c->client);
    value_destroy(&c->failure_error);
    c->failure[0] = '\0';
    c->jobs_done++;
}

/* Stops the job on a signal or an ABORT: its running attempts roll back, it stays
 * resumable (ledger state interrupted, snapshot kept). */
static void
s_interrupt(coord_t *c)
{
    snprintf(c->failure, sizeof(c->failure), "interrupted");
    value_destroy(&c->failure_error);
    c->failure_error = value_new_map();
    value_map_put_string(c->failure_error, "code", "interrupted");
    value_map_put_string(c->failure_error, "message",
                         "the job was interrupted; what committed is kept");
    value_map_put_string(c->failure_error, "hint",
                         "run the same command with --resume to finish it (with --checkpoint)");
    value_map_put_int(c->failure_error, "exit_code", EXIT_CODE_INTERRUPTED);
}

static void
s_fail_job(coord_t *c)
{
    value_t *summary = value_new_map();
    value_t *error = c->failure_error;

    c->failure_error = NULL;
    if (error == NULL) {
        error = value_new_map();
        value_map_put_string(error, "code", "failed");
        value_map_put_string(error, "message", c->failure);
        value_map_put_int(error, "exit_code", EXIT_CODE_FAILED);
    }
    /* Abort what still runs: those attempts roll back. */
    for (size_t t = 0; t < sched_task_count(c->sched); t++) {
        if (sched_task_state(c->sched, (int) t) == TASK_RUNNING) {
            value_t *cancel = value_new_map();

            value_map_put_string(cancel, "job", job_id(c->job));
            value_map_put_int(cancel, "task", (int) t);
            value_map_put_int(cancel, "attempt", sched_task_attempt(c->sched, (int) t));
            s_send_worker(c, sched_task_worker(c->sched, (int) t), PROTO_CANCEL, cancel);
            value_destroy(&cancel);
        }
    }
    job_fail(c->job, summary, c->failure,
             strcmp(value_map_string(error, "code", ""), "interrupted") == 0);
    s_end_job(c, false, 0, summary, error);
}

static void
s_finish_job(coord_t *c)
{
    value_t *summary = value_new_map();
    value_t *phase = value_new_map();
    err_t err;
    int rc;

    value_map_put_string(phase, "event", "phase");
    value_map_put_string(phase, "phase", "finish");
    s_event(c, &phase);
    err_clear(&err);
    rc = job_finish(c->job, summary, &err);
    if (rc < 0) {
        snprintf(c->failure, sizeof(c->failure), "%s", err.message);
        value_destroy(&summary);
        c->failure_error = s_error_body(&err);
        s_fail_job(c);
        return;
    }
    if (rc == 2) {
        const value_t *leaks = value_map_get(value_map_get(summary, "masking"), "leaks");
        value_t *error = value_new_map();
        char detail[2048] = "";
        size_t len = 0;

        for (size_t i = 0; i < value_size(leaks) && len < sizeof(detail) - 1; i++) {
            const value_t *l = value_at(leaks, i);
            int n = snprintf(detail + len, sizeof(detail) - len,
                             "%s%s.%s (%s) holds its source value in %lld of %lld rows",
                             i ? "\n" : "", value_map_string(l, "table", ""),
                             value_map_string(l, "column", ""), value_map_string(l, "strategy", ""),
                             (long long) value_map_int(l, "equal", 0),
                             (long long) value_map_int(l, "checked", 0));

            if (n < 0)
                break;
            len += (size_t) n < sizeof(detail) - len ? (size_t) n : sizeof(detail) - len - 1;
        }
        snprintf(c->failure, sizeof(c->failure),
                 "PII leak: %zu masked column%s of the target still hold%s source values",
                 value_size(leaks), value_size(leaks) == 1 ? "" : "s",
                 value_size(leaks) == 1 ? "s" : "");
        value_map_put_string(error, "code", "pii_leak");
        value_map_put_string(error, "message", c->failure);
        value_map_put_string(error, "detail", detail);
        value_map_put_string(error, "hint",
                             "do not hand this target out: check those columns' rules "
                             "(docs/masking.md), then sync again");
        value_map_put_int(error, "exit_code", EXIT_CODE_DIFFERENT);
        s_end_job(c, false, 1, summary, error);
        return;
    }
    if (rc == 1) {
        value_t *error = value_new_map();

        snprintf(c->failure, sizeof(c->failure), "row counts differ between source and target");
        value_map_put_string(error, "code", "different");
        value_map_put_string(error, "message", c->failure);
        value_map_put_string(error, "hint", "run confiture verify for details, then sync again");
        value_map_put_int(error, "exit_code", EXIT_CODE_DIFFERENT);
        s_end_job(c, false, 1, summary, error);
        return;
    }
    s_end_job(c, true, 0, summary, NULL);
}

/* "worker: fingerprint, ..." for every known worker, into buf (cut to len). */
static void
s_keys_seen(coord_t *c, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (peer_t *p = zhashx_first(c->peers); p != NULL && used + 1 < len;
         p = zhashx_next(c->peers)) {
        int n = snprintf(buf + used, len - used, "%s%s: %s", used ? ", " : "", p->id,
                         p->mask_key[0] ? p->mask_key : "no key");

        if (n < 0)
            break;
        used += (size_t) n < len - used ? (size_t) n : len - used - 1;
    }
}

/*
 * A masked job that none of the known workers can run is refused before the target is
 * touched (workers that have not said hello yet, as private ones at start, are given their
 * chance: s_check_keys fails the job later if none ever fits).
 */
static bool
s_no_worker_has_key(coord_t *c, err_t *err)
{
    const char *key = job_mask_key(c->job);
    char seen[512];

    if (key == NULL || zhashx_size(c->peers) == 0)
        return false;
    for (peer_t *p = zhashx_first(c->peers); p != NULL; p = zhashx_next(c->peers))
        if (strcmp(p->mask_key, key) == 0)
            return false;
    s_keys_seen(c, seen, sizeof(seen));
    err_set(err, "mask_key", EXIT_CODE_CONFIG,
            "no worker has the masking key of this job (fingerprint %s); nothing was changed", key);
    err_detail(err, "%s", seen);
    err_hint(err, "start the workers with the same CONFITURE_MASK_KEY or --mask-key-file as "
                  "this command");
    return true;
}

static void
s_submit(coord_t *c, zframe_t *client, const value_t *spec)
{
    value_t *plan, *body;
    err_t err;

    err_clear(&err);
    if (c->job != NULL) {
        err_set(&err, "busy", EXIT_CODE_FAILED, "the coordinator is running job %s",
                job_id(c->job));
        err_hint(&err, "wait for it to finish, or use another coordinator");
        body = s_error_body(&err);
        proto_send(c->ctl, client, PROTO_ERROR, body);
        value_destroy(&body);
        return;
    }
    c->started = s_now();
    c->job = job_open(spec, c->options->config_dir, c->options->snapshot_keep_s, &err);
    if (c->job == NULL) {
        log_info("job refused: %s", err.message);
        body = s_error_body(&err);
        proto_send(c->ctl, client, PROTO_ERROR, body);
        value_destroy(&body);
        c->jobs_done++;
        return;
    }
    c->client = zframe_dup(client);
    body = value_new_map();
    value_map_put_string(body, "job", job_id(c->job));
    s_send_client(c, PROTO_ACCEPTED, body);
    value_destroy(&body);
    plan = job_plan(c->job);
    s_event(c, &plan);
    log_info("job %s accepted", job_id(c->job));

    if (job_dry_run(c->job)) {
        value_t *summary = value_new_map();

        job_summary(c->job, summary);
        s_end_job(c, true, 0, summary, NULL);
        return;
    }
    if (s_no_worker_has_key(c, &err) || job_prepare(c->job, &err) != 0) {
        value_t *summary = value_new_map();

        snprintf(c->failure, sizeof(c->failure), "%s", err.message);
        value_map_put_string(summary, "job", job_id(c->job));
        s_end_job(c, false, 0, summary, s_error_body(&err));
        return;
    }
    c->sched =
        sched_new(c->options->max_attempts, c->options->worker_timeout_ms, c->options->lease_ms);
    job_schedule(c->job, c->sched);
    for (peer_t *p = zhashx_first(c->peers); p != NULL; p = zhashx_next(c->peers)) {
        p->mismatch = false;
        s_join(c, p, s_now());
    }
    body = value_new_map();
    value_map_put_string(body, "event", "phase");
    value_map_put_string(body, "phase", "copy");
    s_event(c, &body);
}

/* ---------------------------------------------------------------- messages */

static bool
s_task_of_job(coord_t *c, const value_t *body, int *task, int *attempt)
{
    if (c->job == NULL || strcmp(value_map_string(body, "job", ""), job_id(c->job)) != 0)
        return false;
    *task = (int) value_map_int(body, "task", -1);
    *attempt = (int) value_map_int(body, "attempt", -1);
    return *task >= 0 && (size_t) *task < sched_task_count(c->sched);
}

static void
s_on_worker(coord_t *c, const char *id, const char *command, const value_t *body)
{
    peer_t *peer = zhashx_lookup(c->peers, id);
    int64_t now = s_now();
    int task, attempt;

    if (strcmp(command, PROTO_HELLO) == 0) {
        /* A worker says hello when it starts, and again when it has not heard from us for a
         * while (we may have been busy opening a job, or have restarted). The same process
         * (same pid) keeps its running task; a new process under the same name lost it.
         * Either way its credit becomes what it states now, never more. */
        int64_t pid = value_map_int(body, "pid", 0);
        int credit = (int) value_map_int(body, "credit", 0);
        bool restarted = peer != NULL && peer->pid != pid;

        if (credit < 0 || credit > 64)
            credit = 0;
        if (peer == NULL) {
            peer = zmalloc(sizeof(peer_t));
            snprintf(peer->id, sizeof(peer->id), "%s", id);
            zhashx_insert(c->peers, id, peer);
            log_debug("worker %s joined (host %s, pid %lld)", id,
                      value_map_string(body, "host", "?"), (long long) pid);
        } else if (restarted) {
            log_warn("worker %s restarted (pid %lld, was %lld): its tasks go back to the queue", id,
                     (long long) pid, (long long) peer->pid);
        }
        peer->pid = pid;
        peer->credit = credit;
        peer->last_seen = now;
        snprintf(peer->mask_key, sizeof(peer->mask_key), "%s",
                 value_map_string(body, "mask_key", ""));
        if (c->sched != NULL) {
            if (restarted)
                sched_worker_leave(c->sched, id);
            s_join(c, peer, now);
        }
        return;
    }
    if (peer == NULL) {
        value_t *error = value_new_map();

        value_map_put_string(error, "code", "unknown_worker");
        value_map_put_string(error, "message", "unknown worker: say HELLO first");
        s_send_worker(c, id, PROTO_ERROR, error);
        value_destroy(&error);
        return;
    }
    peer->last_seen = now;
    if (c->sched != NULL)
        sched_worker_seen(c->sched, id, now);

    if (strcmp(command, PROTO_READY) == 0) {
        int credit = (int) value_map_int(body, "credit", 1);

        if (credit < 1 || credit > 64)
            credit = 1;
        peer->credit += credit;
        if (c->sched != NULL)
            sched_worker_credit(c->sched, id, credit, now);
    } else if (strcmp(command, PROTO_PROGRESS) == 0) {
        if (s_task_of_job(c, body, &task, &attempt) &&
            sched_progress(c->sched, task, attempt, now) == 0) {
            value_t *event = value_new_map();

            value_map_put_string(event, "event", "progress");
            value_map_put_string(event, "table", job_task_table(c->job, task));
            value_map_put_int(event, "task", task);
            value_map_put_int(event, "rows", value_map_int(body, "rows", 0));
            value_map_put_int(event, "bytes", value_map_int(body, "bytes", 0));
            s_event(c, &event);
        }
    } else if (strcmp(command, PROTO_DONE) == 0) {
        if (s_task_of_job(c, body, &task, &attempt) && sched_done(c->sched, task, attempt) == 0) {
            value_t *event = job_task_done(c->job, task, body);

            log_debug("%s: done by %s (%lld rows)", job_task_label(c->job, task), id,
                      (long long) value_map_int(body, "rows", 0));
            s_event(c, &event);
        }
    } else if (strcmp(command, PROTO_FAILED) == 0) {
        if (s_task_of_job(c, body, &task, &attempt)) {
            bool retry = value_map_bool(body, "retry", false);
            const char *hint;

            if (sched_failed(c->sched, task, attempt, retry) == 0) {
                log_warn("%s attempt %d failed on %s: %s", job_task_label(c->job, task), attempt,
                         id, value_map_string(body, "message", "?"));
                if (sched_task_state(c->sched, task) == TASK_FAILED && c->failure[0] == '\0') {
                    snprintf(c->failure, sizeof(c->failure), "%s failed: %s",
                             job_task_label(c->job, task), value_map_string(body, "message", "?"));
                    c->failure_error = value_new_map();
                    value_map_put_string(c->failure_error, "code", "failed");
                    value_map_put_string(c->failure_error, "message", c->failure);
                    value_map_put_string(c->failure_error, "detail",
                                         value_map_string(body, "detail", ""));
                    hint = job_failure_hint(c->job, task, value_map_string(body, "sqlstate", ""));
                    value_map_put_string(c->failure_error, "hint",
                                         hint ? hint : value_map_string(body, "hint", ""));
                    value_map_put_int(c->failure_error, "exit_code", EXIT_CODE_FAILED);
                }
            }
        }
    } else if (strcmp(command, PROTO_BYE) == 0) {
        if (c->sched != NULL)
            sched_worker_leave(c->sched, id);
        zhashx_delete(c->peers, id);
        log_debug("worker %s left", id);
    }
}

static void
s_on_sched_event(void *arg, sched_event_t event, const char *worker, int task, int attempt)
{
    coord_t *c = arg;

    switch (event) {
    case SCHED_WORKER_DEAD:
        log_warn("worker %s is silent: declared dead", worker ? worker : "?");
        if (worker != NULL)
            zhashx_delete(c->peers, worker);
        break;
    case SCHED_LEASE_EXPIRED:
        log_warn("%s attempt %d made no progress within its lease: requeued",
                 job_task_label(c->job, task), attempt);
        job_terminate_attempt(c->job, task, attempt);
        if (worker != NULL) {
            value_t *cancel = value_new_map();

            value_map_put_string(cancel, "job", job_id(c->job));
            value_map_put_int(cancel, "task", task);
            value_map_put_int(cancel, "attempt", attempt);
            s_send_worker(c, worker, PROTO_CANCEL, cancel);
            value_destroy(&cancel);
        }
        break;
    case SCHED_REQUEUED:
        log_warn("%s attempt %d requeued: its worker died", job_task_label(c->job, task), attempt);
        job_terminate_attempt(c->job, task, attempt);
        break;
    case SCHED_TASK_FAILED:
        if (c->failure[0] == '\0')
            snprintf(c->failure, sizeof(c->failure), "%s failed after %d attempts",
                     job_task_label(c->job, task), attempt);
        break;
    }
}

/*
 * A worker's id is its ROUTER identity, which workers set to a text name (--name, or
 * host:pid). Returns it as a string (caller frees), or NULL when it is not printable text
 * (ZeroMQ's default identities start with a zero byte and would all read as "").
 */
static char *
s_worker_id(zframe_t *identity)
{
    const unsigned char *data = zframe_data(identity);
    size_t size = zframe_size(identity);

    if (size == 0 || size >= sizeof(((peer_t *) 0)->id))
        return NULL;
    for (size_t i = 0; i < size; i++)
        if (data[i] < 0x21 || data[i] > 0x7e)
            return NULL;
    return zframe_strdup(identity);
}

static void
s_read_work(coord_t *c)
{
    while (zsock_events(c->work) & ZMQ_POLLIN) {
        zframe_t *identity = NULL;
        char *command = NULL, *id;
        value_t *body = NULL;
        err_t err;
        int rc = proto_recv(c->work, true, &identity, &command, &body, &err);

        if (rc == -2)
            break;
        id = identity ? s_worker_id(identity) : NULL;
        if (rc == 0 && id != NULL) {
            s_on_worker(c, id, command, body);
        } else {
            char *hex = identity ? zframe_strhex(identity) : NULL;

            if (rc != 0)
                log_warn("dropped a malformed message from worker %s: %s",
                         id ? id : (hex ? hex : "?"), err.message);
            else
                log_warn("dropped %s from a peer whose identity is not a worker name (0x%s); "
                         "workers name themselves with --name or host:pid",
                         command, hex ? hex : "");
            free(hex);
        }
        free(id);
        free(command);
        value_destroy(&body);
        zframe_destroy(&identity);
    }
}

static void
s_read_ctl(coord_t *c)
{
    while (zsock_events(c->ctl) & ZMQ_POLLIN) {
        zframe_t *identity = NULL;
        char *command = NULL;
        value_t *body = NULL;
        err_t err;
        int rc = proto_recv(c->ctl, true, &identity, &command, &body, &err);

        if (rc == -2)
            break;
        if (rc != 0) {
            log_warn("dropped a malformed message from a client: %s", err.message);
        } else if (strcmp(command, PROTO_SUBMIT) == 0) {
            s_read_work(c); /* note every worker as alive before blocking */
            s_submit(c, identity, body);
            /* What workers said while we were blocked (heartbeats, hellos stating their
             * credit) must count before the first dispatch, not after it. */
            s_read_work(c);
        } else if (strcmp(command, PROTO_ABORT) == 0) {
            /* Only the client that submitted the job may abort it. */
            if (c->job != NULL && c->sched != NULL && c->failure[0] == '\0' && c->client != NULL &&
                zframe_eq(identity, c->client))
                s_interrupt(c);
        } else if (strcmp(command, PROTO_STOP) == 0) {
            c->stopping = true;
        }
        free(command);
        value_destroy(&body);
        zframe_destroy(&identity);
    }
}

/*
 * A masked job that no worker can run (every worker has another key, or none) would wait
 * forever: past the worker timeout, it fails and says which keys there are.
 */
static void
s_check_keys(coord_t *c)
{
    const char *key = job_mask_key(c->job);
    char seen[512];

    if (key == NULL || sched_worker_count(c->sched) > 0 || zhashx_size(c->peers) == 0 ||
        s_now() - c->started < c->options->worker_timeout_ms)
        return;
    s_keys_seen(c, seen, sizeof(seen));
    snprintf(c->failure, sizeof(c->failure),
             "no worker has the masking key of this job (fingerprint %s)", key);
    c->failure_error = value_new_map();
    value_map_put_string(c->failure_error, "code", "mask_key");
    value_map_put_string(c->failure_error, "message", c->failure);
    value_map_put_string(c->failure_error, "detail", seen);
    value_map_put_string(c->failure_error, "hint",
                         "start the workers with the same CONFITURE_MASK_KEY or --mask-key-file "
                         "as this command");
    value_map_put_int(c->failure_error, "exit_code", EXIT_CODE_CONFIG);
}

/* ---------------------------------------------------------------- the loop */

static void
s_dispatch(coord_t *c)
{
    const char *worker;
    int attempt, task;

    while ((task = sched_next(c->sched, s_now(), &worker, &attempt)) >= 0) {
        value_t *msg = job_task_message(c->job, task, attempt);
        peer_t *peer = zhashx_lookup(c->peers, worker);

        if (peer != NULL && peer->credit > 0)
            peer->credit--;
        log_debug("%s attempt %d -> %s", job_task_label(c->job, task), attempt, worker);
        s_send_worker(c, worker, PROTO_TASK, msg);
        value_destroy(&msg);
    }
}

/* Tells the client how many workers there are and how many are busy: when that changed, or
 * always with force (once per heartbeat, as a refresh). */
static void
s_workers_event(coord_t *c, bool force)
{
    value_t *event;
    int64_t workers, busy;

    if (c->job == NULL || c->sched == NULL)
        return;
    workers = (int64_t) sched_worker_count(c->sched);
    busy = (int64_t) sched_worker_busy(c->sched);
    if (!force && workers == c->shown_workers && busy == c->shown_busy)
        return;
    c->shown_workers = workers;
    c->shown_busy = busy;
    event = value_new_map();
    value_map_put_string(event, "event", "workers");
    value_map_put_int(event, "workers", workers);
    value_map_put_int(event, "busy", busy);
    s_event(c, &event);
}

static void
s_heartbeats(coord_t *c)
{
    int64_t now = s_now();
    zlistx_t *dead = zlistx_new();

    if (now - c->last_heartbeat < c->options->heartbeat_ms)
        goto done;
    c->last_heartbeat = now;
    for (peer_t *p = zhashx_first(c->peers); p != NULL; p = zhashx_next(c->peers)) {
        if (c->sched == NULL && now - p->last_seen > c->options->worker_timeout_ms)
            zlistx_add_end(dead, p->id);
        else
            s_send_worker(c, p->id, PROTO_HEARTBEAT, NULL);
    }
    for (char *id = zlistx_first(dead); id != NULL; id = zlistx_next(dead)) {
        log_warn("worker %s is silent: forgotten", id);
        zhashx_delete(c->peers, id);
    }
    s_workers_event(c, true);
done:
    zlistx_destroy(&dead);
}

static void
s_free_peer(void **item)
{
    free(*item);
    *item = NULL;
}

int
coordinator_run(const coordinator_options_t *options, volatile sig_atomic_t *stop)
{
    coord_t c;
    zpoller_t *poller;

    memset(&c, 0, sizeof(c));
    c.options = options;
    c.stop = stop;
    c.peers = zhashx_new();
    zhashx_set_destructor(c.peers, s_free_peer);
    c.ctl = zsock_new(ZMQ_ROUTER);
    c.work = zsock_new(ZMQ_ROUTER);
    if (c.ctl == NULL || c.work == NULL) {
        log_error("cannot create ZeroMQ sockets");
        return EXIT_CODE_INTERNAL;
    }
    zsock_set_router_mandatory(c.work, 0);
    zsock_set_sndhwm(c.work, 0);
    zsock_set_sndhwm(c.ctl, 0);
    if (zsock_bind(c.ctl, "%s", options->ctl_endpoint) < 0 ||
        zsock_bind(c.work, "%s", options->work_endpoint) < 0) {
        log_error("cannot listen on %s and %s: %s", options->ctl_endpoint, options->work_endpoint,
                  zmq_strerror(zmq_errno()));
        zsock_destroy(&c.ctl);
        zsock_destroy(&c.work);
        zhashx_destroy(&c.peers);
        return EXIT_CODE_USAGE;
    }
    log_debug("listening: ctl %s, work %s", options->ctl_endpoint, options->work_endpoint);
    poller = zpoller_new(c.ctl, c.work, NULL);

    while (!*stop && !c.stopping && !(options->once && c.jobs_done > 0)) {
        zpoller_wait(poller, 100);
        s_read_work(&c);
        s_read_ctl(&c);
        if (c.job == NULL || c.sched == NULL) {
            s_heartbeats(&c);
            continue;
        }
        sched_tick(c.sched, s_now(), s_on_sched_event, &c);
        if (s_now() - c.last_job_heartbeat >= S_JOB_HEARTBEAT_MS) {
            job_heartbeat(c.job);
            c.last_job_heartbeat = s_now();
        }
        if (c.failure[0] == '\0')
            s_check_keys(&c);
        if (c.failure[0] != '\0')
            s_fail_job(&c);
        else if (sched_all_done(c.sched))
            s_finish_job(&c);
        else
            s_dispatch(&c);
        s_workers_event(&c, false);
        s_heartbeats(&c);
    }
    if (c.job != NULL) {
        if (c.failure[0] == '\0')
            s_interrupt(&c);
        if (c.sched != NULL)
            s_fail_job(&c);
        else
            job_destroy(&c.job); /* stopped before its target was prepared */
        c.exit_code = EXIT_CODE_INTERRUPTED;
    }
    for (peer_t *p = zhashx_first(c.peers); p != NULL; p = zhashx_next(c.peers))
        s_send_worker(&c, p->id, PROTO_SHUTDOWN, NULL);
    zpoller_destroy(&poller);
    zsock_set_linger(c.ctl, 500);
    zsock_set_linger(c.work, 500);
    zsock_destroy(&c.ctl);
    zsock_destroy(&c.work);
    zhashx_destroy(&c.peers);
    return *stop ? EXIT_CODE_INTERRUPTED : c.exit_code;
}
