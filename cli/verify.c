/*
 * verify.c - `confiture verify`: are two databases' tables the same, row for row?
 *
 * Each side is read in one REPEATABLE READ snapshot. For every selected table of the source,
 * both servers compute, in parallel, the row count and an order-independent checksum: the
 * sum of the first 64 bits of md5() of each row's text form (columns in the source's order,
 * the ones both sides have), so a missing, extra, doubled or changed row changes it. Text
 * forms print alike on both sides because every confiture session uses the same DateStyle,
 * TimeZone, extra_float_digits and bytea_output (common/pgutil.c).
 *
 * With --pii the target is a masked copy: the rules file says which columns differ by design.
 * The count and checksum then cover only the columns no rule masks (a "preserve" rule keeps
 * its column in), so "ok" still means the unmasked data is equal; and the masked columns go
 * through the leak scan (common/leakscan.h), which counts the rows whose masked value is
 * still the source's. A leak is a difference: exit code 1. A rule of a partitioned table
 * applies to its partitions, a partition's own rule first.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/config.h"
#include "common/exitcodes.h"
#include "common/leakscan.h"
#include "common/log.h"
#include "common/pgutil.h"
#include "common/rules.h"
#include "coordinator/catalog.h"
#include "coordinator/maskplan.h"

/* True when a rule changes the column's values (any strategy but preserve). */
static bool
s_masks(const rules_t *rules, const cat_table_t *t, const char *column)
{
    const rule_t *r = maskplan_find_rule(rules, t, column);

    return r != NULL && strcmp(r->strategy, "preserve") != 0;
}

/*
 * Checks the rules against the source: each names a table (or a partitioned table) and a
 * column that exist. Also counts the selected tables that have a rule. Returns 0, or -1 with
 * err set (code "rules", EXIT_CODE_CONFIG) listing every rule that names nothing, or saying
 * that no rule names a selected table.
 */
static int
s_check_rules(const rules_t *rules, const cat_source_t *cat, err_t *err)
{
    err_list_t unknown = {NULL, 0};
    int ruled = 0;

    for (size_t i = 0; i < rules->count; i++) {
        const rule_t *r = &rules->items[i];
        bool table = false, column = false;

        for (int k = 0; k < cat->ntables && !column; k++) {
            const cat_table_t *t = &cat->tables[k];

            if (!catalog_table_is(t, r->schema, r->table))
                continue;
            table = true;
            column = catalog_column(t, r->column) != NULL;
        }
        if (!table)
            err_list_add(&unknown, "%s:%d: table %s.%s does not exist on the source", rules->path,
                         r->line, r->schema, r->table);
        else if (!column)
            err_list_add(&unknown, "%s:%d: column %s.%s.%s does not exist on the source",
                         rules->path, r->line, r->schema, r->table, r->column);
    }
    if (unknown.count > 0) {
        err_set(err, "rules", EXIT_CODE_CONFIG, "%s",
                unknown.count == 1 ? err_list_single(&unknown)
                                   : "some masking rules name tables or columns the source lacks");
        if (unknown.count > 1)
            err_detail(err, "%s", unknown.text);
        err_hint(err, "names are matched exactly, case included: fix the rules file, or check "
                      "--from");
        err_list_free(&unknown);
        return -1;
    }
    for (int k = 0; k < cat->ntables; k++) {
        const cat_table_t *t = &cat->tables[k];
        bool any = false;

        for (int c = 0; t->selected && c < t->ncolumns && !any; c++)
            any = maskplan_find_rule(rules, t, t->columns[c].name) != NULL;
        ruled += any;
    }
    if (ruled == 0) {
        err_set(err, "rules", EXIT_CODE_CONFIG, "no masking rule names a selected table");
        err_hint(err,
                 "%s holds %zu rules; check --tables and --exclude, or give the rules the "
                 "target was masked with (--anonymization-config FILE)",
                 rules->path, rules->count);
        return -1;
    }
    return 0;
}

/*
 * Columns of t that the target also has, as a quoted list, leaving out those a rule masks
 * (rules may be NULL); NULL when the table is missing.
 */
static char *
s_common_columns(PGconn *tgt, const cat_table_t *t, const rules_t *rules, err_t *err, bool *missing)
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
        if (s_masks(rules, t, t->columns[c].name))
            found = false;
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

/* The leak scan's service: waits for the server, stops on Ctrl-C. */
static int
s_service(void *arg, int fd, int timeout_ms, int64_t rows, int64_t bytes)
{
    struct pollfd pfd = {fd, POLLIN, 0};

    (void) arg;
    (void) rows;
    (void) bytes;
    if (!cli_interrupted)
        poll(&pfd, 1, timeout_ms);
    return cli_interrupted ? -1 : 0;
}

/*
 * The leak scan of t's masked columns: a line per column (text), an entry per column in pii
 * and per leaking column its message in leaks. Returns 0 or -1 with err set.
 */
static int
s_pii_table(const cli_options_t *o, PGconn *src, PGconn *tgt, const rules_t *rules,
            const cat_table_t *t, const char *table, value_t *pii, value_t *leaks, err_t *err)
{
    leak_column_t *cols = calloc((size_t) t->ncolumns + 1, sizeof(*cols));
    int n = 0;

    if (cols == NULL)
        abort();
    for (int c = 0; c < t->ncolumns; c++) {
        const rule_t *r = maskplan_find_rule(rules, t, t->columns[c].name);

        if (r == NULL)
            continue;
        cols[n].column = t->columns[c].name;
        cols[n].strategy = r->strategy;
        n++;
    }
    if (n > 0 && leakscan_table(src, tgt, t->schema, t->name, cols, n, s_service, NULL, err) != 0) {
        free(cols);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const leak_column_t *lc = &cols[i];
        const char *status = lc->skipped ? "skipped" : lc->equal > 0 ? "leak" : "ok";
        char name[1024];
        value_t *e;

        snprintf(name, sizeof(name), "%s.%s", table, lc->column);
        if (o->format == FORMAT_TEXT) {
            const char *verdict = lc->equal > 0 ? "LEAK" : "ok";

            printf("%-50s %-12s checked %lld  equal %lld  %s%s\n", name, lc->strategy,
                   (long long) lc->checked, (long long) lc->equal,
                   lc->skipped ? "skipped: " : verdict, lc->skipped ? lc->skipped : "");
        }
        e = value_new_map();
        value_map_put_string(e, "table", table);
        value_map_put_string(e, "column", lc->column);
        value_map_put_string(e, "strategy", lc->strategy);
        value_map_put_int(e, "checked", lc->checked);
        value_map_put_int(e, "equal", lc->equal);
        value_map_put_string(e, "status", status);
        value_map_put(e, "reason", value_new_string(lc->skipped));
        value_array_push(pii, e);
        if (lc->skipped == NULL && lc->equal > 0) {
            char *msg;

            if (asprintf(&msg, "PII leak: %s holds its source value in %lld of %lld rows", name,
                         (long long) lc->equal, (long long) lc->checked) < 0)
                abort();
            value_array_push(leaks, value_new_string(msg));
            free(msg);
        }
    }
    free(cols);
    return 0;
}

int
cli_verify(const cli_options_t *o)
{
    PGconn *src = NULL, *tgt = NULL;
    cat_source_t cat;
    rules_t rules;
    const rules_t *ruled = NULL;
    value_t *differ = value_new_array(), *pii = value_new_array(), *leaks = value_new_array();
    err_t err;
    int rc = EXIT_CODE_OK, checked = 0, compared = 0, skipped = 0;

    err_clear(&err);
    memset(&cat, 0, sizeof(cat));
    memset(&rules, 0, sizeof(rules));
    if (o->pii) {
        if (rules_load(o->rules_path, &rules, &err) != 0)
            goto fail;
        ruled = &rules;
    }
    src = cli_connect(o, o->from, "source", NULL, true, &err);
    if (src == NULL)
        goto fail;
    if (catalog_read_source(src, &cat, &err) != 0 ||
        catalog_select(&cat, o->tables, o->exclude, &err) != 0)
        goto fail;
    if (ruled != NULL && s_check_rules(ruled, &cat, &err) != 0)
        goto fail;
    if (PQsetClientEncoding(src, cat.encoding) != 0)
        goto fail;
    tgt = cli_connect(o, o->to, "target", cat.encoding, true, &err);
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
        cols = s_common_columns(tgt, t, ruled, &err, &missing);
        if (cols == NULL && !missing)
            goto fail;
        if (missing) {
            value_t *d = value_new_map();

            value_map_put_string(d, "table", table);
            value_map_put_string(d, "problem", "missing on the target");
            value_array_push(differ, d);
            if (o->format == FORMAT_TEXT)
                printf("%-50s MISSING on the target\n", table);
            if (ruled != NULL && s_pii_table(o, src, tgt, ruled, t, table, pii, leaks, &err) != 0)
                goto fail;
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
        if (ruled != NULL && s_pii_table(o, src, tgt, ruled, t, table, pii, leaks, &err) != 0)
            goto fail;
    }
    for (size_t i = 0; i < value_size(pii); i++) {
        const char *status = value_map_string(value_at(pii, i), "status", "");

        compared += strcmp(status, "skipped") != 0;
        skipped += strcmp(status, "skipped") == 0;
    }
    if (value_size(differ) > 0 || value_size(leaks) > 0)
        rc = EXIT_CODE_DIFFERENT;
    if (o->format == FORMAT_JSON) {
        value_t *doc = value_new_map();

        value_map_put_bool(doc, "ok", rc == EXIT_CODE_OK);
        value_map_put_string(doc, "command", "verify");
        value_map_put_int(doc, "tables", checked);
        value_map_put(doc, "differences", differ);
        differ = NULL;
        if (ruled != NULL) {
            value_map_put(doc, "pii", pii);
            pii = NULL;
            value_map_put_int(doc, "leaks", (int64_t) value_size(leaks));
        }
        cli_print_json(doc);
        value_destroy(&doc);
    } else if (rc == EXIT_CODE_OK && ruled != NULL) {
        printf("verified %d tables: the unmasked columns match; %d masked columns compared, "
               "none holds its source value (%d skipped)\n",
               checked, compared, skipped);
    } else if (rc == EXIT_CODE_OK) {
        printf("verified %d tables: source and target match\n", checked);
    } else {
        for (size_t i = 0; i < value_size(leaks); i++)
            fprintf(stderr, "confiture: error: %s\n", value_string(value_at(leaks, i), ""));
        if (value_size(differ) > 0)
            fprintf(stderr, "confiture: error: %zu of %d tables differ\n", value_size(differ),
                    checked);
    }
    value_destroy(&differ);
    value_destroy(&pii);
    value_destroy(&leaks);
    rules_free(&rules);
    catalog_free_source(&cat);
    PQfinish(src);
    PQfinish(tgt);
    return rc;

fail:
    value_destroy(&differ);
    value_destroy(&pii);
    value_destroy(&leaks);
    rules_free(&rules);
    catalog_free_source(&cat);
    PQfinish(src);
    PQfinish(tgt);
    return cli_fail(o, &err);
}
