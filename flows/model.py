"""A validated flow: immutable values built by `flows.loader` from a YAML file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from flows.conditions import Condition
from flows.export_spec import DecidimExport
from flows.language import pick_language
from flows.prompts import greeting, question_prompt
from flows.question_spec import spec_for
from flows.replies import Reply
from flows.translated import Translated
from nlu.durations import NumberUnit
from nlu.question import QuestionKind, QuestionSpec

# Question types whose answers may come with a comment ("oui, surtout ..."),
# stored beside the answer (`flows.effects.comment_id`) for moderation.
COMMENTED_TYPES: tuple[str, ...] = ("yes_no", "choice", "scale")

# What residents see of their progress (`progress:` in a flow file).
Progress: TypeAlias = Literal["none", "questions", "sections"]


@dataclass(frozen=True, slots=True)
class Choice:
    id: str  # snake_case, stable: stored answers refer to it
    label: Translated
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # language -> synonyms
    other: bool = False  # "other, please specify": a detail in the resident's words
    exclusive: bool = False  # multi_choice: cannot be combined with others ("Aucune")

    def synonyms_in(self, lang: str) -> tuple[str, ...]:
        for code, words in self.synonyms:
            if code == lang:
                return words
        return ()


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: QuestionKind
    text: Translated
    line: int = 0  # where the question starts in its YAML file, for messages
    optional: bool = False
    retry: Translated | None = None  # said when an answer was not understood
    help: Translated | None = None  # said on the help command
    when: Condition | None = None
    choices: tuple[Choice, ...] = ()  # choice, multi_choice
    min: int | None = None  # number, scale
    max: int | None = None
    unit: NumberUnit | None = None  # number: minutes or hours, durations are converted to it
    min_label: Translated | None = None  # scale end labels
    max_label: Translated | None = None
    min_selections: int | None = None  # multi_choice
    max_selections: int | None = None
    ranks: int | None = None  # ranking: how many choices are ranked (None: all)
    max_length: int | None = None  # free_text
    min_length: int | None = None
    min_date: dt.date | None = None  # date
    max_date: dt.date | None = None
    before: tuple[Translated, ...] = ()  # information steps (`say:`) said just before it
    section: int | None = None  # index in `Flow.sections` of the section it belongs to
    skip_if_commented: str | None = None  # not asked when that question's answer had a comment
    # The question as shown (`flows.prompts.ask`) and as described to `nlu`
    # (`flows.question_spec.question_spec`) in each language of its text: both
    # are wanted at every message, so they are made once, with the question.
    prompts: dict[str, Reply] = field(init=False, repr=False, compare=False)
    specs: dict[str, QuestionSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        languages = self.text.languages()
        prompts = {lang: question_prompt(self, lang) for lang in languages}
        specs = {lang: spec_for(self, lang) for lang in languages}
        object.__setattr__(self, "prompts", prompts)  # frozen: set once, here
        object.__setattr__(self, "specs", specs)

    def rank_count(self) -> int:
        """ranking: how many choices the answer orders."""
        count = len(self.choices)
        return count if self.ranks is None else min(self.ranks, count)

    def other_choice(self) -> Choice | None:
        """The choice marked `other: true`, if any."""
        return next((choice for choice in self.choices if choice.other), None)


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    title: Translated
    languages: tuple[str, ...]
    consent: Translated
    outro: Translated
    questions: tuple[Question, ...]
    intro: Translated | None = None
    opens: dt.date | None = None
    closes: dt.date | None = None
    source: str = "<memory>"  # the file it came from, for messages
    partial_contributions: bool = False  # unfinished sessions reach the engine on expiry
    follow_up: bool = False  # at the end, offer to hear what became of the consultation
    sections: tuple[Translated, ...] = ()  # section titles, in order
    closing: tuple[Translated, ...] = ()  # information steps after the last question
    progress: Progress = "none"
    decidim_export: DecidimExport | None = None  # the flow's export: {decidim: ...}
    review: bool = False  # a summary of the answers to send or change, at the end
    # Where each question is in `questions`, by id: looked up at every message.
    _positions: dict[str, int] = field(init=False, repr=False, compare=False)
    # The intro and the consent question in each of its languages
    # (`flows.prompts.intro_and_consent`): said or looked for at every message
    # before consent, so made once, with the flow.
    greetings: dict[str, tuple[Reply, Reply]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        positions = {question.id: n for n, question in enumerate(self.questions)}
        object.__setattr__(self, "_positions", positions)  # frozen: set once, here
        greetings = {lang: greeting(self, lang) for lang in self.languages}
        object.__setattr__(self, "greetings", greetings)

    def question(self, question_id: str) -> Question:
        return self.questions[self._positions[question_id]]

    def find(self, question_id: str | None) -> Question | None:
        """The question with this id; None if there is none."""
        position = self._positions.get(question_id) if question_id is not None else None
        return None if position is None else self.questions[position]

    def position(self, question_id: str) -> int | None:
        """The index of the question with this id in `questions`; None if none."""
        return self._positions.get(question_id)

    def language_for(self, *hints: str | None) -> str:
        """The conversation's language: `flows.language.pick_language` among the
        flow's languages."""
        return pick_language(self.languages or ("fr",), *hints)
