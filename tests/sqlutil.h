/*
 * Realistic records for the SQLite backend's tests and benchmark: what a
 * sign-up stores (an account, its structure, the summary and activation
 * messages rendered from the 0.1 built-in templates, an audit event).
 * Public API only.
 */
#ifndef CHORUSACCT_SQLUTIL_H
#define CHORUSACCT_SQLUTIL_H

#include <stdio.h>
#include <string.h>

#include <chorusacct.h>
#include <chorusacct/sqlite.h>

/* The built-in templates of the two messages of every sign-up, as
 * lib/templates.c has them in 0.1; {link} is replaced by the marker the
 * flow stores. */
static const char *const sample_templates[][2] = {
    /* SUMMARY, EN */
    {"{portal}: summary of your account request",
     "Hello {first_name} {last_name},\n"
     "\n"
     "We have received your request for a {portal} account. Here is t"
     "he\n"
     "information you entered.\n"
     "\n"
     "Your details\n"
     "  First name: {first_name}\n"
     "  Last name: {last_name}\n"
     "  Login e-mail: {login_email}\n"
     "  Contact e-mail: {contact_email}\n"
     "  Phone: {phone}\n"
     "\n"
     "Your organisation\n"
     "  Name: {company_name}\n"
     "  Identifier type: {id_type}\n"
     "  Identifier: {identifier}\n"
     "\n"
     "Request number: {account_id}\n"
     "Account status: {state}\n"
     "\n"
     "What happens next\n"
     "- If your account is awaiting activation, a second e-mail, sent"
     " to\n"
     "  {login_email}, contains your activation link. The link is val"
     "id\n"
     "  for {expires_minutes} minutes.\n"
     "- If your request is awaiting approval, a manager of your\n"
     "  organisation must accept it first. We will let you know their"
     "\n"
     "  decision by e-mail.\n"
     "\n"
     "Kind regards,\n"
     "The {portal} team\n"
     "\n"
     "This message was sent automatically; please do not reply.\n"},
    /* SUMMARY, FR */
    {"{portal} : récapitulatif de votre demande de compte",
     "Bonjour {first_name} {last_name},\n"
     "\n"
     "Nous avons bien enregistré votre demande de création de compt"
     "e sur\n"
     "{portal}. Voici les informations que vous avez saisies.\n"
     "\n"
     "Vos coordonnées\n"
     "  Prénom : {first_name}\n"
     "  Nom : {last_name}\n"
     "  Adresse de connexion : {login_email}\n"
     "  Adresse de contact : {contact_email}\n"
     "  Téléphone : {phone}\n"
     "\n"
     "Votre structure\n"
     "  Raison sociale : {company_name}\n"
     "  Type d’identifiant : {id_type}\n"
     "  Identifiant : {identifier}\n"
     "\n"
     "Numéro de la demande : {account_id}\n"
     "État du compte : {state}\n"
     "\n"
     "Prochaines étapes\n"
     "- Si votre compte est en attente d’activation, un second cour"
     "riel,\n"
     "  envoyé à {login_email}, contient votre lien d’activation."
     " Ce lien\n"
     "  est valable {expires_minutes} minutes.\n"
     "- Si votre demande est en attente d’approbation, un gestionna"
     "ire de\n"
     "  votre structure doit d’abord l’accepter. Un courriel vous"
     "\n"
     "  informera de sa décision.\n"
     "\n"
     "Cordialement,\n"
     "L’équipe {portal}\n"
     "\n"
     "Ce message est envoyé automatiquement ; merci de ne pas y ré"
     "pondre.\n"},
    /* ACTIVATION, EN */
    {"{portal}: activate your account",
     "Hello {first_name} {last_name},\n"
     "\n"
     "Your {portal} account is ready to be activated. To choose your "
     "password\n"
     "and finish signing up, open this link:\n"
     "\n"
     "{link}\n"
     "\n"
     "The link is valid for {expires_minutes} minutes from when this "
     "message\n"
     "was sent, and works only once. If it has expired, ask for a new"
     " one\n"
     "on {portal}: another link will be e-mailed to you.\n"
     "\n"
     "Your password must be at least 12 characters long and mix at le"
     "ast 3 of\n"
     "these 4 kinds: lower-case letters, upper-case letters, digits a"
     "nd\n"
     "special characters.\n"
     "\n"
     "If you did not ask for an account, please ignore this message:\n"
     "without activation, the account cannot be used.\n"
     "\n"
     "Kind regards,\n"
     "The {portal} team\n"
     "\n"
     "This message was sent automatically; please do not reply.\n"},
    /* ACTIVATION, FR */
    {"{portal} : activez votre compte",
     "Bonjour {first_name} {last_name},\n"
     "\n"
     "Votre compte {portal} est prêt à être activé. Pour choisir "
     "votre mot\n"
     "de passe et terminer votre inscription, ouvrez le lien suivant "
     ":\n"
     "\n"
     "{link}\n"
     "\n"
     "Ce lien est valable {expires_minutes} minutes à partir de l’"
     "envoi de ce\n"
     "message, et ne sert qu’une fois. S’il a expiré, demandez-e"
     "n un nouveau\n"
     "sur {portal} : un autre lien vous sera envoyé.\n"
     "\n"
     "Votre mot de passe doit compter au moins 12 caractères et mêl"
     "er au moins\n"
     "3 des 4 types suivants : minuscules, majuscules, chiffres et c"
     "aractères\n"
     "spéciaux.\n"
     "\n"
     "Si vous n’êtes pas à l’origine de cette demande, ignorez "
     "ce message :\n"
     "sans activation, le compte ne pourra pas être utilisé.\n"
     "\n"
     "Cordialement,\n"
     "L’équipe {portal}\n"
     "\n"
     "Ce message est envoyé automatiquement ; merci de ne pas y ré"
     "pondre.\n"},
};

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
    const char *const *t = sample_templates[(kind == 2 ? 2 : 0) + lang];
    memset(m, 0, sizeof *m);
    m->struct_size = (uint32_t)sizeof *m;
    m->kind = kind;
    m->account_id = a->id;
    m->lang = a->lang;
    m->status = CHORUSACCT_MSG_PENDING;
    m->created_at = m->next_attempt_at = a->created_at;
    snprintf(m->to, sizeof m->to, "%s", a->login_email);
    sample_render(t[0], vars, m->subject, sizeof m->subject);
    sample_render(t[1], vars, m->body, sizeof m->body);
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
