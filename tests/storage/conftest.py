"""Fixtures of the storage tests."""

import pytest

from storage.database import Database
from tests.storage.contention import Contention
from tests.storage.seeding import Seeded, seed


@pytest.fixture
def contention(database: Database, monkeypatch: pytest.MonkeyPatch) -> Contention:
    """Makes concurrent writers overlap for sure (see tests/storage/contention.py)."""
    return Contention(database, monkeypatch)


@pytest.fixture
async def seeded(database: Database) -> Seeded:
    return await seed(database)
