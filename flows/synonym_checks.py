"""Warnings about choice names that will misfire (`consultbot flows validate`
lists them with their lines; `--strict` makes them errors):

- a synonym that is a common word of its language: the French conjunction
  "car" given for the coach is read in "le vélo car il n'y a pas de piste";
- a synonym that is a word of another choice's label or synonym: "électrique"
  for the electric bike also names "Voiture électrique";
- a synonym of several words matched by one of them alone: "vélo électrique"
  is also read from "électrique" (and from "vélo") alone, as `nlu.option_mentions`
  indexes every content word of a name;
- choices still read from the same words through a lexicon group of
  nlu/data/<lang>/lexicon.yml: "Éoliennes" and "Méthanisation" both call up
  "énergies renouvelables", so "renouvelables" may mean either (a word a
  choice names itself is that choice's alone). A deployment's own groups
  (`nlu.training_files`) are not known here.

Names are compared as `nlu` reads them (folded, lightly stemmed, without its
stopwords), so that a warning means a real reading. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlu.lexicon import Lexicon
from nlu.normalize import word_set
from nlu.option_groups import shared_words
from nlu.option_words import content_words
from nlu.stems import stemmed, stems

# Words too common to name a choice alone: conjunctions, adverbs, pronouns,
# auxiliaries and everyday words a sentence is made of.
COMMON_WORDS: dict[str, frozenset[str]] = {
    "fr": stemmed(
        word_set(
            """
            car or donc mais ni si que qui quoi comme avec sans pour par sur sous dans chez
            entre vers plus moins bien mal tout tous toute toutes rien pas non oui fait faire
            etre avoir est sont ai as va vais vont peu tres trop aussi encore deja jamais
            toujours souvent parfois ici la alors puis apres avant quand ou le les un une des
            du de au aux en et je tu il elle on nous vous ils elles ce ca cela ceci mon ma
            mes ton ta tes son sa ses leur leurs notre votre nos vos meme autre autres chose
            truc fois jour jours an ans temps moi toi lui eux y cest quel quelle aucun aucune
            certain beaucoup assez vraiment surtout seulement juste
            """
        )
    ),
    "en": stemmed(
        word_set(
            """
            the a an and or but so if as for with without by to of in on at from it its is
            are be was were do does did not no yes all any some more less very too also just
            only still then when where here there this that these those my your his her our
            their i you he she we they me us them can will would should could get got make
            way thing things time day well like one much many most really
            """
        )
    ),
}

# The bundled lexicon groups of each language, read once when this module is
# imported.
LEXICONS: dict[str, Lexicon] = {lang: Lexicon.bundled(lang) for lang in COMMON_WORDS}
_SHOWN_WORDS = 4

_WRITTEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Name:
    """A choice's label or synonym in one language, and where it is written."""

    choice: str  # the choice id
    language: str
    text: str
    synonym_at: int | None  # its index among the choice's synonyms; None for the label


@dataclass(frozen=True, slots=True)
class Misfire:
    name: Name
    message: str
    hint: str


def misfires(names: Sequence[Name]) -> list[Misfire]:
    """The synonyms among `names` (a question's choices) that will misfire."""
    found: list[Misfire] = []
    for name in names:
        if name.synonym_at is None:
            continue
        words = content_words(name.text)
        shown = f"'{name.text}' ({name.language})"
        common = COMMON_WORDS.get(name.language, frozenset())
        if len(stems(name.text)) == 1 and stems(name.text)[0] in common:
            found.append(
                Misfire(
                    name,
                    f"the synonym {shown} of '{name.choice}' is a common word: it will be read"
                    " in sentences that do not mean this choice",
                    "remove it, or use a longer phrase",
                )
            )
            continue
        other = _other_owner(name, names)
        if other is not None:
            found.append(
                Misfire(
                    name,
                    f"the synonym {shown} of '{name.choice}' is also a word of '{other.text}'"
                    f" ('{other.choice}'): a message naming one may be read as the other",
                    "use a word that belongs to this choice only",
                )
            )
            continue
        label_words = {
            w
            for other_name in names
            if other_name.choice == name.choice and other_name.synonym_at is None
            for w in content_words(other_name.text)
        }
        # The words of its own that name the choice alone, a common word first.
        own = sorted((w for w in words if w not in label_words), key=lambda w: w not in common)
        alone = [_surface(name.text, w) for w in own]
        if len(words) > 1 and alone:
            what = ", a common word" if own[0] in common else ""
            found.append(
                Misfire(
                    name,
                    f"the synonym {shown} of '{name.choice}' is also read from '{alone[0]}'"
                    f" alone{what}",
                    f"if '{alone[0]}' alone should not mean '{name.choice}', use other words",
                )
            )
    return found + _shared_through_groups(names)


def _shared_through_groups(names: Sequence[Name]) -> list[Misfire]:
    """Choices that lexicon groups still give the same words, named on the
    label of the last of them."""
    found: list[Misfire] = []
    for lang, lexicon in LEXICONS.items():
        by_choice: dict[str, list[Name]] = {}
        for name in names:
            if name.language == lang:
                by_choice.setdefault(name.choice, []).append(name)
        choices = list(by_choice)
        named = [[name.text for name in by_choice[choice]] for choice in choices]
        for shared in shared_words(named, lexicon):
            ids = [choices[i] for i in shared.options]
            groups = [lexicon.written[g][0] for g in shared.groups]
            words = ", ".join(f"'{w}'" for w in shared.words[:_SHOWN_WORDS])
            more = ", …" if len(shared.words) > _SHOWN_WORDS else ""
            last = by_choice[ids[-1]]
            label = next((name for name in last if name.synonym_at is None), last[0])
            either = "either of them" if len(ids) == 2 else "any of them"
            found.append(
                Misfire(
                    label,
                    f"{_listed(ids)} are read from the same words of the lexicon"
                    f" group{'s' if len(groups) > 1 else ''} {_listed(groups)} ({lang}):"
                    f" {words}{more} may mean {either}",
                    "add the words meant for one choice to its synonyms; a resident who types"
                    " another is asked which choice",
                )
            )
    return found


def _listed(items: Sequence[str]) -> str:
    quoted = [f"'{item}'" for item in items]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _surface(text: str, word: str) -> str:
    """The word of `text` as written whose reading is `word` ("électrique")."""
    for found in _WRITTEN.finditer(text):
        if stems(found.group()) == [word]:
            return found.group()
    return word


def _other_owner(name: Name, names: Sequence[Name]) -> Name | None:
    """Another choice's label or synonym that contains this synonym's words."""
    words = tuple(content_words(name.text))
    if not words:
        return None
    for other in names:
        if other.choice == name.choice or other.language != name.language:
            continue
        theirs = tuple(content_words(other.text))
        if theirs != words and _contains(theirs, words):
            return other
    return None


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    size = len(part)
    return any(words[i : i + size] == part for i in range(len(words) - size + 1))
