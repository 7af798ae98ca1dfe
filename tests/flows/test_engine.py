"""The engine on the demo consultation: questions, re-asks, commands, pause and
resume, deletion, a human, opening dates, languages (before consent:
test_consent.py)."""

import datetime as dt

from flows.effects import (
    AnswerRecorded,
    AnswerWithdrawn,
    Completed,
    ConsentAsked,
    ConsentGiven,
    DeletionConfirmed,
    HumanRequested,
    Paused,
    Restarted,
    Resumed,
    StatusAsked,
)
from flows.engine import advance, expecting
from flows.events import ChangeLanguage, Message, Returned, Start
from flows.prompts import ask
from flows.state import SessionState
from nlu.interpretation import Answer, Reject
from nlu.question import QuestionSpec
from tests.flows.engine_flows import NOW, Chat, mobilite, payloads, rich, texts


def answered_up_to_postal_code() -> Chat:
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    chat.answer(4)
    return chat


# ---- answers -------------------------------------------------------------------


def test_an_answer_is_recorded_with_the_exact_wording_shown_and_the_next_question_asked():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.answer("train", "TER")
    assert t.effects == (
        AnswerRecorded(
            question_id="mode",
            value="train",
            raw_text="TER",
            wording="Comment vous déplacez-vous le plus souvent ?",
            language="fr",
        ),
    )
    scale = t.replies[-1]
    # "TER" is a synonym: what was recorded is said first, on a line of its own.
    echo, asked = scale.text.split("\n", 1)
    assert echo == "Noté : Train."
    assert asked.startswith("De 1 à 5")
    assert "1 = pas du tout satisfait" in scale.text
    assert "5 = très satisfait" in scale.text
    assert payloads(scale) == ["1", "2", "3", "4", "5"]
    t = chat.answer(4)
    recorded = t.effects[0]
    assert isinstance(recorded, AnswerRecorded)
    assert recorded.wording == asked


def test_the_demo_consultation_completes_with_the_outro():
    chat = answered_up_to_postal_code()
    chat.answer("45000")
    t = chat.answer("Plus de trains le soir entre Orléans et Tours")
    assert t.replies[-1].text.startswith("Merci")
    assert t.effects[-1] == Completed()
    assert chat.status == "completed"
    recorded = [e.question_id for e in chat.effects if isinstance(e, AnswerRecorded)]
    assert recorded == ["mode", "satisfaction", "postal_code", "proposal"]


def test_after_completion_a_message_is_thanked_and_nothing_recorded():
    chat = answered_up_to_postal_code()
    chat.answer("45000")
    chat.answer("Des bus")
    t = chat.answer("encore un mot")
    assert t.effects == ()
    assert "déjà répondu" in texts(t)
    assert chat.status == "completed"


# ---- re-asks -------------------------------------------------------------------


def test_a_reject_re_asks_with_a_hint_for_its_reason_and_records_nothing():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    t = chat.reject("out_of_range")
    assert t.effects == ()
    assert "en dehors des limites" in t.replies[0].text
    assert "de 1 à 5" in t.replies[0].text
    assert t.replies[-1].text.startswith("De 1 à 5")
    assert chat.question_id == "satisfaction"


def test_each_reject_reason_has_its_own_hint():
    hints = set()
    for reason in ("empty", "not_understood", "ambiguous", "approximate", "unknown_postal_code"):
        chat = Chat(mobilite())
        chat.consent()
        hints.add(chat.reject(reason).replies[0].text)
    assert len(hints) == 5


def test_an_answer_that_does_not_fit_the_question_is_re_asked_not_recorded():
    chat = Chat(mobilite())
    chat.consent()
    assert chat.answer("plane").effects == ()
    assert chat.answer(True).effects == ()
    assert chat.question_id == "mode"
    chat.answer("bus")
    assert chat.answer(9).effects == ()
    assert chat.answer(True).effects == ()  # a bool is no mark
    assert chat.question_id == "satisfaction"


def test_after_three_failed_tries_on_a_required_question_help_is_offered():
    chat = Chat(mobilite())
    chat.consent()
    first = chat.reject()
    second = chat.reject()
    third = chat.reject()
    assert "humain" not in texts(first) + texts(second)
    assert "humain" in third.replies[0].text
    assert "Voiture" in third.replies[0].text  # what the question expects
    assert chat.question_id == "mode"
    assert third.effects == ()


def test_a_good_answer_resets_the_count_of_failed_tries():
    chat = Chat(mobilite())
    chat.consent()
    chat.reject()
    chat.reject()
    chat.answer("car")
    assert "humain" not in texts(chat.reject())


# ---- commands ------------------------------------------------------------------


def test_help_explains_the_question_and_the_commands_then_asks_again():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.command("help")
    assert "Voiture, Train, Bus, Vélo, À pied" in t.replies[0].text
    for word in ("retour", "passer", "stop", "recommencer", "humain", "supprimer mes données"):
        assert word in t.replies[0].text
    assert t.replies[-1].text == "Comment vous déplacez-vous le plus souvent ?"
    assert t.effects == ()


def test_skip_on_a_required_question_says_why_and_asks_again():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.command("skip")
    assert "obligatoire" in t.replies[0].text
    assert chat.question_id == "mode"
    assert t.effects == ()


def test_back_on_the_first_question_says_there_is_none():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.command("back")
    assert "première question" in t.replies[0].text
    assert chat.question_id == "mode"


def test_back_re_asks_the_previous_question_and_the_new_answer_replaces_the_old():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.answer("train")
    assert t.effects[0].replaces is False  # the first: nothing stored to supersede
    t = chat.command("back")
    assert "Votre réponse était : Train" in t.replies[0].text
    assert chat.question_id == "mode"
    t = chat.answer("bike")
    assert t.effects[0] == AnswerRecorded(
        "mode", "bike", "bike", t.effects[0].wording, "fr", replaces=True
    )
    assert chat.state is not None
    assert chat.state.answers == (("mode", "bike"),)
    assert chat.question_id == "satisfaction"


def test_back_twice_walks_back_through_the_answers():
    chat = answered_up_to_postal_code()
    chat.command("back")
    assert chat.question_id == "satisfaction"
    chat.command("back")
    assert chat.question_id == "mode"
    chat.answer("walk")
    assert chat.question_id == "satisfaction"


def test_back_after_completion_reopens_the_last_question():
    chat = answered_up_to_postal_code()
    chat.answer("45000")
    chat.answer("Des bus")
    chat.command("back")
    assert chat.status == "asking"
    assert chat.question_id == "proposal"
    t = chat.answer("Des trains")
    assert t.effects[-1] == Completed()


def test_stop_pauses_and_any_later_message_offers_to_resume():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    t = chat.command("stop")
    assert t.effects == (Paused(),)
    assert chat.status == "paused"
    assert "pause" in texts(t)
    t = chat.answer(4)  # the answer to the question they left is not taken while paused
    assert t.effects == ()
    offer = t.replies[-1]
    assert "reprendre" in offer.text
    assert payloads(offer) == ["resume", "/restart"]
    assert [b.title for b in offer.buttons] == ["Reprendre", "Recommencer"]


def test_resume_carries_on_where_the_resident_left():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    chat.command("stop")
    t = chat.answer("resume")
    assert t.effects == (Resumed(),)
    assert chat.question_id == "satisfaction"
    assert t.replies[-1].text.startswith("De 1 à 5")


def test_start_again_from_a_pause_withdraws_the_answers_and_asks_the_first_question():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    chat.command("stop")
    t = chat.command("restart")
    assert t.effects == (Resumed(), Restarted(), AnswerWithdrawn("mode"))
    assert chat.question_id == "mode"
    assert chat.state is not None
    assert chat.state.answers == ()


def test_restart_while_answering_starts_over():
    chat = answered_up_to_postal_code()
    t = chat.command("restart")
    assert t.effects == (Restarted(), AnswerWithdrawn("mode"), AnswerWithdrawn("satisfaction"))
    assert "depuis le début" in t.replies[0].text
    assert t.replies[-1].text == "Comment vous déplacez-vous le plus souvent ?"
    assert chat.command("back").replies[0].text.startswith("C'est la première question")


def test_restart_after_completion_starts_over():
    chat = answered_up_to_postal_code()
    chat.answer("45000")
    chat.answer("Des bus")
    t = chat.command("restart")
    assert t.effects[0] == Restarted()
    assert chat.question_id == "mode"


def test_delete_data_asks_for_confirmation_first():
    chat = answered_up_to_postal_code()
    t = chat.command("delete_data")
    assert t.effects == ()
    assert chat.status == "confirming_delete"
    assert "vraiment supprimer" in t.replies[-1].text
    assert payloads(t.replies[-1]) == ["yes", "no"]
    assert expecting(chat.flow, chat.state, "fr") == QuestionSpec(kind="yes_no")


def test_delete_data_confirmed_erases_and_forgets_the_resident():
    chat = answered_up_to_postal_code()
    chat.command("delete_data")
    t = chat.answer(True)
    assert t.effects == (DeletionConfirmed(),)
    assert t.state is None
    assert "supprimées" in texts(t)
    t = chat.send(Reject("not_understood"), "bonjour")
    assert t.replies[-1].text == "Acceptez-vous ?"


def test_delete_data_declined_keeps_everything_and_asks_the_question_again():
    chat = answered_up_to_postal_code()
    before = chat.state
    chat.command("delete_data")
    t = chat.answer(False)
    assert t.effects == ()
    assert chat.state == before
    assert "Rien n'a été supprimé" in t.replies[0].text
    assert t.replies[-1].text == "Quel est votre code postal ?"


def test_an_unclear_reply_to_the_deletion_question_asks_again():
    chat = answered_up_to_postal_code()
    chat.command("delete_data")
    t = chat.reject()
    assert chat.status == "confirming_delete"
    assert "« oui »" in t.replies[0].text
    assert t.effects == ()


def test_another_command_during_the_deletion_question_cancels_it_and_is_done():
    chat = answered_up_to_postal_code()
    chat.command("delete_data")
    t = chat.command("stop")
    assert "Rien n'a été supprimé" in t.replies[0].text
    assert t.effects == (Paused(),)
    assert chat.status == "paused"


def test_delete_data_after_completion_can_be_cancelled_back_to_completed():
    chat = answered_up_to_postal_code()
    chat.answer("45000")
    chat.answer("Des bus")
    chat.command("delete_data")
    chat.answer(False)
    assert chat.status == "completed"


def test_human_flags_the_conversation_once_and_says_what_will_happen():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.command("human")
    assert t.effects == (HumanRequested(),)
    assert chat.state is not None
    assert chat.state.human_requested
    assert "vous répondra ici" in t.replies[0].text
    assert "jours ouvrés" in t.replies[0].text
    assert t.replies[-1].text == "Comment vous déplacez-vous le plus souvent ?"
    again = chat.command("human")
    assert again.effects == ()
    assert "déjà transmise" in again.replies[0].text


def test_the_human_flag_survives_a_restart():
    chat = Chat(mobilite())
    chat.consent()
    chat.command("human")
    chat.command("restart")
    assert chat.state is not None
    assert chat.state.human_requested


# ---- coming back ---------------------------------------------------------------


def test_start_during_a_consultation_says_where_we_were():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("car")
    t = chat.event(Start())
    assert "Nous en étions" in t.replies[0].text
    assert t.replies[-1].text.startswith("De 1 à 5")
    assert t.effects == ()


def test_returning_after_expiry_offers_to_resume_or_start_again():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("car")
    t = chat.event(Returned())
    assert chat.status == "paused"
    assert "Bon retour" in t.replies[0].text
    assert payloads(t.replies[-1]) == ["resume", "/restart"]
    chat.answer("resume")
    assert chat.question_id == "satisfaction"


def test_returning_after_completion_thanks_again():
    chat = answered_up_to_postal_code()
    chat.answer("45000")
    chat.answer("Des bus")
    t = chat.event(Returned())
    assert chat.status == "completed"
    assert "déjà répondu" in texts(t)


def test_returning_without_consent_greets_again():
    t = advance(mobilite(), None, Returned(), NOW)
    assert t.state is None
    assert t.replies[-1].text == "Acceptez-vous ?"


# ---- opening dates -------------------------------------------------------------


def test_a_closed_consultation_says_so_and_asks_nothing():
    flow = mobilite(closes=dt.date(2026, 6, 30))
    for event in (Start(), Message("oui", Answer(True))):
        t = advance(flow, None, event, NOW)
        assert t.state is None
        assert t.effects == ()
        assert "a pris fin le 30 juin 2026" in texts(t)


def test_the_closing_day_is_still_open():
    flow = mobilite(closes=NOW.date())
    yes = Message("oui", Answer(True), consent_asked=True)
    assert advance(flow, None, yes, NOW).effects == (ConsentGiven(),)


def test_a_consultation_not_yet_open_says_when_it_opens():
    flow = mobilite(opens=dt.date(2026, 9, 1))
    t = advance(flow, None, Start(language="en"), NOW)
    assert "opens on 1 September 2026" in texts(t)
    t = advance(flow, None, Start(), NOW)
    assert "ouvrira le 1er septembre 2026" in texts(t)


def test_a_consultation_that_closes_mid_conversation_takes_no_more_answers():
    flow = mobilite(closes=dt.date(2026, 7, 1))
    chat = Chat(flow)
    chat.consent()
    chat.now = dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)
    t = chat.answer("train")
    assert t.effects == ()
    assert chat.status == "closed"
    assert "a pris fin" in texts(t)
    t = chat.command("delete_data")  # their data can still be erased
    assert chat.status == "confirming_delete"
    assert chat.answer(True).effects == (DeletionConfirmed(),)


def test_a_human_can_still_be_asked_for_after_closing():
    chat = Chat(mobilite(closes=dt.date(2026, 7, 1)))
    chat.consent()
    chat.now = dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)
    assert chat.command("human").effects == (HumanRequested(),)
    assert "terminée" in texts(chat.command("help"))


# ---- languages -----------------------------------------------------------------


def test_changing_language_goes_on_in_the_new_language():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.event(ChangeLanguage("en"))
    assert t.replies[0].text == "All right, I will carry on in English."
    assert t.replies[-1].text == "How do you usually travel?"
    assert t.replies[-1].buttons[0].title == "Car"
    t = chat.answer("car")
    recorded = t.effects[0]
    assert isinstance(recorded, AnswerRecorded)
    assert recorded.language == "en"
    assert recorded.wording == "How do you usually travel?"
    assert "satisfied" in t.replies[-1].text


def test_a_language_the_flow_does_not_speak_is_refused():
    chat = Chat(mobilite())
    chat.consent()
    t = chat.event(ChangeLanguage("de"))
    assert "français, anglais" in t.replies[0].text
    assert chat.state is not None
    assert chat.state.language == "fr"


def test_changing_language_before_consent_greets_in_that_language():
    t = advance(mobilite(), None, ChangeLanguage("en"), NOW)
    assert t.state is None
    assert t.replies[-1].text == "Do you agree?"


# ---- what the next message is read against -------------------------------------


def test_expecting_follows_the_conversation():
    flow = mobilite()
    assert expecting(flow, None, "fr") == QuestionSpec(kind="yes_no")
    chat = Chat(flow)
    chat.consent()
    spec = expecting(flow, chat.state, "fr")
    assert spec.kind == "choice"
    assert spec.choices[0].names == ("Voiture", "auto", "bagnole")
    chat.answer("car")
    spec = expecting(flow, chat.state, "fr")
    assert (spec.kind, spec.min, spec.max) == ("scale", 1, 5)
    chat.command("stop")
    spec = expecting(flow, chat.state, "fr")
    assert [c.id for c in spec.choices] == ["resume", "restart"]


def test_the_question_reply_is_the_wording_recorded():
    flow = mobilite()
    assert ask(flow.questions[0], "en").text == "How do you usually travel?"


def test_a_number_is_not_taken_for_yes_to_consent_or_to_deletion():
    t = advance(mobilite(), None, Message("1", Answer(1), consent_asked=True), NOW)
    assert t.state is None
    assert t.effects == (ConsentAsked(),)  # asked again
    chat = answered_up_to_postal_code()
    chat.command("delete_data")
    assert chat.answer(1).effects == ()
    assert chat.status == "confirming_delete"


# ---- less travelled paths ------------------------------------------------------


def test_changing_to_an_unknown_language_before_consent_says_which_exist():
    t = advance(mobilite(), None, ChangeLanguage("de"), NOW)
    assert t.state is None
    assert "français, anglais" in t.replies[0].text
    assert t.replies[-1].text == "Acceptez-vous ?"


def test_start_while_paused_offers_to_resume():
    chat = Chat(mobilite())
    chat.consent()
    chat.command("stop")
    t = chat.event(Start())
    assert payloads(t.replies[-1]) == ["resume", "/restart"]
    assert chat.status == "paused"


def test_changing_language_while_paused_offers_to_resume_in_that_language():
    chat = Chat(mobilite())
    chat.consent()
    chat.command("stop")
    t = chat.event(ChangeLanguage("en"))
    assert [b.title for b in t.replies[-1].buttons] == ["Resume", "Start again"]


def test_help_while_paused_and_after_completion():
    chat = Chat(mobilite())
    chat.consent()
    chat.command("stop")
    t = chat.command("help")
    assert "en pause" in t.replies[0].text
    assert "« recommencer »" in t.replies[0].text
    assert chat.status == "paused"
    done = answered_up_to_postal_code()
    done.answer("45000")
    done.answer("Des bus")
    t = done.command("help")
    assert "« supprimer mes données »" in t.replies[0].text
    assert "déjà répondu" in t.replies[-1].text


def test_start_and_return_after_closing_say_it_is_closed():
    chat = Chat(mobilite(closes=dt.date(2026, 7, 1)))
    chat.consent()
    chat.now = dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)
    assert "a pris fin" in texts(chat.event(Start()))
    assert chat.status == "closed"
    assert "a pris fin" in texts(chat.event(Returned()))
    assert chat.status == "closed"


def test_after_completion_a_closed_consultation_says_so():
    chat = Chat(mobilite(closes=dt.date(2026, 7, 1)))
    chat.consent()
    for value in ("train", 4, "45000", "Des trains"):
        chat.answer(value)
    chat.now = dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)
    t = chat.command("restart")
    assert "a pris fin" in texts(t)
    assert t.effects == ()
    assert chat.status == "completed"


def test_returning_during_the_deletion_question_forgets_it_and_offers_to_resume():
    chat = answered_up_to_postal_code()
    chat.command("delete_data")
    chat.event(Returned())
    assert chat.status == "paused"
    assert chat.state is not None
    assert chat.state.before_delete is None


def test_after_three_failures_the_questions_own_help_is_given():
    flow = rich()
    chat = Chat(flow)
    chat.consent()
    chat.answer(False)
    chat.answer(("train",))
    assert chat.question_id == "train_trips"
    chat.reject()
    chat.reject()
    t = chat.reject()
    assert "Comptez les allers et les retours." in t.replies[0].text
    assert "humain" in t.replies[0].text


def test_a_state_whose_question_left_the_flow_carries_on_with_the_next_one():
    flow = mobilite()
    stale = SessionState(
        language="fr", status="asking", question_id="gone", answers=(("mode", "car"),)
    )
    t = advance(flow, stale, Message("4", Answer(4)), NOW)
    assert t.state is not None
    assert t.state.question_id == "postal_code"  # satisfaction was answered with 4
    paused = SessionState(language="fr", status="paused", question_id="gone")
    t = advance(flow, paused, Message("resume", Answer("resume")), NOW)
    assert t.state is not None
    assert t.state.question_id == "mode"
    done = SessionState(
        language="fr",
        status="asking",
        question_id="gone",
        answers=(("mode", "car"), ("satisfaction", 3), ("postal_code", "45000"), ("proposal", "x")),
    )
    t = advance(flow, done, Message("x", Answer("x")), NOW)
    assert t.state is not None
    assert t.state.status == "completed"


def test_status_asks_storage_for_the_contributions_then_asks_the_question_again():
    chat = Chat(mobilite())
    chat.consent()
    before = chat.state
    t = chat.command("status")
    assert t.effects == (StatusAsked(),)  # what storage knows goes first (bot.receipts)
    assert chat.state == before
    assert texts(t) == "Comment vous déplacez-vous le plus souvent ?"


def test_status_after_completion_reopens_nothing():
    chat = answered_up_to_postal_code()
    chat.answer("45000")
    chat.answer("Des bus")
    t = chat.command("status")
    assert t.effects == (StatusAsked(),)
    assert t.replies == ()
    assert chat.status == "completed"


def test_status_before_consent_says_how_a_code_is_given_and_keeps_nothing():
    chat = Chat(mobilite())
    t = chat.command("status")
    assert t.state is None
    assert "code" in t.replies[0].text
    assert "Acceptez-vous" in t.replies[-1].text
