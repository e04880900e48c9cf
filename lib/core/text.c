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
    [' '] = S, ['.'] = S, ['-'] = S,
    ['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D,
    ['5'] = D, ['6'] = D, ['7'] = D, ['8'] = D, ['9'] = D,
    ['A'] = U, ['B'] = U, ['C'] = U, ['D'] = U, ['E'] = U, ['F'] = U,
    ['G'] = U, ['H'] = U, ['I'] = U, ['J'] = U, ['K'] = U, ['L'] = U,
    ['M'] = U, ['N'] = U, ['O'] = U, ['P'] = U, ['Q'] = U, ['R'] = U,
    ['S'] = U, ['T'] = U, ['U'] = U, ['V'] = U, ['W'] = U, ['X'] = U,
    ['Y'] = U, ['Z'] = U,
    ['a'] = L, ['b'] = L, ['c'] = L, ['d'] = L, ['e'] = L, ['f'] = L,
    ['g'] = L, ['h'] = L, ['i'] = L, ['j'] = L, ['k'] = L, ['l'] = L,
    ['m'] = L, ['n'] = L, ['o'] = L, ['p'] = L, ['q'] = L, ['r'] = L,
    ['s'] = L, ['t'] = L, ['u'] = L, ['v'] = L, ['w'] = L, ['x'] = L,
    ['y'] = L, ['z'] = L,
    [0x80] = H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
};

#undef D
#undef U
#undef L
#undef S
#undef H

int chorusacct__compact(const char *in, size_t len, uint32_t flags,
                        char *out, size_t cap, size_t *n)
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

int chorusacct__emit(const char *s, size_t n, char *buf, size_t cap,
                     size_t *len_out)
{
    if (len_out != NULL)
        *len_out = n;
    if (cap == 0 && buf == NULL)
        return CHORUSACCT_OK;
    if (cap < n + 1) {
        if (cap > 0)
            buf[0] = '\0';
        return CHORUSACCT_E_TOOSMALL;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return CHORUSACCT_OK;
}

void chorusacct__clear(char *buf, size_t cap, size_t *len_out)
{
    if (buf != NULL && cap > 0)
        buf[0] = '\0';
    if (len_out != NULL)
        *len_out = 0;
}

int chorusacct__struct_init(void *p, size_t struct_size, size_t min)
{
    if (p == NULL || struct_size < min || struct_size > UINT32_MAX)
        return CHORUSACCT_E_ARG;
    memset(p, 0, struct_size);
    uint32_t size = (uint32_t)struct_size;
    memcpy(p, &size, sizeof size);
    return CHORUSACCT_OK;
}

size_t chorusacct__out_size(const void *p, size_t ours, size_t min)
{
    uint32_t size;
    if (p == NULL)
        return 0;
    memcpy(&size, p, sizeof size);
    if (size < min)
        return 0;
    return size < ours ? size : ours;
}

void chorusacct__out_write(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
    uint32_t size = (uint32_t)n;
    memcpy(dst, &size, sizeof size);
}

size_t chorusacct__table_start(void *out, size_t ours, size_t min)
{
    size_t n = chorusacct__out_size(out, ours, min);
    if (n > 0) {
        memset((unsigned char *)out + sizeof(uint32_t), 0,
               n - sizeof(uint32_t));
        uint32_t size = (uint32_t)n;
        memcpy(out, &size, sizeof size);
    }
    return n;
}

int chorusacct__ops_copy(void *dst, size_t dst_size, const void *src,
                         size_t min)
{
    uint32_t src_size;
    if (dst == NULL || src == NULL)
        return CHORUSACCT_E_ARG;
    memcpy(&src_size, src, sizeof src_size);
    if (src_size < min)
        return CHORUSACCT_E_ARG;
    memset(dst, 0, dst_size);
    memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
    /* The copy is ours, of our size, with our defaults past src's end. */
    uint32_t ours = (uint32_t)dst_size;
    memcpy(dst, &ours, sizeof ours);
    return CHORUSACCT_OK;
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
