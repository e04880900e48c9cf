/*
 * Plumbing that the test kit's library needs as well as libchorusacct
 * (lib/meson.build links this file into both, hidden in each): writing
 * into a caller's buffer, and versioned structures: their _init, copying
 * what a caller gives, writing what a caller takes, no further than its
 * struct_size.
 */
#include "internal.h"

#include <string.h>

int chorusacct__emit(const char *s, size_t n, char *buf, size_t cap,
                     size_t *len_out)
{
    if (len_out != NULL)
        *len_out = n;
    if (cap == 0 && buf == NULL)
        return CHORUSACCT_OK;
    if (cap < n + 1) {
        if (cap > 0)
            buf[0] = '\0';
        return CHORUSACCT_E_TOOSMALL;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return CHORUSACCT_OK;
}

void chorusacct__clear(char *buf, size_t cap, size_t *len_out)
{
    if (buf != NULL && cap > 0)
        buf[0] = '\0';
    if (len_out != NULL)
        *len_out = 0;
}

int chorusacct__struct_init(void *p, size_t struct_size, size_t min)
{
    if (p == NULL || struct_size < min || struct_size > UINT32_MAX)
        return CHORUSACCT_E_ARG;
    memset(p, 0, struct_size);
    uint32_t size = (uint32_t)struct_size;
    memcpy(p, &size, sizeof size);
    return CHORUSACCT_OK;
}

size_t chorusacct__out_size(const void *p, size_t ours, size_t min)
{
    uint32_t size;
    if (p == NULL)
        return 0;
    memcpy(&size, p, sizeof size);
    if (size < min)
        return 0;
    return size < ours ? size : ours;
}

void chorusacct__out_write(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
    uint32_t size = (uint32_t)n;
    memcpy(dst, &size, sizeof size);
}

size_t chorusacct__table_start(void *out, size_t ours, size_t min)
{
    size_t n = chorusacct__out_size(out, ours, min);
    if (n > 0) {
        memset((unsigned char *)out + sizeof(uint32_t), 0,
               n - sizeof(uint32_t));
        uint32_t size = (uint32_t)n;
        memcpy(out, &size, sizeof size);
    }
    return n;
}

int chorusacct__ops_copy(void *dst, size_t dst_size, const void *src,
                         size_t min)
{
    uint32_t src_size;
    if (dst == NULL || src == NULL)
        return CHORUSACCT_E_ARG;
    memcpy(&src_size, src, sizeof src_size);
    if (src_size < min)
        return CHORUSACCT_E_ARG;
    memset(dst, 0, dst_size);
    memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
    /* The copy is ours, of our size, with our defaults past src's end. */
    uint32_t ours = (uint32_t)dst_size;
    memcpy(dst, &ours, sizeof ours);
    return CHORUSACCT_OK;
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
