/*
 * Unicode helpers of the name and password validators: the character
 * classes derived from PCRE2's Unicode properties at build time
 * (lib/validate/gen-uclass.c), and simple case folding (lib/validate/casefold.h). Private,
 * like internal.h; include internal.h first (its ca_utf8_decode() is the
 * decoder).
 *
 * The class lookup is inline: it runs once per character in the
 * validators' loops.
 */
#ifndef CHORUSACCT_UNICODE_H
#define CHORUSACCT_UNICODE_H

#include "internal.h"

/* Classes of code points; the values are those of lib/validate/gen-uclass.c. */
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

/* Simple case folding (CaseFolding.txt, statuses C and S): the code point
 * that `c` and its other cases share; `c` itself when it has none. */
CA_INTERNAL uint32_t chorusacct__fold(uint32_t c);

#endif /* CHORUSACCT_UNICODE_H */
