import pytest

from nlu.lexicon import Lexicon
from nlu.option_mentions import build_matcher
from nlu.option_words import STOPWORDS
from nlu.stems import stems

from .conftest import question

BUNDLED = {lang: Lexicon.bundled(lang) for lang in ("fr", "en")}


def test_a_label_calls_up_groups_by_value_or_one_word_synonym_only():
    lexicon = Lexicon(
        {
            "voiture": ("bagnole", "auto"),
            "chauffage": ("chaudière", "pompe à chaleur"),
        }
    )
    voiture = lexicon.groups_touching([tuple(stems("Voiture"))])
    assert [tuple(m) for m in voiture[0]] == sorted([("auto",), ("bagnole",), ("voiture",)])
    assert lexicon.groups_touching([tuple(stems("Ma bagnole"))]) == voiture
    # "Pompe à chaleur" is a kind of heating: it does not bring every heating word.
    assert lexicon.groups_touching([tuple(stems("Pompe à chaleur"))]) == []


def one_word_members(lexicon: Lexicon, group: int) -> dict[str, str]:
    """The group's one-word members as written, by stem (stopwords aside)."""
    found: dict[str, str] = {}
    for written in lexicon.written[group]:
        words = stems(written)
        if len(words) == 1 and words[0] not in STOPWORDS:
            found.setdefault(words[0], written)
    return found


@pytest.mark.parametrize(
    ("lang", "group"),
    [(lang, n) for lang, lexicon in BUNDLED.items() for n in range(len(lexicon.groups))],
    ids=lambda value: value if isinstance(value, str) else str(value),
)
def test_two_choices_named_by_words_of_one_bundled_group_are_told_apart(lang, group):
    # "énergies renouvelables" lists "éoliennes" and "méthanisation", "voiture"
    # lists "covoiturage": each choice keeps the word it is named by.
    lexicon = BUNDLED[lang]
    members = list(one_word_members(lexicon, group).values())
    for first in members:
        for second in members:
            if first == second:
                continue
            matcher = build_matcher(question("choice", [("a", first), ("b", second)]), lexicon)
            found = matcher.find(stems(first))
            assert [m.choices for m in found] == [frozenset({0})], (first, second)


def test_a_language_without_a_lexicon_has_no_groups():
    assert Lexicon.bundled("de").groups == []
    assert Lexicon.bundled("../fr").groups == []
