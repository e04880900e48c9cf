/*
 * libFuzzer target: the configuration of a context.
 *
 * The input fills a chorusacct_config (each integer member kept, set to a
 * bound, just past a bound, or to raw bytes; each string kept or taken
 * from the input), opens a context with it, then applies a list of
 * chorusacct_ctx_set_int() and chorusacct_ctx_set_str() calls. It checks,
 * against a model of the documented ranges written here, that:
 * - chorusacct_ctx_new() accepts the structure exactly when every value is
 *   in range, and a string is accepted in the structure exactly when
 *   chorusacct_ctx_set_str() accepts it (one rule for both ways);
 * - the getters return what was accepted, and a refused call changes
 *   nothing;
 * - accepted strings are UTF-8 without control characters, and the
 *   activation URL holds `{token}` once;
 * - a sign-up and a delivery under the resulting settings give messages
 *   whose subject is one line of UTF-8 and whose link holds the token.
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utf8_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t take8(input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static uint64_t take64(input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | take8(in);
    return v;
}

/* Up to a NUL byte or the end; at most cap - 1 bytes. */
static void take_str(input *in, char *buf, size_t cap)
{
    size_t n = 0;
    while (in->n > 0) {
        uint8_t c = take8(in);
        if (c == 0)
            break;
        if (n < cap - 1)
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
}

typedef enum { I32, U32, I64, U64 } mtype;

/* The documented ranges (context.h), independently of lib/flow/context.c. */
#define YEARS10 (10LL * 366 * 86400)
static const struct {
    int opt;
    mtype type;
    size_t off;
    int64_t min;
    int64_t max;
} model_init[] = {
#define M(o, t, m, lo, hi)                                                     \
    {                                                                          \
        CHORUSACCT_OPT_##o, t, offsetof(chorusacct_config, m), lo, hi          \
    }
    M(LANG, I32, lang, 0, 1),
    M(FLAGS, U32, flags, 0, 3),
    M(RESEND_DAILY_QUOTA, U32, resend_daily_quota, 1, 1000000),
    M(DRAFT_TTL, I64, draft_ttl, 1, YEARS10),
    M(ACTIVATION_TTL, I64, activation_ttl, 1, YEARS10),
    M(APPROVAL_TTL, I64, approval_ttl, 1, YEARS10),
    M(PURGE_AFTER, I64, purge_after, 1, YEARS10),
    M(RESEND_COOLDOWN, I64, resend_cooldown, 1, YEARS10),
    M(CAPTCHA_TTL, I64, captcha_ttl, 1, YEARS10),
    M(CAPTCHA_LENGTH, U32, captcha_length, 4, 12),
    M(CAPTCHA_MAX_ATTEMPTS, U32, captcha_max_attempts, 1, 1000000),
    M(KEY_ATTEMPTS_PER_HOUR, U32, key_attempts_per_hour, 1, 1000000),
    M(ADDRESS_ATTEMPTS_PER_HOUR, U32, address_attempts_per_hour, 1, 1000000),
    M(LOGIN_MAX_FAILURES, U32, login_max_failures, 1, 1000000),
    M(MAIL_MAX_ATTEMPTS, U32, mail_max_attempts, 1, 1000000),
    M(LOCKOUT_DURATION, I64, lockout_duration, 1, YEARS10),
    M(MAIL_RETRY_BASE, I64, mail_retry_base, 1, YEARS10),
    M(MAIL_RETRY_MAX, I64, mail_retry_max, 1, YEARS10),
    M(MAIL_LEASE, I64, mail_lease, 1, YEARS10),
    /* Capped where every login would take seconds (context.h); the
     * memory's cap is filled in at the first run (mem_cap()). */
    M(PWHASH_OPSLIMIT, U64, pwhash_opslimit, crypto_pwhash_OPSLIMIT_MIN,
      (int64_t)crypto_pwhash_OPSLIMIT_SENSITIVE),
    M(PWHASH_MEMLIMIT, U64, pwhash_memlimit, crypto_pwhash_MEMLIMIT_MIN, 0),
    M(PROMOTION_GRACE, I64, promotion_grace, 1, YEARS10),
#undef M
};
#define NMODEL (sizeof model_init / sizeof model_init[0])

/* The documented memory cap: 1 GiB, and a quarter of the physical
 * memory, but never below the 64 MiB default. */
static int64_t mem_cap(void)
{
    int64_t cap = (int64_t)crypto_pwhash_MEMLIMIT_SENSITIVE;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 && (int64_t)pages / 4 * page < cap)
        cap = (int64_t)pages / 4 * page;
    if (cap < (int64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE)
        cap = (int64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE;
    return cap;
}

static struct model_row {
    int opt;
    mtype type;
    size_t off;
    int64_t min;
    int64_t max;
} model[NMODEL];

static void model_fill(void)
{
    if (model[0].opt != 0)
        return;
    for (size_t i = 0; i < NMODEL; i++) {
        model[i].opt = model_init[i].opt;
        model[i].type = model_init[i].type;
        model[i].off = model_init[i].off;
        model[i].min = model_init[i].min;
        model[i].max = model_init[i].opt == CHORUSACCT_OPT_PWHASH_MEMLIMIT
                           ? mem_cap()
                           : model_init[i].max;
    }
}

static const int str_opts[] = {CHORUSACCT_OPT_ACTIVATION_URL,
                               CHORUSACCT_OPT_TERMS_VERSION,
                               CHORUSACCT_OPT_PORTAL_NAME};

/* A member as the library reads it; a uint64_t past INT64_MAX reads as
 * out of range (-1 here, below every minimum). */
static int64_t member_get(const chorusacct_config *c, size_t i)
{
    const char *p = (const char *)c + model[i].off;
    switch (model[i].type) {
    case I32: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    case U32: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    case I64: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return v > INT64_MAX ? -1 : (int64_t)v;
    }
    }
}

static void member_set(chorusacct_config *c, size_t i, uint64_t raw)
{
    char *p = (char *)c + model[i].off;
    switch (model[i].type) {
    case I32: {
        int32_t v = (int32_t)raw;
        memcpy(p, &v, sizeof v);
        break;
    }
    case U32: {
        uint32_t v = (uint32_t)raw;
        memcpy(p, &v, sizeof v);
        break;
    }
    default:
        memcpy(p, &raw, sizeof raw);
        break;
    }
}

static bool in_range(size_t i, int64_t v)
{
    return v >= model[i].min && v <= model[i].max;
}

/* A value near the bounds, or raw; `keep` when the mode says so. */
static int64_t pick(input *in, size_t i, bool *keep)
{
    uint8_t mode = take8(in);
    *keep = false;
    switch (mode % 8) {
    case 0:
        *keep = true;
        return 0;
    case 1:
        return model[i].min;
    case 2:
        return model[i].max;
    case 3:
        return model[i].min - 1;
    case 4:
        return model[i].max == INT64_MAX ? INT64_MIN : model[i].max + 1;
    case 5:
        return (int64_t)take64(in);
    case 6:
        return take8(in);
    default:
        return -(int64_t)take8(in);
    }
}

/* Whether the library takes `s` for string option `opt`, asked through a
 * structure holding defaults but for it. */
static bool accepted_in_config(int opt, const char *s)
{
    chorusacct_config c;
    if (chorusacct_config_init(&c, sizeof c) != CHORUSACCT_OK)
        abort();
    if (opt == CHORUSACCT_OPT_ACTIVATION_URL)
        c.activation_url = s;
    else if (opt == CHORUSACCT_OPT_TERMS_VERSION)
        c.terms_version = s;
    else
        c.portal_name = s;
    chorusacct_ctx *ctx = NULL;
    int rc = chorusacct_ctx_new(&ctx, &c);
    if ((rc == CHORUSACCT_OK) != (ctx != NULL) ||
        (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_ARG))
        abort();
    if (ctx != NULL && strcmp(chorusacct_ctx_get_str(ctx, opt), s) != 0)
        abort();
    chorusacct_ctx_free(ctx);
    return rc == CHORUSACCT_OK;
}

/* What a string setting must be, whichever way it was given. */
static void check_string(int opt, const char *s)
{
    size_t n = strlen(s);
    if (ref_utf8_count((const uint8_t *)s, n) < 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            abort();
    }
    if (opt == CHORUSACCT_OPT_ACTIVATION_URL) {
        const char *t = strstr(s, "{token}");
        if (t == NULL || strstr(t + 1, "{token}") != NULL || n >= 1024)
            abort();
    }
}

static void check_strings(const chorusacct_ctx *ctx)
{
    for (size_t k = 0; k < 3; k++) {
        const char *s = chorusacct_ctx_get_str(ctx, str_opts[k]);
        if (s == NULL)
            abort();
        check_string(str_opts[k], s);
    }
}

/* A sign-up and a delivery under these settings. */
static void run_flow(chorusacct_ctx *ctx)
{
    static const uint8_t seed[32] = {7};
    chorusacct_memstore *ms = NULL;
    chorusacct_testmailer *cm = NULL;
    chorusacct_testclock *ck = NULL;
    chorusacct_testrandom *rd = NULL;
    chorusacct_storage_ops so = {.struct_size = sizeof so};
    chorusacct_mailer_ops mo = {.struct_size = sizeof mo};
    chorusacct_clock_ops co = {.struct_size = sizeof co};
    chorusacct_random_ops ro = {.struct_size = sizeof ro};
    if (chorusacct_memstore_new(&ms) != CHORUSACCT_OK ||
        chorusacct_testmailer_new(&cm) != CHORUSACCT_OK ||
        chorusacct_testclock_new(&ck, INT64_C(1795687200)) != CHORUSACCT_OK ||
        chorusacct_testrandom_new(&rd, seed) != CHORUSACCT_OK ||
        chorusacct_memstore_ops(&so, ms) != CHORUSACCT_OK ||
        chorusacct_testmailer_ops(&mo, cm) != CHORUSACCT_OK ||
        chorusacct_testclock_ops(&co, ck) != CHORUSACCT_OK ||
        chorusacct_testrandom_ops(&ro, rd) != CHORUSACCT_OK ||
        chorusacct_ctx_set_storage(ctx, &so) != CHORUSACCT_OK ||
        chorusacct_ctx_set_mailer(ctx, &mo) != CHORUSACCT_OK ||
        chorusacct_ctx_set_clock(ctx, &co) != CHORUSACCT_OK ||
        chorusacct_ctx_set_random(ctx, &ro) != CHORUSACCT_OK)
        abort();
    /* Without a captcha, whatever the fuzzed flags. */
    int64_t flags = 0;
    if (chorusacct_ctx_get_int(ctx, CHORUSACCT_OPT_FLAGS, &flags) !=
            CHORUSACCT_OK ||
        chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_FLAGS,
                               flags | CHORUSACCT_CFG_NO_CAPTCHA) !=
            CHORUSACCT_OK)
        abort();

    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    if (chorusacct_signup_init(&f, sizeof f) != CHORUSACCT_OK)
        abort();
    f.login_email = "ada@example.fr";
    f.first_name = "Ada";
    f.last_name = "Lovelace";
    f.accept_terms = 1;
    f.id_type = CHORUSACCT_ID_SIRET;
    f.identifier = "73282932000074";
    int rc = chorusacct_signup_submit(ctx, &f, &r);
    /* The only refusal the settings allow: a template text that no longer
     * fits once the portal name is in. */
    if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_CAPACITY)
        abort();
    chorusacct_delivery d = {.struct_size = sizeof d};
    if (chorusacct_outbox_deliver(ctx, 100, &d) != CHORUSACCT_OK)
        abort();
    if (rc == CHORUSACCT_OK && d.sent != 2)
        abort();
    for (size_t i = 0; i < chorusacct_testmailer_count(cm); i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(cm, i);
        size_t sn = strlen(m->subject);
        if (ref_utf8_count((const uint8_t *)m->subject, sn) < 0 ||
            memchr(m->subject, '\n', sn) != NULL ||
            memchr(m->subject, '\r', sn) != NULL ||
            ref_utf8_count((const uint8_t *)m->body, strlen(m->body)) < 0)
            abort();
        if (m->kind == CHORUSACCT_MAIL_ACTIVATION &&
            (m->link == NULL || strlen(m->link) < 43 ||
             strstr(m->body, m->link) == NULL))
            abort();
    }
    chorusacct_testmailer_free(cm);
    chorusacct_memstore_free(ms);
    chorusacct_testclock_free(ck);
    chorusacct_testrandom_free(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    model_fill();
    input in = {data, size};
    chorusacct_config cfg;
    if (chorusacct_config_init(&cfg, sizeof cfg) != CHORUSACCT_OK)
        abort();

    /* The structure. */
    bool want_ok = true;
    for (size_t i = 0; i < NMODEL; i++) {
        bool keep;
        int64_t v = pick(&in, i, &keep);
        if (!keep)
            member_set(&cfg, i, (uint64_t)v);
        want_ok &= in_range(i, member_get(&cfg, i));
    }
    char strs[3][1100];
    uint8_t which = take8(&in);
    for (size_t k = 0; k < 3; k++) {
        if (!(which & (1u << k)))
            continue;
        take_str(&in, strs[k], sizeof strs[k]);
        if (str_opts[k] == CHORUSACCT_OPT_ACTIVATION_URL)
            cfg.activation_url = strs[k];
        else if (str_opts[k] == CHORUSACCT_OPT_TERMS_VERSION)
            cfg.terms_version = strs[k];
        else
            cfg.portal_name = strs[k];
        /* One rule for both ways of giving a string. */
        chorusacct_ctx *probe = NULL;
        if (chorusacct_ctx_new(&probe, NULL) != CHORUSACCT_OK)
            abort();
        bool by_setter = chorusacct_ctx_set_str(probe, str_opts[k], strs[k]) ==
                         CHORUSACCT_OK;
        chorusacct_ctx_free(probe);
        bool by_config = accepted_in_config(str_opts[k], strs[k]);
        if (by_setter != by_config)
            abort();
        if (by_setter)
            check_string(str_opts[k], strs[k]);
        want_ok &= by_config;
    }

    chorusacct_ctx *ctx = NULL;
    int rc = chorusacct_ctx_new(&ctx, &cfg);
    if ((rc == CHORUSACCT_OK) != want_ok ||
        (rc != CHORUSACCT_OK && (rc != CHORUSACCT_E_ARG || ctx != NULL)))
        abort();
    if (ctx == NULL)
        return 0;
    for (size_t i = 0; i < NMODEL; i++) {
        int64_t got;
        if (chorusacct_ctx_get_int(ctx, model[i].opt, &got) != CHORUSACCT_OK ||
            got != member_get(&cfg, i))
            abort();
    }
    check_strings(ctx);

    /* Setters, one by one. */
    for (int steps = 0; steps < 32 && in.n > 0; steps++) {
        uint8_t op = take8(&in);
        if (op & 0x80) {
            int opt = str_opts[op % 3];
            char s[1100];
            take_str(&in, s, sizeof s);
            char before[1100];
            strcpy(before, chorusacct_ctx_get_str(ctx, opt));
            int src = chorusacct_ctx_set_str(ctx, opt, s);
            if (src != CHORUSACCT_OK && src != CHORUSACCT_E_ARG)
                abort();
            if (strcmp(chorusacct_ctx_get_str(ctx, opt),
                       src == CHORUSACCT_OK ? s : before) != 0)
                abort();
            continue;
        }
        /* Options 0 to 31: some unknown, some strings. */
        int opt = op & 0x1F;
        size_t i = 0;
        while (i < NMODEL && model[i].opt != opt)
            i++;
        bool keep;
        int64_t v = i < NMODEL ? pick(&in, i, &keep) : (int64_t)take64(&in);
        int64_t before = 0;
        int grc = chorusacct_ctx_get_int(ctx, opt, &before);
        if ((grc == CHORUSACCT_OK) != (i < NMODEL))
            abort();
        int src = chorusacct_ctx_set_int(ctx, opt, v);
        if ((src == CHORUSACCT_OK) != (i < NMODEL && in_range(i, v)) ||
            (src != CHORUSACCT_OK && src != CHORUSACCT_E_ARG))
            abort();
        if (i < NMODEL) {
            int64_t after;
            if (chorusacct_ctx_get_int(ctx, opt, &after) != CHORUSACCT_OK ||
                after != (src == CHORUSACCT_OK ? v : before))
                abort();
        }
    }
    check_strings(ctx);

    /* Keep the flow cheap: argon2 does not run in it, and a context with
     * the interactive limits is as good as one with the minimum. */
    run_flow(ctx);
    chorusacct_ctx_free(ctx);
    return 0;
}
