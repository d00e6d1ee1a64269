/*
 * job.c - one sync job: its snapshot, its plan, the target's preparation and finish.
 *
 * Consistency. The coordinator opens a REPEATABLE READ READ ONLY transaction on the source,
 * exports its snapshot and keeps that transaction open for the job's life; every chunk's
 * source transaction imports the snapshot, so all workers read one consistent database. The
 * same transaction takes ACCESS SHARE locks on the selected tables (what COPY takes anyway),
 * so a concurrent TRUNCATE, DROP or ALTER on the source waits for the job instead of
 * silently emptying a table the snapshot still sees (TRUNCATE is not MVCC-safe).
 *
 * Chunks. A table is cut into ceil(bytes / chunk_size) ranges of its split column: the first
 * column of its primary key (or of a NOT NULL unique key), cut at pg_stats histogram bounds
 * (balanced on skewed keys) or, for integer keys without statistics, at even steps of
 * min..max. A table with no usable key is cut into ctid block ranges (TID range scans). The
 * first and last ranges are open, so no row can fall outside the plan (coordinator/planner.h).
 *
 * Target. Before the load, in one transaction: the ledger rows, then foreign keys, key
 * constraints and indexes dropped (their definitions kept in the plan and the ledger), user
 * triggers disabled, the selection truncated in one statement. After its chunks, each table
 * gets its indexes and constraints back (worker tasks, in parallel), then its triggers
 * enabled, ANALYZE and a row count; foreign keys come back once both sides have their keys:
 * added NOT VALID (instant), then validated by a task of their own under weaker locks (see
 * s_held_sql in catalog.c). A foreign key into the selection from an unselected table refuses the
 * job up front: nothing is ever truncated by cascade.
 */
#include "coordinator/job.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/exitcodes.h"
#include "common/ledger.h"
#include "common/log.h"
#include "common/pgutil.h"
#include "common/xalloc.h"
#include "coordinator/catalog.h"
#include "coordinator/holder.h"
#include "coordinator/maskplan.h"
#include "coordinator/planner.h"
#include "proto/proto.h"
#include "worker/mask.h"

#define MAX_CHUNKS_PER_TABLE 2000

typedef enum task_kind {
    KIND_COPY,
    KIND_INDEX,
    KIND_CONSTRAINT,
    KIND_FK,
    KIND_FINISH,
    KIND_VALIDATE,
    KIND_LEAKSCAN
} task_kind_t;

static const char *s_kind_names[] = {"copy",   "index",    "constraint", "fk",
                                     "finish", "validate", "leakscan"};

typedef struct job_task {
    task_kind_t kind;  /* what it does */
    int table;         /* source table index, or -1 (held items on parents) */
    int held;          /* held item index, or -1 */
    char *label;       /* "copy public.film 3/8" */
    char *detail;      /* predicate, or SQL: what the ledger's plan records */
    value_t *body;     /* TASK fields but job, task, attempt */
    int64_t est_bytes; /* planned bytes (copy) */
    bool done;         /* reported DONE */
    bool skipped;      /* DONE because an earlier attempt had committed it */
    int64_t rows;      /* rows copied (copy) or counted (finish) */
    int64_t bytes;     /* bytes copied */
    int *deps;         /* tasks that must be done before this one */
    int ndeps;         /* number of them */
    int attempts;      /* attempts made in earlier runs of the job (resume) */
} job_task_t;

typedef struct job_table {
    char *display;     /* schema.name for people */
    char *qname;       /* "schema"."name", quoted */
    bool selected;     /* copied by this job */
    int chunks;        /* copy tasks planned */
    int chunks_done;   /* copy tasks done */
    int64_t rows;      /* rows copied */
    int64_t bytes;     /* bytes copied */
    int64_t counted;   /* rows counted on the target at the end, -1 before */
    const char *split; /* how it was cut: "id (histogram)", "ctid", "whole table" */
    bool binary;       /* binary COPY format */
    int masked;        /* columns masked */
} job_table_t;

struct job {
    char id[48];          /* job id: UTC time and random suffix */
    value_t *spec;        /* the submitted spec (no secrets) */
    char *source_display; /* redacted source, for the ledger */
    bool dry_run;         /* plan only */
    int64_t chunk_size;   /* bytes per chunk */
    PGconn *snap;         /* source connection holding the snapshot */
    char *snapshot;       /* exported snapshot id */
    PGconn *tgt;          /* target connection of the coordinator */
    cat_source_t src;     /* source catalog */
    cat_target_t tgt_cat; /* target catalog */
    job_table_t *tables;  /* per source table, parallel to src.tables (resume: per plan row) */
    int ntables;          /* number of them */
    bool resumed;         /* opened from the ledger (--resume), not planned */
    value_t *plan_event;  /* the plan as first made (stored in the ledger) */
    holder_t holder;      /* the snapshot holder this coordinator started, if any */
    bool prepared;        /* the target was prepared (or the job resumed): resumable */
    bool ended;           /* finished (done, different, leaked): nothing left to resume */
    bool new_snapshot;    /* resumed in a new snapshot: the first one was gone */
    char hint[1024];      /* job_failure_hint's answer */
    int keep_s;           /* how long the holder keeps the snapshot for a resume */
    job_task_t *tasks;    /* the plan */
    int ntasks;           /* number of tasks */
    int ncopy;            /* of which copy tasks */
    char **sequences;     /* quoted sequence names to set at the end */
    int nsequences;       /* number of them */
    char plan_hash[65];   /* hex BLAKE2b of the plan */
    bool masked;          /* the job masks (spec masking) */
    rules_t rules;        /* its rules, parsed from the spec */
    maskplan_t mask;      /* the rules checked against the catalogs */
    char key_fingerprint[MASK_FINGERPRINT_LEN + 1]; /* the masking key's, from the CLI */
    value_t *leaks;      /* array of {table, column, strategy, checked, equal} with equal > 0 */
    value_t *leak_skips; /* array of {table, column, strategy, reason}: columns not compared */
};

static char *s_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
s_printf(const char *fmt, ...)
{
    va_list ap;
    char *out = NULL;

    va_start(ap, fmt);
    if (vasprintf(&out, fmt, ap) < 0)
        abort();
    va_end(ap);
    return out;
}

static int
s_preflight(job_t *job, err_t *err)
{
    err_list_t p = {NULL, 0};

    for (int i = 0; i < job->src.ntables; i++) {
        const cat_table_t *t = &job->src.tables[i];
        const cat_target_table_t *tt = &job->tgt_cat.tables[i];

        if (!t->selected)
            continue;
        if (tt->oid == 0) {
            err_list_add(&p, "table %s.%s is missing on the target", t->schema, t->name);
            continue;
        }
        if (tt->relkind != 'r') {
            err_list_add(&p, "%s.%s is not an ordinary table on the target (relkind %c)", t->schema,
                         t->name, tt->relkind);
            continue;
        }
        for (int c = 0; c < t->ncolumns; c++)
            if (catalog_target_column(tt, t->columns[c].name) == NULL)
                err_list_add(&p, "column %s.%s.%s (%s) is missing on the target", t->schema,
                             t->name, t->columns[c].name, t->columns[c].type);
        for (int c = 0; c < tt->ncolumns; c++)
            if (tt->columns[c].required && catalog_column(t, tt->columns[c].name) == NULL)
                err_list_add(&p,
                             "target column %s.%s.%s is NOT NULL without a default, and the source "
                             "has no such column",
                             t->schema, t->name, tt->columns[c].name);
    }
    for (int u = 0; u < job->tgt_cat.nunsafe; u++)
        err_list_add(&p, "%s: truncating the selection would break it", job->tgt_cat.unsafe[u]);
    if (p.count == 0)
        return 0;
    err_set(err, "schema", EXIT_CODE_SCHEMA,
            "the target is not ready for this sync: %d problem%s; nothing was changed", p.count,
            p.count == 1 ? "" : "s");
    err_detail(err, "\n%s", p.text);
    err_hint(err, "%s",
             job->tgt_cat.nunsafe > 0
                 ? "add the referencing tables to --tables (or exclude the referenced "
                   "ones); confiture never truncates by cascade"
                 : "create the target schema first (same tables and columns as the "
                   "source), or narrow the selection with --tables / --exclude");
    err_list_free(&p);
    return -1;
}

/*
 * The masking of the job, when its spec asks for one: {rules (the YAML text), rules_path,
 * key_fingerprint, strict}. The rules are parsed here again (the coordinator may run on
 * another host than the CLI that read the file) and checked against both catalogs.
 */
static int
s_mask_preflight(job_t *job, err_t *err)
{
    const value_t *masking = value_map_get(job->spec, "masking");
    const char *text, *fingerprint;

    if (masking == NULL || value_type(masking) != VALUE_MAP)
        return 0;
    text = value_map_string(masking, "rules", "");
    fingerprint = value_map_string(masking, "key_fingerprint", "");
    if (strlen(fingerprint) != MASK_FINGERPRINT_LEN)
        return err_set(err, "mask_key", EXIT_CODE_CONFIG,
                       "the job asks for masking but names no masking key fingerprint");
    snprintf(job->key_fingerprint, sizeof(job->key_fingerprint), "%s", fingerprint);
    if (rules_parse(text, strlen(text), value_map_string(masking, "rules_path", "rules"),
                    &job->rules, err) != 0)
        return -1;
    if (maskplan_check(job->snap, &job->src, &job->tgt_cat, &job->rules,
                       value_map_bool(masking, "strict", false), &job->mask, err) != 0)
        return -1;
    job->masked = true;
    return 0;
}

/* ---------------------------------------------------------------- planning */

static task_kind_t
s_held_kind(const cat_held_t *h)
{
    return h->kind == HELD_FK ? KIND_FK : h->kind == HELD_CONSTRAINT ? KIND_CONSTRAINT : KIND_INDEX;
}

static job_task_t *
s_add_task(job_t *job, task_kind_t kind, int table, int held)
{
    job_task_t *t;

    job_task_t *grown = realloc(job->tasks, sizeof(job_task_t) * ((size_t) job->ntasks + 1));

    if (grown == NULL)
        abort();
    job->tasks = grown;
    t = &job->tasks[job->ntasks++];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->table = table;
    t->held = held;
    t->body = value_new_map();
    value_map_put_string(t->body, "kind", kind == KIND_COPY ? "copy" : "sql");
    value_map_put_string(t->body, "target", value_map_string(job->spec, "target", ""));
    value_map_put_string(t->body, "encoding", job->src.encoding);
    return t;
}

/*
 * The column list copied: source columns not generated on the target. Sets *binary when
 * every column may travel in binary COPY format, and fills *mask (when the job masks table i)
 * with the masked columns' task entries; a masked column that is not text-like makes the
 * table text, since masking works on the text form.
 */
static char *
s_column_list(const job_t *job, int i, bool *binary, value_t **mask, int *nfields)
{
    const cat_table_t *t = &job->src.tables[i];
    const cat_target_table_t *tt = &job->tgt_cat.tables[i];
    char *list = xcalloc(1, 1);
    int field = 0;

    *binary = true;
    *mask = NULL;
    for (int c = 0; c < t->ncolumns; c++) {
        const cat_target_column_t *tc = catalog_target_column(tt, t->columns[c].name);
        const rule_t *rule = job->masked ? maskplan_rule(&job->mask, i, c) : NULL;
        char *q, *joined;

        if (tc == NULL || tc->generated)
            continue;
        if (!t->columns[c].portable || strcmp(tc->type, t->columns[c].type) != 0)
            *binary = false;
        if (rule != NULL && strcmp(rule->strategy, "preserve") != 0) {
            if (*mask == NULL)
                *mask = value_new_array();
            value_array_push(*mask, maskplan_entry(rule, &t->columns[c], tc->not_null, field));
            if (!maskplan_binary_ok(t->columns[c].base_type))
                *binary = false;
        }
        q = pgutil_quote_ident(t->columns[c].name);
        joined = s_printf("%s%s%s", list, list[0] ? ", " : "", q);
        free(q);
        free(list);
        list = joined;
        field++;
    }
    *nfields = field;
    return list;
}

/* Cuts a table into ctid block ranges: fills *bounds with tid literals, returns their number. */
static int
s_split_blocks(const cat_table_t *t, size_t nchunks, char ***bounds, const char **split)
{
    uint64_t *blocks = xcalloc(nchunks, sizeof(uint64_t));
    char **out = xcalloc(nchunks, sizeof(char *));
    size_t nb = planner_split_blocks((uint64_t) t->relpages, nchunks, blocks);

    for (size_t c = 0; c < nb; c++)
        out[c] = s_printf("'(%llu,0)'::pg_catalog.tid", (unsigned long long) blocks[c]);
    free(blocks);
    *bounds = out;
    *split = "ctid";
    return (int) nb;
}

/*
 * Splits table i: fills *bounds with SQL literals (already cast) and returns their number,
 * or -1 on a query error. Sets *split to the method used.
 */
static int
s_split(job_t *job, int i, size_t nchunks, char ***bounds, const char **split, err_t *err)
{
    const cat_table_t *t = &job->src.tables[i];
    char **out = xcalloc(nchunks, sizeof(char *));
    int n = 0;

    *bounds = out;
    *split = "whole table";
    if (nchunks <= 1)
        return 0;
    if (t->key != NULL) {
        char *sql;
        const char *params[3];
        PGresult *res;
        char *attname = strdup(t->key);

        /* attname unquoted: t->key is quote_ident()ed; pg_stats wants the raw name */
        if (attname[0] == '"') {
            size_t w = 0;
            for (size_t r = 1; attname[r] && attname[r + 1]; r++) {
                if (attname[r] == '"' && attname[r + 1] == '"')
                    r++;
                attname[w++] = attname[r];
            }
            attname[w] = '\0';
        }
        params[0] = t->schema;
        params[1] = t->name;
        params[2] = attname;
        {
            /* The type name goes in as a literal the server pastes after '::'. */
            char *lit = pgutil_quote_literal(t->key_type);

            /* ORDER BY d.v, not an output column: the bounds must be sorted as the column
             * sorts (its type and collation), or ranges could overlap. */
            sql = s_printf("SELECT d.v::text AS txt, pg_catalog.quote_literal(d.v) || '::' || %s "
                           "AS lit FROM (SELECT DISTINCT v FROM unnest((SELECT "
                           "s.histogram_bounds::text FROM pg_catalog.pg_stats s "
                           "WHERE s.schemaname = $1 AND s.tablename = $2 AND s.attname = $3 "
                           "AND NOT s.inherited)::%s[]) AS v) AS d ORDER BY d.v %s%s",
                           lit, t->key_type, t->key_collation ? "COLLATE " : "",
                           t->key_collation ? t->key_collation : "");
            free(lit);
        }
        res = pgutil_query(job->snap, err, sql, 3, params);
        free(sql);
        free(attname);
        if (res == NULL)
            return -1;
        if (t->key_is_int) {
            size_t nb = (size_t) PQntuples(res);
            int64_t *hist = xcalloc(nb > 2 ? nb : 2, sizeof(int64_t));
            int64_t *cuts = xcalloc(nchunks, sizeof(int64_t));
            size_t ncuts;

            for (size_t b = 0; b < nb; b++)
                hist[b] = strtoll(PQgetvalue(res, (int) b, 0), NULL, 10);
            PQclear(res);
            *split = "key (histogram)";
            if (nb < 2) {
                char *q = s_printf("SELECT min(%s)::text, max(%s)::text FROM ONLY %s", t->key,
                                   t->key, t->qname);

                res = pgutil_query(job->snap, err, q, 0, NULL);
                free(q);
                if (res == NULL) {
                    free(hist);
                    free(cuts);
                    return -1;
                }
                nb = PQgetisnull(res, 0, 0) ? 0 : 2;
                if (nb == 2) {
                    hist[0] = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                    hist[1] = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
                }
                PQclear(res);
                *split = "key (min/max)";
            }
            ncuts = nb >= 2 ? planner_split_int(hist, nb, nchunks, cuts) : 0;
            for (size_t c = 0; c < ncuts; c++)
                out[n++] = s_printf("%lld", (long long) cuts[c]);
            free(hist);
            free(cuts);
            if (ncuts > 0 || nb >= 2)
                return n;
        } else if (PQntuples(res) >= 3) {
            size_t nb = (size_t) PQntuples(res);
            size_t *picked = xcalloc(nchunks, sizeof(size_t));
            size_t np = planner_split_histogram(nb, nchunks, picked);

            for (size_t c = 0; c < np; c++)
                out[n++] = strdup(PQgetvalue(res, (int) picked[c], 1));
            free(picked);
            PQclear(res);
            *split = "key (histogram)";
            return n;
        } else {
            PQclear(res);
        }
    }
    /* No key, or no statistics for a non-integer key: ctid block ranges. */
    free(out);
    return s_split_blocks(t, nchunks, bounds, split);
}

/*
 * Asks the source whether the literal bounds strictly increase in the order the chunk
 * predicates compare them (the key's type and collation). Ranges cut at bounds out of order
 * would overlap and copy rows twice, so a plan never relies on anything else. Returns 1
 * (increasing), 0 (not), -1 on error.
 */
static int
s_bounds_increase(job_t *job, const cat_table_t *t, char **bounds, int n, err_t *err)
{
    char *values = strdup(""), *sql;
    PGresult *res;
    int ok;

    if (n < 2) {
        free(values);
        return 1;
    }
    for (int b = 0; b + 1 < n; b++) {
        char *next = s_printf("%s%s(%s, %s)", values, b ? ", " : "", bounds[b], bounds[b + 1]);

        free(values);
        values = next;
    }
    sql = s_printf("SELECT coalesce(bool_and(l < r %s%s), false) FROM (VALUES %s) AS p(l, r)",
                   t->key_collation ? "COLLATE " : "", t->key_collation ? t->key_collation : "",
                   values);
    free(values);
    res = pgutil_query(job->snap, err, sql, 0, NULL);
    free(sql);
    if (res == NULL)
        return -1;
    ok = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return ok;
}

static int
s_plan_table(job_t *job, int i, err_t *err)
{
    const cat_table_t *t = &job->src.tables[i];
    job_table_t *jt = &job->tables[i];
    size_t nchunks =
        planner_chunk_count((uint64_t) t->bytes, (uint64_t) job->chunk_size, MAX_CHUNKS_PER_TABLE);
    char **bounds = NULL;
    bool binary;
    value_t *mask;
    int nfields;
    char *columns = s_column_list(job, i, &binary, &mask, &nfields);
    bool text_only = strcmp(value_map_string(job->spec, "copy_format", "auto"), "text") == 0;
    const char *format;
    const char *key;
    int nb = s_split(job, i, nchunks, &bounds, &jt->split, err);

    binary = binary && !text_only;
    format = binary ? "binary" : "text";

    log_debug("plan %s: %lld bytes, %zu chunks wanted, %d cuts (%s)", t->qname,
              (long long) t->bytes, nchunks, nb, jt->split);

    if (nb > 1 && strcmp(jt->split, "ctid") != 0) {
        int ok = s_bounds_increase(job, t, bounds, nb, err);

        if (ok == 0) {
            log_warn("%s: the statistics of %s give bounds out of order; splitting by ctid",
                     jt->display, t->key);
            for (int c = 0; c < nb; c++)
                free(bounds[c]);
            free(bounds);
            bounds = NULL;
            nb = s_split_blocks(t, nchunks, &bounds, &jt->split);
        } else if (ok < 0) {
            nb = -1;
        }
    }
    if (nb < 0) {
        free(columns);
        free(bounds);
        value_destroy(&mask);
        return -1;
    }
    jt->binary = binary;
    jt->masked = (int) value_size(mask);
    key = strcmp(jt->split, "ctid") == 0 ? "ctid" : t->key;
    jt->chunks = nb + 1;
    for (int c = 0; c <= nb; c++) {
        job_task_t *task = s_add_task(job, KIND_COPY, i, -1);
        char *pred =
            planner_range_predicate(key, c > 0 ? bounds[c - 1] : NULL, c < nb ? bounds[c] : NULL);
        char *source_sql, *target_sql;

        if (nb == 0)
            source_sql = s_printf("COPY %s (%s) TO STDOUT (FORMAT %s)", t->qname, columns, format);
        else
            source_sql = s_printf("COPY (SELECT %s FROM ONLY %s WHERE %s) TO STDOUT (FORMAT %s)",
                                  columns, t->qname, pred, format);
        target_sql = s_printf("COPY %s (%s) FROM STDIN (FORMAT %s)", t->qname, columns, format);
        task->label = s_printf("copy %s %d/%d", jt->display, c + 1, nb + 1);
        task->detail = pred;
        task->est_bytes = t->bytes / (nb + 1);
        value_map_put_string(task->body, "table", jt->display);
        value_map_put_string(task->body, "source", value_map_string(job->spec, "source", ""));
        value_map_put_string(task->body, "snapshot", job->snapshot);
        value_map_put_string(task->body, "source_sql", source_sql);
        value_map_put_string(task->body, "target_sql", target_sql);
        if (mask != NULL) {
            value_map_put(task->body, "mask", value_dup(mask));
            value_map_put_string(task->body, "mask_key", job->key_fingerprint);
            value_map_put_bool(task->body, "binary", binary);
            value_map_put_int(task->body, "mask_fields", nfields);
        }
        free(source_sql);
        free(target_sql);
        job->ncopy++;
    }
    for (int c = 0; c < nb; c++)
        free(bounds[c]);
    free(bounds);
    free(columns);
    value_destroy(&mask);
    return 0;
}

static void
s_plan_sql_task(job_t *job, task_kind_t kind, int table, int held, const char *label,
                const char *display, const char *sql, const char *count_sql)
{
    job_task_t *task = s_add_task(job, kind, table, held);
    value_t *statements = value_new_array();

    task->label = strdup(label);
    task->detail = strdup(sql ? sql : "");
    if (sql != NULL && sql[0])
        value_array_push(statements, value_new_string(sql));
    value_map_put(task->body, "statements", statements);
    value_map_put_string(task->body, "table", display);
    if (count_sql)
        value_map_put_string(task->body, "count_sql", count_sql);
}

/*
 * The leak scan of a masked table: after its load, a worker compares every masked column
 * between source (in the job's snapshot) and target, row by row (common/leakscan.h).
 */
static void
s_plan_leakscan(job_t *job, int i)
{
    const cat_table_t *t = &job->src.tables[i];
    job_task_t *task = s_add_task(job, KIND_LEAKSCAN, i, -1);
    value_t *columns = value_new_array();

    value_map_put_string(task->body, "kind", "leakscan");
    for (int c = 0; c < t->ncolumns; c++) {
        const rule_t *rule = maskplan_rule(&job->mask, i, c);
        value_t *col;

        if (rule == NULL || strcmp(rule->strategy, "preserve") == 0)
            continue;
        col = value_new_map();
        value_map_put_string(col, "column", t->columns[c].name);
        value_map_put_string(col, "strategy", rule->strategy);
        value_array_push(columns, col);
    }
    task->label = s_printf("leak scan %s", job->tables[i].display);
    task->detail = strdup("");
    value_map_put_string(task->body, "table", job->tables[i].display);
    value_map_put_string(task->body, "schema", t->schema);
    value_map_put_string(task->body, "name", t->name);
    value_map_put_string(task->body, "source", value_map_string(job->spec, "source", ""));
    value_map_put_string(task->body, "snapshot", job->snapshot);
    value_map_put(task->body, "columns", columns);
}

/*
 * The finish of table i: its triggers enabled again, ANALYZE, then its key constraints
 * attached to the indexes their tasks built (catalog.c). ANALYZE comes first: it runs
 * alongside a leak scan of the table, the attach waits for the scan to end.
 */
static char *
s_finish_sql(const job_t *job, int i)
{
    const cat_target_table_t *tt = &job->tgt_cat.tables[i];
    buf_t sql;

    buf_init(&sql);
    if (tt->enable_triggers != NULL)
        buf_appendf(&sql, "%s; ", tt->enable_triggers);
    buf_appendf(&sql, "ANALYZE %s", job->src.tables[i].qname);
    for (int h = 0; h < job->tgt_cat.nheld; h++)
        if (job->tgt_cat.held[h].relation == tt->oid && job->tgt_cat.held[h].attach_sql != NULL)
            buf_appendf(&sql, "; %s", job->tgt_cat.held[h].attach_sql);
    return buf_detach_string(&sql);
}

static void s_plan_deps(job_t *job);
static void s_dep(job_t *job, int k, int c);
static value_t *s_plan_event(const job_t *self);

static int
s_plan(job_t *job, err_t *err)
{
    crypto_generichash_state hash;
    unsigned char digest[32];

    for (int i = 0; i < job->src.ntables; i++) {
        if (job->src.tables[i].selected && s_plan_table(job, i, err) != 0)
            return -1;
    }
    for (int h = 0; h < job->tgt_cat.nheld; h++) {
        const cat_held_t *held = &job->tgt_cat.held[h];
        char *label = s_printf("%s %s", s_kind_names[s_held_kind(held)], held->name);

        s_plan_sql_task(job, s_held_kind(held), -1, h, label, held->name, held->restore_sql, NULL);
        free(label);
        if (held->validate_sql != NULL) {
            label = s_printf("validate %s", held->name);
            s_plan_sql_task(job, KIND_VALIDATE, -1, h, label, held->name, held->validate_sql, NULL);
            free(label);
        }
    }
    for (int i = 0; i < job->src.ntables; i++) {
        const cat_table_t *t = &job->src.tables[i];
        char *sql, *count, *label;

        if (!t->selected)
            continue;
        sql = s_finish_sql(job, i);
        count = s_printf("SELECT count(*) FROM ONLY %s", t->qname);
        label = s_printf("finish %s", job->tables[i].display);
        s_plan_sql_task(job, KIND_FINISH, i, -1, label, job->tables[i].display, sql, count);
        free(sql);
        free(count);
        free(label);
    }

    for (int i = 0; i < job->src.ntables; i++)
        if (job->tables[i].masked > 0)
            s_plan_leakscan(job, i);
    s_plan_deps(job);

    crypto_generichash_init(&hash, NULL, 0, sizeof(digest));
    if (job->masked) {
        /* the same plan under other rules or another key is another plan */
        crypto_generichash_update(&hash, (const unsigned char *) job->rules.hash,
                                  strlen(job->rules.hash) + 1);
        crypto_generichash_update(&hash, (const unsigned char *) job->key_fingerprint,
                                  strlen(job->key_fingerprint) + 1);
    }
    for (int k = 0; k < job->ntasks; k++) {
        const job_task_t *t = &job->tasks[k];
        const char *s1 = value_map_string(t->body, "source_sql", "");
        const char *s2 = value_map_string(t->body, "target_sql", "");

        crypto_generichash_update(&hash, (const unsigned char *) t->label, strlen(t->label) + 1);
        crypto_generichash_update(&hash, (const unsigned char *) t->detail, strlen(t->detail) + 1);
        crypto_generichash_update(&hash, (const unsigned char *) s1, strlen(s1) + 1);
        crypto_generichash_update(&hash, (const unsigned char *) s2, strlen(s2) + 1);
    }
    crypto_generichash_final(&hash, digest, sizeof(digest));
    sodium_bin2hex(job->plan_hash, sizeof(job->plan_hash), digest, sizeof(digest));
    return 0;
}

/* Sequences owned by, or used in defaults of, the selected tables. */
static int
s_read_sequences(job_t *job, err_t *err)
{
    unsigned int *oids = xcalloc((size_t) job->src.ntables, sizeof(unsigned int));
    char *array, *p;
    const char *params[1];
    PGresult *res;
    int n = 0;

    array = p = xcalloc((size_t) job->src.ntables * 11 + 3, 1);
    *p++ = '{';
    for (int i = 0; i < job->src.ntables; i++)
        if (job->src.tables[i].selected)
            p += sprintf(p, "%s%u", n++ ? "," : "", job->src.tables[i].oid);
    *p++ = '}';
    *p = '\0';
    free(oids);
    params[0] = array;
    res = pgutil_query(
        job->snap, err,
        "WITH rel AS (SELECT t.oid AS relid FROM unnest($1::pg_catalog.oid[]) AS t(oid) "
        "             UNION SELECT a.relid FROM unnest($1::pg_catalog.oid[]) AS t(oid), "
        "             LATERAL pg_catalog.pg_partition_ancestors(t.oid) AS a(relid)) "
        "SELECT DISTINCT pg_catalog.quote_ident(n.nspname) || '.' || "
        "       pg_catalog.quote_ident(s.relname) "
        "FROM pg_catalog.pg_depend d "
        "JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace "
        "WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
        "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
        "  AND d.deptype IN ('a', 'i') AND d.refobjid IN (SELECT relid FROM rel) "
        "UNION "
        "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(s.relname) "
        "FROM pg_catalog.pg_attrdef ad "
        "JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass "
        "  AND d.objid = ad.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
        "JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' "
        "JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace "
        "WHERE ad.adrelid IN (SELECT relid FROM rel) ORDER BY 1",
        1, params);
    free(array);
    if (res == NULL)
        return -1;
    job->nsequences = PQntuples(res);
    job->sequences = xcalloc((size_t) job->nsequences, sizeof(char *));
    for (int i = 0; i < job->nsequences; i++)
        job->sequences[i] = pgutil_strdup(res, i, 0);
    PQclear(res);
    return 0;
}

/* The holder takes ACCESS SHARE on the selected tables, in the snapshot's transaction. */
static int
s_lock_selection(job_t *job, err_t *err)
{
    char **qnames = xcalloc((size_t) job->ntables, sizeof(char *));
    int n = 0, rc;

    for (int i = 0; i < job->ntables; i++)
        if (job->tables[i].selected)
            qnames[n++] = job->tables[i].qname;
    rc = holder_lock(&job->holder, qnames, n, 45, err);
    free(qnames);
    return rc;
}

/* Opens the coordinator's own source transaction inside snapshot. Returns 0, or -1 with err
 * set (SQLSTATE 22023 when the snapshot is gone). */
static int
s_import_snapshot(PGconn *conn, const char *snapshot, err_t *err)
{
    char *sql = s_printf("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                         "SET TRANSACTION SNAPSHOT '%s'",
                         snapshot);
    int rc = pgutil_exec(conn, err, sql);

    free(sql);
    return rc;
}

/* Starts the snapshot holder of the job and imports its snapshot. Returns 0 or -1. */
static int
s_hold_snapshot(job_t *job, const char *config_dir, err_t *err)
{
    holder_options_t ho = {value_map_string(job->spec, "source", ""),
                           value_map_string(job->spec, "target", ""), config_dir, job->id,
                           job->keep_s};

    free(job->snapshot);
    job->snapshot = NULL;
    if (holder_start(&ho, 60, &job->holder, &job->snapshot, err) != 0)
        return -1;
    return s_import_snapshot(job->snap, job->snapshot, err);
}

/* Decodes a bytea column (text form) holding a msgpack map. Returns it or NULL. */
static value_t *
s_mp_value(const PGresult *res, int row, int col)
{
    size_t len = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *) PQgetvalue(res, row, col), &len);
    value_t *v = NULL;
    err_t err;

    err_clear(&err);
    if (bytes != NULL && proto_body_decode(bytes, len, &v, &err) != 0)
        v = NULL;
    PQfreemem(bytes);
    return v;
}

static int
s_kind_of(const char *name)
{
    for (int k = 0; k < (int) (sizeof(s_kind_names) / sizeof(s_kind_names[0])); k++)
        if (strcmp(name, s_kind_names[k]) == 0)
            return k;
    return -1;
}

static int
s_table_index(const job_t *job, const char *display)
{
    for (int i = 0; i < job->ntables; i++)
        if (strcmp(job->tables[i].display, display) == 0)
            return i;
    return -1;
}

/* A ledger that is not what this version wrote: refuse rather than guess. */
static int
s_ledger_damaged(job_t *job, const char *what, err_t *err)
{
    err_set(err, "resume", EXIT_CODE_FAILED, "job %s: the ledger's %s cannot be read", job->id,
            what);
    err_hint(err, "the ledger in schema confiture on the target was changed by hand or by "
                  "another version; start the sync again without --resume");
    return -1;
}

/*
 * Compares the resumed run's options with the job's. Every difference is a problem: a resume
 * must copy the same rows of the same tables in the same chunks, masked the same way.
 */
static int
s_resume_compare(job_t *job, const PGresult *row, const char *source_display, err_t *err)
{
    const value_t *masking = value_map_get(job->spec, "masking");
    const char *was_rules = PQgetisnull(row, 0, 3) ? "" : PQgetvalue(row, 0, 3);
    const char *was_key = PQgetisnull(row, 0, 4) ? "" : PQgetvalue(row, 0, 4);
    const char *now_rules = value_map_string(masking, "rules_hash", "");
    const char *now_key = value_map_string(masking, "key_fingerprint", "");
    err_list_t p = {NULL, 0};

    if (strcmp(PQgetvalue(row, 0, 1), source_display) != 0)
        err_list_add(&p, "the source differs: the job read %s, this run names %s",
                     PQgetvalue(row, 0, 1), source_display);
    if (PQgetvalue(row, 0, 5)[0] != 't')
        err_list_add(&p, "--tables differ: the job had %s, this run has %s", PQgetvalue(row, 0, 9),
                     PQgetvalue(row, 0, 13));
    if (PQgetvalue(row, 0, 6)[0] != 't')
        err_list_add(&p, "--exclude differs: the job had %s, this run has %s",
                     PQgetvalue(row, 0, 10), PQgetvalue(row, 0, 14));
    if (PQgetvalue(row, 0, 7)[0] != 't')
        err_list_add(&p, "--chunk-size differs: the job had %s bytes, this run %lld",
                     PQgetvalue(row, 0, 11), (long long) job->chunk_size);
    if (PQgetvalue(row, 0, 8)[0] != 't')
        err_list_add(&p, "--copy-format differs: the job had %s, this run %s",
                     PQgetvalue(row, 0, 12), value_map_string(job->spec, "copy_format", "auto"));
    if (strcmp(was_rules, now_rules) != 0)
        err_list_add(&p, "the masking rules differ: the job used %s, this run %s",
                     was_rules[0] ? was_rules : "no masking", now_rules[0] ? now_rules : "none");
    if (strcmp(was_key, now_key) != 0)
        err_list_add(&p, "the masking key differs: the job used key %s, this run key %s",
                     was_key[0] ? was_key : "none", now_key[0] ? now_key : "none");
    if (p.count == 0)
        return 0;
    err_set(err, "resume", EXIT_CODE_USAGE,
            "cannot resume job %s with other options: %d difference%s; nothing was changed",
            job->id, p.count, p.count == 1 ? "" : "s");
    err_detail(err, "\n%s", p.text);
    err_hint(err, "resume with the options of the first run (the checkpoint file lists them), "
                  "or run the sync without --resume to start over");
    err_list_free(&p);
    return -1;
}

/* Reads the job's row, checks the options, and rebuilds the table list from the plan. */
static int
s_resume_job_row(job_t *job, const char *source_display, err_t *err)
{
    char *tables = value_to_json(value_map_get(job->spec, "tables"));
    char *exclude = value_to_json(value_map_get(job->spec, "exclude"));
    char chunk[24];
    const char *params[5] = {job->id, tables, exclude, chunk,
                             value_map_string(job->spec, "copy_format", "auto")};
    const value_t *rows;
    PGresult *res;
    int rc = -1;

    snprintf(chunk, sizeof(chunk), "%lld", (long long) job->chunk_size);
    res = pgutil_query(job->tgt, err, ledger_check_sql, 0, NULL);
    if (res == NULL || PQgetvalue(res, 0, 0)[0] != 't') {
        PQclear(res);
        free(tables);
        free(exclude);
        err_set(err, "resume", EXIT_CODE_USAGE,
                "job %s is not in the target's ledger: the target has no (complete) ledger",
                job->id);
        err_hint(err, "check --to; a job that never prepared its target has nothing to resume: "
                      "run the sync without --resume");
        return -1;
    }
    PQclear(res);
    res = pgutil_query(job->tgt, err,
                       "SELECT state, source, snapshot, rules_hash, mask_key_fingerprint, "
                       "       coalesce(spec->'tables', '[]') = $2::jsonb, "
                       "       coalesce(spec->'exclude', '[]') = $3::jsonb, "
                       "       (spec->>'chunk_size')::bigint = $4::bigint, "
                       "       coalesce(spec->>'copy_format', 'auto') = $5, "
                       "       spec->'tables', spec->'exclude', spec->>'chunk_size', "
                       "       coalesce(spec->>'copy_format', 'auto'), $2, $3, plan_mp, plan_hash "
                       "FROM confiture.job WHERE job_id = $1",
                       5, params);
    free(tables);
    free(exclude);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0) {
        err_set(err, "resume", EXIT_CODE_USAGE, "job %s is not in the target's ledger", job->id);
        err_hint(err, "it never got as far as preparing the target, or this is another target: "
                      "check --to, or run the sync without --resume");
        goto done;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "done") == 0 ||
        strcmp(PQgetvalue(res, 0, 0), "different") == 0 ||
        strcmp(PQgetvalue(res, 0, 0), "leaked") == 0) {
        err_set(err, "resume", EXIT_CODE_USAGE, "job %s has ended (%s): there is nothing to resume",
                job->id, PQgetvalue(res, 0, 0));
        err_hint(err, "to copy again, run the sync without --resume (a new job)");
        goto done;
    }
    if (s_resume_compare(job, res, source_display, err) != 0)
        goto done;
    job->snapshot = pgutil_strdup(res, 0, 2);
    snprintf(job->plan_hash, sizeof(job->plan_hash), "%s", PQgetvalue(res, 0, 16));
    if (!PQgetisnull(res, 0, 4)) {
        job->masked = true;
        snprintf(job->key_fingerprint, sizeof(job->key_fingerprint), "%s", PQgetvalue(res, 0, 4));
        snprintf(job->rules.hash, sizeof(job->rules.hash), "%s", PQgetvalue(res, 0, 3));
    }
    job->plan_event = PQgetisnull(res, 0, 15) ? NULL : s_mp_value(res, 0, 15);
    rows = value_map_get(job->plan_event, "tables");
    if (job->plan_event == NULL || rows == NULL) {
        rc = s_ledger_damaged(job, "plan", err);
        goto done;
    }
    job->mask.masked_columns =
        (int) value_map_int(value_map_get(job->plan_event, "masking"), "columns", 0);
    job->ntables = (int) value_size(rows);
    job->tables = xcalloc((size_t) job->ntables, sizeof(job_table_t));
    for (int i = 0; i < job->ntables; i++) {
        const value_t *r = value_at(rows, (size_t) i);

        job->tables[i].display = strdup(value_map_string(r, "table", ""));
        job->tables[i].qname = strdup(value_map_string(r, "qname", ""));
        job->tables[i].selected = true;
        job->tables[i].chunks = (int) value_map_int(r, "chunks", 0);
        job->tables[i].binary = strcmp(value_map_string(r, "format", ""), "binary") == 0;
        job->tables[i].masked = (int) value_map_int(r, "masked", 0);
        job->tables[i].counted = -1;
    }
    rc = 0;
done:
    PQclear(res);
    return rc;
}

/* Reads the plan's tasks and what of it committed (and which attempts started). */
static int
s_resume_tasks(job_t *job, err_t *err)
{
    const char *params[1] = {job->id};
    PGresult *res = pgutil_query(job->tgt, err,
                                 "SELECT task_id, kind, label, detail, est_bytes, body_mp, "
                                 "       array_to_string(depends, ' ') "
                                 "FROM confiture.task WHERE job_id = $1 ORDER BY task_id",
                                 1, params);

    if (res == NULL)
        return -1;
    for (int r = 0; r < PQntuples(res); r++) {
        int kind = s_kind_of(PQgetvalue(res, r, 1));
        job_task_t *t;
        char *p, *end;

        if (kind < 0 || pgutil_int(res, r, 0, -1) != r || PQgetisnull(res, r, 5)) {
            PQclear(res);
            return s_ledger_damaged(job, "task list", err);
        }
        t = s_add_task(job, (task_kind_t) kind, -1, -1);
        value_destroy(&t->body);
        t->body = s_mp_value(res, r, 5);
        if (t->body == NULL) {
            PQclear(res);
            return s_ledger_damaged(job, "task bodies", err);
        }
        t->label = pgutil_strdup(res, r, 2);
        t->detail = pgutil_strdup(res, r, 3);
        t->est_bytes = pgutil_int(res, r, 4, 0);
        if (kind == KIND_COPY || kind == KIND_FINISH || kind == KIND_LEAKSCAN)
            t->table = s_table_index(job, value_map_string(t->body, "table", ""));
        if (kind == KIND_COPY)
            job->ncopy++;
        for (p = PQgetvalue(res, r, 6); *p; p = end) {
            long d = strtol(p, &end, 10);

            if (end == p)
                break;
            s_dep(job, r, (int) d);
        }
    }
    PQclear(res);

    res = pgutil_query(job->tgt, err,
                       "SELECT task_id, coalesce(rows, 0), coalesce(bytes, 0) "
                       "FROM confiture.task_done WHERE job_id = $1",
                       1, params);
    if (res == NULL)
        return -1;
    for (int r = 0; r < PQntuples(res); r++) {
        int k = (int) pgutil_int(res, r, 0, -1);
        value_t *done;

        if (k < 0 || k >= job->ntasks)
            continue;
        done = value_new_map();
        value_map_put_int(done, "rows", pgutil_int(res, r, 1, 0));
        value_map_put_int(done, "bytes", pgutil_int(res, r, 2, 0));
        value_map_put_bool(done, "skipped", true);
        {
            value_t *event = job_task_done(job, k, done);

            value_destroy(&event);
        }
        value_destroy(&done);
    }
    PQclear(res);

    res = pgutil_query(job->tgt, err,
                       "SELECT task_id, max(attempt) FROM confiture.attempt WHERE job_id = $1 "
                       "GROUP BY task_id",
                       1, params);
    if (res == NULL)
        return -1;
    for (int r = 0; r < PQntuples(res); r++) {
        int k = (int) pgutil_int(res, r, 0, -1);

        if (k >= 0 && k < job->ntasks)
            job->tasks[k].attempts = (int) pgutil_int(res, r, 1, 0);
    }
    PQclear(res);

    res = pgutil_query(job->tgt, err,
                       "SELECT unnest(sequences) FROM confiture.job WHERE job_id = $1", 1, params);
    if (res == NULL)
        return -1;
    job->nsequences = PQntuples(res);
    job->sequences = xcalloc((size_t) job->nsequences, sizeof(char *));
    for (int r = 0; r < job->nsequences; r++)
        job->sequences[r] = pgutil_strdup(res, r, 0);
    PQclear(res);
    return 0;
}

/*
 * Opens a job again from the target's ledger (--resume): the same plan, minus what committed.
 * The snapshot of the first run is reused while its holder lives; otherwise a new one is
 * taken, and the job says so: the chunks copied before and after read different moments.
 */
static int
s_resume(job_t *job, const char *source, const char *target, const char *config_dir, err_t *err)
{
    const char *id = value_map_string(job->spec, "resume", "");
    char *display = config_redact(source);
    const char *params[2];
    int rc;

    if (strlen(id) == 0 || strlen(id) >= sizeof(job->id) ||
        strspn(id, "0123456789abcdef-") != strlen(id)) {
        free(display);
        return err_set(err, "resume", EXIT_CODE_USAGE, "\"%s\" is not a job id", id);
    }
    snprintf(job->id, sizeof(job->id), "%s", id);
    job->resumed = true;
    job->prepared = true;
    job->source_display = display;
    job->tgt = pgutil_connect(target, "target", NULL, "confiture coordinator", err);
    if (job->tgt == NULL || pgutil_exec(job->tgt, err, "SET lock_timeout = '30s'") != 0)
        return -1;
    if (s_resume_job_row(job, display, err) != 0 || s_resume_tasks(job, err) != 0)
        return -1;

    job->snap = pgutil_connect(source, "source", NULL, "confiture coordinator", err);
    if (job->snap == NULL)
        return -1;
    if (s_import_snapshot(job->snap, job->snapshot, err) == 0) {
        log_info("job %s: resuming in its first snapshot %s", job->id, job->snapshot);
    } else {
        log_warn("job %s: its snapshot %s is gone (%s): the rest of the copy reads a new "
                 "snapshot, not consistent with the chunks copied before",
                 job->id, job->snapshot, err->message);
        pgutil_exec(job->snap, NULL, "ROLLBACK");
        err_clear(err);
        if (s_hold_snapshot(job, config_dir, err) != 0 || s_lock_selection(job, err) != 0)
            return -1;
        job->new_snapshot = true;
    }
    if (PQsetClientEncoding(job->snap, PQparameterStatus(job->snap, "server_encoding")) != 0)
        return err_set(err, "connect", EXIT_CODE_CONNECT, "cannot set the client encoding");
    params[0] = job->id;
    params[1] = job->snapshot;
    {
        PGresult *res = pgutil_query(job->tgt, err,
                                     "UPDATE confiture.job SET state = 'loading', snapshot = $2, "
                                     "heartbeat_at = now(), updated_at = now() "
                                     "WHERE job_id = $1",
                                     2, params);

        if (res == NULL)
            return -1;
        PQclear(res);
    }
    rc = 0;
    return rc;
}

job_t *
job_open(const value_t *spec, const char *config_dir, int keep_s, err_t *err)
{
    job_t *job = xcalloc(1, sizeof(job_t));
    char *source = NULL, *target = NULL;
    unsigned char rnd[3];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    randombytes_buf(rnd, sizeof(rnd));
    snprintf(job->id, sizeof(job->id), "%04d%02d%02d-%02d%02d%02d-%02x%02x%02x", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd[0], rnd[1], rnd[2]);
    job->spec = value_dup(spec);
    job->keep_s = keep_s;
    job->dry_run = value_map_bool(spec, "dry_run", false);
    job->chunk_size = value_map_int(spec, "chunk_size", 64 * 1024 * 1024);
    if (strcmp(value_map_string(spec, "copy_format", "auto"), "auto") != 0 &&
        strcmp(value_map_string(spec, "copy_format", "auto"), "text") != 0) {
        err_set(err, "usage", EXIT_CODE_USAGE, "unknown copy format \"%s\"",
                value_map_string(spec, "copy_format", ""));
        err_hint(err, "use auto (binary where both sides have the same types) or text");
        goto fail;
    }
    if (job->chunk_size < 1024) {
        err_set(err, "usage", EXIT_CODE_USAGE, "chunk size %lld is too small",
                (long long) job->chunk_size);
        err_hint(err, "use at least 1kB; the default is 64MB");
        goto fail;
    }

    source = pgutil_resolve_ref(value_map_string(spec, "source", ""), config_dir, err);
    if (source == NULL)
        goto fail;
    target = pgutil_resolve_ref(value_map_string(spec, "target", ""), config_dir, err);
    if (target == NULL)
        goto fail;
    if (value_map_get(spec, "resume") != NULL) {
        if (s_resume(job, source, target, config_dir, err) != 0)
            goto fail;
        free(source);
        free(target);
        return job;
    }
    job->source_display = config_redact(source);

    job->snap = pgutil_connect(source, "source", NULL, "confiture coordinator", err);
    if (job->snap == NULL || s_hold_snapshot(job, config_dir, err) != 0)
        goto fail;
    if (catalog_read_source(job->snap, &job->src, err) != 0)
        goto fail;
    if (PQsetClientEncoding(job->snap, job->src.encoding) != 0) {
        err_set(err, "connect", EXIT_CODE_CONNECT, "cannot set client_encoding %s",
                job->src.encoding);
        goto fail;
    }
    if (catalog_select(&job->src, value_map_get(spec, "tables"), value_map_get(spec, "exclude"),
                       err) != 0)
        goto fail;
    job->ntables = job->src.ntables;
    job->tables = xcalloc((size_t) job->src.ntables, sizeof(job_table_t));
    for (int i = 0; i < job->src.ntables; i++) {
        job->tables[i].display =
            s_printf("%s.%s", job->src.tables[i].schema, job->src.tables[i].name);
        job->tables[i].qname = strdup(job->src.tables[i].qname);
        job->tables[i].selected = job->src.tables[i].selected;
        job->tables[i].counted = -1;
    }
    if (s_lock_selection(job, err) != 0)
        goto fail;

    job->tgt = pgutil_connect(target, "target", job->src.encoding, "confiture coordinator", err);
    if (job->tgt == NULL || pgutil_exec(job->tgt, err, "SET lock_timeout = '30s'") != 0)
        goto fail;
    if (catalog_read_target(job->tgt, &job->src, &job->tgt_cat, err) != 0)
        goto fail;
    if (s_preflight(job, err) != 0 || s_mask_preflight(job, err) != 0)
        goto fail;
    if (s_read_sequences(job, err) != 0 || s_plan(job, err) != 0)
        goto fail;
    job->plan_event = s_plan_event(job);
    free(source);
    free(target);
    return job;

fail:
    if (strcmp(pgutil_err_sqlstate(err), "55P03") == 0 && err->hint[0] == '\0')
        err_hint(err, "another session holds an exclusive lock on a table (DDL in progress?); "
                      "retry when it is done");
    free(source);
    free(target);
    job_destroy(&job);
    return NULL;
}

void
job_destroy(job_t **self_p)
{
    job_t *job = *self_p;

    if (job == NULL)
        return;
    /* The snapshot goes with a job that ended, or never wrote anything to resume; a failed
     * or interrupted job keeps it for --resume (coordinator/holder.h). */
    if (job->ended || !job->prepared) {
        if (job->holder.pid == 0 && job->snap != NULL && job->snapshot != NULL) {
            char name[128];
            const char *params[1] = {name};
            PGresult *res;

            /* a holder started by an earlier coordinator of this job */
            holder_application_name(job->id, name, sizeof(name));
            res = PQexecParams(job->snap,
                               "SELECT pg_catalog.pg_terminate_backend(pid) "
                               "FROM pg_catalog.pg_stat_activity WHERE application_name = $1",
                               1, NULL, params, NULL, NULL, 0);
            PQclear(res);
        }
        holder_close(&job->holder, true);
    } else {
        holder_close(&job->holder, false);
    }
    PQfinish(job->snap);
    PQfinish(job->tgt);
    for (int k = 0; k < job->ntasks; k++) {
        free(job->tasks[k].label);
        free(job->tasks[k].detail);
        free(job->tasks[k].deps);
        value_destroy(&job->tasks[k].body);
    }
    free(job->tasks);
    if (job->tables)
        for (int i = 0; i < job->ntables; i++) {
            free(job->tables[i].display);
            free(job->tables[i].qname);
        }
    free(job->tables);
    value_destroy(&job->plan_event);
    catalog_free_target(&job->tgt_cat, job->src.ntables);
    catalog_free_source(&job->src);
    for (int i = 0; i < job->nsequences; i++)
        free(job->sequences[i]);
    free(job->sequences);
    value_destroy(&job->spec);
    maskplan_free(&job->mask);
    rules_free(&job->rules);
    value_destroy(&job->leaks);
    value_destroy(&job->leak_skips);
    free(job->snapshot);
    free(job->source_display);
    free(job);
    *self_p = NULL;
}

const char *
job_id(const job_t *self)
{
    return self->id;
}

const char *
job_mask_key(const job_t *self)
{
    return self->masked ? self->key_fingerprint : NULL;
}

bool
job_dry_run(const job_t *self)
{
    return self->dry_run;
}

value_t *
job_plan(const job_t *self)
{
    value_t *plan = value_dup(self->plan_event);

    value_map_put_string(plan, "job", self->id);
    if (self->resumed) {
        int done = 0;

        for (int k = 0; k < self->ntasks; k++)
            done += self->tasks[k].kind == KIND_COPY && self->tasks[k].done;
        value_map_put_bool(plan, "resumed", true);
        value_map_put_int(plan, "chunks_done", done);
        done = 0;
        for (int k = 0; k < self->ntasks; k++)
            done += self->tasks[k].done;
        value_map_put_int(plan, "tasks_done", done);
        {
            value_t *rows = (value_t *) value_map_get(plan, "tables");

            for (size_t i = 0; i < value_size(rows); i++) {
                value_t *row = (value_t *) value_at(rows, i);
                int t = s_table_index(self, value_map_string(row, "table", ""));

                value_map_put_int(row, "chunks_done", t >= 0 ? self->tables[t].chunks_done : 0);
            }
        }
        value_map_put_bool(plan, "new_snapshot", self->new_snapshot);
        value_map_put_string(plan, "snapshot", self->snapshot);
    }
    return plan;
}

bool
job_resumed(const job_t *self)
{
    return self->resumed;
}

void
job_heartbeat(job_t *job)
{
    const char *params[1] = {job->id};
    PGresult *res;

    if (job->tgt == NULL || !job->prepared)
        return;
    if (PQstatus(job->tgt) != CONNECTION_OK)
        PQreset(job->tgt); /* the target restarted: try again, once per heartbeat */
    res = PQexecParams(job->tgt, "UPDATE confiture.job SET heartbeat_at = now() WHERE job_id = $1",
                       1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        log_debug("job %s: ledger heartbeat failed: %s", job->id, PQerrorMessage(job->tgt));
    PQclear(res);
}

void
job_terminate_attempt(job_t *job, int task, int attempt)
{
    char name[128];
    const char *params[1] = {name};
    PGconn *conns[2] = {job->tgt, job->snap};

    snprintf(name, sizeof(name), "confiture job=%s task=%d attempt=%d", job->id, task, attempt);
    for (int i = 0; i < 2; i++) {
        PGresult *res;

        if (conns[i] == NULL || PQstatus(conns[i]) != CONNECTION_OK)
            continue;
        /* the source connection is in the job's snapshot transaction: an error (no right to
         * end another role's backend) must not abort it */
        if (i == 1)
            PQclear(PQexec(conns[i], "SAVEPOINT confiture_terminate"));
        res = PQexecParams(conns[i],
                           "SELECT count(pg_catalog.pg_terminate_backend(pid)) "
                           "FROM pg_catalog.pg_stat_activity WHERE application_name = $1",
                           1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "0") != 0)
            log_info("%s: ended the %s backend of attempt %d", job->tasks[task].label,
                     i == 0 ? "target" : "source", attempt);
        else if (PQresultStatus(res) != PGRES_TUPLES_OK)
            log_warn("%s: cannot end the %s backend of lost attempt %d (%s); give the "
                     "coordinator's database user pg_signal_backend, or the workers' role",
                     job->tasks[task].label, i == 0 ? "target" : "source", attempt,
                     PQresultErrorMessage(res));
        if (i == 1)
            PQclear(PQexec(conns[i], PQresultStatus(res) == PGRES_TUPLES_OK
                                         ? "RELEASE SAVEPOINT confiture_terminate"
                                         : "ROLLBACK TO SAVEPOINT confiture_terminate"));
        PQclear(res);
    }
}

const char *
job_failure_hint(job_t *job, int task, const char *sqlstate)
{
    const job_task_t *t = &job->tasks[task];
    const char *sql = value_string(value_at(value_map_get(t->body, "statements"), 0), "");

    if (strcmp(sqlstate, "23503") != 0 || (t->kind != KIND_VALIDATE && t->kind != KIND_FK))
        return NULL;
    if (job->new_snapshot)
        snprintf(job->hint, sizeof(job->hint),
                 "this resume read a new snapshot: rows copied before and after it do not "
                 "match. Copy the tables of this foreign key again with a new sync (--tables "
                 "naming both, without --resume), then on the target run: %s",
                 t->kind == KIND_VALIDATE ? sql : "ALTER TABLE ... VALIDATE CONSTRAINT ...");
    else
        snprintf(job->hint, sizeof(job->hint),
                 "the source's rows break this foreign key (is it NOT VALID there?): fix the "
                 "data on the source and sync again");
    return job->hint;
}

/* The plan as an event body (kept in the ledger for a resume). */
static value_t *
s_plan_event(const job_t *self)
{
    value_t *plan = value_new_map();
    value_t *tables = value_new_array();
    int64_t bytes = 0;
    int held[3] = {0, 0, 0};

    value_map_put_string(plan, "event", "plan");
    value_map_put_string(plan, "job", self->id);
    value_map_put_string(plan, "snapshot", self->snapshot);
    for (int i = 0; i < self->src.ntables; i++) {
        const cat_table_t *t = &self->src.tables[i];
        value_t *row;

        if (!t->selected)
            continue;
        row = value_new_map();
        value_map_put_string(row, "table", self->tables[i].display);
        value_map_put_string(row, "qname", t->qname);
        value_map_put_int(row, "bytes", t->bytes);
        value_map_put_int(row, "chunks", self->tables[i].chunks);
        value_map_put_string(row, "split", self->tables[i].split);
        value_map_put_string(row, "split_column",
                             t->key && strcmp(self->tables[i].split, "ctid") ? t->key : "ctid");
        value_map_put_string(row, "format", self->tables[i].binary ? "binary" : "text");
        value_map_put_int(row, "masked", self->tables[i].masked);
        value_array_push(tables, row);
        bytes += t->bytes;
    }
    for (int h = 0; h < self->tgt_cat.nheld; h++)
        held[self->tgt_cat.held[h].kind]++;
    value_map_put(plan, "tables", tables);
    value_map_put_int(plan, "chunks", self->ncopy);
    value_map_put_int(plan, "bytes", bytes);
    value_map_put_int(plan, "indexes", held[HELD_INDEX]);
    value_map_put_int(plan, "constraints", held[HELD_CONSTRAINT]);
    value_map_put_int(plan, "foreign_keys", held[HELD_FK]);
    value_map_put_int(plan, "sequences", self->nsequences);
    value_map_put_int(plan, "tasks", self->ntasks);
    if (self->masked) {
        value_t *masking = value_new_map();

        value_map_put_int(masking, "columns", self->mask.masked_columns);
        value_map_put_int(masking, "tables", self->mask.masked_tables);
        value_map_put_string(masking, "rules_hash", self->rules.hash);
        value_map_put_string(masking, "key_fingerprint", self->key_fingerprint);
        value_map_put(masking, "warnings", value_dup(self->mask.warnings));
        value_map_put(plan, "masking", masking);
    }
    return plan;
}

/* ---------------------------------------------------------------- target preparation */

/* The task's dependencies as an integer[] literal. */
static char *
s_deps_literal(const job_task_t *t)
{
    buf_t b;

    buf_init(&b);
    buf_append_byte(&b, '{');
    for (int d = 0; d < t->ndeps; d++)
        buf_appendf(&b, "%s%d", d ? "," : "", t->deps[d]);
    buf_append_byte(&b, '}');
    return buf_detach_string(&b);
}

/* The task's body as msgpack, in bytea's hex input form: what a resume reads back. */
static char *
s_body_mp(const value_t *body)
{
    size_t len;
    err_t err;
    uint8_t *mp = proto_body_encode(body, &len, &err);
    char *hex = xcalloc(len * 2 + 3, 1);

    if (mp == NULL)
        abort(); /* a body is always a map */
    hex[0] = '\\';
    hex[1] = 'x';
    sodium_bin2hex(hex + 2, len * 2 + 1, mp, len);
    free(mp);
    return hex;
}

/*
 * Writes the job and its whole plan into the ledger: each task with its label, body (what a
 * worker is sent, secrets aside: they are references) and dependencies, the plan event and
 * the sequences to set. A resumed job runs from this alone.
 */
static int
s_insert_plan(job_t *job, err_t *err)
{
    enum { NCOL = 9 };
    int n = job->ntasks;
    char **cols[NCOL];
    char *a[NCOL], *spec_json = value_to_json(job->spec), *plan_json = NULL;
    char *sequences = pgutil_text_array(job->sequences, job->nsequences), *plan_mp;
    const char *params[NCOL + 2];
    PGresult *res;
    int rc = -1;

    plan_json = value_to_json(job->plan_event);
    plan_mp = s_body_mp(job->plan_event);
    params[0] = job->id;
    params[1] = job->source_display;
    params[2] = job->snapshot;
    params[3] = job->plan_hash;
    params[4] = spec_json;
    params[5] = job->masked ? job->rules.hash : NULL;
    params[6] = job->masked ? job->key_fingerprint : NULL;
    params[7] = plan_json;
    params[8] = sequences;
    params[9] = plan_mp;
    res = pgutil_query(job->tgt, err,
                       "INSERT INTO confiture.job (job_id, state, source, snapshot, plan_hash, "
                       "spec, rules_hash, mask_key_fingerprint, plan, sequences, plan_mp, "
                       "heartbeat_at) "
                       "VALUES ($1, 'loading', $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, "
                       "$9::text[], $10::bytea, now())",
                       10, params);
    free(spec_json);
    free(plan_json);
    free(plan_mp);
    free(sequences);
    if (res == NULL)
        return -1;
    PQclear(res);
    for (int c = 0; c < NCOL; c++)
        cols[c] = xcalloc((size_t) n, sizeof(char *));
    for (int k = 0; k < n; k++) {
        const job_task_t *t = &job->tasks[k];

        cols[0][k] = s_printf("%d", k);
        cols[1][k] = strdup(s_kind_names[t->kind]);
        cols[2][k] = strdup(value_map_string(t->body, "table", ""));
        cols[3][k] = strdup(t->detail);
        cols[4][k] = s_printf("%lld", (long long) t->est_bytes);
        cols[5][k] = strdup(t->label);
        cols[6][k] = value_to_json(t->body);
        cols[7][k] = s_deps_literal(t);
        cols[8][k] = s_body_mp(t->body);
    }
    params[0] = job->id;
    for (int c = 0; c < NCOL; c++) {
        a[c] = pgutil_text_array(cols[c], n);
        params[c + 1] = a[c];
    }
    res = pgutil_query(job->tgt, err,
                       "INSERT INTO confiture.task (job_id, task_id, kind, relation, detail, "
                       "est_bytes, label, body, depends, body_mp) "
                       "SELECT $1, i::int, k, r, d, b::bigint, l, j::jsonb, p::integer[], "
                       "m::bytea FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], "
                       "$6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) "
                       "AS u(i, k, r, d, b, l, j, p, m)",
                       NCOL + 1, params);
    for (int c = 0; c < NCOL; c++) {
        free(a[c]);
        for (int k = 0; k < n; k++)
            free(cols[c][k]);
        free(cols[c]);
    }
    if (res == NULL)
        return -1;
    PQclear(res);
    rc = 0;
    return rc;
}

/*
 * Creates the ledger when it is missing. CREATE SCHEMA IF NOT EXISTS needs CREATE on the
 * database even when the schema exists, so a ledger an administrator created beforehand is
 * used as it is, with no DDL at all.
 */
static int
s_ensure_ledger(job_t *job, err_t *err)
{
    PGresult *res = pgutil_query(job->tgt, err, ledger_check_sql, 0, NULL);
    bool present;

    if (res == NULL)
        return -1;
    present = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (present)
        return 0;
    if (pgutil_exec(job->tgt, err, ledger_schema_sql) != 0) {
        err_hint(err, "the job ledger lives in schema \"confiture\" on the target: give the "
                      "target user CREATE on the database, or have an administrator create "
                      "the ledger once (docs/configuration.md)");
        return -1;
    }
    return 0;
}

int
job_prepare(job_t *job, err_t *err)
{
    char *truncate;
    bool first = true;

    if (job->resumed)
        return 0; /* prepared by the first run: never truncated again */
    truncate = strdup("TRUNCATE ONLY ");

    if (pgutil_exec(job->tgt, err, "BEGIN; SET LOCAL lock_timeout = '30s'") != 0)
        goto fail;
    if (s_ensure_ledger(job, err) != 0)
        goto fail;
    if (s_insert_plan(job, err) != 0)
        goto fail;
    /* Foreign keys first: key constraints cannot go while a foreign key needs them. */
    for (int pass = 0; pass < 2; pass++) {
        for (int h = 0; h < job->tgt_cat.nheld; h++) {
            const cat_held_t *held = &job->tgt_cat.held[h];

            if ((pass == 0) != (held->kind == HELD_FK))
                continue;
            if (pgutil_exec(job->tgt, err, held->drop_sql) != 0)
                goto fail;
        }
    }
    for (int i = 0; i < job->src.ntables; i++) {
        char *next;

        if (!job->src.tables[i].selected)
            continue;
        if (job->tgt_cat.tables[i].disable_triggers &&
            pgutil_exec(job->tgt, err, job->tgt_cat.tables[i].disable_triggers) != 0)
            goto fail;
        next = s_printf("%s%s%s", truncate, first ? "" : ", ", job->src.tables[i].qname);
        free(truncate);
        truncate = next;
        first = false;
    }
    if (pgutil_exec(job->tgt, err, truncate) != 0 || pgutil_exec(job->tgt, err, "COMMIT") != 0)
        goto fail;
    free(truncate);
    job->prepared = true;
    return 0;

fail:
    if (strcmp(pgutil_err_sqlstate(err), "55P03") == 0)
        err_hint(err, "another session is using a target table; stop it and retry");
    err_detail(err, "%s%snothing was changed on the target", err->detail,
               err->detail[0] ? "; " : "");
    pgutil_exec(job->tgt, NULL, "ROLLBACK");
    free(truncate);
    return -1;
}

/* ---------------------------------------------------------------- scheduling */

static bool
s_has_ancestor(const cat_target_table_t *tt, unsigned int oid)
{
    for (int a = 0; a < tt->nancestors; a++)
        if (tt->ancestors[a] == oid)
            return true;
    return false;
}

/* Task k runs after task c. */
static void
s_dep(job_t *job, int k, int c)
{
    job_task_t *t = &job->tasks[k];
    int *grown = realloc(t->deps, sizeof(int) * ((size_t) t->ndeps + 1));

    if (grown == NULL)
        abort();
    t->deps = grown;
    t->deps[t->ndeps++] = c;
}

/*
 * The order of the plan, fixed when it is made (and kept in the ledger, so that a resumed job
 * runs its remaining tasks in the same order without the catalogs it was planned from).
 */
static void
s_plan_deps(job_t *job)
{
    for (int k = 0; k < job->ntasks; k++) {
        const job_task_t *t = &job->tasks[k];

        if (t->kind == KIND_INDEX || t->kind == KIND_CONSTRAINT || t->kind == KIND_FK) {
            const cat_held_t *h = &job->tgt_cat.held[t->held];

            /* After every chunk of every selected table at or under the relation(s). */
            for (int c = 0; c < job->ntasks; c++) {
                const job_task_t *copy = &job->tasks[c];
                const cat_target_table_t *tt;

                if (copy->kind != KIND_COPY)
                    continue;
                tt = &job->tgt_cat.tables[copy->table];
                if (s_has_ancestor(tt, h->relation) ||
                    (h->kind == HELD_FK && s_has_ancestor(tt, h->referenced)))
                    s_dep(job, k, c);
            }
            /* A foreign key after the keys of both sides. */
            if (h->kind == HELD_FK) {
                for (int c = 0; c < job->ntasks; c++) {
                    const job_task_t *o = &job->tasks[c];

                    if (o->kind != KIND_INDEX && o->kind != KIND_CONSTRAINT)
                        continue;
                    if (job->tgt_cat.held[o->held].relation == h->relation ||
                        job->tgt_cat.held[o->held].relation == h->referenced)
                        s_dep(job, k, c);
                }
            }
        } else if (t->kind == KIND_VALIDATE) {
            /* After its foreign key was added NOT VALID. */
            for (int c = 0; c < job->ntasks; c++)
                if (job->tasks[c].kind == KIND_FK && job->tasks[c].held == t->held)
                    s_dep(job, k, c);
        } else if (t->kind == KIND_LEAKSCAN) {
            /* After the table is loaded: it only reads, alongside the table's index builds
             * (SHARE locks) and ANALYZE; a constraint's attach (ACCESS EXCLUSIVE, an
             * instant) waits for it. */
            for (int c = 0; c < job->ntasks; c++)
                if (job->tasks[c].kind == KIND_COPY && job->tasks[c].table == t->table)
                    s_dep(job, k, c);
        } else if (t->kind == KIND_FINISH) {
            const cat_target_table_t *tt = &job->tgt_cat.tables[t->table];

            for (int c = 0; c < job->ntasks; c++) {
                const job_task_t *o = &job->tasks[c];

                if ((o->kind == KIND_COPY && o->table == t->table) ||
                    ((o->kind == KIND_INDEX || o->kind == KIND_CONSTRAINT) &&
                     s_has_ancestor(tt, job->tgt_cat.held[o->held].relation)))
                    s_dep(job, k, c);
            }
        }
    }
}

void
job_schedule(job_t *job, sched_t *sched)
{
    static const int priority[] = {1000, 3000, 3000, 4000, 2000, 4000, 1500};

    for (int k = 0; k < job->ntasks; k++)
        sched_add_task(sched, priority[job->tasks[k].kind]);
    for (int k = 0; k < job->ntasks; k++)
        for (int d = 0; d < job->tasks[k].ndeps; d++)
            sched_add_dependency(sched, k, job->tasks[k].deps[d]);
    for (int k = 0; k < job->ntasks; k++) {
        if (job->tasks[k].attempts > 0)
            sched_set_attempt(sched, k, job->tasks[k].attempts);
        if (job->tasks[k].done)
            sched_mark_done(sched, k);
    }
}

value_t *
job_task_message(const job_t *job, int task, int attempt)
{
    value_t *body = value_dup(job->tasks[task].body);

    /* a resume in a new snapshot: every task reads that one; and the databases as this run
     * names them (a job first run privately may be resumed through a coordinator, and the
     * other way round: the resume checked that the source is the same) */
    if (value_map_get(body, "snapshot") != NULL)
        value_map_put_string(body, "snapshot", job->snapshot);
    if (value_map_get(body, "source") != NULL)
        value_map_put_string(body, "source", value_map_string(job->spec, "source", ""));
    if (value_map_get(body, "target") != NULL)
        value_map_put_string(body, "target", value_map_string(job->spec, "target", ""));
    value_map_put_int(body, "retry_ms", value_map_int(job->spec, "retry_ms", 60000));

    value_map_put_string(body, "job", job->id);
    value_map_put_int(body, "task", task);
    value_map_put_int(body, "attempt", attempt);
    return body;
}

const char *
job_task_label(const job_t *job, int task)
{
    return job->tasks[task].label;
}

const char *
job_task_table(const job_t *job, int task)
{
    return value_map_string(job->tasks[task].body, "table", "");
}

/* Keeps a leak scan's findings: leaking columns, and the ones it could not compare. */
static void
s_leak_report(job_t *job, const job_task_t *t, const value_t *done)
{
    const value_t *columns = value_map_get(done, "columns");

    if (job->leaks == NULL)
        job->leaks = value_new_array();
    if (job->leak_skips == NULL)
        job->leak_skips = value_new_array();
    for (size_t i = 0; i < value_size(columns); i++) {
        const value_t *c = value_at(columns, i);
        value_t *row = value_new_map();

        value_map_put_string(row, "table", value_map_string(t->body, "table", ""));
        value_map_put_string(row, "column", value_map_string(c, "column", ""));
        value_map_put_string(row, "strategy", value_map_string(c, "strategy", ""));
        if (value_map_string(c, "skipped", "")[0] != '\0') {
            value_map_put_string(row, "reason", value_map_string(c, "skipped", ""));
            value_array_push(job->leak_skips, row);
        } else if (value_map_int(c, "equal", 0) > 0) {
            value_map_put_int(row, "checked", value_map_int(c, "checked", 0));
            value_map_put_int(row, "equal", value_map_int(c, "equal", 0));
            value_array_push(job->leaks, row);
        } else {
            value_destroy(&row);
        }
    }
}

value_t *
job_task_done(job_t *job, int task, const value_t *done)
{
    job_task_t *t = &job->tasks[task];
    value_t *event = value_new_map();
    int64_t rows = value_map_int(done, "rows", 0), bytes = value_map_int(done, "bytes", 0);
    bool skipped = value_map_bool(done, "skipped", false);

    t->done = true;
    t->skipped = skipped;
    t->rows = rows;
    t->bytes = bytes;
    value_map_put_string(event, "event", "task_done");
    value_map_put_string(event, "kind", s_kind_names[t->kind]);
    value_map_put_string(event, "table", value_map_string(t->body, "table", ""));
    value_map_put_int(event, "task", task);
    value_map_put_int(event, "rows", rows);
    value_map_put_int(event, "bytes", bytes);
    value_map_put_bool(event, "skipped", skipped);
    if (t->kind == KIND_COPY) {
        job_table_t *jt = &job->tables[t->table];

        jt->chunks_done++;
        jt->rows += rows;
        jt->bytes += bytes;
        value_map_put_int(event, "chunks_done", jt->chunks_done);
        value_map_put_int(event, "chunks", jt->chunks);
    } else if (t->kind == KIND_FINISH) {
        job->tables[t->table].counted = rows;
    } else if (t->kind == KIND_LEAKSCAN) {
        s_leak_report(job, t, done);
    }
    return event;
}

/* ---------------------------------------------------------------- finish */

void
job_summary(const job_t *job, value_t *summary)
{
    int64_t rows = 0, bytes = 0;
    int done = 0, skipped = 0, tables = 0;

    for (int k = 0; k < job->ntasks; k++) {
        if (job->tasks[k].kind != KIND_COPY)
            continue;
        done += job->tasks[k].done;
        skipped += job->tasks[k].skipped;
        rows += job->tasks[k].rows;
        bytes += job->tasks[k].bytes;
    }
    for (int i = 0; i < job->ntables; i++)
        tables += job->tables[i].selected;
    value_map_put_string(summary, "job", job->id);
    value_map_put_int(summary, "tables", tables);
    value_map_put_int(summary, "chunks_total", job->ncopy);
    value_map_put_int(summary, "chunks_done", done);
    value_map_put_int(summary, "chunks_skipped", skipped);
    value_map_put_int(summary, "rows", rows);
    value_map_put_int(summary, "bytes", bytes);
}

static int
s_set_sequences(job_t *job, err_t *err)
{
    for (int s = 0; s < job->nsequences; s++) {
        char *sql = s_printf("SELECT last_value::text, is_called::text FROM %s", job->sequences[s]);
        PGresult *res = pgutil_query(job->snap, err, sql, 0, NULL);
        const char *params[3];

        free(sql);
        if (res == NULL)
            return -1;
        params[0] = job->sequences[s];
        params[1] = PQgetvalue(res, 0, 0);
        params[2] = PQgetvalue(res, 0, 1);
        PQclear(res);
        res = pgutil_query(job->tgt, err,
                           "SELECT pg_catalog.setval($1::pg_catalog.regclass, $2::bigint, "
                           "$3::boolean)",
                           3, params);
        if (res == NULL) {
            err_hint(err, "the target is missing sequence %s; create it like the source's",
                     job->sequences[s]);
            return -1;
        }
        PQclear(res);
    }
    return 0;
}

/*
 * Makes sure a coordinator connection still works before the finish uses it: one that
 * dropped (a server restarted during the copy) is opened again, with pauses, for up to the
 * job's retry time. The source connection comes back outside the snapshot: the finish only
 * reads sequences there, which no snapshot covers anyway.
 */
static int
s_reconnect(job_t *job, PGconn *conn, const char *what, err_t *err)
{
    int64_t retry_ms = value_map_int(job->spec, "retry_ms", 60000), waited = 0;
    PGresult *res;

    for (int delay = 500;; delay = delay < 8000 ? delay * 2 : 8000) {
        res = PQexec(conn, "SELECT 1");
        if (PQresultStatus(res) == PGRES_TUPLES_OK) {
            PQclear(res);
            return 0;
        }
        PQclear(res);
        if (PQstatus(conn) == CONNECTION_OK) /* an aborted transaction, say: not ours to fix */
            return 0;
        if (waited >= retry_ms)
            return pgutil_set_error(err, conn, NULL, what);
        log_warn("job %s: the %s connection dropped; reconnecting", job->id, what);
        usleep((useconds_t) delay * 1000);
        waited += delay;
        PQreset(conn);
        if (PQstatus(conn) == CONNECTION_OK && conn == job->tgt)
            pgutil_exec(conn, NULL, "SET lock_timeout = '30s'");
    }
}

int
job_finish(job_t *job, value_t *summary, err_t *err)
{
    value_t *diffs = value_new_array();
    const char *params[1] = {job->id};
    PGresult *res;
    int rc;

    job_summary(job, summary);
    if (s_reconnect(job, job->tgt, "target", err) != 0 ||
        s_reconnect(job, job->snap, "source", err) != 0) {
        value_destroy(&diffs);
        return -1;
    }
    if (s_set_sequences(job, err) != 0) {
        value_destroy(&diffs);
        return -1;
    }
    for (int i = 0; i < job->ntables; i++) {
        const job_table_t *jt = &job->tables[i];

        if (!jt->selected || jt->counted == jt->rows)
            continue;
        value_t *d = value_new_map();

        value_map_put_string(d, "table", jt->display);
        value_map_put_int(d, "source_rows", jt->rows);
        value_map_put_int(d, "target_rows", jt->counted);
        value_array_push(diffs, d);
    }
    rc = value_size(diffs) > 0 ? 1 : 0;
    if (value_size(job->leaks) > 0)
        rc = 2;
    value_map_put(summary, "differences", diffs);
    value_map_put_int(summary, "sequences", job->nsequences);
    if (job->masked) {
        value_t *masking = value_new_map();

        value_map_put_int(masking, "columns", job->mask.masked_columns);
        value_map_put_string(masking, "rules_hash", job->rules.hash);
        value_map_put_string(masking, "key_fingerprint", job->key_fingerprint);
        value_map_put(masking, "leaks", job->leaks ? value_dup(job->leaks) : value_new_array());
        value_map_put(masking, "not_compared",
                      job->leak_skips ? value_dup(job->leak_skips) : value_new_array());
        value_map_put(masking, "warnings", value_dup(job->mask.warnings));
        value_map_put(summary, "masking", masking);
    }
    res = pgutil_query(job->tgt, err,
                       rc == 0   ? "UPDATE confiture.job SET state = 'done', updated_at = now() "
                                   "WHERE job_id = $1"
                       : rc == 1 ? "UPDATE confiture.job SET state = 'different', "
                                   "updated_at = now() WHERE job_id = $1"
                                 : "UPDATE confiture.job SET state = 'leaked', "
                                   "updated_at = now() WHERE job_id = $1",
                       1, params);
    if (res == NULL)
        return -1;
    PQclear(res);
    job->ended = true;
    return rc;
}

void
job_fail(job_t *job, value_t *summary, const char *message, bool interrupted)
{
    const char *params[2] = {job->id, interrupted ? "interrupted" : "failed"};
    PGresult *res;

    job_summary(job, summary);
    if (job->tgt != NULL && !job->dry_run && job->prepared) {
        if (PQstatus(job->tgt) != CONNECTION_OK)
            PQreset(job->tgt);
        res = PQexecParams(job->tgt,
                           "UPDATE confiture.job SET state = $2, updated_at = now() "
                           "WHERE job_id = $1",
                           2, NULL, params, NULL, NULL, 0);
        PQclear(res);
    }
    log_debug("job %s failed: %s", job->id, message);
}
