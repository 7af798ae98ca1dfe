"""Requests to send or finish the answers ("envoyer mes réponses", "je valide",
"submit the survey"), told apart from the commands that would undo them: a
request to send shares words with erasing ("mes réponses") and starting over
("le questionnaire"), and is neither unless it says so in their own verbs.
"""

from __future__ import annotations

import re

from nlu.command_frames import FRAMED_CHARS
from nlu.commands import command_words
from nlu.interpretation import CommandName

# Sending or finishing the answers: "envoyer mes réponses", "je valide",
# "submit the survey". The review step takes it (flows/review.py); at a
# question it is no request to erase them or to start over, whose words it
# may share ("mes réponses", "le questionnaire"), unless that request's own
# verb is said too ("supprimez ce que je vous ai envoyé") or the sending is
# denied ("ne les envoyez pas").
_SENDING = re.compile(
    r"\b(?:envoi|envoie|envoies|envoient|envoyer|envoyez|envoyons|valide|valider|validez"
    r"|validons|transmets|transmet|transmettre|transmettez|soumets|soumet|soumettre|soumettez"
    r"|termine|terminer|terminez|fini|finir|finis|send|sending|submit|submitting|finish"
    r"|finished|done)\b"
)
_UNDOING: dict[CommandName, re.Pattern[str]] = {
    "delete_data": re.compile(
        r"\b(?:supprim|suppr|effac|oubli|retir|detrui|rgpd|consent|consens|delete|erase|remove"
        r"|wipe|forget|scrap|rid|gdpr|withdraw)"
    ),
    "restart": re.compile(
        r"\b(?:recommen|reprend|repren|refai|redemar|reinitiali|relanc|repar|zero|debut|depart"
        r"|restart|reset|start|begin|redo|scratch|over|again)"
    ),
}
_DENIED = re.compile(r"\b(?:ne|n|pas|jamais|not|never|don t|do not|dont)\b")


def sends_instead(text: str, command: CommandName) -> bool:
    """Whether `text` asks to send or finish the answers rather than for
    `command`, when `command` would erase them or start over."""
    undoing = _UNDOING.get(command)
    if undoing is None:
        return False
    said = " ".join(command_words(text[:FRAMED_CHARS]))
    return (
        _SENDING.search(said) is not None
        and undoing.search(said) is None
        and _DENIED.search(said) is None
    )
