/*
 * anonymize.c - the masking side of the CLI: the key and rules a masked sync sends, and
 * `confiture anonymize check` (the preflight alone) and `anonymize preview` (rows of one
 * table before and after masking; nothing is written anywhere).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/config.h"
#include "common/exitcodes.h"
#include "common/pgutil.h"
#include "common/rules.h"
#include "coordinator/catalog.h"
#include "coordinator/maskplan.h"
#include "worker/mask.h"

/* Longest rules file read, in bytes. */
#define S_RULES_MAX (16 * 1024 * 1024)

int
cli_mask_key(const cli_options_t *o, mask_key_t *key, char fingerprint[MASK_FINGERPRINT_LEN + 1],
             err_t *err)
{
    int loaded;

    if (o->mask_key_random) {
        unsigned char bytes[32];
        char secret[sizeof(bytes) * 2 + 1];

        /* A fresh secret, handed to our own workers in their environment only. */
        randombytes_buf(bytes, sizeof(bytes));
        sodium_bin2hex(secret, sizeof(secret), bytes, sizeof(bytes));
        setenv(MASK_KEY_ENV, secret, 1);
        sodium_memzero(bytes, sizeof(bytes));
        loaded = mask_key_from_text(secret, key, err) == 0 ? 1 : -1;
        sodium_memzero(secret, sizeof(secret));
    } else {
        loaded = mask_key_load(o->mask_key_file, key, err);
    }
    if (loaded < 0)
        return -1;
    if (loaded == 0) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG, "masking needs a key, and none was given");
        err_hint(err,
                 "set %s to a secret kept for this purpose (openssl rand -base64 32), or pass "
                 "--mask-key-file FILE; --mask-key-random masks with a throwaway key",
                 MASK_KEY_ENV);
        return -1;
    }
    mask_key_fingerprint(key, fingerprint);
    return 0;
}

int
cli_read_rules(const cli_options_t *o, rules_t *rules, char **text, err_t *err)
{
    FILE *f = fopen(o->rules_path, "rb");
    buf_t data;
    char chunk[65536];
    size_t n;

    *text = NULL;
    memset(rules, 0, sizeof(*rules));
    if (f == NULL) {
        /* rules_load words the error (missing file, permissions) */
        return rules_load(o->rules_path, rules, err);
    }
    buf_init(&data);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && data.len <= S_RULES_MAX)
        buf_append(&data, chunk, n);
    fclose(f);
    if (data.len > S_RULES_MAX) {
        buf_free(&data);
        err_set(err, "rules", EXIT_CODE_CONFIG, "%s: the rules file is larger than %d MB",
                o->rules_path, S_RULES_MAX / (1024 * 1024));
        return -1;
    }
    n = data.len;
    *text = buf_detach_string(&data);
    if (rules_parse(*text, n, o->rules_path, rules, err) != 0) {
        free(*text);
        *text = NULL;
        return -1;
    }
    return 0;
}

/* The source (and, when asked, the target) as masking sees them, in one snapshot each. */
typedef struct s_view {
    PGconn *src;       /* source, in a REPEATABLE READ READ ONLY transaction */
    PGconn *tgt;       /* target, or NULL */
    cat_source_t cat;  /* source catalog, selection applied */
    cat_target_t tcat; /* target catalog when tgt */
    bool have_tcat;    /* tcat was read */
    rules_t rules;     /* the rules file */
    maskplan_t plan;   /* the rules checked */
} s_view_t;

static void
s_view_free(s_view_t *v)
{
    maskplan_free(&v->plan);
    rules_free(&v->rules);
    if (v->have_tcat)
        catalog_free_target(&v->tcat, v->cat.ntables);
    catalog_free_source(&v->cat);
    PQfinish(v->src);
    PQfinish(v->tgt);
    memset(v, 0, sizeof(*v));
}

/* Reads rules and catalogs and runs the preflight. tables selects (NULL: o->tables). */
static int
s_view_open(const cli_options_t *o, const value_t *tables, s_view_t *v, err_t *err)
{
    char *text = NULL;

    memset(v, 0, sizeof(*v));
    if (cli_read_rules(o, &v->rules, &text, err) != 0)
        return -1;
    free(text);
    v->src = cli_connect(o, o->from, "source", NULL, true, err);
    if (v->src == NULL || catalog_read_source(v->src, &v->cat, err) != 0 ||
        catalog_select(&v->cat, tables ? tables : o->tables, o->exclude, err) != 0)
        return -1;
    if (PQsetClientEncoding(v->src, v->cat.encoding) != 0)
        return err_set(err, "connect", EXIT_CODE_CONNECT, "cannot set client_encoding %s",
                       v->cat.encoding);
    if (o->to != NULL) {
        v->tgt = cli_connect(o, o->to, "target", v->cat.encoding, true, err);
        if (v->tgt == NULL || catalog_read_target(v->tgt, &v->cat, &v->tcat, err) != 0)
            return -1;
        v->have_tcat = true;
    }
    return maskplan_check(v->src, &v->cat, v->have_tcat ? &v->tcat : NULL, &v->rules, o->strict,
                          &v->plan, err);
}

void
cli_print_mask_warnings(const cli_options_t *o, const value_t *warnings)
{
    if (o->format != FORMAT_TEXT)
        return;
    for (size_t i = 0; i < value_size(warnings); i++) {
        const value_t *w = value_at(warnings, i);

        fprintf(stderr, "confiture: warning: %s.%s has no masking rule and %s\n",
                value_map_string(w, "table", ""), value_map_string(w, "column", ""),
                value_map_string(w, "reason", ""));
    }
    if (value_size(warnings) > 0)
        fprintf(stderr, "confiture: hint: give those columns a rule (strategy preserve keeps "
                        "one as it is on purpose); --strict makes this an error\n");
}

static int
s_check(const cli_options_t *o)
{
    s_view_t v;
    value_t *columns = value_new_array();
    err_t err;

    err_clear(&err);
    if (s_view_open(o, NULL, &v, &err) != 0) {
        value_destroy(&columns);
        s_view_free(&v);
        return cli_fail(o, &err);
    }
    for (int i = 0; i < v.cat.ntables; i++) {
        const cat_table_t *t = &v.cat.tables[i];

        for (int c = 0; c < t->ncolumns && t->selected; c++) {
            const rule_t *r = maskplan_rule(&v.plan, i, c);
            value_t *row;
            char table[512];

            if (r == NULL)
                continue;
            snprintf(table, sizeof(table), "%s.%s", t->schema, t->name);
            row = value_new_map();
            value_map_put_string(row, "table", table);
            value_map_put_string(row, "column", t->columns[c].name);
            value_map_put_string(row, "type", t->columns[c].type);
            value_map_put_string(row, "strategy", r->strategy);
            value_array_push(columns, row);
            if (o->format == FORMAT_TEXT)
                printf("%-44s %-24s %-28s %s\n", table, t->columns[c].name, t->columns[c].type,
                       r->strategy);
        }
    }
    if (o->format == FORMAT_JSON) {
        value_t *doc = value_new_map();

        value_map_put_bool(doc, "ok", true);
        value_map_put_string(doc, "command", "anonymize check");
        value_map_put_string(doc, "rules", v.rules.path);
        value_map_put_string(doc, "rules_hash", v.rules.hash);
        value_map_put(doc, "columns", columns);
        columns = NULL;
        value_map_put(doc, "warnings", value_dup(v.plan.warnings));
        cli_print_json(doc);
        value_destroy(&doc);
    } else {
        cli_print_mask_warnings(o, v.plan.warnings);
        printf("%s: %zu rules fit the source: %d columns masked in %d selected tables, %d "
               "kept on purpose; %zu warnings\n",
               v.rules.path, v.rules.count, v.plan.masked_columns, v.plan.masked_tables,
               v.plan.preserved_columns, value_size(v.plan.warnings));
    }
    value_destroy(&columns);
    s_view_free(&v);
    return EXIT_CODE_OK;
}

/* Masks value (text, or NULL) with rule; appends the result to out as printable text. */
static void
s_preview_value(const mask_rule_t *rule, const mask_key_t *key, const char *value, value_t *cell,
                err_t *err)
{
    buf_t out;
    int rc;

    if (value == NULL) {
        value_map_put(cell, "after", value_new_nil());
        return;
    }
    buf_init(&out);
    rc = mask_apply(rule, key, value, strlen(value), &out, err);
    if (rc == MASK_VALUE)
        value_map_put(cell, "after", value_new_stringn(out.data ? out.data : "", out.len));
    else if (rc == MASK_NULL)
        value_map_put(cell, "after", value_new_nil());
    else
        value_map_put_string(cell, "error", err->message);
    buf_free(&out);
}

static int
s_preview(const cli_options_t *o)
{
    s_view_t v;
    value_t *tables = value_new_array(), *rows = value_new_array();
    mask_key_t key;
    char fingerprint[MASK_FINGERPRINT_LEN + 1];
    mask_rule_t **rules = NULL;
    const cat_table_t *t = NULL;
    PGresult *res = NULL;
    int ti = -1, nselected = 0;
    char *sql = NULL;
    err_t err;
    int rc = EXIT_CODE_OK;

    err_clear(&err);
    memset(&v, 0, sizeof(v));
    memset(&key, 0, sizeof(key));
    value_array_push(tables, value_new_string(o->table));
    if (cli_mask_key(o, &key, fingerprint, &err) != 0 || s_view_open(o, tables, &v, &err) != 0)
        goto fail;
    for (int i = 0; i < v.cat.ntables; i++)
        if (v.cat.tables[i].selected) {
            nselected++;
            if (ti < 0)
                ti = i;
        }
    t = &v.cat.tables[ti];
    if (nselected > 1 && t->ancestors[0] == NULL) {
        err_set(&err, "usage", EXIT_CODE_USAGE, "--table %s matches %d tables", o->table,
                nselected);
        err_hint(&err, "name one table, as schema.table");
        goto fail;
    }
    if (asprintf(&sql, "SELECT * FROM ONLY %s LIMIT %d", t->qname, o->limit) < 0)
        abort();
    res = pgutil_query(v.src, &err, sql, 0, NULL);
    if (res == NULL)
        goto fail;
    rules = calloc((size_t) t->ncolumns + 1, sizeof(mask_rule_t *));
    for (int c = 0; c < t->ncolumns; c++) {
        const rule_t *r = maskplan_rule(&v.plan, ti, c);

        if (r != NULL)
            rules[c] = mask_rule_new(r->strategy, r->options, r->domain, r->seed, r->has_seed,
                                     t->columns[c].base_type, t->columns[c].not_null, &err);
    }
    for (int row = 0; row < PQntuples(res); row++) {
        value_t *cells = value_new_map();

        for (int c = 0; c < t->ncolumns && c < PQnfields(res); c++) {
            const char *before = PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
            value_t *cell;

            if (rules[c] == NULL)
                continue;
            cell = value_new_map();
            value_map_put(cell, "before", before ? value_new_string(before) : value_new_nil());
            s_preview_value(rules[c], &key, before, cell, &err);
            value_map_put(cells, t->columns[c].name, cell);
        }
        value_array_push(rows, cells);
    }
    if (o->format == FORMAT_JSON) {
        value_t *doc = value_new_map();
        char table[512];

        snprintf(table, sizeof(table), "%s.%s", t->schema, t->name);
        value_map_put_bool(doc, "ok", true);
        value_map_put_string(doc, "command", "anonymize preview");
        value_map_put_string(doc, "table", table);
        value_map_put_string(doc, "key_fingerprint", fingerprint);
        value_map_put(doc, "rows", rows);
        rows = NULL;
        cli_print_json(doc);
        value_destroy(&doc);
    } else {
        printf("%s.%s: %d rows, masked with key %s%s\n", t->schema, t->name, PQntuples(res),
               fingerprint, o->mask_key_random ? " (random)" : "");
        for (size_t r = 0; r < value_size(rows); r++) {
            const value_t *cells = value_at(rows, r);

            printf("\nrow %zu\n", r + 1);
            for (size_t c = 0; c < value_size(cells); c++) {
                const value_t *cell = value_map_value_at(cells, c);
                const value_t *after = value_map_get(cell, "after");

                printf("  %-24s %s\n  %-24s -> %s\n", value_map_key_at(cells, c),
                       value_map_string(cell, "before", "NULL"), "",
                       value_map_get(cell, "error") != NULL
                           ? value_map_string(cell, "error", "")
                           : (after != NULL && value_type(after) == VALUE_STRING
                                  ? value_string(after, "")
                                  : "NULL"));
            }
        }
        if (value_size(rows) > 0 && value_size(value_at(rows, 0)) == 0)
            printf("\nno column of %s.%s has a masking rule in %s\n", t->schema, t->name,
                   v.rules.path);
    }
    goto done;

fail:
    rc = cli_fail(o, &err);
done:
    if (rules != NULL && t != NULL)
        for (int c = 0; c < t->ncolumns; c++)
            mask_rule_destroy(&rules[c]);
    free(rules);
    free(sql);
    PQclear(res);
    mask_key_wipe(&key);
    value_destroy(&tables);
    value_destroy(&rows);
    s_view_free(&v);
    return rc;
}

int
cli_anonymize(const cli_options_t *o)
{
    return strcmp(o->subcommand, "check") == 0 ? s_check(o) : s_preview(o);
}
