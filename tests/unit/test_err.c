/*
 * test_err.c - the error a helper hands back, and lists of problems reported together.
 */
#include <check.h>
#include <string.h>

#include "common/err.h"
#include "common/exitcodes.h"

START_TEST(test_err_set_and_clear)
{
    err_t e;

    err_clear(&e);
    ck_assert(!err_isset(&e));
    ck_assert_int_eq(err_set(&e, "config", EXIT_CODE_CONFIG, "file %s:%d", "a.yaml", 3), -1);
    err_detail(&e, "detail %d", 1);
    err_hint(&e, "hint %s", "x");
    ck_assert(err_isset(&e));
    ck_assert_str_eq(e.code, "config");
    ck_assert_int_eq(e.exit_code, EXIT_CODE_CONFIG);
    ck_assert_str_eq(e.message, "file a.yaml:3");
    ck_assert_str_eq(e.detail, "detail 1");
    ck_assert_str_eq(e.hint, "hint x");
    /* a new error forgets the old detail and hint */
    err_set(&e, "usage", EXIT_CODE_USAGE, "other");
    ck_assert_str_eq(e.detail, "");
    ck_assert_str_eq(e.hint, "");
}
END_TEST

START_TEST(test_err_list)
{
    err_list_t list = {NULL, 0};

    ck_assert_str_eq(err_list_single(&list), "");
    err_list_add(&list, "table %s is missing", "a");
    ck_assert_int_eq(list.count, 1);
    ck_assert_str_eq(err_list_single(&list), "table a is missing");
    ck_assert_str_eq(list.text, "  - table a is missing");
    err_list_add(&list, "column %s.%s is missing", "b", "c");
    ck_assert_int_eq(list.count, 2);
    ck_assert_str_eq(list.text, "  - table a is missing\n  - column b.c is missing");
    err_list_free(&list);
    ck_assert_ptr_null(list.text);
    ck_assert_int_eq(list.count, 0);
    err_list_free(&list); /* twice is fine */
}
END_TEST

Suite *test_err_suite(void);

Suite *
test_err_suite(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("err");

    tcase_add_test(tc, test_err_set_and_clear);
    tcase_add_test(tc, test_err_list);
    suite_add_tcase(s, tc);
    return s;
}
