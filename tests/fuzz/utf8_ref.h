/*
 * Reference UTF-8 decoding for the fuzz targets, written independently of
 * the library's decoder (ca_utf8_decode in lib/core/internal.h): it decodes by
 * arithmetic, then refuses what is not the shortest form, a surrogate or beyond
 * U+10FFFF.
 */
#ifndef FUZZ_UTF8_REF_H
#define FUZZ_UTF8_REF_H

#include <stddef.h>
#include <stdint.h>

/* Number of code points in s[0..n), or -1 if not well-formed UTF-8. */
static long ref_utf8_count(const uint8_t *s, size_t n)
{
    long count = 0;
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        size_t len;
        uint32_t v;
        if (b < 0x80) {
            len = 1;
            v = b;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2;
            v = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            v = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            v = b & 0x07;
        } else {
            return -1;
        }
        if (n - i < len)
            return -1;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return -1;
            v = (v << 6) | (s[i + k] & 0x3F);
        }
        static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (v < min_for_len[len] || v > 0x10FFFF ||
            (v >= 0xD800 && v <= 0xDFFF))
            return -1;
        i += len;
        count++;
    }
    return count;
}

#endif
