/*
 * proto.h - the confiture wire protocol: frames, commands and the msgpack codec.
 *
 * Only this module knows msgpack and the frame layout. Every message is three frames after
 * any ROUTER identity:
 *
 *     [signature + version] [command] [body]
 *
 *   signature+version  4 bytes: 'C' 'N' 'F' PROTO_VERSION
 *   command            ASCII, 1-32 bytes, [A-Z_] only (e.g. "TASK")
 *   body               a msgpack map with string keys (value_t of type VALUE_MAP)
 *
 * Unknown keys in a body are ignored by readers, so the protocol can grow. A frame that does
 * not decode (bad signature, other version, bad command, malformed or non-map msgpack,
 * trailing bytes, wrong frame count) is reported as an error, never a crash: the caller logs
 * it and drops the message.
 *
 * msgpack mapping: nil, bool, int (positive and negative fixint, int/uint 8..64; a uint64
 * above INT64_MAX is an error), float32/float64 (as double), str and bin (as VALUE_STRING),
 * array, map (keys must be str). Ext types are an error. Nesting deeper than 32 is an error.
 */
#ifndef CONFITURE_PROTO_H
#define CONFITURE_PROTO_H

#include <czmq.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/value.h"

#define PROTO_VERSION   1
#define PROTO_MAX_DEPTH 32

/* Commands, worker to coordinator (work socket). */
#define PROTO_HELLO     "HELLO"     /* {worker, host, pid, version, credit} sets credit */
#define PROTO_READY     "READY"     /* {credit} asks for up to credit more tasks */
#define PROTO_HEARTBEAT "HEARTBEAT" /* {} both ways on the work socket */
#define PROTO_PROGRESS  "PROGRESS"  /* {job, task, attempt, rows, bytes} */
#define PROTO_DONE      "DONE"      /* {job, task, attempt, rows, bytes, skipped} */
#define PROTO_BYE       "BYE"       /* {} the worker leaves */
/* {job, task, attempt, code, sqlstate, message, detail, hint, retry} */
#define PROTO_FAILED "FAILED"

/* Commands, coordinator to worker. */
#define PROTO_TASK     "TASK"     /* {job, task, attempt, kind, ...} see docs/architecture.md */
#define PROTO_CANCEL   "CANCEL"   /* {job, task, attempt} abort that attempt */
#define PROTO_SHUTDOWN "SHUTDOWN" /* {} stop after aborting any task */

/* Commands, CLI to coordinator (ctl socket). */
#define PROTO_SUBMIT "SUBMIT" /* {job spec} */
#define PROTO_ABORT  "ABORT"  /* {} abort the job this client submitted (Ctrl-C in daemon mode) */
#define PROTO_STOP   "STOP"   /* {} shut the coordinator down (for operators' tools) */

/* Commands, coordinator to CLI (ctl socket). */
#define PROTO_ACCEPTED "ACCEPTED" /* {job} */
#define PROTO_EVENT    "EVENT"    /* {event, ...} plan, phase, progress, task_done, workers */
#define PROTO_RESULT   "RESULT"   /* {job, ok, summary..., error?} the job's end */
#define PROTO_ERROR    "ERROR"    /* {code, message, detail, hint} a refused request */

/*
 * Encodes a body (must be a VALUE_MAP) as msgpack. Returns a malloc'd buffer the caller
 * frees and sets *len, or NULL with err set when body is not a map.
 */
uint8_t *proto_body_encode(const value_t *body, size_t *len, err_t *err);

/*
 * Decodes msgpack bytes that must hold exactly one map. Returns 0 and sets *body (caller
 * owns it), or -1 with err set (code "protocol"). Never reads past data+len.
 */
int proto_body_decode(const uint8_t *data, size_t len, value_t **body, err_t *err);

/*
 * Builds the three frames of a message. Caller owns the result. body may be NULL (an empty
 * map is sent).
 */
zmsg_t *proto_encode(const char *command, const value_t *body);

/*
 * Decodes the three frames of a message (any ROUTER identity must have been popped first).
 * On success returns 0, sets *command (caller frees) and *body (caller owns); on failure
 * returns -1 with err set. Does not take ownership of msg.
 */
int proto_decode(zmsg_t *msg, char **command, value_t **body, err_t *err);

/*
 * Sends a message on sock. identity, when not NULL, is sent first (ROUTER sockets) and is
 * not taken. Returns 0, or -1 when the socket refused it.
 */
int proto_send(zsock_t *sock, zframe_t *identity, const char *command, const value_t *body);

/*
 * Receives one message from sock (blocks; poll first). When router is true the first frame
 * is the peer identity, returned in *identity (caller destroys it; also set on decode
 * errors so the caller can answer, else NULL). Returns 0 with *command and *body set,
 * -1 with err set on a malformed message (the message is consumed), or -2 when interrupted.
 */
int proto_recv(zsock_t *sock, bool router, zframe_t **identity, char **command, value_t **body,
               err_t *err);

#endif
