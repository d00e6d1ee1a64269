/*
 * test_mask_equal.c - masking never gives back its input when the strategy can produce
 * anything else: for every strategy that draws from the PRF, many distinct realistic inputs
 * (among them every name of the built-in lists, one-digit phones, one-letter texts, IP
 * addresses with few free bits) mask to something else; the values a strategy cannot change
 * ("---" as text, 0 as a number, ...) come out as they went in, and quickly; the redraw is
 * deterministic and starts from fresh PRF streams (mask_prf_restart).
 *
 * A leak scan fails a sync when a masked column still holds its source value, so one equal
 * output among these inputs is a failure. Under valgrind the loops use fewer inputs
 * (CONFITURE_VALGRIND set, or valgrind detected), so that make valgrind stays quick.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/value.h"
#include "worker/mask.h"
#include "worker/mask_internal.h"

/* The secret of the test key. */
#define SECRET "unit-test secret, never equal!"

/* Distinct inputs per strategy (fewer under valgrind, see s_count). */
#define INPUTS 20000

/* An assertion for loops that records nothing until it fails (cheap under valgrind). */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)

/* The test key (set by s_setup). */
static mask_key_t s_key;

/* Makes the key. */
static void
s_setup(void)
{
    err_t err;

    ck_assert_int_eq(mask_key_from_text(SECRET, &s_key, &err), 0);
}

/* How many inputs a loop masks: INPUTS, or a tenth of it under valgrind. */
static int
s_count(void)
{
    const char *preload = getenv("LD_PRELOAD");

    if (getenv("CONFITURE_VALGRIND") != NULL ||
        (preload != NULL && strstr(preload, "vgpreload") != NULL))
        return INPUTS / 10;
    return INPUTS;
}

/* A rule that must be accepted, with an optional integer or string option and a seed. */
static mask_rule_t *
s_rule_seeded(const char *strategy, const char *opt, value_t *optval, int64_t seed,
              const char *type)
{
    value_t *opts = NULL;
    mask_rule_t *r;
    err_t err;

    if (opt != NULL) {
        opts = value_new_map();
        value_map_put(opts, opt, optval);
    }
    err_clear(&err);
    r = mask_rule_new(strategy, opts, NULL, seed, seed != 0, type, false, &err);
    value_destroy(&opts);
    if (r == NULL)
        ck_abort_msg("rule %s on %s refused: %s", strategy, type ? type : "?", err.message);
    return r;
}

/* A rule without seed. */
static mask_rule_t *
s_rule(const char *strategy, const char *opt, value_t *optval, const char *type)
{
    return s_rule_seeded(strategy, opt, optval, 0, type);
}

/* Masks in/len into out (reset first); aborts when mask_apply does not return a value. */
static void
s_apply(const mask_rule_t *r, const char *in, size_t len, buf_t *out)
{
    err_t err;
    int rc;

    buf_reset(out);
    err_clear(&err);
    rc = mask_apply(r, &s_key, in, len, out, &err);
    if (rc != MASK_VALUE)
        ck_abort_msg("mask_apply returned %d: %s", rc, err.message);
}

/*
 * Masks the NUL-terminated in with r and aborts when the output is the input. Every 64th
 * call also masks it with twin (the same rule, another object) and checks it gives the same
 * output: the redraw is deterministic.
 */
static void
s_differs(const mask_rule_t *r, const mask_rule_t *twin, const char *in, buf_t *out, buf_t *again,
          int i)
{
    size_t len = strlen(in);

    s_apply(r, in, len, out);
    if (out->len == len && memcmp(out->data, in, len) == 0)
        ck_abort_msg("strategy %s gave back its input \"%s\" (input %d)", mask_rule_strategy(r), in,
                     i);
    if (i % 64 == 0) {
        s_apply(twin, in, len, again);
        if (again->len != out->len || memcmp(again->data, out->data, out->len) != 0)
            ck_abort_msg("strategy %s is not deterministic on \"%s\"", mask_rule_strategy(r), in);
    }
}

/* Makes input i of a strategy's loop into in (size bytes). */
typedef void (*s_make_fn)(int i, char *in, size_t size);

/*
 * Masks n inputs made by make with strategy (opt/optval: one option or NULL) on type and
 * checks that none comes out unchanged.
 */
static void
s_never_equal(const char *strategy, const char *opt, value_t *optval, const char *type,
              s_make_fn make, int n)
{
    mask_rule_t *r = s_rule(strategy, opt, optval ? value_dup(optval) : NULL, type);
    mask_rule_t *twin = s_rule(strategy, opt, optval ? value_dup(optval) : NULL, type);
    buf_t out, again;
    char in[256];

    value_destroy(&optval);
    buf_init(&out);
    buf_init(&again);
    for (int i = 0; i < n; i++) {
        make(i, in, sizeof(in));
        s_differs(r, twin, in, &out, &again, i);
    }
    buf_free(&out);
    buf_free(&again);
    mask_rule_destroy(&r);
    mask_rule_destroy(&twin);
}

/*
 * Masks each of the k inputs made by make (0 <= i < k) under n / k rules of distinct seeds:
 * a value space too small for n distinct inputs (one-letter texts, one-digit phones) is
 * tried against many independent streams instead.
 */
static void
s_never_equal_seeds(const char *strategy, const char *opt, value_t *optval, const char *type,
                    s_make_fn make, int k, int n)
{
    buf_t out, again;
    char in[256];

    buf_init(&out);
    buf_init(&again);
    for (int seed = 1; seed <= (n + k - 1) / k; seed++) {
        mask_rule_t *r =
            s_rule_seeded(strategy, opt, optval ? value_dup(optval) : NULL, seed, type);
        mask_rule_t *twin =
            s_rule_seeded(strategy, opt, optval ? value_dup(optval) : NULL, seed, type);

        for (int i = 0; i < k; i++) {
            make(i, in, sizeof(in));
            s_differs(r, twin, in, &out, &again, (seed - 1) * k + i);
        }
        mask_rule_destroy(&r);
        mask_rule_destroy(&twin);
    }
    value_destroy(&optval);
    buf_free(&out);
    buf_free(&again);
}

/* Asserts that in masks to itself with r (a value the strategy cannot change). */
static void
s_unchanged(const mask_rule_t *r, const char *in)
{
    buf_t out;

    buf_init(&out);
    s_apply(r, in, strlen(in), &out);
    if (out.len != strlen(in) || memcmp(out.data, in, out.len) != 0)
        ck_abort_msg("strategy %s changed \"%s\", which it cannot change", mask_rule_strategy(r),
                     in);
    buf_free(&out);
}

/* ---------------------------------------------------------------------------------------- */
/* Inputs                                                                                   */
/* ---------------------------------------------------------------------------------------- */

static void
s_make_email(int i, char *in, size_t size)
{
    snprintf(in, size, "user.%d@example.com", i);
}

/* Phones of many shapes, down to two free digits. */
static void
s_make_phone(int i, char *in, size_t size)
{
    switch (i % 5) {
    case 0:
        snprintf(in, size, "+44 20 7946 %04d", i / 5);
        break;
    case 1:
        snprintf(in, size, "555-%03d-%04d", i / 5 % 1000, i / 5 % 10000);
        break;
    case 2:
        snprintf(in, size, "%02d", i / 5 % 100); /* two digits */
        break;
    case 3:
        snprintf(in, size, "+1 %d", i / 5 % 100); /* NANP code kept: one or two free digits */
        break;
    default:
        snprintf(in, size, "(%03d) %d", i / 5 % 1000, i / 5); /* short, any length */
        break;
    }
}

/* Phones with a kept three-digit prefix and one to eight free digits. */
static void
s_make_phone_kept(int i, char *in, size_t size)
{
    static const int mod[] = {10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

    snprintf(in, size, "555-%d", i % mod[i % 8]);
}

/* One-digit phones: 0 to 9, bare or after a kept country code. */
static void
s_make_phone_digit(int i, char *in, size_t size)
{
    snprintf(in, size, i < 10 ? "%d" : "+33 %d", i % 10);
}

/* Full names of the built-in lists, in three cases. */
static void
s_make_full_name(int i, char *in, size_t size)
{
    const char *first = mask_first_names.items[(size_t) i % mask_first_names.count];
    const char *last = mask_last_names.items[(size_t) i / 7 % mask_last_names.count];

    snprintf(in, size, "%s %s", first, last);
    if (i % 3 == 1) {
        for (char *p = in; *p; p++)
            *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    } else if (i % 3 == 2) {
        for (char *p = in; *p; p++)
            *p = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
}

/* Every word of a list, as listed, in upper case, in lower case; then made-up words. */
static void
s_make_listed(const mask_list_t *list, int i, char *in, size_t size)
{
    size_t k = (size_t) i % list->count, c = (size_t) i / list->count;

    if (c >= 3) {
        snprintf(in, size, "%s%d", list->items[k], i);
        return;
    }
    snprintf(in, size, "%s", list->items[k]);
    for (char *p = in; *p && c > 0; p++) {
        if (c == 1 && *p >= 'a' && *p <= 'z')
            *p = (char) (*p - 'a' + 'A');
        else if (c == 2 && *p >= 'A' && *p <= 'Z')
            *p = (char) (*p - 'A' + 'a');
    }
}

static void
s_make_first_name(int i, char *in, size_t size)
{
    s_make_listed(&mask_first_names, i, in, size);
}

static void
s_make_last_name(int i, char *in, size_t size)
{
    s_make_listed(&mask_last_names, i, in, size);
}

/* Every name of both lists, one word, as listed (the name strategy on a one-word value). */
static void
s_make_any_name(int i, char *in, size_t size)
{
    size_t k = (size_t) i % (mask_first_names.count + mask_last_names.count);

    snprintf(in, size, "%s",
             k < mask_first_names.count ? mask_first_names.items[k]
                                        : mask_last_names.items[k - mask_first_names.count]);
}

/* First names of at most 5 letters (for a varchar(5) column). */
static void
s_make_short_first_name(int i, char *in, size_t size)
{
    size_t k = (size_t) i % mask_first_names.count;

    while (strlen(mask_first_names.items[k]) > 5)
        k = (k + 1) % mask_first_names.count;
    snprintf(in, size, "%s", mask_first_names.items[k]);
}

/* Addresses as the strategy writes them: a number, a listed street, a listed type. */
static void
s_make_address(int i, char *in, size_t size)
{
    snprintf(in, size, "%d %s %s", 1 + i % 9999,
             mask_street_names.items[(size_t) i % mask_street_names.count],
             mask_street_types.items[(size_t) i / 3 % mask_street_types.count]);
}

static void
s_make_uuid(int i, char *in, size_t size)
{
    snprintf(in, size, "%08x-1234-4abc-8def-%012x", (unsigned) i * 2654435761u, (unsigned) i);
}

static void
s_make_card(int i, char *in, size_t size)
{
    if (i % 2 == 0)
        snprintf(in, size, "4%015d", i);
    else
        snprintf(in, size, "5500-0000-%04d-%04d", i / 2 % 10000, i * 7 % 10000);
}

/* Texts: words, codes, one or two characters. */
static void
s_make_text(int i, char *in, size_t size)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    switch (i % 4) {
    case 0:
        snprintf(in, size, "Note %d: call back", i);
        break;
    case 1:
        snprintf(in, size, "%c%c", letters[i / 4 % 62], letters[i / 248 % 62]);
        break;
    case 2:
        snprintf(in, size, "Zoë-%d", i);
        break;
    default:
        snprintf(in, size, "#%c!", letters[i / 4 % 62]);
        break;
    }
}

/* One character: a letter of either case or a digit. */
static void
s_make_text_char(int i, char *in, size_t size)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    snprintf(in, size, "%c", letters[i % 62]);
}

static void
s_make_date(int i, char *in, size_t size)
{
    snprintf(in, size, "%04d-%02d-%02d", 1900 + i % 200, 1 + i % 12, 1 + i % 28);
}

static void
s_make_timestamp(int i, char *in, size_t size)
{
    snprintf(in, size, "%04d-%02d-%02d %02d:%02d:00+02", 1950 + i % 100, 1 + i % 12,
             1 + i / 12 % 28, i % 24, i % 60);
}

/* Integers large enough to be noised (at 10%, a shift of 0 is then rare). */
static void
s_make_int(int i, char *in, size_t size)
{
    snprintf(in, size, "%d", i % 2 == 0 ? 1000 + i : -(5000 + i));
}

static void
s_make_numeric(int i, char *in, size_t size)
{
    snprintf(in, size, "%d.%02d", 10 + i, i % 100);
}

static void
s_make_float(int i, char *in, size_t size)
{
    snprintf(in, size, "%g", 0.5 + i * 3.25);
}

/* IPv4 addresses (the default prefix, 16 bits, keeps their first two octets). */
static void
s_make_ipv4(int i, char *in, size_t size)
{
    snprintf(in, size, "10.%d.%d.%d", i % 256, i / 256 % 256, (i * 7) % 256);
}

static void
s_make_ipv6(int i, char *in, size_t size)
{
    snprintf(in, size, "2001:db8:%x::%x", i % 65536, i + 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                    */
/* ---------------------------------------------------------------------------------------- */

START_TEST(test_restart)
{
    mask_rule_t *r = s_rule("text", NULL, NULL, "text");
    mask_prf_t base, p1, p2, p3;
    unsigned char a[64], b[64], c[64];
    buf_t out;

    buf_init(&out);
    s_apply(r, "warm up", 7, &out); /* derives the rule's subkeys */
    mask_prf_init(&base, r, "Jane", 4);
    p1 = base;
    p2 = base;
    p3 = base;
    mask_prf_restart(&p1, 1);
    mask_prf_restart(&p2, 1);
    mask_prf_restart(&p3, 2);
    /* deterministic; another round, another seed; none the value's first stream */
    ck_assert_int_eq(memcmp(p1.seed, p2.seed, sizeof(p1.seed)), 0);
    ck_assert_int_ne(memcmp(p1.seed, p3.seed, sizeof(p1.seed)), 0);
    ck_assert_int_ne(memcmp(p1.seed, base.seed, sizeof(p1.seed)), 0);
    for (size_t i = 0; i < sizeof(a); i++) {
        a[i] = (unsigned char) mask_prf_byte(&p1);
        b[i] = (unsigned char) mask_prf_byte(&p2);
        c[i] = (unsigned char) mask_prf_byte(&base);
    }
    ck_assert_int_eq(memcmp(a, b, sizeof(a)), 0);
    /* no 16-byte block of the restarted stream is a block of the first one */
    for (size_t i = 0; i < sizeof(a); i += 16)
        for (size_t j = 0; j < sizeof(c); j += 16)
            CHECK(memcmp(a + i, c + j, 16) != 0);
    buf_free(&out);
    mask_rule_destroy(&r);
}
END_TEST

/*
 * The redraw, computed by hand for the text strategy: the first draw when it differs from
 * the input (so every output that differed before the redraw existed is the same), else
 * the first of rounds 1, 2, ... that differs.
 */
START_TEST(test_redraw_is_what_it_says)
{
    buf_t out, expect;
    int redrawn = 0;

    buf_init(&out);
    buf_init(&expect);
    for (int i = 0; i < 26 * 40; i++) {
        char in[2] = {(char) ('a' + i % 26), '\0'};
        mask_rule_t *seeded = s_rule_seeded("text", NULL, NULL, 1 + i / 26, "text");
        mask_prf_t prf;
        unsigned round = 0;

        s_apply(seeded, in, 1, &out); /* also derives the subkeys used below */
        mask_prf_init(&prf, seeded, in, 1);
        for (;;) {
            buf_reset(&expect);
            mask_text_chars(&prf, in, 1, &expect);
            if (expect.data[0] != in[0] || round == 8)
                break;
            mask_prf_restart(&prf, ++round);
        }
        redrawn += round > 0;
        CHECK(out.len == 1 && out.data[0] == expect.data[0] && out.data[0] != in[0]);
        mask_rule_destroy(&seeded);
    }
    /* about one in 26 needed a second draw */
    ck_assert_int_gt(redrawn, 10);
    ck_assert_int_lt(redrawn, 120);
    buf_free(&out);
    buf_free(&expect);
}
END_TEST

START_TEST(test_email_uuid_never_equal)
{
    int n = s_count();
    mask_rule_t *email = s_rule("email", NULL, NULL, "text");
    mask_rule_t *uuid = s_rule("uuid", NULL, NULL, "uuid");
    buf_t out;
    char in[64];

    s_never_equal("email", NULL, NULL, "text", s_make_email, n);
    s_never_equal("uuid", NULL, NULL, "uuid", s_make_uuid, n);
    /* a column masked twice: the masked value masks to something else again */
    buf_init(&out);
    snprintf(in, sizeof(in), "jane@doe.org");
    for (int i = 0; i < n / 10; i++) {
        s_apply(email, in, strlen(in), &out);
        CHECK(out.len < sizeof(in) && (out.len != strlen(in) || memcmp(out.data, in, out.len)));
        memcpy(in, out.data, out.len);
        in[out.len] = '\0';
    }
    for (int i = 0; i < n / 10; i++) {
        s_apply(uuid, in, strlen(in), &out);
        CHECK(out.len < sizeof(in) && (out.len != strlen(in) || memcmp(out.data, in, out.len)));
        memcpy(in, out.data, out.len);
        in[out.len] = '\0';
    }
    buf_free(&out);
    mask_rule_destroy(&email);
    mask_rule_destroy(&uuid);
}
END_TEST

START_TEST(test_phone_never_equal)
{
    int n = s_count();

    s_never_equal("phone", NULL, NULL, "text", s_make_phone, n);
    s_never_equal("phone", "keep_prefix", value_new_int(3), "character varying(20)",
                  s_make_phone_kept, n);
    /* one free digit: ten values, each against many streams */
    s_never_equal_seeds("phone", NULL, NULL, "text", s_make_phone_digit, 20, n);
}
END_TEST

START_TEST(test_names_never_equal)
{
    int n = s_count();
    int lists = (int) (3 * (mask_first_names.count + mask_last_names.count));

    /* every listed name, in every case, and then some */
    s_never_equal("first_name", NULL, NULL, "text", s_make_first_name, n > lists ? n : lists);
    s_never_equal("last_name", NULL, NULL, "character varying(40)", s_make_last_name,
                  n > lists ? n : lists);
    s_never_equal("name", NULL, NULL, "text", s_make_full_name, n);
    s_never_equal("name", NULL, NULL, "text", s_make_any_name,
                  (int) (mask_first_names.count + mask_last_names.count));
    s_never_equal("name", NULL, NULL, "character varying(12)", s_make_full_name, n);
    s_never_equal("first_name", NULL, NULL, "character varying(5)", s_make_short_first_name,
                  (int) mask_first_names.count);
}
END_TEST

START_TEST(test_address_card_never_equal)
{
    int n = s_count();

    s_never_equal("address", NULL, NULL, "text", s_make_address, n);
    s_never_equal("address", NULL, NULL, "character varying(24)", s_make_address, n);
    s_never_equal("credit_card", NULL, NULL, "text", s_make_card, n);
    s_never_equal("credit_card", "keep_last4", value_new_bool(true), "text", s_make_card, n);
}
END_TEST

START_TEST(test_text_never_equal)
{
    int n = s_count();

    s_never_equal("text", NULL, NULL, "text", s_make_text, n);
    /* one letter or digit: 62 values, each against many streams */
    s_never_equal_seeds("text", NULL, NULL, "character(1)", s_make_text_char, 62, n);
}
END_TEST

START_TEST(test_dates_never_equal)
{
    int n = s_count();

    s_never_equal("date", NULL, NULL, "date", s_make_date, n);
    s_never_equal("date", "days", value_new_int(1), "date", s_make_date, n);
    s_never_equal("timestamp", NULL, NULL, "timestamp with time zone", s_make_timestamp, n);
}
END_TEST

START_TEST(test_numbers_never_equal)
{
    int n = s_count();

    s_never_equal("number", NULL, NULL, "integer", s_make_int, n);
    s_never_equal("number", NULL, NULL, "bigint", s_make_int, n);
    s_never_equal("number", NULL, NULL, "numeric(12,2)", s_make_numeric, n);
    s_never_equal("number", NULL, NULL, "numeric", s_make_numeric, n);
    s_never_equal("number", NULL, NULL, "double precision", s_make_float, n);
    s_never_equal("number", NULL, NULL, "real", s_make_float, n);
}
END_TEST

START_TEST(test_ip_never_equal)
{
    int n = s_count();

    s_never_equal("ip", NULL, NULL, "inet", s_make_ipv4, n);
    s_never_equal("ip", NULL, NULL, "text", s_make_ipv6, n);
    /* few free bits: 4 of IPv4 (16 values), 8 of IPv6 */
    s_never_equal("ip", "prefix", value_new_int(28), "inet", s_make_ipv4, n);
    s_never_equal("ip", "prefix6", value_new_int(120), "inet", s_make_ipv6, n);
}
END_TEST

/* What a strategy cannot change comes out unchanged, after a bounded number of redraws. */
START_TEST(test_unchangeable)
{
    mask_rule_t *text = s_rule("text", NULL, NULL, "text");
    mask_rule_t *phone = s_rule("phone", NULL, NULL, "text");
    mask_rule_t *kept = s_rule("phone", "keep_prefix", value_new_int(15), "text");
    mask_rule_t *i4 = s_rule("number", NULL, NULL, "integer");
    mask_rule_t *n52 = s_rule("number", NULL, NULL, "numeric(5,2)");
    mask_rule_t *f8 = s_rule("number", NULL, NULL, "double precision");
    mask_rule_t *date = s_rule("date", NULL, NULL, "date");
    mask_rule_t *ip32 = s_rule("ip", "prefix", value_new_int(32), "inet");
    mask_rule_t *net = s_rule("ip", NULL, NULL, "inet");
    mask_rule_t *name = s_rule("name", NULL, NULL, "text");
    int rounds = s_count() / 20;
    clock_t start = clock();

    for (int i = 0; i < rounds; i++) {
        s_unchanged(text, "---");
        s_unchanged(text, "");
        s_unchanged(text, "😀 !?");
        s_unchanged(phone, "ext. n/a");
        s_unchanged(phone, "");
        s_unchanged(phone, "+1");
        s_unchanged(kept, "+33 6 12 34 56 78");
        s_unchanged(i4, "0");
        s_unchanged(i4, "3");
        s_unchanged(i4, "-2");
        s_unchanged(n52, "0.00");
        s_unchanged(f8, "0");
        s_unchanged(f8, "NaN");
        s_unchanged(date, "infinity");
        s_unchanged(date, "-infinity");
        s_unchanged(ip32, "192.168.1.1");
        s_unchanged(net, "10.0.0.0/8");
        s_unchanged(name, "");
    }
    /* 18,000 values, each drawn 9 times: a few milliseconds (the redraws are bounded) */
    ck_assert_msg((double) (clock() - start) / CLOCKS_PER_SEC < 5.0, "too slow");
    mask_rule_destroy(&text);
    mask_rule_destroy(&phone);
    mask_rule_destroy(&kept);
    mask_rule_destroy(&i4);
    mask_rule_destroy(&n52);
    mask_rule_destroy(&f8);
    mask_rule_destroy(&date);
    mask_rule_destroy(&ip32);
    mask_rule_destroy(&net);
    mask_rule_destroy(&name);
}
END_TEST

/* A char(n) value is compared without its trailing blanks, as it is masked. */
START_TEST(test_padded)
{
    mask_rule_t *r = s_rule("first_name", NULL, NULL, "character(12)");
    buf_t out;
    char in[32];

    buf_init(&out);
    for (size_t i = 0; i < mask_first_names.count; i++) {
        size_t len = strlen(mask_first_names.items[i]);

        snprintf(in, sizeof(in), "%-12s", mask_first_names.items[i]);
        s_apply(r, in, strlen(in), &out);
        CHECK(out.len > 0 && (out.len != len || memcmp(out.data, in, len) != 0));
    }
    buf_free(&out);
    mask_rule_destroy(&r);
}
END_TEST

Suite *test_mask_equal_suite(void);

Suite *
test_mask_equal_suite(void)
{
    Suite *s = suite_create("mask_equal");
    TCase *redraw = tcase_create("redraw");
    TCase *never = tcase_create("never_equal");

    tcase_add_checked_fixture(redraw, s_setup, NULL);
    tcase_add_test(redraw, test_restart);
    tcase_add_test(redraw, test_redraw_is_what_it_says);
    tcase_add_test(redraw, test_unchangeable);
    tcase_add_test(redraw, test_padded);
    tcase_set_timeout(redraw, 60);
    suite_add_tcase(s, redraw);

    tcase_add_checked_fixture(never, s_setup, NULL);
    tcase_add_test(never, test_email_uuid_never_equal);
    tcase_add_test(never, test_phone_never_equal);
    tcase_add_test(never, test_names_never_equal);
    tcase_add_test(never, test_address_card_never_equal);
    tcase_add_test(never, test_text_never_equal);
    tcase_add_test(never, test_dates_never_equal);
    tcase_add_test(never, test_numbers_never_equal);
    tcase_add_test(never, test_ip_never_equal);
    tcase_set_timeout(never, 60);
    suite_add_tcase(s, never);
    return s;
}
