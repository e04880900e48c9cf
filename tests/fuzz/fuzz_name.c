/*
 * libFuzzer target: the name validator.
 *
 * Checks that invalid UTF-8 is refused as such (against a reference
 * decoder), that a valid name is the input without its end spaces, of 1
 * to 100 code points, and validates to itself, and that a too-small
 * buffer is never written past its capacity.
 */
#include <chorusacct.h>

#include <stdlib.h>
#include <string.h>

#include "utf8_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char out[512], again[512];
    size_t n = 0, n2 = 0;
    int reason = 0;

    long cps = ref_utf8_count(data, size);
    int rc = chorusacct_name_check(in, size, 0, out, sizeof out, &n, &reason);
    if (cps < 0) {
        if (rc != CHORUSACCT_E_REJECTED || reason != CHORUSACCT_E_UTF8)
            abort();
        return 0;
    }
    if (rc == CHORUSACCT_E_REJECTED) {
        if ((reason != CHORUSACCT_E_EMPTY &&
             reason != CHORUSACCT_E_NAME_CHARACTER &&
             reason != CHORUSACCT_E_NAME_LENGTH &&
             reason != CHORUSACCT_E_NAME_LETTER) ||
            n != 0 || out[0] != '\0')
            abort();
        if (reason == CHORUSACCT_E_NAME_LENGTH && cps <= 100)
            abort();
        return 0;
    }
    if (rc != CHORUSACCT_OK)
        abort();
    size_t b = 0, e = size;
    while (b < e && in[b] == ' ')
        b++;
    while (e > b && in[e - 1] == ' ')
        e--;
    long ocp = ref_utf8_count((const uint8_t *)out, n);
    if (n != e - b || memcmp(out, in + b, n) != 0 || strlen(out) != n ||
        n > chorusacct_name_max_len() || ocp < 1 || ocp > 100)
        abort();
    if (chorusacct_name_check(out, n, 0, again, sizeof again, &n2, &reason) !=
            CHORUSACCT_OK ||
        n2 != n || memcmp(out, again, n) != 0)
        abort();
    memset(again, 0x5a, sizeof again);
    if (chorusacct_name_check(in, size, 0, again, n, &n2, NULL) !=
            CHORUSACCT_E_TOOSMALL ||
        n2 != n || again[0] != '\0' || (unsigned char)again[n] != 0x5a)
        abort();
    return 0;
}
