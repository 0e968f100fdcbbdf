/* run_tests.c — the one Check runner: a suite per module (see suites.h).
 * CK_RUN_SUITE / CK_RUN_CASE / CK_VERBOSITY / CK_FORK work as usual. */
#include <stdlib.h>
#include "suites.h"

int main(void)
{
    SRunner *sr = NULL;
#define X(fn) if (!sr) sr = srunner_create(fn()); else srunner_add_suite(sr, fn());
    TEST_SUITES(X)
#undef X
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
