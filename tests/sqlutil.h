/*
 * Realistic records for the SQLite backend's tests and benchmark: what a
 * sign-up stores (an account, its structure, the summary and activation
 * messages rendered from the library's built-in templates, an audit event).
 * Public API only.
 */
#ifndef CHORUSACCT_SQLUTIL_H
#define CHORUSACCT_SQLUTIL_H

#include <stdio.h>
#include <string.h>

#include <chorusacct.h>
#include <chorusacct/sqlite.h>

static const char *const sample_first[] = {
    "Camille",   "Jean-Pierre", "Marie", "Nicolas", "Élodie", "Thomas",
    "Françoise", "Mathieu",     "Inès",  "Léa",     "Hugo",   "Zoé"};
static const char *const sample_last[] = {
    "Martin",   "Bernard", "Dubois",   "Lefèvre",  "Moreau",  "Girard",
    "Rousseau", "N'Diaye", "Fournier", "Da Silva", "Lambert", "Bonnet"};

/* Replaces `{name}` with the value that follows `name` in `vars` (pairs,
 * ending with NULL); unknown placeholders stay as they are. */
static inline void sample_render(const char *tpl, const char *const *vars,
                                 char *out, size_t cap)
{
    size_t o = 0;
    while (*tpl != '\0' && o + 1 < cap) {
        const char *v = NULL;
        size_t skip = 0;
        if (*tpl == '{') {
            for (size_t i = 0; vars[i] != NULL; i += 2) {
                size_t n = strlen(vars[i]);
                if (strncmp(tpl + 1, vars[i], n) == 0 && tpl[n + 1] == '}') {
                    v = vars[i + 1];
                    skip = n + 2;
                    break;
                }
            }
        }
        if (v == NULL) {
            out[o++] = *tpl++;
            continue;
        }
        for (; *v != '\0' && o + 1 < cap; v++)
            out[o++] = *v;
        tpl += skip;
    }
    out[o] = '\0';
}

static inline void sample_structure(chorusacct_structure *s, long i)
{
    memset(s, 0, sizeof *s);
    s->struct_size = (uint32_t)sizeof *s;
    s->id_type = 1; /* SIRET */
    s->created_at = 1700000000 + i;
    snprintf(s->identifier, sizeof s->identifier, "%09ld%05ld",
             100000000 + i * 7919 % 899999999, 10 + i % 89990);
    snprintf(s->company_name, sizeof s->company_name,
             "Société %s et fils n°%ld", sample_last[i % 12], i);
}

static inline void sample_account(chorusacct_account *a, long i)
{
    const char *first = sample_first[i % 12], *last = sample_last[i / 12 % 12];
    memset(a, 0, sizeof *a);
    a->struct_size = (uint32_t)sizeof *a;
    a->state = CHORUSACCT_STATE_AWAITING_ACTIVATION;
    a->role = CHORUSACCT_ROLE_PRINCIPAL;
    a->lang = i % 5 == 0 ? CHORUSACCT_LANG_EN : CHORUSACCT_LANG_FR;
    a->created_at = a->updated_at = a->consent_at = 1700000000 + i;
    a->expires_at = a->created_at + 3600;
    snprintf(a->login_email, sizeof a->login_email,
             "camille.martin%ld@entreprise-%ld.fr", i, i % 997);
    snprintf(a->email_key, sizeof a->email_key, "%s", a->login_email);
    snprintf(a->contact_email, sizeof a->contact_email, "%s", a->login_email);
    snprintf(a->first_name, sizeof a->first_name, "%s", first);
    snprintf(a->last_name, sizeof a->last_name, "%s", last);
    snprintf(a->phone, sizeof a->phone, "+3361%07ld", i % 10000000);
    snprintf(a->terms_version, sizeof a->terms_version, "2024-01");
}

/* The summary (kind 1) or activation (kind 2) message of a sign-up. */
static inline void sample_message(chorusacct_message *m, int kind,
                                  const chorusacct_account *a,
                                  const chorusacct_structure *s)
{
    char id[24];
    const int lang = a->lang == CHORUSACCT_LANG_FR;
    snprintf(id, sizeof id, "%lld", (long long)a->id);
    const char *const vars[] = {"portal",
                                "Chorus Pro",
                                "first_name",
                                a->first_name,
                                "last_name",
                                a->last_name,
                                "login_email",
                                a->login_email,
                                "contact_email",
                                a->contact_email,
                                "phone",
                                a->phone,
                                "company_name",
                                s->company_name,
                                "id_type",
                                "SIRET",
                                "identifier",
                                s->identifier,
                                "account_id",
                                id,
                                "state",
                                lang ? "En attente d'activation"
                                     : "Awaiting activation",
                                "expires_minutes",
                                "60",
                                "link",
                                "\001link\001",
                                NULL};
    /* The library's own templates, rendered as the flow renders them
     * but for {link}, which becomes the marker the flow stores. */
    const char *subject = "", *body = "";
    if (chorusacct_template_default(kind, a->lang, &subject, &body) !=
        CHORUSACCT_OK)
        subject = body = "";
    memset(m, 0, sizeof *m);
    m->struct_size = (uint32_t)sizeof *m;
    m->kind = kind;
    m->account_id = a->id;
    m->lang = a->lang;
    m->status = CHORUSACCT_MSG_PENDING;
    m->created_at = m->next_attempt_at = a->created_at;
    snprintf(m->to, sizeof m->to, "%s", a->login_email);
    sample_render(subject, vars, m->subject, sizeof m->subject);
    sample_render(body, vars, m->body, sizeof m->body);
}

/* A message as the flow queues it since 0.1.0 (docs/outbox.md, "What a
 * message stores"): an empty subject, and a snapshot of the values in the
 * body, written here from the documented format. */
static inline void sample_snapshot(chorusacct_message *m, int kind,
                                   const chorusacct_account *a,
                                   const chorusacct_structure *s)
{
    char id_type[12], state[12];
    snprintf(id_type, sizeof id_type, "%d", (int)s->id_type);
    snprintf(state, sizeof state, "%d", (int)a->state);
    const char *const v[] = {a->first_name,    a->last_name, a->login_email,
                             a->contact_email, a->phone,     s->company_name,
                             s->identifier,    id_type,      state,
                             a->reason};
    memset(m, 0, sizeof *m);
    m->struct_size = (uint32_t)sizeof *m;
    m->kind = kind;
    m->account_id = a->id;
    m->lang = a->lang;
    m->status = CHORUSACCT_MSG_PENDING;
    m->created_at = m->next_attempt_at = a->created_at;
    snprintf(m->to, sizeof m->to, "%s", a->login_email);
    size_t n = (size_t)snprintf(m->body, sizeof m->body, "\0021\n");
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        n += v[i][0] != '\0' && strcmp(v[i], m->to) == 0
                 ? (size_t)snprintf(m->body + n, sizeof m->body - n, "=")
                 : (size_t)snprintf(m->body + n, sizeof m->body - n, "%zu:%s",
                                    strlen(v[i]), v[i]);
}

static inline void sample_event(chorusacct_event *e, int type,
                                const chorusacct_account *a)
{
    memset(e, 0, sizeof *e);
    e->struct_size = (uint32_t)sizeof *e;
    e->type = type;
    e->time = a->created_at;
    e->account_id = a->id;
    e->to_state = a->state;
}

#endif
