/*
 * leakscan.c - the PII leak scan: masked columns compared row by row, by hashes only.
 *
 * leakscan_table reads the table's columns on both sides and its unique keys on the source,
 * picks the key that pairs the rows, then runs one binary COPY per side (see leakscan.h) and
 * merges the two sorted streams: the side whose key is behind moves on; on equal keys the
 * compared columns' hashes are compared and the target moves on (the source's key is
 * unique, a target may hold a key twice). Each stream is parsed a CopyData message at a time
 * (common/copyrow.h), so the client holds a message per side whatever the size of the table.
 * A stream that ends first leaves the other to be read to its end, so that both connections
 * stay usable; on an error the queries are cancelled instead. Then the equal rows of columns
 * whose strategy leaves some values as they are get their second look (s_recheck).
 */
#include "common/leakscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/copyrow.h"
#include "common/exitcodes.h"
#include "common/pgutil.h"
#include "common/xalloc.h"

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

/* Appends the SQL of a 64-bit hash (int8) of the text form of expr. */
static void
s_hash_sql(buf_t *sql, const char *expr)
{
    buf_append_str(sql, "pg_catalog.hashtextextended((");
    buf_append_str(sql, expr);
    buf_append_str(sql, ")::text, 0)");
}

/* Appends the SQL of the key of a row: an integer key as it is (int8), any other key as the
 * hash of its row's text. Both sort alike on both sides. */
static void
s_key_sql(buf_t *sql, const char *key, bool int_key)
{
    if (int_key) {
        buf_append_str(sql, "(");
        buf_append_str(sql, key);
        buf_append_str(sql, ")::pg_catalog.int8");
        return;
    }
    buf_append_str(sql, "pg_catalog.hashtextextended(ROW(");
    buf_append_str(sql, key);
    buf_append_str(sql, ")::text, 0)");
}

/*
 * Appends the condition "the strategy could have changed q" and returns true, or appends
 * nothing and returns false when it always can. text replaces letters and digits, phone
 * digits, the name strategies write names for non-blank values, date and timestamp move every
 * date but the infinities: a value the strategy cannot change is not compared. With sql
 * NULL, only says whether there is a condition.
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
    if (sql == NULL)
        return true;
    buf_append_str(sql, before);
    buf_append_str(sql, q);
    buf_append_str(sql, after);
    return true;
}

/* Appends " FROM ONLY schema.table". */
static void
s_from_sql(buf_t *sql, const char *schema, const char *table)
{
    char *qschema = pgutil_quote_ident(schema), *qtable = pgutil_quote_ident(table);

    buf_append_str(sql, " FROM ONLY ");
    buf_append_str(sql, qschema);
    buf_append_byte(sql, '.');
    buf_append_str(sql, qtable);
    free(qschema);
    free(qtable);
}

/*
 * The COPY statement of one side: the key (s_key_sql), then per compared column the hash of
 * its value, NULL staying NULL, in binary: int8s, ordered by the key. With filtered, a value
 * the strategy cannot change is sent as NULL (the source's per-row filter of the second pass,
 * see s_scan).
 */
static char *
s_copy_sql(const char *schema, const char *table, const char *key, bool int_key,
           const leak_column_t *columns, int ncolumns, bool filtered)
{
    buf_t sql;

    buf_init(&sql);
    buf_append_str(&sql, "COPY (SELECT ");
    s_key_sql(&sql, key, int_key);
    for (int c = 0; c < ncolumns; c++) {
        bool cond;
        char *q;

        if (columns[c].skipped != NULL)
            continue;
        q = pgutil_quote_ident(columns[c].column);
        buf_append_str(&sql, ", ");
        cond = filtered && s_changeable_sql(NULL, columns[c].strategy, q);
        if (cond) {
            buf_append_str(&sql, "CASE WHEN ");
            (void) s_changeable_sql(&sql, columns[c].strategy, q);
            buf_append_str(&sql, " THEN ");
        }
        s_hash_sql(&sql, q);
        if (cond)
            buf_append_str(&sql, " END");
        free(q);
    }
    s_from_sql(&sql, schema, table);
    buf_append_str(&sql, " ORDER BY 1) TO STDOUT (FORMAT binary)");
    return buf_detach_string(&sql);
}

/* One side's COPY stream and its current row. */
typedef struct side {
    PGconn *conn;                 /* the connection */
    const char *what;             /* "source" or "target", for messages */
    copyrow_bin_t *parser;        /* the binary stream's parser */
    char *msg;                    /* the CopyData message being parsed, or NULL */
    int nfields;                  /* number of compared fields */
    int64_t key;                  /* the current row's key (s_key_sql) */
    int64_t *hash;                /* the current row's compared fields' hashes */
    bool *null;                   /* and whether each is NULL */
    bool eof;                     /* no current row: the stream ended, its COPY succeeded */
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

/* The int8 in network order at p. */
static int64_t
s_int8(const char *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char) p[i];
    return (int64_t) v;
}

/* Takes the key and hashes of one tuple into s. Returns 0, or -1 when the tuple is not the
 * shape the query asked for (a key, then nfields int8s or NULLs). */
static int
s_take(side_t *s, const copyrow_bin_item_t *item)
{
    if (item->nfields != s->nfields + 1 || item->fields[0].len != 8)
        return -1;
    s->key = s_int8(item->data + item->fields[0].off);
    for (int f = 0; f < s->nfields; f++) {
        const copyrow_bin_field_t *field = &item->fields[f + 1];

        s->null[f] = field->len == -1;
        if (field->len == -1)
            continue;
        if (field->len != 8)
            return -1;
        s->hash[f] = s_int8(item->data + field->off);
    }
    return 0;
}

/* Reads the next row of s into s->key, s->hash and s->null; at the end of the stream, checks
 * that the COPY succeeded and sets s->eof. Returns 0, -1 with err set, or -2 (stopped). No
 * message quotes the data. */
static int
s_next(side_t *s, const char *table, err_t *err)
{
    for (;;) {
        copyrow_bin_item_t item;
        PGresult *res;
        /* on a malformed stream its message is replaced by ours, below */
        int got = copyrow_bin_next(s->parser, &item, err), len, rc = 0;

        if (got < 0)
            goto bad;
        if (got > 0) {
            if (item.kind != COPYROW_BIN_TUPLE)
                continue; /* the header, the trailer */
            if (s_take(s, &item) != 0)
                goto bad;
            s->rows++;
            return 0;
        }
        /* The message is used up: the next one. */
        if (s->msg != NULL) {
            PQfreemem(s->msg);
            s->msg = NULL;
        }
        while ((len = PQgetCopyData(s->conn, &s->msg, s->service != NULL)) == 0) {
            rc = s_wait(s, table, err);
            if (rc != 0)
                return rc;
        }
        if (len > 0) {
            copyrow_bin_feed(s->parser, s->msg, (size_t) len);
            continue;
        }
        if (len != -1)
            return pgutil_set_error(err, s->conn, NULL, table);
        /* The stream ended: then comes the COPY's own result, an error if it failed late. */
        while ((res = PQgetResult(s->conn)) != NULL) {
            if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
                rc = pgutil_set_error(err, s->conn, res, table);
            PQclear(res);
        }
        if (rc == 0 && copyrow_bin_finish(s->parser, err) != 0)
            goto bad;
        s->eof = rc == 0;
        return rc;
    }
bad:
    return err_set(err, "sql", EXIT_CODE_FAILED, "%s: unexpected data from the %s's COPY", table,
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

/* The keys of the rows whose value of one column came out equal and may be one the strategy
 * leaves as it is, kept for a look at the source after the merge (s_recheck). */
typedef struct recheck {
    int64_t *keys; /* in the merge's order: ascending */
    size_t n;      /* keys kept */
    size_t cap;    /* room at keys */
    size_t max;    /* most keys kept (s_recheck_max) */
    bool full;     /* more than max: the scan reads again, filtered */
} recheck_t;

/* At most this many keys a column (8 MB): past it, a second pass filters row by row. */
#define RECHECK_MAX 1000000

/* RECHECK_MAX, or CONFITURE_LEAKSCAN_RECHECK_MAX when set (the tests' way to reach the
 * second pass without a million rows). */
static size_t
s_recheck_max(void)
{
    const char *env = getenv("CONFITURE_LEAKSCAN_RECHECK_MAX");
    char *end;
    unsigned long long v;

    if (env == NULL || env[0] == '\0')
        return RECHECK_MAX;
    v = strtoull(env, &end, 10);
    return *end == '\0' ? (size_t) v : RECHECK_MAX;
}

static void
s_recheck_add(recheck_t *r, int64_t key)
{
    if (r->full)
        return;
    if (r->n == r->max) {
        r->full = true;
        return;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        int64_t *grown = realloc(r->keys, cap * sizeof(int64_t));

        if (grown == NULL)
            abort();
        r->keys = grown;
        r->cap = cap;
    }
    r->keys[r->n++] = key;
}

static int
s_cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

    return (x > y) - (x < y);
}

/*
 * The equal rows of one column whose source value the strategy cannot change (a phone with
 * no digit, a blank name...) are not leaks: asks the source, in the same snapshot, which of
 * the kept keys hold such a value, and takes them out of the column's counts. Returns 0 or
 * -1 with err set.
 */
static int
s_recheck(PGconn *src, const char *schema, const char *table, const char *key, bool int_key,
          leak_column_t *column, const recheck_t *r, err_t *err)
{
    char *q = pgutil_quote_ident(column->column);
    const char *params[1];
    int64_t *found;
    PGresult *res;
    char *text, *list;
    buf_t sql, array;
    size_t i = 0, nfound;

    buf_init(&sql);
    buf_init(&array);
    buf_append_byte(&array, '{');
    for (size_t k = 0; k < r->n; k++)
        buf_appendf(&array, "%s%lld", k ? "," : "", (long long) r->keys[k]);
    buf_append_str(&array, "}");
    buf_append_str(&sql, "SELECT ");
    s_key_sql(&sql, key, int_key);
    s_from_sql(&sql, schema, table);
    buf_append_str(&sql, " WHERE ");
    if (int_key) /* the key as it is, so that its index serves */
        buf_append_str(&sql, key);
    else
        s_key_sql(&sql, key, int_key);
    buf_append_str(&sql, " OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]) AND NOT (");
    (void) s_changeable_sql(&sql, column->strategy, q);
    buf_append_str(&sql, ")");
    text = buf_detach_string(&sql);
    params[0] = list = buf_detach_string(&array);
    res = pgutil_query(src, err, text, 1, params);
    free(text);
    free(list);
    free(q);
    if (res == NULL)
        return -1;
    nfound = (size_t) PQntuples(res);
    found = xcalloc(nfound, sizeof(int64_t));
    for (size_t k = 0; k < nfound; k++)
        found[k] = strtoll(PQgetvalue(res, (int) k, 0), NULL, 10);
    PQclear(res);
    qsort(found, nfound, sizeof(int64_t), s_cmp_int64);
    /* Both sorted: each kept key found unchangeable is one row less checked and equal (a
     * target may hold a key twice: each of its rows counted once). */
    for (size_t k = 0; k < r->n; k++) {
        while (i < nfound && found[i] < r->keys[k])
            i++;
        if (i < nfound && found[i] == r->keys[k]) {
            column->checked--;
            column->equal--;
        }
    }
    free(found);
    return 0;
}

/*
 * Runs the two COPYs and merges them into the columns' counts. Without filtered, the source
 * sends every value: an equal row of a column whose strategy leaves some values unchanged
 * keeps its key in rechecks[f] (f: the compared column's rank). Returns 0 or -1 with err set.
 */
static int
s_scan(PGconn *src, PGconn *tgt, const char *name, const char *schema, const char *table,
       const char *key, bool int_key, leak_column_t *columns, int ncolumns, const int *which,
       int ncompared, bool filtered, recheck_t *rechecks, leakscan_service_fn *service, void *arg,
       err_t *err)
{
    side_t sides[2] = {
        {src, "source", NULL, NULL, ncompared, 0, NULL, NULL, false, service, arg, 0},
        {tgt, "target", NULL, NULL, ncompared, 0, NULL, NULL, false, service, arg, 0}};
    side_t *s = &sides[0], *t = &sides[1];
    bool *may_keep = xcalloc((size_t) ncompared, sizeof(bool));
    int rc = -1;
    int64_t pairs = 0;

    for (int f = 0; f < ncompared && !filtered; f++)
        may_keep[f] = s_changeable_sql(NULL, columns[which[f]].strategy, NULL);
    for (int i = 0; i < 2; i++) {
        /* the target is never filtered: a value is what it is */
        char *sql = s_copy_sql(schema, table, key, int_key, columns, ncolumns, filtered && i == 0);
        int sent = PQsendQuery(sides[i].conn, sql);

        free(sql);
        sides[i].parser = copyrow_bin_new(ncompared + 1);
        sides[i].hash = xcalloc((size_t) ncompared + 1, sizeof(int64_t));
        sides[i].null = xcalloc((size_t) ncompared + 1, sizeof(bool));
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
        if (s->key < t->key) {
            if (s_next(s, name, err) != 0)
                goto done;
            continue;
        }
        if (s->key == t->key) {
            pairs++;
            for (int f = 0; f < ncompared; f++) {
                if (s->null[f] || t->null[f])
                    continue;
                columns[which[f]].checked++;
                if (s->hash[f] != t->hash[f])
                    continue;
                columns[which[f]].equal++;
                if (may_keep[f])
                    s_recheck_add(&rechecks[f], s->key);
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
        if (sides[i].msg != NULL)
            PQfreemem(sides[i].msg);
        if (rc != 0)
            s_drain(sides[i].conn);
        copyrow_bin_destroy(&sides[i].parser);
        free(sides[i].hash);
        free(sides[i].null);
    }
    free(may_keep);
    return rc;
}

/*
 * For the scan's transaction on conn: work_mem 256MB, no index scans (see s_scan_table).
 * Returns the former values (a one-row result, a column per setting, to give back to
 * s_settings_restore), or NULL with err set.
 */
static PGresult *
s_settings_set(PGconn *conn, err_t *err)
{
    return pgutil_query(conn, err,
                        "SELECT pg_catalog.current_setting('work_mem'), "
                        "       pg_catalog.current_setting('enable_indexscan'), "
                        "       pg_catalog.current_setting('enable_indexonlyscan'), "
                        "       pg_catalog.set_config('work_mem', '256MB', true), "
                        "       pg_catalog.set_config('enable_indexscan', 'off', true), "
                        "       pg_catalog.set_config('enable_indexonlyscan', 'off', true)",
                        0, NULL);
}

/* Sets back on conn the values saved by s_settings_set. Returns 0 or -1 with err set. */
static int
s_settings_restore(PGconn *conn, const PGresult *saved, err_t *err)
{
    const char *params[3];
    PGresult *res;

    for (int i = 0; i < 3; i++)
        params[i] = PQgetvalue(saved, 0, i);
    res = pgutil_query(conn, err,
                       "SELECT pg_catalog.set_config('work_mem', $1, true), "
                       "       pg_catalog.set_config('enable_indexscan', $2, true), "
                       "       pg_catalog.set_config('enable_indexonlyscan', $3, true)",
                       3, params);
    PQclear(res);
    return res == NULL ? -1 : 0;
}

/*
 * The scan of one table by the chosen key: a first pass with every source value, then the
 * equal rows that may be values their strategy leaves as they are looked at again
 * (s_recheck); when a column had too many of those, a second pass with the source filtered
 * row by row instead. Returns 0 or -1 with err set.
 */
static int
s_scan_table(PGconn *src, PGconn *tgt, const char *schema, const char *table, const char *key,
             bool int_key, leak_column_t *columns, int ncolumns, int ncompared,
             leakscan_service_fn *service, void *arg, err_t *err)
{
    recheck_t *rechecks = xcalloc((size_t) ncompared, sizeof(recheck_t));
    int *which = xcalloc((size_t) ncompared, sizeof(int));
    size_t max = s_recheck_max();
    PGresult *saved[2] = {NULL, NULL};
    bool full = false;
    char name[512];
    int rc = -1, n = 0;

    snprintf(name, sizeof(name), "%s.%s", schema, table);
    for (int c = 0; c < ncolumns; c++)
        if (columns[c].skipped == NULL)
            which[n++] = c;
    for (int f = 0; f < ncompared; f++)
        rechecks[f].max = max;
    /* Each side sorts in memory, and by a sort rather than along an index: both servers then
     * work at once before the first row, where an index scan on one side would make it
     * start only once the other side's sort is done (the merge waits for both). */
    for (int i = 0; i < 2; i++)
        if ((saved[i] = s_settings_set(i == 0 ? src : tgt, err)) == NULL)
            goto done;
    rc = s_scan(src, tgt, name, schema, table, key, int_key, columns, ncolumns, which, ncompared,
                false, rechecks, service, arg, err);
    for (int f = 0; f < ncompared; f++)
        full = full || rechecks[f].full;
    if (rc == 0 && full) {
        for (int f = 0; f < ncompared; f++) {
            columns[which[f]].checked = columns[which[f]].equal = 0;
            columns[which[f]].skipped = NULL;
        }
        rc = s_scan(src, tgt, name, schema, table, key, int_key, columns, ncolumns, which,
                    ncompared, true, rechecks, service, arg, err);
    }
    /* the caller's settings back (the look at the source wants its index) */
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = s_settings_restore(i == 0 ? src : tgt, saved[i], err);
    for (int f = 0; f < ncompared && rc == 0 && !full; f++)
        if (rechecks[f].n > 0)
            rc = s_recheck(src, schema, table, key, int_key, &columns[which[f]], &rechecks[f], err);
done:
    PQclear(saved[0]);
    PQclear(saved[1]);
    for (int f = 0; f < ncompared; f++)
        free(rechecks[f].keys);
    free(rechecks);
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
    rc = s_scan_table(src, tgt, schema, table, key, int_key, columns, ncolumns, ncompared, service,
                      arg, err);
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
