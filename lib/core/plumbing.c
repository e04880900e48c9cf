/*
 * Plumbing that the test kit's library needs as well as libchorusacct
 * (lib/meson.build links this file into both, hidden in each): writing
 * into a caller's buffer, and versioned structures: their _init, copying
 * what a caller gives, writing what a caller takes, no further than its
 * struct_size.
 */
#include "internal.h"

#include <stddef.h>
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

/* The required members of a storage table, in the header's order, by
 * name so that the context's last error can say which one is missing. */
#define REQ(m)                                                                 \
    {                                                                          \
        offsetof(chorusacct_storage_ops, m), #m                                \
    }
static const struct {
    size_t offset;
    const char *name;
} storage_required[] = {
    REQ(begin),
    REQ(commit),
    REQ(rollback),
    REQ(account_insert),
    REQ(account_get),
    REQ(account_find),
    REQ(account_update),
    REQ(account_delete),
    REQ(account_list),
    REQ(structure_insert),
    REQ(structure_get),
    REQ(structure_find),
    REQ(structure_update),
    REQ(structure_delete),
    REQ(token_insert),
    REQ(token_get),
    REQ(token_consume),
    REQ(token_revoke),
    REQ(captcha_insert),
    REQ(captcha_get),
    REQ(captcha_update),
    REQ(outbox_insert),
    REQ(outbox_claim),
    REQ(outbox_update),
    REQ(outbox_list),
    REQ(event_append),
    REQ(event_list),
    REQ(counter_add),
    REQ(meta_get),
    REQ(meta_set),
    REQ(gc),
};
#undef REQ

const char *chorusacct__storage_ops_missing(const chorusacct_storage_ops *ops)
{
    for (size_t i = 0; i < CA_ARRAY_LEN(storage_required); i++) {
        void (*fn)(void);
        memcpy(&fn, (const char *)ops + storage_required[i].offset, sizeof fn);
        if (fn == NULL)
            return storage_required[i].name;
    }
    return NULL;
}

int chorusacct__storage_ops_copy(chorusacct_storage_ops *dst,
                                 const chorusacct_storage_ops *src)
{
    if (chorusacct__ops_copy(dst, sizeof *dst, src, CA_V1_STORAGE_OPS) != 0 ||
        chorusacct__storage_ops_missing(dst) != NULL)
        return CHORUSACCT_E_ARG;
    return CHORUSACCT_OK;
}
