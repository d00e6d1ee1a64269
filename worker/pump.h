/*
 * pump.h - streams one COPY from a source connection into a target connection.
 *
 * Bytes in, bytes out: the rows are never parsed, unless the caller gives a transform (the
 * masking of a table with rules, worker/maskstream.h), which rewrites each message.
 * The source is read asynchronously so that the worker can keep answering ZeroMQ while
 * waiting for rows: whenever the source has nothing to give, or every second while rows
 * flow, the pump calls the caller's service function, which polls the worker's socket (and
 * the source's socket, given as fd) and may ask the pump to abort.
 */
#ifndef CONFITURE_PUMP_H
#define CONFITURE_PUMP_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/*
 * Called while pumping. fd is the source socket to wait on (or -1: do not wait, just
 * service), timeout_ms how long at most to wait; rows and bytes are the counts so far.
 * Returns 0 to go on, -1 to abort the copy (the caller filled its own reason).
 */
typedef int(pump_service_fn)(void *arg, int fd, int timeout_ms, int64_t rows, int64_t bytes);

/*
 * Rewrites one CopyData message (data/len) into *out and *outlen (valid until the next call;
 * *outlen 0 sends nothing). Called once more at the end with data NULL, to check that the
 * stream ended whole. Returns 0, or -1 with err set (the copy is aborted).
 */
typedef int(pump_transform_fn)(void *arg, const char *data, size_t len, const char **out,
                               size_t *outlen, err_t *err);

/*
 * Runs source_sql (a COPY ... TO STDOUT) on src and target_sql (a COPY ... FROM STDIN) on
 * tgt, inside the transactions the caller opened, and streams every row. On success returns
 * 0 with *rows (as counted by the source's COPY tag, checked against the target's) and
 * *bytes set. On failure returns -1 with err set (from whichever side failed; the SQLSTATE
 * kept), or -2 when the service function asked to abort; the caller must then discard both
 * connections' transactions (the COPY states are left mid-way). With transform NULL the
 * messages pass as they came; otherwise each goes through transform(targ, ...) (masking).
 * *bytes counts what the source sent.
 */
int pump_copy(PGconn *src, const char *source_sql, PGconn *tgt, const char *target_sql,
              pump_transform_fn *transform, void *targ, pump_service_fn *service, void *arg,
              int64_t *rows, int64_t *bytes, err_t *err);

#endif
