from bot.consent_memory import ConsentMemory


def test_a_language_given_earlier_is_kept_until_replaced():
    memory = ConsentMemory()
    memory.remember("a", "mobilite", "en")
    memory.remember("a", "lycees", None)
    assert memory.get("a").consultation_id == "lycees"
    assert memory.get("a").language == "en"
    memory.remember("a", "lycees", "fr")
    assert memory.get("a").language == "fr"


def test_memory_is_bounded_and_forgets_the_oldest_first():
    memory = ConsentMemory(limit=3)
    for name in "abcd":
        memory.remember(name, "mobilite", None)
    memory.remember("b", "mobilite", None)  # b is recent again
    memory.remember("e", "mobilite", None)
    assert len(memory) == 3
    assert memory.get("a") is None
    assert memory.get("c") is None
    assert memory.get("b") is not None


def test_forgetting_after_consent():
    memory = ConsentMemory()
    memory.remember("a", "mobilite", None)
    memory.forget("a")
    memory.forget("never-seen")
    assert memory.get("a") is None
