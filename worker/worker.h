/*
 * worker.h - the worker process: asks the coordinator for tasks and runs them.
 */
#ifndef CONFITURE_WORKER_H
#define CONFITURE_WORKER_H

#include <signal.h>

typedef struct worker_options {
    const char *endpoint;       /* the coordinator's work socket, e.g. tcp://host:7401 */
    const char *config_dir;     /* where env:NAME references are resolved */
    const char *name;           /* worker id shown in logs and the ledger; NULL: host:pid */
    const char *mask_key_file;  /* the masking key's file; NULL: CONFITURE_MASK_KEY, if set */
    int heartbeat_ms;           /* interval of heartbeats to the coordinator */
    int coordinator_timeout_ms; /* coordinator silent this long: say so, say hello again */
} worker_options_t;

/* Runs the worker until SHUTDOWN or *stop becomes non-zero. Returns an exit code. */
int worker_run(const worker_options_t *options, volatile sig_atomic_t *stop);

#endif
