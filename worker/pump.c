/*
 * pump.c - streams one COPY from a source connection into a target connection.
 */
#include "worker/pump.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/pgutil.h"

static int64_t
s_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ends the target's COPY with an error so its transaction can only roll back. */
static void
s_abort_target(PGconn *tgt)
{
    PGresult *res;

    if (PQputCopyEnd(tgt, "confiture: copy aborted") == 1) {
        while ((res = PQgetResult(tgt)) != NULL)
            PQclear(res);
    }
}

static int
s_finish_source(PGconn *src, int64_t *rows, err_t *err)
{
    PGresult *res = PQgetResult(src);
    int rc = 0;

    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        pgutil_set_error(err, src, res, "reading the source failed");
        rc = -1;
    } else {
        *rows = strtoll(PQcmdTuples(res), NULL, 10);
    }
    PQclear(res);
    while ((res = PQgetResult(src)) != NULL)
        PQclear(res);
    return rc;
}

static int
s_finish_target(PGconn *tgt, int64_t expected_rows, err_t *err)
{
    PGresult *res;
    int rc = 0;

    if (PQputCopyEnd(tgt, NULL) != 1)
        return pgutil_set_error(err, tgt, NULL, "ending the copy into the target failed");
    res = PQgetResult(tgt);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        pgutil_set_error(err, tgt, res, "loading into the target failed");
        rc = -1;
    } else if (strtoll(PQcmdTuples(res), NULL, 10) != expected_rows) {
        err_set(err, "internal", 70, "the target loaded %s rows where the source sent %lld",
                PQcmdTuples(res), (long long) expected_rows);
        rc = -1;
    }
    PQclear(res);
    while ((res = PQgetResult(tgt)) != NULL)
        PQclear(res);
    return rc;
}

int
pump_copy(PGconn *src, const char *source_sql, PGconn *tgt, const char *target_sql,
          pump_transform_fn *transform, void *targ, pump_service_fn *service, void *arg,
          int64_t *rows, int64_t *bytes, err_t *err)
{
    PGresult *res;
    int64_t messages = 0, total = 0, next_service;

    *rows = 0;
    *bytes = 0;
    res = PQexec(tgt, target_sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        pgutil_set_error(err, tgt, res, "starting the copy into the target failed");
        PQclear(res);
        return -1;
    }
    PQclear(res);
    if (!PQsendQuery(src, source_sql)) {
        pgutil_set_error(err, src, NULL, "starting the copy from the source failed");
        s_abort_target(tgt);
        return -1;
    }

    /* Wait for the source's COPY to start, servicing the worker meanwhile. */
    while (PQisBusy(src)) {
        if (service(arg, PQsocket(src), 1000, 0, 0) != 0) {
            s_abort_target(tgt);
            return -2;
        }
        if (!PQconsumeInput(src)) {
            pgutil_set_error(err, src, NULL, "reading the source failed");
            s_abort_target(tgt);
            return -1;
        }
    }
    res = PQgetResult(src);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        pgutil_set_error(err, src, res, "starting the copy from the source failed");
        PQclear(res);
        while ((res = PQgetResult(src)) != NULL)
            PQclear(res);
        s_abort_target(tgt);
        return -1;
    }
    PQclear(res);

    next_service = s_now_ms() + 1000;
    for (;;) {
        char *buf = NULL;
        int len = PQgetCopyData(src, &buf, 1);

        if (len > 0) {
            int put = 1;

            if (transform != NULL) {
                const char *out;
                size_t outlen;

                if (transform(targ, buf, (size_t) len, &out, &outlen, err) != 0) {
                    PQfreemem(buf);
                    s_abort_target(tgt);
                    return -1;
                }
                if (outlen > 0)
                    put = PQputCopyData(tgt, out, (int) outlen);
            } else {
                put = PQputCopyData(tgt, buf, len);
            }
            PQfreemem(buf);
            if (put != 1) {
                pgutil_set_error(err, tgt, NULL, "writing into the target failed");
                return -1;
            }
            messages++;
            total += len;
            if ((messages & 1023) == 0 && s_now_ms() >= next_service) {
                if (service(arg, -1, 0, messages, total) != 0) {
                    s_abort_target(tgt);
                    return -2;
                }
                next_service = s_now_ms() + 1000;
            }
            continue;
        }
        if (len == 0) {
            /* No complete row buffered: wait for the source socket. */
            if (service(arg, PQsocket(src), 1000, messages, total) != 0) {
                s_abort_target(tgt);
                return -2;
            }
            next_service = s_now_ms() + 1000;
            if (!PQconsumeInput(src)) {
                pgutil_set_error(err, src, NULL, "reading the source failed");
                s_abort_target(tgt);
                return -1;
            }
            continue;
        }
        if (len == -1)
            break;
        pgutil_set_error(err, src, NULL, "reading the source failed");
        s_abort_target(tgt);
        return -1;
    }
    if (s_finish_source(src, rows, err) != 0) {
        s_abort_target(tgt);
        return -1;
    }
    if (transform != NULL) {
        const char *out;
        size_t outlen;

        if (transform(targ, NULL, 0, &out, &outlen, err) != 0) {
            s_abort_target(tgt);
            return -1;
        }
    }
    *bytes = total;
    return s_finish_target(tgt, *rows, err);
}
