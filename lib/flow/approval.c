/*
 * What managers and account holders do to accounts: approve or reject a
 * request, change roles, disable and enable; and the read-only getters.
 */
#include "flow_int.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    int64_t actor_id;
    int64_t account_id;
    int role;        /* set_role */
    const char *why; /* reject, disable */
    bool approve;
    bool enable;
    int reason; /* out: the refusal */
} decide_job;

static int refuse(decide_job *job, int why)
{
    job->reason = why;
    return CHORUSACCT_E_REJECTED;
}

/* Loads the account a manager acts on. An id that names no account is
 * refused as one of a structure the actor does not manage (nobody
 * manages it): whoever is not a manager of an account's structure gets
 * the same answer for every id, so ids cannot be probed. */
static int load_target(chorusacct_ctx *ctx, decide_job *job,
                       chorusacct_account *a)
{
    int rc = chorusacct__account_load(ctx, job->account_id, a);
    if (rc == CHORUSACCT_E_NOTFOUND)
        return refuse(job, CHORUSACCT_E_NOT_MANAGER);
    return rc;
}

static int decide_body(chorusacct_ctx *ctx, void *arg)
{
    decide_job *job = arg;
    chorusacct_account a;
    chorusacct_structure s;
    /* Authority first: someone who may not decide learns nothing of the
     * request's state. */
    int rc = chorusacct__load_managed(ctx, job->actor_id, job->account_id, &a,
                                      NULL, &job->reason);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (a.state != CHORUSACCT_STATE_PENDING_APPROVAL) {
        /* Approved or rejected by someone, maybe a moment ago. */
        if (a.decided_by != 0)
            return refuse(job, CHORUSACCT_E_ALREADY_DECIDED);
        return refuse(job, CHORUSACCT_E_STATE);
    }
    rc = chorusacct__structure_load(ctx, a.structure_id, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    const int64_t now = chorusacct__now(ctx);
    a.decided_by = job->actor_id;
    if (job->approve) {
        a.expires_at = ca_time_add(now, ctx->cfg.activation_ttl);
        rc = chorusacct__move(ctx, &a, CHORUSACCT_STATE_AWAITING_ACTIVATION,
                              CHORUSACCT_EV_APPROVE, job->actor_id, NULL);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_APPROVED, &a, NULL,
                                     &s, a.contact_email);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__enqueue_activation(ctx, &a, &s,
                                                CHORUSACCT_MAIL_ACTIVATION);
    } else {
        if (!chorusacct__set_field(a.reason, sizeof a.reason, job->why))
            return refuse(job, CHORUSACCT_E_REASON_REQUIRED);
        /* Kept for purge_after, then deleted by the sweep. */
        a.expires_at = ca_time_add(now, ctx->cfg.purge_after);
        rc = chorusacct__move(ctx, &a, CHORUSACCT_STATE_REJECTED,
                              CHORUSACCT_EV_REJECT, job->actor_id, job->why);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_REJECTED, &a, NULL,
                                     &s, a.contact_email);
    }
    return rc;
}

/* Runs a decision and turns its outcome into the public answer. */
static int run(chorusacct_ctx *ctx, ca_txn_body body, decide_job *job,
               int *reason, const char *what)
{
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    job->reason = 0;
    rc = chorusacct__txn(ctx, body, job, what);
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, reason, job->reason);
    return rc;
}

static int account_approve_step(chorusacct_ctx *ctx, int64_t manager_id,
                                int64_t account_id, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    decide_job job = {
        .actor_id = manager_id, .account_id = account_id, .approve = true};
    return run(ctx, decide_body, &job, reason, "approve");
}

int chorusacct_account_approve(chorusacct_ctx *ctx, int64_t manager_id,
                               int64_t account_id, int *reason)
{
    CA_STEP(ctx, "account_approve",
            account_approve_step(ctx, manager_id, account_id, reason));
}

static int account_approve_many_step(chorusacct_ctx *ctx, int64_t manager_id,
                                     const int64_t *account_ids, size_t n,
                                     int *codes)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if ((account_ids == NULL || codes == NULL) && n > 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "approve many");
    int all = CHORUSACCT_OK;
    /* Each request is decided on its own: one refused request does not
     * hold back the others. */
    for (size_t i = 0; i < n; i++) {
        int reason = 0;
        int rc = chorusacct_account_approve(ctx, manager_id, account_ids[i],
                                            &reason);
        codes[i] = rc == CHORUSACCT_E_REJECTED ? reason : rc;
        if (rc != CHORUSACCT_OK)
            all = CHORUSACCT_E_REJECTED;
    }
    if (all != CHORUSACCT_OK)
        snprintf(ctx->last_error, sizeof ctx->last_error, "%s",
                 chorusacct_strerror(CHORUSACCT_E_REJECTED, ctx->cfg.lang));
    return all;
}

int chorusacct_account_approve_many(chorusacct_ctx *ctx, int64_t manager_id,
                                    const int64_t *account_ids, size_t n,
                                    int *codes)
{
    CA_STEP(ctx, "account_approve_many",
            account_approve_many_step(ctx, manager_id, account_ids, n, codes));
}

/* A reason: 1 to 500 characters of text on one line, that the records'
 * CHORUSACCT_REASON_SIZE bytes hold whole (500 characters of three or
 * four bytes would not fit, and cutting them could leave half a character
 * at the end of the audit log's copy). 0, or why it is refused: a control
 * character (tab and line break included: a reason is shown on one line
 * of a list, and a line break in it could pass for another record) or a
 * line separator is CHORUSACCT_E_REASON_CHARACTER; anything else
 * CHORUSACCT_E_REASON_REQUIRED. */
static int reason_check(const char *why)
{
    if (why == NULL)
        return CHORUSACCT_E_REASON_REQUIRED;
    const int rc = chorusacct__free_text(why, 500, false);
    if (rc == CHORUSACCT_E_CHARACTER)
        return CHORUSACCT_E_REASON_CHARACTER;
    if (rc != 0 || strlen(why) >= CHORUSACCT_REASON_SIZE)
        return CHORUSACCT_E_REASON_REQUIRED;
    return 0;
}

static int account_reject_step(chorusacct_ctx *ctx, int64_t manager_id,
                               int64_t account_id, const char *why, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    const int bad = reason_check(why);
    if (bad != 0)
        return chorusacct__refuse(ctx, reason, bad);
    decide_job job = {
        .actor_id = manager_id, .account_id = account_id, .why = why};
    return run(ctx, decide_body, &job, reason, "reject");
}

int chorusacct_account_reject(chorusacct_ctx *ctx, int64_t manager_id,
                              int64_t account_id, const char *why, int *reason)
{
    CA_STEP(ctx, "account_reject",
            account_reject_step(ctx, manager_id, account_id, why, reason));
}

static int role_body(chorusacct_ctx *ctx, void *arg)
{
    decide_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_account actor, a;
    chorusacct_structure s;
    if (job->actor_id == job->account_id)
        return refuse(job, CHORUSACCT_E_SELF);
    int rc = chorusacct__load_managed(ctx, job->actor_id, job->account_id, &a,
                                      &actor, &job->reason);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (actor.role != CHORUSACCT_ROLE_PRINCIPAL)
        return refuse(job, CHORUSACCT_E_NOT_MANAGER);
    if (a.state != CHORUSACCT_STATE_ACTIVE)
        return refuse(job, CHORUSACCT_E_NOT_ACTIVE);
    char why[64];
    snprintf(why, sizeof why, "%s -> %s", chorusacct_role_name(a.role),
             chorusacct_role_name(job->role));
    a.role = job->role;
    a.updated_at = chorusacct__now(ctx);
    rc = st->account_update(st->user_data, &a);
    if (rc == CHORUSACCT_OK && job->role == CHORUSACCT_ROLE_PRINCIPAL) {
        /* One principal: the former one stays a secondary manager. */
        actor.role = CHORUSACCT_ROLE_MANAGER;
        actor.updated_at = a.updated_at;
        rc = st->account_update(st->user_data, &actor);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__structure_load(ctx, a.structure_id, &s);
        if (rc == CHORUSACCT_OK) {
            s.principal_id = a.id;
            rc = st->structure_update(st->user_data, &s);
        }
        if (rc == CHORUSACCT_OK)
            rc = chorusacct__audit(ctx, CHORUSACCT_EV_ROLE, actor.id,
                                   actor.state, actor.state, job->actor_id,
                                   "principal -> manager");
    }
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__audit(ctx, CHORUSACCT_EV_ROLE, a.id, a.state, a.state,
                               job->actor_id, why);
    return rc;
}

static int account_set_role_step(chorusacct_ctx *ctx, int64_t principal_id,
                                 int64_t account_id, int role, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (role < CHORUSACCT_ROLE_USER || role > CHORUSACCT_ROLE_PRINCIPAL)
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_ROLE);
    decide_job job = {
        .actor_id = principal_id, .account_id = account_id, .role = role};
    return run(ctx, role_body, &job, reason, "set role");
}

int chorusacct_account_set_role(chorusacct_ctx *ctx, int64_t principal_id,
                                int64_t account_id, int role, int *reason)
{
    CA_STEP(ctx, "account_set_role",
            account_set_role_step(ctx, principal_id, account_id, role, reason));
}

/*
 * Who made the account's last move to disabled: the actor of its last
 * disable event in the audit log (the account itself, or a manager).
 * `*by` 0 when none is found (an account disabled outside the flow): the
 * caller then takes it as a manager's decision.
 */
static int disabled_by(chorusacct_ctx *ctx, int64_t account_id, int64_t *by)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_event page[8];
    size_t n = 0;
    int64_t after = 0;
    *by = 0;
    do {
        for (size_t i = 0; i < CA_ARRAY_LEN(page); i++) {
            memset(&page[i], 0, sizeof page[i]);
            page[i].struct_size = (uint32_t)sizeof page[i];
        }
        int rc = st->event_list(st->user_data, account_id, after, page,
                                CA_ARRAY_LEN(page), &n);
        if (rc != CHORUSACCT_OK)
            return rc;
        for (size_t i = 0; i < n && i < CA_ARRAY_LEN(page); i++) {
            if (page[i].account_id == account_id &&
                page[i].type == CHORUSACCT_EV_DISABLE)
                *by = page[i].actor_id;
            after = page[i].id;
        }
    } while (n == CA_ARRAY_LEN(page));
    return CHORUSACCT_OK;
}

static int switch_body(chorusacct_ctx *ctx, void *arg)
{
    decide_job *job = arg;
    chorusacct_account a;
    int rc = job->actor_id != job->account_id
                 ? chorusacct__load_managed(ctx, job->actor_id, job->account_id,
                                            &a, NULL, &job->reason)
                 : load_target(ctx, job, &a);
    if (rc != CHORUSACCT_OK)
        return rc;
    const int from =
        job->enable ? CHORUSACCT_STATE_DISABLED : CHORUSACCT_STATE_ACTIVE;
    if (a.state != from)
        return refuse(job, CHORUSACCT_E_STATE);
    /* A structure always keeps its principal manager. */
    if (!job->enable && a.role == CHORUSACCT_ROLE_PRINCIPAL)
        return refuse(job, CHORUSACCT_E_PRINCIPAL);
    if (job->enable && job->actor_id == job->account_id) {
        /* A decision of a manager sticks: the account holder may lift
         * only a deactivation of their own; a manager's (or one whose
         * author is not on record) only an active manager of the
         * structure may lift. */
        int64_t by;
        rc = disabled_by(ctx, a.id, &by);
        if (rc != CHORUSACCT_OK)
            return rc;
        if (by != a.id)
            return refuse(job, CHORUSACCT_E_NOT_MANAGER);
    }
    return chorusacct__move(
        ctx, &a,
        job->enable ? CHORUSACCT_STATE_ACTIVE : CHORUSACCT_STATE_DISABLED,
        job->enable ? CHORUSACCT_EV_ENABLE : CHORUSACCT_EV_DISABLE,
        job->actor_id, job->why);
}

static int account_disable_step(chorusacct_ctx *ctx, int64_t actor_id,
                                int64_t account_id, const char *why,
                                int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    const int bad = why != NULL && why[0] != '\0' ? reason_check(why) : 0;
    if (bad != 0)
        return chorusacct__refuse(ctx, reason, bad);
    decide_job job = {
        .actor_id = actor_id, .account_id = account_id, .why = why};
    return run(ctx, switch_body, &job, reason, "disable");
}

int chorusacct_account_disable(chorusacct_ctx *ctx, int64_t actor_id,
                               int64_t account_id, const char *why, int *reason)
{
    CA_STEP(ctx, "account_disable",
            account_disable_step(ctx, actor_id, account_id, why, reason));
}

static int account_enable_step(chorusacct_ctx *ctx, int64_t actor_id,
                               int64_t account_id, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    decide_job job = {
        .actor_id = actor_id, .account_id = account_id, .enable = true};
    return run(ctx, switch_body, &job, reason, "enable");
}

int chorusacct_account_enable(chorusacct_ctx *ctx, int64_t actor_id,
                              int64_t account_id, int *reason)
{
    CA_STEP(ctx, "account_enable",
            account_enable_step(ctx, actor_id, account_id, reason));
}
