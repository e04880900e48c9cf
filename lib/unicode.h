/*
 * Unicode helpers of the name and password validators: a strict UTF-8
 * decoder, the character classes derived from PCRE2's Unicode properties
 * at build time (lib/gen-uclass.c), and simple case folding
 * (lib/casefold.h). Private, like internal.h; include internal.h first.
 *
 * The decoder and the class lookup are inline: they run once per
 * character in the validators' loops.
 */
#ifndef CHORUSACCT_UNICODE_H
#define CHORUSACCT_UNICODE_H

#include "internal.h"

/* Classes of code points; the values are those of lib/gen-uclass.c. */
enum {
    CA_UC_FORBIDDEN = 0, /* Cc Cf Cs Co Cn */
    CA_UC_UPPER = 1,     /* Lu Lt */
    CA_UC_LOWER = 2,     /* Ll */
    CA_UC_DIGIT = 3,     /* Nd */
    CA_UC_LETTER = 4,    /* Lm Lo: letters without case */
    CA_UC_MARK = 5,      /* Mn Mc Me */
    CA_UC_OTHER = 6      /* Nl No, punctuation, symbols, separators */
};

#define CA_UNICODE_MAX 0x10FFFFu

/* Generated: stage 1 maps a block of 256 code points to a block of stage
 * 2, which holds 4 bits per code point (two per byte). */
CA_INTERNAL extern const uint8_t chorusacct__uclass_stage1[0x110000 / 256];
CA_INTERNAL extern const uint8_t chorusacct__uclass_stage2[];

/* Class of a code point (at most CA_UNICODE_MAX). */
static inline unsigned ca_uclass(uint32_t c)
{
    unsigned blk = chorusacct__uclass_stage1[c >> 8];
    unsigned pair = chorusacct__uclass_stage2[(blk << 7) | ((c & 0xFF) >> 1)];
    return (pair >> ((c & 1) << 2)) & 0xF;
}

/*
 * Decodes the code point that starts at s[0] (avail > 0 bytes readable):
 * returns its length in bytes and stores it in *cp, or returns 0 when the
 * bytes there are not well-formed UTF-8 (Unicode 14, table 3-7): a stray
 * continuation byte, an overlong form (C0, C1, E0 80..9F, F0 80..8F), a
 * surrogate (ED A0..BF), a value over U+10FFFF (F4 90.., F5..FF) or a
 * sequence cut short.
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

/* Simple case folding (CaseFolding.txt, statuses C and S): the code point
 * that `c` and its other cases share; `c` itself when it has none. */
CA_INTERNAL uint32_t chorusacct__fold(uint32_t c);

#endif /* CHORUSACCT_UNICODE_H */
