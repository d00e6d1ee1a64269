/*
 * maskplan.c - a job's masking, checked before anything is written.
 */
#include "coordinator/maskplan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcodes.h"
#include "common/pgutil.h"
#include "common/xalloc.h"
#include "worker/mask.h"

/* Rows sampled per table to recognize e-mail addresses and phone numbers. */
#define S_SAMPLE_ROWS 200

/* Fewest non-NULL sampled values before contents are judged. */
#define S_SAMPLE_MIN 5

/* Words that make a column name look like personal data. */
static const char *const s_pii_words[] = {
    "email",     "mail",     "phone",    "mobile",  "tel",      "fax",      "msisdn", "ssn",
    "nin",       "passport", "name",     "surname", "username", "fname",    "lname",  "address",
    "street",    "zip",      "postcode", "postal",  "birth",    "birthday", "dob",    "ip",
    "ipv",       "inet",     "card",     "pan",     "cvv",      "iban",     "bic",    "account",
    "token",     "password", "passwd",   "secret",  "salary",   "gender",   "sex",    "latitude",
    "longitude", "national", "social",   NULL};

/* Words that also count inside a longer word (unquoted names are folded to lower case, so
 * "firstname" is one word). */
static const char *const s_pii_substrings[] = {
    "email",      "phone",       "password",   "birth",      "iban",    "firstname",
    "lastname",   "fullname",    "nickname",   "username",   "surname", "address",
    "zipcode",    "postalcode",  "creditcard", "cardnumber", "apikey",  "api_key",
    "privatekey", "private_key", "msisdn",     NULL};

/* Last words that name a reference or a property, not the data: address_id, email_count,
 * token_expires_at. */
static const char *const s_not_pii_last[] = {"id",   "ids",    "fk",       "count",   "type",
                                             "kind", "status", "verified", "enabled", "at",
                                             "on",   "rate",   "format",   NULL};

/* Words before "name" that make it a thing's name, not a person's: product_name. */
static const char *const s_thing_names[] = {
    "product",     "table",    "file",   "host",  "column",  "schema",  "company",
    "brand",       "category", "role",   "group", "team",    "service", "app",
    "application", "database", "server", "model", "project", "event",   "job",
    "task",        "display",  "domain", "queue", "index",   NULL};

static bool
s_in(const char *word, const char *const *list)
{
    for (int w = 0; list[w] != NULL; w++)
        if (strcmp(word, list[w]) == 0)
            return true;
    return false;
}

const char *
maskplan_pii_name(const char *column)
{
    char word[64], last[64] = "", lower[128];
    size_t n = 0, len = strlen(column);
    const char *found = NULL;

    /* words: split at non-letters and at a lower-to-upper case change (camelCase) */
    for (size_t i = 0; i <= len; i++) {
        unsigned char ch = (unsigned char) column[i];
        bool boundary = ch == '\0' || !isalpha(ch) ||
                        (i > 0 && isupper(ch) && islower((unsigned char) column[i - 1]));

        if (boundary && n > 0) {
            word[n] = '\0';
            if (found == NULL && s_in(word, s_pii_words) &&
                !(strcmp(word, "name") == 0 && s_in(last, s_thing_names))) {
                for (int w = 0; s_pii_words[w] != NULL; w++)
                    if (strcmp(word, s_pii_words[w]) == 0)
                        found = s_pii_words[w];
            }
            memcpy(last, word, n + 1);
            n = 0;
        }
        if (ch != '\0' && isalpha(ch) && n + 1 < sizeof(word))
            word[n++] = (char) tolower(ch);
    }
    if (s_in(last, s_not_pii_last))
        return NULL;
    if (found != NULL)
        return found;
    for (n = 0; n < len && n + 1 < sizeof(lower); n++)
        lower[n] = (char) tolower((unsigned char) column[n]);
    lower[n] = '\0';
    for (int w = 0; s_pii_substrings[w] != NULL; w++)
        if (strstr(lower, s_pii_substrings[w]) != NULL)
            return s_pii_substrings[w];
    return NULL;
}

/* True when type is name, or name followed by a length modifier "(n)", and nothing else. */
static bool
s_type_is(const char *type, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(type, name, n) != 0)
        return false;
    type += n;
    if (*type == '\0')
        return true;
    if (*type++ != '(' || !isdigit((unsigned char) *type))
        return false;
    while (isdigit((unsigned char) *type))
        type++;
    return strcmp(type, ")") == 0;
}

bool
maskplan_binary_ok(const char *type)
{
    return strcmp(type, "text") == 0 || s_type_is(type, "character varying") ||
           s_type_is(type, "character");
}

/* True when a text-like column whose contents are worth sampling. */
static bool
s_textual(const char *type)
{
    return maskplan_binary_ok(type) || strcmp(type, "citext") == 0;
}

const rule_t *
maskplan_find_rule(const rules_t *rules, const cat_table_t *t, const char *column)
{
    const rule_t *r;

    if (rules == NULL)
        return NULL;
    r = rules_find(rules, t->schema, t->name, column);
    for (int a = 0; r == NULL && t->ancestors != NULL && t->ancestors[a] != NULL; a += 2)
        r = rules_find(rules, t->ancestors[a], t->ancestors[a + 1], column);
    return r;
}

/* The target's NOT NULL for source column c of table i, else the source's. */
static bool
s_not_null(const cat_source_t *src, const cat_target_t *tgt, int i, int c)
{
    const cat_column_t *col = &src->tables[i].columns[c];

    if (tgt != NULL && tgt->tables[i].oid != 0) {
        const cat_target_column_t *tc = catalog_target_column(&tgt->tables[i], col->name);

        if (tc != NULL)
            return tc->not_null;
    }
    return col->not_null;
}

static void
s_warn(maskplan_t *plan, const cat_table_t *t, const char *column, const char *reason)
{
    value_t *w = value_new_map();
    char table[512];

    snprintf(table, sizeof(table), "%s.%s", t->schema, t->name);
    value_map_put_string(w, "table", table);
    value_map_put_string(w, "column", column);
    value_map_put_string(w, "reason", reason);
    value_array_push(plan->warnings, w);
}

/*
 * Samples the unruled text columns of table i whose names said nothing: do their values
 * look like e-mail addresses or phone numbers? Adds a warning for each that does.
 */
static int
s_sample(PGconn *conn, const cat_source_t *src, int i, maskplan_t *plan, err_t *err)
{
    const cat_table_t *t = &src->tables[i];
    int *cols = xcalloc((size_t) t->ncolumns, sizeof(int));
    int n = 0;
    buf_t sql;
    char *text;
    PGresult *res;

    for (int c = 0; c < t->ncolumns; c++)
        if (plan->rules[i][c] == NULL && s_textual(t->columns[c].base_type) &&
            maskplan_pii_name(t->columns[c].name) == NULL)
            cols[n++] = c;
    if (n == 0) {
        free(cols);
        return 0;
    }
    buf_init(&sql);
    buf_append_str(&sql, "SELECT ");
    for (int k = 0; k < n; k++) {
        char *q = pgutil_quote_ident(t->columns[cols[k]].name);

        buf_appendf(
            &sql,
            "%scount(%s), "
            "count(*) FILTER (WHERE %s ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[[:alpha:]]{2,}$'), "
            "count(*) FILTER (WHERE %s ~ '^\\+?[0-9(][0-9 ().-]{6,}[0-9]$' "
            "AND %s ~ '[ ().+-]')",
            k ? ", " : "", q, q, q, q);
        free(q);
    }
    buf_append_str(&sql, " FROM (SELECT * FROM ONLY ");
    buf_append_str(&sql, t->qname);
    buf_appendf(&sql, " LIMIT %d) AS s", S_SAMPLE_ROWS);
    text = buf_detach_string(&sql);
    res = pgutil_query(conn, err, text, 0, NULL);
    free(text);
    if (res == NULL) {
        free(cols);
        return -1;
    }
    for (int k = 0; k < n; k++) {
        int64_t values = pgutil_int(res, 0, 3 * k, 0);
        int64_t emails = pgutil_int(res, 0, 3 * k + 1, 0);
        int64_t phones = pgutil_int(res, 0, 3 * k + 2, 0);

        if (values < S_SAMPLE_MIN)
            continue;
        if (emails * 2 >= values)
            s_warn(plan, t, t->columns[cols[k]].name, "its values look like e-mail addresses");
        else if (phones * 2 >= values)
            s_warn(plan, t, t->columns[cols[k]].name, "its values look like phone numbers");
    }
    PQclear(res);
    free(cols);
    return 0;
}

/* Checks rule r against every selected or unselected table it names. */
static void
s_check_rule(const cat_source_t *src, const cat_target_t *tgt, const rules_t *rules, size_t ri,
             err_list_t *problems)
{
    const rule_t *r = &rules->items[ri];
    bool table_found = false, column_found = false;

    for (int i = 0; i < src->ntables; i++) {
        const cat_table_t *t = &src->tables[i];
        const cat_column_t *column;
        mask_rule_t *built;
        err_t err;
        int c;

        if (!catalog_table_is(t, r->schema, r->table))
            continue;
        table_found = true;
        column = catalog_column(t, r->column);
        if (column == NULL)
            continue;
        column_found = true;
        c = (int) (column - t->columns);
        built = mask_rule_new(r->strategy, r->options, r->domain, r->seed, r->has_seed,
                              t->columns[c].base_type, s_not_null(src, tgt, i, c), &err);
        if (built == NULL) {
            err_list_add(problems, "%s:%d:%d: %s.%s.%s (%s): %s", rules->path, r->line, r->col,
                         t->schema, t->name, r->column, t->columns[c].type, err.message);
            return; /* once per rule, not once per partition */
        }
        mask_rule_destroy(&built);
    }
    if (!table_found)
        err_list_add(problems, "%s:%d:%d: table %s.%s does not exist on the source", rules->path,
                     r->line, r->col, r->schema, r->table);
    else if (!column_found)
        err_list_add(problems, "%s:%d:%d: table %s.%s has no column \"%s\"", rules->path, r->line,
                     r->col, r->schema, r->table, r->column);
}

int
maskplan_check(PGconn *conn, const cat_source_t *src, const cat_target_t *tgt, const rules_t *rules,
               bool strict, maskplan_t *plan, err_t *err)
{
    err_list_t problems = {NULL, 0};
    int strict_problems = 0;

    memset(plan, 0, sizeof(*plan));
    plan->ntables = src->ntables;
    plan->rules = xcalloc((size_t) src->ntables, sizeof(const rule_t **));
    plan->warnings = value_new_array();
    for (size_t ri = 0; ri < rules->count; ri++)
        s_check_rule(src, tgt, rules, ri, &problems);
    for (int i = 0; i < src->ntables; i++) {
        const cat_table_t *t = &src->tables[i];

        if (!t->selected)
            continue;
        plan->rules[i] = xcalloc((size_t) t->ncolumns, sizeof(const rule_t *));
        for (int c = 0; c < t->ncolumns; c++)
            plan->rules[i][c] = maskplan_find_rule(rules, t, t->columns[c].name);
    }

    for (int i = 0; i < src->ntables && problems.count == 0; i++) {
        const cat_table_t *t = &src->tables[i];
        bool any = false;

        if (!t->selected)
            continue;
        for (int c = 0; c < t->ncolumns; c++) {
            const char *word = maskplan_pii_name(t->columns[c].name);
            char reason[96];

            if (plan->rules[i][c] != NULL) {
                bool kept = strcmp(plan->rules[i][c]->strategy, "preserve") == 0;

                any = any || !kept;
                plan->masked_columns += !kept;
                plan->preserved_columns += kept;
                continue;
            }
            if (word == NULL || t->columns[c].generated)
                continue;
            snprintf(reason, sizeof(reason), "its name looks like personal data (%s)", word);
            s_warn(plan, t, t->columns[c].name, reason);
        }
        plan->masked_tables += any;
        if (conn != NULL && s_sample(conn, src, i, plan, err) != 0) {
            err_list_free(&problems);
            maskplan_free(plan);
            return -1;
        }
    }
    if (strict && problems.count == 0) {
        for (size_t w = 0; w < value_size(plan->warnings); w++) {
            const value_t *warning = value_at(plan->warnings, w);

            err_list_add(&problems, "%s.%s has no masking rule and %s (--strict)",
                         value_map_string(warning, "table", ""),
                         value_map_string(warning, "column", ""),
                         value_map_string(warning, "reason", ""));
            strict_problems++;
        }
    }
    if (problems.count == 0)
        return 0;
    err_set(err, "rules", EXIT_CODE_CONFIG,
            "the masking rules do not fit the source: %d problem%s; nothing was changed",
            problems.count, problems.count == 1 ? "" : "s");
    err_detail(err, "\n%s", problems.text);
    if (strict_problems == problems.count)
        err_hint(err,
                 "give each column a rule in %s (strategy preserve keeps a column as it "
                 "is on purpose), or leave out --strict",
                 rules->path);
    else
        err_hint(err,
                 "fix %s: rules name tables as schema.table and columns exactly, case "
                 "included (docs/masking.md)",
                 rules->path);
    err_list_free(&problems);
    maskplan_free(plan);
    return -1;
}

void
maskplan_free(maskplan_t *plan)
{
    if (plan->rules != NULL)
        for (int i = 0; i < plan->ntables; i++)
            free(plan->rules[i]);
    free(plan->rules);
    value_destroy(&plan->warnings);
    memset(plan, 0, sizeof(*plan));
}

const rule_t *
maskplan_rule(const maskplan_t *plan, int i, int c)
{
    if (plan->rules == NULL || i < 0 || i >= plan->ntables || plan->rules[i] == NULL)
        return NULL;
    return plan->rules[i][c];
}

value_t *
maskplan_entry(const rule_t *rule, const cat_column_t *column, bool not_null, int field)
{
    value_t *e = value_new_map();

    value_map_put_int(e, "field", field);
    value_map_put_string(e, "column", column->name);
    value_map_put_string(e, "strategy", rule->strategy);
    value_map_put_string(e, "type", column->base_type);
    value_map_put_bool(e, "not_null", not_null);
    if (rule->options != NULL)
        value_map_put(e, "options", value_dup(rule->options));
    if (rule->domain != NULL)
        value_map_put_string(e, "domain", rule->domain);
    if (rule->has_seed)
        value_map_put_int(e, "seed", rule->seed);
    return e;
}
