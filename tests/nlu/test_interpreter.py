"""The interpreter as the conversation engine uses it: commands against answers,
button payloads, deployment training data, and inputs that must never break it."""

import datetime as dt
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import COMMAND_NAMES, Answer, Command, Confirm, Interpreter, Reject
from nlu.training_data import TrainingDataError

from .conftest import TODAY, question

KINDS = ("yes_no", "choice", "multi_choice", "number", "scale", "free_text", "postal_code",
         "commune", "date")  # fmt: skip
CHOICES = [("car", "Voiture"), ("bus", "Bus"), ("train", "Train"), ("none", "Aucun")]


def spec(kind):
    if kind in ("choice", "multi_choice"):
        return question(kind, CHOICES)
    if kind in ("number", "scale"):
        return question(kind, min=1, max=5)
    return question(kind)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/help", "help"),
        ("/stop@consultbot_bot", "stop"),
        ("/restart", "restart"),
        ("/back", "back"),
        ("/skip", "skip"),
        ("/supprimer", "delete_data"),
        ("/human", "human"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_slash_commands_on_every_question(interpret, kind, text, command):
    assert interpret(text, spec(kind)) == Command(command)


@pytest.mark.parametrize(
    ("text", "lang", "command"),
    [
        ("j'ai besoin d'aide", "fr", "help"),
        ("je ne comprends pas ce qu'il faut répondre", "fr", "help"),
        ("je dois y aller, on verra plus tard", "fr", "stop"),
        ("je voudrais tout refaire depuis le début", "fr", "restart"),
        ("je me suis trompé à la question précédente", "fr", "back"),
        ("je préfère ne pas répondre", "fr", "skip"),
        ("effacez mes données s'il vous plaît", "fr", "delete_data"),
        ("je veux parler à un conseiller", "fr", "human"),
        ("how does this work", "en", "help"),
        ("let me start over", "en", "restart"),
        ("please forget everything about me", "en", "delete_data"),
        ("can I speak to a real person", "en", "human"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_commands_in_words_on_every_question(interpret, kind, text, lang, command):
    assert interpret(text, spec(kind), lang) == Command(command)


@pytest.mark.parametrize(
    "text",
    [
        "stop aux voitures dans le centre",
        "il faudrait de l'aide pour les étudiants",
        "arrêtez de fermer les gares",
        "supprimer le stationnement payant",
        "le retour des bus le dimanche",
        "more help for families",
    ],
)
def test_free_text_containing_a_command_word_is_an_answer(interpret, text):
    assert interpret(f"  {text} ", question("free_text")) == Answer(text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("supprimer mes réponses", "fr"),
        ("effacer mes données", "fr"),
        ("supprimez tout ce que je vous ai envoyé", "fr"),
        ("ne les envoyez pas, supprimez mes réponses", "fr"),
        ("delete my answers", "en"),
        ("could you delete everything i sent you", "en"),
        ("don't send them, delete my answers", "en"),
    ],
)
@pytest.mark.parametrize("kind", ["yes_no", "choice", "multi_choice", "number", "date"])
def test_erasing_stays_erasing_beside_a_word_of_sending(interpret, kind, text, lang):
    assert interpret(text, spec(kind), lang) == Command("delete_data")


def test_free_text(interpret):
    free = question("free_text", max_length=20)
    assert interpret("  pas d'avis  ", free) == Answer("pas d'avis")
    assert interpret("   ", free) == Reject("empty")
    assert interpret("x" * 21, free) == Reject("too_long")


@pytest.mark.parametrize(
    "invisible", ["\u200b", "\u200b\u200c\u200d", "\ufeff\u2060", " \u200b \u00ad ", "\u3164"]
)
def test_free_text_of_invisible_characters_only_is_empty_like_spaces(interpret, invisible):
    assert interpret(invisible, question("free_text")) == Reject("empty")
    assert interpret(f"{invisible}oui{invisible}", question("free_text")) != Reject("empty")


_INVISIBLE = st.text(
    alphabet=st.sampled_from(" \t\n\r\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad\u3164\u180e"),
    min_size=1,
)


@settings(max_examples=200, deadline=None)
@given(text=_INVISIBLE, kind=st.sampled_from(["free_text", "choice", "yes_no", "number", "date"]))
def test_nothing_visible_is_never_an_answer(interpret, text, kind):
    assert not isinstance(interpret(text, spec(kind)), Answer)


def test_choice_ids_are_button_payloads(interpret):
    assert interpret("train", spec("choice")) == Answer("train")
    assert interpret("none", spec("multi_choice")) == Answer(("none",))


def test_deployment_training_data_extends_commands_and_synonyms():
    extra = """
version: "3.1"
nlu:
- intent: human
  examples: |
    - je veux la mairie
    - passez-moi la mairie
- synonym: train
  examples: |
    - micheline
"""
    interpreter = Interpreter(extra_training=[extra])
    assert interpreter.interpret("je veux la mairie", spec("number"), "fr", TODAY) == Command(
        "human"
    )
    assert interpreter.interpret("la micheline", spec("choice"), "fr", TODAY) == Answer("train")


def test_bad_training_data_is_reported():
    with pytest.raises(TrainingDataError, match="nlu"):
        Interpreter(extra_training=["- just a list"])


def test_an_external_command_is_weighed_like_a_recognised_one(interpreter):
    yes_no = question("yes_no")
    assert interpreter.interpret(
        "non", yes_no, "fr", TODAY, command="stop", recognise_commands=False
    ) == Answer(False)
    assert interpreter.interpret(
        "laisse tomber", yes_no, "fr", TODAY, command="stop", recognise_commands=False
    ) == Command("stop")
    assert interpreter.interpret(
        "laisse tomber", yes_no, "fr", TODAY, recognise_commands=False
    ) == Reject("not_understood")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x1b[31m",
        "🙂🙂🙂",
        "Привет мир こんにちは مرحبا",
        "a" * 100_000,
        "1 " * 50_000,
        "oui " * 25_000,
        "(" * 100_000,
        "le 12/12/12/12/12/12/12/12",
    ],
)
def test_odd_input_gives_an_answer_or_a_reject(interpret, kind, text):
    got = interpret(text, spec(kind))
    assert isinstance(got, Answer | Reject | Confirm)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.characters(), max_size=80)
    | st.text(alphabet=string.ascii_letters + string.digits + " ,./-'", max_size=40),
    kind=st.sampled_from(KINDS),
    lang=st.sampled_from(("fr", "en")),
    low=st.integers(-5, 50),
    span=st.integers(0, 100),
)
def test_never_raises_and_stays_within_the_question(interpreter, text, kind, lang, low, span):
    if kind in ("number", "scale"):
        q = question(kind, min=low, max=low + span)
    elif kind in ("choice", "multi_choice"):
        q = question(kind, CHOICES)
    else:
        q = question(kind, min_date=dt.date(2026, 1, 1), max_date=dt.date(2026, 12, 31))
    got = interpreter.interpret(text, q, lang, TODAY)
    assert isinstance(got, Answer | Command | Reject | Confirm)
    if isinstance(got, Command):
        assert got.name in COMMAND_NAMES
    if isinstance(got, Confirm):
        assert got.candidates  # something to confirm, each a value of the question's kind
        for candidate in got.candidates:
            _within_question(Answer(candidate.value), q, kind, text)
    if isinstance(got, Answer):
        _within_question(got, q, kind, text)


def _within_question(got, q, kind, text):
    ids = {c.id for c in q.choices}
    if kind == "choice":
        assert got.value in ids
    elif kind == "multi_choice":
        assert isinstance(got.value, tuple)
        assert got.value
        assert set(got.value) <= ids
        assert list(got.value) == [i for i in (c.id for c in q.choices) if i in got.value]
    elif kind in ("number", "scale"):
        assert isinstance(got.value, int)
        assert q.min <= got.value <= q.max
    elif kind == "yes_no":
        assert isinstance(got.value, bool)
    elif kind == "date":
        assert "2026-01-01" <= got.value <= "2026-12-31"
    elif kind in ("postal_code", "commune"):
        assert isinstance(got.value, str)
        assert len(got.value) == 5
    else:
        assert got.value == text.strip()


# What residents' phones send besides words: emoji, punctuation, other scripts,
# zero-width and right-to-left marks.
ODD_CHARACTERS = (
    "🚗🚆🚲🚌🚶👍👎🤷😀🎉❤️⭐2️⃣🇫🇷👨‍👩‍👧"
    ".,;:!?…()[]{}«»\"'-_/\\*#@%&+=<>|~^`"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    "日本語中文한국어ΑΒΓαβγ"
    "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "aeiouyAEIOU éèàçù 0123456789 "
)
MANY_CHOICES = question(
    "choice", [(f"option_{n}", f"Option numéro {n} du quartier {n % 17}") for n in range(200)]
)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet=ODD_CHARACTERS, min_size=0, max_size=4000),
    kind=st.sampled_from(KINDS),
    lang=st.sampled_from(("fr", "en")),
    many=st.booleans(),
)
def test_bad_input_is_decided_without_an_exception(interpreter, text, kind, lang, many):
    q = MANY_CHOICES if many and kind in ("choice", "multi_choice") else spec(kind)
    got = interpreter.interpret(text, q, lang, TODAY)
    assert isinstance(got, Answer | Command | Reject | Confirm)
    if isinstance(got, Answer) and kind in ("choice", "multi_choice"):
        values = got.value if isinstance(got.value, tuple) else (got.value,)
        assert set(values) <= {c.id for c in q.choices}


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("ok je passe", "skip"),
        ("d'accord, je veux parler a quelqu'un", "human"),
        ("ok j'arrete la", "stop"),
    ],
)
def test_a_request_after_an_acknowledgment_is_a_command_on_yes_no(interpret, text, command):
    assert interpret(text, question("yes_no")) == Command(command)


@pytest.mark.parametrize("text", ["ok", "ok c'est bon", "ok pourquoi pas"])
def test_an_acknowledgment_alone_is_yes(interpret, text):
    assert interpret(text, question("yes_no")) == Answer(True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("⬅️ retour", Command("back")),  # the arrow names no option
        ("❓❓ je comprends pas", Command("help")),
        ("pas de 🚗", Reject("not_understood")),  # the car names one: about the question
        ("🚗 stp", Answer("car")),
    ],
)
def test_emoji_count_for_a_command_only_when_they_name_an_option(interpret, text, expected):
    got = interpret(text, spec("choice"))
    if isinstance(expected, Reject):
        assert not isinstance(got, Command)
    else:
        assert got == expected


def test_wondering_why_on_a_free_text_question_is_an_opinion(interpret):
    text = "i don't understand why the library closed"
    assert interpret(text, question("free_text"), "en") == Answer(text)
    assert interpret("i don't understand the question", question("free_text"), "en") == Command(
        "help"
    )


@pytest.mark.parametrize(
    "label", ["Je préfère ne pas répondre", "Parler à un conseiller", "Besoin d'aide", "Stop"]
)
def test_an_option_named_like_a_command_is_that_option(interpret, label):
    spec_ = question("choice", [("a", "Oui"), ("b", "Non"), ("c", label)])
    assert interpret(label, spec_) == Answer("c")
    assert interpret(label.lower(), spec_) == Answer("c")
    # the same words on a question without that option are the command
    assert isinstance(interpret(label, spec("choice")), Command)


def test_questions_offering_the_same_options_share_one_index(interpreter):
    # A flow that asks "Pour / Contre / Sans avis" ten times indexes them once.
    agree = [("pour", "Pour"), ("contre", "Contre"), ("sans_avis", "Sans avis")]
    first, second = question("choice", agree), question("multi_choice", agree)
    assert interpreter._matcher(first, "fr") is interpreter._matcher(second, "fr")
    assert interpreter._matcher(first, "fr") is not interpreter._matcher(first, "en")
    assert interpreter.interpret("contre", second, "fr", TODAY) == Answer(("contre",))
