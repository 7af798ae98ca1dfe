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
  command word ("stop aux voitures en ville"), so they pull away from commands;
  so do the requests to send the answers (intent `send`, "envoyer mes
  réponses"), which `nlu.sending` reads as the `send` command.

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
from typing import NamedTuple

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


# The characters `fold` turns into a "/" ("／", "℅" c/o...; tests/nlu/test_commands.py
# checks them against every character): a text with none of them is no /command,
# and most messages are told so without being folded.
SLASH_CHARS = frozenset("/\u2100\u2101\u2105\u2106\uff0f")


def slash_command(text: str) -> CommandName | None:
    """The command of a `/name` message (with an optional `@botname`), if any."""
    if SLASH_CHARS.isdisjoint(text):
        return None
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
    return spelt_out(folded_tokens(folded), keep_politeness=keep_politeness)


def spelt_out(words: Sequence[str], *, keep_politeness: bool = False) -> list[str]:
    """Folded words (`tokens`) with chat shorthand spelt out, as `command_words`
    does (with `keep_politeness`, its words are the text's `tokens` spelt out)."""
    spelt_words: list[str] = []
    for word in words:
        spelt = SHORTHAND.get(word)
        if spelt is None:
            # (The test on the first letter spares most words the regular expression.)
            glued = word[0] == "j" and _GLUED_JE.fullmatch(word)
            spelt = ("je", word[1:]) if glued else (word,)
        elif not spelt and keep_politeness:
            spelt = (word,)
        spelt_words.extend(spelt)
    return spelt_words


def features(text: str) -> dict[str, float]:
    """Term counts of word unigrams, bigrams and character 4-grams."""
    return term_counts(command_words(text), {})


# A word's unigram feature and its character 4-grams.
WordFeatures = tuple[str, tuple[str, ...]]


def word_features(word: str) -> WordFeatures:
    """The unigram and character 4-gram features of one word, in `features` order."""
    padded = f"#{word}#"
    grams = tuple("c:" + padded[start : start + 4] for start in range(max(1, len(padded) - 3)))
    return "w:" + word, grams


def term_counts(words: Sequence[str], known: Mapping[str, WordFeatures]) -> dict[str, float]:
    """`features` of a text's `command_words`; `known` holds the `word_features`
    of words met before, so as not to slice them again."""
    # A plain dict and `get`: `+=` on a defaultdict costs a third more.
    counts: dict[str, float] = {}
    count = counts.get
    for word in words:
        unigram, grams = known.get(word) or word_features(word)
        counts[unigram] = count(unigram, 0.0) + 1.0
        for gram in grams:
            counts[gram] = count(gram, 0.0) + 0.5
    for first, second in pairwise(words):
        bigram = f"b:{first} {second}"
        counts[bigram] = count(bigram, 0.0) + 1.0
    return counts


class _Entry(NamedTuple):
    """A feature of the training examples."""

    idf: float
    postings: tuple[tuple[int, float], ...]  # (example, weight in its unit vector)
    examples: tuple[int, ...]  # the postings' examples


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
        # The features of every word of the examples, for `score` to look up.
        self._words: dict[str, WordFeatures] = {}
        documents: list[tuple[str, dict[str, float]]] = []
        for intent, texts in examples.items():
            command = command_for_intent(intent)
            name = command if command is not None else intent
            self._commands[name] = command
            for text in texts:
                words = command_words(text)
                self._words.update((word, word_features(word)) for word in words)
                if text.strip():
                    documents.append((name, term_counts(words, self._words)))
        frequency: dict[str, int] = defaultdict(int)
        for _, counts in documents:
            for feature in counts:
                frequency[feature] += 1
        total = len(documents) + 1
        idf = {f: math.log(total / (1 + n)) + 1.0 for f, n in frequency.items()}
        # A feature never seen in training is as rare as can be.
        self._unseen_idf = math.log(total) + 1.0
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, (_, counts) in enumerate(documents):
            weights = {f: (1 + math.log(c)) * idf[f] for f, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for feature, weight in weights.items():
                postings.setdefault(feature, []).append((index, weight / norm))
        # A feature's idf, postings and their examples under one key: one
        # look-up per feature of a message.
        self._index = {
            f: _Entry(idf[f], tuple(found), tuple(index for index, _ in found))
            for f, found in postings.items()
        }
        # Intents by number (the order they come in) and each example's number:
        # `score` keeps its best similarities in lists, not dictionaries.
        self._intents = list(dict.fromkeys(intent for intent, _ in documents))
        numbers = {intent: number for number, intent in enumerate(self._intents)}
        self._intent_numbers = [numbers[intent] for intent, _ in documents]

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
        words = command_words(text)
        found, norm = self._weights(term_counts(words, self._words))
        if not found:  # no feature seen in training ("45000"): no example near
            return CommandScore(ANSWER_INTENT, 0.0, None)
        scores = self._intent_scores(found, norm)
        if not scores:
            return CommandScore(ANSWER_INTENT, 0.0, None)
        best_score = max(scores.values())
        tied = [intent for intent, value in scores.items() if value == best_score]
        best_intent = tied[0] if len(tied) == 1 else self._first_touched(tied, found)
        help_score = scores.get("help", 0.0)
        if (
            best_intent not in ("help", ANSWER_INTENT)
            and help_score >= _HELP_MARGIN * best_score
            and _ASKS_ABOUT.match(" ".join(words))
        ):
            # "c'est quoi la différence avec la question d'avant ?" asks about the
            # question: help, even if it names another command's words.
            best_intent = "help"
        return CommandScore(best_intent, scores[best_intent], self._commands.get(best_intent))

    # Run for every message that may be a command, the classifier's cost being
    # most of them: the loops below are kept plain (no attribute look-ups or
    # method calls inside).

    def _weights(self, counts: Mapping[str, float]) -> tuple[list[tuple[float, _Entry]], float]:
        """The TF-IDF weight and entry of each feature of the message seen in
        training, in the message's order, and the norm of the whole vector
        (unseen features count in the norm only)."""
        index, unseen, log = self._index.get, self._unseen_idf, math.log
        found: list[tuple[float, _Entry]] = []
        squares: list[float] = []
        for feature, count in counts.items():
            entry = index(feature)
            if entry is None:
                weight = (1 + log(count)) * unseen
            else:
                weight = (1 + log(count)) * entry.idf
                found.append((weight, entry))
            squares.append(weight * weight)
        return found, math.sqrt(sum(squares))

    def _intent_scores(self, found: list[tuple[float, _Entry]], norm: float) -> dict[str, float]:
        """The score of each intent with an example in common with the message:
        its closest example counts most, a second close one confirms it."""
        # Cosine similarities, summed feature by feature into a list indexed by
        # example (cheaper than a dictionary); `touched` says which to read back.
        similarity = [0.0] * len(self._intent_numbers)
        for weight, entry in found:
            share = weight / norm
            for index, example_weight in entry.postings:
                similarity[index] += share * example_weight
        touched = set().union(*[entry.examples for _, entry in found])
        # The two closest examples of each intent. A touched example's similarity
        # is a sum of positive terms (idf >= 1, term counts >= 0.5), so 0.0
        # stands for none.
        firsts = [0.0] * len(self._intents)
        seconds = [0.0] * len(self._intents)
        numbers = self._intent_numbers
        for index in touched:  # about a tenth of the examples
            value, number = similarity[index], numbers[index]
            if value > firsts[number]:
                firsts[number], seconds[number] = value, firsts[number]
            elif value > seconds[number]:
                seconds[number] = value
        return {
            intent: first * 0.75 + second * 0.25
            for intent, first, second in zip(self._intents, firsts, seconds, strict=True)
            if first > 0.0
        }

    def _first_touched(self, tied: list[str], found: list[tuple[float, _Entry]]) -> str:
        """Of intents with the same best score, the one with an example among the
        postings of the message's earliest feature: a tie settled by the
        message, not by the order of the training data's intents."""
        for _, entry in found:
            for index in entry.examples:
                intent = self._intents[self._intent_numbers[index]]
                if intent in tied:
                    return intent
        return tied[0]  # not reached: a tied intent shares a feature
