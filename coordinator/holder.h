/*
 * holder.h - the snapshot holder: a small process that keeps a job's exported snapshot alive.
 *
 * An exported snapshot lives as long as the transaction that exported it. If the coordinator
 * held it, a crash of the coordinator alone (or of the CLI that started it) would lose it,
 * and a resumed job could no longer read the source as the chunks already copied saw it. So
 * the coordinator starts `confiture-coordinator --hold-snapshot` in a session of its own
 * (setsid: a kill of the job's process group or the end of the CLI's terminal leaves it
 * alone), which opens a REPEATABLE READ transaction on the source, exports its snapshot and
 * holds ACCESS SHARE locks on the selected tables (so no TRUNCATE, DROP or ALTER slips
 * under the copy), then waits.
 *
 * The coordinator talks to it over a pipe pair, one line at a time:
 *
 *   holder -> coordinator   SNAPSHOT <id>        once exported
 *   coordinator -> holder   LOCK, then one quoted table name per line, then an empty line
 *   holder -> coordinator   LOCKED | ERROR <sqlstate> <message>
 *   coordinator -> holder   RELEASE              the job is over: end the transaction, exit
 *
 * It lets go by itself when the job's ledger row (on the target) says the job ended (done,
 * different, leaked), or once its coordinator is gone (the pipe closed without RELEASE) and
 * the job's ledger heartbeat (confiture.job.heartbeat_at, renewed by whichever coordinator
 * runs the job, a resumed one included) is older than keep seconds; or when its source
 * connection dies, or on SIGTERM. A resumed coordinator finds it by trying to import the
 * snapshot id the ledger recorded, and ends it, once the job is done, by terminating its
 * backend (application_name "confiture snapshot job=<id>").
 */
#ifndef CONFITURE_HOLDER_H
#define CONFITURE_HOLDER_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/err.h"

typedef struct holder_options {
    const char *source_ref; /* the source: env:, var: or dsn: reference */
    const char *target_ref; /* the target, where the ledger is */
    const char *config_dir; /* where env: references are resolved */
    const char *job_id;     /* the job whose snapshot this is */
    int keep_s;             /* seconds to keep it once no coordinator runs the job */
} holder_options_t;

/* Runs the holder (the process's stdin and stdout are the pipes). Returns an exit code. */
int holder_run(const holder_options_t *options, volatile sig_atomic_t *stop);

/* A running holder, seen from the coordinator. */
typedef struct holder {
    pid_t pid;  /* the process */
    FILE *to;   /* its stdin */
    FILE *from; /* its stdout */
} holder_t;

/*
 * Starts a holder for job (the coordinator's own program with --hold-snapshot) and waits for
 * its snapshot id (up to timeout_s). Returns 0 with *holder and snapshot (a malloc'd string)
 * set, or -1 with err set (the holder's own error when it could not export).
 */
int holder_start(const holder_options_t *options, int timeout_s, holder_t *holder, char **snapshot,
                 err_t *err);

/* Asks the holder to lock the tables (quoted names). Returns 0, or -1 with err set. */
int holder_lock(holder_t *holder, char *const *qnames, int n, int timeout_s, err_t *err);

/*
 * Lets go of the holder: with release, tells it to end its transaction and exit; without,
 * only closes the pipes (it then keeps the snapshot for a resume, as after a crash). Safe on
 * a holder never started.
 */
void holder_close(holder_t *holder, bool release);

/* The application_name of a job's holder, into buf. */
void holder_application_name(const char *job_id, char *buf, size_t len);

#endif
