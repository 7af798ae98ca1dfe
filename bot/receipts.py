"""Receipts: the short code a completed contribution is given in the outro
("MOB-7K3Q"), and the answer to a resident who asks where their contributions
are ("où en est ma contribution ?", or the code itself).

A code is a keyed hash of the session, so nothing is stored for it, and it is
looked up only among the asking resident's own contributions: a code someone
else sends tells them nothing. What a resident is told follows moderation: a
contribution whose written answers are still being read is "received"; once
read, "published" (its closed answers are published at once), with the reason
category of any written answer not kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import REJECTION_REASONS
from bot.pseudonyms import Pseudonymizer
from flows.catalogue import CATALOGUE
from flows.messages import format_date
from flows.replies import Reply
from nlu.command_frames import receipt_code
from storage import receipts
from storage.receipts import ContributionStatus

_FIRST = "23456789"  # a digit first: a code is never a word ("auto-stop")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


class Receipts:
    def __init__(self, pseudonyms: Pseudonymizer) -> None:
        self._pseudonyms = pseudonyms

    def code(self, consultation_id: str, session_id: int) -> str:
        """The contribution's code: three letters of the consultation, a dash,
        four characters of a keyed hash of the session."""
        letters = "".join(c for c in consultation_id.upper() if "A" <= c <= "Z")
        prefix = (letters[:3] or "CTB").ljust(2, "X")
        digest = self._pseudonyms.contribution_digest(session_id)
        value = int.from_bytes(digest[1:3], "big")
        rest = "".join(_CROCKFORD[(value >> shift) & 31] for shift in (10, 5, 0))
        return f"{prefix}-{_FIRST[digest[0] % 8]}{rest}"

    def is_code_of(self, typed: str, consultation_id: str, session_id: int) -> bool:
        """Whether `typed` (as a resident or organizer writes it) is the code of
        that contribution."""
        code = receipt_code(typed)
        return code is not None and _normalised(code) == self.code(consultation_id, session_id)

    def given(self, consultation_id: str, session_id: int, lang: str) -> Reply:
        """The line that gives the code, added to the outro."""
        code = self.code(consultation_id, session_id)
        return Reply(CATALOGUE.text("receipts", "code", lang, code=code))

    async def status(
        self, session: AsyncSession, participant_id: int, text: str, lang: str
    ) -> Reply:
        """Where the resident's contributions are: the one whose code `text` is,
        else the latest ones."""
        found = await receipts.of_participant(session, participant_id)
        asked = receipt_code(text)
        if asked is not None:
            wanted = _normalised(asked)
            found = [s for s in found if self.code(s.consultation_id, s.session_id) == wanted]
            if not found:
                return Reply(CATALOGUE.text("receipts", "unknown", lang, code=asked))
        if not found:
            return Reply(CATALOGUE.text("receipts", "none", lang))
        return Reply("\n".join(self._line(status, lang) for status in found))

    def _line(self, status: ContributionStatus, lang: str) -> str:
        values = {
            "code": self.code(status.consultation_id, status.session_id),
            "date": format_date(status.completed_at.date(), lang),
        }
        if status.pending:
            return CATALOGUE.text("receipts", "received", lang, **values)
        if not status.rejected:
            return CATALOGUE.text("receipts", "published", lang, **values)
        values["reasons"] = _reasons(status.rejected, lang)
        if status.published_as_is or status.approved:
            return CATALOGUE.text("receipts", "partly", lang, count=len(status.rejected), **values)
        return CATALOGUE.text("receipts", "not_published", lang, **values)


def _normalised(code: str) -> str:
    prefix, _, rest = code.partition("-")
    return f"{prefix}-{rest.translate(_MISREAD)}"


def _reasons(rejected: Sequence[str], lang: str) -> str:
    # A reason a deployment added to console.rejection_reasons is said as "other".
    categories = dict.fromkeys(r if r in REJECTION_REASONS else "other" for r in rejected)
    return ", ".join(
        CATALOGUE.text("receipts", "reason_" + c.replace("-", "_"), lang) for c in categories
    )
