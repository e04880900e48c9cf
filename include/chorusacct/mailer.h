/**
 * @file chorusacct/mailer.h
 * @brief E-mail: the mailer callback, the outbox, the message templates,
 *        the Maildir and SMTP mailers (a capturing mailer for tests is in
 *        chorusacct/testkit.h).
 *
 * Flow functions never send mail. In the same storage transaction as the
 * state change they append messages to the **outbox**;
 * chorusacct_outbox_deliver() later hands due messages to the mailer,
 * marks them sent, retries temporary failures with exponential backoff and
 * marks a message dead after the configured number of attempts.
 *
 * **Messages are rendered when they are sent.** The outbox keeps a
 * message's kind, language, recipient and a snapshot of its template's
 * values, taken when it is queued; chorusacct_outbox_deliver() and
 * chorusacct_outbox_list() render its subject and body from the
 * templates of the context that calls them, so a template replaced with
 * chorusacct_ctx_set_template() applies to messages not yet sent.
 *
 * **The activation link** is not in the outbox either: for an activation
 * message, chorusacct_outbox_deliver() mints a fresh token just before
 * handing the message to the mailer (storing only its keyed hash, and
 * revoking the account's older tokens), puts the link into the body it
 * gives the mailer, and wipes the raw token from memory when the mailer
 * returns. The raw token so lives only in the
 * mailer call and in the mail itself. docs/outbox.md tells the whole story.
 */
#ifndef CHORUSACCT_MAILER_H
#define CHORUSACCT_MAILER_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Sizes of the text fields of outbox messages, NUL included.
 * @since 0.1
 */
typedef enum chorusacct_mail_sizes {
    CHORUSACCT_ADDRESS_SIZE = 256,   /**< recipient */
    CHORUSACCT_SUBJECT_SIZE = 256,   /**< subject */
    CHORUSACCT_BODY_SIZE = 8192,     /**< text body */
    CHORUSACCT_MAIL_ERROR_SIZE = 256 /**< last delivery error */
} chorusacct_mail_sizes;

/**
 * @brief Kinds of messages; each has a built-in template per language.
 * @since 0.1
 */
typedef enum chorusacct_mail_kind {
    CHORUSACCT_MAIL_SUMMARY = 1,          /**< what was registered */
    CHORUSACCT_MAIL_ACTIVATION = 2,       /**< the activation link */
    CHORUSACCT_MAIL_APPROVAL_REQUEST = 3, /**< to the managers */
    CHORUSACCT_MAIL_APPROVED = 4,         /**< to the applicant */
    CHORUSACCT_MAIL_REJECTED = 5,         /**< to the applicant, reason */
    CHORUSACCT_MAIL_REMINDER = 6,         /**< a new activation link */
    CHORUSACCT_MAIL_ALREADY_EXISTS = 7,   /**< sign-up with a known address */
    /** To a structure's first declarer whose link expired: ask for a new
     *  one, or the next applicant may become principal manager. */
    CHORUSACCT_MAIL_CLAIM_NOTICE = 8,
    /** Enumeration-safe mode: to an applicant who joins a declared
     *  structure, the link that proves the mailbox before the managers
     *  are asked (chorusacct_request_confirm()). */
    CHORUSACCT_MAIL_CONFIRM_REQUEST = 9
} chorusacct_mail_kind;

/**
 * @brief What a mailer answers for one message.
 * @since 0.1
 */
typedef enum chorusacct_mail_result {
    CHORUSACCT_MAIL_SENT = 0,     /**< accepted for delivery */
    CHORUSACCT_MAIL_TEMPFAIL = 1, /**< try again later */
    CHORUSACCT_MAIL_PERMFAIL = 2  /**< will never work: dead letter */
} chorusacct_mail_result;

/**
 * @brief States of an outbox message.
 * @since 0.1
 */
typedef enum chorusacct_message_status {
    CHORUSACCT_MSG_PENDING = 1,  /**< waiting, or retrying */
    CHORUSACCT_MSG_SENT = 2,     /**< the mailer accepted it */
    CHORUSACCT_MSG_DEAD = 3,     /**< permanent failure or too many tries */
    CHORUSACCT_MSG_CANCELLED = 4 /**< no longer meaningful (account moved) */
} chorusacct_message_status;

/**
 * @brief One message, as the mailer receives it. Every pointer is valid
 *        only during the call.
 * @since 0.1
 */
typedef struct chorusacct_mail {
    uint32_t struct_size; /**< sizeof(chorusacct_mail) */
    int32_t kind;         /**< ::chorusacct_mail_kind */
    int64_t message_id;   /**< outbox id: the same on every retry */
    int64_t account_id;   /**< the account it is about */
    int64_t created_at;   /**< when it was queued (Unix seconds) */
    int32_t lang;         /**< language of the text */
    int32_t attempt;      /**< 1 on the first try */
    const char *to;       /**< recipient address */
    const char *subject;  /**< UTF-8, one line */
    const char *body;     /**< UTF-8 text, lines end with "\n" */
    /** The activation link for ::CHORUSACCT_MAIL_ACTIVATION and
     *  ::CHORUSACCT_MAIL_REMINDER (also in the body), else NULL. */
    const char *link;
    /** An opaque name of this message, made by the library (a keyed hash
     *  of its outbox id, and of the link for a message with one, so that
     *  it changes with each attempt's new token): 32 lowercase hex digits.
     *  The built-in mailers make the Message-ID from it,
     *  `<chorusacct.KEY@domain>`, which then tells nothing of how many
     *  messages or accounts there are. NULL in a mail that an application
     *  made itself (the mailers then use the outbox and account ids). */
    const char *message_key;
} chorusacct_mail;

/**
 * @brief Mailer callback table (grows by appending members only).
 * @since 0.1
 */
typedef struct chorusacct_mailer_ops {
    uint32_t struct_size; /**< sizeof(chorusacct_mailer_ops) */
    void *user_data;      /**< passed to every callback */
    /**
     * Send one message. Return a ::chorusacct_mail_result; on a failure,
     * a short explanation may be written to `error` (`error_cap` bytes,
     * NUL-terminated) and is kept in the outbox. Runs on the thread that
     * called chorusacct_outbox_deliver(), outside any transaction.
     */
    int (*send)(void *user_data, const chorusacct_mail *mail, char *error,
                size_t error_cap);
    /** Optional: called when the context that holds the table is freed. */
    void (*destroy)(void *user_data);
} chorusacct_mailer_ops;

/**
 * @brief An outbox message, as storage keeps it and
 *        chorusacct_outbox_list() returns it.
 *
 * Storage keeps `subject` empty and, in `body`, a snapshot of the values
 * of the message's template (docs/outbox.md, "What a message stores");
 * chorusacct_outbox_list() returns both rendered with the context's
 * templates, `{link}` where the activation link goes. A body stored
 * rendered (without the snapshot's leading byte 0x02) is returned and
 * sent as it is.
 * @since 0.1
 */
typedef struct chorusacct_message {
    uint32_t struct_size;             /**< sizeof(chorusacct_message) */
    int32_t kind;                     /**< ::chorusacct_mail_kind */
    int64_t id;                       /**< assigned by storage, increasing */
    int64_t account_id;               /**< the account it is about */
    int32_t lang;                     /**< language of the text */
    int32_t status;                   /**< ::chorusacct_message_status */
    int32_t attempts;                 /**< tries so far */
    int32_t reserved0;                /**< zero */
    int64_t created_at;               /**< queued */
    int64_t next_attempt_at;          /**< due time of the next try */
    int64_t lease_until;              /**< handed to a worker until then */
    int64_t sent_at;                  /**< 0 until sent */
    char to[CHORUSACCT_ADDRESS_SIZE]; /**< recipient address */
    /** Listed: the rendered subject. Stored: empty. */
    char subject[CHORUSACCT_SUBJECT_SIZE];
    /** Listed: the rendered text, `{link}` where the link goes. Stored:
     *  the snapshot of the values. */
    char body[CHORUSACCT_BODY_SIZE];
    /** What the mailer said on the last failure, or empty. */
    char last_error[CHORUSACCT_MAIL_ERROR_SIZE];
} chorusacct_message;

/**
 * @brief Counts of one delivery run.
 * @since 0.1
 */
typedef struct chorusacct_delivery {
    uint32_t struct_size; /**< sizeof(chorusacct_delivery) */
    uint32_t sent;        /**< accepted by the mailer */
    uint32_t retried;     /**< temporary failure, rescheduled */
    uint32_t dead;        /**< permanent failure or attempts exhausted */
    uint32_t cancelled;   /**< no longer meaningful, not sent */
} chorusacct_delivery;

/**
 * @brief Zero a mailer table and set its `struct_size`.
 * @param[out] ops         the table
 * @param[in]  struct_size `sizeof(chorusacct_mailer_ops)`
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG if `ops` is NULL or
 *         `struct_size` is smaller than the first version of the table.
 * @par Ownership:
 * The caller owns the table; `struct_size` bytes of it are zeroed.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_mailer_ops_init(chorusacct_mailer_ops *ops, size_t struct_size);

/**
 * @brief Hand due outbox messages to the context's mailer.
 *
 * Takes up to `max` messages whose next try is due, leases them (so that
 * another worker on the same storage skips them), and sends them one by
 * one. A message is marked sent only after the mailer accepted it; a
 * temporary failure reschedules it after `mail_retry_base` × 2^(tries−1)
 * seconds (at most `mail_retry_max`); a permanent failure, or
 * `mail_max_attempts` tries, marks it dead. A message about an account
 * that has moved on (an activation link for an account no longer awaiting
 * activation) is cancelled, not sent.
 *
 * @param[in]  ctx the context (its storage and mailer must be set)
 * @param[in]  max most messages to handle in this call
 * @param[out] out counts, its `struct_size` set by the caller (may be
 *                 NULL)
 * @return ::CHORUSACCT_OK (also when some messages failed: see `out` and
 *         the outbox); ::CHORUSACCT_E_ARG (NULL `ctx`, no storage or no
 *         mailer set); ::CHORUSACCT_E_NOMEM; ::CHORUSACCT_E_STORAGE or
 *         another code of the storage backend.
 * @par Ownership:
 * The caller owns `out`. The mail handed to the mailer, and the fresh
 * activation link in it, are valid only during the `send` call; the
 * library wipes its copies of the link afterwards.
 * @par Threads:
 * One thread per context; several workers on several contexts may deliver
 * from one storage at once. The mailer's `send` runs on the calling
 * thread, outside any storage transaction.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_outbox_deliver(chorusacct_ctx *ctx, size_t max,
                          chorusacct_delivery *out);

/**
 * @brief List outbox messages.
 * @param[in]  ctx      the context
 * @param[in]  status   a ::chorusacct_message_status, or 0 for all
 * @param[in]  after_id paging: ids greater than this (0 from the start)
 * @param[out] out      array of `max` records, the first one's
 *                      `struct_size` set by the caller: the stride (may
 *                      be NULL when `max` is 0)
 * @param[in]  max      capacity of `out`
 * @param[out] count    number written, in increasing id order
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG (NULL `ctx` or `count`, an
 *         unknown status, or no storage set); ::CHORUSACCT_E_NOMEM;
 *         ::CHORUSACCT_E_STORAGE or another code of the storage backend.
 * @par Ownership:
 * The caller owns `out`, an array of `max` records of the library's
 * ::chorusacct_message. Bodies show the `{link}` placeholder, never a
 * token.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_outbox_list(chorusacct_ctx *ctx, int status, int64_t after_id,
                       chorusacct_message *out, size_t max, size_t *count);

/**
 * @brief Machine name of a message kind (`summary`, `activation`...).
 * @param[in] kind a ::chorusacct_mail_kind
 * @return static text, never NULL: `"unknown"` for an unknown kind.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_mail_kind_name(int kind);

/**
 * @brief Machine name of a message status (`pending`, `sent`, `dead`,
 *        `cancelled`).
 * @param[in] status a ::chorusacct_message_status
 * @return static text, never NULL: `"unknown"` for an unknown status.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_message_status_name(int status);

/* ------------------------------------------------------------------ */
/* Templates                                                            */

/**
 * @brief The built-in template of a kind of message.
 *
 * Templates are UTF-8 text with placeholders in braces, replaced when the
 * message is queued: `{first_name}`, `{last_name}`, `{login_email}`,
 * `{contact_email}`, `{phone}`, `{company_name}`, `{identifier}`,
 * `{id_type}` (its label), `{account_id}`, `{state}` (its label),
 * `{reason}`, `{applicant_name}`, `{applicant_email}`,
 * `{expires_minutes}`, `{portal}`, and `{link}` (activation link; filled
 * at delivery time). `{{` and `}}` stand for braces.
 *
 * @param[in]  kind    a ::chorusacct_mail_kind
 * @param[in]  lang    ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR (any
 *                     other value: English)
 * @param[out] subject receives the subject template
 * @param[out] body    receives the body template
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (a NULL pointer or an
 *         unknown kind; the non-NULL outputs are then set to NULL).
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_template_default(int kind, int lang, const char **subject,
                            const char **body);

/**
 * @brief Replace the template of a kind of message in one language for
 *        this context. NULL `subject` and `body` restore the built-in
 *        one.
 *
 * Messages are rendered when they are delivered or listed, so the
 * template also applies to messages queued before and not yet sent, when
 * this context delivers them.
 * @param[in]  ctx     the context
 * @param[in]  kind    a ::chorusacct_mail_kind
 * @param[in]  lang    ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @param[in]  subject subject template, one line, or NULL
 * @param[in]  body    body template, or NULL (both NULL or neither)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, ::CHORUSACCT_E_TEMPLATE
 *                     (may be NULL)
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_REJECTED with
 *         ::CHORUSACCT_E_TEMPLATE for an unknown placeholder, unbalanced
 *         braces or a line break in the subject; ::CHORUSACCT_E_NOMEM;
 *         ::CHORUSACCT_E_ARG (NULL `ctx`, unknown kind or language, only
 *         one of `subject` and `body` NULL).
 * @par Ownership:
 * Both texts are copied; the context frees its copies when the template
 * is replaced or the context freed.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_template(chorusacct_ctx *ctx, int kind, int lang,
                            const char *subject, const char *body, int *reason);

/* ------------------------------------------------------------------ */
/* Internet messages and the Maildir mailer                             */

/**
 * @brief Format a message as an Internet message (RFC 5322 headers, MIME
 *        1.0, UTF-8 text body in quoted-printable, RFC 2047 encoded
 *        subject), ready for a Maildir or an SMTP server.
 *
 * Headers: `Date` (from `date`, Unix seconds, in UTC), `From`, `To`,
 * `Subject`, `Message-ID` (`<chorusacct.KEY@domain>` from the mail's
 * `message_key` and the domain of `from`: the same on every retry so that
 * a receiver can drop duplicates, except for a mail with a `link`, whose
 * key changes with each attempt's new token so that no receiver keeps an
 * earlier copy whose link no longer works; a mail without a key, made by
 * an application, gets one from its outbox id and account id, and for a
 * `link` the attempt and a hash of the link),
 * `MIME-Version`, `Content-Type`,
 * `Content-Transfer-Encoding`, and `Auto-Submitted: auto-generated`.
 * Lines end with CRLF.
 *
 * @param[in]  mail    the message
 * @param[in]  from    sender address (ASCII)
 * @param[in]  date    Unix seconds for the Date header
 * @param[out] buf     receives the message, NUL-terminated (may be NULL
 *                     when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the message, also on
 *                     ::CHORUSACCT_E_TOOSMALL (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG
 *         (a header would contain a line break, an address is not ASCII,
 *         or `message_key` is not 1 to 64 lowercase hex digits).
 * @par Ownership:
 * The caller owns `buf`; `mail` and `from` are read during the call only.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_mail_format(const chorusacct_mail *mail, const char *from,
                       int64_t date, char *buf, size_t cap, size_t *len_out);

/**
 * @brief Fill a mailer table that delivers into a Maildir: each message is
 *        written as a file in `dir/tmp/`, synced, then renamed into
 *        `dir/new/`, so that a mail reader never sees half a message. The
 *        folders are created when missing.
 * @param[out] out  the table, filled as far as its `struct_size` (set by
 *                  chorusacct_mailer_ops_init()) reaches
 * @param[in]  dir  the Maildir
 * @param[in]  from sender address
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_IO (cannot create the folders),
 *         ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_INIT, ::CHORUSACCT_E_ARG
 *         (a NULL pointer, an empty `dir`, or a `from` that is not an
 *         ASCII address).
 * @par Ownership:
 * `dir` and `from` are copied. The table's `destroy` frees what it holds:
 * a context that is given the table calls it when freed; call it yourself
 * if you never hand the table to a context.
 * @par Threads:
 * Safe from any thread; the table may be used from several threads.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_maildir_ops(chorusacct_mailer_ops *out, const char *dir,
                       const char *from);

/* ------------------------------------------------------------------ */
/* SMTP                                                                 */

/**
 * @brief How the SMTP mailer protects its connection.
 * @since 0.1
 */
typedef enum chorusacct_smtp_tls {
    CHORUSACCT_SMTP_TLS_NONE = 0,     /**< clear text (a local relay) */
    CHORUSACCT_SMTP_TLS_STARTTLS = 1, /**< STARTTLS, required (port 587) */
    CHORUSACCT_SMTP_TLS_IMPLICIT = 2  /**< TLS from the start (port 465) */
} chorusacct_smtp_tls;

/**
 * @brief Settings of the SMTP mailer (grows by appending members only).
 *
 * chorusacct_smtp_config_init() fills the defaults given in brackets.
 * @since 0.1
 */
typedef struct chorusacct_smtp_config {
    uint32_t struct_size; /**< sizeof(chorusacct_smtp_config) */
    int32_t tls;          /**< a ::chorusacct_smtp_tls [STARTTLS] */
    /** Server: a host name, an IPv4 address, or an IPv6 address, with or
     *  without brackets (required). */
    const char *host;
    int32_t port;       /**< 1-65535; 0: 25, 587 or 465 after `tls` [0] */
    int32_t reserved0;  /**< zero */
    int64_t timeout_ms; /**< bound on one message's exchange [60000] */
    /** Sender: the From header (`user@host` or `Name <user@host>`, ASCII)
     *  and, its address part, the envelope sender (required). */
    const char *from;
    /** Login for SMTP AUTH, or NULL for none. Needs TLS. */
    const char *username;
    const char *password; /**< with `username`; NULL otherwise */
    /** Name given in EHLO (a domain or an address literal), or NULL for
     *  this machine's name. */
    const char *helo;
    /** PEM file of the certificates that may sign the server's, or NULL
     *  for the system's store. */
    const char *ca_file;
} chorusacct_smtp_config;

/**
 * @brief Fill an SMTP configuration with the defaults and set its
 *        `struct_size`.
 * @param[out] cfg         the configuration
 * @param[in]  struct_size sizeof(chorusacct_smtp_config)
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG.
 * @par Ownership:
 * The caller owns the configuration; its strings are NULL afterwards.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_smtp_config_init(chorusacct_smtp_config *cfg, size_t struct_size);

/**
 * @brief Fill a mailer table that submits each message to an SMTP server.
 *
 * Each message is formatted by chorusacct_mail_format() (so the server
 * gets the very bytes the Maildir mailer would write, dated when the
 * message was queued) and sent over one connection of its own, to its
 * one recipient. The answer decides the result: the server's acceptance
 * of the message is ::CHORUSACCT_MAIL_SENT; a 5xx reply to MAIL, RCPT,
 * DATA or to the message is ::CHORUSACCT_MAIL_PERMFAIL; a 4xx reply, a
 * 5xx reply before the message (greeting, EHLO, STARTTLS, AUTH: a fault
 * of this side's setup, not of the message), a failed connection, a TLS
 * failure or a timeout are ::CHORUSACCT_MAIL_TEMPFAIL. The error text
 * holds the server's reply or the connection's failure, never a secret.
 * With TLS the server's certificate and name are always verified; the
 * mailer never falls back to clear text. docs/smtp.md tells the details.
 *
 * @param[out] out the table, filled as far as its `struct_size` (set by
 *                 chorusacct_mailer_ops_init()) reaches; its `destroy`
 *                 frees what it holds and wipes the password
 * @param[in]  cfg the settings (copied, strings included)
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_UNSUPPORTED when the library
 *         was built without SMTP (meson option `smtp`), or libcurl lacks
 *         SMTP or TLS; ::CHORUSACCT_E_IO when `ca_file` cannot be read;
 *         ::CHORUSACCT_E_INIT; ::CHORUSACCT_E_NOMEM; ::CHORUSACCT_E_ARG
 *         (a missing or malformed setting, or a login without TLS).
 * @par Ownership:
 * The caller owns `out` and, once set in a context, the context calls its
 * `destroy`; the settings are copied, so `cfg` and its strings may be
 * freed after the call.
 * @par Threads:
 * The table may be used from several threads at once (one connection per
 * message).
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_smtp_ops(chorusacct_mailer_ops *out,
                    const chorusacct_smtp_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_MAILER_H */
