/*
 * Sign-up: the form validated as a whole, then one transaction that
 * creates the account (and its structure when it is new), queues its
 * e-mails and records the event. Also the wizard's draft steps and the
 * structure lookup.
 */
#include "flow_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Everything a sign-up carries from validation into its transaction. */
typedef struct {
    chorusacct_account a; /* personal fields, validated */
    int64_t draft_id;     /* 0: a sign-up in one step */
    int32_t id_type;
    char identifier[CHORUSACCT_IDENTIFIER_SIZE];
    char company[CHORUSACCT_COMPANY_SIZE];
    bool captcha_builtin; /* consume the built-in challenge */
    uint8_t captcha_hash[32];
    chorusacct_signup f;              /* the caller's form, at our size */
    chorusacct_signup_result res;     /* the result, at our size */
    chorusacct_signup_result *out;    /* &res */
    chorusacct_signup_result *caller; /* the caller's result */
    size_t out_n;                     /* bytes of it the caller takes */
} signup_job;

static void add_error(chorusacct_signup_result *out, int field, int code)
{
    if (out->nerrors < CHORUSACCT_MAX_FIELD_ERRORS) {
        out->errors[out->nerrors].field = field;
        out->errors[out->nerrors].code = code;
        out->nerrors++;
    }
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

typedef int (*check_fn)(const char *, size_t, uint32_t, char *, size_t,
                        size_t *, int *);

/* Runs a validator on a form field; records the error of `field`. */
static void check_field(chorusacct_signup_result *out, int field, check_fn fn,
                        const char *value, char *dst, size_t cap)
{
    int reason = CHORUSACCT_E_INTERNAL;
    value = or_empty(value);
    int rc = fn(value, strlen(value), 0, dst, cap, NULL, &reason);
    if (rc == CHORUSACCT_E_REJECTED)
        add_error(out, field, reason);
    else if (rc != CHORUSACCT_OK)
        add_error(out, field, rc);
}

static int form_lang(const chorusacct_ctx *ctx, int lang)
{
    if (lang == CHORUSACCT_LANG_EN || lang == CHORUSACCT_LANG_FR)
        return lang;
    return ctx->cfg.lang;
}

/* The personal information: e-mails, names, phone, consent. */
static void check_personal(chorusacct_ctx *ctx, const chorusacct_signup *f,
                           chorusacct_account *a, chorusacct_signup_result *out)
{
    const int64_t now = chorusacct__now(ctx);
    check_field(out, CHORUSACCT_FIELD_LOGIN_EMAIL, chorusacct_email_check,
                f->login_email, a->login_email, sizeof a->login_email);
    (void)chorusacct__email_key(a->email_key, a->login_email);
    check_field(out, CHORUSACCT_FIELD_FIRST_NAME, chorusacct_name_check,
                f->first_name, a->first_name, sizeof a->first_name);
    check_field(out, CHORUSACCT_FIELD_LAST_NAME, chorusacct_name_check,
                f->last_name, a->last_name, sizeof a->last_name);
    if (or_empty(f->phone)[0] != '\0')
        check_field(out, CHORUSACCT_FIELD_PHONE, chorusacct_phone_check,
                    f->phone, a->phone, sizeof a->phone);
    if (or_empty(f->contact_email)[0] != '\0')
        check_field(out, CHORUSACCT_FIELD_CONTACT_EMAIL, chorusacct_email_check,
                    f->contact_email, a->contact_email,
                    sizeof a->contact_email);
    else
        memcpy(a->contact_email, a->login_email, sizeof a->contact_email);
    if (!f->accept_terms)
        add_error(out, CHORUSACCT_FIELD_TERMS, CHORUSACCT_E_CONSENT);
    const char *terms =
        f->terms_version != NULL ? f->terms_version : ctx->terms_version;
    if (!chorusacct__set_field(a->terms_version, sizeof a->terms_version,
                               terms))
        add_error(out, CHORUSACCT_FIELD_TERMS, CHORUSACCT_E_TOOLONG);
    a->lang = form_lang(ctx, f->lang);
    a->consent_at = now;
    a->created_at = a->updated_at = now;
}

/* The structure: type, identifier, company name. */
static void check_structure(const chorusacct_signup *f, signup_job *job,
                            chorusacct_signup_result *out)
{
    if (chorusacct_identifier_number(f->id_type) < 0) {
        add_error(out, CHORUSACCT_FIELD_ID_TYPE, CHORUSACCT_E_TYPE);
        return;
    }
    job->id_type = f->id_type;
    const char *id = or_empty(f->identifier);
    int reason = CHORUSACCT_E_INTERNAL;
    int rc = chorusacct_identifier_check(f->id_type, id, strlen(id), 0,
                                         job->identifier,
                                         sizeof job->identifier, NULL, &reason);
    if (rc != CHORUSACCT_OK)
        add_error(out, CHORUSACCT_FIELD_IDENTIFIER,
                  rc == CHORUSACCT_E_REJECTED ? reason : rc);
    const char *company = or_empty(f->company_name);
    bool required = f->id_type == CHORUSACCT_ID_HORS_UE ||
                    f->id_type == CHORUSACCT_ID_AUTRE;
    if (company[0] == '\0' && !required)
        return;
    int why = chorusacct__free_text(company, 200, false);
    if (why == 0 &&
        !chorusacct__set_field(job->company, sizeof job->company, company))
        why = CHORUSACCT_E_TOOLONG;
    if (why != 0)
        add_error(out, CHORUSACCT_FIELD_COMPANY_NAME, why);
}

/* The captcha, unless the configuration does without. Attempts are
 * counted before the answer is compared (captcha.c). */
static int check_captcha(chorusacct_ctx *ctx, const chorusacct_signup *f,
                         signup_job *job, chorusacct_signup_result *out)
{
    if (ctx->cfg.flags & CHORUSACCT_CFG_NO_CAPTCHA)
        return CHORUSACCT_OK;
    int why = 0;
    /* The address is the one typed: a draft's finalization has none. */
    int rc = chorusacct__captcha_verify(
        ctx, or_empty(f->captcha_id), or_empty(f->captcha_answer),
        f->client_key, f->login_email, job->captcha_hash, &why);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (why != 0)
        add_error(out, CHORUSACCT_FIELD_CAPTCHA, why);
    else
        job->captcha_builtin = !ctx->have_captcha;
    return CHORUSACCT_OK;
}

/* An earlier draft left to expire may be replaced by a new sign-up with
 * the same address; any other account keeps its address. */
static bool replaceable(const chorusacct_account *old, int64_t now)
{
    return (old->state == CHORUSACCT_STATE_CREATED && old->expires_at <= now) ||
           (old->state == CHORUSACCT_STATE_EXPIRED && old->structure_id == 0);
}

/* The address has an account: refuse, or in enumeration-safe mode answer
 * as for a new account and tell the owner of the address by e-mail (at
 * most a few times a day, so that nobody floods them). */
static int known_address(chorusacct_ctx *ctx, signup_job *job,
                         const chorusacct_account *old, int state)
{
    if (!(ctx->cfg.flags & CHORUSACCT_CFG_ENUMERATION_SAFE)) {
        add_error(job->out, CHORUSACCT_FIELD_LOGIN_EMAIL,
                  CHORUSACCT_E_EMAIL_TAKEN);
        return CHORUSACCT_E_REJECTED;
    }
    uint32_t sent = 0;
    int rc =
        chorusacct__account_counter(ctx, "exists", old->id, CA_DAY, 0, &sent);
    if (rc == CHORUSACCT_OK && sent < ctx->cfg.resend_daily_quota) {
        rc = chorusacct__account_counter(ctx, "exists", old->id, CA_DAY, 1,
                                         &sent);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_ALREADY_EXISTS, old,
                                     NULL, NULL, old->login_email);
    }
    job->out->account_id = 0;
    job->out->structure_id = 0;
    job->out->state = state;
    return rc;
}

/*
 * In enumeration-safe mode a sign-up with a taken address leaves what a
 * new address leaves where a public call can see it: the structure, when
 * it was not declared, is declared (without a principal: the next sign-up
 * for it takes it over, as for a principal whose link expired), so that
 * chorusacct_structure_lookup() tells the same; and an account id is used
 * up (an account inserted and deleted at once, under an address key that
 * no address has), so that the ids a caller sees later (its own account
 * after a login or in a link) follow the same sequence.
 */
/* Declares the form's structure: CONFLICT when it was declared in
 * between (the transaction runs again and finds it). */
static int structure_declare(chorusacct_ctx *ctx, const signup_job *job,
                             int64_t now, chorusacct_structure *s)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct__structure_blank(s);
    s->id_type = job->id_type;
    s->created_at = now;
    memcpy(s->identifier, job->identifier, sizeof s->identifier);
    memcpy(s->company_name, job->company, sizeof s->company_name);
    int rc = st->structure_insert(st->user_data, s);
    return rc == CHORUSACCT_E_EXISTS ? CHORUSACCT_E_CONFLICT : rc;
}

static int leave_traces(chorusacct_ctx *ctx, signup_job *job, bool existing,
                        int64_t now)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    int rc;
    if (!existing && job->identifier[0] != '\0') {
        chorusacct_structure s;
        rc = structure_declare(ctx, job, now, &s);
        if (rc != CHORUSACCT_OK)
            return rc;
    }
    chorusacct_account a;
    chorusacct__account_blank(&a);
    uint8_t r[16];
    chorusacct__random(ctx, r, sizeof r);
    /* "#" and hex: no address is written so (an address has an '@'). */
    a.email_key[0] = '#';
    sodium_bin2hex(a.email_key + 1, sizeof a.email_key - 1, r, sizeof r);
    memcpy(a.login_email, a.email_key, sizeof a.login_email);
    memcpy(a.contact_email, a.email_key, sizeof a.contact_email);
    a.state = CHORUSACCT_STATE_CREATED;
    a.created_at = a.updated_at = now;
    a.expires_at = now;
    rc = st->account_insert(st->user_data, &a);
    if (rc == CHORUSACCT_E_EXISTS)
        return CHORUSACCT_E_CONFLICT;
    if (rc == CHORUSACCT_OK)
        rc = st->account_delete(st->user_data, a.id);
    return rc;
}

static int consume_captcha(chorusacct_ctx *ctx, signup_job *job, int64_t now)
{
    if (!job->captcha_builtin)
        return CHORUSACCT_OK;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_captcha c;
    memset(&c, 0, sizeof c);
    c.struct_size = (uint32_t)sizeof c;
    int rc = st->captcha_get(st->user_data, job->captcha_hash, &c);
    if (rc == CHORUSACCT_E_NOTFOUND || (rc == CHORUSACCT_OK && c.used_at)) {
        /* Another sign-up used it in between. */
        add_error(job->out, CHORUSACCT_FIELD_CAPTCHA,
                  CHORUSACCT_E_CAPTCHA_EXPIRED);
        return CHORUSACCT_E_REJECTED;
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    c.used_at = now;
    return st->captcha_update(st->user_data, &c);
}

/* Places an account (new, or a draft) in its structure: the transaction
 * body of every sign-up. */
static int signup_body(chorusacct_ctx *ctx, void *arg)
{
    signup_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account a = job->a;
    chorusacct_account old;
    chorusacct_structure s;
    int rc;

    job->out->nerrors = 0;
    chorusacct__account_blank(&old);
    chorusacct__structure_blank(&s);
    if (job->draft_id != 0) {
        rc = st->account_get(st->user_data, job->draft_id, &a);
        if (rc != CHORUSACCT_OK)
            return rc;
        int why = a.state != CHORUSACCT_STATE_CREATED || a.structure_id != 0
                      ? CHORUSACCT_E_STATE
                  : a.expires_at <= now ? CHORUSACCT_E_DRAFT_EXPIRED
                                        : 0;
        if (why != 0) {
            add_error(job->out, CHORUSACCT_FIELD_FORM, why);
            return CHORUSACCT_E_REJECTED;
        }
    }

    /* The structure: declared already, or new. */
    bool existing = false, takeover = false;
    chorusacct_account principal;
    chorusacct__account_blank(&principal);
    if (job->identifier[0] != '\0') {
        rc = st->structure_find(st->user_data, job->id_type, job->identifier,
                                &s);
        if (rc == CHORUSACCT_OK)
            existing = true;
        else if (rc != CHORUSACCT_E_NOTFOUND)
            return rc;
    }
    if (existing) {
        /* A first declarer who let the activation expire cannot approve
         * anyone, but keeps the claim until the end of its grace
         * (expires_at, promotion_grace: docs/flow.md, "A structure's
         * first declarer"); after that, and before the sweep purges it,
         * the new applicant declares the structure instead. */
        rc = st->account_get(st->user_data, s.principal_id, &principal);
        if (rc == CHORUSACCT_E_NOTFOUND ||
            (rc == CHORUSACCT_OK &&
             principal.state == CHORUSACCT_STATE_EXPIRED &&
             principal.activated_at == 0 && principal.expires_at <= now))
            takeover = true;
        else if (rc != CHORUSACCT_OK)
            return rc;
    }

    if (job->draft_id == 0) {
        rc = st->account_find(st->user_data, a.email_key, &old);
        if (rc == CHORUSACCT_OK && replaceable(&old, now)) {
            rc = st->account_delete(st->user_data, old.id);
            if (rc != CHORUSACCT_OK)
                return rc;
        } else if (rc == CHORUSACCT_OK) {
            rc = consume_captcha(ctx, job, now);
            if (rc == CHORUSACCT_OK &&
                (ctx->cfg.flags & CHORUSACCT_CFG_ENUMERATION_SAFE))
                rc = leave_traces(ctx, job, existing, now);
            if (rc != CHORUSACCT_OK)
                return rc;
            /* A request to join a declared structure answers created in
             * enumeration-safe mode: it waits for the mailbox proof. */
            return known_address(
                ctx, job, &old,
                !(existing && !takeover) ? CHORUSACCT_STATE_AWAITING_ACTIVATION
                : (ctx->cfg.flags & CHORUSACCT_CFG_ENUMERATION_SAFE)
                    ? CHORUSACCT_STATE_CREATED
                    : CHORUSACCT_STATE_PENDING_APPROVAL);
        } else if (rc != CHORUSACCT_E_NOTFOUND) {
            return rc;
        }
    }
    rc = consume_captcha(ctx, job, now);
    if (rc != CHORUSACCT_OK)
        return rc;

    if (!existing) {
        rc = structure_declare(ctx, job, now, &s);
        if (rc != CHORUSACCT_OK)
            return rc;
    }
    /* From here, a structure taken over is handled as a new one. */
    const bool pending = existing && !takeover;
    /* In enumeration-safe mode a request to join waits, created, for the
     * applicant to follow the link sent to the login address before the
     * managers hear of it: a taken address sends them nothing either
     * (docs/flow.md, "Enumeration safety"). */
    const bool confirm =
        pending && (ctx->cfg.flags & CHORUSACCT_CFG_ENUMERATION_SAFE);
    a.structure_id = s.id;
    a.role = pending ? CHORUSACCT_ROLE_USER : CHORUSACCT_ROLE_PRINCIPAL;
    const int target = confirm   ? CHORUSACCT_STATE_CREATED
                       : pending ? CHORUSACCT_STATE_PENDING_APPROVAL
                                 : CHORUSACCT_STATE_AWAITING_ACTIVATION;
    a.expires_at =
        ca_time_add(now, pending && !confirm ? ctx->cfg.approval_ttl
                                             : ctx->cfg.activation_ttl);
    if (confirm && job->draft_id != 0) {
        a.updated_at = now;
        rc = st->account_update(st->user_data, &a);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__audit(ctx, CHORUSACCT_EV_SIGNUP, a.id, a.state,
                                   a.state, 0, NULL);
    } else if (job->draft_id != 0) {
        rc = chorusacct__move(ctx, &a, target, CHORUSACCT_EV_SIGNUP, 0, NULL);
    } else {
        a.state = target;
        rc = st->account_insert(st->user_data, &a);
        if (rc == CHORUSACCT_E_EXISTS)
            return CHORUSACCT_E_CONFLICT; /* same address in between */
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__audit(ctx, CHORUSACCT_EV_SIGNUP, a.id, 0, target,
                                   0, NULL);
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    if (takeover && principal.id != 0) {
        principal.role = CHORUSACCT_ROLE_USER;
        principal.updated_at = now;
        rc = st->account_update(st->user_data, &principal);
        if (rc != CHORUSACCT_OK)
            return rc;
    }
    if (!pending) {
        s.principal_id = a.id;
        rc = st->structure_update(st->user_data, &s);
        if (rc != CHORUSACCT_OK)
            return rc;
        rc = chorusacct__enqueue_activation(ctx, &a, &s,
                                            CHORUSACCT_MAIL_ACTIVATION);
    } else if (confirm) {
        rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_CONFIRM_REQUEST, &a, NULL,
                                 &s, a.login_email);
    } else {
        rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_SUMMARY, &a, NULL, &s,
                                 a.login_email);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__notify_managers(ctx, &a, &s);
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    job->out->state = a.state;
    /* In enumeration-safe mode no caller learns ids: a taken address
     * cannot have any, so a new one does not either (docs/flow.md). */
    if (!(ctx->cfg.flags & CHORUSACCT_CFG_ENUMERATION_SAFE)) {
        job->out->account_id = a.id;
        job->out->structure_id = a.structure_id;
    }
    return CHORUSACCT_OK;
}

/* Checks the arguments and copies the form into `job->f`; the result is
 * built in `job->res` and given to the caller by give(). */
static int start(chorusacct_ctx *ctx, const chorusacct_signup *form,
                 chorusacct_signup_result *out, signup_job *job)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    memset(job, 0, sizeof *job);
    int rc = chorusacct__out_check(ctx, out, sizeof *out, CA_V1_SIGNUP_RESULT,
                                   "sign-up result", &job->out_n);
    if (rc != CHORUSACCT_OK)
        return rc;
    job->out = &job->res;
    job->caller = out;
    job->res.struct_size = (uint32_t)sizeof job->res;
    chorusacct__out_write(out, &job->res, job->out_n);
    rc = chorusacct__form_copy(ctx, &job->f, sizeof job->f, form, CA_V1_SIGNUP,
                               "sign-up form");
    if (rc != CHORUSACCT_OK)
        return rc;
    chorusacct__account_blank(&job->a);
    rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    rc = chorusacct__throttle(ctx, "signup", job->f.client_key, NULL);
    if (rc == CHORUSACCT_E_THROTTLED) {
        add_error(job->out, CHORUSACCT_FIELD_FORM, CHORUSACCT_E_THROTTLED);
        return chorusacct__refuse(ctx, NULL, CHORUSACCT_E_THROTTLED);
    }
    return rc != CHORUSACCT_OK ? chorusacct__fail(ctx, rc, "throttle") : rc;
}

/* Gives the result to the caller (as far as its struct_size reaches) and
 * returns `rc`. */
static int give(signup_job *job, int rc)
{
    if (job->out_n > 0)
        chorusacct__out_write(job->caller, &job->res, job->out_n);
    return rc;
}

/* Runs the transaction of a form that passed its checks (or reports the
 * first field error); a failed call leaves no result in `out`. */
static int finish(chorusacct_ctx *ctx, signup_job *job, ca_txn_body body,
                  const char *what)
{
    if (job->out->nerrors > 0)
        return chorusacct__refuse(ctx, NULL, job->out->errors[0].code);
    int rc = chorusacct__txn(ctx, body, job, what);
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, NULL, job->out->errors[0].code);
    if (rc != CHORUSACCT_OK) {
        job->out->state = 0;
        job->out->account_id = job->out->structure_id = 0;
    }
    return rc;
}

/* The structure and captcha steps of a form, then the sign-up's
 * transaction: a sign-up in one step, or a draft's last. */
static int structure_steps(chorusacct_ctx *ctx, signup_job *job)
{
    check_structure(&job->f, job, job->out);
    int rc = check_captcha(ctx, &job->f, job, job->out);
    if (rc != CHORUSACCT_OK)
        return give(job, chorusacct__fail(ctx, rc, "captcha"));
    return give(job, finish(ctx, job, signup_body, "sign-up"));
}

static int signup_submit_step(chorusacct_ctx *ctx,
                              const chorusacct_signup *form,
                              chorusacct_signup_result *out)
{
    signup_job job;
    int rc = start(ctx, form, out, &job);
    if (rc != CHORUSACCT_OK)
        return give(&job, rc);
    check_personal(ctx, &job.f, &job.a, job.out);
    return structure_steps(ctx, &job);
}

int chorusacct_signup_submit(chorusacct_ctx *ctx, const chorusacct_signup *form,
                             chorusacct_signup_result *out)
{
    CA_STEP(ctx, "signup_submit", signup_submit_step(ctx, form, out));
}

static int draft_body(chorusacct_ctx *ctx, void *arg)
{
    signup_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account a = job->a, old;
    chorusacct__account_blank(&old);
    job->out->nerrors = 0;
    int rc = st->account_find(st->user_data, a.email_key, &old);
    if (rc == CHORUSACCT_OK && replaceable(&old, now)) {
        rc = st->account_delete(st->user_data, old.id);
    } else if (rc == CHORUSACCT_OK) {
        return known_address(ctx, job, &old, CHORUSACCT_STATE_CREATED);
    } else if (rc == CHORUSACCT_E_NOTFOUND) {
        rc = CHORUSACCT_OK;
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    a.state = CHORUSACCT_STATE_CREATED;
    a.expires_at = ca_time_add(now, ctx->cfg.draft_ttl);
    rc = st->account_insert(st->user_data, &a);
    if (rc == CHORUSACCT_E_EXISTS)
        return CHORUSACCT_E_CONFLICT;
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__audit(ctx, CHORUSACCT_EV_DRAFT, a.id, 0, a.state, 0,
                               NULL);
    if (rc == CHORUSACCT_OK) {
        job->out->state = a.state;
        job->out->account_id = a.id;
    }
    return rc;
}

static int draft_create_step(chorusacct_ctx *ctx, const chorusacct_signup *form,
                             chorusacct_signup_result *out)
{
    signup_job job;
    int rc = start(ctx, form, out, &job);
    if (rc != CHORUSACCT_OK)
        return give(&job, rc);
    check_personal(ctx, &job.f, &job.a, job.out);
    return give(&job, finish(ctx, &job, draft_body, "draft"));
}

int chorusacct_draft_create(chorusacct_ctx *ctx, const chorusacct_signup *form,
                            chorusacct_signup_result *out)
{
    CA_STEP(ctx, "draft_create", draft_create_step(ctx, form, out));
}

static int draft_finalize_step(chorusacct_ctx *ctx, int64_t account_id,
                               const chorusacct_signup *form,
                               chorusacct_signup_result *out)
{
    signup_job job;
    int rc = start(ctx, form, out, &job);
    if (rc != CHORUSACCT_OK)
        return give(&job, rc);
    if (account_id <= 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "draft id");
    job.draft_id = account_id;
    return structure_steps(ctx, &job);
}

int chorusacct_draft_finalize(chorusacct_ctx *ctx, int64_t account_id,
                              const chorusacct_signup *form,
                              chorusacct_signup_result *out)
{
    CA_STEP(ctx, "draft_finalize",
            draft_finalize_step(ctx, account_id, form, out));
}

int chorusacct_signup_init(chorusacct_signup *form, size_t struct_size)
{
    int rc = chorusacct__struct_init(form, struct_size, CA_V1_SIGNUP);
    if (rc != CHORUSACCT_OK)
        return rc;
    form->lang = -1;
    return CHORUSACCT_OK;
}

int chorusacct_structure_lookup(chorusacct_ctx *ctx, int id_type,
                                const char *identifier, int *declared,
                                chorusacct_structure *out, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (identifier == NULL || declared == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "lookup arguments");
    *declared = 0;
    size_t n = 0;
    int rc;
    if (out != NULL &&
        (rc = chorusacct__out_check(ctx, out, sizeof *out, CA_V1_STRUCTURE,
                                    "structure", &n)) != CHORUSACCT_OK)
        return rc;
    char id[CHORUSACCT_IDENTIFIER_SIZE];
    int why = CHORUSACCT_E_INTERNAL;
    rc = chorusacct_identifier_check(id_type, identifier, strlen(identifier), 0,
                                     id, sizeof id, NULL, &why);
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, reason, why);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "identifier");
    if (id[0] == '\0')
        return CHORUSACCT_OK; /* types without a value are never shared */
    if (!ctx->have_storage)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "no storage set");
    chorusacct_structure s;
    chorusacct__structure_blank(&s);
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    rc = st->structure_find(st->user_data, id_type, id, &s);
    if (rc == CHORUSACCT_E_NOTFOUND)
        return CHORUSACCT_OK;
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "structure lookup");
    *declared = 1;
    /* In enumeration-safe mode ids are never told (docs/flow.md): the
     * principal's and the structure's would tell which sign-ups made an
     * account. */
    if (ctx->cfg.flags & CHORUSACCT_CFG_ENUMERATION_SAFE)
        s.id = s.principal_id = 0;
    if (out != NULL)
        chorusacct__out_write(out, &s, n);
    return CHORUSACCT_OK;
}
