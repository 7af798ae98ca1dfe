import datetime as dt

import pytest

from nlu import Answer, Reject
from nlu.dates import parse_date

TODAY = dt.date(2026, 6, 15)  # a Monday


@pytest.mark.parametrize(
    ("text", "lang", "iso"),
    [
        ("aujourd'hui", "fr", "2026-06-15"),
        ("après-demain", "fr", "2026-06-17"),
        ("vendredi", "fr", "2026-06-19"),
        ("dimanche dernier", "fr", "2026-06-14"),
        ("lundi prochain", "fr", "2026-06-22"),
        ("dans 10 jours", "fr", "2026-06-25"),
        ("il y a deux semaines", "fr", "2026-06-01"),
        ("le 2 août", "fr", "2026-08-02"),
        ("le premier mars 2027", "fr", "2027-03-01"),
        ("jeudi 18", "fr", "2026-06-18"),
        ("05/08", "fr", "2026-08-05"),
        ("05/08", "en", "2026-05-08"),
        ("25/12/2025", "en", "2025-12-25"),
        ("2026-09-30", "fr", "2026-09-30"),
        ("August 2nd", "en", "2026-08-02"),
        ("the 2nd of August", "en", "2026-08-02"),
        ("last Friday", "en", "2026-06-12"),
        ("in three days", "en", "2026-06-18"),
        ("le 14 juillet", "fr", "2026-07-14"),
        ("à la Toussaint", "fr", "2026-11-01"),
        ("le lundi de Pâques", "fr", "2026-04-06"),
    ],
)
def test_dates(text, lang, iso):
    assert parse_date(text, lang, TODAY) == Answer(iso)


@pytest.mark.parametrize("text", ["le 31 avril", "29/02/2026", "February 30"])
def test_days_that_do_not_exist(text):
    assert isinstance(parse_date(text, "fr", TODAY), Reject)


@pytest.mark.parametrize("text", ["en mars", "le mois prochain", "bientôt", "next week"])
def test_periods_are_too_vague(text):
    assert isinstance(parse_date(text, "fr", TODAY), Reject)


def test_bounds():
    earliest, latest = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    assert parse_date("demain", "fr", TODAY, earliest, latest) == Answer("2026-06-16")
    assert parse_date("le 3 juillet", "fr", TODAY, earliest, latest) == Reject("out_of_range")


def test_the_reference_day_is_the_one_passed_in():
    assert parse_date("demain", "fr", dt.date(2024, 2, 28)) == Answer("2024-02-29")
