/*
 * libFuzzer target: a whole sign-up form (issue 12, systematic checks).
 *
 * The input is four control bytes (identifier type, consent, language,
 * mode) then the text fields separated by NUL bytes: login e-mail, first
 * name, last name, phone, contact e-mail, identifier, company name,
 * captcha id, captcha answer, client key ("\x7f" alone: NULL). The mode
 * says whether the context is enumeration-safe, and whether a captcha is
 * required: answered right (the issued challenge's text), or with the
 * fuzzed id and answer. It checks that:
 * - chorusacct_signup_submit() answers OK or REJECTED, never crashes nor
 *   fails otherwise;
 * - a refusal names known fields with codes that have FR and EN texts, and
 *   leaves the store as it was (chorusacct_memstore_digest());
 * - an accepted form held a login address, names and phone that pass
 *   their validators, and the account is stored in a state the flow
 *   allows, found by its address;
 * - the same form a second time is refused with EMAIL_TAKEN (or answers OK
 *   with no id in enumeration-safe mode), and changes nothing but what the
 *   mode allows;
 * - the delivered messages have one-line UTF-8 subjects and the recipient
 *   is one address without a line break.
 */
#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "utf8_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    F_LOGIN,
    F_FIRST,
    F_LAST,
    F_PHONE,
    F_CONTACT,
    F_ID,
    F_COMPANY,
    F_CAPTCHA_ID,
    F_CAPTCHA_ANSWER,
    F_CLIENT,
    NFIELDS
};

#define FIELD_MAX 600

static bool text_ok(const char *s)
{
    return ref_utf8_count((const uint8_t *)s, strlen(s)) >= 0;
}

static void check_refusal(const chorusacct_signup_result *r)
{
    if (r->nerrors == 0 || r->nerrors > CHORUSACCT_MAX_FIELD_ERRORS)
        abort();
    for (uint32_t i = 0; i < r->nerrors; i++) {
        int field = r->errors[i].field, code = r->errors[i].code;
        if (field < CHORUSACCT_FIELD_FORM ||
            field > CHORUSACCT_FIELD_COMPANY_NAME + 1 || code >= 0 ||
            chorusacct_field_name(field)[0] == '\0')
            abort();
        const char *en = chorusacct_strerror(code, CHORUSACCT_LANG_EN);
        const char *fr = chorusacct_strerror(code, CHORUSACCT_LANG_FR);
        if (en[0] == '\0' || fr[0] == '\0' || !text_ok(en) || !text_ok(fr) ||
            strcmp(chorusacct_status_name(code), "UNKNOWN") == 0)
            abort();
    }
}

/* What an accepted form must have held. */
static void check_accepted(const chorusacct_signup *f)
{
    char buf[1024];
    size_t n;
    int reason;
    if (chorusacct_email_check(f->login_email, strlen(f->login_email), 0, buf,
                               sizeof buf, &n, &reason) != CHORUSACCT_OK ||
        chorusacct_name_check(f->first_name, strlen(f->first_name), 0, buf,
                              sizeof buf, &n, &reason) != CHORUSACCT_OK ||
        chorusacct_name_check(f->last_name, strlen(f->last_name), 0, buf,
                              sizeof buf, &n, &reason) != CHORUSACCT_OK ||
        !f->accept_terms)
        abort();
    if (f->phone != NULL && f->phone[0] != '\0' &&
        chorusacct_phone_check(f->phone, strlen(f->phone), 0, buf, sizeof buf,
                               &n, &reason) != CHORUSACCT_OK)
        abort();
    /* The address that mail readers would show as another one. */
    const char *at = strchr(f->login_email, '@');
    for (const char *p = f->login_email; at != NULL && p + 1 < at; p++)
        if (p[0] == '=' && p[1] == '?')
            abort();
}

static void check_mails(chorusacct_testmailer *cm)
{
    for (size_t i = 0; i < chorusacct_testmailer_count(cm); i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(cm, i);
        size_t sn = strlen(m->subject), tn = strlen(m->to);
        if (!text_ok(m->subject) || memchr(m->subject, '\n', sn) != NULL ||
            memchr(m->subject, '\r', sn) != NULL || !text_ok(m->body) ||
            tn == 0 || memchr(m->to, '\n', tn) != NULL ||
            memchr(m->to, '\r', tn) != NULL || memchr(m->to, ',', tn) != NULL)
            abort();
    }
}

static void digest(chorusacct_memstore *ms, uint8_t *out)
{
    if (chorusacct_memstore_digest(ms, out, CHORUSACCT_DIGEST_SIZE) !=
        CHORUSACCT_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    const uint8_t id_type = data[0], consent = data[1], lang = data[2],
                  mode = data[3];
    static char fields[NFIELDS][FIELD_MAX];
    const char *ptr[NFIELDS];
    size_t at = 4;
    for (int k = 0; k < NFIELDS; k++) {
        size_t n = 0;
        while (at < size && data[at] != 0) {
            if (n < FIELD_MAX - 1)
                fields[k][n++] = (char)data[at];
            at++;
        }
        at++; /* the NUL */
        fields[k][n] = '\0';
        ptr[k] = strcmp(fields[k], "\x7f") == 0 ? NULL : fields[k];
    }

    static const uint8_t seed[32] = {12};
    chorusacct_memstore *ms = NULL;
    chorusacct_testmailer *cm = NULL;
    chorusacct_testclock *ck = NULL;
    chorusacct_testrandom *rd = NULL;
    chorusacct_ctx *ctx = NULL;
    chorusacct_storage_ops so = {.struct_size = sizeof so};
    chorusacct_mailer_ops mo = {.struct_size = sizeof mo};
    chorusacct_clock_ops co = {.struct_size = sizeof co};
    chorusacct_random_ops ro = {.struct_size = sizeof ro};
    const bool safe = mode & 1, captcha = mode & 2, right = mode & 4;
    uint32_t flags = (safe ? CHORUSACCT_CFG_ENUMERATION_SAFE : 0) |
                     (captcha ? 0 : CHORUSACCT_CFG_NO_CAPTCHA);
    if (chorusacct_memstore_new(&ms) != CHORUSACCT_OK ||
        chorusacct_testmailer_new(&cm) != CHORUSACCT_OK ||
        chorusacct_testclock_new(&ck, INT64_C(1795687200)) != CHORUSACCT_OK ||
        chorusacct_testrandom_new(&rd, seed) != CHORUSACCT_OK ||
        chorusacct_ctx_new(&ctx, NULL) != CHORUSACCT_OK ||
        chorusacct_memstore_ops(&so, ms) != CHORUSACCT_OK ||
        chorusacct_testmailer_ops(&mo, cm) != CHORUSACCT_OK ||
        chorusacct_testclock_ops(&co, ck) != CHORUSACCT_OK ||
        chorusacct_testrandom_ops(&ro, rd) != CHORUSACCT_OK ||
        chorusacct_ctx_set_storage(ctx, &so) != CHORUSACCT_OK ||
        chorusacct_ctx_set_mailer(ctx, &mo) != CHORUSACCT_OK ||
        chorusacct_ctx_set_clock(ctx, &co) != CHORUSACCT_OK ||
        chorusacct_ctx_set_random(ctx, &ro) != CHORUSACCT_OK ||
        chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_FLAGS, flags) !=
            CHORUSACCT_OK)
        abort();

    char cid[CHORUSACCT_CAPTCHA_ID_SIZE] = "",
         ctext[CHORUSACCT_CAPTCHA_TEXT_SIZE] = "";
    int reason = 0;
    if (captcha && right &&
        chorusacct_captcha_issue(ctx, NULL, cid, sizeof cid, ctext,
                                 sizeof ctext, &reason) != CHORUSACCT_OK)
        abort();

    chorusacct_signup f;
    if (chorusacct_signup_init(&f, sizeof f) != CHORUSACCT_OK)
        abort();
    f.login_email = ptr[F_LOGIN];
    f.first_name = ptr[F_FIRST];
    f.last_name = ptr[F_LAST];
    f.phone = ptr[F_PHONE];
    f.contact_email = ptr[F_CONTACT];
    f.id_type = id_type % 10;
    f.identifier = ptr[F_ID];
    f.company_name = ptr[F_COMPANY];
    f.accept_terms = consent & 1;
    f.captcha_id = captcha && right ? cid : ptr[F_CAPTCHA_ID];
    f.captcha_answer = captcha && right ? ctext : ptr[F_CAPTCHA_ANSWER];
    f.client_key = ptr[F_CLIENT];
    f.lang = lang & 1;

    uint8_t before[CHORUSACCT_DIGEST_SIZE], after[CHORUSACCT_DIGEST_SIZE];
    /* The secret is made by the first call that needs it: a sweep first,
     * so that the digest compares the sign-up alone. */
    chorusacct_sweep_result sw = {.struct_size = sizeof sw};
    if (chorusacct_sweep(ctx, &sw) != CHORUSACCT_OK)
        abort();
    digest(ms, before);
    chorusacct_signup_result r = {.struct_size = sizeof r};
    int rc = chorusacct_signup_submit(ctx, &f, &r);
    bool accepted = false;
    if (rc == CHORUSACCT_E_ARG) {
        /* Only a required pointer left NULL. */
        if (f.login_email != NULL && f.first_name != NULL &&
            f.last_name != NULL)
            abort();
        digest(ms, after);
        if (memcmp(before, after, sizeof before) != 0)
            abort();
    } else if (rc == CHORUSACCT_E_REJECTED) {
        check_refusal(&r);
        digest(ms, after);
        if (memcmp(before, after, sizeof before) != 0)
            abort();
    } else if (rc == CHORUSACCT_OK) {
        accepted = true;
        check_accepted(&f);
        if (r.state != CHORUSACCT_STATE_AWAITING_ACTIVATION &&
            r.state != CHORUSACCT_STATE_PENDING_APPROVAL)
            abort();
        if (!safe && r.account_id <= 0)
            abort();
        chorusacct_account a = {.struct_size = sizeof a};
        if (chorusacct_account_find(ctx, f.login_email, &a) != CHORUSACCT_OK ||
            (!safe && a.id != r.account_id))
            abort();
    } else {
        abort();
    }

    /* The same form again: the address is taken now. */
    if (accepted && !captcha) {
        chorusacct_signup_result r2 = {.struct_size = sizeof r2};
        digest(ms, before);
        rc = chorusacct_signup_submit(ctx, &f, &r2);
        if (!safe) {
            if (rc != CHORUSACCT_E_REJECTED || r2.nerrors < 1 ||
                r2.errors[0].field != CHORUSACCT_FIELD_LOGIN_EMAIL ||
                r2.errors[0].code != CHORUSACCT_E_EMAIL_TAKEN)
                abort();
            digest(ms, after);
            if (memcmp(before, after, sizeof before) != 0)
                abort();
        } else if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_REJECTED) {
            abort();
        }
    }

    chorusacct_delivery d = {.struct_size = sizeof d};
    if (chorusacct_outbox_deliver(ctx, 100, &d) != CHORUSACCT_OK)
        abort();
    if (accepted && d.sent == 0)
        abort();
    check_mails(cm);

    chorusacct_ctx_free(ctx);
    chorusacct_testmailer_free(cm);
    chorusacct_memstore_free(ms);
    chorusacct_testclock_free(ck);
    chorusacct_testrandom_free(rd);
    return 0;
}
