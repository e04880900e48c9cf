/*
 * Probe of the Unicode behaviour of the name and password validators,
 * for tests/diff_unicode.py. It uses the library's public API only, and
 * PCRE2 directly as a second opinion on case-insensitivity.
 *
 *   probe_unicode classes
 *       First line: "unicode VERSION" (PCRE2's). Then, for every code
 *       point but the surrogates, in runs "FIRST LAST P N" (hex, and the
 *       run shares P and N): P is the password class of the code point
 *       alone (U, L, D, S, or X when refused as a character), N is y or n
 *       for whether "a" followed by it is a valid name.
 *   probe_unicode fold < lines "C D" (hex code points)
 *       For each line, "R P": R is 1 when the password C C C is refused
 *       as containing the name D D D, else 0; P is 1 when PCRE2 matches C
 *       against D without case, else 0.
 */
#define _POSIX_C_SOURCE 200809L
#define PCRE2_CODE_UNIT_WIDTH 8

#include <chorusacct.h>
#include <pcre2.h>

#include <stdio.h>
#include <string.h>

static size_t utf8(unsigned long c, char *s)
{
    if (c < 0x80) {
        s[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        s[0] = (char)(0xC0 | (c >> 6));
        s[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        s[0] = (char)(0xE0 | (c >> 12));
        s[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        s[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    s[0] = (char)(0xF0 | (c >> 18));
    s[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    s[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    s[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static char pw_class(const char *s, size_t n)
{
    uint32_t failed, classes;
    if (chorusacct_password_check(s, n, &failed, &classes, NULL) ==
        CHORUSACCT_E_ARG)
        return '?';
    if (failed & CHORUSACCT_PW_RULE_CHARACTER)
        return 'X';
    switch (classes) {
    case CHORUSACCT_PW_CLASS_UPPER:
        return 'U';
    case CHORUSACCT_PW_CLASS_LOWER:
        return 'L';
    case CHORUSACCT_PW_CLASS_DIGIT:
        return 'D';
    case CHORUSACCT_PW_CLASS_SPECIAL:
        return 'S';
    default:
        return '?';
    }
}

static int classes(void)
{
    char version[32];
    if (pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, version) < 0)
        return 2;
    printf("unicode %s\n", version);
    unsigned long first = 0;
    char last_p = 0, last_n = 0;
    for (unsigned long c = 0; c <= 0x10FFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        char s[8] = "a";
        size_t n = utf8(c, s + 1);
        char p = pw_class(s + 1, n);
        char nm = chorusacct_name_check(s, n + 1, 0, NULL, 0, NULL, NULL) ==
                          CHORUSACCT_OK
                      ? 'y'
                      : 'n';
        if (c == 0 || p != last_p || nm != last_n || c == 0xE000) {
            if (c != 0)
                printf("%lX %lX %c %c\n", first, c == 0xE000 ? 0xD7FFul : c - 1,
                       last_p, last_n);
            first = c;
            last_p = p;
            last_n = nm;
        }
    }
    printf("%lX 10FFFF %c %c\n", first, last_p, last_n);
    return 0;
}

static int fold(void)
{
    static const char pattern[] = "(?is)\\A(.)\\1\\z";
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF, &err, &off, NULL);
    pcre2_match_data *md =
        re != NULL ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
    if (md == NULL)
        return 2;
    unsigned long c, d;
    while (scanf("%lx %lx", &c, &d) == 2) {
        char pw[16], name[16], pair[8];
        size_t n = utf8(c, pw), m = utf8(d, name);
        memcpy(pair, pw, n);
        memcpy(pair + n, name, m);
        for (int i = 1; i < 3; i++) {
            memcpy(pw + i * n, pw, n);
            memcpy(name + i * m, name, m);
        }
        pw[3 * n] = '\0';
        name[3 * m] = '\0';
        int reason = 0;
        int rc = chorusacct_password_check_personal(pw, 3 * n, NULL, name, NULL,
                                                    &reason);
        int r = rc == CHORUSACCT_E_REJECTED &&
                reason == CHORUSACCT_E_PASSWORD_PERSONAL;
        int p = pcre2_match(re, (PCRE2_SPTR)pair, n + m, 0, 0, md, NULL) > 0;
        printf("%d %d\n", r, p);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "classes") == 0)
        return classes();
    if (argc == 2 && strcmp(argv[1], "fold") == 0)
        return fold();
    fputs("usage: probe_unicode classes | fold < pairs\n", stderr);
    return 2;
}
