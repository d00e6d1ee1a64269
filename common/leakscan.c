/*
 * leakscan.c - the PII leak scan: masked columns compared row by row, by hashes only.
 *
 * leakscan_table reads the table's columns on both sides and its unique keys on the source,
 * picks the key that pairs the rows, then runs one COPY per side (see leakscan.h) and merges
 * the two sorted streams: the side whose key hash is behind moves on; on equal hashes the
 * compared columns' hashes are compared and the target moves on (the source's key is unique,
 * a target may hold a key twice). Each stream is read a row at a time, so the client holds
 * two rows whatever the size of the table. A stream that ends first leaves the other to be
 * read to its end, so that both connections stay usable; on an error the queries are
 * cancelled instead.
 */
#include "common/leakscan.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/exitcodes.h"
#include "common/pgutil.h"

/* Hex characters of a hash as the COPY writes it (64 bits). */
#define HASH_HEX 16

/* Strategies whose output cannot carry their input (or carries it by choice), and why. */
static const struct {
    const char *strategy; /* strategy name */
    const char *reason;   /* why it is not compared */
} s_skips[] = {
    {"preserve", "preserve keeps the value by choice"},
    {"null", "null: the output is NULL"},
    {"redact", "redact: a constant cannot carry the input"},
    {"value", "value: a constant cannot carry the input"},
    {"number", "number: the noise leaves 0 and small integers as they are"},
    {"json", "json masks only the listed paths"},
};

static const char *s_reason_no_key = "no primary key or unique key to pair rows";
static const char *s_reason_masked_key = "its unique keys hold masked columns";
static const char *s_reason_key_missing = "its key columns are missing on the target";
static const char *s_reason_missing = "missing on the target";
static const char *s_reason_unpaired =
    "no row of the target pairs with one of the source by key (do the key's values print alike "
    "on both sides?)";

/* Columns of schema.table: (table oid, attname or NULL); no row when the table is missing. */
static const char *s_columns_sql =
    "SELECT c.oid, a.attname FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
    "     AND NOT a.attisdropped "
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'f', 'v', 'm') "
    "ORDER BY a.attnum";

/* Unique keys that can pair rows, best first (the primary key, then the fewest columns): one
 * row per (index, column), columns in the key's order. Partial and expression indexes and
 * those with a nullable column are left out. */
static const char *s_keys_sql =
    "SELECT indexrelid, attname, atttypid IN (20, 21, 23) FROM ("
    "  SELECT i.indexrelid, i.indisprimary, i.indnkeyatts, k.pos, a.attname, a.atttypid, "
    "         bool_and(a.attnotnull) OVER (PARTITION BY i.indexrelid) AS all_not_null "
    "  FROM pg_catalog.pg_index i "
    "  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "  CROSS JOIN LATERAL pg_catalog.generate_series(0, i.indnkeyatts - 1) AS k(pos) "
    "  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[k.pos] "
    "  WHERE n.nspname = $1 AND c.relname = $2 AND i.indisunique AND i.indisvalid "
    "    AND i.indpred IS NULL AND i.indexprs IS NULL) s "
    "WHERE all_not_null "
    "ORDER BY indisprimary DESC, indnkeyatts, indexrelid, pos";

bool
leakscan_compares(const char *strategy)
{
    return leakscan_skip_reason(strategy) == NULL;
}

const char *
leakscan_skip_reason(const char *strategy)
{
    for (size_t i = 0; i < sizeof(s_skips) / sizeof(s_skips[0]); i++)
        if (strategy != NULL && strcmp(strategy, s_skips[i].strategy) == 0)
            return s_skips[i].reason;
    return NULL;
}

/* The columns of schema.table on conn (see s_columns_sql), or NULL with err set. */
static PGresult *
s_columns(PGconn *conn, const char *schema, const char *table, err_t *err)
{
    const char *params[2] = {schema, table};

    return pgutil_query(conn, err, s_columns_sql, 2, params);
}

/* True when res (from s_columns) lists a column named name. */
static bool
s_has_column(const PGresult *res, const char *name)
{
    for (int r = 0; r < PQntuples(res); r++)
        if (!PQgetisnull(res, r, 1) && strcmp(PQgetvalue(res, r, 1), name) == 0)
            return true;
    return false;
}

/* True when name is one of the columns whose rule changes the value (preserve does not). */
static bool
s_is_masked(const leak_column_t *columns, int ncolumns, const char *name)
{
    for (int c = 0; c < ncolumns; c++)
        if (strcmp(columns[c].column, name) == 0 &&
            (columns[c].strategy == NULL || strcmp(columns[c].strategy, "preserve") != 0))
            return true;
    return false;
}

/*
 * Chooses the key that pairs the rows: the first of keys (from s_keys_sql) with no masked
 * column and every column on the target. Returns the quoted, comma-separated column list
 * (caller frees), or NULL with *reason set to why there is none.
 */
static char *
s_pick_key(const PGresult *keys, const PGresult *tgt_columns, const leak_column_t *columns,
           int ncolumns, const char **reason, bool *int_key)
{
    int n = PQntuples(keys), first = 0;

    *reason = s_reason_no_key;
    while (first < n) {
        const char *oid = PQgetvalue(keys, first, 0);
        int end = first;
        bool masked = false, missing = false;

        while (end < n && strcmp(PQgetvalue(keys, end, 0), oid) == 0) {
            const char *name = PQgetvalue(keys, end, 1);

            masked = masked || s_is_masked(columns, ncolumns, name);
            missing = missing || !s_has_column(tgt_columns, name);
            end++;
        }
        if (!masked && !missing) {
            buf_t list;

            buf_init(&list);
            for (int r = first; r < end; r++) {
                char *q = pgutil_quote_ident(PQgetvalue(keys, r, 1));

                if (r > first)
                    buf_append_str(&list, ", ");
                buf_append_str(&list, q);
                free(q);
            }
            *reason = NULL;
            *int_key = end - first == 1 && PQgetvalue(keys, first, 2)[0] == 't';
            return buf_detach_string(&list);
        }
        /* Say why the best key was refused, unless a later one has a better excuse. */
        if (*reason == s_reason_no_key)
            *reason = masked ? s_reason_masked_key : s_reason_key_missing;
        first = end;
    }
    return NULL;
}

/* Appends the SQL of a 64-bit hash of the text form of expr, as 16 hex digits. */
static void
s_hash_sql(buf_t *sql, const char *expr)
{
    buf_append_str(sql, "pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.hashtextextended((");
    buf_append_str(sql, expr);
    buf_append_str(sql, ")::text, 0)), 16, '0')");
}

/*
 * Appends "CASE WHEN <the strategy could have changed q> THEN " and returns true, or appends
 * nothing and returns false when it always can. text replaces letters and digits, phone
 * digits, the name strategies write names for non-blank values, date and timestamp move every
 * date but the infinities: a value the strategy cannot change is not compared. (Regular
 * expressions cost the server more than the hashing: only the two strategies that need one
 * get one.)
 */
static bool
s_changeable_sql(buf_t *sql, const char *strategy, const char *q)
{
    const char *before = NULL, *after = NULL;

    if (strcmp(strategy, "text") == 0) {
        before = "";
        after = "::text OPERATOR(pg_catalog.~) '[[:alnum:]]'";
    } else if (strcmp(strategy, "phone") == 0) {
        before = "";
        after = "::text OPERATOR(pg_catalog.~) '[0-9]'";
    } else if (strcmp(strategy, "name") == 0 || strcmp(strategy, "first_name") == 0 ||
               strcmp(strategy, "last_name") == 0) {
        before = "pg_catalog.btrim(";
        after = "::text) <> ''";
    } else if (strcmp(strategy, "date") == 0 || strcmp(strategy, "timestamp") == 0) {
        before = "";
        after = "::text NOT IN ('infinity', '-infinity')";
    } else {
        return false;
    }
    buf_append_str(sql, "CASE WHEN ");
    buf_append_str(sql, before);
    buf_append_str(sql, q);
    buf_append_str(sql, after);
    buf_append_str(sql, " THEN ");
    return true;
}

/*
 * The COPY statement of one side: the key's hash, then per compared column its value's hash,
 * or NULL when the value is not compared (the source's filter; NULL stays NULL). Hashes are
 * 64-bit (hashtextextended, stable across servers and versions: hash partitioning relies on
 * it), written as 16 hex digits; rows come sorted by the key's hash.
 */
static char *
s_copy_sql(const char *schema, const char *table, const char *key, bool int_key,
           const leak_column_t *columns, int ncolumns, bool source)
{
    char *qschema = pgutil_quote_ident(schema), *qtable = pgutil_quote_ident(table);
    char *row = NULL;
    buf_t sql;

    if (asprintf(&row, "ROW(%s)", key) < 0)
        abort();
    buf_init(&sql);
    buf_append_str(&sql, "COPY (SELECT ");
    if (int_key) {
        buf_append_str(&sql, key); /* an integer key sorts alike on both sides, unhashed */
    } else {
        s_hash_sql(&sql, row);
        buf_append_str(&sql, " COLLATE \"C\"");
    }
    free(row);
    for (int c = 0; c < ncolumns; c++) {
        bool filtered;
        char *q;

        if (columns[c].skipped != NULL)
            continue;
        q = pgutil_quote_ident(columns[c].column);
        buf_append_str(&sql, ", ");
        filtered = source && s_changeable_sql(&sql, columns[c].strategy, q);
        s_hash_sql(&sql, q);
        if (filtered)
            buf_append_str(&sql, " END");
        free(q);
    }
    buf_append_str(&sql, " FROM ONLY ");
    buf_append_str(&sql, qschema);
    buf_append_byte(&sql, '.');
    buf_append_str(&sql, qtable);
    buf_append_str(&sql, " ORDER BY 1) TO STDOUT");
    free(qschema);
    free(qtable);
    return buf_detach_string(&sql);
}

/* One side's COPY stream and its current row. */
typedef struct side {
    PGconn *conn;                 /* the connection */
    const char *what;             /* "source" or "target", for messages */
    char *row;                    /* the current row (PQgetCopyData's buffer), or NULL */
    const char **field;           /* the current row's compared fields: a hash, or NULL for \N */
    int nfields;                  /* number of compared fields */
    bool eof;                     /* no current row: the stream ended, its COPY succeeded */
    bool int_key;                 /* rows are keyed by an integer, not the key's hash */
    int64_t key;                  /* the current row's integer key (int_key) */
    leakscan_service_fn *service; /* called while waiting, or NULL: block */
    void *arg;                    /* its argument */
    int64_t rows;                 /* rows read so far */
} side_t;

/* Waits for conn to have input, servicing the caller meanwhile. Returns 0, -1 with err set
 * (the connection failed), or -2 (the service asked to stop). */
static int
s_wait(side_t *s, const char *table, err_t *err)
{
    if (s->service(s->arg, PQsocket(s->conn), 1000, s->rows, 0) != 0) {
        err_set(err, "interrupted", EXIT_CODE_INTERRUPTED, "%s: leak scan interrupted", table);
        return -2;
    }
    if (!PQconsumeInput(s->conn))
        return pgutil_set_error(err, s->conn, NULL, table);
    return 0;
}

/* True when p starts with HASH_HEX hex digits followed by a tab or the end of the row. */
static bool
s_is_hash(const char *p)
{
    for (int i = 0; i < HASH_HEX; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    return p[HASH_HEX] == '\t' || p[HASH_HEX] == '\0';
}

/* Reads every result left on conn; a COPY still sending rows is cancelled and read to its
 * end. The connection is idle afterwards (its transaction aborted if a query failed). */
static void
s_drain(PGconn *conn)
{
    PGresult *res;

    while ((res = PQgetResult(conn)) != NULL) {
        ExecStatusType status = PQresultStatus(res);

        PQclear(res);
        if (status == PGRES_COPY_OUT) {
            PGcancel *cancel = PQgetCancel(conn);
            char errbuf[256], *row = NULL;

            if (cancel != NULL) {
                (void) PQcancel(cancel, errbuf, (int) sizeof(errbuf));
                PQfreeCancel(cancel);
            }
            while (PQgetCopyData(conn, &row, 0) > 0) {
                PQfreemem(row);
                row = NULL;
            }
        }
    }
}

/* Reads the next row of s into s->row and s->field; at the end of the stream, checks that the
 * COPY succeeded and sets s->eof. Returns 0 or -1 with err set. */
static int
s_next(side_t *s, const char *table, err_t *err)
{
    PGresult *res;
    char *p;
    int len, rc = 0;

    if (s->row != NULL) {
        PQfreemem(s->row);
        s->row = NULL;
    }
    for (;;) {
        len = PQgetCopyData(s->conn, &s->row, s->service != NULL);
        if (len != 0)
            break;
        rc = s_wait(s, table, err);
        if (rc != 0)
            return rc;
    }
    if (len == -1) {
        /* The stream ended: then comes the COPY's own result, an error if it failed late. */
        while ((res = PQgetResult(s->conn)) != NULL) {
            if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
                rc = pgutil_set_error(err, s->conn, res, table);
            PQclear(res);
        }
        s->eof = rc == 0;
        return rc;
    }
    if (len < 0)
        return pgutil_set_error(err, s->conn, NULL, table);
    s->rows++;
    /* A row: the key's hash, then per field a tab and a hash or \N, then a newline. The
     * separators and digits are checked; no message quotes the row. */
    p = s->row;
    if (len < 2 || p[len - 1] != '\n')
        goto bad;
    p[len - 1] = '\0';
    if (s->int_key) {
        char *end;

        errno = 0;
        s->key = strtoll(p, &end, 10);
        if (end == p || errno != 0 || (*end != '\t' && *end != '\0'))
            goto bad;
        p = end;
    } else {
        if (len < HASH_HEX + 1 || !s_is_hash(p))
            goto bad;
        p += HASH_HEX;
    }
    for (int f = 0; f < s->nfields; f++) {
        if (*p != '\t')
            goto bad;
        *p++ = '\0';
        if (p[0] == '\\' && p[1] == 'N' && (p[2] == '\t' || p[2] == '\0')) {
            s->field[f] = NULL;
            p += 2;
        } else if (s_is_hash(p)) {
            s->field[f] = p;
            p += HASH_HEX;
        } else {
            goto bad;
        }
    }
    if (*p != '\0')
        goto bad;
    return 0;
bad:
    return err_set(err, "sql", EXIT_CODE_FAILED, "%s: unexpected row from the %s's COPY", table,
                   s->what);
}

/* Waits for one side's COPY to start. Returns 0, or -1 with err set (the query failed: a bad
 * column, a permission). */
static int
s_start(side_t *s, const char *table, err_t *err)
{
    PGresult *res;

    /* the server sorts the whole table before the first row: keep the caller alive */
    while (s->service != NULL && PQisBusy(s->conn)) {
        int rc = s_wait(s, table, err);

        if (rc != 0)
            return rc;
    }
    res = PQgetResult(s->conn);

    if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT) {
        pgutil_set_error(err, s->conn, res, table);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    return 0;
}

/* Runs the two COPYs and merges them into the columns' counts. Returns 0 or -1 with err set. */
static int
s_scan(PGconn *src, PGconn *tgt, const char *schema, const char *table, const char *key,
       bool int_key, leak_column_t *columns, int ncolumns, int ncompared,
       leakscan_service_fn *service, void *arg, err_t *err)
{
    side_t sides[2] = {{src, "source", NULL, NULL, ncompared, false, int_key, 0, service, arg, 0},
                       {tgt, "target", NULL, NULL, ncompared, false, int_key, 0, service, arg, 0}};
    side_t *s = &sides[0], *t = &sides[1];
    int *which = calloc((size_t) ncompared, sizeof(int));
    char name[512];
    int rc = -1, n = 0;
    int64_t pairs = 0;

    if (which == NULL)
        abort();
    snprintf(name, sizeof(name), "%s.%s", schema, table);
    for (int c = 0; c < ncolumns; c++)
        if (columns[c].skipped == NULL)
            which[n++] = c;
    for (int i = 0; i < 2; i++) {
        char *sql = s_copy_sql(schema, table, key, int_key, columns, ncolumns, i == 0);
        int sent = PQsendQuery(sides[i].conn, sql);

        free(sql);
        sides[i].field = calloc((size_t) ncompared, sizeof(char *));
        if (sides[i].field == NULL)
            abort();
        if (!sent) {
            pgutil_set_error(err, sides[i].conn, NULL, name);
            goto done;
        }
        /* Both are sent before either is waited for: the two servers sort at once. */
    }
    for (int i = 0; i < 2; i++)
        if (s_start(&sides[i], name, err) != 0)
            goto done;
    if (s_next(s, name, err) != 0 || s_next(t, name, err) != 0)
        goto done;
    while (!s->eof && !t->eof) {
        int cmp =
            int_key ? (s->key > t->key) - (s->key < t->key) : memcmp(s->row, t->row, HASH_HEX);

        if (cmp < 0) {
            if (s_next(s, name, err) != 0)
                goto done;
            continue;
        }
        if (cmp == 0) {
            pairs++;
            for (int f = 0; f < ncompared; f++) {
                if (s->field[f] == NULL || t->field[f] == NULL)
                    continue;
                columns[which[f]].checked++;
                if (memcmp(s->field[f], t->field[f], HASH_HEX) == 0)
                    columns[which[f]].equal++;
            }
        }
        if (s_next(t, name, err) != 0)
            goto done;
    }
    /* One stream ended: the rest of the other pairs with nothing; read it to its end. */
    while (!s->eof)
        if (s_next(s, name, err) != 0)
            goto done;
    while (!t->eof)
        if (s_next(t, name, err) != 0)
            goto done;
    /* Rows on both sides and not one pair: the keys do not print alike (another type, another
     * encoding), and "checked 0" must not read as a clean column. */
    if (pairs == 0 && s->rows > 0 && t->rows > 0)
        for (int f = 0; f < ncompared; f++)
            columns[which[f]].skipped = s_reason_unpaired;
    rc = 0;
done:
    for (int i = 0; i < 2; i++) {
        if (sides[i].row != NULL)
            PQfreemem(sides[i].row);
        if (rc != 0)
            s_drain(sides[i].conn);
        free(sides[i].field);
    }
    free(which);
    return rc;
}

int
leakscan_table(PGconn *src, PGconn *tgt, const char *schema, const char *table,
               leak_column_t *columns, int ncolumns, leakscan_service_fn *service, void *arg,
               err_t *err)
{
    const char *params[2] = {schema, table};
    PGresult *src_columns = NULL, *tgt_columns = NULL, *keys = NULL;
    const char *reason;
    bool int_key = false;
    char *key = NULL;
    int rc = -1, ncompared = 0;

    for (int c = 0; c < ncolumns; c++) {
        columns[c].checked = 0;
        columns[c].equal = 0;
        columns[c].skipped = leakscan_skip_reason(columns[c].strategy);
    }
    if (ncolumns == 0)
        return 0;
    src_columns = s_columns(src, schema, table, err);
    if (src_columns == NULL)
        goto done;
    if (PQntuples(src_columns) == 0) {
        err_set(err, "rules", EXIT_CODE_CONFIG, "table %s.%s does not exist on the source", schema,
                table);
        goto done;
    }
    for (int c = 0; c < ncolumns; c++)
        if (!s_has_column(src_columns, columns[c].column)) {
            err_set(err, "rules", EXIT_CODE_CONFIG, "column %s.%s.%s does not exist on the source",
                    schema, table, columns[c].column);
            goto done;
        }
    tgt_columns = s_columns(tgt, schema, table, err);
    if (tgt_columns == NULL)
        goto done;
    for (int c = 0; c < ncolumns; c++) {
        if (columns[c].skipped != NULL)
            continue;
        if (!s_has_column(tgt_columns, columns[c].column))
            columns[c].skipped = s_reason_missing;
        else
            ncompared++;
    }
    if (ncompared == 0) {
        rc = 0;
        goto done;
    }
    keys = pgutil_query(src, err, s_keys_sql, 2, params);
    if (keys == NULL)
        goto done;
    key = s_pick_key(keys, tgt_columns, columns, ncolumns, &reason, &int_key);
    if (key == NULL) {
        for (int c = 0; c < ncolumns; c++)
            if (columns[c].skipped == NULL)
                columns[c].skipped = reason;
        rc = 0;
        goto done;
    }
    rc = s_scan(src, tgt, schema, table, key, int_key, columns, ncolumns, ncompared, service, arg,
                err);
    if (rc != 0) {
        for (int c = 0; c < ncolumns; c++)
            columns[c].checked = columns[c].equal = 0;
    }
done:
    free(key);
    PQclear(keys);
    PQclear(tgt_columns);
    PQclear(src_columns);
    return rc;
}
