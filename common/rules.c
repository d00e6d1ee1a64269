/*
 * rules.c - masking rules: which columns a sync masks, and how, from a YAML file.
 *
 * rules_load() reads the file whole (its bytes are hashed for the ledger) and hands it to
 * rules_parse(), which loads it with libyaml's document API so that every node keeps its
 * line and column, then walks it in two passes: the tables and their rules first, then the
 * domains: block, whose entries refer to the rules. Nothing stops at the first problem: each
 * one is recorded with its position and hint, and once the walk is over they are sorted by
 * position; the first becomes the error's message and hint, all of them its detail. A rule
 * with a problem of its own is kept aside ("bad") so that the domain checks do not report it
 * a second time.
 *
 * Option values become a value_t tree. Aliases make a YAML document a graph that may expand
 * exponentially, or even contain itself (libyaml registers an anchor before loading the
 * node's children), so the conversion is bounded in depth and in values produced.
 */
#include "common/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <yaml.h>

#include "common/exitcodes.h"
#include "common/xalloc.h"

/* Largest rules file read, in bytes. */
#define S_MAX_FILE (16 * 1024 * 1024)

/* Deepest nesting of option values (also what stops an alias that contains itself). */
#define S_MAX_DEPTH 64

/* Most option values produced from one file, aliases expanded. */
#define S_MAX_VALUES 100000

/* Longest name quoted whole in a message. */
#define S_QUOTE_MAX 80

#define S_RULE_KEYS "the keys of a rule are column, strategy, seed and options"

#define S_EXAMPLE                                                                                  \
    "write each table as a key with a list of rules under it: \"users:\", then \"  - column: "     \
    "email\" and \"    strategy: email\""

#define S_NAME_HINT                                                                                \
    "write schema.table (or table, in schema public); double-quote a part that contains a dot, "   \
    "*, ? or [ ('\"My Schema\".\"a.b\"'), with \"\" for a quote inside it"

#define S_COLUMN_HINT                                                                              \
    "a column is named alone under its table; double-quote a name that contains a dot, *, ? or [ " \
    "('\"a.b\"'), with \"\" for a quote inside it"

#define S_ENTRY_HINT                                                                               \
    "a domain lists columns as table.column or schema.table.column, each part double-quoted if "   \
    "it contains a dot, *, ? or ["

#define S_DOMAIN_EXAMPLE                                                                           \
    "write \"domains:\", then a domain name such as \"  customer_email:\", then its columns as "   \
    "\"    - users.email\""

#define S_MERGE_HINT                                                                               \
    "merge keys (<<) are not supported in a rules file: write the keys out (an alias, *name, "     \
    "may stand for a whole value)"

/* One problem found in the file. */
typedef struct s_problem {
    size_t line; /* 1-based line */
    size_t col;  /* 1-based column */
    size_t seq;  /* order of discovery, to keep sorting stable */
    char *text;  /* what is wrong, without the position */
    char *hint;  /* what to do about it, or NULL */
} s_problem_t;

/* What the parser knows about a rule beyond its rule_t. */
typedef struct s_slot {
    bool bad;        /* the rule has a problem of its own: left out of the domain checks */
    int domain_line; /* line of the domain entry that gave the rule its domain */
} s_slot_t;

/* A table met at the top level, to refuse a second list for it. */
typedef struct s_table {
    char *schema; /* schema name, unquoted */
    char *table;  /* table name, unquoted */
    size_t line;  /* where its key is */
} s_table_t;

/* The state of one rules_parse. */
typedef struct s_parser {
    const char *name;      /* the file's name, for messages */
    yaml_document_t *doc;  /* the document walked */
    rule_t *rules;         /* rules found so far */
    s_slot_t *slots;       /* one per rule */
    size_t count;          /* rules in use */
    size_t cap;            /* rules (and slots) allocated */
    s_table_t *tables;     /* tables found so far */
    size_t ntables;        /* tables in use */
    size_t tables_cap;     /* tables allocated */
    s_problem_t *problems; /* problems found so far */
    size_t nproblems;      /* problems in use */
    size_t problems_cap;   /* problems allocated */
    size_t values;         /* option values produced so far */
    bool values_exceeded;  /* S_MAX_VALUES was hit (and reported once) */
} s_parser_t;

/* How a scalar reads. */
typedef enum s_kind { S_KIND_NULL, S_KIND_BOOL, S_KIND_INT, S_KIND_FLOAT, S_KIND_STRING } s_kind_t;

/* ------------------------------------------------------------------------------------------ */
/* Memory */

/* realloc of n items of size bytes that aborts on out-of-memory or overflow. */
static void *
s_xrealloc(void *p, size_t n, size_t size)
{
    void *q;

    if (size != 0 && n > SIZE_MAX / size)
        abort();
    q = realloc(p, n * size > 0 ? n * size : 1);
    if (q == NULL)
        abort();
    return q;
}

/* strdup that aborts on out-of-memory. */
static void
s_rule_free(rule_t *r)
{
    free(r->schema);
    free(r->table);
    free(r->column);
    free(r->strategy);
    free(r->domain);
    value_destroy(&r->options);
    memset(r, 0, sizeof(*r));
}

static void
s_parser_free(s_parser_t *p)
{
    for (size_t i = 0; i < p->count; i++)
        s_rule_free(&p->rules[i]);
    free(p->rules);
    free(p->slots);
    for (size_t i = 0; i < p->ntables; i++) {
        free(p->tables[i].schema);
        free(p->tables[i].table);
    }
    free(p->tables);
    for (size_t i = 0; i < p->nproblems; i++) {
        free(p->problems[i].text);
        free(p->problems[i].hint);
    }
    free(p->problems);
    memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------------------------------------ */
/* Problems */

/* Records a problem at mark; hint may be NULL. */
static void __attribute__((format(printf, 4, 5)))
s_problem(s_parser_t *p, const yaml_mark_t *mark, const char *hint, const char *fmt, ...)
{
    s_problem_t *pb;
    va_list ap;

    if (p->nproblems == p->problems_cap) {
        p->problems_cap = p->problems_cap ? 2 * p->problems_cap : 8;
        p->problems = s_xrealloc(p->problems, p->problems_cap, sizeof(*p->problems));
    }
    pb = &p->problems[p->nproblems];
    memset(pb, 0, sizeof(*pb));
    pb->line = mark->line + 1;
    pb->col = mark->column + 1;
    pb->seq = p->nproblems;
    va_start(ap, fmt);
    if (vasprintf(&pb->text, fmt, ap) < 0)
        abort();
    va_end(ap);
    pb->hint = hint ? xstrdup(hint) : NULL;
    p->nproblems++;
}

static int
s_problem_cmp(const void *a, const void *b)
{
    const s_problem_t *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Turns the problems found into err: the first one (in file order) as message and hint, and
 * when there are several, all of them (as many as fit) in the detail. Always returns -1. */
static int
s_report(s_parser_t *p, err_t *err)
{
    const s_problem_t *first;
    err_list_t list = {NULL, 0};
    size_t used = 0;
    size_t shown = 0;

    qsort(p->problems, p->nproblems, sizeof(*p->problems), s_problem_cmp);
    first = &p->problems[0];
    err_set(err, "rules", EXIT_CODE_CONFIG, "%s:%zu:%zu: %s", p->name, first->line, first->col,
            first->text);
    if (first->hint != NULL)
        err_hint(err, "%s", first->hint);
    if (p->nproblems == 1)
        return -1;
    for (; shown < p->nproblems; shown++) {
        const s_problem_t *pb = &p->problems[shown];
        char *line = NULL;

        if (asprintf(&line, "%s:%zu:%zu: %s", p->name, pb->line, pb->col, pb->text) < 0)
            abort();
        /* room for the bullet, this line, and a last "... and N more" line */
        if (used + strlen(line) + 5 + 40 > ERR_TEXT_LEN - 32) {
            free(line);
            break;
        }
        used += strlen(line) + 5;
        err_list_add(&list, "%s", line);
        free(line);
    }
    if (shown < p->nproblems)
        err_list_add(&list, "... and %zu more", p->nproblems - shown);
    err_detail(err, "%zu problems:\n%s", p->nproblems, list.text ? list.text : "");
    err_list_free(&list);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* YAML nodes */

static yaml_node_t *
s_node(s_parser_t *p, int index)
{
    return yaml_document_get_node(p->doc, index);
}

static size_t
s_line(const yaml_node_t *node)
{
    return node->start_mark.line + 1;
}

/* The scalar's text when it has no NUL byte, else NULL (also for a non-scalar). */
static const char *
s_text(const yaml_node_t *node)
{
    const char *text;

    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return NULL;
    text = (const char *) node->data.scalar.value;
    return strlen(text) == node->data.scalar.length ? text : NULL;
}

static bool
s_in_list(const char *s, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (strcmp(s, *list) == 0)
            return true;
    }
    return false;
}

static bool
s_all_digits(const char *s, const char *set)
{
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (strchr(set, *s) == NULL)
            return false;
    }
    return true;
}

/* True when s is a float of the YAML 1.2 core schema (an integer form is one too). */
static bool
s_is_float(const char *s)
{
    static const char *const specials[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                           "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                                           ".NaN",  ".NAN",  NULL};
    const char *p = s;
    size_t before = 0, after = 0;

    if (s_in_list(s, specials))
        return true;
    if (*p == '-' || *p == '+')
        p++;
    while (*p >= '0' && *p <= '9') {
        p++;
        before++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            after++;
        }
    }
    if (before + after == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/*
 * How the text of a plain scalar reads: the YAML 1.2 core schema, plus YAML 1.1's
 * yes/no/on/off as booleans (PyYAML, hence the Python Confiture, reads them so).
 */
static s_kind_t
s_kind(const char *s)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", "yes",
                                        "Yes",  "YES",  "no",   "No",    "NO",    "on",    "On",
                                        "ON",   "off",  "Off",  "OFF",   NULL};
    const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;

    if (s_in_list(s, nulls))
        return S_KIND_NULL;
    if (s_in_list(s, bools))
        return S_KIND_BOOL;
    if (s_all_digits(digits, "0123456789"))
        return S_KIND_INT;
    if (strncmp(s, "0o", 2) == 0 && s_all_digits(s + 2, "01234567"))
        return S_KIND_INT;
    if (strncmp(s, "0x", 2) == 0 && s_all_digits(s + 2, "0123456789abcdefABCDEF"))
        return S_KIND_INT;
    if (s_is_float(s))
        return S_KIND_FLOAT;
    return S_KIND_STRING;
}

/* True for an absent value: no node, or a scalar that reads as null. */
static bool
s_is_null(const yaml_node_t *node)
{
    const char *tag;

    if (node == NULL)
        return true;
    if (node->type != YAML_SCALAR_NODE)
        return false;
    tag = (const char *) node->tag;
    if (tag != NULL && strcmp(tag, YAML_NULL_TAG) == 0)
        return true;
    return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (tag == NULL || strcmp(tag, YAML_STR_TAG) == 0) && s_text(node) != NULL &&
           s_kind(s_text(node)) == S_KIND_NULL;
}

/* True for a name left empty: no node, an empty plain scalar, ~ or an explicit !!null. A
 * name is text whatever YAML reads it as ("strategy: null" names the strategy null). */
static bool
s_is_empty(const yaml_node_t *node)
{
    const char *text = s_text(node);

    if (node == NULL || (node->tag != NULL && strcmp((const char *) node->tag, YAML_NULL_TAG) == 0))
        return true;
    return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           text != NULL && (text[0] == '\0' || strcmp(text, "~") == 0);
}

/* A few words for what node is, for "must be ..." messages. */
static const char *
s_what(const yaml_node_t *node)
{
    if (node == NULL)
        return "nothing";
    if (node->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (node->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (s_is_null(node))
        return "nothing";
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || s_text(node) == NULL)
        return "a string";
    switch (s_kind(s_text(node))) {
    case S_KIND_BOOL:
        return "a boolean";
    case S_KIND_INT:
        return "an integer";
    case S_KIND_FLOAT:
        return "a number";
    default:
        return "a string";
    }
}

/* The scalar's text shortened for a message (into buf). */
static const char *
s_short(const char *text, char *buf, size_t size)
{
    if (strlen(text) <= S_QUOTE_MAX)
        return text;
    snprintf(buf, size, "%.*s...", S_QUOTE_MAX, text);
    return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* Names */

/* True when a name part must be double-quoted to read back as itself. */
static bool
s_needs_quotes(const char *part)
{
    return part[0] == '\0' || strpbrk(part, ".\"*?[") != NULL;
}

/* Appends part to *out (a malloc'd string), double-quoted when it needs to be. */
static void
s_append_part(char **out, const char *part)
{
    size_t len = *out ? strlen(*out) : 0;
    size_t need = len + 2 * strlen(part) + 4;
    char *o;

    *out = s_xrealloc(*out, need, 1);
    o = *out + len;
    if (len > 0)
        *o++ = '.';
    if (!s_needs_quotes(part)) {
        strcpy(o, part);
        return;
    }
    *o++ = '"';
    for (const char *c = part; *c; c++) {
        if (*c == '"')
            *o++ = '"';
        *o++ = *c;
    }
    *o++ = '"';
    *o = '\0';
}

/* schema.table.column (column may be NULL) as the file would write it. Caller frees. */
static char *
s_display(const char *schema, const char *table, const char *column)
{
    char *out = NULL;

    s_append_part(&out, schema);
    s_append_part(&out, table);
    if (column != NULL)
        s_append_part(&out, column);
    return out;
}

/*
 * Splits text into at most max dot-separated parts, unquoting double-quoted stretches ("" is
 * one quote inside them). Returns the number of parts, each malloc'd into parts[], or -1 with
 * *why set (nothing left to free).
 */
static int
s_split_name(const char *text, char **parts, int max, const char **why)
{
    size_t len = strlen(text);
    char *cur = s_xrealloc(NULL, len + 1, 1);
    size_t n = 0;
    int nparts = 0;
    bool quoted = false;

    for (size_t i = 0;; i++) {
        char c = text[i];

        if (c == '"') {
            if (quoted && text[i + 1] == '"') {
                cur[n++] = '"';
                i++;
            } else {
                quoted = !quoted;
            }
            continue;
        }
        if (c == '\0' && quoted) {
            *why = "has an unclosed double quote";
            goto fail;
        }
        if (c == '\0' || (c == '.' && !quoted)) {
            if (n == 0) {
                *why = "has an empty part";
                goto fail;
            }
            if (nparts == max) {
                *why = "has too many dot-separated parts";
                goto fail;
            }
            cur[n] = '\0';
            parts[nparts++] = xstrdup(cur);
            n = 0;
            if (c == '\0')
                break;
            continue;
        }
        if (!quoted && (c == '*' || c == '?' || c == '[')) {
            *why = "has a wildcard (*, ? or [): rules name columns, not patterns";
            goto fail;
        }
        cur[n++] = c;
    }
    free(cur);
    return nparts;

fail:
    free(cur);
    while (nparts > 0) {
        free(parts[--nparts]);
        parts[nparts] = NULL; /* a caller may free what it got on success only */
    }
    return -1;
}

/* True for a top-level or rule key that could only mean the masking key. */
static bool
s_is_key_name(const char *key)
{
    return strcasecmp(key, "key") == 0 || strcasecmp(key, "secret") == 0 ||
           strcasecmp(key, "mask_key") == 0 || strcasecmp(key, "mask-key") == 0;
}

static void
s_key_refused(s_parser_t *p, const yaml_node_t *k, const char *key, bool top)
{
    char hint[ERR_TEXT_LEN];

    snprintf(hint, sizeof(hint),
             "remove it (and treat that key as leaked if the file was shared); give the key with "
             "CONFITURE_MASK_KEY or --mask-key-file FILE%s%s%s",
             top ? ". A table of that name is written with its schema: public." : "",
             top ? key : "", top ? ":" : "");
    s_problem(p, &k->start_mark, hint, "\"%s\": the masking key never goes in the rules file", key);
}

/* ------------------------------------------------------------------------------------------ */
/* Option values */

/* Reads the integer text (a S_KIND_INT) into *out; false when it does not fit. */
static bool
s_parse_int(const char *text, int64_t *out)
{
    const char *digits = text;
    int base = 10;
    char *end;
    long long v;

    if (strncmp(text, "0o", 2) == 0) {
        digits = text + 2;
        base = 8;
    } else if (strncmp(text, "0x", 2) == 0) {
        digits = text + 2;
        base = 16;
    }
    errno = 0;
    v = strtoll(digits, &end, base);
    if (errno == ERANGE || *end != '\0')
        return false;
    *out = (int64_t) v;
    return true;
}

/* Reads the float text (a S_KIND_FLOAT or S_KIND_INT) into *out; false when out of range. */
static bool
s_parse_float(const char *text, double *out)
{
    const char *t = text;
    double sign = 1.0;
    locale_t c_locale;
    char *end;
    bool ok;

    if (*t == '-' || *t == '+') {
        sign = *t == '-' ? -1.0 : 1.0;
        t++;
    }
    if (strcasecmp(t, ".inf") == 0) {
        *out = sign * INFINITY;
        return true;
    }
    if (strcasecmp(t, ".nan") == 0) {
        *out = NAN;
        return true;
    }
    /* in the C locale whatever the process's is: YAML's decimal point is always '.' */
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t) 0);
    errno = 0;
    *out = c_locale != (locale_t) 0 ? strtod_l(text, &end, c_locale) : strtod(text, &end);
    ok = !(errno == ERANGE && isinf(*out)) && *end == '\0';
    if (c_locale != (locale_t) 0)
        freelocale(c_locale);
    return ok;
}

/* A value_t of the given kind from text; NULL (and a problem) when it does not fit. */
static value_t *
s_typed(s_parser_t *p, const yaml_node_t *node, const char *text, s_kind_t kind)
{
    char buf[S_QUOTE_MAX + 8];
    int64_t i;
    double d;

    switch (kind) {
    case S_KIND_NULL:
        return value_new_nil();
    case S_KIND_BOOL:
        return value_new_bool(strchr("tTyY", text[0]) != NULL || strcasecmp(text, "on") == 0);
    case S_KIND_INT:
        if (s_parse_int(text, &i))
            return value_new_int(i);
        s_problem(p, &node->start_mark,
                  "quote it to keep it as a string, or write a smaller number",
                  "integer %s does not fit in 64 bits", s_short(text, buf, sizeof(buf)));
        return NULL;
    case S_KIND_FLOAT:
        if (s_parse_float(text, &d))
            return value_new_double(d);
        s_problem(p, &node->start_mark, "quote it to keep it as a string",
                  "number %s is out of range", s_short(text, buf, sizeof(buf)));
        return NULL;
    default:
        return value_new_stringn(text, strlen(text));
    }
}

/* A scalar node as a value_t; NULL (and a problem) on a bad tag or an out-of-range number. */
static value_t *
s_scalar(s_parser_t *p, const yaml_node_t *node)
{
    const char *tag = (const char *) node->tag;
    const char *text = (const char *) node->data.scalar.value;
    size_t len = node->data.scalar.length;
    bool plain = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    char buf[S_QUOTE_MAX + 8];
    s_kind_t want;
    s_kind_t kind;

    if (tag == NULL || strcmp(tag, YAML_STR_TAG) == 0) {
        if (!plain || s_text(node) == NULL)
            return value_new_stringn(text, len);
        return s_typed(p, node, text, s_kind(text));
    }
    if (strcmp(tag, YAML_NULL_TAG) == 0)
        want = S_KIND_NULL;
    else if (strcmp(tag, YAML_BOOL_TAG) == 0)
        want = S_KIND_BOOL;
    else if (strcmp(tag, YAML_INT_TAG) == 0)
        want = S_KIND_INT;
    else if (strcmp(tag, YAML_FLOAT_TAG) == 0)
        want = S_KIND_FLOAT;
    else {
        s_problem(p, &node->start_mark,
                  "write the value without a tag (quote it to make it a string)",
                  "unsupported tag %s", tag);
        return NULL;
    }
    kind = s_text(node) != NULL ? s_kind(text) : S_KIND_STRING;
    if (kind == want || (want == S_KIND_FLOAT && kind == S_KIND_INT))
        return s_typed(p, node, text, want);
    s_problem(p, &node->start_mark, "write the value without a tag (quote it to make it a string)",
              "\"%s\" is not a valid !!%s", s_short(s_text(node) ? text : "", buf, sizeof(buf)),
              tag + strlen("tag:yaml.org,2002:"));
    return NULL;
}

/* A node (scalar, list or mapping) as a value_t tree; NULL when it holds a problem (each
 * problem is recorded, and the rest of the tree is still walked). */
static value_t *
s_convert(s_parser_t *p, yaml_node_t *node, int depth)
{
    const char *tag = (const char *) node->tag;
    value_t *out;
    bool ok = true;

    if (p->values_exceeded)
        return NULL;
    if (depth > S_MAX_DEPTH) {
        s_problem(p, &node->start_mark, "flatten the options, or check the aliases (*name)",
                  "options nest more than %d levels deep (or an alias contains itself)",
                  S_MAX_DEPTH);
        return NULL;
    }
    if (++p->values > S_MAX_VALUES) {
        p->values_exceeded = true;
        s_problem(p, &node->start_mark, "check the aliases (*name): each one copies its value",
                  "options hold more than %d values once aliases are expanded", S_MAX_VALUES);
        return NULL;
    }
    if (node->type == YAML_SCALAR_NODE)
        return s_scalar(p, node);
    if (tag != NULL && strcmp(tag, YAML_SEQ_TAG) != 0 && strcmp(tag, YAML_MAP_TAG) != 0) {
        s_problem(p, &node->start_mark, "write the value without a tag", "unsupported tag %s", tag);
        return NULL;
    }
    if (node->type == YAML_SEQUENCE_NODE) {
        out = value_new_array();
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             it < node->data.sequence.items.top && !p->values_exceeded; it++) {
            value_t *item = s_convert(p, s_node(p, *it), depth + 1);

            if (item == NULL)
                ok = false;
            else
                value_array_push(out, item);
        }
    } else {
        out = value_new_map();
        for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
             pair < node->data.mapping.pairs.top && !p->values_exceeded; pair++) {
            yaml_node_t *k = s_node(p, pair->key);
            const char *key = s_text(k);
            value_t *v;

            if (key == NULL) {
                s_problem(p, &k->start_mark, "write option names as plain words",
                          "an option name must be text, found %s", s_what(k));
                ok = false;
                continue;
            }
            if (strcmp(key, "<<") == 0 && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                s_problem(p, &k->start_mark, S_MERGE_HINT, "merge key << in options");
                ok = false;
                continue;
            }
            if (value_map_get(out, key) != NULL) {
                s_problem(p, &k->start_mark, "keep one of them",
                          "option \"%s\" is given twice in the same mapping", key);
                ok = false;
                continue;
            }
            v = s_convert(p, s_node(p, pair->value), depth + 1);
            if (v == NULL)
                ok = false;
            else
                value_map_put(out, key, v);
        }
    }
    if (!ok)
        value_destroy(&out);
    return out;
}

/* True when two rules' options are the same (keys in any order); no options and an empty
 * map are the same. */
static bool
s_options_equal(const value_t *a, const value_t *b)
{
    bool a_none = a == NULL || (value_type(a) == VALUE_MAP && value_size(a) == 0);
    bool b_none = b == NULL || (value_type(b) == VALUE_MAP && value_size(b) == 0);

    if (a_none || b_none)
        return a_none && b_none;
    return value_equal(a, b);
}

/* ------------------------------------------------------------------------------------------ */
/* Rules */

/* Index of the rule for schema.table.column, or -1. */
static long
s_find(const rule_t *rules, size_t count, const char *schema, const char *table, const char *column)
{
    for (size_t i = 0; i < count; i++) {
        const rule_t *r = &rules[i];

        if (strcmp(r->column, column) == 0 && strcmp(r->table, table) == 0 &&
            strcmp(r->schema, schema) == 0)
            return (long) i;
    }
    return -1;
}

/* Reads a rule's column: value; sets r->column, or records a problem. */
static void
s_rule_column(s_parser_t *p, rule_t *r, const yaml_node_t *v)
{
    const char *text = s_text(v);
    char buf[S_QUOTE_MAX + 8];
    const char *why = NULL;
    char *part = NULL;

    if (v->type != YAML_SCALAR_NODE) {
        s_problem(p, &v->start_mark, S_COLUMN_HINT, "column must be a column name, found %s",
                  s_what(v));
        return;
    }
    if (text == NULL) {
        s_problem(p, &v->start_mark, S_COLUMN_HINT, "column name holds a NUL character");
        return;
    }
    if (s_split_name(text, &part, 1, &why) < 0) {
        s_problem(p, &v->start_mark, S_COLUMN_HINT, "column name \"%s\" %s",
                  s_short(text, buf, sizeof(buf)), why);
        return;
    }
    r->column = part;
}

/* Reads a rule's strategy: value; sets r->strategy, or records a problem. */
static void
s_rule_strategy(s_parser_t *p, rule_t *r, const yaml_node_t *v)
{
    const char *text = s_text(v);

    if (v->type != YAML_SCALAR_NODE || text == NULL || text[0] == '\0') {
        s_problem(p, &v->start_mark, "write the strategy's name, such as \"strategy: redact\"",
                  "strategy must be a name, found %s",
                  v->type != YAML_SCALAR_NODE ? s_what(v)
                  : text == NULL              ? "a NUL character"
                                              : "an empty string");
        return;
    }
    r->strategy = xstrdup(text);
    r->strategy_line = (int) v->start_mark.line + 1;
    r->strategy_col = (int) v->start_mark.column + 1;
}

/* Reads a rule's seed: value (non-null); sets r->seed, or records a problem. */
static void
s_rule_seed(s_parser_t *p, rule_t *r, yaml_node_t *v)
{
    size_t before = p->nproblems;
    value_t *seed;

    if (v->type != YAML_SCALAR_NODE) {
        s_problem(p, &v->start_mark, "write a whole number, such as \"seed: 12345\"",
                  "seed must be an integer, found %s", s_what(v));
        return;
    }
    seed = s_scalar(p, v);
    if (seed != NULL && value_type(seed) == VALUE_INT) {
        r->seed = value_int(seed, 0);
        r->has_seed = true;
    } else if (p->nproblems == before) {
        char buf[S_QUOTE_MAX + 8];
        const char *text = s_text(v);

        s_problem(p, &v->start_mark, "write a whole number without quotes, such as \"seed: 12345\"",
                  "seed must be an integer, found %s \"%s\"", s_what(v),
                  s_short(text ? text : "", buf, sizeof(buf)));
    }
    value_destroy(&seed);
}

/* Reads a rule's options: value (non-null); sets r->options, or records a problem. */
static void
s_rule_options(s_parser_t *p, rule_t *r, yaml_node_t *v)
{
    if (v->type != YAML_MAPPING_NODE) {
        s_problem(p, &v->start_mark,
                  "write \"options: {name: value, ...}\", or indent \"name: value\" lines under "
                  "options:",
                  "options must be a mapping, found %s", s_what(v));
        return;
    }
    r->options = s_convert(p, v, 0);
    if (r->options != NULL && value_size(r->options) == 0)
        value_destroy(&r->options);
}

/* Adds r (taken over) to the rules found. */
static void
s_add_rule(s_parser_t *p, rule_t *r, bool bad)
{
    if (p->count == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->rules = s_xrealloc(p->rules, p->cap, sizeof(*p->rules));
        p->slots = s_xrealloc(p->slots, p->cap, sizeof(*p->slots));
    }
    p->rules[p->count] = *r;
    p->slots[p->count].bad = bad;
    p->slots[p->count].domain_line = 0;
    p->count++;
    memset(r, 0, sizeof(*r));
}

/* Reads one item of a table's list. */
static void
s_rule(s_parser_t *p, const char *schema, const char *table, yaml_node_t *item)
{
    const char *names[] = {"column", "strategy", "seed", "options"};
    const yaml_node_t *seen[4] = {NULL, NULL, NULL, NULL};
    const yaml_node_t *vals[4] = {NULL, NULL, NULL, NULL};
    size_t before = p->nproblems;
    char *where = s_display(schema, table, NULL);
    rule_t r;
    long other;

    memset(&r, 0, sizeof(r));
    if (item->type != YAML_MAPPING_NODE) {
        s_problem(p, &item->start_mark, S_EXAMPLE,
                  "a rule of %s must be a mapping with column and strategy, found %s", where,
                  s_what(item));
        free(where);
        return;
    }
    r.line = (int) item->start_mark.line + 1;
    r.col = (int) item->start_mark.column + 1;
    for (yaml_node_pair_t *pair = item->data.mapping.pairs.start;
         pair < item->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = s_node(p, pair->key);
        yaml_node_t *v = s_node(p, pair->value);
        const char *key = s_text(k);
        int which = -1;

        if (key == NULL) {
            s_problem(p, &k->start_mark, S_RULE_KEYS, "a rule's keys must be names, found %s",
                      s_what(k));
            continue;
        }
        for (int i = 0; i < 4; i++) {
            if (strcmp(key, names[i]) == 0)
                which = i;
        }
        if (which < 0) {
            char buf[S_QUOTE_MAX + 8];

            if (s_is_key_name(key))
                s_key_refused(p, k, key, false);
            else if (strcmp(key, "<<") == 0)
                s_problem(p, &k->start_mark, S_MERGE_HINT, "merge key << in a rule of %s", where);
            else
                s_problem(p, &k->start_mark, S_RULE_KEYS, "unknown key \"%s\" in a rule of %s",
                          s_short(key, buf, sizeof(buf)), where);
            continue;
        }
        if (seen[which] != NULL) {
            s_problem(p, &k->start_mark, "keep one of them",
                      "%s is given twice in this rule (first at line %zu)", key,
                      s_line(seen[which]));
            continue;
        }
        seen[which] = k;
        vals[which] = v;
        if (which < 2 ? s_is_empty(v) : s_is_null(v))
            continue; /* as if absent: a missing column or strategy is reported below */
        if (which == 0)
            s_rule_column(p, &r, v);
        else if (which == 1)
            s_rule_strategy(p, &r, v);
        else if (which == 2)
            s_rule_seed(p, &r, v);
        else
            s_rule_options(p, &r, v);
    }
    /* an absent or empty column or strategy; a bad one has its own problem already */
    if (s_is_empty(vals[0]))
        s_problem(p, &item->start_mark, S_EXAMPLE, "a rule of %s has no column", where);
    if (s_is_empty(vals[1])) {
        char *name = r.column ? s_display(schema, table, r.column) : NULL;

        s_problem(p, &item->start_mark,
                  "add \"strategy: NAME\" to the rule (email, phone, name, redact, hash, ...)",
                  "the rule for %s has no strategy", name ? name : where);
        free(name);
    }
    if (r.column == NULL) {
        s_rule_free(&r);
        free(where);
        return;
    }
    other = s_find(p->rules, p->count, schema, table, r.column);
    if (other >= 0) {
        char *name = s_display(schema, table, r.column);

        s_problem(p, &item->start_mark, "keep one rule per column",
                  "column %s has two rules (first at line %d)", name, p->rules[other].line);
        free(name);
        s_rule_free(&r);
        free(where);
        return;
    }
    r.schema = xstrdup(schema);
    r.table = xstrdup(table);
    s_add_rule(p, &r, p->nproblems > before);
    free(where);
}

/* Reads one top-level table: its key k (text key) and its list of rules v. */
static void
s_table(s_parser_t *p, const yaml_node_t *k, const char *key, yaml_node_t *v)
{
    char buf[S_QUOTE_MAX + 8];
    char *parts[2] = {NULL, NULL};
    const char *why = NULL;
    const char *schema, *table;
    char *where;
    int n = s_split_name(key, parts, 2, &why);

    if (n < 0) {
        s_problem(p, &k->start_mark, S_NAME_HINT, "table name \"%s\" %s",
                  s_short(key, buf, sizeof(buf)), why);
        return;
    }
    schema = n == 2 ? parts[0] : "public";
    table = n == 2 ? parts[1] : parts[0];
    where = s_display(schema, table, NULL);
    for (size_t i = 0; i < p->ntables; i++) {
        if (strcmp(p->tables[i].schema, schema) == 0 && strcmp(p->tables[i].table, table) == 0) {
            s_problem(p, &k->start_mark,
                      "keep one list of rules per table (a table without a schema is in schema "
                      "public)",
                      "table %s is given twice (first at line %zu)", where, p->tables[i].line);
            goto done;
        }
    }
    if (p->ntables == p->tables_cap) {
        p->tables_cap = p->tables_cap ? 2 * p->tables_cap : 16;
        p->tables = s_xrealloc(p->tables, p->tables_cap, sizeof(*p->tables));
    }
    p->tables[p->ntables].schema = xstrdup(schema);
    p->tables[p->ntables].table = xstrdup(table);
    p->tables[p->ntables].line = s_line(k);
    p->ntables++;

    if (v->type != YAML_SEQUENCE_NODE) {
        s_problem(p, &k->start_mark, S_EXAMPLE, "the rules of table %s must be a list, found %s",
                  where, s_what(v));
        goto done;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
        s_rule(p, schema, table, s_node(p, *it));
done:
    free(where);
    free(parts[0]);
    free(parts[1]);
}

/* ------------------------------------------------------------------------------------------ */
/* Domains */

/* Checks that rule b may share domain name with rule a, its first member. */
static void
s_domain_alike(s_parser_t *p, const char *name, const rule_t *a, const rule_t *b,
               const yaml_node_t *entry)
{
    char *an, *bn;

    if (a->strategy == NULL || b->strategy == NULL)
        return;
    an = s_display(a->schema, a->table, a->column);
    bn = s_display(b->schema, b->table, b->column);
    if (strcmp(a->strategy, b->strategy) != 0)
        s_problem(p, &entry->start_mark,
                  "the columns of a domain must be masked alike to give the same output: give "
                  "them one strategy, or split the domain",
                  "domain %s mixes strategies: %s uses %s (line %d) but %s uses %s (line %d)", name,
                  an, a->strategy, a->strategy_line, bn, b->strategy, b->strategy_line);
    else if (a->has_seed != b->has_seed || a->seed != b->seed)
        s_problem(p, &entry->start_mark,
                  "the columns of a domain must be masked alike to give the same output: give "
                  "them the same seed (or none), or split the domain",
                  "domain %s mixes seeds: %s (line %d) and %s (line %d) differ", name, an, a->line,
                  bn, b->line);
    else if (!s_options_equal(a->options, b->options))
        s_problem(p, &entry->start_mark,
                  "the columns of a domain must be masked alike to give the same output: give "
                  "them the same options, or split the domain",
                  "domain %s mixes options: %s (line %d) and %s (line %d) differ", name, an,
                  a->line, bn, b->line);
    free(an);
    free(bn);
}

/* Reads one entry of domain name; *first is the index of its first member (or -1). */
static void
s_domain_entry(s_parser_t *p, const char *name, const yaml_node_t *e, long *first)
{
    char buf[S_QUOTE_MAX + 8];
    const char *text = s_text(e);
    char *parts[3] = {NULL, NULL, NULL};
    const char *why = NULL;
    const char *schema, *table, *column;
    rule_t *r;
    long idx;
    int n;

    if (e->type != YAML_SCALAR_NODE || text == NULL || s_is_empty(e)) {
        s_problem(p, &e->start_mark, S_ENTRY_HINT,
                  "an entry of domain %s must be table.column or schema.table.column, found %s",
                  name,
                  text == NULL && e->type == YAML_SCALAR_NODE ? "a NUL character" : s_what(e));
        return;
    }
    n = s_split_name(text, parts, 3, &why);
    if (n < 0 || n == 1) {
        s_problem(p, &e->start_mark, S_ENTRY_HINT, "domain %s lists \"%s\", which %s", name,
                  s_short(text, buf, sizeof(buf)),
                  n == 1 ? "names no table: write table.column or schema.table.column" : why);
        if (n == 1)
            free(parts[0]);
        return;
    }
    schema = n == 3 ? parts[0] : "public";
    table = n == 3 ? parts[1] : parts[0];
    column = n == 3 ? parts[2] : parts[1];
    idx = s_find(p->rules, p->count, schema, table, column);
    if (idx < 0) {
        char *full = s_display(schema, table, column);
        char *where = s_display(schema, table, NULL);
        char hint[ERR_TEXT_LEN];

        snprintf(hint, sizeof(hint),
                 "add a rule for column %s under %s:, or remove it from the domain (a table "
                 "without a schema is in schema public)",
                 column, where);
        s_problem(p, &e->start_mark, hint, "domain %s lists %s, which has no rule", name, full);
        free(full);
        free(where);
        goto done;
    }
    r = &p->rules[idx];
    if (r->domain != NULL) {
        char *full = s_display(schema, table, column);

        if (strcmp(r->domain, name) == 0)
            s_problem(p, &e->start_mark, "list it once",
                      "domain %s lists %s twice (first at line %d)", name, full,
                      p->slots[idx].domain_line);
        else
            s_problem(p, &e->start_mark,
                      "a column takes its masked values from one domain: remove it from one of "
                      "them",
                      "%s is in two domains: %s (line %d) and %s", full, r->domain,
                      p->slots[idx].domain_line, name);
        free(full);
        goto done;
    }
    r->domain = xstrdup(name);
    p->slots[idx].domain_line = (int) s_line(e);
    if (p->slots[idx].bad)
        goto done; /* its own problem is reported already */
    if (*first < 0)
        *first = idx;
    else
        s_domain_alike(p, name, &p->rules[*first], r, e);
done:
    for (int i = 0; i < 3; i++)
        free(parts[i]);
}

/* Reads the domains: block (value v of key k), once every rule is known. */
static void
s_domains(s_parser_t *p, const yaml_node_t *k, yaml_node_t *v)
{
    if (s_is_null(v))
        return;
    if (v->type != YAML_MAPPING_NODE) {
        s_problem(p, &k->start_mark, S_DOMAIN_EXAMPLE,
                  "domains must be a mapping of domain names to lists of columns, found %s",
                  s_what(v));
        return;
    }
    for (yaml_node_pair_t *pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *dk = s_node(p, pair->key);
        yaml_node_t *dv = s_node(p, pair->value);
        const char *name = s_text(dk);
        bool twice = false;
        long first = -1;

        if (name == NULL || s_is_empty(dk) || name[0] == '\0') {
            s_problem(p, &dk->start_mark, S_DOMAIN_EXAMPLE, "a domain name must be text, found %s",
                      name != NULL && name[0] == '\0' ? "an empty string" : s_what(dk));
            continue;
        }
        if (strcmp(name, "<<") == 0 && dk->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            s_problem(p, &dk->start_mark, S_MERGE_HINT, "merge key << in domains");
            continue;
        }
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < pair && !twice; q++) {
            const yaml_node_t *qk = s_node(p, q->key);

            if (s_text(qk) != NULL && strcmp(s_text(qk), name) == 0) {
                s_problem(p, &dk->start_mark, "merge the two lists",
                          "domain %s is given twice (first at line %zu)", name, s_line(qk));
                twice = true;
            }
        }
        if (twice)
            continue;
        if (dv->type != YAML_SEQUENCE_NODE ||
            dv->data.sequence.items.start == dv->data.sequence.items.top) {
            s_problem(p, &dk->start_mark, S_DOMAIN_EXAMPLE,
                      "domain %s must be a list of columns, found %s", name,
                      dv->type == YAML_SEQUENCE_NODE ? "an empty list" : s_what(dv));
            continue;
        }
        for (yaml_node_item_t *it = dv->data.sequence.items.start; it < dv->data.sequence.items.top;
             it++)
            s_domain_entry(p, name, s_node(p, *it), &first);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The document */

/* Walks the root of the document. */
static void
s_walk(s_parser_t *p)
{
    yaml_node_t *root = yaml_document_get_root_node(p->doc);
    const yaml_node_t *domains_key = NULL;
    yaml_node_t *domains = NULL;

    if (root == NULL || s_is_null(root))
        return; /* an empty file: zero rules */
    if (root->type != YAML_MAPPING_NODE) {
        s_problem(p, &root->start_mark, S_EXAMPLE,
                  "expected a mapping of tables to rules at the top level, found %s", s_what(root));
        return;
    }
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = s_node(p, pair->key);
        yaml_node_t *v = s_node(p, pair->value);
        const char *key = s_text(k);

        if (key == NULL || s_is_empty(k)) {
            s_problem(p, &k->start_mark, S_NAME_HINT, "a table name must be text, found %s",
                      key == NULL && k->type == YAML_SCALAR_NODE ? "a NUL character" : s_what(k));
            continue;
        }
        if (k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(key, "<<") == 0) {
            s_problem(p, &k->start_mark, S_MERGE_HINT, "merge key << at the top level");
            continue;
        }
        if (s_is_key_name(key)) {
            s_key_refused(p, k, key, true);
            continue;
        }
        if (strcmp(key, "domains") == 0) {
            if (domains_key != NULL)
                s_problem(p, &k->start_mark, "merge the two blocks",
                          "domains is given twice (first at line %zu)", s_line(domains_key));
            else {
                domains_key = k;
                domains = v;
            }
            continue;
        }
        s_table(p, k, key, v);
    }
    if (domains_key != NULL)
        s_domains(p, domains_key, domains);
}

/* Line and column (1-based) of byte offset in text. */
static void
s_position(const char *text, size_t len, size_t offset, size_t *line, size_t *col)
{
    const char *nl;

    *line = 1;
    *col = 1;
    if (offset > len)
        offset = len;
    for (const char *c = text; c < text + offset; c = nl + 1) {
        nl = memchr(c, '\n', (size_t) (text + offset - c));
        if (nl == NULL) {
            *col = (size_t) (text + offset - c) + 1;
            return;
        }
        (*line)++;
    }
}

/* Sets err from a failed yaml_parser_load. */
static int
s_yaml_error(const yaml_parser_t *parser, const char *text, size_t len, const char *name,
             err_t *err)
{
    size_t line, col;

    switch (parser->error) {
    case YAML_MEMORY_ERROR:
        return err_set(err, "rules", EXIT_CODE_CONFIG, "%s: out of memory", name);
    case YAML_READER_ERROR:
        s_position(text, len, parser->problem_offset, &line, &col);
        if (parser->problem_value != -1)
            err_set(err, "rules", EXIT_CODE_CONFIG, "%s:%zu:%zu: %s (byte 0x%X)", name, line, col,
                    parser->problem, (unsigned) parser->problem_value);
        else
            err_set(err, "rules", EXIT_CODE_CONFIG, "%s:%zu:%zu: %s", name, line, col,
                    parser->problem);
        err_hint(err, "a rules file must be UTF-8 text");
        return -1;
    case YAML_SCANNER_ERROR:
    case YAML_PARSER_ERROR:
    case YAML_COMPOSER_ERROR:
        err_set(err, "rules", EXIT_CODE_CONFIG, "%s:%zu:%zu: %s", name,
                parser->problem_mark.line + 1, parser->problem_mark.column + 1,
                parser->problem ? parser->problem : "invalid YAML");
        if (parser->context != NULL)
            err_detail(err, "%s at line %zu, column %zu", parser->context,
                       parser->context_mark.line + 1, parser->context_mark.column + 1);
        err_hint(err, "fix the YAML near that line: check the indentation, and quote values "
                      "that contain \": \" or \" #\" or start with a special character");
        return -1;
    default:
        return err_set(err, "rules", EXIT_CODE_CONFIG, "%s: cannot parse YAML", name);
    }
}

/* Loads the one YAML document of text into doc; on error sets err and leaves nothing to free. */
static int
s_load(const char *text, size_t len, const char *name, yaml_document_t *doc, err_t *err)
{
    yaml_parser_t parser;
    yaml_document_t extra;
    yaml_node_t *root;

    if (!yaml_parser_initialize(&parser))
        return err_set(err, "rules", EXIT_CODE_CONFIG, "%s: out of memory", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    if (!yaml_parser_load(&parser, doc)) {
        s_yaml_error(&parser, text, len, name, err);
        yaml_parser_delete(&parser);
        return -1;
    }
    /* a second document would be ignored, and its rules with it: refuse it */
    if (!yaml_parser_load(&parser, &extra)) {
        s_yaml_error(&parser, text, len, name, err);
        yaml_parser_delete(&parser);
        yaml_document_delete(doc);
        return -1;
    }
    root = yaml_document_get_root_node(&extra);
    if (root != NULL && !s_is_null(root)) {
        err_set(err, "rules", EXIT_CODE_CONFIG,
                "%s:%zu:%zu: a second YAML document: a rules file holds one", name,
                extra.start_mark.line + 1, extra.start_mark.column + 1);
        err_hint(err, "remove the \"---\" line, and put every table in one mapping");
        yaml_document_delete(&extra);
        yaml_parser_delete(&parser);
        yaml_document_delete(doc);
        return -1;
    }
    yaml_document_delete(&extra);
    yaml_parser_delete(&parser);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Public functions */

int
rules_parse(const char *text, size_t len, const char *name, rules_t *rules, err_t *err)
{
    unsigned char digest[crypto_generichash_BYTES];
    yaml_document_t doc;
    s_parser_t p;

    memset(rules, 0, sizeof(*rules));
    if (name == NULL)
        name = "(rules)";
    if (text == NULL) {
        text = "";
        len = 0;
    }
    if (sodium_init() < 0)
        return err_set(err, "rules", EXIT_CODE_INTERNAL, "cannot initialize libsodium");
    if (s_load(text, len, name, &doc, err) != 0)
        return -1;

    memset(&p, 0, sizeof(p));
    p.name = name;
    p.doc = &doc;
    s_walk(&p);
    yaml_document_delete(&doc);
    if (p.nproblems > 0) {
        s_report(&p, err);
        s_parser_free(&p);
        return -1;
    }

    crypto_generichash(digest, sizeof(digest), (const unsigned char *) text, len, NULL, 0);
    sodium_bin2hex(rules->hash, sizeof(rules->hash), digest, sizeof(digest));
    rules->path = xstrdup(name);
    rules->items = p.count > 0 ? p.rules : NULL;
    rules->count = p.count;
    if (p.count == 0)
        free(p.rules);
    p.rules = NULL;
    p.count = 0;
    s_parser_free(&p);
    return 0;
}

int
rules_load(const char *path, rules_t *rules, err_t *err)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int fd, rc = -1;

    memset(rules, 0, sizeof(*rules));
    if (path == NULL || path[0] == '\0')
        path = RULES_DEFAULT_PATH;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;

        err_set(err, "rules", EXIT_CODE_CONFIG, "cannot read anonymization rules %s: %s", path,
                strerror(e));
        err_hint(err, "%s or pass --anonymization-config FILE",
                 e == ENOENT ? "create it" : "check the file's permissions,");
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        err_set(err, "rules", EXIT_CODE_CONFIG,
                "cannot read anonymization rules %s: it is a directory", path);
        err_hint(err, "pass the rules file itself: --anonymization-config FILE");
        goto done;
    }
    for (;;) {
        ssize_t n;

        if (len == cap) {
            cap = cap ? 2 * cap : 8192;
            buf = s_xrealloc(buf, cap, 1);
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err_set(err, "rules", EXIT_CODE_CONFIG, "cannot read anonymization rules %s: %s", path,
                    strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > S_MAX_FILE) {
            err_set(err, "rules", EXIT_CODE_CONFIG,
                    "anonymization rules %s are too large (over %d MiB)", path,
                    S_MAX_FILE / (1024 * 1024));
            err_hint(err, "check that --anonymization-config names the rules file");
            goto done;
        }
    }
    rc = rules_parse(buf, len, path, rules, err);
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

const rule_t *
rules_find(const rules_t *rules, const char *schema, const char *table, const char *column)
{
    long i;

    if (rules == NULL || table == NULL || column == NULL)
        return NULL;
    i = s_find(rules->items, rules->count, schema ? schema : "public", table, column);
    return i < 0 ? NULL : &rules->items[i];
}

void
rules_free(rules_t *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->count; i++)
        s_rule_free(&rules->items[i]);
    free(rules->items);
    free(rules->path);
    memset(rules, 0, sizeof(*rules));
}
