/*
 * coordinator.h - the coordinator process: accepts jobs, schedules their tasks on workers.
 */
#ifndef CONFITURE_COORDINATOR_H
#define CONFITURE_COORDINATOR_H

#include <signal.h>
#include <stdbool.h>

typedef struct coordinator_options {
    const char *ctl_endpoint;  /* where CLIs connect (ROUTER), e.g. tcp://0.0.0.0:7400 */
    const char *work_endpoint; /* where workers connect (ROUTER), e.g. tcp://0.0.0.0:7401 */
    const char *config_dir;    /* where env:NAME references are resolved */
    int heartbeat_ms;          /* heartbeat interval, both ways */
    int worker_timeout_ms;     /* a worker silent this long is dead */
    int lease_ms;              /* a task with no progress this long is requeued */
    int max_attempts;          /* attempts per task before the job fails */
    bool once;                 /* exit after the first job (the CLI's private coordinator) */
    int snapshot_keep_s;       /* keep a job's snapshot this long once no coordinator runs it */
} coordinator_options_t;

/* Runs until STOP, a signal (*stop non-zero), or the first job's end with once. Returns an
 * exit code. */
int coordinator_run(const coordinator_options_t *options, volatile sig_atomic_t *stop);

#endif
