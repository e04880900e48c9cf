/**
 * @file chorusacct/identifier.h
 * @brief Structure identifiers: types, format hints and validators.
 *
 * Chorus Pro identifies a structure (a company, a public body...) by an
 * identifier type chosen from a list and a value whose format depends on
 * the type. This header lists the types with their codes and labels, and
 * validates and normalizes the values.
 *
 * All the validators share one calling convention:
 *
 * @code
 * int chorusacct_X_check(const char *in, size_t len, uint32_t flags,
 *                        char *buf, size_t cap, size_t *len_out,
 *                        int *reason);
 * @endcode
 *
 * - `in`, `len`: the value as typed, `len` bytes (no NUL needed). Only
 *   ASCII is accepted; spaces, dots and hyphens may stand anywhere and are
 *   removed, unless `flags` has ::CHORUSACCT_VALIDATE_STRICT; letters are
 *   accepted in either case.
 * - `buf`, `cap`: caller-owned output for the normalized (compact,
 *   upper-case) form, NUL-terminated. `buf` may be NULL when `cap` is 0 to
 *   check only. A buffer of chorusacct_identifier_max_len() + 1 bytes is
 *   always enough.
 * - `len_out` (may be NULL): length of the normalized form, without the
 *   NUL, also when ::CHORUSACCT_E_TOOSMALL is returned.
 * - `reason` (may be NULL): on ::CHORUSACCT_E_REJECTED, why.
 *
 * They return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED (the value is not
 * valid; `*reason` says why), ::CHORUSACCT_E_TOOSMALL, or
 * ::CHORUSACCT_E_ARG (`in` NULL with `len` > 0, or `buf` NULL with `cap`
 * > 0). After a failure `buf` holds an empty string (when `cap` > 0) and
 * `*len_out` is 0, except for ::CHORUSACCT_E_TOOSMALL.
 *
 * They allocate nothing, keep no state, and are safe from any thread
 * without chorusacct_init().
 */
#ifndef CHORUSACCT_IDENTIFIER_H
#define CHORUSACCT_IDENTIFIER_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Structure identifier types. The values are the numeric codes of
 *        the types in Chorus Pro invoice files.
 * @since 0.1
 */
typedef enum chorusacct_id_type {
    CHORUSACCT_ID_SIRET = 1,          /**< `SIRET`: French establishment */
    CHORUSACCT_ID_UE_HORS_FRANCE = 2, /**< `UE_HORS_FRANCE`: EU VAT number */
    CHORUSACCT_ID_HORS_UE = 3,        /**< `HORS_UE`: outside the EU */
    CHORUSACCT_ID_RIDET = 4,          /**< `RIDET`: New Caledonia */
    CHORUSACCT_ID_TAHITI = 5,         /**< `TAHITI`: French Polynesia */
    CHORUSACCT_ID_AUTRE = 6,          /**< `AUTRE`: being registered */
    CHORUSACCT_ID_PARTICULIER = 7     /**< `PARTICULIER`: private person */
} chorusacct_id_type;

/**
 * @brief Flags of the validators.
 * @since 0.1
 */
typedef enum chorusacct_validate_flags {
    /** Refuse spaces, dots and hyphens (::CHORUSACCT_E_SEPARATOR). */
    CHORUSACCT_VALIDATE_STRICT = 1
} chorusacct_validate_flags;

/**
 * @brief Longest normalized identifier of any type, without the NUL (18).
 * @return the length in bytes.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_identifier_max_len(void);

/**
 * @brief Chorus Pro API code of a type (`"SIRET"`, `"UE_HORS_FRANCE"`,
 *        `"HORS_UE"`, `"RIDET"`, `"TAHITI"`, `"AUTRE"`, `"PARTICULIER"`).
 * @param[in] type a ::chorusacct_id_type
 * @return static text, never NULL: `"unknown"` for an unknown type.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_identifier_name(int type);

/**
 * @brief Type from its Chorus Pro API code (any case).
 * @param[out] out  receives the ::chorusacct_id_type
 * @param[in]  code NUL-terminated code
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND for an unknown code,
 *         ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * `code` is read during the call only.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_identifier_from_name(int *out, const char *code);

/**
 * @brief Type from its numeric code in invoice files (1 to 7).
 * @param[out] out    receives the ::chorusacct_id_type
 * @param[in]  number numeric code
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND for an unknown number,
 *         ::CHORUSACCT_E_ARG if `out` is NULL.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_identifier_from_number(int *out, int number);

/**
 * @brief Numeric code of a type in invoice files.
 * @param[in] type a ::chorusacct_id_type
 * @return 1 to 7, or ::CHORUSACCT_E_ARG for an unknown type.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API int chorusacct_identifier_number(int type);

/**
 * @brief Label of a type as a drop-down list shows it.
 * @param[in] type a ::chorusacct_id_type
 * @param[in] lang ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @return static UTF-8 text, never NULL: `"Unknown"` (EN) or `"Inconnu"`
 *         (FR) for an unknown type.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_identifier_label(int type, int lang);

/**
 * @brief Expected-format message to show under the identifier field.
 *
 * For `UE_HORS_FRANCE` it is general; once the country prefix is known,
 * chorusacct_vat_hint() gives the expected format of that country.
 * @param[in] type a ::chorusacct_id_type
 * @param[in] lang ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @return static UTF-8 text, never NULL: `""` (nothing to show) for an
 *         unknown type.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_identifier_hint(int type, int lang);

/**
 * @brief Whether a type takes a value (`AUTRE` and `PARTICULIER` do not).
 * @param[in] type a ::chorusacct_id_type
 * @return 1 or 0, never an error code: 0 for an unknown type too.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API int chorusacct_identifier_has_value(int type);

/**
 * @brief Validate and normalize an identifier of the given type.
 *
 * `SIRET` takes a 14-digit SIRET; `UE_HORS_FRANCE` an intra-community VAT
 * number of a member state other than France (prefix required);
 * `HORS_UE` a country code and the start of the company name (see
 * chorusacct_hors_ue_check()); `RIDET` and `TAHITI` their register
 * numbers. `AUTRE` and `PARTICULIER` take no value: an empty value is
 * valid and any other is refused with ::CHORUSACCT_E_NOVALUE.
 *
 * @param[in]  type    a ::chorusacct_id_type (else reason
 *                     ::CHORUSACCT_E_TYPE)
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the normalized value, NUL-terminated (may
 *                     be NULL when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized value (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_identifier_check(int type, const char *in, size_t len,
                            uint32_t flags, char *buf, size_t cap,
                            size_t *len_out, int *reason);

/**
 * @brief Where a normalized identifier splits into its enterprise and
 *        establishment parts.
 *
 * `SIRET` splits into the SIREN (9) and the NIC (5); `RIDET` into the
 * enterprise number (7, or 6 for old numbers) and the establishment (3);
 * `TAHITI` into the enterprise number (6) and the establishment (3).
 *
 * @param[in]  type           a ::chorusacct_id_type
 * @param[in]  normalized     a value as written by
 *                            chorusacct_identifier_check()
 * @param[in]  len            length of `normalized`
 * @param[out] enterprise_len receives the length of the enterprise part;
 *                            the establishment part is the rest
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_UNSUPPORTED for a type without
 *         parts; ::CHORUSACCT_E_ARG for a NULL pointer, an unknown type, or
 *         a length that is not one of the type's normalized lengths.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_identifier_split(int type, const char *normalized, size_t len,
                            size_t *enterprise_len);

/**
 * @brief SIREN: 9 digits, Luhn key.
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the 9 digits, NUL-terminated (may be NULL
 *                     when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized value (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_siren_check(const char *in, size_t len, uint32_t flags, char *buf,
                       size_t cap, size_t *len_out, int *reason);

/**
 * @brief SIRET: 14 digits, Luhn key over the 14 digits and over the SIREN
 *        (La Poste's establishments, SIREN 356000000, use a digit sum that
 *        is a multiple of 5 instead).
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the 14 digits, NUL-terminated (may be NULL
 *                     when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized value (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_siret_check(const char *in, size_t len, uint32_t flags, char *buf,
                       size_t cap, size_t *len_out, int *reason);

/**
 * @brief French intra-community VAT number: optional `FR` prefix, a
 *        2-character key and a SIREN. Numeric keys and the newer
 *        alphanumeric keys are checked; Monaco numbers (SIREN part starting
 *        with 000) skip the SIREN key. The output always starts with `FR`.
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives `FR` and 11 characters, NUL-terminated (may
 *                     be NULL when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized value (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_vat_fr_check(const char *in, size_t len, uint32_t flags, char *buf,
                        size_t cap, size_t *len_out, int *reason);

/**
 * @brief French VAT number of a SIREN (with its numeric key), such as
 *        `FR44732829320` for `732829320`.
 *
 * The SIREN is validated as by chorusacct_siren_check().
 * @param[in]  in      the SIREN as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the VAT number, NUL-terminated (may be NULL
 *                     when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the VAT number (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why the SIREN was
 *                     refused (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_vat_fr_from_siren(const char *in, size_t len, uint32_t flags,
                             char *buf, size_t cap, size_t *len_out,
                             int *reason);

/**
 * @brief RIDET (New Caledonia): 7-digit enterprise number and 3-digit
 *        establishment number (10 digits), or 9 digits for the older
 *        6-digit enterprise numbers. No check key exists.
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the digits, NUL-terminated (may be NULL
 *                     when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized value (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ridet_check(const char *in, size_t len, uint32_t flags, char *buf,
                       size_t cap, size_t *len_out, int *reason);

/**
 * @brief TAHITI number (French Polynesia): 6-character enterprise number
 *        (6 digits, or a letter and 5 digits since 2011) and 3-digit
 *        establishment number. No check key exists.
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the 9 characters, NUL-terminated (may be
 *                     NULL when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized value (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_tahiti_check(const char *in, size_t len, uint32_t flags, char *buf,
                        size_t cap, size_t *len_out, int *reason);

/**
 * @brief Identifier of a structure outside the EU: an ISO 3166-1 alpha-2
 *        country code followed by 1 to 16 letters or digits (the start of
 *        the company name), or `FRWF` and 1 to 14 for Wallis-and-Futuna.
 *
 * The country must be a real code outside the EU, and not France or a
 * French territory that has its own identifier type (reason
 * ::CHORUSACCT_E_COUNTRY).
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the identifier in upper case,
 *                     NUL-terminated (may be NULL when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized value (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_hors_ue_check(const char *in, size_t len, uint32_t flags, char *buf,
                         size_t cap, size_t *len_out, int *reason);

/**
 * @brief Build the `HORS_UE` identifier from a country code and a company
 *        name, as the 9 December 2016 decree describes it.
 *
 * The name is upper-cased, Latin accents are removed (`É` gives `E`, `ß`
 * gives `SS`, `Œ` gives `OE`), every character that is not a letter A-Z
 * or a digit is dropped, and the first 16 that remain (14 for
 * Wallis-and-Futuna, `WF`, whose identifier starts with `FRWF`) follow the
 * country code.
 *
 * @param[in]  country NUL-terminated ISO 3166-1 alpha-2 code, any case
 * @param[in]  name    company name, UTF-8, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `name`
 * @param[out] buf     receives the identifier, NUL-terminated (may be NULL
 *                     when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the identifier (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_REJECTED with
 *         ::CHORUSACCT_E_COUNTRY, ::CHORUSACCT_E_UTF8, or
 *         ::CHORUSACCT_E_EMPTY when no letter or digit remains;
 *         ::CHORUSACCT_E_TOOSMALL; ::CHORUSACCT_E_ARG.
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_hors_ue_build(const char *country, const char *name, size_t len,
                         char *buf, size_t cap, size_t *len_out, int *reason);

/**
 * @brief Intra-community VAT number of any EU member state, or of
 *        Northern Ireland (`XI`).
 *
 * The two-letter prefix is required: it says which country's rule
 * applies (`GR` is read as `EL`, Greece's prefix for VAT). Then each
 * country's format and check digits, with every kind of number the
 * country issues: for example Spanish DNI, NIE and CIF, Czech numbers of
 * companies and individuals, Belgian numbers of 9 or 10 digits, Irish
 * numbers before and since 2013 (whose second character may be `+` or
 * `*`), Dutch numbers checked either way since 2020. docs/vat.md lists
 * the rules of each country and their sources.
 *
 * The normalized form is the prefix (`EL` for Greece) and the national
 * number in upper case, with the leading zeros that old Belgian (9
 * digits), Greek (8 digits) and short Dutch numbers leave out, as
 * `BE0428759497` for `be 428 759 497`; 4 to 15 characters. French
 * numbers are checked by chorusacct_vat_fr_check().
 *
 * Reasons, in this order: ::CHORUSACCT_E_NONASCII,
 * ::CHORUSACCT_E_CHARACTER (a character other than a letter, a digit, a
 * separator, `+` or `*`), ::CHORUSACCT_E_SEPARATOR (strict mode),
 * ::CHORUSACCT_E_EMPTY; ::CHORUSACCT_E_COUNTRY (prefix missing or not a
 * member state's); ::CHORUSACCT_E_CHARACTER (a letter or symbol that
 * this country's numbers never hold), ::CHORUSACCT_E_LENGTH (a length
 * this country never uses), ::CHORUSACCT_E_FORMAT (letters or digits in
 * the wrong places, or a part of the number that cannot exist: a date
 * of birth, a tax office, a first digit), ::CHORUSACCT_E_CHECKSUM. The
 * expected format of the country is chorusacct_vat_hint().
 * @param[in]  in      the value as typed, `len` bytes (may be NULL when
 *                     `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   ::chorusacct_validate_flags
 * @param[out] buf     receives the normalized number, NUL-terminated (may
 *                     be NULL when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized number (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_vat_check(const char *in, size_t len, uint32_t flags, char *buf,
                     size_t cap, size_t *len_out, int *reason);

/**
 * @brief Expected format of the VAT numbers of one country, with an
 *        example, to show when a number of that country is refused.
 * @param[in] country NUL-terminated prefix (`DE`, `EL` or `GR`, `XI`...),
 *                    any case
 * @param[in] lang    ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @return static UTF-8 text, never NULL: `""` (nothing to show) for NULL
 *         or a prefix that is not a member state's (or `XI`).
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_vat_hint(const char *country, int lang);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_IDENTIFIER_H */
