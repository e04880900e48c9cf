/*
 * EU VAT numbers (interim: country prefix and shape only; the check
 * digits of each member state come with issue 4).
 */
#include "internal.h"

#include <string.h>

/* Prefix, then the shortest and longest national part. */
typedef struct {
    char prefix[3];
    uint8_t min, max;
} vat_country;

static const vat_country vat_countries[] = {
    {"AT", 9, 9},  {"BE", 9, 10}, {"BG", 9, 10}, {"CY", 9, 9},
    {"CZ", 8, 10}, {"DE", 9, 9},  {"DK", 8, 8},  {"EE", 9, 9},
    {"EL", 9, 9},  {"ES", 9, 9},  {"FI", 8, 8},  {"FR", 11, 11},
    {"HR", 11, 11}, {"HU", 8, 8}, {"IE", 8, 9},  {"IT", 11, 11},
    {"LT", 9, 12}, {"LU", 8, 8},  {"LV", 11, 11}, {"MT", 8, 8},
    {"NL", 12, 12}, {"PL", 10, 10}, {"PT", 9, 9}, {"RO", 2, 10},
    {"SE", 12, 12}, {"SI", 8, 8}, {"SK", 10, 10}, {"XI", 5, 12},
};

static const vat_country *vat_country_find(const char *cc)
{
    char c0 = cc[0], c1 = cc[1];
    if (c0 == 'G' && c1 == 'R')
        c0 = 'E', c1 = 'L';
    for (size_t i = 0; i < CA_ARRAY_LEN(vat_countries); i++)
        if (vat_countries[i].prefix[0] == c0 &&
            vat_countries[i].prefix[1] == c1)
            return &vat_countries[i];
    return NULL;
}

int chorusacct_vat_check(const char *in, size_t len, uint32_t flags,
                         char *buf, size_t cap, size_t *len_out,
                         int *reason)
{
    char v[16];
    size_t n;
    if ((in == NULL && len > 0) || (buf == NULL && cap > 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    int why = chorusacct__compact(in, len, flags, v, sizeof v, &n);
    const vat_country *c = NULL;
    if (why == 0 && n >= 2)
        c = vat_country_find(v);
    if (why == 0 && c == NULL)
        why = CHORUSACCT_E_COUNTRY;
    if (why == 0 && (n - 2 < c->min || n - 2 > c->max))
        why = CHORUSACCT_E_LENGTH;
    if (why != 0) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, why);
    }
    memcpy(v, c->prefix, 2);
    return chorusacct__emit(v, n, buf, cap, len_out);
}

const char *chorusacct_vat_hint(const char *country, int lang)
{
    if (country == NULL || strlen(country) != 2)
        return NULL;
    char cc[2] = {(char)(country[0] & ~0x20), (char)(country[1] & ~0x20)};
    if (vat_country_find(cc) == NULL)
        return NULL;
    return ca_lang_pick(lang, "VAT number: country code then the national "
                              "number.",
                        "Numéro de TVA : code pays puis numéro national.");
}
