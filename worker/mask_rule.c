/*
 * mask_rule.c - masking rules: the strategies' names and options, the column types they
 * accept, and the checks that a rule can produce a valid value of its column.
 *
 * A rule is checked when it is built, before anything is copied: an unknown strategy or
 * option, an option of the wrong kind or out of range, a strategy that cannot produce a
 * value of the column's type (email into an integer), an output that may not fit the
 * column's length (a 38-character email into varchar(20)), and null on a NOT NULL column
 * are all refused with a message that says what to change. Column types are read as
 * format_type() prints them (and the usual aliases: varchar(n), int4, timestamptz, ...);
 * a type this module does not know accepts only null, value and preserve.
 */
#include "worker/mask.h"
#include "worker/mask_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "common/exitcodes.h"

/* First part of every rule's salt: a new construction gets a new version. */
#define S_SALT_VERSION "confiture-mask-v1"

/* Default email domain. */
#define S_EMAIL_DOMAIN "example.com"

/* Default redact text. */
#define S_REDACT_TEXT "REDACTED"

/* Longest text form of an IP address with a mask ("ffff:...:255.255.255.255/128"). */
#define S_IP_TEXT_MAX 49

/* Most options one strategy takes. */
#define S_MAX_OPTIONS 3

/* A strategy: its name and the options it takes. */
typedef struct s_def {
    const char *name;                       /* as written in rules */
    mask_strategy_t id;                     /* which one */
    const char *options[S_MAX_OPTIONS + 1]; /* the options it takes, NULL-terminated */
} s_def_t;

/* Every strategy, in documentation order; the index is the mask_strategy_t. */
static const s_def_t s_defs[MASK_S_COUNT] = {
    {"email", MASK_S_EMAIL, {"domain", NULL}},
    {"phone", MASK_S_PHONE, {"keep_prefix", NULL}},
    {"name", MASK_S_NAME, {NULL}},
    {"first_name", MASK_S_FIRST_NAME, {NULL}},
    {"last_name", MASK_S_LAST_NAME, {NULL}},
    {"address", MASK_S_ADDRESS, {NULL}},
    {"redact", MASK_S_REDACT, {"text", NULL}},
    {"hash", MASK_S_HASH, {"length", NULL}},
    {"null", MASK_S_NULL, {NULL}},
    {"value", MASK_S_VALUE, {"value", NULL}},
    {"preserve", MASK_S_PRESERVE, {NULL}},
    {"uuid", MASK_S_UUID, {NULL}},
    {"date", MASK_S_DATE, {"days", "keep_year", NULL}},
    {"timestamp", MASK_S_TIMESTAMP, {"days", "keep_year", NULL}},
    {"number", MASK_S_NUMBER, {"percent", NULL}},
    {"credit_card", MASK_S_CREDIT_CARD, {"keep_last4", NULL}},
    {"ip", MASK_S_IP, {"prefix", "prefix6", NULL}},
    {"text", MASK_S_TEXT, {NULL}},
    {"json", MASK_S_JSON, {"paths", NULL}},
};

/* The names alone, for mask_strategy_names. */
static const char *const s_names[MASK_S_COUNT + 1] = {
    "email",  "phone",       "name",  "first_name", "last_name", "address", "redact",
    "hash",   "null",        "value", "preserve",   "uuid",      "date",    "timestamp",
    "number", "credit_card", "ip",    "text",       "json",      NULL,
};

/* ---------------------------------------------------------------------------------------- */
/* Strategy names                                                                           */
/* ---------------------------------------------------------------------------------------- */

/* The definition of strategy name, or NULL. */
static const s_def_t *
s_find(const char *name)
{
    for (int i = 0; name != NULL && i < MASK_S_COUNT; i++)
        if (strcmp(s_defs[i].name, name) == 0)
            return &s_defs[i];
    return NULL;
}

bool
mask_strategy_known(const char *name)
{
    return s_find(name) != NULL;
}

const char *const *
mask_strategy_names(void)
{
    return s_names;
}

/* ---------------------------------------------------------------------------------------- */
/* Column types                                                                             */
/* ---------------------------------------------------------------------------------------- */

/* Reads "(a)" or "(a,b)" at s, if any, into a and b; *nargs is 0, 1 or 2. Returns the end
 * of what was read, or NULL when the parentheses are malformed. */
static const char *
s_type_args(const char *s, int *nargs, int *a, int *b)
{
    char *end;
    long v;

    *nargs = 0;
    if (*s != '(')
        return s;
    v = strtol(s + 1, &end, 10);
    if (end == s + 1 || v < 0 || v > INT_MAX)
        return NULL;
    *a = (int) v;
    *nargs = 1;
    s = end;
    while (*s == ' ')
        s++;
    if (*s == ',') {
        v = strtol(s + 1, &end, 10);
        if (end == s + 1 || v < INT_MIN || v > INT_MAX)
            return NULL;
        *b = (int) v;
        *nargs = 2;
        s = end;
    }
    return *s == ')' ? s + 1 : NULL;
}

/* Reads a type as format_type() prints it (and the usual aliases) into ct. */
static void
s_coltype_parse(const char *text, mask_coltype_t *ct)
{
    char t[128];
    const char *name, *rest;
    size_t n, i;

    ct->kind = text == NULL ? MASK_COL_UNKNOWN : MASK_COL_OTHER;
    ct->limit = -1;
    ct->precision = -1;
    ct->scale = -1;
    ct->padded = false;
    if (text == NULL)
        return;
    while (*text == ' ')
        text++;
    n = strlen(text);
    while (n > 0 && text[n - 1] == ' ')
        n--;
    if (n == 0 || n >= sizeof(t) || (n >= 2 && text[n - 2] == '[' && text[n - 1] == ']'))
        return;
    for (i = 0; i < n; i++)
        t[i] = (char) (text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
    t[n] = '\0';
    name = t;
    if (strncmp(name, "pg_catalog.", 11) == 0)
        name += 11;
    else if (strchr(name, '.') != NULL && strcmp(strrchr(name, '.'), ".citext") == 0)
        name = strrchr(name, '.') + 1;

    /* the types that take arguments */
    static const struct {
        const char *prefix;
        mask_col_t kind;
    } with_args[] = {
        {"character varying", MASK_COL_TEXT},
        {"varchar", MASK_COL_TEXT},
        {"character", MASK_COL_TEXT},
        {"char", MASK_COL_TEXT},
        {"bpchar", MASK_COL_TEXT},
        {"numeric", MASK_COL_NUMERIC},
        {"decimal", MASK_COL_NUMERIC},
        {"timestamptz", MASK_COL_TIMESTAMPTZ},
        {"timestamp", MASK_COL_TIMESTAMP},
    };
    for (i = 0; i < sizeof(with_args) / sizeof(with_args[0]); i++) {
        size_t plen = strlen(with_args[i].prefix);
        int nargs, a = -1, b = -1;

        if (strncmp(name, with_args[i].prefix, plen) != 0)
            continue;
        rest = s_type_args(name + plen, &nargs, &a, &b);
        if (rest == NULL || (nargs == 2 && with_args[i].kind != MASK_COL_NUMERIC))
            return;
        switch (with_args[i].kind) {
        case MASK_COL_TEXT:
            if (*rest != '\0')
                continue;
            ct->kind = MASK_COL_TEXT;
            ct->padded = strcmp(with_args[i].prefix, "character") == 0 ||
                         strcmp(with_args[i].prefix, "char") == 0 ||
                         strcmp(with_args[i].prefix, "bpchar") == 0;
            /* bare "character" is char(1); bare varchar and bpchar have no limit */
            if (nargs == 1)
                ct->limit = a;
            else if (strcmp(with_args[i].prefix, "character") == 0 ||
                     strcmp(with_args[i].prefix, "char") == 0)
                ct->limit = 1;
            return;
        case MASK_COL_NUMERIC:
            if (*rest != '\0')
                continue;
            ct->kind = MASK_COL_NUMERIC;
            ct->precision = nargs >= 1 ? a : -1;
            ct->scale = nargs == 2 ? b : nargs == 1 ? 0 : -1;
            return;
        case MASK_COL_TIMESTAMPTZ:
            if (*rest == '\0')
                ct->kind = MASK_COL_TIMESTAMPTZ;
            return;
        default: /* timestamp [(p)] [with[out] time zone] */
            if (*rest == '\0' || strcmp(rest, " without time zone") == 0)
                ct->kind = MASK_COL_TIMESTAMP;
            else if (strcmp(rest, " with time zone") == 0)
                ct->kind = MASK_COL_TIMESTAMPTZ;
            return;
        }
    }

    static const struct {
        const char *name;
        mask_col_t kind;
        int limit;
    } plain[] = {
        {"text", MASK_COL_TEXT, -1},
        {"citext", MASK_COL_TEXT, -1},
        {"name", MASK_COL_TEXT, 63},
        {"smallint", MASK_COL_INT2, -1},
        {"int2", MASK_COL_INT2, -1},
        {"integer", MASK_COL_INT4, -1},
        {"int", MASK_COL_INT4, -1},
        {"int4", MASK_COL_INT4, -1},
        {"bigint", MASK_COL_INT8, -1},
        {"int8", MASK_COL_INT8, -1},
        {"real", MASK_COL_FLOAT4, -1},
        {"float4", MASK_COL_FLOAT4, -1},
        {"double precision", MASK_COL_FLOAT8, -1},
        {"float8", MASK_COL_FLOAT8, -1},
        {"float", MASK_COL_FLOAT8, -1},
        {"uuid", MASK_COL_UUID, -1},
        {"inet", MASK_COL_INET, -1},
        {"cidr", MASK_COL_CIDR, -1},
        {"date", MASK_COL_DATE, -1},
        {"json", MASK_COL_JSON, -1},
        {"jsonb", MASK_COL_JSONB, -1},
        {"boolean", MASK_COL_BOOL, -1},
        {"bool", MASK_COL_BOOL, -1},
    };
    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (strcmp(name, plain[i].name) == 0) {
            ct->kind = plain[i].kind;
            ct->limit = plain[i].limit;
            return;
        }
    }
}

/* True when strategy s can produce a value of a column of class k (lengths aside). */
static bool
s_accepts(mask_strategy_t s, mask_col_t k)
{
    if (k == MASK_COL_UNKNOWN)
        return true;
    switch (s) {
    case MASK_S_NULL:
    case MASK_S_VALUE:
    case MASK_S_PRESERVE:
        return true;
    case MASK_S_EMAIL:
    case MASK_S_PHONE:
    case MASK_S_NAME:
    case MASK_S_FIRST_NAME:
    case MASK_S_LAST_NAME:
    case MASK_S_ADDRESS:
    case MASK_S_REDACT:
    case MASK_S_HASH:
    case MASK_S_TEXT:
        return k == MASK_COL_TEXT;
    case MASK_S_UUID:
        return k == MASK_COL_UUID || k == MASK_COL_TEXT;
    case MASK_S_DATE:
    case MASK_S_TIMESTAMP:
        return k == MASK_COL_DATE || k == MASK_COL_TIMESTAMP || k == MASK_COL_TIMESTAMPTZ;
    case MASK_S_NUMBER:
        return k == MASK_COL_INT2 || k == MASK_COL_INT4 || k == MASK_COL_INT8 ||
               k == MASK_COL_NUMERIC || k == MASK_COL_FLOAT4 || k == MASK_COL_FLOAT8;
    case MASK_S_CREDIT_CARD:
        return k == MASK_COL_TEXT || k == MASK_COL_INT8 || k == MASK_COL_NUMERIC;
    case MASK_S_IP:
        return k == MASK_COL_INET || k == MASK_COL_CIDR || k == MASK_COL_TEXT;
    case MASK_S_JSON:
        return k == MASK_COL_JSON || k == MASK_COL_JSONB || k == MASK_COL_TEXT;
    case MASK_S_COUNT:
        break;
    }
    return false;
}

/* Fills err for a strategy that cannot produce a value of the column's type. */
static int
s_type_error(const mask_rule_t *rule, err_t *err)
{
    char list[256];
    size_t used = 0;

    list[0] = '\0';
    for (int i = 0; i < MASK_S_COUNT; i++) {
        if (s_accepts(s_defs[i].id, rule->col.kind) && used < sizeof(list)) {
            int n = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
                             s_defs[i].name);
            used += n > 0 ? (size_t) n : 0;
        }
    }
    err_set(err, "rules", EXIT_CODE_CONFIG, "strategy %s cannot produce a value of type %s",
            s_defs[rule->strategy].name, rule->type_text);
    err_hint(err, "strategies for a column of type %s: %s", rule->type_text, list);
    return -1;
}

/* Fills err for an output of need characters that does not fit the column. */
static int
s_length_error(const mask_rule_t *rule, size_t need, const char *what, err_t *err)
{
    err_set(err, "rules", EXIT_CODE_CONFIG,
            "strategy %s needs %zu characters (%s) but the column is %s",
            s_defs[rule->strategy].name, need, what, rule->type_text);
    err_hint(err, "widen the column, or use a strategy whose output fits (redact cuts its text "
                  "to the column; text and phone keep the input's length)");
    return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Options                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Fills err for an option value of the wrong kind or out of range. */
static int
s_option_error(const char *strategy, const char *name, const char *expected, err_t *err)
{
    err_set(err, "rules", EXIT_CODE_CONFIG, "option %s of strategy %s must be %s", name, strategy,
            expected);
    return -1;
}

/* Reads integer option name into *out (left alone when absent). Returns 0 or -1 with err. */
static int
s_opt_int(const char *strategy, const value_t *opts, const char *name, int64_t lo, int64_t hi,
          int64_t *out, err_t *err)
{
    const value_t *v = value_map_get(opts, name);
    char expected[96];
    int64_t x;

    snprintf(expected, sizeof(expected), "an integer from %" PRId64 " to %" PRId64, lo, hi);
    if (v == NULL)
        return 0;
    if (value_type(v) == VALUE_INT) {
        x = value_int(v, 0);
    } else if (value_type(v) == VALUE_DOUBLE) {
        double d = value_double(v, 0.0);

        if (!(d >= (double) lo && d <= (double) hi) || d != floor(d))
            return s_option_error(strategy, name, expected, err);
        x = (int64_t) d;
    } else if (value_type(v) == VALUE_STRING) {
        const char *s = value_string(v, "");
        char *end;

        errno = 0;
        x = strtoll(s, &end, 10);
        if (end == s || *end != '\0' || errno != 0 || value_string_len(v) != strlen(s))
            return s_option_error(strategy, name, expected, err);
    } else {
        return s_option_error(strategy, name, expected, err);
    }
    if (x < lo || x > hi)
        return s_option_error(strategy, name, expected, err);
    *out = x;
    return 0;
}

/* Reads boolean option name into *out (left alone when absent). Returns 0 or -1 with err. */
static int
s_opt_bool(const char *strategy, const value_t *opts, const char *name, bool *out, err_t *err)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    const value_t *v = value_map_get(opts, name);

    if (v == NULL)
        return 0;
    if (value_type(v) == VALUE_BOOL) {
        *out = value_bool(v, false);
        return 0;
    }
    if (value_type(v) == VALUE_INT && (value_int(v, 2) == 0 || value_int(v, 2) == 1)) {
        *out = value_int(v, 0) == 1;
        return 0;
    }
    if (value_type(v) == VALUE_STRING) {
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
            if (strcasecmp(value_string(v, ""), yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcasecmp(value_string(v, ""), no[i]) == 0) {
                *out = false;
                return 0;
            }
        }
    }
    return s_option_error(strategy, name, "true or false", err);
}

/* Reads number option name into *out (left alone when absent), in (lo, hi]. */
static int
s_opt_number(const char *strategy, const value_t *opts, const char *name, double lo, double hi,
             double *out, err_t *err)
{
    const value_t *v = value_map_get(opts, name);
    char expected[96];
    double d;

    snprintf(expected, sizeof(expected), "a number greater than %g and at most %g", lo, hi);
    if (v == NULL)
        return 0;
    if (value_type(v) == VALUE_INT || value_type(v) == VALUE_DOUBLE) {
        d = value_double(v, 0.0);
    } else if (value_type(v) == VALUE_STRING) {
        const char *s = value_string(v, "");
        char *end;

        d = strtod_l(s, &end, mask_c_locale());
        if (end == s || *end != '\0')
            return s_option_error(strategy, name, expected, err);
    } else {
        return s_option_error(strategy, name, expected, err);
    }
    if (!(d > lo && d <= hi))
        return s_option_error(strategy, name, expected, err);
    *out = d;
    return 0;
}

/*
 * Reads option name as text into a new string (*out, *out_len; caller frees): a string, or
 * for strategy value a number or boolean too. Absent: *out stays NULL.
 */
static int
s_opt_text(const char *strategy, const value_t *opts, const char *name, bool scalars, char **out,
           size_t *out_len, err_t *err)
{
    const value_t *v = value_map_get(opts, name);
    char num[64];

    *out = NULL;
    *out_len = 0;
    if (v == NULL)
        return 0;
    switch (value_type(v)) {
    case VALUE_STRING:
        *out_len = value_string_len(v);
        *out = malloc(*out_len + 1);
        if (*out == NULL)
            abort();
        memcpy(*out, value_string(v, ""), *out_len);
        (*out)[*out_len] = '\0';
        return 0;
    case VALUE_INT:
        if (!scalars)
            break;
        snprintf(num, sizeof(num), "%" PRId64, value_int(v, 0));
        goto copy;
    case VALUE_BOOL:
        if (!scalars)
            break;
        snprintf(num, sizeof(num), "%s", value_bool(v, false) ? "true" : "false");
        goto copy;
    case VALUE_DOUBLE:
        if (!scalars || !isfinite(value_double(v, 0.0)))
            break;
        mask_format_double(value_double(v, 0.0), false, num, sizeof(num));
        goto copy;
    default:
        break;
    }
    return s_option_error(strategy, name, scalars ? "a string, a number or a boolean" : "a string",
                          err);
copy:
    *out_len = strlen(num);
    *out = strdup(num);
    if (*out == NULL)
        abort();
    return 0;
}

/* Checks that every option in opts is one the strategy takes. */
static int
s_check_option_names(const s_def_t *def, const value_t *opts, err_t *err)
{
    char known[128];
    size_t used = 0;

    known[0] = '\0';
    for (int i = 0; def->options[i] != NULL; i++) {
        int n =
            snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "", def->options[i]);
        used += n > 0 ? (size_t) n : 0;
    }
    for (size_t i = 0; i < value_size(opts); i++) {
        const char *key = value_map_key_at(opts, i);
        bool ok = false;

        for (int j = 0; def->options[j] != NULL && !ok; j++)
            ok = strcmp(def->options[j], key) == 0;
        if (ok)
            continue;
        err_set(err, "rules", EXIT_CODE_CONFIG, "unknown option \"%s\" for strategy %s", key,
                def->name);
        if (def->options[0] == NULL)
            err_hint(err, "strategy %s takes no options", def->name);
        else
            err_hint(err, "strategy %s takes: %s", def->name, known);
        return -1;
    }
    return 0;
}

/* True when s/len is a host name: dot-separated labels of letters, digits and inner dashes. */
static bool
s_is_hostname(const char *s, size_t len)
{
    size_t label = 0;

    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '.';

        if (c == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-')
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c == '-' && label > 0)) {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

/* Reads the options of rule's strategy from opts. Returns 0 or -1 with err. */
static int
s_read_options(mask_rule_t *rule, const value_t *opts, err_t *err)
{
    const char *name = s_defs[rule->strategy].name;
    int64_t i64;

    switch (rule->strategy) {
    case MASK_S_EMAIL:
        if (s_opt_text(name, opts, "domain", false, &rule->text, &rule->text_len, err) < 0)
            return -1;
        if (rule->text == NULL) {
            rule->text = strdup(S_EMAIL_DOMAIN);
            if (rule->text == NULL)
                abort();
            rule->text_len = strlen(rule->text);
        }
        if (!s_is_hostname(rule->text, rule->text_len))
            return s_option_error(name, "domain",
                                  "a host name such as example.com (letters, digits, dashes "
                                  "and dots)",
                                  err);
        return 0;
    case MASK_S_PHONE:
        i64 = -1;
        if (s_opt_int(name, opts, "keep_prefix", 0, 15, &i64, err) < 0)
            return -1;
        rule->keep_prefix = (int) i64;
        return 0;
    case MASK_S_REDACT:
        if (s_opt_text(name, opts, "text", false, &rule->text, &rule->text_len, err) < 0)
            return -1;
        if (rule->text == NULL) {
            rule->text = strdup(S_REDACT_TEXT);
            if (rule->text == NULL)
                abort();
            rule->text_len = strlen(rule->text);
        }
        if (memchr(rule->text, '\0', rule->text_len) != NULL)
            return s_option_error(name, "text", "a string without NUL characters", err);
        return 0;
    case MASK_S_HASH:
        i64 = 32;
        if (s_opt_int(name, opts, "length", 1, 128, &i64, err) < 0)
            return -1;
        rule->length = (int) i64;
        return 0;
    case MASK_S_VALUE:
        if (s_opt_text(name, opts, "value", true, &rule->text, &rule->text_len, err) < 0)
            return -1;
        if (rule->text == NULL) {
            err_set(err, "rules", EXIT_CODE_CONFIG, "strategy value needs option value");
            err_hint(err, "add options: {value: \"...\"} (for NULL, use strategy null)");
            return -1;
        }
        if (memchr(rule->text, '\0', rule->text_len) != NULL)
            return s_option_error(name, "value", "a string without NUL characters", err);
        return 0;
    case MASK_S_DATE:
    case MASK_S_TIMESTAMP:
        i64 = 365;
        if (s_opt_int(name, opts, "days", 1, 1000000, &i64, err) < 0)
            return -1;
        rule->days = (int) i64;
        return s_opt_bool(name, opts, "keep_year", &rule->keep_year, err);
    case MASK_S_NUMBER:
        rule->percent = 10.0;
        return s_opt_number(name, opts, "percent", 0.0, 100.0, &rule->percent, err);
    case MASK_S_CREDIT_CARD:
        return s_opt_bool(name, opts, "keep_last4", &rule->keep_last4, err);
    case MASK_S_IP:
        i64 = 16;
        if (s_opt_int(name, opts, "prefix", 0, 32, &i64, err) < 0)
            return -1;
        rule->prefix4 = (int) i64;
        i64 = 48;
        if (s_opt_int(name, opts, "prefix6", 0, 128, &i64, err) < 0)
            return -1;
        rule->prefix6 = (int) i64;
        return 0;
    case MASK_S_JSON:
        if (value_map_get(opts, "paths") == NULL)
            return 0;
        return mask_json_paths_compile(value_map_get(opts, "paths"), &rule->paths, err);
    default:
        return 0;
    }
}

/* Checks that the rule's output fits its column (type class already accepted). */
static int
s_check_fit(mask_rule_t *rule, err_t *err)
{
    int limit = rule->col.kind == MASK_COL_TEXT ? rule->col.limit : -1;
    size_t shortest, longest, need;
    char what[96];

    switch (rule->strategy) {
    case MASK_S_EMAIL:
        need = MASK_EMAIL_LOCAL + 1 + rule->text_len;
        snprintf(what, sizeof(what), "26 + \"@%.60s\"", rule->text);
        if (limit >= 0 && need > (size_t) limit)
            return s_length_error(rule, need, what, err);
        return 0;
    case MASK_S_NAME:
    case MASK_S_FIRST_NAME:
    case MASK_S_LAST_NAME:
        mask_list_lengths(rule->strategy == MASK_S_LAST_NAME ? &mask_last_names : &mask_first_names,
                          &shortest, &longest);
        if (limit >= 0 && shortest > (size_t) limit)
            return s_length_error(rule, shortest, "the shortest name", err);
        return 0;
    case MASK_S_ADDRESS:
        mask_list_lengths(&mask_street_names, &shortest, &longest);
        need = 4 + 1 + shortest;
        if (limit >= 0 && need > (size_t) limit)
            return s_length_error(rule, need, "a number and the shortest street name", err);
        return 0;
    case MASK_S_REDACT:
        if (limit >= 0) /* cut to the column, at a character boundary */
            rule->text_len = mask_utf8_prefix(rule->text, rule->text_len, (size_t) limit);
        return 0;
    case MASK_S_HASH:
        if (limit >= 0 && rule->length > limit) {
            s_length_error(rule, (size_t) rule->length, "option length", err);
            err_hint(err, "set options: {length: %d} or less", limit);
            return -1;
        }
        return 0;
    case MASK_S_UUID:
        if (limit >= 0 && limit < 36)
            return s_length_error(rule, 36, "a UUID", err);
        return 0;
    case MASK_S_CREDIT_CARD:
        if (limit >= 0 && limit < 16)
            return s_length_error(rule, 16, "16 digits", err);
        if (rule->col.kind == MASK_COL_NUMERIC && rule->col.precision >= 0 &&
            rule->col.precision - (rule->col.scale > 0 ? rule->col.scale : 0) < 16)
            return s_length_error(rule, 16, "16 digits", err);
        return 0;
    case MASK_S_IP:
        if (limit >= 0 && limit < S_IP_TEXT_MAX)
            return s_length_error(rule, S_IP_TEXT_MAX, "the longest IPv6 address and mask", err);
        return 0;
    case MASK_S_NUMBER:
        if (rule->col.kind == MASK_COL_NUMERIC && rule->col.precision >= 0 && rule->col.scale < 0) {
            err_set(err, "rules", EXIT_CODE_CONFIG,
                    "strategy number does not handle a numeric with a negative scale (%s)",
                    rule->type_text);
            err_hint(err, "use strategy value or preserve for this column");
            return -1;
        }
        return 0;
    case MASK_S_VALUE:
        return mask_constant_check(&rule->col, rule->type_text, rule->text, rule->text_len, err);
    default:
        return 0;
    }
}

/* Builds the rule's salt from its domain or strategy, and its seed. */
static void
s_make_salt(mask_rule_t *rule, const char *domain, int64_t seed)
{
    const char *kind = domain != NULL && *domain ? "domain" : "strategy";
    const char *name = domain != NULL && *domain ? domain : s_defs[rule->strategy].name;
    size_t vlen = strlen(S_SALT_VERSION) + 1, klen = strlen(kind) + 1, nlen = strlen(name) + 1;
    unsigned char *p;

    rule->salt_len = vlen + klen + nlen + 8;
    rule->salt = p = malloc(rule->salt_len);
    if (p == NULL)
        abort();
    memcpy(p, S_SALT_VERSION, vlen);
    memcpy(p + vlen, kind, klen);
    memcpy(p + vlen + klen, name, nlen);
    mask_store_le64(p + vlen + klen + nlen, (uint64_t) seed);
}

mask_rule_t *
mask_rule_new(const char *strategy, const value_t *options, const char *domain, int64_t seed,
              bool has_seed, const char *column_type, bool column_not_null, err_t *err)
{
    const s_def_t *def = s_find(strategy);
    mask_rule_t *rule;
    char list[256];
    size_t used = 0;

    if (mask_sodium_init(err) < 0)
        return NULL;
    if (def == NULL) {
        for (int i = 0; i < MASK_S_COUNT; i++) {
            int n =
                snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", s_defs[i].name);
            used += n > 0 ? (size_t) n : 0;
        }
        err_set(err, "rules", EXIT_CODE_CONFIG, "unknown masking strategy \"%s\"",
                strategy != NULL ? strategy : "");
        err_hint(err, "known strategies: %s", list);
        return NULL;
    }
    if (options != NULL && value_type(options) != VALUE_NIL && value_type(options) != VALUE_MAP) {
        err_set(err, "rules", EXIT_CODE_CONFIG, "the options of strategy %s must be a mapping",
                def->name);
        err_hint(err, "write options: {name: value, ...}");
        return NULL;
    }
    if (value_type(options) != VALUE_MAP)
        options = NULL;
    if (s_check_option_names(def, options, err) < 0)
        return NULL;

    rule = calloc(1, sizeof(*rule));
    if (rule == NULL)
        abort();
    rule->strategy = def->id;
    rule->keep_prefix = -1;
    s_coltype_parse(column_type, &rule->col);
    rule->type_text = strdup(column_type != NULL ? column_type : "(unknown)");
    rule->keyed = calloc(1, sizeof(*rule->keyed));
    if (rule->type_text == NULL || rule->keyed == NULL)
        abort();
    s_make_salt(rule, domain, has_seed ? seed : 0);

    if (s_read_options(rule, options, err) < 0)
        goto fail;
    if (!s_accepts(rule->strategy, rule->col.kind)) {
        s_type_error(rule, err);
        goto fail;
    }
    if (rule->strategy == MASK_S_NULL && column_not_null) {
        err_set(err, "rules", EXIT_CODE_CONFIG,
                "strategy null cannot be used on a NOT NULL column");
        err_hint(err, "use strategy redact or value, or drop the column's NOT NULL");
        goto fail;
    }
    if (s_check_fit(rule, err) < 0)
        goto fail;
    return rule;
fail:
    mask_rule_destroy(&rule);
    return NULL;
}

void
mask_rule_destroy(mask_rule_t **self_p)
{
    mask_rule_t *rule;

    if (self_p == NULL || *self_p == NULL)
        return;
    rule = *self_p;
    if (rule->keyed != NULL)
        sodium_memzero(rule->keyed, sizeof(*rule->keyed));
    free(rule->keyed);
    free(rule->type_text);
    free(rule->salt);
    free(rule->text);
    mask_json_paths_destroy(&rule->paths);
    free(rule);
    *self_p = NULL;
}

const char *
mask_rule_strategy(const mask_rule_t *rule)
{
    return s_defs[rule->strategy].name;
}

bool
mask_rule_is_passthrough(const mask_rule_t *rule)
{
    return rule->strategy == MASK_S_PRESERVE;
}
