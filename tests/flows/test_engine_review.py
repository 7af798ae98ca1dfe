"""Review before sending: a numbered summary at the end, "modifier la question
N" at any time, and "send" completing the contribution."""

import json

from flows.effects import AnswerRecorded, AnswerWithdrawn, Completed
from flows.engine import expecting
from flows.events import ChangeLanguage, Message, Start
from flows.loader import parse_flow
from flows.state import SessionState
from nlu.interpretation import Answer, Candidate, Confirm
from tests.flows.engine_flows import Chat, texts

HEAD = """
id: vie
title: Vie locale
languages: [fr]
consent: Acceptez-vous ?
"""
QUESTIONS = """
questions:
  - {id: bus, type: yes_no, text: Prenez-vous le bus ?}
  - {id: lines, type: number, text: Combien de lignes ?, when: {bus: {eq: true}}}
  - {id: mark, type: scale, min: 1, max: 5, text: Votre note ?}
  - {id: idea, type: free_text, optional: true, text: Une idée ?}
outro: Merci !
"""


def flow(review: str = "review: true\n"):
    return parse_flow(HEAD + review + QUESTIONS, "vie.yml")


def typed(chat: Chat, text: str, interpretation=None):
    """A message whose text matters (a change request), read as `interpretation`."""
    return chat.event(Message(text, interpretation or Answer(text), consent_asked=False))


def done(chat: Chat):
    chat.consent()
    chat.answer(True)
    chat.answer(2)
    chat.answer(4)
    return chat.command("skip")


def test_the_summary_numbers_the_answers_and_offers_to_send():
    chat = Chat(flow())
    shown = done(chat)
    assert chat.status == "reviewing"
    assert texts(shown) == (
        "Voici vos réponses :\n"
        "1. Prenez-vous le bus ? Oui\n"
        "2. Combien de lignes ? 2\n"
        "3. Votre note ? 4\n"
        "4. Une idée ? (passée)\n"
        "Pour changer une réponse, écrivez « modifier la question » et son numéro, par"
        " exemple « modifier la question 2 ». Si tout est juste, envoyez vos réponses."
    )
    assert [b.payload for b in shown.replies[-1].buttons] == ["send"]
    assert not any(isinstance(e, Completed) for e in chat.effects)
    assert expecting(chat.flow, chat.state, "fr").choices[0].id == "send"


def test_send_completes_with_the_outro():
    chat = Chat(flow())
    done(chat)
    sent = chat.answer("send")
    assert texts(sent) == "Merci !"
    assert chat.status == "completed"
    assert chat.effects[-1] == Completed()


def test_anything_else_at_the_review_says_what_to_do():
    chat = Chat(flow())
    done(chat)
    again = chat.send(Answer("bonjour"), "bonjour")
    assert "modifier la question" in texts(again)
    assert chat.status == "reviewing"


def test_changing_one_answer_comes_back_to_the_review_without_the_others():
    chat = Chat(flow())
    done(chat)
    changing = typed(chat, "modifier la question 3")
    assert [r.text for r in changing.replies] == [
        "Question 3 : votre réponse était : 4.",
        "Votre note ?",
    ]
    assert chat.question_id == "mark"
    back = chat.answer(5)
    assert chat.status == "reviewing"
    assert "3. Votre note ? 5" in texts(back)
    recorded = [e for e in chat.effects if isinstance(e, AnswerRecorded)]
    assert recorded[-1].value == 5


def test_a_change_that_opens_a_branch_asks_it_then_reviews():
    chat = Chat(flow())
    chat.consent()
    chat.answer(False)  # no bus: no lines
    chat.answer(3)
    chat.command("skip")
    assert chat.status == "reviewing"
    typed(chat, "modifier la question 1")
    shown = chat.answer(True)
    assert chat.question_id == "lines", texts(shown)
    shown = chat.answer(4)
    assert chat.status == "reviewing"
    assert "2. Combien de lignes ? 4" in texts(shown)


def test_a_change_that_closes_a_branch_withdraws_its_answer():
    chat = Chat(flow())
    done(chat)
    typed(chat, "changer la réponse 1")
    shown = chat.answer(False)
    assert chat.status == "reviewing"
    assert AnswerWithdrawn("lines") in chat.effects
    assert "Combien de lignes" not in texts(shown)


def test_a_change_at_any_time_then_on_to_the_question_still_to_answer():
    chat = Chat(flow())
    chat.consent()
    chat.answer(True)
    chat.answer(2)
    assert chat.question_id == "mark"
    typed(chat, "modifier la question 1")
    assert chat.question_id == "bus"
    chat.answer(True)
    assert chat.question_id == "mark", "lines was answered: not asked again"


def test_an_unknown_number_says_how_many_there_are_and_asks_again():
    chat = Chat(flow())
    chat.consent()
    chat.answer(True)
    shown = typed(chat, "modifier la question 9")
    assert "Il n'y a pas de question 9 parmi vos réponses (de 1 à 1)." in texts(shown)
    assert "Combien de lignes ?" in texts(shown)
    assert chat.question_id == "lines"


def test_back_from_the_review_goes_to_the_last_question():
    chat = Chat(flow())
    done(chat)
    chat.command("back")
    assert chat.question_id == "idea"
    chat.answer("Plus de bus")
    assert chat.status == "reviewing"


def test_stop_at_the_review_resumes_at_the_review():
    chat = Chat(flow())
    done(chat)
    chat.command("stop")
    assert chat.status == "paused"
    resumed = chat.answer("resume")
    assert chat.status == "reviewing"
    assert "Voici vos réponses" in texts(resumed)


def test_review_is_on_by_default_beyond_ten_questions_only():
    assert not flow("").review
    many = "".join(f"  - {{id: q{n}, type: yes_no, text: Question {n} ?}}\n" for n in range(11))
    big = parse_flow(HEAD + "questions:\n" + many + "outro: Merci !\n", "big.yml")
    assert big.review
    assert not parse_flow(
        HEAD + "review: false\nquestions:\n" + many + "outro: Merci !\n", "big.yml"
    ).review


def test_without_review_the_flow_completes_at_once():
    chat = Chat(flow("review: false\n"))
    shown = done(chat)
    assert texts(shown) == "Merci !"
    assert chat.status == "completed"


def test_a_long_free_text_is_cut_in_the_summary():
    chat = Chat(flow())
    chat.consent()
    chat.answer(False)
    chat.answer(3)
    long = "Des bus plus fréquents le soir et le week-end, surtout\nentre Orléans et Tours"
    shown = texts(chat.answer(long))
    assert "3. Une idée ? Des bus plus fréquents le soir et le week-end, surtout…" in shown


PLACES = """
id: places
title: {fr: Lieux, en: Places}
languages: [fr, en]
consent: {fr: Acceptez-vous ?, en: Do you agree?}
review: true
questions:
  - {id: town, type: commune, text: {fr: Votre commune ?, en: Your town?}}
  - id: modes
    type: multi_choice
    text: {fr: Comment venez-vous ?, en: How do you come?}
    choices:
      - {id: bus, label: {fr: Bus, en: Bus}}
      - {id: other, label: {fr: Autre (précisez), en: Other (please specify)}, other: true}
outro: {fr: Merci !, en: Thanks!}
"""


def at_places_review(lang: str = "fr") -> Chat:
    chat = Chat(parse_flow(PLACES, "places.yml"))
    chat.consent()
    if lang != "fr":
        chat.event(ChangeLanguage(lang))
    chat.send(Answer("45284", label="Saint-Jean-de-Braye (45)"), "st jean de braye")
    chat.send(Answer(("bus", "other"), "la trottinette"), "bus et autre : la trottinette")
    return chat


def test_the_summary_names_a_commune_and_shows_the_other_detail():
    chat = at_places_review()
    assert chat.status == "reviewing"
    assert texts(chat.event(Start())).splitlines()[1:3] == [
        "1. Votre commune ? Saint-Jean-de-Braye (45)",
        "2. Comment venez-vous ? Bus, Autre (précisez) : la trottinette",
    ]


def test_in_english_the_detail_follows_a_colon():
    chat = at_places_review("en")
    shown = typed(chat, "change question 2")
    assert shown.replies[0].text == (
        "Question 2: your answer was: Bus, Other (please specify): la trottinette."
    )


def test_a_commune_confirmed_is_named_as_it_was_confirmed():
    chat = Chat(parse_flow(PLACES, "places.yml"))
    chat.consent()
    candidates = (Candidate("41295", "Vineuil (41)"), Candidate("36247", "Vineuil (36)"))
    chat.send(Confirm(candidates, "homonyms"), "Vineuil")
    chat.answer("2", "Vineuil (36)")
    assert chat.state is not None
    assert chat.state.answer("town") == "36247"
    assert texts(typed(chat, "modifier la question 1")).startswith(
        "Question 1 : votre réponse était : Vineuil (36)."
    )


def test_a_replaced_answer_loses_the_name_and_detail_of_the_one_before():
    chat = at_places_review()
    typed(chat, "modifier la question 2")
    shown = chat.answer(("bus",), "bus")
    assert "2. Comment venez-vous ? Bus\n" in texts(shown)
    typed(chat, "modifier la question 1")
    shown = chat.answer("36044")  # another interpreter, which names no commune: its code
    assert "1. Votre commune ? 36044\n" in texts(shown)


def test_a_state_stored_before_names_and_details_were_kept_shows_the_code():
    chat = at_places_review()
    assert chat.state is not None
    older = {k: v for k, v in chat.state.to_json().items() if k not in ("names", "details")}
    chat.state = SessionState.from_json(json.loads(json.dumps(older)))
    assert texts(chat.event(Start())).splitlines()[1:3] == [
        "1. Votre commune ? 45284",
        "2. Comment venez-vous ? Bus, Autre (précisez)",
    ]


PUNCTUATED = """
id: priorites
title: {fr: Priorités, en: Priorities}
languages: [fr, en]
consent: {fr: Acceptez-vous ?, en: Do you agree?}
review: true
questions:
  - id: rank
    type: choice
    text: {fr: Classez les priorités de la Région., en: Rank the Region's priorities.}
    choices:
      - {id: homes, label: {fr: Rénovation, en: Renovation}}
      - {id: buses, label: {fr: Transports, en: Transport}}
  - {id: go, type: yes_no, text: {fr: Allez-y !, en: Go ahead!}}
  - {id: age, type: number, text: {fr: Votre âge, en: Your age}}
outro: {fr: Merci !, en: Thanks!}
"""


def test_a_question_ending_with_a_full_stop_or_an_exclamation_mark_takes_no_colon():
    # ...and a colon takes a space before it in French only.
    for lang, expected in (
        (
            "fr",
            [
                "1. Classez les priorités de la Région. Rénovation",
                "2. Allez-y ! Oui",
                "3. Votre âge : 30",
            ],
        ),
        (
            "en",
            ["1. Rank the Region's priorities. Renovation", "2. Go ahead! Yes", "3. Your age: 30"],
        ),
    ):
        chat = Chat(parse_flow(PUNCTUATED, "priorites.yml"))
        chat.consent()
        if lang != "fr":
            chat.event(ChangeLanguage(lang))
        chat.answer("homes")
        chat.answer(True)
        shown = chat.answer(30)
        assert texts(shown).splitlines()[1:4] == expected
