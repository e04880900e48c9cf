/*
 * The flow under a clock at the edges (issue 12, point 19): a clock before
 * 1970 or past 9999, up to the int64_t limits, is refused by every flow
 * call with CHORUSACCT_E_CLOCK and changes nothing; a clock at the last
 * accepted second runs the whole flow without an overflow (the CI runs
 * this under UBSan).
 */
#include "flowutil.h"

#include <stdio.h>
#include <string.h>
#include <chorusacct/testkit.h>

/* 9999-12-31T23:59:59Z, the latest time a clock may give (clock.h). */
#define TIME_MAX INT64_C(253402300799)

static char siret_a[15], siret_b[15];

static int setup(void **state)
{
    (void)state;
    siret_of(1234567, siret_a);
    siret_of(7654321, siret_b);
    return chorusacct_init();
}

/* Every flow call that reads the clock, once each; each must answer
 * CLOCK. */
static void every_call_refuses(flowfix *b, int64_t id, const char *token)
{
    chorusacct_ctx *ctx = b->ctx;
    int reason = 0;
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "new@example.fr", "Marie", "Curie", siret_b);
    assert_code(chorusacct_signup_submit(ctx, &f, &r), CHORUSACCT_E_CLOCK, ctx);
    assert_non_null(strstr(chorusacct_ctx_last_error(ctx), "clock"));
    assert_code(chorusacct_draft_create(ctx, &f, &r), CHORUSACCT_E_CLOCK, ctx);
    int64_t got = 0;
    assert_code(chorusacct_login(ctx, "first@example.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &got, &reason),
                CHORUSACCT_E_CLOCK, ctx);
    assert_code(chorusacct_login(ctx, "nobody@example.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &got, &reason),
                CHORUSACCT_E_CLOCK, ctx);
    chorusacct_delivery d = {.struct_size = sizeof d};
    assert_code(chorusacct_outbox_deliver(ctx, 10, &d), CHORUSACCT_E_CLOCK,
                ctx);
    chorusacct_sweep_result s = {.struct_size = sizeof s};
    assert_code(chorusacct_sweep(ctx, &s), CHORUSACCT_E_CLOCK, ctx);
    char cid[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    assert_code(chorusacct_captcha_issue(ctx, NULL, cid, sizeof cid, text,
                                         sizeof text, &reason),
                CHORUSACCT_E_CLOCK, ctx);
    assert_code(
        chorusacct_activation_resend(ctx, "first@example.fr", NULL, &reason),
        CHORUSACCT_E_CLOCK, ctx);
    chorusacct_token_info info = {.struct_size = sizeof info};
    assert_code(chorusacct_activation_lookup(ctx, token, NULL, &info, &reason),
                CHORUSACCT_E_CLOCK, ctx);
    assert_code(do_activate(b, token, &reason), CHORUSACCT_E_CLOCK, ctx);
    assert_code(chorusacct_account_disable(ctx, id, id, NULL, &reason),
                CHORUSACCT_E_CLOCK, ctx);
}

static void test_clock_out_of_range_refused(void **state)
{
    (void)state;
    static const int64_t bad[] = {
        -1,           -86400,         INT64_MIN, INT64_MIN + 10,
        TIME_MAX + 1, INT64_MAX - 10, INT64_MAX,
    };
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = do_signup(&b, "first@example.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    char token[64];
    last_token(&b, "first@example.fr", token, sizeof token);
    uint8_t before[32], after[32];
    flowfix_digest(&b, before);
    size_t mails = chorusacct_testmailer_count(b.mail);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        chorusacct_testclock_set(b.clock, bad[i]);
        every_call_refuses(&b, id, token);
        flowfix_digest(&b, after);
        if (memcmp(before, after, 32) != 0)
            fail_msg("clock %lld: storage changed", (long long)bad[i]);
        assert_int_equal(chorusacct_testmailer_count(b.mail), mails);
    }
    /* Back in range, the account is as it was: activation works. */
    chorusacct_testclock_set(b.clock, T0 + 60);
    int reason = 0;
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_ACTIVE);
    flowfix_close(&b);
}

/* A fresh context under a bad clock refuses before it creates the secret
 * in storage. */
static void test_clock_refused_before_the_secret(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    uint8_t before[32], after[32];
    flowfix_digest(&b, before);
    chorusacct_testclock_set(b.clock, -1);
    chorusacct_sweep_result s = {.struct_size = sizeof s};
    assert_code(chorusacct_sweep(b.ctx, &s), CHORUSACCT_E_CLOCK, b.ctx);
    flowfix_digest(&b, after);
    assert_memory_equal(before, after, 32);
    /* chorusacct_ctx_now() holds the clock within the range. */
    assert_int_equal(chorusacct_ctx_now(b.ctx), 0);
    chorusacct_testclock_set(b.clock, INT64_MAX);
    assert_int_equal(chorusacct_ctx_now(b.ctx), TIME_MAX);
    chorusacct_testclock_set(b.clock, TIME_MAX);
    assert_int_equal(chorusacct_ctx_now(b.ctx), TIME_MAX);
    /* The codes have their names and both messages. */
    assert_string_equal(chorusacct_status_name(CHORUSACCT_E_CLOCK), "CLOCK");
    assert_non_null(strstr(
        chorusacct_strerror(CHORUSACCT_E_CLOCK, CHORUSACCT_LANG_EN), "clock"));
    assert_non_null(
        strstr(chorusacct_strerror(CHORUSACCT_E_CLOCK, CHORUSACCT_LANG_FR),
               "horloge"));
    flowfix_close(&b);
}

/* At the last accepted second, with the longest settings, the flow runs
 * without overflow: sign-up, delivery, activation, failed logins and their
 * lockout, resend, sweep. Under a negative clock, before the fix, every
 * login answered LOCKED. */
static void test_clock_at_the_edges_runs_the_flow(void **state)
{
    (void)state;
    static const int64_t edges[] = {0, TIME_MAX - 1, TIME_MAX};
    static const int ttls[] = {
        CHORUSACCT_OPT_DRAFT_TTL,        CHORUSACCT_OPT_ACTIVATION_TTL,
        CHORUSACCT_OPT_APPROVAL_TTL,     CHORUSACCT_OPT_PURGE_AFTER,
        CHORUSACCT_OPT_RESEND_COOLDOWN,  CHORUSACCT_OPT_CAPTCHA_TTL,
        CHORUSACCT_OPT_LOCKOUT_DURATION, CHORUSACCT_OPT_MAIL_RETRY_BASE,
        CHORUSACCT_OPT_MAIL_RETRY_MAX,   CHORUSACCT_OPT_MAIL_LEASE,
    };
    for (size_t e = 0; e < ARRAY_LEN(edges); e++) {
        flowfix b;
        flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
        chorusacct_testclock_set(b.clock, edges[e]);
        for (size_t i = 0; i < ARRAY_LEN(ttls); i++) {
            int64_t min, max;
            assert_code(chorusacct_option_range(ttls[i], &min, &max),
                        CHORUSACCT_OK, NULL);
            assert_code(chorusacct_ctx_set_int(b.ctx, ttls[i], max),
                        CHORUSACCT_OK, b.ctx);
        }
        int64_t id = do_signup(&b, "first@example.fr", siret_a,
                               CHORUSACCT_STATE_AWAITING_ACTIVATION);
        assert_int_equal(do_deliver(&b), 2);
        char token[64];
        last_token(&b, "first@example.fr", token, sizeof token);
        int reason = 0;
        assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
        int64_t got = 0;
        assert_code(chorusacct_login(b.ctx, "first@example.fr", GOOD_PW,
                                     strlen(GOOD_PW), NULL, &got, &reason),
                    CHORUSACCT_OK, b.ctx);
        assert_int_equal(got, id);
        for (int k = 0; k < 6; k++)
            assert_code(chorusacct_login(b.ctx, "first@example.fr", "wrong", 5,
                                         NULL, &got, &reason),
                        CHORUSACCT_E_REJECTED, b.ctx);
        assert_int_equal(reason, CHORUSACCT_E_LOCKED);
        do_signup(&b, "second@example.fr", siret_b,
                  CHORUSACCT_STATE_AWAITING_ACTIVATION);
        assert_code(chorusacct_activation_resend(b.ctx, "second@example.fr",
                                                 NULL, &reason),
                    CHORUSACCT_OK, b.ctx);
        /* The cooldown (resent_at 0 means never, so not at the epoch). */
        if (edges[e] > 0) {
            assert_code(chorusacct_activation_resend(b.ctx, "second@example.fr",
                                                     NULL, &reason),
                        CHORUSACCT_E_REJECTED, b.ctx);
            assert_code(reason, CHORUSACCT_E_RESEND_COOLDOWN, b.ctx);
        }
        chorusacct_sweep_result s = {.struct_size = sizeof s};
        assert_code(chorusacct_sweep(b.ctx, &s), CHORUSACCT_OK, b.ctx);
        do_deliver(&b);
        flowfix_close(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_out_of_range_refused),
        cmocka_unit_test(test_clock_refused_before_the_secret),
        cmocka_unit_test(test_clock_at_the_edges_runs_the_flow),
    };
    return cmocka_run_group_tests_name("clock_flow", tests, setup, NULL);
}
