/*
 * A process that runs the account flow on an SQLite file as fast as it
 * can, until it is killed: sign-ups (new structures and requests to join
 * them), deliveries into a Maildir, activations, approvals, rejections,
 * resends. tests/test_crash.py kills it with SIGKILL at random moments
 * and then checks the database.
 *
 * usage: crash_worker DB MAILDIR SEED
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>

#include "sirets.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "activateutil.h"

#define PW "Correct-Horse-42"

/* The newest activation token found in the Maildir for an address. */
static int find_token(const char *maildir, const char *to, char *token)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/new", maildir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024], buf[16384];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char want[300];
        snprintf(want, sizeof want, "\nTo: %s\r", to);
        const char *t = strstr(buf, "token=");
        if (strstr(buf, want) == NULL || t == NULL)
            continue;
        /* Quoted-printable may break the line: keep base64url chars. */
        t += 6;
        size_t k = 0;
        while (k < 43 && *t) {
            if (*t == '=' && t[1] == '\r') {
                t += 3;
                continue;
            }
            token[k++] = *t++;
        }
        token[k] = '\0';
        found = k == 43;
    }
    closedir(d);
    return found;
}

int main(int argc, char **argv)
{
    if (argc != 4 || chorusacct_init() != CHORUSACCT_OK)
        return 2;
    unsigned seed = (unsigned)atoi(argv[3]);
    chorusacct_config cfg;
    chorusacct_ctx *ctx;
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    if (chorusacct_config_init(&cfg, sizeof cfg) != CHORUSACCT_OK)
        return 2;
    cfg.flags = CHORUSACCT_CFG_NO_CAPTCHA;
    cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    cfg.mail_lease = 1; /* a killed worker's messages come back at once */
    if (chorusacct_ctx_new(&ctx, &cfg) != CHORUSACCT_OK ||
        chorusacct_sqlite_ops(&st, argv[1], 0) != CHORUSACCT_OK ||
        chorusacct_ctx_set_storage(ctx, &st) != CHORUSACCT_OK ||
        chorusacct_maildir_ops(&ml, argv[2], "noreply@crash.test") !=
            CHORUSACCT_OK ||
        chorusacct_ctx_set_mailer(ctx, &ml) != CHORUSACCT_OK)
        return 2;

    for (unsigned i = 0;; i++) {
        unsigned n = seed * 100000u + i;
        char email[64], boss[64], siret[15], token[64];
        snprintf(email, sizeof email, "u%u@crash.test", n);
        /* Every fourth account joins the structure of the one before. */
        unsigned owner = i % 4 == 3 ? n - 1 : n;
        snprintf(boss, sizeof boss, "u%u@crash.test", owner);
        siret_of(owner, siret);
        chorusacct_signup f;
        chorusacct_signup_result r = {.struct_size = sizeof r};
        if (chorusacct_signup_init(&f, sizeof f) != CHORUSACCT_OK)
            return 2;
        f.login_email = email;
        f.first_name = "Marie";
        f.last_name = "Curie";
        f.accept_terms = 1;
        f.id_type = CHORUSACCT_ID_SIRET;
        f.identifier = siret;
        int rc = chorusacct_signup_submit(ctx, &f, &r);
        chorusacct_delivery d = {.struct_size = sizeof d};
        rc = chorusacct_outbox_deliver(ctx, 50, &d);
        int reason;
        if (i % 4 == 2 && find_token(argv[2], email, token))
            rc = activation_submit(ctx, token, PW, strlen(PW), PW, strlen(PW),
                                   NULL, NULL, NULL, &reason);
        if (i % 4 == 3 && r.account_id > 0) {
            chorusacct_account a = {.struct_size = sizeof a};
            if (chorusacct_account_find(ctx, boss, &a) == CHORUSACCT_OK) {
                if (i % 8 == 3)
                    rc = chorusacct_account_approve(ctx, a.id, r.account_id,
                                                    &reason);
                else
                    rc = chorusacct_account_reject(ctx, a.id, r.account_id,
                                                   "Non", &reason);
            }
        }
        if (i % 5 == 4)
            rc = chorusacct_activation_resend(ctx, email, NULL, &reason);
        (void)rc;
    }
}
