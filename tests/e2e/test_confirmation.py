"""An answer the bot is not sure of is confirmed before it is stored: a scripted
conversation through the simulator with the real flow, engine and interpreter."""

from tests.e2e.transcript import play

ASKED_POSTAL_CODE = "Quel est votre code postal ?"
ASKED_PROPOSAL = "Quelle proposition feriez-vous"
WHICH_TOURS = "Vous voulez dire :\n[37000 Tours] [37100 Tours] [37200 Tours] [Autre]"


def test_a_commune_with_several_postal_codes_is_confirmed_then_stored():
    play(
        "mobilite.yml",
        [
            ("bonjour", "Acceptez-vous ?"),
            ("oui", "[Voiture] [Train]"),
            ("train", '(stored: answer to mode = "train")'),
            ("4", ASKED_POSTAL_CODE),
            ("Tours", WHICH_TOURS, "!stored", f"!{ASKED_PROPOSAL}"),
            ("autre", "Entendu.", ASKED_POSTAL_CODE, "!stored"),
            ("je suis à Tours", WHICH_TOURS, "!stored"),
            ("2", '(stored: answer to postal_code = "37100")', ASKED_PROPOSAL),
            ("Plus de bus", "Merci pour votre contribution !"),
        ],
    )


def test_a_single_guess_is_asked_with_yes_no_and_no_asks_again():
    play(
        "mobilite.yml",
        [
            ("bonjour", "Acceptez-vous ?"),
            ("oui", "[Voiture] [Train]"),
            ("train", '(stored: answer to mode = "train")'),
            ("4", ASKED_POSTAL_CODE),
            ("Chateauroo", "Vous voulez dire « 36000 Châteauroux » ?\n[Oui] [Non]", "!stored"),
            ("non", "Entendu.", ASKED_POSTAL_CODE, "!stored"),
            ("Chateauroo", "Vous voulez dire « 36000 Châteauroux » ?"),
            ("oui", '(stored: answer to postal_code = "36000")', ASKED_PROPOSAL),
        ],
    )
