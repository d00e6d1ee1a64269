/*
 * leakscan.h - the PII leak scan: does a masked column of the target still hold, in some row,
 * the value its source row holds?
 *
 * A column masked by a strategy whose output can carry its input (email, name, text, date...)
 * is compared row by row: the rows of the two sides are paired by a key read from the source
 * catalog (the primary key, else a unique index whose columns are all NOT NULL; never a key
 * that holds a column being scanned), and a row whose target value has the same text as its
 * source value is counted as equal. A masked column should have no equal row: one is a leak.
 *
 * Every row is read, none sampled, in client memory that does not grow with the table: each
 * side runs one query per table,
 *
 *     COPY (SELECT <key>, <per column: h(its text)> FROM ONLY <table> ORDER BY 1)
 *         TO STDOUT (FORMAT binary)
 *
 * where h is a 64-bit hash (hashtextextended, an int8) and <key> the key itself when it is one
 * integer column, else h of its row's text. Each server sorts its rows in memory (work_mem
 * 256MB for the scan, no index: both sort at once), and both streams are read at once and
 * merged by the key. Only hashes cross the wire: values are the personal data the masking
 * hides, so nothing here prints or keeps one, and no error message quotes one. Two different
 * values whose hashes agree would count as equal: about one row in 2^64.
 *
 * Which rows count. A row counts in `checked` when its key is on both sides and both values
 * are not NULL; in `equal` when the two texts' hashes are the same. Values a strategy leaves
 * as they are by design do not count in either: for text one with no letter or digit, for
 * phone one with no digit, for the name strategies a blank one, for date and timestamp the
 * infinities. Those are rare, so the source is not filtered row by row: the keys of the equal
 * rows of such a column are kept, and one query on the source (same snapshot) afterwards
 * says which of them hold such a value. Past 1,000,000 kept keys in a column (or
 * CONFITURE_LEAKSCAN_RECHECK_MAX, for tests), the table is read a second time with the
 * source filtering each value instead. A target with several rows of one key compares each
 * of them.
 *
 * Pure helper: nothing here logs; errors fill the caller's err_t.
 */
#ifndef CONFITURE_LEAKSCAN_H
#define CONFITURE_LEAKSCAN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

/* One masked column of a table, and what the scan found in it. */
typedef struct leak_column {
    const char *column;   /* unquoted column name (borrowed) */
    const char *strategy; /* the rule's strategy name (borrowed) */
    int64_t checked;      /* out: rows compared */
    int64_t equal;        /* out: rows whose target value equals the source value */
    const char *skipped;  /* out: NULL, or why the column was not compared (static text) */
} leak_column_t;

/*
 * Called while the scan waits for a server (each side sorts its whole table before its first
 * row): fd is the socket to wait on, timeout_ms how long at most, rows the rows read so far
 * (bytes is 0). Returns 0 to go on, non-zero to stop the scan (it then fails with code
 * "interrupted" and both COPYs are cancelled). The shape of the worker's pump service.
 */
typedef int(leakscan_service_fn)(void *arg, int fd, int timeout_ms, int64_t rows, int64_t bytes);

/*
 * Compares each masked column of schema.table (unquoted, case-sensitive names) between source
 * and target. Pass every column the rules mask in the table, so that no key holding one of
 * them pairs the rows. src and tgt are connections already inside the transactions
 * (snapshots) the caller wants read, with the same session settings (pgutil_connect) so that
 * values print alike. Returns 0 with the columns' out fields filled (a leak is equal > 0; a
 * column not compared has skipped set: its strategy cannot carry the input, the table or the
 * column is missing on the target, no key pairs the rows), or -1 with err set: a query failed
 * (code "sql"; the transactions may then be aborted) or the table or a column does not exist
 * on the source (code "rules", EXIT_CODE_CONFIG). With service NULL the scan blocks in libpq;
 * otherwise it reads both sides without blocking and calls service while it waits.
 */
int leakscan_table(PGconn *src, PGconn *tgt, const char *schema, const char *table,
                   leak_column_t *columns, int ncolumns, leakscan_service_fn *service, void *arg,
                   err_t *err);

/* True when a strategy's output can carry its input, so the scan compares it: false for
 * preserve (identity by choice), null, redact and value (constants), number (noise that
 * leaves 0 and small integers as they are) and json (masks only the listed paths). */
bool leakscan_compares(const char *strategy);

/* Why leakscan_table does not compare a column of this strategy (static text), or NULL when
 * it does. */
const char *leakscan_skip_reason(const char *strategy);

#endif
