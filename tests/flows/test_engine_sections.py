"""Information steps (`say:`), sections and progress ("Question 2 sur 5",
"Partie 2 sur 3 : ..."), counting only the questions that will be asked."""

from dataclasses import replace

import pytest

from flows.effects import AnswerRecorded, Completed
from flows.errors import FlowValidationError
from flows.loader import parse_flow
from flows.model import Flow
from tests.flows.engine_flows import Chat, texts

CITIZENSHIP = """
id: citoyennete
title: Démocratie et citoyenneté
languages: [fr]
consent: Acceptez-vous ?
progress: {progress}
questions:
  - section: Vous
  - say: Quelques mots sur vous d'abord.
  - id: voter
    type: yes_no
    text: Votez-vous ?
  - id: why_not
    type: free_text
    when: {{voter: {{eq: false}}}}
    text: Pourquoi ne votez-vous pas ?
  - section: La citoyenneté
  - say: Parlons maintenant d'engagement.
  - id: engaged
    type: yes_no
    text: Êtes-vous engagé dans une association ?
  - say: Une dernière chose sur ce sujet.
  - id: which
    type: free_text
    when: {{engaged: {{eq: true}}}}
    text: Laquelle ?
  - section: Les élus
  - id: mandate
    type: free_text
    when: {{engaged: {{eq: true}}}}
    text: Quel mandat voudriez-vous ?
  - say: C'est presque fini.
outro: Merci !
"""


def citizenship(progress: str = "none") -> Flow:
    return parse_flow(CITIZENSHIP.format(progress=progress), "citoyennete.yml")


def test_a_section_title_and_its_information_step_come_before_its_first_question():
    chat = Chat(citizenship())
    started = chat.consent()
    said = [reply.text for reply in started.replies]
    assert said == [
        "Merci ! C'est parti.",
        "Vous",
        "Quelques mots sur vous d'abord.",
        "Votez-vous ?",
    ]


def test_the_stored_wording_is_the_question_without_its_progress_line():
    chat = Chat(citizenship("questions"))
    chat.consent()
    chat.answer(True)
    recorded = [e for e in chat.effects if isinstance(e, AnswerRecorded)]
    assert recorded[0].wording == "Votez-vous ?"


def test_questions_count_only_those_that_will_be_asked():
    chat = Chat(citizenship("questions"))
    started = chat.consent()
    # why_not, which and mandate depend on answers not given yet: counted.
    assert "Question 1 sur 5\nVotez-vous ?" in texts(started)
    then = chat.answer(True)  # why_not will not be asked
    assert "Question 2 sur 4\nÊtes-vous engagé dans une association ?" in texts(then)
    last = chat.answer(False)  # neither which nor mandate
    assert "Les élus" not in texts(last), "a section with no question asked is not entered"
    assert [r.text for r in last.replies] == ["C'est presque fini.", "Merci !"]
    assert any(isinstance(e, Completed) for e in chat.effects)


def test_a_branch_taken_adds_its_questions_to_the_count():
    chat = Chat(citizenship("questions"))
    chat.consent()
    chat.answer(False)
    assert chat.question_id == "why_not"
    shown = texts(chat.answer("Je n'ai pas le temps"))
    assert "Question 3 sur 5\nÊtes-vous engagé" in shown
    shown = texts(chat.answer(True))
    assert "Une dernière chose sur ce sujet.\nQuestion 4 sur 5\nLaquelle ?" in shown


def test_sections_progress_names_the_part_among_those_that_will_be_reached():
    chat = Chat(citizenship("sections"))
    started = chat.consent()
    assert "Partie 1 sur 3 : Vous" in texts(started)
    assert "Question" not in texts(started)
    shown = texts(chat.answer(True))
    assert "Partie 2 sur 3 : La citoyenneté\nParlons maintenant d'engagement." in shown
    shown = texts(chat.answer(True))
    assert "Partie" not in shown, "the same section: no new title"
    shown = texts(chat.answer("Les Restos du cœur"))
    assert "Partie 3 sur 3 : Les élus\nQuel mandat voudriez-vous ?" in shown


def test_when_a_part_will_not_be_reached_it_is_not_counted():
    chat = Chat(citizenship("sections"))
    chat.consent()
    chat.answer(True)
    chat.answer(True)
    assert chat.question_id == "which"
    chat.command("back")
    shown = texts(chat.answer(False))
    assert "Les élus" not in shown
    assert chat.status == "completed"


def test_going_back_and_resuming_show_the_progress_again_but_not_the_steps():
    chat = Chat(citizenship("questions"))
    chat.consent()
    chat.answer(True)
    back = chat.command("back")
    assert "Question 1 sur 5\nVotez-vous ?" in texts(back)
    assert "Quelques mots" not in texts(back)
    chat.command("stop")
    resumed = chat.answer("resume")
    assert "Question 1 sur 5\nVotez-vous ?" in texts(resumed)


def test_without_progress_no_count_is_shown():
    chat = Chat(citizenship("none"))
    assert "Question 1" not in texts(chat.consent())


def test_english_progress():
    flow = citizenship("questions")
    chat = Chat(replace(flow, languages=("en",)))
    chat.consent()
    assert chat.state is not None
    assert "Question 1 of 5" in texts(chat.command("help"))


@pytest.mark.parametrize(
    ("yaml", "expected", "below"),
    [
        ("  - section: Vide\n  - say: rien\n", "this section has no questions", 0),
        ("  - section: ''\n", "is empty", 0),
        ("  - say: Bonjour\n    when: {voter: answered}\n", "unknown key 'when' in a say step", 1),
        ("  - sayy: Bonjour\n", "this question has no type", 0),
    ],
)
def test_steps_are_validated_with_their_line(yaml: str, expected: str, below: int):
    text = CITIZENSHIP.format(progress="none").replace("outro: Merci !", "") + yaml
    text += "outro: Merci !\n"
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(text, "f.yml")
    messages = [f"{p.line}: {p.message}" for p in raised.value.problems]
    assert any(expected in m for m in messages), messages
    line = text.count("\n", 0, text.index(yaml.split("\n")[0])) + 1 + below
    assert any(p.line == line and expected in p.message for p in raised.value.problems)


def test_an_unknown_progress_setting_is_refused():
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(CITIZENSHIP.format(progress="pages"), "f.yml")
    assert "progress" in str(raised.value)
