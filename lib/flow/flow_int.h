/*
 * Private declarations of the account core: the context structure, and
 * the helpers that every flow file shares (transactions with retry,
 * throttles, audit events, the outbox, keyed hashes, error details).
 */
#ifndef CHORUSACCT_FLOW_INT_H
#define CHORUSACCT_FLOW_INT_H

#include "internal.h"

#define CA_MAIL_KINDS 9 /* chorusacct_mail_kind 1..9 */
#define CA_LANGS 2

/* Purposes of the keys derived from the context's secret. */
enum {
    CA_KEY_ACTIVATION = 1,
    CA_KEY_CAPTCHA = 2,
    CA_KEY_THROTTLE = 3,
    CA_KEY_MESSAGE = 4 /* the opaque Message-ID key of a mail */
};

/* Token purposes in storage. */
enum { CA_TOKEN_ACTIVATION = 1 };

struct chorusacct_ctx {
    chorusacct_config cfg; /* strings point to the copies below */
    char *activation_url;
    char *terms_version;
    char *portal_name;

    uint8_t secret[CHORUSACCT_SECRET_SIZE];
    bool have_secret;    /* given by the application; else the keys
                          * come from a secret kept in storage */
    uint8_t keys[5][32]; /* derived per purpose, indexed by CA_KEY_* */
    bool keys_ready;

    chorusacct_storage_ops storage;
    bool have_storage;
    chorusacct_mailer_ops mailer;
    bool have_mailer;
    chorusacct_clock_ops clock;
    chorusacct_random_ops random;
    chorusacct_captcha_ops captcha;
    bool have_captcha;

    /* Replaced templates; NULL: built-in. */
    char *tpl_subject[CA_MAIL_KINDS + 1][CA_LANGS];
    char *tpl_body[CA_MAIL_KINDS + 1][CA_LANGS];

    /* A hash to verify against when the address is unknown or has no
     * password, so that a login costs one argon2 computation either way:
     * an encoded argon2id string with the configured limits, a random
     * salt and a random digest, which no password matches. Made with the
     * context and again when the argon2 limits change, never inside a
     * login. */
    char dummy_hash[CHORUSACCT_PWHASH_SIZE];
    /* argon2 computations made through this context (tests compare
     * them: chorusacct__ctx_pwhash_count()). */
    uint64_t pwhash_count;

    char last_error[512];

    /* The log table (lib/flow/log.c), and the storage table that times
     * each operation of `storage` for it, used while a log is set. */
    chorusacct_log_ops log;
    bool have_log;
    int last_reason; /* of the last refusal (chorusacct__refuse), for it */
    chorusacct_storage_ops storage_timed;
};

/* ---- errors ---------------------------------------------------------- */

/* Records `code` with a short description of what failed in the context's
 * last error and returns `code`. */
CA_INTERNAL int chorusacct__fail(chorusacct_ctx *ctx, int code,
                                 const char *what);
/* Clears the last error (at the start of every public call). */
CA_INTERNAL void chorusacct__ok(chorusacct_ctx *ctx);
/* A refusal: the reason goes to *reason and to the last error. */
CA_INTERNAL int chorusacct__refuse(chorusacct_ctx *ctx, int *reason, int why);

/* ---- versioned structures ------------------------------------------- */

/*
 * Copies a caller's input structure (a form, a query) of first version
 * `min` into `dst` (`dst_size`, ours) as chorusacct__ops_copy() does.
 * CHORUSACCT_E_ARG, with a last error that names `what` and its
 * struct_size, when `src` is NULL or its struct_size was not set to at
 * least the first version (the usual mistake: a form not filled by its
 * _init function).
 */
CA_INTERNAL int chorusacct__form_copy(chorusacct_ctx *ctx, void *dst,
                                      size_t dst_size, const void *src,
                                      size_t min, const char *what);

/* The bytes to write to the caller's record `out` (chorusacct__out_size())
 * into `*n`; CHORUSACCT_E_ARG with a last error naming `what` and its
 * struct_size when it cannot take a record. */
CA_INTERNAL int chorusacct__out_check(chorusacct_ctx *ctx, const void *out,
                                      size_t ours, size_t min, const char *what,
                                      size_t *n);

/*
 * Lists into the caller's array `out` of `max` records whose stride is
 * the struct_size of its first record (at least `min`), from a storage
 * listing that writes the library's records (`ours` bytes each, their id
 * an int64_t at `id_at`, in increasing id order). `fetch` lists up to
 * `max` records with ids above `after_id` into `buf`; `fix` (may be NULL)
 * is applied to each record before it is copied out. The listing goes
 * through a small buffer, page by page, so that nothing of `out` past
 * `*count` records, nor past the caller's struct_size in each, is
 * touched.
 */
typedef int (*ca_fetch_fn)(chorusacct_ctx *ctx, void *arg, int64_t after_id,
                           void *buf, size_t max, size_t *count);
CA_INTERNAL int chorusacct__list_out(chorusacct_ctx *ctx, ca_fetch_fn fetch,
                                     void *arg, int64_t after_id, void *out,
                                     size_t max, size_t *count, size_t ours,
                                     size_t min, size_t id_at,
                                     void (*fix)(void *rec), const char *what);

/* ---- log ------------------------------------------------------------- */

/* Reports an event to the log table, if one is set. */
CA_INTERNAL void chorusacct__log(chorusacct_ctx *ctx, int kind,
                                 const char *what, int status, int reason,
                                 int64_t account_id, int64_t duration_ns);
/* Nanoseconds on a monotonic clock, for durations. */
CA_INTERNAL int64_t chorusacct__mono_ns(void);
/* Makes the timed table again after the storage table changed. */
CA_INTERNAL void chorusacct__log_rewrap(chorusacct_ctx *ctx);
/* Destroys the log table (at the context's end). */
CA_INTERNAL void chorusacct__log_free(chorusacct_ctx *ctx);
/* Reports the outcome of a flow step (CHORUSACCT_LOG_CALL): its status,
 * the reason of a refusal (the last one recorded), its duration. */
CA_INTERNAL void chorusacct__log_step(chorusacct_ctx *ctx, const char *name,
                                      int rc, int64_t t0);
/* The body of a public flow step: runs `call` (the step's implementation)
 * and, while a log is set, reports it. */
#define CA_STEP(ctx, name, call)                                               \
    do {                                                                       \
        if ((ctx) == NULL || !(ctx)->have_log)                                 \
            return call;                                                       \
        const int64_t t0_ = chorusacct__mono_ns();                             \
        const int rc_ = call;                                                  \
        chorusacct__log_step(ctx, name, rc_, t0_);                             \
        return rc_;                                                            \
    } while (0)
/* The storage table the flow calls: the timed one while a log is set. */
static inline const chorusacct_storage_ops *
chorusacct__st(const chorusacct_ctx *ctx)
{
    return ctx->have_log ? &ctx->storage_timed : &ctx->storage;
}

/* ---- time, random, keys ---------------------------------------------- */

CA_INTERNAL int64_t chorusacct__now(const chorusacct_ctx *ctx);
/* The time a token is marked used at, for token_consume and
 * token_revoke: used_at 0 means unused, so a use at time 0 (a clock at
 * the epoch, as tests set it) is recorded as 1, lest the token be usable
 * again. Done here, once, so that no backend has to know. */
static inline int64_t ca_used_at(int64_t now)
{
    return now != 0 ? now : 1;
}
CA_INTERNAL void chorusacct__random(chorusacct_ctx *ctx, uint8_t *buf,
                                    size_t len);
/* Derives the per-purpose keys, loading or creating the secret in
 * storage when the application gave none. */
CA_INTERNAL int chorusacct__keys(chorusacct_ctx *ctx);
/* Keyed BLAKE2b-256 of `len` bytes with the key of `purpose`. */
CA_INTERNAL void chorusacct__keyed_hash(const chorusacct_ctx *ctx, int purpose,
                                        const void *data, size_t len,
                                        uint8_t *out32);

/* ---- argon2 ------------------------------------------------------------ */

/* (Re)makes the context's dummy hash for its argon2 limits. */
CA_INTERNAL void chorusacct__dummy_hash_make(chorusacct_ctx *ctx);
/* crypto_pwhash_str() with the context's limits, counted; 0 or -1. */
CA_INTERNAL int chorusacct__pwhash_str(chorusacct_ctx *ctx, char *out,
                                       const char *password, size_t len);
/* crypto_pwhash_str_verify(), counted; true when `password` matches. */
CA_INTERNAL bool chorusacct__pwhash_verify(chorusacct_ctx *ctx,
                                           const char *hash,
                                           const char *password, size_t len);

/* ---- storage ----------------------------------------------------------- */

/* Checks that storage is set, and the keys ready. */
CA_INTERNAL int chorusacct__ready(chorusacct_ctx *ctx);

/*
 * Runs `body` in a storage transaction: commits when it returns
 * CHORUSACCT_OK, rolls back otherwise. A CHORUSACCT_E_CONFLICT (from the
 * body or the commit) reruns the whole transaction, a few times; `body`
 * must therefore start from its inputs each time. The error of a storage
 * operation is recorded with `what`.
 */
typedef int (*ca_txn_body)(chorusacct_ctx *ctx, void *arg);
CA_INTERNAL int chorusacct__txn(chorusacct_ctx *ctx, ca_txn_body body,
                                void *arg, const char *what);

/* Record helpers that set struct_size. */
CA_INTERNAL void chorusacct__account_blank(chorusacct_account *a);
CA_INTERNAL void chorusacct__structure_blank(chorusacct_structure *s);
/* Reads a record by id into a blank one (inside or outside a
 * transaction); the storage's code as it answered. */
CA_INTERNAL int chorusacct__account_load(chorusacct_ctx *ctx, int64_t id,
                                         chorusacct_account *a);
CA_INTERNAL int chorusacct__structure_load(chorusacct_ctx *ctx, int64_t id,
                                           chorusacct_structure *s);
/* Clears what a getter never returns. */
CA_INTERNAL void chorusacct__account_public(chorusacct_account *a);

/* Copies a NUL-terminated string into a fixed field; false if too long. */
CA_INTERNAL bool chorusacct__set_field(char *field, size_t size,
                                       const char *value);

/* ---- throttles ----------------------------------------------------------- */

/* Windows of the attempt counters. */
#define CA_HOUR 3600
#define CA_DAY 86400

/*
 * Counts one attempt of `action` for the application key and the address
 * (either may be NULL), written before the check it guards, in sliding
 * windows of an hour, and says whether a limit is passed: CHORUSACCT_OK,
 * CHORUSACCT_E_THROTTLED, or a storage error.
 */
CA_INTERNAL int chorusacct__throttle(chorusacct_ctx *ctx, const char *action,
                                     const char *client_key,
                                     const char *address);

/* Adds `delta` to the attempts of `key` and gives in *count those of the
 * last `len` seconds (a sliding window, flow.c). */
CA_INTERNAL int chorusacct__sliding_add(chorusacct_ctx *ctx, const char *key,
                                        int64_t len, uint32_t delta,
                                        uint32_t *count);

/* The address as counters key it: its ASCII letters in lower case, cut
 * to CHORUSACCT_EMAIL_SIZE - 1 bytes (`lower` holds that size). */
CA_INTERNAL void chorusacct__address_lower(char *lower, const char *address);

/* Adds to a named counter of an account (resend quota...), in a sliding
 * window of `window_len` seconds. */
CA_INTERNAL int chorusacct__account_counter(chorusacct_ctx *ctx,
                                            const char *action,
                                            int64_t account_id,
                                            int64_t window_len, uint32_t delta,
                                            uint32_t *count);

/* ---- audit and outbox --------------------------------------------------- */

/* Appends an audit event (inside the caller's transaction). */
CA_INTERNAL int chorusacct__audit(chorusacct_ctx *ctx, int type,
                                  int64_t account_id, int from, int to,
                                  int64_t actor_id, const char *reason);

/*
 * Queues a message of `kind` about `about` (and its structure `st`, may
 * be NULL) for `recipient`'s address `to`, in `recipient`'s language
 * (inside the caller's transaction). `recipient` NULL: `about` itself.
 */
CA_INTERNAL int chorusacct__enqueue(chorusacct_ctx *ctx, int kind,
                                    const chorusacct_account *about,
                                    const chorusacct_account *recipient,
                                    const chorusacct_structure *st,
                                    const char *to);

/*
 * What the outbox stores of a message (docs/outbox.md, "What a message
 * stores"): an empty subject, and in the body a snapshot of the values
 * its template may show, rendered when it is delivered or listed.
 *
 *   snapshot = CA_SNAP_MARK version "\n" field*
 *   field    = decimal-length ":" bytes
 *            / "="    ; the same as the message's recipient address
 *
 * Version 1 has the fields below, in this order; the last three (the
 * person the message is about) are there only when that is not the
 * recipient. A body that does not start with CA_SNAP_MARK is a text
 * rendered when it was queued, and is sent as stored.
 */
#define CA_SNAP_MARK '\002'
#define CA_SNAP_VERSION 1
enum {
    CA_SNAP_FIRST_NAME, /* the recipient's */
    CA_SNAP_LAST_NAME,
    CA_SNAP_LOGIN_EMAIL,
    CA_SNAP_CONTACT_EMAIL,
    CA_SNAP_PHONE,
    CA_SNAP_COMPANY_NAME, /* the structure's; empty: none */
    CA_SNAP_IDENTIFIER,
    CA_SNAP_ID_TYPE,  /* decimal type code; empty: none */
    CA_SNAP_STATE,    /* decimal state of the account, when queued */
    CA_SNAP_REASON,   /* the account's */
    CA_SNAP_REQUIRED, /* fields always present */
    CA_SNAP_ABOUT_FIRST_NAME = CA_SNAP_REQUIRED,
    CA_SNAP_ABOUT_LAST_NAME,
    CA_SNAP_ABOUT_LOGIN_EMAIL,
    CA_SNAP_FIELDS
};

/* Renders the subject and body of a stored message with the context's
 * templates, `link` in place of {link}; `body` is CHORUSACCT_BODY_SIZE +
 * `extra` bytes, `scratch` CA_SNAP_SCRATCH. CHORUSACCT_OK;
 * CHORUSACCT_E_CAPACITY when a text does not fit (both then hold what
 * fits); CHORUSACCT_E_STORAGE when the stored snapshot does not parse
 * (both then empty). */
#define CA_SNAP_SCRATCH (CHORUSACCT_BODY_SIZE + 2 * CHORUSACCT_NAME_SIZE)
CA_INTERNAL int chorusacct__message_render(const chorusacct_ctx *ctx,
                                           const chorusacct_message *m,
                                           const char *link, char *subject,
                                           char *body, size_t extra,
                                           char *scratch);

/* The templates of `kind` in `lang`: the context's, else the built-in. */
CA_INTERNAL void chorusacct__template_of(const chorusacct_ctx *ctx, int kind,
                                         int lang, const char **subject,
                                         const char **body);

/* Queues the two e-mails of an account entering awaiting activation:
 * the summary and the activation link (or a reminder). */
CA_INTERNAL int chorusacct__enqueue_activation(chorusacct_ctx *ctx,
                                               const chorusacct_account *a,
                                               const chorusacct_structure *st,
                                               int link_kind);

/* Queues an approval request to every active manager of the account's
 * structure. */
CA_INTERNAL int chorusacct__notify_managers(chorusacct_ctx *ctx,
                                            const chorusacct_account *a,
                                            const chorusacct_structure *st);

/* Moves an account and records the audit event; checks the state machine.
 * Updates `a` (state, version, updated_at) on success. */
CA_INTERNAL int chorusacct__move(chorusacct_ctx *ctx, chorusacct_account *a,
                                 int to, int event, int64_t actor_id,
                                 const char *reason);

/* Whether `manager_id` is an active manager of `structure_id`; fills
 * `manager` (may be NULL). Returns CHORUSACCT_OK, CHORUSACCT_E_REJECTED
 * when it is not (the caller names the reason), or a storage error. */
CA_INTERNAL int chorusacct__check_manager(chorusacct_ctx *ctx,
                                          int64_t manager_id,
                                          int64_t structure_id,
                                          chorusacct_account *manager);
/* Loads into *a the account `account_id` that `manager_id` acts on, when
 * `manager_id` is an active manager of its structure (whose record goes
 * to *manager, when not NULL). Otherwise CHORUSACCT_E_REJECTED with *why
 * set to CHORUSACCT_E_NOT_MANAGER: the same answer whether the id names
 * no account, an unconfirmed request to join or another structure's
 * account, so that a non-manager cannot probe ids. */
CA_INTERNAL int chorusacct__load_managed(chorusacct_ctx *ctx,
                                         int64_t manager_id, int64_t account_id,
                                         chorusacct_account *a,
                                         chorusacct_account *manager, int *why);

/* The state an expired account returns to when revived. */
CA_INTERNAL int chorusacct__revive_state(const chorusacct_account *a);

/* ---- tokens ---------------------------------------------------------------
 */

/* Activation tokens: 32 random bytes, URL-safe base64 without padding. */
#define CA_TOKEN_BYTES 32
#define CA_TOKEN_LEN 43

/* Hashes a token's text with the activation key; false when the text
 * cannot be a token (length, alphabet). */
/* An applicant who joins a declared structure in enumeration-safe mode
 * and has not yet followed the link sent to the login address: created,
 * with its structure (a draft has none). docs/flow.md. */
CA_INTERNAL bool chorusacct__unconfirmed(const chorusacct_account *a);

/* The structure whose managers may act on the account: none (0) for an
 * unconfirmed request, which its managers must not be able to tell from
 * an id that names no account (NOT_MANAGER for both). */
CA_INTERNAL int64_t chorusacct__managed(const chorusacct_account *a);

CA_INTERNAL bool chorusacct__token_hash(const chorusacct_ctx *ctx,
                                        const char *token, uint8_t *out32);

/*
 * Mints a new activation token for an awaiting account (inside the
 * caller's transaction): revokes the older ones, stores the new one's
 * hash, and moves the account's expiry to the token's. `text` receives
 * the token (CA_TOKEN_LEN + 1 bytes).
 */
CA_INTERNAL int chorusacct__token_mint(chorusacct_ctx *ctx,
                                       chorusacct_account *a, char *text);

/* Makes `b` the principal manager of its structure in place of `old`
 * (which may be NULL): `b` then awaits activation and gets its e-mails.
 * Inside the caller's transaction. */
CA_INTERNAL int chorusacct__promote(chorusacct_ctx *ctx, chorusacct_account *b,
                                    chorusacct_account *old,
                                    chorusacct_structure *s, int event);

/* ---- captcha --------------------------------------------------------------
 */

/*
 * Checks a captcha answer: with the application's verifier when one is
 * set, else against the built-in challenge `id` (its attempts counted
 * before the comparison; `id_hash` receives its key, for the sign-up to
 * consume it). Answers are also counted per application key and per
 * e-mail address (`address`, may be NULL). `*why` is 0 for a right
 * answer, else CHORUSACCT_E_CAPTCHA, CHORUSACCT_E_CAPTCHA_EXPIRED,
 * CHORUSACCT_E_CAPTCHA_REQUIRED (built-in challenges, an empty `id`) or
 * CHORUSACCT_E_THROTTLED. Returns a call failure, or CHORUSACCT_OK.
 */
CA_INTERNAL int chorusacct__captcha_verify(chorusacct_ctx *ctx, const char *id,
                                           const char *answer,
                                           const char *client_key,
                                           const char *address,
                                           uint8_t *id_hash, int *why);

/* ---- text checks shared by the flow ------------------------------------- */

/* Free text of a form (company name, rejection reason): valid UTF-8,
 * 1..max code points, no control character (newline and tab allowed when
 * `multiline`) and no line or paragraph separator (U+2028, U+2029).
 * Returns 0 or a reason. */
CA_INTERNAL int chorusacct__free_text(const char *s, size_t max_points,
                                      bool multiline);

/* Lower-cases ASCII letters. */
CA_INTERNAL void chorusacct__ascii_lower(char *s);

/* The uniqueness key of a login address (its ASCII letters in lower case)
 * into `key`, CHORUSACCT_EMAIL_SIZE bytes; false, with `key` empty, when
 * the address is too long to be any account's. */
CA_INTERNAL bool chorusacct__email_key(char *key, const char *address);

#endif /* CHORUSACCT_FLOW_INT_H */
