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

/* The optional parts the headers say were built are those the library
 * says it has. */
static void test_features_match_headers(void **state)
{
    (void)state;
    assert_int_equal(chorusacct_feature_available(CHORUSACCT_FEATURE_SMTP),
                     CHORUSACCT_HAS_SMTP);
    assert_int_equal(chorusacct_feature_available(CHORUSACCT_FEATURE_POSTGRES),
                     CHORUSACCT_HAS_POSTGRES);
    assert_int_equal(chorusacct_feature_available(0), 0);
    assert_int_equal(chorusacct_feature_available(99), 0);
}

/* Every type has a size and a name; each size is the sizeof of the
 * structure of that name (the names tests/check-ffi.py checks against
 * the headers); unknown types are 0 and "unknown". */
static void test_type_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        size_t size;
    } known[] = {
        {"account", sizeof(chorusacct_account)},
        {"structure", sizeof(chorusacct_structure)},
        {"signup", sizeof(chorusacct_signup)},
        {"config", sizeof(chorusacct_config)},
        {"message", sizeof(chorusacct_message)},
        {"storage_ops", sizeof(chorusacct_storage_ops)},
        {"mailer_ops", sizeof(chorusacct_mailer_ops)},
    };
    size_t found = 0;
    int t = 1;
    for (; chorusacct_type_size(t) != 0; t++) {
        const char *name = chorusacct_type_name(t);
        assert_string_not_equal(name, "unknown");
        assert_true(chorusacct_type_size(t) >= sizeof(uint32_t) * 2);
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcmp(known[i].name, name) == 0) {
                assert_int_equal(chorusacct_type_size(t), known[i].size);
                found++;
            }
    }
    assert_int_equal(found, sizeof known / sizeof known[0]);
    assert_int_equal(t - 1, CHORUSACCT_TYPE_LOG_OPS);
    assert_string_equal(chorusacct_type_name(t), "unknown");
    assert_int_equal(chorusacct_type_size(0), 0);
    assert_int_equal(chorusacct_type_size(-1), 0);
    assert_string_equal(chorusacct_type_name(0), "unknown");
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
        cmocka_unit_test(test_features_match_headers),
        cmocka_unit_test(test_type_sizes),
    };
    return cmocka_run_group_tests_name("version", tests, NULL, NULL);
}
