/*
 * The in-memory storage backend.
 *
 * Layout. Records with increasing ids (accounts, structures, messages,
 * events) live in arrays indexed by id - 1, so that a lookup by id is one
 * load and listing "ids above after_id" starts at the right slot; deleted
 * records leave a NULL slot, which is also why an id is never handed out
 * twice. Keyed lookups (e-mail key, structure type and identifier, token
 * hash, captcha id hash, setting name, counter key, tokens of
 * an account) go through intrusive chained hash tables, hashed with
 * SipHash under a key drawn when the store is made, so that chosen e-mail
 * addresses cannot pile up in one bucket. Pending messages are also marked
 * in a two-level bitmap, which gives the oldest claimable message without
 * walking the messages already sent.
 *
 * Records are immutable once linked: a write builds a new record and swaps
 * it for the old one (copy on write). Inside a transaction the undo log
 * keeps every (new, old) pair, so rollback swaps them back in reverse
 * order; commit frees the old ones. Every allocation a write needs (the
 * new record, index capacity, a log entry) is made before anything is
 * changed, so a write that fails with CHORUSACCT_E_NOMEM changes nothing,
 * and rollback, which only relinks into capacity that already existed,
 * cannot fail. Counters are outside the log: they are never rolled back.
 *
 * Concurrency. One recursive mutex: every operation takes it, and `begin`
 * keeps it until `commit` or `rollback`, so transactions are serialized and
 * the owning thread's own calls inside its transaction go through while
 * other threads wait.
 */
/* MAP_ANONYMOUS (in POSIX only since 2024) */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CONTAINER(ptr, type, member)                                           \
    ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* ------------------------------------------------------------------ */
/* Intrusive hash tables                                                */

typedef struct hnode {
    struct hnode *next;
    uint64_t hash;
} hnode;

/*
 * A chained table that grows without stopping the world: when it must
 * double, the new bucket array is made and the old one is moved into it a
 * few buckets at a time, by each later reserve. A node lives in
 * old[h & (nold - 1)] while that bucket is not moved yet (index >=
 * moved), else in b[h & (nb - 1)]. A table doubles at a load of 1 and
 * moves IH_STEP buckets per reserve, so the move ends long before the
 * next doubling.
 */
typedef struct {
    hnode **b;
    size_t nb; /* power of two, or 0 before the first reserve */
    hnode **old;
    size_t nold, moved;
    size_t freed; /* bytes at the start of `old` given back already */
    size_t n;
} htab;

enum { IH_STEP = 8 };

/*
 * Bucket arrays. A big one is mapped from the system (its pages are zero
 * and come in as they are touched) and given back 64 KiB at a time (a
 * multiple of every page size in use) as the move empties it: freeing 8
 * MiB at once (1M buckets) costs a millisecond, more than a hundred
 * sign-ups. Small ones use calloc.
 */
enum { BIG_ARRAY = 256 * 1024, TRIM_UNIT = 64 * 1024 };

static hnode **buckets_alloc(size_t nb)
{
    size_t bytes = nb * sizeof(hnode *);
    if (bytes < BIG_ARRAY)
        return calloc(nb, sizeof(hnode *));
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Frees what is left of an array of `nb` buckets whose first `freed`
 * bytes were given back. */
static void buckets_free(hnode **b, size_t nb, size_t freed)
{
    size_t bytes = nb * sizeof(hnode *);
    if (b == NULL)
        return;
    if (bytes < BIG_ARRAY)
        free(b);
    else
        (void)munmap((char *)b + freed, bytes - freed);
}

/* Gives back the whole units of the old array below bucket `moved`. */
static void buckets_trim(htab *t)
{
    if (t->nold * sizeof(hnode *) < BIG_ARRAY)
        return;
    size_t done = t->moved * sizeof(hnode *) / TRIM_UNIT * TRIM_UNIT;
    if (done > t->freed) {
        (void)munmap((char *)t->old + t->freed, done - t->freed);
        t->freed = done;
    }
}

static hnode **ht_bucket(const htab *t, uint64_t h)
{
    if (t->old != NULL) {
        size_t i = h & (t->nold - 1);
        if (i >= t->moved)
            return &t->old[i];
    }
    return &t->b[h & (t->nb - 1)];
}

/* Moves up to `k` buckets of the old array. */
static void ht_step(htab *t, size_t k)
{
    for (; t->old != NULL && k > 0; k--) {
        hnode *x = t->old[t->moved];
        while (x != NULL) {
            hnode *next = x->next;
            hnode **h = &t->b[x->hash & (t->nb - 1)];
            x->next = *h;
            *h = x;
            x = next;
        }
        if (++t->moved == t->nold) {
            buckets_free(t->old, t->nold, t->freed);
            t->old = NULL;
            t->nold = t->moved = t->freed = 0;
        }
    }
    if (t->old != NULL)
        buckets_trim(t);
}

/* Ends a move in progress: before a walk of every bucket. */
static void ht_settle(htab *t)
{
    ht_step(t, SIZE_MAX);
}

/* Makes room for `extra` more nodes at a load factor of at most 1. The
 * table never shrinks, which is what lets a rollback relink without
 * allocating; moving buckets changes no content, so a reserve that fails
 * leaves the table as good as it was. */
static int ht_reserve(htab *t, size_t extra)
{
    ht_step(t, IH_STEP);
    size_t need = t->n + extra;
    if (need <= t->nb)
        return 0;
    size_t nb = t->nb != 0 ? t->nb * 2 : 16;
    while (nb < need)
        nb *= 2;
    hnode **b = buckets_alloc(nb);
    if (b == NULL)
        return -1;
    ht_settle(t); /* a second doubling during a move: only a huge reserve */
    if (t->nb == 0) {
        t->b = b;
    } else {
        t->old = t->b;
        t->nold = t->nb;
        t->moved = 0;
        t->b = b;
    }
    t->nb = nb;
    ht_step(t, IH_STEP);
    return 0;
}

static void ht_link(htab *t, hnode *x)
{
    hnode **h = ht_bucket(t, x->hash);
    x->next = *h;
    *h = x;
    t->n++;
}

static void ht_unlink(htab *t, hnode *x)
{
    hnode **p = ht_bucket(t, x->hash);
    while (*p != x)
        p = &(*p)->next;
    *p = x->next;
    t->n--;
}

/* First node, then following ones, whose hash is `h`; the caller compares
 * the keys. */
static hnode *ht_first(const htab *t, uint64_t h)
{
    if (t->nb == 0)
        return NULL;
    hnode *x = *ht_bucket(t, h);
    while (x != NULL && x->hash != h)
        x = x->next;
    return x;
}

static hnode *ht_next(hnode *x, uint64_t h)
{
    for (x = x->next; x != NULL && x->hash != h; x = x->next)
        ;
    return x;
}

static void ht_free(htab *t)
{
    buckets_free(t->b, t->nb, 0);
    buckets_free(t->old, t->nold, t->freed);
}

/* ------------------------------------------------------------------ */
/* Id arrays                                                            */

/* Slot i (the record of id i + 1) is chunk[i >> IV_SHIFT][i & IV_MASK]:
 * growing adds a chunk, and never copies the slots already there. */
enum { IV_SHIFT = 9, IV_CHUNK = 1 << IV_SHIFT, IV_MASK = IV_CHUNK - 1 };

typedef struct {
    void ***chunk;
    size_t nchunk, capchunk;
    size_t len; /* highest id handed out */
} idvec;

static int iv_reserve(idvec *iv, size_t extra)
{
    size_t need = (iv->len + extra + IV_MASK) >> IV_SHIFT;
    if (need <= iv->nchunk)
        return 0;
    if (need > iv->capchunk) {
        size_t cap = iv->capchunk != 0 ? iv->capchunk * 2 : 8;
        while (cap < need)
            cap *= 2;
        void ***c = realloc(iv->chunk, cap * sizeof *c);
        if (c == NULL)
            return -1;
        iv->chunk = c;
        iv->capchunk = cap;
    }
    while (iv->nchunk < need) {
        void **c = calloc(IV_CHUNK, sizeof *c);
        if (c == NULL)
            return -1;
        iv->chunk[iv->nchunk++] = c;
    }
    return 0;
}

static void **iv_slot(const idvec *iv, size_t i)
{
    return &iv->chunk[i >> IV_SHIFT][i & IV_MASK];
}

static void *iv_get(const idvec *iv, int64_t id)
{
    if (id <= 0 || (uint64_t)id > iv->len)
        return NULL;
    return *iv_slot(iv, (size_t)id - 1);
}

/* ------------------------------------------------------------------ */
/* Ordered indexes                                                      */

/*
 * A treap: a binary search tree on (k1, k2), unique per index, that is
 * also a heap on a priority mixed from the key, which keeps it balanced
 * in expectation (O(log n) per operation) whatever the order of inserts.
 * Nodes are intrusive and nothing allocates, so that linking and
 * unlinking cannot fail (what rollback relies on). Used for the accounts
 * of a structure, accounts by expiry, an account's events, pending
 * messages by due time, and what gc deletes by age.
 */
typedef struct tnode {
    struct tnode *l, *r;
    int64_t k1, k2;
} tnode;

typedef struct {
    tnode *root;
    size_t n;
} tree;

static uint64_t t_pri(const tnode *x)
{
    uint64_t z =
        (uint64_t)x->k1 * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)x->k2;
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Whether the key of `a` is below (k1, k2). */
static bool t_below(const tnode *a, int64_t k1, int64_t k2)
{
    return a->k1 < k1 || (a->k1 == k1 && a->k2 < k2);
}

static void t_insert(tree *tr, tnode *x, int64_t k1, int64_t k2)
{
    x->k1 = k1;
    x->k2 = k2;
    const uint64_t p = t_pri(x);
    tnode **at = &tr->root;
    while (*at != NULL && t_pri(*at) >= p)
        at = t_below(*at, k1, k2) ? &(*at)->r : &(*at)->l;
    /* Split what hangs there into the keys below x and those above. */
    tnode *t = *at, **l = &x->l, **r = &x->r;
    while (t != NULL) {
        if (t_below(t, k1, k2)) {
            *l = t;
            l = &t->r;
            t = t->r;
        } else {
            *r = t;
            r = &t->l;
            t = t->l;
        }
    }
    *l = *r = NULL;
    *at = x;
    tr->n++;
}

/* Unlinks `x`, which must be linked. */
static void t_remove(tree *tr, tnode *x)
{
    tnode **at = &tr->root;
    while (*at != x)
        at = t_below(*at, x->k1, x->k2) ? &(*at)->r : &(*at)->l;
    tnode *a = x->l, *b = x->r; /* every key of a is below every key of b */
    while (a != NULL && b != NULL) {
        if (t_pri(a) >= t_pri(b)) {
            *at = a;
            at = &a->r;
            a = a->r;
        } else {
            *at = b;
            at = &b->l;
            b = b->l;
        }
    }
    *at = a != NULL ? a : b;
    tr->n--;
}

/* The first node whose key is above (k1, k2), or NULL. */
static tnode *t_after(const tree *tr, int64_t k1, int64_t k2)
{
    tnode *best = NULL;
    for (tnode *t = tr->root; t != NULL;) {
        if (t->k1 > k1 || (t->k1 == k1 && t->k2 > k2)) {
            best = t;
            t = t->l;
        } else {
            t = t->r;
        }
    }
    return best;
}

static tnode *t_first(const tree *tr)
{
    tnode *t = tr->root;
    while (t != NULL && t->l != NULL)
        t = t->l;
    return t;
}

static tnode *t_next(const tree *tr, const tnode *x)
{
    return t_after(tr, x->k1, x->k2);
}

/* ------------------------------------------------------------------ */
/* Records                                                              */

/* Common head. Texts follow the kind's fixed part, at offsets from the
 * record's start, so that a copy is one memcpy of `size` bytes. */
typedef struct {
    hnode h1; /* the kind's key */
    hnode h2; /* tokens: by account */
    size_t size;
} rec;

typedef struct {
    size_t off, size;
} text_field;

#define TF(type, f)                                                            \
    {                                                                          \
        offsetof(type, f), sizeof(((type *)0)->f)                              \
    }

static const text_field account_tf[] = {
    TF(chorusacct_account, login_email),
    TF(chorusacct_account, email_key),
    TF(chorusacct_account, contact_email),
    TF(chorusacct_account, first_name),
    TF(chorusacct_account, last_name),
    TF(chorusacct_account, phone),
    TF(chorusacct_account, terms_version),
    TF(chorusacct_account, password_hash),
    TF(chorusacct_account, reason),
};
enum { A_EMAIL_KEY = 1, A_NTEXT = CA_ARRAY_LEN(account_tf) };

static const text_field structure_tf[] = {
    TF(chorusacct_structure, identifier),
    TF(chorusacct_structure, company_name),
};
enum { S_IDENT = 0, S_NTEXT = CA_ARRAY_LEN(structure_tf) };

static const text_field message_tf[] = {
    TF(chorusacct_message, to),
    TF(chorusacct_message, subject),
    TF(chorusacct_message, body),
    TF(chorusacct_message, last_error),
};
enum { M_ERROR = 3, M_NTEXT = CA_ARRAY_LEN(message_tf) };

static const text_field event_tf[] = {
    TF(chorusacct_event, reason),
};
enum { E_NTEXT = CA_ARRAY_LEN(event_tf) };

typedef struct {
    rec r;
    tnode by_structure, by_expiry;
    int64_t id, version, structure_id, created_at, updated_at, consent_at,
        expires_at, activated_at, decided_by, reserved1, resent_at;
    int32_t state, role, lang, reserved2, reserved0;
    uint32_t text[A_NTEXT];
} m_account;

typedef struct {
    rec r;
    int64_t id, created_at, principal_id;
    int32_t id_type;
    uint32_t text[S_NTEXT];
} m_structure;

typedef struct {
    rec r;
    tnode by_age; /* by when gc may delete it */
    chorusacct_token t;
} m_token;

typedef struct {
    rec r;
    tnode by_age;
    chorusacct_captcha c;
} m_captcha;

typedef struct {
    rec r;
    tnode order; /* pending: by due time; finished: by age */
    int64_t id, account_id, created_at, next_attempt_at, lease_until, sent_at;
    int32_t kind, lang, status, attempts, reserved0;
    uint32_t text[M_NTEXT];
} m_message;

typedef struct {
    rec r;
    tnode by_account;
    int64_t id, time, account_id, actor_id;
    int32_t type, from_state, to_state;
    uint32_t text[E_NTEXT];
} m_event;

/* A setting: the key, NUL, then the value. */
typedef struct {
    rec r;
    size_t klen, vlen;
    char key[];
} m_meta;

/* Counters are never rolled back, so they are not records. */
typedef struct {
    hnode h;
    tnode by_window;
    int64_t window;
    uint32_t count;
    char key[];
} counter;

static const char *rtext(const void *r, uint32_t off)
{
    return (const char *)r + off;
}

/* The texts of a public record, checked to end within their fields. */
static int texts_in(const void *src, const text_field *tf, size_t n,
                    const char **txt, size_t *len)
{
    for (size_t i = 0; i < n; i++) {
        txt[i] = (const char *)src + tf[i].off;
        len[i] = strnlen(txt[i], tf[i].size);
        if (len[i] == tf[i].size)
            return CHORUSACCT_E_ARG;
    }
    return CHORUSACCT_OK;
}

/* A zeroed fixed part of `head` bytes followed by the texts; their
 * offsets go to the uint32_t array at `offs_at`. */
static void *rec_alloc(size_t head, size_t offs_at, const char *const *txt,
                       const size_t *len, size_t n)
{
    size_t size = head;
    for (size_t i = 0; i < n; i++)
        size += len[i] + 1;
    char *p = malloc(size);
    if (p == NULL)
        return NULL;
    memset(p, 0, head);
    ((rec *)(void *)p)->size = size;
    size_t pos = head;
    for (size_t i = 0; i < n; i++) {
        uint32_t off = (uint32_t)pos;
        memcpy(p + offs_at + i * sizeof off, &off, sizeof off);
        memcpy(p + pos, txt[i], len[i]);
        p[pos + len[i]] = '\0';
        pos += len[i] + 1;
    }
    return p;
}

static void *rec_dup(const void *r)
{
    size_t size = ((const rec *)r)->size;
    void *p = malloc(size);
    if (p != NULL)
        memcpy(p, r, size);
    return p;
}

/* Writes each text and its NUL: the bytes past it are left as they were
 * (zeroing a whole message record, 9 KiB of text fields, cost more than
 * the rest of reading it). The fixed part before the texts is zeroed by
 * each unpack, and every text field of every kind comes after it. */
_Static_assert(offsetof(chorusacct_account, login_email) >
                   offsetof(chorusacct_account, reserved0),
               "account texts after its fixed part");
_Static_assert(offsetof(chorusacct_structure, identifier) >
                   offsetof(chorusacct_structure, principal_id),
               "structure texts after its fixed part");
_Static_assert(offsetof(chorusacct_message, to) >
                   offsetof(chorusacct_message, sent_at),
               "message texts after its fixed part");
_Static_assert(offsetof(chorusacct_event, reason) >
                   offsetof(chorusacct_event, actor_id),
               "event texts after its fixed part");

static void texts_out(void *dst, const text_field *tf, size_t n, const void *r,
                      const uint32_t *offs)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = rtext(r, offs[i]);
        memcpy((char *)dst + tf[i].off, s, strlen(s) + 1);
    }
}

/* ------------------------------------------------------------------ */
/* The store                                                            */

enum { K_ACCOUNT, K_STRUCTURE, K_TOKEN, K_CAPTCHA, K_MESSAGE, K_EVENT, K_META };

typedef struct {
    int kind;
    void *cur; /* what the write linked, or NULL (a delete) */
    void *old; /* what it unlinked, or NULL (an insert) */
} undo;

struct chorusacct_memstore {
    pthread_mutex_t lock;
    unsigned char hkey[crypto_shorthash_KEYBYTES];
    bool in_tx;

    idvec accounts, structures, messages, events;
    htab by_email, by_ident, tokens, tokens_by_account, captchas, metas,
        counters;
    tree members, expiring, account_events, due, finished, old_tokens,
        old_captchas, counter_windows;
    uint64_t visits; /* records listings, claims and gc looked at */

    undo *log;
    size_t nlog, caplog;
    size_t saved_len[4]; /* the id arrays' lengths at begin */
};

typedef chorusacct_memstore ms;

static void lock(ms *s)
{
    (void)pthread_mutex_lock(&s->lock);
}

static void unlock(ms *s)
{
    (void)pthread_mutex_unlock(&s->lock);
}

static uint64_t hash_bytes(const ms *s, const void *p, size_t n)
{
    unsigned char out[crypto_shorthash_BYTES];
    uint64_t h;
    crypto_shorthash(out, p, n, s->hkey);
    memcpy(&h, out, sizeof h);
    return h;
}

static uint64_t hash_i64(const ms *s, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    return hash_bytes(s, b, sizeof b);
}

static uint64_t hash_ident(const ms *s, int32_t type, const char *ident,
                           size_t len)
{
    unsigned char b[4 + CHORUSACCT_IDENTIFIER_SIZE];
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)((uint32_t)type >> (8 * i));
    memcpy(b + 4, ident, len);
    return hash_bytes(s, b, 4 + len);
}

/* A counter is found by its key alone: it keeps one window, its
 * latest. */
static uint64_t hash_counter(const ms *s, const char *key, size_t len)
{
    return hash_bytes(s, key, len);
}

/* Keys as the tables hash them, from a stored record. */
static uint64_t account_hash(const ms *s, const m_account *a)
{
    const char *k = rtext(a, a->text[A_EMAIL_KEY]);
    return hash_bytes(s, k, strlen(k));
}

static const char *structure_ident(const m_structure *st)
{
    return rtext(st, st->text[S_IDENT]);
}

/* ---- linking: the only place that knows every index of every kind ---- */

static void iv_put(idvec *iv, int64_t id, void *r)
{
    *iv_slot(iv, (size_t)id - 1) = r;
    if ((size_t)id > iv->len)
        iv->len = (size_t)id;
}

static bool message_finished(int32_t status)
{
    return status == CHORUSACCT_MSG_SENT || status == CHORUSACCT_MSG_DEAD ||
           status == CHORUSACCT_MSG_CANCELLED;
}

/* The tree a message's `order` node is in, or NULL. */
static tree *message_tree(ms *s, const m_message *m)
{
    if (m->status == CHORUSACCT_MSG_PENDING)
        return &s->due;
    return message_finished(m->status) ? &s->finished : NULL;
}

/* gc deletes a token or challenge once a time it has, used or expiry, is
 * old enough: it is ordered by the earlier one (0: none, never deleted). */
static int64_t first_time(int64_t used_at, int64_t expires_at)
{
    if (used_at == 0 || (expires_at != 0 && expires_at < used_at))
        return expires_at;
    return used_at;
}

static int64_t ptr_key(const void *p)
{
    return (int64_t)(intptr_t)p;
}

static void link_rec(ms *s, int kind, void *r)
{
    switch (kind) {
    case K_ACCOUNT: {
        m_account *a = r;
        iv_put(&s->accounts, a->id, a);
        a->r.h1.hash = account_hash(s, a);
        ht_link(&s->by_email, &a->r.h1);
        if (a->structure_id != 0)
            t_insert(&s->members, &a->by_structure, a->structure_id, a->id);
        if (a->expires_at > 0)
            t_insert(&s->expiring, &a->by_expiry, a->expires_at, a->id);
        break;
    }
    case K_STRUCTURE: {
        m_structure *st = r;
        iv_put(&s->structures, st->id, st);
        const char *ident = structure_ident(st);
        if (ident[0] != '\0') {
            st->r.h1.hash = hash_ident(s, st->id_type, ident, strlen(ident));
            ht_link(&s->by_ident, &st->r.h1);
        }
        break;
    }
    case K_TOKEN: {
        m_token *t = r;
        t->r.h1.hash = hash_bytes(s, t->t.hash, 32);
        t->r.h2.hash = hash_i64(s, t->t.account_id);
        ht_link(&s->tokens, &t->r.h1);
        ht_link(&s->tokens_by_account, &t->r.h2);
        int64_t age = first_time(t->t.used_at, t->t.expires_at);
        if (age != 0)
            t_insert(&s->old_tokens, &t->by_age, age, ptr_key(t));
        break;
    }
    case K_CAPTCHA: {
        m_captcha *c = r;
        c->r.h1.hash = hash_bytes(s, c->c.id_hash, 32);
        ht_link(&s->captchas, &c->r.h1);
        int64_t age = first_time(c->c.used_at, c->c.expires_at);
        if (age != 0)
            t_insert(&s->old_captchas, &c->by_age, age, ptr_key(c));
        break;
    }
    case K_MESSAGE: {
        m_message *m = r;
        iv_put(&s->messages, m->id, m);
        if (m->status == CHORUSACCT_MSG_PENDING)
            t_insert(&s->due, &m->order, m->next_attempt_at, m->id);
        else if (message_finished(m->status))
            t_insert(&s->finished, &m->order,
                     m->sent_at > m->created_at ? m->sent_at : m->created_at,
                     m->id);
        break;
    }
    case K_EVENT: {
        m_event *e = r;
        iv_put(&s->events, e->id, e);
        t_insert(&s->account_events, &e->by_account, e->account_id, e->id);
        break;
    }
    case K_META: {
        m_meta *mt = r;
        mt->r.h1.hash = hash_bytes(s, mt->key, mt->klen);
        ht_link(&s->metas, &mt->r.h1);
        break;
    }
    default:
        break;
    }
}

static void unlink_rec(ms *s, int kind, void *r)
{
    switch (kind) {
    case K_ACCOUNT: {
        m_account *a = r;
        *iv_slot(&s->accounts, (size_t)a->id - 1) = NULL;
        ht_unlink(&s->by_email, &a->r.h1);
        if (a->structure_id != 0)
            t_remove(&s->members, &a->by_structure);
        if (a->expires_at > 0)
            t_remove(&s->expiring, &a->by_expiry);
        break;
    }
    case K_STRUCTURE: {
        m_structure *st = r;
        *iv_slot(&s->structures, (size_t)st->id - 1) = NULL;
        if (structure_ident(st)[0] != '\0')
            ht_unlink(&s->by_ident, &st->r.h1);
        break;
    }
    case K_TOKEN: {
        m_token *t = r;
        ht_unlink(&s->tokens, &t->r.h1);
        ht_unlink(&s->tokens_by_account, &t->r.h2);
        if (first_time(t->t.used_at, t->t.expires_at) != 0)
            t_remove(&s->old_tokens, &t->by_age);
        break;
    }
    case K_CAPTCHA: {
        m_captcha *c = r;
        ht_unlink(&s->captchas, &c->r.h1);
        if (first_time(c->c.used_at, c->c.expires_at) != 0)
            t_remove(&s->old_captchas, &c->by_age);
        break;
    }
    case K_MESSAGE: {
        m_message *m = r;
        *iv_slot(&s->messages, (size_t)m->id - 1) = NULL;
        tree *tr = message_tree(s, m);
        if (tr != NULL)
            t_remove(tr, &m->order);
        break;
    }
    case K_EVENT: {
        m_event *e = r;
        *iv_slot(&s->events, (size_t)e->id - 1) = NULL;
        t_remove(&s->account_events, &e->by_account);
        break;
    }
    case K_META: {
        m_meta *mt = r;
        ht_unlink(&s->metas, &mt->r.h1);
        break;
    }
    default:
        break;
    }
}

/* Room for `n` more entries of the undo log (none needed outside a
 * transaction). */
static int log_reserve(ms *s, size_t n)
{
    if (!s->in_tx || s->nlog + n <= s->caplog)
        return 0;
    size_t cap = s->caplog != 0 ? s->caplog * 2 : 64;
    while (cap < s->nlog + n)
        cap *= 2;
    undo *log = realloc(s->log, cap * sizeof *log);
    if (log == NULL)
        return -1;
    s->log = log;
    s->caplog = cap;
    return 0;
}

/*
 * Swaps `old` for `cur` in the indexes (either may be NULL), then keeps
 * `old` for a rollback, or frees it outside a transaction. The caller has
 * reserved the capacity and the log entry.
 */
static void apply(ms *s, int kind, void *cur, void *old)
{
    if (old != NULL)
        unlink_rec(s, kind, old);
    if (cur != NULL)
        link_rec(s, kind, cur);
    if (s->in_tx)
        s->log[s->nlog++] = (undo){kind, cur, old};
    else
        free(old);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */

static int ms_begin(void *ud)
{
    ms *s = ud;
    lock(s);
    if (s->in_tx) {
        /* Only the owner can get here: transactions do not nest. */
        unlock(s);
        return CHORUSACCT_E_STORAGE;
    }
    s->in_tx = true;
    s->nlog = 0;
    s->saved_len[0] = s->accounts.len;
    s->saved_len[1] = s->structures.len;
    s->saved_len[2] = s->messages.len;
    s->saved_len[3] = s->events.len;
    return CHORUSACCT_OK; /* the lock stays held until the end */
}

static void end_tx(ms *s)
{
    s->in_tx = false;
    s->nlog = 0;
    /* A big transaction (a gc) should not pin its log forever. */
    if (s->caplog > 4096) {
        free(s->log);
        s->log = NULL;
        s->caplog = 0;
    }
    unlock(s); /* this call's */
    unlock(s); /* begin's */
}

static int ms_commit(void *ud)
{
    ms *s = ud;
    lock(s);
    if (!s->in_tx) {
        unlock(s);
        return CHORUSACCT_E_STORAGE;
    }
    for (size_t i = 0; i < s->nlog; i++)
        free(s->log[i].old);
    end_tx(s);
    return CHORUSACCT_OK;
}

static void undo_all(ms *s)
{
    for (size_t i = s->nlog; i-- > 0;) {
        undo *u = &s->log[i];
        if (u->cur != NULL) {
            unlink_rec(s, u->kind, u->cur);
            free(u->cur);
        }
        if (u->old != NULL)
            link_rec(s, u->kind, u->old);
    }
    /* Ids handed out by the transaction are free again; their slots were
     * emptied above. */
    s->accounts.len = s->saved_len[0];
    s->structures.len = s->saved_len[1];
    s->messages.len = s->saved_len[2];
    s->events.len = s->saved_len[3];
}

static int ms_rollback(void *ud)
{
    ms *s = ud;
    lock(s);
    if (!s->in_tx) {
        unlock(s);
        return CHORUSACCT_E_STORAGE;
    }
    undo_all(s);
    end_tx(s);
    return CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Accounts                                                             */

static m_account *account_by_key(const ms *s, const char *key, size_t len)
{
    uint64_t h = hash_bytes(s, key, len);
    for (hnode *x = ht_first(&s->by_email, h); x != NULL; x = ht_next(x, h)) {
        m_account *a = CONTAINER(x, m_account, r.h1);
        const char *k = rtext(a, a->text[A_EMAIL_KEY]);
        if (strlen(k) == len && memcmp(k, key, len) == 0)
            return a;
    }
    return NULL;
}

static m_account *account_pack(const chorusacct_account *in, int64_t id,
                               int64_t version, int *rc)
{
    const char *txt[A_NTEXT];
    size_t len[A_NTEXT];
    *rc = texts_in(in, account_tf, A_NTEXT, txt, len);
    if (*rc != CHORUSACCT_OK)
        return NULL;
    m_account *a =
        rec_alloc(sizeof *a, offsetof(m_account, text), txt, len, A_NTEXT);
    if (a == NULL) {
        *rc = CHORUSACCT_E_NOMEM;
        return NULL;
    }
    a->id = id;
    a->version = version;
    a->structure_id = in->structure_id;
    a->created_at = in->created_at;
    a->updated_at = in->updated_at;
    a->consent_at = in->consent_at;
    a->expires_at = in->expires_at;
    a->activated_at = in->activated_at;
    a->decided_by = in->decided_by;
    a->reserved1 = in->reserved1;
    a->resent_at = in->resent_at;
    a->state = in->state;
    a->role = in->role;
    a->lang = in->lang;
    a->reserved2 = in->reserved2;
    a->reserved0 = in->reserved0;
    return a;
}

static void account_unpack(const m_account *a, chorusacct_account *out)
{
    memset(out, 0, offsetof(chorusacct_account, login_email));
    out->struct_size = sizeof *out;
    out->id = a->id;
    out->version = a->version;
    out->structure_id = a->structure_id;
    out->created_at = a->created_at;
    out->updated_at = a->updated_at;
    out->consent_at = a->consent_at;
    out->expires_at = a->expires_at;
    out->activated_at = a->activated_at;
    out->decided_by = a->decided_by;
    out->reserved1 = a->reserved1;
    out->resent_at = a->resent_at;
    out->state = a->state;
    out->role = a->role;
    out->lang = a->lang;
    out->reserved2 = a->reserved2;
    out->reserved0 = a->reserved0;
    texts_out(out, account_tf, A_NTEXT, a, a->text);
}

static int ms_account_insert(void *ud, chorusacct_account *a)
{
    ms *s = ud;
    int rc;
    if (a == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    int64_t id = (int64_t)s->accounts.len + 1;
    m_account *n = account_pack(a, id, 1, &rc);
    if (n == NULL)
        goto out;
    const char *key = rtext(n, n->text[A_EMAIL_KEY]);
    if (account_by_key(s, key, strlen(key)) != NULL) {
        free(n);
        rc = CHORUSACCT_E_EXISTS;
        goto out;
    }
    if (iv_reserve(&s->accounts, 1) != 0 || ht_reserve(&s->by_email, 1) != 0 ||
        log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    apply(s, K_ACCOUNT, n, NULL);
    a->id = id;
    a->version = 1;
out:
    unlock(s);
    return rc;
}

static int ms_account_get(void *ud, int64_t id, chorusacct_account *out)
{
    ms *s = ud;
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    const m_account *a = iv_get(&s->accounts, id);
    if (a != NULL)
        account_unpack(a, out);
    unlock(s);
    return a != NULL ? CHORUSACCT_OK : CHORUSACCT_E_NOTFOUND;
}

static int ms_account_find(void *ud, const char *email_key,
                           chorusacct_account *out)
{
    ms *s = ud;
    if (email_key == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    const m_account *a = account_by_key(s, email_key, strlen(email_key));
    if (a != NULL)
        account_unpack(a, out);
    unlock(s);
    return a != NULL ? CHORUSACCT_OK : CHORUSACCT_E_NOTFOUND;
}

static int ms_account_update(void *ud, chorusacct_account *a)
{
    ms *s = ud;
    int rc;
    if (a == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    m_account *cur = iv_get(&s->accounts, a->id);
    if (cur == NULL) {
        rc = CHORUSACCT_E_NOTFOUND;
        goto out;
    }
    if (cur->version != a->version) {
        rc = CHORUSACCT_E_CONFLICT;
        goto out;
    }
    m_account *n = account_pack(a, cur->id, cur->version + 1, &rc);
    if (n == NULL)
        goto out;
    const char *key = rtext(n, n->text[A_EMAIL_KEY]);
    const m_account *other = account_by_key(s, key, strlen(key));
    if (other != NULL && other != cur) {
        free(n);
        rc = CHORUSACCT_E_EXISTS;
        goto out;
    }
    if (ht_reserve(&s->by_email, 1) != 0 || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    apply(s, K_ACCOUNT, n, cur);
    a->version = n->version;
out:
    unlock(s);
    return rc;
}

static int ms_account_delete(void *ud, int64_t id)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    lock(s);
    m_account *cur = iv_get(&s->accounts, id);
    if (cur == NULL) {
        rc = CHORUSACCT_E_NOTFOUND;
        goto out;
    }
    uint64_t h = hash_i64(s, id);
    size_t ntok = 0;
    for (hnode *x = ht_first(&s->tokens_by_account, h); x != NULL;
         x = ht_next(x, h))
        if (CONTAINER(x, m_token, r.h2)->t.account_id == id)
            ntok++;
    if (log_reserve(s, ntok + 1) != 0) {
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    hnode *x = ht_first(&s->tokens_by_account, h);
    while (x != NULL) {
        hnode *next = ht_next(x, h);
        m_token *t = CONTAINER(x, m_token, r.h2);
        if (t->t.account_id == id)
            apply(s, K_TOKEN, NULL, t);
        x = next;
    }
    apply(s, K_ACCOUNT, NULL, cur);
out:
    unlock(s);
    return rc;
}

static bool account_matches(const m_account *a,
                            const chorusacct_account_query *q)
{
    if (q == NULL)
        return true;
    if (q->state != 0 && a->state != q->state)
        return false;
    if (q->structure_id != 0 && a->structure_id != q->structure_id)
        return false;
    if (q->min_role != 0 && a->role < q->min_role)
        return false;
    if (q->expires_before != 0 &&
        !(a->expires_at > 0 && a->expires_at < q->expires_before))
        return false;
    return true;
}

/* First slot of a listing of ids above `after_id`. */
static size_t first_slot(int64_t after_id)
{
    return after_id > 0 ? (size_t)after_id : 0;
}

/* A listing answers from the index that bounds it: expiry order from the
 * accounts by (expires_at, id), a structure's from its accounts by
 * (structure_id, id); only a listing by state or role alone walks the
 * ids. */
static int ms_account_list(void *ud, const chorusacct_account_query *q,
                           chorusacct_account *out, size_t max, size_t *count)
{
    ms *s = ud;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    size_t n = 0;
    lock(s);
    if (q != NULL && q->order == CHORUSACCT_ORDER_EXPIRY) {
        for (tnode *x = t_after(&s->expiring, q->after_expires_at, q->after_id);
             x != NULL && n < max; x = t_next(&s->expiring, x)) {
            const m_account *a = CONTAINER(x, m_account, by_expiry);
            s->visits++;
            if (q->expires_before != 0 && a->expires_at >= q->expires_before)
                break;
            if (account_matches(a, q))
                account_unpack(a, &out[n++]);
        }
    } else if (q != NULL && q->structure_id != 0) {
        for (tnode *x = t_after(&s->members, q->structure_id, q->after_id);
             x != NULL && x->k1 == q->structure_id && n < max;
             x = t_next(&s->members, x)) {
            const m_account *a = CONTAINER(x, m_account, by_structure);
            s->visits++;
            if (account_matches(a, q))
                account_unpack(a, &out[n++]);
        }
    } else {
        for (size_t i = first_slot(q != NULL ? q->after_id : 0);
             i < s->accounts.len && n < max; i++) {
            const m_account *a = *iv_slot(&s->accounts, i);
            s->visits++;
            if (a != NULL && account_matches(a, q))
                account_unpack(a, &out[n++]);
        }
    }
    unlock(s);
    *count = n;
    return CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Structures                                                           */

static m_structure *structure_by_key(const ms *s, int32_t type,
                                     const char *ident, size_t len)
{
    if (len == 0 || len >= CHORUSACCT_IDENTIFIER_SIZE)
        return NULL;
    uint64_t h = hash_ident(s, type, ident, len);
    for (hnode *x = ht_first(&s->by_ident, h); x != NULL; x = ht_next(x, h)) {
        m_structure *st = CONTAINER(x, m_structure, r.h1);
        const char *k = structure_ident(st);
        if (st->id_type == type && strlen(k) == len &&
            memcmp(k, ident, len) == 0)
            return st;
    }
    return NULL;
}

static m_structure *structure_pack(const chorusacct_structure *in, int64_t id,
                                   int *rc)
{
    const char *txt[S_NTEXT];
    size_t len[S_NTEXT];
    *rc = texts_in(in, structure_tf, S_NTEXT, txt, len);
    if (*rc != CHORUSACCT_OK)
        return NULL;
    m_structure *st =
        rec_alloc(sizeof *st, offsetof(m_structure, text), txt, len, S_NTEXT);
    if (st == NULL) {
        *rc = CHORUSACCT_E_NOMEM;
        return NULL;
    }
    st->id = id;
    st->created_at = in->created_at;
    st->principal_id = in->principal_id;
    st->id_type = in->id_type;
    return st;
}

static void structure_unpack(const m_structure *st, chorusacct_structure *out)
{
    memset(out, 0, offsetof(chorusacct_structure, identifier));
    out->struct_size = sizeof *out;
    out->id = st->id;
    out->created_at = st->created_at;
    out->principal_id = st->principal_id;
    out->id_type = st->id_type;
    texts_out(out, structure_tf, S_NTEXT, st, st->text);
}

/* Whether another structure than `self` holds the key of `st`. */
static bool structure_taken(const ms *s, const m_structure *st,
                            const m_structure *self)
{
    const char *ident = structure_ident(st);
    const m_structure *other =
        structure_by_key(s, st->id_type, ident, strlen(ident));
    return other != NULL && other != self;
}

static int ms_structure_insert(void *ud, chorusacct_structure *st)
{
    ms *s = ud;
    int rc;
    if (st == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    int64_t id = (int64_t)s->structures.len + 1;
    m_structure *n = structure_pack(st, id, &rc);
    if (n == NULL)
        goto out;
    if (structure_taken(s, n, NULL)) {
        free(n);
        rc = CHORUSACCT_E_EXISTS;
        goto out;
    }
    if (iv_reserve(&s->structures, 1) != 0 ||
        ht_reserve(&s->by_ident, 1) != 0 || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    apply(s, K_STRUCTURE, n, NULL);
    st->id = id;
out:
    unlock(s);
    return rc;
}

static int ms_structure_get(void *ud, int64_t id, chorusacct_structure *out)
{
    ms *s = ud;
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    const m_structure *st = iv_get(&s->structures, id);
    if (st != NULL)
        structure_unpack(st, out);
    unlock(s);
    return st != NULL ? CHORUSACCT_OK : CHORUSACCT_E_NOTFOUND;
}

static int ms_structure_find(void *ud, int32_t id_type, const char *identifier,
                             chorusacct_structure *out)
{
    ms *s = ud;
    if (identifier == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    const m_structure *st =
        structure_by_key(s, id_type, identifier, strlen(identifier));
    if (st != NULL)
        structure_unpack(st, out);
    unlock(s);
    return st != NULL ? CHORUSACCT_OK : CHORUSACCT_E_NOTFOUND;
}

static int ms_structure_update(void *ud, const chorusacct_structure *st)
{
    ms *s = ud;
    int rc;
    if (st == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    m_structure *cur = iv_get(&s->structures, st->id);
    if (cur == NULL) {
        rc = CHORUSACCT_E_NOTFOUND;
        goto out;
    }
    m_structure *n = structure_pack(st, cur->id, &rc);
    if (n == NULL)
        goto out;
    if (structure_taken(s, n, cur)) {
        free(n);
        rc = CHORUSACCT_E_EXISTS;
        goto out;
    }
    if (ht_reserve(&s->by_ident, 1) != 0 || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    apply(s, K_STRUCTURE, n, cur);
out:
    unlock(s);
    return rc;
}

static int ms_structure_delete(void *ud, int64_t id)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    lock(s);
    m_structure *cur = iv_get(&s->structures, id);
    if (cur == NULL)
        rc = CHORUSACCT_E_NOTFOUND;
    else if (log_reserve(s, 1) != 0)
        rc = CHORUSACCT_E_NOMEM;
    else
        apply(s, K_STRUCTURE, NULL, cur);
    unlock(s);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Tokens and captcha challenges                                        */

static m_token *token_by_hash(const ms *s, const uint8_t *hash32)
{
    uint64_t h = hash_bytes(s, hash32, 32);
    for (hnode *x = ht_first(&s->tokens, h); x != NULL; x = ht_next(x, h)) {
        m_token *t = CONTAINER(x, m_token, r.h1);
        if (memcmp(t->t.hash, hash32, 32) == 0)
            return t;
    }
    return NULL;
}

static int ms_token_insert(void *ud, const chorusacct_token *t)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (t == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    if (token_by_hash(s, t->hash) != NULL) {
        rc = CHORUSACCT_E_EXISTS;
        goto out;
    }
    m_token *n = malloc(sizeof *n);
    if (n == NULL || ht_reserve(&s->tokens, 1) != 0 ||
        ht_reserve(&s->tokens_by_account, 1) != 0 || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    memset(n, 0, sizeof *n);
    n->r.size = sizeof *n;
    n->t = *t;
    n->t.struct_size = sizeof n->t;
    apply(s, K_TOKEN, n, NULL);
out:
    unlock(s);
    return rc;
}

static int ms_token_get(void *ud, const uint8_t *hash32, chorusacct_token *out)
{
    ms *s = ud;
    if (hash32 == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    const m_token *t = token_by_hash(s, hash32);
    if (t != NULL)
        *out = t->t;
    unlock(s);
    return t != NULL ? CHORUSACCT_OK : CHORUSACCT_E_NOTFOUND;
}

static int ms_token_consume(void *ud, const uint8_t *hash32, int64_t now)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (hash32 == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    m_token *cur = token_by_hash(s, hash32);
    m_token *n = NULL;
    if (cur == NULL)
        rc = CHORUSACCT_E_NOTFOUND;
    else if (cur->t.used_at != 0)
        rc = CHORUSACCT_E_CONFLICT;
    else if ((n = rec_dup(cur)) == NULL || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
    } else {
        n->t.used_at = now;
        apply(s, K_TOKEN, n, cur);
    }
    unlock(s);
    return rc;
}

static bool revocable(const m_token *t, int64_t account_id, int32_t purpose)
{
    return t->t.account_id == account_id && t->t.purpose == purpose &&
           t->t.used_at == 0;
}

static int ms_token_revoke(void *ud, int64_t account_id, int32_t purpose,
                           int64_t now)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    lock(s);
    uint64_t h = hash_i64(s, account_id);
    size_t n = 0, k = 0;
    for (hnode *x = ht_first(&s->tokens_by_account, h); x != NULL;
         x = ht_next(x, h))
        if (revocable(CONTAINER(x, m_token, r.h2), account_id, purpose))
            n++;
    if (n == 0)
        goto out;
    /* Every copy is made before the first swap: all or nothing. */
    m_token **olds = malloc(n * sizeof *olds);
    m_token **news = calloc(n, sizeof *news);
    if (olds == NULL || news == NULL || log_reserve(s, n) != 0)
        goto nomem;
    for (hnode *x = ht_first(&s->tokens_by_account, h); x != NULL;
         x = ht_next(x, h)) {
        m_token *t = CONTAINER(x, m_token, r.h2);
        if (!revocable(t, account_id, purpose))
            continue;
        olds[k] = t;
        if ((news[k] = rec_dup(t)) == NULL)
            goto nomem;
        news[k]->t.used_at = now;
        k++;
    }
    for (size_t i = 0; i < n; i++)
        apply(s, K_TOKEN, news[i], olds[i]);
    free(olds);
    free(news);
    goto out;
nomem:
    if (news != NULL)
        for (size_t i = 0; i < n; i++)
            free(news[i]);
    free(olds);
    free(news);
    rc = CHORUSACCT_E_NOMEM;
out:
    unlock(s);
    return rc;
}

static m_captcha *captcha_by_hash(const ms *s, const uint8_t *hash32)
{
    uint64_t h = hash_bytes(s, hash32, 32);
    for (hnode *x = ht_first(&s->captchas, h); x != NULL; x = ht_next(x, h)) {
        m_captcha *c = CONTAINER(x, m_captcha, r.h1);
        if (memcmp(c->c.id_hash, hash32, 32) == 0)
            return c;
    }
    return NULL;
}

static int ms_captcha_insert(void *ud, const chorusacct_captcha *c)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (c == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    if (captcha_by_hash(s, c->id_hash) != NULL) {
        rc = CHORUSACCT_E_EXISTS;
        goto out;
    }
    m_captcha *n = malloc(sizeof *n);
    if (n == NULL || ht_reserve(&s->captchas, 1) != 0 ||
        log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    memset(n, 0, sizeof *n);
    n->r.size = sizeof *n;
    n->c = *c;
    n->c.struct_size = sizeof n->c;
    apply(s, K_CAPTCHA, n, NULL);
out:
    unlock(s);
    return rc;
}

static int ms_captcha_get(void *ud, const uint8_t *id_hash32,
                          chorusacct_captcha *out)
{
    ms *s = ud;
    if (id_hash32 == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    const m_captcha *c = captcha_by_hash(s, id_hash32);
    if (c != NULL)
        *out = c->c;
    unlock(s);
    return c != NULL ? CHORUSACCT_OK : CHORUSACCT_E_NOTFOUND;
}

static int ms_captcha_update(void *ud, const chorusacct_captcha *c)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (c == NULL)
        return CHORUSACCT_E_ARG;
    lock(s);
    m_captcha *cur = captcha_by_hash(s, c->id_hash);
    m_captcha *n = NULL;
    if (cur == NULL)
        rc = CHORUSACCT_E_NOTFOUND;
    else if ((n = rec_dup(cur)) == NULL || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
    } else {
        n->c.used_at = c->used_at;
        apply(s, K_CAPTCHA, n, cur);
    }
    unlock(s);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Outbox                                                               */

static m_message *message_alloc(const char *const *txt, const size_t *len)
{
    return rec_alloc(sizeof(m_message), offsetof(m_message, text), txt, len,
                     M_NTEXT);
}

static void message_unpack(const m_message *m, chorusacct_message *out)
{
    memset(out, 0, offsetof(chorusacct_message, to));
    out->struct_size = sizeof *out;
    out->id = m->id;
    out->account_id = m->account_id;
    out->created_at = m->created_at;
    out->next_attempt_at = m->next_attempt_at;
    out->lease_until = m->lease_until;
    out->sent_at = m->sent_at;
    out->kind = m->kind;
    out->lang = m->lang;
    out->status = m->status;
    out->attempts = m->attempts;
    out->reserved0 = m->reserved0;
    texts_out(out, message_tf, M_NTEXT, m, m->text);
}

static int ms_outbox_insert(void *ud, chorusacct_message *m)
{
    ms *s = ud;
    const char *txt[M_NTEXT];
    size_t len[M_NTEXT];
    if (m == NULL)
        return CHORUSACCT_E_ARG;
    int rc = texts_in(m, message_tf, M_NTEXT, txt, len);
    if (rc != CHORUSACCT_OK)
        return rc;
    m_message *n = message_alloc(txt, len);
    if (n == NULL)
        return CHORUSACCT_E_NOMEM;
    lock(s);
    if (iv_reserve(&s->messages, 1) != 0 || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    n->id = (int64_t)s->messages.len + 1;
    n->account_id = m->account_id;
    n->created_at = m->created_at;
    n->next_attempt_at = m->next_attempt_at;
    n->lease_until = m->lease_until;
    n->sent_at = m->sent_at;
    n->kind = m->kind;
    n->lang = m->lang;
    n->status = m->status;
    n->attempts = m->attempts;
    n->reserved0 = m->reserved0;
    apply(s, K_MESSAGE, n, NULL);
    m->id = n->id;
out:
    unlock(s);
    return rc;
}

/* The pending messages in (next_attempt_at, id) order, from the first,
 * while they are due: those whose lease runs are skipped. */
static m_message *next_claimable(ms *s, tnode *x, int64_t now)
{
    for (; x != NULL && x->k1 <= now; x = t_next(&s->due, x)) {
        m_message *m = CONTAINER(x, m_message, order);
        s->visits++;
        if (m->lease_until <= now)
            return m;
    }
    return NULL;
}

static int ms_outbox_claim(void *ud, int64_t now, int64_t lease_until,
                           chorusacct_message *out, size_t max, size_t *count)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    *count = 0;
    lock(s);
    size_t n = 0;
    for (m_message *m = next_claimable(s, t_first(&s->due), now);
         m != NULL && n < max;
         m = next_claimable(s, t_next(&s->due, &m->order), now))
        n++;
    if (n == 0)
        goto out;
    m_message **news = calloc(n, sizeof *news);
    if (news == NULL || log_reserve(s, n) != 0)
        goto nomem;
    size_t k = 0;
    for (m_message *m = next_claimable(s, t_first(&s->due), now); k < n;
         m = next_claimable(s, t_next(&s->due, &m->order), now)) {
        if ((news[k] = rec_dup(m)) == NULL)
            goto nomem;
        news[k]->lease_until = lease_until;
        k++;
    }
    /* A copy keeps its place among the due messages (the lease is not
     * part of the key), so the swaps leave the walk's order as it was. */
    for (size_t i = 0; i < n; i++) {
        void *old = iv_get(&s->messages, news[i]->id);
        apply(s, K_MESSAGE, news[i], old);
        message_unpack(news[i], &out[i]);
    }
    free(news);
    *count = n;
    goto out;
nomem:
    if (news != NULL)
        for (size_t i = 0; i < n; i++)
            free(news[i]);
    free(news);
    rc = CHORUSACCT_E_NOMEM;
out:
    unlock(s);
    return rc;
}

static int ms_outbox_update(void *ud, const chorusacct_message *m)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (m == NULL)
        return CHORUSACCT_E_ARG;
    size_t elen = strnlen(m->last_error, sizeof m->last_error);
    if (elen == sizeof m->last_error)
        return CHORUSACCT_E_ARG;
    lock(s);
    m_message *cur = iv_get(&s->messages, m->id);
    if (cur == NULL) {
        rc = CHORUSACCT_E_NOTFOUND;
        goto out;
    }
    /* A message marked sent stays sent: a worker whose lease ran out may
     * report a failure after another worker sent the message. */
    if (cur->status == CHORUSACCT_MSG_SENT && m->status != CHORUSACCT_MSG_SENT)
        goto out;
    /* The addressing and the text stay as queued: what the library
     * passes in may hold a rendered link that must never be stored. */
    const char *txt[M_NTEXT];
    size_t len[M_NTEXT];
    for (size_t i = 0; i < M_NTEXT; i++) {
        txt[i] = rtext(cur, cur->text[i]);
        len[i] = strlen(txt[i]);
    }
    txt[M_ERROR] = m->last_error;
    len[M_ERROR] = elen;
    /* The ordered indexes are intrusive: a change of status needs no
     * room of its own. */
    m_message *n = message_alloc(txt, len);
    if (n == NULL || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    n->id = cur->id;
    n->account_id = cur->account_id;
    n->created_at = cur->created_at;
    n->kind = cur->kind;
    n->lang = cur->lang;
    n->reserved0 = cur->reserved0;
    n->status = m->status;
    n->attempts = m->attempts;
    n->next_attempt_at = m->next_attempt_at;
    n->lease_until = m->lease_until;
    n->sent_at = m->sent_at;
    apply(s, K_MESSAGE, n, cur);
out:
    unlock(s);
    return rc;
}

static int ms_outbox_list(void *ud, int32_t status, int64_t after_id,
                          chorusacct_message *out, size_t max, size_t *count)
{
    ms *s = ud;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    size_t n = 0;
    lock(s);
    for (size_t i = first_slot(after_id); i < s->messages.len && n < max; i++) {
        const m_message *m = *iv_slot(&s->messages, i);
        s->visits++;
        if (m != NULL && (status == 0 || m->status == status))
            message_unpack(m, &out[n++]);
    }
    unlock(s);
    *count = n;
    return CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

static int ms_event_append(void *ud, chorusacct_event *e)
{
    ms *s = ud;
    const char *txt[E_NTEXT];
    size_t len[E_NTEXT];
    if (e == NULL)
        return CHORUSACCT_E_ARG;
    int rc = texts_in(e, event_tf, E_NTEXT, txt, len);
    if (rc != CHORUSACCT_OK)
        return rc;
    m_event *n =
        rec_alloc(sizeof *n, offsetof(m_event, text), txt, len, E_NTEXT);
    if (n == NULL)
        return CHORUSACCT_E_NOMEM;
    lock(s);
    if (iv_reserve(&s->events, 1) != 0 || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    n->id = (int64_t)s->events.len + 1;
    n->time = e->time;
    n->account_id = e->account_id;
    n->actor_id = e->actor_id;
    n->type = e->type;
    n->from_state = e->from_state;
    n->to_state = e->to_state;
    apply(s, K_EVENT, n, NULL);
    e->id = n->id;
out:
    unlock(s);
    return rc;
}

static void event_unpack(const m_event *e, chorusacct_event *out)
{
    memset(out, 0, offsetof(chorusacct_event, reason));
    out->struct_size = sizeof *out;
    out->id = e->id;
    out->time = e->time;
    out->account_id = e->account_id;
    out->actor_id = e->actor_id;
    out->type = e->type;
    out->from_state = e->from_state;
    out->to_state = e->to_state;
    texts_out(out, event_tf, E_NTEXT, e, e->text);
}

static int ms_event_list(void *ud, int64_t account_id, int64_t after_id,
                         chorusacct_event *out, size_t max, size_t *count)
{
    ms *s = ud;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    size_t n = 0;
    lock(s);
    if (account_id != 0) {
        for (tnode *x = t_after(&s->account_events, account_id, after_id);
             x != NULL && x->k1 == account_id && n < max;
             x = t_next(&s->account_events, x)) {
            s->visits++;
            event_unpack(CONTAINER(x, m_event, by_account), &out[n++]);
        }
    } else {
        for (size_t i = first_slot(after_id); i < s->events.len && n < max;
             i++) {
            const m_event *e = *iv_slot(&s->events, i);
            s->visits++;
            if (e != NULL)
                event_unpack(e, &out[n++]);
        }
    }
    unlock(s);
    *count = n;
    return CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Counters and settings                                                */

/* Length of a key, or SIZE_MAX when it does not fit a counter key. */
static size_t key_len(const char *key)
{
    size_t n = strnlen(key, CHORUSACCT_KEY_SIZE);
    return n < CHORUSACCT_KEY_SIZE ? n : SIZE_MAX;
}

static int ms_counter_add(void *ud, const char *key, int64_t window,
                          uint32_t delta, uint32_t *count)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (key == NULL)
        return CHORUSACCT_E_ARG;
    size_t klen = key_len(key);
    if (klen == SIZE_MAX)
        return CHORUSACCT_E_ARG;
    lock(s);
    uint64_t h = hash_counter(s, key, klen);
    counter *c = NULL;
    for (hnode *x = ht_first(&s->counters, h); x != NULL; x = ht_next(x, h)) {
        counter *y = CONTAINER(x, counter, h);
        if (strcmp(y->key, key) == 0) {
            c = y;
            break;
        }
    }
    if (c == NULL) {
        c = malloc(sizeof *c + klen + 1);
        if (c == NULL || ht_reserve(&s->counters, 1) != 0) {
            free(c);
            rc = CHORUSACCT_E_NOMEM;
            goto out;
        }
        c->h.hash = h;
        c->window = window;
        c->count = 0;
        memcpy(c->key, key, klen + 1);
        ht_link(&s->counters, &c->h);
        t_insert(&s->counter_windows, &c->by_window, window, ptr_key(c));
    }
    /* A newer window starts again; the stored window or an older one
     * (a clock behind) adds to the stored window. */
    if (window > c->window) {
        t_remove(&s->counter_windows, &c->by_window);
        c->window = window;
        c->count = 0;
        t_insert(&s->counter_windows, &c->by_window, window, ptr_key(c));
    }
    c->count = delta > UINT32_MAX - c->count ? UINT32_MAX : c->count + delta;
    if (count != NULL)
        *count = c->count;
out:
    unlock(s);
    return rc;
}

static m_meta *meta_by_key(const ms *s, const char *key, size_t klen)
{
    uint64_t h = hash_bytes(s, key, klen);
    for (hnode *x = ht_first(&s->metas, h); x != NULL; x = ht_next(x, h)) {
        m_meta *mt = CONTAINER(x, m_meta, r.h1);
        if (mt->klen == klen && memcmp(mt->key, key, klen) == 0)
            return mt;
    }
    return NULL;
}

static int ms_meta_get(void *ud, const char *key, uint8_t *buf, size_t cap,
                       size_t *len)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (key == NULL || (buf == NULL && cap > 0))
        return CHORUSACCT_E_ARG;
    size_t klen = key_len(key);
    if (klen == SIZE_MAX)
        return CHORUSACCT_E_ARG;
    lock(s);
    const m_meta *mt = meta_by_key(s, key, klen);
    if (mt == NULL) {
        rc = CHORUSACCT_E_NOTFOUND;
    } else {
        if (len != NULL)
            *len = mt->vlen;
        if (cap < mt->vlen)
            rc = CHORUSACCT_E_TOOSMALL;
        else if (mt->vlen > 0)
            memcpy(buf, mt->key + mt->klen + 1, mt->vlen);
    }
    unlock(s);
    return rc;
}

static int ms_meta_set(void *ud, const char *key, const uint8_t *value,
                       size_t len)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    if (key == NULL || (value == NULL && len > 0))
        return CHORUSACCT_E_ARG;
    size_t klen = key_len(key);
    if (klen == SIZE_MAX || len > SIZE_MAX / 2)
        return CHORUSACCT_E_ARG;
    size_t size = sizeof(m_meta) + klen + 1 + len;
    m_meta *n = malloc(size);
    if (n == NULL)
        return CHORUSACCT_E_NOMEM;
    memset(n, 0, sizeof *n);
    n->r.size = size;
    n->klen = klen;
    n->vlen = len;
    memcpy(n->key, key, klen + 1);
    if (len > 0)
        memcpy(n->key + klen + 1, value, len);
    lock(s);
    m_meta *cur = meta_by_key(s, key, klen);
    if (ht_reserve(&s->metas, 1) != 0 || log_reserve(s, 1) != 0) {
        free(n);
        rc = CHORUSACCT_E_NOMEM;
    } else {
        apply(s, K_META, n, cur);
    }
    unlock(s);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Garbage collection                                                   */

/* The records of an age index (tokens, challenges, finished messages:
 * keyed by the time after which gc may delete them) older than `before`:
 * counted, or deleted when `doit`. Each record is visited once. */
static size_t gc_tree(ms *s, tree *tr, size_t node_off, int kind,
                      int64_t before, bool doit)
{
    size_t n = 0;
    for (tnode *x = t_first(tr); x != NULL && x->k1 < before;
         x = doit ? t_first(tr) : t_next(tr, x)) {
        s->visits++;
        n++;
        if (doit)
            apply(s, kind, NULL, (char *)x - node_off);
    }
    return n;
}

/* gc's cost is what it deletes: each kind is ordered by age. */
static int ms_gc(void *ud, int64_t before)
{
    ms *s = ud;
    int rc = CHORUSACCT_OK;
    lock(s);
    const size_t tok = offsetof(m_token, by_age),
                 cap = offsetof(m_captcha, by_age),
                 msg = offsetof(m_message, order);
    size_t n = gc_tree(s, &s->old_tokens, tok, K_TOKEN, before, false) +
               gc_tree(s, &s->old_captchas, cap, K_CAPTCHA, before, false) +
               gc_tree(s, &s->finished, msg, K_MESSAGE, before, false);
    if (log_reserve(s, n) != 0) {
        rc = CHORUSACCT_E_NOMEM;
        goto out;
    }
    gc_tree(s, &s->old_tokens, tok, K_TOKEN, before, true);
    gc_tree(s, &s->old_captchas, cap, K_CAPTCHA, before, true);
    gc_tree(s, &s->finished, msg, K_MESSAGE, before, true);
    /* Counters go at once: they are outside transactions. */
    tnode *x;
    while ((x = t_first(&s->counter_windows)) != NULL && x->k1 < before) {
        counter *c = CONTAINER(x, counter, by_window);
        s->visits++;
        t_remove(&s->counter_windows, x);
        ht_unlink(&s->counters, &c->h);
        free(c);
    }
out:
    unlock(s);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Digest                                                               */

typedef struct {
    crypto_generichash_state st;
} dg;

static void dg_u64(dg *d, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    crypto_generichash_update(&d->st, b, sizeof b);
}

static void dg_i64(dg *d, int64_t v)
{
    dg_u64(d, (uint64_t)v);
}

static void dg_bytes(dg *d, const void *p, size_t n)
{
    dg_u64(d, n);
    crypto_generichash_update(&d->st, p, n);
}

static void dg_texts(dg *d, const void *r, const uint32_t *offs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *t = rtext(r, offs[i]);
        dg_bytes(d, t, strlen(t));
    }
}

static int cmp_token(const void *a, const void *b)
{
    const m_token *x = *(const m_token *const *)a;
    const m_token *y = *(const m_token *const *)b;
    return memcmp(x->t.hash, y->t.hash, 32);
}

static int cmp_captcha(const void *a, const void *b)
{
    const m_captcha *x = *(const m_captcha *const *)a;
    const m_captcha *y = *(const m_captcha *const *)b;
    return memcmp(x->c.id_hash, y->c.id_hash, 32);
}

static int cmp_meta(const void *a, const void *b)
{
    const m_meta *x = *(const m_meta *const *)a;
    const m_meta *y = *(const m_meta *const *)b;
    return strcmp(x->key, y->key);
}

/* The nodes of a table whose key is `h1`, in an array sorted by `cmp`. */
static const void **sorted_h1(const htab *t, size_t h1_off,
                              int (*cmp)(const void *, const void *))
{
    const void **v = malloc((t->n != 0 ? t->n : 1) * sizeof *v);
    if (v == NULL)
        return NULL;
    size_t k = 0;
    for (size_t b = 0; b < t->nb; b++)
        for (const hnode *x = t->b[b]; x != NULL; x = x->next)
            v[k++] = (const char *)x - h1_off;
    qsort(v, k, sizeof *v, cmp);
    return v;
}

static void digest_ids(ms *s, dg *d)
{
    dg_u64(d, 0xA0);
    dg_u64(d, s->accounts.len);
    for (size_t i = 0; i < s->accounts.len; i++) {
        const m_account *a = *iv_slot(&s->accounts, i);
        if (a == NULL)
            continue;
        dg_i64(d, a->id);
        dg_i64(d, a->version);
        dg_i64(d, a->structure_id);
        dg_i64(d, a->created_at);
        dg_i64(d, a->updated_at);
        dg_i64(d, a->consent_at);
        dg_i64(d, a->expires_at);
        dg_i64(d, a->activated_at);
        dg_i64(d, a->decided_by);
        dg_i64(d, a->reserved1);
        dg_i64(d, a->resent_at);
        dg_i64(d, a->state);
        dg_i64(d, a->role);
        dg_i64(d, a->lang);
        dg_i64(d, a->reserved2);
        dg_i64(d, a->reserved0);
        dg_texts(d, a, a->text, A_NTEXT);
    }
    dg_u64(d, 0xA1);
    dg_u64(d, s->structures.len);
    for (size_t i = 0; i < s->structures.len; i++) {
        const m_structure *st = *iv_slot(&s->structures, i);
        if (st == NULL)
            continue;
        dg_i64(d, st->id);
        dg_i64(d, st->created_at);
        dg_i64(d, st->principal_id);
        dg_i64(d, st->id_type);
        dg_texts(d, st, st->text, S_NTEXT);
    }
    dg_u64(d, 0xA2);
    dg_u64(d, s->messages.len);
    for (size_t i = 0; i < s->messages.len; i++) {
        const m_message *m = *iv_slot(&s->messages, i);
        if (m == NULL)
            continue;
        dg_i64(d, m->id);
        dg_i64(d, m->account_id);
        dg_i64(d, m->created_at);
        dg_i64(d, m->next_attempt_at);
        dg_i64(d, m->lease_until);
        dg_i64(d, m->sent_at);
        dg_i64(d, m->kind);
        dg_i64(d, m->lang);
        dg_i64(d, m->status);
        dg_i64(d, m->attempts);
        dg_i64(d, m->reserved0);
        dg_texts(d, m, m->text, M_NTEXT);
    }
    dg_u64(d, 0xA3);
    dg_u64(d, s->events.len);
    for (size_t i = 0; i < s->events.len; i++) {
        const m_event *e = *iv_slot(&s->events, i);
        if (e == NULL)
            continue;
        dg_i64(d, e->id);
        dg_i64(d, e->time);
        dg_i64(d, e->account_id);
        dg_i64(d, e->actor_id);
        dg_i64(d, e->type);
        dg_i64(d, e->from_state);
        dg_i64(d, e->to_state);
        dg_texts(d, e, e->text, E_NTEXT);
    }
}

static int digest_keyed(ms *s, dg *d)
{
    ht_settle(&s->tokens);
    ht_settle(&s->captchas);
    ht_settle(&s->metas);
    const void **tok =
        sorted_h1(&s->tokens, offsetof(m_token, r.h1), cmp_token);
    const void **cap =
        sorted_h1(&s->captchas, offsetof(m_captcha, r.h1), cmp_captcha);
    const void **met = sorted_h1(&s->metas, offsetof(m_meta, r.h1), cmp_meta);
    int rc = CHORUSACCT_E_NOMEM;
    if (tok == NULL || cap == NULL || met == NULL)
        goto out;
    dg_u64(d, 0xB0);
    dg_u64(d, s->tokens.n);
    for (size_t i = 0; i < s->tokens.n; i++) {
        const chorusacct_token *t = &((const m_token *)tok[i])->t;
        dg_bytes(d, t->hash, 32);
        dg_i64(d, t->purpose);
        dg_i64(d, t->account_id);
        dg_i64(d, t->created_at);
        dg_i64(d, t->expires_at);
        dg_i64(d, t->used_at);
    }
    dg_u64(d, 0xB1);
    dg_u64(d, s->captchas.n);
    for (size_t i = 0; i < s->captchas.n; i++) {
        const chorusacct_captcha *c = &((const m_captcha *)cap[i])->c;
        dg_bytes(d, c->id_hash, 32);
        dg_bytes(d, c->answer_hash, 32);
        dg_i64(d, c->created_at);
        dg_i64(d, c->expires_at);
        dg_i64(d, c->used_at);
    }
    dg_u64(d, 0xB2);
    dg_u64(d, s->metas.n);
    for (size_t i = 0; i < s->metas.n; i++) {
        const m_meta *mt = met[i];
        dg_bytes(d, mt->key, mt->klen);
        dg_bytes(d, mt->key + mt->klen + 1, mt->vlen);
    }
    rc = CHORUSACCT_OK;
out:
    free(tok);
    free(cap);
    free(met);
    return rc;
}

int chorusacct__memstore_digest(chorusacct_memstore *store, uint8_t *out)
{
    dg d;
    if (store == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    crypto_generichash_init(&d.st, NULL, 0, 32);
    lock(store);
    digest_ids(store, &d);
    int rc = digest_keyed(store, &d);
    unlock(store);
    if (rc == CHORUSACCT_OK)
        crypto_generichash_final(&d.st, out, 32);
    return rc;
}

uint64_t chorusacct__memstore_visits(chorusacct_memstore *store)
{
    lock(store);
    uint64_t n = store->visits;
    unlock(store);
    return n;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

int chorusacct_memstore_new(chorusacct_memstore **out)
{
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    *out = NULL;
    if (chorusacct_init() != CHORUSACCT_OK)
        return CHORUSACCT_E_INIT;
    ms *s = calloc(1, sizeof *s);
    if (s == NULL)
        return CHORUSACCT_E_NOMEM;
    pthread_mutexattr_t attr;
    if (pthread_mutexattr_init(&attr) != 0) {
        free(s);
        return CHORUSACCT_E_NOMEM;
    }
    int err = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    if (err == 0)
        err = pthread_mutex_init(&s->lock, &attr);
    (void)pthread_mutexattr_destroy(&attr);
    if (err != 0) {
        free(s);
        return CHORUSACCT_E_NOMEM;
    }
    randombytes_buf(s->hkey, sizeof s->hkey);
    *out = s;
    return CHORUSACCT_OK;
}

static void free_vec(idvec *iv)
{
    for (size_t i = 0; i < iv->len; i++)
        free(*iv_slot(iv, i));
    for (size_t i = 0; i < iv->nchunk; i++)
        free(iv->chunk[i]);
    free(iv->chunk);
}

/* Frees every node of a table whose nodes sit `off` bytes into their
 * allocation. */
static void free_table(htab *t, size_t off)
{
    ht_settle(t);
    for (size_t b = 0; b < t->nb; b++) {
        hnode *x = t->b[b];
        while (x != NULL) {
            hnode *next = x->next;
            free((char *)x - off);
            x = next;
        }
    }
}

void chorusacct_memstore_free(chorusacct_memstore *store)
{
    if (store == NULL)
        return;
    /* An unfinished transaction's replaced records are only in the log,
     * and its begin still holds the lock. */
    if (store->in_tx) {
        for (size_t i = 0; i < store->nlog; i++)
            free(store->log[i].old);
        (void)pthread_mutex_unlock(&store->lock);
    }
    free_vec(&store->accounts);
    free_vec(&store->structures);
    free_vec(&store->messages);
    free_vec(&store->events);
    free_table(&store->tokens, offsetof(m_token, r.h1));
    free_table(&store->captchas, offsetof(m_captcha, r.h1));
    free_table(&store->metas, offsetof(m_meta, r.h1));
    free_table(&store->counters, offsetof(counter, h));
    ht_free(&store->by_email);
    ht_free(&store->by_ident);
    ht_free(&store->tokens);
    ht_free(&store->tokens_by_account);
    ht_free(&store->captchas);
    ht_free(&store->metas);
    ht_free(&store->counters);
    free(store->log);
    (void)pthread_mutex_destroy(&store->lock);
    free(store);
}

int chorusacct_memstore_ops(chorusacct_storage_ops *out,
                            chorusacct_memstore *store)
{
    if (store == NULL)
        return CHORUSACCT_E_ARG;
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_STORAGE_OPS);
    if (n == 0)
        return CHORUSACCT_E_ARG;
    chorusacct_storage_ops table, *ops = &table;
    memset(ops, 0, sizeof *ops);
    ops->struct_size = sizeof *ops;
    ops->user_data = store;
    ops->begin = ms_begin;
    ops->commit = ms_commit;
    ops->rollback = ms_rollback;
    ops->account_insert = ms_account_insert;
    ops->account_get = ms_account_get;
    ops->account_find = ms_account_find;
    ops->account_update = ms_account_update;
    ops->account_delete = ms_account_delete;
    ops->account_list = ms_account_list;
    ops->structure_insert = ms_structure_insert;
    ops->structure_get = ms_structure_get;
    ops->structure_find = ms_structure_find;
    ops->structure_update = ms_structure_update;
    ops->structure_delete = ms_structure_delete;
    ops->token_insert = ms_token_insert;
    ops->token_get = ms_token_get;
    ops->token_consume = ms_token_consume;
    ops->token_revoke = ms_token_revoke;
    ops->captcha_insert = ms_captcha_insert;
    ops->captcha_get = ms_captcha_get;
    ops->captcha_update = ms_captcha_update;
    ops->outbox_insert = ms_outbox_insert;
    ops->outbox_claim = ms_outbox_claim;
    ops->outbox_update = ms_outbox_update;
    ops->outbox_list = ms_outbox_list;
    ops->event_append = ms_event_append;
    ops->event_list = ms_event_list;
    ops->counter_add = ms_counter_add;
    ops->meta_get = ms_meta_get;
    ops->meta_set = ms_meta_set;
    ops->gc = ms_gc;
    ops->destroy = NULL; /* the store belongs to the caller */
    chorusacct__out_write(out, ops, n);
    return CHORUSACCT_OK;
}
