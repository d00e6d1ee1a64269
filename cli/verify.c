/*
 * verify.c - `confiture verify`: are two databases' tables the same, row for row?
 *
 * Each side is read in one REPEATABLE READ snapshot. For every selected table of the source,
 * both servers compute, in parallel, the row count and an order-independent checksum: the
 * sum of the first 64 bits of md5() of each row's text form (columns in the source's order,
 * the ones both sides have), so a missing, extra, doubled or changed row changes it. Text
 * forms print alike on both sides because every confiture session uses the same DateStyle,
 * TimeZone, extra_float_digits and bytea_output (common/pgutil.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/config.h"
#include "common/exitcodes.h"
#include "common/log.h"
#include "common/pgutil.h"
#include "coordinator/catalog.h"

static PGconn *
s_open(const cli_options_t *o, const char *arg, const char *what, const char *encoding, err_t *err)
{
    char *conninfo = NULL;
    PGconn *conn;

    if (config_resolve(arg, o->config_dir, &conninfo, err) != 0)
        return NULL;
    conn = pgutil_connect(conninfo, what, encoding, "confiture verify", err);
    free(conninfo);
    if (conn == NULL)
        return NULL;
    if (pgutil_exec(conn, err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

/* Columns of t that the target also has, as a quoted list; NULL when the table is missing. */
static char *
s_common_columns(PGconn *tgt, const cat_table_t *t, err_t *err, bool *missing)
{
    const char *params[2] = {t->schema, t->name};
    PGresult *res = pgutil_query(tgt, err,
                                 "SELECT a.attname FROM pg_catalog.pg_attribute a "
                                 "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 "
                                 "AND NOT a.attisdropped",
                                 2, params);
    char *list;
    size_t len = 1;

    *missing = false;
    if (res == NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        *missing = true;
        PQclear(res);
        return NULL;
    }
    for (int c = 0; c < t->ncolumns; c++)
        len += strlen(t->columns[c].name) * 2 + 4;
    list = calloc(1, len);
    for (int c = 0; c < t->ncolumns; c++) {
        bool found = false;

        for (int r = 0; r < PQntuples(res) && !found; r++)
            found = strcmp(PQgetvalue(res, r, 0), t->columns[c].name) == 0;
        if (found) {
            char *q = pgutil_quote_ident(t->columns[c].name);

            if (list[0])
                strcat(list, ", ");
            strcat(list, q);
            free(q);
        }
    }
    PQclear(res);
    return list;
}

int
cli_verify(const cli_options_t *o)
{
    PGconn *src, *tgt = NULL;
    cat_source_t cat;
    value_t *differ = value_new_array();
    err_t err;
    int rc = EXIT_CODE_OK, checked = 0;

    err_clear(&err);
    memset(&cat, 0, sizeof(cat));
    src = s_open(o, o->from, "source", NULL, &err);
    if (src == NULL)
        goto fail;
    if (catalog_read_source(src, &cat, &err) != 0 ||
        catalog_select(&cat, o->tables, o->exclude, &err) != 0)
        goto fail;
    if (PQsetClientEncoding(src, cat.encoding) != 0)
        goto fail;
    tgt = s_open(o, o->to, "target", cat.encoding, &err);
    if (tgt == NULL)
        goto fail;

    for (int i = 0; i < cat.ntables; i++) {
        const cat_table_t *t = &cat.tables[i];
        const char *side_count[2], *side_sum[2];
        PGconn *conns[2] = {src, tgt};
        PGresult *res[2] = {NULL, NULL};
        bool missing;
        char *cols, *sql, table[512];

        if (!t->selected)
            continue;
        /* Named as sync names them: schema.table, unquoted. */
        snprintf(table, sizeof(table), "%s.%s", t->schema, t->name);
        checked++;
        cols = s_common_columns(tgt, t, &err, &missing);
        if (cols == NULL && !missing)
            goto fail;
        if (missing) {
            value_t *d = value_new_map();

            value_map_put_string(d, "table", table);
            value_map_put_string(d, "problem", "missing on the target");
            value_array_push(differ, d);
            if (o->format == FORMAT_TEXT)
                printf("%-50s MISSING on the target\n", table);
            continue;
        }
        if (asprintf(&sql,
                     "SELECT count(*), coalesce(sum(('x' || substr(md5(ROW(%s)::text), 1, 16))"
                     "::bit(64)::bigint::numeric), 0) FROM ONLY %s",
                     cols, t->qname) < 0)
            abort();
        free(cols);
        for (int s = 0; s < 2; s++)
            if (!PQsendQuery(conns[s], sql)) {
                pgutil_set_error(&err, conns[s], NULL, table);
                free(sql);
                goto fail;
            }
        free(sql);
        for (int s = 0; s < 2; s++) {
            PGresult *r;

            while ((r = PQgetResult(conns[s])) != NULL) {
                if (res[s] == NULL)
                    res[s] = r;
                else
                    PQclear(r);
            }
            if (res[s] == NULL || PQresultStatus(res[s]) != PGRES_TUPLES_OK) {
                pgutil_set_error(&err, conns[s], res[s], table);
                PQclear(res[0]);
                PQclear(res[1]);
                goto fail;
            }
            side_count[s] = PQgetvalue(res[s], 0, 0);
            side_sum[s] = PQgetvalue(res[s], 0, 1);
        }
        if (strcmp(side_count[0], side_count[1]) != 0 || strcmp(side_sum[0], side_sum[1]) != 0) {
            value_t *d = value_new_map();

            value_map_put_string(d, "table", table);
            value_map_put_int(d, "source_rows", strtoll(side_count[0], NULL, 10));
            value_map_put_int(d, "target_rows", strtoll(side_count[1], NULL, 10));
            value_map_put_string(d, "source_checksum", side_sum[0]);
            value_map_put_string(d, "target_checksum", side_sum[1]);
            value_map_put_string(d, "problem",
                                 strcmp(side_count[0], side_count[1]) != 0 ? "row counts differ"
                                                                           : "rows differ");
            value_array_push(differ, d);
        }
        if (o->format == FORMAT_TEXT)
            printf("%-50s %12s %12s  %s\n", table, side_count[0], side_count[1],
                   strcmp(side_count[0], side_count[1]) != 0 ? "DIFFERENT COUNT"
                   : strcmp(side_sum[0], side_sum[1]) != 0   ? "DIFFERENT ROWS"
                                                             : "ok");
        PQclear(res[0]);
        PQclear(res[1]);
    }
    if (value_size(differ) > 0)
        rc = EXIT_CODE_DIFFERENT;
    if (o->format == FORMAT_JSON) {
        value_t *doc = value_new_map();

        value_map_put_bool(doc, "ok", rc == EXIT_CODE_OK);
        value_map_put_string(doc, "command", "verify");
        value_map_put_int(doc, "tables", checked);
        value_map_put(doc, "differences", differ);
        differ = NULL;
        cli_print_json(doc);
        value_destroy(&doc);
    } else if (rc == EXIT_CODE_OK) {
        printf("verified %d tables: source and target match\n", checked);
    } else {
        fprintf(stderr, "confiture: error: %zu of %d tables differ\n", value_size(differ), checked);
    }
    value_destroy(&differ);
    catalog_free_source(&cat);
    PQfinish(src);
    PQfinish(tgt);
    return rc;

fail:
    value_destroy(&differ);
    catalog_free_source(&cat);
    PQfinish(src);
    PQfinish(tgt);
    return cli_fail(o, &err);
}
