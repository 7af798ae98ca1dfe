"""The engine's own texts, in French and English.

Organizers write the questions, the consent, the intro and the outro; everything
else the bot says comes from here. `say(key, lang, **values)` fills a template.
Languages other than these fall back to English. The command words quoted in the
texts are those `nlu` recognises.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

ENGINE_LANGUAGES = ("fr", "en")
FALLBACK = "en"

TEXTS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        # key: (fr, en)
        "yes": ("Oui", "Yes"),
        "no": ("Non", "No"),
        "skip": ("Passer", "Skip"),
        "resume": ("Reprendre", "Resume"),
        "restart": ("Recommencer", "Start again"),
        "delete_yes": ("Oui, supprimer", "Yes, delete"),
        "delete_no": ("Non, garder", "No, keep them"),
        "consent_thanks": ("Merci ! C'est parti.", "Thank you! Let's begin."),
        "consent_refused": (
            "Entendu, je n'ai rien enregistré. Si vous changez d'avis, écrivez-moi à tout moment.",
            "All right, nothing has been recorded. If you change your mind, "
            "write to me at any time.",
        ),
        "before_consent_help": (
            "Je recueille les réponses à la consultation « {title} ». Rien n'est "
            "enregistré tant que vous n'avez pas donné votre accord. Répondez « oui » "
            "pour commencer ou « non » pour refuser.",
            'I collect answers to the consultation "{title}". Nothing is recorded '
            'until you agree. Answer "yes" to begin or "no" to decline.',
        ),
        "before_consent_stop": (
            "Entendu, je n'ai rien enregistré. Écrivez-moi quand vous voudrez participer.",
            "All right, nothing has been recorded. Write to me whenever you want to take part.",
        ),
        "before_consent_delete": (
            "Rien n'est enregistré à votre sujet : vous n'avez pas encore donné votre accord.",
            "Nothing about you is recorded: you have not agreed yet.",
        ),
        "before_consent_human": (
            "Un membre de l'équipe ne peut lire cette conversation que si vous acceptez "
            "qu'elle soit enregistrée. Répondez « oui » pour commencer, puis écrivez "
            "« humain » à tout moment.",
            "A member of the team can read this conversation only if you agree to it "
            'being recorded. Answer "yes" to begin, then write "human" at any time.',
        ),
        "not_started": ("Nous n'avons pas encore commencé.", "We have not started yet."),
        "not_open": (
            "La consultation « {title} » ouvrira le {date}. Revenez à partir de cette date !",
            'The consultation "{title}" opens on {date}. Please come back then!',
        ),
        "closed": (
            "La consultation « {title} » a pris fin le {date}. Merci de votre intérêt !",
            'The consultation "{title}" ended on {date}. Thank you for your interest!',
        ),
        "closed_help": (
            "Cette consultation est terminée : elle ne reçoit plus de réponses. Vous "
            "pouvez encore écrire « supprimer mes données » ou « humain ».",
            "This consultation has ended and takes no more answers. You can still "
            'write "delete my data" or "human".',
        ),
        "commands": (
            "À tout moment, vous pouvez écrire : « retour » (question précédente), "
            "« passer » (question facultative), « stop » (pause), « recommencer », "
            "« humain » (parler à une personne), « supprimer mes données ».",
            'At any time you can write: "back" (previous question), "skip" (optional '
            'question), "stop" (pause), "restart", "human" (talk to a person), '
            '"delete my data".',
        ),
        # What a question expects, by kind (help and re-asks).
        "expect_yes_no": ("Répondez par oui ou par non.", "Answer yes or no."),
        "expect_choice": ("Choisissez une réponse : {labels}.", "Choose one answer: {labels}."),
        "expect_multi_choice": (
            "Choisissez une ou plusieurs réponses parmi : {labels}, séparées par des virgules.",
            "Choose one or more answers among: {labels}, separated by commas.",
        ),
        "expect_selections": (
            " (de {low} à {high} réponses)",
            " ({low} to {high} answers)",
        ),
        "expect_number": ("Écrivez un nombre entier{bounds}.", "Write a whole number{bounds}."),
        "bounds_both": (" entre {low} et {high}", " between {low} and {high}"),
        "bounds_low": (" supérieur ou égal à {low}", " of at least {low}"),
        "bounds_high": (" inférieur ou égal à {high}", " of at most {high}"),
        "expect_scale": ("Donnez une note de {low} à {high}.", "Give a mark from {low} to {high}."),
        "expect_free_text": (
            "Écrivez votre réponse librement{limit}.",
            "Write your answer freely{limit}.",
        ),
        "limit": (" ({n} caractères au plus)", " ({n} characters at most)"),
        "expect_postal_code": (
            "Écrivez votre code postal à cinq chiffres, par exemple 45000.",
            "Write your five-digit postal code, for example 45000.",
        ),
        "expect_commune": (
            "Écrivez le nom de votre commune ou son code postal, par exemple Orléans.",
            "Write the name of your commune or its postal code, for example Orléans.",
        ),
        "expect_date": (
            "Écrivez une date, par exemple 14/07/2026{range}.",
            "Write a date, for example 2026-07-14{range}.",
        ),
        "date_range_both": (" (entre le {low} et le {high})", " (between {low} and {high})"),
        "date_range_low": (" (à partir du {low})", " (from {low})"),
        "date_range_high": (" (jusqu'au {high})", " (until {high})"),
        # Confirming an answer the bot is not sure of (flows.confirmation).
        "confirm_one": ("Vous voulez dire « {answer} » ?", 'Did you mean "{answer}"?'),
        "confirm_which": ("Vous voulez dire :", "Did you mean:"),
        "confirm_other": ("Autre", "Other"),
        "confirm_no": ("Entendu.", "All right."),
        "confirm_unclear": (
            "Je n'ai pas compris : je repose la question.",
            "I did not understand: let me ask again.",
        ),
        # Why an answer was not taken (nlu.RejectReason).
        "reject_empty": ("Je n'ai pas reçu de réponse.", "I did not receive an answer."),
        "reject_not_understood": (
            "Je n'ai pas compris votre réponse.",
            "I did not understand your answer.",
        ),
        "reject_ambiguous": (
            "Votre réponse peut correspondre à plusieurs choix.",
            "Your answer could mean several choices.",
        ),
        "reject_out_of_range": (
            "Cette valeur est en dehors des limites.",
            "That value is out of bounds.",
        ),
        "reject_approximate": ("Il me faut un nombre précis.", "I need a precise number."),
        "reject_too_long": ("Votre réponse est trop longue.", "Your answer is too long."),
        "reject_too_few": ("Il faut choisir plus de réponses.", "Please choose more answers."),
        "reject_too_many": ("Vous avez choisi trop de réponses.", "You chose too many answers."),
        "reject_unknown_postal_code": (
            "Je ne connais pas ce code postal.",
            "I do not know that postal code.",
        ),
        "reject_unknown_commune": (
            "Je ne trouve pas cette commune.",
            "I cannot find that commune.",
        ),
        "tries_help": (
            "Cette question semble poser problème. {expectation} Si besoin, écrivez "
            "« humain » : un membre de l'équipe lira la conversation et vous répondra.",
            "This question seems to be a problem. {expectation} If you need to, write "
            '"human": a member of the team will read the conversation and reply.',
        ),
        "tries_skip": (
            "Cette question semble poser problème ; elle est facultative, passons à la suivante.",
            "This question seems to be a problem; it is optional, so let's move on.",
        ),
        "skip_refused": (
            "Cette question est obligatoire : elle ne peut pas être passée.",
            "This question needs an answer: it cannot be skipped.",
        ),
        "back_first": (
            "C'est la première question : il n'y a pas de question précédente.",
            "This is the first question: there is no previous one.",
        ),
        "back_to": (
            "Revenons à la question précédente. Votre réponse était : {answer}.",
            "Back to the previous question. Your answer was: {answer}.",
        ),
        "back_to_skipped": (
            "Revenons à la question précédente (vous l'aviez passée).",
            "Back to the previous question (you had skipped it).",
        ),
        "paused": (
            "C'est noté, la consultation est en pause. Vos réponses sont gardées ; "
            "écrivez-moi quand vous voulez pour reprendre.",
            "Noted, the consultation is paused. Your answers are kept; write to me "
            "whenever you want to carry on.",
        ),
        "resume_offer": (
            "Votre participation est en pause. Voulez-vous reprendre où vous en étiez, "
            "ou recommencer depuis le début ?",
            "Your participation is paused. Do you want to carry on where you were, "
            "or start again from the beginning?",
        ),
        "welcome_back": (
            "Bon retour ! Vous aviez commencé la consultation « {title} ».",
            'Welcome back! You had started the consultation "{title}".',
        ),
        "resumed": ("On reprend.", "Let's carry on."),
        "restarted": (
            "On recommence depuis le début ; vos réponses précédentes ne comptent plus.",
            "Starting again from the beginning; your earlier answers no longer count.",
        ),
        "where_we_were": ("Nous en étions à cette question :", "We were at this question:"),
        "already_completed": (
            "Vous avez déjà répondu à cette consultation, merci ! Écrivez « retour » "
            "pour changer votre dernière réponse, « recommencer » pour tout reprendre, "
            "ou « supprimer mes données » pour effacer vos réponses.",
            'You have already answered this consultation, thank you! Write "back" to '
            'change your last answer, "restart" to answer again, or "delete my data" '
            "to erase your answers.",
        ),
        "delete_confirm": (
            "Voulez-vous vraiment supprimer vos réponses et notre conversation ? "
            "Cela ne peut pas être annulé.",
            "Do you really want to delete your answers and our conversation? "
            "This cannot be undone.",
        ),
        "delete_help": (
            "Répondez « oui » pour supprimer définitivement vos réponses et notre "
            "conversation, ou « non » pour les garder.",
            'Answer "yes" to delete your answers and our conversation for good, or '
            '"no" to keep them.',
        ),
        "deleted": (
            "Vos réponses et notre conversation ont été supprimées. Au revoir ! "
            "Vous pouvez revenir participer quand vous voulez.",
            "Your answers and our conversation have been deleted. Goodbye! "
            "You are welcome to take part again at any time.",
        ),
        "delete_cancelled": ("Rien n'a été supprimé.", "Nothing was deleted."),
        "human": (
            "C'est noté : un membre de l'équipe de la consultation lira cette "
            "conversation et vous répondra ici, en général sous quelques jours ouvrés.",
            "Noted: a member of the consultation team will read this conversation and "
            "reply here, usually within a few working days.",
        ),
        "carry_on": (
            "En attendant, vous pouvez continuer à répondre.",
            "Meanwhile you can carry on answering.",
        ),
        "human_already": (
            "Votre demande est déjà transmise : un membre de l'équipe lira cette "
            "conversation et vous répondra ici.",
            "Your request has already been passed on: a member of the team will read "
            "this conversation and reply here.",
        ),
        "language_changed": (
            "D'accord, je continue en français.",
            "All right, I will carry on in English.",
        ),
        "language_unavailable": (
            "Cette consultation n'est disponible qu'en : {languages}.",
            "This consultation is only available in: {languages}.",
        ),
        "several": ("(plusieurs réponses possibles)", "(several answers possible)"),
        "and": ("et", "and"),
    }
)

_LANGUAGE_NAMES: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {"fr": ("français", "French"), "en": ("anglais", "English")}
)
_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def engine_language(lang: str) -> str:
    return lang if lang in ENGINE_LANGUAGES else FALLBACK


def say(key: str, lang: str, **values: object) -> str:
    fr, en = TEXTS[key]
    template = fr if engine_language(lang) == "fr" else en
    return template.format(**values) if values else template


def language_name(code: str, lang: str) -> str:
    names = _LANGUAGE_NAMES.get(code)
    if names is None:
        return code
    return names[0] if engine_language(lang) == "fr" else names[1]


def format_date(day: dt.date, lang: str) -> str:
    if engine_language(lang) == "fr":
        first = "1er" if day.day == 1 else str(day.day)
        return f"{first} {_MONTHS_FR[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
