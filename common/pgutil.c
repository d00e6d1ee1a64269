/*
 * pgutil.c - libpq helpers shared by the CLI, the coordinator and the workers.
 */
#include "common/pgutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/exitcodes.h"
#include "common/log.h"

static const char *s_session_sql =
    "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
    "SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET bytea_output = 'hex'; "
    "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0";

char *
pgutil_resolve_ref(const char *ref, const char *config_dir, err_t *err)
{
    char *conninfo = NULL;

    if (strncmp(ref, "env:", 4) == 0) {
        if (config_resolve(ref + 4, config_dir, &conninfo, err) != 0)
            return NULL;
        return conninfo;
    }
    if (strncmp(ref, "var:", 4) == 0) {
        const char *value = getenv(ref + 4);

        if (value == NULL || value[0] == '\0') {
            err_set(err, "config", EXIT_CODE_CONFIG,
                    "database reference %s: environment variable %s is not set", ref, ref + 4);
            err_hint(err, "start this process from the confiture CLI, or refer to the database "
                          "by environment name");
            return NULL;
        }
        return strdup(value);
    }
    if (strncmp(ref, "dsn:", 4) == 0)
        return strdup(ref + 4);
    err_set(err, "config", EXIT_CODE_CONFIG, "unknown database reference \"%s\"", ref);
    err_hint(err, "a reference is env:NAME, var:NAME or dsn:CONNINFO");
    return NULL;
}

/* Server notices ("relation already exists, skipping") are for debugging, not for users. */
static void
s_notice(void *arg, const char *message)
{
    size_t len = strlen(message);

    (void) arg;
    log_debug("server: %.*s", (int) (len > 0 && message[len - 1] == '\n' ? len - 1 : len), message);
}

PGconn *
pgutil_connect(const char *conninfo, const char *what, const char *client_encoding,
               const char *application_name, err_t *err)
{
    /* Defaults first: the expanded connection string (dbname) overrides them. */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *vals[] = {"10", "confiture", conninfo, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);

    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        char *safe = config_redact(conninfo);
        char message[ERR_TEXT_LEN];
        size_t len;

        snprintf(message, sizeof(message), "%s", conn ? PQerrorMessage(conn) : "out of memory");
        len = strlen(message);
        while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == ' '))
            message[--len] = '\0';
        err_set(err, "connect", EXIT_CODE_CONNECT, "cannot connect to the %s database: %s", what,
                message);
        err_detail(err, "connection string: %s", safe);
        if (strstr(message, "password") != NULL)
            err_hint(err, "check the user and password (environment file, PGPASSWORD or "
                          "~/.pgpass) and the server's pg_hba.conf");
        else
            err_hint(err, "check that the server is running and reachable at that host and "
                          "port, and that the database exists");
        free(safe);
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, s_notice, NULL);
    if (pgutil_exec(conn, err, s_session_sql) != 0)
        goto fail;
    if (client_encoding != NULL && PQsetClientEncoding(conn, client_encoding) != 0) {
        err_set(err, "connect", EXIT_CODE_CONNECT, "cannot set client_encoding to %s on the %s",
                client_encoding, what);
        goto fail;
    }
    if (application_name != NULL) {
        char *lit = pgutil_quote_literal(application_name);
        char sql[512];
        int rc;

        snprintf(sql, sizeof(sql), "SET application_name = %s", lit);
        free(lit);
        rc = pgutil_exec(conn, err, sql);
        if (rc != 0)
            goto fail;
    }
    return conn;

fail:
    PQfinish(conn);
    return NULL;
}

int
pgutil_set_error(err_t *err, PGconn *conn, const PGresult *res, const char *context)
{
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    char message[ERR_TEXT_LEN];
    size_t len;

    if (primary == NULL) {
        primary = conn ? PQerrorMessage(conn) : "unknown error";
        if (conn && PQstatus(conn) == CONNECTION_BAD && sqlstate == NULL)
            sqlstate = "08006";
    }
    snprintf(message, sizeof(message), "%s", primary);
    len = strlen(message);
    while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == ' '))
        message[--len] = '\0';
    if (context != NULL)
        err_set(err, "sql", EXIT_CODE_FAILED, "%s: %s", context, message);
    else
        err_set(err, "sql", EXIT_CODE_FAILED, "%s", message);
    err_detail(err, "SQLSTATE %s%s%s", sqlstate ? sqlstate : "", detail ? ": " : "",
               detail ? detail : "");
    if (hint != NULL)
        err_hint(err, "%s", hint);
    return -1;
}

const char *
pgutil_err_sqlstate(const err_t *err)
{
    static char state[6];

    if (err == NULL || strncmp(err->detail, "SQLSTATE ", 9) != 0)
        return "";
    memcpy(state, err->detail + 9, 5);
    state[5] = '\0';
    if (state[0] == ':' || state[0] == '\0')
        return "";
    return state;
}

bool
pgutil_sqlstate_retryable(const char *sqlstate)
{
    if (sqlstate == NULL || strlen(sqlstate) != 5)
        return false;
    return strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "40001") == 0 ||
           strcmp(sqlstate, "40P01") == 0 || strcmp(sqlstate, "57P01") == 0 ||
           strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0 ||
           strncmp(sqlstate, "53", 2) == 0;
}

PGresult *
pgutil_query(PGconn *conn, err_t *err, const char *sql, int nparams, const char *const *params)
{
    PGresult *res;

    if (nparams > 0)
        res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    else
        res = PQexec(conn, sql);
    if (res != NULL &&
        (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK))
        return res;
    pgutil_set_error(err, conn, res, NULL);
    PQclear(res);
    return NULL;
}

int
pgutil_exec(PGconn *conn, err_t *err, const char *sql)
{
    PGresult *res = pgutil_query(conn, err, sql, 0, NULL);

    if (res == NULL)
        return -1;
    PQclear(res);
    return 0;
}

char *
pgutil_quote_ident(const char *ident)
{
    size_t len = strlen(ident);
    char *out = malloc(len * 2 + 3);
    char *p = out;

    if (out == NULL)
        abort();
    *p++ = '"';
    for (const char *s = ident; *s; s++) {
        if (*s == '"')
            *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

char *
pgutil_quote_literal(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(len * 2 + 4);
    char *p = out;
    bool backslash = strchr(text, '\\') != NULL;

    if (out == NULL)
        abort();
    if (backslash)
        *p++ = 'E';
    *p++ = '\'';
    for (const char *s = text; *s; s++) {
        if (*s == '\'' || (*s == '\\' && backslash))
            *p++ = *s;
        *p++ = *s;
    }
    *p++ = '\'';
    *p = '\0';
    return out;
}

int64_t
pgutil_int(const PGresult *res, int row, int col, int64_t dflt)
{
    char *end;
    long long v;

    if (PQgetisnull(res, row, col))
        return dflt;
    v = strtoll(PQgetvalue(res, row, col), &end, 10);
    if (*end != '\0')
        return dflt;
    return (int64_t) v;
}

char *
pgutil_strdup(const PGresult *res, int row, int col)
{
    char *s;

    if (PQgetisnull(res, row, col))
        return NULL;
    s = strdup(PQgetvalue(res, row, col));
    if (s == NULL)
        abort();
    return s;
}

char *
pgutil_text_array(char *const *items, int n)
{
    size_t size = 3;
    char *out, *p;

    for (int i = 0; i < n; i++)
        size += strlen(items[i]) * 2 + 3;
    out = calloc(1, size);
    if (out == NULL)
        abort();
    p = out;
    *p++ = '{';
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = items[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return out;
}
