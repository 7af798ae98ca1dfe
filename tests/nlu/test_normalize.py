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
