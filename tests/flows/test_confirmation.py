"""Confirming an answer the interpreter was not sure of: the engine asks, stores
only what the resident picks, and asks the question again on a no."""

import json

from flows.effects import AnswerRecorded
from flows.engine import expecting
from flows.state import Pending, SessionState
from nlu.interpretation import Answer, Candidate, Command, Confirm
from nlu.question import QuestionSpec
from tests.flows.engine_flows import Chat, mobilite, payloads


def at_postal_code() -> Chat:
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    chat.answer(4)
    return chat


def recorded(chat: Chat) -> list[AnswerRecorded]:
    return [e for e in chat.effects if isinstance(e, AnswerRecorded)]


def test_one_candidate_is_asked_with_yes_no_and_stored_after_yes():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.send(Confirm((Candidate("train"),), "spelling"), "le trian")
    assert [r.text for r in t.replies] == ["Vous voulez dire « Train » ?"]
    assert payloads(t.replies[0]) == ["yes", "no"]
    assert [b.title for b in t.replies[0].buttons] == ["Oui", "Non"]
    assert chat.question_id == "mode"
    assert recorded(chat) == []  # nothing stored before the yes
    assert expecting(chat.flow, chat.state, "fr") == QuestionSpec(kind="yes_no")
    t = chat.answer(True, "oui")
    assert chat.question_id == "satisfaction"
    [answer] = recorded(chat)
    assert (answer.question_id, answer.value, answer.raw_text) == ("mode", "train", "le trian")
    assert chat.state is not None
    assert chat.state.pending is None


def test_no_asks_the_question_again_and_stores_nothing():
    chat = Chat(mobilite())
    chat.consent()
    chat.send(Confirm((Candidate("train"),), "spelling"), "le trian")
    t = chat.answer(False, "non")
    assert [r.text for r in t.replies] == [
        "Entendu.",
        "Comment vous déplacez-vous le plus souvent ?",
    ]
    assert chat.question_id == "mode"
    assert chat.state is not None
    assert chat.state.pending is None
    assert recorded(chat) == []
    assert expecting(chat.flow, chat.state, "fr").kind == "choice"


def test_several_candidates_are_buttons_with_other():
    chat = at_postal_code()
    candidates = (Candidate("41110", "41110 Saint-Aignan"), Candidate("45130", "45130 Meung"))
    t = chat.send(Confirm(candidates, "homonyms"), "saint aignan")
    [reply] = t.replies
    assert reply.text == "Vous voulez dire :"
    assert [b.title for b in reply.buttons] == ["41110 Saint-Aignan", "45130 Meung", "Autre"]
    assert payloads(reply) == ["1", "2", "other"]
    spec = expecting(chat.flow, chat.state, "fr")
    assert spec.kind == "choice"
    assert [c.id for c in spec.choices] == ["1", "2", "other"]
    chat.answer("2", "2")
    assert [(a.question_id, a.value) for a in recorded(chat)][-1] == ("postal_code", "45130")
    assert chat.question_id == "proposal"


def test_other_and_an_unclear_reply_ask_again():
    chat = at_postal_code()
    candidates = (Candidate("41110", "Saint-Aignan"), Candidate("45130", "Meung"))
    chat.send(Confirm(candidates, "homonyms"), "saint aignan")
    t = chat.answer("other", "other")
    assert t.replies[0].text == "Entendu."
    assert chat.question_id == "postal_code"
    chat.send(Confirm(candidates, "homonyms"), "saint aignan")
    t = chat.reject()
    assert t.replies[0].text == "Je n'ai pas compris : je repose la question."
    assert t.replies[-1].text == "Quel est votre code postal ?"
    assert chat.state is not None
    assert chat.state.pending is None
    assert [a.question_id for a in recorded(chat)] == ["mode", "satisfaction"]


def test_candidates_the_question_does_not_take_are_not_offered():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    t = chat.send(Confirm((Candidate(9), Candidate(3)), "sentence"), "9 ou 3")
    assert t.replies[0].text == "Vous voulez dire « 3 » ?"
    chat.answer(True, "oui")
    assert [a.value for a in recorded(chat)] == ["train", 3]


def test_nothing_fitting_is_said_like_a_rejected_answer():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    t = chat.send(Confirm((Candidate(9),), "sentence"), "nous sommes 9")
    assert "en dehors des limites" in t.replies[0].text
    assert chat.state is not None
    assert chat.state.pending is None


def test_help_keeps_the_confirmation_and_says_it_again():
    chat = Chat(mobilite())
    chat.consent()
    chat.send(Confirm((Candidate("train"),), "spelling"), "le trian")
    t = chat.command("help")
    assert t.replies[-1].text == "Vous voulez dire « Train » ?"
    chat.answer(True, "oui")
    assert chat.question_id == "satisfaction"


def test_a_command_drops_the_confirmation():
    chat = Chat(mobilite())
    chat.consent()
    chat.send(Confirm((Candidate("train"),), "spelling"), "le trian")
    chat.command("stop")
    assert chat.state is not None
    assert chat.state.status == "paused"
    assert chat.state.pending is None
    chat.answer("resume", "reprendre")
    assert expecting(chat.flow, chat.state, "fr").kind == "choice"
    assert recorded(chat) == []


def test_the_confirmation_survives_a_save_and_load():
    chat = Chat(mobilite())
    chat.consent()
    chat.send(Confirm((Candidate("train"),), "spelling"), "le trian")
    assert chat.state is not None
    chat.state = SessionState.from_json(json.loads(json.dumps(chat.state.to_json())))
    assert chat.state.pending == Pending((Candidate("train"),), "le trian")
    chat.answer(True, "oui")
    assert [a.value for a in recorded(chat)] == ["train"]


def test_a_clear_answer_is_stored_without_asking():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.send(Answer("train"), "train")
    assert t.replies[-1].text.startswith("De 1 à 5")
    assert chat.send(Command("back"), "retour").replies[-1].text.startswith("Comment")
