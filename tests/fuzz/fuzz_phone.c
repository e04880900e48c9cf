/*
 * libFuzzer target: the phone number validator.
 *
 * The first byte selects the flags (bit 0: strict); the rest is the
 * number. Besides "no crash, no out-of-bounds access" (the sanitizers
 * watch), it checks that an accepted number comes out as E.164 (+ and at
 * most 15 digits), validates again strictly to itself, is never written
 * past a too-small buffer, and that a refusal names a phone reason.
 */
#include <chorusacct.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool phone_reason(int reason)
{
    return (reason <= CHORUSACCT_E_PHONE_CHARACTER &&
            reason > CHORUSACCT_E_PHONE_CHARACTER - 50 &&
            strcmp(chorusacct_status_name(reason), "UNKNOWN") != 0) ||
           reason == CHORUSACCT_E_EMPTY || reason == CHORUSACCT_E_NONASCII ||
           reason == CHORUSACCT_E_SEPARATOR;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint32_t flags = (data[0] & 1) ? CHORUSACCT_VALIDATE_STRICT : 0;
    const char *in = (const char *)data + 1;
    const size_t len = size - 1;
    char out[32], again[32];
    size_t n = 0, n2 = 0;
    int reason = 0;

    int rc =
        chorusacct_phone_check(in, len, flags, out, sizeof out, &n, &reason);
    if (rc == CHORUSACCT_OK) {
        if (strlen(out) != n || n < 2 || n > chorusacct_phone_max_len() ||
            out[0] != '+' || out[1] == '0')
            abort();
        for (size_t i = 1; i < n; i++)
            if (out[i] < '0' || out[i] > '9')
                abort();
        if (chorusacct_phone_check(out, n, CHORUSACCT_VALIDATE_STRICT, again,
                                   sizeof again, &n2,
                                   &reason) != CHORUSACCT_OK ||
            n2 != n || memcmp(out, again, n) != 0)
            abort();
        /* One byte short: TOOSMALL, and nothing past the capacity. */
        memset(again, 0x5a, sizeof again);
        if (chorusacct_phone_check(in, len, flags, again, n, &n2, &reason) !=
                CHORUSACCT_E_TOOSMALL ||
            n2 != n || again[0] != '\0' || again[n] != 0x5a)
            abort();
        /* Checking only gives the same answer. */
        if (chorusacct_phone_check(in, len, flags, NULL, 0, &n2, NULL) !=
                CHORUSACCT_OK ||
            n2 != n)
            abort();
    } else if (rc == CHORUSACCT_E_REJECTED) {
        if (!phone_reason(reason) || out[0] != '\0' || n != 0)
            abort();
    } else {
        abort();
    }
    return 0;
}
