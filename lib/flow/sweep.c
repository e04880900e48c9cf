/*
 * The sweep: expires what is due, purges what is old, and keeps every
 * structure with a principal manager who can still act.
 */
#include "flow_int.h"

#include <string.h>

int chorusacct__promote(chorusacct_ctx *ctx, chorusacct_account *b,
                        chorusacct_account *old, chorusacct_structure *s,
                        int event)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    int rc = CHORUSACCT_OK;
    if (old != NULL && old->role == CHORUSACCT_ROLE_PRINCIPAL) {
        old->role = CHORUSACCT_ROLE_USER;
        old->updated_at = now;
        rc = st->account_update(st->user_data, old);
    }
    s->principal_id = b->id;
    if (rc == CHORUSACCT_OK)
        rc = st->structure_update(st->user_data, s);
    b->role = CHORUSACCT_ROLE_PRINCIPAL;
    b->expires_at = ca_time_add(now, ctx->cfg.activation_ttl);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__move(ctx, b, CHORUSACCT_STATE_AWAITING_ACTIVATION,
                              event, 0, NULL);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__enqueue_activation(ctx, b, s,
                                            CHORUSACCT_MAIL_ACTIVATION);
    return rc;
}

/* The oldest request waiting in a structure, if any. */
static int first_pending(chorusacct_ctx *ctx, int64_t structure_id,
                         chorusacct_account *out, bool *found)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = (uint32_t)sizeof q;
    q.structure_id = structure_id;
    q.state = CHORUSACCT_STATE_PENDING_APPROVAL;
    size_t n = 0;
    int rc = st->account_list(st->user_data, &q, out, 1, &n);
    *found = rc == CHORUSACCT_OK && n == 1;
    return rc;
}

typedef struct {
    int64_t id;
    chorusacct_sweep_result done; /* this account's part, once committed */
} sweep_job;

static int expire_body(chorusacct_ctx *ctx, void *arg)
{
    sweep_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account a, b;
    chorusacct_structure s;
    chorusacct__account_blank(&a);
    chorusacct__account_blank(&b);
    chorusacct__structure_blank(&s);
    memset(&job->done, 0, sizeof job->done);
    int rc = st->account_get(st->user_data, job->id, &a);
    if (rc == CHORUSACCT_E_NOTFOUND)
        return CHORUSACCT_OK; /* gone in between */
    if (rc != CHORUSACCT_OK || a.expires_at == 0 || a.expires_at > now)
        return rc;

    if (a.state == CHORUSACCT_STATE_EXPIRED ||
        a.state == CHORUSACCT_STATE_REJECTED) {
        const bool principal = a.role == CHORUSACCT_ROLE_PRINCIPAL;
        rc = st->account_delete(st->user_data, a.id);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__audit(ctx, CHORUSACCT_EV_PURGE, a.id, a.state, 0,
                                   0, NULL);
        if (rc != CHORUSACCT_OK || a.structure_id == 0)
            return rc;
        job->done.purged++;
        rc = st->structure_get(st->user_data, a.structure_id, &s);
        if (rc != CHORUSACCT_OK)
            return rc == CHORUSACCT_E_NOTFOUND ? CHORUSACCT_OK : rc;
        chorusacct_account_query q;
        memset(&q, 0, sizeof q);
        q.struct_size = (uint32_t)sizeof q;
        q.structure_id = s.id;
        size_t left = 0;
        rc = st->account_list(st->user_data, &q, &b, 1, &left);
        if (rc != CHORUSACCT_OK)
            return rc;
        if (left == 0)
            return st->structure_delete(st->user_data, s.id);
        if (!principal)
            return CHORUSACCT_OK;
        /* The structure lost its principal (a first declarer whose grace
         * ended, or one rejected or expired otherwise): the first
         * applicant waiting takes the role (event promote). */
        bool found;
        rc = first_pending(ctx, s.id, &b, &found);
        if (rc == CHORUSACCT_OK && found) {
            rc = chorusacct__promote(ctx, &b, NULL, &s, CHORUSACCT_EV_PROMOTE);
            job->done.promoted += rc == CHORUSACCT_OK;
        }
        return rc;
    }

    const int from = a.state;
    if (from != CHORUSACCT_STATE_CREATED &&
        from != CHORUSACCT_STATE_PENDING_APPROVAL &&
        from != CHORUSACCT_STATE_AWAITING_ACTIVATION)
        return CHORUSACCT_OK;
    /* A structure's first declarer who never activated keeps the claim
     * for promotion_grace (docs/flow.md, "A structure's first declarer"):
     * a new link (resend) revives it meanwhile, and a notice says so.
     * Only when it is purged, at the end of that grace, does the oldest
     * applicant waiting become principal manager (above). */
    const bool declarer = from == CHORUSACCT_STATE_AWAITING_ACTIVATION &&
                          a.role == CHORUSACCT_ROLE_PRINCIPAL &&
                          a.activated_at == 0 && a.structure_id != 0;
    a.expires_at = ca_time_add(now, declarer ? ctx->cfg.promotion_grace
                                             : ctx->cfg.purge_after);
    /* An unconfirmed request to join (enumeration-safe mode) expires as
     * a draft does: without its structure, so that a resend cannot make
     * it a request the managers see, and a new sign-up replaces it. */
    const bool unconfirmed = chorusacct__unconfirmed(&a);
    if (unconfirmed)
        a.structure_id = 0;
    rc = chorusacct__move(ctx, &a, CHORUSACCT_STATE_EXPIRED,
                          CHORUSACCT_EV_EXPIRE, 0, NULL);
    if (rc == CHORUSACCT_OK &&
        (from == CHORUSACCT_STATE_AWAITING_ACTIVATION || unconfirmed))
        rc = st->token_revoke(st->user_data, a.id, CA_TOKEN_ACTIVATION,
                              ca_used_at(now));
    if (rc == CHORUSACCT_OK && declarer) {
        rc = st->structure_get(st->user_data, a.structure_id, &s);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_CLAIM_NOTICE, &a,
                                     NULL, &s, a.login_email);
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    job->done.expired++;
    return rc;
}

static int sweep_step(chorusacct_ctx *ctx, chorusacct_sweep_result *out)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    chorusacct_sweep_result counts = {.struct_size = sizeof counts};
    size_t out_n = 0;
    int rc = CHORUSACCT_OK;
    if (out != NULL &&
        (rc = chorusacct__out_check(ctx, out, sizeof *out, CA_V1_SWEEP_RESULT,
                                    "sweep result", &out_n)) != CHORUSACCT_OK)
        return rc;
    if (out != NULL)
        chorusacct__out_write(out, &counts, out_n);
    rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = (uint32_t)sizeof q;
    q.expires_before = ca_time_add(now, 1); /* expires_at <= now */
    /* In expiry order the listing costs what expires, not every account
     * that has an expiry; each account done moves out of the range (a
     * later expiry, or deleted), and the cursor goes past the others. */
    q.order = CHORUSACCT_ORDER_EXPIRY;
    chorusacct_account page[8];
    size_t n;
    sweep_job job;
    /* One transaction per account: a failure leaves the others done and
     * this one as it was. */
    do {
        rc = st->account_list(st->user_data, &q, page, CA_ARRAY_LEN(page), &n);
        if (rc != CHORUSACCT_OK)
            return chorusacct__fail(ctx, rc, "sweep");
        for (size_t i = 0; i < n && rc == CHORUSACCT_OK; i++) {
            job.id = page[i].id;
            q.after_id = page[i].id;
            q.after_expires_at = page[i].expires_at;
            rc = chorusacct__txn(ctx, expire_body, &job, "sweep");
            if (rc == CHORUSACCT_OK) {
                counts.expired += job.done.expired;
                counts.purged += job.done.purged;
                counts.promoted += job.done.promoted;
            }
        }
    } while (rc == CHORUSACCT_OK && n == CA_ARRAY_LEN(page));
    if (rc == CHORUSACCT_OK) {
        rc = st->gc(st->user_data, ca_time_sub(now, ctx->cfg.purge_after));
        if (rc != CHORUSACCT_OK)
            rc = chorusacct__fail(ctx, rc, "sweep");
    }
    if (out != NULL)
        chorusacct__out_write(out, &counts, out_n);
    return rc;
}

int chorusacct_sweep(chorusacct_ctx *ctx, chorusacct_sweep_result *out)
{
    CA_STEP(ctx, "sweep", sweep_step(ctx, out));
}
