"""Whole conversations with the richer bundled flow (every question type, `when`
branching, optional questions, multi-choice), through every branch.

Transcripts go through the simulator with the real interpreter. The branches are
also driven with interpretations given directly to the engine, with the real flow
file, so that each branch is covered whatever the interpreter makes of a text."""

import datetime as dt

import pytest

from flows.effects import AnswerRecorded, AnswerSkipped, AnswerWithdrawn, Completed
from flows.loader import load_flow
from tests.e2e.transcript import EXAMPLES, play
from tests.flows.engine_flows import Chat

OPEN_DAY = "2026-10-01"
CONSENT = "Acceptez-vous ?\n[Oui] [Non]"
ASKED_ROLE = (
    "Vous êtes…\n[Lycéen ou lycéenne] [Parent d'élève] [Personnel du lycée] [Autre habitant]"
)
ASKED_POSTAL_CODE = "Quel est votre code postal ?"
ASKED_HOME = "Sans code postal, pouvez-vous nous dire dans quelle commune"
ASKED_SCHOOL = "Dans quelle commune se trouve le lycée ?"
ASKED_BUILDINGS = "De 1 à 5, comment jugez-vous l'état des bâtiments"
ASKED_PRIORITIES = "Quelles sont vos deux priorités"
ASKED_LOCAL_FOOD = "La cantine devrait-elle servir"
ASKED_MEETING = "Souhaitez-vous être invité(e) à une réunion publique"
ASKED_IDEAS = "Une autre idée pour les lycées"


def test_another_resident_skipping_what_they_may():
    play(
        "lycees.yml",
        [
            ("bonjour", "Bonjour ! La Région construit, rénove", CONSENT),
            ("oui", "(stored: consent given)", ASKED_ROLE),
            ("aide", "Choisissez ce qui vous décrit le mieux", ASKED_ROLE),
            ("Autre habitant", '(stored: answer to role = "other")', ASKED_POSTAL_CODE, "[Passer]"),
            ("123", "Vous pouvez aussi écrire « passer »", ASKED_POSTAL_CODE, "!stored"),
            ("passer", "(stored: postal_code skipped)", ASKED_HOME, "[Passer]"),
            ("xqzw", "Écrivez le nom de votre commune", ASKED_HOME, "!stored"),
            ("xqzw", ASKED_HOME, "!stored"),
            (
                "xqzw",
                "elle est facultative, passons à la suivante",
                "(stored: home_commune skipped)",
                ASKED_BUILDINGS,  # no school commune and no journey for another resident
                "1 = très mauvais état",
                "[1] [2] [3] [4] [5]",
            ),
            ("2", "(stored: answer to buildings = 2)", ASKED_PRIORITIES, "!rénové"),
            (
                "cantine",
                '(stored: answer to priorities = ["canteen"])',
                ASKED_LOCAL_FOOD,
                "[Oui] [Non]",
            ),
            ("xyz", "Répondez par oui ou par non.", ASKED_LOCAL_FOOD, "!stored"),
            ("oui", "(stored: answer to local_food = true)", ASKED_MEETING),
            ("non", "(stored: answer to meeting = false)", ASKED_IDEAS, "!À partir de"),
            (
                "passer",
                "(stored: other_ideas skipped)",
                "Voici vos réponses :",
                "1. Vous êtes… Autre habitant",
                "[Envoyer mes réponses]",
                "!session completed",
            ),
            (
                "envoyer",
                "Merci pour votre contribution ! Les réponses seront présentées",
                "(stored: session completed)",
            ),
        ],
        today=OPEN_DAY,
    )


def test_a_student_is_asked_the_commune_of_the_school():
    play(
        "lycees.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_ROLE),
            ("élève", '(stored: answer to role = "student")', ASKED_POSTAL_CODE),
            ("45000", '(stored: answer to postal_code = "45000")', ASKED_SCHOOL, "!Passer"),
            ("xqzw", "par exemple Bourges ou Chartres", ASKED_SCHOOL, "!stored"),
            ("passer", "obligatoire", ASKED_SCHOOL),
            ("retour", "Votre réponse était : 45000", ASKED_POSTAL_CODE),
            ("passer", "(stored: postal_code skipped)", ASKED_HOME),
            ("passer", "(stored: home_commune skipped)", ASKED_SCHOOL),
            ("recommencer", "(stored: answer to role withdrawn)", ASKED_ROLE),
        ],
        today=OPEN_DAY,
    )


def test_a_parent_whose_child_takes_the_school_bus():
    play(
        "lycees.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_ROLE),
            ("Parent d'élève", '(stored: answer to role = "parent")', ASKED_POSTAL_CODE),
            ("45000", ASKED_SCHOOL, "!" + ASKED_HOME),
            ("Orléans", '(stored: answer to school_commune = "45234")', "Combien de minutes"),
            ("35", "Comment faites-vous ce trajet ?", "[Car scolaire] [Train] [Voiture]"),
            (
                "car scolaire et voiture",
                '(stored: answer to travel_modes = ["school_bus", "car"])',
                ASKED_BUILDINGS,
            ),
            ("2", "Qu'est-ce qui devrait être rénové en priorité ?", "[Passer]"),
            ("Les fenêtres", '(stored: answer to renovation = "Les fenêtres")', ASKED_PRIORITIES),
            ("numérique", '(stored: answer to priorities = ["digital"])', ASKED_LOCAL_FOOD),
            ("oui", ASKED_MEETING),
            ("oui", "À partir de quelle date seriez-vous disponible ?", "[Passer]"),
            ("15/10/2026", '(stored: answer to meeting_date = "2026-10-15")', ASKED_IDEAS),
            ("passer", "Voici vos réponses :", "!session completed"),
            ("Envoyer mes réponses", "Merci pour votre contribution !", "session completed"),
        ],
        today=OPEN_DAY,
    )


def test_each_kind_of_unclear_answer_gets_its_hint():
    play(
        "lycees.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_ROLE),
            ("?!", "Je n'ai pas reçu de réponse.", ASKED_ROLE, "!stored"),
            ("Parent d'élève", ASKED_POSTAL_CODE),
            ("45000", ASKED_SCHOOL),
            ("Xqzwville", "Je ne trouve pas cette commune.", "Bourges ou Chartres", "!stored"),
            ("Orléans", "Combien de minutes"),
            ("une vingtaine", "Il me faut un nombre précis.", "entre 0 et 240", "!stored"),
            ("20", "Comment faites-vous ce trajet ?"),
            (
                "train, voiture, vélo, à pied",
                "Vous avez choisi trop de réponses.",
                "(de 1 à 3 réponses)",
                "!stored",
            ),
            ("train", ASKED_BUILDINGS),
            ("4", ASKED_PRIORITIES, "!rénové"),
            ("cantine", ASKED_LOCAL_FOOD),
            ("non", ASKED_MEETING),
            ("oui", "À partir de quelle date"),
            (
                "15/08/2027",
                "en dehors des limites",
                "entre le 1er septembre 2026 et le 30 juin 2027",
                "!stored",
            ),
            ("passer", "(stored: meeting_date skipped)", ASKED_IDEAS),
        ],
        today=OPEN_DAY,
    )


def test_in_english():
    play(
        "lycees.yml",
        [
            ("hello", "Hello! The Region builds", "Do you agree?\n[Yes] [No]"),
            ("yes", "You are…\n[A student] [A parent] [School staff] [Another resident]"),
            ("Another resident", "What is your postal code?", "[Skip]"),
            ("37000", "From 1 to 5, how would you rate", "1 = very poor condition"),
            ("5", "What are your two priorities", "(several answers possible)"),
            ("wifi", "Would you like to be invited", "!Should the canteen"),
            ("yes", "From which date would you be available?", "[Skip]"),
            ("2027-08-01", "between 1 September 2026 and 30 June 2027", "!stored"),
            ("2026-10-15", '(stored: answer to meeting_date = "2026-10-15")', "Any other idea"),
            ("More trees", "Here are your answers:", "!session completed"),
            ("send", "Thank you for your contribution!", "(stored: session completed)"),
        ],
        lang="en",
        today=OPEN_DAY,
    )


def test_before_it_opens_the_consultation_says_when():
    play(
        "lycees.yml",
        [("bonjour", "ouvrira le 1er septembre 2026", "!Acceptez"), ("oui", "ouvrira", "!stored")],
        today="2026-08-31",
    )


def test_after_it_closes_the_consultation_says_so():
    play(
        "lycees.yml",
        [("oui", "a pris fin le 30 juin 2027", "!stored")],
        today="2027-07-01",
    )


# ---- the branches behind the commune of the school, driven with interpretations ----


@pytest.fixture(scope="module")
def lycees():
    return load_flow(EXAMPLES / "lycees.yml")


def run(flow, answers):
    """Answer (or "skip") each question as it comes; return the chat."""
    chat = Chat(flow, now=dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC))
    chat.consent()
    for expected_question, value in answers:
        assert chat.question_id == expected_question
        if value == "skip":
            chat.command("skip")
        else:
            chat.answer(value)
        assert chat.question_id != expected_question, f"{expected_question} not taken"
    if chat.status == "reviewing":  # lycees.yml shows the answers before they are sent
        chat.answer("send")
    return chat


def asked(chat):
    return [e.question_id for e in chat.effects if isinstance(e, AnswerRecorded | AnswerSkipped)]


def test_a_parent_travelling_by_school_bus_with_buildings_in_poor_condition(lycees):
    chat = run(
        lycees,
        [
            ("role", "parent"),
            ("postal_code", "45000"),
            ("school_commune", "45234"),
            ("travel_minutes", 35),
            ("travel_modes", ("car", "school_bus")),
            ("buildings", 2),
            ("renovation", "skip"),
            ("priorities", ("digital",)),
            ("local_food", True),  # asked of every parent
            ("meeting", True),
            ("meeting_date", "2026-10-15"),
            ("other_ideas", "Plus de casiers"),
        ],
    )
    assert chat.effects[-1] == Completed()
    modes = next(e for e in chat.effects if getattr(e, "question_id", None) == "travel_modes")
    assert modes.value == ("school_bus", "car")  # in the question's order
    assert "home_commune" not in asked(chat)


def test_a_student_living_at_the_school_is_not_asked_how_they_travel(lycees):
    chat = run(
        lycees,
        [
            ("role", "student"),
            ("postal_code", "skip"),
            ("home_commune", "18033"),
            ("school_commune", "18033"),
            ("travel_minutes", 0),
            ("buildings", 4),
            ("priorities", ("insulation", "green_spaces")),
            ("meeting", False),
            ("other_ideas", "skip"),
        ],
    )
    assert chat.status == "completed"
    for not_asked in ("travel_modes", "renovation", "local_food", "meeting_date"):
        assert not_asked not in asked(chat)


def test_staff_are_asked_the_school_but_not_the_journey(lycees):
    chat = run(
        lycees,
        [
            ("role", "staff"),
            ("postal_code", "28000"),
            ("school_commune", "28085"),
            ("buildings", 1),
            ("renovation", "Les fenêtres"),
            ("works_order", ("heating", "roofs", "kitchens")),
            ("priorities", ("canteen",)),
            ("local_food", False),
            ("meeting", True),
            ("meeting_date", "skip"),
            ("other_ideas", "skip"),
        ],
    )
    assert chat.status == "completed"
    assert "travel_minutes" not in asked(chat)


def test_too_many_priorities_are_re_asked(lycees):
    chat = run(lycees, [("role", "other"), ("postal_code", "45000"), ("buildings", 3)])
    t = chat.answer(("insulation", "canteen", "digital"))
    assert t.effects == ()
    assert "de 1 à 2 réponses" in t.replies[0].text
    assert chat.question_id == "priorities"


def test_changing_role_withdraws_the_answers_that_no_longer_apply(lycees):
    chat = run(
        lycees,
        [
            ("role", "student"),
            ("postal_code", "45000"),
            ("school_commune", "45234"),
            ("travel_minutes", 20),
        ],
    )
    for _ in range(4):
        chat.command("back")
    assert chat.question_id == "role"
    t = chat.answer("other")
    assert chat.question_id == "postal_code"
    chat.answer("45000")
    withdrawn = [e.question_id for e in chat.effects if isinstance(e, AnswerWithdrawn)]
    assert withdrawn == ["school_commune", "travel_minutes"]
    assert chat.question_id == "buildings"
    # Answered before: the stored answer is superseded by this one.
    assert t.effects[0] == AnswerRecorded(
        "role", "other", "other", "Vous êtes…", "fr", replaces=True
    )


def test_staff_rank_the_works_one_pick_at_a_time_or_in_one_message():
    play(
        "lycees.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_ROLE),
            ("prof", '(stored: answer to role = "staff")', ASKED_POSTAL_CODE),
            ("28000", ASKED_SCHOOL),
            ("Chartres", ASKED_BUILDINGS),
            ("1", "Qu'est-ce qui devrait être rénové en priorité ?"),
            (
                "Les fenêtres",
                "classez les trois chantiers les plus urgents",
                "Classez-en 3, la plus importante d'abord",
                "[Toitures et fenêtres] [Chauffage] [Cuisines de la cantine]",
            ),
            (
                "heating",  # a button
                "Pour l'instant : Chauffage. Et en n° 2 ?",
                "[Toitures et fenêtres] [Cuisines de la cantine] [Chambres de l'internat]",
                "!stored",
                "![Chauffage]",
            ),
            ("la toiture", "Pour l'instant : Chauffage > Toitures et fenêtres. Et en n° 3 ?"),
            ("retour", "Pour l'instant : Chauffage. Et en n° 2 ?", "!stored"),
            (
                "1 cuisines 2 chaudière 3 gymnase",
                '(stored: answer to works_order = ["kitchens", "heating", "sports"])',
                ASKED_PRIORITIES,
            ),
        ],
        today=OPEN_DAY,
    )


def test_what_was_read_from_a_sentence_is_said_back_and_buttons_are_not():
    play(
        "lycees.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_ROLE),
            ("Parent d'élève", ASKED_POSTAL_CODE, "!Noté"),
            ("45000", ASKED_SCHOOL),
            ("Orléans", "Combien de minutes"),
            ("trente-cinq", "Noté : 35 minutes.", "Comment faites-vous ce trajet ?"),
            (
                "le bus le matin et le TER le soir",
                "Noté : Car scolaire, Train.",
                '(stored: answer to travel_modes = ["school_bus", "train"])',
                ASKED_BUILDINGS,
            ),
            ("retour", "Votre réponse était : Car scolaire, Train"),
            ("train", "!Noté", ASKED_BUILDINGS),
        ],
        today=OPEN_DAY,
    )
