/*
 * catalog.h - what the coordinator reads from the source and target catalogs.
 *
 * Source: every ordinary table (leaf partitions included, partitioned parents not), its
 * columns, the column to split on, its size, and the sequences its columns use. Target: the
 * same tables' columns, plus what must be held aside during the load (secondary indexes,
 * key constraints, foreign keys, enabled user triggers) and what would make a truncate
 * unsafe (foreign keys from tables outside the selection).
 */
#ifndef CONFITURE_CATALOG_H
#define CONFITURE_CATALOG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/value.h"

typedef struct cat_column {
    char *name;      /* column name, unquoted */
    char *type;      /* format_type() on the source */
    bool generated;  /* generated column on the source */
    bool portable;   /* binary COPY output can be read by another cluster */
    char *base_type; /* type, or a domain's base type: what masking checks against */
    bool not_null;   /* NOT NULL on the source */
} cat_column_t;

typedef struct cat_table {
    unsigned int oid;      /* source oid */
    char *schema;          /* schema name, unquoted */
    char *name;            /* table name, unquoted */
    char *qname;           /* "schema"."name", quoted */
    char **ancestors;      /* partition ancestors as {schema, name, schema, name, ..., NULL} */
    int64_t bytes;         /* heap + TOAST bytes */
    int64_t relpages;      /* heap blocks */
    cat_column_t *columns; /* columns in attnum order */
    int ncolumns;          /* number of columns */
    char *key;             /* quoted split column, or NULL */
    char *key_type;        /* its type, format_type() */
    char *key_collation;   /* its collation, quoted, or NULL */
    bool key_is_int;       /* smallint, integer or bigint */
    bool selected;         /* chosen by --tables / --exclude */
} cat_table_t;

typedef struct cat_source {
    cat_table_t *tables; /* every user table, largest first */
    int ntables;         /* number of tables */
    char *encoding;      /* server_encoding */
    int server_version;  /* e.g. 150004 */
} cat_source_t;

/* Reads the source catalog through conn (inside the job's snapshot). Returns 0 or -1. */
int catalog_read_source(PGconn *conn, cat_source_t *src, err_t *err);

/*
 * Marks the selected tables: those matching any pattern of `tables` (an array of strings,
 * each a comma-separated pattern list; none means every table) and none of `exclude`. A
 * partition matches its own name or any ancestor's. A pattern that matches no table, or an
 * empty selection, is an error (code "usage") naming the pattern. Returns 0 or -1.
 */
int catalog_select(cat_source_t *src, const value_t *tables, const value_t *exclude, err_t *err);

/* Frees what catalog_read_source allocated. */
void catalog_free_source(cat_source_t *src);

/* A target column as the preflight needs it. */
typedef struct cat_target_column {
    char *name;     /* column name */
    char *type;     /* format_type() on the target */
    bool generated; /* generated on the target: never copied into */
    bool required;  /* NOT NULL, no default, not identity: must come from the source */
    bool not_null;  /* NOT NULL */
} cat_target_column_t;

/* A selected table as found on the target. */
typedef struct cat_target_table {
    unsigned int oid;             /* target oid, 0 when the table is missing */
    char relkind;                 /* 'r' expected */
    unsigned int *ancestors;      /* oids of itself and its partition ancestors */
    int nancestors;               /* number of them */
    cat_target_column_t *columns; /* target columns in attnum order */
    int ncolumns;                 /* number of columns */
    char *disable_triggers;       /* ALTER TABLE .. DISABLE TRIGGER USER, or NULL */
    char *enable_triggers;        /* statements re-enabling what was enabled, or NULL */
} cat_target_table_t;

/* Something held aside on the target during the load and restored after it. */
typedef enum held_kind { HELD_INDEX, HELD_CONSTRAINT, HELD_FK } held_kind_t;

typedef struct cat_held {
    held_kind_t kind;        /* index, key constraint (pkey, unique, exclusion), foreign key */
    unsigned int relation;   /* target oid of the table it is defined on */
    unsigned int referenced; /* for a foreign key: the referenced table's oid */
    char *name;              /* "schema"."relation" and name, for messages */
    char *drop_sql;          /* statement removing it */
    char *restore_sql;       /* statements restoring it (index, cluster, replica identity...) */
    char *validate_sql;      /* foreign key added NOT VALID: the VALIDATE to run after, or NULL */
    char *attach_sql;        /* key constraint built as its index: the ALTER TABLE attaching
                              * it, run by the table's finish task; or NULL */
} cat_held_t;

typedef struct cat_target {
    cat_target_table_t *tables; /* parallel to the source's tables; only selected ones filled */
    cat_held_t *held;           /* what to hold aside, foreign keys last */
    int nheld;                  /* number of held items */
    char **unsafe;              /* messages: FKs from unselected tables into selected ones */
    int nunsafe;                /* number of them */
} cat_target_t;

/* True when t is the table schema.name, or a partition (at any depth) of it. */
bool catalog_table_is(const cat_table_t *t, const char *schema, const char *name);

/* The column of t named name (exactly), or NULL. */
const cat_column_t *catalog_column(const cat_table_t *t, const char *name);

/* The column of the target table t named name (exactly), or NULL. */
const cat_target_column_t *catalog_target_column(const cat_target_table_t *t, const char *name);

/* Reads the target catalog for the source's selected tables. Returns 0 or -1. */
int catalog_read_target(PGconn *conn, const cat_source_t *src, cat_target_t *tgt, err_t *err);

/* Frees what catalog_read_target allocated. */
void catalog_free_target(cat_target_t *tgt, int ntables);

#endif
