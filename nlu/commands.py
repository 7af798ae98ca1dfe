"""Recognising the global commands (help, stop, restart, back, skip, delete_data,
human, status) in what a resident typed.

Two layers:

- slash commands and button payloads (`/help`, `/stop@consultbot`, `/supprimer`)
  are looked up in a fixed table: channels send them verbatim;
- anything else goes to a small nearest-neighbour classifier trained at
  construction from Rasa NLU YAML examples: each example becomes a TF-IDF vector
  of word unigrams, word bigrams and character 4-grams (for typos and inflections:
  "supprimez" meets "supprimer"), and a message takes the intent of its most
  similar examples. The special intent `answer` holds answers that contain a
  command word ("stop aux voitures en ville"), so they pull away from commands.

The classifier only scores; `nlu.interpreter` decides, knowing the question, when
a score is high enough to override a typed answer.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from nlu.interpretation import COMMAND_NAMES, CommandName
from nlu.normalize import fold, folded_tokens

ANSWER_INTENT = "answer"

SLASH_COMMANDS: Mapping[str, CommandName] = {
    "help": "help",
    "aide": "help",
    "stop": "stop",
    "pause": "stop",
    "quit": "stop",
    "arreter": "stop",
    "restart": "restart",
    "recommencer": "restart",
    "reset": "restart",
    "back": "back",
    "retour": "back",
    "precedent": "back",
    "skip": "skip",
    "passer": "skip",
    "next": "skip",
    "suivant": "skip",
    "delete": "delete_data",
    "delete_data": "delete_data",
    "deletedata": "delete_data",
    "supprimer": "delete_data",
    "effacer": "delete_data",
    "forget": "delete_data",
    "human": "human",
    "humain": "human",
    "agent": "human",
    "contact": "human",
    "status": "status",
    "statut": "status",
    "suivi": "status",
}
# Rasa intent names that regions commonly use for our commands.
INTENT_ALIASES: Mapping[str, CommandName] = {
    "ask_help": "help",
    "out_of_scope_help": "help",
    "goodbye": "stop",
    "unsubscribe": "stop",
    "start_over": "restart",
    "go_back": "back",
    "previous": "back",
    "skip_question": "skip",
    "delete": "delete_data",
    "forget_me": "delete_data",
    "gdpr_delete": "delete_data",
    "human_handoff": "human",
    "handoff": "human",
    "talk_to_human": "human",
    "contribution_status": "status",
    "check_status": "status",
}
_SLASH = re.compile(r"/([a-z_]{1,30})(?:@[a-z0-9_]{1,64})?")
# Questions about the question itself.
_ASKS_ABOUT = re.compile(
    r"(?:euh |mais |heu )?(?:c est quoi|c quoi|qu est ce que|qu est ce qui|pourquoi|comment"
    r"|ca veut dire|que veut dire|quelle est|quel est|what|why|how|which)\b"
)
_HELP_MARGIN = 0.8
_CLAUSE_SPLIT = re.compile(r"[,;:.!?()\n]+")


def command_for_intent(name: str) -> CommandName | None:
    """Our command for a Rasa intent name, or None when it is not one."""
    folded = fold(name).replace(" ", "_").replace("-", "_")
    for command in COMMAND_NAMES:
        if folded == command:
            return command
    return INTENT_ALIASES.get(folded)


def slash_command(text: str) -> CommandName | None:
    """The command of a `/name` message (with an optional `@botname`), if any."""
    match = _SLASH.fullmatch(fold(text))
    return SLASH_COMMANDS.get(match[1]) if match else None


# Chat shorthand, spelt out so that "jveux parler a qqn" meets "je veux parler à quelqu'un".
SHORTHAND: Mapping[str, tuple[str, ...]] = {
    "jveux": ("je", "veux"),
    "jvoudrais": ("je", "voudrais"),
    "jpeux": ("je", "peux"),
    "jsuis": ("je", "suis"),
    "chui": ("je", "suis"),
    "jcomprends": ("je", "comprends"),
    "jcomprend": ("je", "comprends"),
    "jsp": ("je", "sais", "pas"),
    "qqn": ("quelqu", "un"),
    "qqun": ("quelqu", "un"),
    "qq1": ("quelqu", "un"),
    "qqch": ("quelque", "chose"),
    "pk": ("pourquoi",),
    "pq": ("pourquoi",),
    "pcq": ("parce", "que"),
    "cmt": ("comment",),
    "koi": ("quoi",),
    "pa": ("pas",),
    "ke": ("que",),
    "kel": ("quel",),
    "kelle": ("quelle",),
    "kestion": ("question",),
    "kwa": ("quoi",),
    "stp": (),
    "svp": (),
    "tt": ("tout",),
    "ts": ("tous",),
    "pr": ("pour",),
    "vs": ("vous",),
    "ds": ("dans",),
    "dc": ("donc",),
    "bcp": ("beaucoup",),
    "mdr": ("mdr",),
    "u": ("you",),
    "r": ("are",),
    "pls": (),
    "plz": (),
    "please": (),
    "merci": (),
    "thanks": (),
    "idk": ("i", "don", "t", "know"),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "dont": ("don", "t"),
    "cant": ("can", "t"),
    "im": ("i", "m"),
    "id": ("i", "d"),
    "ive": ("i", "ve"),
    "suppr": ("supprimer",),
    # "je"/"j'" glued to the verb, as phones type it ("jarrete", "jen ai marre").
    "jarrete": ("j", "arrete"),
    "jarete": ("j", "arrete"),
    "jen": ("j", "en"),
    "jai": ("j", "ai"),
    "jaimerais": ("j", "aimerais"),
    "jaimerai": ("j", "aimerais"),
    "jpp": ("j", "en", "peux", "plus"),
    "jme": ("je", "me"),
    "jsais": ("je", "sais"),
    "jcrois": ("je", "crois"),
    "jpense": ("je", "pense"),
    "jcontinue": ("je", "continue"),
    "jvais": ("je", "vais"),
    "jreviens": ("je", "reviens"),
    "jprefere": ("je", "prefere"),
    "jdois": ("je", "dois"),
    "jfais": ("je", "fais"),
    "jpasse": ("je", "passe"),
    "jveu": ("je", "veux"),
    "cest": ("c", "est"),
    "ya": ("y", "a"),
}


# Politeness says nothing about the request: "recommencer stp" is "recommencer".
_POLITENESS = re.compile(r"\bs'? ?il (?:vous|te) plait\b|\bthank you\b")
# "je" glued to a verb that starts with a consonant ("jcapte", "jpige",
# "jretourne"): no French or English word starts with "j" and a consonant
# (abbreviations such as "jrs" for "jours" have no vowel).
_GLUED_JE = re.compile(r"j[bcdfghjklmnpqrstvwxz](?=[a-z]*[aeiouy])[a-z]{2,}")


def command_words(text: str, *, keep_politeness: bool = False) -> list[str]:
    """The folded words of `text`, chat shorthand spelt out; politeness
    dropped unless `keep_politeness` (a request's frame reads "svp" as one)."""
    folded = fold(text)
    if not keep_politeness:
        folded = _POLITENESS.sub(" ", folded)
    words: list[str] = []
    for word in folded_tokens(folded):
        spelt = SHORTHAND.get(word)
        if spelt is None:
            spelt = ("je", word[1:]) if _GLUED_JE.fullmatch(word) else (word,)
        elif not spelt and keep_politeness:
            spelt = (word,)
        words.extend(spelt)
    return words


def features(text: str) -> dict[str, float]:
    """Term counts of word unigrams, bigrams and character 4-grams."""
    words = command_words(text)
    counts: dict[str, float] = defaultdict(float)
    for word in words:
        counts["w:" + word] += 1.0
        padded = f"#{word}#"
        for start in range(max(1, len(padded) - 3)):
            counts["c:" + padded[start : start + 4]] += 0.5
    for first, second in pairwise(words):
        counts[f"b:{first} {second}"] += 1.0
    return counts


@dataclass(frozen=True, slots=True)
class CommandScore:
    """The most likely intent (a command or `answer`) and its similarity in [0, 1]."""

    intent: str
    score: float
    command: CommandName | None


class CommandClassifier:
    """Nearest-neighbour classifier over TF-IDF vectors, held in an inverted index."""

    def __init__(self, examples: Mapping[str, Sequence[str]]) -> None:
        self._commands: dict[str, CommandName | None] = {}
        documents: list[tuple[str, dict[str, float]]] = []
        for intent, texts in examples.items():
            command = command_for_intent(intent)
            name = command if command is not None else intent
            self._commands[name] = command
            documents.extend((name, features(text)) for text in texts if text.strip())
        frequency: dict[str, int] = defaultdict(int)
        for _, counts in documents:
            for feature in counts:
                frequency[feature] += 1
        total = len(documents) + 1
        self._idf = {f: math.log(total / (1 + n)) + 1.0 for f, n in frequency.items()}
        # A feature never seen in training is as rare as can be.
        self._unseen_idf = math.log(total) + 1.0
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._intents: list[str] = []  # each example's, by index
        for index, (intent, counts) in enumerate(documents):
            weights = {f: (1 + math.log(c)) * self._idf[f] for f, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for feature, weight in weights.items():
                self._postings.setdefault(feature, []).append((index, weight / norm))
            self._intents.append(intent)

    def score_clauses(self, text: str) -> CommandScore:
        """The best command of the whole message or of one of its clauses:
        "je comprends pas, c'est 1 le mieux ou 5 ?" asks for help in its
        first clause, "jsp, je passe" skips in its second (a clause that reads
        as an answer does not hide a command in another)."""
        best = self.score(text)
        clauses = [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]
        if len(clauses) > 1:
            for clause in clauses:
                scored = self.score(clause)
                if scored.command is None:
                    continue
                if best.command is None or scored.score > best.score:
                    best = scored
        return best

    def score(self, text: str) -> CommandScore:
        """The best intent for `text`: the mean similarity of its closest examples."""
        counts = features(text)
        idf, unseen, log = self._idf.get, self._unseen_idf, math.log
        weights = [(f, (1 + log(c)) * idf(f, unseen)) for f, c in counts.items()]
        norm = math.sqrt(sum(w * w for _, w in weights))
        if norm == 0:
            return CommandScore(ANSWER_INTENT, 0.0, None)
        # Run for every message: the loops are kept plain (no attribute look-ups
        # or method calls inside), the classifier's cost being most of them.
        similarity: dict[int, float] = defaultdict(float)
        postings = self._postings.get
        for feature, weight in weights:
            found = postings(feature)
            if found is not None:
                share = weight / norm
                for index, example_weight in found:
                    similarity[index] += share * example_weight
        # The two closest examples of each intent: the best counts most, a
        # second close one confirms it.
        firsts: dict[str, float] = {}
        seconds: dict[str, float] = {}
        intents = self._intents
        for index, value in similarity.items():
            intent = intents[index]
            first = firsts.get(intent)
            if first is None:
                firsts[intent] = value
            elif value > first:
                firsts[intent], seconds[intent] = value, first
            elif value > seconds.get(intent, -1.0):
                seconds[intent] = value
        scores = {i: v * 0.75 + seconds.get(i, 0.0) * 0.25 for i, v in firsts.items()}
        if not scores:
            return CommandScore(ANSWER_INTENT, 0.0, None)
        best_intent = max(scores, key=scores.__getitem__)
        help_score = scores.get("help", 0.0)
        if (
            best_intent not in ("help", ANSWER_INTENT)
            and help_score >= _HELP_MARGIN * scores[best_intent]
            and _ASKS_ABOUT.match(" ".join(command_words(text)))
        ):
            # "c'est quoi la différence avec la question d'avant ?" asks about the
            # question: help, even if it names another command's words.
            best_intent = "help"
        return CommandScore(best_intent, scores[best_intent], self._commands.get(best_intent))
