/*
 * The context and the state machine: configuration defaults and ranges,
 * typed setters, callback tables, the transition table and its names, and
 * the diagram in docs/ kept in sync with the table.
 */
#include "testutil.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *docs_dir = "docs";

static void test_config_defaults(void **state)
{
    (void)state;
    chorusacct_config cfg;
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    assert_int_equal(cfg.struct_size, sizeof cfg);
    assert_int_equal(cfg.activation_ttl, 3600);
    assert_int_equal(cfg.lang, CHORUSACCT_LANG_EN);
    assert_int_equal(cfg.pwhash_opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
    assert_int_equal(cfg.pwhash_memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
    assert_non_null(strstr(cfg.activation_url, "{token}"));
    assert_code(chorusacct_config_init(&cfg, 8), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_config_init(NULL, sizeof cfg), CHORUSACCT_E_ARG,
                NULL);
    /* A caller built against a larger structure gets zeros past ours. */
    unsigned char big[sizeof cfg + 64];
    memset(big, 0xAB, sizeof big);
    assert_code(
        chorusacct_config_init((chorusacct_config *)(void *)big, sizeof big),
        CHORUSACCT_OK, NULL);
    for (size_t i = sizeof cfg; i < sizeof big; i++)
        assert_int_equal(big[i], 0);

    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    int64_t v = 0;
    assert_code(chorusacct_ctx_get_int(ctx, CHORUSACCT_OPT_DRAFT_TTL, &v),
                CHORUSACCT_OK, ctx);
    assert_int_equal(v, 86400);
    assert_string_equal(
        chorusacct_ctx_get_str(ctx, CHORUSACCT_OPT_TERMS_VERSION), "1");
    assert_string_equal(chorusacct_ctx_last_error(ctx), "");
    chorusacct_ctx_free(ctx);
    chorusacct_ctx_free(NULL);
}

static void test_config_ranges(void **state)
{
    (void)state;
    chorusacct_config cfg;
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.activation_ttl = 0;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    assert_null(ctx);
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.activation_url = "https://x.test/activate";
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.captcha_length = 3;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    static const uint8_t key[32] = {1};
    cfg.secret = key;
    cfg.secret_len = 16;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    cfg.secret_len = 32;
    cfg.terms_version = "2026-11";
    cfg.lang = CHORUSACCT_LANG_FR;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_OK, NULL);
    /* The strings were copied. */
    assert_true(chorusacct_ctx_get_str(ctx, CHORUSACCT_OPT_TERMS_VERSION) !=
                cfg.terms_version);
    assert_string_equal(
        chorusacct_ctx_get_str(ctx, CHORUSACCT_OPT_TERMS_VERSION), "2026-11");

    /* Typed setters share the ranges, and change nothing when refused. */
    int64_t v;
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_CAPTCHA_LENGTH, 13),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_CAPTCHA_LENGTH, 8),
                CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_get_int(ctx, CHORUSACCT_OPT_CAPTCHA_LENGTH, &v),
                CHORUSACCT_OK, ctx);
    assert_int_equal(v, 8);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_FLAGS, 4),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_LANG, 2),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_MEMLIMIT, 1),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, 999, 1), CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_ACTIVATION_URL, 1),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_get_int(ctx, CHORUSACCT_OPT_PORTAL_NAME, &v),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_str(ctx, CHORUSACCT_OPT_ACTIVATION_URL,
                                       "https://p.test/a/{token}"),
                CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_set_str(ctx, CHORUSACCT_OPT_ACTIVATION_URL,
                                       "https://p.test/a/"),
                CHORUSACCT_E_ARG, ctx);
    assert_string_equal(
        chorusacct_ctx_get_str(ctx, CHORUSACCT_OPT_ACTIVATION_URL),
        "https://p.test/a/{token}");
    assert_code(chorusacct_ctx_set_str(ctx, CHORUSACCT_OPT_DRAFT_TTL, "x"),
                CHORUSACCT_E_ARG, ctx);
    assert_null(chorusacct_ctx_get_str(ctx, CHORUSACCT_OPT_DRAFT_TTL));
    assert_code(chorusacct_ctx_set_secret(ctx, key, 31), CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_secret(ctx, key, 32), CHORUSACCT_OK, ctx);
    chorusacct_ctx_free(ctx);
}

/* Issue 12, point 18: every integer setting refuses a negative value (and
 * 0 and one past its maximum) with E_ARG, changes nothing, and the last
 * error names the setting and its range. */
static void test_set_int_refuses_negative_every_setting(void **state)
{
    (void)state;
    static const struct {
        int opt;
        const char *name;
    } opts[] = {
        {CHORUSACCT_OPT_RESEND_DAILY_QUOTA, "resend_daily_quota"},
        {CHORUSACCT_OPT_DRAFT_TTL, "draft_ttl"},
        {CHORUSACCT_OPT_ACTIVATION_TTL, "activation_ttl"},
        {CHORUSACCT_OPT_APPROVAL_TTL, "approval_ttl"},
        {CHORUSACCT_OPT_PURGE_AFTER, "purge_after"},
        {CHORUSACCT_OPT_RESEND_COOLDOWN, "resend_cooldown"},
        {CHORUSACCT_OPT_CAPTCHA_TTL, "captcha_ttl"},
        {CHORUSACCT_OPT_CAPTCHA_LENGTH, "captcha_length"},
        {CHORUSACCT_OPT_CAPTCHA_MAX_ATTEMPTS, "captcha_max_attempts"},
        {CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR, "key_attempts_per_hour"},
        {CHORUSACCT_OPT_ADDRESS_ATTEMPTS_PER_HOUR, "address_attempts_per_hour"},
        {CHORUSACCT_OPT_LOGIN_MAX_FAILURES, "login_max_failures"},
        {CHORUSACCT_OPT_MAIL_MAX_ATTEMPTS, "mail_max_attempts"},
        {CHORUSACCT_OPT_LOCKOUT_DURATION, "lockout_duration"},
        {CHORUSACCT_OPT_MAIL_RETRY_BASE, "mail_retry_base"},
        {CHORUSACCT_OPT_MAIL_RETRY_MAX, "mail_retry_max"},
        {CHORUSACCT_OPT_MAIL_LEASE, "mail_lease"},
        {CHORUSACCT_OPT_PWHASH_OPSLIMIT, "pwhash_opslimit"},
        {CHORUSACCT_OPT_PWHASH_MEMLIMIT, "pwhash_memlimit"},
        {CHORUSACCT_OPT_LANG, "lang"},
        {CHORUSACCT_OPT_FLAGS, "flags"},
    };
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        int64_t before, after, min, max;
        assert_code(chorusacct_ctx_get_int(ctx, opts[i].opt, &before),
                    CHORUSACCT_OK, ctx);
        assert_code(chorusacct_option_range(opts[i].opt, &min, &max),
                    CHORUSACCT_OK, NULL);
        assert_true(min >= 0 && min <= before && before <= max);
        const int64_t bad[] = {-1, -5, INT64_MIN, min - 1, max + 1};
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            if (bad[k] >= min && bad[k] <= max)
                continue; /* lang and flags take 0 */
            assert_code(chorusacct_ctx_set_int(ctx, opts[i].opt, bad[k]),
                        CHORUSACCT_E_ARG, ctx);
            assert_code(chorusacct_ctx_get_int(ctx, opts[i].opt, &after),
                        CHORUSACCT_OK, ctx);
            assert_int_equal(after, before);
            const char *err = chorusacct_ctx_last_error(ctx);
            if (strstr(err, opts[i].name) == NULL ||
                strstr(err, "out of range") == NULL)
                fail_msg("%s = %lld: last error \"%s\"", opts[i].name,
                         (long long)bad[k], err);
        }
        /* The ends of the range are accepted. */
        assert_code(chorusacct_ctx_set_int(ctx, opts[i].opt, min),
                    CHORUSACCT_OK, ctx);
        assert_code(chorusacct_ctx_set_int(ctx, opts[i].opt, before),
                    CHORUSACCT_OK, ctx);
    }
    int64_t min, max;
    assert_code(chorusacct_option_range(CHORUSACCT_OPT_PORTAL_NAME, &min, &max),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_option_range(999, &min, &max), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_option_range(CHORUSACCT_OPT_LANG, NULL, &max),
                CHORUSACCT_E_ARG, NULL);
    chorusacct_ctx_free(ctx);
}

/* Issue 12, "Also": argon2id limits that would make every login hang are
 * refused, in the structure and by the setter: the operations above
 * libsodium's sensitive level, the memory above 1 GiB or a quarter of the
 * machine's. */
static void test_pwhash_limits_capped(void **state)
{
    (void)state;
    int64_t min, max;
    assert_code(
        chorusacct_option_range(CHORUSACCT_OPT_PWHASH_OPSLIMIT, &min, &max),
        CHORUSACCT_OK, NULL);
    assert_int_equal(max, crypto_pwhash_OPSLIMIT_SENSITIVE);
    assert_code(
        chorusacct_option_range(CHORUSACCT_OPT_PWHASH_MEMLIMIT, &min, &max),
        CHORUSACCT_OK, NULL);
    assert_true(max <= (int64_t)crypto_pwhash_MEMLIMIT_SENSITIVE ||
                max == (int64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE);
    assert_true(max >= (int64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE);

    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_OPSLIMIT,
                                       crypto_pwhash_OPSLIMIT_SENSITIVE + 1),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_OPSLIMIT,
                                       (int64_t)crypto_pwhash_OPSLIMIT_MAX),
                CHORUSACCT_E_ARG, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_MEMLIMIT,
                                       (int64_t)crypto_pwhash_MEMLIMIT_MAX),
                CHORUSACCT_E_ARG, ctx);
    assert_code(
        chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_MEMLIMIT, max + 1),
        CHORUSACCT_E_ARG, ctx);
    assert_code(
        chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_MEMLIMIT, max),
        CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_OPSLIMIT,
                                       crypto_pwhash_OPSLIMIT_SENSITIVE),
                CHORUSACCT_OK, ctx);
    chorusacct_ctx_free(ctx);

    chorusacct_config cfg;
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.pwhash_opslimit = UINT64_C(1) << 32;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.pwhash_memlimit = (uint64_t)max + 1;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    assert_null(ctx);
}

/* String settings: one rule whether given in the configuration or with
 * the setter; text that goes into e-mails is one line of UTF-8. */
static bool taken_by_config(int opt, const char *value)
{
    chorusacct_config cfg;
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    if (opt == CHORUSACCT_OPT_ACTIVATION_URL)
        cfg.activation_url = value;
    else if (opt == CHORUSACCT_OPT_TERMS_VERSION)
        cfg.terms_version = value;
    else
        cfg.portal_name = value;
    chorusacct_ctx *ctx = NULL;
    int rc = chorusacct_ctx_new(&ctx, &cfg);
    assert_true(rc == CHORUSACCT_OK || rc == CHORUSACCT_E_ARG);
    assert_int_equal(ctx != NULL, rc == CHORUSACCT_OK);
    chorusacct_ctx_free(ctx);
    return rc == CHORUSACCT_OK;
}

static bool taken_by_setter(int opt, const char *value)
{
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    char before[1100];
    snprintf(before, sizeof before, "%s", chorusacct_ctx_get_str(ctx, opt));
    int rc = chorusacct_ctx_set_str(ctx, opt, value);
    assert_true(rc == CHORUSACCT_OK || rc == CHORUSACCT_E_ARG);
    /* A refused value changes nothing. */
    assert_string_equal(chorusacct_ctx_get_str(ctx, opt),
                        rc == CHORUSACCT_OK ? value : before);
    chorusacct_ctx_free(ctx);
    return rc == CHORUSACCT_OK;
}

static void string_rule(int opt, const char *value, bool ok)
{
    if (taken_by_config(opt, value) != ok || taken_by_setter(opt, value) != ok)
        fail_msg("option %d, \"%.40s\" (%zu bytes): expected %s", opt, value,
                 strlen(value), ok ? "taken" : "refused");
}

static void test_string_settings(void **state)
{
    (void)state;
    enum {
        URL = CHORUSACCT_OPT_ACTIVATION_URL,
        TERMS = CHORUSACCT_OPT_TERMS_VERSION,
        PORTAL = CHORUSACCT_OPT_PORTAL_NAME
    };
    static char buf[1100];

    string_rule(URL, "https://p.test/a?t={token}", true);
    string_rule(URL, "{token}", true);
    string_rule(URL, "https://p.t\u00e9st/{token}", true);
    string_rule(URL, "https://p.test/a", false);
    /* Twice: the link could outgrow what delivery has room for. */
    string_rule(URL, "https://p.test/{token}/{token}", false);
    string_rule(URL, "https://p.test/{token}\n", false);
    string_rule(URL, "https://p.test/\xff{token}", false);
    /* 1023 bytes is the longest. */
    memset(buf, 'a', 1016);
    memcpy(buf + 1016, "{token}", 8);
    assert_int_equal(strlen(buf), 1023);
    string_rule(URL, buf, true);
    memmove(buf + 1, buf, 1024);
    string_rule(URL, buf, false);

    string_rule(TERMS, "2026-11", true);
    string_rule(TERMS, "", true);
    string_rule(TERMS, "v\u00e9rsion 2", true);
    memset(buf, '9', 35);
    buf[35] = '\0';
    string_rule(TERMS, buf, true);
    buf[35] = '9';
    buf[36] = '\0';
    string_rule(TERMS, buf, false);
    string_rule(TERMS, "1\t2", false);

    string_rule(PORTAL, "Chorus Pro", true);
    string_rule(PORTAL, "Portail \u00ab\u00a0Fran\u00e7ais\u00a0\u00bb", true);
    /* A line break would split the subject; so would a C1 control. */
    string_rule(PORTAL, "Chorus\nBcc: x@y.test", false);
    string_rule(PORTAL, "Chorus\rPro", false);
    string_rule(PORTAL, "Chorus\xc2\x85Pro", false);
    string_rule(PORTAL, "Chorus\x7fPro", false);
    string_rule(PORTAL, "Chorus \xe9", false);
    string_rule(PORTAL, "\xed\xa0\x80", false); /* a surrogate */
    memset(buf, 'P', 200);
    buf[200] = '\0';
    string_rule(PORTAL, buf, true);
    buf[200] = 'P';
    buf[201] = '\0';
    string_rule(PORTAL, buf, false);

    /* NULL is refused both ways. */
    chorusacct_config cfg;
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.portal_name = NULL;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_str(ctx, PORTAL, NULL), CHORUSACCT_E_ARG,
                ctx);
    assert_code(chorusacct_ctx_set_str(NULL, PORTAL, "x"), CHORUSACCT_E_ARG,
                NULL);
    chorusacct_ctx_free(ctx);
}

static int destroyed;
static int64_t fixed_now(void *ud)
{
    return *(const int64_t *)ud;
}
static void count_destroy(void *ud)
{
    (void)ud;
    destroyed++;
}
static int never_send(void *ud, const chorusacct_mail *m, char *e, size_t n)
{
    (void)ud;
    (void)m;
    (void)e;
    (void)n;
    return CHORUSACCT_MAIL_TEMPFAIL;
}

static void test_callback_tables(void **state)
{
    (void)state;
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    /* The system clock by default. */
    assert_true(chorusacct_ctx_now(ctx) > INT64_C(1700000000));
    int64_t when = 1234;
    chorusacct_clock_ops ck = {.struct_size = sizeof ck};
    assert_code(chorusacct_clock_ops_init(&ck, sizeof ck), CHORUSACCT_OK, NULL);
    ck.user_data = &when;
    ck.now = fixed_now;
    ck.destroy = count_destroy;
    assert_code(chorusacct_ctx_set_clock(ctx, &ck), CHORUSACCT_OK, ctx);
    /* The table was copied: changing ours changes nothing. */
    ck.now = NULL;
    assert_int_equal(chorusacct_ctx_now(ctx), 1234);
    destroyed = 0;
    assert_code(chorusacct_ctx_set_clock(ctx, NULL), CHORUSACCT_OK, ctx);
    assert_int_equal(destroyed, 1); /* the replaced table's destroy */
    assert_true(chorusacct_ctx_now(ctx) > INT64_C(1700000000));

    /* Incomplete or too old tables are refused. */
    chorusacct_clock_ops bad = {sizeof bad, NULL, NULL, NULL};
    assert_code(chorusacct_ctx_set_clock(ctx, &bad), CHORUSACCT_E_ARG, ctx);
    bad.struct_size = 4;
    bad.now = fixed_now;
    assert_code(chorusacct_ctx_set_clock(ctx, &bad), CHORUSACCT_E_ARG, ctx);
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    assert_code(chorusacct_storage_ops_init(&st, sizeof st), CHORUSACCT_OK,
                NULL);
    assert_code(chorusacct_ctx_set_storage(ctx, &st), CHORUSACCT_E_ARG, ctx);
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    assert_code(chorusacct_mailer_ops_init(&ml, sizeof ml), CHORUSACCT_OK,
                NULL);
    assert_code(chorusacct_ctx_set_mailer(ctx, &ml), CHORUSACCT_E_ARG, ctx);
    ml.send = never_send;
    ml.destroy = count_destroy;
    assert_code(chorusacct_ctx_set_mailer(ctx, &ml), CHORUSACCT_OK, ctx);
    /* Flow calls without storage say so. */
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    assert_code(chorusacct_sweep(ctx, &sw), CHORUSACCT_E_ARG, ctx);
    assert_non_null(strstr(chorusacct_ctx_last_error(ctx), "storage"));
    destroyed = 0;
    chorusacct_ctx_free(ctx); /* destroys the mailer table */
    assert_int_equal(destroyed, 1);
}

/* Without storage, every getter says so. */
static void test_getters_without_storage_refuse(void **state)
{
    (void)state;
    chorusacct_ctx *bare = NULL;
    chorusacct_account a = {.struct_size = sizeof a};
    size_t n = 9;
    const int64_t id = 1;
    assert_code(chorusacct_ctx_new(&bare, NULL), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_account_get(bare, id, &a), CHORUSACCT_E_ARG, bare);
    assert_code(chorusacct_account_list(bare, NULL, &a, 1, &n),
                CHORUSACCT_E_ARG, bare);
    assert_true(chorusacct_ctx_last_error(bare)[0] != '\0');
    chorusacct_ctx_free(bare);
}

static int any_verify(void *ud, const char *id, const char *answer,
                      const char *client)
{
    (void)ud;
    (void)id;
    (void)answer;
    (void)client;
    return CHORUSACCT_OK;
}

/* Which setter refused which table: the code and the last error. */
static void expect_table_error(chorusacct_ctx *ctx, const char *setter, int rc,
                               const char *want)
{
    const char *got = chorusacct_ctx_last_error(ctx);
    if (rc != CHORUSACCT_E_ARG || strcmp(got, want) != 0)
        fail_msg("%s: %s, last error '%s', expected ARG and '%s'", setter,
                 chorusacct_status_name(rc), got, want);
}

static void test_table_setters_say_what_is_wrong(void **state)
{
    (void)state;
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    const char *old_size = "struct_size 4 is below 32: set it to the "
                           "structure's sizeof, or fill it with its _init "
                           "function (ARG)";
    char want[256];

    /* NULL tables, where NULL is not the default. */
    expect_table_error(ctx, "set_storage",
                       chorusacct_ctx_set_storage(ctx, NULL),
                       "storage table: NULL (ARG)");
    expect_table_error(ctx, "set_mailer", chorusacct_ctx_set_mailer(ctx, NULL),
                       "mailer table: NULL (ARG)");

    /* A struct_size below the first version. */
    chorusacct_storage_ops st = {.struct_size = 4};
    expect_table_error(ctx, "set_storage", chorusacct_ctx_set_storage(ctx, &st),
                       "storage table: struct_size 4 is below 272: set it "
                       "to the structure's sizeof, or fill it with its "
                       "_init function (ARG)");
    chorusacct_mailer_ops ml = {.struct_size = 4, .send = never_send};
    snprintf(want, sizeof want, "mailer table: %s", old_size);
    expect_table_error(ctx, "set_mailer", chorusacct_ctx_set_mailer(ctx, &ml),
                       want);
    int64_t when = 1234;
    chorusacct_clock_ops ck = {
        .struct_size = 4, .user_data = &when, .now = fixed_now};
    snprintf(want, sizeof want, "clock table: %s", old_size);
    expect_table_error(ctx, "set_clock", chorusacct_ctx_set_clock(ctx, &ck),
                       want);
    chorusacct_random_ops rd = {.struct_size = 4};
    snprintf(want, sizeof want, "random table: %s", old_size);
    expect_table_error(ctx, "set_random", chorusacct_ctx_set_random(ctx, &rd),
                       want);
    chorusacct_captcha_ops cp = {.struct_size = 4, .verify = any_verify};
    snprintf(want, sizeof want, "captcha table: %s", old_size);
    expect_table_error(ctx, "set_captcha", chorusacct_ctx_set_captcha(ctx, &cp),
                       want);

    /* A missing required callback, named. */
    chorusacct_memstore *store = NULL;
    assert_code(chorusacct_memstore_new(&store), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_storage_ops_init(&st, sizeof st), CHORUSACCT_OK,
                NULL);
    assert_code(chorusacct_memstore_ops(&st, store), CHORUSACCT_OK, NULL);
    st.event_list = NULL;
    expect_table_error(ctx, "set_storage", chorusacct_ctx_set_storage(ctx, &st),
                       "storage table: event_list is NULL, and it is "
                       "required (ARG)");
    assert_code(chorusacct_storage_ops_init(&st, sizeof st), CHORUSACCT_OK,
                NULL);
    expect_table_error(ctx, "set_storage", chorusacct_ctx_set_storage(ctx, &st),
                       "storage table: begin is NULL, and it is required "
                       "(ARG)");
    assert_code(chorusacct_mailer_ops_init(&ml, sizeof ml), CHORUSACCT_OK,
                NULL);
    expect_table_error(ctx, "set_mailer", chorusacct_ctx_set_mailer(ctx, &ml),
                       "mailer table: send is NULL, and it is required "
                       "(ARG)");
    assert_code(chorusacct_clock_ops_init(&ck, sizeof ck), CHORUSACCT_OK, NULL);
    expect_table_error(ctx, "set_clock", chorusacct_ctx_set_clock(ctx, &ck),
                       "clock table: now is NULL, and it is required (ARG)");
    assert_code(chorusacct_random_ops_init(&rd, sizeof rd), CHORUSACCT_OK,
                NULL);
    expect_table_error(ctx, "set_random", chorusacct_ctx_set_random(ctx, &rd),
                       "random table: fill is NULL, and it is required "
                       "(ARG)");
    cp = (chorusacct_captcha_ops){.struct_size = sizeof cp};
    expect_table_error(ctx, "set_captcha", chorusacct_ctx_set_captcha(ctx, &cp),
                       "captcha table: verify is NULL, and it is required "
                       "(ARG)");

    /* A table that is accepted clears the last error. */
    assert_code(chorusacct_memstore_ops(&st, store), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_storage(ctx, &st), CHORUSACCT_OK, NULL);
    assert_string_equal(chorusacct_ctx_last_error(ctx), "");
    cp.verify = any_verify;
    expect_table_error(ctx, "set_clock", chorusacct_ctx_set_clock(ctx, &ck),
                       "clock table: now is NULL, and it is required (ARG)");
    assert_code(chorusacct_ctx_set_captcha(ctx, &cp), CHORUSACCT_OK, NULL);
    assert_string_equal(chorusacct_ctx_last_error(ctx), "");
    chorusacct_ctx_free(ctx);
    chorusacct_memstore_free(store);
}

static void test_state_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "created", "pending_approval", "awaiting_activation",
        "active",  "rejected",         "expired",
        "disabled"};
    for (int s = 1; s <= 7; s++) {
        assert_string_equal(chorusacct_state_name(s), names[s - 1]);
        int back = 0;
        assert_code(chorusacct_state_from_name(&back, names[s - 1]),
                    CHORUSACCT_OK, NULL);
        assert_int_equal(back, s);
        assert_string_not_equal(chorusacct_state_label(s, 0),
                                chorusacct_state_label(s, 1));
    }
    assert_string_equal(chorusacct_state_name(0), "unknown");
    assert_string_equal(chorusacct_state_name(8), "unknown");
    int s;
    assert_code(chorusacct_state_from_name(&s, "Active"), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_string_equal(
        chorusacct_state_label(CHORUSACCT_STATE_PENDING_APPROVAL,
                               CHORUSACCT_LANG_FR),
        "En attente d'approbation");
    for (int e = 1; e <= 15; e++)
        assert_non_null(chorusacct_event_name(e));
    assert_string_equal(chorusacct_event_name(CHORUSACCT_EV_UNLOCK), "unlock");
    assert_string_equal(chorusacct_event_name(16), "unknown");
    for (int f = 0; f <= 12; f++)
        assert_non_null(chorusacct_field_name(f));
    assert_string_equal(chorusacct_field_name(13), "unknown");
    assert_string_equal(chorusacct_role_name(CHORUSACCT_ROLE_PRINCIPAL),
                        "principal");
    assert_string_equal(chorusacct_role_name(0), "unknown");
}

static void test_transition_table(void **state)
{
    (void)state;
    size_t n = chorusacct_transition_count();
    assert_true(n >= 15);
    int from, to, ev;
    bool seen[8][8] = {{false}};
    for (size_t i = 0; i < n; i++) {
        assert_code(chorusacct_transition_at(i, &from, &to, &ev), CHORUSACCT_OK,
                    NULL);
        assert_true(from >= 0 && from <= 7 && to >= 0 && to <= 7);
        assert_non_null(chorusacct_event_name(ev));
        assert_int_equal(chorusacct_transition_allowed(from, to), 1);
        seen[from][to] = true;
    }
    assert_code(chorusacct_transition_at(n, &from, &to, &ev), CHORUSACCT_E_ARG,
                NULL);
    /* Exactly the listed moves are allowed. */
    for (int f = 0; f <= 7; f++)
        for (int t = 0; t <= 7; t++)
            assert_int_equal(chorusacct_transition_allowed(f, t), seen[f][t]);
    /* The moves the flow relies on, and some it must never make. */
    assert_true(
        chorusacct_transition_allowed(CHORUSACCT_STATE_PENDING_APPROVAL,
                                      CHORUSACCT_STATE_AWAITING_ACTIVATION));
    assert_true(chorusacct_transition_allowed(
        CHORUSACCT_STATE_EXPIRED, CHORUSACCT_STATE_AWAITING_ACTIVATION));
    assert_false(chorusacct_transition_allowed(
        CHORUSACCT_STATE_PENDING_APPROVAL, CHORUSACCT_STATE_ACTIVE));
    assert_false(chorusacct_transition_allowed(
        CHORUSACCT_STATE_REJECTED, CHORUSACCT_STATE_AWAITING_ACTIVATION));
    assert_false(chorusacct_transition_allowed(CHORUSACCT_STATE_ACTIVE,
                                               CHORUSACCT_STATE_EXPIRED));
    /* Every state is reachable from creation. */
    bool reach[8] = {true};
    for (int round = 0; round < 8; round++)
        for (size_t i = 0; i < n; i++) {
            assert_code(chorusacct_transition_at(i, &from, &to, &ev),
                        CHORUSACCT_OK, NULL);
            if (reach[from])
                reach[to] = true;
        }
    for (int s = 1; s <= 7; s++)
        assert_true(reach[s]);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Predicates answer 1 or 0 only: an unknown state is 0, never an error
 * code that an `if` would take for true. */
static void test_transition_allowed_unknown_is_0(void **state)
{
    (void)state;
    static const int bad[] = {-1, 8, 99, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_int_equal(chorusacct_transition_allowed(bad[i], 0), 0);
        assert_int_equal(chorusacct_transition_allowed(0, bad[i]), 0);
        assert_int_equal(
            chorusacct_transition_allowed(bad[i], CHORUSACCT_STATE_ACTIVE), 0);
        assert_int_equal(
            chorusacct_transition_allowed(CHORUSACCT_STATE_ACTIVE, bad[i]), 0);
    }
}

/* The secret is CHORUSACCT_SECRET_SIZE bytes, in the configuration or
 * through the setter; another length is refused, and the setter's last
 * error says what it got. */
static void test_secret_size(void **state)
{
    (void)state;
    assert_int_equal(CHORUSACCT_SECRET_SIZE, 32);
    uint8_t key[CHORUSACCT_SECRET_SIZE + 1] = {1, 2, 3};
    chorusacct_config cfg;
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.secret = key;
    cfg.secret_len = CHORUSACCT_SECRET_SIZE + 1;
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_E_ARG, NULL);
    assert_null(ctx);
    cfg.secret_len = CHORUSACCT_SECRET_SIZE;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_OK, NULL);

    assert_code(chorusacct_ctx_set_secret(ctx, key, CHORUSACCT_SECRET_SIZE - 1),
                CHORUSACCT_E_ARG, NULL);
    const char *err = chorusacct_ctx_last_error(ctx);
    if (strstr(err, "31 bytes") == NULL || strstr(err, "32") == NULL)
        fail_msg("last error: \"%s\"", err);
    assert_code(chorusacct_ctx_set_secret(ctx, NULL, CHORUSACCT_SECRET_SIZE),
                CHORUSACCT_E_ARG, NULL);
    err = chorusacct_ctx_last_error(ctx);
    if (strstr(err, "NULL") == NULL)
        fail_msg("last error: \"%s\"", err);
    assert_code(chorusacct_ctx_set_secret(ctx, key, CHORUSACCT_SECRET_SIZE),
                CHORUSACCT_OK, NULL);
    assert_string_equal(chorusacct_ctx_last_error(ctx), "");
    chorusacct_ctx_free(ctx);
}

static void test_diagram_in_sync(void **state)
{
    (void)state;
    size_t len = 0;
    assert_code(chorusacct_state_diagram(CHORUSACCT_LANG_EN, NULL, 0, &len),
                CHORUSACCT_OK, NULL);
    char *dot = malloc(len + 1);
    assert_non_null(dot);
    assert_code(chorusacct_state_diagram(CHORUSACCT_LANG_EN, dot, len, NULL),
                CHORUSACCT_E_TOOSMALL, NULL);
    assert_code(
        chorusacct_state_diagram(CHORUSACCT_LANG_EN, dot, len + 1, NULL),
        CHORUSACCT_OK, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/states.dot", docs_dir);
    const char *committed = read_file(path);
    if (committed == NULL)
        fail_msg("cannot read %s", path);
    if (strcmp(dot, committed) != 0)
        fail_msg("%s differs from chorusacct_state_diagram(): regenerate it "
                 "with `chorusacct states --dot > docs/states.dot` and "
                 "render docs/states.svg",
                 path);
    /* The rendered picture shows every edge of the table. */
    snprintf(path, sizeof path, "%s/states.svg", docs_dir);
    const char *svg = read_file(path);
    if (svg == NULL)
        fail_msg("cannot read %s", path);
    size_t n = chorusacct_transition_count();
    for (size_t i = 0; i < n; i++) {
        int from, to, ev;
        assert_code(chorusacct_transition_at(i, &from, &to, &ev), CHORUSACCT_OK,
                    NULL);
        char title[128];
        snprintf(title, sizeof title, "<title>%s&#45;&gt;%s</title>",
                 from == 0 ? "start" : chorusacct_state_name(from),
                 to == 0 ? "purged" : chorusacct_state_name(to));
        if (strstr(svg, title) == NULL)
            fail_msg("docs/states.svg lacks the edge %s", title);
    }
    free(dot);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        docs_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_ranges),
        cmocka_unit_test(test_set_int_refuses_negative_every_setting),
        cmocka_unit_test(test_pwhash_limits_capped),
        cmocka_unit_test(test_string_settings),
        cmocka_unit_test(test_callback_tables),
        cmocka_unit_test(test_getters_without_storage_refuse),
        cmocka_unit_test(test_table_setters_say_what_is_wrong),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_transition_allowed_unknown_is_0),
        cmocka_unit_test(test_secret_size),
        cmocka_unit_test(test_diagram_in_sync),
    };
    return cmocka_run_group_tests_name("context", tests, NULL, NULL);
}
