"""Sections, information steps and progress in a whole conversation with the
bundled lycées flow (`progress: sections`), through the simulator and the real
interpreter: each part is announced once, as "Partie n sur 3 : ...", and the
information step comes before the first question of its part."""

from tests.e2e.transcript import play

OPEN_DAY = "2026-10-01"
PART_1 = "Partie 1 sur 3 : Vous et votre lycée"
PART_2 = "Partie 2 sur 3 : Les bâtiments et les priorités"
PART_3 = "Partie 3 sur 3 : Et ensuite"
INFORMATION = "La Région entretient 99 lycées publics"


def test_each_part_is_announced_once_with_its_number():
    turns = play(
        "lycees.yml",
        [
            ("bonjour", "Acceptez-vous ?", f"!{PART_1}"),
            ("oui", PART_1, "Vous êtes…"),
            ("un habitant", "!Partie", "Quel est votre code postal ?"),
            ("passer", "!Partie", "dans quelle commune vous habitez"),
            ("passer", PART_2, INFORMATION, "De 1 à 5", "!Partie 1", "!Partie 3"),
            ("4", "!Partie", "Quelles sont vos deux priorités"),
            ("internat", "!Partie 2", "Souhaitez-vous être invité(e)", PART_3),
            ("non", "!Partie", "Une autre idée"),
            ("passer", "Voici vos réponses :", "!Partie"),
            ("envoyer", "Merci pour votre contribution", "!Partie"),
        ],
        today=OPEN_DAY,
    )
    # The part's title, then the information, then the question: in this order.
    heard = turns[4].heard
    assert heard.index(PART_2) < heard.index(INFORMATION) < heard.index("De 1 à 5")


def test_going_back_into_a_part_does_not_announce_it_again():
    play(
        "lycees.yml",
        [
            ("bonjour", "Acceptez-vous ?"),
            ("oui", PART_1),
            ("un habitant", "Quel est votre code postal ?"),
            ("passer", "dans quelle commune"),
            ("Orléans", PART_2, "De 1 à 5"),
            ("retour", "!Partie", "dans quelle commune"),
            ("Tours", PART_2, INFORMATION, "De 1 à 5"),
        ],
        today=OPEN_DAY,
    )


def test_english_parts():
    play(
        "lycees.yml",
        [
            ("hello", "Do you agree?"),
            ("yes", "Part 1 of 3: You and your high school", "You are…"),
        ],
        today=OPEN_DAY,
        lang="en",
    )


def test_a_resident_changes_one_answer_from_the_review():
    play(
        "lycees.yml",
        [
            ("bonjour", "Acceptez-vous ?"),
            ("oui", PART_1),
            ("un habitant", "Quel est votre code postal ?"),
            ("45000", "De 1 à 5"),
            ("4", "Quelles sont vos deux priorités"),
            ("internat", "Souhaitez-vous être invité(e)"),
            ("non", "Une autre idée"),
            ("passer", "Voici vos réponses :", "4. Quelles sont vos deux priorités", "Internats"),
            (
                "modifier la question 4",
                "Question 4 : votre réponse était : Internats.",
                "Quelles sont vos deux priorités",
                "!Partie",
            ),
            (
                "la cantine",
                '(stored: answer to priorities = ["canteen"])',
                # a new branch: the local food question, then the review again
                "La cantine devrait-elle servir",
            ),
            ("oui", "Voici vos réponses :", "Cantine locale et bio", "!session completed"),
            ("envoyer", "Merci pour votre contribution", "(stored: session completed)"),
        ],
        today=OPEN_DAY,
    )
