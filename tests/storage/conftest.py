"""Fixtures of the storage tests."""

import pytest

from storage.database import Database
from tests.storage.seeding import Seeded, seed


@pytest.fixture
async def seeded(database: Database) -> Seeded:
    return await seed(database)
