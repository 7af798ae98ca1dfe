"""Ranking options: "1 cantine 2 internat 3 numérique", "cantine puis
internat", "la 3, puis la 1", or one pick at a time (a button, a label).

The answer is the options named, in the resident's order (most important
first), each once. The order is the order of the words, unless every option
named carries a rank of its own ("2 internat, 1 cantine", "cantine en premier,
internat en deuxième"): then the ranks decide. Options are found as for a
multiple choice (`nlu.option_mentions`: labels, synonyms, the lexicon, typos); a
message of positions only ("3, 1, 2") names the options shown by position.
"""

from __future__ import annotations

from collections.abc import Sequence

from nlu.interpretation import Answer, Reject
from nlu.normalize import MAX_PARSED_CHARS, tokens, word_set
from nlu.option_mentions import ChoiceMatcher, affirmed, ambiguity, named
from nlu.positions import positions, rank_marker
from nlu.question import QuestionSpec
from nlu.stems import stemmed, stems

# Words allowed between a rank and its option: "1 - la cantine", "en premier : l'internat".
_BETWEEN = stemmed(word_set("la le les l en de du d au a the in position place rang"))
_REACH = 3


def parse_ranking(text: str, question: QuestionSpec, matcher: ChoiceMatcher) -> Answer | Reject:
    """The options that `text` ranks, most important first."""
    clipped = text[:MAX_PARSED_CHARS]
    exact = matcher.exact.get(" ".join(tokens(clipped)))
    if exact is not None:
        return _checked((exact,), question, matcher)
    words = stems(clipped)
    if not words:
        return Reject("not_understood")
    by_position = positions(words, len(matcher.ids))
    if by_position is not None:
        if isinstance(by_position, Reject):
            return by_position
        return _checked(by_position, question, matcher)
    order: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for mention in affirmed(words, matcher.find(words), matcher):
        choices = mention.choices if len(mention.choices) == 1 else named([mention], matcher.sizes)
        if len(choices) != 1:
            return ambiguity(clipped, [mention], matcher)  # a word shared by several options
        (choice,) = choices
        if choice in order:
            continue
        order.append(choice)
        starts.append(mention.start)
        ends.append(mention.end)
    if not order:
        return Reject("not_understood")
    ranks = _ranks(words, starts, ends)
    if ranks is not None:
        order = [choice for _, choice in sorted(zip(ranks, order, strict=True))]
    return _checked(order, question, matcher)


def _ranks(words: Sequence[str], starts: list[int], ends: list[int]) -> list[int] | None:
    """The rank written before every option named ("1 cantine"), or else after
    every one ("cantine en premier"); None unless each has its own."""
    before = [_marker(words, range(start - 1, max(start - 1 - _REACH, -1), -1)) for start in starts]
    after = [_marker(words, range(end, min(end + _REACH, len(words)))) for end in ends]
    for found in (before, after):
        ranks = [rank for rank in found if rank is not None]
        if len(ranks) == len(starts) and len(set(ranks)) == len(ranks):
            return ranks
    return None


def _marker(words: Sequence[str], span: range) -> int | None:
    for position in span:
        rank = rank_marker(words[position])
        if rank is not None:
            return rank
        if words[position] not in _BETWEEN:
            return None
    return None


def _checked(
    order: Sequence[int], question: QuestionSpec, matcher: ChoiceMatcher
) -> Answer | Reject:
    if question.ranks is not None and len(order) > question.ranks:
        return Reject("too_many")
    return Answer(tuple(matcher.ids[i] for i in order))
