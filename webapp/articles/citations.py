"""The reviewers' citation report: each source beside every sentence that cites it, and what to recheck.

Pure functions of an Article: `report(article)` reads every sentence of its prose, with the section of
the page it sits in (citation_format.py writes a report out as text or JSON).
"""

import re
from dataclasses import dataclass
from functools import cache

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from webapp.articles.markdown import CITATION, plain_blocks
from webapp.articles.model import Article, Reference

INTRO = "Introduction (no heading)"
ABBREVIATIONS = {"e.g", "i.e", "dr", "u.s", "vs", "etc", "approx", "fig", "st", "mr", "mrs", "ms"}
NUMBER = re.compile(
    r"\d(?:[\d,.]*\d)?(?: ?%| percent)?|\bper ?cent\b"
    r"|\b(?:one|two|three|four) in (?:two|three|four|five|ten)\b",
    re.I,
)
# Digits that are not figures: citation ids, the emergency number, and names such as type 2
# diabetes, omega-3, SGLT2 or vitamin B12.
NOT_A_FIGURE = re.compile(
    r"\[\^[^\]]+\]|\b911\b|\b(?:type|omega|covid|phase|stage|grade)[- ]\d+\b|\b[a-z]+\d+[a-z]*\b", re.I
)
ELSEWHERE = re.compile(
    r"\burgent[- ]care\b|\bsame[- ]day\b|\bwalk[- ]in\b|\bnext[- ]day\b|\bappointment\b"
    r"|\b(?:call|see|phone|contact) (?:your|a) (?:doctor|gp|nurse|clinic)\b",
    re.I,
)
# Signs that mean "call 911" whatever an article's box says: the American College of Emergency
# Physicians' warning signs as MedlinePlus lists them ("Recognizing medical emergencies"), and a severe
# allergic reaction (CDC), for articles with no emergency box or a box that leaves them out.
ALWAYS_EMERGENCY = (
    "bleeding that will not stop", "difficulty breathing", "trouble breathing", "shortness of breath",
    "chest pain", "choking", "coughing up blood", "vomiting blood", "fainting", "loss of consciousness",
    "suicide", "seizure", "swelling of the face", "swelling of the tongue", "severe allergic reaction",
)  # fmt: skip
REFERS_BACK = re.compile(r"\b(?:these|those) (?:signs|symptoms)\b|\bany of these\b", re.I)
# An emergency box's item names signs, then often who it applies to ("in someone with diabetes"):
# the sign is the part before such a qualifier, split at commas and "or"/"and".
QUALIFIER = re.compile(r",? (?:in (?:someone|people|anyone|a person)|even|so (?:they|you)|if)\b.*", re.I)
PARTS = re.compile(r"[,;:]|\b(?:or|and)\b", re.I)
FILLER = set(
    "a an the of in on at to for from by with without and or but if so that this these those is are was "
    "were be been being it its they them their he she his her you your we our not no can cannot will "
    "would may might do does did have has had very more most less than as up down out over into about "
    "after before when while who which what there any some all each other such only own too just also "
    "get gets keep keeps someone people person anyone one new sudden suddenly severe heavy high low "
    "fast deep hard extreme constant bad worse much sign signs symptom symptoms".split()
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article: where it is in the file and on the page, and what it cites."""

    field: str
    section: str
    text: str
    cited: tuple[str, ...]
    lead: str = ""  # read with it: the "... if:" line above a list item, or the sentence "these signs" means


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a reviewer should look at again."""

    kind: str  # "cited-once-without-heading", "number-without-citation" or "emergency-sent-elsewhere"
    sentence: Sentence
    detail: str


@dataclass(frozen=True, slots=True)
class Report:
    """One article's sources with the sentences citing each, and its findings."""

    article: Article
    citations: tuple[tuple[Reference, tuple[Sentence, ...]], ...]
    findings: tuple[Finding, ...]


@cache
def _splitter() -> PunktSentenceTokenizer:
    """An English sentence splitter that knows common abbreviations (no trained data to download)."""
    parameters = PunktParameters()
    parameters.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(parameters)


@cache
def _stem(word: str) -> str:
    """A word's stem, so that "fainting" and "faint" match."""
    return SnowballStemmer("english").stem(word)


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text; a citation written after the full stop stays with its sentence."""
    sentences: list[str] = []
    for sentence in _splitter().tokenize(text):
        leading = re.match(r"^(?:\[\^[^\]\s]+\]\s*)+", sentence)
        if leading and sentences:
            sentences[-1] += leading.group().rstrip()
            sentence = sentence[leading.end() :]
        if sentence.strip():
            sentences.append(sentence.strip())
    return sentences


def _places(article: Article) -> list[tuple[str, str | None, str]]:
    """Every Markdown text that may state a fact: (field, section on the page or None for body, text)."""
    places: list[tuple[str, str | None, str]] = [("body", None, article.body)]
    if article.emergency:
        places.append(("emergency", "Emergency signs", article.emergency))
    places += [(f"key_insights[{i}]", "Key insights", t) for i, t in enumerate(article.key_insights)]
    places += [
        (f"faq[{i}].answer", f"Common questions: {item.question}", item.answer)
        for i, item in enumerate(article.faq)
    ]
    places += [(f"gallery[{i}].caption", "Pictures and diagrams", image.caption)
               for i, image in enumerate(article.gallery) if image.caption]  # fmt: skip
    places += [(f"misconceptions[{i}].fact", "Common misunderstandings", m.fact)
               for i, m in enumerate(article.misconceptions)]  # fmt: skip
    places.append(("applies_to", "Who this applies to", article.applies_to))
    if article.see_a_doctor:
        places.append(("see_a_doctor", "When to see a doctor", article.see_a_doctor))
    places.append(("final_thoughts", "Final thoughts", article.final_thoughts))
    return places


def sentences(article: Article) -> list[Sentence]:
    """Every sentence of the article's prose (myths and questions are not claims), in page order."""
    found = []
    for field, section, text in _places(article):
        lead = ""
        for heading, block, listed in plain_blocks(text):
            previous = ""
            for sentence in split_sentences(block):
                context = [lead if listed else "", previous if REFERS_BACK.search(sentence) else ""]
                cited = tuple(CITATION.findall(sentence))
                where = section or heading or INTRO
                found.append(Sentence(field, where, sentence, cited, " ".join(filter(None, context))))
                previous = sentence
            if not listed:
                lead = previous if previous.endswith(":") else ""
    return found


def emergency_items(article: Article) -> list[str]:
    """The items listed in the emergency box, as plain text without citations."""
    blocks = plain_blocks(article.emergency) if article.emergency else []
    return [CITATION.sub("", text).strip() for _, text, listed in blocks if listed]


def _sign(words: str) -> tuple[str, frozenset[str]] | None:
    """A sign as (how it reads, the stems a sentence must hold), or None when no word is telling."""
    kept = [w for w in re.findall(r"[a-z]+", words.lower()) if w not in FILLER and len(w) > 2]
    label = re.sub(r"^(?:an?|the|with|is)\s+", "", words.strip(), flags=re.I)
    return (label, frozenset(_stem(w) for w in kept)) if kept else None


def emergency_signs(article: Article) -> list[tuple[str, frozenset[str]]]:
    """The signs the emergency box lists, each as (its words, the stems a sentence must hold)."""
    parts = [p for item in emergency_items(article) for p in PARTS.split(QUALIFIER.sub("", item).strip(" ."))]
    return [sign for part in parts if (sign := _sign(part))]


def _sent_elsewhere(article: Article, all_sentences: list[Sentence]) -> list[Finding]:
    """Sentences naming a non-emergency destination for a sign that means "call 911"."""
    boxed = emergency_signs(article)
    signs = [(words, needed, "the emergency box lists") for words, needed in boxed]
    signs += [(*_sign(words), "is always a 911 sign") for words in ALWAYS_EMERGENCY]
    own = emergency_items(article)
    found = []
    for sentence in all_sentences:
        reads = f"{sentence.lead} {sentence.text}"
        place = ELSEWHERE.search(reads)
        bare = CITATION.sub("", sentence.text).strip()
        if not place or (sentence.field == "emergency" and any(bare in item for item in own)):
            continue
        stems = {_stem(w) for w in re.findall(r"[a-z]+", reads.lower())}
        named = [f"{words!r}, which {why}" for words, needed, why in signs if needed <= stems]
        if named:
            detail = f"says {place.group()!r} about {'; '.join(named)}"
            detail += f" (read with {sentence.lead!r})" if sentence.lead else ""
            found.append(Finding("emergency-sent-elsewhere", sentence, detail))
    return found


def findings(article: Article, all_sentences: list[Sentence]) -> list[Finding]:
    """What a reviewer should read again: lone citations from the intro, bare figures, mixed advice."""
    found = []
    for ref in article.references:
        citing = [s for s in all_sentences if ref.id in s.cited]
        if len(citing) == 1 and citing[0].section == INTRO:
            detail = f"[^{ref.id}] is cited only here, in the introduction, with no section to back it"
            found.append(Finding("cited-once-without-heading", citing[0], detail))
    for sentence in all_sentences:
        figure = NUMBER.search(NOT_A_FIGURE.sub("", sentence.text))
        if figure and not sentence.cited:
            detail = f"states a figure ({figure.group()!r}) with no citation in the sentence"
            found.append(Finding("number-without-citation", sentence, detail))
    return found + _sent_elsewhere(article, all_sentences)


def report(article: Article) -> Report:
    """The citation report of one article."""
    all_sentences = sentences(article)
    citations = tuple(
        (ref, tuple(s for s in all_sentences if ref.id in s.cited)) for ref in article.references
    )
    return Report(article, citations, tuple(findings(article, all_sentences)))
