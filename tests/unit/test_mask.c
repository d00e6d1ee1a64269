/*
 * test_mask.c - masking: keys, rule checks (strategies, options, column types, lengths),
 * and every strategy's output: deterministic, keyed, salted by domain and seed, a valid
 * value of its column's type (read back with checks independent of the implementation:
 * timegm, inet_pton, a Luhn check, a UTF-8 count), within the column's length; uniqueness
 * on a million distinct inputs for email, uuid and hash; fixed known answers, so that a
 * change of the construction (which would break joins with data masked before) is noticed.
 *
 * Under valgrind the million-input tests use fewer inputs (CONFITURE_VALGRIND set, or
 * valgrind detected), so that make valgrind stays within a few minutes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/exitcodes.h"
#include "common/value.h"
#include "worker/mask.h"
#include "worker/mask_internal.h"

/* The secrets of the two test keys. */
#define SECRET_A "unit-test secret number one!!"
#define SECRET_B "unit-test secret number two!!"

/* Inputs per strategy in the property tests. */
#define SAMPLES 200

/* An assertion for loops that records nothing until it fails (cheap under valgrind). */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)

/* The test keys (set by s_setup). */
static mask_key_t s_key_a, s_key_b;

/* Makes the two keys. */
static void
s_setup(void)
{
    err_t err;

    ck_assert_int_eq(mask_key_from_text(SECRET_A, &s_key_a, &err), 0);
    ck_assert_int_eq(mask_key_from_text(SECRET_B, &s_key_b, &err), 0);
}

/* A map of one option (takes v). */
static value_t *
s_opt(const char *name, value_t *v)
{
    value_t *m = value_new_map();

    value_map_put(m, name, v);
    return m;
}

/* A rule that must be accepted (takes opts). */
static mask_rule_t *
s_rule_full(const char *strategy, value_t *opts, const char *domain, int64_t seed, bool has_seed,
            const char *type)
{
    err_t err;
    mask_rule_t *r;

    err_clear(&err);
    r = mask_rule_new(strategy, opts, domain, seed, has_seed, type, false, &err);
    value_destroy(&opts);
    if (r == NULL)
        ck_abort_msg("rule %s on %s refused: %s", strategy, type ? type : "?", err.message);
    return r;
}

/* A rule without domain or seed that must be accepted (takes opts). */
static mask_rule_t *
s_rule(const char *strategy, value_t *opts, const char *type)
{
    return s_rule_full(strategy, opts, NULL, 0, false, type);
}

/* A rule that must be refused (takes opts); returns the error. */
static err_t
s_refused(const char *strategy, value_t *opts, const char *type, bool not_null)
{
    err_t err;
    mask_rule_t *r;

    err_clear(&err);
    r = mask_rule_new(strategy, opts, NULL, 0, false, type, not_null, &err);
    value_destroy(&opts);
    if (r != NULL) {
        mask_rule_destroy(&r);
        ck_abort_msg("rule %s on %s was accepted", strategy, type ? type : "?");
    }
    ck_assert_str_eq(err.code, "rules");
    ck_assert_int_eq(err.exit_code, EXIT_CODE_CONFIG);
    return err;
}

/* Masks in under key; returns the output as a new NUL-terminated string (caller frees). */
static char *
s_mask_key(const mask_rule_t *r, const mask_key_t *key, const char *in, size_t len)
{
    buf_t out;
    err_t err;
    int rc;
    char *s;

    buf_init(&out);
    err_clear(&err);
    rc = mask_apply(r, key, in, len, &out, &err);
    if (rc != MASK_VALUE)
        ck_abort_msg("mask_apply returned %d: %s", rc, err.message);
    s = malloc(out.len + 1);
    CHECK(s != NULL);
    if (out.len > 0)
        memcpy(s, out.data, out.len);
    s[out.len] = '\0';
    buf_free(&out);
    return s;
}

/* Masks the string in under key A. */
static char *
s_mask(const mask_rule_t *r, const char *in)
{
    return s_mask_key(r, &s_key_a, in, strlen(in));
}

/* Asserts that masking in fails with code "mask"; returns the error. */
static err_t
s_mask_fails(const mask_rule_t *r, const char *in)
{
    buf_t out;
    err_t err;

    buf_init(&out);
    err_clear(&err);
    ck_assert_int_eq(mask_apply(r, &s_key_a, in, strlen(in), &out, &err), -1);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_str_eq(err.code, "mask");
    ck_assert_int_eq(err.exit_code, EXIT_CODE_FAILED);
    buf_free(&out);
    return err;
}

/* Characters of UTF-8 text (bytes that do not continue a character). */
static size_t
s_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char) *s & 0xC0) != 0x80;
    return n;
}

/* True when word is in list. */
static bool
s_in_list(const mask_list_t *list, const char *word, size_t len)
{
    for (size_t i = 0; i < list->count; i++)
        if (strlen(list->items[i]) == len && strncmp(list->items[i], word, len) == 0)
            return true;
    return false;
}

/* Days since 1970 of a proleptic Gregorian date, by timegm; -1e9 when not a calendar date. */
static long
s_day_number(long year, int month, int day)
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (int) (year - 1900);
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = 12;
    t = timegm(&tm);
    if (tm.tm_year != year - 1900 || tm.tm_mon != month - 1 || tm.tm_mday != day)
        return -1000000000L; /* timegm normalized it: not a calendar date */
    return (long) (t / 86400);
}

/* Reads "YYYY-MM-DD[rest][ BC]": the astronomical year, month, day, and where rest starts. */
static bool
s_read_date(const char *s, long *year, int *month, int *day, const char **rest)
{
    int n = 0;
    size_t len = strlen(s);

    if (sscanf(s, "%ld-%d-%d%n", year, month, day, &n) != 3 || n < 10)
        return false;
    *rest = s + n;
    if (len >= 3 && strcmp(s + len - 3, " BC") == 0)
        *year = 1 - *year;
    return true;
}

/* True when 16 digits pass the Luhn check (written independently of the implementation). */
static bool
s_luhn(const char *digits)
{
    int sum = 0, n = (int) strlen(digits);

    for (int i = 0; i < n; i++) {
        int d = digits[n - 1 - i] - '0';

        if (i % 2 == 1)
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return sum % 10 == 0;
}

/* The digits of s, in order, into out (size 64). */
static void
s_digits_of(const char *s, char *out)
{
    size_t n = 0;

    for (; *s && n < 63; s++)
        if (*s >= '0' && *s <= '9')
            out[n++] = *s;
    out[n] = '\0';
}

/* ---------------------------------------------------------------------------------------- */
/* Keys                                                                                     */
/* ---------------------------------------------------------------------------------------- */

START_TEST(test_key_from_text)
{
    mask_key_t k1, k2, k3;
    err_t err;

    err_clear(&err);
    ck_assert_int_eq(mask_key_from_text("short secret", &k1, &err), -1);
    ck_assert_str_eq(err.code, "mask_key");
    ck_assert_int_eq(err.exit_code, EXIT_CODE_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "too short"));
    ck_assert_ptr_nonnull(strstr(err.hint, "openssl rand"));
    ck_assert_int_eq(mask_key_from_text("fifteen chars!!", &k1, &err), -1);
    ck_assert_int_eq(mask_key_from_text(NULL, &k1, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.hint, "CONFITURE_MASK_KEY"));

    ck_assert_int_eq(mask_key_from_text("sixteen chars!!!", &k1, &err), 0);
    ck_assert_int_eq(mask_key_from_text(SECRET_A, &k1, &err), 0);
    ck_assert_int_eq(mask_key_from_text(SECRET_A, &k2, &err), 0);
    ck_assert_int_eq(mask_key_from_text(SECRET_B, &k3, &err), 0);
    ck_assert_int_eq(memcmp(k1.bytes, k2.bytes, MASK_KEY_BYTES), 0);
    ck_assert_int_ne(memcmp(k1.bytes, k3.bytes, MASK_KEY_BYTES), 0);
    ck_assert_int_ne(memcmp(k1.bytes, SECRET_A, MASK_KEY_BYTES - 3), 0);
    mask_key_wipe(&k1);
    for (int i = 0; i < MASK_KEY_BYTES; i++)
        ck_assert_int_eq(k1.bytes[i], 0);
}
END_TEST

/* Writes len bytes to a new file of the given mode; returns its path (static storage). */
static const char *
s_key_file(const void *data, size_t len, mode_t mode)
{
    static char path[256];
    const char *tmp = getenv("TMPDIR");
    int fd;

    snprintf(path, sizeof(path), "%s/confiture-mask-key-XXXXXX", tmp ? tmp : "/tmp");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t) len);
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

START_TEST(test_key_from_file)
{
    mask_key_t text_key, file_key;
    unsigned char binary[40], big[MASK_KEY_FILE_MAX + 10];
    const char *path;
    err_t err;

    ck_assert_int_eq(mask_key_from_text(SECRET_A, &text_key, &err), 0);

    /* a trailing newline (or CRLF) is not part of the secret */
    path = s_key_file(SECRET_A "\n", strlen(SECRET_A) + 1, 0600);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), 0);
    ck_assert_int_eq(memcmp(text_key.bytes, file_key.bytes, MASK_KEY_BYTES), 0);
    unlink(path);
    path = s_key_file(SECRET_A "\r\n", strlen(SECRET_A) + 2, 0400);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), 0);
    ck_assert_int_eq(memcmp(text_key.bytes, file_key.bytes, MASK_KEY_BYTES), 0);
    unlink(path);

    /* group-readable is accepted, world-readable refused */
    path = s_key_file(SECRET_A, strlen(SECRET_A), 0640);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), 0);
    ck_assert_int_eq(memcmp(text_key.bytes, file_key.bytes, MASK_KEY_BYTES), 0);
    unlink(path);
    path = s_key_file(SECRET_A, strlen(SECRET_A), 0644);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), -1);
    ck_assert_str_eq(err.code, "mask_key");
    ck_assert_ptr_nonnull(strstr(err.message, "every user"));
    ck_assert_ptr_nonnull(strstr(err.hint, "chmod 600"));
    unlink(path);

    /* binary keys work; too short, empty and too long files are refused */
    for (size_t i = 0; i < sizeof(binary); i++)
        binary[i] = (unsigned char) (i * 37);
    path = s_key_file(binary, sizeof(binary), 0600);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), 0);
    ck_assert_int_ne(memcmp(text_key.bytes, file_key.bytes, MASK_KEY_BYTES), 0);
    unlink(path);
    path = s_key_file("short\n", 6, 0600);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "too short"));
    unlink(path);
    path = s_key_file("", 0, 0600);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), -1);
    unlink(path);
    memset(big, 'k', sizeof(big));
    path = s_key_file(big, sizeof(big), 0600);
    ck_assert_int_eq(mask_key_from_file(path, &file_key, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "longer than"));
    unlink(path);
    ck_assert_int_eq(mask_key_from_file("/nonexistent/confiture/key", &file_key, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
}
END_TEST

START_TEST(test_key_random_and_fingerprint)
{
    mask_key_t r1, r2;
    char fa[MASK_FINGERPRINT_LEN + 1], fa2[MASK_FINGERPRINT_LEN + 1], fb[MASK_FINGERPRINT_LEN + 1];
    char key_hex[2 * MASK_KEY_BYTES + 1];

    mask_key_random(&r1);
    mask_key_random(&r2);
    ck_assert_int_ne(memcmp(r1.bytes, r2.bytes, MASK_KEY_BYTES), 0);

    mask_key_fingerprint(&s_key_a, fa);
    mask_key_fingerprint(&s_key_a, fa2);
    mask_key_fingerprint(&s_key_b, fb);
    ck_assert_uint_eq(strlen(fa), MASK_FINGERPRINT_LEN);
    ck_assert_uint_eq(strspn(fa, "0123456789abcdef"), MASK_FINGERPRINT_LEN);
    ck_assert_str_eq(fa, fa2);
    ck_assert_str_ne(fa, fb);
    /* not the key itself, nor any piece of it */
    for (int i = 0; i < MASK_KEY_BYTES; i++)
        snprintf(key_hex + 2 * i, 3, "%02x", s_key_a.bytes[i]);
    for (int i = 0; i + 8 <= 2 * MASK_KEY_BYTES; i += 2) {
        char piece[9];

        memcpy(piece, key_hex + i, 8);
        piece[8] = '\0';
        ck_assert_ptr_null(strstr(fa, piece));
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Rules: names, options, types                                                             */
/* ---------------------------------------------------------------------------------------- */

START_TEST(test_strategy_names)
{
    const char *const *names = mask_strategy_names();
    static const char *const expected[] = {
        "email",  "phone",       "name",  "first_name", "last_name", "address", "redact",
        "hash",   "null",        "value", "preserve",   "uuid",      "date",    "timestamp",
        "number", "credit_card", "ip",    "text",       "json"};
    size_t n = 0;

    while (names[n] != NULL)
        n++;
    ck_assert_uint_eq(n, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(names[i], expected[i]);
        ck_assert(mask_strategy_known(names[i]));
    }
    ck_assert(!mask_strategy_known("Email"));
    ck_assert(!mask_strategy_known("fake"));
    ck_assert(!mask_strategy_known(""));
    ck_assert(!mask_strategy_known(NULL));
}
END_TEST

START_TEST(test_rule_unknown_strategy)
{
    err_t err = s_refused("scramble", NULL, "text", false);

    ck_assert_str_eq(err.message, "unknown masking strategy \"scramble\"");
    ck_assert_ptr_nonnull(strstr(err.hint, "email, phone, name"));
    ck_assert_ptr_nonnull(strstr(err.hint, "json"));
}
END_TEST

START_TEST(test_rule_options)
{
    err_t err;
    value_t *list;
    mask_rule_t *r;

    err = s_refused("hash", s_opt("lenght", value_new_int(8)), "text", false);
    ck_assert_str_eq(err.message, "unknown option \"lenght\" for strategy hash");
    ck_assert_str_eq(err.hint, "strategy hash takes: length");
    err = s_refused("date", s_opt("day", value_new_int(8)), "date", false);
    ck_assert_str_eq(err.hint, "strategy date takes: days, keep_year");
    err = s_refused("name", s_opt("locale", value_new_string("fr")), "text", false);
    ck_assert_str_eq(err.hint, "strategy name takes no options");

    err = s_refused("hash", s_opt("length", value_new_int(0)), "text", false);
    ck_assert_str_eq(err.message,
                     "option length of strategy hash must be an integer from 1 to 128");
    s_refused("hash", s_opt("length", value_new_int(129)), "text", false);
    s_refused("hash", s_opt("length", value_new_string("ten")), "text", false);
    s_refused("hash", s_opt("length", value_new_double(8.5)), "text", false);
    s_refused("hash", s_opt("length", value_new_bool(true)), "text", false);
    r = s_rule("hash", s_opt("length", value_new_string("12")), "text"); /* YAML kept a string */
    mask_rule_destroy(&r);
    r = s_rule("hash", s_opt("length", value_new_double(12.0)), "text");
    mask_rule_destroy(&r);

    s_refused("number", s_opt("percent", value_new_int(0)), "integer", false);
    s_refused("number", s_opt("percent", value_new_double(100.5)), "integer", false);
    s_refused("number", s_opt("percent", value_new_string("lots")), "integer", false);
    r = s_rule("number", s_opt("percent", value_new_string("2.5")), "integer");
    mask_rule_destroy(&r);
    s_refused("date", s_opt("days", value_new_int(0)), "date", false);
    err = s_refused("date", s_opt("keep_year", value_new_string("maybe")), "date", false);
    ck_assert_str_eq(err.message, "option keep_year of strategy date must be true or false");
    r = s_rule("date", s_opt("keep_year", value_new_string("yes")), "date");
    mask_rule_destroy(&r);
    s_refused("phone", s_opt("keep_prefix", value_new_int(-1)), "text", false);
    s_refused("ip", s_opt("prefix", value_new_int(33)), "inet", false);
    s_refused("ip", s_opt("prefix6", value_new_int(129)), "inet", false);
    s_refused("email", s_opt("domain", value_new_string("not a domain")), "text", false);
    s_refused("email", s_opt("domain", value_new_string("-bad.example")), "text", false);
    s_refused("email", s_opt("domain", value_new_int(3)), "text", false);
    s_refused("redact", s_opt("text", value_new_int(3)), "text", false);

    err = s_refused("value", NULL, "text", false);
    ck_assert_str_eq(err.message, "strategy value needs option value");
    s_refused("value", s_opt("value", value_new_nil()), "text", false);

    s_refused("json", s_opt("paths", value_new_string("a..b")), "jsonb", false);
    s_refused("json", s_opt("paths", value_new_string("a[x]")), "jsonb", false);
    s_refused("json", s_opt("paths", value_new_string("a[1")), "jsonb", false);
    s_refused("json", s_opt("paths", value_new_string("a[1]b")), "jsonb", false);
    s_refused("json", s_opt("paths", value_new_int(1)), "jsonb", false);
    s_refused("json", s_opt("paths", value_new_array()), "jsonb", false);
    list = value_new_array();
    value_array_push(list, value_new_string("a.b"));
    value_array_push(list, value_new_int(2));
    s_refused("json", s_opt("paths", list), "jsonb", false);

    /* options must be a mapping; nil and an empty map are no options */
    s_refused("hash", value_new_array(), "text", false);
    r = s_rule("hash", value_new_nil(), "text");
    mask_rule_destroy(&r);
    r = s_rule("hash", value_new_map(), "text");
    mask_rule_destroy(&r);
    mask_rule_destroy(&r); /* twice is fine */
    mask_rule_destroy(NULL);
}
END_TEST

START_TEST(test_rule_types)
{
    err_t err;
    mask_rule_t *r;
    static const char *const text_types[] = {
        "text",   "character varying(64)", "character varying", "character(40)", "bpchar",
        "citext", "public.citext",         "varchar(255)",      "TEXT"};
    static const char *const number_types[] = {
        "smallint", "integer",          "bigint", "numeric(10,2)", "numeric",     "numeric(12)",
        "real",     "double precision", "int4",   "float8",        "decimal(8,3)"};
    static const char *const time_types[] = {"date",
                                             "timestamp without time zone",
                                             "timestamp with time zone",
                                             "timestamp(3) with time zone",
                                             "timestamptz",
                                             "timestamp(0) without time zone"};

    for (size_t i = 0; i < sizeof(text_types) / sizeof(text_types[0]); i++) {
        r = s_rule("email", NULL, text_types[i]);
        mask_rule_destroy(&r);
        r = s_rule("text", NULL, text_types[i]);
        mask_rule_destroy(&r);
    }
    for (size_t i = 0; i < sizeof(number_types) / sizeof(number_types[0]); i++) {
        r = s_rule("number", NULL, number_types[i]);
        mask_rule_destroy(&r);
        s_refused("email", NULL, number_types[i], false);
    }
    for (size_t i = 0; i < sizeof(time_types) / sizeof(time_types[0]); i++) {
        r = s_rule("date", NULL, time_types[i]);
        mask_rule_destroy(&r);
        r = s_rule("timestamp", NULL, time_types[i]);
        mask_rule_destroy(&r);
        s_refused("number", NULL, time_types[i], false);
    }

    err = s_refused("email", NULL, "integer", false);
    ck_assert_str_eq(err.message, "strategy email cannot produce a value of type integer");
    ck_assert_ptr_nonnull(strstr(err.hint, "number"));
    ck_assert_ptr_nonnull(strstr(err.hint, "null, value, preserve"));
    s_refused("number", NULL, "text", false);
    s_refused("date", NULL, "text", false);
    s_refused("uuid", NULL, "integer", false);
    s_refused("ip", NULL, "integer", false);
    s_refused("json", NULL, "integer", false);
    s_refused("phone", NULL, "bigint", false);
    s_refused("text", NULL, "jsonb", false);
    s_refused("credit_card", NULL, "integer", false);
    s_refused("credit_card", NULL, "numeric(12,0)", false);
    s_refused("credit_card", NULL, "numeric(18,4)", false);
    r = s_rule("credit_card", NULL, "numeric(16,0)");
    mask_rule_destroy(&r);
    err = s_refused("number", NULL, "numeric(5,-2)", false);
    ck_assert_ptr_nonnull(strstr(err.message, "negative scale"));

    /* types this module does not know take null, value and preserve only */
    static const char *const other[] = {
        "mood", "text[]", "bytea", "time without time zone", "interval", "public.my_enum"};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        s_refused("text", NULL, other[i], false);
        s_refused("hash", NULL, other[i], false);
        r = s_rule("preserve", NULL, other[i]);
        mask_rule_destroy(&r);
        r = s_rule("null", NULL, other[i]);
        mask_rule_destroy(&r);
        r = s_rule("value", s_opt("value", value_new_string("anything")), other[i]);
        mask_rule_destroy(&r);
    }
    /* an unknown type (NULL) is checked later: every strategy is accepted */
    for (const char *const *n = mask_strategy_names(); *n != NULL; n++) {
        value_t *opts = strcmp(*n, "value") == 0 ? s_opt("value", value_new_string("x")) : NULL;

        r = mask_rule_new(*n, opts, NULL, 0, false, NULL, false, &err);
        value_destroy(&opts);
        ck_assert_msg(r != NULL, "%s: %s", *n, err.message);
        mask_rule_destroy(&r);
    }

    /* null on a NOT NULL column */
    err = s_refused("null", NULL, "text", true);
    ck_assert_str_eq(err.message, "strategy null cannot be used on a NOT NULL column");
    ck_assert_ptr_nonnull(strstr(err.hint, "redact"));
    r = s_rule("null", NULL, "text");
    mask_rule_destroy(&r);
}
END_TEST

START_TEST(test_rule_lengths)
{
    err_t err;
    mask_rule_t *r;

    err = s_refused("email", NULL, "character varying(20)", false);
    ck_assert_str_eq(err.message, "strategy email needs 38 characters (26 + \"@example.com\") but "
                                  "the column is character varying(20)");
    s_refused("email", NULL, "character varying(37)", false);
    r = s_rule("email", NULL, "character varying(38)");
    mask_rule_destroy(&r);
    r = s_rule("email", s_opt("domain", value_new_string("x.io")), "character varying(31)");
    mask_rule_destroy(&r);
    s_refused("email", NULL, "character(1)", false);
    s_refused("email", NULL, "character", false); /* char(1) */

    err = s_refused("hash", s_opt("length", value_new_int(64)), "character varying(32)", false);
    ck_assert_ptr_nonnull(strstr(err.hint, "length: 32"));
    s_refused("hash", NULL, "character varying(31)", false);
    r = s_rule("hash", s_opt("length", value_new_int(16)), "character varying(16)");
    mask_rule_destroy(&r);
    s_refused("uuid", NULL, "character varying(35)", false);
    r = s_rule("uuid", NULL, "character(36)");
    mask_rule_destroy(&r);
    s_refused("credit_card", NULL, "character varying(15)", false);
    s_refused("ip", NULL, "character varying(20)", false);
    r = s_rule("ip", NULL, "character varying(49)");
    mask_rule_destroy(&r);
    s_refused("name", NULL, "character varying(1)", false);
    s_refused("first_name", NULL, "character(1)", false);
    s_refused("address", NULL, "character varying(6)", false);
    r = s_rule("address", NULL, "character varying(8)");
    mask_rule_destroy(&r);

    /* value: the constant must fit the column's type */
    err = s_refused("value", s_opt("value", value_new_string("REDACTED")), "character varying(3)",
                    false);
    ck_assert_ptr_nonnull(strstr(err.message, "longer than the column"));
    r = s_rule("value", s_opt("value", value_new_string("Zoë")), "character varying(3)");
    mask_rule_destroy(&r);
    s_refused("value", s_opt("value", value_new_string("abc")), "integer", false);
    s_refused("value", s_opt("value", value_new_int(70000)), "smallint", false);
    s_refused("value", s_opt("value", value_new_string("12345.6")), "numeric(5,2)", false);
    s_refused("value", s_opt("value", value_new_string("2021-02-30")), "date", false);
    s_refused("value", s_opt("value", value_new_string("2021-02-03 10:00")), "timestamp", false);
    s_refused("value", s_opt("value", value_new_string("not-a-uuid")), "uuid", false);
    s_refused("value", s_opt("value", value_new_string("10.0.0.1/8")), "cidr", false);
    s_refused("value", s_opt("value", value_new_string("{\"a\":")), "jsonb", false);
    s_refused("value", s_opt("value", value_new_string("maybe")), "boolean", false);
    s_refused("value", s_opt("value", value_new_string("1.5e")), "double precision", false);

    static const char *const good[][2] = {
        {"smallint", "-32768"},
        {"integer", "42"},
        {"bigint", "9223372036854775807"},
        {"numeric(5,2)", "999.99"},
        {"numeric", "NaN"},
        {"double precision", "-1.5e300"},
        {"real", "Infinity"},
        {"date", "2020-02-29"},
        {"date", "0044-03-15 BC"},
        {"date", "infinity"},
        {"timestamp with time zone", "2021-06-01 12:34:56.789+05:30"},
        {"uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"},
        {"uuid", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}"},
        {"inet", "192.168.0.1/24"},
        {"cidr", "192.168.0.0/24"},
        {"inet", "::1"},
        {"jsonb", "{\"a\": [1, 2.5e3, \"x\", null, true]}"},
        {"boolean", "false"},
        {"mood", "happy"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        r = s_rule("value", s_opt("value", value_new_string(good[i][1])), good[i][0]);
        mask_rule_destroy(&r);
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Properties every keyed strategy has                                                      */
/* ---------------------------------------------------------------------------------------- */

/* Makes input number i into buf. */
typedef void(make_fn)(int i, char *buf, size_t size);

/* True when out is a valid output for in. */
typedef bool(valid_fn)(const char *in, const char *out);

/* One strategy to check. */
typedef struct s_case {
    const char *strategy; /* the strategy */
    const char *type;     /* the column type */
    const char *opt;      /* an option name, or NULL */
    const char *optval;   /* its value (a string) */
    make_fn *make;        /* makes inputs */
    valid_fn *valid;      /* checks outputs */
} s_case_t;

static void
s_make_email(int i, char *b, size_t n)
{
    snprintf(b, n, "person%d@mail.example.net", i);
}

static void
s_make_phone(int i, char *b, size_t n)
{
    snprintf(b, n, "+1 (415) 555-%04d", i);
}

static void
s_make_full_name(int i, char *b, size_t n)
{
    snprintf(b, n, "Person%d Example", i);
}

static void
s_make_word(int i, char *b, size_t n)
{
    snprintf(b, n, "Word%d", i);
}

static void
s_make_address(int i, char *b, size_t n)
{
    snprintf(b, n, "%d Main Street", i + 1);
}

static void
s_make_id(int i, char *b, size_t n)
{
    snprintf(b, n, "id-%d", i);
}

static void
s_make_date(int i, char *b, size_t n)
{
    snprintf(b, n, "%04d-%02d-%02d", 1950 + i % 70, 1 + i % 12, 1 + (i * 7) % 28);
}

static void
s_make_timestamp(int i, char *b, size_t n)
{
    snprintf(b, n, "%04d-%02d-%02d %02d:%02d:%02d.%06d+02", 1990 + i % 30, 1 + i % 12, 1 + i % 28,
             i % 24, i % 60, (i * 7) % 60, i * 13);
}

static void
s_make_int(int i, char *b, size_t n)
{
    snprintf(b, n, "%d", (i % 2 ? -1 : 1) * (1000 + i * 37));
}

static void
s_make_numeric(int i, char *b, size_t n)
{
    snprintf(b, n, "%d.%02d", 1000 + i * 3, i % 100);
}

static void
s_make_card(int i, char *b, size_t n)
{
    snprintf(b, n, "4111 1111 1111 %04d", i);
}

static void
s_make_ipv4(int i, char *b, size_t n)
{
    snprintf(b, n, "10.%d.%d.%d", i % 256, (i * 7) % 256, (i * 13) % 256);
}

static void
s_make_ipv6(int i, char *b, size_t n)
{
    snprintf(b, n, "2001:db8:%x::%x", i, i * 3 + 1);
}

static void
s_make_text(int i, char *b, size_t n)
{
    snprintf(b, n, "Hello World %d, ça va? Ωμέγα", i);
}

static void
s_make_json(int i, char *b, size_t n)
{
    snprintf(b, n, "{\"email\": \"user%d@x.org\", \"n\": %d, \"ok\": true}", i, i);
}

static bool
s_valid_email(const char *in, const char *out)
{
    (void) in;
    return strlen(out) == 26 + strlen("@example.com") &&
           strspn(out, "abcdefghijklmnopqrstuvwxyz234567") == 26 &&
           strcmp(out + 26, "@example.com") == 0;
}

/* Same length, same non-digit characters, digits where digits were; +1 kept. */
static bool
s_valid_phone(const char *in, const char *out)
{
    if (strlen(in) != strlen(out) || strncmp(out, "+1 ", 3) != 0)
        return false;
    for (size_t i = 0; in[i]; i++) {
        bool d_in = in[i] >= '0' && in[i] <= '9', d_out = out[i] >= '0' && out[i] <= '9';

        if (d_in != d_out || (!d_in && in[i] != out[i]))
            return false;
    }
    return true;
}

static bool
s_valid_full_name(const char *in, const char *out)
{
    const char *space = strchr(out, ' ');

    (void) in;
    return space != NULL && strchr(space + 1, ' ') == NULL &&
           s_in_list(&mask_first_names, out, (size_t) (space - out)) &&
           s_in_list(&mask_last_names, space + 1, strlen(space + 1));
}

static bool
s_valid_first_name(const char *in, const char *out)
{
    (void) in;
    return s_in_list(&mask_first_names, out, strlen(out));
}

static bool
s_valid_last_name(const char *in, const char *out)
{
    (void) in;
    return s_in_list(&mask_last_names, out, strlen(out));
}

/* "<1-9999> <street> <type>" from the lists. */
static bool
s_valid_address(const char *in, const char *out)
{
    char street[64], type[64];
    int num, n = 0;

    (void) in;
    if (sscanf(out, "%d %63s %63s%n", &num, street, type, &n) != 3 || (size_t) n != strlen(out))
        return false;
    return num >= 1 && num <= 9999 && s_in_list(&mask_street_names, street, strlen(street)) &&
           s_in_list(&mask_street_types, type, strlen(type));
}

static bool
s_valid_hex32(const char *in, const char *out)
{
    (void) in;
    return strlen(out) == 32 && strspn(out, "0123456789abcdef") == 32;
}

/* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower-case hex. */
static bool
s_valid_uuid(const char *in, const char *out)
{
    (void) in;
    if (strlen(out) != 36 || out[14] != '4' || strchr("89ab", out[19]) == NULL)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? out[i] != '-' : strchr("0123456789abcdef", out[i]) == NULL)
            return false;
    }
    return true;
}

/* A calendar date 1 to days days away from the input's, with the input's rest. */
static bool
s_valid_shift(const char *in, const char *out, long days, bool keep_year)
{
    long yi, yo, di, dout;
    int mi, mo, dayi, dayo;
    const char *rest_in, *rest_out;

    if (!s_read_date(in, &yi, &mi, &dayi, &rest_in) ||
        !s_read_date(out, &yo, &mo, &dayo, &rest_out))
        return false;
    di = s_day_number(yi, mi, dayi);
    dout = s_day_number(yo, mo, dayo);
    if (dout < -100000000L || strcmp(rest_in, rest_out) != 0 || (keep_year && yi != yo))
        return false;
    return labs(dout - di) >= 1 && labs(dout - di) <= days;
}

static bool
s_valid_date(const char *in, const char *out)
{
    return s_valid_shift(in, out, 365, false);
}

/* An integer within 10% of the input. */
static bool
s_valid_int10(const char *in, const char *out)
{
    char *end;
    long long a = strtoll(in, NULL, 10), b;

    errno = 0;
    b = strtoll(out, &end, 10);
    return *end == '\0' && errno == 0 && end != out && llabs(b - a) <= (llabs(a) + 5) / 10;
}

/* Exactly two decimals, at most 8 digits before the point, within 10% of the input. */
static bool
s_valid_numeric_10_2(const char *in, const char *out)
{
    const char *dot = strchr(out, '.');
    double a = strtod(in, NULL), b = strtod(out, NULL);
    size_t int_digits = dot ? (size_t) (dot - out) - (out[0] == '-') : 0;

    return dot != NULL && strlen(dot + 1) == 2 && strspn(dot + 1, "0123456789") == 2 &&
           int_digits >= 1 && int_digits <= 8 && fabs(b - a) <= fabs(a) * 0.1 + 0.01;
}

/* 16 Luhn-valid digits, the input's separators where they were. */
static bool
s_valid_card(const char *in, const char *out)
{
    char digits[64];

    if (strlen(in) != strlen(out))
        return false;
    for (size_t i = 0; in[i]; i++)
        if ((in[i] == ' ' || in[i] == '-' || out[i] == ' ' || out[i] == '-') && in[i] != out[i])
            return false;
    s_digits_of(out, digits);
    return strlen(digits) == 16 && digits[0] != '0' && s_luhn(digits);
}

/* An IPv4 address with the input's first two octets. */
static bool
s_valid_ipv4(const char *in, const char *out)
{
    unsigned char a[4], b[4];

    return inet_pton(AF_INET, in, a) == 1 && inet_pton(AF_INET, out, b) == 1 && a[0] == b[0] &&
           a[1] == b[1];
}

/* An IPv6 address with the input's first 48 bits. */
static bool
s_valid_ipv6(const char *in, const char *out)
{
    unsigned char a[16], b[16];

    return inet_pton(AF_INET6, in, a) == 1 && inet_pton(AF_INET6, out, b) == 1 &&
           memcmp(a, b, 6) == 0;
}

/* Same characters count; ASCII letters, digits and other characters where they were. */
static bool
s_valid_text(const char *in, const char *out)
{
    if (s_chars(in) != s_chars(out))
        return false;
    for (size_t i = 0, j = 0; in[i]; i++, j++) {
        unsigned char a = (unsigned char) in[i], b = (unsigned char) out[j];

        if (a >= 0x80)
            return true; /* past the ASCII prefix: the count is checked above */
        if ((a >= 'a' && a <= 'z') != (b >= 'a' && b <= 'z') ||
            (a >= 'A' && a <= 'Z') != (b >= 'A' && b <= 'Z') ||
            (a >= '0' && a <= '9') != (b >= '0' && b <= '9'))
            return false;
        if (!((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z') || (a >= '0' && a <= '9')) && a != b)
            return false;
    }
    return true;
}

/* Valid JSON with the input's keys and literals where they were. */
static bool
s_valid_json(const char *in, const char *out)
{
    (void) in;
    return mask_json_valid(out, strlen(out)) && strncmp(out, "{\"email\": \"", 11) == 0 &&
           strstr(out, "\", \"n\": ") != NULL && strstr(out, ", \"ok\": true}") != NULL &&
           strlen(out) == strlen(in);
}

/* Every keyed strategy, on a typical column. */
static const s_case_t s_cases[] = {
    {"email", "character varying(64)", NULL, NULL, s_make_email, s_valid_email},
    {"phone", "text", NULL, NULL, s_make_phone, s_valid_phone},
    {"name", "text", NULL, NULL, s_make_full_name, s_valid_full_name},
    {"first_name", "character varying(40)", NULL, NULL, s_make_word, s_valid_first_name},
    {"last_name", "text", NULL, NULL, s_make_word, s_valid_last_name},
    {"address", "text", NULL, NULL, s_make_address, s_valid_address},
    {"hash", "text", NULL, NULL, s_make_id, s_valid_hex32},
    {"uuid", "uuid", NULL, NULL, s_make_id, s_valid_uuid},
    {"uuid", "text", NULL, NULL, s_make_email, s_valid_uuid},
    {"date", "date", NULL, NULL, s_make_date, s_valid_date},
    {"timestamp", "timestamp with time zone", NULL, NULL, s_make_timestamp, s_valid_date},
    {"number", "integer", NULL, NULL, s_make_int, s_valid_int10},
    {"number", "numeric(10,2)", NULL, NULL, s_make_numeric, s_valid_numeric_10_2},
    {"credit_card", "text", NULL, NULL, s_make_card, s_valid_card},
    {"ip", "inet", NULL, NULL, s_make_ipv4, s_valid_ipv4},
    {"ip", "inet", NULL, NULL, s_make_ipv6, s_valid_ipv6},
    {"text", "text", NULL, NULL, s_make_text, s_valid_text},
    {"json", "jsonb", NULL, NULL, s_make_json, s_valid_json},
    {"email", NULL, "domain", "example.com", s_make_email, s_valid_email},
};

#define N_CASES ((int) (sizeof(s_cases) / sizeof(s_cases[0])))

/* Determinism, key, domain and seed sensitivity, validity: for s_cases[_i]. */
START_TEST(test_properties)
{
    const s_case_t *c = &s_cases[_i];
    value_t *opts = c->opt ? s_opt(c->opt, value_new_string(c->optval)) : NULL;
    mask_rule_t *r1 =
        s_rule_full(c->strategy, opts ? value_dup(opts) : NULL, NULL, 0, false, c->type);
    mask_rule_t *r2 =
        s_rule_full(c->strategy, opts ? value_dup(opts) : NULL, NULL, 0, false, c->type);
    mask_rule_t *rd =
        s_rule_full(c->strategy, opts ? value_dup(opts) : NULL, "other_domain", 0, false, c->type);
    mask_rule_t *rs =
        s_rule_full(c->strategy, opts ? value_dup(opts) : NULL, NULL, 7, true, c->type);
    mask_rule_t *r0 =
        s_rule_full(c->strategy, opts ? value_dup(opts) : NULL, NULL, 0, true, c->type);
    int key_diff = 0, domain_diff = 0, seed_diff = 0;
    char in[256];

    value_destroy(&opts);
    for (int i = 0; i < SAMPLES; i++) {
        char *a, *a2, *b, *d, *s, *z;

        c->make(i, in, sizeof(in));
        a = s_mask_key(r1, &s_key_a, in, strlen(in));
        a2 = s_mask_key(r2, &s_key_a, in, strlen(in));
        b = s_mask_key(r1, &s_key_b, in, strlen(in));
        d = s_mask_key(rd, &s_key_a, in, strlen(in));
        s = s_mask_key(rs, &s_key_a, in, strlen(in));
        z = s_mask_key(r0, &s_key_a, in, strlen(in));
        if (!c->valid(in, a) || !c->valid(in, b) || !c->valid(in, d) || !c->valid(in, s))
            ck_abort_msg("%s on %s: \"%s\" gave invalid \"%s\" / \"%s\" / \"%s\" / \"%s\"",
                         c->strategy, c->type ? c->type : "?", in, a, b, d, s);
        CHECK(strcmp(a, a2) == 0); /* same key and input, another rule object */
        CHECK(strcmp(a, z) == 0);  /* seed 0 is no seed */
        key_diff += strcmp(a, b) != 0;
        domain_diff += strcmp(a, d) != 0;
        seed_diff += strcmp(a, s) != 0;
        free(a);
        free(a2);
        free(b);
        free(d);
        free(s);
        free(z);
    }
    /* and again under key A after key B: the rule's subkeys follow the key */
    c->make(0, in, sizeof(in));
    {
        char *x = s_mask_key(r1, &s_key_a, in, strlen(in));
        char *y = s_mask_key(r2, &s_key_a, in, strlen(in));

        ck_assert_str_eq(x, y);
        free(x);
        free(y);
    }
    ck_assert_msg(key_diff >= SAMPLES * 9 / 10, "%s: another key changed only %d of %d",
                  c->strategy, key_diff, SAMPLES);
    ck_assert_msg(domain_diff >= SAMPLES * 9 / 10, "%s: another domain changed only %d of %d",
                  c->strategy, domain_diff, SAMPLES);
    ck_assert_msg(seed_diff >= SAMPLES * 9 / 10, "%s: another seed changed only %d of %d",
                  c->strategy, seed_diff, SAMPLES);
    mask_rule_destroy(&r1);
    mask_rule_destroy(&r2);
    mask_rule_destroy(&rd);
    mask_rule_destroy(&rs);
    mask_rule_destroy(&r0);
}
END_TEST

START_TEST(test_domain_joins)
{
    /* two columns of one domain mask alike, whatever their types; outside it, they do not */
    mask_rule_t *users = s_rule_full("email", NULL, "customer_email", 0, false, "citext");
    mask_rule_t *orders =
        s_rule_full("email", NULL, "customer_email", 0, false, "character varying(100)");
    mask_rule_t *alone = s_rule("email", NULL, "text");
    char *a = s_mask(users, "Jane.Doe@example.org");
    char *b = s_mask(orders, "Jane.Doe@example.org");
    char *c = s_mask(alone, "Jane.Doe@example.org");
    char *d = s_mask(users, "jane.doe@example.org");

    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, d); /* inputs are masked as given: case matters */
    {
        /* char(n) pads with blanks that are not part of the value */
        mask_rule_t *padded =
            s_rule_full("email", NULL, "customer_email", 0, false, "character(60)");
        char *e = s_mask(padded, "Jane.Doe@example.org                ");

        ck_assert_str_eq(a, e);
        free(e);
        mask_rule_destroy(&padded);
    }
    free(a);
    free(b);
    free(c);
    free(d);
    mask_rule_destroy(&users);
    mask_rule_destroy(&orders);
    mask_rule_destroy(&alone);
}
END_TEST

/*
 * Known answers: the construction must not change silently, or data masked by one version
 * would no longer join with data masked by the next. Same answers on every host.
 */
START_TEST(test_known_answers)
{
    static const struct {
        const char *strategy;
        const char *type;
        const char *in;
        const char *out;
    } known[] = {
        {"email", "text", "john@doe.com", "jz53nbd2n7z67t7v35td7fmtrm@example.com"},
        {"hash", "text", "john@doe.com", "d5207dcf59605ab4343cb6a472c0c7a3"},
        {"uuid", "uuid", "john@doe.com", "a7654985-8513-47ea-9cd4-2fab35c25d0a"},
        {"phone", "text", "+44 20 7946 0958", "+44 82 0002 6343"},
        {"name", "text", "John Smith", "Bethan Gomez"},
        {"date", "date", "2020-02-29", "2020-04-10"},
        {"text", "text", "Zoë Ærø 東京 😀", "Eax Fdu 儃幨 😀"},
    };
    char fp[MASK_FINGERPRINT_LEN + 1];

    mask_key_fingerprint(&s_key_a, fp);
    ck_assert_str_eq(fp, "de00bc0fecba4684");
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        mask_rule_t *r = s_rule(known[i].strategy, NULL, known[i].type);
        char *out = s_mask(r, known[i].in);

        ck_assert_msg(strcmp(out, known[i].out) == 0, "%s(\"%s\") = \"%s\", expected \"%s\"",
                      known[i].strategy, known[i].in, out, known[i].out);
        free(out);
        mask_rule_destroy(&r);
    }
}
END_TEST

START_TEST(test_prf_stream)
{
    mask_rule_t *r = s_rule("text", NULL, "text");
    mask_prf_t p1, p2;
    unsigned char bytes[4096];
    int counts[256] = {0}, below[481] = {0};
    char *warm = s_mask(r, "warm up"); /* derives the rule's subkeys for key A */

    free(warm);
    mask_prf_init(&p1, r, "value", 5);
    mask_prf_init(&p2, r, "value", 5);
    for (size_t i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (unsigned char) mask_prf_byte(&p1);
        CHECK(bytes[i] == mask_prf_byte(&p2)); /* deterministic */
        counts[bytes[i]]++;
    }
    /* the stream never repeats a 16-byte block (each expansion block has its counter) */
    for (size_t a = 0; a < sizeof(bytes); a += 16)
        for (size_t b = a + 16; b < sizeof(bytes); b += 16)
            CHECK(memcmp(bytes + a, bytes + b, 16) != 0);
    for (int v = 0; v < 256; v++) /* 16 expected per value */
        CHECK(counts[v] < 50);
    /* another value, another stream */
    mask_prf_init(&p2, r, "valuf", 5);
    ck_assert_int_ne(memcmp(p1.seed, p2.seed, sizeof(p1.seed)), 0);
    /* integers below n: in range, every one reached */
    for (int i = 0; i < 481 * 40; i++) {
        uint32_t v = mask_prf_below(&p1, 481);

        CHECK(v < 481);
        below[v]++;
        CHECK(mask_prf_below(&p1, 10) < 10 && mask_prf_below(&p1, 1) == 0);
        CHECK(mask_prf_below(&p1, 100000) < 100000);
    }
    for (int v = 0; v < 481; v++)
        CHECK(below[v] > 5 && below[v] < 100);
    mask_rule_destroy(&r);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Strategies one by one                                                                    */
/* ---------------------------------------------------------------------------------------- */

START_TEST(test_email)
{
    mask_rule_t *r =
        s_rule("email", s_opt("domain", value_new_string("corp.test")), "character varying(40)");
    char *out = s_mask(r, "someone@gmail.com");

    ck_assert_uint_eq(strlen(out), 26 + strlen("@corp.test"));
    ck_assert_uint_eq(strspn(out, "abcdefghijklmnopqrstuvwxyz234567"), 26);
    ck_assert_str_eq(out + 26, "@corp.test");
    free(out);
    out = s_mask(r, ""); /* any input, even empty, gives an address */
    ck_assert_uint_eq(strlen(out), 36);
    free(out);
    mask_rule_destroy(&r);
}
END_TEST

START_TEST(test_phone)
{
    mask_rule_t *r = s_rule("phone", NULL, "text");
    mask_rule_t *keep = s_rule("phone", s_opt("keep_prefix", value_new_int(3)), "text");
    mask_rule_t *none = s_rule("phone", s_opt("keep_prefix", value_new_int(0)), "text");
    char *out;
    int changed = 0;

    out = s_mask(r, "+44 20 7946 0958"); /* country code 44 (two digits) kept */
    ck_assert_uint_eq(strlen(out), 16);
    ck_assert_int_eq(strncmp(out, "+44 ", 4), 0);
    ck_assert(out[6] == ' ' && out[11] == ' ');
    free(out);
    out = s_mask(r, "+1 415 555 0100"); /* NANP: one digit */
    ck_assert_int_eq(strncmp(out, "+1 ", 3), 0);
    free(out);
    out = s_mask(r, "+353 1 234 5678"); /* Ireland: three digits */
    ck_assert_int_eq(strncmp(out, "+353 ", 5), 0);
    free(out);
    out = s_mask(keep, "555-123-4567");
    ck_assert_int_eq(strncmp(out, "555-", 4), 0);
    ck_assert_uint_eq(strlen(out), 12);
    free(out);
    for (int i = 0; i < 50; i++) {
        char in[32];

        snprintf(in, sizeof(in), "+33 6 12 34 56 %02d", i);
        out = s_mask(none, in); /* keep_prefix 0: even the country code is redrawn */
        changed += strncmp(out, "+33 ", 4) != 0;
        ck_assert_uint_eq(strlen(out), strlen(in));
        free(out);
    }
    ck_assert_int_ge(changed, 40);
    out = s_mask(r, "ext. n/a"); /* no digits: nothing to mask */
    ck_assert_str_eq(out, "ext. n/a");
    free(out);
    mask_rule_destroy(&r);
    mask_rule_destroy(&keep);
    mask_rule_destroy(&none);
}
END_TEST

START_TEST(test_names)
{
    mask_rule_t *r = s_rule("name", NULL, "text");
    mask_rule_t *short_col = s_rule("name", NULL, "character varying(10)");
    mask_rule_t *first3 = s_rule("first_name", NULL, "character varying(3)");
    char *out, in[64];
    int words = 0;

    out = s_mask(r, "JOHN SMITH");
    ck_assert_str_eq(out, "CARMEN GALLO");
    for (char *p = out; *p; p++)
        ck_assert(!(*p >= 'a' && *p <= 'z'));
    free(out);
    out = s_mask(r, "mary ann smith");
    for (char *p = out; *p; p++) {
        ck_assert(!(*p >= 'A' && *p <= 'Z'));
        words += *p == ' ';
    }
    ck_assert_int_eq(words, 2);
    free(out);
    out = s_mask(r, "  Jean   Paul Sartre  "); /* words count, not spaces */
    ck_assert_ptr_nonnull(strchr(out, ' '));
    ck_assert_ptr_nonnull(strchr(strchr(out, ' ') + 1, ' '));
    ck_assert(out[0] != ' ' && out[strlen(out) - 1] != ' ');
    free(out);
    out = s_mask(r, "   ");
    ck_assert_str_eq(out, "");
    free(out);
    out = s_mask(r, "a b c d e f g h i j k l"); /* at most 8 words */
    words = 0;
    for (char *p = out; *p; p++)
        words += *p == ' ';
    ck_assert_int_eq(words, 7);
    free(out);
    for (int i = 0; i < SAMPLES; i++) {
        snprintf(in, sizeof(in), "Firstname%d Middle Lastname", i);
        out = s_mask(short_col, in);
        CHECK(strlen(out) <= 10 && strlen(out) >= 2);
        free(out);
        out = s_mask(first3, in);
        CHECK(strlen(out) <= 3 && s_in_list(&mask_first_names, out, strlen(out)));
        free(out);
    }
    mask_rule_destroy(&r);
    mask_rule_destroy(&short_col);
    mask_rule_destroy(&first3);
}
END_TEST

START_TEST(test_address)
{
    mask_rule_t *r = s_rule("address", NULL, "character varying(12)");
    char in[32];

    for (int i = 0; i < SAMPLES; i++) {
        char *out;
        int num;

        snprintf(in, sizeof(in), "%d rue de la Paix", i);
        out = s_mask(r, in);
        CHECK(strlen(out) <= 12);
        CHECK(sscanf(out, "%d", &num) == 1 && num >= 1 && num <= 9999);
        CHECK(strchr(out, ' ') != NULL);
        free(out);
    }
    mask_rule_destroy(&r);
}
END_TEST

START_TEST(test_hash)
{
    static const int lengths[] = {1, 8, 31, 32, 33, 64, 127, 128};

    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        mask_rule_t *r = s_rule("hash", s_opt("length", value_new_int(lengths[i])), "text");
        mask_rule_t *r2 = s_rule("hash", s_opt("length", value_new_int(lengths[i])), "text");
        char *a = s_mask(r, "alice"), *b = s_mask(r2, "alice"), *c = s_mask(r, "alicf");

        ck_assert_uint_eq(strlen(a), (size_t) lengths[i]);
        ck_assert_uint_eq(strspn(a, "0123456789abcdef"), (size_t) lengths[i]);
        ck_assert_str_eq(a, b);
        if (lengths[i] >= 8)
            ck_assert_str_ne(a, c);
        free(a);
        free(b);
        free(c);
        mask_rule_destroy(&r);
        mask_rule_destroy(&r2);
    }
}
END_TEST

START_TEST(test_constants)
{
    mask_rule_t *redact = s_rule("redact", NULL, "text");
    mask_rule_t *custom = s_rule("redact", s_opt("text", value_new_string("***")), "text");
    mask_rule_t *cut = s_rule("redact", NULL, "character(4)");
    mask_rule_t *cut_utf8 =
        s_rule("redact", s_opt("text", value_new_string("Zoë Ærø")), "character varying(3)");
    mask_rule_t *null = s_rule("null", NULL, "integer");
    mask_rule_t *value = s_rule("value", s_opt("value", value_new_int(42)), "integer");
    mask_rule_t *value_text = s_rule("value", s_opt("value", value_new_string("n/a")), "text");
    mask_rule_t *value_bool = s_rule("value", s_opt("value", value_new_bool(false)), "boolean");
    mask_rule_t *value_dbl =
        s_rule("value", s_opt("value", value_new_double(0.1)), "double precision");
    mask_rule_t *preserve = s_rule("preserve", NULL, "text");
    buf_t out;
    err_t err;
    char *s;

    s = s_mask(redact, "secret");
    ck_assert_str_eq(s, "REDACTED");
    free(s);
    s = s_mask(custom, "secret");
    ck_assert_str_eq(s, "***");
    free(s);
    s = s_mask(cut, "abcd");
    ck_assert_str_eq(s, "REDA");
    free(s);
    s = s_mask(cut_utf8, "x");
    ck_assert_str_eq(s, "Zoë");
    free(s);
    buf_init(&out);
    buf_append(&out, "row:", 4);
    ck_assert_int_eq(mask_apply(null, &s_key_a, "17", 2, &out, &err), MASK_NULL);
    ck_assert_uint_eq(out.len, 4); /* nothing appended */
    buf_free(&out);
    s = s_mask(value, "17");
    ck_assert_str_eq(s, "42");
    free(s);
    s = s_mask(value_text, "Jane");
    ck_assert_str_eq(s, "n/a");
    free(s);
    s = s_mask(value_bool, "true");
    ck_assert_str_eq(s, "false");
    free(s);
    s = s_mask(value_dbl, "3.5");
    ck_assert_str_eq(s, "0.1");
    free(s);
    s = s_mask(preserve, "as it was");
    ck_assert_str_eq(s, "as it was");
    free(s);
    ck_assert(mask_rule_is_passthrough(preserve));
    ck_assert(!mask_rule_is_passthrough(redact));
    ck_assert_str_eq(mask_rule_strategy(redact), "redact");
    ck_assert_str_eq(mask_rule_strategy(value_dbl), "value");
    mask_rule_destroy(&redact);
    mask_rule_destroy(&custom);
    mask_rule_destroy(&cut);
    mask_rule_destroy(&cut_utf8);
    mask_rule_destroy(&null);
    mask_rule_destroy(&value);
    mask_rule_destroy(&value_text);
    mask_rule_destroy(&value_bool);
    mask_rule_destroy(&value_dbl);
    mask_rule_destroy(&preserve);
}
END_TEST

START_TEST(test_dates)
{
    mask_rule_t *d30 = s_rule("date", s_opt("days", value_new_int(30)), "date");
    mask_rule_t *year = s_rule("date", s_opt("keep_year", value_new_bool(true)), "date");
    mask_rule_t *ts = s_rule("timestamp", NULL, "timestamp(3) with time zone");
    mask_rule_t *any = s_rule("date", NULL, NULL);
    char in[64], *out;
    err_t err;

    for (int i = 0; i < 500; i++) {
        snprintf(in, sizeof(in), "%04d-%02d-%02d", 1900 + i % 200, 1 + i % 12,
                 1 + (i * 11) % (i % 12 == 1 ? 28 : 30));
        out = s_mask(d30, in);
        if (!s_valid_shift(in, out, 30, false))
            ck_abort_msg("date(30): %s -> %s", in, out);
        free(out);
        /* the last days of a year stay in it */
        snprintf(in, sizeof(in), "%04d-12-%02d", 1950 + i % 100, 20 + i % 12);
        out = s_mask(year, in);
        if (!s_valid_shift(in, out, 365, true))
            ck_abort_msg("date(keep_year): %s -> %s", in, out);
        free(out);
    }
    out = s_mask(d30, "2020-02-29");
    ck_assert(s_valid_shift("2020-02-29", out, 30, false));
    free(out);

    /* time of day and zone kept, as written */
    out = s_mask(ts, "2021-06-01 12:34:56.789+05:30");
    ck_assert_uint_eq(strlen(out), strlen("2021-06-01 12:34:56.789+05:30"));
    ck_assert_str_eq(out + 10, " 12:34:56.789+05:30");
    ck_assert(s_valid_shift("2021-06-01 12:34:56.789+05:30", out, 365, false));
    free(out);
    out = s_mask(ts, "1999-12-31 23:59:59-08");
    ck_assert_str_eq(out + 10, " 23:59:59-08");
    free(out);
    out = s_mask(any, "2001-01-01 00:00:00");
    ck_assert_str_eq(out + 10, " 00:00:00");
    free(out);

    /* infinity passes through; BC dates are shifted like any other */
    out = s_mask(ts, "infinity");
    ck_assert_str_eq(out, "infinity");
    free(out);
    out = s_mask(d30, "-infinity");
    ck_assert_str_eq(out, "-infinity");
    free(out);
    for (int i = 0; i < 100; i++) {
        snprintf(in, sizeof(in), "%04d-%02d-15 BC", 1 + i % 3, 1 + i % 12);
        out = s_mask(d30, in);
        if (!s_valid_shift(in, out, 30, false))
            ck_abort_msg("BC: %s -> %s", in, out);
        free(out);
    }
    /* at the edges of PostgreSQL's range, the shift stays inside it */
    for (int i = 0; i < 50; i++) {
        long y;
        int m, d;
        const char *rest;

        snprintf(in, sizeof(in), "4714-11-%02d BC", 24 + i % 5);
        out = s_mask(d30, in);
        CHECK(s_valid_shift(in, out, 30, false) && s_read_date(out, &y, &m, &d, &rest));
        CHECK(s_day_number(y, m, d) >= s_day_number(-4713, 11, 24));
        free(out);
        snprintf(in, sizeof(in), "5874897-12-%02d", 27 + i % 5);
        out = s_mask(d30, in);
        CHECK(s_valid_shift(in, out, 30, false) && s_read_date(out, &y, &m, &d, &rest));
        CHECK(s_day_number(y, m, d) <= s_day_number(5874897, 12, 31));
        free(out);
    }

    /* what is not an ISO date is an error that does not quote the value */
    static const char *const bad[] = {"not a date",
                                      "2021-02-30",
                                      "2021-13-01",
                                      "21-01-01",
                                      "2021/01/01",
                                      "01/02/2021",
                                      "2021-01-01 25:00:00",
                                      "0000-01-01",
                                      "2021-01-01 12:00",
                                      "2021-01-01 12:00:00+",
                                      ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = s_mask_fails(ts, bad[i]);
        if (bad[i][0] != '\0')
            ck_assert_ptr_null(strstr(err.message, bad[i]));
        ck_assert_ptr_nonnull(strstr(err.hint, "DateStyle ISO"));
    }
    err = s_mask_fails(d30, "2021-01-01 12:00:00"); /* a date column holds dates */
    mask_rule_destroy(&d30);
    mask_rule_destroy(&year);
    mask_rule_destroy(&ts);
    mask_rule_destroy(&any);
}
END_TEST

START_TEST(test_numbers)
{
    mask_rule_t *i4 = s_rule("number", NULL, "integer");
    mask_rule_t *i2 = s_rule("number", s_opt("percent", value_new_int(100)), "smallint");
    mask_rule_t *i8 = s_rule("number", s_opt("percent", value_new_int(50)), "bigint");
    mask_rule_t *n52 = s_rule("number", s_opt("percent", value_new_int(100)), "numeric(5,2)");
    mask_rule_t *num = s_rule("number", NULL, "numeric");
    mask_rule_t *f4 = s_rule("number", NULL, "real");
    mask_rule_t *f8 = s_rule("number", NULL, "double precision");
    mask_rule_t *any = s_rule("number", NULL, NULL);
    char in[64], *out, *end;
    int changed = 0;

    for (int i = 0; i < SAMPLES; i++) {
        double a, b;

        snprintf(in, sizeof(in), "%d", 32767 - i);
        out = s_mask(i2, in);
        CHECK(strtol(out, &end, 10) <= 32767 && strtol(out, NULL, 10) >= -32768 && *end == '\0');
        free(out);
        snprintf(in, sizeof(in), "%d", -(i * 1000 + 1));
        out = s_mask(i8, in);
        CHECK(strtoll(out, &end, 10) <= 0 && *end == '\0');
        free(out);
        snprintf(in, sizeof(in), "%d.%02d", 990 - i, i % 100);
        out = s_mask(n52, in); /* at most 999.99, two decimals */
        a = strtod(out, &end);
        CHECK(*end == '\0' && a <= 999.99 && a >= 0 && strlen(strchr(out, '.')) == 3);
        free(out);
        snprintf(in, sizeof(in), "%d.%d", i, 123456 + i);
        out = s_mask(num, in); /* the input's scale */
        CHECK(strchr(out, '.') != NULL && strlen(strchr(out, '.')) == 7);
        changed += strcmp(in, out) != 0;
        free(out);
        snprintf(in, sizeof(in), "%g", 1.5 + i * 1e3);
        out = s_mask(f4, in);
        a = strtod(in, NULL);
        b = strtod(out, &end);
        CHECK(*end == '\0' && fabs(b - a) <= fabs(a) * 0.1 + 1e-3);
        free(out);
        snprintf(in, sizeof(in), "%.17g", 1e300 * (i + 1));
        out = s_mask(f8, in);
        b = strtod(out, &end);
        CHECK(*end == '\0' && isfinite(b));
        free(out);
    }
    ck_assert_int_ge(changed, SAMPLES * 9 / 10);
    out = s_mask(i8, "9223372036854775807");
    errno = 0;
    strtoll(out, &end, 10);
    ck_assert(*end == '\0' && errno == 0);
    free(out);
    out = s_mask(i8, "-9223372036854775808");
    errno = 0;
    strtoll(out, &end, 10);
    ck_assert(*end == '\0' && errno == 0);
    free(out);
    out = s_mask(f8, "1.7976931348623157e+308");
    ck_assert(isfinite(strtod(out, NULL)));
    free(out);
    out = s_mask(f4, "3.4028235e+38");
    ck_assert(strtof(out, &end) <= 3.4028235e+38f && *end == '\0');
    free(out);
    out = s_mask(i4, "0");
    ck_assert_str_eq(out, "0");
    free(out);
    out = s_mask(n52, "0.00");
    ck_assert_str_eq(out, "0.00");
    free(out);
    out = s_mask(any, "12"); /* no type: read by shape */
    ck_assert_uint_eq(strspn(out, "0123456789"), strlen(out));
    free(out);
    out = s_mask(any, "1.50");
    ck_assert_uint_eq(strlen(strchr(out, '.')), 3);
    free(out);
    static const char *const special[] = {"NaN", "Infinity", "-Infinity"};
    for (int i = 0; i < 3; i++) {
        out = s_mask(f8, special[i]);
        ck_assert_str_eq(out, special[i]);
        free(out);
        out = s_mask(num, special[i]);
        ck_assert_str_eq(out, special[i]);
        free(out);
    }
    s_mask_fails(i4, "12.5");
    s_mask_fails(i4, "abc");
    s_mask_fails(i4, "");
    s_mask_fails(i4, "99999999999"); /* out of integer's range */
    s_mask_fails(i2, "40000");
    s_mask_fails(num, "1.2.3");
    s_mask_fails(num, "1e5");
    s_mask_fails(num, "1234567890123456789012345678901234567890"); /* 40 digits */
    s_mask_fails(f8, "1.5x");
    s_mask_fails(f8, " 1.5");
    mask_rule_destroy(&i4);
    mask_rule_destroy(&i2);
    mask_rule_destroy(&i8);
    mask_rule_destroy(&n52);
    mask_rule_destroy(&num);
    mask_rule_destroy(&f4);
    mask_rule_destroy(&f8);
    mask_rule_destroy(&any);
}
END_TEST

START_TEST(test_credit_card)
{
    mask_rule_t *r = s_rule("credit_card", NULL, "text");
    mask_rule_t *last4 = s_rule("credit_card", s_opt("keep_last4", value_new_bool(true)), "text");
    mask_rule_t *narrow = s_rule("credit_card", NULL, "character varying(16)");
    mask_rule_t *big = s_rule("credit_card", NULL, "bigint");
    char in[64], digits[64], *out;

    for (int i = 0; i < SAMPLES; i++) {
        snprintf(in, sizeof(in), "5500-0000-%04d-%04d", i, i * 7 % 10000);
        out = s_mask(last4, in);
        s_digits_of(out, digits);
        CHECK(strlen(out) == 19 && out[4] == '-' && out[9] == '-' && out[14] == '-');
        CHECK(strlen(digits) == 16 && s_luhn(digits) && strcmp(out + 15, in + 15) == 0);
        free(out);
        snprintf(in, sizeof(in), "4111-%06d-1111 %02d", i, i % 100); /* any 16-digit shape */
        out = s_mask(r, in);
        s_digits_of(out, digits);
        CHECK(strlen(out) == 19 && out[4] == '-' && out[11] == '-' && out[16] == ' ');
        CHECK(strlen(digits) == 16 && s_luhn(digits));
        free(out);
        snprintf(in, sizeof(in), "%015d", i); /* 15 digits: output still 16 */
        out = s_mask(r, in);
        CHECK(strlen(out) == 16 && strspn(out, "0123456789") == 16 && s_luhn(out));
        free(out);
        snprintf(in, sizeof(in), "3782 822463 %05d", i); /* Amex shape: regrouped 4-4-4-4 */
        out = s_mask(r, in);
        s_digits_of(out, digits);
        CHECK(strlen(out) == 19 && out[4] == ' ' && s_luhn(digits));
        free(out);
        out = s_mask(narrow, in); /* no room for separators */
        CHECK(strlen(out) == 16 && s_luhn(out));
        free(out);
        snprintf(in, sizeof(in), "4%015d", i);
        out = s_mask(big, in);
        CHECK(strlen(out) == 16 && out[0] != '0' && s_luhn(out));
        free(out);
    }
    mask_rule_destroy(&r);
    mask_rule_destroy(&last4);
    mask_rule_destroy(&narrow);
    mask_rule_destroy(&big);
}
END_TEST

START_TEST(test_ip)
{
    mask_rule_t *inet = s_rule("ip", NULL, "inet");
    mask_rule_t *cidr = s_rule("ip", NULL, "cidr");
    mask_rule_t *p24 = s_rule("ip", s_opt("prefix", value_new_int(24)), "inet");
    mask_rule_t *p0 = s_rule("ip", s_opt("prefix6", value_new_int(0)), "text");
    unsigned char a[16];
    char in[64], *out, *slash;

    for (int i = 0; i < SAMPLES; i++) {
        snprintf(in, sizeof(in), "172.16.%d.%d/%d", i % 256, i * 3 % 256, 8 + i % 25);
        out = s_mask(inet, in);
        slash = strchr(out, '/');
        CHECK(slash != NULL && strcmp(slash, strchr(in, '/')) == 0);
        *slash = '\0';
        CHECK(inet_pton(AF_INET, out, a) == 1 && a[0] == 172 && a[1] == 16);
        free(out);

        snprintf(in, sizeof(in), "10.20.%d.0/24", i % 256);
        out = s_mask(cidr, in); /* a network: the host bits stay zero */
        slash = strchr(out, '/');
        CHECK(slash != NULL && strcmp(slash, "/24") == 0);
        *slash = '\0';
        CHECK(inet_pton(AF_INET, out, a) == 1 && a[0] == 10 && a[1] == 20 && a[3] == 0);
        free(out);

        snprintf(in, sizeof(in), "192.168.7.%d", i);
        out = s_mask(p24, in);
        CHECK(strncmp(out, "192.168.7.", 10) == 0 && inet_pton(AF_INET, out, a) == 1);
        free(out);

        snprintf(in, sizeof(in), "fe80::%x:1", i + 1);
        out = s_mask(p0, in);
        CHECK(inet_pton(AF_INET6, out, a) == 1 && strlen(out) <= 39);
        free(out);
    }
    out = s_mask(inet, "10.0.0.0/8"); /* a network shorter than the kept prefix: kept */
    ck_assert_str_eq(out, "10.0.0.0/8");
    free(out);
    out = s_mask(inet, "::ffff:1.2.3.4");
    ck_assert(inet_pton(AF_INET6, out, a) == 1);
    free(out);
    s_mask_fails(inet, "999.1.1.1");
    s_mask_fails(inet, "1.2.3.4/33");
    s_mask_fails(inet, "1.2.3.4/");
    s_mask_fails(inet, "host.example.com");
    s_mask_fails(inet, "");
    mask_rule_destroy(&inet);
    mask_rule_destroy(&cidr);
    mask_rule_destroy(&p24);
    mask_rule_destroy(&p0);
}
END_TEST

START_TEST(test_text_utf8)
{
    mask_rule_t *r = s_rule("text", NULL, "character varying(12)");
    const char *in = "Zoë Ærø 東京 😀";
    char *out = s_mask(r, in);
    uint32_t cp;
    size_t k;

    ck_assert_uint_eq(s_chars(in), 12);
    ck_assert_uint_eq(s_chars(out), 12);
    ck_assert_uint_eq(mask_utf8_chars(out, strlen(out)), 12);
    /* Z o ë: upper, lower, lower; Æ r ø: upper, lower, lower; CJK stays CJK; emoji kept */
    ck_assert(out[0] >= 'A' && out[0] <= 'Z');
    ck_assert(out[1] >= 'a' && out[1] <= 'z');
    ck_assert(out[2] >= 'a' && out[2] <= 'z');
    ck_assert(out[3] == ' ');
    ck_assert(out[4] >= 'A' && out[4] <= 'Z');
    ck_assert(out[5] >= 'a' && out[5] <= 'z' && out[6] >= 'a' && out[6] <= 'z');
    ck_assert(out[7] == ' ');
    k = mask_utf8_decode((const unsigned char *) out + 8, strlen(out) - 8, &cp);
    ck_assert(k == 3 && cp >= 0x4E00 && cp <= 0x9FFF);
    ck_assert_int_eq(strcmp(out + strlen(out) - 5, " 😀"), 0);
    free(out);

    /* Greek and Cyrillic stay in their script and case; digits stay digits */
    out = s_mask(r, "Ωμέγα Привет 42");
    ck_assert_uint_eq(s_chars(out), s_chars("Ωμέγα Привет 42"));
    k = mask_utf8_decode((const unsigned char *) out, strlen(out), &cp);
    ck_assert(k == 2 && cp >= 0x0391 && cp <= 0x03A9);
    k = mask_utf8_decode((const unsigned char *) out + 2, strlen(out) - 2, &cp);
    ck_assert(k == 2 && cp >= 0x03B1 && cp <= 0x03C9);
    ck_assert(out[strlen(out) - 2] >= '0' && out[strlen(out) - 2] <= '9');
    free(out);

    /* an invalid byte becomes one letter: valid UTF-8, same count */
    out = s_mask_key(r, &s_key_a,
                     "a\xff"
                     "b\xc3",
                     4);
    ck_assert_uint_eq(strlen(out), 4);
    ck_assert_uint_eq(strspn(out, "abcdefghijklmnopqrstuvwxyz"), 4);
    free(out);

    /* punctuation kept; the same value masks alike */
    out = s_mask(r, "a.b-c_d@e!");
    ck_assert(out[1] == '.' && out[3] == '-' && out[5] == '_' && out[7] == '@' && out[9] == '!');
    free(out);
    mask_rule_destroy(&r);

    ck_assert_uint_eq(mask_utf8_prefix("Zoë", 4, 3), 4);
    ck_assert_uint_eq(mask_utf8_prefix("Zoë", 4, 2), 2);
    ck_assert_uint_eq(mask_utf8_prefix("Zoë", 4, 9), 4);
}
END_TEST

START_TEST(test_json_valid)
{
    static const char *const good[] = {"{}",
                                       "[]",
                                       "0",
                                       "-0.5e-3",
                                       "\"x\"",
                                       "true",
                                       " null ",
                                       "{\"a\":[1,{\"b\":\"\\u00e9\"}]}",
                                       "\"\\ud83d\\ude00\"",
                                       "[1, 2 , 3]\n"};
    static const char *const bad[] = {
        "",         "{",       "[1,]",  "{\"a\" 1}", "01",    "1.",         "-",         "tru",
        "\"\x01\"", "\"\\x\"", "{1:2}", "[1] [2]",   "\"abc", "{\"a\":1,}", "\"\\u12\"", "NaN"};

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(mask_json_valid(good[i], strlen(good[i])), "rejected %s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!mask_json_valid(bad[i], strlen(bad[i])), "accepted %s", bad[i]);
    ck_assert(!mask_json_valid("\"\xff\"", 3)); /* invalid UTF-8 */
}
END_TEST

/* Masks doc with json paths (NULL: none) and returns the output (caller frees). */
static char *
s_json(const char *paths, const char *doc)
{
    value_t *opts = NULL;
    mask_rule_t *r;
    char *out;

    if (paths != NULL) {
        value_t *list = value_new_array();
        char copy[256], *save = NULL;

        snprintf(copy, sizeof(copy), "%s", paths);
        for (char *p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save))
            value_array_push(list, value_new_string(p));
        opts = s_opt("paths", list);
    }
    r = s_rule("json", opts, "jsonb");
    out = s_mask(r, doc);
    mask_rule_destroy(&r);
    ck_assert_msg(mask_json_valid(out, strlen(out)), "invalid output %s", out);
    return out;
}

START_TEST(test_json)
{
    const char *doc = "{\"user\": {\"email\": \"jane@corp.com\", \"age\": 41, \"vip\": true}, "
                      "\"items\": [{\"email\": \"a@b.co\", \"qty\": 2}, {\"email\": \"c@d.co\", "
                      "\"qty\": 10}], \"note\": null}";
    char *out, *again;

    /* one path: only that leaf changes, byte for byte elsewhere */
    out = s_json("user.email", doc);
    ck_assert_uint_eq(strlen(out), strlen(doc));
    ck_assert_int_eq(strncmp(out, doc, 20), 0);
    ck_assert_int_ne(strncmp(out + 20, "jane@corp.com", 13), 0);
    ck_assert(out[24] == '@' && out[29] == '.');
    ck_assert_str_eq(out + 34, doc + 34);
    free(out);

    /* every element of an array; lax: a key segment walks into arrays */
    out = s_json("items[*].email", doc);
    again = s_json("items.email", doc);
    ck_assert_str_eq(out, again);
    ck_assert_ptr_null(strstr(out, "a@b.co"));
    ck_assert_ptr_null(strstr(out, "c@d.co"));
    ck_assert_ptr_nonnull(strstr(out, "jane@corp.com"));
    ck_assert_ptr_nonnull(strstr(out, "\"qty\": 2}"));
    ck_assert_ptr_nonnull(strstr(out, "\"qty\": 10}"));
    free(out);
    free(again);

    /* one element; a subtree; a wildcard key; several paths */
    out = s_json("items[1].email", doc);
    ck_assert_ptr_nonnull(strstr(out, "a@b.co"));
    ck_assert_ptr_null(strstr(out, "c@d.co"));
    free(out);
    out = s_json("user", doc);
    ck_assert_ptr_null(strstr(out, "jane@corp.com"));
    ck_assert_ptr_null(strstr(out, "\"age\": 41,"));
    ck_assert_ptr_nonnull(strstr(out, "\"vip\": true}"));
    ck_assert_ptr_nonnull(strstr(out, "a@b.co"));
    free(out);
    out = s_json("*.age $.note items[*].qty", doc);
    ck_assert_ptr_null(strstr(out, "\"age\": 41,"));
    ck_assert_ptr_null(strstr(out, "\"qty\": 10}"));
    ck_assert_ptr_nonnull(strstr(out, "\"qty\": "));
    ck_assert_ptr_nonnull(strstr(out, "\"note\": null}"));
    free(out);

    /* no paths: every string and number, never keys or literals */
    out = s_json(NULL, doc);
    ck_assert_uint_eq(strlen(out), strlen(doc));
    ck_assert_ptr_null(strstr(out, "jane@corp.com"));
    ck_assert_ptr_nonnull(strstr(out, "\"email\": \""));
    ck_assert_ptr_nonnull(strstr(out, "\"vip\": true}"));
    ck_assert_ptr_nonnull(strstr(out, "\"note\": null}"));
    free(out);

    /* one value masks alike wherever it is */
    out = s_json(NULL, "[\"same\", {\"k\": \"same\"}, -12.50, 3e7]");
    ck_assert_int_eq(strncmp(out + 2, out + 16, 4), 0);
    ck_assert(out[24] == '-' && out[27] == '.' && strstr(out, "e7]") != NULL);
    free(out);

    /* escapes: decoded, masked, written back escaped */
    out = s_json(NULL, "{\"k\": \"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\\/\"}");
    ck_assert_ptr_nonnull(strstr(out, "\\\""));
    ck_assert_ptr_nonnull(strstr(out, "\\\\"));
    ck_assert_ptr_nonnull(strstr(out, "\\n"));
    ck_assert_ptr_nonnull(strstr(out, "😀"));
    free(out);

    /* what is not JSON is an error; so is nesting deeper than 1000 */
    {
        mask_rule_t *r = s_rule("json", NULL, "json");
        char deep[2100];

        s_mask_fails(r, "{\"a\": ");
        s_mask_fails(r, "not json");
        memset(deep, '[', 1001);
        memset(deep + 1001, ']', 1001);
        deep[2002] = '\0';
        s_mask_fails(r, deep);
        memset(deep, '[', 1000);
        memset(deep + 1000, ']', 1000);
        deep[2000] = '\0';
        free(s_mask(r, deep));
        mask_rule_destroy(&r);
    }
}
END_TEST

START_TEST(test_errors_do_not_quote_values)
{
    static const char *const rules[][2] = {{"date", "date"},
                                           {"number", "integer"},
                                           {"ip", "inet"},
                                           {"json", "jsonb"},
                                           {"number", "numeric"}};
    const char *secret = "SSN 078-05-1120 of Jane";

    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        mask_rule_t *r = s_rule(rules[i][0], NULL, rules[i][1]);
        err_t err = s_mask_fails(r, secret);

        ck_assert_ptr_null(strstr(err.message, "078"));
        ck_assert_ptr_null(strstr(err.detail, "078"));
        ck_assert_ptr_null(strstr(err.hint, "078"));
        mask_rule_destroy(&r);
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Uniqueness on a million inputs                                                           */
/* ---------------------------------------------------------------------------------------- */

/*
 * How many distinct inputs the uniqueness tests mask: fewer under valgrind, when
 * CONFITURE_VALGRIND is set or valgrind's preload library is (it sets LD_PRELOAD).
 */
static int
s_unique_count(void)
{
    const char *preload = getenv("LD_PRELOAD");

    if (getenv("CONFITURE_VALGRIND") != NULL ||
        (preload != NULL && strstr(preload, "vgpreload") != NULL))
        return 20000;
    return 1000000;
}

/* Masks n distinct inputs with strategy (fixed-length outputs); returns the collisions. */
static int
s_collisions(const char *strategy, const char *type, int n, size_t width)
{
    mask_rule_t *r = s_rule(strategy, NULL, type);
    size_t cap = 1;
    uint32_t *slots;
    char *arena = malloc((size_t) n * width);
    unsigned char hkey[crypto_shorthash_KEYBYTES] = {0};
    buf_t out;
    err_t err;
    int collisions = 0;

    while (cap < (size_t) n * 2)
        cap <<= 1;
    slots = calloc(cap, sizeof(uint32_t));
    CHECK(slots != NULL && arena != NULL);
    buf_init(&out);
    for (int i = 0; i < n; i++) {
        char in[48];
        int len = snprintf(in, sizeof(in), "customer-%d@shop.example", i);
        unsigned char h[crypto_shorthash_BYTES];
        size_t slot;

        buf_reset(&out);
        CHECK(mask_apply(r, &s_key_a, in, (size_t) len, &out, &err) == MASK_VALUE);
        CHECK(out.len == width);
        memcpy(arena + (size_t) i * width, out.data, width);
        crypto_shorthash(h, (const unsigned char *) out.data, width, hkey);
        slot = ((size_t) h[0] | (size_t) h[1] << 8 | (size_t) h[2] << 16 | (size_t) h[3] << 24) &
               (cap - 1);
        for (;;) {
            if (slots[slot] == 0) {
                slots[slot] = (uint32_t) i + 1;
                break;
            }
            if (memcmp(arena + (size_t) (slots[slot] - 1) * width, out.data, width) == 0) {
                collisions++;
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    buf_free(&out);
    free(slots);
    free(arena);
    mask_rule_destroy(&r);
    return collisions;
}

START_TEST(test_unique_email)
{
    ck_assert_int_eq(s_collisions("email", "character varying(255)", s_unique_count(), 38), 0);
}
END_TEST

START_TEST(test_unique_uuid)
{
    ck_assert_int_eq(s_collisions("uuid", "uuid", s_unique_count(), 36), 0);
}
END_TEST

START_TEST(test_unique_hash)
{
    ck_assert_int_eq(s_collisions("hash", "text", s_unique_count(), 32), 0);
}
END_TEST

START_TEST(test_collisions_are_counted)
{
    /* the collision counter itself can fail: a 4-hex hash (65536 values) collides */
    mask_rule_t *r = s_rule("hash", s_opt("length", value_new_int(4)), "text");
    int *seen = calloc(65536, sizeof(int)), collisions = 0;
    char in[32];

    for (int i = 0; i < 5000; i++) {
        char *out;

        snprintf(in, sizeof(in), "%d", i);
        out = s_mask(r, in);
        collisions += seen[strtol(out, NULL, 16)]++ > 0;
        free(out);
    }
    ck_assert_int_gt(collisions, 50); /* about n^2 / 2^17 = 190 expected */
    free(seen);
    mask_rule_destroy(&r);
}
END_TEST

Suite *test_mask_suite(void);

Suite *
test_mask_suite(void)
{
    Suite *s = suite_create("mask");
    TCase *keys = tcase_create("keys");
    TCase *rules = tcase_create("rules");
    TCase *props = tcase_create("properties");
    TCase *strategies = tcase_create("strategies");
    TCase *unique = tcase_create("uniqueness");

    tcase_add_checked_fixture(keys, s_setup, NULL);
    tcase_add_test(keys, test_key_from_text);
    tcase_add_test(keys, test_key_from_file);
    tcase_add_test(keys, test_key_random_and_fingerprint);
    suite_add_tcase(s, keys);

    tcase_add_test(rules, test_strategy_names);
    tcase_add_test(rules, test_rule_unknown_strategy);
    tcase_add_test(rules, test_rule_options);
    tcase_add_test(rules, test_rule_types);
    tcase_add_test(rules, test_rule_lengths);
    suite_add_tcase(s, rules);

    tcase_add_checked_fixture(props, s_setup, NULL);
    tcase_add_loop_test(props, test_properties, 0, N_CASES);
    tcase_add_test(props, test_domain_joins);
    tcase_add_test(props, test_known_answers);
    tcase_add_test(props, test_prf_stream);
    tcase_set_timeout(props, 60);
    suite_add_tcase(s, props);

    tcase_add_checked_fixture(strategies, s_setup, NULL);
    tcase_add_test(strategies, test_email);
    tcase_add_test(strategies, test_phone);
    tcase_add_test(strategies, test_names);
    tcase_add_test(strategies, test_address);
    tcase_add_test(strategies, test_hash);
    tcase_add_test(strategies, test_constants);
    tcase_add_test(strategies, test_dates);
    tcase_add_test(strategies, test_numbers);
    tcase_add_test(strategies, test_credit_card);
    tcase_add_test(strategies, test_ip);
    tcase_add_test(strategies, test_text_utf8);
    tcase_add_test(strategies, test_json_valid);
    tcase_add_test(strategies, test_json);
    tcase_add_test(strategies, test_errors_do_not_quote_values);
    tcase_set_timeout(strategies, 60);
    suite_add_tcase(s, strategies);

    tcase_add_checked_fixture(unique, s_setup, NULL);
    tcase_add_test(unique, test_unique_email);
    tcase_add_test(unique, test_unique_uuid);
    tcase_add_test(unique, test_unique_hash);
    tcase_add_test(unique, test_collisions_are_counted);
    tcase_set_timeout(unique, 120);
    suite_add_tcase(s, unique);
    return s;
}
