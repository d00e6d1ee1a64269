/*
 * test_copyrow.c - COPY rows, text and binary: split, decode, encode, rewrite, the binary
 * state machine across message boundaries, and random round trips.
 *
 * A note on encodings: every multibyte test here is UTF-8, where each byte of a multibyte
 * character is >= 0x80, so no such byte can be mistaken for a backslash (0x5C), a tab or a
 * newline. In SJIS, BIG5, GBK, UHC, GB18030 and JOHAB a trailing byte can be 0x5C (SJIS "ソ"
 * is 0x83 0x5C): a byte parser would break those characters, which is why
 * copyrow_encoding_supported refuses them (confiture uses the source's server_encoding as the
 * client_encoding, and those are client-only encodings, so it should never see one).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/copyrow.h"

#define MAXF 16

/*
 * An assertion for loops: Check's ck_assert records every passing assertion (a pipe write in
 * fork mode), which makes the random round trips crawl under valgrind; this one costs nothing
 * until it fails.
 */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)
#define CHECK_EQ(a, b) CHECK((a) == (b))

/* A row literal and its length (literals may hold NUL bytes). */
#define ROW(s) (s), (sizeof(s) - 1)

/* Splits row, asserting success and n fields. */
static void
s_split(const char *row, size_t len, copyrow_field_t *fields, int n)
{
    err_t err;

    err_clear(&err);
    ck_assert_int_eq(copyrow_text_split(row, len, fields, MAXF, &err), n);
    ck_assert(!err_isset(&err));
}

/* Asserts field f of row is exactly the escaped bytes s. */
static void
s_assert_field(const char *row, copyrow_field_t f, const char *s)
{
    ck_assert_uint_eq(f.len, strlen(s));
    ck_assert_int_eq(memcmp(row + f.off, s, f.len), 0);
}

/* Asserts that splitting row fails with a message containing what. */
static void
s_split_fails(const char *row, size_t len, int max_fields, const char *what)
{
    copyrow_field_t fields[MAXF];
    err_t err;

    err_clear(&err);
    ck_assert_int_eq(copyrow_text_split(row, len, fields, max_fields, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_msg(strstr(err.message, what) != NULL, "message: %s", err.message);
}

/* Asserts that decoding escaped (n bytes) gives raw (rawlen bytes). */
static void
s_assert_decode(const char *escaped, size_t n, const char *raw, size_t rawlen)
{
    buf_t out;
    err_t err;

    buf_init(&out);
    buf_append(&out, "pre", 3); /* decode appends */
    err_clear(&err);
    ck_assert_int_eq(copyrow_text_decode(escaped, n, &out, &err), 0);
    ck_assert_uint_eq(out.len, 3 + rawlen);
    ck_assert_int_eq(memcmp(out.data, "pre", 3), 0);
    ck_assert_msg(memcmp(out.data + 3, raw, rawlen) == 0, "decoding %.*s", (int) n, escaped);
    buf_free(&out);
}

/* Asserts that encoding raw (n bytes) gives escaped (elen bytes). */
static void
s_assert_encode(const char *raw, size_t n, const char *escaped, size_t elen)
{
    buf_t out;

    buf_init(&out);
    buf_append(&out, "pre", 3); /* encode appends */
    copyrow_text_encode(raw, n, &out);
    ck_assert_uint_eq(out.len, 3 + elen);
    ck_assert_int_eq(memcmp(out.data, "pre", 3), 0);
    ck_assert_int_eq(memcmp(out.data + 3, escaped, elen), 0);
    buf_free(&out);
}

/* ---- replacement callbacks ---- */

/* Gives back the value it got (NULL stays NULL). */
static int
s_cb_copy(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out,
          err_t *err)
{
    if (is_null)
        return COPYROW_NULL;
    buf_append(out, raw, rawlen);
    return COPYROW_VALUE;
}

/* Replaces every value with the NUL-terminated string arg. */
static int
s_cb_const(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out,
           err_t *err)
{
    buf_append(out, arg, strlen(arg));
    return COPYROW_VALUE;
}

/* Returns the code in *arg after appending junk (which the rewrite must drop). */
static int
s_cb_code(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out,
          err_t *err)
{
    buf_append(out, "junk\t\\", 6);
    if (*(int *) arg < 0)
        err_set(err, "mask", 3, "masking field %d failed", field);
    return *(int *) arg;
}

/* What the recording callback saw. */
typedef struct seen {
    int calls;          /* number of calls */
    int field[MAXF];    /* field index of each call */
    bool null[MAXF];    /* is_null of each call */
    char raw[MAXF][64]; /* raw value of each call (NUL-terminated copy) */
    size_t len[MAXF];   /* rawlen of each call */
} seen_t;

/* Records its arguments and keeps the field. */
static int
s_cb_record(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out,
            err_t *err)
{
    seen_t *s = arg;

    ck_assert_int_lt(s->calls, MAXF);
    ck_assert(is_null ? raw == NULL && rawlen == 0 : raw != NULL);
    s->field[s->calls] = field;
    s->null[s->calls] = is_null;
    s->len[s->calls] = rawlen;
    ck_assert_uint_lt(rawlen, sizeof(s->raw[0]));
    if (rawlen > 0)
        memcpy(s->raw[s->calls], raw, rawlen);
    s->raw[s->calls][rawlen] = '\0';
    s->calls++;
    return COPYROW_KEEP;
}

/* Rewrites row with callback cb/arg on the fields set in masked; asserts the result. */
static void
s_assert_rewrite(const char *row, size_t len, const bool *masked, copyrow_replace_fn *cb, void *arg,
                 const char *expect, size_t elen)
{
    copyrow_field_t fields[MAXF];
    buf_t out, scratch;
    err_t err;
    int n;

    buf_init(&out);
    buf_init(&scratch);
    err_clear(&err);
    n = copyrow_text_split(row, len, fields, MAXF, &err);
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(
        copyrow_text_rewrite(row, len, fields, n, cb, masked, arg, &scratch, &out, &err), 0);
    ck_assert_msg(out.len == elen && memcmp(out.data, expect, elen) == 0, "got %.*s", (int) out.len,
                  out.data);
    buf_free(&out);
    buf_free(&scratch);
}

/* ---- text: split ---- */

START_TEST(test_text_split_basic)
{
    const char *row = "42\talice@example.com\t\\N\t\n";
    copyrow_field_t f[MAXF];

    s_split(row, strlen(row), f, 4);
    s_assert_field(row, f[0], "42");
    s_assert_field(row, f[1], "alice@example.com");
    s_assert_field(row, f[2], "\\N");
    s_assert_field(row, f[3], ""); /* an empty string at the end */
    ck_assert(!copyrow_text_is_null(row, f[0]));
    ck_assert(copyrow_text_is_null(row, f[2]));
    ck_assert(!copyrow_text_is_null(row, f[3]));

    /* empty fields everywhere */
    s_split(ROW("\t\t\n"), f, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(f[i].len, 0);
    ck_assert_uint_eq(f[2].off, 2);

    /* a lone newline is one empty field (a one-column table's empty string) */
    s_split(ROW("\n"), f, 1);
    ck_assert_uint_eq(f[0].off, 0);
    ck_assert_uint_eq(f[0].len, 0);

    /* exactly max_fields is fine, one more is not */
    ck_assert_int_eq(copyrow_text_split(ROW("a\tb\tc\n"), f, 3, NULL), 3);
    s_split_fails(ROW("a\tb\tc\td\n"), 3, "more than 3 fields");
    s_split_fails(ROW("\n"), 0, "more than 0 fields");
}
END_TEST

START_TEST(test_text_split_newlines)
{
    copyrow_field_t f[MAXF];

    /* the final newline is required, unescaped, and the only unescaped one */
    s_split_fails(ROW(""), MAXF, "does not end with a newline");
    s_split_fails(ROW("a\tb"), MAXF, "does not end with a newline");
    s_split_fails(ROW("a\\\n"), MAXF, "does not end with a newline");
    s_split_fails(ROW("a\\\\\\\n"), MAXF, "does not end with a newline");
    s_split_fails(ROW("a\tb\nc\td\n"), MAXF, "more than one row");
    s_split_fails(ROW("\n\n"), MAXF, "more than one row");
    s_split_fails(ROW("a\\\\\nb\n"), MAXF, "more than one row");

    /* an even run of backslashes before the newline is data */
    s_split(ROW("a\\\\\n"), f, 1);
    s_assert_field("a\\\\\n", f[0], "a\\\\");

    /* a backslash-newline is a data newline (the server reads it so) */
    s_split(ROW("a\\\nb\tc\n"), f, 2);
    s_assert_field("a\\\nb\tc\n", f[0], "a\\\nb");
    s_assert_decode(ROW("a\\\nb"), ROW("a\nb"));

    /* a raw carriage return is data to the parser */
    s_split(ROW("a\rb\tc\n"), f, 2);
    s_assert_field("a\rb\tc\n", f[0], "a\rb");
}
END_TEST

START_TEST(test_text_split_escaped_tabs)
{
    copyrow_field_t f[MAXF];

    /* backslash-tab is a data tab, not a separator */
    s_split(ROW("a\\\tb\tc\n"), f, 2);
    s_assert_field("a\\\tb\tc\n", f[0], "a\\\tb");
    s_assert_field("a\\\tb\tc\n", f[1], "c");
    s_assert_decode(ROW("a\\\tb"), ROW("a\tb"));

    /* an escaped backslash then a separator */
    s_split(ROW("a\\\\\tb\n"), f, 2);
    s_assert_field("a\\\\\tb\n", f[0], "a\\\\");
    s_assert_field("a\\\\\tb\n", f[1], "b");

    /* three backslashes: an escaped backslash then a data tab */
    s_split(ROW("\\\\\\\tb\n"), f, 1);
    s_assert_decode(ROW("\\\\\\\tb"), ROW("\\\tb"));

    /* a field that is only an escaped tab, and a row that starts with a tab */
    s_split(ROW("\\\t\t\tx\n"), f, 3);
    s_assert_field("\\\t\t\tx\n", f[0], "\\\t");
    s_assert_field("\\\t\t\tx\n", f[1], "");
    s_assert_field("\\\t\t\tx\n", f[2], "x");

    /* escapes that end next to a separator */
    s_split(ROW("\\N\t\\\\N\t\\t\t\\\\\n"), f, 4);
    ck_assert(copyrow_text_is_null("\\N\t\\\\N\t\\t\t\\\\\n", f[0]));
    ck_assert(!copyrow_text_is_null("\\N\t\\\\N\t\\t\t\\\\\n", f[1]));
    s_assert_field("\\N\t\\\\N\t\\t\t\\\\\n", f[3], "\\\\");
}
END_TEST

/* ---- text: decode, encode ---- */

START_TEST(test_text_decode_escapes)
{
    /* the ones the server writes */
    s_assert_decode(ROW("\\\\"), ROW("\\"));
    s_assert_decode(ROW("\\b\\f\\n\\r\\t\\v"), ROW("\b\f\n\r\t\v"));
    s_assert_decode(ROW("a\\tb\\nc\\\\d"), ROW("a\tb\nc\\d"));
    /* octal: 1 to 3 digits, masked to a byte */
    s_assert_decode(ROW("\\101"), ROW("A"));
    s_assert_decode(ROW("\\7"), ROW("\7"));
    s_assert_decode(ROW("\\07x"), ROW("\7x"));
    s_assert_decode(ROW("\\1234"), ROW("S4"));
    s_assert_decode(ROW("\\377"), ROW("\377"));
    s_assert_decode(ROW("\\777"), ROW("\377"));
    s_assert_decode(ROW("\\18"), ROW("\0018"));
    s_assert_decode(ROW("\\0"), ROW("\0"));
    /* hex: 1 or 2 digits, either case; \x without a digit is x */
    s_assert_decode(ROW("\\x41"), ROW("A"));
    s_assert_decode(ROW("\\x4a\\x4B"), ROW("JK"));
    s_assert_decode(ROW("\\x4"), ROW("\4"));
    s_assert_decode(ROW("\\x4g"), ROW("\4g"));
    s_assert_decode(ROW("\\x414"), ROW("A4"));
    s_assert_decode(ROW("\\xg"), ROW("xg"));
    s_assert_decode(ROW("\\x"), ROW("x"));
    s_assert_decode(ROW("\\xff"), ROW("\377"));
    /* any other byte stands for itself */
    s_assert_decode(ROW("\\q\\.\\N\\8\\ \\\"\\a"), ROW("q.N8 \"a"));
    s_assert_decode(ROW("\\\t\\\n\\\r"), ROW("\t\n\r"));
    s_assert_decode(ROW("\\\303\251"), ROW("\303\251")); /* backslash before a UTF-8 é */
    /* nothing to decode */
    s_assert_decode(ROW(""), ROW(""));
    s_assert_decode(ROW("plain text"), ROW("plain text"));
}
END_TEST

START_TEST(test_text_decode_errors)
{
    buf_t out;
    err_t err;

    buf_init(&out);
    buf_append(&out, "keep", 4);
    err_clear(&err);
    ck_assert_int_eq(copyrow_text_decode(ROW("abc\\"), &out, &err), -1);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_str_eq(err.message, "a text COPY field ends with a lone backslash");
    ck_assert_uint_eq(out.len, 4); /* out as it was */
    ck_assert_int_eq(copyrow_text_decode(ROW("\\"), &out, &err), -1);
    ck_assert_int_eq(copyrow_text_decode(ROW("\\\\\\"), &out, &err), -1);
    ck_assert_uint_eq(out.len, 4);
    buf_free(&out);
}
END_TEST

START_TEST(test_text_null_vs_text)
{
    /* NULL, the text "\N" (the server writes \\N), the text "N", an empty string */
    const char *row = "\\N\t\\\\N\tN\t\n";
    copyrow_field_t f[MAXF];
    bool all[4] = {true, true, true, true};
    seen_t seen = {0};

    s_split(row, strlen(row), f, 4);
    ck_assert(copyrow_text_is_null(row, f[0]));
    ck_assert(!copyrow_text_is_null(row, f[1]));
    ck_assert(!copyrow_text_is_null(row, f[2]));
    ck_assert(!copyrow_text_is_null(row, f[3]));
    s_assert_decode(ROW("\\\\N"), ROW("\\N"));
    s_assert_encode(ROW("\\N"), ROW("\\\\N"));
    /* the callback sees NULL as NULL, the others as their text */
    s_assert_rewrite(row, strlen(row), all, s_cb_record, &seen, row, strlen(row));
    ck_assert_int_eq(seen.calls, 4);
    ck_assert(seen.null[0]);
    ck_assert(!seen.null[1]);
    ck_assert_str_eq(seen.raw[1], "\\N");
    ck_assert(!seen.null[2]);
    ck_assert_str_eq(seen.raw[2], "N");
    ck_assert(!seen.null[3]);
    ck_assert_uint_eq(seen.len[3], 0);
    /* and the copy callback gives back the same row */
    s_assert_rewrite(row, strlen(row), all, s_cb_copy, NULL, row, strlen(row));
    /* an empty string replacing a NULL is an empty field, not \N */
    s_assert_rewrite(ROW("\\N\n"), all, s_cb_const, "", ROW("\n"));
}
END_TEST

START_TEST(test_text_encode)
{
    s_assert_encode(ROW(""), ROW(""));
    s_assert_encode(ROW("plain"), ROW("plain"));
    s_assert_encode(ROW("\\\t\n\r"), ROW("\\\\\\t\\n\\r"));
    /* \b \f \v are escaped as the server writes them (so decode+encode is the identity) */
    s_assert_encode(ROW("\b\f\v"), ROW("\\b\\f\\v"));
    /* other control bytes, NUL and high bytes pass as they are */
    s_assert_encode(ROW("\001\0\033\177\377"), ROW("\001\0\033\177\377"));
    s_assert_encode(ROW("a\tb\nc\\d"), ROW("a\\tb\\nc\\\\d"));
    s_assert_encode(ROW("\\N"), ROW("\\\\N"));
    s_assert_encode(ROW("\\."), ROW("\\\\."));
}
END_TEST

START_TEST(test_text_utf8)
{
    /* é (2 bytes), 😀 (4 bytes), 東京 (3 bytes each): no byte below 0x80, untouched */
    const char *raw = "caf\303\251 \360\237\230\200 \346\235\261\344\272\254";
    const char *row = "1\tcaf\303\251\t\360\237\230\200\\t\346\235\261\344\272\254\n";
    copyrow_field_t f[MAXF];
    bool mask[3] = {false, true, true};

    s_assert_encode(raw, strlen(raw), raw, strlen(raw));
    s_assert_decode(raw, strlen(raw), raw, strlen(raw));
    s_split(row, strlen(row), f, 3);
    s_assert_field(row, f[1], "caf\303\251");
    s_assert_decode(row + f[2].off, f[2].len, ROW("\360\237\230\200\t\346\235\261\344\272\254"));
    s_assert_rewrite(row, strlen(row), mask, s_cb_copy, NULL, row, strlen(row));
    s_assert_rewrite(row, strlen(row), mask, s_cb_const, "\345\220\215\t\303\251",
                     ROW("1\t\345\220\215\\t\303\251\t\345\220\215\\t\303\251\n"));
}
END_TEST

START_TEST(test_encoding_supported)
{
    const char *yes[] = {"UTF8",   "utf8",          "UTF-8",        "Unicode",     "SQL_ASCII",
                         "LATIN1", "latin9",        "ISO_8859_5",   "ISO-8859-1",  "WIN1252",
                         "KOI8R",  "EUC_JP",        "EUC_JIS_2004", "EUC_CN",      "EUC_KR",
                         "EUC_TW", "MULE_INTERNAL", "WIN866",       "windows-1251"};
    const char *no[] = {"SJIS",
                        "Shift_JIS_2004",
                        "SHIFT_JIS_2004",
                        "BIG5",
                        "GBK",
                        "UHC",
                        "GB18030",
                        "JOHAB",
                        "",
                        "klingon",
                        "a-very-long-encoding-name-that-is-not-one-at-all"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        ck_assert_msg(copyrow_encoding_supported(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        ck_assert_msg(!copyrow_encoding_supported(no[i]), "%s", no[i]);
    ck_assert(!copyrow_encoding_supported(NULL));
}
END_TEST

/* ---- text: rewrite ---- */

START_TEST(test_text_rewrite_identity)
{
    const char *row = "7\ta\\tb\t\\N\t\\\\x\\101\t\n";
    bool none[5] = {false, false, false, false, false};
    bool all[5] = {true, true, true, true, true};
    copyrow_field_t f[MAXF];
    buf_t out, scratch;
    err_t err;

    /* nothing masked (or no mask at all): byte-identical, the callback never called */
    s_assert_rewrite(row, strlen(row), none, s_cb_const, "X", row, strlen(row));
    s_assert_rewrite(row, strlen(row), NULL, s_cb_const, "X", row, strlen(row));
    /* every field kept, or copied through the callback: byte-identical too */
    s_assert_rewrite(row, strlen(row), all, s_cb_code, &(int){COPYROW_KEEP}, row, strlen(row));
    /* \101 decodes to A, which the server would have written as A */
    s_assert_rewrite(row, strlen(row), all, s_cb_copy, NULL, ROW("7\ta\\tb\t\\N\t\\\\xA\t\n"));

    /* the rewrite appends to what out holds */
    buf_init(&out);
    buf_init(&scratch);
    err_clear(&err);
    buf_append(&out, "prev\n", 5);
    ck_assert_int_eq(copyrow_text_split(row, strlen(row), f, MAXF, &err), 5);
    ck_assert_int_eq(
        copyrow_text_rewrite(row, strlen(row), f, 5, s_cb_copy, none, NULL, &scratch, &out, &err),
        0);
    ck_assert_uint_eq(out.len, 5 + strlen(row));
    ck_assert_int_eq(memcmp(out.data, "prev\n", 5), 0);
    ck_assert_int_eq(memcmp(out.data + 5, row, strlen(row)), 0);
    buf_free(&out);
    buf_free(&scratch);
}
END_TEST

START_TEST(test_text_rewrite_replace)
{
    const char *row = "1\talice@example.com\tAlice\t+33 6 12\n";
    bool m1[4] = {false, true, false, false};
    bool m3[4] = {false, true, true, true};
    bool m0[4] = {true, false, false, false};

    /* longer, shorter, and special bytes in the new value, escaped */
    s_assert_rewrite(row, strlen(row), m1, s_cb_const, "u1@masked.invalid",
                     ROW("1\tu1@masked.invalid\tAlice\t+33 6 12\n"));
    s_assert_rewrite(row, strlen(row), m1, s_cb_const, "", ROW("1\t\tAlice\t+33 6 12\n"));
    s_assert_rewrite(row, strlen(row), m1, s_cb_const, "a\tb\nc\\d\re",
                     ROW("1\ta\\tb\\nc\\\\d\\re\tAlice\t+33 6 12\n"));
    s_assert_rewrite(row, strlen(row), m3, s_cb_const, "\\N", ROW("1\t\\\\N\t\\\\N\t\\\\N\n"));
    s_assert_rewrite(row, strlen(row), m0, s_cb_const, "\b",
                     ROW("\\b\talice@example.com\tAlice\t+33 6 12\n"));
    /* the last field, right before the newline */
    s_assert_rewrite(row, strlen(row), m3, s_cb_const, "x", ROW("1\tx\tx\tx\n"));
}
END_TEST

START_TEST(test_text_rewrite_conventions)
{
    const char *row = "1\tsecret\t\\N\ttail\n";
    bool m[4] = {false, true, true, false};
    copyrow_field_t f[MAXF];
    seen_t seen = {0};
    buf_t out, scratch;
    err_t err;
    int code;

    /* NULL: the field becomes \N, whatever the callback appended */
    code = COPYROW_NULL;
    s_assert_rewrite(row, strlen(row), m, s_cb_code, &code, ROW("1\t\\N\t\\N\ttail\n"));
    /* KEEP: the field stays as it came */
    code = COPYROW_KEEP;
    s_assert_rewrite(row, strlen(row), m, s_cb_code, &code, row, strlen(row));
    /* the callback sees the decoded value, NULL as NULL, and the field numbers */
    s_assert_rewrite(ROW("a\\tb\t\\N\tc\\\\d\n"), (bool[]){true, true, true}, s_cb_record, &seen,
                     ROW("a\\tb\t\\N\tc\\\\d\n"));
    ck_assert_int_eq(seen.calls, 3);
    ck_assert_int_eq(seen.field[2], 2);
    ck_assert_str_eq(seen.raw[0], "a\tb");
    ck_assert(seen.null[1]);
    ck_assert_str_eq(seen.raw[2], "c\\d");

    buf_init(&out);
    buf_init(&scratch);
    ck_assert_int_eq(copyrow_text_split(row, strlen(row), f, MAXF, NULL), 4);
    buf_append(&out, "before", 6);

    /* an error from the callback: its err, out as it was */
    code = -1;
    err_clear(&err);
    ck_assert_int_eq(
        copyrow_text_rewrite(row, strlen(row), f, 4, s_cb_code, m, &code, &scratch, &out, &err),
        -1);
    ck_assert_str_eq(err.code, "mask");
    ck_assert_str_eq(err.message, "masking field 1 failed");
    ck_assert_uint_eq(out.len, 6);

    /* an unknown return code is a bug in the caller */
    code = 7;
    err_clear(&err);
    ck_assert_int_eq(
        copyrow_text_rewrite(row, strlen(row), f, 4, s_cb_code, m, &code, &scratch, &out, &err),
        -1);
    ck_assert_str_eq(err.code, "internal");
    ck_assert_str_eq(err.message, "the masking of field 2 returned 7");
    ck_assert_uint_eq(out.len, 6);

    /* a NUL byte in a new value: no server would load it */
    err_clear(&err);
    {
        const char *nul_row = "a\t\\0\n";
        copyrow_field_t g[2];

        ck_assert_int_eq(copyrow_text_split(nul_row, strlen(nul_row), g, 2, NULL), 2);
        ck_assert_int_eq(copyrow_text_rewrite(nul_row, strlen(nul_row), g, 2, s_cb_copy,
                                              (bool[]){false, true}, NULL, &scratch, &out, &err),
                         -1);
        ck_assert_str_eq(err.message, "the new value of field 2 holds a NUL byte");
        ck_assert_uint_eq(out.len, 6);
    }
    buf_free(&out);
    buf_free(&scratch);
}
END_TEST

START_TEST(test_text_rewrite_server_rows)
{
    /* rows as the server writes them: decode+encode gives back every byte */
    const char *rows[] = {
        "1\t\\\\\\b\\f\\n\\r\\t\\v\t\\N\t\n",
        "2\tC:\\\\temp\\\\new\ttab\\there\t\\\\N\n",
        "3\t\001\033\177\tcaf\303\251 \360\237\230\200\t\346\235\261\n",
        "4\t\t\t\n",
        "5\t\\\\x41\t{\"a\": \"b\\\\nc\"}\t\\\\\\\\\n",
    };
    bool all[4] = {true, true, true, true};

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        s_assert_rewrite(rows[i], strlen(rows[i]), all, s_cb_copy, NULL, rows[i], strlen(rows[i]));
}
END_TEST

/* ---- text: random round trips ---- */

/* A random byte, often one of those that matter to the format. */
static char
s_random_byte(unsigned *seed)
{
    static const char special[] = "\\\t\n\r\b\f\vN.x0178\303\251";
    int r = rand_r(seed) % 4;

    if (r < 2)
        return special[rand_r(seed) % (int) (sizeof(special) - 1)];
    return (char) (rand_r(seed) & 0xFF);
}

START_TEST(test_text_fuzz_roundtrip)
{
    unsigned seed = 20240601;
    char raw[MAXF][48];
    size_t rawlen[MAXF];
    copyrow_field_t f[MAXF];
    bool all[MAXF];
    buf_t row, dec, out, scratch;
    err_t err;

    buf_init(&row);
    buf_init(&dec);
    buf_init(&out);
    buf_init(&scratch);
    memset(all, 1, sizeof(all));
    for (int iter = 0; iter < 20000; iter++) {
        int nf = 1 + rand_r(&seed) % MAXF;

        /* random raw values -> encoded row */
        buf_reset(&row);
        for (int i = 0; i < nf; i++) {
            rawlen[i] = (size_t) (rand_r(&seed) % (int) sizeof(raw[i]));
            for (size_t j = 0; j < rawlen[i]; j++)
                raw[i][j] = s_random_byte(&seed);
            if (i > 0)
                buf_append_byte(&row, '\t');
            copyrow_text_encode(raw[i], rawlen[i], &row);
        }
        buf_append_byte(&row, '\n');

        /* split + decode give the raw values back */
        err_clear(&err);
        CHECK_EQ(copyrow_text_split(row.data, row.len, f, MAXF, &err), nf);
        for (int i = 0; i < nf; i++) {
            CHECK(!copyrow_text_is_null(row.data, f[i]));
            buf_reset(&dec);
            CHECK_EQ(copyrow_text_decode(row.data + f[i].off, f[i].len, &dec, &err), 0);
            CHECK_EQ(dec.len, rawlen[i]);
            CHECK(rawlen[i] == 0 || memcmp(dec.data, raw[i], rawlen[i]) == 0);
        }

        /* a rewrite copying every value (except NUL-holding ones, kept) is the identity */
        buf_reset(&out);
        for (int i = 0; i < nf; i++)
            all[i] = memchr(raw[i], '\0', rawlen[i]) == NULL;
        CHECK_EQ(copyrow_text_rewrite(row.data, row.len, f, nf, s_cb_copy, all, NULL, &scratch,
                                      &out, &err),
                 0);
        CHECK(out.len == row.len && memcmp(out.data, row.data, row.len) == 0);
    }
    buf_free(&row);
    buf_free(&dec);
    buf_free(&out);
    buf_free(&scratch);
}
END_TEST

START_TEST(test_text_fuzz_garbage)
{
    /* random rows from the bytes that matter: never a crash, and when a row splits every
     * field decodes (a field cannot end with a lone backslash) and survives a rewrite */
    static const char alphabet[] = "\\\t\nNx17a"; /* no 0: backslash-zero is a NUL */
    unsigned seed = 77;
    char row[40];
    copyrow_field_t f[MAXF], g[MAXF];
    bool all[MAXF];
    buf_t dec, dec2, out, scratch;
    err_t err;
    int ok = 0;

    buf_init(&dec);
    buf_init(&dec2);
    buf_init(&out);
    buf_init(&scratch);
    memset(all, 1, sizeof(all));
    for (int iter = 0; iter < 50000; iter++) {
        size_t len = 1 + (size_t) (rand_r(&seed) % (int) sizeof(row));
        int n, m;

        for (size_t j = 0; j < len; j++)
            row[j] = alphabet[rand_r(&seed) % (int) (sizeof(alphabet) - 1)];
        if (rand_r(&seed) % 2)
            row[len - 1] = '\n';
        n = copyrow_text_split(row, len, f, MAXF, &err);
        if (n < 0)
            continue;
        ok++;
        CHECK_EQ(f[0].off, 0);
        CHECK_EQ((size_t) f[n - 1].off + f[n - 1].len, len - 1);
        buf_reset(&out);
        CHECK_EQ(copyrow_text_rewrite(row, len, f, n, s_cb_copy, all, NULL, &scratch, &out, &err),
                 0);
        CHECK_EQ(copyrow_text_split(out.data, out.len, g, MAXF, &err), n);
        for (int i = 0; i < n; i++) {
            buf_reset(&dec);
            buf_reset(&dec2);
            CHECK_EQ(copyrow_text_decode(row + f[i].off, f[i].len, &dec, &err), 0);
            m = copyrow_text_decode(out.data + g[i].off, g[i].len, &dec2, &err);
            CHECK_EQ(m, 0);
            CHECK_EQ(copyrow_text_is_null(row, f[i]), copyrow_text_is_null(out.data, g[i]));
            CHECK(dec.len == dec2.len &&
                  (dec.len == 0 || memcmp(dec.data, dec2.data, dec.len) == 0));
        }
    }
    ck_assert_int_gt(ok, 1000);
    buf_free(&dec);
    buf_free(&dec2);
    buf_free(&out);
    buf_free(&scratch);
}
END_TEST

/* ---- binary ---- */

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

/* Appends a header with flags and ext extension bytes. */
static void
s_bin_header(buf_t *b, uint32_t flags, uint32_t ext)
{
    buf_append(b, "PGCOPY\n\377\r\n\0", 11);
    s_put32(b, flags);
    s_put32(b, ext);
    for (uint32_t i = 0; i < ext; i++)
        buf_append_byte(b, (char) ('a' + i % 26));
}

/* Appends a tuple of n NUL-terminated values, NULL pointers for NULLs. */
static void
s_bin_tuple(buf_t *b, int n, const char *const *values)
{
    s_put16(b, n);
    for (int i = 0; i < n; i++) {
        if (values[i] == NULL) {
            s_put32(b, UINT32_MAX);
            continue;
        }
        s_put32(b, (uint32_t) strlen(values[i]));
        buf_append(b, values[i], strlen(values[i]));
    }
}

/* Appends a description of item to log: H, E, or T(v1|NULL|...). */
static void
s_describe(const copyrow_bin_item_t *item, buf_t *log)
{
    if (item->kind == COPYROW_BIN_HEADER) {
        buf_append(log, "H", 1);
        return;
    }
    if (item->kind == COPYROW_BIN_TRAILER) {
        CHECK(item->len == 2);
        buf_append(log, "E", 1);
        return;
    }
    buf_append(log, "T(", 2);
    for (int i = 0; i < item->nfields; i++) {
        if (i > 0)
            buf_append_byte(log, '|');
        if (item->fields[i].len < 0)
            buf_append(log, "NULL", 4);
        else
            buf_append(log, item->data + item->fields[i].off, (size_t) item->fields[i].len);
    }
    buf_append(log, ")", 1);
}

/* Feeds one message and drains it: items described into log, their bytes into echo. */
static void
s_feed_drain(copyrow_bin_t *bin, const char *data, size_t len, buf_t *log, buf_t *echo)
{
    copyrow_bin_item_t item;
    err_t err;
    int rc;

    err_clear(&err);
    copyrow_bin_feed(bin, data, len);
    while ((rc = copyrow_bin_next(bin, &item, &err)) == 1) {
        s_describe(&item, log);
        buf_append(echo, item.data, item.len);
    }
    if (rc != 0)
        ck_abort_msg("next failed: %s", err.message);
}

/* Asserts the log and echo against the expected description and stream. */
static void
s_assert_log(const buf_t *log, const char *expect, const buf_t *echo, const buf_t *stream)
{
    if (log->len != strlen(expect) || memcmp(log->data, expect, log->len) != 0)
        ck_abort_msg("got %.*s", (int) log->len, log->data);
    CHECK(echo->len == stream->len && memcmp(echo->data, stream->data, echo->len) == 0);
}

/* The stream the binary tests share, and its description. */
static void
s_bin_sample(buf_t *b, const char **expect)
{
    static const char *const t1[] = {"1", "alice@example.com", NULL, ""};
    static const char *const t2[] = {NULL, NULL, NULL, NULL};
    char long_value[301];
    const char *t3[] = {"3", long_value, "caf\303\251", "x"};

    memset(long_value, 'L', 300);
    long_value[300] = '\0';
    s_bin_header(b, 0, 3);
    s_bin_tuple(b, 4, t1);
    s_bin_tuple(b, 4, t2);
    s_bin_tuple(b, 4, t3);
    s_put16(b, -1);
    *expect = "HT(1|alice@example.com|NULL|)T(NULL|NULL|NULL|NULL)T(3|"
              "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
              "LLLLLLLLLLLLLLLL"
              "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
              "LLLLLLLLLLLLLLLL"
              "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
              "LLLLLLLLLLLLLLLL"
              "|caf\303\251|x)E";
}

START_TEST(test_bin_server_framing)
{
    /* as the server sends it: header with the first tuple, one tuple a message, trailer alone */
    static const char *const v1[] = {"1", "a"};
    static const char *const v2[] = {"2", NULL};
    copyrow_bin_t *bin = copyrow_bin_new(2);
    copyrow_bin_item_t item;
    buf_t m1, m2, m3;
    err_t err;

    buf_init(&m1);
    buf_init(&m2);
    buf_init(&m3);
    s_bin_header(&m1, 0, 0);
    s_bin_tuple(&m1, 2, v1);
    s_bin_tuple(&m2, 2, v2);
    s_put16(&m3, -1);
    err_clear(&err);

    copyrow_bin_feed(bin, m1.data, m1.len);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 1);
    ck_assert_int_eq(item.kind, COPYROW_BIN_HEADER);
    ck_assert_ptr_eq(item.data, m1.data); /* handed out in place */
    ck_assert_uint_eq(item.len, 19);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 1);
    ck_assert_int_eq(item.kind, COPYROW_BIN_TUPLE);
    ck_assert_ptr_eq(item.data, m1.data + 19);
    ck_assert_uint_eq(item.len, m1.len - 19);
    ck_assert_int_eq(item.nfields, 2);
    ck_assert_uint_eq(item.fields[0].off, 6);
    ck_assert_int_eq(item.fields[0].len, 1);
    ck_assert_int_eq(item.data[item.fields[1].off], 'a');
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 0);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), -1);
    ck_assert_str_eq(err.message, "a binary COPY stream ended without its trailer");

    copyrow_bin_feed(bin, m2.data, m2.len);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 1);
    ck_assert_ptr_eq(item.data, m2.data);
    ck_assert_int_eq(item.fields[1].len, -1);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 0);

    copyrow_bin_feed(bin, m3.data, m3.len);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 1);
    ck_assert_int_eq(item.kind, COPYROW_BIN_TRAILER);
    ck_assert_int_eq(item.nfields, 0);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 0);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 0); /* asking again is harmless */
    err_clear(&err);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), 0);
    ck_assert(!err_isset(&err));

    copyrow_bin_destroy(&bin);
    ck_assert_ptr_null(bin);
    copyrow_bin_destroy(&bin); /* twice is fine */
    buf_free(&m1);
    buf_free(&m2);
    buf_free(&m3);
}
END_TEST

START_TEST(test_bin_every_cut)
{
    copyrow_bin_t *bin = copyrow_bin_new(4);
    buf_t stream, log, echo;
    const char *expect;
    err_t err;

    buf_init(&stream);
    buf_init(&log);
    buf_init(&echo);
    s_bin_sample(&stream, &expect);

    /* two messages, cut at every byte */
    for (size_t cut = 0; cut <= stream.len; cut++) {
        buf_reset(&log);
        buf_reset(&echo);
        copyrow_bin_reset(bin);
        s_feed_drain(bin, stream.data, cut, &log, &echo);
        s_feed_drain(bin, stream.data + cut, stream.len - cut, &log, &echo);
        s_assert_log(&log, expect, &echo, &stream);
        CHECK_EQ(copyrow_bin_finish(bin, &err), 0);
    }

    /* three messages, every pair of cuts (every 7th byte for the first, to stay quick) */
    for (size_t a = 0; a <= stream.len; a += 7) {
        for (size_t b = a; b <= stream.len; b++) {
            buf_reset(&log);
            buf_reset(&echo);
            copyrow_bin_reset(bin);
            s_feed_drain(bin, stream.data, a, &log, &echo);
            s_feed_drain(bin, stream.data + a, b - a, &log, &echo);
            s_feed_drain(bin, stream.data + b, stream.len - b, &log, &echo);
            s_assert_log(&log, expect, &echo, &stream);
        }
    }

    /* one byte a message */
    buf_reset(&log);
    buf_reset(&echo);
    copyrow_bin_reset(bin);
    for (size_t i = 0; i < stream.len; i++)
        s_feed_drain(bin, stream.data + i, 1, &log, &echo);
    s_assert_log(&log, expect, &echo, &stream);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), 0);

    copyrow_bin_destroy(&bin);
    buf_free(&stream);
    buf_free(&log);
    buf_free(&echo);
}
END_TEST

START_TEST(test_bin_random_framing)
{
    /* random streams cut into random messages */
    unsigned seed = 4242;
    copyrow_bin_t *bin = copyrow_bin_new(8);
    buf_t stream, expect, log, echo;
    err_t err;

    buf_init(&stream);
    buf_init(&expect);
    buf_init(&log);
    buf_init(&echo);
    for (int iter = 0; iter < 300; iter++) {
        int nf = rand_r(&seed) % 9, ntuples = rand_r(&seed) % 20;
        char vals[8][40];
        const char *ptrs[8];

        buf_reset(&stream);
        buf_reset(&expect);
        s_bin_header(&stream, (uint32_t) (rand_r(&seed) % 2) << 17, (uint32_t) (rand_r(&seed) % 5));
        buf_append(&expect, "H", 1);
        for (int t = 0; t < ntuples; t++) {
            buf_append(&expect, "T(", 2);
            for (int i = 0; i < nf; i++) {
                int len = rand_r(&seed) % 40 - 1;

                if (i > 0)
                    buf_append_byte(&expect, '|');
                if (len < 0) {
                    ptrs[i] = NULL;
                    buf_append(&expect, "NULL", 4);
                    continue;
                }
                for (int j = 0; j < len; j++)
                    vals[i][j] = (char) ('A' + rand_r(&seed) % 26);
                vals[i][len] = '\0';
                ptrs[i] = vals[i];
                buf_append(&expect, vals[i], (size_t) len);
            }
            buf_append(&expect, ")", 1);
            s_bin_tuple(&stream, nf, ptrs);
        }
        s_put16(&stream, -1);
        buf_append(&expect, "E", 1);
        buf_append_byte(&expect, '\0');

        buf_reset(&log);
        buf_reset(&echo);
        copyrow_bin_reset(bin);
        for (size_t pos = 0; pos < stream.len;) {
            size_t n = (size_t) (rand_r(&seed) % 60);

            if (n > stream.len - pos)
                n = stream.len - pos;
            s_feed_drain(bin, stream.data + pos, n, &log, &echo);
            pos += n;
        }
        s_assert_log(&log, expect.data, &echo, &stream);
        CHECK_EQ(copyrow_bin_finish(bin, &err), 0);
    }
    copyrow_bin_destroy(&bin);
    buf_free(&stream);
    buf_free(&expect);
    buf_free(&log);
    buf_free(&echo);
}
END_TEST

START_TEST(test_bin_nulls_and_empty_tuples)
{
    static const char *const nulls[] = {NULL, NULL, NULL};
    copyrow_bin_t *bin = copyrow_bin_new(3);
    buf_t stream, log, echo;
    err_t err;

    buf_init(&stream);
    buf_init(&log);
    buf_init(&echo);
    s_bin_header(&stream, 0, 0);
    s_bin_tuple(&stream, 3, nulls);
    s_bin_tuple(&stream, 3, nulls);
    s_feed_drain(bin, stream.data, stream.len, &log, &echo);
    s_feed_drain(bin, "\377\377", 2, &log, &echo); /* the trailer alone */
    buf_append(&stream, "\377\377", 2);
    s_assert_log(&log, "HT(NULL|NULL|NULL)T(NULL|NULL|NULL)E", &echo, &stream);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), 0);

    /* a table without columns: tuples of zero fields */
    buf_reset(&stream);
    buf_reset(&log);
    buf_reset(&echo);
    copyrow_bin_reset(bin);
    s_bin_header(&stream, 0, 0);
    s_put16(&stream, 0);
    s_put16(&stream, 0);
    s_put16(&stream, -1);
    s_feed_drain(bin, stream.data, stream.len, &log, &echo);
    s_assert_log(&log, "HT()T()E", &echo, &stream);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), 0);

    /* an empty stream has no trailer; a header alone neither */
    copyrow_bin_reset(bin);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), -1);
    s_feed_drain(bin, stream.data, 10, &log, &echo);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), -1);
    ck_assert_str_eq(err.message,
                     "a binary COPY stream ended without its trailer (inside an item)");

    copyrow_bin_destroy(&bin);
    buf_free(&stream);
    buf_free(&log);
    buf_free(&echo);
}
END_TEST

/* Binary callback: field 1 gets a longer value, field 2 an empty one, field 3 NULL. */
static int
s_cb_bin(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out, err_t *err)
{
    switch (field) {
    case 1:
        buf_append(out, "user-000001@masked.invalid", 26);
        return COPYROW_VALUE;
    case 2:
        return COPYROW_VALUE;
    case 3:
        buf_append(out, "junk", 4);
        return COPYROW_NULL;
    default:
        buf_append(out, "junk", 4);
        return COPYROW_KEEP;
    }
}

START_TEST(test_bin_rewrite)
{
    static const char *const t1[] = {"1", "a@b.c", "caf\303\251", "x"};
    static const char *const t2[] = {"2", NULL, NULL, NULL};
    bool all[4] = {true, true, true, true};
    bool none[4] = {false, false, false, false};
    copyrow_bin_t *bin = copyrow_bin_new(4), *again = copyrow_bin_new(4);
    copyrow_bin_item_t item;
    buf_t stream, out, log, echo;
    err_t err;
    int code = -1;

    buf_init(&stream);
    buf_init(&out);
    buf_init(&log);
    buf_init(&echo);
    s_bin_header(&stream, 0, 5);
    s_bin_tuple(&stream, 4, t1);
    s_bin_tuple(&stream, 4, t2);
    s_put16(&stream, -1);

    /* nothing masked: byte-identical */
    copyrow_bin_feed(bin, stream.data, stream.len);
    while (copyrow_bin_next(bin, &item, &err) == 1)
        ck_assert_int_eq(copyrow_bin_rewrite(&item, s_cb_bin, none, NULL, &out, &err), 0);
    ck_assert(out.len == stream.len && memcmp(out.data, stream.data, out.len) == 0);

    /* lengths change; the output is a valid stream with the new values */
    buf_reset(&out);
    copyrow_bin_reset(bin);
    copyrow_bin_feed(bin, stream.data, stream.len);
    while (copyrow_bin_next(bin, &item, &err) == 1)
        ck_assert_int_eq(copyrow_bin_rewrite(&item, s_cb_bin, all, NULL, &out, &err), 0);
    ck_assert_int_eq(copyrow_bin_finish(bin, &err), 0);
    /* +21 (a@b.c), -5 (café), -1 (x), +26 (a NULL becoming the address) */
    ck_assert_uint_eq(out.len, stream.len + 21 - 5 - 1 + 26);
    s_feed_drain(again, out.data, out.len, &log, &echo);
    s_assert_log(&log,
                 "HT(1|user-000001@masked.invalid||NULL)T(2|user-000001@masked.invalid||NULL)E",
                 &echo, &out);
    ck_assert_int_eq(copyrow_bin_finish(again, &err), 0);

    /* a tuple assembled from two messages is rewritten the same */
    buf_reset(&out);
    copyrow_bin_reset(bin);
    copyrow_bin_feed(bin, stream.data, 30);
    while (copyrow_bin_next(bin, &item, &err) == 1)
        ck_assert_int_eq(copyrow_bin_rewrite(&item, s_cb_bin, all, NULL, &out, &err), 0);
    copyrow_bin_feed(bin, stream.data + 30, stream.len - 30);
    while (copyrow_bin_next(bin, &item, &err) == 1)
        ck_assert_int_eq(copyrow_bin_rewrite(&item, s_cb_bin, all, NULL, &out, &err), 0);
    ck_assert_uint_eq(out.len, echo.len);
    ck_assert_int_eq(memcmp(out.data, echo.data, out.len), 0);

    /* a failing callback: its error, out as it was */
    copyrow_bin_reset(bin);
    copyrow_bin_feed(bin, stream.data, stream.len);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 1);
    ck_assert_int_eq(copyrow_bin_next(bin, &item, &err), 1);
    buf_reset(&out);
    buf_append(&out, "x", 1);
    err_clear(&err);
    ck_assert_int_eq(copyrow_bin_rewrite(&item, s_cb_code, all, &code, &out, &err), -1);
    ck_assert_str_eq(err.message, "masking field 0 failed");
    ck_assert_uint_eq(out.len, 1);

    copyrow_bin_destroy(&bin);
    copyrow_bin_destroy(&again);
    buf_free(&stream);
    buf_free(&out);
    buf_free(&log);
    buf_free(&echo);
}
END_TEST

/* Feeds stream as one message and asserts next fails with a message containing what. */
static void
s_bin_fails(const buf_t *stream, int max_fields, const char *what)
{
    copyrow_bin_t *bin = copyrow_bin_new(max_fields);
    copyrow_bin_item_t item;
    err_t err;
    int rc;

    err_clear(&err);
    copyrow_bin_feed(bin, stream->data, stream->len);
    while ((rc = copyrow_bin_next(bin, &item, &err)) == 1)
        ;
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_msg(strstr(err.message, what) != NULL, "message: %s", err.message);
    copyrow_bin_destroy(&bin);
}

START_TEST(test_bin_errors)
{
    static const char *const two[] = {"a", "b"};
    static const char *const three[] = {"a", "b", "c"};
    buf_t s;

    buf_init(&s);
    buf_append(&s, "PGCOPY\n\377\r\n\1", 11);
    s_put32(&s, 0);
    s_put32(&s, 0);
    s_bin_fails(&s, 2, "does not start with its signature");

    buf_reset(&s);
    s_bin_header(&s, 1, 0);
    s_bin_fails(&s, 2, "unknown critical flags 0x1");

    buf_reset(&s);
    s_bin_header(&s, 1u << 16, 0);
    s_bin_fails(&s, 2, "with OIDs is not supported");

    buf_reset(&s);
    s_bin_header(&s, 0, 0);
    s.len -= 4;
    s_put32(&s, 0x7FFFFFFF);
    s_bin_fails(&s, 2, "header extension of 2147483647 bytes");

    buf_reset(&s);
    s_bin_header(&s, 1u << 31, 0); /* a non-critical flag is ignored */
    s_bin_tuple(&s, 3, three);
    s_bin_fails(&s, 2, "has 3 fields (at most 2 expected)");

    buf_reset(&s);
    s_bin_header(&s, 0, 0);
    s_bin_tuple(&s, 2, two);
    s_bin_tuple(&s, 1, two);
    s_bin_fails(&s, 3, "has 1 fields where the first had 2");

    buf_reset(&s);
    s_bin_header(&s, 0, 0);
    s_put16(&s, -2);
    s_bin_fails(&s, 3, "has -2 fields");

    buf_reset(&s);
    s_bin_header(&s, 0, 0);
    s_put16(&s, 1);
    s_put32(&s, (uint32_t) -2);
    s_bin_fails(&s, 3, "invalid length -2");

    buf_reset(&s);
    s_bin_header(&s, 0, 0);
    s_put16(&s, -1);
    s_put16(&s, -1);
    s_bin_fails(&s, 3, "2 bytes after its trailer");

    buf_free(&s);
}
END_TEST

Suite *test_copyrow_suite(void);

Suite *
test_copyrow_suite(void)
{
    Suite *s = suite_create("copyrow");
    TCase *text = tcase_create("text");
    TCase *bin = tcase_create("binary");

    tcase_add_test(text, test_text_split_basic);
    tcase_add_test(text, test_text_split_newlines);
    tcase_add_test(text, test_text_split_escaped_tabs);
    tcase_add_test(text, test_text_decode_escapes);
    tcase_add_test(text, test_text_decode_errors);
    tcase_add_test(text, test_text_null_vs_text);
    tcase_add_test(text, test_text_encode);
    tcase_add_test(text, test_text_utf8);
    tcase_add_test(text, test_encoding_supported);
    tcase_add_test(text, test_text_rewrite_identity);
    tcase_add_test(text, test_text_rewrite_replace);
    tcase_add_test(text, test_text_rewrite_conventions);
    tcase_add_test(text, test_text_rewrite_server_rows);
    tcase_add_test(text, test_text_fuzz_roundtrip);
    tcase_add_test(text, test_text_fuzz_garbage);
    tcase_set_timeout(text, 60);
    suite_add_tcase(s, text);

    tcase_add_test(bin, test_bin_server_framing);
    tcase_add_test(bin, test_bin_every_cut);
    tcase_add_test(bin, test_bin_random_framing);
    tcase_add_test(bin, test_bin_nulls_and_empty_tuples);
    tcase_add_test(bin, test_bin_rewrite);
    tcase_add_test(bin, test_bin_errors);
    tcase_set_timeout(bin, 60);
    suite_add_tcase(s, bin);
    return s;
}
