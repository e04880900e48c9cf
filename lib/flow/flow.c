/*
 * What every step of the flow shares: records, throttles, audit events,
 * the outbox, manager checks. Each runs inside the caller's transaction
 * unless it says otherwise.
 */
#include "flow_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void chorusacct__account_blank(chorusacct_account *a)
{
    memset(a, 0, sizeof *a);
    a->struct_size = (uint32_t)sizeof *a;
}

void chorusacct__structure_blank(chorusacct_structure *s)
{
    memset(s, 0, sizeof *s);
    s->struct_size = (uint32_t)sizeof *s;
}

int chorusacct__account_load(chorusacct_ctx *ctx, int64_t id,
                             chorusacct_account *a)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct__account_blank(a);
    return st->account_get(st->user_data, id, a);
}

int chorusacct__structure_load(chorusacct_ctx *ctx, int64_t id,
                               chorusacct_structure *s)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct__structure_blank(s);
    return st->structure_get(st->user_data, id, s);
}

void chorusacct__account_public(chorusacct_account *a)
{
    sodium_memzero(a->password_hash, sizeof a->password_hash);
}

bool chorusacct__set_field(char *field, size_t size, const char *value)
{
    size_t n = strlen(value);
    if (n >= size)
        return false;
    memcpy(field, value, n + 1);
    return true;
}

void chorusacct__ascii_lower(char *s)
{
    for (; *s != '\0'; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + ('a' - 'A'));
}

bool chorusacct__email_key(char *key, const char *address)
{
    if (!chorusacct__set_field(key, CHORUSACCT_EMAIL_SIZE, address)) {
        key[0] = '\0';
        return false;
    }
    chorusacct__ascii_lower(key);
    return true;
}

int chorusacct__free_text(const char *s, size_t max_points, bool multiline)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), points = 0, blank = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t step = ca_utf8_decode(p + i, n - i, &cp);
        if (step == 0)
            return CHORUSACCT_E_UTF8;
        i += step;
        bool allowed_ws = multiline && (cp == '\n' || cp == '\t');
        /* U+2028 and U+2029 end a line for some readers. */
        if ((ca_is_control(cp) && !allowed_ws) || cp == 0x2028 || cp == 0x2029)
            return CHORUSACCT_E_CHARACTER;
        if (cp == ' ' || allowed_ws)
            blank++;
        points++;
    }
    if (points == blank)
        return CHORUSACCT_E_EMPTY;
    if (points > max_points)
        return CHORUSACCT_E_TOOLONG;
    return 0;
}

/* ------------------------------------------------------------------ */
/* argon2                                                               */

/*
 * The dummy hash is the encoded form libsodium writes ($argon2id$v=19$
 * m=KiB,t=ops,p=1$salt$digest, unpadded base64) with the configured
 * limits, a random 16-byte salt and a random 32-byte digest: verifying a
 * password against it runs argon2id once with those limits, as for a real
 * hash, and never matches (a digest chosen at random, not computed). No
 * argon2 computation is needed to make it.
 */
void chorusacct__dummy_hash_make(chorusacct_ctx *ctx)
{
    uint8_t salt[crypto_pwhash_SALTBYTES], digest[32];
    char salt64[sodium_base64_ENCODED_LEN(sizeof salt,
                                          sodium_base64_VARIANT_ORIGINAL)];
    char digest64[sodium_base64_ENCODED_LEN(sizeof digest,
                                            sodium_base64_VARIANT_ORIGINAL)];
    chorusacct__random(ctx, salt, sizeof salt);
    chorusacct__random(ctx, digest, sizeof digest);
    sodium_bin2base64(salt64, sizeof salt64, salt, sizeof salt,
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    sodium_bin2base64(digest64, sizeof digest64, digest, sizeof digest,
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    snprintf(ctx->dummy_hash, sizeof ctx->dummy_hash,
             "$argon2id$v=19$m=%llu,t=%llu,p=1$%s$%s",
             (unsigned long long)(ctx->cfg.pwhash_memlimit / 1024),
             (unsigned long long)ctx->cfg.pwhash_opslimit, salt64, digest64);
    sodium_memzero(digest, sizeof digest);
    /* libsodium must read it with our limits, or a verification would
     * fail at once instead of computing: else a real hash of a random
     * password (one computation, here, not in a login). */
    if (crypto_pwhash_str_needs_rehash(ctx->dummy_hash,
                                       ctx->cfg.pwhash_opslimit,
                                       (size_t)ctx->cfg.pwhash_memlimit) != 0) {
        uint8_t pw[16];
        chorusacct__random(ctx, pw, sizeof pw);
        if (chorusacct__pwhash_str(ctx, ctx->dummy_hash, (const char *)pw,
                                   sizeof pw) != 0)
            ctx->dummy_hash[0] = '\0';
        sodium_memzero(pw, sizeof pw);
    }
}

int chorusacct__pwhash_str(chorusacct_ctx *ctx, char *out, const char *password,
                           size_t len)
{
    ctx->pwhash_count++;
    return crypto_pwhash_str(out, password, len, ctx->cfg.pwhash_opslimit,
                             (size_t)ctx->cfg.pwhash_memlimit);
}

bool chorusacct__pwhash_verify(chorusacct_ctx *ctx, const char *hash,
                               const char *password, size_t len)
{
    ctx->pwhash_count++;
    return crypto_pwhash_str_verify(hash, password, len) == 0;
}

uint64_t chorusacct__ctx_pwhash_count(const chorusacct_ctx *ctx)
{
    return ctx != NULL ? ctx->pwhash_count : 0;
}

/* ------------------------------------------------------------------ */
/* Throttles                                                            */

/* Counter keys hold a keyed hash of the address or the application key,
 * never the value itself: storage does not learn who tried what. */
static void counter_key(const chorusacct_ctx *ctx, char *key, size_t cap,
                        const char *action, const char *kind, const char *value)
{
    uint8_t h[32];
    char hex[33];
    chorusacct__keyed_hash(ctx, CA_KEY_THROTTLE, value, strlen(value), h);
    sodium_bin2hex(hex, sizeof hex, h, 16);
    snprintf(key, cap, "%s:%s:%s", action, kind, hex);
}

/* floor(a / b) for b > 0, negative `a` included. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/*
 * The sliding-window approximation: the attempts of the last `len`
 * seconds are those of the current fixed window plus those of the
 * previous one weighted by the part of it still inside the last `len`
 * seconds. A burst at the end of a window so still counts in full at the
 * start of the next, where fixed windows gave a whole new budget.
 *
 * Window number n has the counter "<key>:<n mod 4>", so that the storage
 * contract stays one count per counter. The current window's counter
 * gets the delta; the previous one's is read at its own start (a counter
 * older than it then reads 0); the next one's is read at its start too,
 * which empties what it held (window n - 3, no longer needed) unless a
 * server whose clock is ahead has opened window n + 1 there already: its
 * attempts then count in full here, as the storage contract makes a
 * server behind count against a newer window (clocks that differ by less
 * than a window never give a second budget).
 */
int chorusacct__sliding_add(chorusacct_ctx *ctx, const char *key, int64_t len,
                            uint32_t delta, uint32_t *count)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    const int64_t n = floor_div(now, len), start = n * len;
    char k[CHORUSACCT_KEY_SIZE];
    uint32_t cur = 0, prev = 0, next = 0;
    snprintf(k, sizeof k, "%s:%d", key, (int)(n & 3));
    int rc = st->counter_add(st->user_data, k, start, delta, &cur);
    if (rc != CHORUSACCT_OK)
        return rc;
    snprintf(k, sizeof k, "%s:%d", key, (int)((n - 1) & 3));
    rc = st->counter_add(st->user_data, k, start - len, 0, &prev);
    if (rc != CHORUSACCT_OK)
        return rc;
    snprintf(k, sizeof k, "%s:%d", key, (int)((n + 1) & 3));
    rc = st->counter_add(st->user_data, k, start + len, 0, &next);
    if (rc != CHORUSACCT_OK)
        return rc;
    /* cur + next + prev * (len - elapsed) / len, rounded up. */
    const uint64_t weight = (uint64_t)(len - (now - start));
    const uint64_t scaled =
        ((uint64_t)cur + next) * (uint64_t)len + prev * weight;
    const uint64_t est = (scaled + (uint64_t)len - 1) / (uint64_t)len;
    *count = est > UINT32_MAX ? UINT32_MAX : (uint32_t)est;
    return CHORUSACCT_OK;
}

static int counter_hit(chorusacct_ctx *ctx, const char *key, uint32_t limit,
                       int64_t window_len, bool *over)
{
    uint32_t count = 0;
    int rc = chorusacct__sliding_add(ctx, key, window_len, 1, &count);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (count > limit)
        *over = true;
    return CHORUSACCT_OK;
}

void chorusacct__address_lower(char *lower, const char *address)
{
    snprintf(lower, CHORUSACCT_EMAIL_SIZE, "%s", address);
    chorusacct__ascii_lower(lower);
}

int chorusacct__throttle(chorusacct_ctx *ctx, const char *action,
                         const char *client_key, const char *address)
{
    char key[CHORUSACCT_KEY_SIZE];
    bool over = false;
    int rc;
    if (client_key != NULL && client_key[0] != '\0') {
        counter_key(ctx, key, sizeof key, action, "key", client_key);
        rc = counter_hit(ctx, key, ctx->cfg.key_attempts_per_hour, CA_HOUR,
                         &over);
        if (rc != CHORUSACCT_OK)
            return rc;
    }
    if (address != NULL && address[0] != '\0') {
        char lower[CHORUSACCT_EMAIL_SIZE];
        chorusacct__address_lower(lower, address);
        counter_key(ctx, key, sizeof key, action, "addr", lower);
        rc = counter_hit(ctx, key, ctx->cfg.address_attempts_per_hour, CA_HOUR,
                         &over);
        if (rc != CHORUSACCT_OK)
            return rc;
    }
    if (over)
        chorusacct__log(ctx, CHORUSACCT_LOG_THROTTLE, action,
                        CHORUSACCT_E_THROTTLED, 0, 0, 0);
    return over ? CHORUSACCT_E_THROTTLED : CHORUSACCT_OK;
}

int chorusacct__account_counter(chorusacct_ctx *ctx, const char *action,
                                int64_t account_id, int64_t window_len,
                                uint32_t delta, uint32_t *count)
{
    char key[CHORUSACCT_KEY_SIZE];
    snprintf(key, sizeof key, "%s:account:%lld", action, (long long)account_id);
    return chorusacct__sliding_add(ctx, key, window_len, delta, count);
}

/* ------------------------------------------------------------------ */
/* Audit                                                                */

int chorusacct__audit(chorusacct_ctx *ctx, int type, int64_t account_id,
                      int from, int to, int64_t actor_id, const char *reason)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_event e;
    memset(&e, 0, sizeof e);
    e.struct_size = (uint32_t)sizeof e;
    e.type = type;
    e.time = chorusacct__now(ctx);
    e.account_id = account_id;
    e.from_state = from;
    e.to_state = to;
    e.actor_id = actor_id;
    if (reason != NULL)
        snprintf(e.reason, sizeof e.reason, "%s", reason);
    return st->event_append(st->user_data, &e);
}

/* ------------------------------------------------------------------ */
/* Outbox                                                               */

void chorusacct__template_of(const chorusacct_ctx *ctx, int kind, int lang,
                             const char **subject, const char **body)
{
    int l = lang == CHORUSACCT_LANG_FR ? 1 : 0;
    if (ctx->tpl_subject[kind][l] != NULL) {
        *subject = ctx->tpl_subject[kind][l];
        *body = ctx->tpl_body[kind][l];
        return;
    }
    if (chorusacct_template_default(kind, lang, subject, body) != CHORUSACCT_OK)
        *subject = *body = "";
}

/* Every field at its largest, with its length and colon, fits the body. */
_Static_assert(4 * CHORUSACCT_NAME_SIZE + 3 * CHORUSACCT_EMAIL_SIZE +
                       CHORUSACCT_PHONE_SIZE + CHORUSACCT_COMPANY_SIZE +
                       CHORUSACCT_IDENTIFIER_SIZE + CHORUSACCT_REASON_SIZE +
                       2 * 12 + CA_SNAP_FIELDS * 6 + 8 <
                   CHORUSACCT_BODY_SIZE,
               "a message snapshot may not fit its body");

typedef struct {
    char *p;
    size_t used;
    const char *to;
} snap_sink;

/* A value equal to the recipient address (the login address, often the
 * contact address too) is "=": the message holds the address already. */
static void snap_put(snap_sink *k, const char *v)
{
    size_t n = strlen(v);
    if (n > 0 && strcmp(v, k->to) == 0) {
        k->p[k->used++] = '=';
        return;
    }
    k->used += (size_t)snprintf(k->p + k->used, CHORUSACCT_BODY_SIZE - k->used,
                                "%zu:", n);
    memcpy(k->p + k->used, v, n);
    k->used += n;
}

/*
 * The message keeps what its text needs, not the text: a snapshot of the
 * values (flow_int.h), rendered with the delivering context's templates.
 * That costs a few dozen bytes of copying instead of rendering and
 * compressing two kilobytes of template text, and a template replaced
 * later applies to messages not yet sent.
 */
int chorusacct__enqueue(chorusacct_ctx *ctx, int kind,
                        const chorusacct_account *about,
                        const chorusacct_account *recipient,
                        const chorusacct_structure *st, const char *to)
{
    const chorusacct_storage_ops *ops = chorusacct__st(ctx);
    if (recipient == NULL)
        recipient = about;
    chorusacct_message m;
    memset(&m, 0, sizeof m);
    m.struct_size = (uint32_t)sizeof m;
    m.kind = kind;
    m.account_id = about->id;
    m.lang = recipient->lang;
    m.status = CHORUSACCT_MSG_PENDING;
    m.created_at = m.next_attempt_at = chorusacct__now(ctx);
    if (!chorusacct__set_field(m.to, sizeof m.to, to))
        return CHORUSACCT_E_CAPACITY;

    char id_type[12] = "", state[12];
    if (st != NULL)
        snprintf(id_type, sizeof id_type, "%d", (int)st->id_type);
    snprintf(state, sizeof state, "%d", (int)about->state);
    /* Fields of fixed-size records, each NUL-terminated within its size
     * (storage checks that): the sum fits, as asserted above. */
    snap_sink k = {m.body, 0, m.to};
    k.used = (size_t)snprintf(m.body, sizeof m.body, "%c%d\n", CA_SNAP_MARK,
                              CA_SNAP_VERSION);
    snap_put(&k, recipient->first_name);
    snap_put(&k, recipient->last_name);
    snap_put(&k, recipient->login_email);
    snap_put(&k, recipient->contact_email);
    snap_put(&k, recipient->phone);
    snap_put(&k, st != NULL ? st->company_name : "");
    snap_put(&k, st != NULL ? st->identifier : "");
    snap_put(&k, id_type);
    snap_put(&k, state);
    snap_put(&k, about->reason);
    if (recipient != about) {
        snap_put(&k, about->first_name);
        snap_put(&k, about->last_name);
        snap_put(&k, about->login_email);
    }
    m.body[k.used] = '\0';
    return ops->outbox_insert(ops->user_data, &m);
}

int chorusacct__enqueue_activation(chorusacct_ctx *ctx,
                                   const chorusacct_account *a,
                                   const chorusacct_structure *st,
                                   int link_kind)
{
    int rc = CHORUSACCT_OK;
    if (link_kind == CHORUSACCT_MAIL_ACTIVATION)
        rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_SUMMARY, a, NULL, st,
                                 a->login_email);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__enqueue(ctx, link_kind, a, NULL, st, a->login_email);
    return rc;
}

int chorusacct__notify_managers(chorusacct_ctx *ctx,
                                const chorusacct_account *a,
                                const chorusacct_structure *st)
{
    const chorusacct_storage_ops *ops = chorusacct__st(ctx);
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = (uint32_t)sizeof q;
    q.state = CHORUSACCT_STATE_ACTIVE;
    q.structure_id = a->structure_id;
    q.min_role = CHORUSACCT_ROLE_MANAGER;
    chorusacct_account m[4];
    size_t n;
    do {
        int rc = ops->account_list(ops->user_data, &q, m, CA_ARRAY_LEN(m), &n);
        if (rc != CHORUSACCT_OK)
            return rc;
        for (size_t i = 0; i < n; i++) {
            rc = chorusacct__enqueue(ctx, CHORUSACCT_MAIL_APPROVAL_REQUEST, a,
                                     &m[i], st, m[i].contact_email);
            if (rc != CHORUSACCT_OK)
                return rc;
            q.after_id = m[i].id;
        }
    } while (n == CA_ARRAY_LEN(m));
    return CHORUSACCT_OK;
}

int chorusacct__check_manager(chorusacct_ctx *ctx, int64_t manager_id,
                              int64_t structure_id, chorusacct_account *manager)
{
    const chorusacct_storage_ops *ops = chorusacct__st(ctx);
    chorusacct_account m;
    chorusacct__account_blank(&m);
    int rc = ops->account_get(ops->user_data, manager_id, &m);
    if (rc == CHORUSACCT_E_NOTFOUND)
        return CHORUSACCT_E_REJECTED;
    if (rc != CHORUSACCT_OK)
        return rc;
    if (m.state != CHORUSACCT_STATE_ACTIVE || m.structure_id != structure_id ||
        structure_id == 0 || m.role < CHORUSACCT_ROLE_MANAGER)
        return CHORUSACCT_E_REJECTED;
    if (manager != NULL)
        *manager = m;
    return CHORUSACCT_OK;
}

int chorusacct__load_managed(chorusacct_ctx *ctx, int64_t manager_id,
                             int64_t account_id, chorusacct_account *a,
                             chorusacct_account *manager, int *why)
{
    int rc = chorusacct__account_load(ctx, account_id, a);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct__check_manager(ctx, manager_id, chorusacct__managed(a),
                                       manager);
    if (rc == CHORUSACCT_E_NOTFOUND || rc == CHORUSACCT_E_REJECTED) {
        *why = CHORUSACCT_E_NOT_MANAGER;
        return CHORUSACCT_E_REJECTED;
    }
    return rc;
}

int chorusacct__revive_state(const chorusacct_account *a)
{
    if (a->structure_id == 0)
        return 0; /* an expired draft starts again from the form */
    /* The structure's first declarer, or an approved applicant, awaits
     * activation again; an applicant never decided on waits again for
     * approval. */
    if (a->role == CHORUSACCT_ROLE_PRINCIPAL || a->decided_by != 0)
        return CHORUSACCT_STATE_AWAITING_ACTIVATION;
    return CHORUSACCT_STATE_PENDING_APPROVAL;
}
