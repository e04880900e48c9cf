/*
 * Benchmark of chorusacct_vat_check() (run by `meson test --benchmark` or
 * directly). Prints ns per validation over a fixed mixed set of valid and
 * mistyped numbers of every member state, next to python-stdnum's
 * stdnum.eu.vat.is_valid on the same values where Debian's package is
 * installed, and counts the heap allocations made while validating.
 *
 * Figures, not assertions: a loaded machine changes them, so no test
 * fails on them. docs/vat.md records the measured ones.
 */
#define _GNU_SOURCE

#include <chorusacct.h>

#include "benchutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SET 4096
#define ROUNDS 7
#define REPS 100 /* passes per timed round */

/* Valid numbers of every kind of every country; the set cycles through
 * them, every second one mistyped, some typed with spaces. */
static const char *const base[] = {
    "ATU13585627",    "ATU57194903",   "BE0428759497",    "BE0795013186",
    "BG175074752",    "BG7111042925",  "CY10259033P",     "CY10246672X",
    "CZ25123891",     "CZ640903926",   "CZ7103192745",    "DE136695976",
    "DE813113875",    "DK13585628",    "DK27630308",      "EE100931558",
    "EE101256753",    "EL094259216",   "EL082857563",     "ESB58378431",
    "ES54362315K",    "ESX5253868R",   "ESQ0818001J",     "FI20774740",
    "FI09826511",     "FR61954506077", "FRK7399859412",   "HR33392005961",
    "HU12892312",     "HU10672101",    "IE6433435F",      "IE6433435OA",
    "IE8D79739I",     "IT00743110157", "IT09159800011",   "LT119511515",
    "LT100001919017", "LU15027442",    "LU24870640",      "LV40003521600",
    "LV16117519997",  "MT11679112",    "MT10396417",      "NL004495445B01",
    "NL002455799B11", "PL8567346215",  "PL5840304472",    "PT501964843",
    "PT500135495",    "RO18547290",    "RO1630615123457", "SE123456789701",
    "SE556644662001", "SI50223054",    "SI89036999",      "SK2022749619",
    "SK1078449064",   "XI980780684",   "XIGD001",         "XI980780684123",
};
#define NBASE (sizeof base / sizeof base[0])

static char values[SET][24];
static size_t lens[SET];

static uint32_t rng_state = 20261126u;
static unsigned next_rand(unsigned n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 16) % n;
}

static void make_set(void)
{
    for (int i = 0; i < SET; i++) {
        const char *b = base[(size_t)i % NBASE];
        size_t n = strlen(b);
        char *v = values[i];
        memcpy(v, b, n + 1);
        if (i % 2 == 1) {
            /* A digit of the national part changed (or, rarely, the
             * number left as it was when the draw gives the same). */
            size_t at = 2 + next_rand((unsigned)(n - 2));
            if (v[at] >= '0' && v[at] <= '9')
                v[at] = (char)('0' + next_rand(10));
        }
        if (i % 8 == 3 && n < 20) {
            /* "DE 136695976" */
            memmove(v + 3, v + 2, n - 1);
            v[2] = ' ';
            n++;
        }
        lens[i] = n;
    }
}

/* Heap allocations made by the process, where they can be counted: the
 * program's malloc family stands in front of glibc's. Sanitizers have
 * their own allocator, so nothing is counted there. */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) &&                    \
    !defined(__has_feature)
#define COUNT_ALLOCS 1
#elif defined(__GLIBC__) && defined(__has_feature)
#if !__has_feature(address_sanitizer) && !__has_feature(memory_sanitizer)
#define COUNT_ALLOCS 1
#endif
#endif

#ifdef COUNT_ALLOCS
static volatile unsigned long allocs;
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n)
{
    allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    allocs++;
    return __libc_realloc(p, n);
}
#endif

/* One pass over the set, writing the normalized form as a real caller
 * would. */
static unsigned pass(void)
{
    unsigned ok = 0;
    char out[32];
    int reason;
    for (int i = 0; i < SET; i++)
        ok += chorusacct_vat_check(values[i], lens[i], 0, out, sizeof out, NULL,
                                   &reason) == CHORUSACCT_OK;
    return ok;
}

int main(void)
{
    if (chorusacct_init() != CHORUSACCT_OK)
        return 1;
    make_set();
    unsigned valid = pass();
    printf("EU VAT validation, %d mixed values of 28 prefixes (%u valid)\n",
           SET, valid);
#ifdef COUNT_ALLOCS
    unsigned long before = allocs;
#endif
    double ns = bench_best_ns(pass, SET, REPS, ROUNDS);
#ifdef COUNT_ALLOCS
    unsigned long during = allocs - before;
#endif
    printf("  chorusacct_vat_check        %8.1f ns\n", ns);
#ifdef COUNT_ALLOCS
    printf("  heap allocations            %8lu      (%.0f validations)\n",
           during, (double)ROUNDS * REPS * SET);
#else
    printf("  heap allocations: not counted in this build\n");
#endif
    /* python-stdnum on the same values, where Debian's package is. */
    double py = bench_python_ns("from stdnum.eu import vat", "vat.is_valid(x)",
                                values[0], sizeof values[0], SET, 3, NULL);
    if (py > 0)
        printf("  python-stdnum eu.vat        %8.1f ns  (%.0fx slower)\n", py,
               py / ns);
    else
        printf("  python-stdnum: not installed\n");
    return 0;
}
