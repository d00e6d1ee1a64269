/*
 * pgutil.h - libpq helpers: connect with confiture's session settings, run SQL, keep the
 * SQLSTATE of the last error, quote identifiers and literals, resolve database references.
 *
 * A database reference ("ref") is how a task names a database without carrying a secret
 * over ZeroMQ; each process resolves it locally:
 *
 *     env:NAME     db/environments/NAME.yaml in this process's config dir
 *     var:NAME     the connection string in this process's environment variable NAME
 *                  (the CLI hands its children the DSNs it resolved this way)
 *     dsn:STRING   a connection string without a password (PGPASSWORD, .pgpass apply)
 */
#ifndef CONFITURE_PGUTIL_H
#define CONFITURE_PGUTIL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

/* Resolves a database reference into a connection string (caller frees), or NULL with err. */
char *pgutil_resolve_ref(const char *ref, const char *config_dir, err_t *err);

/*
 * Connects and applies the session settings every confiture session uses, so that text
 * values print and parse alike on both sides: DateStyle ISO, IntervalStyle postgres,
 * extra_float_digits 3, TimeZone UTC, bytea_output hex, and client_encoding when not NULL;
 * and no statement_timeout or idle_in_transaction_session_timeout, whatever the server's
 * defaults (a long COPY, a held snapshot). Server notices go to the debug log. A
 * connect_timeout in conninfo wins over the default of 10 s. application_name is set when
 * not NULL. On failure returns NULL with err set (code
 * "connect", exit code EXIT_CODE_CONNECT), naming `what` ("source", "target") and the
 * redacted DSN, with a hint for the usual causes (server down, bad password, pg_hba).
 */
PGconn *pgutil_connect(const char *conninfo, const char *what, const char *client_encoding,
                       const char *application_name, err_t *err);

/*
 * Runs one statement with optional text parameters. Returns the result when its status is
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK (caller PQclear()s it), else NULL with err set from the
 * server's message (code "sql", the SQLSTATE kept in err->detail's "SQLSTATE xxxxx" prefix and
 * returned by pgutil_err_sqlstate).
 */
PGresult *pgutil_query(PGconn *conn, err_t *err, const char *sql, int nparams,
                       const char *const *params);

/* Runs a statement that returns no rows. Returns 0 or -1 with err set. */
int pgutil_exec(PGconn *conn, err_t *err, const char *sql);

/* Fills err from a failed result or connection (result may be NULL). Returns -1. */
int pgutil_set_error(err_t *err, PGconn *conn, const PGresult *res, const char *context);

/* The SQLSTATE recorded in err by pgutil (empty string when none). */
const char *pgutil_err_sqlstate(const err_t *err);

/* True for SQLSTATEs worth a retry: connection loss (08), serialization failure and deadlock
 * (40001, 40P01), admin shutdown and crash (57P01..57P03), out of resources (53). */
bool pgutil_sqlstate_retryable(const char *sqlstate);

/* Quotes an identifier ("My Table") always; caller frees. */
char *pgutil_quote_ident(const char *ident);

/* Quotes a literal ('it''s', E'' when needed); caller frees. */
char *pgutil_quote_literal(const char *text);

/* Builds a text[] literal ('{"a","b"}') for a query parameter; caller frees. */
char *pgutil_text_array(char *const *items, int n);

/* Parses a non-negative decimal column value (NULL or invalid gives dflt). */
int64_t pgutil_int(const PGresult *res, int row, int col, int64_t dflt);

/* Returns a malloc'd copy of the value, or NULL for SQL NULL. */
char *pgutil_strdup(const PGresult *res, int row, int col);

#endif
