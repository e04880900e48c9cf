/*
 * The account flow end to end, over the in-memory store, the capturing
 * mailer, the settable clock and the seeded random source.
 */
#include "flowutil.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <chorusacct/testkit.h>

#include <sodium.h>
#include <sqlite3.h>

static char siret_a[15], siret_b[15], siret_c[15];

static int setup(void **state)
{
    (void)state;
    siret_of(1234567, siret_a);
    siret_of(7654321, siret_b);
    siret_of(1111111, siret_c);
    return chorusacct_init();
}

static void test_new_structure_to_active(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int declared = -1;
    chorusacct_structure s = {.struct_size = sizeof s};
    int reason = 0;
    assert_code(chorusacct_structure_lookup(b.ctx, CHORUSACCT_ID_SIRET, siret_a,
                                            &declared, &s, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(declared, 0);

    int64_t id = do_signup(&b, "Marie.Curie@Example.FR", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, id, &a), CHORUSACCT_OK, b.ctx);
    assert_string_equal(a.login_email, "Marie.Curie@example.fr");
    assert_string_equal(a.email_key, "marie.curie@example.fr");
    assert_string_equal(a.contact_email, "Marie.Curie@example.fr");
    assert_string_equal(a.phone, "+33612345678");
    assert_int_equal(a.role, CHORUSACCT_ROLE_PRINCIPAL);
    assert_int_equal(a.consent_at, T0);
    assert_string_equal(a.terms_version, "1");
    assert_int_equal(a.expires_at, T0 + 3600);
    assert_string_equal(a.password_hash, "");

    /* The structure is declared now, with this account as principal. */
    assert_code(chorusacct_structure_lookup(b.ctx, CHORUSACCT_ID_SIRET, siret_a,
                                            &declared, &s, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(declared, 1);
    assert_int_equal(s.principal_id, id);
    assert_int_equal(s.id, a.structure_id);

    /* Two e-mails to the login address, only once delivered. */
    assert_int_equal(chorusacct_testmailer_count(b.mail), 0);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_PENDING), 2);
    assert_int_equal(do_deliver(&b), 2);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_SUMMARY, "marie.curie@example.fr"), 1);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_ACTIVATION, "Marie.Curie@example.fr"), 1);
    assert_int_equal(do_deliver(&b), 0); /* nothing twice */

    char token[64];
    last_token(&b, "Marie.Curie@example.fr", token, sizeof token);
    assert_int_equal(strlen(token), 43); /* 256 bits, URL-safe base64 */
    /* The link is in the body too, and nowhere in storage. */
    const chorusacct_mail *m = chorusacct_testmailer_at(b.mail, 1);
    assert_non_null(strstr(m->body, token));
    chorusacct_message msgs[8] = {{.struct_size = sizeof msgs[0]}};
    size_t n;
    assert_code(chorusacct_outbox_list(b.ctx, 0, 0, msgs, 8, &n), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_null(strstr(msgs[i].body, token));
        assert_int_equal(msgs[i].status, CHORUSACCT_MSG_SENT);
    }

    /* Checking the link consumes nothing. */
    chorusacct_token_info info = {.struct_size = sizeof info};
    for (int i = 0; i < 3; i++) {
        assert_code(
            chorusacct_activation_lookup(b.ctx, token, NULL, &info, &reason),
            CHORUSACCT_OK, b.ctx);
        assert_int_equal(info.account_id, id);
        assert_string_equal(info.first_name, "Marie");
    }

    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_ACTIVE);
    /* A second activation says so, and changes nothing. */
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ALREADY_ACTIVE, b.ctx);
    assert_code(chorusacct_activation_lookup(b.ctx, token, NULL, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ALREADY_ACTIVE, b.ctx);

    int types[8];
    assert_int_equal(event_types(&b, id, types, 8), 2);
    assert_int_equal(types[0], CHORUSACCT_EV_SIGNUP);
    assert_int_equal(types[1], CHORUSACCT_EV_ACTIVATE);

    int64_t who = 0;
    assert_code(chorusacct_login(b.ctx, "MARIE.CURIE@example.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &who, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(who, id);
    flowfix_close(&b);
}

static void test_field_errors_store_nothing(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    uint8_t before[32], after[32];
    /* The first call creates the secret; take the digest after it. */
    do_signup(&b, "first@example.fr", siret_a,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    flowfix_digest(&b, before);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "marié@example.fr", "Jean2", "", "73282932000075");
    f.phone = "06 12 34 56";
    f.contact_email = "not-an-address";
    f.accept_terms = 0;
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    static const struct {
        int field, code;
    } want[] = {
        {CHORUSACCT_FIELD_LOGIN_EMAIL, CHORUSACCT_E_EMAIL_NONASCII},
        {CHORUSACCT_FIELD_FIRST_NAME, CHORUSACCT_E_NAME_CHARACTER},
        {CHORUSACCT_FIELD_LAST_NAME, CHORUSACCT_E_EMPTY},
        {CHORUSACCT_FIELD_PHONE, CHORUSACCT_E_PHONE_LENGTH},
        {CHORUSACCT_FIELD_CONTACT_EMAIL, CHORUSACCT_E_EMAIL_AT},
        {CHORUSACCT_FIELD_TERMS, CHORUSACCT_E_CONSENT},
        {CHORUSACCT_FIELD_IDENTIFIER, CHORUSACCT_E_CHECKSUM},
    };
    assert_int_equal(r.nerrors, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        if (r.errors[i].field != want[i].field ||
            r.errors[i].code != want[i].code)
            fail_msg("error %zu: %s %s, wanted %s %s", i,
                     chorusacct_field_name(r.errors[i].field),
                     chorusacct_status_name(r.errors[i].code),
                     chorusacct_field_name(want[i].field),
                     chorusacct_status_name(want[i].code));
    }
    assert_int_equal(r.account_id, 0);
    flowfix_digest(&b, after);
    assert_memory_equal(before, after, 32);

    /* The same address twice: refused, and nothing stored either. */
    form_fill(&f, "FIRST@example.fr", "Jean", "Dupont", siret_b);
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_int_equal(r.nerrors, 1);
    assert_int_equal(r.errors[0].field, CHORUSACCT_FIELD_LOGIN_EMAIL);
    assert_code(r.errors[0].code, CHORUSACCT_E_EMAIL_TAKEN, b.ctx);
    flowfix_digest(&b, after);
    assert_memory_equal(before, after, 32);

    /* Company name required outside the EU; type checked. */
    form_fill(&f, "x@example.fr", "Jean", "Dupont", "USACME");
    f.id_type = CHORUSACCT_ID_HORS_UE;
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_int_equal(r.errors[0].field, CHORUSACCT_FIELD_COMPANY_NAME);
    assert_code(r.errors[0].code, CHORUSACCT_E_EMPTY, b.ctx);
    f.id_type = 99;
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_int_equal(r.errors[0].field, CHORUSACCT_FIELD_ID_TYPE);
    flowfix_close(&b);
}

static void test_existing_structure_approval(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    chorusacct_testmailer_clear(b.mail);

    int64_t app = do_signup(&b, "jean@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, app, &a), CHORUSACCT_OK, b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_USER);
    do_deliver(&b);
    /* The applicant gets a summary; the manager an approval request. */
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_SUMMARY, "jean@acme.fr"), 1);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_ACTIVATION, NULL), 0);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 1);

    /* Someone else, or the applicant, cannot approve. */
    int reason = 0;
    int64_t other = make_manager(&b, "other@beta.fr", siret_b);
    assert_code(chorusacct_account_approve(b.ctx, other, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_account_approve(b.ctx, app, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_account_approve(b.ctx, 9999, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    /* An id that names no account: the same answer (test_decisions.c). */
    assert_code(chorusacct_account_approve(b.ctx, boss, 9999, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);

    chorusacct_testmailer_clear(b.mail);
    assert_code(chorusacct_account_approve(b.ctx, boss, app, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(chorusacct_account_approve(b.ctx, boss, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ALREADY_DECIDED, b.ctx);
    assert_code(chorusacct_account_reject(b.ctx, boss, app, "Non", &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ALREADY_DECIDED, b.ctx);
    do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_APPROVED, "jean@acme.fr"), 1);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_SUMMARY, "jean@acme.fr"), 1);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_ACTIVATION, "jean@acme.fr"),
                     1);
    char token[64];
    last_token(&b, "jean@acme.fr", token, sizeof token);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    int types[8];
    assert_int_equal(event_types(&b, app, types, 8), 3);
    assert_int_equal(types[1], CHORUSACCT_EV_APPROVE);
    chorusacct_event e[4] = {{.struct_size = sizeof e[0]}};
    size_t n;
    assert_code(chorusacct_event_list(b.ctx, app, 0, e, 4, &n), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(e[1].actor_id, boss);
    assert_int_equal(e[1].from_state, CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_int_equal(e[1].to_state, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    flowfix_close(&b);
}

/* Applicants who asked while the principal had not activated yet: their
 * requests reach the principal when the principal activates. */
static void test_requests_wait_for_the_principal(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
    flowfix_close(&b);
}

/* The last event of an account. */
static chorusacct_event last_event(flowfix *b, int64_t id)
{
    chorusacct_event e[32] = {{.struct_size = sizeof e[0]}};
    size_t n;
    assert_code(chorusacct_event_list(b->ctx, id, 0, e, 32, &n), CHORUSACCT_OK,
                b->ctx);
    assert_true(n > 0 && n < 32);
    return e[n - 1];
}

static void test_reject_needs_a_reason_and_mails_it(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t app = do_signup(&b, "jean@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    int reason = 0;
    assert_code(chorusacct_account_reject(b.ctx, boss, app, "", &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_REASON_REQUIRED, b.ctx);
    assert_code(chorusacct_account_reject(b.ctx, boss, app, "   ", &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_REASON_REQUIRED, b.ctx);
    assert_code(chorusacct_account_reject(b.ctx, boss, app, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_PENDING_APPROVAL);
    chorusacct_testmailer_clear(b.mail);
    assert_code(chorusacct_account_reject(b.ctx, boss, app,
                                          "Vous ne faites pas partie "
                                          "du service comptable.",
                                          &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, app), CHORUSACCT_STATE_REJECTED);
    do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_REJECTED, "jean@acme.fr"), 1);
    const chorusacct_mail *m = NULL;
    for (size_t i = 0; i < chorusacct_testmailer_count(b.mail); i++)
        if (chorusacct_testmailer_at(b.mail, i)->kind ==
            CHORUSACCT_MAIL_REJECTED)
            m = chorusacct_testmailer_at(b.mail, i);
    assert_non_null(m);
    assert_non_null(strstr(m->body, "service comptable"));
    assert_code(chorusacct_account_approve(b.ctx, boss, app, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ALREADY_DECIDED, b.ctx);
    chorusacct_event e[4] = {{.struct_size = sizeof e[0]}};
    size_t n;
    assert_code(chorusacct_event_list(b.ctx, app, 0, e, 4, &n), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(n, 2);
    assert_int_equal(e[1].type, CHORUSACCT_EV_REJECT);
    assert_string_equal(e[1].reason, "Vous ne faites pas partie du service "
                                     "comptable.");
    flowfix_close(&b);
}

/* Reasons: 1 to 500 characters, and what the record can hold. */
static void test_reason_limits(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
    const char *bad[] = {why, "", "   ", "caf\xc3"};
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
    flowfix_close(&b);
}

static void test_approve_many(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t ids[4];
    char email[32];
    for (int i = 0; i < 3; i++) {
        snprintf(email, sizeof email, "user%d@acme.fr", i);
        ids[i] =
            do_signup(&b, email, siret_a, CHORUSACCT_STATE_PENDING_APPROVAL);
    }
    int reason;
    assert_code(chorusacct_account_reject(b.ctx, boss, ids[1], "Non", &reason),
                CHORUSACCT_OK, b.ctx);
    ids[3] = 4242;
    int codes[4];
    assert_code(chorusacct_account_approve_many(b.ctx, boss, ids, 4, codes),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(codes[0], CHORUSACCT_OK, b.ctx);
    assert_code(codes[1], CHORUSACCT_E_ALREADY_DECIDED, b.ctx);
    assert_code(codes[2], CHORUSACCT_OK, b.ctx);
    assert_code(codes[3], CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_int_equal(state_of(&b, ids[0]),
                     CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(state_of(&b, ids[2]),
                     CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(chorusacct_account_approve_many(b.ctx, boss, ids, 0, codes),
                CHORUSACCT_OK, b.ctx);
    flowfix_close(&b);
}

/* Roles and bulk approval, at their refusals. */
static void test_role_and_bulk_refusals(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
    flowfix_close(&b);
}

/* Several managers decide on the same request at once: exactly one
 * decision takes effect. */
typedef struct {
    flowfix *b;
    int64_t manager, account;
    bool approve;
    int rc, reason;
    pthread_barrier_t *go;
} race_arg;

static void *race_decide(void *p)
{
    race_arg *r = p;
    chorusacct_ctx *ctx = flowfix_ctx(r->b, CHORUSACCT_CFG_NO_CAPTCHA);
    pthread_barrier_wait(r->go);
    r->rc = r->approve ? chorusacct_account_approve(ctx, r->manager, r->account,
                                                    &r->reason)
                       : chorusacct_account_reject(ctx, r->manager, r->account,
                                                   "Non", &r->reason);
    chorusacct_ctx_free(ctx);
    return NULL;
}

static void test_concurrent_decisions(void **state)
{
    (void)state;
    enum { THREADS = 6, ROUNDS = 8 };
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t second = make_manager(&b, "second@acme.fr", siret_b);
    /* Make "second" a manager of acme: move it there through a request. */
    int64_t mgr = do_signup(&b, "mgr@acme.fr", siret_a,
                            CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, boss, mgr, "mgr@acme.fr");
    int reason;
    assert_code(chorusacct_account_set_role(b.ctx, boss, mgr,
                                            CHORUSACCT_ROLE_MANAGER, &reason),
                CHORUSACCT_OK, b.ctx);
    (void)second;

    for (int round = 0; round < ROUNDS; round++) {
        char email[32];
        snprintf(email, sizeof email, "race%d@acme.fr", round);
        int64_t app =
            do_signup(&b, email, siret_a, CHORUSACCT_STATE_PENDING_APPROVAL);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, THREADS);
        pthread_t th[THREADS];
        race_arg args[THREADS];
        for (int i = 0; i < THREADS; i++) {
            args[i] = (race_arg){
                &b, i % 2 ? mgr : boss, app, (i + round) % 3 != 0, 0, 0, &go};
            pthread_create(&th[i], NULL, race_decide, &args[i]);
        }
        int wins = 0, winner = -1;
        for (int i = 0; i < THREADS; i++) {
            pthread_join(th[i], NULL);
            if (args[i].rc == CHORUSACCT_OK) {
                wins++;
                winner = i;
            } else {
                assert_code(args[i].rc, CHORUSACCT_E_REJECTED, NULL);
                assert_code(args[i].reason, CHORUSACCT_E_ALREADY_DECIDED, NULL);
            }
        }
        pthread_barrier_destroy(&go);
        assert_int_equal(wins, 1);
        assert_int_equal(state_of(&b, app),
                         args[winner].approve
                             ? CHORUSACCT_STATE_AWAITING_ACTIVATION
                             : CHORUSACCT_STATE_REJECTED);
        int types[8];
        assert_int_equal(event_types(&b, app, types, 8), 2);
    }
    flowfix_close(&b);
}

typedef struct {
    flowfix *b;
    const char *token;
    int rc, reason;
    pthread_barrier_t *go;
} act_arg;

static void *race_activate(void *p)
{
    act_arg *r = p;
    chorusacct_ctx *ctx = flowfix_ctx(r->b, CHORUSACCT_CFG_NO_CAPTCHA);
    pthread_barrier_wait(r->go);
    r->rc = activation_submit(ctx, r->token, GOOD_PW, strlen(GOOD_PW), GOOD_PW,
                              strlen(GOOD_PW), NULL, NULL, NULL, &r->reason);
    chorusacct_ctx_free(ctx);
    return NULL;
}

static void test_concurrent_activation(void **state)
{
    (void)state;
    enum { THREADS = 6 };
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = do_signup(&b, "twice@acme.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    char token[64];
    last_token(&b, "twice@acme.fr", token, sizeof token);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, THREADS);
    pthread_t th[THREADS];
    act_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (act_arg){&b, token, 0, 0, &go};
        pthread_create(&th[i], NULL, race_activate, &args[i]);
    }
    int wins = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        if (args[i].rc == CHORUSACCT_OK) {
            wins++;
        } else {
            assert_code(args[i].rc, CHORUSACCT_E_REJECTED, NULL);
            assert_code(args[i].reason, CHORUSACCT_E_ALREADY_ACTIVE, NULL);
        }
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(wins, 1);
    int types[8];
    assert_int_equal(event_types(&b, id, types, 8), 2);
    flowfix_close(&b);
}

/* used_at 0 means unused: with the clock at 0, a consumed token and a
 * retired link must stay spent all the same. The flow records such a use
 * at 1, so that no backend has to know (docs/storage.md). */
static void test_token_used_at_time_0(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    chorusacct_testclock_set(b.clock, 0);
    int reason = 0;

    /* Consumed at 0: once the account is disabled, its link says used
     * (a token still unused would say the state is wrong). */
    int64_t boss = make_manager(&b, "zero-boss@acme.fr", siret_a);
    int64_t u = do_signup(&b, "zero-user@acme.fr", siret_a,
                          CHORUSACCT_STATE_PENDING_APPROVAL);
    char used[64];
    assert_code(chorusacct_account_approve(b.ctx, boss, u, &reason),
                CHORUSACCT_OK, b.ctx);
    activate_last(&b, "zero-user@acme.fr", used, sizeof used);
    assert_code(chorusacct_account_disable(b.ctx, boss, u, NULL, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_activation_lookup(b.ctx, used, NULL, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_USED, b.ctx);

    /* Retired at 0 by a newer link: the old one no longer activates. */
    do_signup(&b, "zero-late@acme.fr", siret_b,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    char first[64], second[64];
    last_token(&b, "zero-late@acme.fr", first, sizeof first);
    assert_code(
        chorusacct_activation_resend(b.ctx, "zero-late@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    last_token(&b, "zero-late@acme.fr", second, sizeof second);
    assert_string_not_equal(first, second);
    assert_code(do_activate(&b, first, &reason), CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    assert_code(do_activate(&b, second, &reason), CHORUSACCT_OK, b.ctx);
    flowfix_close(&b);
}

static void test_password_rules_at_activation(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = do_signup(&b, "ada.lovelace@acme.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    char token[64];
    last_token(&b, "ada.lovelace@acme.fr", token, sizeof token);
    int reason;
    uint32_t failed = 0;
    assert_code(do_activate_pw(&b, token, "short1A", &failed, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_PASSWORD_SHORT, b.ctx);
    assert_true(failed & CHORUSACCT_PW_RULE_SHORT);
    assert_code(
        do_activate_pw(&b, token, "alllowercaseletters", &failed, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_PASSWORD_CLASSES, b.ctx);
    /* Contains the e-mail's local part (any case). */
    assert_code(
        do_activate_pw(&b, token, "Ada.Lovelace-2026", &failed, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_PASSWORD_PERSONAL, b.ctx);
    /* Contains the last name. */
    assert_code(
        do_activate_pw(&b, token, "xx-CURIE-Strong-99", &failed, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_PASSWORD_PERSONAL, b.ctx);
    assert_code(activation_submit(b.ctx, token, GOOD_PW, strlen(GOOD_PW),
                                  "Correct", 7, NULL, NULL, &failed, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_PASSWORD_MISMATCH, b.ctx);
    /* None of those consumed the link. */
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    flowfix_close(&b);
}

static void test_activation_arguments(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
    flowfix_close(&b);
}

static void test_expiry_and_resend(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = do_signup(&b, "late@acme.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    char first[64], second[64];
    last_token(&b, "late@acme.fr", first, sizeof first);
    int reason;

    /* 59 minutes later the link works; 60 minutes later it does not. */
    chorusacct_testclock_set(b.clock, T0 + 3599);
    assert_code(chorusacct_activation_lookup(b.ctx, first, NULL, NULL, &reason),
                CHORUSACCT_OK, b.ctx);
    chorusacct_testclock_set(b.clock, T0 + 3600);
    assert_code(chorusacct_activation_lookup(b.ctx, first, NULL, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_EXPIRED, b.ctx);
    assert_code(do_activate(&b, first, &reason), CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_EXPIRED, b.ctx);

    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.expired, 1);
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_EXPIRED);
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.expired, 0);

    /* A resend revives it with a new link; the old one stays dead. */
    chorusacct_testmailer_clear(b.mail);
    if (chorusacct_activation_resend(b.ctx, "LATE@acme.fr", NULL, &reason) !=
        CHORUSACCT_OK)
        fail_msg("resend: %s", chorusacct_ctx_last_error(b.ctx));
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_REMINDER, "late@acme.fr"), 1);
    last_token(&b, "late@acme.fr", second, sizeof second);
    assert_string_not_equal(first, second);
    assert_code(do_activate(&b, first, &reason), CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);

    /* Cooldown, then a second resend rotates the link again. */
    assert_code(
        chorusacct_activation_resend(b.ctx, "late@acme.fr", NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_RESEND_COOLDOWN, b.ctx);
    chorusacct_testclock_advance(b.clock, 61);
    assert_code(
        chorusacct_activation_resend(b.ctx, "late@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    char third[64];
    last_token(&b, "late@acme.fr", third, sizeof third);
    assert_code(
        chorusacct_activation_lookup(b.ctx, second, NULL, NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    assert_code(do_activate(&b, third, &reason), CHORUSACCT_OK, b.ctx);
    int types[8];
    size_t n = event_types(&b, id, types, 8);
    assert_int_equal(n, 6);
    assert_int_equal(types[1], CHORUSACCT_EV_EXPIRE);
    assert_int_equal(types[2], CHORUSACCT_EV_REVIVE);
    assert_int_equal(types[3], CHORUSACCT_EV_RESEND);
    assert_int_equal(types[5], CHORUSACCT_EV_ACTIVATE);
    flowfix_close(&b);
}

static void test_resend_quota_and_states(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    do_signup(&b, "q@acme.fr", siret_a, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int reason;
    for (int i = 0; i < 5; i++) {
        assert_code(
            chorusacct_activation_resend(b.ctx, "q@acme.fr", NULL, &reason),
            CHORUSACCT_OK, b.ctx);
        chorusacct_testclock_advance(b.clock, 61);
    }
    assert_code(chorusacct_activation_resend(b.ctx, "q@acme.fr", NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_RESEND_QUOTA, b.ctx);
    /* The quota is per day. */
    chorusacct_testclock_advance(b.clock, 86400);
    assert_code(chorusacct_activation_resend(b.ctx, "q@acme.fr", NULL, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(
        chorusacct_activation_resend(b.ctx, "nobody@acme.fr", NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_CREDENTIALS, b.ctx);
    /* An address longer than any stored one is unknown too (Valgrind, in
     * CI, checks that nothing unwritten is read on the way). */
    char longer[CHORUSACCT_EMAIL_SIZE + 40];
    memset(longer, 'q', sizeof longer - 10);
    memcpy(longer + sizeof longer - 10, "@acme.fr", 9);
    reason = 0;
    assert_code(chorusacct_activation_resend(b.ctx, longer, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_CREDENTIALS, b.ctx);
    flowfix_close(&b);
}

static void test_resend_by_manager(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
    /* An id that names no account: as one of another structure. */
    reason = 0;
    assert_code(chorusacct_activation_resend_by(b.ctx, boss, 999, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
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
    flowfix_close(&b);
}

/* An applicant never decided on expires; their own resend revives the
 * request, and the managers are asked again. */
static void test_revived_request(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
    flowfix_close(&b);
}

static void test_enumeration_safe(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    do_signup(&b, "known@acme.fr", siret_a,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_FLAGS,
                                       CHORUSACCT_CFG_NO_CAPTCHA |
                                           CHORUSACCT_CFG_ENUMERATION_SAFE),
                CHORUSACCT_OK, b.ctx);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "KNOWN@acme.fr", "Mallory", "Evil", siret_b);
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    assert_int_equal(r.state, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(r.account_id, 0);
    do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_ALREADY_EXISTS, "known@acme.fr"), 1);
    /* No account was created for the second attempt; its structure is
     * declared, as for a new address, without a principal (and lookup
     * tells no ids in this mode). */
    chorusacct_account list[4] = {{.struct_size = sizeof list[0]}};
    size_t n;
    assert_code(chorusacct_account_list(b.ctx, NULL, list, 4, &n),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, 1);
    int declared;
    chorusacct_structure s = {.struct_size = sizeof s};
    assert_code(chorusacct_structure_lookup(b.ctx, CHORUSACCT_ID_SIRET, siret_b,
                                            &declared, &s, NULL),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(declared, 1);
    assert_int_equal(s.principal_id, 0);
    assert_int_equal(s.id, 0);
    /* The next sign-up for it takes it over. */
    assert_code(chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_FLAGS,
                                       CHORUSACCT_CFG_NO_CAPTCHA),
                CHORUSACCT_OK, b.ctx);
    int64_t owner = do_signup(&b, "owner@acme.fr", siret_b,
                              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(chorusacct_structure_lookup(b.ctx, CHORUSACCT_ID_SIRET, siret_b,
                                            &declared, &s, NULL),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(s.principal_id, owner);
    assert_code(chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_FLAGS,
                                       CHORUSACCT_CFG_NO_CAPTCHA |
                                           CHORUSACCT_CFG_ENUMERATION_SAFE),
                CHORUSACCT_OK, b.ctx);
    /* Resends answer the same for known and unknown addresses. */
    int reason = 0;
    assert_code(
        chorusacct_activation_resend(b.ctx, "nobody@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx);
    assert_code(
        chorusacct_activation_resend(b.ctx, "known@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx);
    assert_code(
        chorusacct_activation_resend(b.ctx, "known@acme.fr", NULL, &reason),
        CHORUSACCT_OK, b.ctx); /* throttled, silently */
    flowfix_close(&b);
}

static void test_login_lockout_rehash(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t who;
    int reason;
    const char *bad = "Wrong-password-1";
    assert_code(chorusacct_login(b.ctx, "nobody@acme.fr", bad, strlen(bad),
                                 NULL, &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_CREDENTIALS, b.ctx);
    for (int i = 0; i < 4; i++) {
        assert_code(chorusacct_login(b.ctx, "boss@acme.fr", bad, strlen(bad),
                                     NULL, &who, &reason),
                    CHORUSACCT_E_REJECTED, b.ctx);
        assert_code(reason, CHORUSACCT_E_CREDENTIALS, b.ctx);
    }
    /* A success clears the count. */
    assert_code(chorusacct_login(b.ctx, "boss@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &who, &reason),
                CHORUSACCT_OK, b.ctx);
    for (int i = 0; i < 5; i++)
        assert_code(chorusacct_login(b.ctx, "boss@acme.fr", bad, strlen(bad),
                                     NULL, &who, &reason),
                    CHORUSACCT_E_REJECTED, b.ctx);
    /* Locked: even the right password is refused for a while. */
    assert_code(chorusacct_login(b.ctx, "boss@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_LOCKED, b.ctx);
    chorusacct_testclock_advance(b.clock, 3601);
    /* Stronger limits: the next login rehashes. */
    chorusacct_account before = {.struct_size = sizeof before},
                       after = {.struct_size = sizeof after};
    assert_code(
        chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_PWHASH_OPSLIMIT, 2),
        CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_get(b.ctx, id, &before), CHORUSACCT_OK,
                b.ctx);
    assert_code(chorusacct_login(b.ctx, "boss@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &who, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(who, id);
    assert_code(chorusacct_account_get(b.ctx, id, &after), CHORUSACCT_OK,
                b.ctx);
    assert_true(after.version > before.version);
    /* ...and the new hash still verifies. */
    assert_code(chorusacct_login(b.ctx, "boss@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &who, &reason),
                CHORUSACCT_OK, b.ctx);
    int types[8];
    size_t n = event_types(&b, id, types, 8);
    assert_int_equal(types[n - 1], CHORUSACCT_EV_LOCKOUT);

    /* Disabled: right password, but not active. */
    int64_t u = do_signup(&b, "user@acme.fr", siret_a,
                          CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, id, u, "user@acme.fr");
    assert_code(chorusacct_account_disable(b.ctx, u, u, "leaving", &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_login(b.ctx, "user@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), NULL, &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_ACTIVE, b.ctx);
    flowfix_close(&b);
}

static void test_disable_enable_roles(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    int64_t u = do_signup(&b, "user@acme.fr", siret_a,
                          CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, boss, u, "user@acme.fr");
    int reason;

    assert_code(chorusacct_account_disable(b.ctx, boss, boss, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_PRINCIPAL, b.ctx);
    assert_code(chorusacct_account_disable(b.ctx, u, boss, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_account_disable(b.ctx, boss, u, "left", &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_disable(b.ctx, boss, u, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_STATE, b.ctx);
    /* A manager's deactivation sticks (test_decisions.c): a manager lifts
     * it. */
    assert_code(chorusacct_account_enable(b.ctx, u, u, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_account_enable(b.ctx, boss, u, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, u), CHORUSACCT_STATE_ACTIVE);

    /* Roles: only the principal gives them; handing over the principal
     * role keeps the former one as a manager. */
    assert_code(chorusacct_account_set_role(b.ctx, u, boss,
                                            CHORUSACCT_ROLE_USER, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_account_set_role(b.ctx, boss, boss,
                                            CHORUSACCT_ROLE_USER, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_SELF, b.ctx);
    assert_code(chorusacct_account_set_role(b.ctx, boss, u, 9, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_ROLE, b.ctx);
    assert_code(chorusacct_account_set_role(b.ctx, boss, u,
                                            CHORUSACCT_ROLE_PRINCIPAL, &reason),
                CHORUSACCT_OK, b.ctx);
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, boss, &a), CHORUSACCT_OK, b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_MANAGER);
    assert_code(chorusacct_account_get(b.ctx, u, &a), CHORUSACCT_OK, b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_PRINCIPAL);
    chorusacct_structure s = {.struct_size = sizeof s};
    assert_code(chorusacct_structure_get(b.ctx, a.structure_id, &s),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(s.principal_id, u);
    /* Now the former principal can be disabled by the new one. */
    assert_code(chorusacct_account_disable(b.ctx, u, boss, NULL, &reason),
                CHORUSACCT_OK, b.ctx);
    flowfix_close(&b);
}

/* The getters' arguments (without storage: test_context.c). */
static void test_getter_arguments(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
    flowfix_close(&b);
}

static void test_draft_wizard(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "wiz@acme.fr", "Ada", "Byron", NULL);
    assert_code(chorusacct_draft_create(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    assert_int_equal(r.state, CHORUSACCT_STATE_CREATED);
    int64_t id = r.account_id;
    /* The structure step: its own field errors. */
    chorusacct_signup g;
    form_fill(&g, NULL, NULL, NULL, "123");
    assert_code(chorusacct_draft_finalize(b.ctx, id, &g, &r),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_int_equal(r.nerrors, 1);
    assert_int_equal(r.errors[0].field, CHORUSACCT_FIELD_IDENTIFIER);
    g.identifier = siret_a;
    assert_code(chorusacct_draft_finalize(b.ctx, id, &g, &r), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(r.account_id, id);
    assert_int_equal(r.state, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(chorusacct_draft_finalize(b.ctx, id, &g, &r),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(r.errors[0].code, CHORUSACCT_E_STATE, b.ctx);
    assert_code(chorusacct_draft_finalize(b.ctx, 777, &g, &r),
                CHORUSACCT_E_NOTFOUND, b.ctx);

    /* A draft left too long expires; the address can start again. */
    form_fill(&f, "slow@acme.fr", "Ada", "Byron", NULL);
    assert_code(chorusacct_draft_create(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    int64_t slow = r.account_id;
    chorusacct_testclock_advance(b.clock, 86401);
    g.identifier = siret_b;
    assert_code(chorusacct_draft_finalize(b.ctx, slow, &g, &r),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(r.errors[0].code, CHORUSACCT_E_DRAFT_EXPIRED, b.ctx);
    f.identifier = siret_b;
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    assert_int_not_equal(r.account_id, slow);
    chorusacct_account gone = {.struct_size = sizeof gone};
    assert_code(chorusacct_account_get(b.ctx, slow, &gone),
                CHORUSACCT_E_NOTFOUND, b.ctx);
    int types[4];
    assert_int_equal(event_types(&b, id, types, 4), 2);
    assert_int_equal(types[0], CHORUSACCT_EV_DRAFT);
    assert_int_equal(types[1], CHORUSACCT_EV_SIGNUP);
    flowfix_close(&b);
}

static void test_captcha_checked_single_use_and_expiring(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, 0);
    char id[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    int reason;
    assert_code(chorusacct_captcha_issue(b.ctx, "198.51.100.7", id, sizeof id,
                                         text, sizeof text, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(strlen(text), 6);
    assert_null(strpbrk(text, "01OIL"));
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "robot@acme.fr", "Ada", "Byron", siret_a);
    f.captcha_id = id;
    f.captcha_answer = "WRONG1";
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_int_equal(r.errors[0].field, CHORUSACCT_FIELD_CAPTCHA);
    assert_code(r.errors[0].code, CHORUSACCT_E_CAPTCHA, b.ctx);
    /* Lower case and spaces are forgiven. */
    char typed[32];
    snprintf(typed, sizeof typed, " %c%c%c %c%c%c", text[0] | 0x20,
             text[1] | 0x20, text[2] | 0x20, text[3], text[4], text[5]);
    f.captcha_answer = typed;
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    /* Single use. */
    form_fill(&f, "robot2@acme.fr", "Ada", "Byron", siret_b);
    f.captcha_id = id;
    f.captcha_answer = text;
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_code(r.errors[0].code, CHORUSACCT_E_CAPTCHA_EXPIRED, b.ctx);
    /* Limited attempts: 3 wrong answers spend it. */
    assert_code(chorusacct_captcha_issue(b.ctx, NULL, id, sizeof id, text,
                                         sizeof text, &reason),
                CHORUSACCT_OK, b.ctx);
    f.captcha_answer = "ZZZZZZ";
    for (int i = 0; i < 3; i++) {
        assert_code(chorusacct_signup_submit(b.ctx, &f, &r),
                    CHORUSACCT_E_REJECTED, b.ctx);
        assert_code(r.errors[0].code, CHORUSACCT_E_CAPTCHA, b.ctx);
    }
    f.captcha_answer = text;
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_code(r.errors[0].code, CHORUSACCT_E_CAPTCHA_EXPIRED, b.ctx);
    /* Expiry. */
    assert_code(chorusacct_captcha_issue(b.ctx, NULL, id, sizeof id, text,
                                         sizeof text, &reason),
                CHORUSACCT_OK, b.ctx);
    chorusacct_testclock_advance(b.clock, 601);
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_code(r.errors[0].code, CHORUSACCT_E_CAPTCHA_EXPIRED, b.ctx);
    f.captcha_id = "no-such-challenge";
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_code(r.errors[0].code, CHORUSACCT_E_CAPTCHA_EXPIRED, b.ctx);
    flowfix_close(&b);
}

/* No challenge id at all, when a captcha is asked, says that one is
 * required, not that it expired: in a sign-up and in a draft's last step. */
static void test_captcha_required(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, 0);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    static const char *const none[] = {NULL, ""};
    for (size_t i = 0; i < ARRAY_LEN(none); i++) {
        form_fill(&f, "nocaptcha@acme.fr", "Ada", "Byron", siret_a);
        f.captcha_id = none[i];
        f.captcha_answer = "ABC234";
        assert_code(chorusacct_signup_submit(b.ctx, &f, &r),
                    CHORUSACCT_E_REJECTED, NULL);
        assert_int_equal(r.nerrors, 1);
        assert_int_equal(r.errors[0].field, CHORUSACCT_FIELD_CAPTCHA);
        if (r.errors[0].code != CHORUSACCT_E_CAPTCHA_REQUIRED)
            fail_msg("captcha_id %s: %s, expected CAPTCHA_REQUIRED",
                     none[i] ? "\"\"" : "NULL",
                     chorusacct_status_name(r.errors[0].code));
    }
    assert_string_equal(chorusacct_status_name(CHORUSACCT_E_CAPTCHA_REQUIRED),
                        "CAPTCHA_REQUIRED");
    assert_non_null(strstr(
        chorusacct_strerror(CHORUSACCT_E_CAPTCHA_REQUIRED, CHORUSACCT_LANG_EN),
        "required"));
    assert_non_null(strstr(
        chorusacct_strerror(CHORUSACCT_E_CAPTCHA_REQUIRED, CHORUSACCT_LANG_FR),
        "obligatoire"));

    /* A draft's last step checks the captcha the same way. */
    form_fill(&f, "draft@acme.fr", "Ada", "Byron", siret_a);
    assert_code(chorusacct_draft_create(b.ctx, &f, &r), CHORUSACCT_OK, NULL);
    int64_t draft = r.account_id;
    chorusacct_signup_result r2 = {.struct_size = sizeof r2};
    assert_code(chorusacct_draft_finalize(b.ctx, draft, &f, &r2),
                CHORUSACCT_E_REJECTED, NULL);
    assert_int_equal(r2.nerrors, 1);
    assert_int_equal(r2.errors[0].field, CHORUSACCT_FIELD_CAPTCHA);
    assert_code(r2.errors[0].code, CHORUSACCT_E_CAPTCHA_REQUIRED, NULL);
    flowfix_close(&b);
}

static int verify_seven(void *user_data, const char *id, const char *answer,
                        const char *client_key)
{
    (void)id;
    (void)client_key;
    int *calls = user_data;
    (*calls)++;
    return strcmp(answer, "7") == 0 ? CHORUSACCT_OK : CHORUSACCT_E_REJECTED;
}

static void test_captcha_plugged(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, 0);
    int calls = 0;
    chorusacct_captcha_ops ops = {sizeof ops, &calls, verify_seven, NULL};
    assert_code(chorusacct_ctx_set_captcha(b.ctx, &ops), CHORUSACCT_OK, b.ctx);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "p@acme.fr", "Ada", "Byron", siret_a);
    f.captcha_id = "x";
    f.captcha_answer = "6";
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_E_REJECTED,
                b.ctx);
    assert_code(r.errors[0].code, CHORUSACCT_E_CAPTCHA, b.ctx);
    f.captcha_answer = "7";
    assert_code(chorusacct_signup_submit(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    assert_int_equal(calls, 2);
    flowfix_close(&b);
}

static void test_throttle_per_key_and_per_address(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    assert_code(
        chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR, 3),
        CHORUSACCT_OK, b.ctx);
    int reason;
    for (int i = 0; i < 3; i++)
        assert_code(chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.1",
                                                 NULL, &reason),
                    CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    assert_code(
        chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.1", NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_THROTTLED, b.ctx);
    /* Another key is not affected; the window passes (a sliding hour:
     * the attempts have left it once the next fixed hour is over). */
    assert_code(
        chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.2", NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    chorusacct_testclock_advance(b.clock, 2 * 3600);
    assert_code(
        chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.1", NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    /* Resends per address (logins have their own rules per address:
     * test_enumeration.c). */
    assert_code(chorusacct_ctx_set_int(
                    b.ctx, CHORUSACCT_OPT_ADDRESS_ATTEMPTS_PER_HOUR, 2),
                CHORUSACCT_OK, b.ctx);
    for (int i = 0; i < 2; i++)
        assert_code(
            chorusacct_activation_resend(b.ctx, "a@b.fr", NULL, &reason),
            CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(chorusacct_activation_resend(b.ctx, "A@B.fr", NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_THROTTLED, b.ctx);
    flowfix_close(&b);
}

/* Sliding windows: a burst at the end of an hour still counts at the start
 * of the next (fixed hours gave it a whole new budget), and leaves the
 * count as the hour slides past it. */
static void test_throttle_sliding_window_burst_at_boundary(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    assert_code(
        chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR, 3),
        CHORUSACCT_OK, b.ctx);
    int reason;
    /* T0 starts an hour: the burst comes in its last second. */
    chorusacct_testclock_set(b.clock, T0 + 3599);
    for (int i = 0; i < 3; i++)
        assert_code(chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.9",
                                                 NULL, &reason),
                    CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    chorusacct_testclock_set(b.clock, T0 + 3601);
    assert_code(
        chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.9", NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_THROTTLED, b.ctx);
    /* Two thirds of an hour later, a third of the burst is still inside
     * the last hour: 1 + 4/3 attempts, under 3. */
    chorusacct_testclock_set(b.clock, T0 + 3600 + 2400);
    assert_code(
        chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.9", NULL, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    flowfix_close(&b);
}

/* Clock skew between servers: a server whose clock is behind counts its
 * attempts against the window that a server ahead opened, instead of in a
 * fresh window of its own. */
static void test_throttle_clock_skew_counts_against_newer_window(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    chorusacct_testclock *behind;
    assert_code(chorusacct_testclock_new(&behind, T0 + 3000), CHORUSACCT_OK,
                NULL);
    chorusacct_ctx *late = flowfix_ctx(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    chorusacct_clock_ops ck = {.struct_size = sizeof ck};
    assert_code(chorusacct_testclock_ops(&ck, behind), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_clock(late, &ck), CHORUSACCT_OK, late);
    chorusacct_ctx *ctxs[2] = {b.ctx, late};
    for (int i = 0; i < 2; i++)
        assert_code(chorusacct_ctx_set_int(
                        ctxs[i], CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR, 3),
                    CHORUSACCT_OK, ctxs[i]);
    /* The server ahead is in the next hour already (10 min ahead). */
    chorusacct_testclock_set(b.clock, T0 + 3600 + 10);
    int reason;
    for (int i = 0; i < 3; i++)
        assert_code(chorusacct_activation_lookup(b.ctx, "bogus", "10.0.0.8",
                                                 NULL, &reason),
                    CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    assert_code(
        chorusacct_activation_lookup(late, "bogus", "10.0.0.8", NULL, &reason),
        CHORUSACCT_E_REJECTED, late);
    assert_code(reason, CHORUSACCT_E_THROTTLED, late);
    /* Two hours behind: the same counter, the stored window is newer. */
    chorusacct_testclock_set(behind, T0 - 2 * 3600 + 5);
    assert_code(
        chorusacct_activation_lookup(late, "bogus", "10.0.0.8", NULL, &reason),
        CHORUSACCT_E_REJECTED, late);
    assert_code(reason, CHORUSACCT_E_THROTTLED, late);
    chorusacct_ctx_free(late);
    chorusacct_testclock_free(behind);
    flowfix_close(&b);
}

static void test_outbox_retries(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    do_signup(&b, "retry@acme.fr", siret_a,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    chorusacct_delivery d = {.struct_size = sizeof d};
    /* Mail server down: both messages retried later, none lost. */
    assert_code(
        chorusacct_testmailer_fail_next(b.mail, 2, CHORUSACCT_MAIL_TEMPFAIL),
        CHORUSACCT_OK, NULL);
    assert_code(chorusacct_outbox_deliver(b.ctx, 10, &d), CHORUSACCT_OK, b.ctx);
    assert_int_equal(d.retried, 2);
    assert_int_equal(d.sent, 0);
    chorusacct_message m[4] = {{.struct_size = sizeof m[0]}};
    size_t n;
    assert_code(
        chorusacct_outbox_list(b.ctx, CHORUSACCT_MSG_PENDING, 0, m, 4, &n),
        CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, 2);
    assert_int_equal(m[0].attempts, 1);
    assert_int_equal(m[0].next_attempt_at, T0 + 60);
    assert_true(m[0].last_error[0] != '\0');
    /* Not due yet: nothing happens. */
    assert_code(chorusacct_outbox_deliver(b.ctx, 10, &d), CHORUSACCT_OK, b.ctx);
    assert_int_equal(d.sent + d.retried, 0);
    chorusacct_testclock_advance(b.clock, 60);
    assert_code(chorusacct_outbox_deliver(b.ctx, 10, &d), CHORUSACCT_OK, b.ctx);
    assert_int_equal(d.sent, 2);
    assert_int_equal(chorusacct_testmailer_count(b.mail), 2);
    assert_code(chorusacct_outbox_deliver(b.ctx, 10, &d), CHORUSACCT_OK, b.ctx);
    assert_int_equal(chorusacct_testmailer_count(b.mail), 2);

    /* Permanent failure: a dead letter at once, with its reason. */
    do_signup(&b, "dead@acme.fr", siret_b,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(
        chorusacct_testmailer_fail_next(b.mail, 1, CHORUSACCT_MAIL_PERMFAIL),
        CHORUSACCT_OK, NULL);
    assert_code(chorusacct_outbox_deliver(b.ctx, 10, &d), CHORUSACCT_OK, b.ctx);
    assert_int_equal(d.dead, 1);
    assert_int_equal(d.sent, 1);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_DEAD), 1);

    /* Temporary failures until the attempts run out: backoff doubles. */
    do_signup(&b, "flaky@acme.fr", siret_c,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(
        chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_MAIL_MAX_ATTEMPTS, 3),
        CHORUSACCT_OK, b.ctx);
    assert_code(
        chorusacct_testmailer_fail_next(b.mail, 100, CHORUSACCT_MAIL_TEMPFAIL),
        CHORUSACCT_OK, NULL);
    int64_t waits[] = {0, 60, 120};
    for (int i = 0; i < 3; i++) {
        chorusacct_testclock_advance(b.clock, waits[i]);
        assert_code(chorusacct_outbox_deliver(b.ctx, 10, &d), CHORUSACCT_OK,
                    b.ctx);
        assert_int_equal(d.retried + d.dead, 2);
    }
    assert_int_equal(d.dead, 2);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_DEAD), 3);
    flowfix_close(&b);
}

static void test_activation_cancelled_when_moved(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t id = do_signup(&b, "gone@acme.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    chorusacct_testclock_advance(b.clock, 3601);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_EXPIRED);
    chorusacct_delivery d = {.struct_size = sizeof d};
    assert_code(chorusacct_outbox_deliver(b.ctx, 10, &d), CHORUSACCT_OK, b.ctx);
    assert_int_equal(d.sent, 2); /* the summary, the claim notice */
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_CLAIM_NOTICE, "gone@acme.fr"),
                     1);
    assert_int_equal(d.cancelled, 1); /* no link for an expired account */
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_ACTIVATION, NULL), 0);
    flowfix_close(&b);
}

static void test_sweep_promotes_and_purges(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    /* The first declarer never activates; an applicant waits. */
    int64_t first = do_signup(&b, "first@acme.fr", siret_a,
                              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int64_t next = do_signup(&b, "next@acme.fr", siret_a,
                             CHORUSACCT_STATE_PENDING_APPROVAL);
    chorusacct_testclock_advance(b.clock, 3601);
    chorusacct_testmailer_clear(b.mail);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.expired, 1);
    /* Not yet: the declarer keeps the claim for promotion_grace
     * (test_decisions.c has the takeover attempt). */
    assert_int_equal(sw.promoted, 0);
    assert_int_equal(state_of(&b, first), CHORUSACCT_STATE_EXPIRED);
    assert_int_equal(state_of(&b, next), CHORUSACCT_STATE_PENDING_APPROVAL);
    /* After it, the declarer is purged and the applicant promoted. */
    chorusacct_testclock_advance(b.clock, 7 * 86400);
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(sw.purged, 1);
    assert_int_equal(sw.promoted, 1);
    assert_int_equal(state_of(&b, next), CHORUSACCT_STATE_AWAITING_ACTIVATION);
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, first, &a), CHORUSACCT_E_NOTFOUND,
                b.ctx);
    int types[8];
    size_t n = event_types(&b, first, types, 8);
    assert_int_equal(types[n - 1], CHORUSACCT_EV_PURGE);
    assert_code(chorusacct_account_get(b.ctx, next, &a), CHORUSACCT_OK, b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_PRINCIPAL);
    chorusacct_structure s = {.struct_size = sizeof s};
    assert_code(chorusacct_structure_get(b.ctx, a.structure_id, &s),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(s.principal_id, next);
    activate_last(&b, "next@acme.fr", NULL, 0);

    /* A newcomer after an expired first declarer's grace (the sweep not
     * run yet) takes the structure. */
    int64_t lone = do_signup(&b, "lone@beta.fr", siret_b,
                             CHORUSACCT_STATE_AWAITING_ACTIVATION);
    chorusacct_testclock_advance(b.clock, 3601);
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    chorusacct_testclock_advance(b.clock, 7 * 86400);
    int64_t taker = do_signup(&b, "taker@beta.fr", siret_b,
                              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_code(chorusacct_account_get(b.ctx, taker, &a), CHORUSACCT_OK, b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_PRINCIPAL);
    assert_code(chorusacct_account_get(b.ctx, lone, &a), CHORUSACCT_OK, b.ctx);
    assert_int_equal(a.role, CHORUSACCT_ROLE_USER);

    /* Its end of grace has passed: the next sweep deletes it. */
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_true(sw.purged >= 1);
    assert_code(chorusacct_account_get(b.ctx, lone, &a), CHORUSACCT_E_NOTFOUND,
                b.ctx);
    assert_code(chorusacct_account_get(b.ctx, next, &a), CHORUSACCT_OK, b.ctx);
    flowfix_close(&b);
}

/* Every move the state machine does not allow is refused with its reason,
 * and changes nothing: not the state, not the audit log. */
static void test_refused_transitions(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int reason;
    int64_t boss = make_manager(&b, "boss@acme.fr", siret_a);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "draft@acme.fr", "Ada", "Byron", NULL);
    assert_code(chorusacct_draft_create(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    int64_t created = r.account_id;
    int64_t pending = do_signup(&b, "pending@acme.fr", siret_a,
                                CHORUSACCT_STATE_PENDING_APPROVAL);
    int64_t awaiting = do_signup(&b, "awaiting@beta.fr", siret_b,
                                 CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int64_t rejected = do_signup(&b, "rejected@acme.fr", siret_a,
                                 CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_code(
        chorusacct_account_reject(b.ctx, boss, rejected, "Non", &reason),
        CHORUSACCT_OK, b.ctx);
    int64_t disabled = do_signup(&b, "disabled@acme.fr", siret_a,
                                 CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_code(chorusacct_account_approve(b.ctx, boss, disabled, &reason),
                CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    char token[64];
    last_token(&b, "disabled@acme.fr", token, sizeof token);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    assert_code(
        chorusacct_account_disable(b.ctx, disabled, disabled, NULL, &reason),
        CHORUSACCT_OK, b.ctx);

    typedef enum { APPROVE, REJECT, DISABLE, ENABLE, RESEND, FINALIZE } op;
    static const char *const op_names[] = {"approve", "reject", "disable",
                                           "enable",  "resend", "finalize"};
    const struct {
        int64_t id;
        op what;
        int want;
    } cases[] = {
        {created, APPROVE, CHORUSACCT_E_NOT_MANAGER},
        {created, DISABLE, CHORUSACCT_E_STATE},
        {created, RESEND, CHORUSACCT_E_STATE},
        {pending, DISABLE, CHORUSACCT_E_STATE},
        {pending, ENABLE, CHORUSACCT_E_STATE},
        {pending, FINALIZE, CHORUSACCT_E_STATE},
        {awaiting, APPROVE, CHORUSACCT_E_NOT_MANAGER},
        {awaiting, DISABLE, CHORUSACCT_E_STATE},
        {awaiting, FINALIZE, CHORUSACCT_E_STATE},
        {boss, APPROVE, CHORUSACCT_E_STATE},
        {boss, ENABLE, CHORUSACCT_E_STATE},
        {boss, RESEND, CHORUSACCT_E_ALREADY_ACTIVE},
        {rejected, APPROVE, CHORUSACCT_E_ALREADY_DECIDED},
        {rejected, REJECT, CHORUSACCT_E_ALREADY_DECIDED},
        {rejected, ENABLE, CHORUSACCT_E_STATE},
        {rejected, RESEND, CHORUSACCT_E_STATE},
        {disabled, APPROVE, CHORUSACCT_E_ALREADY_DECIDED},
        {disabled, DISABLE, CHORUSACCT_E_STATE},
        {disabled, RESEND, CHORUSACCT_E_STATE},
        {disabled, FINALIZE, CHORUSACCT_E_STATE},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int64_t id = cases[i].id;
        int before_state = state_of(&b, id);
        int types[16];
        size_t before_events = event_types(&b, id, types, 16);
        int rc = CHORUSACCT_OK;
        reason = 0;
        switch (cases[i].what) {
        case APPROVE:
            rc = chorusacct_account_approve(b.ctx, boss, id, &reason);
            break;
        case REJECT:
            rc = chorusacct_account_reject(b.ctx, boss, id, "Non", &reason);
            break;
        case DISABLE:
            rc = chorusacct_account_disable(b.ctx, id, id, NULL, &reason);
            break;
        case ENABLE:
            rc = chorusacct_account_enable(b.ctx, id, id, &reason);
            break;
        case RESEND:
            rc = chorusacct_activation_resend_by(b.ctx, boss, id, &reason);
            if (id == created || id == boss) {
                /* not in boss's structure, or boss himself: by address */
                chorusacct_account a = {.struct_size = sizeof a};
                assert_code(chorusacct_account_get(b.ctx, id, &a),
                            CHORUSACCT_OK, b.ctx);
                rc = chorusacct_activation_resend(b.ctx, a.login_email, NULL,
                                                  &reason);
            }
            break;
        case FINALIZE: {
            chorusacct_signup g;
            form_fill(&g, NULL, NULL, NULL, siret_c);
            rc = chorusacct_draft_finalize(b.ctx, id, &g, &r);
            reason = r.nerrors ? r.errors[0].code : 0;
            break;
        }
        }
        if (rc != CHORUSACCT_E_REJECTED || reason != cases[i].want)
            fail_msg("%s on a %s account: %s/%s, wanted %s",
                     op_names[cases[i].what],
                     chorusacct_state_name(before_state),
                     chorusacct_status_name(rc), chorusacct_status_name(reason),
                     chorusacct_status_name(cases[i].want));
        assert_int_equal(state_of(&b, id), before_state);
        assert_int_equal(event_types(&b, id, types, 16), before_events);
    }

    /* Expired: activation refused, and only a resend revives it. */
    last_token(&b, "awaiting@beta.fr", token, sizeof token);
    chorusacct_testclock_advance(b.clock, 3601);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, awaiting), CHORUSACCT_STATE_EXPIRED);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_EXPIRED, b.ctx);
    assert_code(chorusacct_account_enable(b.ctx, awaiting, awaiting, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_STATE, b.ctx);
    assert_int_equal(state_of(&b, awaiting), CHORUSACCT_STATE_EXPIRED);
    flowfix_close(&b);
}

static void test_templates_replaced(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    int reason = 0;
    assert_code(chorusacct_ctx_set_template(
                    b.ctx, CHORUSACCT_MAIL_ACTIVATION, CHORUSACCT_LANG_FR,
                    "Activez {first_name}",
                    "Lien : {link}\n{{pas une variable}}\n", &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_ctx_set_template(b.ctx, CHORUSACCT_MAIL_ACTIVATION,
                                            CHORUSACCT_LANG_FR, "x", "{nope}",
                                            &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TEMPLATE, b.ctx);
    do_signup(&b, "t@acme.fr", siret_a, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    const chorusacct_mail *m = chorusacct_testmailer_at(b.mail, 1);
    assert_int_equal(m->kind, CHORUSACCT_MAIL_ACTIVATION);
    assert_string_equal(m->subject, "Activez Marie");
    char want[256];
    snprintf(want, sizeof want, "Lien : %s\n{pas une variable}\n", m->link);
    assert_string_equal(m->body, want);
    assert_non_null(strstr(m->link, "https://portal.test/activate?token="));
    flowfix_close(&b);
}

/* A custom subject may show the rejection reason, which is one line (a
 * reason with a line break is refused: test_decisions.c), so the subject
 * stays one line. */
static void test_reason_in_subject(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
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
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_REASON_CHARACTER, b.ctx);
    assert_code(chorusacct_account_reject(b.ctx, boss, app,
                                          "line one, line two", &reason),
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
    assert_string_equal(m->subject, "Chorus Pro: line one, line two");
    assert_string_equal(m->body, "Motif :\nline one, line two\n");
    /* The Internet message has it on one header line. */
    static char msg[16384];
    size_t n;
    assert_code(chorusacct_mail_format(m, "noreply@portal.test", T0, msg,
                                       sizeof msg, &n),
                CHORUSACCT_OK, NULL);
    flowfix_close(&b);
}

/* Issue 12, point 7: one outbox row the backend cannot read (a damaged
 * body) neither stops delivery nor listing: it goes dead with the reason,
 * the others are sent, and the listing shows it. On the in-memory store
 * no row can be damaged; SQLite and PostgreSQL run it. */
static void test_damaged_outbox_row_goes_dead(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    char siret[15];
    static const char *const who[] = {"ada@example.fr", "bob@example.fr",
                                      "cyd@example.fr"};
    for (unsigned i = 0; i < ARRAY_LEN(who); i++) {
        siret_of(5550000 + i, siret);
        do_signup(&b, who[i], siret, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    }
    static chorusacct_message page[16];
    page[0].struct_size = (uint32_t)sizeof page[0];
    size_t n = 0;
    assert_code(
        chorusacct_outbox_list(b.ctx, CHORUSACCT_MSG_PENDING, 0, page, 16, &n),
        CHORUSACCT_OK, b.ctx);
    assert_true(n >= 3);
    const size_t total = n;
    const int64_t bad = page[1].id;
    if (!flowfix_damage_message(&b, bad)) {
        flowfix_close(&b);
        return;
    }
    /* Listed, dead with the reason, before any delivery. */
    assert_code(chorusacct_outbox_list(b.ctx, 0, 0, page, 16, &n),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, total);
    assert_int_equal(page[1].id, bad);
    assert_int_equal(page[1].status, CHORUSACCT_MSG_DEAD);
    assert_non_null(strstr(page[1].last_error, "body"));
    /* The others are delivered. */
    assert_int_equal(do_deliver(&b), total - 1);
    assert_int_equal(chorusacct_testmailer_count(b.mail), total - 1);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_DEAD), 1);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_PENDING), 0);
    assert_code(
        chorusacct_outbox_list(b.ctx, CHORUSACCT_MSG_DEAD, 0, page, 16, &n),
        CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, 1);
    assert_int_equal(page[0].id, bad);
    assert_string_equal(page[0].last_error,
                        "stored row does not decode (body)");
    /* And the next run has nothing left to do. */
    assert_int_equal(do_deliver(&b), 0);
    flowfix_close(&b);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One lookup of `token` on `ctx`, which must answer OK within 1 s. */
static void lookup_promptly(chorusacct_ctx *ctx, const char *token,
                            const char *what)
{
    chorusacct_token_info info = {.struct_size = sizeof info};
    int reason = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc =
        chorusacct_activation_lookup(ctx, token, "203.0.113.9", &info, &reason);
    double dt = seconds_since(&t0);
    print_message("check-token behind a writer (%s): %.3f s\n", what, dt);
    assert_code(rc, CHORUSACCT_OK, ctx);
    assert_int_equal(info.state, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    if (dt > 1.0)
        fail_msg("%s: %.3f s behind a writer", what, dt);
}

/* Issue 12, point 9: the check of a link (what a link scanner calls) is a
 * reader, and readers do not wait for writers: with another connection
 * holding the SQLite write lock, a fresh context answers at once, with
 * the secret kept in the database and with the secret given, and a warm
 * context too (its throttle counter does not wait for the lock either). */
static void test_check_token_does_not_wait_for_a_writer(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    if (!flowfix_sqlite(&b)) {
        flowfix_close(&b);
        return;
    }
    char token[128];
    do_signup(&b, "Marie.Curie@example.fr", siret_a,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    last_token(&b, "Marie.Curie@example.fr", token, sizeof token);
    /* The secret the database keeps, for the context that is given it. */
    chorusacct_storage_ops ops;
    flowfix_storage(&b, &ops);
    uint8_t secret[CHORUSACCT_SECRET_SIZE];
    size_t len = 0;
    assert_code(
        ops.meta_get(ops.user_data, "secret", secret, sizeof secret, &len),
        CHORUSACCT_OK, NULL);
    assert_int_equal(len, sizeof secret);
    ops.destroy(ops.user_data);

    sqlite3 *writer = NULL;
    assert_int_equal(
        sqlite3_open_v2(b.path, &writer, SQLITE_OPEN_READWRITE, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_exec(writer, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);

    chorusacct_ctx *fresh = flowfix_ctx(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    lookup_promptly(fresh, token, "fresh context, secret in the database");
    lookup_promptly(fresh, token, "warm context");
    chorusacct_ctx *given = flowfix_ctx(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    assert_code(chorusacct_ctx_set_secret(given, secret, sizeof secret),
                CHORUSACCT_OK, given);
    lookup_promptly(given, token, "fresh context, secret given");
    lookup_promptly(given, token, "warm context, secret given");
    /* The counts made meanwhile are kept, and written once the lock is
     * free (at the next count, or when the connection closes): the
     * throttle still counts. */
    assert_int_equal(sqlite3_exec(writer, "COMMIT", NULL, NULL, NULL),
                     SQLITE_OK);
    lookup_promptly(fresh, token, "after the writer");
    chorusacct_ctx_free(fresh);
    chorusacct_ctx_free(given);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(writer,
                                        "SELECT sum(n) FROM counter"
                                        " WHERE name LIKE 'token:key:%'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(q, 0), 5);
    sqlite3_finalize(q);
    sqlite3_close(writer);
    sodium_memzero(secret, sizeof secret);
    flowfix_close(&b);
}

/* Issue 12, point 10: the read-only calls work on a database opened
 * read-only (a read-only file, a read-only mount, a replica), and the
 * writing ones fail with READONLY, which says why. */
static void test_read_only_database_serves_reads(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    if (!flowfix_sqlite(&b)) {
        flowfix_close(&b);
        return;
    }
    char token[128];
    int64_t id = do_signup(&b, "Marie.Curie@example.fr", siret_a,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(&b);
    last_token(&b, "Marie.Curie@example.fr", token, sizeof token);

    chorusacct_ctx *ro = flowfix_ctx(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    assert_code(chorusacct_sqlite_ops(&st, b.path, CHORUSACCT_SQLITE_READ_ONLY),
                CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_storage(ro, &st), CHORUSACCT_OK, ro);

    static chorusacct_account acc[4];
    acc[0].struct_size = (uint32_t)sizeof acc[0];
    chorusacct_account_query q = {.struct_size = sizeof q};
    size_t n = 0;
    assert_code(chorusacct_account_list(ro, &q, acc, 4, &n), CHORUSACCT_OK, ro);
    assert_int_equal(n, 1);
    assert_int_equal(acc[0].id, id);
    static chorusacct_message msg[8];
    msg[0].struct_size = (uint32_t)sizeof msg[0];
    assert_code(chorusacct_outbox_list(ro, 0, 0, msg, 8, &n), CHORUSACCT_OK,
                ro);
    assert_true(n >= 1);
    chorusacct_event ev[8] = {{.struct_size = sizeof ev[0]}};
    assert_code(chorusacct_event_list(ro, id, 0, ev, 8, &n), CHORUSACCT_OK, ro);
    assert_true(n >= 1);
    chorusacct_token_info info = {.struct_size = sizeof info};
    int reason = 0;
    assert_code(
        chorusacct_activation_lookup(ro, token, "203.0.113.9", &info, &reason),
        CHORUSACCT_OK, ro);
    assert_int_equal(info.account_id, id);

    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "Pierre.Curie@example.fr", "Pierre", "Curie", siret_b);
    assert_code(chorusacct_signup_submit(ro, &f, &r), CHORUSACCT_E_READONLY,
                ro);
    chorusacct_ctx_free(ro);
    flowfix_close(&b);
}

/* chorusacct_account_list in expiry order: (expires_at, id), across the
 * library's internal pages (16) and the caller's, on every backend. The
 * first twenty sign-ups are sent a new link later, which moves their
 * expiry after the others'. */
static void test_account_list_in_expiry_order(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    enum { N = 40 };
    int64_t ids[N];
    char email[64], siret[15], client[16];
    for (unsigned i = 0; i < N; i++) {
        snprintf(email, sizeof email, "exp%u@acme.fr", i);
        siret_of(700 + i, siret);
        ids[i] =
            do_signup(&b, email, siret, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    }
    chorusacct_testclock_advance(b.clock, 120);
    for (unsigned i = 0; i < N / 2; i++) {
        int reason = 0;
        snprintf(email, sizeof email, "exp%u@acme.fr", i);
        snprintf(client, sizeof client, "c%u", i);
        assert_code(chorusacct_activation_resend(b.ctx, email, client, &reason),
                    CHORUSACCT_OK, b.ctx);
        assert_int_equal(reason, 0);
    }
    chorusacct_account a[N + 4];
    for (size_t i = 0; i < ARRAY_LEN(a); i++)
        a[i].struct_size = sizeof a[i];
    chorusacct_account_query q = {.struct_size = sizeof q};
    q.order = CHORUSACCT_ORDER_EXPIRY;
    size_t n = 0;
    assert_code(chorusacct_account_list(b.ctx, &q, a, ARRAY_LEN(a), &n),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, N);
    /* the later half first, in id order, then the resent half */
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(a[i].id, ids[(i + N / 2) % N]);
    for (unsigned i = 1; i < N; i++)
        assert_true(
            a[i - 1].expires_at < a[i].expires_at ||
            (a[i - 1].expires_at == a[i].expires_at && a[i - 1].id < a[i].id));
    /* The caller's own pages: after (after_expires_at, after_id). */
    q.after_expires_at = a[24].expires_at;
    q.after_id = a[24].id;
    chorusacct_account rest[N] = {{.struct_size = sizeof rest[0]}};
    for (size_t i = 0; i < N; i++)
        rest[i].struct_size = sizeof rest[i];
    assert_code(chorusacct_account_list(b.ctx, &q, rest, N, &n), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(n, N - 25);
    assert_int_equal(rest[0].id, a[25].id);
    /* expires_before bounds it */
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.order = CHORUSACCT_ORDER_EXPIRY;
    q.expires_before = a[N / 2].expires_at;
    assert_code(chorusacct_account_list(b.ctx, &q, rest, N, &n), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(n, N / 2);
    flowfix_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_structure_to_active),
        cmocka_unit_test(test_damaged_outbox_row_goes_dead),
        cmocka_unit_test(test_check_token_does_not_wait_for_a_writer),
        cmocka_unit_test(test_read_only_database_serves_reads),
        cmocka_unit_test(test_field_errors_store_nothing),
        cmocka_unit_test(test_existing_structure_approval),
        cmocka_unit_test(test_requests_wait_for_the_principal),
        cmocka_unit_test(test_reject_needs_a_reason_and_mails_it),
        cmocka_unit_test(test_reason_limits),
        cmocka_unit_test(test_approve_many),
        cmocka_unit_test(test_role_and_bulk_refusals),
        cmocka_unit_test(test_concurrent_decisions),
        cmocka_unit_test(test_concurrent_activation),
        cmocka_unit_test(test_token_used_at_time_0),
        cmocka_unit_test(test_password_rules_at_activation),
        cmocka_unit_test(test_activation_arguments),
        cmocka_unit_test(test_expiry_and_resend),
        cmocka_unit_test(test_resend_quota_and_states),
        cmocka_unit_test(test_resend_by_manager),
        cmocka_unit_test(test_revived_request),
        cmocka_unit_test(test_enumeration_safe),
        cmocka_unit_test(test_login_lockout_rehash),
        cmocka_unit_test(test_disable_enable_roles),
        cmocka_unit_test(test_getter_arguments),
        cmocka_unit_test(test_draft_wizard),
        cmocka_unit_test(test_captcha_checked_single_use_and_expiring),
        cmocka_unit_test(test_captcha_required),
        cmocka_unit_test(test_captcha_plugged),
        cmocka_unit_test(test_throttle_per_key_and_per_address),
        cmocka_unit_test(test_throttle_sliding_window_burst_at_boundary),
        cmocka_unit_test(test_throttle_clock_skew_counts_against_newer_window),
        cmocka_unit_test(test_outbox_retries),
        cmocka_unit_test(test_activation_cancelled_when_moved),
        cmocka_unit_test(test_sweep_promotes_and_purges),
        cmocka_unit_test(test_account_list_in_expiry_order),
        cmocka_unit_test(test_refused_transitions),
        cmocka_unit_test(test_templates_replaced),
        cmocka_unit_test(test_reason_in_subject),
    };
    return cmocka_run_group_tests_name("flow", tests, setup, NULL);
}
