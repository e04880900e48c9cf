/*
 * Message templates: the built-in French and English texts, the check of
 * a template, and the renderer that fills the placeholders.
 *
 * The syntax is small on purpose: `{name}` with a lower-case name, and
 * `{{`, `}}` for literal braces. There are no conditions or loops, so a
 * template can be checked once when it is set and rendering cannot fail
 * on anything but a missing value or a full buffer.
 */
#include "internal.h"

#include <string.h>

/* French typography: a no-break space before `:` and inside guillemets,
 * a narrow one before `;`, `!` and `?`. */
#define NBSP "\u00a0"
#define NNBSP "\u202f"

#define SIGN_FR                                                                \
    "Cordialement,\n"                                                          \
    "L’équipe {portal}\n"                                                   \
    "\n"                                                                       \
    "Ce message est envoyé automatiquement" NNBSP "; merci de ne pas y "       \
    "répondre.\n"

#define SIGN_EN                                                                \
    "Kind regards,\n"                                                          \
    "The {portal} team\n"                                                      \
    "\n"                                                                       \
    "This message was sent automatically; please do not reply.\n"

#define PASSWORD_FR                                                            \
    "Votre mot de passe doit compter au moins 12 caractères et mêler au "    \
    "moins\n"                                                                  \
    "3 des 4 types suivants" NBSP ": minuscules, majuscules, chiffres et "     \
    "caractères\n"                                                            \
    "spéciaux.\n"

#define PASSWORD_EN                                                            \
    "Your password must be at least 12 characters long and mix at least 3 "    \
    "of\n"                                                                     \
    "these 4 kinds: lower-case letters, upper-case letters, digits and\n"      \
    "special characters.\n"

typedef struct {
    const char *subject;
    const char *body;
} builtin;

/* Indexed by kind, then by language (EN 0, FR 1). */
static const builtin builtins[][2] = {
    [CHORUSACCT_MAIL_SUMMARY] =
        {
            {
                "{portal}: summary of your account request",
                "Hello {first_name} {last_name},\n"
                "\n"
                "We have received your request for a {portal} account. Here is "
                "the\n"
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
                "- If your account is awaiting activation, a second e-mail, "
                "sent "
                "to\n"
                "  {login_email}, contains your activation link. The link is "
                "valid\n"
                "  for {expires_minutes} minutes.\n"
                "- If your request is awaiting approval, a manager of your\n"
                "  organisation must accept it first. We will let you know "
                "their\n"
                "  decision by e-mail.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": récapitulatif de votre demande de compte",
                "Bonjour {first_name} {last_name},\n"
                "\n"
                "Nous avons bien enregistré votre demande de création de "
                "compte "
                "sur\n"
                "{portal}. Voici les informations que vous avez saisies.\n"
                "\n"
                "Vos coordonnées\n"
                "  Prénom" NBSP ": {first_name}\n"
                "  Nom" NBSP ": {last_name}\n"
                "  Adresse de connexion" NBSP ": {login_email}\n"
                "  Adresse de contact" NBSP ": {contact_email}\n"
                "  Téléphone" NBSP ": {phone}\n"
                "\n"
                "Votre structure\n"
                "  Raison sociale" NBSP ": {company_name}\n"
                "  Type d’identifiant" NBSP ": {id_type}\n"
                "  Identifiant" NBSP ": {identifier}\n"
                "\n"
                "Numéro de la demande" NBSP ": {account_id}\n"
                "État du compte" NBSP ": {state}\n"
                "\n"
                "Prochaines étapes\n"
                "- Si votre compte est en attente d’activation, un second "
                "courriel,\n"
                "  envoyé à {login_email}, contient votre lien d’activation. "
                "Ce "
                "lien\n"
                "  est valable {expires_minutes} minutes.\n"
                "- Si votre demande est en attente d’approbation, un "
                "gestionnaire "
                "de\n"
                "  votre structure doit d’abord l’accepter. Un courriel vous\n"
                "  informera de sa décision.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_ACTIVATION] =
        {
            {
                "{portal}: activate your account",
                "Hello {first_name} {last_name},\n"
                "\n"
                "Your {portal} account is ready to be activated. To choose "
                "your "
                "password\n"
                "and finish signing up, open this link:\n"
                "\n"
                "{link}\n"
                "\n"
                "The link is valid for {expires_minutes} minutes from when "
                "this "
                "message\n"
                "was sent, and works only once. If it has expired, ask for a "
                "new "
                "one\n"
                "on {portal}: another link will be e-mailed to you.\n"
                "\n" PASSWORD_EN "\n"
                "If you did not ask for an account, please ignore this "
                "message:\n"
                "without activation, the account cannot be used.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": activez votre compte",
                "Bonjour {first_name} {last_name},\n"
                "\n"
                "Votre compte {portal} est prêt à être activé. Pour choisir "
                "votre "
                "mot\n"
                "de passe et terminer votre inscription, ouvrez le lien "
                "suivant" NBSP ":\n"
                "\n"
                "{link}\n"
                "\n"
                "Ce lien est valable {expires_minutes} minutes à partir de "
                "l’envoi de ce\n"
                "message, et ne sert qu’une fois. S’il a expiré, demandez-en "
                "un "
                "nouveau\n"
                "sur {portal}" NBSP ": un autre lien vous sera envoyé.\n"
                "\n" PASSWORD_FR "\n"
                "Si vous n’êtes pas à l’origine de cette demande, ignorez ce "
                "message" NBSP ":\n"
                "sans activation, le compte ne pourra pas être utilisé.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_APPROVAL_REQUEST] =
        {
            {
                "{portal}: request to join your organisation (no. "
                "{account_id})",
                "Hello,\n"
                "\n"
                "{applicant_name} ({applicant_email}) asks to join an "
                "organisation you\n"
                "manage on {portal}:\n"
                "\n"
                "  Organisation: {company_name}\n"
                "  Identifier: {id_type} {identifier}\n"
                "  Request number: {account_id}\n"
                "\n"
                "Please log in to {portal} to approve or reject this request, "
                "from the\n"
                "list of pending requests. If you reject it, give a reason: it "
                "will be\n"
                "sent to the applicant.\n"
                "\n"
                "If you do not know this person, reject the request.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": demande de rattachement n°" NBSP
                "{account_id}",
                "Bonjour,\n"
                "\n"
                "{applicant_name} ({applicant_email}) demande à rejoindre une "
                "structure\n"
                "dont vous êtes gestionnaire sur {portal}" NBSP ":\n"
                "\n"
                "  Structure" NBSP ": {company_name}\n"
                "  Identifiant" NBSP ": {id_type} {identifier}\n"
                "  Numéro de la demande" NBSP ": {account_id}\n"
                "\n"
                "Connectez-vous à {portal} pour accepter ou refuser cette "
                "demande,\n"
                "depuis la liste des demandes de rattachement en attente. Si "
                "vous "
                "la\n"
                "refusez, indiquez-en le motif" NBSP
                ": il sera communiqué à la "
                "personne\n"
                "concernée.\n"
                "\n"
                "Si vous ne connaissez pas cette personne, refusez la "
                "demande.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_APPROVED] =
        {
            {
                "{portal}: your request has been approved",
                "Hello {first_name} {last_name},\n"
                "\n"
                "A manager of {company_name} has approved your request to join "
                "the\n"
                "organisation (request number {account_id}).\n"
                "\n"
                "One step remains: activating your account. You will receive, "
                "in "
                "a\n"
                "separate e-mail, a link to choose your password. The link "
                "will "
                "be\n"
                "valid for {expires_minutes} minutes.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": votre demande de rattachement est acceptée",
                "Bonjour {first_name} {last_name},\n"
                "\n"
                "Un gestionnaire de {company_name} a accepté votre demande de\n"
                "rattachement (n°" NBSP "{account_id}).\n"
                "\n"
                "Il ne vous reste plus qu’à activer votre compte" NBSP ": vous "
                "allez\n"
                "recevoir, dans un courriel séparé, le lien qui permet de "
                "choisir "
                "votre\n"
                "mot de passe. Ce lien sera valable {expires_minutes} "
                "minutes.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_REJECTED] =
        {
            {
                "{portal}: your request has been declined",
                "Hello {first_name} {last_name},\n"
                "\n"
                "We are sorry to let you know that a manager of {company_name} "
                "has\n"
                "declined your request to join the organisation (request "
                "number\n"
                "{account_id}).\n"
                "\n"
                "Reason given:\n"
                "{reason}\n"
                "\n"
                "If you think this is a mistake, please get in touch with the "
                "managers\n"
                "of this organisation.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": votre demande de rattachement a été refusée",
                "Bonjour {first_name} {last_name},\n"
                "\n"
                "Nous avons le regret de vous informer qu’un gestionnaire de\n"
                "{company_name} a refusé votre demande de rattachement\n"
                "(n°" NBSP "{account_id}).\n"
                "\n"
                "Motif indiqué" NBSP ":\n"
                "{reason}\n"
                "\n"
                "Si vous pensez qu’il s’agit d’une erreur, rapprochez-vous "
                "des\n"
                "gestionnaires de cette structure.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_REMINDER] =
        {
            {
                "{portal}: your new activation link",
                "Hello {first_name} {last_name},\n"
                "\n"
                "A new activation link was requested for your {portal} "
                "account. "
                "Here\n"
                "it is:\n"
                "\n"
                "{link}\n"
                "\n"
                "It is valid for {expires_minutes} minutes and works only "
                "once. "
                "Links you\n"
                "received earlier no longer work: please use this one.\n"
                "\n" PASSWORD_EN "\n"
                "If you did not ask for a new link, please ignore this "
                "message.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": votre nouveau lien d’activation",
                "Bonjour {first_name} {last_name},\n"
                "\n"
                "Un nouveau lien d’activation a été demandé pour votre compte "
                "{portal}.\n"
                "Le voici" NBSP ":\n"
                "\n"
                "{link}\n"
                "\n"
                "Il est valable {expires_minutes} minutes et ne sert qu’une "
                "fois. "
                "Les\n"
                "liens reçus auparavant ne fonctionnent plus" NBSP ": utilisez "
                "celui-ci.\n"
                "\n" PASSWORD_FR "\n"
                "Si vous n’avez pas demandé de nouveau lien, ignorez ce "
                "message.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_ALREADY_EXISTS] =
        {
            {
                "{portal}: an account already exists for your address",
                "Hello,\n"
                "\n"
                "Someone has just asked to create a {portal} account with the "
                "address\n"
                "{login_email}. An account already exists for this address, so "
                "no new\n"
                "account was created.\n"
                "\n"
                "If it was you, simply log in with this address. If you have "
                "forgotten\n"
                "your password, use the “Forgot password” link on the login "
                "page.\n"
                "\n"
                "If it was not you, there is nothing to do: your account has "
                "not "
                "been\n"
                "changed, and this request gives no access to it.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": un compte existe déjà pour votre adresse",
                "Bonjour,\n"
                "\n"
                "Une demande de création de compte {portal} vient d’être faite "
                "avec\n"
                "l’adresse {login_email}. Un compte existe déjà pour cette "
                "adresse" NBSP ":\n"
                "aucun nouveau compte n’a été créé.\n"
                "\n"
                "S’il s’agit de vous, connectez-vous simplement avec cette "
                "adresse. Si\n"
                "vous avez oublié votre mot de passe, utilisez le lien\n"
                "«" NBSP "Mot de passe oublié" NBSP
                "» de la page de connexion.\n"
                "\n"
                "S’il ne s’agit pas de vous, vous n’avez rien à faire" NBSP ": "
                "votre compte n’a\n"
                "pas été modifié et cette demande ne donne accès à rien.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_CLAIM_NOTICE] =
        {
            {
                "{portal}: your activation link has expired",
                "Hello {first_name} {last_name},\n"
                "\n"
                "You declared {company_name} ({id_type} {identifier}) on "
                "{portal},\n"
                "but your activation link expired before you used it.\n"
                "\n"
                "Your declaration is kept for a few days. If you do not "
                "activate your\n"
                "account by then, the next person who asks to join this\n"
                "organisation may become its principal manager. To keep "
                "the role, ask\n"
                "for a new activation link on the {portal} sign-up page\n"
                "(“Resend the activation link”) with your login address\n"
                "{login_email}, then activate your account.\n"
                "\n"
                "If you no longer wish to manage this organisation, there is "
                "nothing\n"
                "to do.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": votre lien d’activation a expiré",
                "Bonjour {first_name} {last_name},\n"
                "\n"
                "Vous avez déclaré {company_name} ({id_type} {identifier}) "
                "sur\n"
                "{portal}, mais votre lien d’activation a expiré avant "
                "d’avoir servi.\n"
                "\n"
                "Votre déclaration est conservée quelques jours. Si vous "
                "n’activez pas\n"
                "votre compte d’ici là, la prochaine personne qui demandera à "
                "rejoindre\n"
                "cette structure pourra en devenir le gestionnaire principal. "
                "Pour\n"
                "garder ce rôle, demandez un nouveau lien d’activation sur la "
                "page\n"
                "d’inscription de {portal} («" NBSP "Renvoyer le lien "
                "d’activation" NBSP "»)\n"
                "avec votre adresse de connexion {login_email}, puis activez "
                "votre\n"
                "compte.\n"
                "\n"
                "Si vous ne souhaitez plus gérer cette structure, vous "
                "n’avez rien à faire.\n"
                "\n" SIGN_FR,
            },
        },
    [CHORUSACCT_MAIL_CONFIRM_REQUEST] =
        {
            {
                "{portal}: please confirm your request to join",
                "Hello {first_name} {last_name},\n"
                "\n"
                "You asked for a {portal} account in the structure\n"
                "{company_name}. Before its managers are asked to approve it,\n"
                "please confirm that this address is yours by following this "
                "link:\n"
                "\n"
                "{link}\n"
                "\n"
                "It is valid for {expires_minutes} minutes and works only "
                "once.\n"
                "\n"
                "If you did not ask for an account, please ignore this "
                "message:\n"
                "nothing will be sent to anyone.\n"
                "\n" SIGN_EN,
            },
            {
                "{portal}" NBSP ": confirmez votre demande d’accès",
                "Bonjour {first_name} {last_name},\n"
                "\n"
                "Vous avez demandé un compte {portal} dans la structure\n"
                "{company_name}. Avant que ses gestionnaires ne soient "
                "sollicités,\n"
                "confirmez que cette adresse est la vôtre en suivant ce "
                "lien" NBSP ":\n"
                "\n"
                "{link}\n"
                "\n"
                "Il est valable {expires_minutes} minutes et ne sert qu’une "
                "fois.\n"
                "\n"
                "Si vous n’avez pas demandé de compte, ignorez ce "
                "message" NBSP ":\n"
                "rien ne sera envoyé à personne.\n"
                "\n" SIGN_FR,
            },
        },
};

int chorusacct_template_default(int kind, int lang, const char **subject,
                                const char **body)
{
    if (subject != NULL)
        *subject = NULL;
    if (body != NULL)
        *body = NULL;
    if (subject == NULL || body == NULL || kind < 0 ||
        (size_t)kind >= CA_ARRAY_LEN(builtins) ||
        builtins[kind][0].subject == NULL)
        return CHORUSACCT_E_ARG;
    const builtin *b = &builtins[kind][lang == CHORUSACCT_LANG_FR ? 1 : 0];
    *subject = b->subject;
    *body = b->body;
    return CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */

/* The placeholders mailer.h documents; a custom template may use these
 * and no others, so that a typo is caught when the template is set
 * rather than when a message is queued. */
static const char *const known_names[] = {
    "first_name",      "last_name",       "login_email", "contact_email",
    "phone",           "company_name",    "identifier",  "id_type",
    "account_id",      "state",           "reason",      "applicant_name",
    "applicant_email", "expires_minutes", "portal",      "link",
};

enum { CA_NAME_MAX = 32 };

typedef enum {
    TOK_END,
    TOK_TEXT,  /* bytes to copy as they are */
    TOK_NAME,  /* a placeholder's name */
    TOK_ERROR, /* a brace that opens or closes nothing */
} tok_type;

typedef struct {
    tok_type type;
    const char *s;
    size_t n;
} token;

static bool name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Reads the token at `*p` and moves past it. */
static token next_token(const char **p)
{
    const char *s = *p;
    token t = {TOK_END, s, 0};
    if (*s == '\0')
        return t;
    if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
        t.type = TOK_TEXT;
        t.n = 1;
        *p = s + 2;
        return t;
    }
    if (s[0] == '}') {
        t.type = TOK_ERROR;
        return t;
    }
    if (s[0] == '{') {
        size_t n = 0;
        while (name_byte((unsigned char)s[1 + n]) && n <= CA_NAME_MAX)
            n++;
        if (n == 0 || n > CA_NAME_MAX || s[1 + n] != '}') {
            t.type = TOK_ERROR;
            return t;
        }
        t.type = TOK_NAME;
        t.s = s + 1;
        t.n = n;
        *p = s + n + 2;
        return t;
    }
    size_t n = strcspn(s, "{}");
    t.type = TOK_TEXT;
    t.n = n;
    *p = s + n;
    return t;
}

static bool name_is(const char *s, size_t n, const char *name)
{
    return strncmp(s, name, n) == 0 && name[n] == '\0';
}

/* Literal text of a template: valid UTF-8, and no control characters but
 * tab and line feed (a stray control byte could pose as the link marker
 * or break the message's lines). */
static bool text_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = ca_utf8_decode(p + i, n - i, &cp);
        if (k == 0 || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F)
            return false;
        i += k;
    }
    return true;
}

int chorusacct__template_check(const char *tpl)
{
    if (tpl == NULL)
        return CHORUSACCT_E_ARG;
    const char *p = tpl;
    for (;;) {
        token t = next_token(&p);
        switch (t.type) {
        case TOK_END:
            return CHORUSACCT_OK;
        case TOK_ERROR:
            return CHORUSACCT_E_TEMPLATE;
        case TOK_TEXT:
            if (!text_ok(t.s, t.n))
                return CHORUSACCT_E_TEMPLATE;
            break;
        case TOK_NAME: {
            bool known = false;
            for (size_t i = 0; i < CA_ARRAY_LEN(known_names) && !known; i++)
                known = name_is(t.s, t.n, known_names[i]);
            if (!known)
                return CHORUSACCT_E_TEMPLATE;
            break;
        }
        }
    }
}

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

typedef struct {
    char *out;
    size_t cap;
    size_t used;
    bool full;
} sink;

/* Appends what fits, keeping room for the NUL. Once something did not
 * fit, nothing more is written, and the text is cut back to the start of
 * the UTF-8 sequence that was split, if any. */
static void put(sink *k, const char *s, size_t n)
{
    if (k->full || n == 0)
        return;
    size_t room = k->cap > 0 ? k->cap - 1 - k->used : 0;
    if (n <= room) {
        memcpy(k->out + k->used, s, n);
        k->used += n;
        return;
    }
    if (room > 0)
        memcpy(k->out + k->used, s, room);
    k->used += room;
    k->full = true;
    /* `next` is the first byte left out: while it continues a sequence,
     * the sequence's earlier bytes must go too. */
    unsigned char next = (unsigned char)s[room];
    while (k->used > 0 && (next & 0xC0) == 0x80)
        next = (unsigned char)k->out[--k->used];
}

/*
 * Besides what internal.h says: `*len` (if not NULL) receives the length
 * of what `out` holds, also when truncated; after CHORUSACCT_E_TEMPLATE
 * `out` is empty. A NULL value renders as nothing. Values are copied as
 * they are, never scanned for placeholders.
 */
int chorusacct__render(const char *tpl, const ca_var *vars, size_t nvars,
                       char *out, size_t cap, size_t *len)
{
    if (len != NULL)
        *len = 0;
    if (tpl == NULL || (vars == NULL && nvars > 0) ||
        (out == NULL && cap > 0)) {
        if (out != NULL && cap > 0)
            out[0] = '\0';
        return CHORUSACCT_E_ARG;
    }
    sink k = {out, cap, 0, false};
    int rc = CHORUSACCT_OK;
    const char *p = tpl;
    for (bool more = true; more && rc == CHORUSACCT_OK;) {
        token t = next_token(&p);
        switch (t.type) {
        case TOK_END:
            more = false;
            break;
        case TOK_ERROR:
            rc = CHORUSACCT_E_TEMPLATE;
            break;
        case TOK_TEXT:
            put(&k, t.s, t.n);
            break;
        case TOK_NAME: {
            const ca_var *v = NULL;
            for (size_t i = 0; i < nvars && v == NULL; i++)
                if (vars[i].name != NULL && name_is(t.s, t.n, vars[i].name))
                    v = &vars[i];
            if (v == NULL)
                rc = CHORUSACCT_E_TEMPLATE;
            else if (v->value != NULL)
                put(&k, v->value, strlen(v->value));
            break;
        }
        }
    }
    if (rc != CHORUSACCT_OK)
        k.used = 0;
    else if (k.full || cap == 0)
        rc = CHORUSACCT_E_CAPACITY;
    if (cap > 0)
        out[k.used] = '\0';
    if (len != NULL)
        *len = k.used;
    return rc;
}
