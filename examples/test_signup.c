/*
 * Testing an application with the test kit: the whole sign-up of a
 * supplier, in memory, in a few milliseconds, with nothing outside the
 * process. The in-memory store, the capturing mailer (the link is read
 * from the captured mail), a settable clock (the link expires an hour
 * later) and seeded random bytes (the same run every time), with the
 * cheapest password hashing libsodium allows (never in production).
 *
 * Build against an installed library (docs/testkit.md):
 *   cc test_signup.c $(pkg-config --cflags --libs libchorusacct-testkit)
 */
#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stops the test with the line, the status and the context's last error. */
#define CHECK(ctx, call, want)                                                 \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != (want)) {                                                   \
            fprintf(stderr, "%s:%d: %s: %s, not %s (%s)\n", __FILE__,          \
                    __LINE__, #call, chorusacct_status_name(rc_),              \
                    chorusacct_status_name(want),                              \
                    ctx ? chorusacct_ctx_last_error(ctx) : "");                \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static const char password[] = "Radium-1898-Polonium";

int main(void)
{
    chorusacct_ctx *ctx = NULL;
    CHECK(ctx, chorusacct_init(), CHORUSACCT_OK);

    chorusacct_config cfg;
    CHECK(ctx, chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK);
    cfg.pwhash_opslimit = 1;    /* crypto_pwhash_OPSLIMIT_MIN: tests only */
    cfg.pwhash_memlimit = 8192; /* crypto_pwhash_MEMLIMIT_MIN: tests only */
    CHECK(ctx, chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_OK);

    /* The test doubles: each is an object the test keeps, and frees after
     * the context. */
    chorusacct_memstore *store;
    chorusacct_testmailer *mails;
    chorusacct_testclock *clock;
    chorusacct_testrandom *rnd;
    static const uint8_t seed[CHORUSACCT_SEED_SIZE] = {42};
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    chorusacct_mailer_ops mo = {.struct_size = sizeof mo};
    chorusacct_clock_ops co = {.struct_size = sizeof co};
    chorusacct_random_ops ro = {.struct_size = sizeof ro};
    CHECK(ctx, chorusacct_memstore_new(&store), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_memstore_ops(&st, store), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_ctx_set_storage(ctx, &st), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_testmailer_new(&mails), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_testmailer_ops(&mo, mails), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_ctx_set_mailer(ctx, &mo), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_testclock_new(&clock, 1767225600), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_testclock_ops(&co, clock), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_ctx_set_clock(ctx, &co), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_testrandom_new(&rnd, seed), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_testrandom_ops(&ro, rnd), CHORUSACCT_OK);
    CHECK(ctx, chorusacct_ctx_set_random(ctx, &ro), CHORUSACCT_OK);

    /* The captcha and the form, as the portal's page sends them. */
    char id[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    int reason = 0;
    CHECK(ctx,
          chorusacct_captcha_issue(ctx, NULL, id, sizeof id, text, sizeof text,
                                   &reason),
          CHORUSACCT_OK);
    chorusacct_signup form;
    CHECK(ctx, chorusacct_signup_init(&form, sizeof form), CHORUSACCT_OK);
    form.login_email = "marie.curie@example.fr";
    form.first_name = "Marie";
    form.last_name = "Curie";
    form.id_type = CHORUSACCT_ID_SIRET;
    form.identifier = "73282932000074";
    form.accept_terms = 1;
    form.captcha_id = id;
    form.captcha_answer = text;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    CHECK(ctx, chorusacct_signup_submit(ctx, &form, &r), CHORUSACCT_OK);
    CHECK(ctx, r.state, CHORUSACCT_STATE_AWAITING_ACTIVATION);

    /* The two e-mails; the link is in the last one. */
    chorusacct_delivery d = {.struct_size = sizeof d};
    CHECK(ctx, chorusacct_outbox_deliver(ctx, 10, &d), CHORUSACCT_OK);
    CHECK(ctx, (int)d.sent, 2);
    char link[512];
    CHECK(ctx,
          chorusacct_testmailer_last_link(mails, "marie.curie@example.fr", link,
                                          sizeof link, NULL),
          CHORUSACCT_OK);
    const char *token = strstr(link, "token=");
    CHECK(ctx, token != NULL, 1);
    token += strlen("token=");

    /* The password step, then a login with it. */
    chorusacct_activation act;
    CHECK(ctx, chorusacct_activation_init(&act, sizeof act), CHORUSACCT_OK);
    act.token = token;
    act.password = act.confirm = password;
    act.password_len = act.confirm_len = strlen(password);
    int64_t account = 0;
    uint32_t failed = 0;
    CHECK(ctx,
          chorusacct_activation_submit(ctx, &act, &account, &failed, &reason),
          CHORUSACCT_OK);
    int64_t logged = 0;
    CHECK(ctx,
          chorusacct_login(ctx, "marie.curie@example.fr", password,
                           strlen(password), NULL, &logged, &reason),
          CHORUSACCT_OK);
    CHECK(ctx, logged == account, 1);

    /* A used link does not work twice, even before it would expire. */
    chorusacct_testclock_advance(clock, 60);
    CHECK(ctx,
          chorusacct_activation_submit(ctx, &act, &account, &failed, &reason),
          CHORUSACCT_E_REJECTED);

    chorusacct_ctx_free(ctx); /* first every context that uses them */
    chorusacct_testrandom_free(rnd);
    chorusacct_testclock_free(clock);
    chorusacct_testmailer_free(mails);
    chorusacct_memstore_free(store);
    puts("signed up, activated and logged in");
    return 0;
}
