import datetime as dt

import pyotp
import pytest
from sqlalchemy import update

from bot.config import ConsoleSettings, Settings
from bot.console.accounts import (
    CODE,
    ENROL,
    FULL,
    MAX_FAILURES_PER_ACCOUNT,
    Accounts,
    CodeRefused,
    LinkInvalid,
    SignInRefused,
)
from bot.console.passwords import WeakPassword
from bot.console.totp import TotpCipher, new_secret
from bot.keys import Keys
from storage import audit
from storage.database import Database
from storage.models import ConsoleLinkRow, ConsoleRole, ConsoleSessionRow

PASSWORD = "correct horse battery staple"
KEY = b"k" * 32


def _accounts(database: Database, **console: object) -> Accounts:
    settings = Settings(console=ConsoleSettings(**console))  # type: ignore[arg-type]
    return Accounts(database, settings, TotpCipher(Keys(KEY)))


async def _user(accounts: Accounts, role: ConsoleRole = ConsoleRole.MODERATOR) -> str:
    link = await accounts.add("Ana@Region.fr", role, by="cli:test")
    await accounts.set_password(link.url.rsplit("/", 1)[1], PASSWORD)
    return "ana@region.fr"


async def test_a_new_account_sets_its_password_once_through_its_link(database: Database):
    accounts = _accounts(database)
    link = await accounts.add("Ana@Region.fr", ConsoleRole.MODERATOR, by="cli:test")
    assert link.url.startswith("http://127.0.0.1:8080/console/welcome/")
    token = link.url.rsplit("/", 1)[1]
    with pytest.raises(SignInRefused):
        await accounts.sign_in("ana@region.fr", "", "10.0.0.1")
    with pytest.raises(WeakPassword):
        await accounts.set_password(token, "short")
    user = await accounts.set_password(token, PASSWORD)
    assert user.email == "ana@region.fr"
    with pytest.raises(LinkInvalid):
        await accounts.set_password(token, PASSWORD + "!")
    cookie, stage = await accounts.sign_in("ANA@region.fr", PASSWORD, "10.0.0.1")
    assert stage == FULL
    viewer = await accounts.viewer(cookie)
    assert viewer is not None
    assert viewer.name == "ana@region.fr"
    async with database.transaction() as s:
        actions = [r.action for r in await audit.recent(s)]
    assert actions == ["login", "user.password", "login.failed", "user.add"]


async def test_an_expired_link_is_refused(database: Database):
    accounts = _accounts(database)
    link = await accounts.add("bob@region.fr", ConsoleRole.ADMIN, by="cli:test")
    async with database.transaction() as s:
        await s.execute(
            update(ConsoleLinkRow).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(1))
        )
    with pytest.raises(LinkInvalid):
        await accounts.set_password(link.url.rsplit("/", 1)[1], PASSWORD)


async def test_wrong_password_and_unknown_account_get_the_same_answer(database: Database):
    accounts = _accounts(database)
    email = await _user(accounts)
    with pytest.raises(SignInRefused) as wrong:
        await accounts.sign_in(email, "wrong password!", "10.0.0.1")
    with pytest.raises(SignInRefused) as unknown:
        await accounts.sign_in("nobody@region.fr", PASSWORD, "10.0.0.1")
    assert str(wrong.value) == str(unknown.value)


async def test_too_many_failures_lock_the_account_even_with_the_right_password(
    database: Database,
):
    accounts = _accounts(database)
    email = await _user(accounts)
    for attempt in range(MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(SignInRefused):
            await accounts.sign_in(email, f"guess {attempt}", f"10.0.0.{attempt}")
    with pytest.raises(SignInRefused):
        await accounts.sign_in(email, PASSWORD, "10.9.9.9")


async def test_logging_out_everywhere_refuses_every_earlier_cookie(database: Database):
    accounts = _accounts(database)
    email = await _user(accounts)
    first, _ = await accounts.sign_in(email, PASSWORD, "10.0.0.1")
    second, _ = await accounts.sign_in(email, PASSWORD, "10.0.0.2")
    viewer = await accounts.viewer(second)
    assert viewer is not None
    assert await accounts.sign_out_everywhere(viewer) == 2
    assert await accounts.viewer(first) is None
    assert await accounts.viewer(second) is None


async def test_an_idle_session_ends(database: Database):
    accounts = _accounts(database, session_idle_hours=1)
    email = await _user(accounts)
    cookie, _ = await accounts.sign_in(email, PASSWORD, "10.0.0.1")
    async with database.transaction() as s:
        await s.execute(
            update(ConsoleSessionRow).values(
                last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
            )
        )
    assert await accounts.viewer(cookie) is None


async def test_a_disabled_account_is_signed_out_and_cannot_sign_in(database: Database):
    accounts = _accounts(database)
    email = await _user(accounts)
    cookie, _ = await accounts.sign_in(email, PASSWORD, "10.0.0.1")
    await accounts.disable(email, by="cli:test")
    assert await accounts.viewer(cookie) is None
    with pytest.raises(SignInRefused):
        await accounts.sign_in(email, PASSWORD, "10.0.0.1")


async def test_admins_must_enrol_a_second_factor_when_required_then_give_codes(
    database: Database,
):
    accounts = _accounts(database, require_2fa=True)
    email = await _user(accounts, ConsoleRole.ADMIN)
    cookie, stage = await accounts.sign_in(email, PASSWORD, "10.0.0.1")
    assert stage == ENROL
    viewer = await accounts.viewer(cookie)
    assert viewer is not None
    secret = new_secret()
    with pytest.raises(CodeRefused):
        await accounts.enrol(viewer, secret, "000000")
    await accounts.enrol(viewer, secret, pyotp.TOTP(secret).now())
    enrolled = await accounts.viewer(cookie)
    assert enrolled is not None
    assert enrolled.session.stage == FULL

    cookie, stage = await accounts.sign_in(email, PASSWORD, "10.0.0.1")
    assert stage == CODE
    viewer = await accounts.viewer(cookie)
    assert viewer is not None
    with pytest.raises(CodeRefused):
        await accounts.confirm_code(viewer, "12345")
    await accounts.confirm_code(viewer, pyotp.TOTP(secret).now())
    confirmed = await accounts.viewer(cookie)
    assert confirmed is not None
    assert confirmed.session.stage == FULL
