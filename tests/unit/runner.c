/*
 * runner.c - the one Check runner for every unit suite.
 *
 * The suites are listed in the generated suites.h (one SUITE(test_NAME) per
 * tests/unit/test_NAME.c, each defining `Suite *test_NAME_suite(void)`).
 */
#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef SUITE

int
main(void)
{
    SRunner *runner = srunner_create(NULL);
    int failed;

#define SUITE(name) srunner_add_suite(runner, name##_suite());
#include "suites.h"
#undef SUITE

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
