/*
 * Version and init: the headers match the library, and init is
 * idempotent and safe from several threads at once.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void test_version_matches_headers(void **state)
{
    (void)state;
    assert_string_equal(chorusacct_version(), CHORUSACCT_VERSION_STRING);
    assert_int_equal(chorusacct_version_number(), CHORUSACCT_VERSION_NUMBER);
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", CHORUSACCT_VERSION_MAJOR,
             CHORUSACCT_VERSION_MINOR, CHORUSACCT_VERSION_PATCH);
    assert_string_equal(chorusacct_version(), expect);
    assert_int_equal(CHORUSACCT_VERSION_NUMBER,
                     CHORUSACCT_VERSION_MAJOR * 10000 +
                         CHORUSACCT_VERSION_MINOR * 100 +
                         CHORUSACCT_VERSION_PATCH);
}

static void *init_thread(void *arg)
{
    int *rc = arg;
    for (int i = 0; i < 1000; i++)
        if (chorusacct_init() != CHORUSACCT_OK)
            *rc = -1;
    return NULL;
}

static void test_init_concurrent(void **state)
{
    (void)state;
    pthread_t th[8];
    int rc[8] = {0};
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&th[i], NULL, init_thread, &rc[i]), 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(rc[i], 0);
    }
    assert_code(chorusacct_init(), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_init(), CHORUSACCT_OK, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_matches_headers),
        cmocka_unit_test(test_init_concurrent),
    };
    return cmocka_run_group_tests_name("version", tests, NULL, NULL);
}
