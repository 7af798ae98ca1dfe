"""Choosing among a question's options: single choice and multiple choice.

A message names options by their id (button payloads; typed, an id that a
name of another option says as a word is that word: "car", a coach in
French, is the bus of "car scolaire", not the option `car`), their label or
the flow's synonyms, a word of the bundled lexicon ("bagnole" for "Voiture"), an
ordinal ("la deuxième", "2", "b", "the 4th one", "la dernière"), or, for several
options, a list ("bus et vélo", "1, 3 et 5", "les deux premiers", "tout sauf la
voiture", "aucun" when such an option exists). Accents, case, plurals and typos
do not matter.

Single choice: two different options named in one message are ambiguous
("bus ou train") unless the message says which one counts ("surtout la bagnole,
le vélo quand il fait beau"; "bus, enfin non, train"). A word shared by
several options ("locataire") counts only when one of them is also named by
something of its own ("locataire HLM"), or when the others are denied
("locataires mais pas en HLM").

Denied options are not chosen: a negation before them ("pas le bus", "je ne
prends plus le train", "i don't take the car", "no car"), after them at the
end of the message ("le bus surtout pas"), or "tout sauf la voiture" on a
single choice (it leaves several). Negation words that option names contain
("Sans avis", "Pas du tout d'accord") are not negations on that question.

This module reads the message as a whole ("les deux", "tout sauf ...", ordinals,
ranges, the counts a question allows); which options its words name, and which
of them are denied or preferred, is `nlu.option_mentions`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from nlu.interpretation import Answer, Candidate, Confirm, Reject
from nlu.normalize import MAX_PARSED_CHARS, fold, tokens, word_set
from nlu.option_mentions import (
    NONE_KEYS,
    ChoiceMatcher,
    affirmed,
    ambiguity,
    except_position,
    named,
    single_choice,
)
from nlu.option_ranges import BirthYear, option_for_value
from nlu.option_words import STOPWORDS
from nlu.phrases import PhraseIndex
from nlu.positions import ORDINAL_FILLER, position_range, positions
from nlu.question import QuestionSpec
from nlu.stems import stemmed, stems

_ALL_WORDS = stemmed(
    ["tout", "tous", "toute", "toutes", "tt", "ts", "all", "everything", "anything"]
)
_ALL_CONTEXT = stemmed(
    word_set("them ensemble everything choisis prends coche cocher j ai veux want take pick")
)
_ALL_PHRASES = PhraseIndex.of(["l ensemble", "all of them", "tout ca", "the lot"])
_BOTH = frozenset(
    {
        *("les deux", "tous les deux", "toutes les deux", "both", "both of them", "les 2"),
        *("tous les 2", "toutes les 2", "the 2", "the two", "all 2"),
    }
)
_NO_DAY = dt.date(2000, 1, 1)  # birth years need the conversation's day


def parse_choice(
    text: str,
    question: QuestionSpec,
    matcher: ChoiceMatcher,
    lang: str = "fr",
    today: dt.date = _NO_DAY,
) -> Answer | Reject | Confirm:
    """The one option that `text` names."""
    words = stems(text[:MAX_PARSED_CHARS])
    exact = matcher.exact.get(" ".join(tokens(text[:MAX_PARSED_CHARS])))
    if exact is not None:
        return Answer(matcher.ids[exact])
    if not words:
        return Reject("not_understood")
    if " ".join(words) in _BOTH:
        return Reject("ambiguous")  # "les deux" on a single-choice question
    except_at = except_position(words)
    if except_at is not None and _says_all(words[:except_at]) and len(matcher.ids) > 2:
        return Reject("ambiguous")  # "tout sauf la voiture" leaves several options
    by_value = option_for_value(text[:MAX_PARSED_CHARS], lang, matcher.ranges, today)
    if isinstance(by_value, BirthYear):
        if by_value.said and len(by_value.options) == 1:
            return Answer(matcher.ids[by_value.options[0]])
        offered = tuple(Candidate(matcher.ids[i]) for i in by_value.options)
        return Confirm(offered, "birth_year")
    if by_value is not None:
        return by_value if isinstance(by_value, Reject) else Answer(matcher.ids[by_value])
    ordinals = positions(words, len(matcher.ids))
    if ordinals is not None:
        if isinstance(ordinals, Reject):
            return ordinals
        if len(ordinals) == 1:
            return Answer(matcher.ids[ordinals[0]])
        return Reject("ambiguous")
    mentions = affirmed(words, matcher.find(words), matcher)
    if not mentions:
        return Reject("not_understood")
    chosen = single_choice(words, mentions, matcher)
    if chosen is None:
        return ambiguity(text[:MAX_PARSED_CHARS], mentions, matcher)
    return Answer(matcher.ids[chosen])


def parse_multi_choice(
    text: str, question: QuestionSpec, matcher: ChoiceMatcher
) -> Answer | Reject:
    """The options that `text` names, in the question's order."""
    clipped = text[:MAX_PARSED_CHARS]
    words = stems(clipped)
    exact = matcher.exact.get(" ".join(tokens(clipped)))
    if exact is not None:
        selected: set[int] | Reject = {exact}
    elif not words:
        return Reject("not_understood")
    else:
        selected = _select_many(clipped, words, matcher)
    if isinstance(selected, Reject):
        return selected
    if not selected:
        return Reject("not_understood")
    return _allowed(selected, words, question, matcher)


def tapped_choices(
    text: str, question: QuestionSpec, matcher: ChoiceMatcher
) -> Answer | Reject | None:
    """The options of a multiple choice ticked in the web chat, whose tapped
    payloads (ids) come joined ("car, bike"); None when `text` is not such a
    list. Ids are read as ids, never as words: "car" is not the "Car
    scolaire" of a French label."""
    positions_by_id = {choice_id: i for i, choice_id in enumerate(matcher.ids)}
    payloads = text.split(", ")
    if not all(payload in positions_by_id for payload in payloads):
        return None
    return _allowed({positions_by_id[p] for p in payloads}, [], question, matcher)


def _allowed(
    selected: set[int], words: list[str], question: QuestionSpec, matcher: ChoiceMatcher
) -> Answer | Reject:
    """The answer of the `selected` options, or why the question refuses
    them together (an exclusive option with others, too few, too many)."""
    if len(selected) > 1 and selected & matcher.exclusive:
        if except_position(words) is not None and selected - matcher.exclusive:
            selected -= matcher.exclusive  # "aucune sauf la cantine", "je ne sais pas, sauf X"
        elif selected & matcher.declared:
            return Reject("exclusive")  # "isolation et aucune"
        else:
            return Reject("ambiguous")  # "isolation et aucun"
    alone = len(selected) == 1 and bool(selected & matcher.exclusive)
    if (
        question.min_selections is not None
        and len(selected) < question.min_selections
        and not alone
    ):
        return Reject("too_few")
    if question.max_selections is not None and len(selected) > question.max_selections:
        return Reject("too_many")
    return Answer(tuple(matcher.ids[i] for i in sorted(selected)))


def _select_many(text: str, words: list[str], matcher: ChoiceMatcher) -> set[int] | Reject:
    count = len(matcher.ids)
    if " ".join(words) in _BOTH:
        return set(range(count)) if count == 2 else Reject("ambiguous")
    spanned = position_range(text, count)
    if spanned is not None:
        return spanned
    ordinals = positions(words, count)
    if ordinals is not None:
        return ordinals if isinstance(ordinals, Reject) else set(ordinals)
    everything = set(range(count)) - matcher.exclusive
    except_at = except_position(words)
    head = words[:except_at] if except_at is not None else words
    if _says_all(head):
        if except_at is None:
            return everything
        tail = _after_except(text)
        excluded = named(matcher.find(tail), matcher.sizes) if tail else set()
        ordinal_excluded = positions(tail, count) if tail else None
        if isinstance(ordinal_excluded, list):
            excluded |= set(ordinal_excluded)
        return everything - excluded if excluded else Reject("not_understood")
    mentions = affirmed(words, matcher.find(words), matcher)
    own: set[int] = set()
    for mention in mentions:
        if len(mention.choices) == 1:
            own |= mention.choices
    for mention in mentions:
        if len(mention.choices) > 1 and not mention.choices & own:
            resolved = named([mention], matcher.sizes)
            if not resolved:  # a shared word naming none of the others
                return ambiguity(text, [mention], matcher)
            own |= resolved
    return own


_EXCEPT_CLAUSE = re.compile(
    r"\b(?:sauf|except|excepte|hormis|but not|other than|apart from|a part|excluding|but)\b"
    r"([^,.;!?]{0,200})"
)


def _after_except(text: str) -> list[str]:
    """The words between "sauf"/"except" and the end of its clause."""
    match = _EXCEPT_CLAUSE.search(fold(text))
    return stems(match[1]) if match else []


def _says_all(words: Sequence[str]) -> bool:
    """ "tout", "all of them", "toutes les options": every option. "Tout" inside
    a longer sentence ("je veux tout reprendre depuis le début") is not a pick."""
    if NONE_KEYS.intersection(words):
        return False  # "rien du tout", "pas du tout"
    rest = [w for w in words if w not in _ALL_WORDS and w not in STOPWORDS]
    rest = [w for w in rest if w not in ORDINAL_FILLER and w not in _ALL_CONTEXT]
    if len(rest) > 1:
        return False
    if _ALL_WORDS.intersection(words):
        return True
    return _ALL_PHRASES.occurs_in(words)
