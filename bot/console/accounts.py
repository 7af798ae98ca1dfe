"""Console accounts as people use them: an admin adds someone (who gets a
one-time link valid 24 hours to choose a password), people sign in (throttled
per account and per address, with the same answer whether or not the account
exists), pass a one-time code if they set one up (admins must when
`console.require_2fa` is on), and sign out here or everywhere. Every step is
audited: who, when, what; never a password or a code.

Sessions are server-side rows; the browser's cookie holds a random token whose
SHA-256 the row is keyed by. A session unused for `console.session_idle_hours`
ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot.config import Settings
from bot.console import passwords, totp
from bot.errors import UserError
from storage import audit, console_accounts, console_sessions
from storage.console_accounts import ConsoleUser
from storage.console_sessions import ConsoleSession
from storage.database import Database
from storage.models import ConsoleRole

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

LINK_VALID: Final = dt.timedelta(hours=24)
THROTTLE_WINDOW: Final = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT: Final = 5
MAX_FAILURES_PER_ADDRESS: Final = 30
TOUCH_EVERY: Final = dt.timedelta(minutes=1)

FULL, CODE, ENROL = "full", "code", "enrol"
# What a console session's row needs after a request (Accounts.viewer_in).
UPKEEP_NONE, UPKEEP_TOUCH, UPKEEP_CLOSE = "none", "touch", "close"


class SignInRefused(UserError):
    """Wrong e-mail or password, a disabled account, or too many attempts: the
    same message for all, so that no one learns which accounts exist."""

    def __init__(self) -> None:
        super().__init__(
            "Wrong e-mail or password, or too many attempts. Wait a few minutes and try again."
        )


class LinkInvalid(UserError):
    def __init__(self) -> None:
        super().__init__(
            "This link is unknown, used or expired (links are valid 24 hours and once). "
            "Ask an administrator for a new one: consultbot users reset EMAIL."
        )


class CodeRefused(UserError):
    def __init__(self) -> None:
        super().__init__("That code is not the current one. Check your app's clock and retry.")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person behind a request, and their session."""

    user: ConsoleUser
    session: ConsoleSession

    @property
    def name(self) -> str:
        return self.user.email

    @property
    def role(self) -> ConsoleRole:
        return self.user.role

    def may_see(self, consultation_id: str) -> bool:
        return self.user.consultations is None or consultation_id in self.user.consultations


@dataclass(frozen=True, slots=True)
class Link:
    user: ConsoleUser
    url: str
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Accounts:
    def __init__(self, database: Database, settings: Settings, cipher: totp.TotpCipher) -> None:
        self.database = database
        self.settings = settings
        self._cipher = cipher
        self._idle = dt.timedelta(hours=settings.console.session_idle_hours)

    def _base_url(self) -> str:
        if self.settings.server.public_url:
            return self.settings.server.public_url.rstrip("/")
        host = self.settings.server.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.settings.server.port}"

    async def _new_link(self, session: AsyncSession, user: ConsoleUser, now: dt.datetime) -> Link:
        token = secrets.token_urlsafe(32)
        await console_accounts.add_link(
            session, user.id, token_hash(token), now=now, valid=LINK_VALID
        )
        return Link(user, f"{self._base_url()}/console/welcome/{token}", now + LINK_VALID)

    # ---- administration (the `users` command) ----

    async def add(
        self, email: str, role: ConsoleRole, *, by: str, consultations: Iterable[str] | None = None
    ) -> Link:
        if "@" not in email or len(email) > 254 or any(c.isspace() for c in email.strip()):
            raise UserError(f"{email!r} is not an e-mail address")
        now = _now()
        async with self.database.transaction() as session:
            user = await console_accounts.add(
                session, email, role, now=now, consultations=consultations
            )
            link = await self._new_link(session, user, now)
            await audit.record(
                session,
                "user.add",
                {"users": 1},
                now=now,
                actor=by,
                subject=f"user:{user.email}",
                state_after=role.value,
            )
        return link

    async def reset(self, email: str, *, by: str, second_factor: bool = False) -> Link:
        """Forget the password (and the second factor if asked), sign the person
        out everywhere; a new one-time link."""
        now = _now()
        async with self.database.transaction() as session:
            user = await console_accounts.by_email(session, email)
            if second_factor:
                await console_accounts.change(
                    session, user.id, password_hash=None, totp_secret=None
                )
            else:
                await console_accounts.change(session, user.id, password_hash=None)
            await console_accounts.end_sessions(session, user.id)
            link = await self._new_link(session, user, now)
            await audit.record(
                session,
                "user.reset",
                {"users": 1},
                now=now,
                actor=by,
                subject=f"user:{user.email}",
                details={"second_factor": "yes" if second_factor else "no"},
            )
        return link

    async def disable(self, email: str, *, by: str) -> ConsoleUser:
        now = _now()
        async with self.database.transaction() as session:
            user = await console_accounts.by_email(session, email)
            await console_accounts.change(session, user.id, disabled_at=now)
            await console_accounts.end_sessions(session, user.id)
            await audit.record(
                session,
                "user.disable",
                {"users": 1},
                now=now,
                actor=by,
                subject=f"user:{user.email}",
                state_before="active" if user.active else "disabled",
                state_after="disabled",
            )
        return user

    async def users(self) -> list[ConsoleUser]:
        async with self.database.transaction() as session:
            return await console_accounts.all_users(session)

    # ---- the one-time link ----

    async def link_owner(self, token: str) -> ConsoleUser:
        async with self.database.transaction() as session:
            user_id = await console_accounts.link_user(session, token_hash(token), now=_now())
            if user_id is None:
                raise LinkInvalid()
            return await console_accounts.get(session, user_id)

    async def set_password(self, token: str, password: str) -> ConsoleUser:
        hashed = await passwords.hash_password(password)  # WeakPassword before the link is spent
        now = _now()
        async with self.database.transaction() as session:
            user_id = await console_accounts.use_link(session, token_hash(token), now=now)
            if user_id is None:
                raise LinkInvalid()
            await console_accounts.change(session, user_id, password_hash=hashed)
            await console_accounts.end_sessions(session, user_id)
            user = await console_accounts.get(session, user_id)
            await audit.record(
                session,
                "user.password",
                {"users": 1},
                now=now,
                actor=user.email,
                subject=f"user:{user.email}",
            )
        return user

    # ---- signing in and out ----

    async def sign_in(self, email: str, password: str, address: str) -> tuple[str, str]:
        """A new session's cookie token and its stage; SignInRefused otherwise."""
        now = _now()
        keys = [
            "account:" + token_hash(console_accounts.normalized_email(email))[:40],
            "address:" + token_hash(address)[:40],
        ]
        async with self.database.transaction() as session:
            since = now - THROTTLE_WINDOW
            throttled = (
                await console_sessions.failures_since(session, keys[0], since)
                >= MAX_FAILURES_PER_ACCOUNT
                or await console_sessions.failures_since(session, keys[1], since)
                >= MAX_FAILURES_PER_ADDRESS
            )
            user = await console_accounts.find(session, email)
        usable = user is not None and user.active and not throttled
        matches = await passwords.verify(user.password_hash if usable and user else None, password)
        if not (usable and matches and user is not None):
            async with self.database.transaction() as session:
                if not throttled:
                    await console_sessions.record_failure(session, keys, now=now)
                await audit.record(
                    session,
                    "login.failed",
                    {},
                    now=now,
                    actor=user.email if user is not None else None,
                    details={"throttled": "yes" if throttled else "no"},
                )
            raise SignInRefused()
        stage = FULL
        if user.uses_totp:
            stage = CODE
        elif user.role is ConsoleRole.ADMIN and self.settings.console.require_2fa:
            stage = ENROL
        token = secrets.token_urlsafe(32)
        async with self.database.transaction() as session:
            await console_sessions.open_session(
                session,
                token_hash(token),
                user.id,
                stage=stage,
                csrf_token=secrets.token_urlsafe(32),
                now=now,
            )
            await audit.record(session, "login", {}, now=now, actor=user.email, state_after=stage)
        return token, stage

    async def viewer(self, token: str) -> Viewer | None:
        """The session of a cookie token, if it exists, is not idle too long and
        its account is active; kept alive."""
        async with self.database.transaction() as session:
            found, upkeep = await self.viewer_in(session, token)
            await self._keep(session, token, upkeep)
        return found

    async def viewer_in(self, session: AsyncSession, token: str) -> tuple[Viewer | None, str]:
        """`viewer` read in `session` (a read-only one will do), and what the
        session row then needs, to pass to `keep` once it ended: UPKEEP_NONE,
        UPKEEP_TOUCH (in use: seen now) or UPKEEP_CLOSE (idle too long)."""
        now = _now()
        found = await console_sessions.find(session, token_hash(token))
        if found is None:
            return None, UPKEEP_NONE
        if found.last_seen_at < now - self._idle:
            return None, UPKEEP_CLOSE
        user = await console_accounts.get(session, found.user_id)
        if not user.active:
            return None, UPKEEP_NONE
        touch = found.last_seen_at < now - TOUCH_EVERY
        return Viewer(user, found), UPKEEP_TOUCH if touch else UPKEEP_NONE

    async def keep(self, token: str, upkeep: str) -> None:
        """What `viewer_in` said the session row needs, in a transaction of its own."""
        if upkeep != UPKEEP_NONE:
            async with self.database.transaction() as session:
                await self._keep(session, token, upkeep)

    async def _keep(self, session: AsyncSession, token: str, upkeep: str) -> None:
        if upkeep == UPKEEP_CLOSE:
            await console_sessions.close(session, token_hash(token))
        elif upkeep == UPKEEP_TOUCH:
            await console_sessions.touch(session, token_hash(token), now=_now())

    async def confirm_code(self, viewer: Viewer, code: str) -> None:
        if viewer.user.totp_secret is None or not totp.code_matches(
            self._cipher.open(viewer.user.totp_secret), code
        ):
            raise CodeRefused()
        await self._advance(viewer, "login.code")

    async def enrol(self, viewer: Viewer, secret: str, code: str) -> None:
        """Set up a one-time code app with `secret` once it produced `code`."""
        if not totp.code_matches(secret, code):
            raise CodeRefused()
        async with self.database.transaction() as session:
            await console_accounts.change(
                session, viewer.user.id, totp_secret=self._cipher.seal(secret)
            )
        await self._advance(viewer, "user.2fa")

    async def _advance(self, viewer: Viewer, action: str) -> None:
        now = _now()
        async with self.database.transaction() as session:
            await console_sessions.advance(session, viewer.session.id_hash, FULL, now=now)
            await audit.record(session, action, {}, now=now, actor=viewer.name, state_after=FULL)

    async def sign_out(self, viewer: Viewer) -> None:
        async with self.database.transaction() as session:
            await console_sessions.close(session, viewer.session.id_hash)

    async def sign_out_everywhere(self, viewer: Viewer) -> int:
        now = _now()
        async with self.database.transaction() as session:
            ended = await console_accounts.end_sessions(session, viewer.user.id)
            await audit.record(
                session, "logout.everywhere", {"sessions": ended}, now=now, actor=viewer.name
            )
        return ended
