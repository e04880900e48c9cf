/*
 * The log table (context.h, "Log and metrics"): the events, the storage
 * operations timed through a forwarding table, and the setter. Nothing is
 * timed nor reported while no table is set.
 */
#include "flow_int.h"
#include "storage_list.h"

#include <string.h>
#include <time.h>

int64_t chorusacct__mono_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void chorusacct__log(chorusacct_ctx *ctx, int kind, const char *what,
                     int status, int reason, int64_t account_id,
                     int64_t duration_ns)
{
    if (!ctx->have_log)
        return;
    chorusacct_log_event e = {.struct_size = sizeof e,
                              .kind = kind,
                              .what = what != NULL ? what : "",
                              .status = status,
                              .reason = reason,
                              .account_id = account_id,
                              .duration_ns = duration_ns > 0 ? duration_ns : 0};
    ctx->log.event(ctx->log.user_data, &e);
}

void chorusacct__log_step(chorusacct_ctx *ctx, const char *name, int rc,
                          int64_t t0)
{
    chorusacct__log(ctx, CHORUSACCT_LOG_CALL, name, rc,
                    rc == CHORUSACCT_E_REJECTED ? ctx->last_reason : 0, 0,
                    chorusacct__mono_ns() - t0);
}

/* The timed table: each member calls the application's and reports the
 * time it took; its user_data is the context. */
#define TIMED(name, params, args)                                              \
    static int timed_##name params                                             \
    {                                                                          \
        chorusacct_ctx *ctx = ud;                                              \
        const int64_t t0 = chorusacct__mono_ns();                              \
        const int rc = ctx->storage.name args;                                 \
        chorusacct__log(ctx, CHORUSACCT_LOG_STORAGE, #name, rc, 0, 0,          \
                        chorusacct__mono_ns() - t0);                           \
        return rc;                                                             \
    }
#define UD ctx->storage.user_data
TIMED(begin, (void *ud), (UD))
TIMED(commit, (void *ud), (UD))
TIMED(rollback, (void *ud), (UD))
CA_STORAGE_DATA_OPS(TIMED)
#undef UD
#undef TIMED

void chorusacct__log_rewrap(chorusacct_ctx *ctx)
{
    chorusacct_storage_ops *t = &ctx->storage_timed;
    const chorusacct_storage_ops *s = &ctx->storage;
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->user_data = ctx;
    /* A member the application left NULL stays NULL. */
#define SET(name, params, args) t->name = s->name != NULL ? timed_##name : NULL;
    SET(begin, , )
    SET(commit, , )
    SET(rollback, , )
    CA_STORAGE_DATA_OPS(SET)
#undef SET
    t->destroy = NULL; /* the context destroys the application's table */
}

int chorusacct_log_ops_init(chorusacct_log_ops *ops, size_t struct_size)
{
    return chorusacct__struct_init(ops, struct_size, CA_V1_LOG_OPS);
}

void chorusacct__log_free(chorusacct_ctx *ctx)
{
    if (ctx->have_log && ctx->log.destroy != NULL)
        ctx->log.destroy(ctx->log.user_data);
    ctx->have_log = false;
}

int chorusacct_ctx_set_log(chorusacct_ctx *ctx, const chorusacct_log_ops *ops)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    chorusacct_log_ops copy;
    memset(&copy, 0, sizeof copy);
    if (ops != NULL) {
        int rc = chorusacct__form_copy(ctx, &copy, sizeof copy, ops,
                                       CA_V1_LOG_OPS, "log table");
        if (rc != CHORUSACCT_OK)
            return rc;
        if (copy.event == NULL)
            return chorusacct__fail(ctx, CHORUSACCT_E_ARG,
                                    "log table: event is NULL, and it is "
                                    "required");
    }
    chorusacct__log_free(ctx);
    if (ops != NULL) {
        ctx->log = copy;
        ctx->have_log = true;
        chorusacct__log_rewrap(ctx);
    }
    return CHORUSACCT_OK;
}
