/*
 * test_value.c - the value tree: constructors, getters, arrays, maps, copies and JSON.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/value.h"

/* Asserts that value_to_json(v) is exactly expected, then destroys v. */
static void
s_assert_json(value_t *v, const char *expected)
{
    char *json = value_to_json(v);

    ck_assert_str_eq(json, expected);
    free(json);
    value_destroy(&v);
}

/* Asserts the JSON of a string of n bytes. */
static void
s_assert_json_string(const char *s, size_t n, const char *expected)
{
    s_assert_json(value_new_stringn(s, n), expected);
}

START_TEST(test_scalars)
{
    value_t *v = value_new_nil();

    ck_assert_int_eq(value_type(v), VALUE_NIL);
    ck_assert_int_eq(value_bool(v, true), true);
    ck_assert_int_eq(value_int(v, 42), 42);
    value_destroy(&v);

    v = value_new_bool(true);
    ck_assert_int_eq(value_type(v), VALUE_BOOL);
    ck_assert_int_eq(value_bool(v, false), true);
    ck_assert_int_eq(value_int(v, 7), 7);
    ck_assert_str_eq(value_string(v, "dflt"), "dflt");
    value_destroy(&v);

    v = value_new_bool(false);
    ck_assert_int_eq(value_bool(v, true), false);
    value_destroy(&v);

    v = value_new_int(INT64_MIN);
    ck_assert_int_eq(value_type(v), VALUE_INT);
    ck_assert(value_int(v, 0) == INT64_MIN);
    ck_assert(value_double(v, 1.0) == (double) INT64_MIN);
    ck_assert_int_eq(value_bool(v, true), true);
    value_destroy(&v);

    v = value_new_int(-5);
    ck_assert(value_double(v, 0.0) == -5.0); /* an int reads as a double */
    value_destroy(&v);

    v = value_new_double(2.5);
    ck_assert_int_eq(value_type(v), VALUE_DOUBLE);
    ck_assert(value_double(v, 0.0) == 2.5);
    ck_assert_int_eq(value_int(v, -1), -1); /* a double does not read as an int */
    ck_assert_uint_eq(value_size(v), 0);
    value_destroy(&v);

    v = value_new_string("hello");
    ck_assert_int_eq(value_type(v), VALUE_STRING);
    ck_assert_str_eq(value_string(v, NULL), "hello");
    ck_assert_uint_eq(value_string_len(v), 5);
    ck_assert_int_eq(value_int(v, 3), 3);
    ck_assert(value_double(v, 0.5) == 0.5);
    ck_assert_uint_eq(value_size(v), 0);
    value_destroy(&v);

    v = value_new_string(NULL);
    ck_assert_int_eq(value_type(v), VALUE_NIL);
    ck_assert_ptr_null(value_string(v, NULL));
    ck_assert_uint_eq(value_string_len(v), 0);
    value_destroy(&v);

    /* a NULL value reads as nil and gives every default */
    ck_assert_int_eq(value_type(NULL), VALUE_NIL);
    ck_assert_int_eq(value_bool(NULL, true), true);
    ck_assert(value_int(NULL, INT64_MAX) == INT64_MAX);
    ck_assert(value_double(NULL, -1.5) == -1.5);
    ck_assert_str_eq(value_string(NULL, "x"), "x");
    ck_assert_uint_eq(value_size(NULL), 0);
    ck_assert_ptr_null(value_at(NULL, 0));
    ck_assert_ptr_null(value_map_get(NULL, "a"));
}
END_TEST

START_TEST(test_binary_string)
{
    const char bytes[] = {'a', '\0', 'b', '\0'};
    char source[4];
    value_t *v;

    memcpy(source, bytes, sizeof(source));
    v = value_new_stringn(source, sizeof(source));
    memset(source, 'z', sizeof(source)); /* the value holds a copy */
    ck_assert_uint_eq(value_string_len(v), 4);
    ck_assert_int_eq(memcmp(value_string(v, NULL), bytes, 4), 0);
    ck_assert_int_eq(value_string(v, NULL)[4], '\0'); /* NUL-terminated after the bytes */
    value_destroy(&v);

    v = value_new_stringn("", 0);
    ck_assert_int_eq(value_type(v), VALUE_STRING);
    ck_assert_str_eq(value_string(v, "dflt"), "");
    ck_assert_uint_eq(value_string_len(v), 0);
    value_destroy(&v);
}
END_TEST

START_TEST(test_array)
{
    value_t *a = value_new_array();
    value_t *m = value_new_map();

    ck_assert_int_eq(value_type(a), VALUE_ARRAY);
    ck_assert_uint_eq(value_size(a), 0);
    ck_assert_ptr_null(value_at(a, 0));

    for (int i = 0; i < 1000; i++)
        value_array_push(a, value_new_int(i * 3));
    ck_assert_uint_eq(value_size(a), 1000);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(value_int(value_at(a, (size_t) i), -1), i * 3);
    ck_assert_ptr_null(value_at(a, 1000));
    ck_assert_ptr_null(value_at(a, SIZE_MAX));

    value_array_push(a, value_new_string("last"));
    ck_assert_str_eq(value_string(value_at(a, 1000), NULL), "last");

    /* NULL pushes a nil */
    value_array_push(a, NULL);
    ck_assert_uint_eq(value_size(a), 1002);
    ck_assert_ptr_nonnull(value_at(a, 1001));
    ck_assert_int_eq(value_type(value_at(a, 1001)), VALUE_NIL);

    /* value_at on a map is NULL, map accessors on an array are NULL */
    value_map_put_int(m, "k", 1);
    ck_assert_ptr_null(value_at(m, 0));
    ck_assert_ptr_null(value_map_get(a, "k"));
    ck_assert_ptr_null(value_map_key_at(a, 0));
    ck_assert_ptr_null(value_map_value_at(a, 0));

    value_destroy(&a);
    value_destroy(&m);
}
END_TEST

START_TEST(test_map_basics)
{
    value_t *m = value_new_map();

    ck_assert_int_eq(value_type(m), VALUE_MAP);
    ck_assert_uint_eq(value_size(m), 0);
    ck_assert_ptr_null(value_map_get(m, "missing"));
    ck_assert_ptr_null(value_map_key_at(m, 0));

    value_map_put_string(m, "name", "orders");
    value_map_put_int(m, "rows", 12345678901LL);
    value_map_put_double(m, "ratio", 0.25);
    value_map_put_bool(m, "ok", true);
    value_map_put(m, "list", value_new_array());
    value_map_put(m, "nil", NULL);

    ck_assert_uint_eq(value_size(m), 6);
    ck_assert_str_eq(value_map_string(m, "name", NULL), "orders");
    ck_assert(value_map_int(m, "rows", 0) == 12345678901LL);
    ck_assert(value_map_double(m, "ratio", 0) == 0.25);
    ck_assert(value_map_double(m, "rows", 0) == 12345678901.0);
    ck_assert_int_eq(value_map_bool(m, "ok", false), true);
    ck_assert_int_eq(value_type(value_map_get(m, "list")), VALUE_ARRAY);
    ck_assert_ptr_nonnull(value_map_get(m, "nil"));
    ck_assert_int_eq(value_type(value_map_get(m, "nil")), VALUE_NIL);

    /* defaults: missing key and wrong type */
    ck_assert_str_eq(value_map_string(m, "missing", "d"), "d");
    ck_assert_str_eq(value_map_string(m, "rows", "d"), "d");
    ck_assert(value_map_int(m, "name", -7) == -7);
    ck_assert(value_map_int(m, "ratio", -7) == -7);
    ck_assert(value_map_double(m, "ok", 9.5) == 9.5);
    ck_assert_int_eq(value_map_bool(m, "name", true), true);
    ck_assert_str_eq(value_map_string(NULL, "name", "d"), "d");

    /* the key is copied */
    {
        char key[8] = "temp";

        value_map_put_int(m, key, 1);
        strcpy(key, "xxxx");
        ck_assert(value_map_int(m, "temp", 0) == 1);
        ck_assert_ptr_null(value_map_get(m, "xxxx"));
    }

    /* lookups are exact: no prefix match */
    ck_assert_ptr_null(value_map_get(m, "nam"));
    ck_assert_ptr_null(value_map_get(m, "names"));
    ck_assert_ptr_null(value_map_get(m, ""));

    value_destroy(&m);
}
END_TEST

START_TEST(test_map_replace_keeps_order)
{
    value_t *m = value_new_map();

    value_map_put_int(m, "a", 1);
    value_map_put_int(m, "b", 2);
    value_map_put_int(m, "c", 3);
    value_map_put_string(m, "b", "two"); /* replaces, type may change */

    ck_assert_uint_eq(value_size(m), 3);
    ck_assert_str_eq(value_map_key_at(m, 0), "a");
    ck_assert_str_eq(value_map_key_at(m, 1), "b");
    ck_assert_str_eq(value_map_key_at(m, 2), "c");
    ck_assert_ptr_null(value_map_key_at(m, 3));
    ck_assert_ptr_null(value_map_value_at(m, 3));
    ck_assert_str_eq(value_string(value_map_value_at(m, 1), NULL), "two");
    ck_assert(value_int(value_map_value_at(m, 2), 0) == 3);
    ck_assert_ptr_eq(value_map_value_at(m, 1), value_map_get(m, "b"));

    value_map_put(m, "a", value_new_map());
    ck_assert_uint_eq(value_size(m), 3);
    ck_assert_str_eq(value_map_key_at(m, 0), "a");
    ck_assert_int_eq(value_type(value_map_get(m, "a")), VALUE_MAP);

    s_assert_json(m, "{\"a\":{},\"b\":\"two\",\"c\":3}");
}
END_TEST

START_TEST(test_map_large)
{
    value_t *m = value_new_map();
    char key[32];

    /* crosses the point where the map gets a hash index, and grows it several times */
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        value_map_put_int(m, key, i);
    }
    ck_assert_uint_eq(value_size(m), 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        ck_assert(value_map_int(m, key, -1) == i);
        ck_assert_str_eq(value_map_key_at(m, (size_t) i), key);
    }
    ck_assert_ptr_null(value_map_get(m, "key5000"));
    ck_assert_ptr_null(value_map_get(m, "key"));

    /* replacing in a large map keeps size and order */
    for (int i = 0; i < 5000; i += 7) {
        snprintf(key, sizeof(key), "key%d", i);
        value_map_put_int(m, key, -i);
    }
    ck_assert_uint_eq(value_size(m), 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        ck_assert(value_map_int(m, key, 1) == (i % 7 == 0 ? -i : i));
        ck_assert_str_eq(value_map_key_at(m, (size_t) i), key);
    }
    value_destroy(&m);
}
END_TEST

START_TEST(test_dup_is_deep)
{
    value_t *orig = value_new_map();
    value_t *inner = value_new_array();
    value_t *copy;
    char *before;
    char *after;
    char key[16];

    value_array_push(inner, value_new_stringn("x\0y", 3));
    value_array_push(inner, value_new_double(-0.5));
    value_map_put(orig, "inner", inner);
    value_map_put_int(orig, "n", 1);
    for (int i = 0; i < 20; i++) { /* enough entries for the copy to need a hash index */
        snprintf(key, sizeof(key), "k%d", i);
        value_map_put_int(orig, key, i);
    }
    before = value_to_json(orig);

    copy = value_dup(orig);
    ck_assert_ptr_ne(copy, orig);
    ck_assert_ptr_ne(value_map_get(copy, "inner"), value_map_get(orig, "inner"));

    /* change the original in every way, then destroy it: the copy is untouched */
    value_map_put_int(orig, "n", 2);
    value_map_put_int(orig, "added", 3);
    value_array_push((value_t *) value_map_get(orig, "inner"), value_new_nil());
    value_destroy(&orig);

    after = value_to_json(copy);
    ck_assert_str_eq(after, before);
    ck_assert_uint_eq(value_string_len(value_at(value_map_get(copy, "inner"), 0)), 3);
    ck_assert(value_map_int(copy, "k19", -1) == 19);
    ck_assert_ptr_null(value_map_get(copy, "added"));
    value_map_put_int(copy, "k5", 55); /* the copy's index works for replacement too */
    ck_assert_uint_eq(value_size(copy), 22);
    ck_assert(value_map_int(copy, "k5", -1) == 55);

    free(before);
    free(after);
    value_destroy(&copy);

    /* scalars and NULL */
    copy = value_dup(NULL);
    ck_assert_int_eq(value_type(copy), VALUE_NIL);
    value_destroy(&copy);
    orig = value_new_int(INT64_MAX);
    copy = value_dup(orig);
    ck_assert(value_int(copy, 0) == INT64_MAX);
    value_destroy(&orig);
    value_destroy(&copy);
}
END_TEST

START_TEST(test_destroy_twice)
{
    value_t *v = value_new_map();

    value_map_put_string(v, "a", "b");
    value_destroy(&v);
    ck_assert_ptr_null(v);
    value_destroy(&v);
    ck_assert_ptr_null(v);
    value_destroy(NULL);
}
END_TEST

START_TEST(test_json_scalars)
{
    s_assert_json(value_new_nil(), "null");
    s_assert_json(value_new_bool(true), "true");
    s_assert_json(value_new_bool(false), "false");
    s_assert_json(value_new_int(0), "0");
    s_assert_json(value_new_int(-42), "-42");
    s_assert_json(value_new_int(INT64_MAX), "9223372036854775807");
    s_assert_json(value_new_int(INT64_MIN), "-9223372036854775808");
    s_assert_json(value_new_array(), "[]");
    s_assert_json(value_new_map(), "{}");

    char *json = value_to_json(NULL);
    ck_assert_str_eq(json, "null");
    free(json);
}
END_TEST

START_TEST(test_json_doubles)
{
    s_assert_json(value_new_double(1.5), "1.5");
    s_assert_json(value_new_double(2.0), "2.0"); /* integral doubles still read as doubles */
    s_assert_json(value_new_double(-3.0), "-3.0");
    s_assert_json(value_new_double(0.0), "0.0");
    s_assert_json(value_new_double(-0.0), "-0.0");
    s_assert_json(value_new_double(0.1), "0.1"); /* shortest form that reads back */
    s_assert_json(value_new_double(1e300), "1e+300");
    s_assert_json(value_new_double(1e-7), "1e-07");
    s_assert_json(value_new_double(123456789012345678.0), "1.2345678901234568e+17");
    s_assert_json(value_new_double(NAN), "null");
    s_assert_json(value_new_double(INFINITY), "null");
    s_assert_json(value_new_double(-INFINITY), "null");

    /* every double reads back exactly */
    const double samples[] = {0.1 + 0.2,
                              1.0 / 3.0,
                              5e-324,
                              1.7976931348623157e308,
                              -2.2250738585072014e-308,
                              4503599627370497.0,
                              9007199254740993.0};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        value_t *v = value_new_double(samples[i]);
        char *json = value_to_json(v);

        ck_assert_msg(strtod(json, NULL) == samples[i], "%s does not read back as %.17g", json,
                      samples[i]);
        ck_assert_ptr_null(strpbrk(json, ",")); /* never a decimal comma */
        free(json);
        value_destroy(&v);
    }
}
END_TEST

START_TEST(test_json_escaping)
{
    s_assert_json_string("plain", 5, "\"plain\"");
    s_assert_json_string("", 0, "\"\"");
    s_assert_json_string("say \"hi\"", 8, "\"say \\\"hi\\\"\"");
    s_assert_json_string("back\\slash", 10, "\"back\\\\slash\"");
    s_assert_json_string("a/b", 3, "\"a/b\"");
    s_assert_json_string("\n\r\t\b\f", 5, "\"\\u000a\\u000d\\u0009\\u0008\\u000c\"");
    s_assert_json_string("\x01\x1f", 2, "\"\\u0001\\u001f\"");
    s_assert_json_string("a\0b", 3, "\"a\\u0000b\"");
    s_assert_json_string("\x7f", 1, "\"\x7f\""); /* DEL needs no escape */

    /* valid UTF-8 of every length passes through unchanged */
    s_assert_json_string("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
    s_assert_json_string("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");
    s_assert_json_string("\xf0\x9f\x8d\x93", 4, "\"\xf0\x9f\x8d\x93\"");
    s_assert_json_string("\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7, "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");

    /* invalid bytes become \ufffd, one per byte, and the text after them survives */
    s_assert_json_string("\x80", 1, "\"\\ufffd\"");
    s_assert_json_string("a\xffz", 3, "\"a\\ufffdz\"");
    s_assert_json_string("\xc3", 1, "\"\\ufffd\"");                       /* truncated */
    s_assert_json_string("\xe2\x82", 2, "\"\\ufffd\\ufffd\"");            /* truncated */
    s_assert_json_string("\xe2\x82x", 3, "\"\\ufffd\\ufffdx\"");          /* truncated */
    s_assert_json_string("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");            /* overlong */
    s_assert_json_string("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* overlong */
    s_assert_json_string("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
    s_assert_json_string("\xf4\x90\x80\x80", 4,
                         "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
    s_assert_json_string("\xf5", 1, "\"\\ufffd\"");
    s_assert_json_string("\xc3\xa9\xa9", 3, "\"\xc3\xa9\\ufffd\""); /* stray continuation */
}
END_TEST

START_TEST(test_json_nested)
{
    value_t *root = value_new_map();
    value_t *list = value_new_array();
    value_t *inner = value_new_map();

    value_map_put_string(inner, "k\"ey", "v\n");
    value_map_put(inner, "empty", value_new_array());
    value_array_push(list, value_new_int(1));
    value_array_push(list, value_new_double(2.5));
    value_array_push(list, value_new_nil());
    value_array_push(list, inner);
    value_map_put(root, "list", list);
    value_map_put_bool(root, "ok", false);
    value_map_put(root, "caf\xc3\xa9", value_new_string("\xff"));

    s_assert_json(root, "{\"list\":[1,2.5,null,{\"k\\\"ey\":\"v\\u000a\",\"empty\":[]}],"
                        "\"ok\":false,\"caf\xc3\xa9\":\"\\ufffd\"}");
}
END_TEST

START_TEST(test_json_long_string)
{
    size_t n = 100000;
    char *s = malloc(n);
    value_t *v;
    char *json;

    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (char) ('a' + i % 26);
    s[n / 2] = '"';
    v = value_new_stringn(s, n);
    json = value_to_json(v);
    ck_assert_uint_eq(strlen(json), n + 3); /* two quotes and one backslash */
    ck_assert_int_eq(json[0], '"');
    ck_assert_int_eq(json[n + 2], '"');
    ck_assert_int_eq(memcmp(json + 1, s, n / 2), 0);
    ck_assert_int_eq(json[n / 2 + 1], '\\');
    free(json);
    free(s);
    value_destroy(&v);
}
END_TEST

Suite *test_value_suite(void);

/* Same value: maps in any order, doubles by value with NaN equal to NaN, NULL is nil. */
START_TEST(test_value_equal)
{
    value_t *a = value_new_map(), *b = value_new_map(), *list;

    value_map_put_int(a, "n", 12);
    value_map_put_string(a, "s", "x\0y");
    value_map_put_double(a, "nan", NAN);
    value_map_put_double(a, "zero", 0.0);
    list = value_new_array();
    value_array_push(list, value_new_bool(true));
    value_array_push(list, value_new_nil());
    value_map_put(a, "list", list);
    /* the same entries in another order */
    value_map_put(b, "list", value_dup(value_map_get(a, "list")));
    value_map_put_double(b, "zero", -0.0);
    value_map_put_double(b, "nan", NAN);
    value_map_put(b, "s", value_new_stringn("x\0y", 3));
    value_map_put_int(b, "n", 12);
    /* value_new_string stops at the NUL: put a's the same way */
    value_map_put(a, "s", value_new_stringn("x\0y", 3));
    ck_assert(value_equal(a, b));
    ck_assert(value_equal(b, a));
    ck_assert(value_equal(NULL, NULL));
    ck_assert(value_equal(NULL, value_map_get(a, "missing")));
    /* each difference counts */
    value_map_put(b, "s", value_new_stringn("x\0z", 3));
    ck_assert(!value_equal(a, b));
    value_map_put(b, "s", value_new_stringn("x\0y", 3));
    value_map_put_double(b, "n", 12.0); /* int 12 is not double 12.0 */
    ck_assert(!value_equal(a, b));
    value_map_put_int(b, "n", 12);
    value_map_put_int(b, "extra", 1);
    ck_assert(!value_equal(a, b));
    ck_assert(!value_equal(a, NULL));
    value_array_push(list, value_new_int(1));
    ck_assert(!value_equal(value_map_get(a, "list"), value_map_get(b, "list")));
    value_destroy(&a);
    value_destroy(&b);
}
END_TEST

Suite *
test_value_suite(void)
{
    Suite *suite = suite_create("value");
    TCase *tc = tcase_create("value");

    tcase_add_test(tc, test_scalars);
    tcase_add_test(tc, test_binary_string);
    tcase_add_test(tc, test_array);
    tcase_add_test(tc, test_map_basics);
    tcase_add_test(tc, test_map_replace_keeps_order);
    tcase_add_test(tc, test_map_large);
    tcase_add_test(tc, test_dup_is_deep);
    tcase_add_test(tc, test_destroy_twice);
    tcase_add_test(tc, test_json_scalars);
    tcase_add_test(tc, test_json_doubles);
    tcase_add_test(tc, test_json_escaping);
    tcase_add_test(tc, test_json_nested);
    tcase_add_test(tc, test_json_long_string);
    tcase_add_test(tc, test_value_equal);
    suite_add_tcase(suite, tc);
    return suite;
}
