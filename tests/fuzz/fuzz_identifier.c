/*
 * libFuzzer targets: the identifier validators and the HORS_UE builder.
 * Built once per validator with -DFUZZ_FN=chorusacct_X_check (one target
 * each), and once without, where it drives every validator, the generic
 * chorusacct_identifier_check and the builder.
 *
 * Besides "no crash, no out-of-bounds access" (the sanitizers watch), it
 * checks two properties: a normalized value validates again to itself,
 * and a too-small buffer is never written past its capacity.
 */
#include <chorusacct.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*check_fn)(const char *, size_t, uint32_t, char *, size_t,
                        size_t *, int *);

static const check_fn checks[] = {
#ifdef FUZZ_FN
    FUZZ_FN,
#else
    chorusacct_siren_check,   chorusacct_siret_check,
    chorusacct_vat_fr_check,  chorusacct_vat_fr_from_siren,
    chorusacct_ridet_check,   chorusacct_tahiti_check,
    chorusacct_hors_ue_check, chorusacct_vat_check,
#endif
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const unsigned sel = data[0];
    const char *in = (const char *)data + 1;
    const size_t len = size - 1;
    const uint32_t flags = (sel & 0x80) ? CHORUSACCT_VALIDATE_STRICT : 0;
    char out[64], again[64];
    size_t n, n2;
    int reason;

    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int rc = checks[i](in, len, flags, out, sizeof out, &n, &reason);
        if (rc == CHORUSACCT_OK) {
            if (strlen(out) != n || n > chorusacct_identifier_max_len())
                abort();
            /* tva_from_siren maps a SIREN to a VAT number: not idempotent
             * by design; every other validator is. */
            if (checks[i] != chorusacct_vat_fr_from_siren) {
                if (checks[i](out, n, CHORUSACCT_VALIDATE_STRICT, again,
                              sizeof again, &n2, &reason) != CHORUSACCT_OK ||
                    n2 != n || memcmp(out, again, n) != 0)
                    abort();
            }
            /* One byte short: TOOSMALL, and nothing past the capacity. */
            memset(again, 0x5a, sizeof again);
            if (checks[i](in, len, flags, again, n, &n2, &reason) !=
                    CHORUSACCT_E_TOOSMALL ||
                n2 != n || (n > 0 && again[0] != '\0') || again[n] != 0x5a)
                abort();
        } else if (rc == CHORUSACCT_E_REJECTED) {
            if (reason > -100 ||
                strcmp(chorusacct_status_name(reason), "UNKNOWN") == 0)
                abort();
        } else {
            abort();
        }
    }
#ifndef FUZZ_FN
    for (int type = 0; type <= 8; type++) {
        int rc = chorusacct_identifier_check(type, in, len, flags, out,
                                             sizeof out, &n, &reason);
        if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_REJECTED)
            abort();
    }
    if (len >= 2) {
        char cc[3] = {in[0], in[1], '\0'};
        int rc = chorusacct_hors_ue_build(cc, in + 2, len - 2, out, sizeof out,
                                          &n, &reason);
        if (rc == CHORUSACCT_OK &&
            chorusacct_hors_ue_check(out, n, CHORUSACCT_VALIDATE_STRICT, NULL,
                                     0, NULL, &reason) != CHORUSACCT_OK)
            abort();
    }
#endif
    return 0;
}
