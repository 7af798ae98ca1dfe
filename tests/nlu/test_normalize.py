from nlu import normalize
from nlu.normalize import fold, has_letters_or_digits, key, tokens, word_set


def test_fold_removes_accents_ligatures_case_and_emphasis():
    assert fold("  JOUÉ-LÈS-TOURS  ") == "joue-les-tours"
    assert fold("Œufs   et\tfœtus") == "oeufs et foetus"
    assert fold("ouiiiii") == "oui"
    assert fold("l’île") == "l'ile"


def test_tokens_and_keys():
    assert tokens("C'est le 2️⃣ !") == ["c", "est", "le", "2"]
    assert key("Saint-Jean-de-Braye") == "saint jean de braye"
    assert tokens("🙂🙂") == []


def test_letters_or_digits():
    assert has_letters_or_digits("a")
    assert has_letters_or_digits("٣")
    assert not has_letters_or_digits("🙂 !!")


def test_word_set():
    assert word_set(" oui\n non  ") == frozenset({"oui", "non"})


def test_fold_reads_the_ascii_apostrophe_variant_and_non_ascii_ligatures_alike():
    # fold() skips the ligature table on ASCII text unless it holds the
    # table's one ASCII character: that character must be the only one.
    table = normalize._LIGATURES
    assert {chr(code) for code in table if code < 128} == {normalize.ASCII_LIGATURE}
    assert fold("l`ile") == fold("l'ile") == fold("l’île") == "l'ile"
    assert fold("Cœur – ÆSOP") == "coeur - aesop"
    assert fold("Heyyy") == "hey"
    assert fold("beee  aa") == "be aa"
