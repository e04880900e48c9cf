/*
 * Benchmark of the identifier validators (run by `meson test --benchmark`
 * or directly). Prints ns per validation over a fixed mixed set of valid
 * and invalid numbers, next to a bare 14-digit Luhn loop on the same
 * inputs and, where it is installed, python-stdnum.
 *
 * Figures, not assertions: a loaded machine changes them, so no test
 * fails on them. docs/performance.md records the measured ones.
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>

#include "benchutil.h"
#include "sirets.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SET 4096
#define ROUNDS 7

static char sirets[SET][15];
static char sirens[SET][10];
static char tvas[SET][14];

static uint32_t rng_state = 20261126u;
static unsigned next_digit(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 24) % 10u;
}

/* The reference: the loop a C programmer would write, no checks. */
static int bare_luhn14(const char *s)
{
    unsigned sum = 0;
    for (int i = 0; i < 14; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

static void make_set(void)
{
    for (int i = 0; i < SET; i++) {
        char *s = sirets[i];
        for (int k = 0; k < 14; k++)
            s[k] = (char)('0' + next_digit());
        s[14] = '\0';
        luhn_complete(s, 9);
        luhn_complete(s, 14);
        if (i % 2 == 1) /* half of them mistyped */
            s[next_digit() % 14] = (char)('0' + next_digit());
        memcpy(sirens[i], s, 9);
        sirens[i][9] = '\0';
        unsigned key = 0;
        for (int k = 0; k < 9; k++)
            key = (key * 10 + (unsigned)(s[k] - '0')) % 97;
        key = (12 + 3 * key) % 97;
        snprintf(tvas[i], sizeof tvas[i], "FR%02u%.9s", key, s);
    }
}

static unsigned pass_bare(void)
{
    unsigned ok = 0;
    for (int i = 0; i < SET; i++)
        ok += (unsigned)bare_luhn14(sirets[i]);
    return ok;
}

typedef int (*check_fn)(const char *, size_t, uint32_t, char *, size_t,
                        size_t *, int *);

/* Validates a set of `len`-character values with `fn`, writing the
 * normalized form as a real caller would. Callers have the length (from
 * getline or a form field), and the bare loop does not measure it either.
 */
static unsigned pass_with(check_fn fn, const char *base, size_t stride,
                          size_t len)
{
    unsigned ok = 0;
    char out[32];
    int reason;
    for (int i = 0; i < SET; i++)
        ok += fn(base + (size_t)i * stride, len, 0, out, sizeof out, NULL,
                 &reason) == CHORUSACCT_OK;
    return ok;
}

static unsigned pass_siret(void)
{
    return pass_with(chorusacct_siret_check, sirets[0], sizeof sirets[0], 14);
}

static unsigned pass_siren(void)
{
    return pass_with(chorusacct_siren_check, sirens[0], sizeof sirens[0], 9);
}

static unsigned pass_tva(void)
{
    return pass_with(chorusacct_vat_fr_check, tvas[0], sizeof tvas[0], 13);
}

/* Best of ROUNDS timed runs of 50 passes. */
static double ns_per_item(bench_pass_fn fn)
{
    return bench_best_ns(fn, SET, 50, ROUNDS);
}

int main(void)
{
    if (chorusacct_init() != CHORUSACCT_OK)
        return 1;
    make_set();
    unsigned valid = pass_siret();
    printf("identifier validation, %d mixed values (%u valid SIRETs)\n", SET,
           valid);
    double bare = ns_per_item(pass_bare);
    double siret = ns_per_item(pass_siret);
    printf("  bare 14-digit Luhn loop     %8.1f ns\n", bare);
    printf("  chorusacct_siret_check      %8.1f ns  (%.2fx the bare loop)\n",
           siret, siret / bare);
    printf("  chorusacct_siren_check      %8.1f ns\n", ns_per_item(pass_siren));
    printf("  chorusacct_vat_fr_check        %8.1f ns\n",
           ns_per_item(pass_tva));
    /* python-stdnum on the same values, where Debian's package is. */
    double py =
        bench_python_ns("from stdnum.fr import siret as m", "m.is_valid(x)",
                        sirets[0], sizeof sirets[0], SET, 3, NULL);
    if (py > 0)
        printf("  python-stdnum siret         %8.1f ns  (%.0fx slower)\n", py,
               py / siret);
    double pyt =
        bench_python_ns("from stdnum.fr import tva as m", "m.is_valid(x)",
                        tvas[0], sizeof tvas[0], SET, 3, NULL);
    if (pyt > 0)
        printf("  python-stdnum tva           %8.1f ns\n", pyt);
    else if (py <= 0)
        printf("  python-stdnum: not installed\n");
    return 0;
}
