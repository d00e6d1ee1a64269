/*
 * holder.c - the snapshot holder: a small process that keeps a job's exported snapshot alive.
 */
#include "coordinator/holder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/exitcodes.h"
#include "common/log.h"
#include "common/pgutil.h"

extern char **environ;

/* Seconds between two looks at the ledger. */
#define S_POLL_S 2

/* Longest line of the pipe protocol. */
#define S_LINE_MAX 4096

void
holder_application_name(const char *job_id, char *buf, size_t len)
{
    snprintf(buf, len, "confiture snapshot job=%s", job_id);
}

static int64_t
s_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec;
}

/* Reads one line from f (without its newline) within timeout_s. Returns 0, -1 on EOF or
 * timeout. */
static int
s_read_line(FILE *f, int timeout_s, char *line, size_t len)
{
    struct pollfd pfd = {fileno(f), POLLIN, 0};
    size_t n;

    if (poll(&pfd, 1, timeout_s * 1000) <= 0)
        return -1;
    if (fgets(line, (int) len, f) == NULL)
        return -1;
    n = strlen(line);
    if (n > 0 && line[n - 1] == '\n')
        line[n - 1] = '\0';
    return 0;
}

/* ------------------------------------------------------------------ the holder process */

/* The job's state in the ledger: 1 over (the holder may go), 0 go on, -1 cannot tell. */
static int
s_job_over(PGconn **tgt, const holder_options_t *o, bool orphan)
{
    const char *params[1] = {o->job_id};
    PGresult *res;
    err_t err;
    int over = 0;

    if (*tgt == NULL || PQstatus(*tgt) != CONNECTION_OK) {
        char *conninfo = pgutil_resolve_ref(o->target_ref, o->config_dir, &err);

        PQfinish(*tgt);
        *tgt =
            conninfo ? pgutil_connect(conninfo, "target", NULL, "confiture snapshot", &err) : NULL;
        free(conninfo);
        if (*tgt == NULL)
            return -1;
    }
    res = pgutil_query(*tgt, &err,
                       "SELECT state, extract(epoch FROM now() - coalesce(heartbeat_at, "
                       "updated_at))::bigint FROM confiture.job WHERE job_id = $1",
                       1, params);
    if (res == NULL) {
        PQfinish(*tgt);
        *tgt = NULL;
        return -1;
    }
    if (PQntuples(res) == 1) {
        const char *state = PQgetvalue(res, 0, 0);

        if (strcmp(state, "done") == 0 || strcmp(state, "different") == 0 ||
            strcmp(state, "leaked") == 0)
            over = 1;
        else if (orphan && pgutil_int(res, 0, 1, 0) > o->keep_s)
            over = 1;
    } else {
        over = -1; /* not in the ledger (yet, or ever): the keep time decides */
    }
    PQclear(res);
    return over;
}

/* Locks the tables named on stdin (one per line, an empty line ends them). */
static int
s_lock(PGconn *src, FILE *in, err_t *err)
{
    char line[S_LINE_MAX];
    buf_t sql;
    bool any = false;
    char *text;
    int rc;

    buf_init(&sql);
    buf_append_str(&sql, "SET LOCAL lock_timeout = '30s'; LOCK TABLE ONLY ");
    while (fgets(line, sizeof(line), in) != NULL && line[0] != '\n') {
        line[strcspn(line, "\n")] = '\0';
        buf_appendf(&sql, "%s%s", any ? ", " : "", line);
        any = true;
    }
    buf_append_str(&sql, " IN ACCESS SHARE MODE; SET LOCAL lock_timeout = 0");
    text = buf_detach_string(&sql);
    rc = any ? pgutil_exec(src, err, text) : 0;
    free(text);
    return rc;
}

int
holder_run(const holder_options_t *o, volatile sig_atomic_t *stop)
{
    char name[128], line[S_LINE_MAX];
    char *conninfo;
    PGconn *src, *tgt = NULL;
    PGresult *res;
    err_t err;
    bool orphan = false;
    int64_t since = s_now_s(), next_look = 0;

    /* No read-ahead on stdin: poll() on the pipe must see every line that is not read yet
     * (a RELEASE left in stdio's buffer would wait for the next ledger look). */
    setvbuf(stdin, NULL, _IONBF, 0);
    holder_application_name(o->job_id, name, sizeof(name));
    conninfo = pgutil_resolve_ref(o->source_ref, o->config_dir, &err);
    src = conninfo ? pgutil_connect(conninfo, "source", NULL, name, &err) : NULL;
    free(conninfo);
    if (src == NULL) {
        printf("ERROR %s %s\n", pgutil_err_sqlstate(&err), err.message);
        fflush(stdout);
        return err.exit_code ? err.exit_code : EXIT_CODE_CONNECT;
    }
    res = pgutil_query(src, &err,
                       "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                       "SELECT pg_catalog.pg_export_snapshot()",
                       0, NULL);
    if (res == NULL) {
        printf("ERROR %s %s\n", pgutil_err_sqlstate(&err), err.message);
        fflush(stdout);
        PQfinish(src);
        return EXIT_CODE_CONNECT;
    }
    printf("SNAPSHOT %s\n", PQgetvalue(res, 0, 0));
    fflush(stdout);
    log_debug("holding snapshot %s of job %s", PQgetvalue(res, 0, 0), o->job_id);
    PQclear(res);

    while (!*stop) {
        struct pollfd pfd[2] = {{orphan ? -1 : STDIN_FILENO, POLLIN, 0},
                                {PQsocket(src), POLLIN, 0}};

        if (poll(pfd, 2, 1000) > 0) {
            if (pfd[1].revents) {
                /* the server spoke on an idle connection: it is going away */
                if (!PQconsumeInput(src) || PQstatus(src) != CONNECTION_OK) {
                    log_info("job %s: the source connection holding the snapshot ended", o->job_id);
                    break;
                }
            }
            if (pfd[0].revents) {
                if (fgets(line, sizeof(line), stdin) == NULL) {
                    orphan = true; /* the coordinator is gone: keep the snapshot a while */
                    since = s_now_s();
                    log_debug("job %s: coordinator gone; keeping the snapshot", o->job_id);
                } else if (strcmp(line, "RELEASE\n") == 0) {
                    break;
                } else if (strcmp(line, "LOCK\n") == 0) {
                    if (s_lock(src, stdin, &err) == 0)
                        printf("LOCKED\n");
                    else
                        printf("ERROR %s %s\n", pgutil_err_sqlstate(&err), err.message);
                    fflush(stdout);
                }
            }
        }
        if (s_now_s() >= next_look) {
            int over = s_job_over(&tgt, o, orphan);

            next_look = s_now_s() + S_POLL_S;
            if (over == 1)
                break;
            if (over < 0 && orphan && s_now_s() - since > o->keep_s)
                break;
        }
    }
    PQfinish(tgt);
    PQfinish(src); /* ends the transaction: the snapshot and the locks go */
    return EXIT_CODE_OK;
}

/* ------------------------------------------------------------------ the coordinator's side */

int
holder_start(const holder_options_t *o, int timeout_s, holder_t *holder, char **snapshot,
             err_t *err)
{
    int to[2] = {-1, -1}, from[2] = {-1, -1};
    char exe[4096], keep[16], line[S_LINE_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc;

    memset(holder, 0, sizeof(*holder));
    *snapshot = NULL;
    if (n <= 0)
        return err_set(err, "internal", EXIT_CODE_INTERNAL, "cannot find my own program");
    exe[n] = '\0';
    snprintf(keep, sizeof(keep), "%d", o->keep_s);
    if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0)
        return err_set(err, "internal", EXIT_CODE_INTERNAL, "pipe: %s", strerror(errno));
    {
        char *argv[] = {exe,
                        "--hold-snapshot",
                        "--source",
                        (char *) o->source_ref,
                        "--target",
                        (char *) o->target_ref,
                        "--job",
                        (char *) o->job_id,
                        "--config-dir",
                        (char *) o->config_dir,
                        "--snapshot-keep",
                        keep,
                        "--log-level",
                        (char *) log_level_name(log_get_level()),
                        NULL};

        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, from[1], STDOUT_FILENO);
        posix_spawnattr_init(&attr);
        /* a session of its own: killing the job's process group leaves the snapshot */
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
        rc = posix_spawn(&holder->pid, exe, &actions, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    close(to[0]);
    close(from[1]);
    if (rc != 0) {
        close(to[1]);
        close(from[0]);
        holder->pid = 0;
        return err_set(err, "internal", EXIT_CODE_INTERNAL, "cannot start the snapshot holder: %s",
                       strerror(rc));
    }
    holder->to = fdopen(to[1], "w");
    holder->from = fdopen(from[0], "r");
    if (s_read_line(holder->from, timeout_s, line, sizeof(line)) != 0) {
        holder_close(holder, true);
        return err_set(err, "connect", EXIT_CODE_CONNECT,
                       "the snapshot holder did not answer within %d s", timeout_s);
    }
    if (strncmp(line, "SNAPSHOT ", 9) != 0) {
        err_set(err, "connect", EXIT_CODE_CONNECT, "cannot hold a snapshot of the source: %s",
                strncmp(line, "ERROR ", 6) == 0 ? line + 6 : line);
        holder_close(holder, true);
        return -1;
    }
    *snapshot = strdup(line + 9);
    return 0;
}

int
holder_lock(holder_t *holder, char *const *qnames, int n, int timeout_s, err_t *err)
{
    char line[S_LINE_MAX];

    if (holder->to == NULL)
        return 0;
    fputs("LOCK\n", holder->to);
    for (int i = 0; i < n; i++)
        fprintf(holder->to, "%s\n", qnames[i]);
    fputs("\n", holder->to);
    fflush(holder->to);
    if (s_read_line(holder->from, timeout_s, line, sizeof(line)) != 0)
        return err_set(err, "connect", EXIT_CODE_CONNECT,
                       "the snapshot holder did not lock the tables within %d s", timeout_s);
    if (strcmp(line, "LOCKED") == 0)
        return 0;
    err_set(err, "sql", EXIT_CODE_FAILED, "cannot lock the selected tables on the source: %s",
            strncmp(line, "ERROR ", 6) == 0 ? line + 6 : line);
    if (strncmp(line, "ERROR 55P03", 11) == 0)
        err_hint(err, "a session holds an exclusive lock on a source table (DDL in progress?); "
                      "retry when it is done");
    return -1;
}

void
holder_close(holder_t *holder, bool release)
{
    if (holder->to != NULL) {
        if (release) {
            fputs("RELEASE\n", holder->to);
            fflush(holder->to);
        }
        fclose(holder->to);
    }
    if (holder->from != NULL)
        fclose(holder->from);
    if (holder->pid > 0) {
        /* reap it when it is done; it is our child until then */
        if (release)
            waitpid(holder->pid, NULL, 0);
        else
            waitpid(holder->pid, NULL, WNOHANG);
    }
    memset(holder, 0, sizeof(*holder));
}
