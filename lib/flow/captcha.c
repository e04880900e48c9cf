/*
 * Built-in captcha challenges: a short code from an alphabet without
 * look-alike characters, shown by the application; only keyed hashes are
 * stored, each challenge expires, allows a few answers and one sign-up.
 */
#include "flow_int.h"

#include <sodium.h>
#include <string.h>

/* No 0/O, 1/I/L: what a person reads is what they type. */
static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
#define ALPHABET_LEN (sizeof alphabet - 1)
#define ID_BYTES 16

/* The answer's hash binds it to its challenge: hash(id ":" answer). */
static void answer_hash(const chorusacct_ctx *ctx, const char *id,
                        const char *answer, size_t answer_len, uint8_t *out)
{
    char buf[CHORUSACCT_CAPTCHA_ID_SIZE + 1 + 64];
    size_t id_len = strlen(id);
    memcpy(buf, id, id_len);
    buf[id_len] = ':';
    memcpy(buf + id_len + 1, answer, answer_len);
    chorusacct__keyed_hash(ctx, CA_KEY_CAPTCHA, buf, id_len + 1 + answer_len,
                           out);
    sodium_memzero(buf, sizeof buf);
}

static int captcha_issue_step(chorusacct_ctx *ctx, const char *client_key,
                              char *id, size_t id_cap, char *text,
                              size_t text_cap, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (id == NULL || text == NULL)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "captcha buffers");
    const size_t id_len = sodium_base64_ENCODED_LEN(
        ID_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (id_cap < id_len || text_cap < ctx->cfg.captcha_length + 1)
        return chorusacct__fail(ctx, CHORUSACCT_E_TOOSMALL, "captcha buffers");
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    rc = chorusacct__throttle(ctx, "captcha", client_key, NULL);
    if (rc == CHORUSACCT_E_THROTTLED)
        return chorusacct__refuse(ctx, reason, rc);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "throttle");

    uint8_t raw[ID_BYTES];
    chorusacct__random(ctx, raw, sizeof raw);
    sodium_bin2base64(id, id_cap, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    /* Rejection sampling keeps every character equally likely. */
    size_t n = 0;
    while (n < ctx->cfg.captcha_length) {
        uint8_t b[16];
        chorusacct__random(ctx, b, sizeof b);
        for (size_t i = 0; i < sizeof b && n < ctx->cfg.captcha_length; i++)
            if (b[i] < 256 - 256 % ALPHABET_LEN)
                text[n++] = alphabet[b[i] % ALPHABET_LEN];
    }
    text[n] = '\0';

    chorusacct_captcha c;
    memset(&c, 0, sizeof c);
    c.struct_size = (uint32_t)sizeof c;
    c.created_at = chorusacct__now(ctx);
    c.expires_at = ca_time_add(c.created_at, ctx->cfg.captcha_ttl);
    chorusacct__keyed_hash(ctx, CA_KEY_CAPTCHA, id, strlen(id), c.id_hash);
    answer_hash(ctx, id, text, n, c.answer_hash);
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    rc = st->captcha_insert(st->user_data, &c);
    if (rc != CHORUSACCT_OK) {
        id[0] = text[0] = '\0';
        return chorusacct__fail(ctx, rc, "captcha");
    }
    return CHORUSACCT_OK;
}

int chorusacct_captcha_issue(chorusacct_ctx *ctx, const char *client_key,
                             char *id, size_t id_cap, char *text,
                             size_t text_cap, int *reason)
{
    CA_STEP(ctx, "captcha_issue",
            captcha_issue_step(ctx, client_key, id, id_cap, text, text_cap,
                               reason));
}

/* What a person typed: case and spaces do not matter. */
static size_t normalize_answer(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in != '\0'; in++) {
        char c = *in;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - ('a' - 'A'));
        if (n + 1 >= cap)
            return cap; /* too long to be right */
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

int chorusacct__captcha_verify(chorusacct_ctx *ctx, const char *id,
                               const char *answer, const char *client_key,
                               const char *address, uint8_t *id_hash, int *why)
{
    *why = 0;
    int rc = chorusacct__throttle(ctx, "answer", client_key, address);
    if (rc == CHORUSACCT_E_THROTTLED) {
        *why = rc;
        return CHORUSACCT_OK;
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    if (ctx->have_captcha) {
        rc =
            ctx->captcha.verify(ctx->captcha.user_data, id, answer, client_key);
        if (rc == CHORUSACCT_E_REJECTED)
            *why = CHORUSACCT_E_CAPTCHA;
        else if (rc != CHORUSACCT_OK)
            return CHORUSACCT_E_CALLBACK;
        return CHORUSACCT_OK;
    }

    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_captcha c;
    memset(&c, 0, sizeof c);
    c.struct_size = (uint32_t)sizeof c;
    /* No challenge at all is not a spent one: the form has to show one. */
    if (id[0] == '\0') {
        *why = CHORUSACCT_E_CAPTCHA_REQUIRED;
        return CHORUSACCT_OK;
    }
    if (strlen(id) >= CHORUSACCT_CAPTCHA_ID_SIZE) {
        *why = CHORUSACCT_E_CAPTCHA_EXPIRED;
        return CHORUSACCT_OK;
    }
    chorusacct__keyed_hash(ctx, CA_KEY_CAPTCHA, id, strlen(id), id_hash);
    rc = st->captcha_get(st->user_data, id_hash, &c);
    if (rc == CHORUSACCT_E_NOTFOUND) {
        *why = CHORUSACCT_E_CAPTCHA_EXPIRED;
        return CHORUSACCT_OK;
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    if (c.used_at != 0 || c.expires_at <= chorusacct__now(ctx)) {
        *why = CHORUSACCT_E_CAPTCHA_EXPIRED;
        return CHORUSACCT_OK;
    }
    /* Answers are counted in a counter, written before the comparison and
     * never rolled back, so that a failure later in the sign-up cannot
     * give an attempt back. The window is the challenge's whole life. */
    char key[CHORUSACCT_KEY_SIZE], hex[65];
    uint32_t tries = 0;
    sodium_bin2hex(hex, sizeof hex, id_hash, 32);
    memcpy(key, "captcha:answers:", 16);
    memcpy(key + 16, hex, sizeof hex);
    rc = st->counter_add(st->user_data, key, c.created_at, 1, &tries);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (tries > ctx->cfg.captcha_max_attempts) {
        *why = CHORUSACCT_E_CAPTCHA_EXPIRED;
        return CHORUSACCT_OK;
    }
    char typed[32];
    uint8_t h[32];
    size_t n = normalize_answer(answer, typed, sizeof typed);
    answer_hash(ctx, id, typed, n < sizeof typed ? n : 0, h);
    if (n >= sizeof typed || crypto_verify_32(h, c.answer_hash) != 0)
        *why = CHORUSACCT_E_CAPTCHA;
    return CHORUSACCT_OK;
}
