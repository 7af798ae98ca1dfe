"""Commands said at length, recognised by how they are framed: a request that
names the conversation itself ("ce que je vous ai écrit", "mes réponses", "la
question précédente", "une vraie personne"). The frame is what tells "pourriez-
vous effacer tout ce que je vous ai écrit" (erase my data) from "il faudrait
effacer les tags sur les murs" (an answer): the verb alone does not.

Patterns run on folded text (no accents, lower case) of messages of at most
`MAX_WORDS` words; longer messages are contributions.
"""

from __future__ import annotations

import re

from nlu.interpretation import CommandName
from nlu.normalize import fold

MAX_WORDS = 25
_SAID = (
    r"(?:tout )?ce que je (?:vous |t )?(?:ai|avais) "
    r"(?:dit|ecrit|donne|envoye|raconte|repondu|saisi)"
    r"|(?:toutes |tous )?mes (?:reponses|donnees|informations|infos|messages|coordonnees)"
    r"|(?:toutes )?les reponses que je (?:vous )?ai (?:donnees|envoyees|ecrites)"
    r"|(?:tout )?ce que vous (?:avez|savez|gardez|conservez) sur moi"
)
_PERSON = (
    r"humain|etre humain|vraie personne|personne (?:reelle|physique|de l equipe)"
    r"|(?:avec|a) une personne$"
    r"|vrai (?:humain|gens|quelqu un)|quelqu un de (?:reel|l equipe|la mairie)"
)
_PREVIOUS = (
    r"(?:question|reponse) (?:precedente|d avant)|derniere (?:question|reponse)"
    r"|(?:repondu|reponse) (?:juste avant|tout a l heure)"
)
_THIS_ONE = r"celle[ -]?(?:ci|la)|cette question|a ca|a celle"
_DELETE_FR = (
    rf"\b(?:supprim|effac|oubli|retir|detrui)\w*\b.*\b(?:{_SAID})\b"
    rf"|\b(?:{_SAID})\b.*\b(?:soient|soit|etre) (?:supprim|effac|detrui|retir)\w*"
)
_DELETE_EN = (
    r"\b(?:delete|erase|remove|wipe|forget)\b.*\b(?:everything i|all (?:the |my )?"
    r"(?:answers|data|messages)|(?:the )?answers i|my (?:answers|data|messages|information)"
    r"|what i (?:said|wrote|told you|answered|gave you))\b"
)
_HUMAN_FR = (
    rf"\b(?:parler|discuter|echanger|contact|joindre|rappel)\w*\b.*\b(?:{_PERSON})\b"
    r"|\b(?:quelqu un|un humain|une personne|un conseiller|une conseillere|un agent)\b"
    r".*\b(?:m appeler|me rappeler|me contacter|me telephoner|m ecrire)\b"
    r"|\b(?:avoir|passez moi|passe moi|mettre en relation avec|veux|voudrais|aimerais)"
    r" (?:un|une) (?:vrai|vraie|etre) (?:humain|personne)\b"
)
_HUMAN_EN = (
    r"\b(?:talk|speak|chat)\b.*\b(?:human|real person|actual person|someone from|a person)\b"
    r"|\b(?:human|person|someone|somebody|agent|advisor)\b.*\b(?:call|ring|phone|contact) me\b"
    r"|\b(?:get|give|want|need|connect|transfer|put)\b(?: me)?(?: to| through to)?"
    r" (?:a|an|some) (?:real )?(?:human|person|agent|operator)\b"
)
_BACK_FR = (
    r"\b(?:trompe|tromper|erreur|faute|mal repondu|corriger|modifier|changer)\w*\b"
    rf".*\b(?:{_PREVIOUS})\b"
)
_BACK_EN = (
    r"\b(?:mistake|wrong|change|fix|correct)\b.*\b(?:previous|last) (?:question|answer|one)\b"
    r"|\b(?:previous|last) (?:question|answer|one)\b.*\b(?:wrong|mistake)\b"
    r"|\bmade a mistake (?:earlier|before|just now)\b"
)
_SKIP_FR = (
    r"\b(?:pas envie|prefere(?:rais)? ne pas|veux pas|souhaite pas|prefere pas)\b"
    rf".*\brepondre\b.*\b(?:{_THIS_ONE})\b"
)
# Keeping the answer to oneself: "je préfère garder ça pour moi", "c'est personnel".
_PRIVATE_FR = (
    r"\b(?:garder|garde) (?:ca|cela|cette info\w*|l info|la reponse) pour moi\b"
    r"|\bca ne vous regarde pas\b|\bca vous regarde pas\b"
)
_SKIP_EN = (
    r"\b(?:rather not|don t want to|do not want to|prefer not to|won t|will not|not going to"
    r"|refuse to)\b.*\banswer\b"
    r".*\b(?:this|that|it)\b"
)
# Not understanding the question itself: "je vois pas trop ce que vous demandez".
_HELP_FR = (
    r"\b(?:comprends|comprend|compris|vois|saisis|pige|capte)\b.*\b(?:pas|rien)\b.*"
    r"\b(?:ce que vous|ce que tu|la question|ce qu il faut|ce qu on (?:me|attend)|quoi repondre)\b"
)
_HELP_EN = (
    r"\b(?:don t|do not|didn t|can t) (?:understand|get)\b.*"
    r"\b(?:the question|what you|what i should|what to answer|what this)\b"
)
# Starting the questionnaire over: "je voudrais reprendre le questionnaire du début".
# Politeness that may close a request: "on reprend au début svp".
_POLITE_END = r"(?: svp| stp| merci| s il vous plait| please| thanks)*$"
_RESTART_FR = (
    r"\b(?:recommencer|reprendre|refaire|redemarrer|recommence|reprend)\b"
    r"(?: tout| le questionnaire| la consultation| les questions)?"
    rf" (?:depuis le debut|du debut|au debut|a zero|de zero){_POLITE_END}"
    r"|\b(?:recommencer|reprendre|refaire) (?:le questionnaire|la consultation)\b"
    r"|\btout (?:recommencer|reprendre|refaire)$"
)
# No more messages: "vous pouvez arrêter de m'écrire ?", "stop messaging me".
_NO_MORE = (
    r"\b(?:arret|stop|cess)\w*\b (?:de m ecrire|de m envoyer|les messages|les questions"
    r"|de me (?:contacter|relancer|harceler|poser des questions))\b"
    r"|\bstop (?:messaging|texting|contacting|writing to) me\b"
)
# Erasing everything, said last: "je veux tout effacer", "supprimez tout".
_DELETE_ALL = (
    r"^(?:(?:je veux|je voudrais|j aimerais|je souhaite|vous pouvez|pouvez vous|pourriez vous"
    r"|svp|stp|please|can you|could you) )?"
    r"(?:tout (?:effacer|supprimer)|(?:effacer|supprimer|effacez|supprimez|efface|supprime) tout"
    rf"|(?:delete|erase|wipe) (?:it all|everything)){_POLITE_END}"
)
_SKIP_ANY = (
    r"\b(?:skip|pass on)\b (?:this|that|it|the question|this question|this one|that one)\b"
    r"|\bpasser (?:cette question|celle ci|celle la|mon tour)\b|\bje passe mon tour\b"
)
_STOP_FR = r"\b(?:on peut|on va|je vais|je prefere|restons) en rester la\b|\brestons en la\b"
_FRAMES: tuple[tuple[CommandName, re.Pattern[str]], ...] = (
    ("delete_data", re.compile(f"{_DELETE_FR}|{_DELETE_EN}")),
    ("human", re.compile(f"{_HUMAN_FR}|{_HUMAN_EN}")),
    ("back", re.compile(f"{_BACK_FR}|{_BACK_EN}")),
    ("skip", re.compile(f"{_SKIP_FR}|{_PRIVATE_FR}|{_SKIP_EN}|{_SKIP_ANY}")),
    ("help", re.compile(f"{_HELP_FR}|{_HELP_EN}")),
    ("stop", re.compile(_NO_MORE)),
    ("delete_data", re.compile(_DELETE_ALL)),
)
# Said without a request's "je"/"vous": a question about who reads the
# conversation ("y a-t-il un humain qui lit ça ?") and "on peut en rester là".
_WHO_READS = (
    r"^(?:(?:mais|et|bonjour|allo) )?(?:y a t il|est ce qu il y a|il y a|y a) "
    r"(?:un humain|un etre humain|une vraie personne|quelqu un de (?:reel|vrai))\b"
)
# A question about one's own contribution: "où en est ma contribution ?",
# "ma réponse a été publiée ?", "what happened to my contribution?".
_MINE_FR = r"\b(?:ma|mes) (?:contribution|participation|reponse|avis|proposition)s?\b"
_STATUS_FR = (
    rf"\b(?:ou en (?:est|sont)|qu est devenue?s?|que (?:devient|deviennent)|statut|suivi|etat)\b"
    rf".*{_MINE_FR}"
    rf"|{_MINE_FR}.*\b(?:publiee?s?|retenue?s?|prise?s? en compte|lue?s?|validee?s?|acceptee?s?)\b"
)
_MINE_EN = r"\bmy (?:contribution|submission|answers?|response|feedback)s?\b"
_STATUS_EN = (
    rf"\b(?:status|where is|what happened to|what s happening with|track)\b.*{_MINE_EN}"
    rf"|{_MINE_EN}.*\b(?:published|accepted|read|taken into account)\b"
)
_UNADDRESSED: tuple[tuple[CommandName, re.Pattern[str]], ...] = (
    ("human", re.compile(_WHO_READS)),
    # "on reprend au début": the questionnaire, whoever says it
    ("restart", re.compile(_RESTART_FR)),
    ("stop", re.compile(_STOP_FR)),
    ("status", re.compile(f"{_STATUS_FR}|{_STATUS_EN}")),
)
# The code a completed contribution is given ("MOB-7K3Q"), sent alone to ask
# where that contribution is. Its part after the dash starts with a digit, so
# that a word such as "demi-tour" or "auto-stop" is never one.
RECEIPT_CODE = re.compile(r"([A-Za-z]{2,4})-([2-9][0-9A-Za-z]{3})")


def receipt_code(text: str) -> str | None:
    """The receipt code `text` is (spaces and a final "?" aside), upper case; else None."""
    found = RECEIPT_CODE.fullmatch(text.strip().rstrip("?!. ").strip())
    return f"{found[1]}-{found[2]}".upper() if found else None


# A request is made in the first or second person: "je voudrais...", "pouvez-
# vous...", "can you...", "let me..."; "il faudrait effacer..." is an opinion.
_REQUEST = re.compile(
    r"\b(?:je|j|me|m|moi|vous|pouvez|pourriez|svp|stp|plait|i|me|my|you|can|could|please|let)\b"
    r"|\b(?:on peut|peut on|est ce qu on|on pourrait|can we|could we)\b"
    # an apology says the resident speaks to the bot: "oops, previous answer was wrong"
    r"|\b(?:oops|oups|sorry|desole|desolee|pardon|my bad)\b"
)


def framed_command(text: str) -> CommandName | None:
    """The command a request framed as one asks for, or None."""
    folded = fold(text[:400]).replace("'", " ")
    folded = re.sub(r"[^a-z0-9 -]", " ", folded)
    if len(folded.split()) > MAX_WORDS:
        return None
    folded = " ".join(folded.split())
    for name, pattern in _UNADDRESSED:
        if pattern.search(folded):
            return name
    if not _REQUEST.search(folded):
        return None
    for name, pattern in _FRAMES:
        if pattern.search(folded):
            return name
    return None
