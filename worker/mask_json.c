/*
 * mask_json.c - the json strategy: a small JSON parser (RFC 8259) that copies a document
 * byte for byte except the leaves it masks.
 *
 * Paths (option paths: one string or a list of up to MASK_JSON_MAX_PATHS) are dotted, with
 * brackets for arrays: "a.b", "items[*].email", "tags[0]", "*.secret", "[*].name", an
 * optional leading "$." as in JSONPath. A key segment (a name, or * for any key) matches an
 * object member; [N] and [*] match array elements. As in PostgreSQL's lax JSONPath mode, a
 * key segment that meets an array applies to each of its elements ("items.email" also
 * masks items[*].email). A key holding a dot or a bracket cannot be named. Whatever a path
 * reaches is masked whole: a leaf, or every leaf of an object or array. Without paths, every
 * leaf of the document is masked. Keys are never masked.
 *
 * A masked string is decoded, masked as the text strategy masks (same length in characters,
 * letters for letters, digits for digits; mask_text.c), and written back escaped, so an
 * email stays shaped like one. A masked number keeps its sign, its number of digits and its
 * exponent; its digits are redrawn (a leading digit never becomes 0). true, false and null
 * are kept. Each leaf is masked from its own value (not its position), so one value masks
 * alike everywhere in the document and in other rows.
 *
 * Written strings are valid JSON: ", \ and control characters escaped, UTF-8 kept. The
 * output is never longer in characters than the input (escapes may become raw characters),
 * so the strategy also fits a varchar column holding JSON.
 */
#include "worker/mask_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/exitcodes.h"

/* Deepest nesting of arrays and objects read. */
#define S_MAX_DEPTH 1000

/* Most segments in one path. */
#define S_MAX_SEGS 64

/* Position of a path that can no longer match. */
#define S_DEAD 0xFF

/* What a path segment matches. */
typedef enum s_seg_kind {
    S_SEG_KEY,       /* the member named name */
    S_SEG_ANY_KEY,   /* any member (*) */
    S_SEG_INDEX,     /* the element index */
    S_SEG_ANY_INDEX, /* any element ([*]) */
} s_seg_kind_t;

/* One segment of a path. */
typedef struct s_seg {
    s_seg_kind_t kind; /* what it matches */
    char *name;        /* S_SEG_KEY: the key (owned) */
    size_t name_len;   /* S_SEG_KEY: bytes of name */
    size_t index;      /* S_SEG_INDEX: the element number */
} s_seg_t;

/* One compiled path. */
typedef struct s_path {
    s_seg_t *segs; /* its segments (owned) */
    size_t count;  /* how many; 0 is the whole document */
} s_path_t;

struct mask_json_paths {
    s_path_t paths[MASK_JSON_MAX_PATHS]; /* the paths */
    size_t count;                        /* how many are used */
};

/* How far each path has matched at one place of the document. */
typedef struct s_state {
    unsigned char pos[MASK_JSON_MAX_PATHS]; /* next segment of each path, or S_DEAD */
    bool all;                               /* a path ended here or above: mask everything */
} s_state_t;

/* A parse in progress. */
typedef struct s_json {
    const mask_rule_t *rule;        /* the rule (NULL: only validate) */
    const mask_json_paths_t *paths; /* the rule's paths, or NULL */
    const char *s;                  /* the document */
    size_t len;                     /* its bytes */
    size_t i;                       /* the next byte to read */
    buf_t *out;                     /* where the output goes (NULL: only validate) */
    buf_t decoded;                  /* a decoded string */
    buf_t masked;                   /* a masked string */
    int depth;                      /* arrays and objects open */
    const char *problem;            /* what was wrong, when parsing failed */
} s_json_t;

/* ---------------------------------------------------------------------------------------- */
/* Paths                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Fills err for a path that cannot be read. */
static int
s_path_error(const char *path, const char *why, err_t *err)
{
    err_set(err, "rules", EXIT_CODE_CONFIG, "json path \"%s\" of strategy json: %s", path, why);
    err_hint(err, "write paths as a.b, items[*].email, tags[0] or *.secret");
    return -1;
}

/* Adds a segment to p. */
static void
s_path_add(s_path_t *p, s_seg_kind_t kind, const char *name, size_t name_len, size_t index)
{
    s_seg_t *seg = &p->segs[p->count++];

    seg->kind = kind;
    seg->name = NULL;
    seg->name_len = name_len;
    seg->index = index;
    if (kind == S_SEG_KEY) {
        seg->name = malloc(name_len + 1);
        if (seg->name == NULL)
            abort();
        memcpy(seg->name, name, name_len);
        seg->name[name_len] = '\0';
    }
}

/* Compiles one path string into p. Returns 0, or -1 with err set. */
static int
s_path_compile(const char *text, s_path_t *p, err_t *err)
{
    const char *s = text;

    p->segs = calloc(S_MAX_SEGS, sizeof(s_seg_t));
    p->count = 0;
    if (p->segs == NULL)
        abort();
    if (s[0] == '$')
        s += s[1] == '.' ? 2 : 1;
    if (*s == '\0')
        return 0; /* "$": the whole document */
    for (;;) {
        size_t n = strcspn(s, ".[");

        if (p->count + 1 >= S_MAX_SEGS)
            return s_path_error(text, "too many segments", err);
        if (n > 0)
            s_path_add(p, n == 1 && s[0] == '*' ? S_SEG_ANY_KEY : S_SEG_KEY, s, n, 0);
        else if (*s != '[')
            return s_path_error(text, "an empty key", err);
        s += n;
        while (*s == '[') {
            if (p->count + 1 >= S_MAX_SEGS)
                return s_path_error(text, "too many segments", err);
            if (s[1] == '*' && s[2] == ']') {
                s_path_add(p, S_SEG_ANY_INDEX, NULL, 0, 0);
                s += 3;
                continue;
            }
            size_t index = 0, digits = 0;

            for (s++; *s >= '0' && *s <= '9' && digits < 9; s++, digits++)
                index = index * 10 + (size_t) (*s - '0');
            if (digits == 0 || *s != ']')
                return s_path_error(text, "write [*] or [N] for array elements", err);
            s_path_add(p, S_SEG_INDEX, NULL, 0, index);
            s++;
        }
        if (*s == '\0')
            return 0;
        if (*s != '.')
            return s_path_error(text, "a bracket must be followed by . or [", err);
        s++;
    }
}

int
mask_json_paths_compile(const value_t *option, mask_json_paths_t **paths, err_t *err)
{
    mask_json_paths_t *set;
    size_t n = value_type(option) == VALUE_ARRAY ? value_size(option) : 1;

    *paths = NULL;
    if (value_type(option) != VALUE_ARRAY && value_type(option) != VALUE_STRING) {
        err_set(err, "rules", EXIT_CODE_CONFIG,
                "option paths of strategy json must be a string or a list of strings");
        err_hint(err, "e.g. options: {paths: [\"email\", \"items[*].phone\"]}");
        return -1;
    }
    if (n == 0 || n > MASK_JSON_MAX_PATHS) {
        err_set(err, "rules", EXIT_CODE_CONFIG,
                "option paths of strategy json must list 1 to %d paths", MASK_JSON_MAX_PATHS);
        err_hint(err, "leave paths out to mask every value of the document");
        return -1;
    }
    set = calloc(1, sizeof(*set));
    if (set == NULL)
        abort();
    for (size_t k = 0; k < n; k++) {
        const value_t *v = value_type(option) == VALUE_ARRAY ? value_at(option, k) : option;

        if (value_type(v) != VALUE_STRING || strlen(value_string(v, "")) != value_string_len(v)) {
            err_set(err, "rules", EXIT_CODE_CONFIG,
                    "option paths of strategy json must be a string or a list of strings");
            mask_json_paths_destroy(&set);
            return -1;
        }
        set->count++;
        if (s_path_compile(value_string(v, ""), &set->paths[k], err) < 0) {
            mask_json_paths_destroy(&set);
            return -1;
        }
    }
    *paths = set;
    return 0;
}

void
mask_json_paths_destroy(mask_json_paths_t **self_p)
{
    mask_json_paths_t *set;

    if (self_p == NULL || *self_p == NULL)
        return;
    set = *self_p;
    for (size_t k = 0; k < set->count; k++) {
        for (size_t i = 0; set->paths[k].segs != NULL && i < set->paths[k].count; i++)
            free(set->paths[k].segs[i].name);
        free(set->paths[k].segs);
    }
    free(set);
    *self_p = NULL;
}

/* The state at the document's root. */
static void
s_state_root(const s_json_t *j, s_state_t *st)
{
    memset(st->pos, S_DEAD, sizeof(st->pos));
    st->all = j->rule != NULL && j->paths == NULL;
    for (size_t k = 0; j->paths != NULL && k < j->paths->count; k++) {
        st->pos[k] = 0;
        if (j->paths->paths[k].count == 0)
            st->all = true;
    }
}

/* True when some path may still match below st. */
static bool
s_state_live(const s_json_t *j, const s_state_t *st)
{
    for (size_t k = 0; j->paths != NULL && k < j->paths->count; k++)
        if (st->pos[k] != S_DEAD)
            return true;
    return false;
}

/* The state of an object member named key/klen, or of array element index (key NULL). */
static void
s_state_child(const s_json_t *j, const s_state_t *st, const char *key, size_t klen, size_t index,
              s_state_t *child)
{
    *child = *st;
    if (st->all)
        return;
    for (size_t k = 0; j->paths != NULL && k < j->paths->count; k++) {
        const s_path_t *p = &j->paths->paths[k];
        const s_seg_t *seg;
        bool match;

        if (st->pos[k] == S_DEAD)
            continue;
        seg = &p->segs[st->pos[k]];
        if (key == NULL && (seg->kind == S_SEG_KEY || seg->kind == S_SEG_ANY_KEY))
            continue; /* lax: a key segment applies to each element of an array */
        if (key != NULL)
            match =
                seg->kind == S_SEG_ANY_KEY || (seg->kind == S_SEG_KEY && seg->name_len == klen &&
                                               memcmp(seg->name, key, klen) == 0);
        else
            match =
                seg->kind == S_SEG_ANY_INDEX || (seg->kind == S_SEG_INDEX && seg->index == index);
        if (!match) {
            child->pos[k] = S_DEAD;
        } else if ((size_t) st->pos[k] + 1 == p->count) {
            child->all = true;
            return;
        } else {
            child->pos[k] = (unsigned char) (st->pos[k] + 1);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The parser                                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Records what is wrong; returns -1. */
static int
s_fail(s_json_t *j, const char *problem)
{
    if (j->problem == NULL)
        j->problem = problem;
    return -1;
}

/* Copies bytes [from, to) of the document to the output. */
static void
s_copy(s_json_t *j, size_t from, size_t to)
{
    if (j->out != NULL && to > from)
        buf_append(j->out, j->s + from, to - from);
}

/* Copies the byte at the current position (a bracket, colon or comma) and steps past it. */
static void
s_pass(s_json_t *j)
{
    s_copy(j, j->i, j->i + 1);
    j->i++;
}

/* Copies white space at the current position. */
static void
s_ws(s_json_t *j)
{
    size_t start = j->i;

    while (j->i < j->len &&
           (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r'))
        j->i++;
    s_copy(j, start, j->i);
}

/* Reads 4 hex digits at p. Returns the value, or -1. */
static long
s_hex4(const char *p)
{
    long v = 0;

    for (int k = 0; k < 4; k++) {
        char c = p[k];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/*
 * Reads the string at j->i (at its opening quote), leaving j->i past its closing quote.
 * With decode, its value goes to j->decoded (a lone surrogate escape becomes U+FFFD).
 */
static int
s_string_read(s_json_t *j, bool decode)
{
    if (decode)
        buf_reset(&j->decoded);
    j->i++;
    while (j->i < j->len) {
        unsigned char c = (unsigned char) j->s[j->i];
        uint32_t cp;
        size_t k;

        if (c == '"') {
            j->i++;
            return 0;
        }
        if (c < 0x20)
            return s_fail(j, "a control character inside a string");
        if (c != '\\') {
            k = mask_utf8_decode((const unsigned char *) j->s + j->i, j->len - j->i, &cp);
            if (k == 0)
                return s_fail(j, "invalid UTF-8");
            if (decode)
                buf_append(&j->decoded, j->s + j->i, k);
            j->i += k;
            continue;
        }
        if (j->i + 1 >= j->len)
            return s_fail(j, "an unterminated string");
        c = (unsigned char) j->s[j->i + 1];
        if (c == 'u') {
            long u, lo;

            if (j->len - j->i < 6 || (u = s_hex4(j->s + j->i + 2)) < 0)
                return s_fail(j, "a bad \\u escape");
            j->i += 6;
            if (u >= 0xD800 && u <= 0xDBFF && j->len - j->i >= 6 && j->s[j->i] == '\\' &&
                j->s[j->i + 1] == 'u' && (lo = s_hex4(j->s + j->i + 2)) >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                j->i += 6;
            } else if (u >= 0xD800 && u <= 0xDFFF) {
                u = 0xFFFD;
            }
            if (decode)
                mask_utf8_append(&j->decoded, (uint32_t) u);
            continue;
        }
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *e = memchr(from, c, sizeof(from) - 1);

        if (e == NULL)
            return s_fail(j, "a bad escape");
        if (decode)
            buf_append_byte(&j->decoded, to[e - from]);
        j->i += 2;
    }
    return s_fail(j, "an unterminated string");
}

/* Appends s/len as a JSON string, quotes included. */
static void
s_string_write(buf_t *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";

    buf_append_byte(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            buf_append_byte(out, '\\');
            buf_append_byte(out, (char) c);
        } else if (c < 0x20) {
            const char *short_form = c == '\n'   ? "\\n"
                                     : c == '\t' ? "\\t"
                                     : c == '\r' ? "\\r"
                                     : c == '\b' ? "\\b"
                                     : c == '\f' ? "\\f"
                                                 : NULL;

            if (short_form != NULL) {
                buf_append(out, short_form, 2);
            } else {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

                buf_append(out, u, sizeof(u));
            }
        } else {
            buf_append_byte(out, (char) c);
        }
    }
    buf_append_byte(out, '"');
}

/* A string value: copied, or masked when st says so. */
static int
s_string(s_json_t *j, const s_state_t *st)
{
    size_t start = j->i;
    bool mask = st->all && j->out != NULL;
    mask_prf_t prf;

    if (s_string_read(j, mask) < 0)
        return -1;
    if (!mask) {
        s_copy(j, start, j->i);
        return 0;
    }
    mask_prf_init(&prf, j->rule, j->decoded.len > 0 ? j->decoded.data : "", j->decoded.len);
    buf_reset(&j->masked);
    mask_text_chars(&prf, j->decoded.len > 0 ? j->decoded.data : "", j->decoded.len, &j->masked);
    s_string_write(j->out, j->masked.data, j->masked.len);
    return 0;
}

/* Skips digits; returns how many. */
static size_t
s_skip_digits(s_json_t *j)
{
    size_t start = j->i;

    while (j->i < j->len && j->s[j->i] >= '0' && j->s[j->i] <= '9')
        j->i++;
    return j->i - start;
}

/* A number: copied, or its digits redrawn (sign, length, point and exponent kept). */
static int
s_number(s_json_t *j, const s_state_t *st)
{
    size_t start = j->i, int_start, int_len, frac_len = 0, end;
    mask_prf_t prf;

    if (j->s[j->i] == '-')
        j->i++;
    int_start = j->i;
    int_len = s_skip_digits(j);
    if (int_len == 0 || (int_len > 1 && j->s[int_start] == '0'))
        return s_fail(j, "a bad number");
    if (j->i < j->len && j->s[j->i] == '.') {
        j->i++;
        if ((frac_len = s_skip_digits(j)) == 0)
            return s_fail(j, "a bad number");
    }
    end = j->i;
    if (j->i < j->len && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->len && (j->s[j->i] == '+' || j->s[j->i] == '-'))
            j->i++;
        if (s_skip_digits(j) == 0)
            return s_fail(j, "a bad number");
    }
    if (!st->all || j->out == NULL) {
        s_copy(j, start, j->i);
        return 0;
    }
    mask_prf_init(&prf, j->rule, j->s + start, j->i - start);
    s_copy(j, start, int_start);
    for (size_t k = 0; k < int_len; k++)
        buf_append_byte(j->out, (char) (k == 0 && int_len > 1 ? '1' + mask_prf_below(&prf, 9)
                                                              : '0' + mask_prf_below(&prf, 10)));
    if (frac_len > 0) {
        buf_append_byte(j->out, '.');
        for (size_t k = 0; k < frac_len; k++)
            buf_append_byte(j->out, (char) ('0' + mask_prf_below(&prf, 10)));
    }
    s_copy(j, end, j->i); /* the exponent */
    return 0;
}

static int s_value(s_json_t *j, const s_state_t *st);

/* When the closing character close of a container comes next: passes it, ends the
 * container's depth and returns true. */
static bool
s_close(s_json_t *j, char close)
{
    if (j->i >= j->len || j->s[j->i] != close)
        return false;
    s_pass(j);
    j->depth--;
    return true;
}

/* After a member or an element: 1 when a comma follows (passed), 0 when the container
 * closes (s_close), else -1 with missing as the problem. */
static int
s_after_item(s_json_t *j, char close, const char *missing)
{
    s_ws(j);
    if (j->i < j->len && j->s[j->i] == ',') {
        s_pass(j);
        return 1;
    }
    return s_close(j, close) ? 0 : s_fail(j, missing);
}

/* An object. */
static int
s_object(s_json_t *j, const s_state_t *st)
{
    bool live = !st->all && s_state_live(j, st);
    s_state_t child;

    if (++j->depth > S_MAX_DEPTH)
        return s_fail(j, "nesting deeper than 1000 levels");
    s_pass(j);
    s_ws(j);
    if (s_close(j, '}'))
        return 0;
    for (;;) {
        size_t key_start = j->i;
        int rc;

        if (j->i >= j->len || j->s[j->i] != '"')
            return s_fail(j, "an object key that is not a string");
        if (s_string_read(j, live) < 0)
            return -1;
        s_copy(j, key_start, j->i);
        s_ws(j);
        if (j->i >= j->len || j->s[j->i] != ':')
            return s_fail(j, "a missing colon");
        s_pass(j);
        if (live)
            s_state_child(j, st, j->decoded.data != NULL ? j->decoded.data : "", j->decoded.len, 0,
                          &child);
        else
            child = *st;
        if (s_value(j, &child) < 0)
            return -1;
        rc = s_after_item(j, '}', "a missing comma or closing brace");
        if (rc <= 0)
            return rc;
        s_ws(j);
    }
}

/* An array. */
static int
s_array(s_json_t *j, const s_state_t *st)
{
    bool live = !st->all && s_state_live(j, st);
    s_state_t child;

    if (++j->depth > S_MAX_DEPTH)
        return s_fail(j, "nesting deeper than 1000 levels");
    s_pass(j);
    s_ws(j);
    if (s_close(j, ']'))
        return 0;
    for (size_t index = 0;; index++) {
        int rc;

        if (live)
            s_state_child(j, st, NULL, 0, index, &child);
        else
            child = *st;
        if (s_value(j, &child) < 0)
            return -1;
        rc = s_after_item(j, ']', "a missing comma or closing bracket");
        if (rc <= 0)
            return rc;
    }
}

/* Any value, with the white space before it. */
static int
s_value(s_json_t *j, const s_state_t *st)
{
    static const char *const literals[] = {"true", "false", "null"};

    s_ws(j);
    if (j->i >= j->len)
        return s_fail(j, "a missing value");
    switch (j->s[j->i]) {
    case '{':
        return s_object(j, st);
    case '[':
        return s_array(j, st);
    case '"':
        return s_string(j, st);
    default:
        break;
    }
    if (j->s[j->i] == '-' || (j->s[j->i] >= '0' && j->s[j->i] <= '9'))
        return s_number(j, st);
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(literals[k]);

        if (j->len - j->i >= n && memcmp(j->s + j->i, literals[k], n) == 0) {
            s_copy(j, j->i, j->i + n);
            j->i += n;
            return 0;
        }
    }
    return s_fail(j, "an unexpected character");
}

/* Parses the whole document (and masks, when j->out is set). Returns 0, or -1. */
static int
s_document(s_json_t *j)
{
    s_state_t st;
    int rc;

    s_state_root(j, &st);
    rc = s_value(j, &st);
    if (rc == 0) {
        s_ws(j);
        if (j->i != j->len)
            rc = s_fail(j, "more after the end of the document");
    }
    buf_free(&j->decoded);
    buf_free(&j->masked);
    return rc;
}

int
mask_json_apply(const mask_rule_t *rule, const char *in, size_t len, buf_t *out, err_t *err)
{
    s_json_t j;

    memset(&j, 0, sizeof(j));
    j.rule = rule;
    j.paths = rule->paths;
    j.s = in;
    j.len = len;
    j.out = out;
    if (s_document(&j) == 0)
        return 0;
    err_set(err, "mask", EXIT_CODE_FAILED,
            "strategy json: a value of the column (type %s) is not valid JSON: %s at byte %zu",
            rule->type_text, j.problem, j.i);
    err_hint(err, "check the rule's column and strategy");
    return -1;
}

bool
mask_json_valid(const char *in, size_t len)
{
    s_json_t j;

    memset(&j, 0, sizeof(j));
    j.s = in;
    j.len = len;
    return s_document(&j) == 0;
}
