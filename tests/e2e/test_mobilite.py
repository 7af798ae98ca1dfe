"""Whole conversations with the demo consultation, through the simulator: the real
conversation service, flow file, engine, interpreter and storage."""

import os
import subprocess
import sys

from bot.deployment import DEMO_SCRIPT
from tests.e2e.transcript import EXAMPLES, ROOT, play
from tests.serving import DEMO

ASKED_MODE = "Comment vous déplacez-vous le plus souvent ?"
ASKED_SATISFACTION = "De 1 à 5, êtes-vous satisfait"
ASKED_POSTAL_CODE = "Quel est votre code postal ?"
ASKED_PROPOSAL = "Quelle proposition feriez-vous"
CONSENT = "Acceptez-vous ?\n[Oui] [Non]"


def test_the_demo_script_completes_the_consultation(tmp_path):
    """The README's command: `consultbot simulate mobilite.yml --script mobilite.script.txt`."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "simulate",
            str(EXAMPLES / "mobilite.yml"),
            "--script",
            str(DEMO_SCRIPT),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    assert [line[2:] for line in lines if line.startswith("> ")] == list(DEMO)
    outro = lines[-3:]  # the thanks, a blank line, the receipt code
    assert outro[0].startswith("Merci")
    assert outro[-1].startswith("Votre code de suivi : MOB-")
    assert "[Voiture] [Train] [Bus] [Vélo] [À pied]" in lines
    assert "[1] [2] [3] [4] [5]" in lines


def test_the_six_messages_store_consent_and_four_answers():
    play(
        "mobilite.yml",
        [
            ("bonjour", "Bonjour ! La Région Centre-Val de Loire", CONSENT, "!stored"),
            ("oui", "(stored: consent given)", ASKED_MODE, "[Voiture] [Train]"),
            ("train", '(stored: answer to mode = "train")', ASKED_SATISFACTION, "1 = pas du tout"),
            ("4", "(stored: answer to satisfaction = 4)", ASKED_POSTAL_CODE),
            ("45000", '(stored: answer to postal_code = "45000")', ASKED_PROPOSAL),
            (
                "Plus de trains le soir entre Orléans et Tours",
                '(stored: answer to proposal = "Plus de trains le soir entre Orléans et Tours")',
                "Merci pour votre contribution !",
                "(stored: session completed)",
            ),
        ],
    )


def test_in_english():
    play(
        "mobilite.yml",
        [
            ("hello", "Hello! The Centre-Val de Loire Region", "Do you agree?\n[Yes] [No]"),
            ("yes", "How do you usually travel?", "[Car] [Train] [Bus] [Bike] [On foot]"),
            ("Car", '(stored: answer to mode = "car")', "From 1 to 5", "5 = very satisfied"),
            ("2", "What is your postal code?"),
            ("37000", "What would you propose"),
            (
                "More buses on Sundays",
                "Thank you for your contribution!",
                "(stored: session completed)",
            ),
        ],
        lang="en",
    )


def test_refusing_consent_stores_nothing_and_a_later_message_asks_again():
    play(
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("non", "je n'ai rien enregistré", "!stored", "!Comment"),
            ("bonjour", CONSENT, "!stored"),
            ("oui", ASKED_MODE),
        ],
    )


def test_commands_before_consent():
    play(
        "mobilite.yml",
        [
            ("aide", "Rien n'est enregistré tant que vous n'avez pas donné votre accord", CONSENT),
            ("supprimer mes données", "Rien n'est enregistré à votre sujet", "!stored"),
            ("humain", "si vous acceptez", "!stored"),
            ("retour", "pas encore commencé", CONSENT),
            ("stop", "je n'ai rien enregistré", "!stored"),
        ],
    )


def test_every_re_ask_of_the_demo():
    play(
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("bleu", CONSENT, "!stored"),
            ("oui", ASKED_MODE),
            (
                "xyz",
                "Choisissez une réponse : Voiture, Train, Bus, Vélo, À pied.",
                ASKED_MODE,
                "!stored",
            ),
            ("xyz", ASKED_MODE, "!humain"),
            ("xyz", "humain", ASKED_MODE, "!stored"),
            ("train ou voiture", "plusieurs choix", ASKED_MODE, "!stored"),
            ("vélo", '(stored: answer to mode = "bike")', ASKED_SATISFACTION),
            ("9", "en dehors des limites", "Donnez une note de 1 à 5.", "!stored"),
            ("une dizaine", "Il me faut un nombre précis.", ASKED_SATISFACTION, "!stored"),
            ("xyz", "Donnez une note de 1 à 5.", ASKED_SATISFACTION, "!stored"),
            ("3", ASKED_POSTAL_CODE),
            ("123", "cinq chiffres", ASKED_POSTAL_CODE, "!stored"),
            ("99999", "Je ne connais pas ce code postal.", ASKED_POSTAL_CODE, "!stored"),
            ("45000", ASKED_PROPOSAL),
            ("x" * 2001, "2000 caractères au plus", ASKED_PROPOSAL, "!stored"),
            (
                "Des pistes cyclables",
                "Merci pour votre contribution",
                "(stored: session completed)",
            ),
        ],
    )


def test_every_command_during_the_consultation():
    play(
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_MODE),
            ("aide", "Voiture, Train, Bus, Vélo, À pied", "« retour »", "« humain »", ASKED_MODE),
            ("passer", "obligatoire", ASKED_MODE, "!stored"),
            ("retour", "première question", ASKED_MODE),
            ("bus", '(stored: answer to mode = "bus")', ASKED_SATISFACTION),
            ("retour", "Votre réponse était : Bus", ASKED_MODE, "!stored"),
            ("train", '(stored: answer to mode = "train")', ASKED_SATISFACTION),
            ("4", ASKED_POSTAL_CODE),
            (
                "humain",
                "vous répondra ici",
                "(stored: a moderator is asked to answer)",
                ASKED_POSTAL_CODE,
            ),
            ("humain", "déjà transmise", "!stored"),
            ("stop", "en pause", "(stored: session paused)"),
            ("45000", "reprendre", "[Reprendre] [Recommencer]", "!stored"),
            ("reprendre", "(stored: session active)", ASKED_POSTAL_CODE),
            ("45000", ASKED_PROPOSAL),
            ("supprimer mes données", "vraiment supprimer", "[Oui, supprimer] [Non, garder]"),
            ("non", "Rien n'a été supprimé", ASKED_PROPOSAL, "!stored"),
            ("recommencer", "(stored: answer to mode withdrawn)", ASKED_MODE),
            ("Voiture", ASKED_SATISFACTION),
            ("1", ASKED_POSTAL_CODE),
            ("18000", ASKED_PROPOSAL),
            (
                "Des cars le dimanche",
                "Merci pour votre contribution",
                "(stored: session completed)",
            ),
            ("merci", "déjà répondu", "!stored"),
            ("retour", "Votre réponse était : Des cars le dimanche", ASKED_PROPOSAL),
            ("Des cars le samedi", "(stored: session completed)"),
            ("supprimer mes données", "vraiment supprimer"),
            ("oui", "ont été supprimées", "(stored: everything about the resident erased)"),
            ("bonjour", CONSENT, "!stored"),
        ],
    )


def test_starting_again_from_a_pause():
    play(
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_MODE),
            ("train", ASKED_SATISFACTION),
            ("stop", "(stored: session paused)"),
            ("/restart", "(stored: session active)", ASKED_MODE),
        ],
    )


def test_coming_back_after_expiry_and_switching_language():
    play(
        "mobilite.yml",
        [
            ("/start", CONSENT),
            ("oui", ASKED_MODE),
            ("train", ASKED_SATISFACTION),
            ("/return", "Bon retour", "[Reprendre] [Recommencer]"),
            ("oui", "(stored: session active)", ASKED_SATISFACTION),
            ("/lang en", "carry on in English", "From 1 to 5", "[1] [2] [3] [4] [5]"),
            ("5", "What is your postal code?"),
            ("/lang de", "only available in: French, English", "What is your postal code?"),
            ("/start", "We were at this question", "What is your postal code?"),
        ],
    )


def test_the_simulator_tries_a_flow_on_a_given_day():
    play("mobilite.yml", [("bonjour", CONSENT), ("oui", ASKED_MODE)], today="2030-01-01")


def test_an_ambiguous_answer_offers_its_candidates_as_buttons():
    play(
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_MODE),
            (
                "le bus ou le train",
                "Une seule réponse ici : Train, ou Bus ?\n[Train] [Bus]",
                "!plusieurs choix",
                "!stored",
            ),
            ("bus", '(stored: answer to mode = "bus")', ASKED_SATISFACTION),
        ],
    )


def test_retour_then_oui_keeps_the_text_and_a_new_text_replaces_it():
    play(
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_MODE),
            ("train", ASKED_SATISFACTION),
            ("4", ASKED_POSTAL_CODE),
            ("45000", ASKED_PROPOSAL),
            ("Plus de bus le soir", '(stored: answer to proposal = "Plus de bus le soir")'),
            ("retour", "Votre réponse était : Plus de bus le soir.", ASKED_PROPOSAL),
            ("oui", "D'accord, je garde votre réponse.", "!answer to proposal", "Merci"),
            ("retour", ASKED_PROPOSAL),
            ("Des trains le dimanche", '(stored: answer to proposal = "Des trains le dimanche")'),
        ],
    )
