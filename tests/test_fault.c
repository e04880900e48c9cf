/*
 * Failure injection: every storage operation of every step of the flow is
 * made to fail in turn (chorusacct_faultstore). A step that is one
 * transaction must report the error and leave storage exactly as it was
 * (a digest of the store, which leaves out the attempt counters:
 * they are written before the checks, on purpose). Steps made of several
 * transactions (sweep, delivery) must never leave a record half-changed:
 * running them again without faults ends where a clean run ends, and no
 * message is lost.
 */
#include "flowutil.h"

#include <stdio.h>
#include <string.h>
#include <chorusacct/testkit.h>

static char siret_a[15], siret_b[15];

/* State a step needs, made by its setup. */
typedef struct {
    int64_t boss, user, pending;
    char token[64];
    char captcha_id[CHORUSACCT_CAPTCHA_ID_SIZE];
    char captcha_text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
} world;

typedef struct {
    const char *name;
    uint32_t flags;
    void (*setup)(flowfix *b, world *w);
    int (*run)(chorusacct_ctx *ctx, world *w);
} step;

/* ---- setups ---------------------------------------------------------- */

static void setup_empty(flowfix *b, world *w)
{
    (void)w;
    /* Make the secret exist, as in any store that has served once. */
    do_signup(b, "seed@other.fr", "73282932000074",
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
}

static void setup_manager(flowfix *b, world *w)
{
    w->boss = make_manager(b, "boss@acme.fr", siret_a);
}

static void setup_pending(flowfix *b, world *w)
{
    setup_manager(b, w);
    w->pending = do_signup(b, "jean@acme.fr", siret_a,
                           CHORUSACCT_STATE_PENDING_APPROVAL);
}

static void setup_awaiting(flowfix *b, world *w)
{
    w->user = do_signup(b, "new@acme.fr", siret_a,
                        CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(b);
    last_token(b, "new@acme.fr", w->token, sizeof w->token);
}

static void setup_active_user(flowfix *b, world *w)
{
    setup_pending(b, w);
    int reason;
    assert_code(
        chorusacct_account_approve(b->ctx, w->boss, w->pending, &reason),
        CHORUSACCT_OK, b->ctx);
    activate_last(b, "jean@acme.fr", w->token, sizeof w->token);
    w->user = w->pending;
}

static void setup_disabled_user(flowfix *b, world *w)
{
    setup_active_user(b, w);
    int reason;
    assert_code(
        chorusacct_account_disable(b->ctx, w->boss, w->user, NULL, &reason),
        CHORUSACCT_OK, b->ctx);
}

static void setup_expired(flowfix *b, world *w)
{
    setup_awaiting(b, w);
    chorusacct_testclock_advance(b->clock, 3601);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b->ctx, &sw), CHORUSACCT_OK, b->ctx);
}

static void setup_draft(flowfix *b, world *w)
{
    setup_manager(b, w);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "draft@acme.fr", "Ada", "Byron", NULL);
    assert_code(chorusacct_draft_create(b->ctx, &f, &r), CHORUSACCT_OK, b->ctx);
    w->pending = r.account_id;
}

#define SAFE_MODE (CHORUSACCT_CFG_NO_CAPTCHA | CHORUSACCT_CFG_ENUMERATION_SAFE)

/* A request to join made in enumeration-safe mode, its confirmation
 * link delivered (issue 12, point 1). */
static void setup_unconfirmed(flowfix *b, world *w)
{
    setup_manager(b, w);
    assert_code(chorusacct_ctx_set_int(b->ctx, CHORUSACCT_OPT_FLAGS, SAFE_MODE),
                CHORUSACCT_OK, b->ctx);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "join@acme.fr", "Ada", "Byron", siret_a);
    assert_code(chorusacct_signup_submit(b->ctx, &f, &r), CHORUSACCT_OK,
                b->ctx);
    assert_int_equal(r.state, CHORUSACCT_STATE_CREATED);
    (void)do_deliver(b);
    last_token(b, "join@acme.fr", w->token, sizeof w->token);
}

static void setup_captcha(flowfix *b, world *w)
{
    setup_manager(b, w);
    int reason;
    assert_code(chorusacct_captcha_issue(b->ctx, NULL, w->captcha_id,
                                         sizeof w->captcha_id, w->captcha_text,
                                         sizeof w->captcha_text, &reason),
                CHORUSACCT_OK, b->ctx);
}

static void setup_due(flowfix *b, world *w)
{
    /* Due in the sweep: a draft, and a principal who never activated,
     * with an applicant waiting (promotion). No password is set: argon2
     * salts come from the system, and this setup is compared across two
     * stores. */
    (void)w;
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    do_signup(b, "late@beta.fr", siret_b, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_signup(b, "wait@beta.fr", siret_b, CHORUSACCT_STATE_PENDING_APPROVAL);
    /* The principal's link expires; its grace (7 days) passes. */
    chorusacct_testclock_advance(b->clock, 3601);
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(b->ctx, &sw), CHORUSACCT_OK, b->ctx);
    assert_int_equal(sw.expired, 1);
    chorusacct_testclock_advance(b->clock, 7 * 86400 - 86400);
    form_fill(&f, "draft@acme.fr", "Ada", "Byron", NULL);
    assert_code(chorusacct_draft_create(b->ctx, &f, &r), CHORUSACCT_OK, b->ctx);
    chorusacct_testclock_advance(b->clock, 86401);
}

/* ---- steps -------------------------------------------------------------- */

static int run_signup_new(chorusacct_ctx *ctx, world *w)
{
    (void)w;
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "fresh@beta.fr", "Ada", "Byron", siret_b);
    f.client_key = "192.0.2.1";
    return chorusacct_signup_submit(ctx, &f, &r);
}

static int run_signup_existing(chorusacct_ctx *ctx, world *w)
{
    (void)w;
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "second@acme.fr", "Ada", "Byron", siret_a);
    return chorusacct_signup_submit(ctx, &f, &r);
}

static int run_signup_captcha(chorusacct_ctx *ctx, world *w)
{
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "human@acme.fr", "Ada", "Byron", siret_a);
    f.captcha_id = w->captcha_id;
    f.captcha_answer = w->captcha_text;
    return chorusacct_signup_submit(ctx, &f, &r);
}

static int run_draft_create(chorusacct_ctx *ctx, world *w)
{
    (void)w;
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "wizard@acme.fr", "Ada", "Byron", NULL);
    return chorusacct_draft_create(ctx, &f, &r);
}

static int run_draft_finalize(chorusacct_ctx *ctx, world *w)
{
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, NULL, NULL, NULL, siret_a);
    return chorusacct_draft_finalize(ctx, w->pending, &f, &r);
}

static int run_request_confirm(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return chorusacct_request_confirm(ctx, w->token, "192.0.2.1", NULL,
                                      &reason);
}

static int run_approve(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return chorusacct_account_approve(ctx, w->boss, w->pending, &reason);
}

static int run_reject(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return chorusacct_account_reject(ctx, w->boss, w->pending, "Non", &reason);
}

static int run_transfer(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return chorusacct_account_set_role(ctx, w->boss, w->user,
                                       CHORUSACCT_ROLE_PRINCIPAL, &reason);
}

static int run_activate(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return activation_submit(ctx, w->token, GOOD_PW, strlen(GOOD_PW), GOOD_PW,
                             strlen(GOOD_PW), "192.0.2.1", NULL, NULL, &reason);
}

static int run_resend(chorusacct_ctx *ctx, world *w)
{
    (void)w;
    int reason;
    return chorusacct_activation_resend(ctx, "new@acme.fr", "192.0.2.1",
                                        &reason);
}

static int run_disable(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return chorusacct_account_disable(ctx, w->boss, w->user, "gone", &reason);
}

static int run_enable(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return chorusacct_account_enable(ctx, w->boss, w->user, &reason);
}

static int run_login_fail(chorusacct_ctx *ctx, world *w)
{
    (void)w;
    int64_t id;
    int reason;
    int rc = chorusacct_login(ctx, "jean@acme.fr", "Wrong-password-1", 16, NULL,
                              &id, &reason);
    /* A wrong password is the expected answer, once recorded. */
    return rc == CHORUSACCT_E_REJECTED && reason == CHORUSACCT_E_CREDENTIALS
               ? CHORUSACCT_OK
               : rc;
}

static int run_captcha_issue(chorusacct_ctx *ctx, world *w)
{
    int reason;
    return chorusacct_captcha_issue(ctx, "192.0.2.1", w->captcha_id,
                                    sizeof w->captcha_id, w->captcha_text,
                                    sizeof w->captcha_text, &reason);
}

static const step single_steps[] = {
    {"signup, new structure", CHORUSACCT_CFG_NO_CAPTCHA, setup_empty,
     run_signup_new},
    {"signup, existing structure", CHORUSACCT_CFG_NO_CAPTCHA, setup_manager,
     run_signup_existing},
    {"signup with a captcha", 0, setup_captcha, run_signup_captcha},
    {"signup, existing structure, enumeration-safe", SAFE_MODE, setup_manager,
     run_signup_existing},
    {"confirm a request to join", SAFE_MODE, setup_unconfirmed,
     run_request_confirm},
    {"draft create", CHORUSACCT_CFG_NO_CAPTCHA, setup_empty, run_draft_create},
    {"draft finalize", CHORUSACCT_CFG_NO_CAPTCHA, setup_draft,
     run_draft_finalize},
    {"approve", CHORUSACCT_CFG_NO_CAPTCHA, setup_pending, run_approve},
    {"reject", CHORUSACCT_CFG_NO_CAPTCHA, setup_pending, run_reject},
    {"hand over the principal role", CHORUSACCT_CFG_NO_CAPTCHA,
     setup_active_user, run_transfer},
    {"activate", CHORUSACCT_CFG_NO_CAPTCHA, setup_awaiting, run_activate},
    {"resend (revive)", CHORUSACCT_CFG_NO_CAPTCHA, setup_expired, run_resend},
    {"disable", CHORUSACCT_CFG_NO_CAPTCHA, setup_active_user, run_disable},
    {"enable", CHORUSACCT_CFG_NO_CAPTCHA, setup_disabled_user, run_enable},
    {"login failure", CHORUSACCT_CFG_NO_CAPTCHA, setup_active_user,
     run_login_fail},
    {"captcha issue", 0, setup_manager, run_captcha_issue},
};

/* A context over the fixture's clock, random and mailer, whose storage (a
 * connection to the fixture's, wrapped in `fs`) fails at its `n`th call. */
typedef struct {
    chorusacct_storage_ops inner;
    chorusacct_faultstore *fs;
    chorusacct_ctx *ctx;
} faulty;

static void faulty_open(faulty *f, flowfix *b, uint32_t flags, uint64_t n)
{
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    flowfix_storage(b, &f->inner);
    assert_code(chorusacct_faultstore_new(&f->fs, &f->inner, n), CHORUSACCT_OK,
                NULL);
    f->ctx = flowfix_ctx(b, flags);
    assert_code(chorusacct_faultstore_ops(&ops, f->fs), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_storage(f->ctx, &ops), CHORUSACCT_OK,
                f->ctx);
}

/* Frees the context, the wrapper and the connection it wraps (the wrapper
 * does not own it). */
static void faulty_close(faulty *f)
{
    chorusacct_ctx_free(f->ctx);
    chorusacct_faultstore_free(f->fs);
    if (f->inner.destroy != NULL)
        f->inner.destroy(f->inner.user_data);
}

static void test_every_operation_of_every_step(void **state)
{
    (void)state;
    unsigned total = 0;
    for (size_t s = 0; s < ARRAY_LEN(single_steps); s++) {
        const step *st = &single_steps[s];
        unsigned injected = 0;
        for (uint64_t n = 1;; n++) {
            flowfix b;
            world w;
            memset(&w, 0, sizeof w);
            /* The setup signs up without captcha; the step runs with
             * its own flags. */
            flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
            st->setup(&b, &w);
            uint8_t before[32], after[32];
            flowfix_digest(&b, before);
            faulty f;
            faulty_open(&f, &b, st->flags, n);
            int rc = st->run(f.ctx, &w);
            int fired = chorusacct_faultstore_fired(f.fs);
            if (fired) {
                if (rc == CHORUSACCT_OK)
                    fail_msg("%s: operation %llu failed, yet the call "
                             "succeeded",
                             st->name, (unsigned long long)n);
                flowfix_digest(&b, after);
                if (memcmp(before, after, 32) != 0)
                    fail_msg("%s: operation %llu failed and storage "
                             "changed (%s)",
                             st->name, (unsigned long long)n,
                             chorusacct_status_name(rc));
                assert_true(chorusacct_ctx_last_error(f.ctx)[0] != '\0');
                injected++;
            } else if (rc != CHORUSACCT_OK) {
                fail_msg("%s: fails without a fault: %s (%s)", st->name,
                         chorusacct_status_name(rc),
                         chorusacct_ctx_last_error(f.ctx));
            }
            faulty_close(&f);
            flowfix_close(&b);
            if (!fired)
                break; /* the step has fewer operations than n */
        }
        if (injected < 2)
            fail_msg("%s: only %u operations", st->name, injected);
        total += injected;
    }
    print_message("%u failures injected over %zu steps\n", total,
                  ARRAY_LEN(single_steps));
}

/* The sweep commits account by account: a failure leaves some swept and
 * the others untouched, and a second, clean sweep ends as a clean run. */
static void test_sweep_resumes(void **state)
{
    (void)state;
    uint8_t clean[32];
    {
        flowfix b;
        world w = {0};
        flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
        setup_due(&b, &w);
        chorusacct_sweep_result sw = {.struct_size = sizeof sw};
        assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
        assert_int_equal(sw.expired, 1); /* the draft */
        assert_int_equal(sw.purged, 1);  /* the principal, after its grace */
        assert_int_equal(sw.promoted, 1);
        flowfix_digest(&b, clean);
        flowfix_close(&b);
    }
    for (uint64_t n = 1;; n++) {
        flowfix b;
        world w = {0};
        flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
        setup_due(&b, &w);
        faulty f;
        faulty_open(&f, &b, CHORUSACCT_CFG_NO_CAPTCHA, n);
        chorusacct_sweep_result sw = {.struct_size = sizeof sw};
        int rc = chorusacct_sweep(f.ctx, &sw);
        int fired = chorusacct_faultstore_fired(f.fs);
        faulty_close(&f);
        if (fired)
            assert_int_not_equal(rc, CHORUSACCT_OK);
        assert_code(chorusacct_sweep(b.ctx, &sw), CHORUSACCT_OK, b.ctx);
        uint8_t after[32];
        flowfix_digest(&b, after);
        if (memcmp(clean, after, 32) != 0)
            fail_msg("sweep failing at operation %llu, then run again, "
                     "does not end as a clean sweep",
                     (unsigned long long)n);
        flowfix_close(&b);
        if (!fired)
            break;
    }
}

/* Delivery: a storage failure at any point loses no message; once the
 * leases run out a clean run sends the rest, and nothing that was marked
 * sent is sent again. */
static void test_delivery_loses_nothing(void **state)
{
    (void)state;
    for (uint64_t n = 1;; n++) {
        flowfix b;
        world w = {0};
        flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
        setup_pending(&b, &w); /* leaves an approval request queued */
        do_signup(&b, "more@beta.fr", siret_b,
                  CHORUSACCT_STATE_AWAITING_ACTIVATION);
        chorusacct_testmailer_clear(b.mail);
        size_t queued = outbox_count(&b, CHORUSACCT_MSG_PENDING);
        size_t sent_before = outbox_count(&b, CHORUSACCT_MSG_SENT);
        assert_int_equal(queued, 4);

        faulty f;
        faulty_open(&f, &b, CHORUSACCT_CFG_NO_CAPTCHA, n);
        chorusacct_delivery d = {.struct_size = sizeof d};
        int rc = chorusacct_outbox_deliver(f.ctx, 100, &d);
        int fired = chorusacct_faultstore_fired(f.fs);
        faulty_close(&f);
        if (fired)
            assert_int_not_equal(rc, CHORUSACCT_OK);
        size_t sent_marked =
            outbox_count(&b, CHORUSACCT_MSG_SENT) - sent_before;
        size_t captured_first = chorusacct_testmailer_count(b.mail);
        /* Everything marked sent was handed to the mailer. */
        assert_true(captured_first >= sent_marked);

        chorusacct_testclock_advance(b.clock, 301); /* leases end */
        do_deliver(&b);
        assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_SENT) - sent_before,
                         queued);
        /* At most the message in flight at the failure went out twice. */
        size_t captured = chorusacct_testmailer_count(b.mail);
        assert_true(captured >= queued && captured <= queued + 1);
        /* Every activation mail that reached the person carries a link
         * that works... the last one. */
        char token[64];
        last_token(&b, "more@beta.fr", token, sizeof token);
        int reason;
        assert_code(
            chorusacct_activation_lookup(b.ctx, token, NULL, NULL, &reason),
            CHORUSACCT_OK, b.ctx);
        flowfix_close(&b);
        if (!fired)
            break;
    }
}

static int setup(void **state)
{
    (void)state;
    siret_of(1234567, siret_a);
    siret_of(7654321, siret_b);
    return chorusacct_init();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_operation_of_every_step),
        cmocka_unit_test(test_sweep_resumes),
        cmocka_unit_test(test_delivery_loses_nothing),
    };
    return cmocka_run_group_tests_name("fault", tests, setup, NULL);
}
