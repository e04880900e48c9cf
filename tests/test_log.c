/*
 * The log table (context.h, "Log and metrics"): what a context reports
 * to it, and that nothing is reported without one.
 */
#include "flowutil.h"

#include <string.h>

#define MAX_EVENTS 4096

typedef struct {
    size_t n;
    int destroyed;
    struct {
        int kind;
        char what[32];
        int status;
        int reason;
        int64_t account_id;
        int64_t duration_ns;
    } ev[MAX_EVENTS];
} recorder;

static void rec_event(void *ud, const chorusacct_log_event *e)
{
    recorder *r = ud;
    assert_true(e->struct_size >= sizeof *e);
    assert_non_null(e->what);
    if (r->n == MAX_EVENTS)
        return;
    r->ev[r->n].kind = e->kind;
    snprintf(r->ev[r->n].what, sizeof r->ev[r->n].what, "%s", e->what);
    r->ev[r->n].status = e->status;
    r->ev[r->n].reason = e->reason;
    r->ev[r->n].account_id = e->account_id;
    r->ev[r->n].duration_ns = e->duration_ns;
    r->n++;
}

static void rec_destroy(void *ud)
{
    ((recorder *)ud)->destroyed++;
}

static size_t count(const recorder *r, int kind, const char *what)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->ev[i].kind == kind &&
            (what == NULL || strcmp(r->ev[i].what, what) == 0))
            n++;
    return n;
}

/* A valid SIRET, different for each n. */
static const char *siret(unsigned n)
{
    static char buf[4][15];
    char *out = buf[n % 4];
    siret_of(n, out);
    return out;
}

static void set_recorder(chorusacct_ctx *ctx, recorder *r)
{
    chorusacct_log_ops ops;
    assert_code(chorusacct_log_ops_init(&ops, sizeof ops), CHORUSACCT_OK, NULL);
    ops.user_data = r;
    ops.event = rec_event;
    ops.destroy = rec_destroy;
    assert_code(chorusacct_ctx_set_log(ctx, &ops), CHORUSACCT_OK, ctx);
}

/* A sign-up and its delivery report their storage operations, each with
 * its member's name and result, and the mailer's sends. */
static void test_storage_and_mailer_timed(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    static recorder r;
    memset(&r, 0, sizeof r);
    set_recorder(b.ctx, &r);

    int64_t id = do_signup(&b, "marie@example.fr", siret(1),
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_true(count(&r, CHORUSACCT_LOG_STORAGE, "begin") >= 1);
    assert_true(count(&r, CHORUSACCT_LOG_STORAGE, "commit") >= 1);
    assert_true(count(&r, CHORUSACCT_LOG_STORAGE, "account_insert") == 1);
    assert_true(count(&r, CHORUSACCT_LOG_STORAGE, "outbox_insert") == 2);
    for (size_t i = 0; i < r.n; i++) {
        assert_true(r.ev[i].duration_ns >= 0);
        if (strcmp(r.ev[i].what, "account_insert") == 0)
            assert_int_equal(r.ev[i].status, CHORUSACCT_OK);
    }
    assert_int_equal(count(&r, CHORUSACCT_LOG_MAILER, NULL), 0);

    assert_int_equal(do_deliver(&b), 2);
    assert_int_equal(count(&r, CHORUSACCT_LOG_MAILER, "send"), 2);
    for (size_t i = 0; i < r.n; i++)
        if (r.ev[i].kind == CHORUSACCT_LOG_MAILER) {
            assert_int_equal(r.ev[i].status, CHORUSACCT_MAIL_SENT);
            assert_int_equal(r.ev[i].account_id, id);
        }

    /* Removed: nothing more is reported, and its destroy ran once. */
    size_t before = r.n;
    assert_code(chorusacct_ctx_set_log(b.ctx, NULL), CHORUSACCT_OK, b.ctx);
    assert_int_equal(r.destroyed, 1);
    (void)do_signup(&b, "pierre@example.fr", siret(2),
                    CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(r.n, before);
    flowfix_close(&b);
    assert_int_equal(r.destroyed, 1);
}

/* A storage table set after the log is timed too; the context calls the
 * log's destroy when it is freed. */
static void test_storage_replaced_and_destroy(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    static recorder r;
    memset(&r, 0, sizeof r);
    set_recorder(b.ctx, &r);
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    flowfix_storage(&b, &st);
    assert_code(chorusacct_ctx_set_storage(b.ctx, &st), CHORUSACCT_OK, b.ctx);
    (void)do_signup(&b, "marie@example.fr", siret(1),
                    CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(count(&r, CHORUSACCT_LOG_STORAGE, "account_insert"), 1);
    flowfix_close(&b);
    assert_int_equal(r.destroyed, 1);
}

/* A refused throttle is reported with its action. */
static void test_throttle_reported(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    assert_code(
        chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR, 1),
        CHORUSACCT_OK, b.ctx);
    static recorder r;
    memset(&r, 0, sizeof r);
    set_recorder(b.ctx, &r);
    char id[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    int reason = 0;
    assert_code(chorusacct_captcha_issue(b.ctx, "198.51.100.1", id, sizeof id,
                                         text, sizeof text, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(count(&r, CHORUSACCT_LOG_THROTTLE, NULL), 0);
    assert_code(chorusacct_captcha_issue(b.ctx, "198.51.100.1", id, sizeof id,
                                         text, sizeof text, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_int_equal(reason, CHORUSACCT_E_THROTTLED);
    assert_int_equal(count(&r, CHORUSACCT_LOG_THROTTLE, "captcha"), 1);
    flowfix_close(&b);
}

/* Bad tables are refused and leave the previous one in place. */
static void test_bad_tables(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    static recorder r;
    memset(&r, 0, sizeof r);
    set_recorder(b.ctx, &r);
    chorusacct_log_ops ops;
    assert_code(chorusacct_log_ops_init(&ops, sizeof ops), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_log(b.ctx, &ops), CHORUSACCT_E_ARG, b.ctx);
    assert_non_null(strstr(chorusacct_ctx_last_error(b.ctx), "event"));
    ops.event = rec_event;
    ops.struct_size = 8;
    assert_code(chorusacct_ctx_set_log(b.ctx, &ops), CHORUSACCT_E_ARG, b.ctx);
    assert_code(chorusacct_log_ops_init(&ops, 8), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_log_ops_init(NULL, sizeof ops), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_ctx_set_log(NULL, NULL), CHORUSACCT_E_ARG, NULL);
    assert_int_equal(r.destroyed, 0);
    (void)do_signup(&b, "marie@example.fr", siret(1),
                    CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_true(count(&r, CHORUSACCT_LOG_STORAGE, NULL) > 0);
    flowfix_close(&b);
}

/* Every flow step reports its outcome: a sign-up, a delivery, refused
 * logins with their reason, and the lockout the fifth one sets. */
static void test_steps_and_lockout_reported(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    static recorder r;
    memset(&r, 0, sizeof r);
    set_recorder(b.ctx, &r);
    (void)do_signup(&b, "marie@example.fr", siret(1),
                    CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(count(&r, CHORUSACCT_LOG_CALL, "signup_submit"), 1);
    assert_int_equal(do_deliver(&b), 2);
    assert_int_equal(count(&r, CHORUSACCT_LOG_CALL, "outbox_deliver"), 1);
    for (size_t i = 0; i < r.n; i++)
        if (r.ev[i].kind == CHORUSACCT_LOG_CALL) {
            assert_int_equal(r.ev[i].status, CHORUSACCT_OK);
            assert_true(r.ev[i].duration_ns > 0);
        }

    size_t before = r.n;
    int reason = 0;
    int64_t id = 0;
    for (int i = 0; i < 5; i++)
        assert_code(chorusacct_login(b.ctx, "marie@example.fr", "wrong", 5,
                                     "198.51.100.7", &id, &reason),
                    CHORUSACCT_E_REJECTED, b.ctx);
    size_t calls = 0;
    for (size_t i = before; i < r.n; i++)
        if (r.ev[i].kind == CHORUSACCT_LOG_CALL) {
            assert_string_equal(r.ev[i].what, "login");
            assert_int_equal(r.ev[i].status, CHORUSACCT_E_REJECTED);
            assert_int_equal(r.ev[i].reason, CHORUSACCT_E_CREDENTIALS);
            calls++;
        }
    assert_int_equal(calls, 5);
    assert_int_equal(count(&r, CHORUSACCT_LOG_LOCKOUT, "login"), 1);
    assert_code(chorusacct_login(b.ctx, "marie@example.fr", "wrong", 5,
                                 "198.51.100.7", &id, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_int_equal(r.ev[r.n - 1].kind, CHORUSACCT_LOG_CALL);
    assert_int_equal(r.ev[r.n - 1].reason, CHORUSACCT_E_LOCKED);
    /* A getter is not a step. */
    before = r.n;
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b.ctx, 1, &a), CHORUSACCT_OK, b.ctx);
    for (size_t i = before; i < r.n; i++)
        assert_int_not_equal(r.ev[i].kind, CHORUSACCT_LOG_CALL);
    flowfix_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storage_and_mailer_timed),
        cmocka_unit_test(test_storage_replaced_and_destroy),
        cmocka_unit_test(test_throttle_reported),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_steps_and_lockout_reported),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
