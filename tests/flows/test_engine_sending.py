"""The `send` command at a question (flows/sending.py): the optional questions
left are passed and the answers given kept, or nothing changes while one still
needs an answer."""

from dataclasses import replace

from flows.effects import AnswerSkipped, Completed
from flows.model import Flow
from tests.flows.engine_flows import Chat, mobilite, texts


def all_optional_after_mode() -> Flow:
    flow = mobilite()
    first, *rest = flow.questions
    return replace(flow, questions=(first, *(replace(q, optional=True) for q in rest)))


def test_send_after_going_back_keeps_the_answers_and_passes_only_what_was_never_answered():
    chat = Chat(all_optional_after_mode())
    chat.consent()
    chat.answer("train")
    chat.answer(4)
    chat.answer("45000")
    chat.command("back")  # back at the postal code, answered
    sent = chat.command("send")
    assert chat.status == "completed"
    assert sent.effects == (AnswerSkipped("proposal"), Completed())
    assert chat.state is not None
    assert chat.state.answer("postal_code") == "45000"
    assert "Merci pour votre contribution" in texts(sent)


def test_send_while_a_question_needs_an_answer_changes_nothing():
    chat = Chat(mobilite())
    chat.consent()
    chat.answer("train")
    before = chat.state
    said = chat.command("send")
    assert chat.state == before
    assert said.effects == ()
    assert texts(said).startswith("Vos réponses seront envoyées à la fin : il reste 3 questions")
    assert "De 1 à 5" in said.replies[-1].text


def test_send_at_the_review_sends():
    chat = Chat(replace(mobilite(), review=True))
    chat.consent()
    for value in ("train", 4, "45000", "Plus de trains"):
        chat.answer(value)
    assert chat.status == "reviewing"
    chat.command("send")
    assert chat.status == "completed"
