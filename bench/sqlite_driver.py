"""Cost of one statement through SQLAlchemy's stock aiosqlite driver (a thread
hop per call) and through storage.Database (SQLite on the event loop's thread,
storage/sqlite_inline.py).

    PYTHONPATH=. python bench/sqlite_driver.py [--statements 2000]

Prints wall and CPU microseconds per statement for each; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from storage.database import Database


async def _measure(name: str, session: AsyncSession, statements: int) -> None:
    await session.execute(text("SELECT 1"))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(statements):
        await session.execute(text("SELECT 1"))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{name:>18}: {wall / statements * 1e6:7.0f} us wall, "
        f"{cpu / statements * 1e6:5.0f} us cpu per statement"
    )


async def main(folder: Path, statements: int) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{folder / 'stock.db'}")
    async with async_sessionmaker(engine)() as session:
        await _measure("stock aiosqlite", session, statements)
    await engine.dispose()
    database = await Database.connect(f"sqlite+aiosqlite:///{folder / 'inline.db'}")
    async with database.transaction() as session:
        await _measure("storage.Database", session, statements)
    await database.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(main(Path(folder), args.statements))
