/*
 * The PostgreSQL backend's functions without a server: they are exported
 * whether or not the library was built with libpq (the ABI does not
 * depend on build options); without it, opening answers
 * CHORUSACCT_E_UNSUPPORTED. The build tells the test which library it
 * has (CHORUSACCT_TEST_HAVE_PG).
 */
#include "testutil.h"

#include <chorusacct/postgres.h>

static void test_schema_version(void **state)
{
    (void)state;
    assert_int_equal(chorusacct_postgres_schema_version(), 1);
}

static void test_ops_refuse_null_arguments(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_postgres_ops(NULL, "", 0), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_postgres_ops(&ops, NULL, 0), CHORUSACCT_E_ARG, NULL);
}

/* A server that is not there: unreachable with libpq, unsupported
 * without. */
static void test_no_server(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    int rc = chorusacct_postgres_ops(
        &ops, "host=/nonexistent-chorusacct port=1 connect_timeout=2", 0);
#ifdef CHORUSACCT_TEST_HAVE_PG
    assert_code(rc, CHORUSACCT_E_IO, NULL);
#else
    assert_code(rc, CHORUSACCT_E_UNSUPPORTED, NULL);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_version),
        cmocka_unit_test(test_ops_refuse_null_arguments),
        cmocka_unit_test(test_no_server),
    };
    return cmocka_run_group_tests_name("postgres_api", tests, NULL, NULL);
}
