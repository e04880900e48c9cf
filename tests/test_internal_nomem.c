/*
 * Allocation failures in the mail kit: the capturing mailer, the settable
 * clock and the seeded generator. The library's calls to malloc, calloc
 * and realloc are redirected here at link time (-Wl,--wrap), which only
 * works with the static library: hence an internal test.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <chorusacct/testkit.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

/* Allocations still allowed; negative: no limit. */
static long budget = -1;

static bool allowed(void)
{
    if (budget < 0)
        return true;
    if (budget == 0)
        return false;
    budget--;
    return true;
}

void *__wrap_malloc(size_t n)
{
    return allowed() ? __real_malloc(n) : NULL;
}

void *__wrap_calloc(size_t k, size_t n)
{
    return allowed() ? __real_calloc(k, n) : NULL;
}

void *__wrap_realloc(void *p, size_t n)
{
    return allowed() ? __real_realloc(p, n) : NULL;
}

static int send_one(const chorusacct_mailer_ops *ops, int64_t id, char *err,
                    size_t cap)
{
    chorusacct_mail m;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    m.kind = CHORUSACCT_MAIL_ACTIVATION;
    m.message_id = id;
    m.to = "a@x.fr";
    m.subject = "s";
    m.body = "b\n";
    m.link = "L";
    return ops->send(ops->user_data, &m, err, cap);
}

static void test_constructors_report_nomem(void **state)
{
    (void)state;
    static const uint8_t seed[32];
    chorusacct_testmailer *cm = (chorusacct_testmailer *)&cm;
    chorusacct_testclock *clock = (chorusacct_testclock *)&clock;
    chorusacct_testrandom *rnd = (chorusacct_testrandom *)&rnd;
    /* libsodium may allocate in its own init: done before the budget. */
    assert_code(chorusacct_init(), CHORUSACCT_OK, NULL);
    budget = 0;
    assert_code(chorusacct_testmailer_new(&cm), CHORUSACCT_E_NOMEM, NULL);
    assert_code(chorusacct_testclock_new(&clock, 5), CHORUSACCT_E_NOMEM, NULL);
    assert_code(chorusacct_testrandom_new(&rnd, seed), CHORUSACCT_E_NOMEM,
                NULL);
    budget = -1;
    assert_null(cm);
    assert_null(clock);
    assert_null(rnd);
}

static void test_testmailer_send(void **state)
{
    (void)state;
    chorusacct_testmailer *cm = NULL;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_testmailer_new(&cm), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_testmailer_ops(&ops, cm), CHORUSACCT_OK, NULL);
    char err[64];

    /* The copy of the message cannot be made. */
    budget = 0;
    err[0] = '\0';
    assert_int_equal(send_one(&ops, 1, err, sizeof err),
                     CHORUSACCT_MAIL_TEMPFAIL);
    assert_non_null(strstr(err, "memory"));
    assert_int_equal(chorusacct_testmailer_count(cm), 0);

    /* The copy is made, the list cannot grow: nothing leaks (the
     * sanitizer build checks) and nothing is captured. */
    budget = 1;
    err[0] = '\0';
    assert_int_equal(send_one(&ops, 2, err, sizeof err),
                     CHORUSACCT_MAIL_TEMPFAIL);
    assert_non_null(strstr(err, "memory"));
    assert_int_equal(chorusacct_testmailer_count(cm), 0);
    budget = -1;

    /* Memory is back: the retry succeeds. */
    assert_int_equal(send_one(&ops, 2, err, sizeof err), CHORUSACCT_MAIL_SENT);
    assert_int_equal(chorusacct_testmailer_count(cm), 1);
    assert_int_equal(chorusacct_testmailer_at(cm, 0)->message_id, 2);

    /* Growing past the first block of entries fails cleanly too. */
    for (int i = 0; i < 15; i++)
        assert_int_equal(send_one(&ops, 10 + i, NULL, 0), CHORUSACCT_MAIL_SENT);
    budget = 1;
    assert_int_equal(send_one(&ops, 99, NULL, 0), CHORUSACCT_MAIL_TEMPFAIL);
    budget = -1;
    assert_int_equal(chorusacct_testmailer_count(cm), 16);
    assert_int_equal(send_one(&ops, 99, NULL, 0), CHORUSACCT_MAIL_SENT);
    assert_int_equal(chorusacct_testmailer_count(cm), 17);
    chorusacct_testmailer_free(cm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructors_report_nomem),
        cmocka_unit_test(test_testmailer_send),
    };
    return cmocka_run_group_tests_name("internal_nomem", tests, NULL, NULL);
}
