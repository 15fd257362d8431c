"""The article model: small typed values built once by the loader."""

import datetime as dt
import re
from dataclasses import dataclass

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WORDS_PER_MINUTE = 200
# The body's four `##` sections, by position; the editor chooses each heading's words.
SECTION_ROLES = ("why it matters now", "the context", "how it works", "what you can do")


def tag_label(tag: str) -> str:
    """How a tag reads to people: `gut-health` becomes `Gut health`."""
    return tag.replace("-", " ").capitalize()


class ContentError(Exception):
    """One or more problems in the content folder, each naming file, field and problem."""

    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found in one field of one file."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    credentials: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str
    width: int
    height: int
    caption: str = ""


@dataclass(frozen=True, slots=True)
class FaqItem:
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Misconception:
    myth: str
    fact: str


@dataclass(frozen=True, slots=True)
class Reference:
    id: str
    title: str
    publisher: str = ""
    year: int | None = None
    url: str = ""
    doi: str = ""

    @property
    def link(self) -> str:
        """The URL a reader follows: the page, or the DOI resolver."""
        return self.url or f"https://doi.org/{self.doi}"


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of an article's history: when its text changed, and what changed and why."""

    date: dt.date
    note: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article, validated; Markdown fields are kept as source and rendered on demand."""

    slug: str
    path: str
    title: str
    description: str
    published: dt.date
    updated: dt.date
    reviewed: dt.date
    next_review: dt.date
    author: Person
    reviewer: Person
    tags: tuple[str, ...]
    hero: Image
    gallery: tuple[Image, ...]
    key_insights: tuple[str, ...]
    faq: tuple[FaqItem, ...]
    misconceptions: tuple[Misconception, ...]
    applies_to: str
    final_thoughts: str
    cta: str
    references: tuple[Reference, ...]
    body: str
    see_a_doctor: str = ""
    emergency: str = ""
    related: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()  # newest first
    word_count: int = 0

    @property
    def reading_minutes(self) -> int:
        """Minutes to read at an unhurried pace, at least one."""
        return max(1, -(-self.word_count // WORDS_PER_MINUTE))

    @property
    def last_changed(self) -> dt.date:
        """The date of the newest logged change (the check makes it `updated`), else `updated`."""
        return self.changes[0].date if self.changes else self.updated

    @property
    def citation_numbers(self) -> dict[str, int]:
        """Reference id to its number in the list, for rendering `[^id]`."""
        return {ref.id: n for n, ref in enumerate(self.references, start=1)}

    def prose(self) -> list[str]:
        """Every Markdown text of the article, for word counts and readability."""
        texts = [self.body, self.applies_to, self.final_thoughts, self.see_a_doctor, self.emergency]
        texts += list(self.key_insights) + [f.question + "\n\n" + f.answer for f in self.faq]
        texts += [m.myth + "\n\n" + m.fact for m in self.misconceptions]
        texts += [image.caption for image in self.gallery]
        return [t for t in texts if t]
