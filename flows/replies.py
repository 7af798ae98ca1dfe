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

    def with_buttons(self, buttons: tuple[Button, ...]) -> Reply:
        """This reply with other buttons (every message's buttons are stamped,
        bot.button_steps): written out, as `dataclasses.replace` costs more.
        A field added above is added here too."""
        return Reply(self.text, buttons, self.multi_select)

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "buttons": [[b.title, b.payload] for b in self.buttons],
            "multi_select": self.multi_select,
        }

    @classmethod
    def from_json(cls, data: object) -> Reply:
        """The inverse of `to_json` (for replies stored to answer a redelivery)."""
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError("not a stored reply")
        buttons = tuple(Button(str(title), str(payload)) for title, payload in data["buttons"])
        return cls(data["text"], buttons, bool(data.get("multi_select", False)))
