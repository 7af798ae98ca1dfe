"""`consultbot simulate PATH`: talk to a flow in the terminal, with the real engine
and interpreter, so organizers can dry-run a flow before deploying it.

Interactive by default (prompt "> "; the bot speaks first, as after Telegram's
/start); `--script FILE` sends one message a line and prints the whole transcript.
Nothing is stored. Besides what a resident may type, three lines act on the
simulation itself: `/start` opens the conversation as Telegram's /start does,
`/lang CODE` switches the conversation's language, `/return` plays a resident
coming back after their session expired.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.errors import UserError

if TYPE_CHECKING:
    from flows.effects import Effect
    from flows.engine import Transition
    from flows.events import Event
    from flows.model import Flow
    from flows.replies import Reply
    from flows.state import SessionState
    from nlu import Interpreter

PROMPT = "> "
MAX_SCRIPT_BYTES = 1_000_000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="talk to a flow in the terminal (nothing is stored)",
        description=(
            "Talk to a flow in the terminal with the real engine and interpreter; "
            "nothing is stored. Type as a resident would; '/start' opens the "
            "conversation, '/lang en' switches language, '/return' plays a resident "
            "back after their session expired; Ctrl-D ends."
        ),
    )
    parser.add_argument("path", type=Path, help="the flow file (.yml)")
    parser.add_argument(
        "--lang", help="the resident's language (default: the flow's first language)"
    )
    parser.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="send one message per line of FILE (blank lines and lines starting "
        "with '#' are skipped) and print the transcript",
    )
    parser.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="pretend it is this day (to try a flow before it opens)",
    )
    parser.add_argument(
        "--effects", action="store_true", help="also print what the bot would store"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from flows.loader import load_flow
    from nlu import Interpreter

    script = None if args.script is None else _read_script(args.script)
    flow = load_flow(args.path)
    lang = args.lang or (flow.languages[0] if flow.languages else "fr")
    if lang not in flow.languages:
        raise UserError(
            f"{args.path}: the flow has no language {lang!r}; "
            f"choose one of: {', '.join(flow.languages)}"
        )
    simulation = Simulation(flow, Interpreter(), lang, args.today, show_effects=args.effects)
    try:
        if script is not None:
            simulation.play(script, sys.stdout, echo=True, start=False)
        else:
            print(f"({flow.title.get(lang)}: type as a resident would; Ctrl-D ends)")
            simulation.play(_typed_lines(), sys.stdout, echo=False, start=True)
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


class Simulation:
    """One resident's conversation with a flow, kept in memory."""

    def __init__(
        self,
        flow: Flow,
        interpreter: Interpreter,
        language: str,
        today: dt.date | None = None,
        *,
        show_effects: bool = False,
    ) -> None:
        self.flow = flow
        self.interpreter = interpreter
        self.language = language
        self.today = today
        self.show_effects = show_effects
        self.state: SessionState | None = None
        self.consent_asked = False  # as the service notes it before consent

    def play(self, lines: Iterable[str], out: TextIO, *, echo: bool, start: bool) -> None:
        """Send each line as a message. `start`: the bot speaks first, as after
        Telegram's /start or when the web chat opens."""
        if start:
            self._show(self._advance(self._event("/start")), out)
        for line in lines:
            if echo:
                print(f"\n{PROMPT}{line}", file=out)
            self._show(self._advance(self._event(line)), out)
            out.flush()

    def _event(self, line: str) -> Event:
        from flows.engine import expecting
        from flows.events import ChangeLanguage, Message, Returned, Start

        command = line.strip()
        if command == "/start":
            return Start(consultation_id=self.flow.id, language=self.language)
        if command.startswith("/lang "):
            code = command.removeprefix("/lang ").strip()
            if code in self.flow.languages:
                self.language = code  # also the hint while there is no state yet
            return ChangeLanguage(code)
        if command == "/return":
            return Returned()
        spec = expecting(self.flow, self.state, self.language)
        lang = self.state.language if self.state is not None else self.language
        interpretation = self.interpreter.interpret(line, spec, lang, self._now().date())
        return Message(line, interpretation, self.language, self.consent_asked)

    def _advance(self, event: Event) -> Transition:
        from flows.effects import ConsentAsked
        from flows.engine import advance

        transition = advance(self.flow, self.state, event, self._now())
        self.state = transition.state
        self.consent_asked = any(isinstance(e, ConsentAsked) for e in transition.effects)
        return transition

    def _now(self) -> dt.datetime:
        now = dt.datetime.now().astimezone()  # the bot, not the engine, reads the clock
        if self.today is None:
            return now
        return dt.datetime.combine(self.today, now.timetz())

    def _show(self, transition: Transition, out: TextIO) -> None:
        for reply in transition.replies:
            print(render(reply), file=out)
        if self.show_effects:
            from flows.effects import ConsentAsked

            for effect in transition.effects:
                if not isinstance(effect, ConsentAsked):  # a note, nothing of theirs
                    print(f"  (stored: {describe_effect(effect)})", file=out)


def render(reply: Reply) -> str:
    """A reply as text: its text, then its buttons as "[Oui] [Non]"."""
    if not reply.buttons:
        return reply.text
    buttons = " ".join(f"[{button.title}]" for button in reply.buttons)
    return f"{reply.text}\n{buttons}"


def describe_effect(effect: Effect) -> str:
    from flows.effects import AnswerRecorded

    if isinstance(effect, AnswerRecorded):
        return f"answer to {effect.question_id} = {effect.value!r}"
    question_id = getattr(effect, "question_id", None)
    name = type(effect).__name__
    return name if question_id is None else f"{name} {question_id}"


def _read_script(path: Path) -> list[str]:
    try:
        if path.is_dir():
            raise UserError(f"{path}: this is a directory, not a script file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such script file") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read the script ({error.strerror})") from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise UserError(f"{path}: the script is larger than 1 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: the script is not a UTF-8 text file") from None
    return [
        line
        for line in (raw.rstrip("\r") for raw in text.split("\n"))
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _typed_lines() -> Iterator[str]:
    # Line editing and history at the prompt, where the platform has them.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            print()
            return


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
