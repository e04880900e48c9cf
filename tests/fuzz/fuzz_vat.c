/*
 * libFuzzer target: EU VAT numbers (chorusacct_vat_check, the
 * UE_HORS_FRANCE type and chorusacct_vat_hint).
 *
 * Besides "no crash, no out-of-bounds access" (the sanitizers watch), it
 * checks: the reason is one the header lists; a normalized value is a
 * known prefix and letters, digits, + or *, and validates again to itself
 * in strict mode; spaces inserted anywhere and lower case change nothing;
 * a too-small buffer is never written past its capacity; UE_HORS_FRANCE
 * agrees except for France; every accepted prefix has a hint.
 */
#include <chorusacct.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IN 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static int reason_listed(int reason)
{
    static const int listed[] = {CHORUSACCT_E_EMPTY,     CHORUSACCT_E_LENGTH,
                                 CHORUSACCT_E_CHARACTER, CHORUSACCT_E_NONASCII,
                                 CHORUSACCT_E_SEPARATOR, CHORUSACCT_E_CHECKSUM,
                                 CHORUSACCT_E_COUNTRY,   CHORUSACCT_E_FORMAT};
    for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++)
        if (reason == listed[i])
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_IN)
        return 0;
    const unsigned sel = data[0];
    const char *in = (const char *)data + 1;
    const size_t len = size - 1;
    const uint32_t flags = (sel & 0x80) ? CHORUSACCT_VALIDATE_STRICT : 0;
    char out[64], again[64];
    size_t n = 0, n2 = 0;
    int reason = 0, reason2 = 0;

    int rc = chorusacct_vat_check(in, len, flags, out, sizeof out, &n, &reason);
    check(rc == CHORUSACCT_OK || rc == CHORUSACCT_E_REJECTED);
    if (rc == CHORUSACCT_OK) {
        check(strlen(out) == n && n >= 4 &&
              n <= chorusacct_identifier_max_len());
        for (size_t i = 0; i < n; i++)
            check((out[i] >= 'A' && out[i] <= 'Z') ||
                  (i >= 2 && ((out[i] >= '0' && out[i] <= '9') ||
                              out[i] == '+' || out[i] == '*')));
        char cc[3] = {out[0], out[1], '\0'};
        check(strcmp(cc, "GR") != 0);
        check(chorusacct_vat_hint(cc, CHORUSACCT_LANG_FR)[0] != '\0');
        check(chorusacct_vat_check(out, n, CHORUSACCT_VALIDATE_STRICT, again,
                                   sizeof again, &n2,
                                   &reason2) == CHORUSACCT_OK);
        check(n2 == n && memcmp(out, again, n) == 0);
        /* One byte short: TOOSMALL, and nothing past the capacity. */
        memset(again, 0x5a, sizeof again);
        check(chorusacct_vat_check(in, len, flags, again, n, &n2, &reason2) ==
              CHORUSACCT_E_TOOSMALL);
        check(n2 == n && again[0] == '\0' && again[n] == 0x5a);
    } else {
        check(reason_listed(reason) && n == 0 && out[0] == '\0');
    }

    /* The type UE_HORS_FRANCE: the same answer, France refused. */
    int rc_id =
        chorusacct_identifier_check(CHORUSACCT_ID_UE_HORS_FRANCE, in, len,
                                    flags, again, sizeof again, &n2, &reason2);
    if (rc == CHORUSACCT_OK && memcmp(out, "FR", 2) != 0)
        check(rc_id == CHORUSACCT_OK && n2 == n && memcmp(out, again, n) == 0);
    else
        check(rc_id == CHORUSACCT_E_REJECTED &&
              reason2 == (rc == CHORUSACCT_OK ? CHORUSACCT_E_COUNTRY : reason));

    /* Without the strict flag, a space anywhere and lower case change
     * nothing. */
    if (flags == 0) {
        char alt[MAX_IN + 1];
        size_t at = len > 0 ? (sel & 0x7f) % (len + 1) : 0;
        memcpy(alt, in, at);
        alt[at] = ' ';
        memcpy(alt + at + 1, in + at, len - at);
        for (size_t i = 0; i <= len; i++)
            if ((sel & 1) && alt[i] >= 'A' && alt[i] <= 'Z')
                alt[i] = (char)(alt[i] + ('a' - 'A'));
        int rc2 = chorusacct_vat_check(alt, len + 1, 0, again, sizeof again,
                                       &n2, &reason2);
        check(rc2 == rc);
        if (rc == CHORUSACCT_OK)
            check(n2 == n && memcmp(out, again, n) == 0);
        else
            check(reason2 == reason);
    }

    /* Hints: any two bytes. */
    if (len >= 2) {
        char cc[3] = {in[0], in[1], '\0'};
        const char *h = chorusacct_vat_hint(cc, (int)(sel & 1));
        check(h != NULL);
        if (h[0] != '\0')
            check(strlen(h) > 10);
    }
    return 0;
}
