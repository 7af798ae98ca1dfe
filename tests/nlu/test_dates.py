import datetime as dt

import pytest

from nlu import Answer, Candidate, Confirm, Reject
from nlu.dates import parse_date

from .conftest import question

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
        ("05/20", "en", "2026-05-20"),
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


def test_a_weekday_that_contradicts_the_date_is_confirmed():
    # 2026-07-03 is a Friday; the nearest Tuesday is 2026-06-30.
    got = parse_date("mardi 3 juillet", "fr", TODAY)
    assert got == Confirm((Candidate("2026-07-03"), Candidate("2026-06-30")), "weekday")
    assert parse_date("vendredi 3 juillet", "fr", TODAY) == Answer("2026-07-03")
    # The 24th is a Wednesday: "thursday 24" offers it and Thursday the 25th.
    assert parse_date("wednesday 24", "en", TODAY) == Answer("2026-06-24")
    assert parse_date("thursday 24", "en", TODAY) == Confirm(
        (Candidate("2026-06-24"), Candidate("2026-06-25")), "weekday"
    )


def test_an_english_date_that_reads_both_ways_is_confirmed_a_french_one_is_day_first():
    assert parse_date("05/08", "en", TODAY) == Confirm(
        (Candidate("2026-05-08"), Candidate("2026-08-05")), "day_month"
    )
    assert parse_date("05/08", "fr", TODAY) == Answer("2026-08-05")
    assert parse_date("05/20", "en", TODAY) == Answer("2026-05-20")


@pytest.mark.parametrize(
    "text",
    ["le 3 ou le 4 juillet", "du 3 au 5 juillet", "entre le 3 et le 5", "july 3 or 4"],
)
def test_two_days_offered_for_one_date_are_asked_again(text):
    assert parse_date(text, "fr", TODAY) == Reject("ambiguous")


@pytest.mark.parametrize("text", ["fin juin", "mi-juillet", "début juillet", "end of june"])
def test_a_part_of_a_month_is_no_day(text):
    assert parse_date(text, "fr", TODAY) == Reject("ambiguous")


def test_a_part_of_a_month_is_not_the_stop_command(interpret):
    assert interpret("fin juin", question("date")) == Reject("ambiguous")


@pytest.mark.parametrize("text", ["avant le 10 juillet", "before july 10", "jusqu'au 14 juillet"])
def test_a_bound_is_no_day(text):
    assert parse_date(text, "fr", TODAY) == Reject("ambiguous")


def test_a_time_after_the_day_keeps_the_day():
    assert parse_date("demain apres 18h", "fr", TODAY) == Answer("2026-06-16")


def test_an_english_weekday_before_the_day_is_checked():
    assert parse_date("thursday the 17th", "en", TODAY) == Confirm(
        (Candidate("2026-06-17"), Candidate("2026-06-18")), "weekday"
    )


@pytest.mark.parametrize(
    ("text", "iso"), [("a week from today", "2026-06-22"), ("d'ici 2 semaines", "2026-06-29")]
)
def test_a_span_from_today(text, iso):
    assert parse_date(text, "en", TODAY) == Answer(iso)


def test_a_weekday_en_huit_is_asked_again():
    assert parse_date("vendredi en huit", "fr", TODAY) == Reject("ambiguous")
