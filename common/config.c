/*
 * config.c - environments: where a database is, from db/environments/NAME.yaml or a DSN.
 *
 * config_resolve() takes what the user passed to --from/--to. A connection string is only
 * checked with PQconninfoParse. A name becomes a file, config_dir/NAME.yaml (or .yml), read
 * with libyaml's document API so every node keeps its line: database_url is used as is, a
 * database: mapping is turned into a key=value conninfo. ${VAR} is expanded in the values
 * that are used, just before they are used, so an unset variable names its file and line.
 *
 * Passwords never reach a message: conninfo text is never quoted whole, libpq's own message
 * is scrubbed of quoted input when the string may hold a password (libpq quotes the whole
 * URI in some messages), and config_redact() masks the password in place.
 */
#include "common/config.h"

#include "common/buf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <yaml.h>

#include "common/exitcodes.h"

#define S_MASK    "********"
#define S_INVALID "(invalid connection string)"
#define S_HIDDEN  "(connection string hidden)"

/* Longest variable name accepted in ${VAR}. */
#define S_VAR_MAX 255

/* The example shown when an environment file says nothing usable. */
#define S_EXAMPLE_HINT                                                                             \
    "add a line such as \"database_url: postgresql://app@db-host:5432/app\", or a database: "      \
    "mapping with host, port, name, user, password"

/* The keys accepted under database:, and the libpq keyword each one becomes. */
typedef struct db_key {
    const char *key; /* the YAML key */
    int slot;        /* index into s_db_keywords: where the value goes in the conninfo */
} db_key_t;

/* The libpq keywords a database: mapping can set, in the order they are written. */
static const char *s_db_keywords[] = {"host",
                                      "port",
                                      "dbname",
                                      "user",
                                      "password",
                                      "sslmode",
                                      "sslrootcert",
                                      "application_name",
                                      "connect_timeout",
                                      "passfile",
                                      "options"};

#define S_DB_SLOTS ((int) (sizeof(s_db_keywords) / sizeof(s_db_keywords[0])))

static const db_key_t s_db_keys[] = {
    {"host", 0},
    {"port", 1},
    {"name", 2},
    {"database", 2},
    {"dbname", 2},
    {"user", 3},
    {"password", 4},
    {"sslmode", 5},
    {"sslrootcert", 6},
    {"application_name", 7},
    {"connect_timeout", 8},
    {"passfile", 9},
    {"options", 10},
};

#define S_DB_KEY_HINT                                                                              \
    "keys accepted under database: host, port, name (or database, dbname), user, password, "       \
    "sslmode, sslrootcert, application_name, connect_timeout, passfile, options"

/* ------------------------------------------------------------------------------------------ */
/* Connection strings */

/* Length of the URI prefix libpq recognizes, or 0 for a key=value string. */
static size_t
s_uri_prefix_len(const char *conninfo)
{
    if (strncmp(conninfo, "postgresql://", 13) == 0)
        return 13;
    if (strncmp(conninfo, "postgres://", 11) == 0)
        return 11;
    return 0;
}

bool
config_is_conninfo(const char *arg)
{
    if (arg == NULL)
        return false;
    return s_uri_prefix_len(arg) > 0 || strchr(arg, '=') != NULL;
}

static int
s_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* True when the n bytes at s, percent-decoded as libpq does for URI query keys, equal want. */
static bool
s_uri_key_equals(const char *s, size_t n, const char *want)
{
    size_t i = 0;

    while (i < n) {
        char c = s[i];

        if (c == '%' && i + 2 < n && s_hexval(s[i + 1]) >= 0 && s_hexval(s[i + 2]) >= 0) {
            c = (char) (s_hexval(s[i + 1]) * 16 + s_hexval(s[i + 2]));
            i += 3;
        } else {
            i++;
        }
        if (*want == '\0' || *want != c)
            return false;
        want++;
    }
    return *want == '\0';
}

/* Copies a URI conninfo into out with the password of user:password@ and any password=
 * query parameter replaced by S_MASK. The input is known to be valid. */
static void
s_redact_uri(const char *s, size_t prefix, buf_t *out)
{
    const char *start = s + prefix;
    const char *p = start;
    const char *rest = start;

    buf_append(out, s, prefix);

    /* userinfo: libpq looks for '@' before the first '/' */
    while (*p && *p != '@' && *p != '/')
        p++;
    if (*p == '@') {
        const char *colon = memchr(start, ':', (size_t) (p - start));

        if (colon != NULL && colon + 1 < p) {
            buf_append(out, start, (size_t) (colon + 1 - start));
            buf_append_str(out, S_MASK "@");
        } else {
            buf_append(out, start, (size_t) (p + 1 - start));
        }
        rest = p + 1;
    }

    /* the query starts at the first '?' outside an [IPv6] host */
    p = rest;
    while (*p && *p != '?') {
        if (*p == '[') {
            while (*p && *p != ']')
                p++;
            if (*p == '\0')
                break;
        }
        p++;
    }
    buf_append(out, rest, (size_t) (p - rest));
    if (*p != '?')
        return;
    buf_append_str(out, "?");
    p++;
    while (*p) {
        const char *end = strchr(p, '&');
        const char *eq;

        if (end == NULL)
            end = p + strlen(p);
        eq = memchr(p, '=', (size_t) (end - p));
        if (eq != NULL && eq + 1 < end && s_uri_key_equals(p, (size_t) (eq - p), "password")) {
            buf_append(out, p, (size_t) (eq + 1 - p));
            buf_append_str(out, S_MASK);
        } else {
            buf_append(out, p, (size_t) (end - p));
        }
        p = end;
        if (*p == '&') {
            buf_append_str(out, "&");
            p++;
        }
    }
}

/* Copies a key=value conninfo into out with every non-empty password value replaced by
 * S_MASK (quoted if it was). Follows libpq's conninfo_parse; the input is known valid. */
static void
s_redact_kv(const char *s, buf_t *out)
{
    const char *p = s;

    while (*p) {
        const char *kw = p;
        const char *val;
        size_t kwlen;
        bool quoted;
        bool empty;

        if (isspace((unsigned char) *p)) {
            buf_append(out, p, 1);
            p++;
            continue;
        }
        while (*p && *p != '=' && !isspace((unsigned char) *p))
            p++;
        kwlen = (size_t) (p - kw);
        while (isspace((unsigned char) *p))
            p++;
        if (*p != '=') {
            /* cannot happen for a string libpq accepted: keep the rest as is */
            buf_append_str(out, kw);
            return;
        }
        p++;
        while (isspace((unsigned char) *p))
            p++;
        val = p;
        quoted = (*p == '\'');
        if (quoted) {
            p++;
            while (*p && *p != '\'') {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                p++;
            }
            empty = (p == val + 1);
            if (*p == '\'')
                p++;
        } else {
            while (*p && !isspace((unsigned char) *p)) {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                p++;
            }
            empty = (p == val);
        }
        buf_append(out, kw, (size_t) (val - kw));
        if (kwlen == 8 && memcmp(kw, "password", 8) == 0 && !empty)
            buf_append_str(out, quoted ? "'" S_MASK "'" : S_MASK);
        else
            buf_append(out, val, (size_t) (p - val));
    }
}

/* True when libpq reads a non-empty password from conninfo. *valid says whether conninfo
 * parses at all; *password, when asked for, gets a copy of the password (caller frees). */
static bool
s_parsed_password(const char *conninfo, bool *valid, char **password)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    bool found = false;

    if (password != NULL)
        *password = NULL;
    if (opts == NULL) {
        if (errmsg != NULL)
            PQfreemem(errmsg);
        *valid = false;
        return false;
    }
    *valid = true;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0') {
            found = true;
            if (password != NULL)
                *password = strdup(o->val);
        }
    }
    PQconninfoFree(opts);
    return found;
}

bool
config_has_password(const char *conninfo)
{
    bool valid;

    if (conninfo == NULL)
        return false;
    return s_parsed_password(conninfo, &valid, NULL);
}

char *
config_redact(const char *conninfo)
{
    buf_t out = {0};
    size_t prefix;
    bool valid;
    char *text;
    char *left = NULL;

    if (conninfo == NULL)
        return strdup(S_INVALID);
    s_parsed_password(conninfo, &valid, NULL);
    if (!valid)
        return strdup(S_INVALID);
    prefix = s_uri_prefix_len(conninfo);
    if (prefix > 0)
        s_redact_uri(conninfo, prefix, &out);
    else
        s_redact_kv(conninfo, &out);
    text = buf_detach_string(&out);

    /* belt and braces: whatever libpq reads from the result must not be a real password */
    if (s_parsed_password(text, &valid, &left) && (left == NULL || strcmp(left, S_MASK) != 0)) {
        free(text);
        text = strdup(S_HIDDEN);
    } else if (!valid) {
        free(text);
        text = strdup(S_HIDDEN);
    }
    free(left);
    return text;
}

/* True when conninfo may carry a password, leniently (it need not be valid). */
static bool
s_may_have_password(const char *conninfo)
{
    if (strcasestr(conninfo, "password") != NULL)
        return true;
    return s_uri_prefix_len(conninfo) > 0 &&
           (strchr(conninfo, '@') != NULL || strchr(conninfo, '%') != NULL);
}

/* True when word (n bytes, letters, digits, '_') is written as a key in conninfo: at the
 * start or after a space, '?' or '&', and followed by '=' (spaces allowed before it). */
static bool
s_is_written_key(const char *conninfo, const char *word, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char) word[i]) && word[i] != '_')
            return false;
    }
    for (const char *p = conninfo; *p; p++) {
        const char *q = p + n;

        if (strncmp(p, word, n) != 0)
            continue;
        if (p != conninfo && !isspace((unsigned char) p[-1]) && p[-1] != '?' && p[-1] != '&')
            continue;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '=')
            return true;
    }
    return false;
}

/* Copies libpq's error message into out without its trailing newline; when conninfo may hold
 * a password, every quoted piece of input in it becomes S_MASK, except the delimiters libpq
 * quotes ("=", "]", ...) and words written as keys in conninfo (so "invalid connection option
 * "hots"" stays useful). libpq quotes input in several messages, sometimes the whole URI. */
static void
s_safe_libpq_message(const char *conninfo, const char *msg, char *out, size_t size)
{
    buf_t b = {0};
    bool scrub;
    char *text;
    size_t n;

    if (msg == NULL || *msg == '\0') {
        snprintf(out, size, "out of memory");
        return;
    }
    scrub = s_may_have_password(conninfo);
    while (*msg) {
        const char *open = strchr(msg, '"');
        const char *close = open ? strchr(open + 1, '"') : NULL;
        size_t len;

        if (!scrub || open == NULL || close == NULL) {
            buf_append_str(&b, msg);
            break;
        }
        buf_append(&b, msg, (size_t) (open + 1 - msg));
        len = (size_t) (close - open - 1);
        if ((len == 1 && strchr("=]:/?&", open[1]) != NULL) ||
            s_is_written_key(conninfo, open + 1, len))
            buf_append(&b, open + 1, len);
        else
            buf_append_str(&b, S_MASK);
        buf_append_str(&b, "\"");
        msg = close + 1;
    }
    text = buf_detach_string(&b);
    n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        text[--n] = '\0';
    snprintf(out, size, "%s", text);
    free(text);
}

/* Checks conninfo with PQconninfoParse. path names the file it came from (NULL: the command
 * line), where says where in it ("database_url at line 2"), or NULL. */
static int
s_check_conninfo(const char *conninfo, const char *path, const char *where, err_t *err)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    char clean[ERR_TEXT_LEN];

    if (opts != NULL) {
        PQconninfoFree(opts);
        return 0;
    }
    s_safe_libpq_message(conninfo, errmsg, clean, sizeof(clean));
    if (errmsg != NULL)
        PQfreemem(errmsg);
    if (path != NULL)
        err_set(err, "config", EXIT_CODE_CONFIG, "invalid connection string in %s: %s", path,
                clean);
    else
        err_set(err, "config", EXIT_CODE_CONFIG, "invalid connection string: %s", clean);
    if (where != NULL)
        err_detail(err, "from %s", where);
    if (s_uri_prefix_len(conninfo) > 0)
        err_hint(err,
                 "a URI is postgresql://[user[:password]@][host][:port][/dbname][?key=value&...]"
                 "; percent-encode special characters in the user name and password (@ as "
                 "%%40, : as %%3A, / as %%2F, %% as %%25)");
    else
        err_hint(err, "write key=value pairs separated by spaces, and quote values that contain "
                      "spaces or quotes: password='a b\\'c'");
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* ${VAR} expansion */

/* Expands text; prefix ("file:line: ", or "") starts every error message, key (or NULL) is
 * named in the detail. */
static char *
s_expand(const char *text, const char *prefix, const char *key, err_t *err)
{
    buf_t out = {0};
    const char *p = text;

    while (*p) {
        const char *dollar = strchr(p, '$');
        const char *name;
        const char *q;
        const char *close;
        const char *def = NULL;
        const char *value;
        char var[S_VAR_MAX + 1];
        size_t nlen;

        if (dollar == NULL) {
            buf_append_str(&out, p);
            break;
        }
        buf_append(&out, p, (size_t) (dollar - p));
        p = dollar;
        if (p[1] == '$') {
            buf_append_str(&out, "$");
            p += 2;
            continue;
        }
        if (p[1] != '{') {
            buf_append_str(&out, "$");
            p++;
            continue;
        }
        name = p + 2;
        close = strchr(name, '}');
        if (close == NULL) {
            err_set(err, "config", EXIT_CODE_CONFIG, "%sunterminated \"${\" (no closing \"}\")",
                    prefix);
            err_hint(err, "write ${NAME} or ${NAME:-default}; write \"$$\" for a literal \"$\"");
            goto fail;
        }
        q = name;
        if (isalpha((unsigned char) *q) || *q == '_') {
            while (isalnum((unsigned char) *q) || *q == '_')
                q++;
        }
        nlen = (size_t) (q - name);
        if (nlen == 0) {
            err_set(err, "config", EXIT_CODE_CONFIG,
                    "%sbad variable reference: \"${\" must be followed by a variable name", prefix);
            err_hint(err, "a variable name is letters, digits and \"_\", not starting with a "
                          "digit; write \"$$\" for a literal \"$\"");
            goto fail;
        }
        if (*q == ':' && q[1] == '-') {
            def = q + 2;
        } else if (*q != '}') {
            err_set(err, "config", EXIT_CODE_CONFIG,
                    "%sbad variable reference \"${%.*s\": expected \"}\" or \":-default}\" after "
                    "the name",
                    prefix, (int) (nlen > 64 ? 64 : nlen), name);
            err_hint(err, "write ${NAME} or ${NAME:-default}; write \"$$\" for a literal \"$\"");
            goto fail;
        }
        if (nlen > S_VAR_MAX) {
            err_set(err, "config", EXIT_CODE_CONFIG, "%svariable name \"%.64s...\" is too long",
                    prefix, name);
            goto fail;
        }
        memcpy(var, name, nlen);
        var[nlen] = '\0';
        value = getenv(var);
        if (def != NULL) {
            if (value == NULL || value[0] == '\0')
                buf_append(&out, def, (size_t) (close - def));
            else
                buf_append_str(&out, value);
        } else if (value == NULL) {
            err_set(err, "config", EXIT_CODE_CONFIG, "%s${%s} is not set", prefix, var);
            err_hint(err, "export %s, or write ${%s:-default}", var, var);
            goto fail;
        } else {
            buf_append_str(&out, value);
        }
        p = close + 1;
    }
    return buf_detach_string(&out);

fail:
    if (key != NULL)
        err_detail(err, "in the value of %s", key);
    free(buf_detach_string(&out));
    return NULL;
}

char *
config_expand(const char *text, err_t *err)
{
    if (text == NULL) {
        err_set(err, "config", EXIT_CODE_CONFIG, "no text to expand");
        return NULL;
    }
    return s_expand(text, "", NULL, err);
}

/* ------------------------------------------------------------------------------------------ */
/* YAML */

/* What a scalar is, resolved as YAML 1.1 (PyYAML) does for plain scalars. */
typedef enum scalar_kind {
    SCALAR_STRING,
    SCALAR_NULL,
    SCALAR_BOOL,
    SCALAR_NUMBER,
    SCALAR_TAGGED /* an explicit tag other than the standard ones: !!binary, !custom */
} scalar_kind_t;

static bool
s_in_list(const char *s, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (strcmp(s, *list) == 0)
            return true;
    }
    return false;
}

/* True when s looks like a YAML 1.1 int or float: [-+] digits, '_', one '.', exponent, or
 * 0x/0o/0b forms, .inf, .nan. */
static bool
s_is_number(const char *s)
{
    static const char *const specials[] = {".inf",  ".Inf",  ".INF",  "-.inf", "-.Inf",
                                           "-.INF", "+.inf", "+.Inf", "+.INF", ".nan",
                                           ".NaN",  ".NAN",  NULL};
    const char *p = s;
    bool digits = false;
    bool dot = false;

    if (s_in_list(s, specials))
        return true;
    if (*p == '-' || *p == '+')
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b') && p[2] != '\0') {
        for (p += 2; *p; p++) {
            if (!isxdigit((unsigned char) *p) && *p != '_')
                return false;
        }
        return true;
    }
    for (; *p; p++) {
        if (isdigit((unsigned char) *p)) {
            digits = true;
        } else if (*p == '_' && digits) {
            continue;
        } else if (*p == '.' && !dot) {
            dot = true;
        } else if ((*p == 'e' || *p == 'E') && digits) {
            p++;
            if (*p == '-' || *p == '+')
                p++;
            if (!isdigit((unsigned char) *p))
                return false;
            while (isdigit((unsigned char) *p))
                p++;
            return *p == '\0';
        } else {
            return false;
        }
    }
    return digits;
}

static scalar_kind_t
s_scalar_kind(const yaml_node_t *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {
        "y",    "Y",     "yes",   "Yes",   "YES", "n",  "N",  "no",  "No",  "NO",  "true", "True",
        "TRUE", "false", "False", "FALSE", "on",  "On", "ON", "off", "Off", "OFF", NULL};
    const char *text = (const char *) node->data.scalar.value;
    const char *tag = (const char *) node->tag;

    if (tag != NULL && strcmp(tag, YAML_STR_TAG) != 0) {
        if (strcmp(tag, YAML_NULL_TAG) == 0)
            return SCALAR_NULL;
        if (strcmp(tag, YAML_BOOL_TAG) == 0)
            return SCALAR_BOOL;
        if (strcmp(tag, YAML_INT_TAG) == 0 || strcmp(tag, YAML_FLOAT_TAG) == 0)
            return SCALAR_NUMBER;
        return SCALAR_TAGGED;
    }
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return SCALAR_STRING;
    if (s_in_list(text, nulls))
        return SCALAR_NULL;
    if (s_in_list(text, bools))
        return SCALAR_BOOL;
    if (s_is_number(text))
        return SCALAR_NUMBER;
    return SCALAR_STRING;
}

/* True for an absent value: no node, or a plain null scalar ("key:" with nothing after). */
static bool
s_is_null(const yaml_node_t *node)
{
    return node == NULL || (node->type == YAML_SCALAR_NODE && s_scalar_kind(node) == SCALAR_NULL);
}

/* A few words for what node is, for "must be a string" messages. */
static const char *
s_node_what(const yaml_node_t *node)
{
    if (node->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (node->type == YAML_SEQUENCE_NODE)
        return "a list";
    switch (s_scalar_kind(node)) {
    case SCALAR_NULL:
        return "nothing";
    case SCALAR_BOOL:
        return "a boolean";
    case SCALAR_NUMBER:
        return "a number";
    case SCALAR_TAGGED:
        return "a tagged value";
    default:
        return "a string";
    }
}

/* The scalar's text when it is a string without NUL bytes, else NULL. */
static const char *
s_scalar_text(const yaml_node_t *node)
{
    const char *text;

    if (node->type != YAML_SCALAR_NODE)
        return NULL;
    text = (const char *) node->data.scalar.value;
    if (strlen(text) != node->data.scalar.length)
        return NULL;
    return text;
}

static size_t
s_line(const yaml_node_t *node)
{
    return node->start_mark.line + 1;
}

/* Loads the first YAML document of f into doc. On error, sets err naming path, line and
 * column, and leaves nothing to free. */
static int
s_load_yaml(FILE *f, const char *path, yaml_document_t *doc, err_t *err)
{
    yaml_parser_t parser;

    if (!yaml_parser_initialize(&parser))
        return err_set(err, "config", EXIT_CODE_CONFIG, "%s: out of memory", path);
    yaml_parser_set_input_file(&parser, f);
    if (yaml_parser_load(&parser, doc)) {
        yaml_parser_delete(&parser);
        return 0;
    }
    /* yaml_parser_load has already deleted doc */
    switch (parser.error) {
    case YAML_MEMORY_ERROR:
        err_set(err, "config", EXIT_CODE_CONFIG, "%s: out of memory", path);
        break;
    case YAML_READER_ERROR:
        if (parser.problem_value != -1)
            err_set(err, "config", EXIT_CODE_CONFIG, "%s: %s (byte 0x%X at offset %zu)", path,
                    parser.problem, (unsigned) parser.problem_value, parser.problem_offset);
        else
            err_set(err, "config", EXIT_CODE_CONFIG, "%s: %s (at offset %zu)", path, parser.problem,
                    parser.problem_offset);
        err_hint(err, "an environment file must be UTF-8 text");
        break;
    case YAML_SCANNER_ERROR:
    case YAML_PARSER_ERROR:
    case YAML_COMPOSER_ERROR:
        err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu:%zu: %s", path,
                parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "invalid YAML");
        if (parser.context != NULL)
            err_detail(err, "%s at line %zu, column %zu", parser.context,
                       parser.context_mark.line + 1, parser.context_mark.column + 1);
        err_hint(err, "fix the YAML near that line: check the indentation, and quote values "
                      "that contain \": \" or \" #\" or start with a special character");
        break;
    default:
        err_set(err, "config", EXIT_CODE_CONFIG, "%s: cannot parse YAML", path);
        break;
    }
    yaml_parser_delete(&parser);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Environment files */

/* Appends value to out as libpq wants it in key=value form: in single quotes, with ' and \
 * escaped by a backslash. */
static void
s_append_quoted(buf_t *out, const char *value)
{
    buf_append_str(out, "'");
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            buf_append_str(out, "\\");
        buf_append(out, p, 1);
    }
    buf_append_str(out, "'");
}

/* Turns the database: mapping into a key=value conninfo. Caller owns the result. */
static char *
s_conninfo_from_mapping(yaml_document_t *doc, yaml_node_t *map, const char *path, err_t *err)
{
    yaml_node_t *values[S_DB_SLOTS] = {0};
    const char *keys[S_DB_SLOTS] = {0};
    size_t lines[S_DB_SLOTS] = {0};
    buf_t out = {0};

    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *k = yaml_document_get_node(doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(doc, pair->value);
        const char *key = k ? s_scalar_text(k) : NULL;
        int slot = -1;

        if (key == NULL) {
            err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu: keys under database: must be names",
                    path, k ? s_line(k) : 0);
            err_hint(err, S_DB_KEY_HINT);
            return NULL;
        }
        for (size_t i = 0; i < sizeof(s_db_keys) / sizeof(s_db_keys[0]); i++) {
            if (strcmp(key, s_db_keys[i].key) == 0)
                slot = s_db_keys[i].slot;
        }
        if (slot < 0) {
            err_set(err, "config", EXIT_CODE_CONFIG,
                    "%s:%zu: unknown key \"%s\" under database:", path, s_line(k), key);
            err_hint(err, S_DB_KEY_HINT);
            return NULL;
        }
        if (s_is_null(v))
            continue;
        if (values[slot] != NULL) {
            if (strcmp(keys[slot], key) == 0)
                err_set(err, "config", EXIT_CODE_CONFIG,
                        "%s:%zu: database.%s is given twice (first at line %zu)", path, s_line(k),
                        key, lines[slot]);
            else
                err_set(err, "config", EXIT_CODE_CONFIG,
                        "%s:%zu: database.%s and database.%s (line %zu) both give the %s; keep "
                        "one",
                        path, s_line(k), key, keys[slot], lines[slot], s_db_keywords[slot]);
            return NULL;
        }
        if (v->type != YAML_SCALAR_NODE || s_scalar_text(v) == NULL ||
            s_scalar_kind(v) == SCALAR_TAGGED) {
            bool nul = v->type == YAML_SCALAR_NODE && s_scalar_text(v) == NULL;

            err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu: database.%s must be a %s", path,
                    s_line(k), key, slot == 1 || slot == 8 ? "number or a string" : "string");
            err_detail(err, "found %s", nul ? "a NUL character" : s_node_what(v));
            return NULL;
        }
        values[slot] = v;
        keys[slot] = key;
        lines[slot] = s_line(k);
    }

    for (int slot = 0; slot < S_DB_SLOTS; slot++) {
        char prefix[ERR_TEXT_LEN];
        char where[64];
        char *value;

        if (values[slot] == NULL)
            continue;
        snprintf(prefix, sizeof(prefix), "%s:%zu: ", path, s_line(values[slot]));
        snprintf(where, sizeof(where), "database.%s", keys[slot]);
        value = s_expand(s_scalar_text(values[slot]), prefix, where, err);
        if (value == NULL) {
            free(buf_detach_string(&out));
            return NULL;
        }
        if (out.len > 0)
            buf_append_str(&out, " ");
        buf_append_str(&out, s_db_keywords[slot]);
        buf_append_str(&out, "=");
        s_append_quoted(&out, value);
        free(value);
    }
    return buf_detach_string(&out);
}

/* Reads the environment file at path and returns its conninfo (caller owns it). */
static char *
s_conninfo_from_file(const char *path, err_t *err)
{
    FILE *f = fopen(path, "rb");
    yaml_document_t doc;
    yaml_node_t *root;
    yaml_node_t *url = NULL;
    yaml_node_t *url_key = NULL;
    yaml_node_t *db = NULL;
    yaml_node_t *db_key = NULL;
    char *result = NULL;
    char where[64];

    if (f == NULL) {
        err_set(err, "config", EXIT_CODE_CONFIG, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if (s_load_yaml(f, path, &doc, err) != 0) {
        fclose(f);
        return NULL;
    }
    fclose(f);

    root = yaml_document_get_root_node(&doc);
    if (root == NULL) {
        err_set(err, "config", EXIT_CODE_CONFIG, "%s: the file is empty", path);
        err_hint(err, S_EXAMPLE_HINT);
        goto done;
    }
    if (root->type != YAML_MAPPING_NODE) {
        err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu:%zu: expected a mapping at the top level",
                path, s_line(root), root->start_mark.column + 1);
        err_detail(err, "found %s", s_node_what(root));
        err_hint(err, S_EXAMPLE_HINT);
        goto done;
    }

    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(&doc, pair->value);
        const char *key = k ? s_scalar_text(k) : NULL;
        yaml_node_t **slot = NULL;
        yaml_node_t **slot_key = NULL;

        if (key == NULL)
            continue; /* not a key of ours */
        if (strcmp(key, "database_url") == 0) {
            slot = &url;
            slot_key = &url_key;
        } else if (strcmp(key, "database") == 0) {
            slot = &db;
            slot_key = &db_key;
        } else {
            continue; /* include_dirs, name, ...: not ours */
        }
        if (*slot_key != NULL) {
            err_set(err, "config", EXIT_CODE_CONFIG,
                    "%s:%zu: %s is given twice (first at line %zu)", path, s_line(k), key,
                    s_line(*slot_key));
            goto done;
        }
        *slot = v;
        *slot_key = k;
    }

    /* database_url wins over database:, as in the Python Confiture */
    if (!s_is_null(url)) {
        const char *text = s_scalar_text(url);
        char prefix[ERR_TEXT_LEN];

        if (text == NULL || s_scalar_kind(url) != SCALAR_STRING) {
            err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu: database_url must be a string", path,
                    s_line(url_key));
            err_detail(err, "found %s",
                       url->type == YAML_SCALAR_NODE && text == NULL ? "a NUL character"
                                                                     : s_node_what(url));
            err_hint(err, "write it on one line, such as \"database_url: "
                          "postgresql://app@db-host:5432/app\" (quote it if it contains \" #\")");
            goto done;
        }
        snprintf(prefix, sizeof(prefix), "%s:%zu: ", path, s_line(url));
        result = s_expand(text, prefix, "database_url", err);
        if (result == NULL)
            goto done;
        if (result[strspn(result, " \t\r\n")] == '\0') {
            err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu: database_url is empty", path,
                    s_line(url));
            if (strchr(text, '$') != NULL)
                err_detail(err, "it is empty once the variables in it are expanded");
            err_hint(err, S_EXAMPLE_HINT);
            free(result);
            result = NULL;
            goto done;
        }
        snprintf(where, sizeof(where), "database_url at line %zu", s_line(url));
    } else if (!s_is_null(db)) {
        if (db->type != YAML_MAPPING_NODE) {
            err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu: database must be a mapping", path,
                    s_line(db_key));
            err_detail(err, "found %s", s_node_what(db));
            err_hint(err,
                     "indent its keys under it, one per line, such as \"  host: db-host\"; "
                     "%s",
                     S_DB_KEY_HINT);
            goto done;
        }
        result = s_conninfo_from_mapping(&doc, db, path, err);
        if (result == NULL)
            goto done;
        snprintf(where, sizeof(where), "the database: mapping at line %zu", s_line(db_key));
    } else {
        if (url_key != NULL)
            err_set(err, "config", EXIT_CODE_CONFIG, "%s:%zu: database_url is empty", path,
                    s_line(url_key));
        else
            err_set(err, "config", EXIT_CODE_CONFIG, "%s: no database_url and no database: mapping",
                    path);
        err_hint(err, S_EXAMPLE_HINT);
        goto done;
    }

    if (s_check_conninfo(result, path, where, err) != 0) {
        free(result);
        result = NULL;
    }

done:
    yaml_document_delete(&doc);
    return result;
}

static int
s_compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Writes into out the sorted names of the environments (*.yaml, *.yml) in dir. */
static void
s_list_environments(const char *dir, char *out, size_t size)
{
    DIR *d = opendir(dir);
    struct dirent *entry;
    char **names = NULL;
    size_t count = 0;
    size_t cap = 0;
    size_t used = 0;

    out[0] = '\0';
    if (d == NULL)
        return;
    while ((entry = readdir(d)) != NULL) {
        const char *name = entry->d_name;
        size_t len = strlen(name);
        size_t stem;
        char *copy;

        if (name[0] == '.')
            continue;
        if (len > 5 && strcmp(name + len - 5, ".yaml") == 0)
            stem = len - 5;
        else if (len > 4 && strcmp(name + len - 4, ".yml") == 0)
            stem = len - 4;
        else
            continue;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = realloc(names, ncap * sizeof(*names));

            if (grown == NULL)
                break;
            names = grown;
            cap = ncap;
        }
        copy = strndup(name, stem);
        if (copy == NULL)
            break;
        names[count++] = copy;
    }
    closedir(d);
    if (count > 0)
        qsort(names, count, sizeof(*names), s_compare_names);
    for (size_t i = 0; i < count; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        if (used + strlen(names[i]) + 8 >= size) {
            if (used + 6 < size)
                used += (size_t) snprintf(out + used, size - used, ", ...");
            break;
        }
        used += (size_t) snprintf(out + used, size - used, "%s%s", used ? ", " : "", names[i]);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static bool
s_is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Returns config_dir/NAME.yaml or .yml (caller frees), or NULL with err set and a hint
 * listing the environments present. */
static char *
s_find_file(const char *name, const char *config_dir, err_t *err)
{
    char *yaml_path = NULL;
    char *yml_path = NULL;
    char list[600];
    struct stat st;

    if (asprintf(&yaml_path, "%s/%s.yaml", config_dir, name) < 0) {
        err_set(err, "config", EXIT_CODE_CONFIG, "out of memory");
        return NULL;
    }
    if (s_is_file(yaml_path))
        return yaml_path;
    if (asprintf(&yml_path, "%s/%s.yml", config_dir, name) < 0) {
        free(yaml_path);
        err_set(err, "config", EXIT_CODE_CONFIG, "out of memory");
        return NULL;
    }
    if (s_is_file(yml_path)) {
        free(yaml_path);
        return yml_path;
    }

    if (stat(config_dir, &st) != 0) {
        err_set(err, "config", EXIT_CODE_CONFIG, "environment \"%s\" not found: no directory %s",
                name, config_dir);
        err_hint(err, "run from the project directory, pass --config-dir DIR, or pass a "
                      "connection string (postgresql://... or \"host=... dbname=...\")");
    } else if (!S_ISDIR(st.st_mode)) {
        err_set(err, "config", EXIT_CODE_CONFIG,
                "environment \"%s\" not found: %s is not a directory", name, config_dir);
        err_hint(err, "pass --config-dir DIR, or pass a connection string");
    } else {
        err_set(err, "config", EXIT_CODE_CONFIG, "environment \"%s\" not found: no file %s", name,
                yaml_path);
        err_detail(err, "also looked for %s", yml_path);
        s_list_environments(config_dir, list, sizeof(list));
        if (list[0] != '\0')
            err_hint(err,
                     "environments in %s: %s (or pass a connection string, or --config-dir DIR)",
                     config_dir, list);
        else
            err_hint(err,
                     "no environments in %s: create %s, or pass a connection string, or "
                     "--config-dir DIR",
                     config_dir, yaml_path);
    }
    free(yaml_path);
    free(yml_path);
    return NULL;
}

int
config_resolve(const char *arg, const char *config_dir, char **conninfo, err_t *err)
{
    char *path;
    char *result;

    *conninfo = NULL;
    if (arg == NULL || arg[0] == '\0')
        return err_set(err, "config", EXIT_CODE_CONFIG,
                       "no environment name or connection string given");
    if (config_dir == NULL || config_dir[0] == '\0')
        config_dir = CONFIG_DEFAULT_DIR;

    if (config_is_conninfo(arg)) {
        if (s_check_conninfo(arg, NULL, NULL, err) != 0)
            return -1;
        result = strdup(arg);
        if (result == NULL)
            return err_set(err, "config", EXIT_CODE_CONFIG, "out of memory");
        *conninfo = result;
        return 0;
    }

    if (arg[0] == '.' || strchr(arg, '/') != NULL) {
        err_set(err, "config", EXIT_CODE_CONFIG,
                "\"%s\" is neither an environment name nor a connection string", arg);
        err_hint(err,
                 "an environment is the name of a file in %s, without .yaml (use "
                 "--config-dir DIR for another directory); a connection string starts with "
                 "postgresql:// or contains \"=\"",
                 config_dir);
        return -1;
    }

    path = s_find_file(arg, config_dir, err);
    if (path == NULL)
        return -1;
    result = s_conninfo_from_file(path, err);
    free(path);
    if (result == NULL)
        return -1;
    *conninfo = result;
    return 0;
}
