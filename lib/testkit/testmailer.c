/*
 * The capturing mailer: a mailer for tests that keeps a copy of every
 * message it is given, and can be told to fail.
 */
#include "internal.h"

#include <chorusacct/testkit.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * One captured message and its texts, in one allocation. Entries are
 * reached through an array of pointers so that a pointer handed out by
 * chorusacct_testmailer_at() stays valid while other threads append (the
 * array moves when it grows, the entries do not).
 */
typedef struct {
    chorusacct_mail mail;
    char text[]; /* to, subject, body, link, message_key, NUL-terminated */
} cap_entry;

struct chorusacct_testmailer {
    /* Locked even by the const getters: tests read while workers send. */
    pthread_mutex_t lock;
    cap_entry **items;
    size_t count;
    size_t cap;
    uint32_t fail_left; /* sends still to refuse */
    int fail_result;
};

static void lock(const chorusacct_testmailer *cm)
{
    /* The mailer is always allocated writable; const only says that the
     * getters change nothing visible. */
    (void)pthread_mutex_lock(&((chorusacct_testmailer *)cm)->lock);
}

static void unlock(const chorusacct_testmailer *cm)
{
    (void)pthread_mutex_unlock(&((chorusacct_testmailer *)cm)->lock);
}

int chorusacct_testmailer_new(chorusacct_testmailer **out)
{
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    *out = NULL;
    chorusacct_testmailer *cm = calloc(1, sizeof *cm);
    if (cm == NULL)
        return CHORUSACCT_E_NOMEM;
    if (pthread_mutex_init(&cm->lock, NULL) != 0) {
        free(cm);
        return CHORUSACCT_E_NOMEM;
    }
    *out = cm;
    return CHORUSACCT_OK;
}

static void drop_all(chorusacct_testmailer *cm)
{
    for (size_t i = 0; i < cm->count; i++)
        free(cm->items[i]);
    free(cm->items);
    cm->items = NULL;
    cm->count = 0;
    cm->cap = 0;
}

void chorusacct_testmailer_free(chorusacct_testmailer *cm)
{
    if (cm == NULL)
        return;
    drop_all(cm);
    pthread_mutex_destroy(&cm->lock);
    free(cm);
}

void chorusacct_testmailer_clear(chorusacct_testmailer *cm)
{
    if (cm == NULL)
        return;
    lock(cm);
    drop_all(cm);
    unlock(cm);
}

/* Writes a fixed explanation into the mailer's error buffer. */
static void set_error(char *error, size_t error_cap, const char *msg)
{
    if (error == NULL || error_cap == 0)
        return;
    size_t n = strlen(msg);
    if (n >= error_cap)
        n = error_cap - 1; /* the messages are ASCII: any cut is clean */
    memcpy(error, msg, n);
    error[n] = '\0';
}

static size_t text_size(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

/* Copies `s` to `*dst` and returns the copy (NULL stays NULL). */
static const char *put_text(char **dst, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = memcpy(*dst, s, n);
    *dst += n;
    return copy;
}

static cap_entry *entry_new(const chorusacct_mail *m)
{
    /* The library's opaque name, when the mail has the member. */
    const char *key =
        m->struct_size >= offsetof(chorusacct_mail, message_key) + sizeof key
            ? m->message_key
            : NULL;
    size_t sizes[] = {text_size(m->to), text_size(m->subject),
                      text_size(m->body), text_size(m->link), text_size(key)};
    size_t total = sizeof(cap_entry);
    for (size_t i = 0; i < CA_ARRAY_LEN(sizes); i++) {
        if (sizes[i] > SIZE_MAX - total)
            return NULL;
        total += sizes[i];
    }
    cap_entry *e = malloc(total);
    if (e == NULL)
        return NULL;
    memset(&e->mail, 0, sizeof e->mail);
    e->mail.struct_size = (uint32_t)sizeof e->mail;
    e->mail.kind = m->kind;
    e->mail.message_id = m->message_id;
    e->mail.account_id = m->account_id;
    e->mail.created_at = m->created_at;
    e->mail.lang = m->lang;
    e->mail.attempt = m->attempt;
    char *p = e->text;
    e->mail.to = put_text(&p, m->to);
    e->mail.subject = put_text(&p, m->subject);
    e->mail.body = put_text(&p, m->body);
    e->mail.link = put_text(&p, m->link);
    e->mail.message_key = put_text(&p, key);
    return e;
}

static int testmailer_send(void *user_data, const chorusacct_mail *mail,
                           char *error, size_t error_cap)
{
    chorusacct_testmailer *cm = user_data;
    if (cm == NULL || mail == NULL) {
        set_error(error, error_cap, "testmailer: no message");
        return CHORUSACCT_MAIL_PERMFAIL;
    }

    lock(cm);
    if (cm->fail_left > 0) {
        int result = cm->fail_result;
        cm->fail_left--;
        unlock(cm);
        set_error(error, error_cap,
                  result == CHORUSACCT_MAIL_TEMPFAIL
                      ? "testmailer: simulated temporary failure"
                      : "testmailer: simulated permanent failure");
        return result;
    }
    unlock(cm);

    /* Copied outside the lock: bodies are large and other senders wait. */
    cap_entry *e = entry_new(mail);
    if (e == NULL) {
        set_error(error, error_cap, "testmailer: out of memory");
        return CHORUSACCT_MAIL_TEMPFAIL;
    }

    lock(cm);
    if (cm->count == cm->cap) {
        size_t ncap = cm->cap != 0 ? cm->cap * 2 : 16;
        cap_entry **grown = NULL;
        if (ncap <= SIZE_MAX / sizeof *grown)
            grown = realloc(cm->items, ncap * sizeof *grown);
        if (grown == NULL) {
            unlock(cm);
            free(e);
            set_error(error, error_cap, "testmailer: out of memory");
            return CHORUSACCT_MAIL_TEMPFAIL;
        }
        cm->items = grown;
        cm->cap = ncap;
    }
    cm->items[cm->count++] = e;
    unlock(cm);
    return CHORUSACCT_MAIL_SENT;
}

int chorusacct_testmailer_ops(chorusacct_mailer_ops *out,
                              chorusacct_testmailer *cm)
{
    if (cm == NULL)
        return CHORUSACCT_E_ARG;
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_MAILER_OPS);
    if (n == 0)
        return CHORUSACCT_E_ARG;
    chorusacct_mailer_ops table, *ops = &table;
    memset(ops, 0, sizeof *ops);
    ops->struct_size = (uint32_t)sizeof *ops;
    ops->user_data = cm;
    ops->send = testmailer_send;
    chorusacct__out_write(out, ops, n);
    return CHORUSACCT_OK;
}

size_t chorusacct_testmailer_count(const chorusacct_testmailer *cm)
{
    if (cm == NULL)
        return 0;
    lock(cm);
    size_t n = cm->count;
    unlock(cm);
    return n;
}

const chorusacct_mail *chorusacct_testmailer_at(const chorusacct_testmailer *cm,
                                                size_t index)
{
    if (cm == NULL)
        return NULL;
    const chorusacct_mail *m = NULL;
    lock(cm);
    if (index < cm->count)
        m = &cm->items[index]->mail;
    unlock(cm);
    return m;
}

/* ASCII-only case folding: addresses' domains are ASCII, and a locale
 * must not change what matches. */
static bool ascii_equal_nocase(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + ('a' - 'A'));
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + ('a' - 'A'));
        if (x != y)
            return false;
        if (x == '\0')
            return true;
    }
}

int chorusacct_testmailer_last_link(const chorusacct_testmailer *cm,
                                    const char *to, char *buf, size_t cap,
                                    size_t *len_out)
{
    if (cm == NULL || (buf == NULL && cap != 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    int rc = CHORUSACCT_E_NOTFOUND;
    lock(cm);
    for (size_t i = cm->count; i-- > 0;) {
        const chorusacct_mail *m = &cm->items[i]->mail;
        if (m->link == NULL)
            continue;
        if (to != NULL && (m->to == NULL || !ascii_equal_nocase(m->to, to)))
            continue;
        rc = chorusacct__emit(m->link, strlen(m->link), buf, cap, len_out);
        break;
    }
    unlock(cm);
    if (rc == CHORUSACCT_E_NOTFOUND)
        chorusacct__clear(buf, cap, len_out);
    return rc;
}

int chorusacct_testmailer_fail_next(chorusacct_testmailer *cm, uint32_t count,
                                    int result)
{
    if (cm == NULL || (result != CHORUSACCT_MAIL_TEMPFAIL &&
                       result != CHORUSACCT_MAIL_PERMFAIL))
        return CHORUSACCT_E_ARG;
    lock(cm);
    cm->fail_left = count;
    cm->fail_result = result;
    unlock(cm);
    return CHORUSACCT_OK;
}
