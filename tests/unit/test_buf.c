/*
 * test_buf.c - the growable byte buffer: appends, growth, reset keeping memory, free.
 */
#include <check.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"

START_TEST(test_buf_append)
{
    buf_t b;

    buf_init(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    buf_append(&b, NULL, 0); /* nothing to append: no allocation */
    ck_assert_ptr_null(b.data);
    buf_append(&b, "abc", 3);
    buf_append_byte(&b, '\0');
    buf_append_byte(&b, 'd');
    ck_assert_uint_eq(b.len, 5);
    ck_assert_int_eq(memcmp(b.data, "abc\0d", 5), 0);
    ck_assert_uint_ge(b.cap, b.len);
    buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    buf_free(&b); /* twice is fine */
}
END_TEST

START_TEST(test_buf_growth)
{
    buf_t b;
    char chunk[1000];

    buf_init(&b);
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = (char) (i * 7);
    for (int i = 0; i < 1000; i++)
        buf_append(&b, chunk, (size_t) i);
    ck_assert_uint_eq(b.len, 999u * 1000u / 2u);
    /* every append kept its bytes across the reallocations */
    for (size_t i = 0, off = 0; i < 1000; off += i, i++)
        ck_assert_int_eq(memcmp(b.data + off, chunk, i), 0);
    for (int i = 0; i < 100000; i++)
        buf_append_byte(&b, (char) i);
    ck_assert_uint_eq(b.len, 999u * 1000u / 2u + 100000u);
    ck_assert_uint_ge(b.cap, b.len);
    buf_free(&b);
}
END_TEST

START_TEST(test_buf_reserve_and_reset)
{
    buf_t b;
    char *data;
    size_t cap;

    buf_init(&b);
    buf_reserve(&b, 10000);
    ck_assert_uint_ge(b.cap, 10000);
    ck_assert_uint_eq(b.len, 0);
    data = b.data;
    cap = b.cap;
    /* filling reserved room directly, then appending within it, does not reallocate */
    memset(b.data, 'x', 5000);
    b.len = 5000;
    buf_append(&b, "tail", 4);
    ck_assert_ptr_eq(b.data, data);
    ck_assert_uint_eq(b.len, 5004);
    ck_assert_int_eq(memcmp(b.data + 5000, "tail", 4), 0);
    /* reset keeps the memory */
    buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_eq(b.data, data);
    ck_assert_uint_eq(b.cap, cap);
    buf_reserve(&b, cap);
    ck_assert_ptr_eq(b.data, data);
    /* reserving more than is left grows to at least len + extra */
    b.len = 10;
    buf_reserve(&b, cap);
    ck_assert_uint_ge(b.cap, cap + 10);
    ck_assert_uint_eq(b.len, 10);
    buf_free(&b);
}
END_TEST

Suite *test_buf_suite(void);

/* Strings: appended without their NUL, detached as a NUL-terminated copy. */
START_TEST(test_buf_strings)
{
    buf_t b;
    char *text;

    buf_init(&b);
    text = buf_detach_string(&b);
    ck_assert_str_eq(text, "");
    free(text);
    buf_append_str(&b, "host=");
    buf_append_str(&b, "db");
    ck_assert_uint_eq(b.len, 7);
    text = buf_detach_string(&b);
    ck_assert_str_eq(text, "host=db");
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    free(text);
    buf_free(&b);
}
END_TEST

Suite *
test_buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("buf");

    tcase_add_test(tc, test_buf_append);
    tcase_add_test(tc, test_buf_growth);
    tcase_add_test(tc, test_buf_reserve_and_reset);
    tcase_add_test(tc, test_buf_strings);
    suite_add_tcase(s, tc);
    return s;
}
