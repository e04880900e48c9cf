/*
 * The outbox: delivery of queued messages to the mailer, with leases,
 * retries and dead letters, and the minting of activation links at the
 * moment they are sent.
 */
#include "flow_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLAIM_BATCH 8
#define LINK_CAP 1100

/* Copies `src` into `dst`, replacing every `mark` by `with`; false when it
 * does not fit. */
static bool replace_all(char *dst, size_t cap, const char *src,
                        const char *mark, const char *with)
{
    const size_t mark_len = strlen(mark), with_len = strlen(with);
    size_t n = 0;
    while (*src != '\0') {
        if (strncmp(src, mark, mark_len) == 0) {
            if (n + with_len >= cap)
                return false;
            memcpy(dst + n, with, with_len);
            n += with_len;
            src += mark_len;
        } else {
            if (n + 1 >= cap)
                return false;
            dst[n++] = *src++;
        }
    }
    dst[n] = '\0';
    return true;
}

typedef struct {
    chorusacct_message *m;
    char token[CA_TOKEN_LEN + 1];
    bool cancelled;
} mint_job;

/* Mints the link of an activation message, or cancels the message when
 * its account no longer awaits activation: one transaction. */
static int mint_body(chorusacct_ctx *ctx, void *arg)
{
    mint_job *job = arg;
    const chorusacct_storage_ops *st = &ctx->storage;
    chorusacct_account a;
    chorusacct__account_blank(&a);
    job->cancelled = false;
    int rc = st->account_get(st->user_data, job->m->account_id, &a);
    if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_NOTFOUND)
        return rc;
    if (rc == CHORUSACCT_E_NOTFOUND ||
        a.state != CHORUSACCT_STATE_AWAITING_ACTIVATION) {
        job->cancelled = true;
        job->m->status = CHORUSACCT_MSG_CANCELLED;
        job->m->lease_until = 0;
        return st->outbox_update(st->user_data, job->m);
    }
    return chorusacct__token_mint(ctx, &a, job->token);
}

static int64_t backoff(const chorusacct_ctx *ctx, int attempts)
{
    int64_t delay = ctx->cfg.mail_retry_base;
    for (int i = 1; i < attempts && delay < ctx->cfg.mail_retry_max; i++)
        delay *= 2;
    return delay < ctx->cfg.mail_retry_max ? delay : ctx->cfg.mail_retry_max;
}

/* Sends one claimed message and records the outcome. The mailer is called
 * outside any transaction. */
static int deliver_one(chorusacct_ctx *ctx, chorusacct_message *m,
                       chorusacct_delivery *stats, char *body)
{
    const chorusacct_storage_ops *st = &ctx->storage;
    mint_job job = {.m = m};
    char link[LINK_CAP] = "";
    const bool wants_link = m->kind == CHORUSACCT_MAIL_ACTIVATION ||
                            m->kind == CHORUSACCT_MAIL_REMINDER;
    int rc;

    if (wants_link) {
        rc = chorusacct__txn(ctx, mint_body, &job, "activation link");
        if (rc != CHORUSACCT_OK)
            return rc;
        if (job.cancelled) {
            stats->cancelled++;
            return CHORUSACCT_OK;
        }
        if (!replace_all(link, sizeof link, ctx->activation_url, "{token}",
                         job.token))
            link[0] = '\0';
    }
    int result;
    char error[CHORUSACCT_MAIL_ERROR_SIZE] = "";
    if (!replace_all(body, CHORUSACCT_BODY_SIZE + LINK_CAP, m->body,
                     CA_LINK_MARK, link)) {
        result = CHORUSACCT_MAIL_PERMFAIL;
        snprintf(error, sizeof error, "message too long with its link");
    } else {
        chorusacct_mail mail;
        memset(&mail, 0, sizeof mail);
        mail.struct_size = (uint32_t)sizeof mail;
        mail.kind = m->kind;
        mail.message_id = m->id;
        mail.account_id = m->account_id;
        mail.created_at = m->created_at;
        mail.lang = m->lang;
        mail.attempt = m->attempts + 1;
        mail.to = m->to;
        mail.subject = m->subject;
        mail.body = body;
        mail.link = wants_link ? link : NULL;
        result = ctx->mailer.send(ctx->mailer.user_data, &mail, error,
                                  sizeof error);
        error[sizeof error - 1] = '\0';
    }
    /* The raw token lives only during the mailer call. */
    sodium_memzero(job.token, sizeof job.token);
    sodium_memzero(link, sizeof link);
    sodium_memzero(body, CHORUSACCT_BODY_SIZE + LINK_CAP);

    const int64_t now = chorusacct__now(ctx);
    m->attempts++;
    m->lease_until = 0;
    if (result == CHORUSACCT_MAIL_SENT) {
        m->status = CHORUSACCT_MSG_SENT;
        m->sent_at = now;
        m->last_error[0] = '\0';
        stats->sent++;
    } else {
        if (result != CHORUSACCT_MAIL_PERMFAIL &&
            result != CHORUSACCT_MAIL_TEMPFAIL) {
            snprintf(error, sizeof error, "mailer answered %d", result);
            result = CHORUSACCT_MAIL_TEMPFAIL;
        }
        snprintf(m->last_error, sizeof m->last_error, "%s",
                 error[0] != '\0' ? error
                 : result == CHORUSACCT_MAIL_PERMFAIL ? "permanent failure"
                                                      : "temporary failure");
        if (result == CHORUSACCT_MAIL_PERMFAIL ||
            (uint32_t)m->attempts >= ctx->cfg.mail_max_attempts) {
            m->status = CHORUSACCT_MSG_DEAD;
            stats->dead++;
        } else {
            m->next_attempt_at = now + backoff(ctx, m->attempts);
            stats->retried++;
        }
    }
    rc = st->outbox_update(st->user_data, m);
    return rc != CHORUSACCT_OK ? chorusacct__fail(ctx, rc, "outbox") : rc;
}

int chorusacct_outbox_deliver(chorusacct_ctx *ctx, size_t max,
                               chorusacct_delivery *out)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    chorusacct_delivery stats = {.struct_size = sizeof stats};
    size_t out_n = 0;
    if (out != NULL) {
        int rc = chorusacct__out_check(ctx, out, sizeof *out,
                                       CA_V1_DELIVERY, "delivery", &out_n);
        if (rc != CHORUSACCT_OK)
            return rc;
        chorusacct__out_write(out, &stats, out_n);
    }
    if (!ctx->have_mailer)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "no mailer set");
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    const chorusacct_storage_ops *st = &ctx->storage;
    chorusacct_message *batch = calloc(CLAIM_BATCH, sizeof *batch);
    char *body = malloc(CHORUSACCT_BODY_SIZE + LINK_CAP);
    if (batch == NULL || body == NULL) {
        free(batch);
        free(body);
        return chorusacct__fail(ctx, CHORUSACCT_E_NOMEM, "delivery");
    }
    size_t done = 0;
    while (rc == CHORUSACCT_OK && done < max) {
        const int64_t now = chorusacct__now(ctx);
        size_t want = max - done < CLAIM_BATCH ? max - done : CLAIM_BATCH;
        size_t n = 0;
        for (size_t i = 0; i < want; i++)
            batch[i].struct_size = (uint32_t)sizeof batch[i];
        rc = st->outbox_claim(st->user_data, now, now + ctx->cfg.mail_lease,
                              batch, want, &n);
        if (rc != CHORUSACCT_OK) {
            rc = chorusacct__fail(ctx, rc, "outbox claim");
            break;
        }
        if (n == 0)
            break;
        /* A failure stops the run; the messages still leased go back to
         * the queue when their lease ends. */
        for (size_t i = 0; i < n && rc == CHORUSACCT_OK; i++)
            rc = deliver_one(ctx, &batch[i], &stats, body);
        done += n;
    }
    sodium_memzero(batch, CLAIM_BATCH * sizeof *batch);
    free(batch);
    free(body);
    if (out != NULL)
        chorusacct__out_write(out, &stats, out_n);
    return rc;
}

typedef struct {
    int status;
    char *tmp; /* CHORUSACCT_BODY_SIZE bytes */
} list_job;

static int fetch_messages(chorusacct_ctx *ctx, void *arg, int64_t after_id,
                          void *buf, size_t max, size_t *count)
{
    const list_job *job = arg;
    const chorusacct_storage_ops *st = &ctx->storage;
    int rc = st->outbox_list(st->user_data, job->status, after_id, buf, max,
                             count);
    if (rc != CHORUSACCT_OK)
        return rc;
    /* Show where the link goes, as the template wrote it. */
    chorusacct_message *m = buf;
    for (size_t i = 0; i < *count; i++)
        if (strstr(m[i].body, CA_LINK_MARK) != NULL &&
            replace_all(job->tmp, CHORUSACCT_BODY_SIZE, m[i].body,
                        CA_LINK_MARK, "{link}"))
            memcpy(m[i].body, job->tmp, CHORUSACCT_BODY_SIZE);
    return CHORUSACCT_OK;
}

int chorusacct_outbox_list(chorusacct_ctx *ctx, int status, int64_t after_id,
                           chorusacct_message *out, size_t max,
                           size_t *count)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (count == NULL || (out == NULL && max > 0) || status < 0 ||
        status > CHORUSACCT_MSG_CANCELLED)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "outbox list");
    *count = 0;
    if (!ctx->have_storage)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "no storage set");
    list_job job = {.status = status, .tmp = malloc(CHORUSACCT_BODY_SIZE)};
    if (job.tmp == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_NOMEM, "outbox list");
    int rc = chorusacct__list_out(ctx, fetch_messages, &job, after_id, out,
                                  max, count, sizeof *out, CA_V1_MESSAGE,
                                  offsetof(chorusacct_message, id), NULL,
                                  "outbox list");
    free(job.tmp);
    return rc;
}
