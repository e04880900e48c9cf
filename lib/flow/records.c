/*
 * The record getters of the public API: accounts, structures and the
 * audit log, as storage keeps them, without what a caller never sees,
 * written as far as the caller's struct_size reaches.
 */
#include "flow_int.h"

#include <string.h>

static int getter_ready(chorusacct_ctx *ctx, const void *out)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (out == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "output");
    if (!ctx->have_storage)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "no storage set");
    return CHORUSACCT_OK;
}

/* The start of a getter of one record: a context with storage, and an
 * `out` that takes `*n` bytes of a record of `ours` bytes. */
static int getter_start(chorusacct_ctx *ctx, const void *out, size_t ours,
                        size_t min, const char *what, size_t *n)
{
    int rc = getter_ready(ctx, out);
    return rc != CHORUSACCT_OK
               ? rc
               : chorusacct__out_check(ctx, out, ours, min, what, n);
}

/* The account `a` read from storage (rc), to the caller's `out`. */
static int account_out(chorusacct_ctx *ctx, int rc, chorusacct_account *a,
                       chorusacct_account *out, size_t n)
{
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "account");
    chorusacct__account_public(a);
    chorusacct__out_write(out, a, n);
    return CHORUSACCT_OK;
}

int chorusacct_account_get(chorusacct_ctx *ctx, int64_t id,
                           chorusacct_account *out)
{
    size_t n;
    int rc = getter_start(ctx, out, sizeof *out, CA_V1_ACCOUNT, "account", &n);
    if (rc != CHORUSACCT_OK)
        return rc;
    chorusacct_account a;
    rc = chorusacct__account_load(ctx, id, &a);
    return account_out(ctx, rc, &a, out, n);
}

int chorusacct_account_find(chorusacct_ctx *ctx, const char *login_email,
                            chorusacct_account *out)
{
    size_t n;
    int rc = getter_start(ctx, out, sizeof *out, CA_V1_ACCOUNT, "account", &n);
    if (rc != CHORUSACCT_OK)
        return rc;
    char key[CHORUSACCT_EMAIL_SIZE];
    if (login_email == NULL || !chorusacct__email_key(key, login_email))
        return chorusacct__fail(ctx, CHORUSACCT_E_NOTFOUND, "account");
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_account a;
    chorusacct__account_blank(&a);
    rc = st->account_find(st->user_data, key, &a);
    return account_out(ctx, rc, &a, out, n);
}

static int fetch_accounts(chorusacct_ctx *ctx, void *arg, int64_t after_id,
                          void *buf, size_t max, size_t *count)
{
    chorusacct_account_query *q = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    q->after_id = after_id;
    int rc = st->account_list(st->user_data, q, buf, max, count);
    /* In expiry order the next page goes on after this one's last
     * (expires_at, id); chorusacct__list_out passes the id. */
    if (rc == CHORUSACCT_OK && *count > 0)
        q->after_expires_at =
            ((const chorusacct_account *)buf)[*count - 1].expires_at;
    return rc;
}

static void account_fix(void *rec)
{
    chorusacct__account_public(rec);
}

int chorusacct_account_list(chorusacct_ctx *ctx,
                            const chorusacct_account_query *q,
                            chorusacct_account *out, size_t max, size_t *count)
{
    int rc = getter_ready(ctx, count);
    if (rc != CHORUSACCT_OK)
        return rc;
    *count = 0;
    if (out == NULL && max > 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "output");
    chorusacct_account_query all;
    memset(&all, 0, sizeof all);
    all.struct_size = (uint32_t)sizeof all;
    if (q != NULL && (rc = chorusacct__form_copy(
                          ctx, &all, sizeof all, q, CA_V1_ACCOUNT_QUERY,
                          "account query")) != CHORUSACCT_OK)
        return rc;
    return chorusacct__list_out(ctx, fetch_accounts, &all, all.after_id, out,
                                max, count, sizeof *out, CA_V1_ACCOUNT,
                                offsetof(chorusacct_account, id), account_fix,
                                "account list");
}

int chorusacct_structure_get(chorusacct_ctx *ctx, int64_t id,
                             chorusacct_structure *out)
{
    size_t n;
    int rc =
        getter_start(ctx, out, sizeof *out, CA_V1_STRUCTURE, "structure", &n);
    if (rc != CHORUSACCT_OK)
        return rc;
    chorusacct_structure s;
    rc = chorusacct__structure_load(ctx, id, &s);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "structure");
    chorusacct__out_write(out, &s, n);
    return CHORUSACCT_OK;
}

static int fetch_events(chorusacct_ctx *ctx, void *arg, int64_t after_id,
                        void *buf, size_t max, size_t *count)
{
    const int64_t *account_id = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    return st->event_list(st->user_data, *account_id, after_id, buf, max,
                          count);
}

int chorusacct_event_list(chorusacct_ctx *ctx, int64_t account_id,
                          int64_t after_id, chorusacct_event *out, size_t max,
                          size_t *count)
{
    int rc = getter_ready(ctx, count);
    if (rc != CHORUSACCT_OK)
        return rc;
    *count = 0;
    if (out == NULL && max > 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "output");
    return chorusacct__list_out(ctx, fetch_events, &account_id, after_id, out,
                                max, count, sizeof *out, CA_V1_EVENT,
                                offsetof(chorusacct_event, id), NULL, "events");
}
