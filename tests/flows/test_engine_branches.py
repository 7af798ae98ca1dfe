"""The engine on a flow with every question type: `when` branches, optional
questions, multi-choice, per-question retry and help texts."""

from dataclasses import replace

from flows.effects import AnswerRecorded, AnswerSkipped, AnswerWithdrawn, Completed
from flows.events import ChangeLanguage
from flows.prompts import ask
from tests.flows.engine_flows import Chat, payloads, rich, texts


def at(question_id: str, **given: object) -> Chat:
    """A chat on the rich flow answered in order with `given` (question id -> value,
    "skip" to skip) until `question_id` is asked."""
    chat = Chat(rich())
    chat.consent()
    while chat.question_id != question_id:
        current = chat.question_id
        assert current is not None, f"{question_id} never asked"
        value = given.get(current, DEFAULTS[current])
        if value == "skip":
            chat.command("skip")
        else:
            chat.answer(value)  # type: ignore[arg-type]
        assert chat.question_id != current, f"{current} not taken: {value!r}"
    return chat


DEFAULTS: dict[str, object] = {
    "resident": True,
    "commune": "45234",
    "transport": ("train",),
    "train_trips": 4,
    "rating": 15,
    "complaint": "Trop de retards",
    "praise": "Les horaires",
    "visit": "2026-05-02",
    "follow_up": True,
    "zip": "45000",
}


def asked(chat: Chat) -> list[str]:
    return [e.question_id for e in chat.effects if isinstance(e, AnswerRecorded | AnswerSkipped)]


def test_a_resident_is_asked_their_commune():
    chat = at("commune", resident=True)
    assert chat.question_id == "commune"


def test_a_non_resident_is_not_asked_their_commune():
    chat = at("transport", resident=False)
    assert "commune" not in asked(chat)


def test_multi_choice_shows_toggle_buttons_and_records_the_selections_in_order():
    chat = at("resident")
    t = chat.answer(True)
    t = chat.answer("45234")
    question = t.replies[-1]
    assert question.multi_select
    assert payloads(question) == ["car", "train", "bike"]
    assert "plusieurs réponses possibles" in question.text
    t = chat.answer(("train", "car"))
    assert t.effects[0] == AnswerRecorded(
        "transport", ("car", "train"), "train, car", t.effects[0].wording, "fr"
    )


def test_multi_choice_with_too_many_selections_is_re_asked_with_the_limit():
    chat = at("transport")
    t = chat.answer(("car", "train", "bike"))
    assert t.effects == ()
    assert "trop de réponses" in t.replies[0].text
    assert "de 1 à 2 réponses" in t.replies[0].text
    assert chat.question_id == "transport"


def test_train_users_are_asked_how_often_they_take_it():
    chat = at("train_trips", transport=("car", "train"))
    assert chat.question_id == "train_trips"


def test_drivers_are_not_asked_about_trains():
    chat = at("rating", transport=("car",))
    assert "train_trips" not in asked(chat)


def test_the_questions_retry_text_is_part_of_the_hint():
    chat = at("train_trips")
    t = chat.reject("approximate")
    assert "nombre précis" in t.replies[0].text
    assert "Un nombre entre 0 et 100, par exemple 4." in t.replies[0].text


def test_help_gives_the_questions_own_help_text():
    chat = at("train_trips")
    t = chat.command("help")
    assert "Comptez les allers et les retours." in t.replies[0].text
    assert "entre 0 et 100" in t.replies[0].text


def test_a_wide_scale_has_no_buttons():
    chat = at("train_trips")
    t = chat.answer(4)
    assert chat.question_id == "rating"
    assert t.replies[-1].buttons == ()


def test_a_good_mark_skips_the_complaint():
    chat = at("visit", rating=15)
    assert "complaint" not in asked(chat)


def test_a_bad_mark_asks_the_optional_complaint_with_a_skip_button():
    chat = at("rating")
    t = chat.answer(5)
    assert chat.question_id == "complaint"
    assert payloads(t.replies[-1]) == ["/skip"]
    assert t.replies[-1].buttons[0].title == "Passer"


def test_skip_on_an_optional_question_records_the_skip():
    chat = at("complaint", rating=5)
    t = chat.command("skip")
    assert t.effects == (AnswerSkipped("complaint"),)
    assert chat.question_id == "praise"  # `skipped` holds for a skipped question


def test_a_question_not_asked_because_of_its_when_counts_as_skipped():
    chat = at("rating")
    t = chat.answer(15)  # a good mark: the complaint is not asked
    assert chat.question_id == "praise"
    assert t.effects == (AnswerRecorded("rating", 15, "15", t.effects[0].wording, "fr"),)
    assert chat.state is not None
    assert chat.state.passed_over == ("complaint",)


def test_an_answered_complaint_is_not_followed_by_praise():
    chat = at("visit", rating=5, complaint="Le bruit")
    assert "praise" not in asked(chat)


def test_a_question_passed_over_then_asked_after_a_change_is_no_longer_skipped():
    chat = at("praise", rating=15)
    chat.command("back")
    assert chat.question_id == "rating"
    chat.answer(3)
    assert chat.question_id == "complaint"
    assert chat.state is not None
    assert chat.state.passed_over == ()
    chat.answer("Le bruit")
    assert chat.question_id == "visit"  # praise: the complaint was answered


def test_three_failed_tries_on_an_optional_question_skip_it():
    chat = at("complaint", rating=5)
    chat.reject("too_long")
    chat.reject("too_long")
    t = chat.reject("too_long")
    assert "facultative" in t.replies[0].text
    assert t.effects == (AnswerSkipped("complaint"),)
    assert chat.question_id == "praise"


def test_free_text_longer_than_its_limit_is_re_asked():
    chat = at("complaint", rating=5)
    t = chat.answer("x" * 51)
    assert t.effects == ()
    assert "50 caractères au plus" in t.replies[0].text


def test_a_date_outside_its_range_is_re_asked():
    chat = at("visit")
    t = chat.answer("2025-12-31")
    assert t.effects == ()
    assert "entre le 1er janvier 2026 et le 31 décembre 2026" in t.replies[0].text


def test_a_skipped_visit_from_a_resident_asks_to_follow_up():
    chat = at("follow_up", visit="skip")
    t = chat.answer(True)
    assert chat.question_id == "zip"
    assert payloads(t.replies[-1]) == ["/skip"]


def test_a_dated_visit_does_not_ask_to_follow_up():
    chat = at("zip", visit="2026-03-01")
    assert "follow_up" not in asked(chat)


def test_the_whole_flow_completes_after_the_last_optional_question_is_skipped():
    chat = at("zip")
    t = chat.command("skip")
    assert t.effects == (AnswerSkipped("zip"), Completed())
    assert t.replies[-1].text == "Merci !"


def test_changing_an_earlier_answer_withdraws_the_answers_of_questions_that_no_longer_apply():
    chat = at("transport", resident=True, commune="45234")
    chat.command("back")
    chat.command("back")
    assert chat.question_id == "resident"
    t = chat.answer(False)
    assert t.effects[1:] == (AnswerWithdrawn("commune"),)
    assert chat.question_id == "transport"
    assert chat.state is not None
    assert chat.state.answer("commune") is None
    # and back from here goes to the resident question, not the withdrawn one
    chat.command("back")
    assert chat.question_id == "resident"


def test_back_to_a_skipped_question_says_it_was_skipped():
    chat = at("praise", rating=5, complaint="skip")
    t = chat.command("back")
    assert "vous l'aviez passée" in t.replies[0].text
    assert chat.question_id == "complaint"


def test_back_shows_a_multi_choice_answer_with_its_labels():
    chat = at("train_trips", transport=("car", "train"))
    t = chat.command("back")
    assert "Votre réponse était : Voiture, Train" in t.replies[0].text


def test_the_yes_no_question_has_yes_no_buttons_in_english():
    chat = Chat(rich())
    chat.consent()
    t = chat.event(ChangeLanguage("en"))
    assert t.replies[-1].text == "Do you live in the region?"
    assert [b.title for b in t.replies[-1].buttons] == ["Yes", "No"]
    assert payloads(t.replies[-1]) == ["yes", "no"]
    assert "Answer yes or no." in texts(chat.reject())


def test_a_scale_from_0_to_10_has_a_button_per_value():
    flow = rich()
    rating = replace(flow.question("rating"), max=10)
    assert payloads(ask(rating, "fr")) == [str(n) for n in range(11)]
