/**
 * @file chorusacct/account.h
 * @brief The account-creation flow: states, records, sign-up, approval,
 *        activation, login, resends, captcha, sweep.
 *
 * An account moves through an explicit state machine (chorusacct_state);
 * every move is one row of the transition table (chorusacct_transition_at())
 * and appends an audit event. Every flow function runs its reads and
 * writes in one storage transaction: it either applies the whole change
 * (state, outbox messages, audit event) or leaves storage as it was and
 * returns the error. Mail is never sent inside a flow function: messages
 * go to the outbox, and chorusacct_outbox_deliver() (mailer.h) hands
 * them to the mailer.
 *
 * Flow functions return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED with a
 * reason code (the input or the transition was refused, nothing changed),
 * or a call failure. The **call failures** of every function that takes a
 * context are: ::CHORUSACCT_E_ARG (a NULL context, no storage set, or a
 * NULL required pointer), ::CHORUSACCT_E_STORAGE or another code of the
 * storage backend, ::CHORUSACCT_E_CONFLICT (a concurrent change, still
 * there after the library retried), ::CHORUSACCT_E_NOMEM. The context
 * keeps a detail message (chorusacct_ctx_last_error()).
 *
 * Records that the library writes out (::chorusacct_account,
 * ::chorusacct_structure, ::chorusacct_event, ::chorusacct_token_info,
 * ::chorusacct_signup_result, ::chorusacct_sweep_result) are sized by the
 * caller: set `struct_size` to the structure's `sizeof` before the call
 * (for a list, that of the first record of the array, which is the
 * stride). The library writes no further than `struct_size` and puts
 * there the size it wrote (the smaller of the caller's and its own), so
 * that a program built against a newer header sees which members were
 * filled. A `struct_size` below the structure's first version answers
 * ::CHORUSACCT_E_ARG, with a last error that says so.
 *
 * @par Threads:
 * A context is used by one thread at a time; several contexts, in several
 * threads or processes, may share one storage.
 */
#ifndef CHORUSACCT_ACCOUNT_H
#define CHORUSACCT_ACCOUNT_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Sizes of the text fields of the records, NUL included.
 * @since 0.1
 */
typedef enum chorusacct_sizes {
    CHORUSACCT_EMAIL_SIZE = 256,      /**< e-mail address (254 + NUL) */
    CHORUSACCT_NAME_SIZE = 404,       /**< person name (100 code points) */
    CHORUSACCT_PHONE_SIZE = 20,       /**< phone number, E.164 */
    CHORUSACCT_IDENTIFIER_SIZE = 20,  /**< structure identifier */
    CHORUSACCT_COMPANY_SIZE = 512,    /**< company name (1-200 code points) */
    CHORUSACCT_TERMS_SIZE = 36,       /**< terms version */
    CHORUSACCT_PWHASH_SIZE = 128,     /**< argon2id string */
    CHORUSACCT_REASON_SIZE = 1024,    /**< rejection or audit reason */
    CHORUSACCT_KEY_SIZE = 256,        /**< throttle counter key */
    CHORUSACCT_TOKEN_SIZE = 48,       /**< activation token text */
    CHORUSACCT_CAPTCHA_ID_SIZE = 32,  /**< captcha challenge id */
    CHORUSACCT_CAPTCHA_TEXT_SIZE = 16 /**< captcha text to show */
} chorusacct_sizes;

/**
 * @brief Account states.
 * @since 0.1
 */
typedef enum chorusacct_state {
    /** Personal information accepted; the wizard is not finished. */
    CHORUSACCT_STATE_CREATED = 1,
    /** The structure exists: a manager of it must approve. */
    CHORUSACCT_STATE_PENDING_APPROVAL = 2,
    /** The activation link was (or is about to be) e-mailed. */
    CHORUSACCT_STATE_AWAITING_ACTIVATION = 3,
    /** Password set: the account can log in. */
    CHORUSACCT_STATE_ACTIVE = 4,
    /** A manager refused the request (with a reason). */
    CHORUSACCT_STATE_REJECTED = 5,
    /** Draft, approval or activation window passed; a resend revives. */
    CHORUSACCT_STATE_EXPIRED = 6,
    /** Deactivated by the user or a manager; can be re-enabled. */
    CHORUSACCT_STATE_DISABLED = 7
} chorusacct_state;

/**
 * @brief Kinds of audit events; the transitions of the state machine are
 *        the events that change the state.
 * @since 0.1
 */
typedef enum chorusacct_event_type {
    CHORUSACCT_EV_DRAFT = 1,    /**< draft created (→ created) */
    CHORUSACCT_EV_SIGNUP = 2,   /**< sign-up finalized */
    CHORUSACCT_EV_APPROVE = 3,  /**< a manager approved */
    CHORUSACCT_EV_REJECT = 4,   /**< a manager rejected */
    CHORUSACCT_EV_ACTIVATE = 5, /**< password set */
    CHORUSACCT_EV_EXPIRE = 6,   /**< a window passed (sweep) */
    CHORUSACCT_EV_REVIVE = 7,   /**< an expired account resent */
    CHORUSACCT_EV_DISABLE = 8,  /**< deactivated */
    CHORUSACCT_EV_ENABLE = 9,   /**< reactivated */
    CHORUSACCT_EV_PROMOTE = 10, /**< became principal manager */
    CHORUSACCT_EV_PURGE = 11,   /**< deleted by the sweep */
    CHORUSACCT_EV_RESEND = 12,  /**< activation link resent */
    CHORUSACCT_EV_ROLE = 13,    /**< role changed */
    CHORUSACCT_EV_LOCKOUT = 14, /**< a client locked after failed logins */
    CHORUSACCT_EV_UNLOCK = 15   /**< login lockouts lifted */
} chorusacct_event_type;

/**
 * @brief Roles of an account in its structure.
 * @since 0.1
 */
typedef enum chorusacct_role {
    CHORUSACCT_ROLE_USER = 1,     /**< simple user */
    CHORUSACCT_ROLE_MANAGER = 2,  /**< secondary manager: approves */
    CHORUSACCT_ROLE_PRINCIPAL = 3 /**< principal manager (one) */
} chorusacct_role;

/**
 * @brief Fields of the sign-up form, for field errors.
 * @since 0.1
 */
typedef enum chorusacct_field {
    CHORUSACCT_FIELD_FORM = 0,             /**< the form as a whole */
    CHORUSACCT_FIELD_LOGIN_EMAIL = 1,      /**< `login_email` */
    CHORUSACCT_FIELD_FIRST_NAME = 2,       /**< `first_name` */
    CHORUSACCT_FIELD_LAST_NAME = 3,        /**< `last_name` */
    CHORUSACCT_FIELD_PHONE = 4,            /**< `phone` */
    CHORUSACCT_FIELD_CONTACT_EMAIL = 5,    /**< `contact_email` */
    CHORUSACCT_FIELD_TERMS = 6,            /**< `accept_terms` */
    CHORUSACCT_FIELD_ID_TYPE = 7,          /**< `id_type` */
    CHORUSACCT_FIELD_IDENTIFIER = 8,       /**< `identifier` */
    CHORUSACCT_FIELD_COMPANY_NAME = 9,     /**< `company_name` */
    CHORUSACCT_FIELD_CAPTCHA = 10,         /**< `captcha_answer` */
    CHORUSACCT_FIELD_PASSWORD = 11,        /**< the password (activation) */
    CHORUSACCT_FIELD_PASSWORD_CONFIRM = 12 /**< its confirmation */
} chorusacct_field;

/**
 * @brief An account, as storage keeps it and as the getters return it.
 *
 * Records start with `struct_size` (the library sets it); text fields are
 * NUL-terminated UTF-8. The getters never return the password hash
 * (`password_hash` is empty in what they write).
 * @since 0.1
 */
typedef struct chorusacct_account {
    uint32_t struct_size; /**< sizeof(chorusacct_account) */
    int32_t state;        /**< ::chorusacct_state */
    int64_t id;           /**< assigned by storage, > 0 */
    int64_t version;      /**< optimistic concurrency, from 1 */
    int64_t structure_id; /**< 0 while a draft */
    int32_t role;         /**< ::chorusacct_role */
    int32_t lang;         /**< language of its e-mails */
    int64_t created_at;   /**< Unix seconds */
    int64_t updated_at;   /**< last change */
    int64_t consent_at;   /**< when the terms were accepted */
    int64_t expires_at;   /**< end of the current window, 0: none */
    int64_t activated_at; /**< 0 until active */
    int64_t decided_by;   /**< manager who approved or rejected, 0 */
    /** Zero. (The login lockout is not a property of the account: it is
     *  counted per address and per client, for addresses with and without
     *  an account alike, in attempt counters; docs/flow.md, "Login lockout".)
     */
    int64_t reserved1;
    int64_t resent_at; /**< last resend, 0: none */
    int32_t reserved2; /**< zero (failures are counted likewise) */
    int32_t reserved0; /**< zero */
    /** Login e-mail, normalized (domain lower-case); never changes. */
    char login_email[CHORUSACCT_EMAIL_SIZE];
    /** Uniqueness key: the login e-mail, all lower-case. */
    char email_key[CHORUSACCT_EMAIL_SIZE];
    char contact_email[CHORUSACCT_EMAIL_SIZE];  /**< notifications */
    char first_name[CHORUSACCT_NAME_SIZE];      /**< first name */
    char last_name[CHORUSACCT_NAME_SIZE];       /**< last name */
    char phone[CHORUSACCT_PHONE_SIZE];          /**< E.164, or empty */
    char terms_version[CHORUSACCT_TERMS_SIZE];  /**< terms accepted */
    char password_hash[CHORUSACCT_PWHASH_SIZE]; /**< argon2id string */
    char reason[CHORUSACCT_REASON_SIZE];        /**< rejection reason */
} chorusacct_account;

/**
 * @brief A structure (company, public body...) and its principal manager.
 * @since 0.1
 */
typedef struct chorusacct_structure {
    uint32_t struct_size; /**< sizeof(chorusacct_structure) */
    int32_t id_type;      /**< ::chorusacct_id_type */
    int64_t id;           /**< assigned by storage, > 0 */
    int64_t created_at;   /**< Unix seconds */
    int64_t principal_id; /**< account of the principal manager */
    /** Normalized identifier; empty for the types without a value
     *  (every such structure is distinct). */
    char identifier[CHORUSACCT_IDENTIFIER_SIZE];
    char company_name[CHORUSACCT_COMPANY_SIZE]; /**< as declared, UTF-8 */
} chorusacct_structure;

/**
 * @brief An audit event: one per transition, and for resends, role
 *        changes and lockouts. Never holds a token or a password.
 * @since 0.1
 */
typedef struct chorusacct_event {
    uint32_t struct_size; /**< sizeof(chorusacct_event) */
    int32_t type;         /**< ::chorusacct_event_type */
    int64_t id;           /**< assigned by storage, increasing */
    int64_t time;         /**< Unix seconds */
    int64_t account_id;   /**< the account it is about */
    int32_t from_state;   /**< 0 before creation */
    int32_t to_state;     /**< 0 once purged */
    int64_t actor_id;     /**< acting account; 0: the applicant or system */
    char reason[CHORUSACCT_REASON_SIZE]; /**< reason given, or empty */
} chorusacct_event;

/**
 * @brief Order of an account listing (chorusacct_account_query.order).
 * @since 0.1
 */
typedef enum chorusacct_order {
    /** Increasing id; pages go on after `after_id`. */
    CHORUSACCT_ORDER_ID = 0,
    /** Increasing (`expires_at`, id), accounts with an `expires_at` only;
     *  pages go on after (`after_expires_at`, `after_id`). What the sweep
     *  walks: it costs what it returns, however many accounts there are. */
    CHORUSACCT_ORDER_EXPIRY = 1
} chorusacct_order;

/**
 * @brief Which accounts chorusacct_account_list() returns (0: any).
 *
 * Each backend answers a listing by structure, and one in
 * ::CHORUSACCT_ORDER_EXPIRY with `expires_before`, from an index: its
 * cost is what it returns (docs/storage.md, "Cost of each operation").
 * @since 0.1
 */
typedef struct chorusacct_account_query {
    uint32_t struct_size;   /**< sizeof(chorusacct_account_query) */
    int32_t state;          /**< a ::chorusacct_state, or 0 */
    int64_t structure_id;   /**< or 0 */
    int32_t min_role;       /**< role at least this, or 0 */
    int32_t order;          /**< a ::chorusacct_order (0: by id) */
    int64_t expires_before; /**< expires_at in (0, this), or 0 */
    int64_t after_id;       /**< paging: ids greater than this */
    /** Paging in ::CHORUSACCT_ORDER_EXPIRY: (`expires_at`, id) greater
     *  than (this, `after_id`); ignored in id order. */
    int64_t after_expires_at;
} chorusacct_account_query;

/* ------------------------------------------------------------------ */
/* The state machine                                                    */

/**
 * @brief Machine name of a state: `created`, `pending_approval`,
 *        `awaiting_activation`, `active`, `rejected`, `expired`,
 *        `disabled`.
 * @param[in] state a ::chorusacct_state
 * @return static text, never NULL: `"unknown"` for an unknown state.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_state_name(int state);

/**
 * @brief State from its machine name.
 * @param[out] out  receives the ::chorusacct_state
 * @param[in]  name NUL-terminated machine name, case-sensitive
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND for an unknown name,
 *         ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * `name` is read during the call only.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_state_from_name(int *out, const char *name);

/**
 * @brief Label of a state for people ("En attente d'approbation").
 * @param[in] state a ::chorusacct_state
 * @param[in] lang  ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @return static UTF-8 text, never NULL: `"Unknown"` (EN) or `"Inconnu"`
 *         (FR) for an unknown state.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_state_label(int state, int lang);

/**
 * @brief Machine name of an event type (`signup`, `approve`...).
 * @param[in] type a ::chorusacct_event_type
 * @return static text, never NULL: `"unknown"` for an unknown type.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_event_name(int type);

/**
 * @brief Whether the state machine allows a move from `from` to `to`.
 * @param[in] from a ::chorusacct_state, or 0: creation
 * @param[in] to   a ::chorusacct_state, or 0: purge
 * @return 1 or 0, never an error code: 0 for an unknown state too.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API int chorusacct_transition_allowed(int from, int to);

/**
 * @brief Number of rows of the transition table.
 * @return the count.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_transition_count(void);

/**
 * @brief One row of the transition table.
 * @param[in]  index 0 to chorusacct_transition_count() - 1
 * @param[out] from  state before (0: the account is created)
 * @param[out] to    state after (0: the account is purged)
 * @param[out] event the ::chorusacct_event_type that makes the move
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (index out of range or a
 *         NULL pointer).
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_transition_at(size_t index, int *from, int *to, int *event);

/**
 * @brief The state diagram in Graphviz dot, generated from the
 *        transition table (docs/states.dot is this output).
 * @param[in]  lang    labels' language
 * @param[out] buf     receives the text, NUL-terminated (may be NULL when
 *                     `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the text, also on ::CHORUSACCT_E_TOOSMALL
 *                     (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG
 *         (`buf` NULL with `cap` > 0).
 * @par Ownership:
 * The caller owns `buf`.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_state_diagram(int lang, char *buf, size_t cap, size_t *len_out);

/**
 * @brief Machine name of a form field (`login_email`...).
 * @param[in] field a ::chorusacct_field
 * @return static text, never NULL: `"unknown"` for an unknown field.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_field_name(int field);

/**
 * @brief Machine name of a role (`user`, `manager`, `principal`).
 * @param[in] role a ::chorusacct_role
 * @return static text, never NULL: `"unknown"` for an unknown role.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_role_name(int role);

/* ------------------------------------------------------------------ */
/* The flow                                                             */

/** @brief Most field errors a sign-up reports at once. @since 0.1 */
typedef enum chorusacct_signup_limits {
    CHORUSACCT_MAX_FIELD_ERRORS = 16 /**< size of `errors` of a result */
} chorusacct_signup_limits;

/**
 * @brief The sign-up form. Strings are NUL-terminated UTF-8, borrowed for
 *        the call. Fill it with chorusacct_signup_init().
 * @since 0.1
 */
typedef struct chorusacct_signup {
    uint32_t struct_size;      /**< sizeof(chorusacct_signup) */
    int32_t id_type;           /**< ::chorusacct_id_type */
    const char *login_email;   /**< required; the login, never changes */
    const char *first_name;    /**< required */
    const char *last_name;     /**< required */
    const char *phone;         /**< optional (NULL or "") */
    const char *contact_email; /**< optional: defaults to login_email */
    const char *terms_version; /**< NULL: the context's */
    const char *identifier;    /**< value for id_type (see identifier.h) */
    const char *company_name;  /**< required for HORS_UE and AUTRE */
    /** From chorusacct_captcha_issue(); required unless
     *  ::CHORUSACCT_CFG_NO_CAPTCHA or a verifier is set (NULL or "":
     *  ::CHORUSACCT_E_CAPTCHA_REQUIRED). */
    const char *captcha_id;
    const char *captcha_answer; /**< what the person typed */
    /** Key of the application for throttling, such as the client's
     *  address; NULL: none. */
    const char *client_key;
    int32_t accept_terms; /**< nonzero: the consent box is ticked */
    int32_t lang;         /**< language of the e-mails; -1: context's */
} chorusacct_signup;

/**
 * @brief One refused field of a form.
 * @since 0.1
 */
typedef struct chorusacct_field_error {
    int32_t field; /**< ::chorusacct_field */
    int32_t code;  /**< reason code, for chorusacct_strerror() */
} chorusacct_field_error;

/**
 * @brief What a sign-up (or a draft step) produced.
 * @since 0.1
 */
typedef struct chorusacct_signup_result {
    uint32_t struct_size; /**< sizeof(chorusacct_signup_result) */
    int32_t state;        /**< state of the account, on success */
    /** On success. 0 for every sign-up in enumeration-safe mode, taken
     *  address or not (a draft's id is still given by
     *  chorusacct_draft_create()). */
    int64_t account_id;
    /** On success, once finalized; 0 in enumeration-safe mode. */
    int64_t structure_id;
    uint32_t nerrors;   /**< field errors, on ::CHORUSACCT_E_REJECTED */
    uint32_t reserved0; /**< zero */
    /** The refused fields: the first `nerrors` entries. */
    chorusacct_field_error errors[CHORUSACCT_MAX_FIELD_ERRORS];
} chorusacct_signup_result;

/**
 * @brief What chorusacct_activation_lookup() tells about an activation link.
 * @since 0.1
 */
typedef struct chorusacct_token_info {
    uint32_t struct_size; /**< sizeof(chorusacct_token_info) */
    int32_t state;        /**< the account's state */
    int64_t account_id;   /**< the account the link activates */
    int64_t expires_at;   /**< the link's end of validity */
    char login_email[CHORUSACCT_EMAIL_SIZE]; /**< the account's login */
    char first_name[CHORUSACCT_NAME_SIZE];   /**< to greet the person */
    char last_name[CHORUSACCT_NAME_SIZE];    /**< to greet the person */
} chorusacct_token_info;

/**
 * @brief Counts of one sweep.
 * @since 0.1
 */
typedef struct chorusacct_sweep_result {
    uint32_t struct_size; /**< sizeof(chorusacct_sweep_result) */
    uint32_t expired;     /**< accounts moved to expired */
    uint32_t purged;      /**< accounts deleted */
    uint32_t promoted;    /**< applicants made principal managers */
} chorusacct_sweep_result;

/**
 * @brief Captcha verifier supplied by the application, instead of the
 *        built-in challenges.
 * @since 0.1
 */
typedef struct chorusacct_captcha_ops {
    uint32_t struct_size; /**< sizeof(chorusacct_captcha_ops) */
    void *user_data;      /**< passed to every callback */
    /** ::CHORUSACCT_OK for a right answer, ::CHORUSACCT_E_REJECTED for a
     *  wrong one; any other code fails the call (::CHORUSACCT_E_CALLBACK). */
    int (*verify)(void *user_data, const char *captcha_id, const char *answer,
                  const char *client_key);
    /** Optional: called when the context that holds the table is freed. */
    void (*destroy)(void *user_data);
} chorusacct_captcha_ops;

/**
 * @brief Fill a sign-up form with empty values (all NULL and 0, `lang`
 *        -1).
 * @param[out] form        the form
 * @param[in]  struct_size `sizeof(chorusacct_signup)`
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (`form` NULL or
 *         `struct_size` smaller than the library's structure).
 * @par Ownership:
 * The caller owns the form; `struct_size` bytes of it are zeroed.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_signup_init(chorusacct_signup *form, size_t struct_size);

/**
 * @brief Whether a structure is already declared, so that a form can warn,
 *        under the identifier field, that the request will need the
 *        approval of its principal manager.
 * @param[in]  ctx        the context
 * @param[in]  id_type    a ::chorusacct_id_type
 * @param[in]  identifier the value as typed (validated and normalized)
 * @param[out] declared   1 if a structure has this identifier, else 0
 * @param[out] out        the structure when declared (may be NULL); in
 *                        enumeration-safe mode its `id` and
 *                        `principal_id` are 0
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED, why the identifier is
 *                        invalid (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 *         Types without a value are never declared.
 * @par Ownership:
 * The caller owns `out`; `identifier` is read during the call only.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_structure_lookup(chorusacct_ctx *ctx, int id_type,
                            const char *identifier, int *declared,
                            chorusacct_structure *out, int *reason);

/**
 * @brief Sign up with the whole form at once.
 *
 * Validates every field and reports all the refused ones together in
 * `out->errors` (nothing is stored then). Checks the captcha (attempts
 * are counted before the check). Then, in one transaction: the account is
 * created; if the structure is new it is created too, with the account as
 * its principal manager, and the account awaits activation (summary and
 * activation e-mails queued); if the structure exists, the account waits
 * for the approval of its managers (who are e-mailed).
 *
 * @param[in]     ctx  the context
 * @param[in]     form the form (its `struct_size` at least the library's)
 * @param[in,out] out  the result: the caller sets `struct_size` (at least
 *                     the library's); the library writes the state, ids,
 *                     or field errors
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_REJECTED (field errors in
 *         `out`; ::CHORUSACCT_E_THROTTLED as a ::CHORUSACCT_FIELD_FORM
 *         error; the built-in captcha's errors, on
 *         ::CHORUSACCT_FIELD_CAPTCHA, are ::CHORUSACCT_E_CAPTCHA_REQUIRED
 *         for a NULL or empty `captcha_id`, ::CHORUSACCT_E_CAPTCHA_EXPIRED
 *         for a challenge unknown, expired, already used or whose
 *         attempts are spent, and ::CHORUSACCT_E_CAPTCHA for a wrong
 *         answer; a verifier's refusal is ::CHORUSACCT_E_CAPTCHA);
 *         ::CHORUSACCT_E_CALLBACK (the captcha verifier failed); or a
 *         call failure.
 * @par Ownership:
 * The form's strings are read during the call only; the caller owns
 * `out`.
 * @par Threads:
 * One thread per context; the captcha verifier runs on the calling
 * thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_signup_submit(chorusacct_ctx *ctx, const chorusacct_signup *form,
                         chorusacct_signup_result *out);

/**
 * @brief First wizard step: validate the personal information (e-mails,
 *        names, phone, consent) and keep a draft in the created state,
 *        with an expiry (`draft_ttl`). The structure fields are ignored.
 * @param[in]     ctx  the context
 * @param[in]     form the form, as for chorusacct_signup_submit()
 * @param[in,out] out  the result, as for chorusacct_signup_submit();
 *                     `out->account_id` is the draft
 * @return as chorusacct_signup_submit().
 * @par Ownership:
 * The form's strings are read during the call only; the caller owns
 * `out`.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_draft_create(chorusacct_ctx *ctx, const chorusacct_signup *form,
                        chorusacct_signup_result *out);

/**
 * @brief Last wizard step: the structure and the captcha of `form` (its
 *        personal fields are ignored) finalize the draft `account_id` as
 *        chorusacct_signup_submit() would.
 * @param[in]     ctx        the context
 * @param[in]     account_id the draft, from chorusacct_draft_create()
 * @param[in]     form       the form, as for chorusacct_signup_submit()
 * @param[in,out] out        the result, as for chorusacct_signup_submit()
 * @return as chorusacct_signup_submit(); ::CHORUSACCT_E_NOTFOUND for an
 *         unknown draft; ::CHORUSACCT_E_REJECTED with a form error
 *         ::CHORUSACCT_E_DRAFT_EXPIRED or ::CHORUSACCT_E_STATE.
 * @par Ownership:
 * The form's strings are read during the call only; the caller owns
 * `out`.
 * @par Threads:
 * One thread per context; the captcha verifier runs on the calling
 * thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_draft_finalize(chorusacct_ctx *ctx, int64_t account_id,
                          const chorusacct_signup *form,
                          chorusacct_signup_result *out);

/**
 * @brief A manager approves a pending request: the account awaits
 *        activation and gets its e-mails.
 * @param[in]  ctx        the context
 * @param[in]  manager_id an active principal or secondary manager of the
 *                        account's structure
 * @param[in]  account_id the pending account
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED:
 *                        ::CHORUSACCT_E_ALREADY_DECIDED,
 *                        ::CHORUSACCT_E_NOT_MANAGER (also for an id that
 *                        names no account: whoever does not manage an
 *                        account's structure gets the same answer for
 *                        every id), ::CHORUSACCT_E_STATE (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * Nothing is allocated for the caller.
 * @par Threads:
 * One thread per context. Two managers deciding at once: exactly one
 * succeeds, the other gets ::CHORUSACCT_E_ALREADY_DECIDED.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_approve(chorusacct_ctx *ctx, int64_t manager_id,
                           int64_t account_id, int *reason);

/**
 * @brief Approve several requests; each is decided on its own, as by
 *        chorusacct_account_approve(), in its own transaction.
 * @param[in]  ctx         the context
 * @param[in]  manager_id  the approving manager
 * @param[in]  account_ids `n` pending accounts (may be NULL when `n` is 0)
 * @param[in]  n           number of accounts
 * @param[out] codes       `n` results: ::CHORUSACCT_OK, a reason code, or
 *                         an error code, one per id
 * @return ::CHORUSACCT_OK when all were approved, ::CHORUSACCT_E_REJECTED
 *         when some were not (see `codes`), ::CHORUSACCT_E_ARG (NULL
 *         `ctx`, or a NULL array with `n` > 0).
 * @par Ownership:
 * The caller owns both arrays.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_approve_many(chorusacct_ctx *ctx, int64_t manager_id,
                                const int64_t *account_ids, size_t n,
                                int *codes);

/**
 * @brief A manager rejects a pending request with a reason (1 to 500
 *        characters on one line, at most ::CHORUSACCT_REASON_SIZE - 1
 *        bytes of UTF-8), which is e-mailed to the applicant.
 * @param[in]  ctx        the context
 * @param[in]  manager_id an active principal or secondary manager of the
 *                        account's structure
 * @param[in]  account_id the pending account
 * @param[in]  why        NUL-terminated UTF-8 reason, 1 to 500 characters
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED: as for
 *                        chorusacct_account_approve(),
 *                        ::CHORUSACCT_E_REASON_REQUIRED (missing, empty,
 *                        too long, not UTF-8), or
 *                        ::CHORUSACCT_E_REASON_CHARACTER (a control
 *                        character, tab and line break included, or
 *                        U+2028/U+2029) (may be NULL)
 * @return as chorusacct_account_approve().
 * @par Ownership:
 * `why` is copied into the account and the audit log.
 * @par Threads:
 * One thread per context, as chorusacct_account_approve().
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_reject(chorusacct_ctx *ctx, int64_t manager_id,
                          int64_t account_id, const char *why, int *reason);

/**
 * @brief The principal manager makes an active account of the structure a
 *        secondary manager or a simple user, or hands the principal role
 *        to it (becoming a secondary manager).
 * @param[in]  ctx          the context
 * @param[in]  principal_id the structure's principal manager
 * @param[in]  account_id   an active account of the same structure
 * @param[in]  role         the new ::chorusacct_role
 * @param[out] reason       on ::CHORUSACCT_E_REJECTED:
 *                          ::CHORUSACCT_E_NOT_MANAGER, ::CHORUSACCT_E_ROLE,
 *                          ::CHORUSACCT_E_SELF, ::CHORUSACCT_E_NOT_ACTIVE
 *                          (may be NULL); an id that names no account
 *                          is refused with ::CHORUSACCT_E_NOT_MANAGER
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * Nothing is allocated for the caller.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_set_role(chorusacct_ctx *ctx, int64_t principal_id,
                            int64_t account_id, int role, int *reason);

/**
 * @brief Check an activation link without consuming it (safe for a GET
 *        request, which mail scanners make): says whose it is and whether
 *        it is still valid.
 * @param[in]  ctx        the context
 * @param[in]  token      the token from the link, NUL-terminated
 * @param[in]  client_key throttle key, or NULL
 * @param[out] out        what it is about (may be NULL); also written for
 *                        an expired link and for an account already
 *                        active
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED:
 *                        ::CHORUSACCT_E_TOKEN_INVALID,
 *                        ::CHORUSACCT_E_TOKEN_EXPIRED,
 *                        ::CHORUSACCT_E_TOKEN_USED,
 *                        ::CHORUSACCT_E_ALREADY_ACTIVE,
 *                        ::CHORUSACCT_E_STATE, ::CHORUSACCT_E_THROTTLED
 *                        (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * The caller owns `out`; the token is read during the call only and never
 * stored (only its keyed hash is looked up).
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_activation_lookup(chorusacct_ctx *ctx, const char *token,
                             const char *client_key, chorusacct_token_info *out,
                             int *reason);

/**
 * @brief Confirm a request to join a declared structure, made in
 *        enumeration-safe mode, with the link mailed to its login address
 *        (::CHORUSACCT_MAIL_CONFIRM_REQUEST): the account moves from
 *        ::CHORUSACCT_STATE_CREATED to ::CHORUSACCT_STATE_PENDING_APPROVAL,
 *        its summary is queued, and only now are the structure's managers
 *        asked to approve it. chorusacct_activation_lookup() tells such a
 *        link by its state (created). The link works once.
 * @param[in]  ctx        the context
 * @param[in]  token      the token from the link, NUL-terminated
 * @param[in]  client_key throttle key, or NULL
 * @param[out] account_id the account confirmed (may be NULL); 0 otherwise
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED:
 *                        ::CHORUSACCT_E_TOKEN_INVALID,
 *                        ::CHORUSACCT_E_TOKEN_EXPIRED,
 *                        ::CHORUSACCT_E_TOKEN_USED (confirmed already),
 *                        ::CHORUSACCT_E_STATE (not a request to confirm,
 *                        such as an activation link),
 *                        ::CHORUSACCT_E_THROTTLED (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * The token is read during the call only and never stored.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_request_confirm(chorusacct_ctx *ctx, const char *token,
                           const char *client_key, int64_t *account_id,
                           int *reason);

/**
 * @brief The activation form: the token from the link, the password
 *        chosen and its confirmation. Fill it with
 *        chorusacct_activation_init(), then set the members.
 * @since 0.1
 */
typedef struct chorusacct_activation {
    uint32_t struct_size; /**< sizeof(chorusacct_activation) */
    uint32_t reserved0;   /**< zero */
    const char *token;    /**< from the link, NUL-terminated */
    const char *password; /**< UTF-8, `password_len` bytes */
    size_t password_len;  /**< length of `password` */
    const char *confirm;  /**< the confirmation, `confirm_len` bytes */
    size_t confirm_len;   /**< length of `confirm` */
    /** Key of the application for throttling, such as the client's
     *  address; NULL: none. */
    const char *client_key;
} chorusacct_activation;

/**
 * @brief Fill an activation form with empty values (all NULL and 0).
 * @param[out] form        the form
 * @param[in]  struct_size `sizeof(chorusacct_activation)`
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (`form` NULL or
 *         `struct_size` smaller than the first version of the form).
 * @par Ownership:
 * The caller owns the form; `struct_size` bytes of it are zeroed.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_activation_init(chorusacct_activation *form, size_t struct_size);

/**
 * @brief Activate an account: the token, the password and its
 *        confirmation.
 *
 * The password policy and the contextual check apply; the password is
 * stored as an argon2id hash; the token is consumed atomically with the
 * state change. A second activation with the same token answers
 * ::CHORUSACCT_E_ALREADY_ACTIVE.
 *
 * @param[in]  ctx          the context
 * @param[in]  form         the form (chorusacct_activation_init())
 * @param[out] account_id   the account (may be NULL)
 * @param[out] failed_rules when the password is refused, every rule it
 *                          breaks (::chorusacct_pw_rule bits; may be
 *                          NULL)
 * @param[out] reason       on ::CHORUSACCT_E_REJECTED: the token reasons
 *                          of chorusacct_activation_lookup(), or a
 *                          password reason (::CHORUSACCT_E_PASSWORD_SHORT,
 *                          ::CHORUSACCT_E_PASSWORD_MISMATCH...) (may be
 *                          NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure
 *         (::CHORUSACCT_E_ARG also for a form whose `struct_size` was not
 *         set by chorusacct_activation_init(), or without a token).
 * @par Ownership:
 * The form's strings are read during the call only; the library wipes
 * its copies (the hash included) before returning.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_activation_submit(
    chorusacct_ctx *ctx, const chorusacct_activation *form, int64_t *account_id,
    uint32_t *failed_rules, int *reason);

/**
 * @brief The person asks for a new activation link (or for the approval
 *        request to be sent again).
 *
 * Throttled by `resend_cooldown` and `resend_daily_quota`. An expired
 * account is revived. In enumeration-safe mode the answer is
 * ::CHORUSACCT_OK whether or not the address is known or the resend was
 * refused.
 *
 * @param[in]  ctx         the context
 * @param[in]  login_email the login, NUL-terminated
 * @param[in]  client_key  throttle key, or NULL
 * @param[out] reason      on ::CHORUSACCT_E_REJECTED (never in
 *                         enumeration-safe mode):
 *                         ::CHORUSACCT_E_CREDENTIALS (unknown address: an
 *                         unknown address is not ::CHORUSACCT_E_NOTFOUND),
 *                         ::CHORUSACCT_E_ALREADY_ACTIVE,
 *                         ::CHORUSACCT_E_RESEND_COOLDOWN,
 *                         ::CHORUSACCT_E_RESEND_QUOTA, ::CHORUSACCT_E_STATE,
 *                         ::CHORUSACCT_E_THROTTLED (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * Strings are read during the call only.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_activation_resend(chorusacct_ctx *ctx, const char *login_email,
                             const char *client_key, int *reason);

/**
 * @brief A manager of the account's structure has the activation link
 *        sent again (same throttles; revives an expired account).
 * @param[in]  ctx        the context
 * @param[in]  manager_id an active manager of the account's structure
 * @param[in]  account_id the account awaiting activation
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED:
 *                        ::CHORUSACCT_E_NOT_MANAGER (also for an id that
 *                        names no account),
 *                        ::CHORUSACCT_E_ALREADY_ACTIVE,
 *                        ::CHORUSACCT_E_RESEND_COOLDOWN,
 *                        ::CHORUSACCT_E_RESEND_QUOTA, ::CHORUSACCT_E_STATE
 *                        (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * Nothing is allocated for the caller.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_activation_resend_by(chorusacct_ctx *ctx, int64_t manager_id,
                                int64_t account_id, int *reason);

/**
 * @brief Deactivate an active account: by itself, or by a manager of its
 *        structure. The principal manager cannot be deactivated
 *        (::CHORUSACCT_E_PRINCIPAL): hand the role over first.
 * @param[in]  ctx        the context
 * @param[in]  actor_id   the account itself, or an active manager of its
 *                        structure
 * @param[in]  account_id the active account
 * @param[in]  why        optional reason kept in the audit log (NULL or
 *                        empty: none; else as for
 *                        chorusacct_account_reject())
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED:
 *                        ::CHORUSACCT_E_NOT_MANAGER, ::CHORUSACCT_E_STATE,
 *                        ::CHORUSACCT_E_PRINCIPAL,
 *                        ::CHORUSACCT_E_REASON_REQUIRED or
 *                        ::CHORUSACCT_E_REASON_CHARACTER (a `why` that is
 *                        not valid text) (may be NULL); an id that names
 *                        no account is refused with
 *                        ::CHORUSACCT_E_NOT_MANAGER
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * `why` is copied into the audit log.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_disable(chorusacct_ctx *ctx, int64_t actor_id,
                           int64_t account_id, const char *why, int *reason);

/**
 * @brief Reactivate a disabled account: by an active manager of its
 *        structure, or by itself when it deactivated itself.
 *
 * Who deactivated the account is its last ::CHORUSACCT_EV_DISABLE event
 * in the audit log: a manager's decision sticks, and only an active
 * manager of the structure may lift it (the account itself gets
 * ::CHORUSACCT_E_NOT_MANAGER); so does a deactivation whose author is not
 * on record.
 * @param[in]  ctx        the context
 * @param[in]  actor_id   an active manager of its structure, or the
 *                        account itself (lifting its own deactivation)
 * @param[in]  account_id the disabled account
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED:
 *                        ::CHORUSACCT_E_NOT_MANAGER (also for an id that
 *                        names no account), ::CHORUSACCT_E_STATE (may be
 *                        NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * Nothing is allocated for the caller.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_enable(chorusacct_ctx *ctx, int64_t actor_id,
                          int64_t account_id, int *reason);

/**
 * @brief Check the password of an active account for a later login, in
 *        constant time; rehashes it when the configured argon2 limits
 *        changed.
 *
 * The lockout rules (docs/flow.md, "Login lockout") count failures per address,
 * whether it has an account or not, so that the answers and their cost
 * (one argon2 computation) tell nothing about the address: a client
 * (`client_key`) is locked out of the address for `lockout_duration`
 * (1 hour) after `login_max_failures` (5) failures in a row; past twice
 * that many failures in the last hour from all clients, clients that
 * never logged in to the address wait a delay (1 s, doubling, at most
 * 60 s) between attempts, while clients that did are not delayed. Pass a
 * stable `client_key` (a device cookie, the client's address): without
 * one, every caller is the same client.
 * @param[in]  ctx          the context
 * @param[in]  login_email  the login, NUL-terminated
 * @param[in]  password     the password, `password_len` bytes
 * @param[in]  password_len length of `password`
 * @param[in]  client_key   throttle and lockout key of the client, or NULL
 * @param[out] account_id   on success, the account (may be NULL)
 * @param[out] reason       on ::CHORUSACCT_E_REJECTED:
 *                          ::CHORUSACCT_E_CREDENTIALS (unknown address or
 *                          wrong password: the same answer),
 *                          ::CHORUSACCT_E_LOCKED (this client, for this
 *                          address), ::CHORUSACCT_E_NOT_ACTIVE (only after
 *                          a right password), ::CHORUSACCT_E_THROTTLED
 *                          (the client's hourly budget, or the address's
 *                          delay) (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * The password is read during the call only; the library wipes its copies
 * of the stored hash.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_login(chorusacct_ctx *ctx, const char *login_email,
                 const char *password, size_t password_len,
                 const char *client_key, int64_t *account_id, int *reason);

/**
 * @brief Lift the login lockouts of an account's address, as the
 *        operator (the application itself, or the `chorusacct` tool):
 *        every client's lock and failures in a row, and the address's
 *        delay. Recorded as the audit event ::CHORUSACCT_EV_UNLOCK (actor
 *        0).
 * @param[in]  ctx        the context
 * @param[in]  account_id the account
 * @param[out] reason     unused: no refusal (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND (no such account),
 *         ::CHORUSACCT_E_ARG (an id <= 0), or a call failure.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_login_unlock(chorusacct_ctx *ctx, int64_t account_id, int *reason);

/**
 * @brief Lift the login lockouts of an account's address, as a manager
 *        of its structure; as chorusacct_login_unlock(), the event's
 *        actor being the manager.
 * @param[in]  ctx        the context
 * @param[in]  manager_id an active manager of the account's structure
 * @param[in]  account_id the account
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED:
 *                        ::CHORUSACCT_E_NOT_MANAGER, the same for an id
 *                        that has no account (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or a call failure.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_login_unlock_by(chorusacct_ctx *ctx, int64_t manager_id,
                           int64_t account_id, int *reason);

/**
 * @brief Issue a captcha challenge: a short code from an unambiguous
 *        alphabet (no 0/O, 1/I/L), for the application to render. Only
 *        keyed hashes are stored; it expires after `captcha_ttl`, allows
 *        `captcha_max_attempts` answers and one sign-up.
 * @param[in]  ctx        the context
 * @param[in]  client_key throttle key, or NULL
 * @param[out] id         receives the challenge id, NUL-terminated
 * @param[in]  id_cap     size of `id` (::CHORUSACCT_CAPTCHA_ID_SIZE is
 *                        enough)
 * @param[out] text       receives the code to show, NUL-terminated
 * @param[in]  text_cap   size of `text` (::CHORUSACCT_CAPTCHA_TEXT_SIZE
 *                        is enough)
 * @param[out] reason     on ::CHORUSACCT_E_REJECTED,
 *                        ::CHORUSACCT_E_THROTTLED (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, or a call failure.
 * @par Ownership:
 * The caller owns `id` and `text`.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_captcha_issue(chorusacct_ctx *ctx, const char *client_key, char *id,
                         size_t id_cap, char *text, size_t text_cap,
                         int *reason);

/**
 * @brief Expire what is due and purge what is old.
 *
 * Drafts, accounts awaiting activation or approval past their window (→
 * expired), expired and rejected accounts after `purge_after` (deleted),
 * and spent tokens, captchas, messages and counters. When a principal
 * manager expires without ever activating, the first pending applicant of
 * the structure becomes its principal manager (and gets the activation
 * e-mails); a structure left with no account is deleted. Each account is
 * handled in its own transaction.
 *
 * @param[in]  ctx the context
 * @param[out] out counts (may be NULL); also written on failure, with
 *                 what was done before it
 * @return ::CHORUSACCT_OK, or a call failure.
 * @par Ownership:
 * The caller owns `out`.
 * @par Threads:
 * One thread per context; sweeps on several contexts over one storage
 * may run at once.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_sweep(chorusacct_ctx *ctx, chorusacct_sweep_result *out);

/**
 * @brief Read an account (its password hash is not returned).
 * @param[in]  ctx the context
 * @param[in]  id  the account
 * @param[out] out receives the account
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND, or a call failure.
 * @par Ownership:
 * The caller owns `out`.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_get(chorusacct_ctx *ctx, int64_t id,
                       chorusacct_account *out);

/**
 * @brief Find an account by login e-mail (case-insensitive).
 * @param[in]  ctx         the context
 * @param[in]  login_email the login, NUL-terminated
 * @param[out] out         receives the account (password hash empty)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND, or a call failure.
 * @par Ownership:
 * The caller owns `out`.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_find(chorusacct_ctx *ctx, const char *login_email,
                        chorusacct_account *out);

/**
 * @brief List accounts (password hashes not returned).
 * @param[in]  ctx   the context
 * @param[in]  q     filter (NULL: all)
 * @param[out] out   array of `max` records (may be NULL when `max` is 0)
 * @param[in]  max   capacity of `out`
 * @param[out] count number written, in increasing id order
 * @return ::CHORUSACCT_OK, or a call failure.
 * @par Ownership:
 * The caller owns `out`, an array of `max` records of the library's
 * ::chorusacct_account; `q` is read during the call only.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_account_list(chorusacct_ctx *ctx, const chorusacct_account_query *q,
                        chorusacct_account *out, size_t max, size_t *count);

/**
 * @brief Read a structure.
 * @param[in]  ctx the context
 * @param[in]  id  the structure
 * @param[out] out receives the structure
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND, or a call failure.
 * @par Ownership:
 * The caller owns `out`.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_structure_get(chorusacct_ctx *ctx, int64_t id,
                         chorusacct_structure *out);

/**
 * @brief Read the audit log of an account (0: of all), oldest first.
 * @param[in]  ctx        the context
 * @param[in]  account_id the account, or 0 for every account
 * @param[in]  after_id   paging: events with ids greater than this (0
 *                        from the start)
 * @param[out] out        array of `max` records (may be NULL when `max`
 *                        is 0)
 * @param[in]  max        capacity of `out`
 * @param[out] count      number written, in increasing id order
 * @return ::CHORUSACCT_OK, or a call failure.
 * @par Ownership:
 * The caller owns `out`, an array of `max` records of the library's
 * ::chorusacct_event.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_event_list(chorusacct_ctx *ctx, int64_t account_id, int64_t after_id,
                      chorusacct_event *out, size_t max, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_ACCOUNT_H */
