"""Turn what a resident typed into an `Interpretation` of the question asked.

    interpreter = Interpreter(region="24", extra_training=[yaml_text, ...])
    interpreter.interpret("la deuxième", question, "fr", today)  # Answer("bus")

Construction reads the bundled data once (communes, departments, the Rasa NLU
YAML training files of nlu/data/) plus the deployment's own training texts, and
trains the command classifier; interpreting is then pure and synchronous.

How one message is read, in order:

1. a slash command or command button ("/help", "/stop@bot", "/supprimer") is
   that command, whatever the question;
2. an exact button payload (a choice id, "yes"/"no", a choice label) is that
   answer (typed rather than tapped, an id that another choice's names say
   as a word is that word: "car" is the bus's "car scolaire" in French;
   boxes ticked in the web chat come as their ids joined, "car, bike"); a
   whole "don't know" ("jsp", "aucune idée", nlu.dont_know) is the question's
   "don't know" option if it has one, else asked again, never a value or a
   request for help;
3. the typed parser of the question's kind proposes an answer or a reject; a
   whole request to send the answers ("c'est bon, envoyez", nlu.sending) is
   the `send` command; a request framed as a command ("pourriez-vous effacer tout ce que je vous ai
   écrit", nlu.command_frames) is that command; otherwise the command
   classifier proposes a command with a confidence;
4. the classifier's confidence decides between them:
   - a reject of a message that said nothing the question could use yields to
     a command at 0.45; a near answer ("locataire" between two kinds of
     tenant, a number out of range) at 0.55;
   - an answer to confirm (nlu.Confirm) yields to a likely command (0.45);
   - a typed answer yields only to a clear command (0.70), or to a likely one
     (0.45) when the answer is weak: asked as a question ("what does 1
     mean?"), a number read from words in a request ("un humain svp"), a date
     found in a sentence;
   - on yes/no questions a message that opens with "oui"/"non"/"yes"/"no" is
     always the answer ("non" never stops the consultation); others yield at
     0.85 ("je ne veux pas répondre" skips), or when a clear request (0.80)
     follows an acknowledgment ("ok je passe");
   - on choice questions a message that named an option, even to deny it
     ("pas de 🚗"), is a near answer, and emoji are spelt out for the classifier;
   - on free-text questions only a short message (14 words at most) that is
     close to the command examples (0.53) is a command: "stop aux incivilités
     dans les bus" is an answer;
   - a request to send or finish the answers ("envoyer mes réponses", "submit
     the survey") never erases them nor starts over, whatever it shares with
     those commands' examples, unless it says so in their own verbs
     (nlu.sending.sends_instead); only a whole request to send (step 3) is
     one, never the classifier alone: "envoyer plus de bus le dimanche" is an
     answer, "je valide" may say yes.

Bring your own Rasa: a deployment that recognises commands with its own Rasa
server (bot/rasa.py calls its POST /model/parse) passes the result in as
`command=` and `recognise_commands=False`; the same rules then apply to that
command, so nlu stays pure and synchronous.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from importlib import resources

from nlu.choice import parse_choice, parse_multi_choice, tapped_choices
from nlu.command_frames import framed_command, framed_command_of, receipt_code, wonders_why
from nlu.commands import CommandClassifier, CommandScore, slash_command
from nlu.comment import split_comment
from nlu.commune import Places
from nlu.dates import parse_date
from nlu.dont_know import DONT_KNOW_CHARS, is_dont_know_label, says_dont_know_words
from nlu.greetings import Greetings
from nlu.interpretation import Answer, Command, CommandName, Confirm, Interpretation, Reject
from nlu.lexicon import Lexicon
from nlu.normalize import (
    MAX_PARSED_CHARS,
    fold,
    has_letters_or_digits,
    is_blank,
    key,
    tokens,
    word_set,
)
from nlu.numbers import parse_number
from nlu.option_mentions import ChoiceMatcher, build_matcher
from nlu.other import split_other
from nlu.pictographs import EmojiNames
from nlu.postal_code import parse_postal_code
from nlu.question import ChoiceOption, QuestionSpec
from nlu.ranking import parse_ranking
from nlu.sending import asks_to_send, sends_instead
from nlu.stems import stems
from nlu.training_data import TrainingData, parse_many
from nlu.written_language import written_language
from nlu.yes_no import YesNoParser

LANGUAGES = ("fr", "en")
_BUNDLED_FILES = ("commands.yml", "lexicon.yml", "greetings.yml")
# Commands are short requests; longer messages are answers, and bounding the
# input bounds the classifier's work. (nlu.dont_know reads as many characters:
# the same tokens serve both.)
_MAX_COMMAND_CHARS = DONT_KNOW_CHARS
_MAX_COMMAND_WORDS_FREE_TEXT = 14
# Confidence a command needs: to replace a reject, and to override a typed answer.
_COMMAND_OVER_REJECT = 0.45
_COMMAND_OVER_NEAR_ANSWER = 0.55
# Rejects of messages that almost answered the question.
_NEAR_ANSWERS = frozenset(
    {
        "ambiguous",
        "out_of_range",
        "unknown_postal_code",
        "too_few",
        "too_many",
        "too_long",
        "too_short",
        "exclusive",
    }
)
_COMMAND_OVER_ANSWER = 0.70
_COMMAND_OVER_YES_NO = 0.85
# Messages opening with these answer a yes/no question, whatever follows ("ok"
# may only acknowledge: "ok j'arrête là" stops).
_POLAR = tuple(
    [word] for word in word_set("oui ouais ouai ui yes yep yeah non nan nn no nope nah si")
)
# "ok", "d'accord" that only acknowledge, and the request after them.
_ACKNOWLEDGMENT = re.compile(
    r"(?:ok|okay|oki|d'accord|d accord|dac|bon|ben|bah|alors)\b[ ,.!]*(.+)"
)
_COMMAND_AFTER_ACKNOWLEDGMENT = 0.80
_COMMAND_OVER_WEAK_ANSWER = 0.45
_COMMAND_OVER_FREE_TEXT = 0.53
_EXTERNAL_CONFIDENCE = 0.70
_MATCHER_CACHE_SIZE = 512
# Closed answers that keep the rest of the message as a comment (nlu.comment).
_COMMENTED = frozenset({"yes_no", "choice", "scale"})
_YES_PAYLOADS = frozenset({"yes", "oui", "true"})
_NO_PAYLOADS = frozenset({"no", "non", "false"})


class Interpreter:
    """Interprets messages; holds its data, read once at construction."""

    def __init__(self, *, region: str = "24", extra_training: Sequence[str] = ()) -> None:
        self.region = region
        data = resources.files("nlu") / "data"
        bundled = {
            lang: parse_many(
                (f"nlu/data/{lang}/{name}", (data / lang / name).read_text(encoding="utf-8"))
                for name in _BUNDLED_FILES
            )
            for lang in LANGUAGES
        }
        extra = parse_many(
            (f"training text {n}", text) for n, text in enumerate(extra_training, start=1)
        )
        intents = TrainingData()
        for lang in LANGUAGES:
            intents = intents.merged(TrainingData(intents=bundled[lang].intents))
        intents = intents.merged(TrainingData(intents=extra.intents))
        self._classifier = CommandClassifier(intents.intents)
        self._lexicons = {lang: Lexicon(bundled[lang].merged(extra).synonyms) for lang in LANGUAGES}
        self._greetings = Greetings(
            {
                lang: (*bundled[lang].lookups.get("greeting", ()), *_extra_greetings(extra, lang))
                for lang in LANGUAGES
            }
        )
        self._yes_no = YesNoParser()
        self._emoji = EmojiNames(LANGUAGES)
        self._places = Places.bundled(region)
        self._matchers: dict[tuple[tuple[ChoiceOption, ...], str], ChoiceMatcher] = {}
        self._warm_up()

    def _warm_up(self) -> None:
        """Run every parser once so that the first resident does not pay for
        lazily built tables (regular expressions, number words, fuzzy scorers)."""
        day = dt.date(2026, 1, 1)
        choices = (ChoiceOption("a", ("Voiture",)), ChoiceOption("b", ("Train",)))
        samples: tuple[tuple[QuestionSpec, str], ...] = (
            (QuestionSpec("yes_no"), "oui bien sûr"),
            (QuestionSpec("choice", choices=choices), "la bagnole"),
            (QuestionSpec("multi_choice", choices=choices), "tout sauf le trian"),
            (QuestionSpec("ranking", choices=choices), "1 le train 2 la bagnole"),
            (QuestionSpec("number", min=0, max=10), "vingt-deux"),
            (QuestionSpec("scale", min=1, max=5), "4/5 ⭐"),
            (QuestionSpec("postal_code"), "trente-sept mille"),
            (QuestionSpec("commune"), "j'habite à Orleens"),
            (QuestionSpec("date"), "lundi prochain, le 3 juillet ou 03/07/2026"),
            (QuestionSpec("free_text"), "je veux parler à un humain"),
        )
        for lang in LANGUAGES:
            for question, text in samples:
                self.interpret(text, question, lang, day)
        self._matchers.clear()

    def interpret(
        self,
        text: str,
        question: QuestionSpec,
        lang: str,
        today: dt.date,
        *,
        command: CommandName | None = None,
        recognise_commands: bool = True,
        tapped: bool = False,
    ) -> Interpretation:
        """What `text` means as a reply to `question`.

        `command`: a command already recognised outside (a Rasa server);
        `recognise_commands=False` turns the built-in classifier off;
        `tapped`: `text` is the payload of a button the resident tapped."""
        lang = lang if lang in LANGUAGES else "fr"
        stripped = text.strip()
        slash = slash_command(stripped) if len(stripped) <= 80 else None
        if slash is not None:
            return Command(slash)
        if recognise_commands and receipt_code(stripped) is not None:
            return Command("status")  # "MOB-7K3Q": where is that contribution?
        payload = self._button_payload(stripped, question, lang, tapped)
        if payload is not None:
            return payload
        # Folded once for every reader below that looks at no more than the
        # first _MAX_COMMAND_CHARS characters.
        words = tokens(stripped[:_MAX_COMMAND_CHARS])
        if question.kind != "free_text" and says_dont_know_words(words):
            return _dont_know(question)  # "jsp": never a value, never a request for help
        answer = self._answer(stripped, question, lang, today)
        if isinstance(answer, Reject) and answer.reason == "empty":
            return answer
        if isinstance(answer, Answer) and question.kind == "yes_no" and words[:1] in _POLAR:
            return answer  # "non", "non merci, stop": always an answer on a yes/no question
        if isinstance(answer, Answer) and self._is_label(stripped, question, lang):
            return (
                answer  # an option called "Je préfère ne pas répondre", "Stop" or "Aide à domicile"
            )
        if (
            recognise_commands
            and command is None
            and asks_to_send(stripped)
            and not self._names_option(stripped, question, lang)  # an option "Envoi postal"
        ):
            return Command("send")  # "c'est bon, envoyez": at any question, never its answer
        framed = _framed(stripped, words) if recognise_commands and command is None else None
        if framed is not None:
            return Command(framed)  # "pourriez-vous effacer tout ce que je vous ai écrit"
        short = question.kind == "free_text" and (
            len(stripped) <= _MAX_COMMAND_CHARS and len(words) <= _MAX_COMMAND_WORDS_FREE_TEXT
        )
        if isinstance(answer, Answer) and question.kind == "free_text" and not short:
            return answer  # a contribution of some length is never a command (see below)
        said = stripped
        if (
            question.kind in ("choice", "multi_choice", "ranking")
            and not said.isascii()
            and self._emoji_names_option(said, question, lang)
        ):
            # "pas de 🚗" says "pas de voiture"; emoji that name no option ("⬅️
            # retour", "❓❓ je comprends pas") would only hide the request.
            said = self._emoji.spelt_out(said, lang)
        score = self._command_score(said, command, recognise_commands, answer)
        if score.command is None:
            return answer
        if sends_instead(stripped, score.command):
            return answer  # "envoyer mes réponses" at a question: neither erase nor restart
        if score.command == "send" and command is None:
            # Only a whole request sends (above), or a Rasa server's `send`:
            # "envoyer plus de bus" is an answer, "je valide" may say yes or
            # name an option "Valider".
            return answer
        if question.kind == "free_text" and isinstance(answer, Answer) and wonders_why(stripped):
            return answer  # "i don't understand why the library closed": an opinion
        if isinstance(answer, Confirm):
            # An answer the interpreter is unsure of yields to a likely command.
            return Command(score.command) if score.score >= _COMMAND_OVER_WEAK_ANSWER else answer
        if isinstance(answer, Reject):
            # A message that almost answered ("locataire" between two kinds of
            # tenant, a number out of range) needs a clearer command than one
            # that said nothing the question could use.
            near = answer.reason in _NEAR_ANSWERS or self._names_option(stripped, question, lang)
            needed = _COMMAND_OVER_NEAR_ANSWER if near else _COMMAND_OVER_REJECT
            return Command(score.command) if score.score >= needed else answer
        if question.kind == "free_text":
            if short and score.score >= _COMMAND_OVER_FREE_TEXT:
                return Command(score.command)
            return answer
        if question.kind == "yes_no":
            # "je ne veux pas répondre" reads as "no" but asks to skip.
            if score.score >= _COMMAND_OVER_YES_NO:
                return Command(score.command)
            return (
                self._acknowledged_command(stripped, recognise_commands and command is None)
                or answer
            )
        weak = _weak_answer(stripped[:MAX_PARSED_CHARS], question)
        needed = _COMMAND_OVER_WEAK_ANSWER if weak else _COMMAND_OVER_ANSWER
        return Command(score.command) if score.score >= needed else answer

    def _acknowledged_command(self, text: str, recognise: bool) -> Command | None:
        """A command after an acknowledgment that read as yes: "ok je passe",
        "d'accord, je veux parler à quelqu'un" (not "ok c'est bon")."""
        if not recognise:
            return None
        found = _ACKNOWLEDGMENT.match(fold(text[:_MAX_COMMAND_CHARS]))
        if found is None:
            return None
        scored = self._classifier.score(found[1])
        if scored.command is not None and scored.score >= _COMMAND_AFTER_ACKNOWLEDGMENT:
            return Command(scored.command)
        return None

    def written_language(self, text: str) -> str | None:
        """The language a first message is clearly written in: its greeting's
        ("hello": "en"), else its words' ("I want to give my opinion": "en");
        None when it says none (nlu.written_language)."""
        return written_language(text, self._greetings)

    def _command_score(
        self,
        text: str,
        command: CommandName | None,
        recognise: bool,
        answer: Answer | Reject | Confirm,
    ) -> CommandScore:
        if command is not None:
            return CommandScore(command, _EXTERNAL_CONFIDENCE, command)
        if not recognise or len(text) > _MAX_COMMAND_CHARS:
            return CommandScore("answer", 0.0, None)
        if isinstance(answer, Reject):
            return self._classifier.score_clauses(text)
        return self._classifier.score(text)

    def _button_payload(
        self, text: str, question: QuestionSpec, lang: str, tapped: bool
    ) -> Answer | Reject | None:
        """Channels send a button's payload as the message text. Typed, an id
        that another option's names claim as a word is that word: "car" is
        the coach in French, not the option `car` ("Voiture")."""
        if question.kind == "yes_no" and len(text) <= 10:
            folded = fold(text)
            if folded in _YES_PAYLOADS:
                return Answer(True)
            if folded in _NO_PAYLOADS:
                return Answer(False)
        if tapped and question.kind == "multi_choice":
            return tapped_choices(text, question, self._matcher(question, lang))
        if question.kind in ("choice", "multi_choice", "ranking"):
            shadowed = frozenset() if tapped else self._matcher(question, lang).shadowed
            for choice in question.choices:
                if text == choice.id and choice.id not in shadowed:
                    return Answer(choice.id if question.kind == "choice" else (choice.id,))
        return None

    def _answer(
        self, text: str, question: QuestionSpec, lang: str, today: dt.date
    ) -> Answer | Reject | Confirm:
        kind = question.kind
        answer: Answer | Reject | Confirm
        if is_blank(text):  # spaces only, or zero-width characters only
            return Reject("empty")
        if kind == "free_text":
            if question.max_length is not None and len(text) > question.max_length:
                return Reject("too_long")
            if question.min_length is not None and len(text) < question.min_length:
                return Reject("too_short")  # "non", "rien": a command may say more
            return Answer(text)
        if kind == "yes_no":
            answer = self._yes_no.parse(text)
        elif kind in ("choice", "multi_choice"):
            answer = self._choices(text, question, lang, today)
        elif kind == "ranking":
            named = self._emoji.spelt_out(text, lang)
            answer = parse_ranking(named, question, self._matcher(question, lang))
        elif kind in ("number", "scale"):
            answer = parse_number(
                text, lang, question.min, question.max, scale=kind == "scale", unit=question.unit
            )
        elif kind == "postal_code":
            answer = parse_postal_code(text, lang, self._places.postal_codes)
            if answer == Reject("not_understood"):
                answer = self._places.postal_code(text, lang)  # "Amboise", "je suis à Tours"
                if answer == Reject("unknown_commune"):
                    answer = Reject("not_understood")
        elif kind == "commune":
            answer = self._places.parse(text, lang)
        elif kind == "date":
            answer = parse_date(text, lang, today, question.min_date, question.max_date)
        else:
            answer = Reject("not_understood")
        if answer == Reject("not_understood") and not has_letters_or_digits(text):
            return Reject("empty")
        if isinstance(answer, Answer) and kind in _COMMENTED and answer.detail is None:
            return self._with_comment(answer, text, question, lang, today)
        return answer

    def _with_comment(
        self, answer: Answer, text: str, question: QuestionSpec, lang: str, today: dt.date
    ) -> Answer:
        """The answer with the rest of the message as its comment, when the
        answer stands in the head alone and the rest answers nothing."""
        split = split_comment(text[:MAX_PARSED_CHARS])
        if split is None:
            return answer
        head = self._answer(split.head, question, lang, today)
        if not isinstance(head, Answer) or head.value != answer.value:
            return answer
        if not isinstance(self._answer(split.comment, question, lang, today), Reject):
            return answer  # "oui, enfin non", "oui, je suis d'accord": no comment
        return Answer(answer.value, comment=split.comment)

    def _choices(
        self, text: str, question: QuestionSpec, lang: str, today: dt.date
    ) -> Answer | Reject | Confirm:
        """The options named; with an "other" option named and words after it
        ("autre : la trottinette"), those words are the answer's detail."""
        split = split_other(text, question)
        if split is not None:
            chosen = self._options(split.head, question, lang, today)
            others = {choice.id for choice in question.choices if choice.other}
            value = chosen.value if isinstance(chosen, Answer) else None
            if isinstance(value, str) and value in others:
                return Answer(value, split.detail)
            if isinstance(value, tuple) and others.intersection(value):
                return Answer(value, split.detail)
        return self._options(text, question, lang, today)

    def _options(
        self, text: str, question: QuestionSpec, lang: str, today: dt.date
    ) -> Answer | Reject | Confirm:
        named = self._emoji.spelt_out(text, lang)
        if question.kind == "choice":
            return parse_choice(named, question, self._matcher(question, lang), lang, today)
        return parse_multi_choice(named, question, self._matcher(question, lang))

    def _is_label(self, text: str, question: QuestionSpec, lang: str) -> bool:
        """Whether `text` is exactly the name of one of the question's options:
        a label typed or tapped is that option, whatever command it sounds like."""
        if question.kind not in ("choice", "multi_choice", "ranking") or len(text) > 200:
            return False
        return key(text) in self._matcher(question, lang).exact

    def _emoji_names_option(self, text: str, question: QuestionSpec, lang: str) -> bool:
        """Whether one of the emoji in `text` names one of the question's options."""
        names = self._emoji.names_only(text, lang)
        return bool(names) and bool(self._matcher(question, lang).find(stems(names)))

    def _names_option(self, text: str, question: QuestionSpec, lang: str) -> bool:
        """Whether a message that chose nothing still named an option ("pas de
        🚗", "surtout pas le bus"): it was about the question, not a command."""
        if question.kind not in ("choice", "multi_choice", "ranking"):
            return False
        named = self._emoji.spelt_out(text[:MAX_PARSED_CHARS], lang)
        return bool(self._matcher(question, lang).find(stems(named)))

    def _matcher(self, question: QuestionSpec, lang: str) -> ChoiceMatcher:
        """The question's option index, built once per list of options and
        language: questions that offer the same options ("Pour", "Contre",
        "Sans avis" asked again and again) share it."""
        key = (question.choices, lang)
        matcher = self._matchers.get(key)
        if matcher is None:
            if len(self._matchers) >= _MATCHER_CACHE_SIZE:
                self._matchers.pop(next(iter(self._matchers)))
            matcher = build_matcher(question, self._lexicons[lang])
            self._matchers[key] = matcher
        return matcher


def _extra_greetings(extra: TrainingData, lang: str) -> tuple[str, ...]:
    # A deployment's own files name the language in the table: greeting_fr, greeting_en.
    return extra.lookups.get(f"greeting_{lang}", ())


def _framed(text: str, words: list[str]) -> CommandName | None:
    """`framed_command` of `text`, whose first _MAX_COMMAND_CHARS characters
    have `words` as tokens: enough when the text is no longer."""
    if len(text) > _MAX_COMMAND_CHARS:
        return framed_command(text)
    return framed_command_of(words)


def _dont_know(question: QuestionSpec) -> Answer | Reject:
    """The question's own "don't know" option, if it has one."""
    if question.kind in ("choice", "multi_choice"):
        for choice in question.choices:
            if any(is_dont_know_label(name) for name in (*choice.names, choice.id)):
                return Answer(choice.id if question.kind == "choice" else (choice.id,))
    return Reject("ambiguous" if question.kind == "yes_no" else "not_understood")


def _weak_answer(text: str, question: QuestionSpec) -> bool:
    """An answer that a command may override more easily: one asked as a
    question ("what does 1 mean?"), a number read from words alone ("un humain
    svp", "on reprend tout à zéro"), a date found in a longer sentence ("ça
    suffit pour aujourd'hui")."""
    if "?" in text:
        return True
    has_digit = any(c.isdigit() for c in text)
    if question.kind in ("number", "scale"):
        words = len(tokens(text))
        return not has_digit and words >= 3 and not any(star in text for star in "⭐★🌟")
    if question.kind == "date":
        return not has_digit and len(tokens(text)) > 3
    return False
