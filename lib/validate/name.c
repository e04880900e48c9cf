/*
 * Person names: letters of any script and the punctuation that names
 * use, checked code point by code point against the classes that PCRE2's
 * Unicode properties give (lib/validate/unicode.h).
 *
 * Rules: docs/validators.md.
 */
#include "internal.h"
#include "unicode.h"

#include <string.h>

#define NAME_MAX_CP 100
#define NAME_MAX_BYTES (NAME_MAX_CP * 4)

size_t chorusacct_name_max_len(void)
{
    return NAME_MAX_BYTES;
}

/* Punctuation that names use: space, hyphen-minus and U+2010 HYPHEN,
 * apostrophe and U+2019 (the typographic apostrophe), full stop. */
static bool name_punct(uint32_t c)
{
    return c == ' ' || c == '-' || c == '\'' || c == '.' || c == 0x2010 ||
           c == 0x2019;
}

/* Returns 0 or the reason; stores the length in code points. */
static int name_scan(const unsigned char *s, size_t len, size_t *ncp)
{
    size_t n = 0;
    bool letter = false, after_base = false, bad_char = false;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = ca_utf8_decode(s + i, len - i, &c);
        if (k == 0)
            return CHORUSACCT_E_UTF8;
        i += k;
        n++;
        switch (ca_uclass(c)) {
        case CA_UC_UPPER:
        case CA_UC_LOWER:
        case CA_UC_LETTER:
            letter = after_base = true;
            break;
        case CA_UC_MARK:
            /* A combining mark needs a letter to sit on. */
            bad_char |= !after_base;
            break;
        default:
            bad_char |= !name_punct(c);
            after_base = false;
            break;
        }
    }
    *ncp = n;
    if (bad_char)
        return CHORUSACCT_E_NAME_CHARACTER;
    if (n > NAME_MAX_CP)
        return CHORUSACCT_E_NAME_LENGTH;
    if (!letter)
        return CHORUSACCT_E_NAME_LETTER;
    return 0;
}

int chorusacct_name_check(const char *in, size_t len, uint32_t flags, char *buf,
                          size_t cap, size_t *len_out, int *reason)
{
    (void)flags;
    if ((in == NULL && len > 0) || (buf == NULL && cap > 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    const unsigned char *s = (const unsigned char *)in;
    size_t b = 0, e = len, ncp = 0;
    while (b < e && s[b] == ' ')
        b++;
    while (e > b && s[e - 1] == ' ')
        e--;
    /* What is trimmed is spaces, valid UTF-8 that cannot end a
     * multi-byte sequence: scanning the rest finds any invalid UTF-8. */
    int why = b == e ? CHORUSACCT_E_EMPTY : name_scan(s + b, e - b, &ncp);
    if (why != 0) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, why);
    }
    return chorusacct__emit(in + b, e - b, buf, cap, len_out);
}
