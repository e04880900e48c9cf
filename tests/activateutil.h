/* One call for the tests' activations: fills a chorusacct_activation form
 * with chorusacct_activation_init() and submits it. The public API only. */
#ifndef CHORUSACCT_ACTIVATEUTIL_H
#define CHORUSACCT_ACTIVATEUTIL_H

#include <chorusacct.h>

static inline int activation_submit(chorusacct_ctx *ctx, const char *token,
                                    const char *pw, size_t pw_len,
                                    const char *confirm, size_t confirm_len,
                                    const char *client_key, int64_t *account_id,
                                    uint32_t *failed, int *reason)
{
    chorusacct_activation f;
    int rc = chorusacct_activation_init(&f, sizeof f);
    if (rc != CHORUSACCT_OK)
        return rc;
    f.token = token;
    f.password = pw;
    f.password_len = pw_len;
    f.confirm = confirm;
    f.confirm_len = confirm_len;
    f.client_key = client_key;
    return chorusacct_activation_submit(ctx, &f, account_id, failed, reason);
}

#endif
