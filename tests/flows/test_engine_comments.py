"""A closed answer with a comment ("oui, surtout les conseillers
départementaux"): the answer is stored, the comment beside it for moderation,
and a question marked `skip_if_commented` with it is not asked."""

import pytest

from flows.effects import AnswerRecorded, comment_id
from flows.errors import FlowValidationError
from flows.loader import parse_flow
from flows.state import SessionState
from nlu.interpretation import Answer
from tests.flows.engine_flows import Chat, texts

FLOW = """
id: democratie
title: Démocratie
languages: [fr]
progress: questions
consent: Acceptez-vous ?
questions:
  - id: closer
    type: yes_no
    text: Faut-il rapprocher les élus des citoyens ?
  - id: which
    type: free_text
    skip_if_commented: closer
    when: {closer: {eq: yes}}
    text: Lesquels en particulier ?
  - id: age
    type: number
    text: Votre âge ?
outro: Merci !
"""


def flow():
    return parse_flow(FLOW, "democratie.yml")


def test_a_comment_is_stored_with_the_answer_and_skips_the_follow_up():
    talk = Chat(flow())
    talk.consent()
    said = talk.send(
        Answer(True, comment="surtout les conseillers départementaux"),
        "oui, surtout les conseillers départementaux",
    )
    (recorded,) = [e for e in talk.effects if isinstance(e, AnswerRecorded)]
    assert recorded.value is True
    assert recorded.comment == "surtout les conseillers départementaux"
    assert talk.question_id == "age"  # "which" is answered by the comment
    assert "Question 2 sur 2" in texts(said)  # and no longer counted


def test_without_a_comment_the_follow_up_is_asked():
    talk = Chat(flow())
    shown = talk.consent()
    assert "Question 1 sur 3" in texts(shown)
    talk.send(Answer(True), "oui")
    assert talk.question_id == "which"


def test_going_back_and_answering_without_a_comment_asks_the_follow_up_again():
    talk = Chat(flow())
    talk.consent()
    talk.send(Answer(True, comment="surtout les maires"), "oui, surtout les maires")
    talk.command("back")
    assert talk.question_id == "closer"
    talk.send(Answer(True), "oui")
    assert talk.question_id == "which"
    assert talk.state is not None
    assert talk.state.commented == ()


def test_the_comment_row_sits_beside_the_answer():
    assert comment_id("closer") == "closer.comment"


def test_commented_questions_survive_the_state_round_trip():
    state = SessionState(language="fr", status="asking", question_id="age", commented=("closer",))
    assert SessionState.from_json(state.to_json()) == state
    old = state.to_json()
    del old["commented"]  # saved before comments existed
    assert SessionState.from_json(old).commented == ()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("age", "skip_if_commented refers to 'age', which is not an earlier question"),
        ("clser", "did you mean 'closer'?"),
        ("which", "refers to 'which', which is not an earlier question"),
    ],
)
def test_skip_if_commented_names_an_earlier_closed_question(target, message):
    text = FLOW.replace("skip_if_commented: closer", f"skip_if_commented: {target}")
    with pytest.raises(FlowValidationError) as error:
        parse_flow(text, "democratie.yml")
    assert message in str(error.value)


def test_skip_if_commented_on_a_free_text_question_is_refused():
    text = FLOW.replace(
        "  - id: age\n    type: number\n    text: Votre âge ?\n",
        "  - id: age\n    type: number\n    text: Votre âge ?\n"
        "  - {id: more, type: free_text, skip_if_commented: age, text: Encore ?}\n",
    )
    with pytest.raises(FlowValidationError) as error:
        parse_flow(text, "democratie.yml")
    assert "'age' is a number question, whose answers take no comment" in str(error.value)
