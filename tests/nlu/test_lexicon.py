from nlu.lexicon import Lexicon
from nlu.stems import stems


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
