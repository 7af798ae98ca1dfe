"""pydantic's errors on a flow file, in words an organizer understands.

pydantic locates an error by a path of keys and indexes (plus the question type,
for the members of the question union) and words it for programmers; here each
becomes a message naming the value as the organizer wrote it ("choice 2", "the
en text of 'label'") with a hint: "did you mean" for a misspelt key, the
question types a key belongs to, the fix for a quoted number.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from flows.document import YamlPath
from flows.invisible import visible
from flows.question_checks import snake_case_of
from flows.schema import (
    QUESTION_MODELS,
    QUESTION_TYPES,
    STEP_KINDS,
    STEP_MODELS,
    ChoiceDoc,
    FlowDoc,
)
from flows.text_field import LANGUAGE_PATTERN, describe
from flows.when import did_you_mean


def strip_tag(loc: tuple[int | str, ...]) -> tuple[YamlPath, str | None]:
    """Drop the question type pydantic puts in the location of union members."""
    if len(loc) >= 3 and loc[0] == "questions" and loc[2] in (*QUESTION_TYPES, *STEP_KINDS):
        return (*loc[:2], *loc[3:]), str(loc[2])
    return tuple(loc), None


def _owner(path: YamlPath, tag: str | None) -> tuple[type[BaseModel] | None, str]:
    """The model of the mapping at `path`, and how to name it."""
    if not path:
        return FlowDoc, "the flow"
    if len(path) == 2 and path[0] == "questions" and tag in STEP_MODELS:
        return STEP_MODELS[tag], f"a {tag} step"
    if len(path) == 2 and path[0] == "questions" and tag is not None:
        return QUESTION_MODELS[tag], f"a {tag} question"
    if len(path) == 4 and path[2] == "choices":
        return ChoiceDoc, "a choice"
    return None, "here"


def explain(
    details: ErrorDetails, path: YamlPath, tag: str | None, languages: tuple[str, ...] = ()
) -> tuple[str, str | None]:
    """`languages`: the flow's, as written (empty when unreadable), to tell a
    language's text from a piece of text that a comma cut off."""
    kind, value = details["type"], details["input"]
    field = str(path[-1]) if path else ""
    if kind == "extra_forbidden":
        return _unknown_key(field, path, tag)
    if kind == "missing":
        owner, name = _owner(path[:-1], tag)
        info = owner.model_fields.get(field) if owner else None
        about = info.description if info and info.description else None
        hint = f"add '{field}:'" + (
            f" ({about[0].lower()}{about[1:].rstrip('.')})" if about else ""
        )
        return f"{name} needs the key '{field}'", hint
    if kind == "union_tag_not_found":
        return "this question has no type", (
            "add 'type:' with one of "
            + ", ".join(QUESTION_TYPES)
            + " (or write 'say:' for an information step, 'section:' for a section title)"
        )
    if kind == "union_tag_invalid":
        tag_value = str(value.get("type")) if isinstance(value, dict) else "?"
        return f"unknown question type '{tag_value}'", did_you_mean(
            tag_value, QUESTION_TYPES
        ) or "use one of " + ", ".join(QUESTION_TYPES)
    if kind == "translated_type":
        return _not_a_text(details, path, languages)
    subject = _subject(path)
    if kind == "translated_empty":
        return f"{subject} is empty", "write the text, or remove the key"
    if kind in _NOT_A_MAPPING and _is_choice(path) and isinstance(value, str | int):
        return _choice_as_a_text(str(value), path, languages)
    expected = _EXPECTED.get(kind)
    if expected is not None:
        advice = expected[1]
        if kind == "int_type" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
            advice = f"write it without quotes: {value.strip()}"
        if kind == "list_type" and isinstance(value, str) and path:  # languages: fr, en
            advice = f"write it in brackets: {field}: [{value}]"
        if kind == "dict_type" and field == "when" and isinstance(value, str):
            advice = _condition_written_out(value)
        return f"{subject} must be {expected[0]}, got {describe(value)}", advice
    if kind == "string_pattern_mismatch":
        return (
            f"'{value}' is not a language code",
            "use a lowercase ISO 639-1 code such as fr or en",
        )
    if kind == "too_short":
        return f"{subject} needs at least one item", None
    return f"{subject}: {details['msg']}", None


_OPERATORS = {"<=": "lte", ">=": "gte", "<": "lt", ">": "gt", "=": "eq", "==": "eq", "!=": "ne"}
_COMPARED = re.compile(r"([\w-]+)\s*(<=|>=|==|!=|<|>|=)\s*(\S.*)")


def _condition_written_out(text: str) -> str:
    """`when: note <= 2` or `when: avis answered`, as the flow format writes it."""
    words = text.split()
    if len(words) == 2 and words[1] in ("answered", "skipped"):
        return f"write when: {{{words[0]}: {words[1]}}}"
    compared = _COMPARED.fullmatch(text.strip())
    if compared is not None:
        question, operator, value = compared.groups()
        return f"write when: {{{question}: {{{_OPERATORS[operator]}: {value.strip()}}}}}"
    return "write the earlier question's id and what its answer must be, e.g. " + _WHEN_EXAMPLE


_NOT_A_MAPPING = frozenset({"dict_type", "model_type", "model_attributes_type"})


def _is_choice(path: YamlPath) -> bool:
    return len(path) >= 2 and path[-2] == "choices" and isinstance(path[-1], int)


def _choice_as_a_text(text: str, path: YamlPath, languages: tuple[str, ...]) -> tuple[str, str]:
    """`- Vélo` under `choices:`: the choice written out, with an id made from it."""
    label = f'"{text}"' if re.search(r"[,:{}\[\]#&*!|>'\"%@`]", text) else text
    if len(languages) > 1:  # the other languages' texts are the organizer's to write
        others = [f"{lang}: ..." for lang in languages[1:]]
        label = "{" + ", ".join([f"{languages[0]}: {label}", *others]) + "}"
    return (
        f"{_subject(path)} is only a text, and a choice needs an id and a label",
        f"write it - {{id: {snake_case_of(text)}, label: {label}}}",
    )


_TEXT_KEYS = frozenset(
    {
        "title",
        "intro",
        "consent",
        "outro",
        "text",
        "retry",
        "help",
        "label",
        "min_label",
        "max_label",
    }
)


def _not_a_text(
    details: ErrorDetails, path: YamlPath, languages: tuple[str, ...]
) -> tuple[str, str | None]:
    """A text that YAML read as something else: a comma in `{...}` that cut it, or
    a word YAML takes for a value (true, false, null)."""
    ctx, value = details.get("ctx") or {}, details["input"]
    key = ctx.get("key")
    written = value.get(key) if isinstance(value, dict) and key is not None else value
    if isinstance(value, dict) and key is not None:
        cut = _cut_by_comma(value, str(key), languages)
        if cut is not None:
            lang, whole = cut
            commas = "the comma" if whole.count(",") == 1 else "the commas"
            return (
                f"{commas} in '{whole}' split{'s' if commas == 'the comma' else ''} the text",
                f'put it in quotes: {lang}: "{whole}"',
            )
        lang, _, text = str(key).partition(" ")
        if written is None and text and _is_language(lang, languages):  # {fr Voiture, ...}
            return f"there is no ':' after '{lang}'", f"write {lang}: {text.strip()}"
    subject = _subject(path)
    texts = "" if _is_language_entry(path) else ", or a mapping of language to text"
    message = f"{subject} must be a text{texts}, got {ctx.get('got', describe(value))}"
    if isinstance(written, bool):
        shown = "true" if written else "false"
        return message, f'to write the word {shown}, put it in quotes: {path[-1]}: "{shown}"'
    if written is None:
        return message, f"write the text after '{path[-1]}:' (the word null in quotes: \"null\")"
    return message, None


def _cut_by_comma(
    texts: dict[object, object], key: str, languages: tuple[str, ...]
) -> tuple[str, str] | None:
    """In `{fr: Bois, granulés, en: Wood}` YAML reads a key 'granulés' with no
    value: the language whose text the comma cut, and that text whole."""
    entries = list(texts.items())
    at = next((index for index, (name, _) in enumerate(entries) if name == key), 0)
    if at == 0 or texts[key] is not None or _is_language(key, languages):
        return None
    lang, first = entries[at - 1]
    if not isinstance(first, str) or not _is_language(str(lang), languages):
        return None
    pieces = [first]
    for name, text in entries[at:]:
        if text is not None or _is_language(str(name), languages):
            break
        pieces.append(str(name))
    return str(lang), ", ".join(pieces)


def _is_language(key: str, languages: tuple[str, ...]) -> bool:
    if languages:
        return key in languages
    return re.fullmatch(LANGUAGE_PATTERN, key) is not None


def _is_language_entry(path: YamlPath) -> bool:
    return (
        len(path) >= 2
        and path[-2] in _TEXT_KEYS
        and isinstance(path[-1], str)
        and re.fullmatch(LANGUAGE_PATTERN, path[-1]) is not None
    )


def _subject(path: YamlPath) -> str:
    """How a message names the value at `path`: 'min', question 3, the en text of 'label'."""
    if not path:
        return "the flow"
    last, parent = path[-1], (path[-2] if len(path) >= 2 else None)
    if isinstance(last, int):
        if parent in ("questions", "choices"):
            return f"{str(parent)[:-1]} {last + 1}"
        return f"item {last + 1} of '{parent}'"
    if _is_language_entry(path):
        return f"the {last} text of '{parent}'"
    if parent == "synonyms":
        return f"the {last} synonyms"
    return f"'{last}'"


_EXPECTED: dict[str, tuple[str, str | None]] = {
    "string_type": ("a text", None),
    "int_type": ("a whole number", None),
    "int_parsing": ("a whole number", "write digits only, e.g. 5"),
    "int_from_float": ("a whole number", None),
    "bool_type": ("true or false", None),
    "bool_parsing": ("true or false", None),
    "date_type": ("a date", "write it YYYY-MM-DD, e.g. 2026-06-01"),
    "date_parsing": ("a date", "write it YYYY-MM-DD, e.g. 2026-06-01"),
    "date_from_datetime_parsing": ("a date", "write it YYYY-MM-DD, e.g. 2026-06-01"),
    "date_from_datetime_inexact": ("a date without a time", "write it YYYY-MM-DD"),
    "list_type": ("a list", "write [a, b], or one item a line, each starting with '- '"),
    "dict_type": ("a mapping", "write 'key: value' lines, indented under it"),
    "model_type": ("a mapping", "write 'key: value' lines, indented under it"),
    "model_attributes_type": ("a mapping", "write 'key: value' lines, indented under it"),
    "greater_than_equal": ("at least 1", None),
}


# Keys a form builder's branching leads organizers to write, and what the flow
# format says instead: a question's own condition.
_JUMPS = frozenset({"next", "goto", "go_to", "jump", "jump_to", "skip_to", "next_question"})
_CONDITIONS = frozenset({"if", "si", "condition", "conditions", "show_if", "only_if"})
_WHEN_EXAMPLE = "when: {satisfaction: {lte: 2}}"


def _unknown_key(key: str, path: YamlPath, tag: str | None) -> tuple[str, str | None]:
    shown = visible(key)  # 'choi[zero-width space]ces', not a key that looks right
    if key == "<<":
        return "merge keys (<<) are not supported", "write the keys out"
    owner, name = _owner(path[:-1], tag)
    if owner is None:
        return f"unknown key '{shown}'", None
    if tag in QUESTION_MODELS and key.lower() in _JUMPS:  # as in a form builder's logic
        return (
            f"there is no '{shown}': questions are asked in their order, and one with a"
            " condition (when:) only if it holds",
            f"remove '{shown}:'; to ask a question only after some answers, give it a"
            f" condition, e.g. {_WHEN_EXAMPLE}",
        )
    if tag in QUESTION_MODELS and key.lower() in _CONDITIONS:
        return f"unknown key '{shown}' in {name}", f"a condition is written {_WHEN_EXAMPLE}"
    allowed = list(owner.model_fields)
    close = did_you_mean(key, allowed)
    if close:
        return f"unknown key '{shown}' in {name}", close
    if tag is not None and tag not in STEP_MODELS:
        users = [t for t, model in QUESTION_MODELS.items() if key in model.model_fields]
        if users:
            return (
                f"'{shown}' does not apply to {name}",
                f"it is used by {', '.join(users)} questions",
            )
        every = sorted({f for model in QUESTION_MODELS.values() for f in model.model_fields})
        near = difflib.get_close_matches(key, every, n=1, cutoff=0.6)
        if near:
            users = [t for t, model in QUESTION_MODELS.items() if near[0] in model.model_fields]
            return (
                f"unknown key '{shown}' in {name}",
                f"did you mean '{near[0]}'? (it is used by {', '.join(users)} questions)",
            )
    return f"unknown key '{shown}' in {name}", "the keys allowed here are " + ", ".join(allowed)
