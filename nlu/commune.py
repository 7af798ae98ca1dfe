"""French communes from what residents write: "orleans", "st pierre des corps",
"JOUÉ-LÈS-TOURS", "je bosse au Mans", "Vineuil (41)", "Amilly près de
Montargis", or a postal code that belongs to one commune only.

Names are compared folded (no accents, hyphens or apostrophes; "Saint" and "St"
alike). A name shared by several communes resolves to the one in the configured
region when exactly one is there, to the one in a department the message names
("dans l'Indre", "(41)", a nearby town), and is otherwise ambiguous. A commune
mentioned as a landmark ("à côté de Tours, à Fondettes", "near Chartres") yields
to the one the resident lives in, and alone ("près de Blois", "entre Tours et
Amboise") names no commune (nlu.landmarks); a correction ("Orléans, enfin
Olivet") makes the last one count. Small typos are forgiven for the region's
communes.

Data: nlu/data/communes_fr.csv (see nlu/data/README.md for its origin), read
once when a `Places` is built.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz, process

from nlu.interpretation import Answer, Candidate, Confirm, ConfirmReason, Reject
from nlu.landmarks import after_landmark_words, only_near
from nlu.normalize import tokens, word_set
from nlu.phrases import PhraseIndex, ends_with
from nlu.postal_code import find_postal_codes

_ARTICLE_CONTRACTIONS: Mapping[str, str] = {"au": "le", "aux": "les", "du": "le", "des": "les"}
_SAINTS: Mapping[str, str] = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}
_CORRECTIONS = PhraseIndex.of(["en fait", "enfin", "finalement", "actually", "i mean", "non"])
_DEPARTMENT_BEFORE = (
    ("dans", "l"),
    ("dans", "le"),
    ("dans", "la"),
    ("dans", "les"),
    ("en",),
    ("in", "the"),
    ("in",),
    ("du",),
    ("de", "l"),
)
# Words of everyday sentences that are also the name of some commune: they name
# a commune only when they are the whole message.
_COMMON_WORDS = frozenset(
    word_set(
        """
        mer plus on y eu bu ri gy oz us ay is vrai bois port pont rue bar vue ris ville
        centre nord sud est ouest gare bourg val mont la le les a en au lit bas haut
        beau belle bon bonne vie chez pres loin fin mars mai juin cours sous sur vers
        voie camp champ clos parc plan tour villa prix roche fontaine campagne
        """
    )
)
_PLACE_BEFORE = word_set(
    """
    a au aux en in at de d du near sur vers pres from to habite vis enfin fait plutot le la les l
    actually mean non ou or et and cote loin banlieue
    """
)
# Regions and historic areas: places, but no commune ("Centre-Val de Loire",
# "la Touraine"); the words inside them do not name communes.
_AREA_NAMES = (
        "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire",
        "Centre Val de Loire", "Corse", "Grand Est", "Hauts-de-France", "Île-de-France",
        "Normandie", "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire",
        "Provence-Alpes-Côte d'Azur", "Touraine", "Sologne", "Berry", "Beauce", "Perche",
        "Gâtinais", "Val de Loire", "vallée de la Loire", "Brenne", "Boischaut",
)  # fmt: skip
_FUZZY_CUTOFF = 85.0
# A commune is named at the start of an answer, never 300 characters in: reading
# no further bounds the work on a pasted text.
_MAX_PLACE_CHARS = 300
_FUZZY_SURE = 90.0
# Buttons offered when a name or a postal code fits several communes.
_MAX_CANDIDATES = 5
# Communes this large are what a resident means by their exact name, even far away.
_WELL_KNOWN = 5_000
# A city this large is what a resident means by its name even when names of the
# region start with it ("Bordeaux", not Bordeaux-en-Gâtinais).
_CITY = 50_000
_COLUMNS = ["insee_code", "name", "department", "region", "population", "postal_codes"]


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str
    department: str
    region: str
    population: int = 0


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    communes: tuple[Commune, ...]
    landmark: bool
    partial: bool = False  # a loose spelling, or only the first word of longer names


def place_words(text: str) -> list[str]:
    """Folded words with "saint"/"sainte" spelt "st"/"ste", as names are indexed."""
    return [_SAINTS.get(word, word) for word in tokens(text)]


_AREAS = frozenset(tuple(place_words(name)) for name in _AREA_NAMES)


class Places:
    """The communes of France, their postal codes and the departments."""

    def __init__(self, rows: Iterable[Sequence[str]], departments: Mapping[str, str], region: str):
        self.region = region
        # Tables of plain strings: a few large dicts instead of ~100,000 small
        # objects, which keeps the garbage collector's pauses short.
        self._records: dict[str, str] = {}  # INSEE -> "name\tdepartment\tregion\tpopulation"
        self._by_name: dict[str, str] = {}  # folded name -> INSEE codes, space-separated
        self._by_first_word: dict[str, str] = {}
        self._by_postal_code: dict[str, str] = {}
        self._postal_codes_of: dict[str, str] = {}  # INSEE -> postal codes, space-separated
        longest = 1
        regional: set[str] = set()
        for insee, name, department, row_region, population, postal_codes in rows:
            self._records[insee] = f"{name}\t{department}\t{row_region}\t{population or 0}"
            words = place_words(name)
            longest = max(longest, len(words))
            _append(self._by_name, " ".join(words), insee)
            if row_region == region:
                regional.add(" ".join(words))
            if words[0] in ("le", "la", "les", "l") and len(words) > 2:
                # "Ferté Vidame", "Chapelle Saint Mesmin": the article left out.
                _append(self._by_name, " ".join(words[1:]), insee)
            # "Romorantin" for "Romorantin-Lanthenay", "Membrolle" for "La
            # Membrolle-sur-Choisille": used when nothing else matches.
            head = words[1:] if words[0] in ("le", "la", "les", "l") else words
            if len(head) > 1 and len(head[0]) >= 5 and head[0] not in ("st", "ste"):
                _append(self._by_first_word, head[0], insee)
            for code in postal_codes.split():
                _append(self._by_postal_code, code, insee)
            self._postal_codes_of[insee] = postal_codes
        self._longest = longest
        self.postal_codes = frozenset(self._by_postal_code)
        self._departments: dict[tuple[str, ...], str] = {
            tuple(place_words(name)): code for code, name in departments.items()
        }
        self._department_codes = frozenset(departments)
        self._regional_keys = sorted(regional)

    @classmethod
    def bundled(cls, region: str) -> Places:
        data = resources.files("nlu") / "data"
        communes = (data / "communes_fr.csv").read_text(encoding="utf-8")
        departments = (data / "departements.csv").read_text(encoding="utf-8")
        rows = csv.reader(io.StringIO(communes))
        header = next(rows)
        if header != _COLUMNS:
            raise ValueError(f"communes_fr.csv: expected columns {_COLUMNS}, got {header}")
        names = {row["code"]: row["name"] for row in csv.DictReader(io.StringIO(departments))}
        return cls(rows, names, region)

    def communes_with_postal_code(self, code: str) -> Sequence[Commune]:
        return self._communes(self._by_postal_code.get(code, ""))

    def _communes(self, codes: str) -> tuple[Commune, ...]:
        communes = []
        for insee in codes.split():
            name, department, region, population = self._records[insee].split("\t")
            communes.append(Commune(insee, name, department, region, int(population)))
        return tuple(communes)

    def parse(self, text: str, lang: str) -> Answer | Reject | Confirm:
        clipped = text[:_MAX_PLACE_CHARS]
        words = place_words(clipped)
        if not words:
            return Reject("not_understood")
        departments, department_spans = self._departments_named(words)
        mentions = self._mentions(words, department_spans, lang == "en")
        if not mentions:
            by_code = self._by_postal_codes(clipped, lang)
            if by_code is not None:
                return by_code
            mentions = self._approximate(words)
            if mentions and mentions[0].partial:
                return self._confirm(mentions[0].communes, "spelling")
        if not mentions:
            return Reject("unknown_commune")
        chosen = self._choose(words, mentions)
        if chosen is None:
            return Reject("ambiguous")
        if chosen.landmark or only_near(words[chosen.end :]):
            return Reject("not_understood")  # "près de Blois": somewhere near, but where?
        others = {c.department for m in mentions if m is not chosen for c in m.communes}
        if not departments and chosen.end - chosen.start == 1:
            # "chambray" for Chambray-lès-Tours rather than Chambray in the Eure.
            regional = self._regional_by_first_word(words[chosen.start], chosen.communes)
            if regional is not None:
                # Likely, but a partial name: put it to the resident first, with the
                # communes of that exact name elsewhere.
                elsewhere = self._resolved_first(list(chosen.communes), set())
                return self._confirm((regional, *elsewhere), "partial")
        commune = self._resolve(chosen.communes, departments, others)
        if commune is not None and (
            departments or commune.region == self.region or commune.population >= _CITY
        ):
            return _answer(commune)
        if commune is not None:
            # "Saint-Jean" names a village far away, and starts many of the region's names.
            longer = self._regional_longer_names(words, chosen)
            if chosen.partial:
                # "chartre": the start of a name far away ("La Chartre-sur-le-Loir"),
                # or a region's name misspelt ("Chartres"): asked, never guessed.
                spelt = [c for m in self._approximate(words) for c in m.communes]
                return self._confirm((*spelt, *longer, commune), "partial")
            if not longer:
                return _answer(commune)
            return self._confirm((*self._resolved_first(longer, set()), commune), "partial")
        # Homonyms ("Saint-Martin", "Vineuil"): never guessed; the region's first,
        # with the region's longer names that start the same way.
        longer = self._regional_longer_names(words, chosen)
        offered = self._resolved_first((*chosen.communes, *longer), departments)
        return self._confirm(offered, "homonyms")

    def postal_code(self, text: str, lang: str) -> Answer | Reject | Confirm:
        """A commune named where a postal code is asked: its postal code when it
        has one, else the codes to choose from."""
        commune = self.parse(text, lang)
        if isinstance(commune, Reject):
            return commune
        inseees = (
            (commune.value,)
            if isinstance(commune, Answer)
            else tuple(str(c.value) for c in commune.candidates)
        )
        candidates = [
            Candidate(code, f"{code} {self._records[str(insee)].split(chr(9))[0]}")
            for insee in inseees
            for code in self._postal_codes_of.get(str(insee), "").split()
        ]
        if isinstance(commune, Answer) and len(candidates) == 1:
            return Answer(candidates[0].value)
        if not candidates:
            return Reject("unknown_commune")
        reason = commune.reason if isinstance(commune, Confirm) else "homonyms"
        return Confirm(tuple(candidates[:_MAX_CANDIDATES]), reason)

    def _confirm(self, communes: Sequence[Commune], reason: ConfirmReason) -> Confirm:
        unique = list(dict.fromkeys(communes))[:_MAX_CANDIDATES]
        return Confirm(tuple(Candidate(c.insee, _named(c)) for c in unique), reason)

    def _resolved_first(self, communes: Sequence[Commune], departments: set[str]) -> list[Commune]:
        """Communes to offer, likeliest first: of a department named, of the
        region, then the most populous."""
        return sorted(
            communes,
            key=lambda c: (c.department not in departments, c.region != self.region, -c.population),
        )

    def _regional_longer_names(self, words: list[str], chosen: _Mention) -> list[Commune]:
        """Communes of the region whose name starts with the name given
        ("Saint-Martin": Saint-Martin-d'Auxigny, Saint-Martin-le-Beau...)."""
        given = " ".join(words[chosen.start : chosen.end]) + " "
        longer = [key for key in self._regional_keys if key.startswith(given)]
        return [c for key in longer for c in self._communes(self._by_name[key])]

    def _regional_by_first_word(self, word: str, named: Sequence[Commune]) -> Commune | None:
        """The one commune of the region whose name starts with `word`, when no
        commune named exactly `word` is in the region."""
        if any(c.region == self.region or c.population >= _WELL_KNOWN for c in named):
            return None  # a commune of the region, or a city everyone knows (Bordeaux)
        regional = [
            c for c in self._communes(self._by_first_word.get(word, "")) if c.region == self.region
        ]
        return regional[0] if len(regional) == 1 else None

    def _by_postal_codes(self, text: str, lang: str) -> Answer | Reject | Confirm | None:
        codes = list(dict.fromkeys(find_postal_codes(text, lang)))
        if not codes:
            return None
        communes = {c for code in codes for c in self.communes_with_postal_code(code)}
        if not communes:
            return Reject("unknown_commune")
        if len(communes) > 1:
            return self._confirm(self._resolved_first(list(communes), set()), "homonyms")
        return _answer(communes.pop())

    def _departments_named(self, words: list[str]) -> tuple[set[str], set[int]]:
        """Departments the message names ("dans l'Indre", "(41)") and where."""
        codes: set[str] = set()
        spans: set[int] = set()
        for position, word in enumerate(words):
            if word.isdigit() and len(word) == 2 and word in self._department_codes:
                codes.add(word)
                spans.add(position)
        for start in range(len(words)):
            if not any(ends_with(words[:start], before) for before in _DEPARTMENT_BEFORE):
                continue
            for size in range(min(5, len(words) - start), 0, -1):
                code = self._departments.get(tuple(words[start : start + size]))
                if code is not None:
                    codes.add(code)
                    spans.update(range(start, start + size))
                    break
        for start in range(len(words)):
            for size in range(min(5, len(words) - start), 0, -1):
                if tuple(words[start : start + size]) in _AREAS:
                    spans.update(range(start, start + size))
                    break
        return codes, spans

    def _mentions(self, words: list[str], skip: set[int], english: bool) -> list[_Mention]:
        found: list[_Mention] = []
        for start in range(len(words)):
            if start in skip:
                continue
            variants = [words]
            contracted = _ARTICLE_CONTRACTIONS.get(words[start])
            if contracted is not None:
                variants.append([*words[:start], contracted, *words[start + 1 :]])
            for variant in variants:
                for size in range(min(self._longest, len(words) - start), 0, -1):
                    key = " ".join(variant[start : start + size])
                    codes = self._by_name.get(key)
                    if codes is None or (
                        size == 1 and not _plausible(key, words, start, english=english)
                    ):
                        continue
                    communes = self._communes(codes)
                    landmark = after_landmark_words(words[:start])
                    found.append(_Mention(start, start + size, tuple(communes), landmark))
                    break
        found = _maximal(found)
        if found:
            return found
        weak = []
        for start, word in enumerate(words):
            codes = self._by_first_word.get(word)
            if (
                codes is not None
                and start not in skip
                and _plausible(word, words, start, english=english)
            ):
                communes = self._communes(codes)
                landmark = after_landmark_words(words[:start])
                weak.append(_Mention(start, start + 1, tuple(communes), landmark, partial=True))
        return weak

    def _approximate(self, words: list[str]) -> list[_Mention]:
        """Misspelt names of the region's communes ("Bourge", "Chenonceau"),
        tried on the whole message and on what follows "à"/"in"."""
        candidates = [words]
        for position, word in enumerate(words):
            if word in ("a", "au", "in", "at", "de", "from"):
                candidates.append(words[position + 1 :])
        for candidate in candidates:
            if not candidate or len(candidate) > 6:
                continue
            text = " ".join(candidate)
            best = process.extractOne(
                text, self._regional_keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
            )
            if best is not None:
                communes = self._communes(self._by_name[best[0]])
                # A close spelling ("Bourge", "Tourss") is taken; a looser one asked.
                loose = best[1] < _FUZZY_SURE
                return [_Mention(0, len(words), tuple(communes), False, partial=loose)]
        return []

    def _choose(self, words: list[str], mentions: list[_Mention]) -> _Mention | None:
        if len(mentions) == 1:
            return mentions[0]
        correction = _CORRECTIONS.first_end(words)
        if correction is not None:
            after = [m for m in mentions if m.start >= correction]
            if after:
                return after[-1]
        lived = [m for m in mentions if not m.landmark]
        if len(lived) == 1:
            return lived[0]
        distinct = {m.communes for m in lived or mentions}
        return (lived or mentions)[0] if len(distinct) == 1 else None

    def _resolve(
        self, communes: Sequence[Commune], departments: set[str], nearby: set[str]
    ) -> Commune | None:
        if len(communes) == 1:
            return communes[0]
        for hint in (departments, nearby):
            if hint:
                matching = [c for c in communes if c.department in hint]
                if len(matching) == 1:
                    return matching[0]
        regional = [c for c in communes if c.region == self.region]
        return regional[0] if len(regional) == 1 else None


def _answer(commune: Commune) -> Answer:
    return Answer(commune.insee, label=_named(commune))


def _named(commune: Commune) -> str:
    """A commune as the resident is shown it, confirmed or recalled: its
    official name and its department, which tells homonyms apart."""
    return f"{commune.name} ({commune.department})"


def _plausible(word: str, words: Sequence[str], start: int, *, english: bool = False) -> bool:
    """A one-word name inside a sentence counts where a place is expected: at
    the start, after "à", "au", "in", "near", a comma-less correction ("enfin
    Olivet")... "skip this one" names no commune called "This"."""
    if len(words) == 1:
        return True
    if len(word) <= 3 or word in _COMMON_WORDS:
        return False
    previous = words[start - 1] if start else ""
    return start == 0 or (previous in _PLACE_BEFORE and not (previous == "a" and english))


def _maximal(mentions: list[_Mention]) -> list[_Mention]:
    """Drop mentions inside a longer one ("tours" inside "joue les tours")."""
    kept = []
    for mention in mentions:
        inside = any(
            other is not mention
            and other.start <= mention.start
            and mention.end <= other.end
            and (other.end - other.start) > (mention.end - mention.start)
            for other in mentions
        )
        if not inside:
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _append(table: dict[str, str], key: str, code: str) -> None:
    table[key] = f"{table[key]} {code}" if key in table else code
