/*
 * Valid SIRETs for the tests and benchmarks that need many structures:
 * the Luhn key (the SIREN's last digit, then the SIRET's) computed here,
 * independently of the library's validator.
 *
 * Header only, all static inline: bench_flow, bench_postgres and
 * crash_worker are programs of their own that link neither flowutil.c
 * nor cmocka.
 */
#ifndef CHORUSACCT_SIRETS_H
#define CHORUSACCT_SIRETS_H

#include <stdio.h>
#include <string.h>

/* The Luhn sum of the digits d[0..n), the rightmost one weighted 1: the
 * number passes when the sum is a multiple of 10. */
static inline int luhn_sum(const char *d, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i & 1)
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
    }
    return sum;
}

/* Sets the last digit s[n - 1] so that s[0..n) passes the Luhn check
 * (exactly one digit does). */
static inline void luhn_complete(char *s, int n)
{
    for (s[n - 1] = '0'; luhn_sum(s, n) % 10 != 0; s[n - 1]++)
        ;
}

/* A valid SIRET (14 digits and NUL) made from `n`: its SIREN is the last
 * 8 decimal digits of n and a key, a different one for every n < 10^8;
 * the establishment is 0001 and a key. */
static inline void siret_of(unsigned n, char out[15])
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%08u", n % 100000000u);
    memcpy(out, tmp, 8);
    luhn_complete(out, 9);
    memcpy(out + 9, "0001", 4);
    luhn_complete(out, 14);
    out[14] = '\0';
}

#endif
