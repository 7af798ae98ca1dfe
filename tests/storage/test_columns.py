"""UTC timestamps as each database keeps them (storage.columns.UtcDateTime)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.dialects import sqlite

from storage.columns import UtcDateTime

PARIS = dt.timezone(dt.timedelta(hours=1))
_table = Table(
    "moments", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime)
)


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    _table.metadata.create_all(engine)
    yield engine
    engine.dispose()


def stored_text(engine, moment):
    with engine.begin() as connection:
        connection.execute(_table.delete())
        connection.execute(insert(_table).values(id=1, at=moment))
        return connection.execute(text("SELECT at FROM moments")).scalar_one()


def sqlalchemy_text(moment):
    """What SQLAlchemy's own SQLite DATETIME writes for the same instant: the
    text of every row written before."""
    naive = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return sqlite.DATETIME().bind_processor(sqlite.dialect())(naive)


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC),  # no microseconds
        dt.datetime(2026, 12, 5, 10, 30, 0, 12, tzinfo=PARIS),
        dt.datetime(999, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),  # a year of three digits
    ],
)
def test_sqlite_keeps_the_text_sqlalchemy_kept(engine, moment):
    assert stored_text(engine, moment) == sqlalchemy_text(moment)


def test_a_timestamp_reads_back_as_the_same_instant_in_utc(engine):
    moment = dt.datetime(2026, 12, 5, 10, 30, 0, 12, tzinfo=PARIS)
    with engine.begin() as connection:
        connection.execute(insert(_table).values(id=1, at=moment))
        read = connection.execute(select(_table.c.at)).scalar_one()
    assert read == moment
    assert read.tzinfo is dt.UTC
    assert read.hour == 9


def test_text_without_microseconds_reads_too(engine):
    """As SQLite's CURRENT_TIMESTAMP writes it."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO moments (id, at) VALUES (1, '2026-12-05 09:30:00')"))
        read = connection.execute(select(_table.c.at)).scalar_one()
    assert read == dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)


def test_a_naive_timestamp_is_refused(engine):
    with pytest.raises(Exception, match="expected a timezone-aware datetime"):
        stored_text(engine, dt.datetime(2026, 12, 5, 9, 30))


@given(
    st.lists(
        st.datetimes(
            min_value=dt.datetime(1000, 1, 1),
            max_value=dt.datetime(9999, 1, 1),
            timezones=st.just(dt.UTC),
        ),
        min_size=2,
        max_size=5,
    )
)
def test_text_order_is_time_order(moments):
    dialect = sqlite.dialect()
    write = UtcDateTime().bind_processor(dialect)
    assert write is not None
    assert sorted(moments, key=write) == sorted(moments)
