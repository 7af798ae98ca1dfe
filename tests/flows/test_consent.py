"""The conversation before consent (flows.consent), on the demo consultation:
the intro and the consent question, a yes or a no only to the question just
asked, commands answered with nothing kept, the language chosen."""

from flows.consent import before_consent
from flows.effects import ConsentAsked, ConsentGiven, ConsentRefused
from flows.events import Message, Start
from nlu.interpretation import Answer, Command, Reject
from tests.flows.engine_flows import NOW, Chat, mobilite, payloads, texts


def test_start_says_the_intro_then_asks_consent_with_yes_no_buttons():
    t = before_consent(mobilite(), Start(), NOW)
    assert t.state is None
    assert t.effects == (ConsentAsked(),)
    assert t.replies[0].text.startswith("Bonjour")
    assert t.replies[-1].text == "Acceptez-vous ?"
    assert [b.title for b in t.replies[-1].buttons] == ["Oui", "Non"]
    assert payloads(t.replies[-1]) == ["yes", "no"]


def test_a_first_message_that_is_not_yes_or_no_gets_intro_and_consent_and_keeps_nothing():
    t = before_consent(mobilite(), Message("bonjour", Reject("not_understood")), NOW)
    assert t.state is None
    assert t.effects == (ConsentAsked(),)
    assert t.replies[0].text.startswith("Bonjour")
    assert t.replies[-1].text == "Acceptez-vous ?"


def test_yes_gives_consent_and_asks_the_first_question_with_its_choices():
    t = before_consent(mobilite(), Message("oui", Answer(True), consent_asked=True), NOW)
    assert t.effects == (ConsentGiven(),)
    assert t.state is not None
    assert t.state.status == "asking"
    assert t.state.question_id == "mode"
    assert t.replies[-1].text == "Comment vous déplacez-vous le plus souvent ?"
    assert [b.title for b in t.replies[-1].buttons] == ["Voiture", "Train", "Bus", "Vélo", "À pied"]
    assert payloads(t.replies[-1]) == ["car", "train", "bus", "bike", "walk"]


def test_no_refuses_politely_and_records_nothing():
    t = before_consent(mobilite(), Message("non", Answer(False), consent_asked=True), NOW)
    assert t.state is None
    assert t.effects == (ConsentRefused(),)
    assert "rien enregistré" in texts(t)
    assert "Comment" not in texts(t)


def test_a_yes_or_no_to_a_consent_question_not_just_asked_answers_nothing():
    for said in (Message("oui", Answer(True)), Message("non", Answer(False))):
        t = before_consent(mobilite(), said, NOW)
        assert t.state is None
        assert t.effects == (ConsentAsked(),)  # now it is asked
        assert t.replies[-1].text == "Acceptez-vous ?"


def test_a_yes_after_stop_before_consent_is_no_consent():
    chat = Chat(mobilite())
    chat.event(Start())
    chat.command("stop")
    assert chat.answer(True, "oui").effects == (ConsentAsked(),)
    assert chat.state is None


def test_commands_before_consent_are_answered_without_keeping_anything():
    flow = mobilite()
    said = {}
    for name in ("help", "stop", "restart", "back", "skip", "delete_data", "human"):
        t = before_consent(flow, Message(name, Command(name)), NOW)
        assert t.state is None, name
        assert t.effects in ((), (ConsentAsked(),)), name  # asked again, or not
        said[name] = texts(t)
    assert "Mobilité en Centre-Val de Loire" in said["help"]
    assert "oui" in said["help"]
    assert "Rien n'est enregistré" in said["delete_data"]
    assert "humain" in said["human"]
    assert "pas encore commencé" in said["back"]


def test_before_consent_the_platform_language_hint_chooses_the_language():
    t = before_consent(mobilite(), Start(language="en-GB"), NOW)
    assert t.replies[-1].text == "Do you agree?"
    assert [b.title for b in t.replies[-1].buttons] == ["Yes", "No"]
    t = before_consent(mobilite(), Message("yes", Answer(True), "en", consent_asked=True), NOW)
    assert t.state is not None
    assert t.state.language == "en"
    assert t.replies[-1].text == "How do you usually travel?"


def test_an_unknown_language_hint_falls_back_to_the_flows_first_language():
    t = before_consent(mobilite(), Start(language="de"), NOW)
    assert t.replies[-1].text == "Acceptez-vous ?"
