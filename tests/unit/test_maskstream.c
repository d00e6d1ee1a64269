/*
 * test_maskstream.c - a copy task's masking applied to a COPY stream, text and binary.
 *
 * Every masked value is checked against what mask_apply gives for the same rule, key and
 * (unescaped) input, computed here directly; every unmasked field must come out byte for
 * byte as it came, NULL must stay NULL. Binary streams are built by hand and cut into
 * messages everywhere (inside a tuple, inside a length word), each message in its own
 * allocation that is freed right after the call, so that valgrind notices a pointer kept
 * into a message. Errors must name the table (and column and row) and never a value.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/value.h"
#include "common/copyrow.h"
#include "worker/mask.h"
#include "worker/maskstream.h"

/* The secrets of the two test keys. */
#define SECRET_A "maskstream unit-test secret one"
#define SECRET_B "maskstream unit-test secret two"

/* The table the streams belong to. */
#define TABLE "public.customers"

/* Most fields a test stream has. */
#define MAXF 8

/* An assertion for loops that records nothing until it fails (cheap under valgrind). */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)

/* A literal and its length. */
#define LIT(s) (s), (sizeof(s) - 1)

/* The test keys (set by s_setup); s_key_a2 is derived again from the same secret. */
static mask_key_t s_key_a, s_key_a2, s_key_b;

static void
s_setup(void)
{
    err_t err;

    ck_assert_int_eq(mask_key_from_text(SECRET_A, &s_key_a, &err), 0);
    ck_assert_int_eq(mask_key_from_text(SECRET_A, &s_key_a2, &err), 0);
    ck_assert_int_eq(mask_key_from_text(SECRET_B, &s_key_b, &err), 0);
}

/* ---- entries and expected values ---- */

/* A copy task's entry, shaped as maskplan_entry builds it (caller owns it). */
static value_t *
s_entry(int field, const char *column, const char *strategy, const char *type)
{
    value_t *e = value_new_map();

    value_map_put_int(e, "field", field);
    value_map_put_string(e, "column", column);
    value_map_put_string(e, "strategy", strategy);
    value_map_put_string(e, "type", type);
    value_map_put_bool(e, "not_null", false);
    return e;
}

/*
 * The entries of the customers table (id, email, note, full_name, bio): email, full_name
 * and bio masked; email with an option, full_name with a domain and a seed.
 */
static value_t *
s_customers(void)
{
    value_t *entries = value_new_array();
    value_t *e, *opts;

    e = s_entry(1, "email", "email", "character varying(255)");
    opts = value_new_map();
    value_map_put_string(opts, "domain", "masked.test");
    value_map_put(e, "options", opts);
    value_array_push(entries, e);
    e = s_entry(3, "full_name", "name", "text");
    value_map_put_string(e, "domain", "people");
    value_map_put_int(e, "seed", 7);
    value_array_push(entries, e);
    value_array_push(entries, s_entry(4, "bio", "text", "text"));
    return entries;
}

/* Rules built from entries directly with mask_rule_new, per field (NULL: not masked). */
typedef struct expect {
    mask_rule_t *rules[MAXF]; /* per field: its rule, or NULL */
} expect_t;

static void
s_expect_init(expect_t *x, const value_t *entries)
{
    memset(x, 0, sizeof(*x));
    for (size_t i = 0; i < value_size(entries); i++) {
        const value_t *e = value_at(entries, i);
        int64_t f = value_map_int(e, "field", -1);
        err_t err;

        ck_assert(f >= 0 && f < MAXF);
        err_clear(&err);
        x->rules[f] =
            mask_rule_new(value_map_string(e, "strategy", ""), value_map_get(e, "options"),
                          value_map_string(e, "domain", NULL), value_map_int(e, "seed", 0),
                          value_map_get(e, "seed") != NULL, value_map_string(e, "type", NULL),
                          value_map_bool(e, "not_null", false), &err);
        if (x->rules[f] == NULL)
            ck_abort_msg("rule of field %d: %s", (int) f, err.message);
    }
}

static void
s_expect_free(expect_t *x)
{
    for (int f = 0; f < MAXF; f++)
        mask_rule_destroy(&x->rules[f]);
}

/* mask_apply of field f's rule on raw/len under key, into out (reset). Returns its code. */
static int
s_expect_value(const expect_t *x, int f, const mask_key_t *key, const char *raw, size_t len,
               buf_t *out)
{
    err_t err;
    int rc;

    buf_reset(out);
    err_clear(&err);
    rc = mask_apply(x->rules[f], key, raw, len, out, &err);
    if (rc < 0)
        ck_abort_msg("mask_apply on field %d: %s", f, err.message);
    return rc;
}

/* Builds a stream (caller destroys) that must build. */
static maskstream_t *
s_stream(const value_t *entries, int nfields, bool binary, const mask_key_t *key)
{
    err_t err;
    maskstream_t *ms;

    err_clear(&err);
    ms = maskstream_new(entries, nfields, binary, TABLE, key, &err);
    if (ms == NULL)
        ck_abort_msg("maskstream_new: %s (%s)", err.message, err.detail);
    return ms;
}

/* ---- text format ---- */

/* Rows of the customers table as the server writes them (COPY text). */
static const char *const s_rows[] = {
    "1\talice@example.com\tplain note\tAlice Martin\tLoves tea\n",
    /* escapes in unmasked and masked fields, multibyte UTF-8 */
    "2\tb\\\\ob\\t@example.com\tline1\\nline2\\ttab \\\\ back\tJos\303\251 Garc\303\255a\t"
    "caf\303\251 \360\237\230\200 \346\235\261\344\272\254\\n2nd line\\\\\n",
    /* NULLs, and the text "\N" (which arrives as \\N) in a masked field */
    "3\t\\N\t\\N\t\\N\t\\\\N\n",
    /* the text "\N" in an unmasked field, "N", a masked value of escapes only */
    "4\tcarol@example.com\t\\\\N\tN\t\\t\\\\\\n\n",
    /* empty strings */
    "5\tdave@example.com\t\t\t\n",
    /* a masked text of letters between escapes */
    "6\t\\\\N@x.org\t\\b\\f\\v\\r\tO'Brien\\\\Smith\tline\\tone\\ntwo\\\\three\n",
};
#define NROWS ((int) (sizeof(s_rows) / sizeof(s_rows[0])))

/*
 * Asserts that out is row in masked under key: same field count and final newline,
 * unmasked fields byte-identical, NULL kept, masked fields the escaped mask_apply output.
 * Returns the number of masked non-NULL fields whose bytes changed.
 */
static int
s_check_text_row(const expect_t *x, const mask_key_t *key, int nfields, const char *row,
                 const char *out, size_t outlen)
{
    size_t rowlen = strlen(row);
    copyrow_field_t fi[MAXF], fo[MAXF];
    buf_t raw, masked, escaped;
    err_t err;
    int changed = 0;

    buf_init(&raw);
    buf_init(&masked);
    buf_init(&escaped);
    err_clear(&err);
    CHECK(copyrow_text_split(row, rowlen, fi, MAXF, &err) == nfields);
    if (copyrow_text_split(out, outlen, fo, MAXF, &err) != nfields)
        ck_abort_msg("output row %.*s: %s", (int) outlen, out, err.message);
    CHECK(outlen > 0 && out[outlen - 1] == '\n');
    for (int f = 0; f < nfields; f++) {
        const char *in_f = row + fi[f].off, *out_f = out + fo[f].off;

        if (x->rules[f] == NULL || copyrow_text_is_null(row, fi[f])) {
            /* unmasked or NULL: the same bytes */
            if (fi[f].len != fo[f].len || memcmp(in_f, out_f, fi[f].len) != 0)
                ck_abort_msg("field %d of %s changed to %.*s", f, row, (int) fo[f].len, out_f);
            continue;
        }
        buf_reset(&raw);
        CHECK(copyrow_text_decode(in_f, fi[f].len, &raw, &err) == 0);
        if (s_expect_value(x, f, key, raw.data, raw.len, &masked) == MASK_NULL) {
            CHECK(copyrow_text_is_null(out, fo[f]));
            continue;
        }
        buf_reset(&escaped);
        copyrow_text_encode(masked.data, masked.len, &escaped);
        if (escaped.len != fo[f].len || memcmp(escaped.data, out_f, escaped.len) != 0)
            ck_abort_msg("field %d of %s: got %.*s, expected %.*s", f, row, (int) fo[f].len, out_f,
                         (int) escaped.len, escaped.data);
        changed += fi[f].len != fo[f].len || memcmp(in_f, out_f, fi[f].len) != 0;
    }
    buf_free(&raw);
    buf_free(&masked);
    buf_free(&escaped);
    return changed;
}

/* Masks row through ms, asserting success; the output is appended to all (may be NULL). */
static void
s_text_message(maskstream_t *ms, const char *row, buf_t *all, const char **out, size_t *outlen)
{
    err_t err;

    err_clear(&err);
    if (maskstream_message(ms, row, strlen(row), out, outlen, &err) != 0)
        ck_abort_msg("row %s: %s", row, err.message);
    if (all != NULL)
        buf_append(all, *out, *outlen);
}

START_TEST(test_text_rows)
{
    value_t *entries = s_customers();
    maskstream_t *ms = s_stream(entries, 5, false, &s_key_a);
    expect_t x;
    const char *out;
    size_t outlen;
    err_t err;

    s_expect_init(&x, entries);
    for (int r = 0; r < NROWS; r++) {
        /* each row in its own allocation, freed before the output is checked */
        char *copy = strdup(s_rows[r]);
        buf_t kept;
        int changed;

        buf_init(&kept);
        s_text_message(ms, copy, &kept, &out, &outlen);
        free(copy);
        changed = s_check_text_row(&x, &s_key_a, 5, s_rows[r], kept.data, kept.len);
        if (r == 0 || r == 1 || r == 5)
            ck_assert_int_eq(changed, 3); /* every masked field had letters */
        buf_free(&kept);
    }

    /* exactly: the NULL row keeps its NULLs and its masked text "\N" stays a text */
    s_text_message(ms, s_rows[2], NULL, &out, &outlen);
    {
        buf_t want, masked;

        buf_init(&want);
        buf_init(&masked);
        ck_assert_int_eq(s_expect_value(&x, 4, &s_key_a, LIT("\\N"), &masked), MASK_VALUE);
        ck_assert(masked.len != 2 || memcmp(masked.data, "\\N", 2) != 0);
        buf_append_str(&want, "3\t\\N\t\\N\t\\N\t");
        copyrow_text_encode(masked.data, masked.len, &want);
        buf_append_byte(&want, '\n');
        ck_assert(outlen == want.len && memcmp(out, want.data, outlen) == 0);
        buf_free(&want);
        buf_free(&masked);
    }

    ck_assert_int_eq(maskstream_finish(ms, &err), 0);
    s_expect_free(&x);
    maskstream_destroy(&ms);
    maskstream_destroy(&ms); /* safe twice */
    ck_assert_ptr_null(ms);
    value_destroy(&entries);
}
END_TEST

START_TEST(test_text_nothing_masked)
{
    /* no entries, or strategy preserve everywhere: every row byte for byte */
    value_t *none = value_new_array();
    value_t *preserve = value_new_array();
    maskstream_t *a, *b;
    const char *out;
    size_t outlen;

    for (int f = 0; f < 5; f++)
        value_array_push(preserve, s_entry(f, "c", "preserve", "text"));
    a = s_stream(none, 5, false, &s_key_a);
    b = s_stream(preserve, 5, false, &s_key_a);
    for (int r = 0; r < NROWS; r++) {
        s_text_message(a, s_rows[r], NULL, &out, &outlen);
        ck_assert(outlen == strlen(s_rows[r]) && memcmp(out, s_rows[r], outlen) == 0);
        s_text_message(b, s_rows[r], NULL, &out, &outlen);
        ck_assert(outlen == strlen(s_rows[r]) && memcmp(out, s_rows[r], outlen) == 0);
    }
    maskstream_destroy(&a);
    maskstream_destroy(&b);
    value_destroy(&none);
    value_destroy(&preserve);
}
END_TEST

START_TEST(test_text_null_and_value)
{
    /* strategy null makes a value NULL; strategy value writes its text escaped */
    value_t *entries = value_new_array();
    value_t *e = s_entry(2, "secret", "value", "text"), *opts = value_new_map();
    maskstream_t *ms;
    const char *out;
    size_t outlen;

    value_array_push(entries, s_entry(0, "email", "null", "text"));
    value_map_put_string(opts, "value", "a\tb\\c\nd");
    value_map_put(e, "options", opts);
    value_array_push(entries, e);
    ms = s_stream(entries, 3, false, &s_key_a);

    s_text_message(ms, "x@y.org\tkeep \\\\ me\thidden\n", NULL, &out, &outlen);
    ck_assert(outlen == strlen("\\N\tkeep \\\\ me\ta\\tb\\\\c\\nd\n"));
    ck_assert_int_eq(memcmp(out, "\\N\tkeep \\\\ me\ta\\tb\\\\c\\nd\n", outlen), 0);
    /* an empty string becomes NULL too; a NULL stays NULL (not the value) */
    s_text_message(ms, "\t\t\\N\n", NULL, &out, &outlen);
    ck_assert(outlen == 7 && memcmp(out, "\\N\t\t\\N\n", 7) == 0);
    /* the text "\N" is not NULL: it is masked */
    s_text_message(ms, "\\\\N\t\\N\t\\\\N\n", NULL, &out, &outlen);
    ck_assert(outlen == strlen("\\N\t\\N\ta\\tb\\\\c\\nd\n"));
    ck_assert_int_eq(memcmp(out, "\\N\t\\N\ta\\tb\\\\c\\nd\n", outlen), 0);
    maskstream_destroy(&ms);
    value_destroy(&entries);
}
END_TEST

/* Asserts that the error names none of the bytes of value in any of its lines. */
static void
s_assert_no_value(const err_t *err, const char *value)
{
    ck_assert_msg(strstr(err->message, value) == NULL, "message: %s", err->message);
    ck_assert_msg(strstr(err->detail, value) == NULL, "detail: %s", err->detail);
    ck_assert_msg(strstr(err->hint, value) == NULL, "hint: %s", err->hint);
}

START_TEST(test_text_field_count)
{
    value_t *entries = s_customers();
    maskstream_t *ms = s_stream(entries, 5, false, &s_key_a);
    const char *out;
    size_t outlen;
    err_t err;

    s_text_message(ms, s_rows[0], NULL, &out, &outlen);
    /* row 2 has one field too few */
    err_clear(&err);
    ck_assert_int_eq(
        maskstream_message(ms, LIT("2\ta@b.org\tnote\tSecretName\n"), &out, &outlen, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_msg(strstr(err.message, TABLE) != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "row 2 has 4 fields") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "5 columns") != NULL, "message: %s", err.message);
    s_assert_no_value(&err, "SecretName");
    maskstream_destroy(&ms);

    /*
     * One field too many: refused by copyrow_text_split, whose message does not name the
     * table: maskstream adds where it happened.
     */
    ms = s_stream(entries, 5, false, &s_key_a);
    err_clear(&err);
    ck_assert_int_eq(
        maskstream_message(ms, LIT("1\ta@b.org\tn\tSecretName\tbio\textra\n"), &out, &outlen, &err),
        -1);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_msg(strstr(err.message, "more than 5 fields") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "public.customers, row 1") != NULL, "message: %s",
                  err.message);
    s_assert_no_value(&err, "SecretName");

    /* a message that is not one row */
    err_clear(&err);
    ck_assert_int_eq(maskstream_message(ms, LIT("1\ta\tb\tc\td"), &out, &outlen, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    err_clear(&err);
    ck_assert_int_eq(
        maskstream_message(ms, LIT("1\ta\tb\tc\td\n2\ta\tb\tc\td\n"), &out, &outlen, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    maskstream_destroy(&ms);
    value_destroy(&entries);
}
END_TEST

START_TEST(test_text_mask_error)
{
    /* strategy date on a value that is not a date: table.column and row, never the value */
    value_t *entries = value_new_array();
    maskstream_t *ms;
    expect_t x;
    const char *out;
    size_t outlen;
    err_t err;

    value_array_push(entries, s_entry(1, "born", "date", "date"));
    ms = s_stream(entries, 2, false, &s_key_a);
    s_expect_init(&x, entries);
    s_text_message(ms, "1\t1990-05-17\n", NULL, &out, &outlen);
    s_check_text_row(&x, &s_key_a, 2, "1\t1990-05-17\n", out, outlen);
    s_text_message(ms, "2\t\\N\n", NULL, &out, &outlen);
    ck_assert(outlen == 5 && memcmp(out, "2\t\\N\n", 5) == 0);
    err_clear(&err);
    ck_assert_int_eq(maskstream_message(ms, LIT("3\tAlice-Secret-1984\n"), &out, &outlen, &err),
                     -1);
    ck_assert_str_eq(err.code, "mask");
    ck_assert_msg(strstr(err.message, TABLE ".born") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "row 3") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "strategy date") != NULL, "message: %s", err.message);
    s_assert_no_value(&err, "Alice");
    s_assert_no_value(&err, "Secret");
    s_assert_no_value(&err, "1984");
    s_expect_free(&x);
    maskstream_destroy(&ms);
    value_destroy(&entries);
}
END_TEST

/* ---- binary format ---- */

/* One binary field: len bytes at data, len -1 for NULL. */
typedef struct bfield {
    const char *data; /* the value's bytes */
    int32_t len;      /* their number, -1 for NULL */
} bfield_t;

/* The initializer of a bfield_t holding a string literal: {BTXT("...")}. */
#define BTXT(s) (s), (int32_t) (sizeof(s) - 1)

/* Appends a network-order int16. */
static void
s_put16(buf_t *b, int v)
{
    uint16_t u = (uint16_t) v;

    buf_append_byte(b, (char) (u >> 8));
    buf_append_byte(b, (char) (u & 0xFF));
}

/* Appends a network-order int32. */
static void
s_put32(buf_t *b, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        buf_append_byte(b, (char) ((v >> shift) & 0xFF));
}

/* Appends the signature, flags 0 and a header extension of ext bytes. */
static void
s_bin_header(buf_t *b, uint32_t ext)
{
    buf_append(b, "PGCOPY\n\377\r\n\0", 11);
    s_put32(b, 0);
    s_put32(b, ext);
    for (uint32_t i = 0; i < ext; i++)
        buf_append_byte(b, (char) (0xF0 + i));
}

/* Appends a tuple of n fields. */
static void
s_bin_tuple(buf_t *b, int n, const bfield_t *fields)
{
    s_put16(b, n);
    for (int i = 0; i < n; i++) {
        s_put32(b, (uint32_t) fields[i].len);
        if (fields[i].len > 0)
            buf_append(b, fields[i].data, (size_t) fields[i].len);
    }
}

/* Binary columns: id (int4), email, note (text, not masked), full_name, bio. */
#define BIN_NF 5

/* The sample binary stream (header extension of ext bytes). */
static void
s_bin_sample(buf_t *b, uint32_t ext)
{
    static const bfield_t t1[BIN_NF] = {{BTXT("\0\0\0\1")},
                                        {BTXT("alice@example.com")},
                                        {BTXT("note\twith tab\nand newline \\N")},
                                        {BTXT("Alice Martin")},
                                        {BTXT("Loves tea")}};
    static const bfield_t t2[BIN_NF] = {{BTXT("\0\0\0\2")},
                                        {NULL, -1},
                                        {BTXT("caf\303\251")},
                                        {BTXT("Jos\303\251 \346\235\261")},
                                        {BTXT("\360\237\230\200 emoji \303\251t\303\251")}};
    /* id -1 (bytes that look like a NULL length), an empty note, every masked one NULL */
    static const bfield_t t3[BIN_NF] = {
        {BTXT("\377\377\377\377")}, {NULL, -1}, {BTXT("")}, {NULL, -1}, {NULL, -1}};
    /* lengths that hold zero and 0xFF bytes */
    static const bfield_t t4[BIN_NF] = {{BTXT("\0\0\1\0")},
                                        {BTXT("\\N@x.org")},
                                        {NULL, -1},
                                        {BTXT("O'Brien-Smith")},
                                        {BTXT("x1 y2")}};

    s_bin_header(b, ext);
    s_bin_tuple(b, BIN_NF, t1);
    s_bin_tuple(b, BIN_NF, t2);
    s_bin_tuple(b, BIN_NF, t3);
    s_bin_tuple(b, BIN_NF, t4);
    s_put16(b, -1);
}

/* Feeds stream to ms in messages ending at cuts[0..ncuts) then at the end; output into out. */
static int
s_bin_run(maskstream_t *ms, const buf_t *stream, const size_t *cuts, int ncuts, buf_t *out,
          err_t *err)
{
    size_t from = 0;

    buf_reset(out);
    err_clear(err);
    for (int c = 0; c <= ncuts; c++) {
        size_t to = cuts != NULL && c < ncuts ? cuts[c] : stream->len;
        char *msg = malloc(to - from + 1);
        const char *o;
        size_t olen;
        int rc;

        CHECK(msg != NULL && to >= from);
        memcpy(msg, stream->data + from, to - from);
        rc = maskstream_message(ms, msg, to - from, &o, &olen, err);
        free(msg);
        if (rc != 0)
            return rc;
        buf_append(out, o, olen);
        from = to;
    }
    return 0;
}

/*
 * Asserts that out is stream masked under key: the same header and trailer, each tuple's
 * masked fields what mask_apply gives, the others byte-identical, NULL kept. Returns the
 * number of masked non-NULL fields whose bytes changed.
 */
static int
s_check_binary(const expect_t *x, const mask_key_t *key, const buf_t *stream, const buf_t *out)
{
    copyrow_bin_t *pin = copyrow_bin_new(MAXF), *pout = copyrow_bin_new(MAXF);
    copyrow_bin_item_t a, b;
    buf_t masked;
    err_t err;
    int rc, changed = 0, items = 0;

    buf_init(&masked);
    err_clear(&err);
    copyrow_bin_feed(pin, stream->data, stream->len);
    copyrow_bin_feed(pout, out->data, out->len);
    while ((rc = copyrow_bin_next(pin, &a, &err)) == 1) {
        if (copyrow_bin_next(pout, &b, &err) != 1)
            ck_abort_msg("output item %d: %s", items, err.message);
        items++;
        CHECK(a.kind == b.kind);
        if (a.kind != COPYROW_BIN_TUPLE) {
            CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
            continue;
        }
        CHECK(a.nfields == b.nfields);
        for (int f = 0; f < a.nfields; f++) {
            const char *ad = a.data + a.fields[f].off, *bd = b.data + b.fields[f].off;
            int32_t al = a.fields[f].len, bl = b.fields[f].len;

            if (x->rules[f] == NULL || al < 0) {
                CHECK(al == bl && (al <= 0 || memcmp(ad, bd, (size_t) al) == 0));
                continue;
            }
            if (s_expect_value(x, f, key, ad, (size_t) al, &masked) == MASK_NULL) {
                CHECK(bl == -1);
                continue;
            }
            if ((size_t) bl != masked.len || memcmp(bd, masked.data, masked.len) != 0)
                ck_abort_msg("tuple %d field %d: got %.*s, expected %.*s", items, f, (int) bl, bd,
                             (int) masked.len, masked.data);
            changed += al != bl || memcmp(ad, bd, (size_t) al) != 0;
        }
    }
    CHECK(rc == 0);
    CHECK(copyrow_bin_next(pout, &b, &err) == 0); /* nothing more in the output */
    CHECK(copyrow_bin_finish(pin, &err) == 0);
    CHECK(copyrow_bin_finish(pout, &err) == 0);
    CHECK(items == 6); /* header, 4 tuples, trailer */
    buf_free(&masked);
    copyrow_bin_destroy(&pin);
    copyrow_bin_destroy(&pout);
    return changed;
}

/* Runs stream through a new stream in the messages cuts gives; asserts the result. */
static void
s_bin_case(const value_t *entries, const expect_t *x, const buf_t *stream, const size_t *cuts,
           int ncuts, const buf_t *whole)
{
    maskstream_t *ms = s_stream(entries, BIN_NF, true, &s_key_a);
    buf_t out;
    err_t err;

    buf_init(&out);
    if (s_bin_run(ms, stream, cuts, ncuts, &out, &err) != 0)
        ck_abort_msg("%d cuts, the first at %zu: %s", ncuts, ncuts ? cuts[0] : 0, err.message);
    CHECK(maskstream_finish(ms, &err) == 0);
    if (whole != NULL) /* the same bytes however the stream was cut */
        CHECK(out.len == whole->len && memcmp(out.data, whole->data, out.len) == 0);
    else
        CHECK(s_check_binary(x, &s_key_a, stream, &out) == 8);
    buf_free(&out);
    maskstream_destroy(&ms);
}

START_TEST(test_binary_framing)
{
    value_t *entries = s_customers();
    expect_t x;
    buf_t stream, whole;
    size_t cuts[512];
    maskstream_t *ms;
    err_t err;
    unsigned seed = 4242;

    s_expect_init(&x, entries);
    buf_init(&stream);
    buf_init(&whole);
    s_bin_sample(&stream, 0);
    ck_assert_uint_lt(stream.len, sizeof(cuts) / sizeof(cuts[0]));

    /* one message; its output is the reference for every other cut */
    s_bin_case(entries, &x, &stream, NULL, 0, NULL);
    ms = s_stream(entries, BIN_NF, true, &s_key_a);
    ck_assert_int_eq(s_bin_run(ms, &stream, NULL, 0, &whole, &err), 0);
    ck_assert_int_eq(maskstream_finish(ms, &err), 0);
    maskstream_destroy(&ms);

    /* as the server cuts it: a message per tuple (the header with the first), the trailer */
    {
        size_t server[4];
        size_t pos = 19; /* after the header */
        int n = 0;

        for (int t = 0; t < 4; t++) {
            pos += 2;
            for (int f = 0; f < BIN_NF; f++) {
                int32_t len = (int32_t) (((uint32_t) (unsigned char) stream.data[pos] << 24) |
                                         ((uint32_t) (unsigned char) stream.data[pos + 1] << 16) |
                                         ((uint32_t) (unsigned char) stream.data[pos + 2] << 8) |
                                         (uint32_t) (unsigned char) stream.data[pos + 3]);

                pos += 4 + (len > 0 ? (size_t) len : 0);
            }
            server[n++] = pos;
        }
        ck_assert_uint_eq(server[3], stream.len - 2);
        s_bin_case(entries, &x, &stream, server, 4, &whole);
    }

    /* two messages, cut at every byte: inside the signature, a tuple, a length word */
    for (size_t c = 1; c < stream.len; c++)
        s_bin_case(entries, &x, &stream, &c, 1, &whole);

    /* one byte per message */
    for (size_t c = 0; c + 1 < stream.len; c++)
        cuts[c] = c + 1;
    s_bin_case(entries, &x, &stream, cuts, (int) stream.len - 1, &whole);

    /* random cuts of 1 to 9 bytes, some empty messages among them */
    for (int iter = 0; iter < 100; iter++) {
        int n = 0;
        size_t pos = 0;

        for (;;) {
            pos += (size_t) (rand_r(&seed) % 10);
            if (pos >= stream.len)
                break;
            cuts[n++] = pos;
        }
        s_bin_case(entries, &x, &stream, cuts, n, &whole);
    }

    /* a header extension changes nothing but the header */
    buf_reset(&stream);
    s_bin_sample(&stream, 7);
    s_bin_case(entries, &x, &stream, NULL, 0, NULL);
    for (size_t c = 10; c < 30; c++)
        s_bin_case(entries, &x, &stream, &c, 1, NULL);

    s_expect_free(&x);
    buf_free(&stream);
    buf_free(&whole);
    value_destroy(&entries);
}
END_TEST

START_TEST(test_binary_null_strategy)
{
    /* strategy null in binary: a length of -1 */
    value_t *entries = value_new_array();
    static const bfield_t t[2] = {{BTXT("keep")}, {BTXT("secret")}};
    maskstream_t *ms;
    buf_t stream, out, want;
    err_t err;

    value_array_push(entries, s_entry(1, "token", "null", "text"));
    buf_init(&stream);
    buf_init(&out);
    buf_init(&want);
    s_bin_header(&stream, 0);
    s_bin_tuple(&stream, 2, t);
    s_put16(&stream, -1);
    s_bin_header(&want, 0);
    s_put16(&want, 2);
    s_put32(&want, 4);
    buf_append(&want, "keep", 4);
    s_put32(&want, UINT32_MAX);
    s_put16(&want, -1);
    ms = s_stream(entries, 2, true, &s_key_a);
    ck_assert_int_eq(s_bin_run(ms, &stream, NULL, 0, &out, &err), 0);
    ck_assert_int_eq(maskstream_finish(ms, &err), 0);
    ck_assert(out.len == want.len && memcmp(out.data, want.data, out.len) == 0);
    maskstream_destroy(&ms);
    buf_free(&stream);
    buf_free(&out);
    buf_free(&want);
    value_destroy(&entries);
}
END_TEST

START_TEST(test_binary_finish)
{
    value_t *entries = s_customers();
    buf_t stream, out;
    maskstream_t *ms;
    err_t err;
    size_t cut;

    buf_init(&stream);
    buf_init(&out);
    s_bin_sample(&stream, 0);

    /* cut before the trailer, inside the trailer, inside a tuple, inside the header */
    for (int k = 0; k < 5; k++) {
        size_t ends[] = {stream.len - 2, stream.len - 1, stream.len - 10, 15, 0};
        buf_t part;

        buf_init(&part);
        buf_append(&part, stream.data, ends[k]);
        ms = s_stream(entries, BIN_NF, true, &s_key_a);
        ck_assert_int_eq(s_bin_run(ms, &part, NULL, 0, &out, &err), 0);
        err_clear(&err);
        ck_assert_int_eq(maskstream_finish(ms, &err), -1);
        ck_assert(err_isset(&err));
        ck_assert_msg(strstr(err.message, "trailer") != NULL, "message: %s", err.message);
        maskstream_destroy(&ms);
        buf_free(&part);
    }

    /* whole, in two messages around the trailer: 0 */
    ms = s_stream(entries, BIN_NF, true, &s_key_a);
    cut = stream.len - 1;
    ck_assert_int_eq(s_bin_run(ms, &stream, &cut, 1, &out, &err), 0);
    ck_assert_int_eq(maskstream_finish(ms, &err), 0);
    maskstream_destroy(&ms);

    /* text format has nothing to finish */
    ms = s_stream(entries, 5, false, &s_key_a);
    ck_assert_int_eq(maskstream_finish(ms, &err), 0);
    maskstream_destroy(&ms);

    buf_free(&stream);
    buf_free(&out);
    value_destroy(&entries);
}
END_TEST

START_TEST(test_binary_errors)
{
    value_t *entries = s_customers();
    value_t *ip = value_new_array();
    static const bfield_t four[4] = {
        {BTXT("\0\0\0\1")}, {BTXT("SecretMail@x.org")}, {NULL, -1}, {NULL, -1}};
    static const bfield_t six[6] = {{BTXT("\0\0\0\1")}, {NULL, -1}, {NULL, -1},
                                    {NULL, -1},         {NULL, -1}, {NULL, -1}};
    static const bfield_t good[2] = {{BTXT("1")}, {BTXT("10.1.2.3")}};
    static const bfield_t bad[2] = {{BTXT("2")}, {BTXT("SecretHost.example")}};
    buf_t stream, out;
    maskstream_t *ms;
    err_t err;

    buf_init(&stream);
    buf_init(&out);

    /* a first tuple with too few fields: the table and the row */
    s_bin_header(&stream, 0);
    s_bin_tuple(&stream, 4, four);
    ms = s_stream(entries, BIN_NF, true, &s_key_a);
    ck_assert_int_eq(s_bin_run(ms, &stream, NULL, 0, &out, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_msg(strstr(err.message, TABLE ": row 1 has 4 fields") != NULL, "message: %s",
                  err.message);
    s_assert_no_value(&err, "SecretMail");
    maskstream_destroy(&ms);

    /* too many fields: copyrow refuses it (its message does not name the table) */
    buf_reset(&stream);
    s_bin_header(&stream, 0);
    s_bin_tuple(&stream, 6, six);
    ms = s_stream(entries, BIN_NF, true, &s_key_a);
    ck_assert_int_eq(s_bin_run(ms, &stream, NULL, 0, &out, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    maskstream_destroy(&ms);

    /* a bad signature */
    buf_reset(&stream);
    buf_append(&stream, "PGCOPY\n\377\r\n\1\0\0\0\0\0\0\0\0", 19);
    ms = s_stream(entries, BIN_NF, true, &s_key_a);
    ck_assert_int_eq(s_bin_run(ms, &stream, NULL, 0, &out, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    maskstream_destroy(&ms);

    /* a mask error in the second tuple, cut inside it: table.column, row 2, no value */
    value_array_push(ip, s_entry(1, "last_ip", "ip", "text"));
    buf_reset(&stream);
    s_bin_header(&stream, 0);
    s_bin_tuple(&stream, 2, good);
    s_bin_tuple(&stream, 2, bad);
    s_put16(&stream, -1);
    ms = s_stream(ip, 2, true, &s_key_a);
    {
        size_t cut = stream.len - 8;

        ck_assert_int_eq(s_bin_run(ms, &stream, &cut, 1, &out, &err), -1);
    }
    ck_assert_str_eq(err.code, "mask");
    ck_assert_msg(strstr(err.message, TABLE ".last_ip, row 2") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "strategy ip") != NULL, "message: %s", err.message);
    s_assert_no_value(&err, "SecretHost");
    maskstream_destroy(&ms);

    buf_free(&stream);
    buf_free(&out);
    value_destroy(&entries);
    value_destroy(&ip);
}
END_TEST

/* ---- determinism ---- */

START_TEST(test_determinism)
{
    value_t *entries = s_customers();
    maskstream_t *a1 = s_stream(entries, 5, false, &s_key_a);
    maskstream_t *a2 = s_stream(entries, 5, false, &s_key_a2);
    maskstream_t *b = s_stream(entries, 5, false, &s_key_b);
    buf_t out_a1, out_a2, out_b, stream, bin_a1, bin_a2, bin_b;
    expect_t x;
    const char *out;
    size_t outlen;
    err_t err;
    int differ = 0;

    s_expect_init(&x, entries);
    buf_init(&out_a1);
    buf_init(&out_a2);
    buf_init(&out_b);
    for (int r = 0; r < NROWS; r++) {
        copyrow_field_t f1[MAXF], fb[MAXF];

        buf_reset(&out_a1);
        buf_reset(&out_a2);
        buf_reset(&out_b);
        s_text_message(a1, s_rows[r], &out_a1, &out, &outlen);
        s_text_message(a2, s_rows[r], &out_a2, &out, &outlen);
        s_text_message(b, s_rows[r], &out_b, &out, &outlen);
        /* the same key (derived twice from one secret): the same bytes */
        CHECK(out_a1.len == out_a2.len && memcmp(out_a1.data, out_a2.data, out_a1.len) == 0);
        /* another key: still correct under it; only masked non-NULL fields differ */
        s_check_text_row(&x, &s_key_b, 5, s_rows[r], out_b.data, out_b.len);
        CHECK(copyrow_text_split(out_a1.data, out_a1.len, f1, MAXF, &err) == 5);
        CHECK(copyrow_text_split(out_b.data, out_b.len, fb, MAXF, &err) == 5);
        for (int f = 0; f < 5; f++) {
            bool same = f1[f].len == fb[f].len &&
                        memcmp(out_a1.data + f1[f].off, out_b.data + fb[f].off, f1[f].len) == 0;

            CHECK(x.rules[f] != NULL || same);
            differ += !same;
        }
    }
    /* rows 1, 2 and 6 have three masked values with letters each: all change with the key */
    ck_assert_int_ge(differ, 9);
    maskstream_destroy(&a1);
    maskstream_destroy(&a2);
    maskstream_destroy(&b);

    /* binary: the same */
    buf_init(&stream);
    buf_init(&bin_a1);
    buf_init(&bin_a2);
    buf_init(&bin_b);
    s_bin_sample(&stream, 0);
    a1 = s_stream(entries, BIN_NF, true, &s_key_a);
    a2 = s_stream(entries, BIN_NF, true, &s_key_a2);
    b = s_stream(entries, BIN_NF, true, &s_key_b);
    ck_assert_int_eq(s_bin_run(a1, &stream, NULL, 0, &bin_a1, &err), 0);
    ck_assert_int_eq(s_bin_run(a2, &stream, NULL, 0, &bin_a2, &err), 0);
    ck_assert_int_eq(s_bin_run(b, &stream, NULL, 0, &bin_b, &err), 0);
    ck_assert(bin_a1.len == bin_a2.len && memcmp(bin_a1.data, bin_a2.data, bin_a1.len) == 0);
    ck_assert(bin_a1.len != bin_b.len || memcmp(bin_a1.data, bin_b.data, bin_a1.len) != 0);
    ck_assert_int_eq(s_check_binary(&x, &s_key_b, &stream, &bin_b), 8);
    maskstream_destroy(&a1);
    maskstream_destroy(&a2);
    maskstream_destroy(&b);

    s_expect_free(&x);
    buf_free(&out_a1);
    buf_free(&out_a2);
    buf_free(&out_b);
    buf_free(&stream);
    buf_free(&bin_a1);
    buf_free(&bin_a2);
    buf_free(&bin_b);
    value_destroy(&entries);
}
END_TEST

/* ---- maskstream_new ---- */

/* Asserts that entries do not build a stream of nfields; returns the error. */
static err_t
s_new_fails(const value_t *entries, int nfields, const char *code)
{
    maskstream_t *ms;
    err_t err;

    err_clear(&err);
    ms = maskstream_new(entries, nfields, false, TABLE, &s_key_a, &err);
    if (ms != NULL) {
        maskstream_destroy(&ms);
        ck_abort_msg("maskstream_new accepted the entries");
    }
    ck_assert_str_eq(err.code, code);
    return err;
}

START_TEST(test_new_errors)
{
    value_t *entries;
    value_t *e;
    err_t err;

    /* a field out of range: past the end, negative, missing */
    entries = value_new_array();
    value_array_push(entries, s_entry(5, "email", "email", "text"));
    err = s_new_fails(entries, 5, "protocol");
    ck_assert_msg(strstr(err.message, TABLE) != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "field 5 of 5") != NULL, "message: %s", err.message);
    value_destroy(&entries);

    entries = value_new_array();
    value_array_push(entries, s_entry(-1, "email", "email", "text"));
    s_new_fails(entries, 5, "protocol");
    value_destroy(&entries);

    entries = value_new_array();
    e = value_new_map();
    value_map_put_string(e, "column", "email");
    value_map_put_string(e, "strategy", "email");
    value_array_push(entries, e);
    s_new_fails(entries, 5, "protocol");
    value_destroy(&entries);

    /* a duplicate field (after a good one, which must be freed) */
    entries = value_new_array();
    value_array_push(entries, s_entry(0, "a", "text", "text"));
    value_array_push(entries, s_entry(2, "b", "email", "text"));
    value_array_push(entries, s_entry(2, "c", "name", "text"));
    err = s_new_fails(entries, 3, "protocol");
    ck_assert_msg(strstr(err.message, "entry 2 of " TABLE) != NULL, "message: %s", err.message);
    value_destroy(&entries);

    /* an unknown strategy: code rules, the column in the detail */
    entries = value_new_array();
    value_array_push(entries, s_entry(0, "a", "text", "text"));
    value_array_push(entries, s_entry(1, "email", "scramble", "text"));
    err = s_new_fails(entries, 2, "rules");
    ck_assert_msg(strstr(err.message, "scramble") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.detail, TABLE ".email") != NULL, "detail: %s", err.detail);
    value_destroy(&entries);

    /* a rule that does not fit its column's type; strategy null on a NOT NULL column */
    entries = value_new_array();
    value_array_push(entries, s_entry(0, "id", "email", "integer"));
    s_new_fails(entries, 1, "rules");
    value_destroy(&entries);
    entries = value_new_array();
    e = s_entry(0, "email", "null", "text");
    value_map_put_bool(e, "not_null", true);
    value_array_push(entries, e);
    s_new_fails(entries, 1, "rules");
    value_destroy(&entries);

    /* no columns */
    entries = value_new_array();
    s_new_fails(entries, 0, "protocol");
    value_destroy(&entries);
}
END_TEST

Suite *test_maskstream_suite(void);

Suite *
test_maskstream_suite(void)
{
    Suite *s = suite_create("maskstream");
    TCase *text = tcase_create("text");
    TCase *bin = tcase_create("binary");
    TCase *misc = tcase_create("misc");

    tcase_add_checked_fixture(text, s_setup, NULL);
    tcase_add_test(text, test_text_rows);
    tcase_add_test(text, test_text_nothing_masked);
    tcase_add_test(text, test_text_null_and_value);
    tcase_add_test(text, test_text_field_count);
    tcase_add_test(text, test_text_mask_error);
    suite_add_tcase(s, text);

    tcase_add_checked_fixture(bin, s_setup, NULL);
    tcase_add_test(bin, test_binary_framing);
    tcase_add_test(bin, test_binary_null_strategy);
    tcase_add_test(bin, test_binary_finish);
    tcase_add_test(bin, test_binary_errors);
    tcase_set_timeout(bin, 120);
    suite_add_tcase(s, bin);

    tcase_add_checked_fixture(misc, s_setup, NULL);
    tcase_add_test(misc, test_determinism);
    tcase_add_test(misc, test_new_errors);
    suite_add_tcase(s, misc);
    return s;
}
