"""Results counted from a database filled by residents talking to the real
conversation service (tests/bot/console/results_residents.py), on SQLite and
PostgreSQL: progress, the drop-off funnel, answers per question, filters, and
small figures hidden."""

from __future__ import annotations

import datetime as dt

from bot.console import results
from bot.console.results_pages import read_filter
from bot.flow_catalog import FlowCatalog
from storage import consultations
from storage import results as figures
from tests.bot.console.results_residents import approve_train_texts, fill

HIDDEN = results.HIDDEN
PROTECTING = results.PROTECTING


async def _view(service, **query: str) -> results.ResultsView:
    chosen, _ = read_filter("mobilite", query)
    async with service.database.transaction() as s:
        live = await consultations.live_version(s, "mobilite")
        flow = (await FlowCatalog().read(live)).flow
        questions = results.questions_of(flow)
        found = await figures.figures(s, chosen, questions)
        texts = {"proposal": await figures.approved_texts(s, chosen, "proposal")}
    return results.build(flow, "fr", found.progress, found.funnel, found.answers, texts)


def _rows(table: results.Table) -> dict[str, tuple[str, ...]]:
    return {row[0]: row[1:] for row in table.rows}


def _table(view: results.ResultsView, key: str) -> results.Table:
    return next(t for t in view.tables() if t.key == key)


async def test_the_results_count_consenting_residents_and_hide_small_figures(open_service):
    service = await open_service()
    await fill(service)
    await approve_train_texts(service.database)

    view = await _view(service)
    assert view.residents == 19  # the two who refused consent are not counted
    assert dict(view.summary) == {
        "Residents who consented": "19",
        "Completed": "14",
        "Completion rate": "73.7 %",
        "Median time to complete": "2 min 00 s",  # consent, then 4 answers 30 s apart
    }
    assert _rows(view.progress)["In progress"] == ("5", "26.3 %")
    funnel = _rows(view.funnel)
    assert funnel["1. mode"] == ("19", "19", "0", "0")
    assert funnel["2. satisfaction"] == ("19", "14", "0", "5")
    assert funnel["4. proposal"] == ("14", "14", "0", "0")
    assert view.most_left == "2. satisfaction"
    # Walk (2) is hidden, and so is the next smallest (car, 5): the total would
    # tell. The car figure is no small one, and does not say it is.
    mode = _rows(_table(view, "q-mode"))
    assert mode == {
        "Voiture": (PROTECTING, PROTECTING),
        "Train": ("7", "36.8 %"),
        "Bus": ("5", "26.3 %"),
        "Vélo": ("0", "0.0 %"),
        "À pied": (HIDDEN, HIDDEN),
    }
    assert _rows(_table(view, "q-satisfaction"))["4"] == ("7", "50.0 %")
    assert _rows(_table(view, "q-postal_code"))["45 Loiret"] == ("7", "50.0 %")
    # 18 Cher (2) is hidden, and 37 with it.
    assert _rows(_table(view, "q-postal_code"))["37 Indre-et-Loire"] == (PROTECTING, PROTECTING)
    assert _rows(_table(view, "q-postal_code"))["18 Cher"] == (HIDDEN, HIDDEN)
    moderation = _rows(_table(view, "q-proposal"))
    assert moderation["Approved"][0] == "7"
    assert moderation["Pending"][0] == "7"  # car 5, walk 2
    words = _rows(_table(view, "words-proposal"))
    assert words == {"trains": ("6",)}  # the others are in fewer than 5 answers
    proposal = next(q for q in view.questions if q.question.id == "proposal")
    assert len(proposal.texts) == 7
    assert "Moins de bouchons" not in proposal.texts


async def test_filters_narrow_the_residents_counted(open_service):
    service = await open_service()
    await fill(service)

    poster = await _view(service, source="gare-tours")
    assert poster.residents == 7  # the tag given on their first message, kept past consent
    assert _rows(_table(poster, "q-mode"))["Train"] == ("7", "100.0 %")
    assert _rows(_table(poster, "q-mode"))["Bus"] == ("0", "0.0 %")

    tours = await _view(service, departement="37")
    assert tours.residents == 5
    assert _rows(_table(tours, "q-mode"))["Voiture"][0] == "5"
    web = await _view(service, channel="web")
    assert web.residents == 5
    later = await _view(service, since="2026-11-03", until="2026-11-03")
    assert later.residents == 5
    assert dict(later.summary)["Completed"] == "0"

    # Two residents match: nothing is shown about them.
    few = await _view(service, since="2026-11-04")
    assert few.residents == 2
    assert not few.enough
    assert dict(few.summary)["Residents who consented"] == HIDDEN
    assert few.questions == ()
    assert all(cell in (HIDDEN, "0", "–") for row in few.progress.rows for cell in row[1:])
    nobody = await _view(service, language="en")
    assert nobody.residents == 0
    assert not nobody.enough


def test_a_csv_cell_that_looks_like_a_formula_is_neutralised():
    table = results.Table(
        "t", "c", ("Word", "n"), (("=HYPERLINK(1)", "5"), ("+1", "5"), ("-2", "5"), ("ok", "5"))
    )
    lines = results.as_csv(table).splitlines()
    assert lines == ["Word,n", "'=HYPERLINK(1),5", "'+1,5", "'-2,5", "ok,5"]


def test_a_filter_that_cannot_be_read_says_how_to_write_it():
    import pytest

    from bot.console.results_pages import BadFilter

    with pytest.raises(BadFilter, match="YYYY-MM-DD"):
        read_filter("mobilite", {"since": "03/11/2026"})
    with pytest.raises(BadFilter, match="département code"):
        read_filter("mobilite", {"departement": "Loiret"})
    with pytest.raises(BadFilter, match="before"):
        read_filter("mobilite", {"since": "2026-11-05", "until": "2026-11-01"})
    chosen, _ = read_filter("mobilite", {"since": "2026-11-03"})
    assert chosen.since == dt.datetime(2026, 11, 2, 23, 0, tzinfo=dt.UTC)


def test_frequent_words_leave_out_stop_words_in_french_and_english():
    from bot.console.results_words import frequent_words, words_of

    assert words_of("Les trains de l'internat sont en retard, 2 fois !") == {
        "trains",
        "internat",
        "retard",
    }
    assert words_of("The buses are always late and we need more of them") == {
        "buses",
        "always",
        "late",
        "need",
    }
    texts = ["Plus de bus", "Des bus le soir", "bus bus bus", "Le train"]
    assert frequent_words(texts)[:2] == [("bus", 3), ("soir", 1)]


LYCEE_STUDENT = (
    "oui",
    "élève",
    "45000",
    "Orléans",
    "35",
    "bus, train",
    "2",
    "Les fenêtres",
    "cantine, internat",
    "oui",
    "oui",
    "15/10/2026",
    "passer",
    "envoyer",  # from the review of the answers (lycees.yml has `review: true`)
)


async def test_every_question_type_is_counted(open_service):
    from bot.client import Client
    from tests.bot.console.results_residents import START, Ticking

    service = await open_service()
    client = Client(service, now=Ticking(START))
    for i in range(6):
        await client.send(f"student{i}", "bonjour", consultation_id="lycees")
        replies = await client.converse(f"student{i}", *LYCEE_STUDENT)
        assert replies[-1][-1].text.startswith("Merci"), [r.text for r in replies[-1]]
    chosen, _ = read_filter("lycees", {})
    async with service.database.transaction() as s:
        live = await consultations.live_version(s, "lycees")
        flow = (await FlowCatalog().read(live)).flow
        found = await figures.figures(s, chosen, results.questions_of(flow))
    view = results.build(flow, "fr", found.progress, found.funnel, found.answers, {})
    assert dict(view.summary)["Completed"] == "6"
    modes = _rows(_table(view, "q-travel_modes"))  # several per resident
    assert modes["Car scolaire"] == ("6", "100.0 %")
    assert modes["Train"] == ("6", "100.0 %")
    assert modes["Voiture"] == ("0", "0.0 %")
    assert _rows(_table(view, "q-travel_minutes"))["25–49"] == ("6", "100.0 %")
    assert _rows(_table(view, "q-meeting_date")) == {"Oct 2026": ("6", "100.0 %")}
    assert _rows(_table(view, "q-local_food"))["Yes"] == ("6", "100.0 %")
    assert _rows(_table(view, "q-school_commune"))["45 Loiret"] == ("6", "100.0 %")
    assert _rows(_table(view, "q-school_commune-places")) == {"45234 Orléans": ("6", "100.0 %")}
    assert _rows(_table(view, "q-priorities"))["Internats"] == ("6", "100.0 %")
    funnel = _rows(view.funnel)
    assert funnel["3. home_commune"] == ("0", "0", "0", "0")  # never asked
    assert funnel["9. works_order"] == ("0", "0", "0", "0")  # asked of staff only
    assert funnel["14. other_ideas"] == ("6", "0", "6", "0")  # skipped by all


async def test_a_changed_postal_code_moves_the_resident_to_its_departement(open_service):
    from bot.client import Client
    from tests.bot.console.results_residents import START, Ticking

    service = await open_service()
    client = Client(service, now=Ticking(START))
    await client.converse("alice", "bonjour", "oui", "train", "4", "45000")
    assert (await _view(service, departement="45")).residents == 1
    await client.send("alice", "retour")  # back to the postal code
    await client.send("alice", "37000")
    assert (await _view(service, departement="45")).residents == 0
    assert (await _view(service, departement="37")).residents == 1
    # Corsica: one postal prefix, two départements.
    await client.converse("bruno", "bonjour", "oui", "train", "4", "20200")
    await client.converse("carla", "bonjour", "oui", "train", "4", "20000")
    assert (await _view(service, departement="2B")).residents == 1
    assert (await _view(service, departement="2A")).residents == 1
    assert (await _view(service, departement="20")).residents == 0
