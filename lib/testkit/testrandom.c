/*
 * A seeded, reproducible generator for tests.
 */
#include "internal.h"

#include <chorusacct/testkit.h>

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Seeded generator                                                     */

enum { CA_CHACHA_BLOCK = 64 };

/*
 * The output is the ChaCha20 keystream of the seed (zero nonce), read
 * from its start: byte i of the stream is byte i of the output however
 * the reads are split, so a test that reorders its draws changes only
 * what each draw gets, not the sequence.
 */
struct chorusacct_testrandom {
    pthread_mutex_t lock;
    uint64_t pos; /* bytes handed out so far */
    uint8_t key[crypto_stream_chacha20_KEYBYTES];
};

int chorusacct_testrandom_new(chorusacct_testrandom **out, const uint8_t *seed)
{
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    *out = NULL;
    if (seed == NULL)
        return CHORUSACCT_E_ARG;
    if (chorusacct_init() != CHORUSACCT_OK)
        return CHORUSACCT_E_INIT;
    chorusacct_testrandom *r = malloc(sizeof *r);
    if (r == NULL)
        return CHORUSACCT_E_NOMEM;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        return CHORUSACCT_E_NOMEM;
    }
    r->pos = 0;
    memcpy(r->key, seed, sizeof r->key);
    *out = r;
    return CHORUSACCT_OK;
}

void chorusacct_testrandom_free(chorusacct_testrandom *rnd)
{
    if (rnd == NULL)
        return;
    pthread_mutex_destroy(&rnd->lock);
    sodium_memzero(rnd->key, sizeof rnd->key);
    free(rnd);
}

static void testrandom_fill(void *user_data, uint8_t *buf, size_t len)
{
    static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
    chorusacct_testrandom *r = user_data;
    if (len == 0)
        return;
    (void)pthread_mutex_lock(&r->lock);
    uint64_t block = r->pos / CA_CHACHA_BLOCK;
    size_t skip = (size_t)(r->pos % CA_CHACHA_BLOCK);
    size_t done = 0;
    if (skip != 0) {
        /* The previous read stopped inside a block: regenerate it and
         * hand out its unread tail. */
        uint8_t tmp[CA_CHACHA_BLOCK] = {0};
        crypto_stream_chacha20_xor_ic(tmp, tmp, sizeof tmp, nonce, block,
                                      r->key);
        done = CA_CHACHA_BLOCK - skip;
        if (done > len)
            done = len;
        memcpy(buf, tmp + skip, done);
        sodium_memzero(tmp, sizeof tmp);
        block++;
    }
    if (done < len) {
        memset(buf + done, 0, len - done);
        crypto_stream_chacha20_xor_ic(buf + done, buf + done, len - done, nonce,
                                      block, r->key);
    }
    r->pos += len;
    (void)pthread_mutex_unlock(&r->lock);
}

int chorusacct_testrandom_ops(chorusacct_random_ops *out,
                              chorusacct_testrandom *rnd)
{
    if (rnd == NULL)
        return CHORUSACCT_E_ARG;
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_RANDOM_OPS);
    if (n == 0)
        return CHORUSACCT_E_ARG;
    chorusacct_random_ops table, *ops = &table;
    memset(ops, 0, sizeof *ops);
    ops->struct_size = (uint32_t)sizeof *ops;
    ops->user_data = rnd;
    ops->fill = testrandom_fill;
    chorusacct__out_write(out, ops, n);
    return CHORUSACCT_OK;
}
