"""Whole conversations with the demo consultation, through the simulator with the
real flow file, engine and interpreter."""

import os
import subprocess
import sys

from tests.e2e.transcript import EXAMPLES, ROOT, play

SIX_MESSAGES = [
    "bonjour",
    "oui",
    "train",
    "4",
    "45000",
    "Plus de trains le soir entre Orléans et Tours",
]
ASKED_MODE = "Comment vous déplacez-vous le plus souvent ?"
ASKED_SATISFACTION = "De 1 à 5, êtes-vous satisfait"
ASKED_POSTAL_CODE = "Quel est votre code postal ?"
ASKED_PROPOSAL = "Quelle proposition feriez-vous"
CONSENT = "Acceptez-vous ?\n[Oui] [Non]"


def test_the_six_messages_of_the_issue_complete_the_consultation(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("\n".join(SIX_MESSAGES) + "\n", encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "simulate",
            str(EXAMPLES / "mobilite.yml"),
            "--script",
            str(script),
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
    assert [line[2:] for line in lines if line.startswith("> ")] == SIX_MESSAGES
    assert lines[-1].startswith("Merci")
    assert "[Voiture] [Train] [Bus] [Vélo] [À pied]" in lines
    assert "[1] [2] [3] [4] [5]" in lines


def test_the_six_messages_store_consent_and_four_answers(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [
            ("bonjour", "Bonjour ! La Région Centre-Val de Loire", CONSENT, "!stored"),
            ("oui", "(stored: ConsentGiven)", ASKED_MODE, "[Voiture] [Train]"),
            ("train", "(stored: answer to mode = 'train')", ASKED_SATISFACTION, "1 = pas du tout"),
            ("4", "(stored: answer to satisfaction = 4)", ASKED_POSTAL_CODE),
            ("45000", "(stored: answer to postal_code = '45000')", ASKED_PROPOSAL),
            (
                "Plus de trains le soir entre Orléans et Tours",
                "(stored: answer to proposal = 'Plus de trains le soir entre Orléans et Tours')",
                "Merci pour votre contribution !",
                "(stored: Completed)",
            ),
        ],
    )


def test_in_english(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [
            ("hello", "Hello! The Centre-Val de Loire Region", "Do you agree?\n[Yes] [No]"),
            ("yes", "How do you usually travel?", "[Car] [Train] [Bus] [Bike] [On foot]"),
            ("Car", "(stored: answer to mode = 'car')", "From 1 to 5", "5 = very satisfied"),
            ("2", "What is your postal code?"),
            ("37000", "What would you propose"),
            ("More buses on Sundays", "Thank you for your contribution!", "(stored: Completed)"),
        ],
        "--lang",
        "en",
    )


def test_refusing_consent_stores_nothing_and_a_later_message_asks_again(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("non", "je n'ai rien enregistré", "(stored: ConsentRefused)", "!Comment"),
            ("bonjour", CONSENT, "!stored"),
            ("oui", ASKED_MODE),
        ],
    )


def test_commands_before_consent(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [
            ("aide", "Rien n'est enregistré tant que vous n'avez pas donné votre accord", CONSENT),
            ("supprimer mes données", "Rien n'est enregistré à votre sujet", "!stored"),
            ("humain", "si vous acceptez", "!stored"),
            ("retour", "pas encore commencé", CONSENT),
            ("stop", "je n'ai rien enregistré", "!stored"),
        ],
    )


def test_every_re_ask_of_the_demo(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
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
            ("vélo", "(stored: answer to mode = 'bike')", ASKED_SATISFACTION),
            ("9", "en dehors des limites", "Donnez une note de 1 à 5.", "!stored"),
            ("une dizaine", "Il me faut un nombre précis.", ASKED_SATISFACTION, "!stored"),
            ("xyz", "Donnez une note de 1 à 5.", ASKED_SATISFACTION, "!stored"),
            ("3", ASKED_POSTAL_CODE),
            ("123", "cinq chiffres", ASKED_POSTAL_CODE, "!stored"),
            ("99999", "Je ne connais pas ce code postal.", ASKED_POSTAL_CODE, "!stored"),
            ("45000", ASKED_PROPOSAL),
            ("x" * 2001, "2000 caractères au plus", ASKED_PROPOSAL, "!stored"),
            ("Des pistes cyclables", "Merci pour votre contribution", "(stored: Completed)"),
        ],
    )


def test_every_command_during_the_consultation(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_MODE),
            ("aide", "Voiture, Train, Bus, Vélo, À pied", "« retour »", "« humain »", ASKED_MODE),
            ("passer", "obligatoire", ASKED_MODE, "!stored"),
            ("retour", "première question", ASKED_MODE),
            ("bus", "(stored: answer to mode = 'bus')", ASKED_SATISFACTION),
            ("retour", "Votre réponse était : Bus", ASKED_MODE, "!stored"),
            ("train", "(stored: answer to mode = 'train')", ASKED_SATISFACTION),
            ("4", ASKED_POSTAL_CODE),
            ("humain", "vous répondra ici", "(stored: HumanRequested)", ASKED_POSTAL_CODE),
            ("humain", "déjà transmise", "!stored"),
            ("stop", "en pause", "(stored: Paused)"),
            ("45000", "reprendre", "[Reprendre] [Recommencer]", "!stored"),
            ("reprendre", "(stored: Resumed)", ASKED_POSTAL_CODE),
            ("45000", ASKED_PROPOSAL),
            ("supprimer mes données", "vraiment supprimer", "[Oui, supprimer] [Non, garder]"),
            ("non", "Rien n'a été supprimé", ASKED_PROPOSAL, "!stored"),
            ("recommencer", "(stored: Restarted)", "(stored: AnswerWithdrawn mode)", ASKED_MODE),
            ("Voiture", ASKED_SATISFACTION),
            ("1", ASKED_POSTAL_CODE),
            ("18000", ASKED_PROPOSAL),
            ("Des cars le dimanche", "Merci pour votre contribution", "(stored: Completed)"),
            ("merci", "déjà répondu", "!stored"),
            ("retour", "Votre réponse était : Des cars le dimanche", ASKED_PROPOSAL),
            ("Des cars le samedi", "(stored: Completed)"),
            ("supprimer mes données", "vraiment supprimer"),
            ("oui", "ont été supprimées", "(stored: DeletionConfirmed)"),
            ("bonjour", CONSENT, "!stored"),
        ],
    )


def test_starting_again_from_a_pause(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [
            ("bonjour", CONSENT),
            ("oui", ASKED_MODE),
            ("train", ASKED_SATISFACTION),
            ("stop", "(stored: Paused)"),
            ("/restart", "(stored: Resumed)", "(stored: Restarted)", ASKED_MODE),
        ],
    )


def test_coming_back_after_expiry_and_switching_language(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [
            ("/start", CONSENT),
            ("oui", ASKED_MODE),
            ("train", ASKED_SATISFACTION),
            ("/return", "Bon retour", "[Reprendre] [Recommencer]"),
            ("oui", "(stored: Resumed)", ASKED_SATISFACTION),
            ("/lang en", "carry on in English", "From 1 to 5", "[1] [2] [3] [4] [5]"),
            ("5", "What is your postal code?"),
            ("/lang de", "only available in: French, English", "What is your postal code?"),
            ("/start", "We were at this question", "What is your postal code?"),
        ],
    )


def test_the_simulator_tries_a_flow_on_a_given_day(capsys, tmp_path):
    play(
        capsys,
        tmp_path,
        "mobilite.yml",
        [("bonjour", CONSENT), ("oui", ASKED_MODE)],
        "--today",
        "2030-01-01",
    )
