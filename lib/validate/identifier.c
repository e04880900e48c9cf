/*
 * Structure identifiers: the type table, and the validators of the French
 * identifiers (SIREN, SIRET, TVA), RIDET, TAHITI and HORS_UE. The EU VAT
 * numbers of the other member states live in vat.c.
 *
 * Rules and sources: docs/identifiers.md.
 */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* The type table                                                       */

typedef struct {
    const char *code;
    const char *label_en, *label_fr;
    const char *hint_en, *hint_fr;
    bool has_value;
} id_type_info;

/* Indexed by chorusacct_id_type, whose values are the invoice-file
 * numbers 1 to 7. */
static const id_type_info id_types[] = {
    [CHORUSACCT_ID_SIRET] =
        {"SIRET", "SIRET", "SIRET",
         "14 digits: the 9-digit SIREN followed by the 5-digit NIC of the "
         "establishment, e.g. 732 829 320 00074.",
         "14 chiffres : le SIREN (9 chiffres) suivi du NIC de "
         "l'établissement (5 chiffres), par exemple 732 829 320 00074.",
         true},
    [CHORUSACCT_ID_UE_HORS_FRANCE] =
        {"UE_HORS_FRANCE", "European structure outside France",
         "Structure européenne hors France",
         "Intra-community VAT number, starting with the two-letter code of "
         "the member state, e.g. DE136695976 or ESB58378431 (at most 18 "
         "characters).",
         "Numéro de TVA intracommunautaire, commençant par le code à deux "
         "lettres de l'État membre, par exemple DE136695976 ou ESB58378431 "
         "(18 caractères au plus).",
         true},
    [CHORUSACCT_ID_HORS_UE] =
        {"HORS_UE", "Structure outside the European Union",
         "Structure hors Union européenne",
         "Two-letter ISO country code followed by the first 16 letters or "
         "digits of the company name, e.g. USACMEWIDGETSINC; for "
         "Wallis-and-Futuna, FRWF followed by the first 14.",
         "Code pays ISO à deux lettres suivi des 16 premières lettres ou "
         "chiffres de la raison sociale, par exemple USACMEWIDGETSINC ; pour "
         "Wallis-et-Futuna, FRWF suivi des 14 premiers.",
         true},
    [CHORUSACCT_ID_RIDET] =
        {"RIDET", "Structure with a RIDET number",
         "Structure avec un numéro RIDET",
         "RIDET number: 7-digit enterprise number and 3-digit establishment "
         "number, e.g. 1234567.001 (6 + 3 digits for older numbers).",
         "Numéro RIDET : numéro d'entreprise à 7 chiffres et numéro "
         "d'établissement à 3 chiffres, par exemple 1234567.001 (6 + 3 "
         "chiffres pour les anciens numéros).",
         true},
    [CHORUSACCT_ID_TAHITI] =
        {"TAHITI", "Structure with a TAHITI number",
         "Structure avec un numéro TAHITI",
         "TAHITI number: 6-character enterprise number (6 digits, or a "
         "letter and 5 digits) and 3-digit establishment number, e.g. "
         "A12345 001.",
         "Numéro TAHITI : numéro d'entreprise à 6 caractères (6 chiffres, "
         "ou une lettre et 5 chiffres) et numéro d'établissement à 3 "
         "chiffres, par exemple A12345 001.",
         true},
    [CHORUSACCT_ID_AUTRE] =
        {"AUTRE", "Being registered", "En cours d'immatriculation",
         "No identifier yet: the structure is being registered. Leave the "
         "field empty.",
         "Pas encore d'identifiant : la structure est en cours "
         "d'immatriculation. Laissez le champ vide.",
         false},
    [CHORUSACCT_ID_PARTICULIER] =
        {"PARTICULIER", "Private individual", "Particulier",
         "No identifier: the account is that of a private individual. "
         "Leave the field empty.",
         "Pas d'identifiant : le compte est celui d'un particulier. Laissez "
         "le champ vide.",
         false},
};

static const id_type_info *id_type_find(int type)
{
    if (type < CHORUSACCT_ID_SIRET || type > CHORUSACCT_ID_PARTICULIER)
        return NULL;
    return &id_types[type];
}

/* Normalized lengths go up to the 18 characters of HORS_UE. */
#define ID_MAX_LEN 18

size_t chorusacct_identifier_max_len(void)
{
    return ID_MAX_LEN;
}

const char *chorusacct_identifier_name(int type)
{
    const id_type_info *t = id_type_find(type);
    return t != NULL ? t->code : CA_UNKNOWN_NAME;
}

int chorusacct_identifier_from_name(int *out, const char *code)
{
    if (out == NULL || code == NULL)
        return CHORUSACCT_E_ARG;
    for (int t = CHORUSACCT_ID_SIRET; t <= CHORUSACCT_ID_PARTICULIER; t++) {
        const char *a = id_types[t].code, *b = code;
        while (*a != '\0' &&
               (*b == *a || (*b >= 'a' && *b <= 'z' && *b - 32 == *a)))
            a++, b++;
        if (*a == '\0' && *b == '\0') {
            *out = t;
            return CHORUSACCT_OK;
        }
    }
    return CHORUSACCT_E_NOTFOUND;
}

int chorusacct_identifier_from_number(int *out, int number)
{
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    if (id_type_find(number) == NULL)
        return CHORUSACCT_E_NOTFOUND;
    *out = number;
    return CHORUSACCT_OK;
}

int chorusacct_identifier_number(int type)
{
    return id_type_find(type) != NULL ? type : CHORUSACCT_E_ARG;
}

const char *chorusacct_identifier_label(int type, int lang)
{
    const id_type_info *t = id_type_find(type);
    return t != NULL ? ca_lang_pick(lang, t->label_en, t->label_fr)
                     : ca_unknown_label(lang);
}

const char *chorusacct_identifier_hint(int type, int lang)
{
    const id_type_info *t = id_type_find(type);
    return t != NULL ? ca_lang_pick(lang, t->hint_en, t->hint_fr) : "";
}

int chorusacct_identifier_has_value(int type)
{
    const id_type_info *t = id_type_find(type);
    return t != NULL && t->has_value;
}

/* ------------------------------------------------------------------ */
/* Check digits                                                         */

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (chorusacct__byte_class[(unsigned char)s[i]] != CA_C_DIGIT)
            return false;
    return true;
}

/* Luhn over n digits: from the right, every second digit is doubled and
 * its digits summed; the total is a multiple of 10. */
static bool luhn_ok(const char *d, size_t n)
{
    static const uint8_t doubled[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(d[n - 1 - i] - '0');
        sum += (i & 1) ? doubled[v] : v;
    }
    return sum % 10 == 0;
}

static uint32_t digits_value(const char *d, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint32_t)(d[i] - '0');
    return v;
}

/* Numeric key of the French VAT number: (12 + 3 * (SIREN mod 97)) mod 97,
 * that is, the SIREN followed by "12", modulo 97. */
static unsigned tva_numeric_key(const char *siren)
{
    return (12u + 3u * (digits_value(siren, 9) % 97u)) % 97u;
}

/* The alphabet of the alphanumeric keys: digits and letters but I and O.
 * Returns the index, or -1. */
static int tva_alpha_index(char c)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    const char *p = c != '\0' ? strchr(alphabet, c) : NULL;
    return p != NULL ? (int)(p - alphabet) : -1;
}

static bool tva_key_ok(const char *key, const char *siren)
{
    int k0 = tva_alpha_index(key[0]), k1 = tva_alpha_index(key[1]);
    if (k0 < 10 && k1 < 10)
        return (unsigned)(k0 * 10 + k1) == tva_numeric_key(siren);
    /* Newer keys with a letter: a mod-11 check over the SIREN. */
    long check = k0 < 10 ? k0 * 24L + k1 - 10 : k0 * 34L + k1 - 100;
    return ((long)digits_value(siren, 9) + 1 + check / 11) % 11 == check % 11;
}

/* ------------------------------------------------------------------ */
/* Validators                                                           */

static bool args_bad(const char *in, size_t len, const char *buf, size_t cap)
{
    return (in == NULL && len > 0) || (buf == NULL && cap > 0);
}

/* Ends every validator: `why` is 0 for a valid value. */
static int finish(int why, const char *v, size_t n, char *buf, size_t cap,
                  size_t *len_out, int *reason)
{
    if (why != 0) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, why);
    }
    return chorusacct__emit(v, n, buf, cap, len_out);
}

#define CHECK_ARGS()                                                           \
    do {                                                                       \
        if (args_bad(in, len, buf, cap)) {                                     \
            chorusacct__clear(buf, cap, len_out);                              \
            return CHORUSACCT_E_ARG;                                           \
        }                                                                      \
    } while (0)

/* Compacts into `v` and checks a fixed length of digits only. */
static int digits_exact(const char *in, size_t len, uint32_t flags, char *v,
                        size_t want)
{
    size_t n;
    int why =
        chorusacct__compact(in, len, flags | CA_COMPACT_DIGITS, v, want, &n);
    if (why == 0 && n != want)
        why = CHORUSACCT_E_LENGTH;
    return why;
}

int chorusacct_siren_check(const char *in, size_t len, uint32_t flags,
                           char *buf, size_t cap, size_t *len_out, int *reason)
{
    char v[9];
    CHECK_ARGS();
    int why = digits_exact(in, len, flags, v, sizeof v);
    if (why == 0 && !luhn_ok(v, 9))
        why = CHORUSACCT_E_CHECKSUM;
    return finish(why, v, sizeof v, buf, cap, len_out, reason);
}

static bool la_poste_ok(const char *v)
{
    /* La Poste numbers its establishments under one SIREN beyond what
     * Luhn allows; their digits sum to a multiple of 5 instead. The head
     * office keeps an ordinary Luhn key. */
    unsigned sum = 0;
    for (size_t i = 0; i < 14; i++)
        sum += (unsigned)(v[i] - '0');
    return sum % 5 == 0;
}

static bool is_la_poste(const char *v)
{
    return memcmp(v, "356000000", 9) == 0 &&
           memcmp(v, "35600000000048", 14) != 0;
}

static bool siret_key_ok(const char *v)
{
    if (is_la_poste(v))
        return la_poste_ok(v);
    return luhn_ok(v, 14) && luhn_ok(v, 9);
}

/* The common case, 14 digits and nothing else, in one pass computing both
 * Luhn sums: the SIRET's (digits at even positions doubled) and the
 * SIREN's (odd positions among the first 9). Returns -1 when the input is
 * not 14 plain digits, so that the general path decides. */
static int siret_fast(const char *in, size_t len)
{
    static const uint8_t doubled[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    if (len != 14)
        return -1;
    unsigned s14 = 0, s9 = 0, bad = 0;
    const unsigned char *p = (const unsigned char *)in;
    for (size_t i = 0; i < 9; i += 2) {
        unsigned d = p[i] - (unsigned)'0';
        bad |= d > 9;
        d = d > 9 ? 0 : d;
        s14 += doubled[d];
        s9 += d;
    }
    for (size_t i = 1; i < 9; i += 2) {
        unsigned d = p[i] - (unsigned)'0';
        bad |= d > 9;
        d = d > 9 ? 0 : d;
        s14 += d;
        s9 += doubled[d];
    }
    for (size_t i = 9; i < 14; i++) {
        unsigned d = p[i] - (unsigned)'0';
        bad |= d > 9;
        d = d > 9 ? 0 : d;
        s14 += (i & 1) ? d : doubled[d];
    }
    if (bad)
        return -1;
    if (is_la_poste(in))
        return la_poste_ok(in);
    return s14 % 10 == 0 && s9 % 10 == 0;
}

int chorusacct_siret_check(const char *in, size_t len, uint32_t flags,
                           char *buf, size_t cap, size_t *len_out, int *reason)
{
    char v[14];
    CHECK_ARGS();
    int fast = siret_fast(in, len);
    if (fast == 1)
        return chorusacct__emit(in, 14, buf, cap, len_out);
    if (fast == 0)
        return finish(CHORUSACCT_E_CHECKSUM, in, 14, buf, cap, len_out, reason);
    int why = digits_exact(in, len, flags, v, sizeof v);
    if (why == 0 && !siret_key_ok(v))
        why = CHORUSACCT_E_CHECKSUM;
    return finish(why, v, sizeof v, buf, cap, len_out, reason);
}

int chorusacct_vat_fr_check(const char *in, size_t len, uint32_t flags,
                            char *buf, size_t cap, size_t *len_out, int *reason)
{
    char w[13], v[13];
    size_t n;
    CHECK_ARGS();
    int why = chorusacct__compact(in, len, flags, w, sizeof w, &n);
    const char *key = w;
    /* The FR prefix is optional on input; a leading FR is always read
     * as the prefix, never as a key. */
    if (why == 0 && n >= 2 && w[0] == 'F' && w[1] == 'R') {
        key += 2;
        n -= 2;
    }
    if (why == 0 && n != 11)
        why = n == 0 ? CHORUSACCT_E_EMPTY : CHORUSACCT_E_LENGTH;
    if (why == 0 &&
        (tva_alpha_index(key[0]) < 0 || tva_alpha_index(key[1]) < 0))
        why = CHORUSACCT_E_CHARACTER;
    if (why == 0 && !all_digits(key + 2, 9))
        why = CHORUSACCT_E_FORMAT;
    /* Monaco's numbers have 000 where a SIREN would stand: no Luhn. */
    if (why == 0 && memcmp(key + 2, "000", 3) != 0 && !luhn_ok(key + 2, 9))
        why = CHORUSACCT_E_CHECKSUM;
    if (why == 0 && !tva_key_ok(key, key + 2))
        why = CHORUSACCT_E_CHECKSUM;
    if (why == 0) {
        v[0] = 'F';
        v[1] = 'R';
        memcpy(v + 2, key, 11);
    }
    return finish(why, v, sizeof v, buf, cap, len_out, reason);
}

int chorusacct_vat_fr_from_siren(const char *in, size_t len, uint32_t flags,
                                 char *buf, size_t cap, size_t *len_out,
                                 int *reason)
{
    char v[13] = {'F', 'R'};
    CHECK_ARGS();
    int why = digits_exact(in, len, flags, v + 4, 9);
    if (why == 0 && !luhn_ok(v + 4, 9))
        why = CHORUSACCT_E_CHECKSUM;
    if (why == 0) {
        unsigned key = tva_numeric_key(v + 4);
        v[2] = (char)('0' + key / 10);
        v[3] = (char)('0' + key % 10);
    }
    return finish(why, v, sizeof v, buf, cap, len_out, reason);
}

int chorusacct_ridet_check(const char *in, size_t len, uint32_t flags,
                           char *buf, size_t cap, size_t *len_out, int *reason)
{
    char v[10];
    size_t n;
    CHECK_ARGS();
    int why = chorusacct__compact(in, len, flags | CA_COMPACT_DIGITS, v,
                                  sizeof v, &n);
    if (why == 0 && n != 9 && n != 10)
        why = CHORUSACCT_E_LENGTH;
    return finish(why, v, n, buf, cap, len_out, reason);
}

int chorusacct_tahiti_check(const char *in, size_t len, uint32_t flags,
                            char *buf, size_t cap, size_t *len_out, int *reason)
{
    char v[9];
    size_t n;
    CHECK_ARGS();
    int why = chorusacct__compact(in, len, flags, v, sizeof v, &n);
    if (why == 0 && n != 9)
        why = CHORUSACCT_E_LENGTH;
    /* A letter may only stand first (numbers issued since 2011). */
    if (why == 0 && !all_digits(v + 1, 8))
        why = CHORUSACCT_E_FORMAT;
    return finish(why, v, sizeof v, buf, cap, len_out, reason);
}

/* ------------------------------------------------------------------ */
/* Countries (HORS_UE)                                                  */

/* ISO 3166-1 alpha-2 codes officially assigned, plus XK (Kosovo, a
 * user-assigned code used by the EU and most registries), sorted. */
static const char iso3166[] = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
                              "BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
                              "CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
                              "DEDJDKDMDODZ"
                              "ECEEEGEHERESET"
                              "FIFJFKFMFOFR"
                              "GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
                              "HKHMHNHRHTHU"
                              "IDIEILIMINIOIQIRISIT"
                              "JEJMJOJP"
                              "KEKGKHKIKMKNKPKRKWKYKZ"
                              "LALBLCLILKLRLSLTLULVLY"
                              "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
                              "NANCNENFNGNINLNONPNRNUNZ"
                              "OM"
                              "PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
                              "QA"
                              "RERORSRURW"
                              "SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
                              "TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
                              "UAUGUMUSUYUZ"
                              "VAVCVEVGVIVNVU"
                              "WFWS"
                              "XK"
                              "YEYT"
                              "ZAZMZW";

/* Codes that cannot stand in a HORS_UE identifier: the EU member states
 * (they use their VAT number), France and the French territories that
 * have SIRET, RIDET or TAHITI numbers, and Wallis-and-Futuna, whose
 * identifier starts with FRWF instead. */
static const char hors_ue_refused[] =
    "ATBEBGCYCZDEDKEEESFIFRGRHRHUIEITLTLULVMTNLPLPTROSESISK"
    "GPMQGFREYTPMBLMFTFNCPFWF";

static bool code_in(const char *list, size_t list_len, const char *cc)
{
    for (size_t i = 0; i + 1 < list_len; i += 2)
        if (list[i] == cc[0] && list[i + 1] == cc[1])
            return true;
    return false;
}

static bool iso3166_known(const char *cc)
{
    size_t lo = 0, hi = (sizeof iso3166 - 1) / 2;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(iso3166 + 2 * mid, cc, 2);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Length of the name part allowed after the country: 16, or 14 after
 * FRWF; 0 for a refused country. `cc` is upper-case. */
static size_t hors_ue_name_max(const char *cc, bool wallis)
{
    if (wallis)
        return 14;
    if (!iso3166_known(cc) ||
        code_in(hors_ue_refused, sizeof hors_ue_refused - 1, cc))
        return 0;
    return 16;
}

int chorusacct_hors_ue_check(const char *in, size_t len, uint32_t flags,
                             char *buf, size_t cap, size_t *len_out,
                             int *reason)
{
    char v[ID_MAX_LEN];
    size_t n;
    CHECK_ARGS();
    int why = chorusacct__compact(in, len, flags, v, sizeof v, &n);
    if (why == 0 && n >= 2 &&
        (chorusacct__byte_class[(unsigned char)v[0]] != CA_C_UPPER ||
         chorusacct__byte_class[(unsigned char)v[1]] != CA_C_UPPER))
        why = CHORUSACCT_E_COUNTRY;
    bool wallis = why == 0 && n >= 4 && memcmp(v, "FRWF", 4) == 0;
    size_t head = wallis ? 4 : 2;
    if (why == 0 && n >= 2 && hors_ue_name_max(v, wallis) == 0)
        why = CHORUSACCT_E_COUNTRY;
    if (why == 0 && (n <= head || n > head + hors_ue_name_max(v, wallis)))
        why = CHORUSACCT_E_LENGTH;
    return finish(why, v, n, buf, cap, len_out, reason);
}

/* Base letters of U+00C0..U+017F, from their canonical decompositions;
 * '_' drops the character (multiplication and division signs) and the
 * digits stand for two letters (see translit_pair). */
static const char latin_base[] =
    "AAAAAA1CEEEEIIIIDNOOOOO_OUUUUY23"  /* U+00C0 */
    "AAAAAA1CEEEEIIIIDNOOOOO_OUUUUY2Y"  /* U+00E0 */
    "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGG"  /* U+0100 */
    "GGGGHHHHIIIIIIIIII44JJKKKLLLLLLL"  /* U+0120 */
    "LLLNNNNNNNNNOOOOOO55RRRRRRSSSSSS"  /* U+0140 */
    "SSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS"; /* U+0160 */

static const char *translit_pair(char code)
{
    static const char *const pairs[] = {"AE", "TH", "SS", "IJ", "OE"};
    return pairs[code - '1'];
}

int chorusacct_hors_ue_build(const char *country, const char *name, size_t len,
                             char *buf, size_t cap, size_t *len_out,
                             int *reason)
{
    char v[ID_MAX_LEN];
    if (country == NULL || (name == NULL && len > 0) ||
        (buf == NULL && cap > 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    size_t head = 0;
    for (; head < 2 && country[head] != '\0'; head++) {
        unsigned cls = chorusacct__byte_class[(unsigned char)country[head]];
        if (cls != CA_C_UPPER && cls != CA_C_LOWER)
            break;
        v[head] = (char)(country[head] & ~0x20);
    }
    bool wallis = head == 2 && v[0] == 'W' && v[1] == 'F';
    if (head != 2 || country[2] != '\0' ||
        (!wallis && hors_ue_name_max(v, false) == 0)) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, CHORUSACCT_E_COUNTRY);
    }
    if (wallis) {
        memcpy(v, "FRWF", 4);
        head = 4;
    }
    size_t max = head + hors_ue_name_max(v, wallis), n = head;
    const unsigned char *p = (const unsigned char *)name;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t step = ca_utf8_decode(p + i, len - i, &cp);
        if (step == 0) {
            chorusacct__clear(buf, cap, len_out);
            return ca_reject(reason, CHORUSACCT_E_UTF8);
        }
        i += step;
        const char *add = "";
        char one[2] = {0, 0};
        if (cp < 0x80) {
            unsigned cls = chorusacct__byte_class[cp];
            if (cls == CA_C_DIGIT || cls == CA_C_UPPER)
                one[0] = (char)cp;
            else if (cls == CA_C_LOWER)
                one[0] = (char)(cp - ('a' - 'A'));
            add = one;
        } else if (cp >= 0xC0 && cp < 0x180) {
            char b = latin_base[cp - 0xC0];
            if (b >= '1' && b <= '5')
                add = translit_pair(b);
            else if (b != '_')
                one[0] = b, add = one;
        }
        /* Anything else (other scripts, combining marks, symbols) is
         * dropped, as the identifier has no place for it. */
        for (; *add != '\0' && n < max; add++)
            v[n++] = *add;
    }
    if (n == head) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, CHORUSACCT_E_EMPTY);
    }
    return chorusacct__emit(v, n, buf, cap, len_out);
}

/* ------------------------------------------------------------------ */
/* Any type                                                             */

int chorusacct_identifier_check(int type, const char *in, size_t len,
                                uint32_t flags, char *buf, size_t cap,
                                size_t *len_out, int *reason)
{
    int rc;
    CHECK_ARGS();
    switch (type) {
    case CHORUSACCT_ID_SIRET:
        return chorusacct_siret_check(in, len, flags, buf, cap, len_out,
                                      reason);
    case CHORUSACCT_ID_UE_HORS_FRANCE: {
        char v[ID_MAX_LEN + 1];
        size_t n;
        rc = chorusacct_vat_check(in, len, flags, v, sizeof v, &n, reason);
        if (rc != CHORUSACCT_OK) {
            chorusacct__clear(buf, cap, len_out);
            return rc;
        }
        /* French companies use their SIRET; Monaco's are outside the EU
         * (HORS_UE). */
        if (v[0] == 'F' && v[1] == 'R') {
            chorusacct__clear(buf, cap, len_out);
            return ca_reject(reason, CHORUSACCT_E_COUNTRY);
        }
        return chorusacct__emit(v, n, buf, cap, len_out);
    }
    case CHORUSACCT_ID_HORS_UE:
        return chorusacct_hors_ue_check(in, len, flags, buf, cap, len_out,
                                        reason);
    case CHORUSACCT_ID_RIDET:
        return chorusacct_ridet_check(in, len, flags, buf, cap, len_out,
                                      reason);
    case CHORUSACCT_ID_TAHITI:
        return chorusacct_tahiti_check(in, len, flags, buf, cap, len_out,
                                       reason);
    case CHORUSACCT_ID_AUTRE:
    case CHORUSACCT_ID_PARTICULIER: {
        /* Blank input (separators only) counts as empty. */
        char v[1];
        size_t n;
        int why = chorusacct__compact(in, len, 0, v, 0, &n);
        if (why == CHORUSACCT_E_EMPTY || len == 0)
            return chorusacct__emit("", 0, buf, cap, len_out);
        return finish(CHORUSACCT_E_NOVALUE, v, 0, buf, cap, len_out, reason);
    }
    default:
        return finish(CHORUSACCT_E_TYPE, NULL, 0, buf, cap, len_out, reason);
    }
}

int chorusacct_identifier_split(int type, const char *normalized, size_t len,
                                size_t *enterprise_len)
{
    if (normalized == NULL || enterprise_len == NULL ||
        id_type_find(type) == NULL)
        return CHORUSACCT_E_ARG;
    size_t split;
    switch (type) {
    case CHORUSACCT_ID_SIRET:
        split = len == 14 ? 9 : 0;
        break;
    case CHORUSACCT_ID_RIDET:
        split = len == 10 ? 7 : len == 9 ? 6 : 0;
        break;
    case CHORUSACCT_ID_TAHITI:
        split = len == 9 ? 6 : 0;
        break;
    default:
        return CHORUSACCT_E_UNSUPPORTED;
    }
    if (split == 0)
        return CHORUSACCT_E_ARG;
    *enterprise_len = split;
    return CHORUSACCT_OK;
}
