/*
 * The digest of the in-memory store, for tests that prove a failed call
 * left storage as it was. The store's records are private to
 * lib/store/memstore.c, which computes it (chorusacct__memstore_digest(),
 * exported for the test kit only).
 */
#include "internal.h"

#include <chorusacct/testkit.h>

int chorusacct_memstore_digest(chorusacct_memstore *store, uint8_t *out,
                               size_t cap)
{
    if (store == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    if (cap < CHORUSACCT_DIGEST_SIZE)
        return CHORUSACCT_E_TOOSMALL;
    return chorusacct__memstore_digest(store, out);
}

uint64_t chorusacct_testkit_pwhash_count(const chorusacct_ctx *ctx)
{
    return chorusacct__ctx_pwhash_count(ctx);
}
