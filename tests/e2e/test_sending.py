"""A request to send the answers typed at a question ("Envoyer mes réponses",
"c'est bon, envoyez", "that's all, send it"), through the simulator: what is
left that may be passed is passed and the answers go to the review (or are
sent), else the resident is told how many questions are left; never stored as
an answer, never a pause."""

from tests.e2e.transcript import play

OPEN_DAY = "2026-10-01"
ASKED_IDEAS = "Une autre idée pour les lycées de la région ?"
ASKED_PROPOSAL = "Quelle proposition feriez-vous"
ASKED_SATISFACTION = "De 1 à 5, êtes-vous satisfait"
# The lycées flow as another resident, skipping what they may, up to the last
# question (optional free text).
UP_TO_IDEAS = [
    ("bonjour",),
    ("oui",),
    ("Autre habitant",),
    ("passer",),
    ("passer",),
    ("2",),
    ("cantine",),
    ("oui",),
    ("non", ASKED_IDEAS),
]


def test_send_my_answers_at_the_last_question_is_no_idea_but_the_review():
    play(
        "lycees.yml",
        [
            *UP_TO_IDEAS,
            (
                "Envoyer mes réponses",
                "(stored: other_ideas skipped)",
                "Voici vos réponses :",
                "8. Une autre idée pour les lycées de la région ? (passée)",
                "!answer to other_ideas",
                "!en pause",
            ),
            ("envoyer", "Merci pour votre contribution !", "(stored: session completed)"),
        ],
        today=OPEN_DAY,
    )


def test_a_sentence_that_speaks_of_sending_is_the_idea_stored():
    idea = "Il faudrait envoyer les menus de la cantine aux parents chaque semaine"
    play(
        "lycees.yml",
        [
            *UP_TO_IDEAS,
            (idea, f'(stored: answer to other_ideas = "{idea}")', "Voici vos réponses :"),
        ],
        today=OPEN_DAY,
    )


def test_that_is_fine_send_it_goes_to_the_review_and_sends_instead_of_pausing():
    play(
        "lycees.yml",
        [
            *UP_TO_IDEAS,
            (
                "c'est tout, vous pouvez envoyer",
                "(stored: other_ideas skipped)",
                "Voici vos réponses :",
                "!answer to other_ideas",
                "!en pause",
            ),
            (
                "c'est bon, envoyez",
                "Merci pour votre contribution !",
                "(stored: session completed)",
                "!en pause",
            ),
        ],
        today=OPEN_DAY,
    )


def test_send_at_a_question_that_needs_an_answer_says_how_many_are_left():
    play(
        "mobilite.yml",
        [
            ("bonjour",),
            ("oui",),
            ("train",),
            (
                "c'est bon, envoyez",
                "Vos réponses seront envoyées à la fin : il reste 3 questions, celle-ci comprise.",
                ASKED_SATISFACTION,
                "!stored",
                "!en pause",
            ),
            ("4",),
            ("45000", ASKED_PROPOSAL),
            (
                "Envoyer mes réponses",
                "Vos réponses seront envoyées dès que vous aurez répondu"
                " à cette dernière question.",
                ASKED_PROPOSAL,
                "!stored",
            ),
            ("Plus de trains le soir", "Merci pour votre contribution !"),
        ],
    )


def test_in_english():
    play(
        "mobilite.yml",
        [
            ("hello",),
            ("yes",),
            ("Car",),
            ("2",),
            ("37000", "What would you propose"),
            (
                "Send my answers",
                "Your answers are sent as soon as you answer this last question.",
                "What would you propose",
                "!stored",
            ),
            (
                "that's all, send it",
                "Your answers are sent as soon as you answer this last question.",
                "!stored",
                "!paused",
            ),
            ("More buses on Sundays", "Thank you for your contribution!"),
        ],
        lang="en",
    )
