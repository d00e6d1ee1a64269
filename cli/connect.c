/*
 * connect.c - how the CLI's own commands (verify, status, anonymize) reach a database.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/config.h"
#include "common/pgutil.h"

PGconn *
cli_connect(const cli_options_t *o, const char *arg, const char *what, const char *encoding,
            bool snapshot, err_t *err)
{
    char *conninfo = NULL, name[64];
    PGconn *conn;

    if (config_resolve(arg, o->config_dir, &conninfo, err) != 0)
        return NULL;
    snprintf(name, sizeof(name), "confiture %s", o->command);
    conn = pgutil_connect(conninfo, what, encoding, name, err);
    free(conninfo);
    if (conn != NULL && snapshot &&
        pgutil_exec(conn, err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}
