/*
 * catalog.c - what the coordinator reads from the source and target catalogs.
 *
 * The target is read with search_path = '' (as pg_dump does), so every definition it saves
 * (pg_get_indexdef, pg_get_constraintdef, regclass names) is schema-qualified and restores
 * the same in any session.
 */
#include "coordinator/catalog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcodes.h"
#include "common/pgutil.h"
#include "common/xalloc.h"
#include "coordinator/planner.h"

static void *
s_realloc(void *p, size_t size)
{
    void *q = realloc(p, size);

    if (q == NULL)
        abort();
    return q;
}

/* Appends printf output to a growing string. */
static void s_append(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
s_append(char **buf, const char *fmt, ...)
{
    size_t old = *buf ? strlen(*buf) : 0;
    char *add = NULL, *p;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&add, fmt, ap) < 0)
        abort();
    va_end(ap);
    p = s_realloc(*buf, old + strlen(add) + 1);
    memcpy(p + old, add, strlen(add) + 1);
    free(add);
    *buf = p;
}

/* '{1,2,3}' for an oid array parameter; caller frees. */
static char *
s_oid_array(const unsigned int *oids, int n)
{
    char *out = xcalloc((size_t) n * 11 + 3, 1);
    size_t len = 0;

    out[len++] = '{';
    for (int i = 0; i < n; i++)
        len += (size_t) sprintf(out + len, "%s%u", i ? "," : "", oids[i]);
    out[len++] = '}';
    out[len] = '\0';
    return out;
}

static bool
s_bool(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}

static char *
s_qualified(const char *schema, const char *name)
{
    char *qs = pgutil_quote_ident(schema);
    char *qn = pgutil_quote_ident(name);
    char *out = xcalloc(strlen(qs) + strlen(qn) + 2, 1);

    sprintf(out, "%s.%s", qs, qn);
    free(qs);
    free(qn);
    return out;
}

static int
s_find_table(const cat_source_t *src, unsigned int oid)
{
    for (int i = 0; i < src->ntables; i++)
        if (src->tables[i].oid == oid)
            return i;
    return -1;
}

static const char *s_tables_sql =
    "SELECT c.oid, n.nspname, c.relname, pg_table_size(c.oid), "
    "       pg_relation_size(c.oid) / current_setting('block_size')::int "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND c.relpersistence <> 't' "
    "  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'confiture') "
    "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
    "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
    "                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
    "                    AND d.objid = c.oid AND d.deptype = 'e') "
    "ORDER BY 4 DESC, 2, 3";

static const char *s_ancestors_sql =
    "SELECT t.oid, n.nspname, c.relname "
    "FROM unnest($1::pg_catalog.oid[]) AS t(oid), "
    "     LATERAL pg_catalog.pg_partition_ancestors(t.oid) AS a(relid) "
    "     JOIN pg_catalog.pg_class c ON c.oid = a.relid "
    "     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE a.relid <> t.oid";

static const char *s_columns_sql =
    "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
    "       a.attgenerated <> '', "
    "       (t.oid < 16384 OR t.typtype = 'e' "
    "        OR (t.typtype = 'd' AND t.typbasetype < 16384 AND t.typbasetype <> 0)), "
    "       CASE WHEN t.typtype = 'd' "
    "            THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) "
    "            ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) END, "
    "       a.attnotnull "
    "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
    "WHERE a.attrelid = ANY($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY a.attrelid, a.attnum";

/* The first column of the primary key, else of the narrowest unique key whose columns are
 * all NOT NULL (no expressions, no predicate). */
static const char *s_keys_sql =
    "SELECT DISTINCT ON (i.indrelid) i.indrelid, pg_catalog.quote_ident(a.attname), "
    "       pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid IN (20, 21, 23), "
    "       (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || "
    "               pg_catalog.quote_ident(co.collname) "
    "        FROM pg_catalog.pg_collation co "
    "        JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace "
    "        WHERE co.oid = a.attcollation) "
    "FROM pg_catalog.pg_index i "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
    "WHERE i.indrelid = ANY($1::pg_catalog.oid[]) AND (i.indisprimary OR i.indisunique) "
    "  AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL "
    "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(i.indkey) AS k(attnum) "
    "                  JOIN pg_catalog.pg_attribute ka "
    "                    ON ka.attrelid = i.indrelid AND ka.attnum = k.attnum "
    "                  WHERE NOT ka.attnotnull) "
    "ORDER BY i.indrelid, i.indisprimary DESC, i.indnatts, i.indexrelid";

int
catalog_read_source(PGconn *conn, cat_source_t *src, err_t *err)
{
    PGresult *res;
    unsigned int *oids;
    char *array;
    const char *params[1];
    int row;

    memset(src, 0, sizeof(*src));
    src->encoding = strdup(PQparameterStatus(conn, "server_encoding"));
    src->server_version = PQserverVersion(conn);
    if (src->server_version < 140000) {
        err_set(err, "schema", EXIT_CODE_SCHEMA,
                "the source server runs PostgreSQL %d.%d; confiture needs 14 or later",
                src->server_version / 10000, src->server_version % 10000);
        return -1;
    }
    res = pgutil_query(conn, err, s_tables_sql, 0, NULL);
    if (res == NULL)
        return -1;
    src->ntables = PQntuples(res);
    src->tables = xcalloc((size_t) src->ntables, sizeof(cat_table_t));
    oids = xcalloc((size_t) src->ntables, sizeof(unsigned int));
    for (int i = 0; i < src->ntables; i++) {
        cat_table_t *t = &src->tables[i];

        t->oid = oids[i] = (unsigned int) strtoul(PQgetvalue(res, i, 0), NULL, 10);
        t->schema = pgutil_strdup(res, i, 1);
        t->name = pgutil_strdup(res, i, 2);
        t->qname = s_qualified(t->schema, t->name);
        t->bytes = pgutil_int(res, i, 3, 0);
        t->relpages = pgutil_int(res, i, 4, 0);
        t->ancestors = xcalloc(1, sizeof(char *));
    }
    PQclear(res);
    array = s_oid_array(oids, src->ntables);
    free(oids);
    params[0] = array;

    res = pgutil_query(conn, err, s_ancestors_sql, 1, params);
    if (res == NULL)
        goto fail;
    for (row = 0; row < PQntuples(res); row++) {
        int i = s_find_table(src, (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10));
        cat_table_t *t = &src->tables[i];
        int n = 0;

        while (t->ancestors[n] != NULL)
            n++;
        t->ancestors = s_realloc(t->ancestors, sizeof(char *) * ((size_t) n + 3));
        t->ancestors[n] = pgutil_strdup(res, row, 1);
        t->ancestors[n + 1] = pgutil_strdup(res, row, 2);
        t->ancestors[n + 2] = NULL;
    }
    PQclear(res);

    res = pgutil_query(conn, err, s_columns_sql, 1, params);
    if (res == NULL)
        goto fail;
    for (row = 0; row < PQntuples(res);) {
        unsigned int oid = (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10);
        cat_table_t *t = &src->tables[s_find_table(src, oid)];
        int first = row;

        while (row < PQntuples(res) &&
               (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10) == oid)
            row++;
        t->ncolumns = row - first;
        t->columns = xcalloc((size_t) t->ncolumns, sizeof(cat_column_t));
        for (int c = 0; c < t->ncolumns; c++) {
            t->columns[c].name = pgutil_strdup(res, first + c, 1);
            t->columns[c].type = pgutil_strdup(res, first + c, 2);
            t->columns[c].generated = s_bool(res, first + c, 3);
            t->columns[c].portable = s_bool(res, first + c, 4);
            t->columns[c].base_type = pgutil_strdup(res, first + c, 5);
            t->columns[c].not_null = s_bool(res, first + c, 6);
        }
    }
    PQclear(res);

    res = pgutil_query(conn, err, s_keys_sql, 1, params);
    if (res == NULL)
        goto fail;
    for (row = 0; row < PQntuples(res); row++) {
        int i = s_find_table(src, (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10));
        cat_table_t *t = &src->tables[i];

        t->key = pgutil_strdup(res, row, 1);
        t->key_type = pgutil_strdup(res, row, 2);
        t->key_is_int = s_bool(res, row, 3);
        t->key_collation = pgutil_strdup(res, row, 4);
    }
    PQclear(res);
    free(array);
    return 0;

fail:
    free(array);
    return -1;
}

void
catalog_free_source(cat_source_t *src)
{
    for (int i = 0; i < src->ntables; i++) {
        cat_table_t *t = &src->tables[i];

        free(t->schema);
        free(t->name);
        free(t->qname);
        for (int a = 0; t->ancestors && t->ancestors[a]; a++)
            free(t->ancestors[a]);
        free(t->ancestors);
        for (int c = 0; c < t->ncolumns; c++) {
            free(t->columns[c].name);
            free(t->columns[c].type);
            free(t->columns[c].base_type);
        }
        free(t->columns);
        free(t->key);
        free(t->key_type);
        free(t->key_collation);
    }
    free(src->tables);
    free(src->encoding);
    memset(src, 0, sizeof(*src));
}

static const char *s_target_tables_sql =
    "SELECT u.i, c.oid, c.relkind "
    "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, r, i) "
    "JOIN pg_catalog.pg_namespace n ON n.nspname = u.s "
    "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = u.r";

static const char *s_target_columns_sql =
    "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
    "       a.attgenerated <> '', "
    "       a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '', "
    "       a.attnotnull "
    "FROM pg_catalog.pg_attribute a "
    "WHERE a.attrelid = ANY($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY a.attrelid, a.attnum";

/* Each table with itself and its partition ancestors (pg_partition_ancestors gives no row
 * for a table that is not a partition). */
static const char *s_target_ancestors_sql =
    "SELECT t.oid, t.oid FROM unnest($1::pg_catalog.oid[]) AS t(oid) "
    "UNION ALL "
    "SELECT t.oid, a.relid FROM unnest($1::pg_catalog.oid[]) AS t(oid), "
    "LATERAL pg_catalog.pg_partition_ancestors(t.oid) AS a(relid) WHERE a.relid <> t.oid";

/* Foreign keys into the selection from tables that the selection does not fully cover. */
static const char *s_unsafe_sql =
    "SELECT con.conname, con.conrelid::pg_catalog.regclass::text, "
    "       con.confrelid::pg_catalog.regclass::text "
    "FROM pg_catalog.pg_constraint con "
    "WHERE con.contype = 'f' AND con.conparentid = 0 "
    "  AND con.confrelid = ANY($1::pg_catalog.oid[]) "
    "  AND con.conrelid <> ALL($2::pg_catalog.oid[]) "
    "  AND NOT (SELECT coalesce(bool_and(p.relid = ANY($2::pg_catalog.oid[])), false) "
    "           FROM pg_catalog.pg_partition_tree(con.conrelid) p WHERE p.isleaf) "
    "ORDER BY 2, 1";

/*
 * What to hold aside: foreign keys, key constraints, other indexes (top-level ones only:
 * those of partitions go with their parent's). Columns: kind, relation oid, referenced oid,
 * display name, drop statement, restore statements, validation statement, attach statements.
 *
 * A primary key or unique constraint of a plain table comes back as its index, built under a
 * SHARE lock, which lets other index builds and reads of the table (a leak scan) run
 * alongside; the table's finish task then attaches it (ALTER TABLE ... ADD CONSTRAINT ...
 * USING INDEX: an instant, but under ACCESS EXCLUSIVE). A foreign key that references it in
 * between finds the unique index, which is all it needs. Exclusion constraints, those of
 * partitioned tables, deferrable ones and indexes in a tablespace of their own come back in
 * one ALTER TABLE ... ADD CONSTRAINT, under ACCESS EXCLUSIVE for the whole build.
 *
 * A validated foreign key comes back in two steps: ADD CONSTRAINT ... NOT VALID (an instant,
 * but under SHARE ROW EXCLUSIVE on both tables), then VALIDATE CONSTRAINT in a transaction
 * of its own, which scans under weaker locks (SHARE UPDATE EXCLUSIVE on the referencing
 * table, ROW SHARE on the referenced one), so validations and other restore tasks on the
 * same tables do not queue behind each other. PostgreSQL 15 refuses NOT VALID foreign keys
 * on partitioned tables: those come back in one step.
 */
static const char *s_held_sql =
    "SELECT 'f', con.conrelid, con.confrelid, "
    "       con.conrelid::pg_catalog.regclass::text || ' ' || pg_catalog.quote_ident(con.conname), "
    "       pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', "
    "                         con.conrelid::pg_catalog.regclass, con.conname), "
    "       pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', "
    "                         con.conrelid::pg_catalog.regclass, con.conname, "
    "                         pg_catalog.pg_get_constraintdef(con.oid)) "
    "       || CASE WHEN con.convalidated AND rc.relkind <> 'p' THEN ' NOT VALID' ELSE '' END "
    "       || CASE WHEN pg_catalog.obj_description(con.oid, 'pg_constraint') IS NOT NULL "
    "          THEN pg_catalog.format('; COMMENT ON CONSTRAINT %I ON %s IS %L', con.conname, "
    "                    con.conrelid::pg_catalog.regclass, "
    "                    pg_catalog.obj_description(con.oid, 'pg_constraint')) ELSE '' END, "
    "       CASE WHEN con.convalidated AND rc.relkind <> 'p' "
    "            THEN pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', "
    "                                   con.conrelid::pg_catalog.regclass, con.conname) END, "
    "       NULL "
    "FROM pg_catalog.pg_constraint con "
    "JOIN pg_catalog.pg_class rc ON rc.oid = con.conrelid "
    "WHERE con.contype = 'f' AND con.conparentid = 0 "
    "  AND con.conrelid = ANY($1::pg_catalog.oid[]) "
    "UNION ALL "
    "SELECT 'c', con.conrelid, 0, "
    "       con.conrelid::pg_catalog.regclass::text || ' ' || pg_catalog.quote_ident(con.conname), "
    "       pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', "
    "                         con.conrelid::pg_catalog.regclass, con.conname), "
    "       CASE WHEN x.attach THEN pg_catalog.pg_get_indexdef(con.conindid) "
    "            ELSE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', "
    "                                   con.conrelid::pg_catalog.regclass, con.conname, "
    "                                   pg_catalog.pg_get_constraintdef(con.oid)) || x.extras END, "
    "       NULL, "
    "       CASE WHEN x.attach "
    "            THEN pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s USING INDEX %I', "
    "                                   con.conrelid::pg_catalog.regclass, con.conname, "
    "                                   CASE con.contype WHEN 'p' THEN 'PRIMARY KEY' "
    "                                   ELSE 'UNIQUE' END, ic.relname) || x.extras END "
    "FROM pg_catalog.pg_constraint con "
    "JOIN pg_catalog.pg_index i ON i.indexrelid = con.conindid "
    "JOIN pg_catalog.pg_class ic ON ic.oid = con.conindid "
    "JOIN pg_catalog.pg_class rc ON rc.oid = con.conrelid "
    "CROSS JOIN LATERAL (SELECT "
    "       con.contype IN ('p', 'u') AND rc.relkind = 'r' AND NOT con.condeferrable "
    "       AND ic.reltablespace = 0 AS attach, "
    "       CASE WHEN i.indisclustered THEN pg_catalog.format('; ALTER TABLE %s CLUSTER ON %I', "
    "               con.conrelid::pg_catalog.regclass, ic.relname) ELSE '' END "
    "       || CASE WHEN i.indisreplident THEN pg_catalog.format("
    "               '; ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', "
    "               con.conrelid::pg_catalog.regclass, ic.relname) ELSE '' END "
    "       || CASE WHEN pg_catalog.obj_description(con.oid, 'pg_constraint') IS NOT NULL "
    "          THEN pg_catalog.format('; COMMENT ON CONSTRAINT %I ON %s IS %L', con.conname, "
    "                    con.conrelid::pg_catalog.regclass, "
    "                    pg_catalog.obj_description(con.oid, 'pg_constraint')) ELSE '' END "
    "       AS extras) x "
    "WHERE con.contype IN ('p', 'u', 'x') AND con.conparentid = 0 "
    "  AND con.conrelid = ANY($1::pg_catalog.oid[]) "
    "UNION ALL "
    "SELECT 'i', i.indrelid, 0, i.indexrelid::pg_catalog.regclass::text, "
    "       pg_catalog.format('DROP INDEX %s', i.indexrelid::pg_catalog.regclass), "
    /* An index on a partitioned table prints as "ON ONLY": restored that way it would
     * stay invalid, without its partitions' indexes. The first " ON ONLY " is the ON clause. */
    "       pg_catalog.regexp_replace(pg_catalog.pg_get_indexdef(i.indexrelid), ' ON ONLY ', "
    "                                 ' ON ') "
    "       || CASE WHEN i.indisclustered THEN pg_catalog.format('; ALTER TABLE %s CLUSTER ON %I', "
    "               i.indrelid::pg_catalog.regclass, ic.relname) ELSE '' END "
    "       || CASE WHEN i.indisreplident THEN pg_catalog.format("
    "               '; ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', "
    "               i.indrelid::pg_catalog.regclass, ic.relname) ELSE '' END "
    "       || CASE WHEN pg_catalog.obj_description(i.indexrelid, 'pg_class') IS NOT NULL "
    "          THEN pg_catalog.format('; COMMENT ON INDEX %s IS %L', "
    "                    i.indexrelid::pg_catalog.regclass, "
    "                    pg_catalog.obj_description(i.indexrelid, 'pg_class')) ELSE '' END, "
    "       NULL, NULL "
    "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
    "WHERE i.indrelid = ANY($1::pg_catalog.oid[]) "
    "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c "
    "                  WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')) "
    "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid) "
    "ORDER BY 1 DESC, 4";

static const char *s_triggers_sql =
    "SELECT t.tgrelid, t.tgname, t.tgenabled FROM pg_catalog.pg_trigger t "
    "WHERE t.tgrelid = ANY($1::pg_catalog.oid[]) AND NOT t.tgisinternal AND t.tgenabled <> 'D' "
    "ORDER BY 1, 2";

static int
s_target_index(const cat_source_t *src, const cat_target_t *tgt, unsigned int oid)
{
    for (int i = 0; i < src->ntables; i++)
        if (src->tables[i].selected && tgt->tables[i].oid == oid)
            return i;
    return -1;
}

int
catalog_read_target(PGconn *conn, const cat_source_t *src, cat_target_t *tgt, err_t *err)
{
    char **schemas = xcalloc((size_t) src->ntables, sizeof(char *));
    char **names = xcalloc((size_t) src->ntables, sizeof(char *));
    unsigned int *leaves = xcalloc((size_t) src->ntables, sizeof(unsigned int));
    unsigned int *all = NULL;
    char *p_schemas, *p_names, *p_leaves = NULL, *p_all = NULL;
    const char *params[2];
    PGresult *res = NULL;
    int nleaves = 0, nall = 0, rc = -1;

    memset(tgt, 0, sizeof(*tgt));
    tgt->tables = xcalloc((size_t) src->ntables, sizeof(cat_target_table_t));
    for (int i = 0; i < src->ntables; i++) {
        schemas[i] = src->tables[i].selected ? src->tables[i].schema : "";
        names[i] = src->tables[i].selected ? src->tables[i].name : "";
    }
    p_schemas = pgutil_text_array(schemas, src->ntables);
    p_names = pgutil_text_array(names, src->ntables);
    if (pgutil_exec(conn, err, "SET search_path = ''") != 0)
        goto done;
    params[0] = p_schemas;
    params[1] = p_names;
    res = pgutil_query(conn, err, s_target_tables_sql, 2, params);
    if (res == NULL)
        goto done;
    for (int row = 0; row < PQntuples(res); row++) {
        int i = (int) pgutil_int(res, row, 0, 0) - 1;

        if (i < 0 || i >= src->ntables || !src->tables[i].selected)
            continue;
        tgt->tables[i].oid = (unsigned int) strtoul(PQgetvalue(res, row, 1), NULL, 10);
        tgt->tables[i].relkind = PQgetvalue(res, row, 2)[0];
        if (tgt->tables[i].relkind == 'r')
            leaves[nleaves++] = tgt->tables[i].oid;
    }
    PQclear(res);
    p_leaves = s_oid_array(leaves, nleaves);
    params[0] = p_leaves;

    res = pgutil_query(conn, err, s_target_columns_sql, 1, params);
    if (res == NULL)
        goto done;
    for (int row = 0; row < PQntuples(res);) {
        unsigned int oid = (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10);
        int i = s_target_index(src, tgt, oid), first = row;
        cat_target_table_t *t = &tgt->tables[i];

        while (row < PQntuples(res) &&
               (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10) == oid)
            row++;
        t->ncolumns = row - first;
        t->columns = xcalloc((size_t) t->ncolumns, sizeof(cat_target_column_t));
        for (int c = 0; c < t->ncolumns; c++) {
            t->columns[c].name = pgutil_strdup(res, first + c, 1);
            t->columns[c].type = pgutil_strdup(res, first + c, 2);
            t->columns[c].generated = s_bool(res, first + c, 3);
            t->columns[c].required = s_bool(res, first + c, 4);
            t->columns[c].not_null = s_bool(res, first + c, 5);
        }
    }
    PQclear(res);

    res = pgutil_query(conn, err, s_target_ancestors_sql, 1, params);
    if (res == NULL)
        goto done;
    all = xcalloc((size_t) PQntuples(res), sizeof(unsigned int));
    for (int row = 0; row < PQntuples(res); row++) {
        unsigned int oid = (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10);
        unsigned int anc = (unsigned int) strtoul(PQgetvalue(res, row, 1), NULL, 10);
        cat_target_table_t *t = &tgt->tables[s_target_index(src, tgt, oid)];
        bool seen = false;

        t->ancestors = s_realloc(t->ancestors, sizeof(unsigned int) * ((size_t) t->nancestors + 1));
        t->ancestors[t->nancestors++] = anc;
        for (int a = 0; a < nall && !seen; a++)
            seen = all[a] == anc;
        if (!seen)
            all[nall++] = anc;
    }
    PQclear(res);
    p_all = s_oid_array(all, nall);

    params[0] = p_all;
    params[1] = p_leaves;
    res = pgutil_query(conn, err, s_unsafe_sql, 2, params);
    if (res == NULL)
        goto done;
    tgt->nunsafe = PQntuples(res);
    tgt->unsafe = xcalloc((size_t) tgt->nunsafe, sizeof(char *));
    for (int row = 0; row < tgt->nunsafe; row++) {
        char *msg = NULL;

        s_append(&msg, "%s (not selected) references %s through foreign key %s",
                 PQgetvalue(res, row, 1), PQgetvalue(res, row, 2), PQgetvalue(res, row, 0));
        tgt->unsafe[row] = msg;
    }
    PQclear(res);

    params[0] = p_all;
    res = pgutil_query(conn, err, s_held_sql, 1, params);
    if (res == NULL)
        goto done;
    tgt->nheld = PQntuples(res);
    tgt->held = xcalloc((size_t) tgt->nheld, sizeof(cat_held_t));
    for (int row = 0; row < tgt->nheld; row++) {
        cat_held_t *h = &tgt->held[row];
        char kind = PQgetvalue(res, row, 0)[0];

        h->kind = kind == 'f' ? HELD_FK : kind == 'c' ? HELD_CONSTRAINT : HELD_INDEX;
        h->relation = (unsigned int) strtoul(PQgetvalue(res, row, 1), NULL, 10);
        h->referenced = (unsigned int) strtoul(PQgetvalue(res, row, 2), NULL, 10);
        h->name = pgutil_strdup(res, row, 3);
        h->drop_sql = pgutil_strdup(res, row, 4);
        h->restore_sql = pgutil_strdup(res, row, 5);
        h->validate_sql = pgutil_strdup(res, row, 6);
        h->attach_sql = pgutil_strdup(res, row, 7);
    }
    PQclear(res);

    params[0] = p_leaves;
    res = pgutil_query(conn, err, s_triggers_sql, 1, params);
    if (res == NULL)
        goto done;
    for (int row = 0; row < PQntuples(res); row++) {
        unsigned int oid = (unsigned int) strtoul(PQgetvalue(res, row, 0), NULL, 10);
        int i = s_target_index(src, tgt, oid);
        cat_target_table_t *t = &tgt->tables[i];
        char mode = PQgetvalue(res, row, 2)[0];
        char *trigger = pgutil_quote_ident(PQgetvalue(res, row, 1));

        if (t->disable_triggers == NULL)
            s_append(&t->disable_triggers, "ALTER TABLE %s DISABLE TRIGGER USER",
                     src->tables[i].qname);
        s_append(&t->enable_triggers, "%sALTER TABLE %s ENABLE %sTRIGGER %s",
                 t->enable_triggers ? "; " : "", src->tables[i].qname,
                 mode == 'A'   ? "ALWAYS "
                 : mode == 'R' ? "REPLICA "
                               : "",
                 trigger);
        free(trigger);
    }
    PQclear(res);
    res = NULL;
    rc = pgutil_exec(conn, err, "RESET search_path");

done:
    free(schemas);
    free(names);
    free(leaves);
    free(all);
    free(p_schemas);
    free(p_names);
    free(p_leaves);
    free(p_all);
    return rc;
}

void
catalog_free_target(cat_target_t *tgt, int ntables)
{
    for (int i = 0; tgt->tables && i < ntables; i++) {
        cat_target_table_t *t = &tgt->tables[i];

        for (int c = 0; c < t->ncolumns; c++) {
            free(t->columns[c].name);
            free(t->columns[c].type);
        }
        free(t->columns);
        free(t->ancestors);
        free(t->disable_triggers);
        free(t->enable_triggers);
    }
    free(tgt->tables);
    for (int i = 0; i < tgt->nheld; i++) {
        free(tgt->held[i].name);
        free(tgt->held[i].drop_sql);
        free(tgt->held[i].restore_sql);
        free(tgt->held[i].attach_sql);
        free(tgt->held[i].validate_sql);
    }
    free(tgt->held);
    for (int i = 0; i < tgt->nunsafe; i++)
        free(tgt->unsafe[i]);
    free(tgt->unsafe);
    memset(tgt, 0, sizeof(*tgt));
}

static bool
s_matches(const cat_table_t *t, char **patterns)
{
    for (int p = 0; patterns && patterns[p]; p++) {
        if (planner_table_matches(patterns[p], t->schema, t->name))
            return true;
        for (int a = 0; t->ancestors[a]; a += 2)
            if (planner_table_matches(patterns[p], t->ancestors[a], t->ancestors[a + 1]))
                return true;
    }
    return false;
}

/* Reads an array of pattern strings from the spec, each possibly comma-separated. */
static int
s_patterns(const value_t *list, const char *key, char ***out, err_t *err)
{
    char **all = xcalloc(1, sizeof(char *));
    int n = 0;

    for (size_t i = 0; i < value_size(list); i++) {
        char **parts = NULL;
        int np = planner_split_patterns(value_string(value_at(list, i), ""), &parts);

        if (np < 0) {
            planner_free_strings(all);
            return err_set(err, "usage", EXIT_CODE_USAGE, "--%s: unclosed double quote in \"%s\"",
                           key, value_string(value_at(list, i), ""));
        }
        all = s_realloc(all, sizeof(char *) * ((size_t) n + (size_t) np + 1));
        for (int k = 0; k < np; k++)
            all[n++] = strdup(parts[k]);
        all[n] = NULL;
        planner_free_strings(parts);
    }
    *out = all;
    return n;
}

int
catalog_select(cat_source_t *src, const value_t *tables, const value_t *exclude_list, err_t *err)
{
    char **include = NULL, **exclude = NULL;
    err_list_t unknown = {NULL, 0};
    int ninclude, nexclude, nselected = 0, rc = -1;

    ninclude = s_patterns(tables, "tables", &include, err);
    if (ninclude < 0)
        return -1;
    nexclude = s_patterns(exclude_list, "exclude", &exclude, err);
    if (nexclude < 0)
        goto done;
    for (int p = 0; p < ninclude + nexclude; p++) {
        const char *pattern = p < ninclude ? include[p] : exclude[p - ninclude];
        bool any = false;

        for (int i = 0; i < src->ntables && !any; i++) {
            char *one[2] = {(char *) pattern, NULL};

            any = s_matches(&src->tables[i], one);
        }
        if (!any)
            err_list_add(&unknown, "%s \"%s\" matches no table of the source",
                         p < ninclude ? "--tables" : "--exclude", pattern);
    }
    if (unknown.count > 0) {
        err_set(err, "usage", EXIT_CODE_USAGE, "%s",
                unknown.count == 1 ? err_list_single(&unknown)
                                   : "some table patterns match nothing on the source");
        if (unknown.count > 1)
            err_detail(err, "%s", unknown.text);
        err_hint(err, "patterns are schema.table with * and ? wildcards (\"public.order*\"); "
                      "--dry-run lists the tables that would be copied");
        goto done;
    }
    for (int i = 0; i < src->ntables; i++) {
        cat_table_t *t = &src->tables[i];

        t->selected = (ninclude == 0 || s_matches(t, include)) && !s_matches(t, exclude);
        nselected += t->selected;
    }
    if (nselected == 0) {
        err_set(err, "usage", EXIT_CODE_USAGE, "no table to copy: the selection is empty");
        err_hint(err, "check --tables and --exclude; the source has %d tables", src->ntables);
        goto done;
    }
    rc = 0;
done:
    err_list_free(&unknown);
    planner_free_strings(include);
    planner_free_strings(exclude);
    return rc;
}

const cat_column_t *
catalog_column(const cat_table_t *t, const char *name)
{
    for (int c = 0; c < t->ncolumns; c++)
        if (strcmp(t->columns[c].name, name) == 0)
            return &t->columns[c];
    return NULL;
}

const cat_target_column_t *
catalog_target_column(const cat_target_table_t *t, const char *name)
{
    for (int c = 0; c < t->ncolumns; c++)
        if (strcmp(t->columns[c].name, name) == 0)
            return &t->columns[c];
    return NULL;
}

bool
catalog_table_is(const cat_table_t *t, const char *schema, const char *name)
{
    if (strcmp(t->schema, schema) == 0 && strcmp(t->name, name) == 0)
        return true;
    for (int a = 0; t->ancestors != NULL && t->ancestors[a] != NULL; a += 2)
        if (strcmp(t->ancestors[a], schema) == 0 && strcmp(t->ancestors[a + 1], name) == 0)
            return true;
    return false;
}
