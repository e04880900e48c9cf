/*
 * Status codes: symbolic names and the English and French messages.
 *
 * One row per code, indexed by the code's absolute value so that a lookup
 * is a bounds check and a load. A hole in the table is an unknown code.
 * Messages say what is expected, not only what went wrong, because forms
 * show them under the field.
 */
#include "internal.h"

#include <string.h>

typedef struct {
    const char *name; /* without the CHORUSACCT_E_ prefix */
    const char *en;
    const char *fr;
} status_text;

#define ROW(code, nm, e, f) [-(code)] = {nm, e, f}

static const status_text status_table[] = {
    ROW(CHORUSACCT_OK, "OK", "Success.", "Succès."),

    /* The call failed. */
    ROW(CHORUSACCT_E_ARG, "ARG",
        "Invalid argument (a required pointer is NULL or a value is out of "
        "range).",
        "Argument invalide (un pointeur obligatoire est NULL ou une valeur "
        "est hors limites)."),
    ROW(CHORUSACCT_E_NOMEM, "NOMEM", "Out of memory.", "Mémoire insuffisante."),
    ROW(CHORUSACCT_E_TOOSMALL, "TOOSMALL",
        "The output buffer is too small; the size needed was returned.",
        "Le tampon de sortie est trop petit ; la taille nécessaire a été "
        "renvoyée."),
    ROW(CHORUSACCT_E_REJECTED, "REJECTED",
        "The input was refused; the reason code says why.",
        "La saisie a été refusée ; le code de motif en donne la raison."),
    ROW(CHORUSACCT_E_CALLBACK, "CALLBACK",
        "A callback supplied by the application reported a failure.",
        "Une fonction de rappel fournie par l'application a signalé un "
        "échec."),
    ROW(CHORUSACCT_E_STORAGE, "STORAGE",
        "The storage backend failed; nothing was changed.",
        "Le stockage a échoué ; rien n'a été modifié."),
    ROW(CHORUSACCT_E_CONFLICT, "CONFLICT",
        "The record was changed at the same time by another request; try "
        "again.",
        "L'enregistrement a été modifié au même moment par une autre "
        "demande ; veuillez réessayer."),
    ROW(CHORUSACCT_E_NOTFOUND, "NOTFOUND", "No such record.",
        "Enregistrement introuvable."),
    ROW(CHORUSACCT_E_UNSUPPORTED, "UNSUPPORTED",
        "Not supported by this build of the library.",
        "Non pris en charge par cette version compilée de la bibliothèque."),
    ROW(CHORUSACCT_E_INIT, "INIT", "The library could not be initialised.",
        "La bibliothèque n'a pas pu être initialisée."),
    ROW(CHORUSACCT_E_IO, "IO", "Input/output error.",
        "Erreur d'entrée-sortie."),
    ROW(CHORUSACCT_E_SCHEMA, "SCHEMA",
        "The stored data was written by a newer version of the library.",
        "Les données enregistrées proviennent d'une version plus récente de "
        "la bibliothèque."),
    ROW(CHORUSACCT_E_INTERNAL, "INTERNAL", "Internal error in the library.",
        "Erreur interne de la bibliothèque."),
    ROW(CHORUSACCT_E_EXISTS, "EXISTS", "A record with this key already exists.",
        "Un enregistrement avec cette clé existe déjà."),
    ROW(CHORUSACCT_E_CAPACITY, "CAPACITY",
        "A text is too long for the record that keeps it.",
        "Un texte est trop long pour l'enregistrement qui le conserve."),
    ROW(CHORUSACCT_E_FULL, "FULL",
        "The storage is full (disk space or database size limit); nothing "
        "was changed.",
        "Le stockage est plein (espace disque ou taille maximale de la "
        "base) ; rien n'a été modifié."),
    ROW(CHORUSACCT_E_CORRUPT, "CORRUPT",
        "The stored data is damaged, or the file is not a database; nothing "
        "was changed.",
        "Les données enregistrées sont endommagées, ou le fichier n'est pas "
        "une base de données ; rien n'a été modifié."),
    ROW(CHORUSACCT_E_READONLY, "READONLY",
        "The storage is read-only; nothing was changed.",
        "Le stockage est en lecture seule ; rien n'a été modifié."),
    ROW(CHORUSACCT_E_BUSY, "BUSY",
        "The storage is locked by another writer; nothing was changed, try "
        "again later.",
        "Le stockage est verrouillé par une autre écriture ; rien n'a été "
        "modifié, veuillez réessayer plus tard."),
    ROW(CHORUSACCT_E_CLOCK, "CLOCK",
        "The clock gave a time outside 1970-01-01 to 9999-12-31; nothing "
        "was changed.",
        "L'horloge a donné une heure hors de la période du 1970-01-01 au "
        "9999-12-31 ; rien n'a été modifié."),

    /* Reasons shared by the validators. */
    ROW(CHORUSACCT_E_EMPTY, "EMPTY", "This field is required.",
        "Ce champ est obligatoire."),
    ROW(CHORUSACCT_E_LENGTH, "LENGTH",
        "Wrong number of characters for this kind of identifier; see the "
        "expected format.",
        "Nombre de caractères incorrect pour ce type d'identifiant ; voir "
        "le format attendu."),
    ROW(CHORUSACCT_E_CHARACTER, "CHARACTER",
        "A character is not allowed here; see the expected format.",
        "Un caractère n'est pas autorisé ici ; voir le format attendu."),
    ROW(CHORUSACCT_E_NONASCII, "NONASCII",
        "Only unaccented letters, digits, spaces, dots and hyphens are "
        "accepted.",
        "Seuls les lettres sans accent, les chiffres, les espaces, les "
        "points et les tirets sont acceptés."),
    ROW(CHORUSACCT_E_SEPARATOR, "SEPARATOR",
        "Type the identifier without spaces, dots or hyphens.",
        "Saisissez l'identifiant sans espaces, points ni tirets."),
    ROW(CHORUSACCT_E_CHECKSUM, "CHECKSUM",
        "The check digits do not match: a digit was probably mistyped or "
        "two were swapped.",
        "La clé de contrôle ne correspond pas : un chiffre a sans doute été "
        "mal saisi ou deux ont été inversés."),
    ROW(CHORUSACCT_E_TYPE, "TYPE", "Unknown identifier type.",
        "Type d'identifiant inconnu."),
    ROW(CHORUSACCT_E_NOVALUE, "NOVALUE",
        "This identifier type takes no value; leave the field empty.",
        "Ce type d'identifiant ne prend pas de valeur ; laissez le champ "
        "vide."),
    ROW(CHORUSACCT_E_COUNTRY, "COUNTRY",
        "Unknown country code, or a country that uses another identifier "
        "type.",
        "Code pays inconnu, ou pays qui relève d'un autre type "
        "d'identifiant."),
    ROW(CHORUSACCT_E_FORMAT, "FORMAT",
        "Letters and digits are not in the expected places; see the "
        "expected format.",
        "Les lettres et les chiffres ne sont pas à la place attendue ; voir "
        "le format attendu."),
    /* -110 (too short) was removed before 0.1.0: a hole, never reused. */
    ROW(CHORUSACCT_E_TOOLONG, "TOOLONG", "The value is too long.",
        "La valeur est trop longue."),
    ROW(CHORUSACCT_E_UTF8, "UTF8", "The text is not valid UTF-8.",
        "Le texte n'est pas de l'UTF-8 valide."),

    /* E-mail addresses. */
    ROW(CHORUSACCT_E_EMAIL_NONASCII, "EMAIL_NONASCII",
        "Accents and other non-ASCII characters are not accepted in e-mail "
        "addresses: check for a letter such as é typed instead of e.",
        "Les accents et autres caractères non ASCII ne sont pas acceptés "
        "dans les adresses électroniques : vérifiez qu'une lettre comme é "
        "n'a pas été saisie à la place de e."),
    ROW(CHORUSACCT_E_EMAIL_AT, "EMAIL_AT",
        "An e-mail address contains exactly one @, as in name@example.fr.",
        "Une adresse électronique contient exactement un @, comme "
        "nom@exemple.fr."),
    ROW(CHORUSACCT_E_EMAIL_LENGTH, "EMAIL_LENGTH",
        "An e-mail address has at most 254 characters.",
        "Une adresse électronique compte au plus 254 caractères."),
    ROW(CHORUSACCT_E_EMAIL_LOCAL, "EMAIL_LOCAL",
        "Before the @: letters, digits and !#$%&'*+/=?^_`{|}~- only, with "
        "single dots between them.",
        "Avant le @ : lettres, chiffres et !#$%&'*+/=?^_`{|}~- uniquement, "
        "avec des points isolés entre eux."),
    ROW(CHORUSACCT_E_EMAIL_LOCAL_LENGTH, "EMAIL_LOCAL_LENGTH",
        "The part before the @ has 1 to 64 characters.",
        "La partie avant le @ compte de 1 à 64 caractères."),
    ROW(CHORUSACCT_E_EMAIL_DOMAIN, "EMAIL_DOMAIN",
        "After the @: a domain name such as example.fr (letters, digits, "
        "hyphens, at least one dot, no dot at the end).",
        "Après le @ : un nom de domaine comme exemple.fr (lettres, "
        "chiffres, tirets, au moins un point, pas de point final)."),
    ROW(CHORUSACCT_E_EMAIL_DOMAIN_LENGTH, "EMAIL_DOMAIN_LENGTH",
        "The domain after the @ has at most 253 characters.",
        "Le domaine après le @ compte au plus 253 caractères."),
    ROW(CHORUSACCT_E_EMAIL_LABEL, "EMAIL_LABEL",
        "Each part of the domain has 1 to 63 letters, digits or hyphens "
        "and does not start or end with a hyphen.",
        "Chaque partie du domaine compte de 1 à 63 lettres, chiffres ou "
        "tirets et ne commence ni ne finit par un tiret."),
    ROW(CHORUSACCT_E_EMAIL_TLD, "EMAIL_TLD",
        "The last part of the domain (such as fr or com) cannot be only "
        "digits.",
        "La dernière partie du domaine (comme fr ou com) ne peut pas être "
        "composée uniquement de chiffres."),
    ROW(CHORUSACCT_E_EMAIL_ENCODED, "EMAIL_ENCODED",
        "Before the @, the sequence =? is not accepted: mail readers would "
        "show it as another address.",
        "Avant le @, la suite =? n'est pas acceptée : les logiciels de "
        "messagerie l'afficheraient comme une autre adresse."),

    /* Phone numbers. */
    ROW(CHORUSACCT_E_PHONE_CHARACTER, "PHONE_CHARACTER",
        "A phone number contains digits, an optional + at the start, and "
        "spaces, dots or hyphens; no letters or other signs.",
        "Un numéro de téléphone contient des chiffres, un + facultatif au "
        "début, et des espaces, points ou tirets ; ni lettres ni autres "
        "signes."),
    ROW(CHORUSACCT_E_PHONE_PLUS, "PHONE_PLUS",
        "The + may only appear once, at the start of the number.",
        "Le + ne peut figurer qu'une fois, au début du numéro."),
    ROW(CHORUSACCT_E_PHONE_COUNTRY, "PHONE_COUNTRY",
        "Unknown country calling code: after + or 00 comes the code of a "
        "country, such as 33 for France.",
        "Indicatif de pays inconnu : après + ou 00 vient l'indicatif d'un "
        "pays, comme 33 pour la France."),
    ROW(CHORUSACCT_E_PHONE_LENGTH, "PHONE_LENGTH",
        "Wrong number of digits for this country (a French number has 10 "
        "digits, starting with 0).",
        "Nombre de chiffres incorrect pour ce pays (un numéro français "
        "compte 10 chiffres et commence par 0)."),
    ROW(CHORUSACCT_E_PHONE_RANGE, "PHONE_RANGE",
        "This number range is not allocated in the numbering plan.",
        "Cette tranche de numéros n'est pas attribuée dans le plan de "
        "numérotation."),
    ROW(CHORUSACCT_E_PHONE_OVERSEAS, "PHONE_OVERSEAS",
        "This is an overseas number: dial it with its own country code "
        "(such as +262 or +590), not +33.",
        "Ce numéro est un numéro d'outre-mer : composez-le avec son propre "
        "indicatif (comme +262 ou +590), pas +33."),
    ROW(CHORUSACCT_E_PHONE_TRUNK, "PHONE_TRUNK",
        "The (0) may only follow a country code that uses it, as in "
        "+33 (0)6 12 34 56 78.",
        "Le (0) ne peut suivre qu'un indicatif de pays qui l'utilise, "
        "comme dans +33 (0)6 12 34 56 78."),
    ROW(CHORUSACCT_E_PHONE_EXTENSION, "PHONE_EXTENSION",
        "Give the number without an extension (x, ext, poste, #).",
        "Indiquez le numéro sans poste (x, ext, poste, #)."),

    /* Person names. */
    ROW(CHORUSACCT_E_NAME_CHARACTER, "NAME_CHARACTER",
        "A name contains letters, spaces, hyphens, apostrophes and dots "
        "only.",
        "Un nom ne contient que des lettres, des espaces, des tirets, des "
        "apostrophes et des points."),
    ROW(CHORUSACCT_E_NAME_LENGTH, "NAME_LENGTH",
        "A name has at most 100 characters.",
        "Un nom compte au plus 100 caractères."),
    ROW(CHORUSACCT_E_NAME_LETTER, "NAME_LETTER",
        "A name contains at least one letter.",
        "Un nom contient au moins une lettre."),

    /* Passwords. */
    ROW(CHORUSACCT_E_PASSWORD_CHARACTER, "PASSWORD_CHARACTER",
        "The password contains a control, format, private-use or "
        "unassigned character.",
        "Le mot de passe contient un caractère de contrôle, de format, à "
        "usage privé ou non attribué."),
    ROW(CHORUSACCT_E_PASSWORD_SHORT, "PASSWORD_SHORT",
        "The password must have at least 12 characters.",
        "Le mot de passe doit compter au moins 12 caractères."),
    ROW(CHORUSACCT_E_PASSWORD_LONG, "PASSWORD_LONG",
        "The password must have at most 1024 characters.",
        "Le mot de passe doit compter au plus 1024 caractères."),
    ROW(CHORUSACCT_E_PASSWORD_CLASSES, "PASSWORD_CLASSES",
        "The password must mix at least 3 of: upper-case letters, "
        "lower-case letters, digits, special characters.",
        "Le mot de passe doit combiner au moins 3 types parmi : "
        "majuscules, minuscules, chiffres, caractères spéciaux."),
    ROW(CHORUSACCT_E_PASSWORD_PERSONAL, "PASSWORD_PERSONAL",
        "The password must not contain your e-mail address or your name.",
        "Le mot de passe ne doit contenir ni votre adresse électronique ni "
        "votre nom."),
    ROW(CHORUSACCT_E_PASSWORD_MISMATCH, "PASSWORD_MISMATCH",
        "The password and its confirmation differ.",
        "Le mot de passe et sa confirmation sont différents."),

    /* Account flow. */
    ROW(CHORUSACCT_E_CONSENT, "CONSENT",
        "You must accept the conditions to create an account.",
        "Vous devez accepter les conditions pour créer un compte."),
    ROW(CHORUSACCT_E_CAPTCHA, "CAPTCHA",
        "The characters typed do not match the image; try again.",
        "Les caractères saisis ne correspondent pas à l'image ; "
        "réessayez."),
    ROW(CHORUSACCT_E_CAPTCHA_EXPIRED, "CAPTCHA_EXPIRED",
        "This verification code has expired or was already used; ask for "
        "a new one.",
        "Ce code de vérification a expiré ou a déjà servi ; demandez-en un "
        "nouveau."),
    ROW(CHORUSACCT_E_EMAIL_TAKEN, "EMAIL_TAKEN",
        "An account already uses this login e-mail address; log in, or ask "
        "for a new activation link.",
        "Un compte utilise déjà cette adresse de connexion ; connectez-vous, "
        "ou demandez un nouveau lien d'activation."),
    ROW(CHORUSACCT_E_COMPANY_NAME, "COMPANY_NAME",
        "Give the company name (1 to 200 characters, no control "
        "characters).",
        "Indiquez la raison sociale (1 à 200 caractères, sans caractère de "
        "contrôle)."),
    ROW(CHORUSACCT_E_ALREADY_DECIDED, "ALREADY_DECIDED",
        "This request has already been approved or rejected.",
        "Cette demande a déjà été acceptée ou refusée."),
    ROW(CHORUSACCT_E_NOT_MANAGER, "NOT_MANAGER",
        "Only an active manager of the structure can do this.",
        "Seul un gestionnaire actif de la structure peut le faire."),
    ROW(CHORUSACCT_E_REASON_REQUIRED, "REASON_REQUIRED",
        "Give the reason for the refusal (1 to 500 characters).",
        "Indiquez le motif du refus (1 à 500 caractères)."),
    ROW(CHORUSACCT_E_REASON_CHARACTER, "REASON_CHARACTER",
        "The reason must fit on one line: no line break, tab or other "
        "control character.",
        "Le motif doit tenir sur une ligne : ni saut de ligne, ni "
        "tabulation, ni autre caractère de contrôle."),
    ROW(CHORUSACCT_E_TOKEN_INVALID, "TOKEN_INVALID",
        "This activation link is not valid; use the latest link you "
        "received, or ask for a new one.",
        "Ce lien d'activation n'est pas valide ; utilisez le dernier lien "
        "reçu, ou demandez-en un nouveau."),
    ROW(CHORUSACCT_E_TOKEN_EXPIRED, "TOKEN_EXPIRED",
        "This activation link has expired; ask for a new one.",
        "Ce lien d'activation a expiré ; demandez-en un nouveau."),
    ROW(CHORUSACCT_E_ALREADY_ACTIVE, "ALREADY_ACTIVE",
        "This account is already active; you can log in.",
        "Ce compte est déjà actif ; vous pouvez vous connecter."),
    ROW(CHORUSACCT_E_THROTTLED, "THROTTLED",
        "Too many attempts; wait a while before trying again.",
        "Trop de tentatives ; patientez avant de réessayer."),
    ROW(CHORUSACCT_E_LOCKED, "LOCKED",
        "This account is locked for a while after several failed logins.",
        "Ce compte est bloqué pour un moment après plusieurs échecs de "
        "connexion."),
    ROW(CHORUSACCT_E_CREDENTIALS, "CREDENTIALS",
        "Wrong e-mail address or password.",
        "Adresse électronique ou mot de passe incorrect."),
    ROW(CHORUSACCT_E_STATE, "STATE",
        "This is not possible in the current state of the account.",
        "Ce n'est pas possible dans l'état actuel du compte."),
    ROW(CHORUSACCT_E_DRAFT_EXPIRED, "DRAFT_EXPIRED",
        "Your registration was left unfinished for too long; start again.",
        "Votre inscription est restée inachevée trop longtemps ; "
        "recommencez."),
    ROW(CHORUSACCT_E_NOT_ACTIVE, "NOT_ACTIVE", "This account is not active.",
        "Ce compte n'est pas actif."),
    ROW(CHORUSACCT_E_PRINCIPAL, "PRINCIPAL",
        "The principal manager must hand the role to another active "
        "account first.",
        "Le gestionnaire principal doit d'abord transmettre ce rôle à un "
        "autre compte actif."),
    ROW(CHORUSACCT_E_RESEND_COOLDOWN, "RESEND_COOLDOWN",
        "A link was sent a moment ago; wait a minute before asking again.",
        "Un lien vient d'être envoyé ; patientez une minute avant de le "
        "redemander."),
    ROW(CHORUSACCT_E_RESEND_QUOTA, "RESEND_QUOTA",
        "Too many links were sent today; try again tomorrow.",
        "Trop de liens ont été envoyés aujourd'hui ; réessayez demain."),
    ROW(CHORUSACCT_E_TOKEN_USED, "TOKEN_USED",
        "This activation link was already used.",
        "Ce lien d'activation a déjà été utilisé."),
    ROW(CHORUSACCT_E_TEMPLATE, "TEMPLATE",
        "The template uses an unknown placeholder or unbalanced braces.",
        "Le modèle utilise une variable inconnue ou des accolades non "
        "appariées."),
    ROW(CHORUSACCT_E_ROLE, "ROLE",
        "Unknown role, or a role that cannot be given this way.",
        "Rôle inconnu, ou rôle qui ne peut pas être attribué ainsi."),
    ROW(CHORUSACCT_E_SELF, "SELF", "You cannot do this to your own account.",
        "Vous ne pouvez pas faire cela sur votre propre compte."),
    ROW(CHORUSACCT_E_CAPTCHA_REQUIRED, "CAPTCHA_REQUIRED",
        "Type the characters shown in the image: the verification code is "
        "required.",
        "Saisissez les caractères affichés dans l'image : le code de "
        "vérification est obligatoire."),
};

#undef ROW

static const status_text *status_find(int code)
{
    if (code > 0 || (size_t) - (long)code >= CA_ARRAY_LEN(status_table))
        return NULL;
    const status_text *t = &status_table[-code];
    return t->name != NULL ? t : NULL;
}

const char *chorusacct_strerror(int code, int lang)
{
    const status_text *t = status_find(code);
    if (t == NULL)
        return ca_lang_pick(lang, "Unknown status code.",
                            "Code d'état inconnu.");
    return ca_lang_pick(lang, t->en, t->fr);
}

const char *chorusacct_status_name(int code)
{
    const status_text *t = status_find(code);
    return t != NULL ? t->name : "UNKNOWN";
}

int chorusacct_status_from_name(int *out, const char *name)
{
    static const char prefix[] = "CHORUSACCT_E_";

    if (out == NULL || name == NULL)
        return CHORUSACCT_E_ARG;
    if (strncmp(name, prefix, sizeof prefix - 1) == 0)
        name += sizeof prefix - 1;
    for (size_t i = 0; i < CA_ARRAY_LEN(status_table); i++) {
        const status_text *t = &status_table[i];
        if (t->name != NULL && strcmp(t->name, name) == 0) {
            *out = -(int)i;
            return CHORUSACCT_OK;
        }
    }
    return CHORUSACCT_E_NOTFOUND;
}

int chorusacct_lang_from_tag(int *out, const char *tag)
{
    if (out == NULL || tag == NULL)
        return CHORUSACCT_E_ARG;
    /* The primary subtag, then end of string or a subtag separator. */
    char a = tag[0], b = a != '\0' ? tag[1] : '\0';
    char end = b != '\0' ? tag[2] : '\0';
    if (end != '\0' && end != '-' && end != '_' && end != '.')
        return CHORUSACCT_E_NOTFOUND;
    a = (char)(a | 0x20);
    b = (char)(b | 0x20);
    if (a == 'f' && b == 'r')
        *out = CHORUSACCT_LANG_FR;
    else if (a == 'e' && b == 'n')
        *out = CHORUSACCT_LANG_EN;
    else
        return CHORUSACCT_E_NOTFOUND;
    return CHORUSACCT_OK;
}
