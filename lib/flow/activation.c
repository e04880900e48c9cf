/*
 * Activation: tokens, the read-only check, activation itself (password
 * set, token consumed, account active in one transaction), and resends.
 */
#include "flow_int.h"

#include <sodium.h>
#include <string.h>

bool chorusacct__token_hash(const chorusacct_ctx *ctx, const char *token,
                            uint8_t *out32)
{
    size_t n = 0;
    for (; token[n] != '\0'; n++) {
        char c = token[n];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || n >= CA_TOKEN_LEN)
            return false;
    }
    if (n != CA_TOKEN_LEN)
        return false;
    chorusacct__keyed_hash(ctx, CA_KEY_ACTIVATION, token, n, out32);
    return true;
}

int chorusacct__token_mint(chorusacct_ctx *ctx, chorusacct_account *a,
                           char *text)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    uint8_t raw[CA_TOKEN_BYTES];
    chorusacct_token t;
    memset(&t, 0, sizeof t);
    t.struct_size = (uint32_t)sizeof t;
    t.purpose = CA_TOKEN_ACTIVATION;
    t.account_id = a->id;
    t.created_at = chorusacct__now(ctx);
    t.expires_at = ca_time_add(t.created_at, ctx->cfg.activation_ttl);
    chorusacct__random(ctx, raw, sizeof raw);
    sodium_bin2base64(text, CA_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    (void)chorusacct__token_hash(ctx, text, t.hash);
    /* One valid link at a time: a new one retires the older ones. */
    int rc = st->token_revoke(st->user_data, a->id, CA_TOKEN_ACTIVATION,
                              ca_used_at(t.created_at));
    if (rc == CHORUSACCT_OK)
        rc = st->token_insert(st->user_data, &t);
    if (rc == CHORUSACCT_OK) {
        a->expires_at = t.expires_at;
        a->updated_at = t.created_at;
        rc = st->account_update(st->user_data, a);
    }
    if (rc != CHORUSACCT_OK)
        sodium_memzero(text, CA_TOKEN_LEN + 1);
    return rc;
}

/* What a token says, as the check and the activation both need it. */
typedef struct {
    uint8_t hash[32];
    chorusacct_token t;
    chorusacct_account a;
} token_view;

/* What a token is read for: an activation, a confirmation of a request
 * to join (chorusacct_request_confirm), or the read-only lookup, which
 * tells either. */
enum { CA_VIEW_ACTIVATE, CA_VIEW_CONFIRM, CA_VIEW_LOOKUP };

bool chorusacct__unconfirmed(const chorusacct_account *a)
{
    return a->state == CHORUSACCT_STATE_CREATED && a->structure_id != 0;
}

int64_t chorusacct__managed(const chorusacct_account *a)
{
    return chorusacct__unconfirmed(a) ? 0 : a->structure_id;
}

static int token_view_load(chorusacct_ctx *ctx, token_view *v, int *why,
                           int mode)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    memset(&v->t, 0, sizeof v->t);
    v->t.struct_size = (uint32_t)sizeof v->t;
    chorusacct__account_blank(&v->a);
    *why = 0;
    int rc = st->token_get(st->user_data, v->hash, &v->t);
    if (rc == CHORUSACCT_OK)
        rc = st->account_get(st->user_data, v->t.account_id, &v->a);
    if (rc == CHORUSACCT_E_NOTFOUND ||
        (rc == CHORUSACCT_OK && v->t.purpose != CA_TOKEN_ACTIVATION)) {
        *why = CHORUSACCT_E_TOKEN_INVALID;
        return CHORUSACCT_OK;
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    if (v->a.state == CHORUSACCT_STATE_ACTIVE)
        *why = CHORUSACCT_E_ALREADY_ACTIVE; /* a second click */
    else if (v->a.state == CHORUSACCT_STATE_EXPIRED)
        *why = CHORUSACCT_E_TOKEN_EXPIRED; /* its tokens were revoked */
    else if (v->t.used_at != 0)
        /* Consumed by an activation (the account was disabled since) or
         * a confirmation, or retired by a newer link. */
        *why = v->a.state == CHORUSACCT_STATE_DISABLED ||
                       (mode != CA_VIEW_ACTIVATE &&
                        v->a.state != CHORUSACCT_STATE_AWAITING_ACTIVATION &&
                        !chorusacct__unconfirmed(&v->a))
                   ? CHORUSACCT_E_TOKEN_USED
                   : CHORUSACCT_E_TOKEN_INVALID;
    else if (v->t.expires_at <= now)
        *why = CHORUSACCT_E_TOKEN_EXPIRED;
    else if (mode == CA_VIEW_CONFIRM ? !chorusacct__unconfirmed(&v->a)
             : mode == CA_VIEW_LOOKUP
                 ? v->a.state != CHORUSACCT_STATE_AWAITING_ACTIVATION &&
                       !chorusacct__unconfirmed(&v->a)
                 : v->a.state != CHORUSACCT_STATE_AWAITING_ACTIVATION)
        *why = CHORUSACCT_E_STATE;
    return CHORUSACCT_OK;
}

/* Throttle, parse and look up: the start of both the check and the
 * activation. */
static int token_start(chorusacct_ctx *ctx, const char *token,
                       const char *client_key, token_view *v, int *why,
                       int mode)
{
    *why = 0;
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    rc = chorusacct__throttle(ctx, "token", client_key, NULL);
    if (rc == CHORUSACCT_E_THROTTLED) {
        *why = rc;
        return CHORUSACCT_OK;
    }
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "throttle");
    if (!chorusacct__token_hash(ctx, token, v->hash)) {
        *why = CHORUSACCT_E_TOKEN_INVALID;
        return CHORUSACCT_OK;
    }
    rc = token_view_load(ctx, v, why, mode);
    return rc != CHORUSACCT_OK ? chorusacct__fail(ctx, rc, "token") : rc;
}

static int activation_lookup_step(chorusacct_ctx *ctx, const char *token,
                                  const char *client_key,
                                  chorusacct_token_info *out, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (token == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "token");
    size_t n = 0;
    if (out != NULL) {
        int rc = chorusacct__out_check(ctx, out, sizeof *out, CA_V1_TOKEN_INFO,
                                       "token info", &n);
        if (rc != CHORUSACCT_OK)
            return rc;
    }
    token_view v;
    int why;
    int rc = token_start(ctx, token, client_key, &v, &why, CA_VIEW_LOOKUP);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (why != 0 && why != CHORUSACCT_E_ALREADY_ACTIVE &&
        why != CHORUSACCT_E_TOKEN_EXPIRED)
        return chorusacct__refuse(ctx, reason, why);
    if (out != NULL) {
        /* Even an expired or spent link tells the page whose it was, so
         * that it can offer the right next step. */
        chorusacct_token_info info;
        memset(&info, 0, sizeof info);
        info.state = v.a.state;
        info.account_id = v.a.id;
        info.expires_at = v.t.expires_at;
        memcpy(info.login_email, v.a.login_email, sizeof info.login_email);
        memcpy(info.first_name, v.a.first_name, sizeof info.first_name);
        memcpy(info.last_name, v.a.last_name, sizeof info.last_name);
        chorusacct__out_write(out, &info, n);
    }
    return why != 0 ? chorusacct__refuse(ctx, reason, why) : CHORUSACCT_OK;
}

int chorusacct_activation_lookup(chorusacct_ctx *ctx, const char *token,
                                 const char *client_key,
                                 chorusacct_token_info *out, int *reason)
{
    CA_STEP(ctx, "activation_lookup",
            activation_lookup_step(ctx, token, client_key, out, reason));
}

typedef struct {
    token_view v;
    char hash[CHORUSACCT_PWHASH_SIZE];
    int why;
} activate_job;

/* A manager who becomes active is told of the requests waiting for the
 * structure (they could not be sent to anyone before). */
static int notify_pending(chorusacct_ctx *ctx, const chorusacct_account *m)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_structure s;
    int rc = chorusacct__structure_load(ctx, m->structure_id, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = (uint32_t)sizeof q;
    q.structure_id = m->structure_id;
    q.state = CHORUSACCT_STATE_PENDING_APPROVAL;
    chorusacct_account p[4];
    size_t n;
    do {
        rc = st->account_list(st->user_data, &q, p, CA_ARRAY_LEN(p), &n);
        for (size_t i = 0; rc == CHORUSACCT_OK && i < n; i++) {
            rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_APPROVAL_REQUEST,
                                     &p[i], m, &s, m->contact_email);
            q.after_id = p[i].id;
        }
    } while (rc == CHORUSACCT_OK && n == CA_ARRAY_LEN(p));
    return rc;
}

/* Inside a transaction: loads the link's view again (another request may
 * have used the token since the checks), and when it may still be used
 * (else REJECTED, *why saying why), uses it up with every other link of
 * the account. */
static int token_spend(chorusacct_ctx *ctx, token_view *v, int *why, int view)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    int rc = token_view_load(ctx, v, why, view);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (*why != 0)
        return CHORUSACCT_E_REJECTED;
    const int64_t now = chorusacct__now(ctx);
    rc = st->token_consume(st->user_data, v->hash, ca_used_at(now));
    if (rc != CHORUSACCT_OK)
        return rc; /* CONFLICT: used in between; the rerun says so */
    return st->token_revoke(st->user_data, v->a.id, CA_TOKEN_ACTIVATION,
                            ca_used_at(now));
}

static int activate_body(chorusacct_ctx *ctx, void *arg)
{
    activate_job *job = arg;
    /* Read again inside the transaction: another request may have used
     * the token since the checks. */
    int rc = token_spend(ctx, &job->v, &job->why, CA_VIEW_ACTIVATE);
    if (rc != CHORUSACCT_OK)
        return rc;
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account *a = &job->v.a;
    memcpy(a->password_hash, job->hash, sizeof a->password_hash);
    a->activated_at = now;
    a->expires_at = 0;
    rc = chorusacct__move(ctx, a, CHORUSACCT_STATE_ACTIVE,
                          CHORUSACCT_EV_ACTIVATE, a->id, NULL);
    if (rc == CHORUSACCT_OK && a->role >= CHORUSACCT_ROLE_MANAGER)
        rc = notify_pending(ctx, a);
    sodium_memzero(a->password_hash, sizeof a->password_hash);
    return rc;
}

int chorusacct_activation_init(chorusacct_activation *form, size_t struct_size)
{
    return chorusacct__struct_init(form, struct_size, CA_V1_ACTIVATION);
}

static int activation_submit_step(chorusacct_ctx *ctx,
                                  const chorusacct_activation *form,
                                  int64_t *account_id, uint32_t *failed_rules,
                                  int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (account_id != NULL)
        *account_id = 0;
    if (failed_rules != NULL)
        *failed_rules = 0;
    chorusacct_activation f;
    int rc = chorusacct__form_copy(ctx, &f, sizeof f, form, CA_V1_ACTIVATION,
                                   "activation form");
    if (rc != CHORUSACCT_OK)
        return rc;
    const char *token = f.token, *password = f.password, *confirm = f.confirm;
    const size_t password_len = f.password_len, confirm_len = f.confirm_len;
    if (token == NULL || (password == NULL && password_len > 0) ||
        (confirm == NULL && confirm_len > 0))
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "activation");
    activate_job job;
    int why;
    rc = token_start(ctx, token, f.client_key, &job.v, &why, CA_VIEW_ACTIVATE);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (why != 0)
        return chorusacct__refuse(ctx, reason, why);

    /* The password: policy, then the person's own data, then the
     * confirmation. */
    uint32_t failed = 0;
    rc = chorusacct_password_check(password, password_len, &failed, NULL, &why);
    if (rc == CHORUSACCT_E_REJECTED) {
        if (failed_rules != NULL)
            *failed_rules = failed;
        return chorusacct__refuse(ctx, reason, why);
    }
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "password");
    rc = chorusacct_password_check_personal(
        password, password_len, job.v.a.login_email, job.v.a.first_name,
        job.v.a.last_name, &why);
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, reason, why);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "password");
    if (confirm_len != password_len ||
        (password_len > 0 &&
         sodium_memcmp(password, confirm, password_len) != 0))
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_PASSWORD_MISMATCH);

    /* argon2id outside the transaction: it takes tens of milliseconds. */
    if (chorusacct__pwhash_str(ctx, job.hash, password, password_len) != 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_NOMEM, "password hash");
    job.why = 0;
    rc = chorusacct__txn(ctx, activate_body, &job, "activation");
    sodium_memzero(job.hash, sizeof job.hash);
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, reason, job.why);
    if (rc == CHORUSACCT_OK && account_id != NULL)
        *account_id = job.v.a.id;
    return rc;
}

int chorusacct_activation_submit(chorusacct_ctx *ctx,
                                 const chorusacct_activation *form,
                                 int64_t *account_id, uint32_t *failed_rules,
                                 int *reason)
{
    CA_STEP(
        ctx, "activation_submit",
        activation_submit_step(ctx, form, account_id, failed_rules, reason));
}

/* ------------------------------------------------------------------ */
/* Confirmation of a request to join (enumeration-safe mode)          */

typedef struct {
    token_view v;
    int why;
} confirm_job;

/* The link proved the mailbox: the request goes to the managers now,
 * and only now (docs/flow.md, "Enumeration safety"). */
static int confirm_body(chorusacct_ctx *ctx, void *arg)
{
    confirm_job *job = arg;
    int rc = token_spend(ctx, &job->v, &job->why, CA_VIEW_CONFIRM);
    if (rc != CHORUSACCT_OK)
        return rc;
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account *a = &job->v.a;
    chorusacct_structure s;
    rc = chorusacct__structure_load(ctx, a->structure_id, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    a->expires_at = ca_time_add(now, ctx->cfg.approval_ttl);
    rc = chorusacct__move(ctx, a, CHORUSACCT_STATE_PENDING_APPROVAL,
                          CHORUSACCT_EV_SIGNUP, a->id, NULL);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_SUMMARY, a, NULL, &s,
                                 a->login_email);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__notify_managers(ctx, a, &s);
    return rc;
}

static int request_confirm_step(chorusacct_ctx *ctx, const char *token,
                                const char *client_key, int64_t *account_id,
                                int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (account_id != NULL)
        *account_id = 0;
    if (token == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "token");
    confirm_job job;
    int why;
    int rc = token_start(ctx, token, client_key, &job.v, &why, CA_VIEW_CONFIRM);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (why != 0)
        return chorusacct__refuse(ctx, reason, why);
    job.why = 0;
    rc = chorusacct__txn(ctx, confirm_body, &job, "confirmation");
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, reason, job.why);
    if (rc == CHORUSACCT_OK && account_id != NULL)
        *account_id = job.v.a.id;
    return rc;
}

int chorusacct_request_confirm(chorusacct_ctx *ctx, const char *token,
                               const char *client_key, int64_t *account_id,
                               int *reason)
{
    CA_STEP(ctx, "request_confirm",
            request_confirm_step(ctx, token, client_key, account_id, reason));
}

/* ------------------------------------------------------------------ */
/* Resends                                                              */

typedef struct {
    const char *email_key; /* by the person */
    int64_t account_id;    /* by a manager */
    int64_t manager_id;
    int why;
} resend_job;

static int resend_body(chorusacct_ctx *ctx, void *arg)
{
    resend_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account a;
    chorusacct_structure s;
    chorusacct__account_blank(&a);
    chorusacct__structure_blank(&s);
    int rc = job->email_key != NULL
                 ? st->account_find(st->user_data, job->email_key, &a)
                 : st->account_get(st->user_data, job->account_id, &a);
    if (rc == CHORUSACCT_E_NOTFOUND) {
        /* An unknown address, or an id that names no account: for a
         * manager, the answer of an account it does not manage, so that
         * ids cannot be probed. */
        job->why = job->email_key != NULL ? CHORUSACCT_E_CREDENTIALS
                                          : CHORUSACCT_E_NOT_MANAGER;
        return CHORUSACCT_E_REJECTED;
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    if (job->manager_id != 0) {
        rc = chorusacct__check_manager(ctx, job->manager_id,
                                       chorusacct__managed(&a), NULL);
        if (rc == CHORUSACCT_E_REJECTED)
            job->why = CHORUSACCT_E_NOT_MANAGER;
        if (rc != CHORUSACCT_OK)
            return rc;
    }

    int target = a.state;
    if (a.state == CHORUSACCT_STATE_EXPIRED)
        target = chorusacct__revive_state(&a);
    if (a.state == CHORUSACCT_STATE_ACTIVE)
        job->why = CHORUSACCT_E_ALREADY_ACTIVE;
    else if (target != CHORUSACCT_STATE_AWAITING_ACTIVATION &&
             (target != CHORUSACCT_STATE_PENDING_APPROVAL ||
              job->manager_id != 0) &&
             (!chorusacct__unconfirmed(&a) || job->manager_id != 0))
        job->why = CHORUSACCT_E_STATE;
    else if (a.resent_at != 0 &&
             ca_time_sub(now, a.resent_at) < ctx->cfg.resend_cooldown)
        job->why = CHORUSACCT_E_RESEND_COOLDOWN;
    if (job->why != 0)
        return CHORUSACCT_E_REJECTED;
    uint32_t sent = 0;
    rc = chorusacct__account_counter(ctx, "resend", a.id, CA_DAY, 0, &sent);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (sent >= ctx->cfg.resend_daily_quota) {
        job->why = CHORUSACCT_E_RESEND_QUOTA;
        return CHORUSACCT_E_REJECTED;
    }
    rc = st->structure_get(st->user_data, a.structure_id, &s);
    if (rc != CHORUSACCT_OK)
        return rc;

    a.resent_at = now;
    a.expires_at = ca_time_add(now, target == CHORUSACCT_STATE_PENDING_APPROVAL
                                        ? ctx->cfg.approval_ttl
                                        : ctx->cfg.activation_ttl);
    if (a.state == CHORUSACCT_STATE_EXPIRED) {
        rc = chorusacct__move(ctx, &a, target, CHORUSACCT_EV_REVIVE,
                              job->manager_id, NULL);
    } else {
        a.updated_at = now;
        rc = st->account_update(st->user_data, &a);
    }
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__audit(ctx, CHORUSACCT_EV_RESEND, a.id, a.state,
                               a.state, job->manager_id, NULL);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__unconfirmed(&a)
                 ? chorusacct__enqueue(ctx, CHORUSACCT_MAIL_CONFIRM_REQUEST, &a,
                                       NULL, &s, a.login_email)
             : target == CHORUSACCT_STATE_PENDING_APPROVAL
                 ? chorusacct__notify_managers(ctx, &a, &s)
                 : chorusacct__enqueue(ctx, CHORUSACCT_MAIL_REMINDER, &a, NULL,
                                       &s, a.login_email);
    /* Counted only for a resend that goes out (counters are never rolled
     * back, so a failed commit after this costs one of the quota). */
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__account_counter(ctx, "resend", a.id, CA_DAY, 1, &sent);
    return rc;
}

static int activation_resend_step(chorusacct_ctx *ctx, const char *login_email,
                                  const char *client_key, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (login_email == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "resend");
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    const bool safe = (ctx->cfg.flags & CHORUSACCT_CFG_ENUMERATION_SAFE) != 0;
    char key[CHORUSACCT_EMAIL_SIZE];
    resend_job job = {.email_key = key};
    rc = chorusacct__throttle(ctx, "resend", client_key, login_email);
    if (rc == CHORUSACCT_E_THROTTLED)
        return safe ? CHORUSACCT_OK : chorusacct__refuse(ctx, reason, rc);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "throttle");
    if (!chorusacct__email_key(key, login_email))
        job.why = CHORUSACCT_E_CREDENTIALS;
    rc = job.why != 0 ? CHORUSACCT_E_REJECTED
                      : chorusacct__txn(ctx, resend_body, &job, "resend");
    /* The same answer whether or not the address is known, or the resend
     * was refused: only a failure of the call itself is told. */
    if (rc == CHORUSACCT_E_REJECTED)
        return safe ? CHORUSACCT_OK : chorusacct__refuse(ctx, reason, job.why);
    return rc;
}

int chorusacct_activation_resend(chorusacct_ctx *ctx, const char *login_email,
                                 const char *client_key, int *reason)
{
    CA_STEP(ctx, "activation_resend",
            activation_resend_step(ctx, login_email, client_key, reason));
}

static int activation_resend_by_step(chorusacct_ctx *ctx, int64_t manager_id,
                                     int64_t account_id, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (manager_id <= 0)
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_NOT_MANAGER);
    resend_job job = {.account_id = account_id, .manager_id = manager_id};
    rc = chorusacct__txn(ctx, resend_body, &job, "resend");
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, reason, job.why);
    return rc;
}

int chorusacct_activation_resend_by(chorusacct_ctx *ctx, int64_t manager_id,
                                    int64_t account_id, int *reason)
{
    CA_STEP(ctx, "activation_resend_by",
            activation_resend_by_step(ctx, manager_id, account_id, reason));
}
