/*
 * Login of an active account: constant-time password verification,
 * rehash when the configured limits changed, lockout after repeated
 * failures. Unknown addresses cost the same time as known ones.
 */
#include "flow_int.h"

#include <sodium.h>
#include <string.h>

typedef struct {
    int64_t id;
    bool success;
    bool rehash;
    char hash[CHORUSACCT_PWHASH_SIZE];
    bool locked; /* out: this failure locked the account */
} login_job;

/* Records the outcome on the account: failures count towards a lockout;
 * a success clears them and may store a stronger hash. */
static int record_body(chorusacct_ctx *ctx, void *arg)
{
    login_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account a;
    int rc = chorusacct__account_load(ctx, job->id, &a);
    if (rc != CHORUSACCT_OK)
        return rc;
    job->locked = false;
    if (job->success) {
        if (a.failed_logins == 0 && !job->rehash)
            return CHORUSACCT_OK;
        a.failed_logins = 0;
        if (job->rehash)
            memcpy(a.password_hash, job->hash, sizeof a.password_hash);
    } else {
        a.failed_logins++;
        if ((uint32_t)a.failed_logins >= ctx->cfg.login_max_failures) {
            a.failed_logins = 0;
            a.locked_until = now + ctx->cfg.lockout_duration;
            job->locked = true;
        }
    }
    a.updated_at = now;
    rc = st->account_update(st->user_data, &a);
    sodium_memzero(a.password_hash, sizeof a.password_hash);
    if (rc == CHORUSACCT_OK && job->locked)
        rc = chorusacct__audit(ctx, CHORUSACCT_EV_LOCKOUT, a.id, a.state,
                               a.state, 0, NULL);
    return rc;
}

/* A hash to check against when there is none, made once per context. */
static const char *dummy_hash(chorusacct_ctx *ctx)
{
    if (ctx->dummy_hash[0] == '\0') {
        uint8_t pw[16];
        chorusacct__random(ctx, pw, sizeof pw);
        if (crypto_pwhash_str(ctx->dummy_hash, (const char *)pw, sizeof pw,
                              ctx->cfg.pwhash_opslimit,
                              (size_t)ctx->cfg.pwhash_memlimit) != 0)
            ctx->dummy_hash[0] = '\0';
    }
    return ctx->dummy_hash;
}

int chorusacct_login(chorusacct_ctx *ctx, const char *login_email,
                     const char *password, size_t password_len,
                     const char *client_key, int64_t *account_id, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (account_id != NULL)
        *account_id = 0;
    if (login_email == NULL || (password == NULL && password_len > 0))
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "login");
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    rc = chorusacct__throttle(ctx, "login", client_key, login_email);
    if (rc == CHORUSACCT_E_THROTTLED)
        return chorusacct__refuse(ctx, reason, rc);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "throttle");

    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    char key[CHORUSACCT_EMAIL_SIZE];
    chorusacct_account a;
    chorusacct__account_blank(&a);
    rc = CHORUSACCT_E_NOTFOUND;
    if (chorusacct__email_key(key, login_email))
        rc = st->account_find(st->user_data, key, &a);
    if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_NOTFOUND)
        return chorusacct__fail(ctx, rc, "login");
    if (rc == CHORUSACCT_OK && a.locked_until > now)
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_LOCKED);

    const bool known = rc == CHORUSACCT_OK && a.password_hash[0] != '\0';
    const char *hash = known ? a.password_hash : dummy_hash(ctx);
    const bool match =
        crypto_pwhash_str_verify(hash, password != NULL ? password : "",
                                 password_len) == 0 &&
        known;
    login_job job = {.id = a.id, .success = match};
    if (rc == CHORUSACCT_OK && match && a.state == CHORUSACCT_STATE_ACTIVE &&
        crypto_pwhash_str_needs_rehash(a.password_hash,
                                       ctx->cfg.pwhash_opslimit,
                                       (size_t)ctx->cfg.pwhash_memlimit) != 0) {
        job.rehash = crypto_pwhash_str(job.hash, password, password_len,
                                       ctx->cfg.pwhash_opslimit,
                                       (size_t)ctx->cfg.pwhash_memlimit) == 0;
    }
    sodium_memzero(a.password_hash, sizeof a.password_hash);
    if (rc == CHORUSACCT_OK && (!match || a.state == CHORUSACCT_STATE_ACTIVE)) {
        rc = chorusacct__txn(ctx, record_body, &job, "login");
        sodium_memzero(job.hash, sizeof job.hash);
        if (rc != CHORUSACCT_OK)
            return rc;
    }
    if (!match)
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_CREDENTIALS);
    if (a.state != CHORUSACCT_STATE_ACTIVE)
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_NOT_ACTIVE);
    if (account_id != NULL)
        *account_id = a.id;
    return CHORUSACCT_OK;
}
