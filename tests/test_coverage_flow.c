/*
 * The flow's less travelled paths, over the public API: a manager's
 * resend, approval requests held until the principal activates, a revived
 * applicant, argument checks, reasons at their limits, and the getters'
 * arguments. They complement test_flow.c where gcovr showed lines no test
 * reached (docs/testing.md).
 */
#include "flowutil.h"

#include <stdio.h>
#include <string.h>
#include <chorusacct/testkit.h>

static char siret_a[15], siret_b[15];

static int setup(void **state)
{
    (void)state;
    siret_of(2345678, siret_a);
    siret_of(8765432, siret_b);
    return chorusacct_init();
}

/* The last event of an account. */
static chorusacct_event last_event(bench *b, int64_t id)
{
    chorusacct_event e[32] = {{.struct_size = sizeof e[0]}};
    size_t n;
    assert_code(chorusacct_event_list(b->ctx, id, 0, e, 32, &n), CHORUSACCT_OK,
                b->ctx);
    assert_true(n > 0 && n < 32);
    return e[n - 1];
}

static void test_resend_by_manager(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t other = make_manager(&b, "other@beta.fr", siret_b);
    int64_t app = do_signup(&b, "app@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    int reason = 0;

    /* A request is decided, not resent, by a manager. */
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_STATE, b.ctx);
    assert_code(chorusacct_account_approve(b.ctx, boss, app, &reason),
                CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    chorusacct_testmailer_clear(b.mail);

    /* Only an active manager of the account's own structure. */
    reason = 0;
    assert_code(chorusacct_activation_resend_by(b.ctx, 0, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    reason = 0;
    assert_code(chorusacct_activation_resend_by(b.ctx, other, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    reason = 0;
    assert_code(chorusacct_activation_resend_by(b.ctx, app, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    reason = 0;
    assert_code(chorusacct_activation_resend_by(b.ctx, 999, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, 999, &reason),
                CHORUSACCT_E_NOTFOUND, b.ctx);
    assert_code(chorusacct_activation_resend_by(NULL, boss, app, &reason),
                CHORUSACCT_E_ARG, NULL);
    assert_int_equal(mails_of(&b, 0, NULL), 0);

    /* The manager's resend: a reminder with a new link, in the log with
     * the manager as actor; then the cooldown applies. */
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, app, &reason),
                CHORUSACCT_OK, b.ctx);
    chorusacct_event e = last_event(&b, app);
    assert_int_equal(e.type, CHORUSACCT_EV_RESEND);
    assert_int_equal(e.actor_id, boss);
    assert_int_equal(do_deliver(&b), 1);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_REMINDER, "app@acme.fr"), 1);
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_RESEND_COOLDOWN, b.ctx);

    /* Expired after approval: the manager's resend revives it, awaiting
     * activation, and its link works. */
    chorusacct_testclock_advance(b.clock, 3601);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.expired, 1);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_EXPIRED);
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, app, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int types[16];
    size_t n = event_types(&b, app, types, 16);
    assert_true(n >= 2);
    assert_int_equal(types[n - 2], CHORUSACCT_EV_REVIVE);
    assert_int_equal(types[n - 1], CHORUSACCT_EV_RESEND);
    do_deliver(&b);
    char token[64];
    last_token(&b, "app@acme.fr", token, sizeof token);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);

    /* An active account has no link to resend. */
    chorusacct_testclock_advance(b.clock, 61);
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ALREADY_ACTIVE, b.ctx);
    bench_close(&b);
}

/* Applicants who asked while the principal had not activated yet: their
 * requests reach the principal when the principal activates. */
static void test_requests_wait_for_the_principal(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = do_signup(&b, "boss@acme.fr", siret_a,
                             CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int64_t app = do_signup(&b, "early@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, NULL), 0);
    char token[64];
    int reason = 0;
    last_token(&b, "boss@acme.fr", token, sizeof token);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 1);
    const chorusacct_mail *m = NULL;
    for (size_t i = 0; i < chorusacct_testmailer_count(b.mail); i++)
        if (chorusacct_testmailer_at(b.mail, i)->kind ==
            CHORUSACCT_MAIL_APPROVAL_REQUEST)
            m = chorusacct_testmailer_at(b.mail, i);
    assert_non_null(m);
    assert_int_equal(m->account_id, app);
    assert_non_null(strstr(m->body, "early@acme.fr"));
    assert_code(chorusacct_account_approve(b.ctx, boss, app, &reason),
                CHORUSACCT_OK, b.ctx);
    bench_close(&b);
}

/* An applicant never decided on expires; their own resend revives the
 * request, and the managers are asked again. */
static void test_revived_request(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t app = do_signup(&b, "slow@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 1);
    int reason = 0;
    /* Still pending: the applicant's resend asks the managers again. */
    assert_code(
        chorusacct_activation_resend(b.ctx, "slow@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 2);

    chorusacct_testclock_advance(b.clock, 30 * 86400 + 1);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_EXPIRED);
    /* A manager cannot revive a request (no link to send). */
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_STATE, b.ctx);
    assert_code(
        chorusacct_activation_resend(b.ctx, "slow@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_PENDING_APPROVAL);
    do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 3);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_REMINDER, NULL), 0);
    /* Approving an account that is not pending is a state error; a
     * decided one says so. */
    assert_code(chorusacct_account_approve(b.ctx, boss, boss, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_STATE, b.ctx);
    assert_code(chorusacct_account_approve(b.ctx, boss, app, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_approve(b.ctx, boss, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ALREADY_DECIDED, b.ctx);
    bench_close(&b);
}

static void test_activation_arguments(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = do_signup(&b, "a@acme.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    char token[64];
    last_token(&b, "a@acme.fr", token, sizeof token);
    const size_t len = strlen(GOOD_PW);
    int64_t who = 77;
    uint32_t failed = 77;
    int reason = 0;

    assert_code(activation_submit(b.ctx, NULL, GOOD_PW, len, GOOD_PW, len, NULL,
                                  &who, &failed, &reason),
                CHORUSACCT_E_ARG, b.ctx);
    assert_int_equal(who, 0);
    assert_int_equal(failed, 0);
    assert_code(activation_submit(b.ctx, token, NULL, len, GOOD_PW, len, NULL,
                                  &who, NULL, &reason),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(activation_submit(b.ctx, token, GOOD_PW, len, NULL, len, NULL,
                                  &who, NULL, &reason),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(activation_submit(NULL, token, GOOD_PW, len, GOOD_PW, len, NULL,
                                  &who, NULL, &reason),
                CHORUSACCT_E_ARG, NULL);
    assert_true(chorusacct_ctx_last_error(b.ctx)[0] != '\0');
    assert_code(chorusacct_activation_lookup(b.ctx, NULL, NULL, NULL, &reason),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_activation_lookup(NULL, token, NULL, NULL, &reason),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_activation_resend(b.ctx, NULL, NULL, &reason),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_activation_resend(NULL, "a@acme.fr", NULL, &reason),
                CHORUSACCT_E_ARG, NULL);
    /* An empty password (NULL with length 0) is refused as a password. */
    assert_code(activation_submit(b.ctx, token, NULL, 0, NULL, 0, NULL, &who,
                                  &failed, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_PASSWORD_SHORT, b.ctx);
    assert_true(failed & CHORUSACCT_PW_RULE_SHORT);
    /* None of this used the link. */
    assert_code(activation_submit(b.ctx, token, GOOD_PW, len, GOOD_PW, len,
                                  NULL, &who, &failed, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(who, id);
    assert_int_equal(failed, 0);
    bench_close(&b);
}

/* Reasons: 1 to 500 characters, and what the record can hold. */
static void test_reason_limits(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t app = do_signup(&b, "app@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    static char why[4 * 501 + 1];
    int reason = 0;

    /* 500 characters of two bytes fit the record and are kept whole. */
    why[0] = '\0';
    for (int i = 0; i < 500; i++)
        strcat(why, "\u00e9");
    assert_int_equal(strlen(why), 1000);
    assert_code(chorusacct_account_reject(b.ctx, boss, app, why, &reason),
                CHORUSACCT_OK, b.ctx);
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, app, &a), CHORUSACCT_OK, b.ctx);
    assert_string_equal(a.reason, why);
    assert_string_equal(last_event(&b, app).reason, why);

    /* 501 characters, an empty or blank reason, a control character,
     * broken UTF-8: refused, nothing changed. */
    int64_t app2 = do_signup(&b, "app2@acme.fr", siret_a,
                             CHORUSACCT_STATE_PENDING_APPROVAL);
    memset(why, 'x', 501);
    why[501] = '\0';
    const char *bad[] = {why, "", " \n\t ", "no\x01pe", "caf\xc3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reason = 0;
        assert_code(
            chorusacct_account_reject(b.ctx, boss, app2, bad[i], &reason),
            CHORUSACCT_E_REJECTED, b.ctx);
        assert_code(reason, CHORUSACCT_E_REASON_REQUIRED, b.ctx);
    }
    assert_code(chorusacct_account_reject(b.ctx, boss, app2, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_REASON_REQUIRED, b.ctx);
    assert_int_equal(state_of(&b, app2), CHORUSACCT_STATE_PENDING_APPROVAL);

    /* 500 characters of four bytes would not fit the record: refused as
     * a whole rather than cut, by a rejection and by a deactivation. */
    why[0] = '\0';
    for (int i = 0; i < 500; i++)
        strcat(why, "\U0001F600");
    assert_int_equal(strlen(why), 2000);
    reason = 0;
    assert_code(chorusacct_account_reject(b.ctx, boss, app2, why, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_REASON_REQUIRED, b.ctx);
    int64_t user = make_manager(&b, "user@beta.fr", siret_b);
    (void)user;
    assert_code(chorusacct_account_approve(b.ctx, boss, app2, &reason),
                CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    char token[64];
    last_token(&b, "app2@acme.fr", token, sizeof token);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    reason = 0;
    assert_code(chorusacct_account_disable(b.ctx, boss, app2, why, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_REASON_REQUIRED, b.ctx);
    assert_int_equal(state_of(&b, app2), CHORUSACCT_STATE_ACTIVE);
    /* 255 of them (1020 bytes) fit. */
    why[1020] = '\0';
    assert_code(chorusacct_account_disable(b.ctx, boss, app2, why, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_string_equal(last_event(&b, app2).reason, why);
    bench_close(&b);
}

/* Roles and bulk approval, at their refusals. */
static void test_role_and_bulk_refusals(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t app = do_signup(&b, "app@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    int reason = 0;
    /* Only an active account gets a role. */
    assert_code(chorusacct_account_set_role(b.ctx, boss, app,
                                            CHORUSACCT_ROLE_MANAGER, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_ACTIVE, b.ctx);

    int codes[2] = {1, 1};
    assert_code(chorusacct_account_approve_many(b.ctx, boss, NULL, 1, codes),
                CHORUSACCT_E_ARG, b.ctx);
    const int64_t ids[2] = {app, boss};
    assert_code(chorusacct_account_approve_many(b.ctx, boss, ids, 2, NULL),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_account_approve_many(NULL, boss, ids, 2, codes),
                CHORUSACCT_E_ARG, NULL);
    assert_int_equal(codes[0], 1);
    /* None to approve: nothing refused. */
    assert_code(chorusacct_account_approve_many(b.ctx, boss, NULL, 0, NULL),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_approve_many(b.ctx, boss, ids, 2, codes),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(codes[0], CHORUSACCT_OK, b.ctx);
    assert_code(codes[1], CHORUSACCT_E_STATE, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_AWAITING_ACTIVATION);
    bench_close(&b);
}

/* The getters: arguments, and a context without storage. */
static void test_getter_arguments(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = do_signup(&b, "a@acme.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    chorusacct_account a = {.struct_size = sizeof a};
    size_t n = 9;
    assert_code(chorusacct_account_get(b.ctx, id, NULL), CHORUSACCT_E_ARG,
                b.ctx);
    assert_code(chorusacct_account_get(NULL, id, &a), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_account_get(b.ctx, id + 100, &a),
                CHORUSACCT_E_NOTFOUND, b.ctx);
    assert_code(chorusacct_account_find(b.ctx, "a@acme.fr", NULL),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_account_find(b.ctx, NULL, &a), CHORUSACCT_E_NOTFOUND,
                b.ctx);
    static char longer[CHORUSACCT_EMAIL_SIZE + 8];
    memset(longer, 'a', sizeof longer - 1);
    assert_code(chorusacct_account_find(b.ctx, longer, &a),
                CHORUSACCT_E_NOTFOUND, b.ctx);
    assert_code(chorusacct_account_find(b.ctx, "A@ACME.FR", &a), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(a.id, id);

    assert_code(chorusacct_account_list(b.ctx, NULL, NULL, 4, &n),
                CHORUSACCT_E_ARG, b.ctx);
    assert_int_equal(n, 0);
    assert_code(chorusacct_account_list(b.ctx, NULL, NULL, 0, NULL),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_account_list(b.ctx, NULL, NULL, 0, &n),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, 0);
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = 2; /* older than any version */
    assert_code(chorusacct_account_list(b.ctx, &q, &a, 1, &n), CHORUSACCT_E_ARG,
                b.ctx);
    q.struct_size = sizeof q;
    assert_code(chorusacct_account_list(b.ctx, &q, &a, 1, &n), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(n, 1);
    assert_int_equal(a.id, id);
    assert_string_equal(a.password_hash, "");

    chorusacct_event e = {.struct_size = sizeof e};
    assert_code(chorusacct_event_list(b.ctx, id, 0, NULL, 1, &n),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_event_list(b.ctx, id, 0, &e, 1, NULL),
                CHORUSACCT_E_ARG, b.ctx);
    chorusacct_structure s = {.struct_size = sizeof s};
    assert_code(chorusacct_structure_get(b.ctx, a.structure_id, NULL),
                CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_structure_get(b.ctx, a.structure_id, &s),
                CHORUSACCT_OK, b.ctx);
    assert_string_equal(s.identifier, siret_a);

    /* Without storage, every getter says so. */
    chorusacct_ctx *bare = NULL;
    assert_code(chorusacct_ctx_new(&bare, NULL), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_account_get(bare, id, &a), CHORUSACCT_E_ARG, bare);
    assert_code(chorusacct_account_list(bare, NULL, &a, 1, &n),
                CHORUSACCT_E_ARG, bare);
    assert_true(chorusacct_ctx_last_error(bare)[0] != '\0');
    chorusacct_ctx_free(bare);
    bench_close(&b);
}

/* A custom subject may show the rejection reason, which may have several
 * lines: the subject stays one line, the body keeps them. */
static void test_reason_in_subject(void **state)
{
    (void)state;
    bench b;
    bench_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t app = do_signup(&b, "app@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    int reason = 0;
    assert_code(chorusacct_ctx_set_template(
                    b.ctx, CHORUSACCT_MAIL_REJECTED, CHORUSACCT_LANG_FR,
                    "{portal}: {reason}", "Motif :\n{reason}\n", &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_reject(b.ctx, boss, app,
                                          "line one\nline two", &reason),
                CHORUSACCT_OK, b.ctx);
    chorusacct_testmailer_clear(b.mail);
    do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_REJECTED, NULL), 1);
    const chorusacct_mail *m = NULL;
    for (size_t i = 0; i < chorusacct_testmailer_count(b.mail); i++)
        if (chorusacct_testmailer_at(b.mail, i)->kind ==
            CHORUSACCT_MAIL_REJECTED)
            m = chorusacct_testmailer_at(b.mail, i);
    assert_non_null(m);
    assert_string_equal(m->subject, "Chorus Pro: line one line two");
    assert_string_equal(m->body, "Motif :\nline one\nline two\n");
    /* The Internet message has it on one header line. */
    static char msg[16384];
    size_t n;
    assert_code(chorusacct_mail_format(m, "noreply@portal.test", T0, msg,
                                       sizeof msg, &n),
                CHORUSACCT_OK, NULL);
    bench_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resend_by_manager),
        cmocka_unit_test(test_requests_wait_for_the_principal),
        cmocka_unit_test(test_revived_request),
        cmocka_unit_test(test_activation_arguments),
        cmocka_unit_test(test_reason_limits),
        cmocka_unit_test(test_reason_in_subject),
        cmocka_unit_test(test_role_and_bulk_refusals),
        cmocka_unit_test(test_getter_arguments),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
