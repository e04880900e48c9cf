/*
 * Benchmark of the phone validator (run by `meson test --benchmark` or
 * directly). Prints ns per validation over a fixed mixed set of valid and
 * invalid numbers, as people type them, next to libphonenumber's parse,
 * validation and E.164 formatting of the same inputs: the C++ library
 * through the helper bench_phone_libphonenumber (its path as the first
 * argument, where libphonenumber-dev was found at build time), and
 * python-phonenumbers where it is installed.
 *
 * Figures, not assertions: a loaded machine changes them, so no test
 * fails on them. docs/phone.md records the measured ones.
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>

#include "benchutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SET 4096
#define ROUNDS 7

static char inputs[SET][40];
static size_t lens[SET];

static uint32_t rng_state = 20261126u;
static unsigned next(unsigned n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static void digits(char *s, int n)
{
    for (int i = 0; i < n; i++)
        s[i] = (char)('0' + next(10));
    s[n] = '\0';
}

/* "0612345678" as "06 12 34 56 78", "06.12.34.56.78"... */
static void pairs(char *out, size_t cap, const char *d, char sep)
{
    size_t k = 0, n = strlen(d);
    for (size_t i = 0; i < n && k + 2 < cap; i++) {
        if (i > 0 && (n - i) % 2 == 0 && sep != '\0')
            out[k++] = sep;
        out[k++] = d[i];
    }
    out[k] = '\0';
}

/* The mix: mostly French numbers in the usual forms, some overseas and
 * foreign ones, and a quarter of mistakes. */
static void make_set(void)
{
    static const char *const fr_heads[] = {"1", "2", "3", "4",  "5",
                                           "6", "7", "9", "80", "89"};
    static const char *const dom[] = {"262", "269", "639", "692", "590",
                                      "690", "594", "694", "596", "696"};
    static const char *const seps = " .-";
    for (int i = 0; i < SET; i++) {
        char *s = inputs[i];
        const size_t cap = sizeof inputs[i];
        char nsn[16], tmp[32];
        unsigned kind = next(20);
        const char *head = fr_heads[next(10)];
        size_t hl = strlen(head);
        memcpy(nsn, head, hl);
        digits(nsn + hl, (int)(9 - hl));
        if (kind < 6) { /* national, in pairs */
            tmp[0] = '0';
            strcpy(tmp + 1, nsn);
            pairs(s, cap, tmp, seps[next(3)]);
        } else if (kind < 8) { /* national, compact */
            snprintf(s, cap, "0%s", nsn);
        } else if (kind < 10) { /* international */
            pairs(tmp, sizeof tmp, nsn + 1, ' ');
            snprintf(s, cap, "%s %c %s", next(2) ? "+33" : "0033", nsn[0], tmp);
        } else if (kind < 11) { /* with the trunk (0) */
            snprintf(s, cap, "+33 (0)%s", nsn);
        } else if (kind < 13) { /* overseas, national */
            memcpy(nsn, dom[next(10)], 3);
            tmp[0] = '0';
            strcpy(tmp + 1, nsn);
            pairs(s, cap, tmp, ' ');
        } else if (kind < 14) { /* foreign */
            static const struct {
                const char *head;
                int tail;
            } foreign[] = {{"+44 20 7946 ", 4}, {"+49 30 ", 6},
                           {"+1 202 555 ", 4},  {"+39 06 ", 8},
                           {"+32 2 ", 7},       {"+41 44 ", 7}};
            int k = (int)next(6);
            digits(tmp, foreign[k].tail);
            snprintf(s, cap, "%s%s", foreign[k].head, tmp);
        } else if (kind < 16) { /* one digit too many or too few */
            tmp[0] = '0';
            strcpy(tmp + 1, nsn);
            tmp[next(2) ? 9 : 10] = '\0';
            if (tmp[9] == '\0')
                pairs(s, cap, tmp, ' ');
            else
                snprintf(s, cap, "%s%u", tmp, next(10));
        } else if (kind < 17) { /* unallocated range */
            snprintf(s, cap, "07 1%c %c%c %c%c %c%c", nsn[1], nsn[2], nsn[3],
                     nsn[4], nsn[5], nsn[6], nsn[7]);
        } else if (kind < 18) { /* overseas block after +33 */
            snprintf(s, cap, "+33 %s %.6s", dom[next(10)], nsn + 3);
        } else if (kind < 19) { /* a letter */
            snprintf(s, cap, "0%s", nsn);
            s[1 + next(9)] = 'O';
        } else { /* an extension */
            snprintf(s, cap, "0%s ext %u", nsn, next(100));
        }
        lens[i] = strlen(s);
    }
}

static unsigned pass(void)
{
    unsigned ok = 0;
    char out[32];
    int reason;
    for (int i = 0; i < SET; i++)
        ok += chorusacct_phone_check(inputs[i], lens[i], 0, out, sizeof out,
                                     NULL, &reason) == CHORUSACCT_OK;
    return ok;
}

/* python-phonenumbers, asked what the library answers: parse as typed
 * in France, validate, format as E.164. */
static const char py_one[] =
    "import phonenumbers as p\n"
    "def one(x):\n"
    "    try:\n"
    "        n = p.parse(x, \"FR\")\n"
    "    except p.NumberParseException:\n"
    "        return 0\n"
    "    if not p.is_valid_number(n):\n"
    "        return 0\n"
    "    p.format_number(n, p.PhoneNumberFormat.E164)\n"
    "    return 1";

int main(int argc, char **argv)
{
    if (chorusacct_init() != CHORUSACCT_OK)
        return 1;
    make_set();
    unsigned valid = pass();
    printf("phone validation, %d mixed inputs (%u valid for chorusacct)\n", SET,
           valid);
    double ours = bench_best_ns(pass, SET, 50, ROUNDS);
    printf("  chorusacct_phone_check             %9.1f ns\n", ours);

    char path[] = "/tmp/chorusacct-bench-phone-XXXXXX";
    if (bench_write_values(path, inputs[0], sizeof inputs[0], SET) != 0) {
        perror("bench_phone: temporary file");
        return 1;
    }
    char cmd[1024];
    unsigned other_valid = 0;
    if (argc > 1 && access(argv[1], X_OK) == 0) {
        snprintf(cmd, sizeof cmd, "'%s' '%s'", argv[1], path);
        double cpp = bench_run_ns(cmd, &other_valid);
        if (cpp > 0)
            printf("  libphonenumber (C++)               %9.1f ns  "
                   "(%.0fx slower; %u valid)\n",
                   cpp, cpp / ours, other_valid);
        else
            printf("  libphonenumber (C++): helper failed\n");
    } else {
        printf("  libphonenumber (C++): not built (libphonenumber-dev "
               "missing)\n");
    }
    unlink(path);
    double py = bench_python_ns(py_one, "one(x)", inputs[0], sizeof inputs[0],
                                SET, 1, &other_valid);
    if (py > 0)
        printf("  python-phonenumbers                %9.1f ns  "
               "(%.0fx slower; %u valid)\n",
               py, py / ours, other_valid);
    else
        printf("  python-phonenumbers: not installed\n");
    printf("  (the valid counts differ by the deliberate differences of "
           "docs/phone.md)\n");
    return 0;
}
