/*
 * The context: configuration, settings, callbacks, secrets, templates
 * and the last error.
 */
#include "flow_int.h"

#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEN_YEARS (10LL * 366 * 86400)

/* ------------------------------------------------------------------ */
/* Settings                                                             */

typedef enum { T_I32, T_U32, T_I64, T_U64, T_STR } opt_type;

typedef struct {
    int opt;
    opt_type type;
    size_t offset;
    int64_t min, max;
    const char *name; /* the member of chorusacct_config */
} opt_info;

/* The argon2id limits stop at libsodium's "sensitive" level, the
 * strongest it names (4 passes over 1 GiB: about 3 s a login on a 2026
 * server), and the memory at a quarter of the machine's: above that every
 * login would take seconds or swap (docs/deployment.md). */
#define PWHASH_OPS_CAP ((int64_t)crypto_pwhash_OPSLIMIT_SENSITIVE)
#define PWHASH_MEM_CAP ((int64_t)crypto_pwhash_MEMLIMIT_SENSITIVE)

static int64_t pwhash_mem_cap(void)
{
    int64_t cap = PWHASH_MEM_CAP;
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 && (int64_t)pages / 4 < cap / page)
        cap = (int64_t)pages / 4 * page;
#endif
    /* The default stays valid on any machine. */
    if (cap < (int64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE)
        cap = (int64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE;
    return cap;
}

#define OPT(opt, type, member, min, max)                                       \
    {                                                                          \
        opt, type, offsetof(chorusacct_config, member), min, max, #member      \
    }

/* One row per setting: where it lives in the configuration, and its
 * range, so that the structure and the typed setters share one check. */
static const opt_info options[] = {
    OPT(CHORUSACCT_OPT_LANG, T_I32, lang, 0, 1),
    OPT(CHORUSACCT_OPT_FLAGS, T_U32, flags, 0, 3),
    OPT(CHORUSACCT_OPT_RESEND_DAILY_QUOTA, T_U32, resend_daily_quota, 1,
        1000000),
    OPT(CHORUSACCT_OPT_DRAFT_TTL, T_I64, draft_ttl, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_ACTIVATION_TTL, T_I64, activation_ttl, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_APPROVAL_TTL, T_I64, approval_ttl, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_PURGE_AFTER, T_I64, purge_after, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_RESEND_COOLDOWN, T_I64, resend_cooldown, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_CAPTCHA_TTL, T_I64, captcha_ttl, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_CAPTCHA_LENGTH, T_U32, captcha_length, 4, 12),
    OPT(CHORUSACCT_OPT_CAPTCHA_MAX_ATTEMPTS, T_U32, captcha_max_attempts, 1,
        1000000),
    OPT(CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR, T_U32, key_attempts_per_hour, 1,
        1000000),
    OPT(CHORUSACCT_OPT_ADDRESS_ATTEMPTS_PER_HOUR, T_U32,
        address_attempts_per_hour, 1, 1000000),
    OPT(CHORUSACCT_OPT_LOGIN_MAX_FAILURES, T_U32, login_max_failures, 1,
        1000000),
    OPT(CHORUSACCT_OPT_MAIL_MAX_ATTEMPTS, T_U32, mail_max_attempts, 1, 1000000),
    OPT(CHORUSACCT_OPT_LOCKOUT_DURATION, T_I64, lockout_duration, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_MAIL_RETRY_BASE, T_I64, mail_retry_base, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_MAIL_RETRY_MAX, T_I64, mail_retry_max, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_MAIL_LEASE, T_I64, mail_lease, 1, TEN_YEARS),
    OPT(CHORUSACCT_OPT_PWHASH_OPSLIMIT, T_U64, pwhash_opslimit,
        (int64_t)crypto_pwhash_OPSLIMIT_MIN, PWHASH_OPS_CAP),
    OPT(CHORUSACCT_OPT_PWHASH_MEMLIMIT, T_U64, pwhash_memlimit,
        (int64_t)crypto_pwhash_MEMLIMIT_MIN, PWHASH_MEM_CAP),
    OPT(CHORUSACCT_OPT_ACTIVATION_URL, T_STR, activation_url, 0, 0),
    OPT(CHORUSACCT_OPT_TERMS_VERSION, T_STR, terms_version, 0, 0),
    OPT(CHORUSACCT_OPT_PORTAL_NAME, T_STR, portal_name, 0, 0),
    OPT(CHORUSACCT_OPT_PROMOTION_GRACE, T_I64, promotion_grace, 1, TEN_YEARS),
};

#undef OPT

static const opt_info *option_find(int opt)
{
    for (size_t i = 0; i < CA_ARRAY_LEN(options); i++)
        if (options[i].opt == opt)
            return &options[i];
    return NULL;
}

static int64_t option_read(const chorusacct_config *cfg, const opt_info *o)
{
    const char *p = (const char *)cfg + o->offset;
    switch (o->type) {
    case T_I32: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    case T_U32: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    case T_I64: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    case T_U64: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return v > INT64_MAX ? INT64_MAX : (int64_t)v;
    }
    default:
        return 0;
    }
}

static int64_t option_max(const opt_info *o)
{
    return o->opt == CHORUSACCT_OPT_PWHASH_MEMLIMIT ? pwhash_mem_cap() : o->max;
}

static bool option_in_range(const opt_info *o, int64_t v)
{
    return v >= o->min && v <= option_max(o);
}

int chorusacct_option_range(int opt, int64_t *min, int64_t *max)
{
    const opt_info *o = option_find(opt);
    if (o == NULL || o->type == T_STR || min == NULL || max == NULL)
        return CHORUSACCT_E_ARG;
    *min = o->min;
    *max = option_max(o);
    return CHORUSACCT_OK;
}

static void option_write(chorusacct_config *cfg, const opt_info *o, int64_t v)
{
    char *p = (char *)cfg + o->offset;
    switch (o->type) {
    case T_I32: {
        int32_t x = (int32_t)v;
        memcpy(p, &x, sizeof x);
        break;
    }
    case T_U32: {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, sizeof x);
        break;
    }
    case T_I64:
        memcpy(p, &v, sizeof v);
        break;
    case T_U64: {
        uint64_t x = (uint64_t)v;
        memcpy(p, &x, sizeof x);
        break;
    }
    default:
        break;
    }
}

int chorusacct_config_init(chorusacct_config *cfg, size_t struct_size)
{
    /* A caller built against a larger structure keeps zeros past ours. */
    int rc = chorusacct__struct_init(cfg, struct_size, CA_V1_CONFIG);
    if (rc != CHORUSACCT_OK)
        return rc;
    chorusacct_config d;
    memset(&d, 0, sizeof d);
    d.struct_size = (uint32_t)struct_size;
    d.lang = CHORUSACCT_LANG_EN;
    d.flags = 0;
    d.resend_daily_quota = 5;
    d.draft_ttl = 86400;
    d.activation_ttl = 3600; /* the portal's 60 minutes */
    d.approval_ttl = 30 * 86400;
    d.purge_after = 30 * 86400;
    d.resend_cooldown = 60;
    d.captcha_ttl = 600;
    d.captcha_length = 6;
    d.captcha_max_attempts = 3;
    d.key_attempts_per_hour = 60;
    d.address_attempts_per_hour = 20;
    d.login_max_failures = 5;
    d.mail_max_attempts = 8;
    d.lockout_duration = 3600;
    d.mail_retry_base = 60;
    d.mail_retry_max = 86400;
    d.mail_lease = 300;
    d.pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    d.pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    d.activation_url = "http://localhost:8080/activate?token={token}";
    d.terms_version = "1";
    d.portal_name = "Chorus Pro";
    d.promotion_grace = 7 * 86400;
    /* A caller's older, smaller structure gets only what it holds. */
    memcpy(cfg, &d, struct_size < sizeof d ? struct_size : sizeof d);
    return CHORUSACCT_OK;
}

/* Text that ends up in e-mails (the portal name in subjects, the link in
 * bodies) or in storage: UTF-8 without control characters, at most `max`
 * bytes. */
static bool text_setting_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n <= max && chorusacct__utf8_line(s, n);
}

/* One rule for a string setting, given in the configuration or with
 * chorusacct_ctx_set_str(). The URL holds `{token}` once, so that the
 * link, at most 1023 - 7 + 43 bytes, always fits where delivery puts it. */
static bool string_ok(int opt, const char *s)
{
    if (s == NULL)
        return false;
    switch (opt) {
    case CHORUSACCT_OPT_ACTIVATION_URL: {
        const char *t = strstr(s, "{token}");
        return t != NULL && strstr(t + 1, "{token}") == NULL &&
               text_setting_ok(s, 1023);
    }
    case CHORUSACCT_OPT_TERMS_VERSION:
        return text_setting_ok(s, CHORUSACCT_TERMS_SIZE - 1);
    case CHORUSACCT_OPT_PORTAL_NAME:
        return text_setting_ok(s, 200);
    default:
        return false;
    }
}

static int set_string(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (copy == NULL)
        return CHORUSACCT_E_NOMEM;
    free(*slot);
    *slot = copy;
    return CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* The context                                                          */

int chorusacct_ctx_new(chorusacct_ctx **out, const chorusacct_config *cfg)
{
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    *out = NULL;
    if (chorusacct_init() != CHORUSACCT_OK)
        return CHORUSACCT_E_INIT;

    chorusacct_config c;
    if (chorusacct_config_init(&c, sizeof c) != CHORUSACCT_OK)
        return CHORUSACCT_E_INTERNAL;
    if (cfg != NULL) {
        if (cfg->struct_size < CA_V1_CONFIG)
            return CHORUSACCT_E_ARG;
        /* Only what the caller's version of the structure holds; our
         * defaults for the rest, and members past ours are ignored. */
        memcpy(&c, cfg,
               cfg->struct_size < sizeof c ? cfg->struct_size : sizeof c);
        c.struct_size = (uint32_t)sizeof c;
        for (size_t i = 0; i < CA_ARRAY_LEN(options); i++)
            if (options[i].type != T_STR &&
                !option_in_range(&options[i], option_read(&c, &options[i])))
                return CHORUSACCT_E_ARG;
        if (!string_ok(CHORUSACCT_OPT_ACTIVATION_URL, c.activation_url) ||
            !string_ok(CHORUSACCT_OPT_TERMS_VERSION, c.terms_version) ||
            !string_ok(CHORUSACCT_OPT_PORTAL_NAME, c.portal_name) ||
            (c.secret != NULL && c.secret_len != CHORUSACCT_SECRET_SIZE))
            return CHORUSACCT_E_ARG;
    }

    chorusacct_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return CHORUSACCT_E_NOMEM;
    ctx->cfg = c;
    if (set_string(&ctx->activation_url, c.activation_url) != 0 ||
        set_string(&ctx->terms_version, c.terms_version) != 0 ||
        set_string(&ctx->portal_name, c.portal_name) != 0) {
        chorusacct_ctx_free(ctx);
        return CHORUSACCT_E_NOMEM;
    }
    ctx->cfg.activation_url = ctx->activation_url;
    ctx->cfg.terms_version = ctx->terms_version;
    ctx->cfg.portal_name = ctx->portal_name;
    if (c.secret != NULL) {
        memcpy(ctx->secret, c.secret, CHORUSACCT_SECRET_SIZE);
        ctx->have_secret = true;
    }
    /* The caller's secret is copied, never kept by reference. */
    ctx->cfg.secret = NULL;
    ctx->cfg.secret_len = 0;
    chorusacct__clock_default(&ctx->clock);
    chorusacct__random_default(&ctx->random);
    chorusacct__dummy_hash_make(ctx);
    *out = ctx;
    return CHORUSACCT_OK;
}

static void destroy_table(void *user_data, void (*destroy)(void *))
{
    if (destroy != NULL)
        destroy(user_data);
}

void chorusacct_ctx_free(chorusacct_ctx *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->have_storage)
        destroy_table(ctx->storage.user_data, ctx->storage.destroy);
    if (ctx->have_mailer)
        destroy_table(ctx->mailer.user_data, ctx->mailer.destroy);
    chorusacct__log_free(ctx);
    if (ctx->have_captcha)
        destroy_table(ctx->captcha.user_data, ctx->captcha.destroy);
    destroy_table(ctx->clock.user_data, ctx->clock.destroy);
    destroy_table(ctx->random.user_data, ctx->random.destroy);
    free(ctx->activation_url);
    free(ctx->terms_version);
    free(ctx->portal_name);
    for (int k = 0; k <= CA_MAIL_KINDS; k++) {
        for (int l = 0; l < CA_LANGS; l++) {
            free(ctx->tpl_subject[k][l]);
            free(ctx->tpl_body[k][l]);
        }
    }
    sodium_memzero(ctx, sizeof *ctx);
    free(ctx);
}

int chorusacct_ctx_set_int(chorusacct_ctx *ctx, int opt, int64_t value)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    const opt_info *o = option_find(opt);
    if (o == NULL || o->type == T_STR) {
        snprintf(ctx->last_error, sizeof ctx->last_error,
                 "option %d: not an integer setting (%s)", opt,
                 chorusacct_status_name(CHORUSACCT_E_ARG));
        return CHORUSACCT_E_ARG;
    }
    if (!option_in_range(o, value)) {
        snprintf(ctx->last_error, sizeof ctx->last_error,
                 "%s: %" PRId64 " is out of range, %" PRId64 " to %" PRId64
                 " (%s)",
                 o->name, value, o->min, option_max(o),
                 chorusacct_status_name(CHORUSACCT_E_ARG));
        return CHORUSACCT_E_ARG;
    }
    option_write(&ctx->cfg, o, value);
    if (opt == CHORUSACCT_OPT_PWHASH_OPSLIMIT ||
        opt == CHORUSACCT_OPT_PWHASH_MEMLIMIT)
        chorusacct__dummy_hash_make(ctx);
    return CHORUSACCT_OK;
}

int chorusacct_ctx_get_int(const chorusacct_ctx *ctx, int opt, int64_t *out)
{
    const opt_info *o = option_find(opt);
    if (ctx == NULL || out == NULL || o == NULL || o->type == T_STR)
        return CHORUSACCT_E_ARG;
    *out = option_read(&ctx->cfg, o);
    return CHORUSACCT_OK;
}

int chorusacct_ctx_set_str(chorusacct_ctx *ctx, int opt, const char *value)
{
    if (ctx == NULL || !string_ok(opt, value))
        return CHORUSACCT_E_ARG;
    int rc;
    switch (opt) {
    case CHORUSACCT_OPT_ACTIVATION_URL:
        rc = set_string(&ctx->activation_url, value);
        ctx->cfg.activation_url = ctx->activation_url;
        return rc;
    case CHORUSACCT_OPT_TERMS_VERSION:
        rc = set_string(&ctx->terms_version, value);
        ctx->cfg.terms_version = ctx->terms_version;
        return rc;
    case CHORUSACCT_OPT_PORTAL_NAME:
        rc = set_string(&ctx->portal_name, value);
        ctx->cfg.portal_name = ctx->portal_name;
        return rc;
    default:
        return CHORUSACCT_E_ARG;
    }
}

const char *chorusacct_ctx_get_str(const chorusacct_ctx *ctx, int opt)
{
    if (ctx == NULL)
        return NULL;
    switch (opt) {
    case CHORUSACCT_OPT_ACTIVATION_URL:
        return ctx->activation_url;
    case CHORUSACCT_OPT_TERMS_VERSION:
        return ctx->terms_version;
    case CHORUSACCT_OPT_PORTAL_NAME:
        return ctx->portal_name;
    default:
        return NULL;
    }
}

int chorusacct_ctx_set_secret(chorusacct_ctx *ctx, const uint8_t *key,
                              size_t len)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (key == NULL || len != CHORUSACCT_SECRET_SIZE) {
        snprintf(ctx->last_error, sizeof ctx->last_error,
                 "secret: %s%zu bytes, and it must be %d (%s)",
                 key == NULL ? "NULL key, " : "", len, CHORUSACCT_SECRET_SIZE,
                 chorusacct_status_name(CHORUSACCT_E_ARG));
        return CHORUSACCT_E_ARG;
    }
    memcpy(ctx->secret, key, CHORUSACCT_SECRET_SIZE);
    ctx->have_secret = true;
    ctx->keys_ready = false;
    return CHORUSACCT_OK;
}

/* A table whose required callback `member` is NULL. */
static int missing_fail(chorusacct_ctx *ctx, const char *what,
                        const char *member)
{
    snprintf(ctx->last_error, sizeof ctx->last_error,
             "%s: %s is NULL, and it is required (%s)", what, member,
             chorusacct_status_name(CHORUSACCT_E_ARG));
    return CHORUSACCT_E_ARG;
}

int chorusacct_ctx_set_storage(chorusacct_ctx *ctx,
                               const chorusacct_storage_ops *ops)
{
    chorusacct_storage_ops copy;
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    int rc = chorusacct__form_copy(ctx, &copy, sizeof copy, ops,
                                   CA_V1_STORAGE_OPS, "storage table");
    if (rc != CHORUSACCT_OK)
        return rc;
    const char *missing = chorusacct__storage_ops_missing(&copy);
    if (missing != NULL)
        return missing_fail(ctx, "storage table", missing);
    if (ctx->have_storage)
        destroy_table(ctx->storage.user_data, ctx->storage.destroy);
    ctx->storage = copy;
    ctx->have_storage = true;
    if (ctx->have_log)
        chorusacct__log_rewrap(ctx);
    /* A secret kept in the previous storage is not this one's: the keys
     * are derived again (from the same secret, when the application gave
     * it). */
    ctx->keys_ready = false;
    return CHORUSACCT_OK;
}

int chorusacct_ctx_set_mailer(chorusacct_ctx *ctx,
                              const chorusacct_mailer_ops *ops)
{
    chorusacct_mailer_ops copy;
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    int rc = chorusacct__form_copy(ctx, &copy, sizeof copy, ops,
                                   CA_V1_MAILER_OPS, "mailer table");
    if (rc != CHORUSACCT_OK)
        return rc;
    if (copy.send == NULL)
        return missing_fail(ctx, "mailer table", "send");
    if (ctx->have_mailer)
        destroy_table(ctx->mailer.user_data, ctx->mailer.destroy);
    ctx->mailer = copy;
    ctx->have_mailer = true;
    return CHORUSACCT_OK;
}

int chorusacct_ctx_set_clock(chorusacct_ctx *ctx,
                             const chorusacct_clock_ops *ops)
{
    chorusacct_clock_ops copy;
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (ops == NULL) {
        chorusacct__clock_default(&copy);
    } else {
        int rc = chorusacct__form_copy(ctx, &copy, sizeof copy, ops,
                                       CA_V1_CLOCK_OPS, "clock table");
        if (rc != CHORUSACCT_OK)
            return rc;
        if (copy.now == NULL)
            return missing_fail(ctx, "clock table", "now");
    }
    destroy_table(ctx->clock.user_data, ctx->clock.destroy);
    ctx->clock = copy;
    return CHORUSACCT_OK;
}

int chorusacct_ctx_set_random(chorusacct_ctx *ctx,
                              const chorusacct_random_ops *ops)
{
    chorusacct_random_ops copy;
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (ops == NULL) {
        chorusacct__random_default(&copy);
    } else {
        int rc = chorusacct__form_copy(ctx, &copy, sizeof copy, ops,
                                       CA_V1_RANDOM_OPS, "random table");
        if (rc != CHORUSACCT_OK)
            return rc;
        if (copy.fill == NULL)
            return missing_fail(ctx, "random table", "fill");
    }
    destroy_table(ctx->random.user_data, ctx->random.destroy);
    ctx->random = copy;
    return CHORUSACCT_OK;
}

int chorusacct_ctx_set_captcha(chorusacct_ctx *ctx,
                               const chorusacct_captcha_ops *ops)
{
    chorusacct_captcha_ops copy;
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (ops != NULL) {
        int rc = chorusacct__form_copy(ctx, &copy, sizeof copy, ops,
                                       CA_V1_CAPTCHA_OPS, "captcha table");
        if (rc != CHORUSACCT_OK)
            return rc;
        if (copy.verify == NULL)
            return missing_fail(ctx, "captcha table", "verify");
    }
    if (ctx->have_captcha)
        destroy_table(ctx->captcha.user_data, ctx->captcha.destroy);
    ctx->have_captcha = ops != NULL;
    if (ops != NULL)
        ctx->captcha = copy;
    return CHORUSACCT_OK;
}

int chorusacct_ctx_set_template(chorusacct_ctx *ctx, int kind, int lang,
                                const char *subject, const char *body,
                                int *reason)
{
    if (ctx == NULL || kind < 1 || kind > CA_MAIL_KINDS || lang < 0 ||
        lang >= CA_LANGS || (subject == NULL) != (body == NULL))
        return CHORUSACCT_E_ARG;
    if (subject == NULL) {
        free(ctx->tpl_subject[kind][lang]);
        free(ctx->tpl_body[kind][lang]);
        ctx->tpl_subject[kind][lang] = ctx->tpl_body[kind][lang] = NULL;
        return CHORUSACCT_OK;
    }
    if (chorusacct__template_check(subject) != CHORUSACCT_OK ||
        chorusacct__template_check(body) != CHORUSACCT_OK ||
        strchr(subject, '\n') != NULL)
        return ca_reject(reason, CHORUSACCT_E_TEMPLATE);
    char *s = strdup(subject), *b = strdup(body);
    if (s == NULL || b == NULL) {
        free(s);
        free(b);
        return CHORUSACCT_E_NOMEM;
    }
    free(ctx->tpl_subject[kind][lang]);
    free(ctx->tpl_body[kind][lang]);
    ctx->tpl_subject[kind][lang] = s;
    ctx->tpl_body[kind][lang] = b;
    return CHORUSACCT_OK;
}

const char *chorusacct_ctx_last_error(const chorusacct_ctx *ctx)
{
    return ctx != NULL ? ctx->last_error : "";
}

int64_t chorusacct_ctx_now(const chorusacct_ctx *ctx)
{
    return ctx != NULL ? chorusacct__now(ctx) : 0;
}

/* ------------------------------------------------------------------ */
/* Shared helpers                                                       */

void chorusacct__ok(chorusacct_ctx *ctx)
{
    ctx->last_error[0] = '\0';
    ctx->last_reason = 0;
}

int chorusacct__fail(chorusacct_ctx *ctx, int code, const char *what)
{
    snprintf(ctx->last_error, sizeof ctx->last_error, "%s: %s (%s)", what,
             chorusacct_strerror(code, ctx->cfg.lang),
             chorusacct_status_name(code));
    return code;
}

static int size_fail(chorusacct_ctx *ctx, const void *p, size_t min,
                     const char *what)
{
    uint32_t size = 0;
    if (p != NULL)
        memcpy(&size, p, sizeof size);
    if (p == NULL)
        snprintf(ctx->last_error, sizeof ctx->last_error, "%s: NULL (%s)", what,
                 chorusacct_status_name(CHORUSACCT_E_ARG));
    else
        snprintf(ctx->last_error, sizeof ctx->last_error,
                 "%s: struct_size %" PRIu32 " is below %zu: set it to the "
                 "structure's sizeof, or fill it with its _init function "
                 "(%s)",
                 what, size, min, chorusacct_status_name(CHORUSACCT_E_ARG));
    return CHORUSACCT_E_ARG;
}

int chorusacct__form_copy(chorusacct_ctx *ctx, void *dst, size_t dst_size,
                          const void *src, size_t min, const char *what)
{
    if (src == NULL || chorusacct__ops_copy(dst, dst_size, src, min) != 0)
        return size_fail(ctx, src, min, what);
    return CHORUSACCT_OK;
}

int chorusacct__out_check(chorusacct_ctx *ctx, const void *out, size_t ours,
                          size_t min, const char *what, size_t *n)
{
    *n = chorusacct__out_size(out, ours, min);
    return *n == 0 ? size_fail(ctx, out, min, what) : CHORUSACCT_OK;
}

/* Records per page when the caller's stride is not ours. */
enum { CA_LIST_PAGE = 16 };

int chorusacct__list_out(chorusacct_ctx *ctx, ca_fetch_fn fetch, void *arg,
                         int64_t after_id, void *out, size_t max, size_t *count,
                         size_t ours, size_t min, size_t id_at,
                         void (*fix)(void *rec), const char *what)
{
    *count = 0;
    if (max == 0)
        return CHORUSACCT_OK;
    size_t n;
    int rc = chorusacct__out_check(ctx, out, ours, min, what, &n);
    if (rc != CHORUSACCT_OK)
        return rc;
    uint32_t stride;
    memcpy(&stride, out, sizeof stride);
    const size_t page = max < CA_LIST_PAGE ? max : CA_LIST_PAGE;
    unsigned char *buf = calloc(page, ours);
    if (buf == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_NOMEM, what);
    size_t done = 0;
    while (done < max) {
        size_t want = max - done < page ? max - done : page, got = 0;
        const uint32_t size = (uint32_t)ours;
        for (size_t i = 0; i < want; i++)
            memcpy(buf + i * ours, &size, sizeof size);
        rc = fetch(ctx, arg, after_id, buf, want, &got);
        if (rc != CHORUSACCT_OK)
            break;
        for (size_t i = 0; i < got; i++) {
            unsigned char *rec = buf + i * ours;
            if (fix != NULL)
                fix(rec);
            chorusacct__out_write((unsigned char *)out + (done + i) * stride,
                                  rec, n);
        }
        done += got;
        if (got < want)
            break;
        memcpy(&after_id, buf + (got - 1) * ours + id_at, sizeof after_id);
    }
    free(buf);
    if (rc != CHORUSACCT_OK) {
        *count = 0;
        return chorusacct__fail(ctx, rc, what);
    }
    *count = done;
    return CHORUSACCT_OK;
}

int chorusacct__refuse(chorusacct_ctx *ctx, int *reason, int why)
{
    ctx->last_reason = why;
    snprintf(ctx->last_error, sizeof ctx->last_error, "%s (%s)",
             chorusacct_strerror(why, ctx->cfg.lang),
             chorusacct_status_name(why));
    return ca_reject(reason, why);
}

int64_t chorusacct__now(const chorusacct_ctx *ctx)
{
    /* chorusacct__ready() refused a clock out of range; one that leaves
     * the range later in the same call is held at its ends, so that no
     * deadline overflows. */
    int64_t now = ctx->clock.now(ctx->clock.user_data);
    return now < 0 ? 0 : now > CA_TIME_MAX ? CA_TIME_MAX : now;
}

void chorusacct__random(chorusacct_ctx *ctx, uint8_t *buf, size_t len)
{
    ctx->random.fill(ctx->random.user_data, buf, len);
}

/* The secret kept in storage, when the application gives none: read it,
 * or make it, in one transaction so that two processes opening a new
 * database agree on one. */
static int secret_body(chorusacct_ctx *ctx, void *arg)
{
    (void)arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    size_t len = 0;
    int rc = st->meta_get(st->user_data, "secret", ctx->secret,
                          sizeof ctx->secret, &len);
    if (rc == CHORUSACCT_OK)
        return len == CHORUSACCT_SECRET_SIZE ? CHORUSACCT_OK
                                             : CHORUSACCT_E_STORAGE;
    if (rc != CHORUSACCT_E_NOTFOUND)
        return rc;
    chorusacct__random(ctx, ctx->secret, sizeof ctx->secret);
    return st->meta_set(st->user_data, "secret", ctx->secret,
                        sizeof ctx->secret);
}

/* The secret is the key of libsodium's derivation. */
_Static_assert(CHORUSACCT_SECRET_SIZE == crypto_kdf_KEYBYTES,
               "the secret is a crypto_kdf key");

int chorusacct__keys(chorusacct_ctx *ctx)
{
    if (ctx->keys_ready)
        return CHORUSACCT_OK;
    if (!ctx->have_secret) {
        /* Read first, outside any transaction: a reader (check-token on
         * a fresh context) must not wait for a writer's lock, nor need a
         * writable storage. Only a storage without a secret yet takes a
         * write transaction, which reads again before making one. */
        const chorusacct_storage_ops *st = chorusacct__st(ctx);
        size_t len = 0;
        int rc = st->meta_get(st->user_data, "secret", ctx->secret,
                              sizeof ctx->secret, &len);
        if (rc == CHORUSACCT_OK && len != CHORUSACCT_SECRET_SIZE)
            rc = CHORUSACCT_E_STORAGE;
        if (rc == CHORUSACCT_E_NOTFOUND)
            rc = chorusacct__txn(ctx, secret_body, NULL, "secret");
        else if (rc != CHORUSACCT_OK)
            rc = chorusacct__fail(ctx, rc, "secret");
        if (rc != CHORUSACCT_OK) {
            sodium_memzero(ctx->secret, sizeof ctx->secret);
            return rc;
        }
    }
    for (int p = CA_KEY_ACTIVATION; p <= CA_KEY_MESSAGE; p++)
        crypto_kdf_derive_from_key(ctx->keys[p], 32, (uint64_t)p, "chorusac",
                                   ctx->secret);
    ctx->keys_ready = true;
    return CHORUSACCT_OK;
}

void chorusacct__keyed_hash(const chorusacct_ctx *ctx, int purpose,
                            const void *data, size_t len, uint8_t *out32)
{
    crypto_generichash(out32, 32, data, len, ctx->keys[purpose], 32);
}

int chorusacct__ready(chorusacct_ctx *ctx)
{
    if (!ctx->have_storage)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "no storage set");
    /* Before anything is written (the keys may create the secret): a
     * clock before 1970 would lock every account and hold every message,
     * one past 9999 would overflow deadlines. */
    const int64_t now = ctx->clock.now(ctx->clock.user_data);
    if (now < 0 || now > CA_TIME_MAX) {
        snprintf(ctx->last_error, sizeof ctx->last_error,
                 "clock: %" PRId64 " is outside 0 to %" PRId64 ": %s (%s)", now,
                 (int64_t)CA_TIME_MAX,
                 chorusacct_strerror(CHORUSACCT_E_CLOCK, ctx->cfg.lang),
                 chorusacct_status_name(CHORUSACCT_E_CLOCK));
        return CHORUSACCT_E_CLOCK;
    }
    return chorusacct__keys(ctx);
}

int chorusacct__txn(chorusacct_ctx *ctx, ca_txn_body body, void *arg,
                    const char *what)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    int rc = CHORUSACCT_E_CONFLICT;
    /* Optimistic backends answer CONFLICT when another request changed a
     * record in between: running the body again sees the new state. */
    for (int attempt = 0; attempt < 5 && rc == CHORUSACCT_E_CONFLICT;
         attempt++) {
        rc = st->begin(st->user_data);
        if (rc != CHORUSACCT_OK)
            break;
        rc = body(ctx, arg);
        if (rc == CHORUSACCT_OK) {
            rc = st->commit(st->user_data);
        } else {
            int rb = st->rollback(st->user_data);
            if (rb != CHORUSACCT_OK && rc == CHORUSACCT_E_CONFLICT)
                rc = rb;
        }
    }
    if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_REJECTED)
        return chorusacct__fail(ctx, rc, what);
    return rc;
}
