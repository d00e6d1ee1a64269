/*
 * maskplan.h - a job's masking, checked before anything is written.
 *
 * The preflight of a masked sync (and of `confiture anonymize check`): every rule must name a
 * table of the source (a rule on a partitioned table applies to all its partitions) and one
 * of its columns, and must build against that column's type and NOT NULL (mask_rule_new
 * checks the strategy, its options, the type and the length). A rule on a partition itself
 * wins over one on its partitioned ancestor. Every problem is listed at
 * once, as FILE:LINE:COL of the rule. Then the selected columns that have no rule but whose
 * name or sampled contents look like personal data are listed as warnings, or as problems
 * with strict.
 *
 * The result tells the planner which columns of which table are masked, and builds the
 * entries a copy task carries to its worker (maskplan_entry): rules are not secret, so they
 * travel over ZeroMQ; the key never does.
 */
#ifndef CONFITURE_MASKPLAN_H
#define CONFITURE_MASKPLAN_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "common/err.h"
#include "common/rules.h"
#include "common/value.h"
#include "coordinator/catalog.h"

typedef struct maskplan {
    const rule_t ***rules; /* [table][column]: the rule of a selected source column, or NULL */
    int ntables;           /* number of source tables (the rows of rules) */
    int masked_columns;    /* selected columns masked (a rule other than preserve) */
    int preserved_columns; /* selected columns kept on purpose (strategy preserve) */
    int masked_tables;     /* selected tables with at least one masked column */
    value_t *warnings;     /* array of {table, column, reason}: unruled columns that look PII */
} maskplan_t;

/*
 * Checks rules against the source catalog src (tables selected already) and, when tgt is not
 * NULL, the target's NOT NULL columns. conn (the source, inside the job's snapshot) samples
 * the contents of unruled text columns. Returns 0 and fills plan (free it with
 * maskplan_free; the rule pointers borrow from rules, which must outlive it), or -1 with err
 * set (code "rules", exit code 3: every problem in the detail) and plan empty.
 */
int maskplan_check(PGconn *conn, const cat_source_t *src, const cat_target_t *tgt,
                   const rules_t *rules, bool strict, maskplan_t *plan, err_t *err);

/* Frees what maskplan_check filled; safe on a zeroed plan and twice. */
void maskplan_free(maskplan_t *plan);

/*
 * The rule for column of table t: the table's own, else its nearest partitioned ancestor's
 * (a rule on a partition wins over one on its parent, whatever their order in the file);
 * NULL when there is none, or rules is NULL.
 */
const rule_t *maskplan_find_rule(const rules_t *rules, const cat_table_t *t, const char *column);

/* The rule of column c of source table i, or NULL. */
const rule_t *maskplan_rule(const maskplan_t *plan, int i, int c);

/*
 * A copy task's entry for one masked column: {field, column, strategy, type, not_null,
 * and options, domain, seed when the rule has them}. field is the column's position in the
 * COPY column list (0-based). not_null is the target's NOT NULL when known. Caller owns it.
 */
value_t *maskplan_entry(const rule_t *rule, const cat_column_t *column, bool not_null, int field);

/* True when a column of this type (format_type) sends its text as its binary COPY form, so
 * that a masked value may be written in a binary COPY: text, varchar, char. */
bool maskplan_binary_ok(const char *type);

/*
 * Why a column name looks like personal data: the matching word ("email", "phone", "ssn",
 * "name", "address", "birth", "ip", "card", "iban", "token", "password", ...), or NULL.
 * Words are the name's parts between non-letters and case changes; some words also match
 * inside a longer one, since unquoted names are folded to lower case (firstname, homeaddress,
 * zipcode, creditcard, apikey). A name whose last word names a reference or a property
 * (address_id, email_count, phone_type, token_expires_at) does not match, nor does a thing's
 * name (product_name, file_name, host_name).
 */
const char *maskplan_pii_name(const char *column);

#endif
