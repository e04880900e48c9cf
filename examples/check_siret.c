/*
 * The smallest use of libchorusacct: check the SIRET numbers given on the
 * command line and print their normalized form or the reason, in French.
 *
 *   cc check_siret.c $(pkg-config --cflags --libs libchorusacct)
 *   ./a.out "732 829 320 00074" 73282932000075
 */
#include <chorusacct.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    int status = 0;

    if (chorusacct_init() != CHORUSACCT_OK)
        return 2;
    for (int i = 1; i < argc; i++) {
        char siret[16];
        size_t len;
        int reason;
        int rc = chorusacct_siret_check(argv[i], strlen(argv[i]), 0, siret,
                                        sizeof siret, &len, &reason);
        if (rc == CHORUSACCT_OK) {
            printf("%s: valide, %s\n", argv[i], siret);
        } else {
            int code = rc == CHORUSACCT_E_REJECTED ? reason : rc;
            printf("%s: %s %s\n", argv[i],
                   chorusacct_strerror(code, CHORUSACCT_LANG_FR),
                   chorusacct_identifier_hint(CHORUSACCT_ID_SIRET,
                                              CHORUSACCT_LANG_FR));
            status = 1;
        }
    }
    return status;
}
