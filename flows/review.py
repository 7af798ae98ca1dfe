"""Review before sending: at the end of a flow with `review` on, the resident
reads a short summary of their answers, numbered, and sends them ("envoyer") or
changes one ("modifier la question 5", which `nlu.change` reads at any time).
After a changed answer the conversation goes on with the first question still
to answer, or back to the summary: no walking through the others again."""

from __future__ import annotations

from flows.messages import say
from flows.model import Flow, Question
from flows.prompts import describe
from flows.replies import Button, Reply
from flows.state import SessionState
from nlu.question import ChoiceOption, QuestionSpec

SEND = "send"  # the payload of the "send" button: a choice of the review
SEND_WORDS = ("envoyer", "valider", "send", "submit", "oui", "yes", "ok", "c'est bon")
# A flow without a `review:` key shows the review when it has more questions than this.
REVIEW_THRESHOLD = 10
MAX_SHOWN = 80  # characters of a question's text in the summary
MAX_ANSWER_SHOWN = 60  # and of an answer (a long free text is cut)


def numbered(flow: Flow, state: SessionState) -> list[Question]:
    """The questions answered or skipped, in the flow's order: "question N" is
    the Nth of them, as progress numbers them."""
    return [question for question in flow.questions if state.responded(question.id)]


def summary(flow: Flow, state: SessionState) -> Reply:
    lang = state.language
    lines = [say("review_intro", lang)]
    for number, question in enumerate(numbered(flow, state), start=1):
        shown = recalled(question, state)
        shown = say("review_skipped", lang) if shown is None else shown
        lines.append(f"{number}. {_short(question.text.get(lang), lang)} {_clipped(shown)}")
    lines.append(say("review_how", lang))
    return Reply("\n".join(lines), (Button(say("review_send", lang), SEND),))


def recalled(question: Question, state: SessionState) -> str | None:
    """The answer given to `question` as the resident would recognise it (a
    commune by its name, an "other" choice with its detail), or None when it
    was skipped: in the summary, and when going back or changing it."""
    value = state.answer(question.id)
    if value is None:
        return None
    name, detail = state.name(question.id), state.detail(question.id)
    return describe(question, value, state.language, name, detail)


def review_spec(lang: str) -> QuestionSpec:
    """What a message is read against while the summary is shown."""
    return QuestionSpec(
        kind="choice", choices=(ChoiceOption(SEND, (say("review_send", lang), *SEND_WORDS)),)
    )


def _clipped(answer: str) -> str:
    one_line = " ".join(answer.split())
    if len(one_line) <= MAX_ANSWER_SHOWN:
        return one_line
    cut = one_line[: MAX_ANSWER_SHOWN - 1]
    return cut[: cut.rfind(" ")].rstrip(" ,;:") + "…"  # at a word's end


def _short(text: str, lang: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    shown = line if len(line) <= MAX_SHOWN else line[: MAX_SHOWN - 1].rstrip() + "…"
    # A question that ends its own sentence ("Classez vos priorités.") takes no colon;
    # French puts a space before one, English does not ("Votre âge : 30", "Your age: 30").
    if shown.endswith(("?", ":", "…", ".", "!")):
        return shown
    return shown + (" :" if lang == "fr" else ":")
