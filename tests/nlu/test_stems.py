from nlu.stems import stem, stemmed, stems


def test_plurals_and_feminine_past_participles():
    assert stems("Vélos Hébergée") == ["velo", "heberge"]
    assert stem("bus") == "bus"
    assert stem("deux") == "deux"
    assert stem("mois") == "mois"
    assert stem("chateaux") == "chateau"
    assert stemmed(["premiers", "premier"]) == frozenset({"premier"})
