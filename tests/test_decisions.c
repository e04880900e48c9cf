/*
 * Decisions that stick and answers that tell nothing (issue 12, points 4,
 * 5, 14 and 20): who may lift a deactivation, a structure that cannot be
 * taken over, reasons on one line, and the same answer for every id to
 * whoever does not manage it. On the
 * in-memory store, and on SQLite and PostgreSQL with
 * CHORUSACCT_TEST_BACKEND.
 */
#include "flowutil.h"

#include <stdio.h>
#include <string.h>

static char siret_a[15], siret_b[15];

static int setup(void **state)
{
    (void)state;
    siret_of(1234567, siret_a);
    siret_of(7654321, siret_b);
    return chorusacct_init();
}

static void digest(flowfix *b, uint8_t *out)
{
    flowfix_digest(b, out);
}

/* A refused call: CHORUSACCT_E_REJECTED with `want`, storage unchanged. */
#define assert_refused_unchanged(b, call, want)                                \
    do {                                                                       \
        uint8_t before_[32], after_[32];                                       \
        digest(b, before_);                                                    \
        int reason_ = 0;                                                       \
        int rc_ = (call);                                                      \
        assert_code(rc_, CHORUSACCT_E_REJECTED, (b)->ctx);                     \
        assert_code(reason_, want, (b)->ctx);                                  \
        digest(b, after_);                                                     \
        assert_memory_equal(before_, after_, 32);                              \
    } while (0)

/* Point 4: a manager disables a user; the user cannot lift it (storage
 * unchanged), a manager can. */
static void test_manager_deactivation_sticks(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t u = do_signup(&b, "user@acme.fr", siret_a,
                          CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, boss, u, "user@acme.fr");
    int reason = 0;
    assert_code(chorusacct_account_disable(b.ctx, boss, u, "left", &reason),
                CHORUSACCT_OK, b.ctx);
    assert_refused_unchanged(&b,
                             chorusacct_account_enable(b.ctx, u, u, &reason_),
                             CHORUSACCT_E_NOT_MANAGER);
    assert_int_equal(state_of(&b, u), CHORUSACCT_STATE_DISABLED);
    /* Still refused after the user deactivates nothing in between, and
     * for an account of another structure. */
    int64_t other = make_manager(&b, "other@beta.fr", siret_b);
    assert_refused_unchanged(
        &b, chorusacct_account_enable(b.ctx, other, u, &reason_),
        CHORUSACCT_E_NOT_MANAGER);
    assert_code(chorusacct_account_enable(b.ctx, boss, u, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, u), CHORUSACCT_STATE_ACTIVE);

    /* The user's own deactivation: the user may lift it, and so may a
     * manager. */
    assert_code(chorusacct_account_disable(b.ctx, u, u, NULL, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_enable(b.ctx, u, u, &reason), CHORUSACCT_OK,
                b.ctx);
    assert_code(chorusacct_account_disable(b.ctx, u, u, "holidays", &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_enable(b.ctx, boss, u, &reason),
                CHORUSACCT_OK, b.ctx);

    /* The last deactivation counts: the user's, then a manager's after a
     * manager lifted it. */
    assert_code(chorusacct_account_disable(b.ctx, u, u, NULL, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_enable(b.ctx, boss, u, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_disable(b.ctx, boss, u, NULL, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_refused_unchanged(&b,
                             chorusacct_account_enable(b.ctx, u, u, &reason_),
                             CHORUSACCT_E_NOT_MANAGER);
    flowfix_close(&b);
}

/* Point 4: a rogue secondary manager, disabled by the principal, can
 * neither lift it nor approve anyone. */
static void test_disabled_rogue_manager_cannot_approve(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t rogue = do_signup(&b, "rogue@acme.fr", siret_a,
                              CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, boss, rogue, "rogue@acme.fr");
    int reason = 0;
    assert_code(chorusacct_account_set_role(b.ctx, boss, rogue,
                                            CHORUSACCT_ROLE_MANAGER, &reason),
                CHORUSACCT_OK, b.ctx);
    int64_t app = do_signup(&b, "friend@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_code(
        chorusacct_account_disable(b.ctx, boss, rogue, "abuse", &reason),
        CHORUSACCT_OK, b.ctx);
    assert_refused_unchanged(
        &b, chorusacct_account_enable(b.ctx, rogue, rogue, &reason_),
        CHORUSACCT_E_NOT_MANAGER);
    assert_refused_unchanged(
        &b, chorusacct_account_approve(b.ctx, rogue, app, &reason_),
        CHORUSACCT_E_NOT_MANAGER);
    assert_refused_unchanged(
        &b, chorusacct_account_reject(b.ctx, rogue, app, "no", &reason_),
        CHORUSACCT_E_NOT_MANAGER);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_int_equal(state_of(&b, rogue), CHORUSACCT_STATE_DISABLED);
    flowfix_close(&b);
}

/* Point 20: whoever does not manage an account's structure gets the same
 * answer, with the same text, for an existing id and for one that names
 * no account; storage unchanged either way. */
static void test_non_manager_same_answer_for_every_id(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t app = do_signup(&b, "jean@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    int64_t user = do_signup(&b, "user@acme.fr", siret_a,
                             CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, boss, user, "user@acme.fr");
    int64_t other = make_manager(&b, "other@beta.fr", siret_b);
    const int64_t missing = 99999;
    /* Actors: a manager of another structure, an account of the same
     * structure that is no manager, an applicant, an id that names no
     * account. */
    const int64_t actors[] = {other, user, app, missing};
    const int64_t targets[] = {app, missing};
    char text[512] = "";
    for (size_t i = 0; i < ARRAY_LEN(actors); i++) {
        for (size_t j = 0; j < ARRAY_LEN(targets); j++) {
            const int64_t who = actors[i], id = targets[j];
            assert_refused_unchanged(
                &b, chorusacct_account_approve(b.ctx, who, id, &reason_),
                CHORUSACCT_E_NOT_MANAGER);
            if (text[0] == '\0')
                snprintf(text, sizeof text, "%s",
                         chorusacct_ctx_last_error(b.ctx));
            assert_string_equal(chorusacct_ctx_last_error(b.ctx), text);
            assert_refused_unchanged(
                &b, chorusacct_account_reject(b.ctx, who, id, "no", &reason_),
                CHORUSACCT_E_NOT_MANAGER);
            assert_string_equal(chorusacct_ctx_last_error(b.ctx), text);
            if (who == id)
                continue; /* one's own account: test_flow.c */
            assert_refused_unchanged(
                &b,
                chorusacct_account_set_role(b.ctx, who, id,
                                            CHORUSACCT_ROLE_MANAGER, &reason_),
                CHORUSACCT_E_NOT_MANAGER);
            assert_refused_unchanged(
                &b, chorusacct_account_disable(b.ctx, who, id, NULL, &reason_),
                CHORUSACCT_E_NOT_MANAGER);
            assert_refused_unchanged(
                &b, chorusacct_account_enable(b.ctx, who, id, &reason_),
                CHORUSACCT_E_NOT_MANAGER);
            assert_refused_unchanged(
                &b, chorusacct_activation_resend_by(b.ctx, who, id, &reason_),
                CHORUSACCT_E_NOT_MANAGER);
        }
    }
    /* In a batch too. */
    int64_t ids[2] = {app, missing};
    int codes[2];
    assert_code(chorusacct_account_approve_many(b.ctx, other, ids, 2, codes),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(codes[0], CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(codes[1], CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_PENDING_APPROVAL);
    flowfix_close(&b);
}

/* Point 14: a reason is one line of text. Control characters (tab and
 * line break included), DEL, C1 controls and the Unicode line and
 * paragraph separators are refused with their own code, by a rejection
 * and by a deactivation, and nothing changes. */
static void test_reason_refuses_control_characters(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t app = do_signup(&b, "jean@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    int64_t user = do_signup(&b, "user@acme.fr", siret_a,
                             CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, boss, user, "user@acme.fr");
    const char *bad[] = {
        "line one\nline two",
        "no\tpe",
        "carriage\rreturn",
        "2026-11-26T10:00:00Z\t3\trole\tactive\tactive\t1\tforged",
        "bell\x07",
        "nul\x01",
        "escape\x1b[31m",
        "del\x7f",
        "c1 \xc2\x85 next line",
        "c1 \xc2\x9b csi",
        "line \xe2\x80\xa8 separator",
        "paragraph \xe2\x80\xa9 separator",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_refused_unchanged(
            &b, chorusacct_account_reject(b.ctx, boss, app, bad[i], &reason_),
            CHORUSACCT_E_REASON_CHARACTER);
        assert_refused_unchanged(
            &b, chorusacct_account_disable(b.ctx, boss, user, bad[i], &reason_),
            CHORUSACCT_E_REASON_CHARACTER);
    }
    assert_string_not_equal(
        chorusacct_strerror(CHORUSACCT_E_REASON_CHARACTER, CHORUSACCT_LANG_EN),
        chorusacct_strerror(CHORUSACCT_E_REASON_REQUIRED, CHORUSACCT_LANG_EN));
    assert_string_equal(chorusacct_status_name(CHORUSACCT_E_REASON_CHARACTER),
                        "REASON_CHARACTER");
    /* Accented letters, emoji, symbols: fine. */
    int reason = 0;
    assert_code(chorusacct_account_reject(
                    b.ctx, boss, app, "Désolé : pas du service — 😀", &reason),
                CHORUSACCT_OK, b.ctx);
    flowfix_close(&b);
}

/* Point 5: the takeover of the issue. An attacker signs up to a structure
 * whose first declarer has not activated yet, and waits for the link to
 * expire: the attacker is not principal after the sweep, a second
 * sign-up does not take the structure either, the declarer is told and
 * can still activate during the grace, and then rejects the attacker. */
static void test_takeover_needs_more_than_an_expired_link(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t owner = do_signup(&b, "owner@acme.fr", siret_a,
                              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int64_t attacker = do_signup(&b, "attacker@evil.fr", siret_a,
                                 CHORUSACCT_STATE_PENDING_APPROVAL);
    chorusacct_testclock_advance(b.clock, 3601);
    chorusacct_testmailer_clear(b.mail);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.expired, 1);
    assert_int_equal(sw.promoted, 0);
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, attacker, &a), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_USER);
    assert_int_equal(a.state, CHORUSACCT_STATE_PENDING_APPROVAL);
    chorusacct_structure s = {.struct_size = sizeof s};
    assert_code(chorusacct_structure_get(b.ctx, a.structure_id, &s),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(s.principal_id, owner);
    /* The declarer is told, at the address the links go to. */
    do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_CLAIM_NOTICE, "owner@acme.fr"), 1);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_CLAIM_NOTICE, NULL), 1);

    /* A new sign-up during the grace does not take the structure. */
    chorusacct_testclock_advance(b.clock, 6 * 86400);
    int64_t second = do_signup(&b, "second@evil.fr", siret_a,
                               CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_code(chorusacct_account_get(b.ctx, second, &a), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_USER);
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.promoted, 0);

    /* The owner asks for a new link, activates, and rejects. */
    int reason = 0;
    assert_code(
        chorusacct_activation_resend(b.ctx, "owner@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, owner), CHORUSACCT_STATE_AWAITING_ACTIVATION);
    activate_last(&b, "owner@acme.fr", NULL, 0);
    assert_int_equal(state_of(&b, owner), CHORUSACCT_STATE_ACTIVE);
    assert_code(
        chorusacct_account_reject(b.ctx, owner, attacker, "Inconnu", &reason),
        CHORUSACCT_OK, b.ctx);
    assert_code(
        chorusacct_account_reject(b.ctx, owner, second, "Inconnu", &reason),
        CHORUSACCT_OK, b.ctx);
    /* Long after the grace, nothing changes hands. */
    chorusacct_testclock_advance(b.clock, 60 * 86400);
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.promoted, 0);
    assert_code(chorusacct_structure_get(b.ctx, s.id, &s), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(s.principal_id, owner);
    flowfix_close(&b);
}

/* Point 5: a declarer who never comes back. After promotion_grace (a
 * setting, here one day) the oldest applicant waiting is promoted, with
 * the purge of the declarer and a promote event in the audit log. */
static void test_promotion_after_the_grace(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    assert_code(
        chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_PROMOTION_GRACE, 86400),
        CHORUSACCT_OK, b.ctx);
    assert_code(
        chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_PROMOTION_GRACE, 0),
        CHORUSACCT_E_ARG, b.ctx);
    int64_t gone = do_signup(&b, "gone@acme.fr", siret_a,
                             CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int64_t app = do_signup(&b, "app@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    chorusacct_testclock_advance(b.clock, 3601);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.promoted, 0);
    chorusacct_testclock_advance(b.clock, 86400 - 1);
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.promoted, 0);
    chorusacct_testclock_advance(b.clock, 1);
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.purged, 1);
    assert_int_equal(sw.promoted, 1);
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, gone, &a), CHORUSACCT_E_NOTFOUND,
                b.ctx);
    assert_code(chorusacct_account_get(b.ctx, app, &a), CHORUSACCT_OK, b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_PRINCIPAL);
    assert_int_equal(a.state, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int types[8];
    size_t n = event_types(&b, app, types, 8);
    assert_true(n >= 2);
    assert_int_equal(types[n - 1], CHORUSACCT_EV_PROMOTE);
    flowfix_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manager_deactivation_sticks),
        cmocka_unit_test(test_disabled_rogue_manager_cannot_approve),
        cmocka_unit_test(test_non_manager_same_answer_for_every_id),
        cmocka_unit_test(test_reason_refuses_control_characters),
        cmocka_unit_test(test_takeover_needs_more_than_an_expired_link),
        cmocka_unit_test(test_promotion_after_the_grace),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
