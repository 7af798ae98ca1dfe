"""Bring your own Rasa: command recognition by an existing Rasa server.

Regions that already run Rasa set `nlu.rasa_url` (e.g. http://rasa:5005); each
message is then sent to the server's `POST /model/parse`, and the intent it
returns, when it is one of our commands (`help`, `stop`, `restart`, `back`,
`skip`, `delete_data`, `human`, or a usual alias such as `human_handoff`) and
confident enough, is handed to the pure interpreter:

    rasa = RasaCommands(settings.nlu.rasa_url, session)
    interpretation = await interpret_with_rasa(interpreter, rasa, text, question, lang, today)

The interpreter still decides whether the command beats a typed answer ("non"
on a yes/no question stays an answer). When the server is unreachable, slow or
answers nonsense, the built-in classifier takes over for that message, so the
consultation goes on; the failure is logged without the message text.
"""

from __future__ import annotations

import datetime as dt
import logging

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import UserError
from nlu import CommandName, Interpretation, Interpreter, QuestionSpec
from nlu.commands import command_for_intent

log = logging.getLogger(__name__)

DEFAULT_CONFIDENCE = 0.6
DEFAULT_TIMEOUT_SECONDS = 2.0


class RasaUnavailable(UserError):
    """The Rasa server could not answer; str() says why."""


class _Intent(BaseModel):
    # Rasa adds fields over versions (id, ...): accept and ignore them.
    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class _ParseResult(BaseModel):
    model_config = ConfigDict(extra="ignore")
    intent: _Intent | None = None


class RasaCommands:
    """Recognises our commands with a Rasa server's POST /model/parse."""

    def __init__(
        self,
        url: str,
        session: aiohttp.ClientSession,
        *,
        confidence: float = DEFAULT_CONFIDENCE,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/model/parse"
        self._session = session
        self._confidence = confidence
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def close(self) -> None:
        await self._session.close()

    async def recognise(self, text: str) -> CommandName | None:
        """The command Rasa sees in `text`, or None (an answer, or not sure).
        Raises RasaUnavailable when the server cannot be used."""
        try:
            async with self._session.post(
                self.endpoint, json={"text": text}, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(
                        f"Rasa server at {self.endpoint} answered HTTP {response.status}"
                    )
                payload = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(
                f"Rasa server at {self.endpoint} unreachable ({type(error).__name__})"
            ) from None
        except ValueError:
            raise RasaUnavailable(f"Rasa server at {self.endpoint} sent invalid JSON") from None
        try:
            result = _ParseResult.model_validate(payload)
        except ValidationError:
            raise RasaUnavailable(
                f"Rasa server at {self.endpoint} sent no /model/parse result"
            ) from None
        intent = result.intent
        if intent is None or intent.name is None or intent.confidence < self._confidence:
            return None
        return command_for_intent(intent.name)


async def interpret_with_rasa(
    interpreter: Interpreter,
    rasa: RasaCommands,
    text: str,
    question: QuestionSpec,
    lang: str,
    today: dt.date,
) -> Interpretation:
    """Interpret `text` with Rasa recognising the commands, falling back on the
    built-in classifier for this message when Rasa is unavailable."""
    try:
        command = await rasa.recognise(text)
    except RasaUnavailable as error:
        log.warning("%s; using the built-in command classifier", error)
        return interpreter.interpret(text, question, lang, today)
    return interpreter.interpret(
        text, question, lang, today, command=command, recognise_commands=False
    )
