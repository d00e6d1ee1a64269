/*
 * test_rules.c - masking rules files: the Python Confiture format, names, options, domains,
 * every error with its position, the masking key refusal, the file hash, rules_find.
 *
 * Each test gets a fresh directory from mkdtemp (a checked fixture) for the files it writes;
 * the teardown removes them.
 */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exitcodes.h"
#include "testdir.h"
#include "common/rules.h"

static void
s_setup(void)
{
    testdir_create("rules");
}

/* Parses text, expecting success. */
static void
s_ok(const char *text, rules_t *rules)
{
    err_t err;
    int rc;

    err_clear(&err);
    rc = rules_parse(text, strlen(text), "rules.yaml", rules, &err);
    ck_assert_msg(rc == 0, "rules_parse failed: %s | %s | %s", err.message, err.detail, err.hint);
    ck_assert(!err_isset(&err));
}

/* Parses text, expecting a rules error whose message starts with want; fills err. */
static void
s_fail(const char *text, const char *want, err_t *err)
{
    rules_t rules;
    int rc;

    err_clear(err);
    rc = rules_parse(text, strlen(text), "rules.yaml", &rules, err);
    ck_assert_msg(rc == -1, "rules_parse accepted:\n%s", text);
    ck_assert_str_eq(err->code, "rules");
    ck_assert_int_eq(err->exit_code, EXIT_CODE_CONFIG);
    ck_assert_msg(strncmp(err->message, want, strlen(want)) == 0,
                  "message \"%s\" does not start with \"%s\"", err->message, want);
    ck_assert_uint_eq(rules.count, 0);
    ck_assert_ptr_null(rules.items);
    ck_assert_ptr_null(rules.path);
}

/* ------------------------------------------------------------------------------------------ */

START_TEST(test_rules_python_format)
{
    rules_t rules;
    const rule_t *r;

    s_ok("users:\n"
         "  - column: email\n"
         "    strategy: email\n"
         "  - column: phone\n"
         "    strategy: phone\n"
         "    seed: 12345\n"
         "  - column: ssn\n"
         "    strategy: redact\n",
         &rules);
    ck_assert_uint_eq(rules.count, 3);
    ck_assert_str_eq(rules.path, "rules.yaml");

    r = &rules.items[0];
    ck_assert_str_eq(r->schema, "public");
    ck_assert_str_eq(r->table, "users");
    ck_assert_str_eq(r->column, "email");
    ck_assert_str_eq(r->strategy, "email");
    ck_assert(!r->has_seed);
    ck_assert_ptr_null(r->options);
    ck_assert_ptr_null(r->domain);
    ck_assert_int_eq(r->line, 2);
    ck_assert_int_eq(r->col, 5);
    ck_assert_int_eq(r->strategy_line, 3);
    ck_assert_int_eq(r->strategy_col, 15);

    r = &rules.items[1];
    ck_assert_str_eq(r->column, "phone");
    ck_assert_str_eq(r->strategy, "phone");
    ck_assert(r->has_seed);
    ck_assert_int_eq(r->seed, 12345);
    ck_assert_int_eq(r->line, 4);

    r = &rules.items[2];
    ck_assert_str_eq(r->column, "ssn");
    ck_assert_str_eq(r->strategy, "redact");
    ck_assert_int_eq(r->line, 7);
    rules_free(&rules);
}
END_TEST

START_TEST(test_rules_qualified_names)
{
    rules_t rules;
    const rule_t *r;

    s_ok("billing.cards:\n"
         "  - {column: pan, strategy: redact}\n"
         "'\"My Schema\".\"Order.Lines\"':\n"
         "  - column: Note\n"
         "    strategy: redact\n"
         "'\"a\"\"b\".\"T*\"':\n"
         "  - column: '\"x.y\"'\n"
         "    strategy: hash\n"
         "Users:\n"
         "  - {column: Email, strategy: email}\n"
         "public.domains:\n"
         "  - {column: name, strategy: redact}\n"
         "public.key:\n"
         "  - {column: k, strategy: redact}\n"
         "  - {column: null, strategy: null}\n"
         "  - {column: 2024, strategy: \"null\"}\n",
         &rules);
    ck_assert_uint_eq(rules.count, 8);
    r = &rules.items[0];
    ck_assert_str_eq(r->schema, "billing");
    ck_assert_str_eq(r->table, "cards");
    ck_assert_str_eq(r->column, "pan");
    r = &rules.items[1];
    ck_assert_str_eq(r->schema, "My Schema");
    ck_assert_str_eq(r->table, "Order.Lines");
    ck_assert_str_eq(r->column, "Note"); /* names keep their case */
    r = &rules.items[2];
    ck_assert_str_eq(r->schema, "a\"b");
    ck_assert_str_eq(r->table, "T*");
    ck_assert_str_eq(r->column, "x.y");
    r = &rules.items[3];
    ck_assert_str_eq(r->schema, "public");
    ck_assert_str_eq(r->table, "Users");
    ck_assert_str_eq(r->column, "Email");
    ck_assert_str_eq(rules.items[4].table, "domains");
    ck_assert_str_eq(rules.items[5].table, "key");
    /* a name is the scalar's text, whatever YAML reads it as */
    ck_assert_str_eq(rules.items[6].column, "null");
    ck_assert_str_eq(rules.items[6].strategy, "null");
    ck_assert_str_eq(rules.items[7].column, "2024");
    ck_assert_str_eq(rules.items[7].strategy, "null");
    rules_free(&rules);
}
END_TEST

START_TEST(test_rules_options_types)
{
    rules_t rules;
    const value_t *o;
    const value_t *list;
    const value_t *nested;

    s_ok("users:\n"
         "  - column: email\n"
         "    strategy: email\n"
         "    options:\n"
         "      count: 42\n"
         "      negative: -7\n"
         "      hex: 0x1F\n"
         "      octal: 0o17\n"
         "      ratio: 0.5\n"
         "      big: 1e3\n"
         "      infinite: -.inf\n"
         "      yes_flag: true\n"
         "      no_flag: False\n"
         "      yaml11: yes\n"
         "      off_flag: off\n"
         "      nothing: null\n"
         "      tilde: ~\n"
         "      empty:\n"
         "      word: example.com\n"
         "      quoted_int: \"12\"\n"
         "      quoted_bool: 'true'\n"
         "      quoted_null: \"null\"\n"
         "      tagged: !!int \"12\"\n"
         "      tagged_float: !!float 3\n"
         "      literal: |\n"
         "        two\n"
         "        lines\n"
         "      no_expansion: ${HOME}\n"
         "      list: [1, two, 3.5, false, ~]\n"
         "      nested: {a: {b: [x, {c: 1}]}}\n"
         "      date: 2024-01-01\n",
         &rules);
    ck_assert_uint_eq(rules.count, 1);
    o = rules.items[0].options;
    ck_assert_int_eq(value_type(o), VALUE_MAP);
    ck_assert_uint_eq(value_size(o), 25);
    /* insertion order is the file's */
    ck_assert_str_eq(value_map_key_at(o, 0), "count");

    ck_assert_int_eq(value_type(value_map_get(o, "count")), VALUE_INT);
    ck_assert_int_eq(value_map_int(o, "count", 0), 42);
    ck_assert_int_eq(value_map_int(o, "negative", 0), -7);
    ck_assert_int_eq(value_map_int(o, "hex", 0), 31);
    ck_assert_int_eq(value_map_int(o, "octal", 0), 15);
    ck_assert_int_eq(value_type(value_map_get(o, "ratio")), VALUE_DOUBLE);
    ck_assert_double_eq(value_map_double(o, "ratio", 0), 0.5);
    ck_assert_int_eq(value_type(value_map_get(o, "big")), VALUE_DOUBLE);
    ck_assert_double_eq(value_map_double(o, "big", 0), 1000.0);
    ck_assert(isinf(value_map_double(o, "infinite", 0)));
    ck_assert(value_map_double(o, "infinite", 0) < 0);

    ck_assert_int_eq(value_type(value_map_get(o, "yes_flag")), VALUE_BOOL);
    ck_assert(value_map_bool(o, "yes_flag", false));
    ck_assert_int_eq(value_type(value_map_get(o, "no_flag")), VALUE_BOOL);
    ck_assert(!value_map_bool(o, "no_flag", true));
    ck_assert_int_eq(value_type(value_map_get(o, "yaml11")), VALUE_BOOL);
    ck_assert(value_map_bool(o, "yaml11", false));
    ck_assert_int_eq(value_type(value_map_get(o, "off_flag")), VALUE_BOOL);
    ck_assert(!value_map_bool(o, "off_flag", true));

    ck_assert_ptr_nonnull(value_map_get(o, "nothing"));
    ck_assert_int_eq(value_type(value_map_get(o, "nothing")), VALUE_NIL);
    ck_assert_ptr_nonnull(value_map_get(o, "tilde"));
    ck_assert_int_eq(value_type(value_map_get(o, "tilde")), VALUE_NIL);
    ck_assert_ptr_nonnull(value_map_get(o, "empty"));
    ck_assert_int_eq(value_type(value_map_get(o, "empty")), VALUE_NIL);

    ck_assert_str_eq(value_map_string(o, "word", ""), "example.com");
    ck_assert_int_eq(value_type(value_map_get(o, "quoted_int")), VALUE_STRING);
    ck_assert_str_eq(value_map_string(o, "quoted_int", ""), "12");
    ck_assert_int_eq(value_type(value_map_get(o, "quoted_bool")), VALUE_STRING);
    ck_assert_str_eq(value_map_string(o, "quoted_bool", ""), "true");
    ck_assert_int_eq(value_type(value_map_get(o, "quoted_null")), VALUE_STRING);
    ck_assert_int_eq(value_type(value_map_get(o, "tagged")), VALUE_INT);
    ck_assert_int_eq(value_map_int(o, "tagged", 0), 12);
    ck_assert_int_eq(value_type(value_map_get(o, "tagged_float")), VALUE_DOUBLE);
    ck_assert_double_eq(value_map_double(o, "tagged_float", 0), 3.0);
    ck_assert_str_eq(value_map_string(o, "literal", ""), "two\nlines\n");
    ck_assert_str_eq(value_map_string(o, "no_expansion", ""), "${HOME}"); /* not expanded */
    ck_assert_int_eq(value_type(value_map_get(o, "date")), VALUE_STRING);
    ck_assert_str_eq(value_map_string(o, "date", ""), "2024-01-01");

    list = value_map_get(o, "list");
    ck_assert_int_eq(value_type(list), VALUE_ARRAY);
    ck_assert_uint_eq(value_size(list), 5);
    ck_assert_int_eq(value_type(value_at(list, 0)), VALUE_INT);
    ck_assert_int_eq(value_type(value_at(list, 1)), VALUE_STRING);
    ck_assert_str_eq(value_string(value_at(list, 1), ""), "two");
    ck_assert_int_eq(value_type(value_at(list, 2)), VALUE_DOUBLE);
    ck_assert_int_eq(value_type(value_at(list, 3)), VALUE_BOOL);
    ck_assert_int_eq(value_type(value_at(list, 4)), VALUE_NIL);

    nested = value_map_get(value_map_get(o, "nested"), "a");
    ck_assert_int_eq(value_type(nested), VALUE_MAP);
    nested = value_map_get(nested, "b");
    ck_assert_int_eq(value_type(nested), VALUE_ARRAY);
    ck_assert_str_eq(value_string(value_at(nested, 0), ""), "x");
    ck_assert_int_eq(value_map_int(value_at(nested, 1), "c", 0), 1);
    rules_free(&rules);
}
END_TEST

START_TEST(test_rules_options_aliases_and_empty)
{
    rules_t rules;
    const value_t *a, *b;

    s_ok("users:\n"
         "  - column: a\n"
         "    strategy: hash\n"
         "    options: &common {length: 16, alphabet: [a, b]}\n"
         "  - column: b\n"
         "    strategy: hash\n"
         "    options: *common\n"
         "  - column: c\n"
         "    strategy: hash\n"
         "    options: {}\n"
         "  - column: d\n"
         "    strategy: hash\n"
         "    options:\n"
         "    seed:\n",
         &rules);
    ck_assert_uint_eq(rules.count, 4);
    a = rules.items[0].options;
    b = rules.items[1].options;
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b); /* each rule owns its own copy */
    ck_assert_int_eq(value_map_int(b, "length", 0), 16);
    ck_assert_uint_eq(value_size(value_map_get(b, "alphabet")), 2);
    ck_assert_ptr_null(rules.items[2].options); /* empty: no options */
    ck_assert_ptr_null(rules.items[3].options); /* null: no options */
    ck_assert(!rules.items[3].has_seed);        /* null: no seed */
    rules_free(&rules);
}
END_TEST

START_TEST(test_rules_options_errors)
{
    err_t err;

    s_fail("users:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    options: [1, 2]\n",
           "rules.yaml:4:14: options must be a mapping, found a list", &err);
    s_fail("users:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    options:\n"
           "      length: 1\n"
           "      length: 2\n",
           "rules.yaml:6:7: option \"length\" is given twice", &err);
    s_fail("users:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    options: {big: 9223372036854775808}\n",
           "rules.yaml:4:20: integer 9223372036854775808 does not fit in 64 bits", &err);
    s_fail("users:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    options: {blob: !!binary aGVsbG8=}\n",
           "rules.yaml:4:21: unsupported tag tag:yaml.org,2002:binary", &err);
    s_fail("users:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    options: {n: !!int twelve}\n",
           "rules.yaml:4:18: \"twelve\" is not a valid !!int", &err);
    s_fail("users:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    options:\n"
           "      <<: {x: 1}\n",
           "rules.yaml:5:7: merge key << in options", &err);
    ck_assert_ptr_nonnull(strstr(err.hint, "not supported"));
    /* an alias inside the node it names */
    s_fail("users:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    options: &loop {self: *loop}\n",
           "rules.yaml:", &err);
    ck_assert_ptr_nonnull(strstr(err.message, "nest more than 64 levels"));
}
END_TEST

START_TEST(test_rules_alias_bomb_options)
{
    err_t err;

    s_fail("users:\n"
           "  - column: z\n"
           "    strategy: hash\n"
           "    options:\n"
           "      a: &a [x, x, x, x, x, x, x, x, x, x]\n"
           "      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
           "      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
           "      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
           "      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
           "      f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
           "rules.yaml:", &err);
    ck_assert_ptr_nonnull(strstr(err.message, "more than 100000 values"));
}
END_TEST

START_TEST(test_rules_seed)
{
    rules_t rules;
    err_t err;

    s_ok("t:\n"
         "  - {column: a, strategy: hash, seed: -42}\n"
         "  - {column: b, strategy: hash, seed: 9223372036854775807}\n"
         "  - {column: c, strategy: hash, seed: 0}\n",
         &rules);
    ck_assert(rules.items[0].has_seed);
    ck_assert_int_eq(rules.items[0].seed, -42);
    ck_assert_int_eq(rules.items[1].seed, INT64_MAX);
    ck_assert(rules.items[2].has_seed);
    ck_assert_int_eq(rules.items[2].seed, 0);
    rules_free(&rules);

    s_fail("t:\n"
           "  - column: a\n"
           "    strategy: hash\n"
           "    seed: \"123\"\n",
           "rules.yaml:4:11: seed must be an integer, found a string \"123\"", &err);
    ck_assert_ptr_nonnull(strstr(err.hint, "without quotes"));
    s_fail("t:\n  - {column: a, strategy: hash, seed: 1.5}\n",
           "rules.yaml:2:39: seed must be an integer, found a number \"1.5\"", &err);
    s_fail("t:\n  - {column: a, strategy: hash, seed: true}\n",
           "rules.yaml:2:39: seed must be an integer, found a boolean", &err);
    s_fail("t:\n  - {column: a, strategy: hash, seed: [1]}\n",
           "rules.yaml:2:39: seed must be an integer, found a list", &err);
    s_fail("t:\n  - {column: a, strategy: hash, seed: 99999999999999999999}\n",
           "rules.yaml:2:39: integer 99999999999999999999 does not fit in 64 bits", &err);
}
END_TEST

START_TEST(test_rules_domains)
{
    rules_t rules;
    const rule_t *r;

    s_ok("domains:\n"
         "  customer_email:\n"
         "    - users.email\n"
         "    - sales.orders.customer_email\n"
         "  customer_phone:\n"
         "    - public.users.phone\n"
         "users:\n"
         "  - {column: email, strategy: email, options: {keep_domain: false, n: 1}}\n"
         "  - {column: phone, strategy: phone}\n"
         "  - {column: ssn, strategy: redact}\n"
         "sales.orders:\n"
         "  - {column: customer_email, strategy: email, options: {n: 1, keep_domain: no}}\n",
         &rules);
    ck_assert_uint_eq(rules.count, 4);
    r = rules_find(&rules, "public", "users", "email");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->domain, "customer_email");
    r = rules_find(&rules, "sales", "orders", "customer_email");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->domain, "customer_email");
    r = rules_find(&rules, NULL, "users", "phone");
    ck_assert_str_eq(r->domain, "customer_phone");
    r = rules_find(&rules, NULL, "users", "ssn");
    ck_assert_ptr_null(r->domain);
    rules_free(&rules);
}
END_TEST

START_TEST(test_rules_domain_unknown_column)
{
    err_t err;

    s_fail("users:\n"
           "  - {column: email, strategy: email}\n"
           "domains:\n"
           "  customer_email:\n"
           "    - users.email\n"
           "    - sales.orders.email\n",
           "rules.yaml:6:7: domain customer_email lists sales.orders.email, which has no rule",
           &err);
    ck_assert_ptr_nonnull(strstr(err.hint, "add a rule for column email under sales.orders:"));
    /* a table without schema is in public: billing.users is another table */
    s_fail("users:\n"
           "  - {column: email, strategy: email}\n"
           "domains:\n"
           "  d:\n"
           "    - billing.users.email\n",
           "rules.yaml:5:7: domain d lists billing.users.email, which has no rule", &err);
}
END_TEST

START_TEST(test_rules_domain_two_domains)
{
    err_t err;

    s_fail("users:\n"
           "  - {column: email, strategy: email}\n"
           "domains:\n"
           "  first:\n"
           "    - users.email\n"
           "  second:\n"
           "    - public.users.email\n",
           "rules.yaml:7:7: public.users.email is in two domains: first (line 5) and second", &err);
    s_fail("users:\n"
           "  - {column: email, strategy: email}\n"
           "domains:\n"
           "  first:\n"
           "    - users.email\n"
           "    - users.email\n",
           "rules.yaml:6:7: domain first lists public.users.email twice (first at line 5)", &err);
}
END_TEST

START_TEST(test_rules_domain_mixed)
{
    err_t err;

    s_fail("users:\n"
           "  - {column: email, strategy: email}\n"
           "sales.orders:\n"
           "  - {column: customer_email, strategy: hash}\n"
           "domains:\n"
           "  customer_email:\n"
           "    - users.email\n"
           "    - sales.orders.customer_email\n",
           "rules.yaml:8:7: domain customer_email mixes strategies: public.users.email uses "
           "email (line 2) but sales.orders.customer_email uses hash (line 4)",
           &err);
    ck_assert_ptr_nonnull(strstr(err.hint, "one strategy"));
    s_fail("users:\n"
           "  - {column: email, strategy: email, seed: 1}\n"
           "  - {column: alt, strategy: email}\n"
           "domains:\n"
           "  d: [users.email, users.alt]\n",
           "rules.yaml:5:20: domain d mixes seeds: public.users.email (line 2) and "
           "public.users.alt (line 3) differ",
           &err);
    s_fail("users:\n"
           "  - {column: email, strategy: email, options: {x: 1}}\n"
           "  - {column: alt, strategy: email, options: {x: 1.0}}\n"
           "domains:\n"
           "  d: [users.email, users.alt]\n",
           "rules.yaml:5:20: domain d mixes options: public.users.email (line 2) and "
           "public.users.alt (line 3) differ",
           &err);
}
END_TEST

/* One error case: the file, and the start of the message, position included. */
typedef struct error_case {
    const char *yaml; /* the file */
    const char *want; /* what the message starts with */
    const char *hint; /* a piece of the hint, or NULL */
} error_case_t;

static const error_case_t s_errors[] = {
    {"users:\n  - column: email\n    strategy: email\n    stratgy: x\n",
     "rules.yaml:4:5: unknown key \"stratgy\" in a rule of public.users",
     "column, strategy, seed and options"},
    {"users:\n  - strategy: email\n", "rules.yaml:2:5: a rule of public.users has no column",
     "column: email"},
    {"users:\n  - column:\n    strategy: email\n",
     "rules.yaml:2:5: a rule of public.users has no column", NULL},
    {"users:\n  - column: email\n    strategy: ~\n",
     "rules.yaml:2:5: the rule for public.users.email has no strategy", NULL},
    {"users:\n  - column: email\n",
     "rules.yaml:2:5: the rule for public.users.email has no strategy", "strategy: NAME"},
    {"users:\n  - column: email\n    strategy: ''\n",
     "rules.yaml:3:15: strategy must be a name, found an empty string", NULL},
    {"users:\n  - column: email\n    strategy: [a]\n",
     "rules.yaml:3:15: strategy must be a name, found a list", NULL},
    {"users:\n  column: email\n",
     "rules.yaml:1:1: the rules of table public.users must be a list, "
     "found a mapping",
     "users:"},
    {"users: email\n",
     "rules.yaml:1:1: the rules of table public.users must be a list, found a "
     "string",
     NULL},
    {"users:\n", "rules.yaml:1:1: the rules of table public.users must be a list, found nothing",
     NULL},
    {"users:\n  - email\n",
     "rules.yaml:2:5: a rule of public.users must be a mapping with column and strategy, found a "
     "string",
     NULL},
    {"users:\n  - {column: email, strategy: email}\n  - {column: email, strategy: hash}\n",
     "rules.yaml:3:5: column public.users.email has two rules (first at line 2)", "one rule"},
    {"users:\n  - {column: email, strategy: email}\npublic.users:\n  - {column: x, strategy: y}\n",
     "rules.yaml:3:1: table public.users is given twice (first at line 1)", "schema public"},
    {"users:\n  - column: email\n    column: mail\n    strategy: email\n",
     "rules.yaml:3:5: column is given twice in this rule (first at line 2)", NULL},
    {"public.user*:\n  - {column: email, strategy: email}\n",
     "rules.yaml:1:1: table name \"public.user*\" has a wildcard (*, ? or [): rules name columns, "
     "not patterns",
     "double-quote"},
    {"'\"users':\n  - {column: email, strategy: email}\n",
     "rules.yaml:1:1: table name \"\"users\" has an unclosed double quote", NULL},
    {"a.b.c:\n  - {column: email, strategy: email}\n",
     "rules.yaml:1:1: table name \"a.b.c\" has too many dot-separated parts", "schema.table"},
    {"users.:\n  - {column: email, strategy: email}\n",
     "rules.yaml:1:1: table name \"users.\" has an empty part", NULL},
    {"users:\n  - {column: users.email, strategy: email}\n",
     "rules.yaml:2:14: column name \"users.email\" has too many dot-separated parts",
     "named alone under its table"},
    {"- users\n",
     "rules.yaml:1:1: expected a mapping of tables to rules at the top level, found a "
     "list",
     NULL},
    {"users:\n  - {column: email, strategy: email\n",
     "rules.yaml:3:1: did not find expected ',' or '}'", "indentation"},
    {"users:\n  - {column: email, strategy: email}\n---\nmore:\n  - {column: x, strategy: y}\n",
     "rules.yaml:3:1: a second YAML document", "---"},
    {"users:\n  - {column: email, strategy: email}\ndomains: [users.email]\n",
     "rules.yaml:3:1: domains must be a mapping of domain names to lists of columns, found a list",
     NULL},
    {"users:\n  - {column: email, strategy: email}\ndomains:\n  d: [email]\n",
     "rules.yaml:4:7: domain d lists \"email\", which names no table", "table.column"},
    {"users:\n  - {column: email, strategy: email}\ndomains:\n  d: []\n",
     "rules.yaml:4:3: domain d must be a list of columns, found an empty list", NULL},
    {"users:\n  - {column: email, strategy: email}\ndomains:\n  d: users.email\n",
     "rules.yaml:4:3: domain d must be a list of columns, found a string", NULL},
    {"users:\n  - {column: email, strategy: email}\ndomains:\n  d: [users.email]\n  d: [x.y]\n",
     "rules.yaml:5:3: domain d is given twice (first at line 4)", NULL},
    {"users:\n  - {column: email, strategy: email}\ndomains: {}\ndomains: {}\n",
     "rules.yaml:4:1: domains is given twice (first at line 3)", NULL},
    {"users:\n  - column: email\n    strategy: email\n    <<: {seed: 1}\n",
     "rules.yaml:4:5: merge key << in a rule of public.users", "not supported"},
    {"[a, b]: \n  - {column: email, strategy: email}\n",
     "rules.yaml:1:1: a table name must be text, found a list", NULL},
    {"users:\n  - {column: \"a\\0b\", strategy: email}\n",
     "rules.yaml:2:14: column name holds a NUL character", NULL},
    {"users:\n  - {column: email, strategy: email}\n\xff\n",
     "rules.yaml:3:1: invalid leading UTF-8 octet (byte 0xFF)", "UTF-8"},
    {"users:\n  - column: email\n    strategy: email\n    key: abc\n",
     "rules.yaml:4:5: \"key\": the masking key never goes in the rules file", "CONFITURE_MASK_KEY"},
    /* bad domain entries once freed their parts twice (found by fuzz_rules) */
    {"domains:\n  d:\n    - a.*\n", "rules.yaml:3:7: domain d lists \"a.*\", which has a wildcard",
     NULL},
    {"domains:\n  d:\n    - a.b.c.d\n",
     "rules.yaml:3:7: domain d lists \"a.b.c.d\", which has too many dot-separated parts", NULL},
};

START_TEST(test_rules_errors)
{
    const error_case_t *c = &s_errors[_i];
    err_t err;

    s_fail(c->yaml, c->want, &err);
    if (c->hint != NULL)
        ck_assert_msg(strstr(err.hint, c->hint) != NULL, "hint \"%s\" lacks \"%s\"", err.hint,
                      c->hint);
}
END_TEST

START_TEST(test_rules_several_problems)
{
    err_t err;
    const char *second, *third;

    /* reported in file order, though domains are checked after the tables */
    s_fail("domains:\n"
           "  d: [users.nope]\n"
           "users:\n"
           "  - {column: email, strategy: email, sed: 1}\n"
           "  - {column: phone}\n",
           "rules.yaml:2:7: domain d lists public.users.nope, which has no rule", &err);
    ck_assert_ptr_nonnull(strstr(err.hint, "add a rule for column nope"));
    ck_assert_ptr_nonnull(strstr(err.detail, "3 problems:\n"));
    ck_assert_ptr_nonnull(strstr(err.detail, "  - rules.yaml:2:7: domain d lists"));
    second = strstr(err.detail, "  - rules.yaml:4:38: unknown key \"sed\"");
    third = strstr(err.detail, "  - rules.yaml:5:5: the rule for public.users.phone has no "
                               "strategy");
    ck_assert_ptr_nonnull(second);
    ck_assert_ptr_nonnull(third);
    ck_assert(second < third);
}
END_TEST

START_TEST(test_rules_problems_same_place)
{
    err_t err;

    /* two problems at one position keep the order they were found in */
    s_fail("users:\n  - {seed: 1}\n", "rules.yaml:2:5: a rule of public.users has no column", &err);
    ck_assert_ptr_nonnull(strstr(err.detail, "2 problems:\n"
                                             "  - rules.yaml:2:5: a rule of public.users has no "
                                             "column\n"
                                             "  - rules.yaml:2:5: the rule for public.users has "
                                             "no strategy"));
}
END_TEST

START_TEST(test_rules_many_problems_fit)
{
    char text[20000];
    size_t used = 0;
    err_t err;

    used += (size_t) snprintf(text + used, sizeof(text) - used, "users:\n");
    for (int i = 0; i < 200; i++)
        used += (size_t) snprintf(text + used, sizeof(text) - used,
                                  "  - {column: c%d, strategy: s, bogus: 1}\n", i);
    s_fail(text, "rules.yaml:2:31: unknown key \"bogus\"", &err);
    ck_assert_ptr_nonnull(strstr(err.detail, "200 problems:"));
    ck_assert_ptr_nonnull(strstr(err.detail, "more"));
    ck_assert_uint_lt(strlen(err.detail), ERR_TEXT_LEN - 1); /* not cut mid-line */
}
END_TEST

START_TEST(test_rules_empty)
{
    static const char *const empties[] = {"", "{}", "# nothing yet\n", "---\n", "~\n", "\n\n"};
    rules_t rules;

    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        s_ok(empties[i], &rules);
        ck_assert_uint_eq(rules.count, 0);
        ck_assert_ptr_null(rules.items);
        ck_assert_uint_eq(strlen(rules.hash), 64);
        ck_assert_ptr_null(rules_find(&rules, NULL, "users", "email"));
        rules_free(&rules);
    }
}
END_TEST

START_TEST(test_rules_missing_file)
{
    char path[PATH_MAX + 64];
    rules_t rules;
    err_t err;

    snprintf(path, sizeof(path), "%s/anonymization.yaml", testdir_path());
    err_clear(&err);
    ck_assert_int_eq(rules_load(path, &rules, &err), -1);
    ck_assert_str_eq(err.code, "rules");
    ck_assert_int_eq(err.exit_code, EXIT_CODE_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "No such file"));
    ck_assert_str_eq(err.hint, "create it or pass --anonymization-config FILE");
    ck_assert_uint_eq(rules.count, 0);
    ck_assert_ptr_null(rules.path);
    rules_free(&rules); /* an empty rules_t is safe to free */

    /* a directory is not a rules file */
    ck_assert_int_eq(rules_load(testdir_path(), &rules, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "directory"));
}
END_TEST

START_TEST(test_rules_load)
{
    const char *path = testdir_write("anonymization.yaml", "users:\n"
                                                           "  - column: email\n"
                                                           "    strategy: bogus_name\n");
    rules_t rules;
    err_t err;

    err_clear(&err);
    ck_assert_int_eq(rules_load(path, &rules, &err), 0);
    ck_assert_str_eq(rules.path, path);
    ck_assert_uint_eq(rules.count, 1);
    ck_assert_str_eq(rules.items[0].strategy, "bogus_name"); /* not checked here */
    ck_assert_int_eq(rules.items[0].strategy_line, 3);
    rules_free(&rules);
    rules_free(&rules); /* twice is fine */
    ck_assert_ptr_null(rules.items);

    /* an error names the file given */
    path = testdir_write("bad.yaml", "users:\n  - column: email\n");
    ck_assert_int_eq(rules_load(path, &rules, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "bad.yaml:2:5: the rule for"));
    ck_assert_ptr_nonnull(strstr(err.message, testdir_path()));
}
END_TEST

START_TEST(test_rules_key_refused)
{
    static const char *const files[] = {
        "key: 0123456789abcdef0123456789abcdef\nusers:\n  - {column: a, strategy: hash}\n",
        "users:\n  - {column: a, strategy: hash}\nsecret: hunter2hunter2\n",
        "MASK_KEY: 0123456789abcdef0123456789abcdef\n",
        "mask-key:\n  - {column: a, strategy: hash}\n",
    };
    static const char *const where[] = {"rules.yaml:1:1: \"key\"", "rules.yaml:3:1: \"secret\"",
                                        "rules.yaml:1:1: \"MASK_KEY\"",
                                        "rules.yaml:1:1: \"mask-key\""};
    err_t err;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        s_fail(files[i], where[i], &err);
        ck_assert_ptr_nonnull(strstr(err.message, "the masking key never goes in the rules file"));
        ck_assert_ptr_nonnull(strstr(err.hint, "CONFITURE_MASK_KEY"));
        ck_assert_ptr_nonnull(strstr(err.hint, "--mask-key-file"));
        /* the key itself is never echoed */
        ck_assert_ptr_null(strstr(err.message, "0123456789abcdef"));
        ck_assert_ptr_null(strstr(err.detail, "0123456789abcdef"));
        ck_assert_ptr_null(strstr(err.hint, "0123456789abcdef"));
        ck_assert_ptr_null(strstr(err.message, "hunter2"));
        ck_assert_ptr_null(strstr(err.hint, "hunter2"));
    }
    ck_assert_ptr_nonnull(strstr(err.hint, "public.mask-key:"));
}
END_TEST

START_TEST(test_rules_hash)
{
    const char *text = "users:\n  - {column: email, strategy: email}\n";
    char first[RULES_HASH_LEN], again[RULES_HASH_LEN];
    const char *path;
    rules_t rules;
    err_t err;

    /* BLAKE2b-256 of no bytes */
    s_ok("", &rules);
    ck_assert_str_eq(rules.hash,
                     "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    rules_free(&rules);

    path = testdir_write("a.yaml", text);
    ck_assert_int_eq(rules_load(path, &rules, &err), 0);
    memcpy(first, rules.hash, sizeof(first));
    ck_assert_uint_eq(strlen(first), 64);
    ck_assert_uint_eq(strspn(first, "0123456789abcdef"), 64);
    rules_free(&rules);

    /* the same bytes: the same hash, from a file or from memory */
    ck_assert_int_eq(rules_load(path, &rules, &err), 0);
    ck_assert_str_eq(rules.hash, first);
    rules_free(&rules);
    s_ok(text, &rules);
    ck_assert_str_eq(rules.hash, first);
    rules_free(&rules);

    /* one byte changed (a space that YAML ignores): another hash */
    path = testdir_write("a.yaml", "users:\n  - {column: email,  strategy: email}\n");
    ck_assert_int_eq(rules_load(path, &rules, &err), 0);
    memcpy(again, rules.hash, sizeof(again));
    ck_assert_str_ne(again, first);
    rules_free(&rules);
}
END_TEST

START_TEST(test_rules_find)
{
    rules_t rules;
    const rule_t *r;

    s_ok("users:\n"
         "  - {column: email, strategy: email}\n"
         "billing.users:\n"
         "  - {column: email, strategy: hash}\n"
         "'\"Mixed\".\"Case\"':\n"
         "  - {column: Col, strategy: redact}\n",
         &rules);
    r = rules_find(&rules, "public", "users", "email");
    ck_assert_ptr_eq(r, &rules.items[0]);
    ck_assert_ptr_eq(rules_find(&rules, NULL, "users", "email"), r);
    r = rules_find(&rules, "billing", "users", "email");
    ck_assert_ptr_eq(r, &rules.items[1]);
    ck_assert_str_eq(r->strategy, "hash");
    ck_assert_ptr_eq(rules_find(&rules, "Mixed", "Case", "Col"), &rules.items[2]);
    ck_assert_ptr_null(rules_find(&rules, "mixed", "case", "col")); /* case matters */
    ck_assert_ptr_null(rules_find(&rules, "public", "users", "phone"));
    ck_assert_ptr_null(rules_find(&rules, "sales", "users", "email"));
    ck_assert_ptr_null(rules_find(&rules, NULL, NULL, "email"));
    ck_assert_ptr_null(rules_find(NULL, NULL, "users", "email"));
    rules_free(&rules);
}
END_TEST

Suite *test_rules_suite(void);

Suite *
test_rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("rules");

    tcase_add_checked_fixture(tc, s_setup, testdir_remove);
    tcase_add_test(tc, test_rules_python_format);
    tcase_add_test(tc, test_rules_qualified_names);
    tcase_add_test(tc, test_rules_options_types);
    tcase_add_test(tc, test_rules_options_aliases_and_empty);
    tcase_add_test(tc, test_rules_options_errors);
    tcase_add_test(tc, test_rules_alias_bomb_options);
    tcase_add_test(tc, test_rules_seed);
    tcase_add_test(tc, test_rules_domains);
    tcase_add_test(tc, test_rules_domain_unknown_column);
    tcase_add_test(tc, test_rules_domain_two_domains);
    tcase_add_test(tc, test_rules_domain_mixed);
    tcase_add_loop_test(tc, test_rules_errors, 0, (int) (sizeof(s_errors) / sizeof(s_errors[0])));
    tcase_add_test(tc, test_rules_several_problems);
    tcase_add_test(tc, test_rules_problems_same_place);
    tcase_add_test(tc, test_rules_many_problems_fit);
    tcase_add_test(tc, test_rules_empty);
    tcase_add_test(tc, test_rules_missing_file);
    tcase_add_test(tc, test_rules_load);
    tcase_add_test(tc, test_rules_key_refused);
    tcase_add_test(tc, test_rules_hash);
    tcase_add_test(tc, test_rules_find);
    suite_add_tcase(s, tc);
    return s;
}
