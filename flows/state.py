"""The state of one conversation after consent: a plain value.

`None` stands for "no consent yet" (nothing may be stored before it), so every
`SessionState` belongs to a resident who agreed. `to_json` gives JSON-safe data
that `from_json` turns back into an equal state; storage keeps it without knowing
its shape. `from_json` raises `InvalidState` on data it did not write.

Keys are only ever added, each with a default for states stored before it, and
`from_json` passes over keys it does not know: those a later version writes, so
that during an upgrade a process of this version still reads the sessions a
newer one wrote (losing only what the newer one added). A change that older
processes must not read as their own changes FORMAT_VERSION.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import Any, Literal, TypeAlias, TypeVar, get_args

from nlu.interpretation import AnswerValue, Candidate

Status: TypeAlias = Literal[
    "asking",  # waiting for the answer to `question_id`
    "paused",  # stopped or returned after expiry: any message offers to resume
    "confirming_delete",  # asked "really delete?"; `before_delete` is where to go back
    "reviewing",  # the summary of the answers is shown: send, or change one
    "completed",  # the outro was said
    "closed",  # the consultation closed before the resident finished
]
STATUSES: tuple[Status, ...] = get_args(Status)
FORMAT_VERSION = 1


class InvalidState(ValueError):
    """Stored state data that this version of consultbot cannot read."""


@dataclass(frozen=True, slots=True)
class Pending:
    """An answer the interpreter was not sure of, put to the resident before it
    is stored: its candidates and the text it was read from (stored with the
    answer once confirmed)."""

    candidates: tuple[Candidate, ...]
    text: str


@dataclass(frozen=True, slots=True)
class SessionState:
    language: str
    status: Status
    question_id: str | None = None  # the question asked (asking, paused, closed)
    answers: tuple[tuple[str, AnswerValue], ...] = ()  # question id -> value
    skipped: tuple[str, ...] = ()  # optional questions the resident skipped
    passed_over: tuple[str, ...] = ()  # not asked: their `when` was false
    history: tuple[str, ...] = ()  # answered or skipped questions, in order, for back
    retries: int = 0  # answers not understood in a row for the current question
    human_requested: bool = False
    before_delete: Status | None = None  # status to return to if deletion is cancelled
    pending: Pending | None = None  # asking: an answer awaiting the resident's confirmation
    detail_asked: bool = False  # asking: "other" was chosen; its detail is asked for
    follow_up_asked: bool = False  # completed: "do you want the follow-ups?" awaits yes or no
    follows: bool = False  # completed: they want the follow-ups ("stop" ends it)
    changing: bool = False  # asking: a changed answer; then on to what is still to answer
    ranked: tuple[str, ...] = ()  # asking a ranking: the choices picked so far, in order
    commented: tuple[str, ...] = ()  # questions whose answer came with a comment
    # question id -> how its answer is named to the resident, when its value is
    # a code they never typed (a commune: "Saint-Jean-de-Braye (45)")
    names: tuple[tuple[str, str], ...] = ()
    # question id -> the detail given with its "other" choice ("la trottinette")
    details: tuple[tuple[str, str], ...] = ()

    # ---- reading -------------------------------------------------------------

    def answer(self, question_id: str) -> AnswerValue | None:
        for qid, value in self.answers:
            if qid == question_id:
                return value
        return None

    def name(self, question_id: str) -> str:
        """How the answer to `question_id` is named, or "" when its value says
        it (or the state was stored before names were kept)."""
        for qid, name in self.names:
            if qid == question_id:
                return name
        return ""

    def detail(self, question_id: str) -> str | None:
        """The "other" detail given with the answer to `question_id`, if any."""
        for qid, detail in self.details:
            if qid == question_id:
                return detail
        return None

    def known(self) -> dict[str, AnswerValue | None]:
        """What conditions see: answered questions with their value; skipped
        ones, and those passed over because of their own `when`, with None (see
        `flows.conditions.evaluate`)."""
        known: dict[str, AnswerValue | None] = dict(self.answers)
        known.update((qid, None) for qid in (*self.skipped, *self.passed_over))
        return known

    def responded(self, question_id: str) -> bool:
        return question_id in self.skipped or any(q == question_id for q, _ in self.answers)

    # ---- changing ------------------------------------------------------------

    def asking(self, question_id: str | None, **changes: Any) -> SessionState:
        """Asking `question_id` afresh (None: the question asked stays): no
        answer not understood yet, none awaiting confirmation, no "other"
        detail asked, no ranking begun; `changes` besides."""
        return _changed(
            self,
            {
                "status": "asking",
                "question_id": self.question_id if question_id is None else question_id,
                "retries": 0,
                "pending": None,
                "detail_asked": False,
                "ranked": (),
                **changes,
            },
        )

    def replaced(self, **changes: Any) -> SessionState:
        """`dataclasses.replace(self, **changes)`, by position (`_changed`)."""
        return _changed(self, changes)

    def with_answer(
        self, question_id: str, value: AnswerValue, name: str = "", detail: str | None = None
    ) -> SessionState:
        """The answer to `question_id`, named `name` and with its "other"
        `detail` when given; whatever named or detailed an earlier answer goes."""
        changes: dict[str, object] = {
            "answers": (*_without_answer(self.answers, question_id), (question_id, value)),
            "history": (*_without(self.history, question_id), question_id),
        }
        if name:
            changes["names"] = (*_without_answer(self.names, question_id), (question_id, name))
        if detail is not None:
            changes["details"] = (
                *_without_answer(self.details, question_id),
                (question_id, detail),
            )
        return self._forgetting(question_id, **changes)

    def with_comment(self, question_id: str) -> SessionState:
        """The answer to `question_id` came with a comment (`skip_if_commented`)."""
        if question_id in self.commented:
            return self
        return replace(self, commented=(*self.commented, question_id))

    def with_skip(self, question_id: str) -> SessionState:
        return self._forgetting(
            question_id,
            skipped=(*_without(self.skipped, question_id), question_id),
            history=(*_without(self.history, question_id), question_id),
        )

    def with_pass_over(self, question_id: str) -> SessionState:
        """A question not asked because its `when` is false."""
        if question_id in self.passed_over:
            return self
        return self._forgetting(question_id, passed_over=(*self.passed_over, question_id))

    def without(self, question_id: str) -> SessionState:
        """Forget what is known of a question: its answer, skip or passing over,
        and its place in history."""
        return self._forgetting(question_id)

    def _forgetting(self, question_id: str, **changes: object) -> SessionState:
        # `without`, then `changes`, as one new state: on the path of every
        # answer, where a state is 19 fields to copy. A list `changes` gives
        # (`with_answer`'s answers and history) is not worked out twice.
        for keyed, pairs in (
            ("answers", self.answers),
            ("names", self.names),
            ("details", self.details),
        ):
            if keyed not in changes:
                changes[keyed] = _without_answer(pairs, question_id)
        for name, ids in (
            ("skipped", self.skipped),
            ("passed_over", self.passed_over),
            ("history", self.history),
            ("commented", self.commented),
        ):
            if name not in changes:
                changes[name] = _without(ids, question_id)
        return _changed(self, changes)

    # ---- JSON ----------------------------------------------------------------

    def to_json(self) -> dict[str, object]:
        return {
            "version": FORMAT_VERSION,
            "language": self.language,
            "status": self.status,
            "question_id": self.question_id,
            "answers": [[qid, _value_to_json(value)] for qid, value in self.answers],
            "skipped": list(self.skipped),
            "passed_over": list(self.passed_over),
            "history": list(self.history),
            "retries": self.retries,
            "human_requested": self.human_requested,
            "before_delete": self.before_delete,
            "pending": None if self.pending is None else _pending_to_json(self.pending),
            "detail_asked": self.detail_asked,
            "changing": self.changing,
            "follow_up_asked": self.follow_up_asked,
            "follows": self.follows,
            "ranked": list(self.ranked),
            "commented": list(self.commented),
            "names": [list(pair) for pair in self.names],
            "details": [list(pair) for pair in self.details],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> SessionState:
        if not isinstance(data, Mapping):
            raise InvalidState(f"session state must be an object, not {type(data).__name__}")
        if data.get("version") != FORMAT_VERSION:
            raise InvalidState(f"unknown session state version {data.get('version')!r}")
        if data.keys() != _KEYS:  # read at every message: no copy when nothing lacks
            data = _with_defaults(data)
        if data.keys() != _KEYS:
            raise InvalidState(f"session state keys differ: {sorted(set(data) ^ _KEYS)}")
        answers = data["answers"]
        if not isinstance(answers, list):
            raise InvalidState("session state answers must be a list")
        retries = data["retries"]
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise InvalidState("session state retries must be a natural number")
        human = data["human_requested"]
        if not isinstance(human, bool):
            raise InvalidState("session state human_requested must be true or false")
        detail_asked, changing = data["detail_asked"], data["changing"]
        if not isinstance(detail_asked, bool) or not isinstance(changing, bool):
            raise InvalidState("session state detail_asked and changing must be true or false")
        asked, follows = data["follow_up_asked"], data["follows"]
        if not isinstance(asked, bool) or not isinstance(follows, bool):
            raise InvalidState("session state follow_up_asked and follows must be true or false")
        # By position, in the order of the fields: 19 keywords take longer to
        # match to their fields, and a state is read at every message.
        return cls(
            _string(data["language"], "language"),
            _status(data["status"], "status"),
            _optional_string(data["question_id"], "question_id"),
            tuple(_answer_from_json(item) for item in answers),
            _strings(data["skipped"], "skipped"),
            _strings(data["passed_over"], "passed_over"),
            _strings(data["history"], "history"),
            retries,
            human,
            None
            if data["before_delete"] is None
            else _status(data["before_delete"], "before_delete"),
            None if data["pending"] is None else _pending_from_json(data["pending"]),
            detail_asked,
            asked,  # follow_up_asked
            follows,
            changing,
            _strings(data["ranked"], "ranked"),
            _strings(data["commented"], "commented"),
            _pairs(data["names"], "names"),
            _pairs(data["details"], "details"),
        )


def _with_defaults(data: Mapping[str, object]) -> dict[str, object]:
    # States saved before `passed_over`, `pending`, `detail_asked`, `ranked`,
    # `names`... existed lack them: nothing was passed over, awaits confirmation
    # or detail, or is half ranked; answers are shown by their value (a
    # commune by its code) and without their "other" detail. Keys a later
    # version added are passed over.
    known = {key: value for key, value in data.items() if key in _KEYS}
    return {
        "passed_over": [],
        "pending": None,
        "detail_asked": False,
        "changing": False,
        "follow_up_asked": False,
        "follows": False,
        "ranked": [],
        "commented": [],
        "names": [],
        "details": [],
        **known,
    }


# The fields of SessionState in order, and a getter of all their values at once.
_FIELDS = tuple(field.name for field in fields(SessionState))
_FIELD_INDEX = {name: index for index, name in enumerate(_FIELDS)}
_field_values = attrgetter(*_FIELDS)
# The keys `to_json` writes, `version` included: `from_json` takes these only.
_KEYS = frozenset({"version", *_FIELDS})


def _changed(state: SessionState, changes: Mapping[str, object]) -> SessionState:
    """`dataclasses.replace`, for the states made at every message (`asking`,
    `_forgetting`): it checks every field's kind and passes them by keyword,
    which takes twice as long with 19 fields."""
    values = list(_field_values(state))
    for name, value in changes.items():
        values[_FIELD_INDEX[name]] = value
    return SessionState(*values)


def _without(ids: tuple[str, ...], question_id: str) -> tuple[str, ...]:
    return tuple(q for q in ids if q != question_id) if question_id in ids else ids


_Value = TypeVar("_Value")


def _without_answer(
    pairs: tuple[tuple[str, _Value], ...], question_id: str
) -> tuple[tuple[str, _Value], ...]:
    """`pairs` (answers, names, details) without those of `question_id`."""
    if not pairs:  # names and details: mostly none
        return pairs
    return tuple(item for item in pairs if item[0] != question_id)


def _pending_to_json(pending: Pending) -> dict[str, object]:
    return {
        "candidates": [[_value_to_json(c.value), c.label] for c in pending.candidates],
        "text": pending.text,
    }


def _pending_from_json(data: object) -> Pending:
    if not isinstance(data, Mapping) or set(data) != {"candidates", "text"}:
        raise InvalidState("session state pending must be {candidates, text}")
    items = data["candidates"]
    if not isinstance(items, list) or not items:
        raise InvalidState("session state pending candidates must be a non-empty list")
    candidates = []
    for item in items:
        if not isinstance(item, list) or len(item) != 2:
            raise InvalidState(f"session state candidate must be [value, label], not {item!r}")
        _, value = _answer_from_json(["pending", item[0]])
        candidates.append(Candidate(value, _string(item[1], "pending label")))
    return Pending(tuple(candidates), _string(data["text"], "pending text"))


def _value_to_json(value: AnswerValue) -> object:
    # JSON has no tuple: a list is a multi_choice answer, read back as a tuple.
    return list(value) if isinstance(value, tuple) else value


def _answer_from_json(item: object) -> tuple[str, AnswerValue]:
    if not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str):
        raise InvalidState(f"session state answer must be [question_id, value], not {item!r}")
    qid, value = item
    if isinstance(value, (bool, int, str)):  # a tuple: no union built per answer
        return qid, value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return qid, tuple(value)
    raise InvalidState(f"session state answer to {qid} has an unknown value {value!r}")


def _pairs(value: object, name: str) -> tuple[tuple[str, str], ...]:
    """[[question id, text], ...], as `to_json` writes names and details."""
    if not isinstance(value, list):
        raise InvalidState(f"session state {name} must be a list of [question_id, text]")
    pairs = []
    for item in value:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], str)
        ):
            raise InvalidState(f"session state {name} must be a list of [question_id, text]")
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _string(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidState(f"session state {name} must be a string")
    return value


def _optional_string(value: object, name: str) -> str | None:
    return None if value is None else _string(value, name)


def _strings(value: object, name: str) -> tuple[str, ...]:
    # A loop, not all(...): five lists read at every message.
    if not isinstance(value, list):
        raise InvalidState(f"session state {name} must be a list of strings")
    for item in value:
        if not isinstance(item, str):
            raise InvalidState(f"session state {name} must be a list of strings")
    return tuple(value)


def _status(value: object, name: str) -> Status:
    for status in STATUSES:
        if value == status:
            return status
    raise InvalidState(f"session state {name} {value!r} is not one of {', '.join(STATUSES)}")
