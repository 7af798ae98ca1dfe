"""Requests to send or finish the answers ("envoyer mes réponses", "c'est bon,
envoyez", "that's all, send it"): the `send` command, at any question.

A request to send is read by its whole message: done-words ("c'est tout",
"j'ai fini", "that's all"), a request ("vous pouvez", "you can"), the verb and
what is sent ("mes réponses", "le questionnaire", "them"), and nothing else,
so that "envoyer plus de bus le dimanche" stays an answer. A request to send
also shares words with erasing ("mes réponses") and starting over ("le
questionnaire"), and is neither unless it says so in their own verbs.
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


# Saying one is done, before the request: "c'est bon", "c'est tout", "ok",
# "j'ai fini", "that's all", "i'm done" (the words of `command_words`: "c'est"
# is "c est", "svp" and "please" are dropped).
_DONE = (
    r"(?:ok|okay|oki|bon|ben|bah|alors|voila|parfait|super|merci|bien|good|great|fine|well|so"
    r"|thanks|thank you|oui|yes|yep|yeah|et|and|puis|then"
    r"|c est (?:bon|tout|fini|ok|parfait|termine|good)|c (?:bon|tout|fini|ok)"
    r"|(?:ca|ce) (?:sera|ira) tout|ca ira|tout est (?:bon|ok|juste)|pour moi"
    r"|(?:je|j) (?:ai|pense avoir|crois avoir) (?:fini|termine|tout (?:dit|repondu))"
    r"|(?:je|j) (?:pense que|crois que) c est (?:bon|tout)"
    r"|that s (?:all|it|everything)|that is (?:all|it)|all good|all done|done"
    r"|i m (?:done|finished)|i am (?:done|finished)|i ve finished|i have finished|i think)"
)
# Asking: "vous pouvez", "merci de", "you can", "i want to".
_ASKING = (
    r"(?:vous pouvez|tu peux|pouvez vous|peux tu|vous pourriez|on peut|merci de|merci d"
    r"|je veux|je voudrais|je souhaite|(?:je|j) aimerais|(?:je|j)"
    r"|you can|can you|could you|you may|i want to|i d like to|i would like to|let s|lets)"
)
_SEND_VERB = (
    r"(?:envoyer|envoyez|envoie|envoi|envoyons|valider|validez|validons|transmettre"
    r"|transmettez|soumettre|soumettez|(?:terminer|finir|terminez|valider) et (?:envoyer|valider)"
    r"|send|submit|send off|send in|hand in|turn in)"
)
# "je valide", "validé" alone approve (a yes, an option called "Valider"):
# they send only what they name ("je valide mes réponses").
_APPROVE_VERB = r"valide"
# What is sent: "mes réponses", "le tout", "them", "the survey".
_SENT = (
    r"(?:(?:les|le|la|mes|ma|mon|tout|toutes|tous|the|my|all|all my|all the|this|your)"
    r" )*(?:reponses?|questionnaire|participation|contribution|formulaire|avis|sondage|enquete"
    r"|answers?|responses?|survey|questionnaire|form|contribution|feedback|tout|ca|cela"
    r"|le tout|them|it|everything|that)"
)
_ASKS_TO_SEND = re.compile(
    rf"(?:{_DONE} )*(?:{_ASKING} )?(?:les |le |la )?"
    rf"(?:{_SEND_VERB}(?: {_SENT})?|{_APPROVE_VERB} {_SENT})"
    r"(?: (?:maintenant|alors|now|then|directement|right away|svp))?"
)


def asks_to_send(text: str) -> bool:
    """Whether `text`, the whole of it, asks to send or finish the answers."""
    if len(text) > FRAMED_CHARS:
        return False
    return _ASKS_TO_SEND.fullmatch(" ".join(command_words(text))) is not None
