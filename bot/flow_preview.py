"""A flow as plain text for an organizer to proofread: every text, each
question numbered with its type, choices, range and the condition under which
it is asked. What `consultbot flows show` prints and the console's preview of
an uploaded flow shows."""

from __future__ import annotations

from typing import Any

from flows.conditions import AllOf, Answered, AnyOf, Compare, Condition, Not, Skipped
from flows.model import Flow, Question
from flows.translated import Translated

_TYPES = {
    "yes_no": "yes / no",
    "choice": "one choice",
    "multi_choice": "several choices",
    "ranking": "a ranking",
    "number": "a number",
    "scale": "a scale",
    "free_text": "free text",
    "postal_code": "a postal code",
    "commune": "a commune",
    "date": "a date",
}


class FlowPrinter:
    """A flow as plain text for an organizer who is not a programmer."""

    def __init__(self, flow: Flow, languages: tuple[str, ...]) -> None:
        self.flow = flow
        self.languages = languages
        self.lines: list[str] = []
        self.number = {q.id: index for index, q in enumerate(flow.questions, start=1)}

    def render(self) -> str:
        flow = self.flow
        self.lines.append(f"{flow.title.get(self.languages[0])}  [{flow.id}]")
        self.lines.append(f"Languages: {', '.join(flow.languages)}. {self._dates()}")
        if flow.intro is not None:
            self._block("Introduction", flow.intro)
        self._block("Consent (yes / no; nothing is recorded before yes)", flow.consent)
        section: int | None = None
        for question in flow.questions:
            if question.section is not None and question.section != section:
                section = question.section
                self._block(f"Part {section + 1}", flow.sections[section])
            for said in question.before:
                self._block("Said before the next question", said, "   ")
            self._question(question)
        for said in flow.closing:
            self._block("Said after the last question", said)
        if flow.review:
            self.lines.append("")
            self.lines.append(
                "Then a numbered summary of the answers: the resident sends them, or changes"
                ' one first ("modifier la question 2").'
            )
        self._block("End", flow.outro)
        if flow.follow_up:
            self.lines.append(
                "  Then: would they like to hear what becomes of the consultation? (yes / no)"
            )
        return "\n".join(self.lines) + "\n"

    def _dates(self) -> str:
        opens, closes = self.flow.opens, self.flow.closes
        if opens and closes:
            return f"Open from {opens} to {closes}."
        if opens:
            return f"Open from {opens}."
        if closes:
            return f"Open until {closes}."
        return "Always open."

    def _block(self, title: str, text: Translated, indent: str = "") -> None:
        self.lines.append("")
        self.lines.append(indent + title)
        self._texts(text, indent + "  ")

    def _texts(self, text: Translated, indent: str, prefix: str = "") -> None:
        for lang in self.languages:
            head = f"{indent}{prefix}{lang}: "
            # A text written as a YAML block keeps its lines, aligned under the first.
            body = text.get(lang).rstrip("\n").replace("\n", "\n" + " " * len(head))
            self.lines.append(head + body)

    def _question(self, question: Question) -> None:
        number = self.number[question.id]
        marks = " (optional)" if question.optional else ""
        self.lines.append("")
        self.lines.append(f"{number}. [{question.id}] {self._kind(question)}{marks}")
        if question.when is not None:
            self.lines.append(f"   Asked only if {self.condition(question.when)}.")
        if question.skip_if_commented is not None:
            ref = self._ref(question.skip_if_commented)
            self.lines.append(f"   Not asked if {ref} came with a comment.")
        self._texts(question.text, "   ")
        for index, choice in enumerate(question.choices, start=1):
            labels = " / ".join(choice.label.get(lang) for lang in self.languages)
            words = [w for lang in self.languages for w in choice.synonyms_in(lang)]
            also = f"  (also understood: {', '.join(words)})" if words else ""
            also += "  (the resident then says which)" if choice.other else ""
            also += "  (only on its own)" if choice.exclusive else ""
            self.lines.append(f"     {index}) {labels}  [{choice.id}]{also}")
        for point, label in (
            (question.min, question.min_label),
            (question.max, question.max_label),
        ):
            if label is not None:
                labels = " / ".join(label.get(lang) for lang in self.languages)
                self.lines.append(f"     {point} = {labels}")
        for title, text in (("If not understood", question.retry), ("Help", question.help)):
            if text is not None:
                self.lines.append(f"   {title}:")
                self._texts(text, "     ")

    def _kind(self, question: Question) -> str:
        kind = _TYPES[question.type]
        if question.type == "number" and question.unit is not None:
            kind = f"a number of {question.unit}" + _range(question.min, question.max)
        elif question.type in ("number", "scale"):
            kind += _range(question.min, question.max)
        elif question.type == "date":
            kind += _range(question.min_date, question.max_date)
        elif question.type == "multi_choice":
            low = question.min_selections or 1
            high = question.max_selections or len(question.choices)
            kind += f", pick {low}" if low == high else f", pick {low} to {high}"
        elif question.type == "ranking":
            count, total = question.rank_count(), len(question.choices)
            of = f"{count} of its {total}" if count < total else f"its {total}"
            kind += f" of {of} choices, the most important first"
        elif question.type == "free_text" and (question.min_length or question.max_length):
            if question.min_length and question.max_length:
                kind += f", {question.min_length} to {question.max_length} characters"
            elif question.min_length:
                kind += f", at least {question.min_length} characters"
            else:
                kind += f", at most {question.max_length} characters"
        return kind

    # -- conditions in words ------------------------------------------------

    def condition(self, condition: Condition, nested: bool = False) -> str:
        if isinstance(condition, Answered):
            return f"{self._ref(condition.question_id)} was answered"
        if isinstance(condition, Skipped):
            return f"{self._ref(condition.question_id)} was skipped"
        if isinstance(condition, Not):
            inner = condition.condition
            if isinstance(inner, Compare):
                return self._compare(inner, negated=True)
            if isinstance(inner, Answered):
                return f"{self._ref(inner.question_id)} was not answered (skipped or not asked)"
            return f"not ({self.condition(inner)})"
        if isinstance(condition, AllOf | AnyOf):
            joiner = " and " if isinstance(condition, AllOf) else " or "
            text = joiner.join(self.condition(c, nested=True) for c in condition.conditions)
            return f"({text})" if nested else text
        assert isinstance(condition, Compare)
        return self._compare(condition)

    def _ref(self, question_id: str) -> str:
        return f"the answer to {self.number.get(question_id, '?')} [{question_id}]"

    def _compare(self, compare: Any, negated: bool = False) -> str:
        question = self.flow.question(compare.question_id)
        values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
        shown = [self._value(question, value) for value in values]
        op = _NEGATED[compare.op] if negated else compare.op
        if op in ("first", "not_first"):
            puts = "puts" if op == "first" else "does not put"
            return f"{self._ref(question.id)} {puts} {', '.join(shown)} first"
        if question.type in ("multi_choice", "ranking"):
            words = _MULTI_WORDS[op]
        elif question.type == "date":
            words = _DATE_WORDS.get(op, _WORDS[op])
        else:
            words = _WORDS[op]
        return f"{self._ref(question.id)} {words} {', '.join(shown)}"

    def _value(self, question: Question, value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        for choice in question.choices:
            if choice.id == value:
                return f"“{choice.label.get(self.languages[0])}”"
        return str(value)


# Comparisons in words; "not_in" only appears when negating "in".
_WORDS = {
    "eq": "is",
    "ne": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is more than",
    "gte": "is at least",
}
_DATE_WORDS = {
    "lt": "is before",
    "lte": "is on or before",
    "gt": "is after",
    "gte": "is on or after",
}
_MULTI_WORDS = {
    "eq": "includes",
    "ne": "does not include",
    "in": "includes one of",
    "not_in": "includes none of",
}
_NEGATED = {
    "first": "not_first",
    "eq": "ne",
    "ne": "eq",
    "in": "not_in",
    "lt": "gte",
    "lte": "gt",
    "gt": "lte",
    "gte": "lt",
}


def _range(low: object, high: object) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f", at least {low}"
    if high is not None:
        return f", at most {high}"
    return ""
