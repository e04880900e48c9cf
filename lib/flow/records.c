/*
 * The record getters of the public API: accounts, structures and the
 * audit log, as storage keeps them, without what a caller never sees.
 */
#include "flow_int.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Getters                                                              */

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

int chorusacct_account_get(chorusacct_ctx *ctx, int64_t id,
                           chorusacct_account *out)
{
    int rc = getter_ready(ctx, out);
    if (rc != CHORUSACCT_OK)
        return rc;
    rc = chorusacct__account_load(ctx, id, out);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "account");
    chorusacct__account_public(out);
    return CHORUSACCT_OK;
}

int chorusacct_account_find(chorusacct_ctx *ctx, const char *login_email,
                            chorusacct_account *out)
{
    int rc = getter_ready(ctx, out);
    if (rc != CHORUSACCT_OK)
        return rc;
    char key[CHORUSACCT_EMAIL_SIZE];
    if (login_email == NULL || !chorusacct__email_key(key, login_email))
        return chorusacct__fail(ctx, CHORUSACCT_E_NOTFOUND, "account");
    const chorusacct_storage_ops *st = &ctx->storage;
    chorusacct__account_blank(out);
    rc = st->account_find(st->user_data, key, out);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "account");
    chorusacct__account_public(out);
    return CHORUSACCT_OK;
}

int chorusacct_account_list(chorusacct_ctx *ctx,
                            const chorusacct_account_query *q,
                            chorusacct_account *out, size_t max,
                            size_t *count)
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
    if (q != NULL &&
        chorusacct__ops_copy(&all, sizeof all, q, sizeof all) != 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "query");
    const chorusacct_storage_ops *st = &ctx->storage;
    rc = st->account_list(st->user_data, &all, out, max, count);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "account list");
    for (size_t i = 0; i < *count; i++)
        chorusacct__account_public(&out[i]);
    return CHORUSACCT_OK;
}

int chorusacct_structure_get(chorusacct_ctx *ctx, int64_t id,
                             chorusacct_structure *out)
{
    int rc = getter_ready(ctx, out);
    if (rc != CHORUSACCT_OK)
        return rc;
    rc = chorusacct__structure_load(ctx, id, out);
    return rc != CHORUSACCT_OK ? chorusacct__fail(ctx, rc, "structure") : rc;
}

int chorusacct_events_list(chorusacct_ctx *ctx, int64_t account_id,
                           int64_t after_id, chorusacct_event *out,
                           size_t max, size_t *count)
{
    int rc = getter_ready(ctx, count);
    if (rc != CHORUSACCT_OK)
        return rc;
    *count = 0;
    if (out == NULL && max > 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "output");
    const chorusacct_storage_ops *st = &ctx->storage;
    rc = st->event_list(st->user_data, account_id, after_id, out, max, count);
    return rc != CHORUSACCT_OK ? chorusacct__fail(ctx, rc, "events") : rc;
}
