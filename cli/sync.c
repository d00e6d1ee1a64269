/*
 * sync.c - `confiture sync`: submit a job to a coordinator and watch it to its end.
 *
 * With no --coordinator, the CLI starts a private coordinator and --workers workers: the
 * same programs that run as daemons, connected over ZeroMQ ipc:// sockets in a private
 * directory, started with --exit-with-parent so that nothing outlives the CLI. The database
 * connection strings reach them through their environment (CONFITURE_SOURCE_DSN,
 * CONFITURE_TARGET_DSN), never over ZeroMQ: the job only says var:CONFITURE_SOURCE_DSN.
 *
 * With --coordinator, the job names environments (env:NAME, resolved by each process from
 * its own config dir) or password-less connection strings (dsn:...).
 */
#include <czmq.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/checkpoint.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "common/config.h"
#include "common/exitcodes.h"
#include "common/log.h"
#include "proto/proto.h"

extern char **environ;

#define SILENCE_LIMIT_MS 120000

typedef struct private_cluster {
    char dir[64];   /* private directory of the ipc sockets */
    char ctl[128];  /* ctl endpoint */
    char work[128]; /* work endpoint */
    pid_t *pids;    /* coordinator first, then workers */
    int npids;      /* number of processes started */
} private_t;

static int64_t
s_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes the job's database reference for --from/--to. */
static char *
s_reference(const cli_options_t *o, const char *arg, const char *var, bool private_mode, err_t *err)
{
    char *conninfo = NULL, *ref;

    if (!private_mode && !config_is_conninfo(arg)) {
        /* The coordinator and each worker read NAME.yaml on their own host: the file, and
         * any secret it expands, need not exist where the CLI runs. */
        if (asprintf(&ref, "env:%s", arg) < 0)
            abort();
        return ref;
    }
    if (config_resolve(arg, o->config_dir, &conninfo, err) != 0)
        return NULL;
    if (private_mode) {
        setenv(var, conninfo, 1);
        free(conninfo);
        if (asprintf(&ref, "var:%s", var) < 0)
            abort();
        return ref;
    }
    if (config_has_password(conninfo)) {
        free(conninfo);
        err_set(err, "config", EXIT_CODE_CONFIG,
                "a connection string with a password cannot be sent to a coordinator");
        err_hint(err, "secrets never cross the network: name an environment defined on the "
                      "coordinator and workers, or use ~/.pgpass there");
        return NULL;
    }
    if (asprintf(&ref, "dsn:%s", conninfo) < 0)
        abort();
    free(conninfo);
    return ref;
}

/* Starts one private process and records its pid in p. Returns 0, or -1 with err set. */
static int
s_spawn(private_t *p, const char *path, char *const argv[], err_t *err)
{
    pid_t pid;
    int rc = posix_spawn(&pid, path, NULL, NULL, argv, environ);

    if (rc != 0) {
        err_set(err, "internal", EXIT_CODE_INTERNAL, "cannot start %s: %s", path, strerror(rc));
        err_hint(err, "run `make` first; confiture looks for its programs beside itself");
        return -1;
    }
    p->pids[p->npids++] = pid;
    return 0;
}

static int
s_start_private(const cli_options_t *o, private_t *p, err_t *err)
{
    char coordinator[4096], worker[4096], name[32], keep[16];

    snprintf(p->dir, sizeof(p->dir), "/tmp/confiture-XXXXXX");
    if (mkdtemp(p->dir) == NULL)
        return err_set(err, "internal", EXIT_CODE_INTERNAL, "cannot create a directory in /tmp: %s",
                       strerror(errno));
    snprintf(p->ctl, sizeof(p->ctl), "ipc://%s/ctl", p->dir);
    snprintf(p->work, sizeof(p->work), "ipc://%s/work", p->dir);
    snprintf(coordinator, sizeof(coordinator), "%s/confiture-coordinator", o->bin_dir);
    snprintf(worker, sizeof(worker), "%s/confiture-worker", o->bin_dir);
    p->pids = calloc((size_t) o->workers + 1, sizeof(pid_t));
    {
        char *argv[] = {coordinator,
                        "--ctl",
                        p->ctl,
                        "--work",
                        p->work,
                        "--once",
                        "--exit-with-parent",
                        "--config-dir",
                        (char *) o->config_dir,
                        "--log-level",
                        (char *) o->log_level,
                        "--snapshot-keep",
                        keep,
                        NULL};

        snprintf(keep, sizeof(keep), "%d", o->snapshot_keep_s);
        if (s_spawn(p, coordinator, argv, err) != 0)
            return -1;
    }
    for (int i = 0; i < o->workers; i++) {
        snprintf(name, sizeof(name), "local-%d", i + 1);
        /* The masking key reaches the workers as CONFITURE_MASK_KEY in their environment
         * (inherited), or as the path of its file: never on a command line. */
        char *argv[] = {worker,
                        "--connect",
                        p->work,
                        "--name",
                        name,
                        "--exit-with-parent",
                        "--config-dir",
                        (char *) o->config_dir,
                        "--log-level",
                        (char *) o->log_level,
                        o->anonymize && o->mask_key_file ? "--mask-key-file" : NULL,
                        (char *) o->mask_key_file,
                        NULL};

        if (s_spawn(p, worker, argv, err) != 0)
            return -1;
    }
    return 0;
}

/* Waits up to ms for a child; SIGKILLs it past that. */
static void
s_reap(pid_t *pid, int64_t deadline)
{
    while (*pid > 0) {
        pid_t r = waitpid(*pid, NULL, WNOHANG);

        if (r == *pid || (r < 0 && errno != EINTR)) {
            *pid = 0;
            return;
        }
        if (s_now() > deadline) {
            kill(*pid, SIGKILL);
            waitpid(*pid, NULL, 0);
            *pid = 0;
            return;
        }
        usleep(10000);
    }
}

static void
s_stop_private(private_t *p, bool job_ended)
{
    char path[192];

    /* After a job the coordinator exits by itself (--once) and tells its workers to stop; a
     * worker that had not said hello yet gets SIGTERM, which makes it leave cleanly too.
     * With no job run (a process could not start), the coordinator is told to stop now. */
    if (p->npids > 0 && !job_ended && p->pids[0] > 0)
        kill(p->pids[0], SIGTERM);
    if (p->npids > 0)
        s_reap(&p->pids[0], s_now() + 10000);
    for (int i = 1; i < p->npids; i++)
        if (p->pids[i] > 0)
            kill(p->pids[i], SIGTERM);
    for (int i = 1; i < p->npids; i++)
        s_reap(&p->pids[i], s_now() + 5000);
    free(p->pids);
    p->pids = NULL;
    snprintf(path, sizeof(path), "%s/ctl", p->dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/work", p->dir);
    unlink(path);
    rmdir(p->dir);
}

/* True when the private coordinator has exited (it must not, before its RESULT). */
static bool
s_coordinator_gone(private_t *p)
{
    int status;

    if (p == NULL || p->npids == 0 || p->pids[0] <= 0)
        return false;
    if (waitpid(p->pids[0], &status, WNOHANG) == p->pids[0]) {
        p->pids[0] = 0;
        return true;
    }
    return false;
}

static void
s_print_masking(const value_t *masking)
{
    if (masking == NULL)
        return;
    printf("masking: %lld columns in %lld tables (rules %.12s, key %s)\n",
           (long long) value_map_int(masking, "columns", 0),
           (long long) value_map_int(masking, "tables", 0),
           value_map_string(masking, "rules_hash", ""),
           value_map_string(masking, "key_fingerprint", ""));
}

static void
s_print_plan(const value_t *plan)
{
    const value_t *tables = value_map_get(plan, "tables");
    char b[32];

    printf("%-44s %12s %7s  %-16s %-16s %s\n", "table", "size", "chunks", "split", "column",
           "format");
    for (size_t i = 0; i < value_size(tables); i++) {
        const value_t *t = value_at(tables, i);

        printf("%-44s %12s %7lld  %-16s %-16s %s\n", value_map_string(t, "table", ""),
               cli_bytes(value_map_int(t, "bytes", 0), b, sizeof(b)),
               (long long) value_map_int(t, "chunks", 0), value_map_string(t, "split", ""),
               value_map_string(t, "split_column", ""), value_map_string(t, "format", ""));
    }
    printf("\n%zu tables, %lld chunks, %s; %lld indexes, %lld constraints, %lld foreign keys "
           "held aside and restored; %lld sequences set\n",
           value_size(tables), (long long) value_map_int(plan, "chunks", 0),
           cli_bytes(value_map_int(plan, "bytes", 0), b, sizeof(b)),
           (long long) value_map_int(plan, "indexes", 0),
           (long long) value_map_int(plan, "constraints", 0),
           (long long) value_map_int(plan, "foreign_keys", 0),
           (long long) value_map_int(plan, "sequences", 0));
    s_print_masking(value_map_get(plan, "masking"));
    printf("dry run: nothing was changed\n");
}

static value_t *
s_summary_json(const value_t *result, const char *command)
{
    value_t *doc = value_new_map();
    value_t *chunks = value_new_map();

    value_map_put_bool(doc, "ok", value_map_bool(result, "ok", false));
    value_map_put_string(doc, "command", command);
    value_map_put_string(doc, "job", value_map_string(result, "job", ""));
    value_map_put_int(doc, "tables", value_map_int(result, "tables", 0));
    value_map_put_int(chunks, "total", value_map_int(result, "chunks_total", 0));
    value_map_put_int(chunks, "done", value_map_int(result, "chunks_done", 0));
    value_map_put_int(chunks, "skipped", value_map_int(result, "chunks_skipped", 0));
    value_map_put(doc, "chunks", chunks);
    value_map_put_int(doc, "rows", value_map_int(result, "rows", 0));
    value_map_put_int(doc, "bytes", value_map_int(result, "bytes", 0));
    value_map_put_double(doc, "seconds", value_map_double(result, "seconds", 0));
    if (value_map_get(result, "differences") != NULL)
        value_map_put(doc, "differences", value_dup(value_map_get(result, "differences")));
    if (value_map_get(result, "masking") != NULL)
        value_map_put(doc, "masking", value_dup(value_map_get(result, "masking")));
    if (value_map_get(result, "error") != NULL)
        value_map_put(doc, "error", value_dup(value_map_get(result, "error")));
    return doc;
}

static void
s_err_from(err_t *err, const value_t *body, int dflt_exit)
{
    err_set(err, value_map_string(body, "code", "failed"),
            (int) value_map_int(body, "exit_code", dflt_exit), "%s",
            value_map_string(body, "message", "the job failed"));
    if (value_map_string(body, "detail", "")[0])
        err_detail(err, "%s", value_map_string(body, "detail", ""));
    if (value_map_string(body, "hint", "")[0])
        err_hint(err, "%s", value_map_string(body, "hint", ""));
}

static int
s_report(const cli_options_t *o, const value_t *result, progress_t *progress, bool dry_run_plan)
{
    const value_t *diffs = value_map_get(result, "differences");
    bool ok = value_map_bool(result, "ok", false);
    const value_t *error = value_map_get(result, "error");
    err_t err;
    char b[32];

    if (o->format == FORMAT_JSON) {
        value_t *doc = s_summary_json(result, "sync");

        cli_print_json(doc);
        value_destroy(&doc);
    } else if (ok && !dry_run_plan) {
        double seconds = value_map_double(result, "seconds", 0);

        printf("synced %lld tables: %lld rows, %s in %.1f s (%lld chunks%s%lld skipped); "
               "%d indexes and constraints restored, %lld sequences set\n",
               (long long) value_map_int(result, "tables", 0),
               (long long) value_map_int(result, "rows", 0),
               cli_bytes(value_map_int(result, "bytes", 0), b, sizeof(b)), seconds,
               (long long) value_map_int(result, "chunks_done", 0), ", ",
               (long long) value_map_int(result, "chunks_skipped", 0), progress_restored(progress),
               (long long) value_map_int(result, "sequences", 0));
        if (value_map_get(result, "masking") != NULL) {
            const value_t *m = value_map_get(result, "masking");

            printf("masked %lld columns with key %s; leak scan: no masked column holds a source "
                   "value (%zu not compared)\n",
                   (long long) value_map_int(m, "columns", 0),
                   value_map_string(m, "key_fingerprint", ""),
                   value_size(value_map_get(m, "not_compared")));
        }
    }
    if (ok)
        return EXIT_CODE_OK;
    if (o->format == FORMAT_TEXT) {
        for (size_t i = 0; i < value_size(diffs); i++) {
            const value_t *d = value_at(diffs, i);

            fprintf(stderr, "confiture: error: %s: %lld rows copied, %lld rows on the target\n",
                    value_map_string(d, "table", ""),
                    (long long) value_map_int(d, "source_rows", 0),
                    (long long) value_map_int(d, "target_rows", 0));
        }
        s_err_from(&err, error, EXIT_CODE_FAILED);
        log_err(&err);
    }
    return (int) value_map_int(error, "exit_code", EXIT_CODE_FAILED);
}

/* Rewrites the checkpoint; a failure is reported once (the job goes on: the ledger is the
 * truth, the file its mirror). */
static void
s_checkpoint_write(checkpoint_t *checkpoint, bool *warned)
{
    err_t err;

    if (checkpoint_write(checkpoint, &err) != 0 && !*warned) {
        log_err(&err);
        *warned = true;
    }
}

/* The job's end as the checkpoint records it. */
static const char *
s_final_state(const value_t *result)
{
    const char *code = value_map_string(value_map_get(result, "error"), "code", "");

    if (value_map_bool(result, "ok", false))
        return "done";
    if (strcmp(code, "interrupted") == 0)
        return "interrupted";
    if (strcmp(code, "different") == 0)
        return "different";
    if (strcmp(code, "pii_leak") == 0)
        return "leaked";
    return "failed";
}

/* A resumed job: what it carries on from. */
static void
s_print_resume(const cli_options_t *o, const value_t *plan)
{
    if (o->format != FORMAT_TEXT || !value_map_bool(plan, "resumed", false))
        return;
    fprintf(stderr, "confiture: resuming job %s: %lld of %lld chunks already committed\n",
            value_map_string(plan, "job", ""), (long long) value_map_int(plan, "chunks_done", 0),
            (long long) value_map_int(plan, "chunks", 0));
    if (value_map_bool(plan, "new_snapshot", false))
        fprintf(stderr,
                "confiture: warning: the job's snapshot is gone (its holder stopped): the rest "
                "of the copy reads a new snapshot, not consistent with the chunks copied "
                "before\n"
                "confiture: hint: rows changed on the source meanwhile may break foreign keys; "
                "those are reported by table and constraint\n");
}

/*
 * The masking part of the job spec: the rules file's text (rules are not secret; the
 * coordinator parses and checks them against the catalogs) and the key's fingerprint. The
 * key itself stays here and in the workers. Returns the map, or NULL with err set.
 */
static value_t *
s_masking(const cli_options_t *o, err_t *err)
{
    rules_t rules;
    mask_key_t key;
    char fingerprint[MASK_FINGERPRINT_LEN + 1], *text = NULL;
    value_t *masking;

    if (cli_read_rules(o, &rules, &text, err) != 0)
        return NULL;
    if (cli_mask_key(o, &key, fingerprint, err) != 0) {
        rules_free(&rules);
        free(text);
        return NULL;
    }
    mask_key_wipe(&key);
    masking = value_new_map();
    value_map_put_string(masking, "rules", text);
    value_map_put_string(masking, "rules_path", rules.path);
    value_map_put_string(masking, "rules_hash", rules.hash);
    value_map_put_string(masking, "key_fingerprint", fingerprint);
    value_map_put_bool(masking, "strict", o->strict);
    log_debug("masking with %zu rules from %s (hash %.12s), key %s", rules.count, rules.path,
              rules.hash, fingerprint);
    rules_free(&rules);
    free(text);
    return masking;
}

int
cli_sync(const cli_options_t *o)
{
    bool private_mode = o->coordinator == NULL;
    private_t priv;
    char *source = NULL, *target = NULL;
    zsock_t *sock = NULL;
    progress_t *progress = NULL;
    value_t *spec = NULL, *plan = NULL, *masking = NULL;
    checkpoint_t *checkpoint = NULL;
    char resume_id[64] = "";
    int64_t last_heard;
    bool aborted = false, submitted = false, checkpoint_warned = false;
    err_t err;
    int rc = EXIT_CODE_INTERNAL;

    memset(&priv, 0, sizeof(priv));
    err_clear(&err);
    zsys_handler_set(NULL);
    if (o->resume && checkpoint_read(o->checkpoint, resume_id, sizeof(resume_id), NULL, &err) != 0)
        return cli_fail(o, &err);
    if (o->anonymize) {
        masking = s_masking(o, &err);
        if (masking == NULL)
            return cli_fail(o, &err);
    } else if (private_mode) {
        /* nothing to mask: our workers need no key (and must not fail on a bad one) */
        unsetenv(MASK_KEY_ENV);
    }
    source = s_reference(o, o->from, "CONFITURE_SOURCE_DSN", private_mode, &err);
    if (source == NULL) {
        value_destroy(&masking);
        return cli_fail(o, &err);
    }
    target = s_reference(o, o->to, "CONFITURE_TARGET_DSN", private_mode, &err);
    if (target == NULL) {
        free(source);
        value_destroy(&masking);
        return cli_fail(o, &err);
    }
    if (private_mode && s_start_private(o, &priv, &err) != 0) {
        rc = cli_fail(o, &err);
        goto done;
    }
    sock = zsock_new(ZMQ_DEALER);
    zsock_set_linger(sock, 0);
    if (zsock_connect(sock, "%s", private_mode ? priv.ctl : o->coordinator) != 0) {
        err_set(&err, "usage", EXIT_CODE_USAGE, "invalid coordinator endpoint \"%s\"",
                o->coordinator);
        err_hint(&err, "an endpoint looks like tcp://host:7400");
        rc = cli_fail(o, &err);
        goto done;
    }
    spec = value_new_map();
    value_map_put_string(spec, "source", source);
    value_map_put_string(spec, "target", target);
    value_map_put(spec, "tables", value_dup(o->tables));
    value_map_put(spec, "exclude", value_dup(o->exclude));
    value_map_put_int(spec, "chunk_size", o->chunk_size);
    value_map_put_bool(spec, "dry_run", o->dry_run);
    value_map_put_string(spec, "copy_format", o->copy_format);
    value_map_put_int(spec, "retry_ms", (int64_t) o->retry_s * 1000);
    if (masking != NULL) {
        value_map_put(spec, "masking", masking);
        masking = NULL;
    }
    if (o->resume)
        value_map_put_string(spec, "resume", resume_id);
    if (o->checkpoint != NULL)
        checkpoint = checkpoint_new(o->checkpoint, o, spec);
    proto_send(sock, NULL, PROTO_SUBMIT, spec);
    submitted = true;

    progress = progress_new(o->format, isatty(STDERR_FILENO) && log_get_level() >= LOG_LEVEL_INFO);
    last_heard = s_now();
    for (;;) {
        zpoller_t *poller = zpoller_new(sock, NULL);
        void *ready = zpoller_wait(poller, 100);
        char *command = NULL;
        value_t *body = NULL;

        zpoller_destroy(&poller);
        if (cli_interrupted && !aborted) {
            aborted = true;
            if (o->format == FORMAT_TEXT)
                fprintf(stderr, "\nconfiture: interrupted: stopping the job (Ctrl-C again to "
                                "leave at once)\n");
            if (private_mode && priv.npids > 0 && priv.pids[0] > 0)
                kill(priv.pids[0], SIGTERM);
            else
                proto_send(sock, NULL, PROTO_ABORT, NULL);
        }
        /* Every turn, not only when idle: a busy job sends events without pause. */
        progress_tick(progress);
        if (ready == NULL) {
            if (s_coordinator_gone(private_mode ? &priv : NULL)) {
                progress_end(progress);
                err_set(&err, "internal", EXIT_CODE_INTERNAL,
                        "the coordinator stopped before the job ended");
                err_hint(&err, "see the messages above; rerun with --log-level debug");
                rc = aborted ? EXIT_CODE_INTERRUPTED : cli_fail(o, &err);
                break;
            }
            if (!private_mode && s_now() - last_heard > SILENCE_LIMIT_MS) {
                progress_end(progress);
                err_set(&err, "connect", EXIT_CODE_CONNECT,
                        "no answer from the coordinator at %s for %d s", o->coordinator,
                        SILENCE_LIMIT_MS / 1000);
                err_hint(&err, "check that confiture-coordinator runs there and listens on "
                               "that endpoint");
                rc = cli_fail(o, &err);
                break;
            }
            continue;
        }
        if (proto_recv(sock, false, NULL, &command, &body, &err) != 0) {
            log_warn("dropped a malformed message from the coordinator: %s", err.message);
            continue;
        }
        last_heard = s_now();
        if (strcmp(command, PROTO_EVENT) == 0) {
            if (strcmp(value_map_string(body, "event", ""), "plan") == 0) {
                value_destroy(&plan);
                plan = value_dup(body);
                cli_print_mask_warnings(o,
                                        value_map_get(value_map_get(plan, "masking"), "warnings"));
                s_print_resume(o, plan);
                if (checkpoint != NULL) {
                    checkpoint_plan(checkpoint, plan);
                    s_checkpoint_write(checkpoint, &checkpoint_warned);
                }
            } else if (checkpoint != NULL &&
                       strcmp(value_map_string(body, "event", ""), "task_done") == 0) {
                checkpoint_task_done(checkpoint, body);
                s_checkpoint_write(checkpoint, &checkpoint_warned);
            }
            progress_event(progress, body);
        } else if (strcmp(command, PROTO_ERROR) == 0) {
            progress_end(progress);
            s_err_from(&err, body, EXIT_CODE_FAILED);
            rc = cli_fail(o, &err);
            free(command);
            value_destroy(&body);
            break;
        } else if (strcmp(command, PROTO_RESULT) == 0) {
            progress_end(progress);
            if (checkpoint != NULL && plan != NULL) {
                checkpoint_state(checkpoint, s_final_state(body));
                s_checkpoint_write(checkpoint, &checkpoint_warned);
            }
            if (o->dry_run && o->format == FORMAT_TEXT && plan != NULL &&
                value_map_bool(body, "ok", false))
                s_print_plan(plan);
            rc = s_report(o, body, progress, o->dry_run);
            free(command);
            value_destroy(&body);
            break;
        }
        free(command);
        value_destroy(&body);
    }
    if (aborted && rc != EXIT_CODE_OK)
        rc = EXIT_CODE_INTERRUPTED;

done:
    if (checkpoint != NULL && plan != NULL && rc == EXIT_CODE_INTERRUPTED) {
        checkpoint_state(checkpoint, "interrupted");
        s_checkpoint_write(checkpoint, &checkpoint_warned);
    }
    checkpoint_destroy(&checkpoint);
    progress_destroy(&progress);
    zsock_destroy(&sock);
    if (private_mode && priv.pids != NULL)
        s_stop_private(&priv, submitted);
    value_destroy(&spec);
    value_destroy(&plan);
    value_destroy(&masking);
    free(source);
    free(target);
    return rc;
}
