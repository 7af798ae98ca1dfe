"""`follow_up: true`: once everything is answered, the outro is followed by
"do you want to hear what becomes of it?"; yes or no is a choice kept apart
from the answers, and "stop" later ends it."""

from flows.effects import Completed, FollowUpChosen
from flows.engine import expecting
from flows.loader import parse_flow
from tests.flows.engine_flows import Chat, payloads, texts

FLOW = """
id: vie
title: Vie locale
languages: [fr]
consent: Acceptez-vous ?
questions:
  - {id: bus, type: yes_no, text: Prenez-vous le bus ?}
outro: Merci !
"""


def finished(follow_up: bool) -> Chat:
    chat = Chat(parse_flow(FLOW + ("follow_up: true\n" if follow_up else ""), "vie.yml"))
    chat.consent()
    return chat


def test_the_outro_asks_whether_they_want_the_follow_ups():
    chat = finished(follow_up=True)
    done = chat.answer(True)
    assert [r.text for r in done.replies] == [
        "Merci !",
        "Voulez-vous être informé(e) ici des suites données à cette consultation ?",
    ]
    assert payloads(done.replies[-1]) == ["yes", "no"]
    assert Completed() in done.effects  # the contribution is complete before the question
    assert expecting(chat.flow, chat.state, "fr").kind == "yes_no"


def test_yes_is_kept_and_stop_ends_it():
    chat = finished(follow_up=True)
    chat.answer(True)
    yes = chat.answer(True, "oui")
    assert yes.effects == (FollowUpChosen(True),)
    assert "Écrivez « stop »" in texts(yes)
    assert expecting(chat.flow, chat.state, "fr").kind == "free_text"
    stopped = chat.command("stop")
    assert stopped.effects == (FollowUpChosen(False),)
    assert "ne recevrez plus" in texts(stopped)
    again = chat.command("stop")  # nothing more to stop
    assert again.effects == ()


def test_no_is_kept_and_a_later_yes_answers_nothing():
    chat = finished(follow_up=True)
    chat.answer(True)
    no = chat.answer(False, "non")
    assert no.effects == (FollowUpChosen(False),)
    later = chat.answer(True, "oui")
    assert later.effects == ()
    assert "déjà répondu" in texts(later)


def test_without_the_key_nothing_is_asked():
    chat = finished(follow_up=False)
    done = chat.answer(True)
    assert texts(done) == "Merci !"
    assert chat.answer(True, "oui").effects == ()


def test_the_state_keeps_the_wish_across_a_reload():
    from flows.state import SessionState

    chat = finished(follow_up=True)
    chat.answer(True)
    chat.answer(True, "oui")
    assert chat.state is not None
    reloaded = SessionState.from_json(chat.state.to_json())
    assert (reloaded.follows, reloaded.follow_up_asked) == (True, False)
