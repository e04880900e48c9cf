/*
 * EU VAT numbers of every member state, and XI (Northern Ireland). The
 * country prefix picks a row of vat_countries; the row's function checks
 * the national part with the check-digit families below, each shared by
 * the countries that use it. French numbers go to chorusacct_vat_fr_check()
 * (identifier.c), which already knows their keys.
 *
 * Rules, number kinds and sources: docs/vat.md.
 */
#include "internal.h"

#include <string.h>

/* National parts are at most 13 characters (Romanian personal codes):
 * anything longer is refused, so the rest need not be kept. */
#define VAT_KEEP 16
/* Room before the national part for the leading zeros that old Belgian,
 * Greek and short Dutch numbers lack, and for the prefix before them. */
#define VAT_HEAD 12

/* Classes of characters in a national part, beyond digits. */
enum { VAT_LETTER = 1, VAT_SYMBOL = 2 /* '+' or '*' (old Irish) */ };

typedef struct {
    char *d; /* national part, upper case; d[-VAT_HEAD..-1] is free */
    size_t n;
} vat_num;

typedef struct vat_country vat_country;
typedef int (*vat_check_fn)(const vat_country *c, vat_num *x);

struct vat_country {
    char cc[3];
    uint8_t chars;    /* VAT_LETTER | VAT_SYMBOL allowed besides digits */
    uint16_t lengths; /* bit n: the national part may have n characters */
    bool nonzero;     /* the first digit may not be 0 */
    vat_check_fn check;
    const uint8_t *w; /* check_weighted: weights, one per digit, */
    uint8_t mod, rem; /* and the remainder the sum must leave */
    const char *hint_en, *hint_fr;
};

/* ------------------------------------------------------------------ */
/* Check-digit families                                                 */

static inline unsigned dig(const char *d, size_t i)
{
    return (unsigned)(d[i] - '0');
}

static inline bool is_digit(char c)
{
    return (unsigned)(c - '0') < 10;
}

static inline bool is_upper(char c)
{
    return (unsigned)(c - 'A') < 26;
}

static bool all_digits(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(d[i]))
            return false;
    return true;
}

static bool all_zero(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i] != '0')
            return false;
    return true;
}

/* Value of n digits (n <= 9). */
static uint32_t num(const char *d, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + dig(d, i);
    return v;
}

/* The digits appended to a number whose remainder modulo m is r, read
 * as one number, modulo m: long numbers never overflow. */
static unsigned num_mod(unsigned r, const char *d, size_t n, unsigned m)
{
    for (size_t i = 0; i < n; i++)
        r = (r * 10 + dig(d, i)) % m;
    return r;
}

/* Weighted digit sum: the family of most national rules, which differ in
 * weights and in what they do with the sum. */
static unsigned wsum(const char *d, const uint8_t *w, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i] * dig(d, i);
    return s;
}

/* Descending weights: 9..2 (PT, NL), 8..2 from +1 (CZ, SI, IE). */
static const uint8_t w_down[] = {9, 8, 7, 6, 5, 4, 3, 2};
/* Ascending weights with a second pass two places on (BG, LT). */
static const uint8_t w_up[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const uint8_t w_lt[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4};

/* Luhn: from the right, every second digit doubled and its digits
 * summed. With `tail`, the rightmost digit is doubled too, as when the
 * check digit still has to be appended. */
static unsigned luhn_sum(const char *d, size_t n, bool tail)
{
    static const uint8_t doubled[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = dig(d, n - 1 - i);
        s += ((i & 1) ^ (unsigned)tail) ? doubled[v] : v;
    }
    return s;
}

/* ISO 7064 MOD 11,10 over the whole number, check digit included. */
static bool mod11_10_ok(const char *d, size_t n)
{
    unsigned p = 5;
    for (size_t i = 0; i < n; i++)
        p = ((p == 0 ? 10 : p) * 2 % 11 + dig(d, i)) % 10;
    return p == 1;
}

/* Proleptic Gregorian calendar, as the birth dates of personal codes. */
static bool date_ok(unsigned y, unsigned m, unsigned d)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return d <= days[m - 1] + (unsigned)(m == 2 && leap);
}

/* The Spanish DNI letter of a number. */
static char dni_letter(uint32_t v)
{
    return "TRWAGMYFPDXBNJZSQVHLCKE"[v % 23];
}

/* Czech and Slovak birth number (rodné číslo): YYMMDD (month + 50 for
 * women, + 20 when a day's serials ran out), a serial, and since 1954 a
 * check digit making the whole number divisible by 11. */
static int birth_number(const char *d, size_t n)
{
    unsigned y = 1900 + num(d, 2), m = num(d + 2, 2) % 50 % 20;
    if (n == 9) {
        if (y >= 1980)
            y -= 100;
        if (y > 1953)
            return CHORUSACCT_E_FORMAT;
    } else if (y < 1954) {
        y += 100;
    }
    if (!date_ok(y, m, num(d + 4, 2)))
        return CHORUSACCT_E_FORMAT;
    if (n == 10) {
        unsigned k = num_mod(0, d, 9, 11);
        /* Before 1985 a remainder of 10 was written 0. */
        if (y < 1985)
            k %= 10;
        if (k != dig(d, 9))
            return CHORUSACCT_E_CHECKSUM;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Countries                                                            */

#define CHECKED(ok) ((ok) ? 0 : CHORUSACCT_E_CHECKSUM)

/* A weighted sum that must leave a given remainder (DK, EE, FI, HU, MT,
 * PL): the row carries the weights. */
static int check_weighted(const vat_country *c, vat_num *x)
{
    return CHECKED(wsum(x->d, c->w, x->n) % c->mod == c->rem);
}

static int check_at(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    if (d[0] != 'U' || !all_digits(d + 1, 8))
        return CHORUSACCT_E_FORMAT;
    /* Luhn over the 7 digits, offset by 4. */
    return CHECKED((16 - luhn_sum(d + 1, 7, false) % 10) % 10 == dig(d, 8));
}

static int check_be(const vat_country *c, vat_num *x)
{
    (void)c;
    if (x->n == 9) { /* before 2005, without the leading 0 */
        *--x->d = '0';
        x->n = 10;
    }
    const char *d = x->d;
    if (d[0] > '1' || all_zero(d, 10))
        return CHORUSACCT_E_FORMAT;
    /* 97 minus the remainder: never 00, nor 98 or 99. */
    return CHECKED(97 - num(d, 8) % 97 == num(d + 8, 2));
}

static int check_bg(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    if (x->n == 9) { /* legal entities */
        unsigned s = wsum(d, w_up, 8) % 11;
        if (s == 10)
            s = wsum(d, w_up + 2, 8) % 11;
        return CHECKED(s % 10 == dig(d, 8));
    }
    /* Individuals: a personal number (EGN, with a birth date), a
     * foreigner's number (LNCh), or another 10-digit number. */
    static const uint8_t w_egn[] = {2, 4, 8, 5, 10, 9, 7, 3, 6};
    static const uint8_t w_pnf[] = {21, 19, 17, 13, 11, 9, 7, 3, 1};
    static const uint8_t w_oth[] = {4, 3, 2, 7, 6, 5, 4, 3, 2};
    unsigned y = 1900 + num(d, 2), m = num(d + 2, 2);
    if (m > 40)
        y += 100, m -= 40;
    else if (m > 20)
        y -= 100, m -= 20;
    if (date_ok(y, m, num(d + 4, 2)) &&
        wsum(d, w_egn, 9) % 11 % 10 == dig(d, 9))
        return 0;
    if (wsum(d, w_pnf, 9) % 10 == dig(d, 9))
        return 0;
    return CHECKED((11 - wsum(d, w_oth, 9) % 11) % 11 == dig(d, 9));
}

static int check_cy(const vat_country *c, vat_num *x)
{
    (void)c;
    static const uint8_t odd[10] = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21};
    const char *d = x->d;
    if (!all_digits(d, 8) || !is_upper(d[8]))
        return CHORUSACCT_E_FORMAT;
    if (d[0] == '1' && d[1] == '2')
        return CHORUSACCT_E_FORMAT;
    unsigned s = 0;
    for (size_t i = 0; i < 8; i += 2)
        s += odd[dig(d, i)] + dig(d, i + 1);
    return CHECKED('A' + s % 26 == (unsigned)d[8]);
}

static int check_cz(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    if (x->n == 8) { /* legal entities */
        if (d[0] == '9')
            return CHORUSACCT_E_FORMAT;
        unsigned k = (11 - wsum(d, w_down + 1, 7) % 11) % 11;
        return CHECKED((k == 0 ? 1 : k) % 10 == dig(d, 7));
    }
    if (x->n == 9 && d[0] == '6') { /* individuals without a birth no. */
        unsigned s = wsum(d + 1, w_down + 1, 7) % 11;
        return CHECKED((18 - (10 - s) % 11) % 10 == dig(d, 8));
    }
    return birth_number(d, x->n);
}

static int check_de(const vat_country *c, vat_num *x)
{
    (void)c;
    return CHECKED(mod11_10_ok(x->d, 9));
}

static int check_el(const vat_country *c, vat_num *x)
{
    (void)c;
    if (x->n == 8) { /* old numbers, without the leading 0 */
        *--x->d = '0';
        x->n = 9;
    }
    unsigned s = 0;
    for (size_t i = 0; i < 8; i++)
        s = s * 2 + dig(x->d, i);
    return CHECKED(s * 2 % 11 % 10 == dig(x->d, 8));
}

static int check_es(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    char first = d[0], last = d[8];
    if (!all_digits(d + 1, 7))
        return CHORUSACCT_E_FORMAT;
    uint32_t body = num(d + 1, 7);
    if (is_digit(first)) /* DNI: Spanish residents */
        return CHECKED(dni_letter(num(d, 8)) == last);
    if (first == 'K' || first == 'L' || first == 'M') /* DNI-like */
        return CHECKED(dni_letter(body) == last);
    if (first == 'X' || first == 'Y' || first == 'Z') /* NIE */
        return CHECKED(dni_letter((uint32_t)(first - 'X') * 10000000u + body) ==
                       last);
    if (strchr("ABCDEFGHJNPQRSUVW", first) == NULL)
        return CHORUSACCT_E_FORMAT;
    /* CIF: a Luhn digit, or the letter of the same rank. */
    unsigned k = (10 - luhn_sum(d + 1, 7, true) % 10) % 10;
    return CHECKED(last == (char)('0' + k) || last == "JABCDEFGHI"[k]);
}

static int check_ie(const vat_country *c, vat_num *x)
{
    (void)c;
    /* Check letters: W stands for 0, then A to V. */
    static const char letters[] = "WABCDEFGHIJKLMNOPQRSTUV";
    const char *d = x->d;
    if (!is_digit(d[0]) || !all_digits(d + 2, 5))
        return CHORUSACCT_E_FORMAT;
    unsigned extra = 0;
    for (size_t i = 7; i < x->n; i++) {
        const char *p = strchr(letters, d[i]);
        if (d[i] == '\0' || p == NULL)
            return CHORUSACCT_E_FORMAT;
        extra = (unsigned)(p - letters);
    }
    unsigned s;
    if (is_digit(d[1])) {
        /* Since 2013 the second letter counts too (9 times its rank). */
        s = wsum(d, w_down + 1, 7) + (x->n == 9 ? 9 * extra : 0);
    } else {
        /* Old numbers: a digit, a letter (or + or *), 5 digits, the
         * check letter: the first digit moves to the end. */
        static const uint8_t w_old[] = {7, 6, 5, 4, 3};
        s = wsum(d + 2, w_old, 5) + 2 * dig(d, 0);
    }
    return CHECKED(letters[s % 23] == d[7]);
}

static int check_hr(const vat_country *c, vat_num *x)
{
    (void)c;
    return CHECKED(mod11_10_ok(x->d, 11));
}

static int check_it(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    /* Digits 8 to 10 are the province office, or a special code. */
    unsigned office = num(d + 7, 3);
    if (all_zero(d, 7) || !((office >= 1 && office <= 100) || office == 120 ||
                            office == 121 || office == 888 || office == 999))
        return CHORUSACCT_E_FORMAT;
    return CHECKED(luhn_sum(d, 11, false) % 10 == 0);
}

static int check_lt(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    size_t n = x->n;
    /* The digit before the check digit is 1 for both kinds. */
    if (d[n - 2] != '1')
        return CHORUSACCT_E_FORMAT;
    unsigned s = wsum(d, w_lt, n - 1) % 11;
    if (s == 10)
        s = wsum(d, w_lt + 2, n - 1) % 11;
    return CHECKED(s % 10 == dig(d, n - 1));
}

static int check_lu(const vat_country *c, vat_num *x)
{
    (void)c;
    return CHECKED(num(x->d, 6) % 89 == num(x->d + 6, 2));
}

static int check_lv(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    if (d[0] > '3') { /* legal entities */
        static const uint8_t w[] = {9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1};
        return CHECKED(wsum(d, w, 11) % 11 == 3);
    }
    /* Personal codes: DDMMYY, then the century (0 for the 1800s). */
    static const uint8_t w[] = {10, 5, 8, 4, 2, 1, 6, 3, 7, 9};
    if (!date_ok(1800 + 100 * dig(d, 6) + num(d + 4, 2), num(d + 2, 2),
                 num(d, 2)))
        return CHORUSACCT_E_FORMAT;
    return CHECKED((1 + wsum(d, w, 10)) % 11 % 10 == dig(d, 10));
}

static int check_nl(const vat_country *c, vat_num *x)
{
    (void)c;
    size_t k = x->n - 3; /* digits before the B */
    if (!all_digits(x->d, k) || x->d[k] != 'B' || !all_digits(x->d + k + 1, 2))
        return CHORUSACCT_E_FORMAT;
    /* The leading zeros of the 9 digits are often left out. */
    while (k++ < 9) {
        *--x->d = '0';
        x->n++;
    }
    const char *d = x->d;
    if (all_zero(d, 9) || all_zero(d + 10, 2))
        return CHORUSACCT_E_FORMAT;
    /* Numbers built on a BSN or RSIN: its mod-11 check (the last digit
     * weighs -1, that is 10). */
    if ((wsum(d, w_down, 8) + 10 * dig(d, 8)) % 11 == 0)
        return 0;
    /* Since 2020: ISO 7064 MOD 97-10 over "NL" and the number, letters
     * counting as 10 to 35 (N 23, L 21, B 11). */
    unsigned r = num_mod(2321 % 97, d, 9, 97);
    r = num_mod((r * 100 + 11) % 97, d + 10, 2, 97);
    return CHECKED(r == 1);
}

static int check_pt(const vat_country *c, vat_num *x)
{
    (void)c;
    unsigned k = (11 - wsum(x->d, w_down, 8) % 11) % 11 % 10;
    return CHECKED(k == dig(x->d, 8));
}

static int check_ro(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    size_t n = x->n;
    if (n == 13) { /* CNP, a personal code: SYYMMDD, county, serial */
        static const uint8_t w[] = {2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9};
        static const uint16_t century[10] = {1900, 1900, 1900, 1800, 1800,
                                             2000, 2000, 1900, 1900, 1900};
        if (!date_ok(century[dig(d, 0)] + num(d + 1, 2), num(d + 3, 2),
                     num(d + 5, 2)))
            return CHORUSACCT_E_FORMAT;
        unsigned k = wsum(d, w, 12) % 11;
        return CHECKED((k == 10 ? 1 : k) == dig(d, 12));
    }
    /* CUI/CIF: the weights align on the right of the body. */
    static const uint8_t w[] = {7, 5, 3, 2, 1, 7, 5, 3, 2};
    unsigned s = wsum(d, w + (10 - n), n - 1);
    return CHECKED(s * 10 % 11 % 10 == dig(d, n - 1));
}

static int check_se(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    if (d[10] != '0' || d[11] != '1')
        return CHORUSACCT_E_FORMAT;
    return CHECKED(luhn_sum(d, 10, false) % 10 == 0);
}

static int check_si(const vat_country *c, vat_num *x)
{
    (void)c;
    unsigned k = 11 - wsum(x->d, w_down + 1, 7) % 11;
    /* 10 is written 0; 11 is never issued. */
    return CHECKED(k != 11 && k % 10 == dig(x->d, 7));
}

static int check_sk(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    /* Individuals may use their birth number. */
    if (birth_number(d, 10) == 0)
        return 0;
    if (d[0] == '0' || strchr("234789", d[2]) == NULL)
        return CHORUSACCT_E_FORMAT;
    return CHECKED(num_mod(0, d, 10, 11) == 0);
}

static int check_xi(const vat_country *c, vat_num *x)
{
    (void)c;
    const char *d = x->d;
    size_t n = x->n;
    bool gd = d[0] == 'G' && d[1] == 'D', ha = d[0] == 'H' && d[1] == 'A';
    if (n == 5 || n == 11) {
        /* Government departments (GD, 000-499) and health authorities
         * (HA, 500-999), short or after 8888 with a mod-97 check. */
        size_t at = n == 5 ? 2 : 6;
        /* All digits: not a length of the other kinds. */
        if (!is_upper(d[0]))
            return CHORUSACCT_E_LENGTH;
        if ((!gd && !ha) || (n == 11 && memcmp(d + 2, "8888", 4) != 0) ||
            !all_digits(d + 2, n - 2))
            return CHORUSACCT_E_FORMAT;
        unsigned v = num(d + at, 3);
        if (gd ? v >= 500 : v < 500)
            return CHORUSACCT_E_FORMAT;
        return n == 5 ? 0 : CHECKED(v % 97 == num(d + 9, 2));
    }
    if (!all_digits(d, n))
        return CHORUSACCT_E_FORMAT;
    /* 9 digits (12 for a branch, whose last 3 are not checked): the
     * weighted sum is 0 modulo 97, or 42 or 55 for numbers from 100. */
    static const uint8_t w[] = {8, 7, 6, 5, 4, 3, 2, 10, 1};
    unsigned s = wsum(d, w, 9) % 97;
    return CHECKED(s == 0 || (d[0] != '0' && (s == 42 || s == 55)));
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

static const uint8_t w_dk[] = {2, 7, 6, 5, 4, 3, 2, 1};
static const uint8_t w_ee[] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
static const uint8_t w_fi[] = {7, 9, 10, 5, 8, 4, 2, 1};
static const uint8_t w_hu[] = {9, 7, 3, 1, 9, 7, 3, 1};
static const uint8_t w_mt[] = {3, 4, 6, 7, 8, 9, 10, 1};
static const uint8_t w_pl[] = {6, 5, 7, 2, 3, 4, 5, 6, 7, 10};

#define D 0
#define A VAT_LETTER
#define L(n) (1u << (n))
#define ROW(cc, chars, lengths, nz, fn, en, fr)                                \
    {                                                                          \
        cc, chars, lengths, nz, fn, NULL, 0, 0, en, fr                         \
    }
#define WROW(cc, len, nz, w, mod, rem, en, fr)                                 \
    {                                                                          \
        cc, D, L(len), nz, check_weighted, w, mod, rem, en, fr                 \
    }

/* FR has no function: chorusacct_vat_fr_check() does the work. */
static const vat_country vat_countries[] = {
    ROW("AT", A, L(9), false, check_at,
        "Austrian VAT number: ATU followed by 8 digits, e.g. ATU13585627.",
        "Numéro de TVA autrichien : ATU suivi de 8 chiffres, par exemple "
        "ATU13585627."),
    ROW("BE", D, L(9) | L(10), false, check_be,
        "Belgian VAT number: BE followed by the 10-digit enterprise number, "
        "which starts with 0 or 1, e.g. BE0428759497.",
        "Numéro de TVA belge : BE suivi des 10 chiffres du numéro "
        "d'entreprise, qui commence par 0 ou 1, par exemple BE0428759497."),
    ROW("BG", D, L(9) | L(10), false, check_bg,
        "Bulgarian VAT number: BG followed by 9 digits (companies) or 10 "
        "digits (individuals), e.g. BG175074752.",
        "Numéro de TVA bulgare : BG suivi de 9 chiffres (sociétés) ou de 10 "
        "chiffres (personnes physiques), par exemple BG175074752."),
    ROW("CY", A, L(9), false, check_cy,
        "Cypriot VAT number: CY followed by 8 digits and a check letter, "
        "e.g. CY10259033P.",
        "Numéro de TVA chypriote : CY suivi de 8 chiffres et d'une lettre "
        "de contrôle, par exemple CY10259033P."),
    ROW("CZ", D, L(8) | L(9) | L(10), false, check_cz,
        "Czech VAT number: CZ followed by 8 digits (companies) or 9 or 10 "
        "digits (individuals), e.g. CZ25123891.",
        "Numéro de TVA tchèque : CZ suivi de 8 chiffres (sociétés) ou de 9 "
        "ou 10 chiffres (personnes physiques), par exemple CZ25123891."),
    ROW("DE", D, L(9), true, check_de,
        "German VAT number: DE followed by 9 digits, e.g. DE136695976.",
        "Numéro de TVA allemand : DE suivi de 9 chiffres, par exemple "
        "DE136695976."),
    WROW("DK", 8, true, w_dk, 11, 0,
         "Danish VAT number: DK followed by 8 digits, e.g. DK13585628.",
         "Numéro de TVA danois : DK suivi de 8 chiffres, par exemple "
         "DK13585628."),
    WROW("EE", 9, false, w_ee, 10, 0,
         "Estonian VAT number: EE followed by 9 digits, e.g. EE100594102.",
         "Numéro de TVA estonien : EE suivi de 9 chiffres, par exemple "
         "EE100594102."),
    ROW("EL", D, L(8) | L(9), false, check_el,
        "Greek VAT number: EL (or GR) followed by 9 digits, e.g. "
        "EL094259216.",
        "Numéro de TVA grec : EL (ou GR) suivi de 9 chiffres, par exemple "
        "EL094259216."),
    ROW("ES", A, L(9), false, check_es,
        "Spanish VAT number: ES followed by 9 characters, a letter or "
        "digit, 7 digits, then a letter or digit, e.g. ESB64717838 or "
        "ES54362315K.",
        "Numéro de TVA espagnol : ES suivi de 9 caractères, une lettre ou "
        "un chiffre, 7 chiffres, puis une lettre ou un chiffre, par exemple "
        "ESB64717838 ou ES54362315K."),
    WROW("FI", 8, false, w_fi, 11, 0,
         "Finnish VAT number: FI followed by 8 digits, e.g. FI20774740.",
         "Numéro de TVA finlandais : FI suivi de 8 chiffres, par exemple "
         "FI20774740."),
    ROW("FR", A, L(11), false, NULL,
        "French VAT number: FR, a 2-character key and the 9-digit SIREN, "
        "e.g. FR44732829320.",
        "Numéro de TVA français : FR, une clé de 2 caractères et le SIREN "
        "à 9 chiffres, par exemple FR44732829320."),
    ROW("HR", D, L(11), false, check_hr,
        "Croatian VAT number: HR followed by 11 digits, e.g. "
        "HR33392005961.",
        "Numéro de TVA croate : HR suivi de 11 chiffres, par exemple "
        "HR33392005961."),
    WROW("HU", 8, false, w_hu, 10, 0,
         "Hungarian VAT number: HU followed by 8 digits, e.g. HU12892312.",
         "Numéro de TVA hongrois : HU suivi de 8 chiffres, par exemple "
         "HU12892312."),
    ROW("IE", A | VAT_SYMBOL, L(8) | L(9), false, check_ie,
        "Irish VAT number: IE followed by 7 digits and 1 or 2 letters, "
        "e.g. IE6433435OA; older numbers have a digit, a letter (or + or "
        "*), 5 digits and a letter, e.g. IE8D79739I.",
        "Numéro de TVA irlandais : IE suivi de 7 chiffres et d'une ou deux "
        "lettres, par exemple IE6433435OA ; les anciens numéros ont un "
        "chiffre, une lettre (ou + ou *), 5 chiffres et une lettre, par "
        "exemple IE8D79739I."),
    ROW("IT", D, L(11), false, check_it,
        "Italian VAT number: IT followed by 11 digits, e.g. "
        "IT00743110157.",
        "Numéro de TVA italien : IT suivi de 11 chiffres, par exemple "
        "IT00743110157."),
    ROW("LT", D, L(9) | L(12), false, check_lt,
        "Lithuanian VAT number: LT followed by 9 digits (companies) or 12 "
        "digits, e.g. LT119511515.",
        "Numéro de TVA lituanien : LT suivi de 9 chiffres (sociétés) ou de "
        "12 chiffres, par exemple LT119511515."),
    ROW("LU", D, L(8), false, check_lu,
        "Luxembourg VAT number: LU followed by 8 digits, e.g. LU15027442.",
        "Numéro de TVA luxembourgeois : LU suivi de 8 chiffres, par "
        "exemple LU15027442."),
    ROW("LV", D, L(11), false, check_lv,
        "Latvian VAT number: LV followed by 11 digits, e.g. "
        "LV40003521600.",
        "Numéro de TVA letton : LV suivi de 11 chiffres, par exemple "
        "LV40003521600."),
    WROW("MT", 8, true, w_mt, 37, 0,
         "Maltese VAT number: MT followed by 8 digits, e.g. MT11679112.",
         "Numéro de TVA maltais : MT suivi de 8 chiffres, par exemple "
         "MT11679112."),
    ROW("NL", A, L(13) - L(4), false, check_nl,
        "Dutch VAT number: NL followed by 9 digits, the letter B and 2 "
        "digits, e.g. NL004495445B01.",
        "Numéro de TVA néerlandais : NL suivi de 9 chiffres, de la lettre "
        "B et de 2 chiffres, par exemple NL004495445B01."),
    WROW("PL", 10, false, w_pl, 11, 0,
         "Polish VAT number: PL followed by 10 digits, e.g. "
         "PL8567346215.",
         "Numéro de TVA polonais : PL suivi de 10 chiffres, par exemple "
         "PL8567346215."),
    ROW("PT", D, L(9), true, check_pt,
        "Portuguese VAT number: PT followed by 9 digits, e.g. "
        "PT501964843.",
        "Numéro de TVA portugais : PT suivi de 9 chiffres, par exemple "
        "PT501964843."),
    ROW("RO", D, (L(11) - L(2)) | L(13), true, check_ro,
        "Romanian VAT number: RO followed by 2 to 10 digits (13 for a "
        "personal code), e.g. RO18547290.",
        "Numéro de TVA roumain : RO suivi de 2 à 10 chiffres (13 pour un "
        "code personnel), par exemple RO18547290."),
    ROW("SE", D, L(12), false, check_se,
        "Swedish VAT number: SE followed by 12 digits ending in 01, e.g. "
        "SE123456789701.",
        "Numéro de TVA suédois : SE suivi de 12 chiffres se terminant par "
        "01, par exemple SE123456789701."),
    ROW("SI", D, L(8), true, check_si,
        "Slovenian VAT number: SI followed by 8 digits, e.g. SI50223054.",
        "Numéro de TVA slovène : SI suivi de 8 chiffres, par exemple "
        "SI50223054."),
    ROW("SK", D, L(10), false, check_sk,
        "Slovak VAT number: SK followed by 10 digits, e.g. "
        "SK2022749619.",
        "Numéro de TVA slovaque : SK suivi de 10 chiffres, par exemple "
        "SK2022749619."),
    ROW("XI", A, L(5) | L(9) | L(11) | L(12), false, check_xi,
        "Northern Ireland VAT number: XI followed by 9 digits (12 for a "
        "branch), or GD or HA and 3 digits, e.g. XI980780684.",
        "Numéro de TVA d'Irlande du Nord : XI suivi de 9 chiffres (12 pour "
        "un établissement), ou de GD ou HA et 3 chiffres, par exemple "
        "XI980780684."),
};

#undef D
#undef A
#undef L
#undef ROW
#undef WROW

/* Row + 1 by prefix, 0 for none: one load instead of a search. */
#define CC(a, b) (((a) - 'A') * 26 + ((b) - 'A'))
static const uint8_t vat_index[26 * 26] = {
    [CC('A', 'T')] = 1,  [CC('B', 'E')] = 2,  [CC('B', 'G')] = 3,
    [CC('C', 'Y')] = 4,  [CC('C', 'Z')] = 5,  [CC('D', 'E')] = 6,
    [CC('D', 'K')] = 7,  [CC('E', 'E')] = 8,  [CC('E', 'L')] = 9,
    [CC('G', 'R')] = 9,  [CC('E', 'S')] = 10, [CC('F', 'I')] = 11,
    [CC('F', 'R')] = 12, [CC('H', 'R')] = 13, [CC('H', 'U')] = 14,
    [CC('I', 'E')] = 15, [CC('I', 'T')] = 16, [CC('L', 'T')] = 17,
    [CC('L', 'U')] = 18, [CC('L', 'V')] = 19, [CC('M', 'T')] = 20,
    [CC('N', 'L')] = 21, [CC('P', 'L')] = 22, [CC('P', 'T')] = 23,
    [CC('R', 'O')] = 24, [CC('S', 'E')] = 25, [CC('S', 'I')] = 26,
    [CC('S', 'K')] = 27, [CC('X', 'I')] = 28,
};

/* `a`, `b` upper case or not letters at all. */
static const vat_country *vat_country_find(char a, char b)
{
    if (!is_upper(a) || !is_upper(b))
        return NULL;
    unsigned row = vat_index[CC(a, b)];
    return row != 0 ? &vat_countries[row - 1] : NULL;
}
#undef CC

/* ------------------------------------------------------------------ */
/* Validation                                                           */

/*
 * Compacts as chorusacct__compact() does, with the same order of reasons,
 * but keeps '+' and '*' (old Irish numbers) and tells in `*nat` which
 * kinds of characters the national part (after the first two kept) holds.
 */
static int vat_compact(const char *in, size_t len, bool strict, char *out,
                       size_t cap, size_t *n, unsigned *nat)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t kept = 0;
    unsigned seen = 0, kinds = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        unsigned cls = chorusacct__byte_class[c];
        unsigned kind = 0;
        if (cls == CA_C_UPPER || cls == CA_C_LOWER) {
            c &= (unsigned char)~0x20;
            kind = VAT_LETTER;
        } else if (cls == CA_C_OTHER && (c == '+' || c == '*')) {
            kind = VAT_SYMBOL;
        } else if (cls != CA_C_DIGIT) {
            seen |= 1u << cls;
            continue;
        }
        if (kept >= 2)
            kinds |= kind;
        if (kept < cap)
            out[kept] = (char)c;
        kept++;
    }
    *n = kept;
    *nat = kinds;
    return ca_compact_reason(seen, strict, kept);
}

int chorusacct_vat_check(const char *in, size_t len, uint32_t flags, char *buf,
                         size_t cap, size_t *len_out, int *reason)
{
    char w[VAT_HEAD + VAT_KEEP];
    char *v = w + VAT_HEAD - 2; /* prefix, then the national part */
    size_t n;
    unsigned nat;
    if ((in == NULL && len > 0) || (buf == NULL && cap > 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    int why = vat_compact(in, len, (flags & CHORUSACCT_VALIDATE_STRICT) != 0, v,
                          VAT_KEEP + 2, &n, &nat);
    const vat_country *c = NULL;
    if (why == 0 && (n < 2 || (c = vat_country_find(v[0], v[1])) == NULL))
        why = CHORUSACCT_E_COUNTRY;
    if (why == 0 && (nat & ~c->chars) != 0)
        why = CHORUSACCT_E_CHARACTER;
    if (why == 0 && c->check == NULL) {
        /* France: the compact form is its own compact form. */
        if (n > VAT_KEEP + 2)
            why = CHORUSACCT_E_LENGTH;
        else
            return chorusacct_vat_fr_check(v, n, 0, buf, cap, len_out, reason);
    }
    vat_num x = {v + 2, n >= 2 ? n - 2 : 0};
    /* 16 bits of lengths, 16 characters kept: a longer number is never
     * read past what was kept. */
    if (why == 0 && (x.n >= 16 || ((c->lengths >> x.n) & 1) == 0))
        why = CHORUSACCT_E_LENGTH;
    if (why == 0 && c->nonzero && x.d[0] == '0')
        why = CHORUSACCT_E_FORMAT;
    if (why == 0)
        why = c->check(c, &x);
    if (why != 0) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, why);
    }
    /* Greek numbers typed with GR come out with EL. */
    x.d -= 2;
    memcpy(x.d, c->cc, 2);
    return chorusacct__emit(x.d, x.n + 2, buf, cap, len_out);
}

const char *chorusacct_vat_hint(const char *country, int lang)
{
    if (country == NULL || country[0] == '\0' || country[1] == '\0' ||
        country[2] != '\0')
        return "";
    const vat_country *c = vat_country_find((char)(country[0] & ~0x20),
                                            (char)(country[1] & ~0x20));
    return c != NULL ? ca_lang_pick(lang, c->hint_en, c->hint_fr) : "";
}
