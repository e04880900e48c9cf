/*
 * Generator of lib/validate/uclass.h, the Unicode class table of the name
 * and password validators. The table is committed, so that the library
 * classifies characters alike whatever PCRE2 the build machine has; this
 * program is built for the build machine (native) and run by the
 * regen-uclass target, which rewrites the committed file, and by the
 * generated-uclass test, which checks that regenerating reproduces it
 * byte for byte (docs/testing.md).
 *
 * The classes come from PCRE2's own Unicode properties: every code point
 * is matched against one pattern of \p{..} alternatives (Unicode 14.0.0
 * for Debian 12's PCRE2 10.42). A table rather than a match per
 * character at run time: one load per character, and no pattern to run
 * on a path that must not allocate.
 *
 * Output: the Unicode version, as text and as a number (major * 10000 +
 * minor * 100 + update, compared with casefold.h's by lib/validate/
 * unicode.c), and a two-stage table, 4 bits per code point. Stage 1 maps
 * each block of 256 code points to one of the distinct blocks of stage 2
 * (141 for Unicode 14); lib/validate/unicode.h reads it. The file names
 * the Unicode version only, not PCRE2's: two PCRE2 releases of the same
 * Unicode version give the same file.
 *
 * usage: gen-uclass OUTPUT   (written to OUTPUT.tmp, then renamed)
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep in step with lib/validate/unicode.h. */
enum {
    UC_FORBIDDEN = 0, /* Cc Cf Cs Co Cn */
    UC_UPPER = 1,     /* Lu Lt */
    UC_LOWER = 2,     /* Ll */
    UC_DIGIT = 3,     /* Nd */
    UC_LETTER = 4,    /* Lm Lo */
    UC_MARK = 5,      /* Mn Mc Me */
    UC_OTHER = 6      /* Nl No, P*, S*, Z* */
};

#define NCP 0x110000u
#define BLOCK 256u
#define NBLOCKS (NCP / BLOCK)

static uint8_t cls[NCP];
static uint8_t stage1[NBLOCKS];
static uint32_t unique_first[NBLOCKS]; /* first block with this content */

static size_t utf8_encode(uint32_t c, unsigned char *s)
{
    if (c < 0x80) {
        s[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        s[0] = (unsigned char)(0xC0 | (c >> 6));
        s[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        s[0] = (unsigned char)(0xE0 | (c >> 12));
        s[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        s[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    s[0] = (unsigned char)(0xF0 | (c >> 18));
    s[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    s[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    s[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

int main(int argc, char **argv)
{
    /* Group n matched: class n (groups in enum order from UPPER). */
    static const char pattern[] = "\\A(?:([\\p{Lu}\\p{Lt}])"
                                  "|(\\p{Ll})"
                                  "|(\\p{Nd})"
                                  "|([\\p{Lm}\\p{Lo}])"
                                  "|(\\p{M})"
                                  "|([\\p{Cc}\\p{Cf}\\p{Co}\\p{Cn}]))";
    static const uint8_t group_class[] = {
        0, UC_UPPER, UC_LOWER, UC_DIGIT, UC_LETTER, UC_MARK, UC_FORBIDDEN};
    int err;
    PCRE2_SIZE erroff;
    char version[32];

    if (argc != 2) {
        fputs("usage: gen-uclass OUTPUT\n", stderr);
        return 2;
    }
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF, &err, &erroff, NULL);
    if (re == NULL) {
        fprintf(stderr, "gen-uclass: pattern error %d at %zu\n", err,
                (size_t)erroff);
        return 1;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* faster if it can */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (md == NULL || pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, version) < 0)
        return 1;

    for (uint32_t c = 0; c < NCP; c++) {
        unsigned char s[4];
        if (c >= 0xD800 && c <= 0xDFFF) {
            cls[c] = UC_FORBIDDEN; /* Cs: no UTF-8 form */
            continue;
        }
        size_t n = utf8_encode(c, s);
        int rc = pcre2_match(re, s, n, 0, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) {
            cls[c] = UC_OTHER;
            continue;
        }
        if (rc < 2 || (size_t)rc > sizeof group_class) {
            fprintf(stderr, "gen-uclass: U+%04X: match %d\n", (unsigned)c, rc);
            return 1;
        }
        cls[c] = group_class[rc - 1];
    }

    size_t nunique = 0;
    for (uint32_t b = 0; b < NBLOCKS; b++) {
        size_t u;
        for (u = 0; u < nunique; u++)
            if (memcmp(&cls[unique_first[u] * BLOCK], &cls[b * BLOCK], BLOCK) ==
                0)
                break;
        if (u == nunique) {
            if (nunique == 256) {
                /* lib/validate/unicode.h reads stage 1 as bytes. */
                fputs("gen-uclass: over 256 distinct blocks\n", stderr);
                return 1;
            }
            unique_first[nunique++] = b;
        }
        stage1[b] = (uint8_t)u;
    }

    unsigned major, minor, update;
    if (sscanf(version, "%u.%u.%u", &major, &minor, &update) != 3 ||
        minor > 99 || update > 99) {
        fprintf(stderr, "gen-uclass: Unicode version \"%s\"?\n", version);
        return 1;
    }

    /* Written aside, then renamed: the regeneration target rewrites the
     * committed file, which a failure must not leave half written. */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]) >= (int)sizeof tmp) {
        fputs("gen-uclass: output path too long\n", stderr);
        return 1;
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        perror(tmp);
        return 1;
    }
    fprintf(f,
            "/* Generated by lib/validate/gen-uclass.c from PCRE2's Unicode\n"
            " * properties: do not edit; `ninja -C build regen-uclass`\n"
            " * regenerates it (docs/testing.md). */\n");
    fprintf(f, "#define CA_UCLASS_UNICODE \"%s\"\n", version);
    fprintf(f, "#define CA_UCLASS_UNICODE_VERSION %u\n",
            major * 10000 + minor * 100 + update);
    fprintf(f, "const uint8_t chorusacct__uclass_stage1[%u] = {", NBLOCKS);
    for (uint32_t b = 0; b < NBLOCKS; b++)
        fprintf(f, "%s%u,", b % 16 == 0 ? "\n" : "", stage1[b]);
    fprintf(f, "\n};\n");
    /* Two code points per byte, the lower one in the low nibble. */
    fprintf(f, "const uint8_t chorusacct__uclass_stage2[%zu] = {",
            nunique * BLOCK / 2);
    size_t k = 0;
    for (size_t u = 0; u < nunique; u++) {
        const uint8_t *blk = &cls[unique_first[u] * BLOCK];
        for (uint32_t i = 0; i < BLOCK; i += 2, k++)
            fprintf(f, "%s0x%02x,", k % 12 == 0 ? "\n" : "",
                    (unsigned)(blk[i] | (blk[i + 1] << 4)));
    }
    fprintf(f, "\n};\n");
    int write_error = ferror(f);
    if (fclose(f) != 0 || write_error) {
        perror(tmp);
        remove(tmp);
        return 1;
    }
    if (rename(tmp, argv[1]) != 0) {
        perror(argv[1]);
        remove(tmp);
        return 1;
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return 0;
}
