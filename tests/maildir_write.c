/*
 * Helper of check_rfc5322.py: delivers messages into a Maildir with the
 * library's Maildir mailer.
 *
 * Usage: maildir_write DIR FROM < records
 * One record per line, fields separated by tabs:
 *     message_id kind account_id created_at to subject_hex body_hex
 * (subject and body hex-encoded, so that they may hold any byte). Prints
 * nothing; exits 1 on the first failure, with the mailer's error.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chorusacct.h>

static char *unhex(const char *s)
{
    size_t n = strlen(s) / 2;
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (char)v;
    }
    out[n] = '\0';
    return out;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: maildir_write DIR FROM < records\n");
        return 2;
    }
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    int rc = chorusacct_maildir_ops(&ops, argv[1], argv[2]);
    if (rc != CHORUSACCT_OK) {
        fprintf(stderr, "maildir_write: %s\n", chorusacct_status_name(rc));
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    int status = 0;
    while (status == 0 && getline(&line, &cap, stdin) > 0) {
        line[strcspn(line, "\n")] = '\0';
        char *f[7];
        char *save = NULL;
        size_t nf = 0;
        for (char *t = strtok_r(line, "\t", &save); t != NULL && nf < 7;
             t = strtok_r(NULL, "\t", &save))
            f[nf++] = t;
        if (nf != 7) {
            fprintf(stderr, "maildir_write: bad record\n");
            status = 1;
            break;
        }
        chorusacct_mail m;
        memset(&m, 0, sizeof m);
        m.struct_size = (uint32_t)sizeof m;
        m.message_id = strtoll(f[0], NULL, 10);
        m.kind = (int32_t)strtol(f[1], NULL, 10);
        m.account_id = strtoll(f[2], NULL, 10);
        m.created_at = strtoll(f[3], NULL, 10);
        m.attempt = 1;
        m.to = f[4];
        char *subject = unhex(strcmp(f[5], "-") == 0 ? "" : f[5]);
        char *body = unhex(strcmp(f[6], "-") == 0 ? "" : f[6]);
        m.subject = subject;
        m.body = body;
        char error[CHORUSACCT_MAIL_ERROR_SIZE] = "";
        if (subject == NULL || body == NULL ||
            ops.send(ops.user_data, &m, error, sizeof error) !=
                CHORUSACCT_MAIL_SENT) {
            fprintf(stderr, "maildir_write: message %s: %s\n", f[0], error);
            status = 1;
        }
        free(subject);
        free(body);
    }
    free(line);
    ops.destroy(ops.user_data);
    return status;
}
