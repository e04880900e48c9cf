/*
 * chorusacct validate KIND: the validators over standard input, one value
 * a line.
 */
#include "tool.h"

#include <errno.h>
#include <string.h>
#include <sys/types.h>

typedef int (*check_fn)(const char *in, size_t len, uint32_t flags, char *buf,
                        size_t cap, size_t *len_out, int *reason);

typedef struct {
    const char *name;
    check_fn check;
    const char *what;
} validate_kind;

/* The password policy in the validators' shape, for the table. Its
 * results print as OK alone: the tool never echoes a password. */
static int check_password(const char *in, size_t len, uint32_t flags, char *buf,
                          size_t cap, size_t *len_out, int *reason)
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
    {"tva", chorusacct_vat_fr_check, "French VAT number"},
    {"vat", chorusacct_vat_check, "EU VAT number, any member state"},
    {"ridet", chorusacct_ridet_check, "RIDET (New Caledonia)"},
    {"tahiti", chorusacct_tahiti_check, "TAHITI number (French Polynesia)"},
    {"hors-ue", chorusacct_hors_ue_check, "identifier outside the EU"},
    {"phone", chorusacct_phone_check, "phone number (France by default)"},
    {"email", chorusacct_email_check, "e-mail address"},
    {"name", chorusacct_name_check, "first or last name (UTF-8)"},
    {"password", check_password,
     "password policy (prints OK, never the "
     "password)"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

void tool_validate_usage(FILE *f)
{
    for (size_t i = 0; i < NKINDS; i++)
        fprintf(f, "  %-8s %s\n", kinds[i].name, kinds[i].what);
}

/* Reads values one per line and writes one line per value, in order:
 * OK<TAB>normalized (OK alone for passwords) or ERR<TAB>CODE. */
static int validate(const validate_kind *kind, uint32_t flags)
{
    static char out_buf[1 << 16];
    char norm[1024];
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    int status = EXIT_SUCCESS;

    setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
    /* Passwords are secrets: no stdio buffer of standard input keeps
     * them, and each line is wiped once checked. */
    const bool secret = kind->check == check_password;
    if (secret)
        setvbuf(stdin, NULL, _IONBF, 0);
    while ((got = getline(&line, &line_cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        size_t n = 0;
        int reason = CHORUSACCT_OK;
        int rc = kind->check(line, len, flags, norm, sizeof norm, &n, &reason);
        if (rc == CHORUSACCT_OK) {
            fputs("OK", stdout);
            if (kind->check != check_password) {
                putchar('\t');
                fwrite(norm, 1, n, stdout);
            }
            putchar('\n');
        } else {
            fputs("ERR\t", stdout);
            fputs(chorusacct_status_name(rc == CHORUSACCT_E_REJECTED ? reason
                                                                     : rc),
                  stdout);
            putchar('\n');
            status = EXIT_REFUSED;
        }
        if (secret)
            tool_wipe(line, line_cap);
    }
    if (line != NULL)
        tool_wipe(line, line_cap);
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

static struct {
    int strict;
} validate_opt;

static const tool_option validate_options[] = {
    {"strict", .flag = &validate_opt.strict},
    {0},
};

static int run_validate(tool *t, int argc, char **argv)
{
    (void)t;
    for (size_t k = 0; argc == 1 && k < NKINDS; k++)
        if (strcmp(argv[0], kinds[k].name) == 0)
            return validate(&kinds[k], validate_opt.strict
                                           ? CHORUSACCT_VALIDATE_STRICT
                                           : 0);
    fprintf(stderr, "chorusacct: validate takes one KIND\n");
    tool_usage(stderr);
    return EXIT_USAGE;
}

const tool_command tool_cmd_validate = {"validate", 0, validate_options,
                                        run_validate};
