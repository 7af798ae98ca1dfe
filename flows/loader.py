"""Flow files -> validated, immutable `flows.model.Flow` values.

`load_flow(path)` reads one file (refusing what is not a reasonable flow file:
missing, a directory, too big, binary, not UTF-8) and `parse_flow(text, source)`
does the rest: YAML with lines (`flows.document`), every check
(`flows.validation`), then the model. Both raise `FlowError`; a
`FlowValidationError` lists every problem with its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from flows import export_spec
from flows.conditions import Condition
from flows.document import YamlPath, parse_document
from flows.errors import FlowError, FlowProblem, FlowValidationError
from flows.model import Choice, Flow, Question
from flows.review import REVIEW_THRESHOLD
from flows.schema import (
    ChoiceDoc,
    ChoiceQuestion,
    DateQuestion,
    FlowDoc,
    FreeTextQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    QuestionDoc,
    RankingQuestion,
    SayStep,
    ScaleQuestion,
    SectionStep,
)
from flows.translated import Translated
from flows.validation import validate_document

MAX_FILE_BYTES = 1_000_000  # a rich flow is ~10 kB; anything near this is a mistake


def load_flow(path: Path) -> Flow:
    """Read and validate the flow file at `path`."""
    return parse_flow(read_flow_text(path), str(path))


def parse_flow(text: str, source: str) -> Flow:
    """Validate a flow written as YAML text; `source` names it in messages."""
    return parse_flow_with_warnings(text, source)[0]


def parse_flow_with_warnings(text: str, source: str) -> tuple[Flow, tuple[FlowProblem, ...]]:
    """`parse_flow`, and the warnings of a valid flow (synonyms that will
    misfire: `flows.synonym_checks`), with their lines."""
    if len(text) > MAX_FILE_BYTES:
        raise _refuse(source, f"the flow is too large ({len(text)} characters)", _SIZE_HINT)
    document = parse_document(text, source)
    checked = validate_document(document)
    flow = _build(checked.doc, checked.conditions, document.lines, source)
    return flow, checked.warnings


_SIZE_HINT = f"a flow file is at most {MAX_FILE_BYTES // 1000} kB; is this the right file?"


def read_flow_text(path: Path) -> str:
    """The text of a flow file, or a FlowValidationError saying why it is not one."""
    source = str(path)
    try:
        if path.is_dir():
            raise _refuse(source, "this is a directory, not a flow file", "give a .yml file")
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _refuse(source, "no such file", "check the path and the file name") from None
    except PermissionError:
        raise _refuse(source, "permission denied", "check the file's permissions") from None
    except OSError as error:
        raise _refuse(source, f"cannot read the file ({error.strerror})", None) from None
    return flow_text(raw, source)


def flow_text(raw: bytes, source: str) -> str:
    """The text of a flow file's bytes (read or uploaded: at most
    MAX_FILE_BYTES + 1 of them), or a FlowValidationError saying why it is not one."""
    if len(raw) > MAX_FILE_BYTES:
        raise _refuse(source, "the file is larger than 1 MB", _SIZE_HINT)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(source, "the file is UTF-16 text, not UTF-8", _UTF8_HINT)
    if b"\0" in raw:
        raise _refuse(
            source, "this is a binary file, not a flow file", "a flow is a YAML text file"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise FlowValidationError(
            [
                FlowProblem(
                    source,
                    line,
                    None,
                    "the file is not UTF-8 text",
                    _UTF8_HINT,
                )
            ]
        ) from None


_UTF8_HINT = "save it as UTF-8 (in most editors: Save with encoding > UTF-8)"


def _refuse(source: str, message: str, hint: str | None) -> FlowError:
    return FlowValidationError([FlowProblem(source, None, None, message, hint)])


# -- building the model ----------------------------------------------------


def _build(
    doc: FlowDoc,
    conditions: Mapping[str, Condition],
    lines: Mapping[YamlPath, int],
    source: str,
) -> Flow:
    languages = tuple(doc.languages)
    translate = _Translator(languages)
    questions: list[Question] = []
    sections: list[Translated] = []
    says: list[Translated] = []  # information steps waiting for the next question
    for index, item in enumerate(doc.questions):
        if isinstance(item, SayStep):
            says.append(translate(item.say))
            continue
        if isinstance(item, SectionStep):
            sections.append(translate(item.section))
            continue
        question = _question(
            item, conditions.get(item.id), lines.get(("questions", index), 0), translate
        )
        section = len(sections) - 1 if sections else None
        questions.append(replace(question, before=tuple(says), section=section))
        says = []
    return Flow(
        id=doc.id,
        title=translate(doc.title),
        languages=languages,
        consent=translate(doc.consent),
        outro=translate(doc.outro),
        questions=tuple(questions),
        intro=translate.optional(doc.intro),
        opens=doc.opens,
        closes=doc.closes,
        source=source,
        partial_contributions=doc.partial_contributions,
        follow_up=doc.follow_up,
        sections=tuple(sections),
        closing=tuple(says),
        progress=doc.progress,
        decidim_export=export_spec.build(doc.export, translate),
        review=doc.review if doc.review is not None else len(questions) > REVIEW_THRESHOLD,
    )


class _Translator:
    """Plain texts and language maps -> Translated, in the flow's language order."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages

    def __call__(self, text: str | dict[str, str]) -> Translated:
        if isinstance(text, str):
            return Translated(((self.languages[0], text),))
        rank = {lang: index for index, lang in enumerate(self.languages)}
        return Translated(tuple(sorted(text.items(), key=lambda item: rank.get(item[0], 99))))

    def optional(self, text: str | dict[str, str] | None) -> Translated | None:
        return None if text is None else self(text)


def _question(
    doc: QuestionDoc, condition: Condition | None, line: int, translate: _Translator
) -> Question:
    question = Question(
        id=doc.id,
        type=doc.type,
        text=translate(doc.text),
        line=line,
        optional=doc.optional,
        retry=translate.optional(doc.retry),
        help=translate.optional(doc.help),
        when=condition,
        skip_if_commented=doc.skip_if_commented,
    )
    return _with_type_fields(question, doc, translate)


def _with_type_fields(question: Question, doc: QuestionDoc, translate: _Translator) -> Question:
    if isinstance(doc, ChoiceQuestion | MultiChoiceQuestion | RankingQuestion):
        question = replace(question, choices=tuple(_choice(c, translate) for c in doc.choices))
    if isinstance(doc, RankingQuestion):
        question = replace(question, ranks=doc.ranks)
    if isinstance(doc, MultiChoiceQuestion):
        question = replace(
            question, min_selections=doc.min_selections, max_selections=doc.max_selections
        )
    if isinstance(doc, NumberQuestion | ScaleQuestion):
        question = replace(question, min=doc.min, max=doc.max)
    if isinstance(doc, NumberQuestion):
        question = replace(question, unit=doc.unit)
    if isinstance(doc, ScaleQuestion):
        question = replace(
            question,
            min_label=translate.optional(doc.min_label),
            max_label=translate.optional(doc.max_label),
        )
    if isinstance(doc, FreeTextQuestion):
        question = replace(question, max_length=doc.max_length, min_length=doc.min_length)
    if isinstance(doc, DateQuestion):
        question = replace(question, min_date=doc.min, max_date=doc.max)
    return question


def _choice(doc: ChoiceDoc, translate: _Translator) -> Choice:
    synonyms = tuple((lang, tuple(words)) for lang, words in (doc.synonyms or {}).items())
    return Choice(
        id=doc.id,
        label=translate(doc.label),
        synonyms=synonyms,
        other=doc.other,
        exclusive=doc.exclusive,
    )
