"""The flow file format as pydantic models: what keys exist, of which type.

These models parse untrusted YAML (after `flows.document` has read it) and are
the source of the JSON Schema that `consultbot flows schema` prints for editors.
Rules that need the whole flow (translations for every declared language,
`when` references, ranges) live in `flows.validation`; the `flows.model`
dataclasses are what the rest of the package uses.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictInt,
    Tag,
    TypeAdapter,
    WithJsonSchema,
)

from flows.text_field import (
    DEFINITION_MARKER,
    LANGUAGE_PATTERN,
    TEXT_SCHEMA,
    TranslatedText,
)
from flows.text_field import describe as describe  # re-exported: flows.when uses it
from nlu.durations import NumberUnit
from nlu.question import QUESTION_KINDS

QUESTION_TYPES: tuple[str, ...] = QUESTION_KINDS
# Items of `questions:` that are not questions: an information step, a section title.
STEP_KINDS: tuple[str, ...] = ("say", "section")
PROGRESS_KINDS: tuple[str, ...] = ("none", "questions", "sections")
# Checked by flows.validation with a suggestion; given to editors through the schema.
SNAKE_CASE_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
FLOW_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


_COMPARISON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "eq": {"description": "the answer equals this value (or, for multi_choice, includes it)"},
        "ne": {"description": "the answer differs from this value"},
        "in": {"type": "array", "minItems": 1, "description": "the answer is one of these"},
        "first": {"description": "ranking: the choice ranked first is this one"},
        "lt": {"description": "less than (numbers, scales, dates)"},
        "lte": {"description": "less than or equal (numbers, scales, dates)"},
        "gt": {"description": "greater than (numbers, scales, dates)"},
        "gte": {"description": "greater than or equal (numbers, scales, dates)"},
    },
}

_WHEN_SCHEMA: dict[str, Any] = {
    "description": "Ask this question only if the condition holds. Keys are earlier question"
    " ids (value: answered, skipped, or a comparison such as {lte: 2}), or all / any"
    " (a list of conditions), or not (one condition). Several keys must all hold.",
    "type": "object",
    "minProperties": 1,
    "properties": {
        "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}},
        "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}},
        "not": {"$ref": "#/$defs/Condition"},
    },
    "additionalProperties": {
        "anyOf": [{"enum": ["answered", "skipped"]}, _COMPARISON_SCHEMA],
    },
}

# Kept as plain data: `flows.validation` reads it with located, specific messages
# (unknown question, later question, impossible value) that a schema cannot give.
WhenDoc: TypeAlias = Annotated[dict[str, Any], WithJsonSchema({DEFINITION_MARKER: "Condition"})]
_DEFINITIONS = {"Text": TEXT_SCHEMA, "Condition": _WHEN_SCHEMA}

PositiveInt = Annotated[StrictInt, Field(ge=1)]
Language = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]


class _Doc(BaseModel):
    # Numbers are accepted where texts are expected ("id: 2030", a synonym "15").
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class ChoiceDoc(_Doc):
    """One option of a choice or multi_choice question."""

    id: str = Field(
        description="Stable snake_case name stored with the answers (e.g. by_train);"
        " never change it once the consultation is open.",
        json_schema_extra={"pattern": SNAKE_CASE_PATTERN},
    )
    label: TranslatedText = Field(description="What the resident reads on the button.")
    synonyms: dict[Language, list[str]] | None = Field(
        default=None,
        description="Other words residents may type for this choice, per language,"
        " e.g. {fr: [bagnole, auto]}.",
    )
    other: bool = Field(
        default=False,
        description="true for an 'other, please specify' choice: the resident's own words"
        " after it ('autre : la trottinette'), or asked right after, are stored with the"
        " answer as free text that moderators review.",
    )
    exclusive: bool = Field(
        default=False,
        description="multi_choice: true for a choice that cannot be combined with others"
        " ('Aucune', 'Je ne sais pas'); 'aucune sauf X' is X.",
    )


class _QuestionDoc(_Doc):
    id: str = Field(
        description="Stable snake_case name of the question, stored with answers.",
        json_schema_extra={"pattern": SNAKE_CASE_PATTERN},
    )
    text: TranslatedText = Field(description="The question as the resident reads it.")
    optional: bool = Field(
        default=False, description="true if the resident may skip it (command 'skip')."
    )
    retry: TranslatedText | None = Field(
        default=None, description="Said again when an answer was not understood."
    )
    help: TranslatedText | None = Field(
        default=None, description="Said when the resident asks for help on this question."
    )
    when: WhenDoc | None = Field(default=None)
    skip_if_commented: str | None = Field(
        default=None,
        description="The id of an earlier yes_no, choice or scale question: this question is"
        " not asked when that answer came with a comment ('oui, surtout les conseillers"
        " départementaux'), which already says what this question asks.",
    )


class YesNoQuestion(_QuestionDoc):
    """A yes or no answer."""

    type: Literal["yes_no"]


class ChoiceQuestion(_QuestionDoc):
    """One answer among a list of choices."""

    type: Literal["choice"]
    choices: list[ChoiceDoc] = Field(description="At least two choices.")


class MultiChoiceQuestion(_QuestionDoc):
    """Several answers among a list of choices."""

    type: Literal["multi_choice"]
    choices: list[ChoiceDoc] = Field(description="At least two choices.")
    min_selections: PositiveInt | None = Field(
        default=None, description="The fewest choices a resident must pick (default 1)."
    )
    max_selections: PositiveInt | None = Field(
        default=None, description="The most choices a resident may pick (default: all)."
    )


class RankingQuestion(_QuestionDoc):
    """Choices put in order of importance ("classez vos trois priorités"): the
    answer is the list of choice ids, most important first."""

    type: Literal["ranking"]
    choices: list[ChoiceDoc] = Field(description="At least two choices.")
    ranks: PositiveInt | None = Field(
        default=None,
        description="How many choices the resident ranks, e.g. 3 for 'your three"
        " priorities' (default: all of them).",
    )


class NumberQuestion(_QuestionDoc):
    """A whole number, e.g. a distance in km."""

    type: Literal["number"]
    min: StrictInt | None = Field(default=None, description="The smallest accepted number.")
    max: StrictInt | None = Field(default=None, description="The largest accepted number.")
    unit: NumberUnit | None = Field(
        default=None,
        description="What the number counts, for a duration: 'minutes' or 'hours'. Answers"
        " such as 'une demi-heure' or '1h30' are converted to it; without it they are"
        " asked again.",
    )


class ScaleQuestion(_QuestionDoc):
    """A rating on a short scale, e.g. 1 to 5."""

    type: Literal["scale"]
    min: StrictInt = Field(description="The lowest point of the scale, e.g. 1.")
    max: StrictInt = Field(
        description="The highest point of the scale, e.g. 5 (at most 11 points)."
    )
    min_label: TranslatedText | None = Field(
        default=None, description="What the lowest point means, e.g. 'not at all'."
    )
    max_label: TranslatedText | None = Field(
        default=None, description="What the highest point means, e.g. 'completely'."
    )


class FreeTextQuestion(_QuestionDoc):
    """An answer in the resident's own words."""

    type: Literal["free_text"]
    min_length: PositiveInt | None = Field(
        default=None,
        description="The fewest characters accepted, e.g. 20 for a reason worth reading;"
        " a shorter answer is kindly asked again (default: no minimum).",
    )
    max_length: PositiveInt | None = Field(
        default=None, description="The most characters accepted (default: no limit)."
    )


class PostalCodeQuestion(_QuestionDoc):
    """A French postal code (5 digits)."""

    type: Literal["postal_code"]


class CommuneQuestion(_QuestionDoc):
    """A French commune, by name."""

    type: Literal["commune"]


class DateQuestion(_QuestionDoc):
    """A calendar date."""

    type: Literal["date"]
    min: dt.date | None = Field(default=None, description="The earliest accepted date.")
    max: dt.date | None = Field(default=None, description="The latest accepted date.")


QuestionDoc: TypeAlias = Annotated[
    YesNoQuestion
    | ChoiceQuestion
    | MultiChoiceQuestion
    | RankingQuestion
    | NumberQuestion
    | ScaleQuestion
    | FreeTextQuestion
    | PostalCodeQuestion
    | CommuneQuestion
    | DateQuestion,
    Field(discriminator="type"),
]
QUESTION = TypeAdapter(QuestionDoc)


class SayStep(_Doc):
    """An information step: said just before the question that follows it, when
    that question is asked (at the end of the flow: before the outro)."""

    say: TranslatedText = Field(description="What the bot says; no answer is expected.")


class SectionStep(_Doc):
    """The start of a section: its title is said before the first question asked in it."""

    section: TranslatedText = Field(description="The section's title, e.g. 'La citoyenneté'.")


def step_kind(value: object) -> str | None:
    """Which kind of item of `questions:` a raw value is: a question type, say or section."""
    if not isinstance(value, dict):
        return None
    if "type" not in value:
        for step in STEP_KINDS:
            if step in value:
                return step
    kind = value.get("type")
    return kind if isinstance(kind, str) else None


STEP_MODELS: dict[str, type[_Doc]] = {"say": SayStep, "section": SectionStep}

StepDoc: TypeAlias = Annotated[
    Annotated[YesNoQuestion, Tag("yes_no")]
    | Annotated[ChoiceQuestion, Tag("choice")]
    | Annotated[MultiChoiceQuestion, Tag("multi_choice")]
    | Annotated[RankingQuestion, Tag("ranking")]
    | Annotated[NumberQuestion, Tag("number")]
    | Annotated[ScaleQuestion, Tag("scale")]
    | Annotated[FreeTextQuestion, Tag("free_text")]
    | Annotated[PostalCodeQuestion, Tag("postal_code")]
    | Annotated[CommuneQuestion, Tag("commune")]
    | Annotated[DateQuestion, Tag("date")]
    | Annotated[SayStep, Tag("say")]
    | Annotated[SectionStep, Tag("section")],
    Discriminator(step_kind),
]
QUESTION_MODELS: dict[str, type[_QuestionDoc]] = {
    "yes_no": YesNoQuestion,
    "choice": ChoiceQuestion,
    "multi_choice": MultiChoiceQuestion,
    "ranking": RankingQuestion,
    "number": NumberQuestion,
    "scale": ScaleQuestion,
    "free_text": FreeTextQuestion,
    "postal_code": PostalCodeQuestion,
    "commune": CommuneQuestion,
    "date": DateQuestion,
}


class DecidimMappingDoc(_Doc):
    """A choice question whose choices stand for Decidim scopes or categories."""

    question: str = Field(description="The id of the choice question.")
    ids: dict[str, PositiveInt] = Field(
        description="Decidim's id for each choice id, e.g. {north: 12, south: 13};"
        " a choice left out gets none."
    )


class DecidimExportDoc(_Doc):
    """How a contribution becomes a proposal in Decidim's "Import proposals from a file"."""

    body: str = Field(description="The free_text question whose approved text is the body.")
    title: TranslatedText | None = Field(
        default=None,
        description="The proposal's title; {question_id} stands for that answer"
        " (default: the beginning of the body).",
    )
    version: str | None = Field(
        default=None,
        description='The Decidim version, in quotes ("0.29"); from "0.30" the category'
        " is written as taxonomies/ids.",
    )
    scope: DecidimMappingDoc | None = Field(default=None, description="Fills scope/id.")
    category: DecidimMappingDoc | None = Field(
        default=None, description="Fills category/id (taxonomies/ids from 0.30)."
    )


class ExportDoc(_Doc):
    """What the exports of this consultation's contributions need to know."""

    decidim: DecidimExportDoc | None = Field(default=None)


class FlowDoc(_Doc):
    """A consultation: the conversation a resident has with the bot."""

    id: str = Field(
        description="Stable name of the consultation, e.g. mobilite.",
        json_schema_extra={"pattern": FLOW_ID_PATTERN},
    )
    title: TranslatedText = Field(description="The consultation's title.")
    languages: list[Language] = Field(
        min_length=1,
        description="Language codes of the flow, the main one first, e.g. [fr, en]."
        " Every text needs a translation in each.",
    )
    opens: dt.date | None = Field(
        default=None, description="First day residents can answer (YYYY-MM-DD)."
    )
    closes: dt.date | None = Field(
        default=None, description="Last day residents can answer (YYYY-MM-DD)."
    )
    intro: TranslatedText | None = Field(default=None, description="Said first, before consent.")
    consent: TranslatedText = Field(
        description="The consent question (answered yes or no): nothing is stored before yes."
    )
    questions: list[StepDoc] = Field(
        description="The questions, in the order asked; between them, information steps"
        " ({say: ...}) and section titles ({section: ...})."
    )
    outro: TranslatedText = Field(description="Said when the resident has answered everything.")
    partial_contributions: bool = Field(
        default=False,
        description="true to send the consultation engine the answers of a session left"
        " unfinished, as a partial contribution, when it expires.",
    )
    follow_up: bool = Field(
        default=False,
        description="true to ask, once the resident has answered everything, whether they"
        " want to hear what becomes of the consultation (the organizers' follow-ups)."
        " Their wish is kept apart from their answers; 'stop' ends it.",
    )
    review: bool | None = Field(
        default=None,
        description="true to show a summary of the answers at the end, to send them or"
        " change one ('modifier la question 5'); by default, on for flows of more than"
        " 10 questions.",
    )
    progress: Literal["none", "questions", "sections"] = Field(
        default="none",
        description="What residents see of their progress: questions ('Question 12 sur"
        " 37' above each question), sections ('Partie 2 sur 4 : ...' as each section"
        " starts) or none (section titles only).",
    )
    export: ExportDoc | None = Field(
        default=None, description="How `consultbot export` writes the contributions."
    )


def json_schema() -> dict[str, Any]:
    """The flow format as a JSON Schema (draft-07, which editors support widely) for editors."""
    schema = _with_references(FlowDoc.model_json_schema())
    schema["$defs"].update(_DEFINITIONS)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        **schema,
        "title": "consultbot flow",
    }


def _with_references(schema: Any) -> Any:
    if isinstance(schema, dict):
        if DEFINITION_MARKER in schema:  # allOf keeps the field's description beside the reference
            rest = {key: value for key, value in schema.items() if key != DEFINITION_MARKER}
            return {"allOf": [{"$ref": f"#/$defs/{schema[DEFINITION_MARKER]}"}], **rest}
        return {key: _with_references(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_with_references(item) for item in schema]
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
