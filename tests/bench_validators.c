/*
 * Benchmark of the e-mail, name and password validators (run by
 * `meson test --benchmark` or directly). Prints ns per validation over
 * fixed mixed sets of valid and invalid values, next to:
 * - for e-mail, a bare PCRE2-JIT match of the HTML Living Standard's
 *   `input type=email` pattern on the same addresses, with its match data
 *   created once (what a program that only wants a yes/no would write);
 * - for passwords, libpwquality's pwquality_check() without its
 *   dictionary on the same passwords, where libpwquality is installed.
 *
 * Figures, not assertions: a loaded machine changes them, so no test
 * fails on them. docs/validators.md records the measured ones.
 */
#define _POSIX_C_SOURCE 200809L
#define PCRE2_CODE_UNIT_WIDTH 8

#include <chorusacct.h>
#include <pcre2.h>

#ifdef HAVE_PWQUALITY
#include <pwquality.h>
#endif

#include "benchutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SET 4096
#define ROUNDS 7

typedef struct {
    char s[128];
    size_t len;
} value;

static value emails[SET], names[SET], passwords[SET];
/* The e-mail set's valid and invalid values apart, to see where the
 * time goes. */
static value *email_set = emails;

static uint32_t rng_state = 20261126u;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static void set(value *v, const char *a, const char *b, const char *c)
{
    int n = snprintf(v->s, sizeof v->s, "%s%s%s", a, b, c);
    v->len = n < 0 ? 0 : (size_t)n < sizeof v->s ? (size_t)n : sizeof v->s - 1;
}

/* Two thirds valid; the rest carry the mistakes people make. */
static void make_emails(void)
{
    static const char *locals[] = {
        "jean.dupont", "marie-claire.durand", "contact",     "j.smith+factures",
        "x",           "comptabilite",        "Jean.Dupont", "a1b2c3.d4e5",
        "o'neil",
    };
    static const char *domains[] = {
        "example.fr",       "mail.example.com",
        "finances.gouv.fr", "b.co",
        "Example.FR",       "sub-domain.example.org",
        "entreprise.co.uk", "x1.y2.z3.example.net",
    };
    static const char *bad[] = {
        "j\xc3\xa9r\xc3\xb4me@example.fr",
        "jean..dupont@example.fr",
        "jean.dupont.example.fr",
        "jean@dupont@example.fr",
        "jean@example.fr.",
        "jean@-example.fr",
        "jean@192.168.0.1",
        "jean dupont@example.fr",
        "jean@localhost",
        ".jean@example.fr",
        "jean@exa_mple.fr",
        "jean@example..fr",
    };
    for (int i = 0; i < SET; i++) {
        if (i % 3 == 2)
            set(&emails[i], bad[rnd(12)], "", "");
        else
            set(&emails[i], locals[rnd(9)], "@", domains[rnd(8)]);
    }
}

static void make_names(void)
{
    static const char *ok[] = {
        "Jean",
        "Jean-Pierre",
        "\xc3\x89lodie",
        "O\xe2\x80\x99"
        "Brien",
        "  Marie  ",
        "Nguy\xe1\xbb\x85n",
        "M\xc3\xbcller-L\xc3\xbc"
        "denscheidt",
        "\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1",
        "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e",
        "de La Fontaine",
        "Zoe\xcc\x88",
        "Dmitri",
    };
    static const char *bad[] = {
        "J3an", "Jean\t", "", "-", "Jean!", "Jean\xff", "Jean\xf0\x9f\x98\x80",
        "   ",
    };
    for (int i = 0; i < SET; i++) {
        if (i % 3 == 2)
            set(&names[i], bad[rnd(8)], "", "");
        else
            set(&names[i], ok[rnd(12)], "", "");
    }
}

static void make_passwords(void)
{
    static const char *ok[] = {
        "Password1234",
        "\xc3\x89"
        "cureuil-2024!",
        "P@ssw0rd-\xc3\x89t\xc3\xa9-2024",
        "Tr0ub4dor&3xyz",
        "correct-horse-Battery-7",
        "Mot de passe tr\xc3\xa8s s\xc3\xbb"
        "r 42",
        "\xe5\xaf\x86\xe7\xa0\x81\xe5\xaf\x86\xe7\xa0\x81Secret99",
        "ZXCVbnm,./123456",
        "\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1-\xce\x9a\xce\xbb\xce\xb5"
        "\xce\xb9\xce\xb4\xce\xaf-2024",
        "kE9#vL2$wQ7!zR4%pT6^",
    };
    static const char *bad[] = {
        "short1A",
        "password1234",
        ("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "1A"),
        "correct horse battery staple",
        "PASSWORDPASSWORD",
        "Password\t1234",
        "123456789012",
        "Password123\xff",
    };
    for (int i = 0; i < SET; i++) {
        if (i % 3 == 2)
            set(&passwords[i], bad[rnd(8)], "", "");
        else
            set(&passwords[i], ok[rnd(10)], "", "");
    }
}

/* Best of ROUNDS timed runs of `reps` passes. */
static double ns_per_item(bench_pass_fn fn, int reps)
{
    return bench_best_ns(fn, SET, reps, ROUNDS);
}

/* ------------------------------------------------------------------ */

/* The HTML Living Standard's valid e-mail address pattern, as PCRE2. */
static const char whatwg_pattern[] =
    "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}"
    "[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$";
/* The library's own pattern (lib/validate/email.c, docs/validators.md), to show
 * what the regex costs apart from the rest of the validation. */
#define ATEXT "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
#define LABEL "[A-Za-z0-9]++(?:-++[A-Za-z0-9]++)*+"
static const char own_pattern[] =
    "\\A" ATEXT "++(?:\\." ATEXT "++)*+"
    "@(?:" LABEL "\\.)++(?![0-9]++\\z)" LABEL "\\z";
static pcre2_code *whatwg_re, *own_re, *bare_re;
static pcre2_match_data *whatwg_md;

static unsigned pass_bare(void)
{
    unsigned ok = 0;
    for (int i = 0; i < SET; i++)
        ok += pcre2_jit_match(bare_re, (PCRE2_SPTR)email_set[i].s,
                              email_set[i].len, 0, 0, whatwg_md, NULL) > 0;
    return ok;
}

static pcre2_code *compile_jit(const char *pattern)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   0, &err, &off, NULL);
    if (re == NULL || pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) != 0) {
        fprintf(stderr, "bench: cannot JIT-compile %s\n", pattern);
        exit(1);
    }
    return re;
}

static unsigned pass_email(void)
{
    unsigned ok = 0;
    char out[300];
    int reason;
    for (int i = 0; i < SET; i++)
        ok +=
            chorusacct_email_check(email_set[i].s, email_set[i].len, 0, out,
                                   sizeof out, NULL, &reason) == CHORUSACCT_OK;
    return ok;
}

/* Copies the valid (or the invalid) addresses of the mixed set, repeated
 * to fill a set. */
static value *subset(int valid)
{
    static value sub[2][SET];
    int n = 0;
    for (int i = 0; n < SET; i = (i + 1) % SET) {
        char out[300];
        int ok =
            chorusacct_email_check(emails[i].s, emails[i].len, 0, out,
                                   sizeof out, NULL, NULL) == CHORUSACCT_OK;
        if (ok == valid)
            sub[valid][n++] = emails[i];
    }
    return sub[valid];
}

static unsigned pass_name(void)
{
    unsigned ok = 0;
    char out[512];
    int reason;
    for (int i = 0; i < SET; i++)
        ok += chorusacct_name_check(names[i].s, names[i].len, 0, out,
                                    sizeof out, NULL, &reason) == CHORUSACCT_OK;
    return ok;
}

static unsigned pass_password(void)
{
    unsigned ok = 0;
    uint32_t failed, classes;
    int reason;
    for (int i = 0; i < SET; i++)
        ok +=
            chorusacct_password_check(passwords[i].s, passwords[i].len, &failed,
                                      &classes, &reason) == CHORUSACCT_OK;
    return ok;
}

static unsigned pass_personal(void)
{
    unsigned ok = 0;
    int reason;
    for (int i = 0; i < SET; i++)
        ok += chorusacct_password_check_personal(
                  passwords[i].s, passwords[i].len, "jean.dupont@example.fr",
                  "\xc3\x89lodie", "Dupont", &reason) == CHORUSACCT_OK;
    return ok;
}

#ifdef HAVE_PWQUALITY
static pwquality_settings_t *pwq;

static unsigned pass_pwquality(void)
{
    unsigned ok = 0;
    void *aux;
    for (int i = 0; i < SET; i++) {
        aux = NULL;
        ok += pwquality_check(pwq, passwords[i].s, NULL, NULL, &aux) >= 0;
    }
    return ok;
}
#endif

int main(void)
{
    if (chorusacct_init() != CHORUSACCT_OK)
        return 1;
    make_emails();
    make_names();
    make_passwords();
    whatwg_re = compile_jit(whatwg_pattern);
    own_re = compile_jit(own_pattern);
    whatwg_md = pcre2_match_data_create(1, NULL);

    printf("validators, %d mixed values each (about one third invalid)\n", SET);
    bare_re = own_re;
    double own = ns_per_item(pass_bare, 50);
    bare_re = whatwg_re;
    double bare = ns_per_item(pass_bare, 50);
    double email = ns_per_item(pass_email, 50);
    printf("  e-mail: %u valid\n", pass_email());
    printf("    bare PCRE2-JIT, HTML pattern  %8.1f ns  (%u match)\n", bare,
           pass_bare());
    printf("    bare PCRE2-JIT, own pattern   %8.1f ns\n", own);
    printf("    chorusacct_email_check        %8.1f ns  (%.2fx the bare "
           "match)\n",
           email, email / bare);
    for (int valid = 1; valid >= 0; valid--) {
        email_set = subset(valid);
        bare = ns_per_item(pass_bare, 50);
        email = ns_per_item(pass_email, 50);
        printf("      %-7s only: bare %5.1f ns, chorusacct %5.1f ns "
               "(%.2fx)\n",
               valid ? "valid" : "invalid", bare, email, email / bare);
    }
    email_set = emails;
    printf("  names: %u valid\n", pass_name());
    printf("    chorusacct_name_check         %8.1f ns\n",
           ns_per_item(pass_name, 50));
    double pw = ns_per_item(pass_password, 50);
    printf("  passwords: %u valid\n", pass_password());
    printf("    chorusacct_password_check     %8.1f ns\n", pw);
    printf("    ..._check_personal            %8.1f ns\n",
           ns_per_item(pass_personal, 50));
#ifdef HAVE_PWQUALITY
    pwq = pwquality_default_settings();
    if (pwq == NULL ||
        pwquality_set_int_value(pwq, PWQ_SETTING_DICT_CHECK, 0) != 0)
        return 1;
    double q = ns_per_item(pass_pwquality, 5);
    printf("    libpwquality, no dictionary   %8.1f ns  (%.1fx "
           "chorusacct_password_check; it counts bytes)\n",
           q, q / pw);
    pwquality_free_settings(pwq);
#else
    printf("    libpwquality: not installed\n");
#endif
    return 0;
}
