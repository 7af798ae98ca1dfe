"""JSON columns written and read with storage.json_text, on a real SQLite database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from storage import json_text
from storage.columns import Json

_table = Table("values_", MetaData(), Column("id", Integer, primary_key=True), Column("v", Json))


@pytest.fixture
def engine():
    engine = create_engine(
        "sqlite://", json_serializer=json_text.dumps, json_deserializer=json_text.loads
    )
    _table.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    "value",
    [
        {"text": "Quelle proposition feriez-vous ? Orléans, déjà", "buttons": []},
        ["train", "bus", None, True, 4.5],
        4,  # SQLite hands a JSON number back as a number
        "45000",
    ],
)
def test_a_value_reads_back_as_written(engine, value):
    with engine.begin() as connection:
        connection.execute(insert(_table).values(id=1, v=value))
        assert connection.execute(select(_table.c.v)).scalar_one() == value


def test_text_written_by_the_standard_library_reads_the_same(engine):
    """Rows written before orjson: spaces and \\u escapes."""
    value = {"question_id": "mode", "answers": [["ville", "Orléans"]]}
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO values_ (id, v) VALUES (1, :v)"), {"v": json.dumps(value)}
        )
        assert connection.execute(select(_table.c.v)).scalar_one() == value


def test_keys_that_are_not_text_are_written_as_text():
    assert json_text.loads(json_text.dumps({1: "a"})) == {"1": "a"}  # as json.dumps does
