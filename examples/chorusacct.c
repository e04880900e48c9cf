/*
 * chorusacct: command-line tool over the public API of libchorusacct.
 *
 * It uses nothing that is not public, so it doubles as an example of the
 * API. Subcommands:
 *
 *   chorusacct validate KIND   < values      one result line per input line
 *   chorusacct version
 *
 * Exit status: 0 success, 1 some input refused, 2 usage or system error.
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

typedef int (*check_fn)(const char *in, size_t len, uint32_t flags,
                        char *buf, size_t cap, size_t *len_out,
                        int *reason);

typedef struct {
    const char *name;
    check_fn check;
    const char *what;
} validate_kind;

/* The password policy in the validators' shape, for the table. Its
 * results print as OK alone: the tool never echoes a password. */
static int check_password(const char *in, size_t len, uint32_t flags,
                          char *buf, size_t cap, size_t *len_out,
                          int *reason)
{
    (void)flags;
    if (cap > 0)
        buf[0] = '\0';
    *len_out = 0;
    return chorusacct_password_check(in, len, NULL, NULL, reason);
}

static const validate_kind kinds[] = {
    {"siren", chorusacct_siren_check, "SIREN (9 digits)"},
    {"siret", chorusacct_siret_check, "SIRET (14 digits)"},
    {"tva", chorusacct_tva_check, "French VAT number"},
    {"vat", chorusacct_vat_check, "EU VAT number, any member state"},
    {"ridet", chorusacct_ridet_check, "RIDET (New Caledonia)"},
    {"tahiti", chorusacct_tahiti_check, "TAHITI number (French Polynesia)"},
    {"hors-ue", chorusacct_hors_ue_check, "identifier outside the EU"},
    {"phone", chorusacct_phone_check, "phone number (France by default)"},
    {"email", chorusacct_email_check, "e-mail address"},
    {"name", chorusacct_name_check, "first or last name (UTF-8)"},
    {"password", check_password, "password policy (prints OK, never the "
                                 "password)"},
};

static void usage(FILE *f)
{
    fputs("usage: chorusacct [--strict] validate KIND < values\n"
          "       chorusacct version\n"
          "\nKIND:\n",
          f);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        fprintf(f, "  %-8s %s\n", kinds[i].name, kinds[i].what);
}

/* Reads values one per line and writes one line per value, in order:
 * OK<TAB>normalized or ERR<TAB>CODE. */
static int cmd_validate(const validate_kind *kind, uint32_t flags)
{
    static char out_buf[1 << 16];
    char norm[1024];
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    int status = EXIT_SUCCESS;

    setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
    while ((got = getline(&line, &line_cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        size_t n = 0;
        int reason = CHORUSACCT_OK;
        int rc = kind->check(line, len, flags, norm, sizeof norm, &n,
                             &reason);
        if (rc == CHORUSACCT_OK && kind->check == check_password) {
            puts("OK");
        } else if (rc == CHORUSACCT_OK) {
            fputs("OK\t", stdout);
            fwrite(norm, 1, n, stdout);
            putchar('\n');
        } else {
            fputs("ERR\t", stdout);
            fputs(chorusacct_code_name(rc == CHORUSACCT_E_REJECTED ? reason
                                                                   : rc),
                  stdout);
            putchar('\n');
            status = EXIT_REFUSED;
        }
    }
    free(line);
    if (ferror(stdin)) {
        fprintf(stderr, "chorusacct: reading standard input: %s\n",
                strerror(errno));
        return EXIT_USAGE;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "chorusacct: writing: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    return status;
}

int main(int argc, char **argv)
{
    uint32_t flags = 0;
    int i = 1;

    if (chorusacct_init() != CHORUSACCT_OK) {
        fputs("chorusacct: cannot initialise the library\n", stderr);
        return EXIT_USAGE;
    }
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--strict") == 0) {
            flags |= CHORUSACCT_VALIDATE_STRICT;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_SUCCESS;
        } else {
            fprintf(stderr, "chorusacct: unknown option %s\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[i++];
    if (strcmp(cmd, "version") == 0) {
        printf("chorusacct %s (headers %s)\n", chorusacct_version(),
               CHORUSACCT_VERSION_STRING);
        return EXIT_SUCCESS;
    }
    if (strcmp(cmd, "validate") == 0 && i + 1 == argc) {
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (strcmp(argv[i], kinds[k].name) == 0)
                return cmd_validate(&kinds[k], flags);
        fprintf(stderr, "chorusacct: unknown kind %s\n", argv[i]);
    }
    usage(stderr);
    return EXIT_USAGE;
}
