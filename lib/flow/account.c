/*
 * The account state machine: one transition table, from which the checks,
 * the public listing and the Graphviz diagram are all drawn.
 */
#include "flow_int.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    int from, to, event;
} transition;

/* Every allowed move. `from` 0 is the creation of the account. */
static const transition transitions[] = {
    {0, CHORUSACCT_STATE_CREATED, CHORUSACCT_EV_DRAFT},
    {0, CHORUSACCT_STATE_AWAITING_ACTIVATION, CHORUSACCT_EV_SIGNUP},
    {0, CHORUSACCT_STATE_PENDING_APPROVAL, CHORUSACCT_EV_SIGNUP},
    {CHORUSACCT_STATE_CREATED, CHORUSACCT_STATE_AWAITING_ACTIVATION,
     CHORUSACCT_EV_SIGNUP},
    {CHORUSACCT_STATE_CREATED, CHORUSACCT_STATE_PENDING_APPROVAL,
     CHORUSACCT_EV_SIGNUP},
    {CHORUSACCT_STATE_CREATED, CHORUSACCT_STATE_EXPIRED, CHORUSACCT_EV_EXPIRE},
    {CHORUSACCT_STATE_PENDING_APPROVAL, CHORUSACCT_STATE_AWAITING_ACTIVATION,
     CHORUSACCT_EV_APPROVE},
    {CHORUSACCT_STATE_PENDING_APPROVAL, CHORUSACCT_STATE_AWAITING_ACTIVATION,
     CHORUSACCT_EV_PROMOTE},
    {CHORUSACCT_STATE_PENDING_APPROVAL, CHORUSACCT_STATE_REJECTED,
     CHORUSACCT_EV_REJECT},
    {CHORUSACCT_STATE_PENDING_APPROVAL, CHORUSACCT_STATE_EXPIRED,
     CHORUSACCT_EV_EXPIRE},
    {CHORUSACCT_STATE_AWAITING_ACTIVATION, CHORUSACCT_STATE_ACTIVE,
     CHORUSACCT_EV_ACTIVATE},
    {CHORUSACCT_STATE_AWAITING_ACTIVATION, CHORUSACCT_STATE_EXPIRED,
     CHORUSACCT_EV_EXPIRE},
    {CHORUSACCT_STATE_EXPIRED, CHORUSACCT_STATE_AWAITING_ACTIVATION,
     CHORUSACCT_EV_REVIVE},
    {CHORUSACCT_STATE_EXPIRED, CHORUSACCT_STATE_PENDING_APPROVAL,
     CHORUSACCT_EV_REVIVE},
    {CHORUSACCT_STATE_ACTIVE, CHORUSACCT_STATE_DISABLED, CHORUSACCT_EV_DISABLE},
    {CHORUSACCT_STATE_DISABLED, CHORUSACCT_STATE_ACTIVE, CHORUSACCT_EV_ENABLE},
    {CHORUSACCT_STATE_EXPIRED, 0, CHORUSACCT_EV_PURGE},
    {CHORUSACCT_STATE_REJECTED, 0, CHORUSACCT_EV_PURGE},
};

typedef struct {
    const char *name, *en, *fr;
} state_text;

static const state_text states[] = {
    [CHORUSACCT_STATE_CREATED] = {"created", "Registration started",
                                  "Inscription commencée"},
    [CHORUSACCT_STATE_PENDING_APPROVAL] = {"pending_approval",
                                           "Awaiting approval",
                                           "En attente d'approbation"},
    [CHORUSACCT_STATE_AWAITING_ACTIVATION] = {"awaiting_activation",
                                              "Awaiting activation",
                                              "En attente d'activation"},
    [CHORUSACCT_STATE_ACTIVE] = {"active", "Active", "Actif"},
    [CHORUSACCT_STATE_REJECTED] = {"rejected", "Rejected", "Refusé"},
    [CHORUSACCT_STATE_EXPIRED] = {"expired", "Expired", "Expiré"},
    [CHORUSACCT_STATE_DISABLED] = {"disabled", "Disabled", "Désactivé"},
};

static const char *const event_names[] = {
    [CHORUSACCT_EV_DRAFT] = "draft",       [CHORUSACCT_EV_SIGNUP] = "signup",
    [CHORUSACCT_EV_APPROVE] = "approve",   [CHORUSACCT_EV_REJECT] = "reject",
    [CHORUSACCT_EV_ACTIVATE] = "activate", [CHORUSACCT_EV_EXPIRE] = "expire",
    [CHORUSACCT_EV_REVIVE] = "revive",     [CHORUSACCT_EV_DISABLE] = "disable",
    [CHORUSACCT_EV_ENABLE] = "enable",     [CHORUSACCT_EV_PROMOTE] = "promote",
    [CHORUSACCT_EV_PURGE] = "purge",       [CHORUSACCT_EV_RESEND] = "resend",
    [CHORUSACCT_EV_ROLE] = "role",         [CHORUSACCT_EV_LOCKOUT] = "lockout",
    [CHORUSACCT_EV_UNLOCK] = "unlock",
};

static const char *const field_names[] = {
    [CHORUSACCT_FIELD_FORM] = "form",
    [CHORUSACCT_FIELD_LOGIN_EMAIL] = "login_email",
    [CHORUSACCT_FIELD_FIRST_NAME] = "first_name",
    [CHORUSACCT_FIELD_LAST_NAME] = "last_name",
    [CHORUSACCT_FIELD_PHONE] = "phone",
    [CHORUSACCT_FIELD_CONTACT_EMAIL] = "contact_email",
    [CHORUSACCT_FIELD_TERMS] = "terms",
    [CHORUSACCT_FIELD_ID_TYPE] = "id_type",
    [CHORUSACCT_FIELD_IDENTIFIER] = "identifier",
    [CHORUSACCT_FIELD_COMPANY_NAME] = "company_name",
    [CHORUSACCT_FIELD_CAPTCHA] = "captcha",
    [CHORUSACCT_FIELD_PASSWORD] = "password",
    [CHORUSACCT_FIELD_PASSWORD_CONFIRM] = "password_confirm",
};

static const char *const role_names[] = {
    [CHORUSACCT_ROLE_USER] = "user",
    [CHORUSACCT_ROLE_MANAGER] = "manager",
    [CHORUSACCT_ROLE_PRINCIPAL] = "principal",
};

static const state_text *state_find(int state)
{
    if (state < CHORUSACCT_STATE_CREATED || state > CHORUSACCT_STATE_DISABLED)
        return NULL;
    return &states[state];
}

const char *chorusacct_state_name(int state)
{
    const state_text *s = state_find(state);
    return s != NULL ? s->name : CA_UNKNOWN_NAME;
}

int chorusacct_state_from_name(int *out, const char *name)
{
    if (out == NULL || name == NULL)
        return CHORUSACCT_E_ARG;
    for (int s = CHORUSACCT_STATE_CREATED; s <= CHORUSACCT_STATE_DISABLED;
         s++) {
        if (strcmp(states[s].name, name) == 0) {
            *out = s;
            return CHORUSACCT_OK;
        }
    }
    return CHORUSACCT_E_NOTFOUND;
}

const char *chorusacct_state_label(int state, int lang)
{
    const state_text *s = state_find(state);
    return s != NULL ? ca_lang_pick(lang, s->en, s->fr)
                     : ca_unknown_label(lang);
}

const char *chorusacct_event_name(int type)
{
    if (type < CHORUSACCT_EV_DRAFT || type > CHORUSACCT_EV_UNLOCK)
        return CA_UNKNOWN_NAME;
    return event_names[type];
}

const char *chorusacct_field_name(int field)
{
    if (field < CHORUSACCT_FIELD_FORM ||
        field > CHORUSACCT_FIELD_PASSWORD_CONFIRM)
        return CA_UNKNOWN_NAME;
    return field_names[field];
}

const char *chorusacct_role_name(int role)
{
    if (role < CHORUSACCT_ROLE_USER || role > CHORUSACCT_ROLE_PRINCIPAL)
        return CA_UNKNOWN_NAME;
    return role_names[role];
}

int chorusacct_transition_allowed(int from, int to)
{
    for (size_t i = 0; i < CA_ARRAY_LEN(transitions); i++)
        if (transitions[i].from == from && transitions[i].to == to)
            return 1;
    return 0;
}

size_t chorusacct_transition_count(void)
{
    return CA_ARRAY_LEN(transitions);
}

int chorusacct_transition_at(size_t index, int *from, int *to, int *event)
{
    if (index >= CA_ARRAY_LEN(transitions) || from == NULL || to == NULL ||
        event == NULL)
        return CHORUSACCT_E_ARG;
    *from = transitions[index].from;
    *to = transitions[index].to;
    *event = transitions[index].event;
    return CHORUSACCT_OK;
}

/* Appends to a caller buffer, counting what would have been written. */
typedef struct {
    char *buf;
    size_t cap, len;
} dot_out;

static void dot_put(dot_out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->buf != NULL && o->len + n < o->cap)
        memcpy(o->buf + o->len, s, n);
    o->len += n;
}

int chorusacct_state_diagram(int lang, char *buf, size_t cap, size_t *len_out)
{
    if (buf == NULL && cap > 0)
        return CHORUSACCT_E_ARG;
    dot_out o = {buf, cap, 0};
    char line[256];
    dot_put(&o, "digraph chorusacct_states {\n"
                "  rankdir=LR;\n"
                "  node [shape=box, style=rounded, fontname=\"sans\"];\n"
                "  edge [fontname=\"sans\", fontsize=10];\n"
                "  start [shape=point];\n"
                "  purged [shape=doublecircle, label=\"\", width=0.2];\n");
    for (int s = CHORUSACCT_STATE_CREATED; s <= CHORUSACCT_STATE_DISABLED;
         s++) {
        snprintf(line, sizeof line, "  %s [label=\"%s\\n(%s)\"];\n",
                 states[s].name, chorusacct_state_label(s, lang),
                 states[s].name);
        dot_put(&o, line);
    }
    for (size_t i = 0; i < CA_ARRAY_LEN(transitions); i++) {
        const transition *t = &transitions[i];
        snprintf(line, sizeof line, "  %s -> %s [label=\"%s\"];\n",
                 t->from == 0 ? "start" : states[t->from].name,
                 t->to == 0 ? "purged" : states[t->to].name,
                 event_names[t->event]);
        dot_put(&o, line);
    }
    dot_put(&o, "}\n");
    if (len_out != NULL)
        *len_out = o.len;
    if (buf == NULL)
        return CHORUSACCT_OK;
    if (o.len + 1 > cap) {
        if (cap > 0)
            buf[0] = '\0';
        return CHORUSACCT_E_TOOSMALL;
    }
    buf[o.len] = '\0';
    return CHORUSACCT_OK;
}

int chorusacct__move(chorusacct_ctx *ctx, chorusacct_account *a, int to,
                     int event, int64_t actor_id, const char *reason)
{
    const int from = a->state;
    if (!chorusacct_transition_allowed(from, to))
        return CHORUSACCT_E_INTERNAL; /* the flow asked for a bad move */
    a->state = to;
    a->updated_at = chorusacct__now(ctx);
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    int rc = st->account_update(st->user_data, a);
    if (rc != CHORUSACCT_OK)
        return rc;
    return chorusacct__audit(ctx, event, a->id, from, to, actor_id, reason);
}
