/*
 * Phone numbers: France as the default region, E.164 output.
 *
 * Two passes over a few bytes: a scan that keeps the digits and notes the
 * +, the (0) and any fault, then the numbering plans. The tables come from
 * libphonenumber's metadata through lib/validate/gen-phone-data.py; the rules
 * and their sources are in docs/phone.md.
 */
#include "internal.h"

#include <string.h>

typedef struct {
    uint16_t cc;      /* country calling code */
    uint8_t cc_len;   /* its digits */
    uint8_t flags;    /* CA_TRUNK0, CA_LEAD0 */
    uint8_t plan;     /* 1 + index in ca_plans, or 0 */
    uint16_t first;   /* bit d: an NSN may start with digit d */
    uint32_t lengths; /* bit n: an NSN may have n digits */
} ca_country;

typedef struct {
    uint32_t lo, hi; /* 10^n + NSN, inclusive */
} ca_range;

typedef struct {
    uint16_t cc, start, count;
} ca_plan;

typedef struct {
    uint16_t block, cc;
} ca_overseas;

enum {
    CA_TRUNK0 = 1, /* the national (trunk) prefix is 0 */
    CA_LEAD0 = 2   /* some NSNs start with 0: a 0 after the code is kept */
};

#include "phone_data.h"

/* E.164: 15 digits after the +. */
#define PHONE_MAX_LEN 16

/* Digits kept by the scan: 00, a 3-digit code, a trunk 0 and 15 more fit;
 * anything longer is refused as too long whatever it is. */
#define PHONE_MAX_DIGITS 21

size_t chorusacct_phone_max_len(void)
{
    return PHONE_MAX_LEN;
}

/* ------------------------------------------------------------------ */
/* Scan                                                                 */

/* Faults of the scan, by priority (the reason reported is the first one
 * present, wherever the faults stand in the input). */
enum {
    F_NONASCII = 1u << 0,
    F_CHARACTER = 1u << 1,
    F_PLUS = 1u << 2,
    F_EXTENSION = 1u << 3, /* only worth saying when the rest is clean */
    F_SEPARATOR = 1u << 4,
    F_TRUNK = 1u << 5
};

static const int fault_reason[] = {
    CHORUSACCT_E_NONASCII,   CHORUSACCT_E_PHONE_CHARACTER,
    CHORUSACCT_E_PHONE_PLUS, CHORUSACCT_E_PHONE_EXTENSION,
    CHORUSACCT_E_SEPARATOR,  CHORUSACCT_E_PHONE_TRUNK,
};

typedef struct {
    char d[PHONE_MAX_DIGITS];
    size_t nd;       /* digits seen, possibly more than kept */
    size_t trunk_at; /* digits before the (0), if any */
    unsigned faults;
    bool plus, trunk;
} phone_scan;

static char lower(unsigned char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* `s` starts with `word`, ignoring case; returns the bytes matched. */
static size_t match_word(const unsigned char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (k > n)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (lower(s[i]) != word[i])
            return 0;
    return k;
}

/*
 * After some digits, an extension marker and the extension's digits end
 * the input: "x 12", "ext. 12", "poste 12", "#12", ";ext=12". Returns
 * true when the rest of the input, from `s`, is one.
 */
static bool is_extension(const unsigned char *s, size_t n)
{
    /* Longest first, so that "extension" is not read as "ext". */
    static const char *const markers[] = {";ext=", "extension", "extn", "ext",
                                          "poste", "x",         "#"};
    size_t i = 0;
    for (size_t m = 0; m < CA_ARRAY_LEN(markers); m++) {
        i = match_word(s, n, markers[m]);
        if (i > 0)
            break;
    }
    if (i == 0)
        return false;
    if (i < n && (s[i] == '.' || s[i] == ':'))
        i++;
    bool digits = false;
    for (; i < n; i++) {
        unsigned cls = chorusacct__byte_class[s[i]];
        if (cls == CA_C_DIGIT)
            digits = true;
        else if (cls != CA_C_SEP)
            return false;
    }
    return digits;
}

static void scan(const unsigned char *p, size_t len, uint32_t flags,
                 phone_scan *sc)
{
    const bool strict = (flags & CHORUSACCT_VALIDATE_STRICT) != 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        switch (chorusacct__byte_class[c]) {
        case CA_C_DIGIT:
            if (sc->nd < PHONE_MAX_DIGITS)
                sc->d[sc->nd] = (char)c;
            sc->nd++;
            continue;
        case CA_C_SEP:
            if (strict)
                sc->faults |= F_SEPARATOR;
            continue;
        case CA_C_HIGH:
            sc->faults |= F_NONASCII;
            continue;
        default:
            break;
        }
        if (c == '+') {
            if (sc->nd > 0 || sc->plus || sc->trunk)
                sc->faults |= F_PLUS;
            sc->plus = true;
        } else if (c == '(' && len - i >= 3 && p[i + 1] == '0' &&
                   p[i + 2] == ')') {
            if (sc->trunk)
                sc->faults |= F_TRUNK;
            sc->trunk = true;
            sc->trunk_at = sc->nd;
            i += 2;
        } else if (sc->nd > 0 && is_extension(p + i, len - i)) {
            sc->faults |= F_EXTENSION;
            return;
        } else {
            sc->faults |= F_CHARACTER;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Numbering plans                                                      */

static const ca_country *country_at(unsigned three)
{
    unsigned e = ca_country_index[three];
    return e != 0 ? &ca_countries[e - 1] : NULL;
}

/* The country of a code known to be in the table. */
static const ca_country *country_of(unsigned cc)
{
    return country_at(cc < 10 ? cc * 100 : cc < 100 ? cc * 10 : cc);
}

static unsigned digits3(const char *d)
{
    return (unsigned)(d[0] - '0') * 100 + (unsigned)(d[1] - '0') * 10 +
           (unsigned)(d[2] - '0');
}

/* The country code an overseas block of the French plan belongs to, or 0
 * for a metropolitan number. */
static unsigned overseas_cc(const char *nsn)
{
    unsigned b = digits3(nsn);
    for (size_t i = 0; i < CA_ARRAY_LEN(ca_overseas_blocks); i++)
        if (ca_overseas_blocks[i].block == b)
            return ca_overseas_blocks[i].cc;
    return 0;
}

static bool in_plan(const ca_plan *plan, const char *nsn, size_t n)
{
    static const uint32_t pow10[10] = {
        1u,      10u,      100u,      1000u,      10000u,
        100000u, 1000000u, 10000000u, 100000000u, 1000000000u};
    uint32_t key = 0;
    for (size_t i = 0; i < n; i++)
        key = key * 10 + (uint32_t)(nsn[i] - '0');
    key += pow10[n];

    /* The last range starting at or below the key. */
    const ca_range *r = ca_ranges + plan->start;
    size_t lo = 0, hi = plan->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].lo <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && key <= r[lo - 1].hi;
}

/* Checks an NSN of `n` digits under a country; 0 or the reason. */
static int check_nsn(const ca_country *c, const char *nsn, size_t n)
{
    if (n >= 32 || (c->lengths & (UINT32_C(1) << n)) == 0)
        return CHORUSACCT_E_PHONE_LENGTH;
    if (c->cc == 33 && overseas_cc(nsn) != 0)
        return CHORUSACCT_E_PHONE_OVERSEAS;
    if (c->plan != 0) {
        if (!in_plan(&ca_plans[c->plan - 1], nsn, n))
            return CHORUSACCT_E_PHONE_RANGE;
    } else if ((c->first & (1u << (nsn[0] - '0'))) == 0) {
        return CHORUSACCT_E_PHONE_RANGE;
    }
    return 0;
}

/* Writes +, the code and the NSN into `out`; returns the length. */
static size_t e164(char *out, unsigned cc, const char *nsn, size_t n)
{
    char code[3];
    size_t k = 0, m = 0;
    do
        code[k++] = (char)('0' + cc % 10);
    while ((cc /= 10) != 0);
    out[m++] = '+';
    while (k > 0)
        out[m++] = code[--k];
    memcpy(out + m, nsn, n);
    return m + n;
}

/* A number after + or 00: `d` holds the digits from the country code on. */
static int international(const phone_scan *sc, const char *d, size_t nd,
                         size_t before, char *out, size_t *n_out)
{
    if (nd == 0)
        return CHORUSACCT_E_PHONE_LENGTH;
    if (d[0] == '0')
        return CHORUSACCT_E_PHONE_COUNTRY;
    char three[3] = {d[0], nd > 1 ? d[1] : '0', nd > 2 ? d[2] : '0'};
    const ca_country *c = country_at(digits3(three));
    if (c == NULL)
        return nd < 3 ? CHORUSACCT_E_PHONE_LENGTH : CHORUSACCT_E_PHONE_COUNTRY;
    if (c->cc_len > nd)
        return CHORUSACCT_E_PHONE_LENGTH;

    size_t at = c->cc_len;
    if (sc->trunk) {
        /* (0) is the trunk prefix shown for national dialling: right
         * after the code, and only where the trunk prefix is 0. */
        if (sc->trunk_at != before + at || !(c->flags & CA_TRUNK0))
            return CHORUSACCT_E_PHONE_TRUNK;
    } else if (at < nd && d[at] == '0' &&
               (c->flags & (CA_TRUNK0 | CA_LEAD0)) == CA_TRUNK0) {
        at++;
    }
    int why = check_nsn(c, d + at, nd - at);
    if (why == 0)
        *n_out = e164(out, c->cc, d + at, nd - at);
    return why;
}

/* A French national number: 0 and 9 digits. */
static int national(const phone_scan *sc, char *out, size_t *n_out)
{
    if (sc->trunk)
        return CHORUSACCT_E_PHONE_TRUNK;
    if (sc->nd != 10 || sc->d[0] != '0')
        return CHORUSACCT_E_PHONE_LENGTH;
    const char *nsn = sc->d + 1;
    unsigned cc = overseas_cc(nsn);
    const ca_country *c = country_of(cc != 0 ? cc : 33);
    int why = check_nsn(c, nsn, 9);
    if (why == 0)
        *n_out = e164(out, c->cc, nsn, 9);
    return why;
}

int chorusacct_phone_check(const char *in, size_t len, uint32_t flags,
                           char *buf, size_t cap, size_t *len_out, int *reason)
{
    if ((in == NULL && len > 0) || (buf == NULL && cap > 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    phone_scan sc = {.nd = 0};
    scan((const unsigned char *)in, len, flags, &sc);

    char out[PHONE_MAX_LEN];
    size_t n = 0;
    int why = 0;
    if (sc.faults != 0) {
        size_t k = 0;
        while (!(sc.faults & (1u << k)))
            k++;
        why = fault_reason[k];
    } else if (sc.nd == 0 && !sc.plus && !sc.trunk) {
        why = CHORUSACCT_E_EMPTY;
    } else if (sc.nd > PHONE_MAX_DIGITS) {
        why = CHORUSACCT_E_PHONE_LENGTH;
    } else if (sc.plus) {
        why = international(&sc, sc.d, sc.nd, 0, out, &n);
    } else if (sc.nd >= 2 && sc.d[0] == '0' && sc.d[1] == '0') {
        why = international(&sc, sc.d + 2, sc.nd - 2, 2, out, &n);
    } else {
        why = national(&sc, out, &n);
    }
    if (why != 0) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, why);
    }
    return chorusacct__emit(out, n, buf, cap, len_out);
}
