/*
 * The Maildir mailer: writes the text of chorusacct_mail_format() into
 * dir/tmp/, syncs it and renames it into dir/new/. Rules and sources:
 * docs/maildir.md.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* ------------------------------------------------------------------ */
/* The Maildir mailer                                                   */

typedef struct {
    char *dir;
    char *from;
    char *host; /* this machine's name, safe in a file name */
    atomic_uint_least64_t count;
} ca_maildir;

static const char *const md_subdirs[] = {"tmp", "new", "cur"};

/* "dir/sub" or "dir/sub/name" in a new buffer. */
static char *join(const char *dir, const char *sub, const char *name)
{
    size_t n = strlen(dir) + strlen(sub) + (name ? strlen(name) : 0) + 3;
    char *p = malloc(n);
    if (p == NULL)
        return NULL;
    if (name != NULL)
        snprintf(p, n, "%s/%s/%s", dir, sub, name);
    else
        snprintf(p, n, "%s/%s", dir, sub);
    return p;
}

static bool make_dir(const char *path)
{
    struct stat st;
    if (mkdir(path, 0700) == 0)
        return true;
    return errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool make_folders(const char *dir)
{
    if (!make_dir(dir))
        return false;
    for (size_t i = 0; i < CA_ARRAY_LEN(md_subdirs); i++) {
        char *p = join(dir, md_subdirs[i], NULL);
        bool ok = p != NULL && make_dir(p);
        free(p);
        if (!ok)
            return false;
    }
    return true;
}

/* The host part of the file names, with '/' and ':' written as octal
 * escapes as the Maildir convention asks (':' starts the flags). */
static char *host_part(void)
{
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
        snprintf(name, sizeof name, "localhost");
    name[sizeof name - 1] = '\0';
    char *out = malloc(strlen(name) * 4 + 1);
    if (out == NULL)
        return NULL;
    char *q = out;
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '/') {
            memcpy(q, "\\057", 4);
            q += 4;
        } else if (*p == ':') {
            memcpy(q, "\\072", 4);
            q += 4;
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    return out;
}

static void md_destroy(void *user_data)
{
    ca_maildir *md = user_data;
    if (md == NULL)
        return;
    free(md->dir);
    free(md->from);
    free(md->host);
    free(md);
}

static int md_fail(char *error, size_t error_cap, const char *what,
                   const char *name, int err)
{
    char text[128] = "";
    if (err == 0 || strerror_r(err, text, sizeof text) != 0)
        snprintf(text, sizeof text, "error %d", err);
    if (error != NULL && error_cap > 0)
        snprintf(error, error_cap, "maildir: %s%s: %s", what, name, text);
    return CHORUSACCT_MAIL_TEMPFAIL;
}

/* A name no other delivery uses (the usual Maildir form: seconds, then
 * microseconds, process, this table's counter and random bits, then the
 * host). The counter keeps threads apart, the random bits processes that
 * share a pid across machines or containers. */
static void unique_name(ca_maildir *md, char *name, size_t cap)
{
    struct timespec ts;
    unsigned char rnd[6];
    char hex[2 * sizeof rnd + 1];
    clock_gettime(CLOCK_REALTIME, &ts);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    unsigned long long q =
        (unsigned long long)atomic_fetch_add(&md->count, 1) + 1;
    snprintf(name, cap, "%lld.M%06ldP%ldQ%lluR%s.%s", (long long)ts.tv_sec,
             (long)(ts.tv_nsec / 1000), (long)getpid(), q, hex, md->host);
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (w == 0) {
            errno = EIO; /* no progress: do not spin */
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Makes the rename itself durable. A file system that cannot sync a
 * directory says EINVAL: it has nothing more to do. */
static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    close(fd);
    return err;
}

static int md_deliver(ca_maildir *md, const char *msg, size_t len, char *error,
                      size_t error_cap)
{
    const size_t name_cap = strlen(md->host) + 96;
    char *name = malloc(name_cap);
    char *tmp = NULL, *dst = NULL, *newdir = join(md->dir, "new", NULL);
    int fd = -1, result;
    if (name == NULL || newdir == NULL) {
        result = md_fail(error, error_cap, "no memory for ", "a name", ENOMEM);
        goto out;
    }
    bool remade = false;
    for (int tries = 0;; tries++) {
        unique_name(md, name, name_cap);
        free(tmp);
        tmp = join(md->dir, "tmp", name);
        if (tmp == NULL) {
            result = md_fail(error, error_cap, "no memory for ", name, ENOMEM);
            goto out;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            break;
        int err = errno;
        /* Someone removed the folders: put them back once. */
        if (err == ENOENT && !remade) {
            remade = true;
            (void)make_folders(md->dir);
            continue;
        }
        if (err != EEXIST || tries >= 8) {
            result = md_fail(error, error_cap, "cannot create tmp/", name, err);
            goto out;
        }
    }
    if (!write_all(fd, msg, len) || fsync(fd) != 0) {
        result = md_fail(error, error_cap, "cannot write tmp/", name, errno);
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        result = md_fail(error, error_cap, "cannot close tmp/", name, errno);
        unlink(tmp);
        goto out;
    }
    dst = join(md->dir, "new", name);
    if (dst == NULL) {
        result = md_fail(error, error_cap, "no memory for ", name, ENOMEM);
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, dst) != 0) {
        result = md_fail(error, error_cap, "cannot move to new/", name, errno);
        unlink(tmp);
        goto out;
    }
    /* The message is visible but may not survive a crash: report a
     * temporary failure; the retry has the same Message-ID. */
    int err = sync_dir(newdir);
    if (err != 0) {
        result = md_fail(error, error_cap, "cannot sync ", "new/", err);
        goto out;
    }
    result = CHORUSACCT_MAIL_SENT;
out:
    free(name);
    free(tmp);
    free(dst);
    free(newdir);
    return result;
}

static int md_send(void *user_data, const chorusacct_mail *mail, char *error,
                   size_t error_cap)
{
    ca_maildir *md = user_data;
    char *msg;
    size_t len;
    int rc = chorusacct__mail_text(mail, md->from, &msg, &len);
    if (rc == CHORUSACCT_E_NOMEM)
        return md_fail(error, error_cap, "no memory for ", "the message",
                       ENOMEM);
    if (rc != CHORUSACCT_OK) {
        if (error != NULL && error_cap > 0)
            snprintf(error, error_cap,
                     "maildir: cannot format the message (%s)",
                     chorusacct_status_name(rc));
        return CHORUSACCT_MAIL_PERMFAIL;
    }
    int result = md_deliver(md, msg, len, error, error_cap);
    chorusacct__mail_text_free(msg, len);
    return result;
}

int chorusacct_maildir_ops(chorusacct_mailer_ops *out, const char *dir,
                           const char *from)
{
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_MAILER_OPS);
    if (n == 0 || dir == NULL || dir[0] == '\0' || from == NULL ||
        !chorusacct__mail_sender_ok(from))
        return CHORUSACCT_E_ARG;
    /* The random part of the file names comes from libsodium. */
    int rc = chorusacct_init();
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_maildir *md = calloc(1, sizeof *md);
    if (md == NULL)
        return CHORUSACCT_E_NOMEM;
    atomic_init(&md->count, 0);
    md->dir = strdup(dir);
    md->from = strdup(from);
    md->host = host_part();
    if (md->dir == NULL || md->from == NULL || md->host == NULL) {
        md_destroy(md);
        return CHORUSACCT_E_NOMEM;
    }
    if (!make_folders(md->dir)) {
        md_destroy(md);
        return CHORUSACCT_E_IO;
    }
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops,
                                 .user_data = md,
                                 .send = md_send,
                                 .destroy = md_destroy};
    chorusacct__out_write(out, &ops, n);
    return CHORUSACCT_OK;
}
