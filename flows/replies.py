"""What the engine says back: text plus buttons a channel may render."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    title: str  # shown to the resident
    payload: str  # sent back as the message text when tapped; the interpreter understands it


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    multi_select: bool = False  # buttons are toggles confirmed together (multi_choice)
    # How many of a multi_select's buttons the answer takes, as the flow says
    # (None: it says nothing): a channel refuses the tick past the maximum at
    # once, rather than the whole answer when the resident confirms.
    min_selections: int | None = None
    max_selections: int | None = None

    def with_buttons(self, buttons: tuple[Button, ...]) -> Reply:
        """This reply with other buttons (every message's buttons are stamped,
        bot.button_steps): written out, as `dataclasses.replace` costs more.
        A field added above is added here too."""
        return Reply(
            self.text, buttons, self.multi_select, self.min_selections, self.max_selections
        )

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "buttons": [[b.title, b.payload] for b in self.buttons],
            "multi_select": self.multi_select,
            "min_selections": self.min_selections,
            "max_selections": self.max_selections,
        }

    @classmethod
    def from_json(cls, data: object) -> Reply:
        """The inverse of `to_json` (for replies stored to answer a redelivery)."""
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError("not a stored reply")
        buttons = tuple(Button(str(title), str(payload)) for title, payload in data["buttons"])
        multi_select = bool(data.get("multi_select", False))
        # Replies stored before the selections were kept have none.
        low, high = data.get("min_selections"), data.get("max_selections")
        return cls(data["text"], buttons, multi_select, _count(low), _count(high))


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
