/*
 * Private declarations shared by the files of lib/. Include it first in
 * every source file: it selects the POSIX level before any system header.
 */
#ifndef CHORUSACCT_INTERNAL_H
#define CHORUSACCT_INTERNAL_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define CHORUSACCT_BUILDING 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <chorusacct.h>

#include "versions.h"

/* Internal symbols are hidden from the shared library by the build; the
 * double underscore keeps them out of users' way in the static one. */
#define CA_INTERNAL __attribute__((visibility("hidden")))

#define CA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Refuse an input: store the reason where the caller asked for it. */
static inline int ca_reject(int *reason, int code)
{
    if (reason != NULL)
        *reason = code;
    return CHORUSACCT_E_REJECTED;
}

/* Byte classes of the ASCII validators (see chorusacct__byte_class). */
enum {
    CA_C_OTHER = 0, /* ASCII, but neither digit, letter nor separator */
    CA_C_DIGIT = 1,
    CA_C_UPPER = 2,
    CA_C_LOWER = 3,
    CA_C_SEP = 4, /* space, dot, hyphen */
    CA_C_HIGH = 5 /* 0x80..0xFF: not ASCII */
};
CA_INTERNAL extern const uint8_t chorusacct__byte_class[256];

/* The reason a compaction gives from the classes of the bytes it met (a
 * bit per CA_C_* class in `seen`): NONASCII before CHARACTER before
 * SEPARATOR (strict only) before EMPTY, whatever their positions; 0 when
 * the input passes. */
static inline int ca_compact_reason(unsigned seen, bool strict, size_t kept)
{
    if (seen & (1u << CA_C_HIGH))
        return CHORUSACCT_E_NONASCII;
    if (seen & (1u << CA_C_OTHER))
        return CHORUSACCT_E_CHARACTER;
    if (strict && (seen & (1u << CA_C_SEP)))
        return CHORUSACCT_E_SEPARATOR;
    return kept == 0 ? CHORUSACCT_E_EMPTY : 0;
}

/* Internal flag of chorusacct__compact, above the public flags: letters
 * are refused (CHARACTER) as any other non-digit. */
#define CA_COMPACT_DIGITS (UINT32_C(1) << 31)

/*
 * Compacts an identifier: drops the separators (space, dot, hyphen) unless
 * CHORUSACCT_VALIDATE_STRICT is set, upper-cases letters, and copies at
 * most `cap` characters to `out` (not NUL-terminated). `*n` receives the
 * number of characters kept, which may exceed `cap`.
 * Returns 0, or the reason: NONASCII before CHARACTER before SEPARATOR
 * before EMPTY, whatever their positions. Digits and letters only pass
 * (digits only with CA_COMPACT_DIGITS).
 */
CA_INTERNAL int chorusacct__compact(const char *in, size_t len, uint32_t flags,
                                    char *out, size_t cap, size_t *n);

/*
 * Writes a result into a caller's buffer following the library's rule:
 * `*len_out` (if not NULL) receives `n`; `buf` may be NULL when `cap` is
 * 0; CHORUSACCT_E_TOOSMALL when `cap < n + 1`.
 */
CA_INTERNAL int chorusacct__emit(const char *s, size_t n, char *buf, size_t cap,
                                 size_t *len_out);

/*
 * Decodes the code point that starts at s[0] (avail > 0 bytes readable):
 * returns its length in bytes and stores it in *cp, or returns 0 when the
 * bytes there are not well-formed UTF-8 (Unicode 14, table 3-7): a stray
 * continuation byte, an overlong form (C0, C1, E0 80..9F, F0 80..8F), a
 * surrogate (ED A0..BF), a value over U+10FFFF (F4 90.., F5..FF) or a
 * sequence cut short. The library's only UTF-8 decoder; inline, since
 * the validators run it once per character.
 */
static inline size_t ca_utf8_decode(const unsigned char *s, size_t avail,
                                    uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (avail < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
        unsigned hi = c == 0xED ? 0x9F : 0xBF;
        if (avail < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
              (s[2] & 0x3F);
        return 3;
    }
    if (c < 0xF5) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80;
        unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
        if (avail < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    return 0;
}

/* The latest time a clock may give: 9999-12-31T23:59:59Z (clock.h). */
#define CA_TIME_MAX INT64_C(253402300799)

/* Deadlines: a time plus or minus a duration, saturated at the ends of
 * int64_t rather than wrapped (the clock is within 0..CA_TIME_MAX
 * and durations within ten years, but a time read back from storage may
 * be anything). */
static inline int64_t ca_time_add(int64_t t, int64_t d)
{
    if (d > 0 && t > INT64_MAX - d)
        return INT64_MAX;
    if (d < 0 && t < INT64_MIN - d)
        return INT64_MIN;
    return t + d;
}

static inline int64_t ca_time_sub(int64_t t, int64_t d)
{
    if (d < 0 && t > INT64_MAX + d)
        return INT64_MAX;
    if (d > 0 && t < INT64_MIN + d)
        return INT64_MIN;
    return t - d;
}

/* C0, DEL and C1: the control characters, which no text of a message or
 * a setting may hold unless a rule allows one (a line break in a body). */
static inline bool ca_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

/* Whether s[0..len) is well-formed UTF-8 without any control character,
 * tab and line break included: text that stays on one line. */
CA_INTERNAL bool chorusacct__utf8_line(const char *s, size_t len);

/* Clears a caller's output after a failure. */
CA_INTERNAL void chorusacct__clear(char *buf, size_t cap, size_t *len_out);

/*
 * The `_init` functions of the versioned structures (those that start
 * with their uint32_t struct_size): zeroes `struct_size` bytes of `p`, so
 * that the members of a header newer than ours stay zero, and stores the
 * size. CHORUSACCT_E_ARG when `p` is NULL, or `struct_size` is below the
 * first version (`min`) or beyond what struct_size holds.
 */
CA_INTERNAL int chorusacct__struct_init(void *p, size_t struct_size,
                                        size_t min);

/*
 * Records the library writes for a caller (getters, lists, results):
 * chorusacct__out_size() gives how many bytes of the library's record of
 * `ours` bytes go to the caller's `p`, whose struct_size the caller set:
 * the smaller of the two, or 0 when `p` is NULL or its struct_size is
 * below the first version `min` (then the call answers CHORUSACCT_E_ARG).
 * chorusacct__out_write() copies that many bytes of the library's record
 * and sets the caller's struct_size to it, so that a program built
 * against a newer header sees which members were written.
 */
CA_INTERNAL size_t chorusacct__out_size(const void *p, size_t ours, size_t min);
CA_INTERNAL void chorusacct__out_write(void *dst, const void *src, size_t n);

/* The start of every table filler (chorusacct_memstore_ops(), the SQLite,
 * PostgreSQL, Maildir and SMTP tables, the test doubles): the bytes of the
 * caller's table `out` it fills, from the struct_size its _init set, as
 * chorusacct__out_size() counts them (0: the filler answers
 * CHORUSACCT_E_ARG); those bytes are cleared, so that a filler that fails
 * later leaves an empty table. The filler builds its table whole, then
 * gives it with chorusacct__out_write(). */
CA_INTERNAL size_t chorusacct__table_start(void *out, size_t ours, size_t min);

/*
 * Copies a versioned callback table: `src` starts with its struct_size;
 * members past it are left NULL, and the copy gets our own size. Returns
 * CHORUSACCT_E_ARG when `src` is older than the first version (`min`).
 */
CA_INTERNAL int chorusacct__ops_copy(void *dst, size_t dst_size,
                                     const void *src, size_t min);

/*
 * The digest of the in-memory store behind chorusacct_memstore_digest()
 * (testkit.h): 32 bytes into `out`. Exported, for libchorusacct-testkit of
 * the same release only, in the version node CHORUSACCT_PRIVATE of
 * lib/libchorusacct.map, which carries no promise.
 */
CHORUSACCT_API int chorusacct__memstore_digest(chorusacct_memstore *store,
                                               uint8_t *out);

/*
 * Records the in-memory store has looked at in its listings, claims and
 * gc since it was made (lookups by key and tree descents are not
 * counted): the tests that prove an operation costs the same in a store
 * of 1k and 100k accounts read it (tests/test_internal_scale.c).
 */
CA_INTERNAL uint64_t chorusacct__memstore_visits(chorusacct_memstore *store);

/*
 * The number of argon2 computations made through `ctx` (0 for NULL), for
 * the tests that check that known and unknown addresses cost the same
 * (chorusacct_pwhash_count() in testkit.h). Exported like
 * chorusacct__memstore_digest(), in CHORUSACCT_PRIVATE.
 */
CHORUSACCT_API uint64_t chorusacct__ctx_pwhash_count(const chorusacct_ctx *ctx);

/* Defaults of the clock and random tables: the system clock, and
 * libsodium's randombytes_buf. */
CA_INTERNAL void chorusacct__clock_default(chorusacct_clock_ops *ops);
CA_INTERNAL void chorusacct__random_default(chorusacct_random_ops *ops);

/* Copies an application's storage table as chorusacct__ops_copy() does
 * and checks that every required member is set: CHORUSACCT_E_ARG when
 * `src` is NULL, too old or incomplete. */
CA_INTERNAL int chorusacct__storage_ops_copy(chorusacct_storage_ops *dst,
                                             const chorusacct_storage_ops *src);
/* The name of the first required member of a storage table that is NULL,
 * or NULL when the table is complete. */
CA_INTERNAL const char *
chorusacct__storage_ops_missing(const chorusacct_storage_ops *ops);

/*
 * Templates. A variable is a name (without braces) and a value. Renders
 * `tpl` into `out` (`cap` bytes, NUL-terminated), replacing `{name}` by
 * its value and `{{`, `}}` by single braces; a placeholder with no
 * variable is an error. Returns CHORUSACCT_OK, CHORUSACCT_E_TEMPLATE, or
 * CHORUSACCT_E_CAPACITY when the result does not fit (`out` then holds a
 * truncated, NUL-terminated text).
 */
typedef struct {
    const char *name;
    const char *value;
} ca_var;
CA_INTERNAL int chorusacct__render(const char *tpl, const ca_var *vars,
                                   size_t nvars, char *out, size_t cap,
                                   size_t *len);
/* Whether a template only uses known placeholders and balanced braces:
 * CHORUSACCT_OK or CHORUSACCT_E_TEMPLATE. */
CA_INTERNAL int chorusacct__template_check(const char *tpl);

/* The activation link is not stored: messages keep this marker, which no
 * validated field can contain, and delivery puts the link in its place. */
#define CA_LINK_MARK "\001link\001"

/*
 * The text a mailer sends for `mail` (chorusacct_mail_format(), dated
 * when the message was queued so that every retry sends the same text),
 * in a new buffer of `*len` + 1 bytes, to give back with
 * chorusacct__mail_text_free(): it holds the activation link. Returns
 * CHORUSACCT_OK, CHORUSACCT_E_NOMEM, or the format's refusal
 * (CHORUSACCT_E_ARG).
 */
CA_INTERNAL int chorusacct__mail_text(const chorusacct_mail *mail,
                                      const char *from, char **out,
                                      size_t *len);
CA_INTERNAL void chorusacct__mail_text_free(char *text, size_t len);
/* Whether chorusacct_mail_format() takes `from` as the From header (and
 * finds the domain of its Message-ID in it). */
CA_INTERNAL bool chorusacct__mail_sender_ok(const char *from);

/* Compiles the e-mail pattern; called once by chorusacct_init(). */
CA_INTERNAL int chorusacct__email_init(void);

/* Initialises libcurl when the SMTP mailer is built in (else does
 * nothing); called once by chorusacct_init(). */
CA_INTERNAL void chorusacct__smtp_init(void);

/* Message selection shared by every bilingual table. */
static inline const char *ca_lang_pick(int lang, const char *en, const char *fr)
{
    return lang == CHORUSACCT_LANG_FR ? fr : en;
}

/* What the text getters answer for a value they do not know: they never
 * return NULL, which a caller would print or pass on. A machine name is
 * "unknown" (status codes keep "UNKNOWN", their names being upper case),
 * a label for people "Unknown" or "Inconnu", a hint or a rule text ""
 * (nothing to show). */
#define CA_UNKNOWN_NAME "unknown"

static inline const char *ca_unknown_label(int lang)
{
    return ca_lang_pick(lang, "Unknown", "Inconnu");
}

#endif /* CHORUSACCT_INTERNAL_H */
