/*
 * Text helpers shared by the validators: ASCII byte classes, compaction of
 * identifiers, and the caller-buffer output rule.
 */
#include "internal.h"

#include <string.h>

#define D CA_C_DIGIT
#define U CA_C_UPPER
#define L CA_C_LOWER
#define S CA_C_SEP
#define H CA_C_HIGH

/* A table rather than <ctype.h>: no locale, and one load per byte. */
const uint8_t chorusacct__byte_class[256] = {
    [' '] = S, ['.'] = S, ['-'] = S, ['0'] = D, ['1'] = D, ['2'] = D,
    ['3'] = D, ['4'] = D, ['5'] = D, ['6'] = D, ['7'] = D, ['8'] = D,
    ['9'] = D, ['A'] = U, ['B'] = U, ['C'] = U, ['D'] = U, ['E'] = U,
    ['F'] = U, ['G'] = U, ['H'] = U, ['I'] = U, ['J'] = U, ['K'] = U,
    ['L'] = U, ['M'] = U, ['N'] = U, ['O'] = U, ['P'] = U, ['Q'] = U,
    ['R'] = U, ['S'] = U, ['T'] = U, ['U'] = U, ['V'] = U, ['W'] = U,
    ['X'] = U, ['Y'] = U, ['Z'] = U, ['a'] = L, ['b'] = L, ['c'] = L,
    ['d'] = L, ['e'] = L, ['f'] = L, ['g'] = L, ['h'] = L, ['i'] = L,
    ['j'] = L, ['k'] = L, ['l'] = L, ['m'] = L, ['n'] = L, ['o'] = L,
    ['p'] = L, ['q'] = L, ['r'] = L, ['s'] = L, ['t'] = L, ['u'] = L,
    ['v'] = L, ['w'] = L, ['x'] = L, ['y'] = L, ['z'] = L, [0x80] = H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,         H,         H,         H,         H,         H,
    H,
};

#undef D
#undef U
#undef L
#undef S
#undef H

int chorusacct__compact(const char *in, size_t len, uint32_t flags, char *out,
                        size_t cap, size_t *n)
{
    const bool strict = (flags & CHORUSACCT_VALIDATE_STRICT) != 0;
    const bool digits_only = (flags & CA_COMPACT_DIGITS) != 0;
    const unsigned char *p = (const unsigned char *)in;
    size_t kept = 0;
    /* Bit per class seen; the reason is chosen by priority at the end so
     * that it does not depend on where the faults stand. */
    unsigned seen = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        unsigned cls = chorusacct__byte_class[c];
        seen |= 1u << cls;
        if (cls == CA_C_DIGIT) {
            if (kept < cap)
                out[kept] = (char)c;
            kept++;
        } else if (cls == CA_C_UPPER || cls == CA_C_LOWER) {
            if (digits_only) {
                seen |= 1u << CA_C_OTHER;
                continue;
            }
            if (kept < cap)
                out[kept] = (char)(c & ~0x20);
            kept++;
        }
    }
    *n = kept;
    return ca_compact_reason(seen, strict, kept);
}

bool chorusacct__utf8_line(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = ca_utf8_decode(p + i, len - i, &cp);
        if (k == 0 || ca_is_control(cp))
            return false;
        i += k;
    }
    return true;
}
