"""Yes or no, in everyday French and English, hedges included.

"ouais carrément", "plutôt oui", "👍" are yes; "pas vraiment", "je crois pas",
"nope" are no; "ça dépend", "maybe", "oui et non" are neither. The message is
read clause by clause ("oui mais seulement en semaine" answers in its first
clause); a correction ("oui... non en fait non", "yes, actually no") makes the
last word count.
"""

from __future__ import annotations

from typing import Literal

from nlu.interpretation import Answer, Reject
from nlu.normalize import MAX_PARSED_CHARS, tokens, word_set
from nlu.phrases import Found, PhraseIndex

Cue = Literal["yes", "no", "unsure", "negator", "correction"]

# Replies that are yes or no only when they are the whole message: "je ne veux
# pas" refuses, "je ne veux pas répondre" asks to skip the question.
_ALONE = {
    "je ne veux pas": False,
    "je veux pas": False,
    "je n en veux pas": False,
    "i don t want to": False,
    "i don t want": False,
    "i do not want to": False,
    "i don t": False,
    "i do not": False,
    "100": True,
    "a 100": True,
    "always": True,
    "go": True,
    "toujours": True,
}
_NEGATORS = ("pas", "not", "ne")
_BREAKS = ("mais", "but", "sauf", "except")
_EMOJI = {
    "👍": " oui ",
    "👌": " oui ",
    "✅": " oui ",
    "✔": " oui ",
    "☑": " oui ",
    "🙆": " oui ",
    "👎": " non ",
    "❌": " non ",
    "✖": " non ",
    "🙅": " non ",
    "⛔": " non ",
    "🤷": " sais pas ",
}
_CLAUSE_ENDS = ",.;:!?…\n()"


class YesNoParser:
    def __init__(self) -> None:
        self._index: PhraseIndex[Cue] = PhraseIndex()
        # Explicit multi-word phrases first so that they win over their words.
        groups: tuple[tuple[Cue, list[str]], ...] = (
            ("unsure", _UNSURE_PHRASES),
            ("no", _NO_PHRASES),
            ("yes", _YES_PHRASES),
        )
        for cue, phrases in groups:
            for phrase in phrases:
                self._index.add(phrase, cue)
        for word in _YES_WORDS:
            self._index.add(word, "yes")
        for word in _NO_WORDS:
            self._index.add(word, "no")
        for word in _UNSURE_WORDS:
            self._index.add(word, "unsure")
        for word in _NEGATORS:
            self._index.add(word, "negator")
        for phrase in _CORRECTION_PHRASES:
            self._index.add(phrase, "correction")

    def parse(self, text: str) -> Answer | Reject:
        text = text[:MAX_PARSED_CHARS]
        whole = " ".join(tokens(text))
        if whole in _ALONE:
            return Answer(_ALONE[whole])
        for emoji, word in _EMOJI.items():
            text = text.replace(emoji, word)
        clauses = _clauses(text)
        cues = [(i, found) for i, clause in enumerate(clauses) for found in self._cues(clause)]
        if not cues:
            return Reject("not_understood")
        corrections = [n for n, (_, f) in enumerate(cues) if f.value == "correction"]
        if corrections:
            following = [f.value for _, f in cues[corrections[-1] + 1 :]]
            after = [value for value in following if value in ("yes", "no")]
            if after and "unsure" in following:
                return Reject("ambiguous")  # "oui enfin non je sais pas": still undecided
            if after:
                return Answer(after[-1] == "yes")
        for index in range(len(clauses)):
            values = {f.value for i, f in cues if i == index}
            polar = values & {"yes", "no"}
            if len(polar) > 1 or (polar and "unsure" in values):
                return Reject("ambiguous")  # "oui et non", "ouais bof"
            if polar:
                if _contradicted(polar, index, clauses, cues):
                    return Reject("ambiguous")  # "oui mais non", "yes but no"
                return Answer(polar.pop() == "yes")
        if any(f.value == "unsure" for _, f in cues):
            return Reject("ambiguous")  # "ça dépend", "on verra": neither yes nor no
        return Reject("not_understood")

    def _cues(self, words: list[str]) -> list[Found[Cue]]:
        found = self._index.find(words)
        resolved: list[Found[Cue]] = []
        for position, cue in enumerate(found):
            previous = found[position - 1] if position else None
            if (
                cue.value == "yes"
                and previous is not None
                and previous.end == cue.start
                and previous.value in ("negator", "no")
                and words[previous.start] != "non"
            ):
                # "pas d'accord", "not ok": a negated yes is a no.
                resolved.append(Found(cue.start, cue.end, "no"))
                continue
            following = found[position + 1] if position + 1 < len(found) else None
            if (
                cue.value == "yes"
                and following is not None
                and following.start == cue.end
                and following.value == "negator"
            ):
                # "carrément pas", "vraiment pas": a yes word negated after it.
                resolved.append(Found(cue.start, following.end, "no"))
                continue
            if cue.end - cue.start == 1 and len(words[cue.start]) == 1 and len(words) > 1:
                continue  # "y", "o", "n" answer only alone: "y aller" is no yes
            if cue.value == "yes" and words[cue.start] == "si" and cue.start > 0:
                continue  # "si" is yes only when it opens the message
            resolved.append(cue)
        return resolved


def _contradicted(
    polar: set[Cue], answered: int, clauses: list[list[str]], cues: list[tuple[int, Found[Cue]]]
) -> bool:
    """A later short "mais"/"but" clause that says the opposite ("oui mais
    non", "yes but no"): the resident has not decided. "oui mais pas le
    dimanche" says more than a word and keeps its yes."""
    for index in range(answered + 1, len(clauses)):
        clause = clauses[index]
        if clause[0] not in _BREAKS or len(clause) > 3:
            continue
        values = {f.value for i, f in cues if i == index}
        if values and values <= {"yes", "no"} and not values & polar:
            return True
    return False


def _clauses(text: str) -> list[list[str]]:
    """The message cut at punctuation and at "mais"/"but", as folded words."""
    pieces: list[str] = []
    current: list[str] = []
    for char in text:
        if char in _CLAUSE_ENDS:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    clauses: list[list[str]] = []
    for piece in pieces:
        clause: list[str] = []
        for word in tokens(piece):
            if word in _BREAKS and clause:
                clauses.append(clause)
                clause = []
            clause.append(word)
        if clause:
            clauses.append(clause)
    return clauses


_YES_PHRASES = [
    "d accord",
    "d acc",
    "d ac",
    "bien sur",
    "bien sure",
    "tout a fait",
    "bien entendu",
    "c est clair",
    "c clair",
    "cest clair",
    "si si",
    "avec plaisir",
    "pourquoi pas",
    "je pense que oui",
    "je crois que oui",
    "plutot oui",
    "j accepte",
    "je suis d accord",
    "ca marche",
    "ca roule",
    "vas y",
    "allez y",
    "bien evidemment",
    "sans doute",
    "sans probleme",
    "pas de souci",
    "pas de soucis",
    "pas de probleme",
    "aucun probleme",
    "of course",
    "yes please",
    "i agree",
    "that s right",
    "thats right",
    "all right",
    "sounds good",
    "why not",
    "for sure",
    "tout a fait d accord",
    "je veux bien",
    "with pleasure",
    "go ahead",
    "i do",
    "i think so",
    "i guess so",
    "je suis partant",
    "je suis partante",
    "je suis chaud",
    "je suis chaude",
    "c est parti",
    "allons y",
    "let s go",
    "lets go",
    "go ahead",
    "je veux bien",
    "i accept",
    "that s fine",
    "fine by me",
]
_NO_PHRASES = [
    "non merci",
    "pas du tout",
    "absolument pas",
    "surement pas",
    "certainement pas",
    "pas vraiment",
    "pas trop",
    "pas tellement",
    "pas specialement",
    "pas franchement",
    "jamais de la vie",
    "hors de question",
    "pas question",
    "je ne pense pas",
    "je pense pas",
    "je crois pas",
    "je ne crois pas",
    "pas d accord",
    "pas du tout d accord",
    "bien sur que non",
    "evidemment que non",
    "plutot pas",
    "plutot non",
    "non plus",
    "no way",
    "not really",
    "not at all",
    "certainly not",
    "definitely not",
    "absolutely not",
    "of course not",
    "no thanks",
    "no thank you",
    "i don t think so",
    "i dont think so",
    "i do not think so",
    "i disagree",
    "i don t agree",
    "i do not agree",
    "don t agree",
    "not ok",
    "not okay",
    "not so much",
    # No longer: "plus maintenant", "not anymore", "avant oui, plus maintenant".
    "plus maintenant",
    "plus du tout",
    "plus jamais",
    "plus vraiment",
    "pas plus",
    "not anymore",
    "not any more",
    "no longer",
    "not these days",
    "not at the moment",
    "not right now",
    "not currently",
    "pas en ce moment",
    "pas pour l instant",
    "pas actuellement",
]
_UNSURE_PHRASES = [
    "ca depend",
    "cela depend",
    "peut etre",
    "pt etre",
    "p e",
    "je sais pas",
    "je ne sais pas",
    "j sais pas",
    "sais pas",
    "chais pas",
    "chai pas",
    "aucune idee",
    "plus ou moins",
    "je sais plus",
    "je ne sais plus",
    "des fois",
    "ni oui ni non",
    "on verra",
    "je verrai",
    "we ll see",
    "j hesite",
    "je reflechis",
    "oui et non",
    "oui ou non",
    "non et oui",
    "yes and no",
    "yes or no",
    "it depends",
    "not sure",
    "i m not sure",
    "i don t know",
    "i dont know",
    "i do not know",
    "no idea",
    "kind of",
    "sort of",
    "50 50",
    "je ne suis pas sur",
    "je suis pas sur",
    "pas sur",
    "pas sure",
    # A past yes says nothing of today: "avant oui" (then "plus maintenant").
    "avant oui",
    "avant si",
    "used to",
    "i used to",
    # "not necessarily" and "no clue" hedge: neither the yes nor the no they contain.
    "pas forcement",
    "pas obligatoirement",
    "pas toujours",
    "pas necessairement",
    "not necessarily",
    "not always",
    "no clue",
    "not a clue",
    "no idea at all",
    "who knows",
    "beats me",
    "can t say",
    "cannot say",
    "hard to tell",
    "qui sait",
    "j en sais rien",
    "j en sais trop rien",
    "pas la moindre idee",
    "je saurais pas dire",
    "je ne saurais pas dire",
    "je ne saurais dire",
    "difficile a dire",
    "dur a dire",
    "pas d avis",
    "sans avis",
]
_YES_WORDS = word_set(
    """
    oui ouai ouais ouaip ouep ui wi yes yep yeah yeh yup ya yas ok okay oki okok dac
    dacc daccord evidemment evidement absolument carrement exactement exact
    volontiers certainement certes clairement effectivement affirmatif si
    naturellement grave sure certainly definitely absolutely indeed totally agreed
    correct right alright y o oue partant partante accepter fine yea yeap
    """
)
_NO_WORDS = word_set(
    """
    non nan nn no nope nop nah naan jamais aucunement nullement negatif refuse never n
    ko refuser
    """
)
_UNSURE_WORDS = word_set(
    """
    depend peutetre jsp bof moyen mouais parfois maybe perhaps depends unsure dunno
    idk sometimes possibly probably
    """
)
_CORRECTION_PHRASES = [
    "en fait",
    "enfin",
    "finalement",
    "en vrai",
    "actually",
    "i mean",
    "wait",
    "attends",
    "attendez",
    "or rather",
    "on second thought",
    "je veux dire",
    "je me suis trompe",
]
