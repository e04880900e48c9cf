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

/* ------------------------------------------------------------------ */
/* Rendering a stored message                                           */

/* Line breaks (LF, CR) become spaces: a subject is one line. */
static void one_line(char *s)
{
    for (; (s = strpbrk(s, "\r\n")) != NULL; s++)
        *s = ' ';
}

/* Reads a stored snapshot into NUL-terminated values in `scratch`
 * (CA_SNAP_SCRATCH bytes); false when it is not one this library wrote.
 * Whatever the stored bytes, it reads and writes within bounds. */
static bool snap_read(const char *body, const char *to, const char **v,
                      char *scratch)
{
    const char *p = body, *end = body + strlen(body);
    size_t used = 0, n = 0;
    if (end - p < 3 || *p++ != CA_SNAP_MARK || *p++ != '0' + CA_SNAP_VERSION ||
        *p++ != '\n')
        return false;
    while (p < end) {
        if (*p == '=' && n < CA_SNAP_FIELDS) {
            v[n++] = to;
            p++;
            continue;
        }
        size_t len = 0, digits = 0;
        for (; *p >= '0' && *p <= '9' && digits < 5; p++, digits++)
            len = len * 10 + (size_t)(*p - '0');
        if (digits == 0 || *p++ != ':' || n == CA_SNAP_FIELDS ||
            len > (size_t)(end - p))
            return false;
        /* Each value is shorter than what holds it, its length and colon:
         * the values and their NULs fit the body's size. */
        memcpy(scratch + used, p, len);
        scratch[used + len] = '\0';
        v[n++] = scratch + used;
        used += len + 1;
        p += len;
    }
    if (n != CA_SNAP_REQUIRED && n != CA_SNAP_FIELDS)
        return false;
    if (n == CA_SNAP_REQUIRED) {
        v[CA_SNAP_ABOUT_FIRST_NAME] = v[CA_SNAP_FIRST_NAME];
        v[CA_SNAP_ABOUT_LAST_NAME] = v[CA_SNAP_LAST_NAME];
        v[CA_SNAP_ABOUT_LOGIN_EMAIL] = v[CA_SNAP_LOGIN_EMAIL];
    }
    return true;
}

/* A code as the snapshot writes it: decimal, possibly negative. */
static bool snap_code(const char *s, int *out)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || x < -1000 || x > 1000)
        return false;
    *out = (int)x;
    return true;
}

int chorusacct__message_render(const chorusacct_ctx *ctx,
                               const chorusacct_message *m, const char *link,
                               char *subject, char *body, size_t extra,
                               char *scratch)
{
    const size_t body_cap = CHORUSACCT_BODY_SIZE + extra;
    /* The kind indexes the templates: one from storage is checked. */
    if (m->kind < 1 || m->kind > CA_MAIL_KINDS) {
        subject[0] = body[0] = '\0';
        return CHORUSACCT_E_STORAGE;
    }
    if (m->body[0] != CA_SNAP_MARK) {
        /* Rendered when it was queued: sent as stored, but for the link.
         * (`body` may be `m->body`: the text goes through `scratch`.) */
        size_t n = strnlen(m->body, CHORUSACCT_BODY_SIZE - 1);
        memcpy(scratch, m->body, n);
        scratch[n] = '\0';
        if (subject != m->subject)
            snprintf(subject, CHORUSACCT_SUBJECT_SIZE, "%s", m->subject);
        /* A stored subject is one line, whatever a damaged row holds. */
        one_line(subject);
        return replace_all(body, body_cap, scratch, CA_LINK_MARK, link)
                   ? CHORUSACCT_OK
                   : CHORUSACCT_E_CAPACITY;
    }
    const char *v[CA_SNAP_FIELDS];
    int id_type = 0, state = 0;
    if (memchr(m->body, '\0', CHORUSACCT_BODY_SIZE) == NULL ||
        !snap_read(m->body, m->to, v, scratch) ||
        (v[CA_SNAP_ID_TYPE][0] != '\0' &&
         !snap_code(v[CA_SNAP_ID_TYPE], &id_type)) ||
        !snap_code(v[CA_SNAP_STATE], &state)) {
        subject[0] = body[0] = '\0';
        return CHORUSACCT_E_STORAGE;
    }
    /* From here on the values are in `scratch`: `subject` and `body` may
     * be the message's own fields. */
    char *applicant = scratch + CHORUSACCT_BODY_SIZE;
    snprintf(applicant, 2 * CHORUSACCT_NAME_SIZE, "%s %s",
             v[CA_SNAP_ABOUT_FIRST_NAME], v[CA_SNAP_ABOUT_LAST_NAME]);
    char account_id[24], minutes[24];
    snprintf(account_id, sizeof account_id, "%lld", (long long)m->account_id);
    snprintf(minutes, sizeof minutes, "%lld",
             (long long)(ctx->cfg.activation_ttl / 60));
    const char *id_label = v[CA_SNAP_ID_TYPE][0] != '\0' &&
                                   chorusacct_identifier_number(id_type) > 0
                               ? chorusacct_identifier_label(id_type, m->lang)
                               : "";
    const char *state_label = chorusacct_state_label(state, m->lang);
    const char *company = v[CA_SNAP_COMPANY_NAME];
    const ca_var vars[] = {
        {"first_name", v[CA_SNAP_FIRST_NAME]},
        {"last_name", v[CA_SNAP_LAST_NAME]},
        {"login_email", v[CA_SNAP_LOGIN_EMAIL]},
        {"contact_email", v[CA_SNAP_CONTACT_EMAIL]},
        {"phone", v[CA_SNAP_PHONE]},
        {"company_name", company[0] != '\0' ? company : "-"},
        {"identifier", v[CA_SNAP_IDENTIFIER]},
        {"id_type", id_label},
        {"account_id", account_id},
        {"state", state_label},
        {"reason", v[CA_SNAP_REASON]},
        {"applicant_name", applicant},
        {"applicant_email", v[CA_SNAP_ABOUT_LOGIN_EMAIL]},
        {"expires_minutes", minutes},
        {"portal", ctx->portal_name},
        {"link", link},
    };
    const char *tpl_subject, *tpl_body;
    chorusacct__template_of(ctx, m->kind, m->lang, &tpl_subject, &tpl_body);
    int rc = chorusacct__render(tpl_subject, vars, CA_ARRAY_LEN(vars), subject,
                                CHORUSACCT_SUBJECT_SIZE, NULL);
    /* A subject template has no line break, but a value may (a rejection
     * reason): the subject stays one line. */
    one_line(subject);
    int rb = chorusacct__render(tpl_body, vars, CA_ARRAY_LEN(vars), body,
                                body_cap, NULL);
    return rc != CHORUSACCT_OK ? rc : rb;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                             */

/* The opaque name of a mail (mailer.h, message_key): a keyed hash of its
 * outbox id and of its link, if any, as 32 hex digits. A Message-ID made
 * from it tells nothing of how many messages or accounts there are (a
 * sequential id would let a person who receives two of their own mails
 * count the sign-ups in between, an address oracle in
 * enumeration-safe mode), and changes with each new link. */
static void message_key(const chorusacct_ctx *ctx, int64_t id, const char *link,
                        char out[33])
{
    uint8_t in[8], h[32];
    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)((uint64_t)id >> (8 * i));
    crypto_generichash_state gs;
    crypto_generichash_init(&gs, ctx->keys[CA_KEY_MESSAGE], 32, sizeof h);
    crypto_generichash_update(&gs, in, sizeof in);
    if (link != NULL)
        crypto_generichash_update(&gs, (const unsigned char *)link,
                                  strlen(link));
    crypto_generichash_final(&gs, h, sizeof h);
    sodium_bin2hex(out, 33, h, 16);
}

typedef struct {
    chorusacct_message *m;
    char token[CA_TOKEN_LEN + 1];
    bool cancelled;
} mint_job;

/* Mints the link of an activation message, or cancels the message when
 * its account no longer awaits activation (a confirmation request: when
 * it is no longer an unconfirmed request to join): one transaction. */
static int mint_body(chorusacct_ctx *ctx, void *arg)
{
    mint_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_account a;
    chorusacct__account_blank(&a);
    job->cancelled = false;
    int rc = st->account_get(st->user_data, job->m->account_id, &a);
    if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_NOTFOUND)
        return rc;
    const bool confirm = job->m->kind == CHORUSACCT_MAIL_CONFIRM_REQUEST;
    if (rc == CHORUSACCT_E_NOTFOUND ||
        (confirm ? !chorusacct__unconfirmed(&a)
                 : a.state != CHORUSACCT_STATE_AWAITING_ACTIVATION)) {
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

/* Room for one delivery's texts: the body with its link, the subject,
 * and the scratch of the rendering. */
typedef struct {
    char body[CHORUSACCT_BODY_SIZE + LINK_CAP];
    char subject[CHORUSACCT_SUBJECT_SIZE];
    char scratch[CA_SNAP_SCRATCH];
} texts;

/* Sends one claimed message and records the outcome. The mailer is called
 * outside any transaction. */
static int deliver_one(chorusacct_ctx *ctx, chorusacct_message *m,
                       chorusacct_delivery *stats, texts *tx)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    mint_job job = {.m = m};
    char link[LINK_CAP] = "";
    const bool wants_link = m->kind == CHORUSACCT_MAIL_ACTIVATION ||
                            m->kind == CHORUSACCT_MAIL_REMINDER ||
                            m->kind == CHORUSACCT_MAIL_CONFIRM_REQUEST;
    int rc;

    if (m->status == CHORUSACCT_MSG_DEAD) {
        /* A row the backend could not read (storage.h, "Damaged rows"):
         * dead with the backend's reason, and the queue goes on. */
        m->lease_until = 0;
        if (m->last_error[0] == '\0')
            snprintf(m->last_error, sizeof m->last_error, "%s",
                     "stored row does not decode");
        stats->dead++;
        rc = st->outbox_update(st->user_data, m);
        return rc != CHORUSACCT_OK ? chorusacct__fail(ctx, rc, "outbox") : rc;
    }
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
    /* The text is made now, with this context's templates: a template
     * replaced after the message was queued applies to it. */
    rc = chorusacct__message_render(ctx, m, link, tx->subject, tx->body,
                                    LINK_CAP, tx->scratch);
    if (rc != CHORUSACCT_OK) {
        /* Nothing later could make it fit or parse: a dead letter, and
         * the queue goes on. */
        result = CHORUSACCT_MAIL_PERMFAIL;
        snprintf(error, sizeof error, "%s",
                 rc == CHORUSACCT_E_CAPACITY
                     ? "message too long for its template"
                     : "stored message does not parse");
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
        mail.subject = tx->subject;
        mail.body = tx->body;
        mail.link = wants_link ? link : NULL;
        char key_hex[33];
        message_key(ctx, m->id, mail.link, key_hex);
        mail.message_key = key_hex;
        const int64_t t0 = ctx->have_log ? chorusacct__mono_ns() : 0;
        result =
            ctx->mailer.send(ctx->mailer.user_data, &mail, error, sizeof error);
        error[sizeof error - 1] = '\0';
        if (ctx->have_log)
            chorusacct__log(ctx, CHORUSACCT_LOG_MAILER, "send", result, 0,
                            m->account_id, chorusacct__mono_ns() - t0);
    }
    /* The raw token lives only during the mailer call. */
    sodium_memzero(job.token, sizeof job.token);
    sodium_memzero(link, sizeof link);
    sodium_memzero(tx->body, sizeof tx->body);

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
                 error[0] != '\0'                     ? error
                 : result == CHORUSACCT_MAIL_PERMFAIL ? "permanent failure"
                                                      : "temporary failure");
        if (result == CHORUSACCT_MAIL_PERMFAIL ||
            (uint32_t)m->attempts >= ctx->cfg.mail_max_attempts) {
            m->status = CHORUSACCT_MSG_DEAD;
            stats->dead++;
        } else {
            m->next_attempt_at = ca_time_add(now, backoff(ctx, m->attempts));
            stats->retried++;
        }
    }
    rc = st->outbox_update(st->user_data, m);
    return rc != CHORUSACCT_OK ? chorusacct__fail(ctx, rc, "outbox") : rc;
}

static int outbox_deliver_step(chorusacct_ctx *ctx, size_t max,
                               chorusacct_delivery *out)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    chorusacct_delivery stats = {.struct_size = sizeof stats};
    size_t out_n = 0;
    if (out != NULL) {
        int rc = chorusacct__out_check(ctx, out, sizeof *out, CA_V1_DELIVERY,
                                       "delivery", &out_n);
        if (rc != CHORUSACCT_OK)
            return rc;
        chorusacct__out_write(out, &stats, out_n);
    }
    if (!ctx->have_mailer)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "no mailer set");
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_message *batch = calloc(CLAIM_BATCH, sizeof *batch);
    texts *tx = malloc(sizeof *tx);
    if (batch == NULL || tx == NULL) {
        free(batch);
        free(tx);
        return chorusacct__fail(ctx, CHORUSACCT_E_NOMEM, "delivery");
    }
    size_t done = 0;
    while (rc == CHORUSACCT_OK && done < max) {
        const int64_t now = chorusacct__now(ctx);
        size_t want = max - done < CLAIM_BATCH ? max - done : CLAIM_BATCH;
        size_t n = 0;
        for (size_t i = 0; i < want; i++)
            batch[i].struct_size = (uint32_t)sizeof batch[i];
        rc = st->outbox_claim(st->user_data, now,
                              ca_time_add(now, ctx->cfg.mail_lease), batch,
                              want, &n);
        if (rc != CHORUSACCT_OK) {
            rc = chorusacct__fail(ctx, rc, "outbox claim");
            break;
        }
        if (n == 0)
            break;
        /* A failure stops the run; the messages still leased go back to
         * the queue when their lease ends. */
        for (size_t i = 0; i < n && rc == CHORUSACCT_OK; i++)
            rc = deliver_one(ctx, &batch[i], &stats, tx);
        done += n;
    }
    sodium_memzero(batch, CLAIM_BATCH * sizeof *batch);
    free(batch);
    free(tx);
    if (out != NULL)
        chorusacct__out_write(out, &stats, out_n);
    return rc;
}

int chorusacct_outbox_deliver(chorusacct_ctx *ctx, size_t max,
                              chorusacct_delivery *out)
{
    CA_STEP(ctx, "outbox_deliver", outbox_deliver_step(ctx, max, out));
}

typedef struct {
    int status;
    char *scratch; /* CA_SNAP_SCRATCH bytes */
} list_job;

static int fetch_messages(chorusacct_ctx *ctx, void *arg, int64_t after_id,
                          void *buf, size_t max, size_t *count)
{
    const list_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    int rc =
        st->outbox_list(st->user_data, job->status, after_id, buf, max, count);
    if (rc != CHORUSACCT_OK)
        return rc;
    /* Rendered as delivery would render it now, the link shown where it
     * goes, as the template writes it. A text too long for its record
     * shows what fits (delivery would not send it). */
    chorusacct_message *m = buf;
    for (size_t i = 0; i < *count && rc == CHORUSACCT_OK; i++) {
        rc = chorusacct__message_render(ctx, &m[i], "{link}", m[i].subject,
                                        m[i].body, 0, job->scratch);
        /* Cut, or (a snapshot that does not parse) empty: listed all the
         * same, so that the outbox can be looked at. */
        if (rc == CHORUSACCT_E_CAPACITY || rc == CHORUSACCT_E_STORAGE)
            rc = CHORUSACCT_OK;
    }
    return rc;
}

int chorusacct_outbox_list(chorusacct_ctx *ctx, int status, int64_t after_id,
                           chorusacct_message *out, size_t max, size_t *count)
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
    list_job job = {.status = status, .scratch = malloc(CA_SNAP_SCRATCH)};
    if (job.scratch == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_NOMEM, "outbox list");
    int rc = chorusacct__list_out(
        ctx, fetch_messages, &job, after_id, out, max, count, sizeof *out,
        CA_V1_MESSAGE, offsetof(chorusacct_message, id), NULL, "outbox list");
    free(job.scratch);
    return rc;
}
