/*
 * A program and a storage backend built against today's (0.1) headers,
 * run against the library it was built with and against a "0.2" of it
 * built from headers with one member appended to chorusacct_account and
 * one callback appended to chorusacct_storage_ops (tests/growth/grow.py).
 * Every record the library writes is followed by a canary that must stay
 * untouched; the flow must work the same. The public API only.
 *
 * With an argument, checks first that the library loaded is the one in
 * that folder. Prints "N passed, M failed"; exits 1 on a failure.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chorusacct.h>
#include <chorusacct/testkit.h>

static int passed, failed;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (cond) {                                                            \
            passed++;                                                          \
        } else {                                                               \
            failed++;                                                          \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);             \
            printf(__VA_ARGS__);                                               \
            printf("\n");                                                      \
        }                                                                      \
    } while (0)

#define CANARY 0x5Au

/* A record of type T followed by canary bytes. */
#define GUARDED(T)                                                             \
    struct {                                                                   \
        T rec;                                                                 \
        unsigned char canary[64];                                              \
    }
/* An array of N records of type T followed by canary bytes. */
#define GUARDED_N(T, N)                                                        \
    struct {                                                                   \
        T rec[N];                                                              \
        unsigned char canary[64];                                              \
    }
#define ARM(g)                                                                 \
    (memset(&(g), CANARY, sizeof(g)),                                          \
     (g).rec.struct_size = (uint32_t)sizeof(g).rec)

static int intact(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != CANARY)
            return 0;
    return 1;
}
#define INTACT(g) intact((g).canary, sizeof(g).canary)

/* ---- the backend: the in-memory store behind a 0.1 table whose record
 * reads go through 0.1-sized copies, as a backend compiled against 0.1
 * writes them. ---- */

static chorusacct_storage_ops inner;

static int be_account_get(void *ud, int64_t id, chorusacct_account *out)
{
    chorusacct_account mine; /* the backend's own, 0.1-sized record */
    memset(&mine, 0, sizeof mine);
    mine.struct_size = (uint32_t)sizeof mine;
    int rc = inner.account_get(ud, id, &mine);
    if (rc == CHORUSACCT_OK)
        memcpy(out, &mine, sizeof mine); /* what a 0.1 backend writes */
    return rc;
}

static int be_account_find(void *ud, const char *key, chorusacct_account *out)
{
    chorusacct_account mine;
    memset(&mine, 0, sizeof mine);
    mine.struct_size = (uint32_t)sizeof mine;
    int rc = inner.account_find(ud, key, &mine);
    if (rc == CHORUSACCT_OK)
        memcpy(out, &mine, sizeof mine);
    return rc;
}

static int be_account_update(void *ud, chorusacct_account *a)
{
    /* A 0.1 backend reads the members it knows, and only them. */
    chorusacct_account mine;
    memcpy(&mine, a, sizeof mine);
    mine.struct_size = (uint32_t)sizeof mine;
    int rc = inner.account_update(ud, &mine);
    if (rc == CHORUSACCT_OK)
        a->version = mine.version;
    return rc;
}

static int be_begin_count;
static int be_begin(void *ud)
{
    be_begin_count++;
    return inner.begin(ud);
}

int main(int argc, char **argv)
{
    if (chorusacct_init() != CHORUSACCT_OK)
        return 2;
    Dl_info info;
    int (*fn)(void) = chorusacct_init;
    void *addr;
    memcpy(&addr, &fn, sizeof addr); /* ISO C has no cast for it */
    if (argc > 1 && (dladdr(addr, &info) == 0 ||
                     strstr(info.dli_fname, argv[1]) != info.dli_fname)) {
        printf("FAIL the library loaded is not the one in %s\n", argv[1]);
        return 1;
    }
    chorusacct_memstore *ms = NULL;
    chorusacct_testmailer *cm = NULL;
    chorusacct_testclock *clock = NULL;
    chorusacct_ctx *ctx = NULL;
    if (chorusacct_memstore_new(&ms) != CHORUSACCT_OK ||
        chorusacct_testmailer_new(&cm) != CHORUSACCT_OK ||
        chorusacct_testclock_new(&clock, 1700000000) != CHORUSACCT_OK || false)
        return 2;
    /* No captcha, and the fastest password hash: the test is about
     * sizes, not security. */
    chorusacct_config cfg;
    if (chorusacct_config_init(&cfg, sizeof cfg) != CHORUSACCT_OK)
        return 2;
    cfg.flags |= CHORUSACCT_CFG_NO_CAPTCHA;
    cfg.pwhash_opslimit = 1;
    cfg.pwhash_memlimit = 8192;
    if (chorusacct_ctx_new(&ctx, &cfg) != CHORUSACCT_OK)
        return 2;

    /* Tables, as a 0.1 program fills them: its own sizes. */
    GUARDED(chorusacct_storage_ops) st;
    ARM(st);
    CHECK(chorusacct_memstore_ops(&st.rec, ms) == CHORUSACCT_OK, "fill");
    CHECK(INTACT(st), "the storage filler wrote past the table");
    CHECK(st.rec.struct_size == sizeof st.rec, "table size %" PRIu32,
          st.rec.struct_size);
    inner = st.rec;
    chorusacct_storage_ops be = st.rec;
    be.begin = be_begin;
    be.account_get = be_account_get;
    be.account_find = be_account_find;
    be.account_update = be_account_update;
    CHECK(chorusacct_ctx_set_storage(ctx, &be) == CHORUSACCT_OK, "storage");

    GUARDED(chorusacct_mailer_ops) ml;
    ARM(ml);
    CHECK(chorusacct_testmailer_ops(&ml.rec, cm) == CHORUSACCT_OK, "mailer");
    CHECK(INTACT(ml), "the mailer filler wrote past the table");
    CHECK(chorusacct_ctx_set_mailer(ctx, &ml.rec) == CHORUSACCT_OK, "set");
    GUARDED(chorusacct_clock_ops) ck;
    ARM(ck);
    CHECK(chorusacct_testclock_ops(&ck.rec, clock) == CHORUSACCT_OK, "clk");
    CHECK(INTACT(ck), "the clock filler wrote past the table");
    CHECK(chorusacct_ctx_set_clock(ctx, &ck.rec) == CHORUSACCT_OK, "set");

    /* Sign-up. */
    chorusacct_signup form;
    CHECK(chorusacct_signup_init(&form, sizeof form) == CHORUSACCT_OK, "i");
    form.login_email = "marie.curie@example.fr";
    form.first_name = "Marie";
    form.last_name = "Curie";
    form.id_type = CHORUSACCT_ID_SIRET;
    form.identifier = "73282932000074";
    form.accept_terms = 1;
    GUARDED(chorusacct_signup_result) res;
    ARM(res);
    int rc = chorusacct_signup_submit(ctx, &form, &res.rec);
    CHECK(rc == CHORUSACCT_OK, "sign-up: %s", chorusacct_ctx_last_error(ctx));
    CHECK(INTACT(res), "the sign-up result overran");
    CHECK(res.rec.struct_size == sizeof res.rec, "result size");
    const int64_t id = res.rec.account_id;
    CHECK(id > 0 && res.rec.state == CHORUSACCT_STATE_AWAITING_ACTIVATION,
          "account %" PRId64 " state %d", id, (int)res.rec.state);

    /* Delivery. */
    GUARDED(chorusacct_delivery) dl;
    ARM(dl);
    rc = chorusacct_outbox_deliver(ctx, 10, &dl.rec);
    CHECK(rc == CHORUSACCT_OK && dl.rec.sent == 2, "deliver: %s",
          chorusacct_ctx_last_error(ctx));
    CHECK(INTACT(dl), "the delivery counts overran");

    /* The outbox, a list of 0.1-sized records. */
    GUARDED_N(chorusacct_message, 3) ob;
    memset(&ob, CANARY, sizeof ob);
    ob.rec[0].struct_size = (uint32_t)sizeof ob.rec[0];
    size_t n = 0;
    rc = chorusacct_outbox_list(ctx, 0, 0, ob.rec, 3, &n);
    CHECK(rc == CHORUSACCT_OK && n == 2, "outbox: %zu", n);
    CHECK(INTACT(ob), "the outbox list overran");
    CHECK(n < 3 && intact((unsigned char *)&ob.rec[n], sizeof ob.rec[n]),
          "the outbox list wrote past its count");

    /* Activation: lookup and submit. */
    char link[512];
    CHECK(chorusacct_testmailer_last_link(cm, "marie.curie@example.fr", link,
                                          sizeof link, NULL) == CHORUSACCT_OK,
          "link");
    const char *token = strstr(link, "token=");
    token = token != NULL ? token + 6 : "";
    GUARDED(chorusacct_token_info) ti;
    ARM(ti);
    int reason = 0;
    rc = chorusacct_activation_lookup(ctx, token, NULL, &ti.rec, &reason);
    CHECK(rc == CHORUSACCT_OK && ti.rec.account_id == id, "lookup");
    CHECK(INTACT(ti), "the token info overran");
    chorusacct_activation act;
    CHECK(chorusacct_activation_init(&act, sizeof act) == CHORUSACCT_OK, "i");
    act.token = token;
    act.password = act.confirm = "Radium-1898-Polonium";
    act.password_len = act.confirm_len = strlen(act.password);
    int64_t who = 0;
    rc = chorusacct_activation_submit(ctx, &act, &who, NULL, &reason);
    CHECK(rc == CHORUSACCT_OK && who == id, "activate: %s",
          chorusacct_ctx_last_error(ctx));

    /* Getters and lists. */
    GUARDED(chorusacct_account) acc;
    ARM(acc);
    rc = chorusacct_account_get(ctx, id, &acc.rec);
    CHECK(rc == CHORUSACCT_OK && acc.rec.state == CHORUSACCT_STATE_ACTIVE &&
              strcmp(acc.rec.first_name, "Marie") == 0,
          "get");
    CHECK(INTACT(acc), "the account overran");
    CHECK(acc.rec.struct_size == sizeof acc.rec, "account size %" PRIu32,
          acc.rec.struct_size);
    ARM(acc);
    rc = chorusacct_account_find(ctx, "Marie.Curie@example.fr", &acc.rec);
    CHECK(rc == CHORUSACCT_OK && acc.rec.id == id && INTACT(acc), "find");
    GUARDED(chorusacct_structure) s;
    ARM(s);
    rc = chorusacct_structure_get(ctx, acc.rec.structure_id, &s.rec);
    CHECK(rc == CHORUSACCT_OK && INTACT(s), "structure");
    GUARDED_N(chorusacct_account, 2) al;
    memset(&al, CANARY, sizeof al);
    al.rec[0].struct_size = (uint32_t)sizeof al.rec[0];
    rc = chorusacct_account_list(ctx, NULL, al.rec, 2, &n);
    CHECK(rc == CHORUSACCT_OK && n == 1 && al.rec[0].id == id, "list");
    CHECK(INTACT(al) && intact((unsigned char *)&al.rec[1], sizeof al.rec[1]),
          "the account list overran");
    GUARDED_N(chorusacct_event, 8) ev;
    memset(&ev, CANARY, sizeof ev);
    ev.rec[0].struct_size = (uint32_t)sizeof ev.rec[0];
    rc = chorusacct_event_list(ctx, id, 0, ev.rec, 8, &n);
    CHECK(rc == CHORUSACCT_OK && n == 2, "events: %zu", n);
    CHECK(INTACT(ev), "the event list overran");
    GUARDED(chorusacct_sweep_result) sw;
    ARM(sw);
    rc = chorusacct_sweep(ctx, &sw.rec);
    CHECK(rc == CHORUSACCT_OK && INTACT(sw), "sweep");

    /* A record too small for any version is refused, and said so. */
    chorusacct_account tiny;
    memset(&tiny, 0, sizeof tiny);
    tiny.struct_size = 8;
    CHECK(chorusacct_account_get(ctx, id, &tiny) == CHORUSACCT_E_ARG,
          "small record");
    CHECK(strstr(chorusacct_ctx_last_error(ctx), "struct_size") != NULL,
          "last error: %s", chorusacct_ctx_last_error(ctx));
    CHECK(be_begin_count > 0, "the backend's own callbacks ran");

    chorusacct_ctx_free(ctx);
    chorusacct_testclock_free(clock);
    chorusacct_testmailer_free(cm);
    chorusacct_memstore_free(ms);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
