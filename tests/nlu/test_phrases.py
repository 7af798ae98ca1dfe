from nlu.normalize import tokens
from nlu.phrases import Found, PhraseIndex


def test_the_longest_phrase_at_each_position_wins():
    index = PhraseIndex([("pas", "negator"), ("pas du tout", "no"), ("tout", "all")])
    words = tokens("Pas du tout, tout")
    assert index.find(words) == [Found(0, 3, "no"), Found(3, 4, "all")]


def test_the_first_value_given_for_a_phrase_stays():
    index = PhraseIndex([("bus", 1), ("Bus", 2)])
    assert index.get(["bus"]) == 1


def test_a_set_of_phrases_says_where_the_first_one_ends():
    corrections = PhraseIndex.of(["en fait", "enfin"])
    assert corrections.first_end(["orleans", "en", "fait", "olivet", "enfin"]) == 3
    assert corrections.first_end(["orleans"]) is None
    assert corrections.occurs_in(["bon", "enfin"])
    assert not corrections.occurs_in(["fait", "en"])
