/*
 * The storage callback table: its initialiser, and the check that a table
 * the application gives is complete. The contract itself is documented in
 * storage.h and docs/storage.md; conformance.c tests it.
 */
#include "internal.h"

int chorusacct_storage_ops_init(chorusacct_storage_ops *ops,
                                size_t struct_size)
{
    return chorusacct__struct_init(ops, struct_size, CA_V1_STORAGE_OPS);
}

static bool complete(const chorusacct_storage_ops *ops)
{
    return ops->begin != NULL && ops->commit != NULL &&
           ops->rollback != NULL && ops->account_insert != NULL &&
           ops->account_get != NULL && ops->account_find != NULL &&
           ops->account_update != NULL && ops->account_delete != NULL &&
           ops->account_list != NULL && ops->structure_insert != NULL &&
           ops->structure_get != NULL && ops->structure_find != NULL &&
           ops->structure_update != NULL && ops->structure_delete != NULL &&
           ops->token_insert != NULL && ops->token_get != NULL &&
           ops->token_consume != NULL && ops->token_revoke != NULL &&
           ops->captcha_insert != NULL && ops->captcha_get != NULL &&
           ops->captcha_update != NULL && ops->outbox_insert != NULL &&
           ops->outbox_claim != NULL && ops->outbox_update != NULL &&
           ops->outbox_list != NULL && ops->event_append != NULL &&
           ops->event_list != NULL && ops->counter_add != NULL &&
           ops->meta_get != NULL && ops->meta_set != NULL &&
           ops->gc != NULL;
}

int chorusacct__storage_ops_copy(chorusacct_storage_ops *dst,
                                 const chorusacct_storage_ops *src)
{
    if (chorusacct__ops_copy(dst, sizeof *dst, src, CA_V1_STORAGE_OPS) != 0 ||
        !complete(dst))
        return CHORUSACCT_E_ARG;
    return CHORUSACCT_OK;
}
