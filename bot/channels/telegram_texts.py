"""What the Telegram channel itself says (the flows say everything else), by
message id, in French and English, and the command menu of both languages."""

from __future__ import annotations

from typing import Literal

Language = Literal["fr", "en"]
TextId = Literal[
    "edited",
    "text_only",
    "stale_button",
    "already_answered",
    "choose_one",
    "choose_language",
    "language_set",
    "try_again",
]

_TEXTS: dict[TextId, dict[Language, str]] = {
    "edited": {
        "fr": "J'ai vu que vous avez modifié un message : je ne prends en compte que les "
        "nouveaux messages. Pour changer votre réponse précédente, écrivez « retour ».",
        "en": "I saw you edited a message: I only take new messages into account. To change "
        'your previous answer, write "back".',
    },
    "text_only": {
        "fr": "Désolé, je ne comprends que le texte pour l'instant. Pouvez-vous écrire "
        "votre réponse ?",
        "en": "Sorry, I only understand text for now. Could you write your answer?",
    },
    "stale_button": {
        "fr": "Ce bouton n'est plus valable. Écrivez votre réponse, s'il vous plaît.",
        "en": "This button is no longer valid. Please write your answer.",
    },
    "already_answered": {
        "fr": "Vous avez déjà répondu à cette question.",
        "en": "You already answered this question.",
    },
    "choose_one": {
        "fr": "Cochez au moins une réponse, puis « OK ».",
        "en": "Tick at least one answer, then “OK”.",
    },
    "choose_language": {
        "fr": "Choisissez votre langue / Choose your language",
        "en": "Choose your language / Choisissez votre langue",
    },
    "language_set": {
        "fr": "Je vous parlerai en français.",
        "en": "I will speak English with you.",
    },
    "try_again": {
        "fr": "Un problème technique m'empêche de répondre. Réessayez dans un instant, "
        "s'il vous plaît.",
        "en": "A technical problem prevents me from answering. Please try again in a moment.",
    },
}

# Command -> description, per language. Names are Telegram's (a-z, 0-9, _).
COMMAND_MENU: dict[Language, tuple[tuple[str, str], ...]] = {
    "fr": (
        ("start", "Commencer la consultation"),
        ("help", "Aide sur la question en cours"),
        ("stop", "Faire une pause"),
        ("restart", "Recommencer depuis le début"),
        ("supprimer", "Supprimer mes données"),
        ("langue", "Changer de langue"),
    ),
    "en": (
        ("start", "Start the consultation"),
        ("help", "Help with the current question"),
        ("stop", "Take a break"),
        ("restart", "Start again from the beginning"),
        ("supprimer", "Delete my data"),
        ("langue", "Change language"),
    ),
}


def say(text_id: TextId, language: str | None) -> str:
    return _TEXTS[text_id]["en" if language == "en" else "fr"]
