/*
 * rules.h - masking rules: which columns a sync masks, and how, from a YAML file.
 *
 * The file (default db/sync/anonymization.yaml, or --anonymization-config FILE) is the one the
 * Python Confiture reads: each top-level key is a table, its value a list of rules.
 *
 *     users:                          # schema public
 *       - column: email
 *         strategy: email
 *       - column: phone
 *         strategy: phone
 *         seed: 12345                 # optional: a per-rule salt (an integer)
 *     billing.cards:                  # schema billing
 *       - column: pan
 *         strategy: redact
 *         options: {keep_last: 4}     # optional: any mapping, handed to the strategy
 *     '"My Schema"."Order.Lines"':    # double quotes keep dots; "" is one quote
 *       - column: note
 *         strategy: redact
 *     domains:                        # optional: consistency domains
 *       customer_email:               # one name, several columns masked alike
 *         - users.email               # table.column (schema public)
 *         - sales.orders.customer_email
 *
 * Names are matched exactly, case included (as the Python Confiture and --tables do): a name
 * is never folded to lower case. A table, a column and a domain entry are written schema.table
 * (or table), column, and [schema.]table.column; a part in double quotes is taken literally,
 * dots and wildcard characters included. Rules name columns, not patterns: an unquoted *, ?
 * or [ is refused, so that "public.user*" cannot silently mask nothing. A table named
 * "domains", "key", "secret" or "mask_key" is written with its schema (public.domains).
 *
 * A column listed in a domain gets the domain's name on its rule: the masking then derives
 * from (key, domain, input), so one input gives one output in every column of the domain.
 * For that to hold, the columns of a domain must share their strategy, seed and options; a
 * domain entry must name a column that has a rule, and a column belongs to one domain at most.
 *
 * Option values are typed as the YAML 1.2 core schema says (42 an integer, 0.5 and 1e3
 * doubles, true and false booleans, ~ and null nil), plus yes/no/on/off as booleans as YAML
 * 1.1 and PyYAML read them; a quoted scalar is always a string; lists and mappings nest.
 * Anchors and aliases work; merge keys (<<) and tags other than the standard ones are refused.
 *
 * The masking key never lives in this file: a top-level key, secret or mask_key is refused
 * (CONFITURE_MASK_KEY or --mask-key-file carry it). ${VAR} is not expanded: rules are not
 * secret, so there is nothing to keep out of the file, and a rules file that reads the same
 * everywhere keeps its hash (recorded in the ledger) meaningful.
 *
 * Strategy names are kept as written: the masking module checks them, with the column types.
 * An empty file (or {} or a comment alone) holds zero rules; a missing file is an error.
 *
 * Pure helpers: nothing here logs. Errors go to the caller's err_t with code "rules" and exit
 * code EXIT_CODE_CONFIG: the message is the first problem in the file as FILE:LINE:COLUMN:
 * text, the hint says what to do about it, and when there are several problems the detail
 * lists them all (as many as fit), one per line.
 */
#ifndef CONFITURE_RULES_H
#define CONFITURE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/value.h"

#define RULES_DEFAULT_PATH "db/sync/anonymization.yaml"

/* Length of rules_t.hash: a BLAKE2b-256 digest in hex, and its NUL. */
#define RULES_HASH_LEN 65

/* One column to mask. Every string is owned by the rules_t it belongs to. */
typedef struct rule {
    char *schema;      /* schema name, unquoted ("public" when the file gave none) */
    char *table;       /* table name, unquoted */
    char *column;      /* column name, unquoted */
    char *strategy;    /* strategy name as written (checked by the masking module) */
    int64_t seed;      /* per-rule salt; meaningful only when has_seed */
    bool has_seed;     /* true when the rule gave a seed */
    value_t *options;  /* VALUE_MAP of the rule's options, or NULL when absent or empty */
    char *domain;      /* consistency domain name, or NULL when in none */
    int line;          /* line of the rule in the file (1-based), for error messages */
    int col;           /* column of the rule in the file (1-based) */
    int strategy_line; /* line of the strategy's value, to point at an unknown strategy */
    int strategy_col;  /* column of the strategy's value */
} rule_t;

/* Every rule of one file, in the file's order. Start from rules_load or rules_parse. */
typedef struct rules {
    rule_t *items;             /* the rules; NULL when count is 0 */
    size_t count;              /* number of rules */
    char *path;                /* the file read (or the name given to rules_parse) */
    char hash[RULES_HASH_LEN]; /* hex BLAKE2b-256 of the file's bytes, for the ledger */
} rules_t;

/*
 * Reads and checks the rules file at path. Returns 0 and fills *rules (free it with
 * rules_free), or -1 with err set and *rules left empty. A missing file is an error: the CLI
 * decides whether a sync without rules is what the user meant.
 */
int rules_load(const char *path, rules_t *rules, err_t *err);

/*
 * Parses len bytes of YAML text as a rules file; name (e.g. the path) starts every message.
 * Same results as rules_load, whose work it does once the file is read.
 */
int rules_parse(const char *text, size_t len, const char *name, rules_t *rules, err_t *err);

/* The rule for schema.table.column (schema NULL means public), or NULL when there is none.
 * The pointer is borrowed from rules. */
const rule_t *rules_find(const rules_t *rules, const char *schema, const char *table,
                         const char *column);

/* Frees everything rules holds and empties it; safe on an empty rules_t and twice. */
void rules_free(rules_t *rules);

#endif
