"""An answer that may mean several choices: name the resident's words and
offer the choices they may mean ("« transports » : Transports en commun, ou
Transport à la demande ?"), as buttons on a single-choice question. `nlu`
gives the words and the choice ids with its ambiguous reject
(`nlu.Reject.words`, `.options`). On a yes/no question an undecided answer
("bof", "oui et non") is told what is expected there (`flows.prompts`)."""

from __future__ import annotations

from flows.messages import say
from flows.model import Question
from flows.prompts import SKIP_PAYLOAD
from flows.replies import Button, Reply
from nlu.interpretation import Reject

_SEVERAL_SPANS = " … "  # how nlu joins words that name different choices


def which_one(question: Question, reject: Reject, lang: str) -> Reply | None:
    """The re-ask of an ambiguous answer among choices, or None when `nlu`
    named no candidates (or they are not the question's)."""
    if reject.reason != "ambiguous" or question.type not in ("choice", "multi_choice", "ranking"):
        return None
    labels = {c.id: c.label.get(lang) for c in question.choices}
    options = [option for option in reject.options if option in labels]
    if len(options) < 2:
        return None
    listed = say(
        "or_list", lang, first=", ".join(labels[o] for o in options[:-1]), last=labels[options[-1]]
    )
    if _SEVERAL_SPANS in reject.words or not reject.words:
        text = say("ambiguous_one_only", lang, options=listed)
    else:
        text = say("ambiguous_words", lang, words=reject.words, options=listed)
    if question.type != "choice":
        return Reply(text)
    buttons = tuple(Button(labels[o], o) for o in options)
    if question.optional:
        buttons = (*buttons, Button(say("skip", lang), SKIP_PAYLOAD))
    return Reply(text, buttons)
