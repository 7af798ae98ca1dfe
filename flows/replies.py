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
