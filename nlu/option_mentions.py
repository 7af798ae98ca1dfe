"""Which options a message names: the mentions of each option (its id, label,
synonyms, lexicon words, typos and abbreviations), which of them are denied
("pas le bus", "le bus surtout pas", "aucun à part le dentiste"), and which one
counts when several are named ("surtout la bagnole", "bus, enfin non, train").

`nlu.choice` reads single and multiple choices with these; `nlu.ranking` reads
rankings with them. The words an option's names are read by are
`nlu.option_words`'s; those lexicon groups add, `nlu.option_groups`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from nlu.interpretation import Reject
from nlu.lexicon import Lexicon
from nlu.normalize import fold, folded_tokens, key, tokens, word_set
from nlu.option_groups import widened
from nlu.option_ranges import Range, folded_label_range
from nlu.option_words import PREFIX_MIN_LENGTH, STOPWORDS, name_phrases
from nlu.phrases import PhraseIndex
from nlu.question import QuestionSpec
from nlu.stems import stem, stemmed, stems

_EXCEPT_WORDS = stemmed(["sauf", "except", "excepte", "hormis", "but", "excluding"])
_EXCEPT_PHRASES = (("a", "part"), ("but", "not"), ("other", "than"), ("apart", "from"))
_PREFER_WORDS = stemmed(
    word_set(
        """
        surtout principalement essentiellement generalement majoritairement mostly
        mainly usually generally primarily
        """
    )
)
_PREFER_PHRASES = (("le", "plus", "souvent"), ("la", "plupart"), ("most", "of", "the"))
_CORRECTIONS = PhraseIndex.of(["en fait", "enfin", "finalement", "actually", "i mean"])
NONE_KEYS = stemmed(
    word_set(
        """
        aucun aucune rien none nothing neither sans avis no opinion ne sait pas nsp
        """
    )
)
# "surtout pas le bus", "not the car", "jamais en voiture": the option that
# follows is excluded (unless option names themselves say "pas").
NEGATIONS = stemmed(
    word_set("pas jamais not never sans without ni don doesn didn dont isn aren wasn won")
)
_NEGATION_SKIP = stemmed(
    word_set("le la les l de d du des un une en the a an by in mon ma mes my t")
)
# One word may stand between a negation and the option it denies ("je ne
# prends jamais le train", "i don't take the bus"), but not these: "pas que le
# bus" (not only), "pas mal de bus" (quite a lot).
_NEGATION_KEEPS = stemmed(
    word_set("que seulement uniquement juste mal only just merely simply forcement necessarily")
)
# After the option, at the end of the message: "le bus surtout pas", "the car, never".
_AFTER_NEGATIONS = stemmed(word_set("pas jamais not never non no"))
_AFTER_INTENSIFIERS = stemmed(
    word_set("surtout absolument vraiment certainement really definitely absolutely merci")
)
# Labels on the disagreeing side without a negation word of their own.
_NEGATIVE_WORDS = stemmed(
    word_set(
        """
        disagree desaccord defavorable unfavourable unfavorable dissatisfied
        insatisfait insatisfaite mecontent mecontente unsatisfied unhappy
        """
    )
)
_NEGATIVE_LABEL_WORDS = NEGATIONS | _NEGATIVE_WORDS
# "aucun à part le dentiste", "rien sauf le bus", "none except the train".
_NOTHING_WORDS = stemmed(word_set("aucun aucune rien none nothing personne"))
_FUZZY_MIN_LENGTH = 6


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    choices: frozenset[int]


@dataclass(frozen=True, slots=True)
class ChoiceMatcher:
    """What one question's options are called, ready for matching."""

    ids: tuple[str, ...]
    # Negation words that deny an option: those no option name contains ("Sans
    # avis" keeps "pas"; "Pas du tout d'accord" takes "pas" away).
    negators: frozenset[str]
    negative: frozenset[int]  # options whose label is negative ("Pas du tout d'accord")
    exact: Mapping[str, int]  # folded id, label or synonym -> option index
    index: PhraseIndex[frozenset[int]]
    vocabulary: Mapping[str, frozenset[int]]  # single stems -> option indexes
    exclusive: frozenset[int]  # options that exclude the others ("aucun")
    sizes: tuple[int, ...]  # content words in each option's label
    ranges: tuple[Range | None, ...]  # numbers each option covers ("18 à 25 ans")
    declared: frozenset[int] = frozenset()  # options the flow marks exclusive
    # Ids that another option's names claim as a word of the resident's
    # language ("car" of "car scolaire" for the bus): typed, they are that word.
    shadowed: frozenset[str] = frozenset()

    def find(self, words: Sequence[str]) -> list[Mention]:
        mentions = [Mention(f.start, f.end, f.value) for f in self.index.find(words)]
        covered = {i for m in mentions for i in range(m.start, m.end)}
        for position, word in enumerate(words):
            if position in covered or word in STOPWORDS or word.isdigit():
                continue
            choices = self._approximate(word)
            if choices:
                mentions.append(Mention(position, position + 1, choices))
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _approximate(self, word: str) -> frozenset[int]:
        """Options named by a misspelt or abbreviated word ("velos", "elec")."""
        if len(word) >= PREFIX_MIN_LENGTH:
            # (inline, as `shortens` reads it: this runs for each word of each message)
            prefixed = [
                c
                for v, c in self.vocabulary.items()
                if len(v) > len(word) + 1 and v.startswith(word)
            ]
            if prefixed and all(c == prefixed[0] for c in prefixed):
                return prefixed[0]
        if len(word) >= _FUZZY_MIN_LENGTH:
            best = process.extractOne(
                word, list(self.vocabulary), scorer=fuzz.ratio, score_cutoff=84
            )
            if best is not None and abs(len(best[0]) - len(word)) <= 3:
                return self.vocabulary[best[0]]
        return frozenset()


def build_matcher(question: QuestionSpec, lexicon: Lexicon) -> ChoiceMatcher:
    """Index every name of every option, with the lexicon groups its names
    touch. Only the question's options are read (the interpreter shares one
    matcher between questions that offer the same options)."""
    exact: dict[str, int] = {}
    names_by_choice: list[set[tuple[str, ...]]] = []
    touched: list[list[int]] = []  # the lexicon groups each option's names call up
    exclusive: set[int] = set()
    # Each name folded and stemmed once: a list of 200 options is indexed at its
    # first message, and that message should not wait for it.
    every_name = dict.fromkeys(n for c in question.choices for n in (*c.names, c.label))
    folded_text = {n: fold(n) for n in every_name}
    # Strings and tuples rather than lists: fewer objects for the garbage
    # collector to count and walk while a long list is indexed.
    keys: dict[str, str] = {}
    stemmed_names: dict[str, tuple[str, ...]] = {}
    for name, text in folded_text.items():
        said = folded_tokens(text)
        keys[name] = " ".join(said)
        stemmed_names[name] = tuple([stem(w) for w in said])
    for position, choice in enumerate(question.choices):
        # Ids are button payloads (matched exactly above), often in another
        # language than the labels: they do not name options in sentences.
        names = list(choice.names) or [choice.id.replace("_", " ")]
        phrases: set[tuple[str, ...]] = set()
        whole: list[tuple[str, ...]] = []  # each name's words (the others are inside them)
        for name in names:
            exact.setdefault(keys.get(name) or key(name), position)
            words = stemmed_names.get(name) or tuple(stems(name))
            if not words:
                continue
            phrases.update(name_phrases(words))
            whole.append(words)
        if any(NONE_KEYS.issuperset(p) for p in phrases):  # "aucun", "ne sait pas"
            exclusive.add(position)
        names_by_choice.append(phrases)
        touched.append(lexicon.touching(whole))
    for phrases, extra in zip(
        names_by_choice, widened(names_by_choice, touched, lexicon), strict=True
    ):
        phrases.update(extra)
    # The option a phrase names, or the set of them when it names several.
    owners: dict[tuple[str, ...], int | set[int]] = {}
    for position, phrases in enumerate(names_by_choice):
        for phrase in phrases:
            owner = owners.setdefault(phrase, position)
            if isinstance(owner, set):
                owner.add(position)
            elif owner != position:
                owners[phrase] = {owner, position}
    shadowed = _shadowed_ids(question, owners)
    # Typed alone, an id names its option, before a name of another option
    # that is the same word, unless a name claims it as a word (`shadowed`).
    by_id: dict[str, int] = {}
    for position, choice in enumerate(question.choices):
        if choice.id not in shadowed:
            by_id.setdefault(fold(choice.id), position)
    exact.update(by_id)
    index: PhraseIndex[frozenset[int]] = PhraseIndex()
    vocabulary: dict[str, frozenset[int]] = {}
    # One set per option for the phrases of that option alone: fewer objects
    # for the garbage collector to walk while a long list is indexed.
    alone = [frozenset((position,)) for position in range(len(question.choices))]
    for phrase, choices in owners.items():
        owned = alone[choices] if isinstance(choices, int) else frozenset(choices)
        index.add_words(phrase, owned)
        if len(phrase) == 1 and phrase[0] not in STOPWORDS and not phrase[0].isdigit():
            vocabulary[phrase[0]] = owned
    ids = tuple(choice.id for choice in question.choices)
    sizes = tuple(
        len([w for w in stemmed_names[c.label] if w not in STOPWORDS]) or 1
        for c in question.choices
    )
    ranges = tuple(folded_label_range(folded_text[c.label]) for c in question.choices)
    negators = NEGATIONS - frozenset(
        w for c in question.choices for n in c.names for w in stemmed_names[n]
    )
    negative = frozenset(
        i
        for i, c in enumerate(question.choices)
        if _NEGATIVE_LABEL_WORDS.intersection(stemmed_names[c.label])
    )
    declared = frozenset(i for i, c in enumerate(question.choices) if c.exclusive)
    return ChoiceMatcher(
        ids,
        negators,
        negative,
        exact,
        index,
        vocabulary,
        frozenset(exclusive) | declared,
        sizes,
        ranges,
        declared,
        shadowed,
    )


def _shadowed_ids(
    question: QuestionSpec, owners: Mapping[tuple[str, ...], int | set[int]]
) -> frozenset[str]:
    """The ids that name only other options once read as words: "car" where
    the bus is also called "car scolaire" (a coach, in French) and no name of
    the car's option says "car"."""
    shadowed: set[str] = set()
    for position, choice in enumerate(question.choices):
        owner = owners.get(tuple(stems(choice.id.replace("_", " "))))
        claimants = {owner} if isinstance(owner, int) else owner or set()
        if claimants and position not in claimants:
            shadowed.add(choice.id)
    return frozenset(shadowed)


_SURFACE = re.compile(r"[^\W_]+", re.UNICODE)


def ambiguity(text: str, mentions: Sequence[Mention], matcher: ChoiceMatcher) -> Reject:
    """An ambiguous reject naming the words and the options they may mean:
    the options named by words of their own ("bus ou train"), else those a
    shared word names ("transports")."""
    own = [m for m in mentions if len(m.choices) == 1]
    shared = [m for m in mentions if len(m.choices) > 1]
    used = own if len({c for m in own for c in m.choices}) > 1 else shared or own
    options = sorted({c for m in used for c in m.choices})
    surface = _SURFACE.findall(text)
    if len(surface) != len(tokens(text)):
        surface = tokens(text)
    spans = dict.fromkeys(" ".join(surface[m.start : m.end]) for m in used)
    return Reject(
        "ambiguous", words=" … ".join(spans), options=tuple(matcher.ids[i] for i in options)
    )


def affirmed(
    words: Sequence[str], mentions: list[Mention], matcher: ChoiceMatcher
) -> list[Mention]:
    """Mentions that are not denied: "surtout pas le bus" names no option;
    "aucun à part le dentiste" names the dentist only."""
    if not matcher.negators:
        return mentions
    except_at = except_position(words)
    if except_at is not None and _NOTHING_WORDS.intersection(words[:except_at]):
        return [m for m in mentions if m.start > except_at]
    ends = [m.end for m in mentions]
    named_at = {i for m in mentions for i in range(m.start, m.end)}
    kept: list[Mention] = []
    denied: set[int] = set()
    for n, m in enumerate(mentions):
        if _denied(words, m.start, matcher.negators, named_at) or _denied_after(
            words, m.end, ends[n + 1 :], matcher.negators
        ):
            denied |= m.choices
        else:
            kept.append(m)
    # "locataire mais pas en HLM": a word shared by options names those not denied.
    return [
        Mention(m.start, m.end, m.choices - denied) if len(m.choices) > 1 else m
        for m in kept
        if len(m.choices) == 1 or m.choices - denied
    ]


def _denied(words: Sequence[str], start: int, negators: frozenset[str], named_at: set[int]) -> bool:
    """A negation just before the option, over articles and at most one other
    word: "pas le bus", "jamais en train", "je ne prends plus le train", "i
    don't take the bus"."""
    if start > 0 and words[start - 1] == "no" and start - 1 not in named_at:
        return True  # "no car, i take the bus" (but "no, the bus" corrects)
    position = start - 1
    while position >= 0 and words[position] in _NEGATION_SKIP and start - position <= 3:
        position -= 1
    if position < 0:
        return False
    if _negates(words, position, negators):
        return start - position <= 3
    if words[position] in _NEGATION_KEEPS or position == 0 or position in named_at:
        return False  # "ni bus ni train, en voiture": the word between is an option
    return _negates(words, position - 1, negators) and start - position <= 3


def _negates(words: Sequence[str], position: int, negators: frozenset[str]) -> bool:
    if position < 0:
        return False
    word = words[position]
    if word in negators:
        return True
    if word == "t" and position > 0 and words[position - 1] in negators:
        return True  # "i don't take the car": "don" "t"
    # "ne ... plus": "je ne prends plus le train" ("plus" alone may mean more).
    return word == "plus" and bool({"ne", "n"}.intersection(words[max(0, position - 3) : position]))


def _denied_after(
    words: Sequence[str], end: int, later_ends: Sequence[int], negators: frozenset[str]
) -> bool:
    """A negation after the option that closes the message: "le bus surtout
    pas", "the car, never" (not "le bus, pas le train": that one is denied)."""
    if later_ends:
        return False
    rest = [w for w in words[end:] if w not in _AFTER_INTENSIFIERS]
    closing = _AFTER_NEGATIONS & (negators | {"non", "no"})
    return 1 <= len(rest) <= 3 and rest[0] in closing and rest[-1] in (closing | {"tout", "plus"})


def single_choice(
    words: Sequence[str], mentions: list[Mention], matcher: ChoiceMatcher
) -> int | None:
    """The one option that affirmed `mentions` name, or None if they name
    several with nothing to say which counts."""
    # Words shared by options ("d'accord") name one of the same sign as the
    # message: "complètement d'accord" is none of the "pas ... d'accord".
    signed: frozenset[int] | None = None
    if matcher.negative:
        if NEGATIONS.intersection(words):
            signed = matcher.negative
        else:
            signed = frozenset(range(len(matcher.ids))) - matcher.negative
    chosen = named(mentions, matcher.sizes, signed)
    if len(chosen) == 1:
        return next(iter(chosen))
    if not chosen:
        return None
    correction = _CORRECTIONS.first_end(words)
    if correction is not None:
        after = [m for m in mentions if m.start >= correction and len(m.choices) == 1]
        if after:
            return next(iter(after[-1].choices))
    preferred = _preferred(words, [m for m in mentions if len(m.choices) == 1])
    if len(preferred) == 1:
        return preferred.pop()
    return None


def named(
    mentions: list[Mention], sizes: Sequence[int], signed: frozenset[int] | None = None
) -> set[int]:
    """Options named by something of their own. When only shared words name
    options, the one they all name (among `signed`: those of the message's
    sign, when options differ in sign); if several, the one whose label the
    shared words fill best ("CDD" names "En emploi" rather than "En recherche
    d'emploi"); a tie names none ("locataire" between two kinds of tenant)."""
    own = {next(iter(m.choices)) for m in mentions if len(m.choices) == 1}
    if own or not mentions:
        return own
    common = frozenset.intersection(*(m.choices for m in mentions))
    if signed is not None:
        common &= signed
    if len(common) <= 1:
        return set(common)
    smallest = min(sizes[c] for c in common)
    best = {c for c in common if sizes[c] == smallest}
    return best if len(best) == 1 else set()


def _preferred(words: Sequence[str], mentions: list[Mention]) -> set[int]:
    """Options marked as the main one: "surtout la bagnole" (the cue before the
    option) or "le bus surtout" (the cue right after it)."""
    preferred: set[int] = set()
    for cue_start, cue_end in _cue_spans(words):
        before = [m for m in mentions if m.end == cue_start]
        after = [m for m in mentions if cue_end <= m.start <= cue_end + 3]
        if before:
            preferred |= before[-1].choices
        elif after:
            preferred |= after[0].choices
    return preferred


def _cue_spans(words: Sequence[str]) -> list[tuple[int, int]]:
    spans = [(i, i + 1) for i, word in enumerate(words) if word in _PREFER_WORDS]
    for phrase in _PREFER_PHRASES:
        size = len(phrase)
        spans += [
            (i, i + size)
            for i in range(len(words) - size + 1)
            if tuple(words[i : i + size]) == phrase
        ]
    return spans


def except_position(words: Sequence[str]) -> int | None:
    for position, word in enumerate(words):
        if word in _EXCEPT_WORDS:
            return position
        for phrase in _EXCEPT_PHRASES:
            if tuple(words[position : position + len(phrase)]) == phrase:
                return position
    return None
