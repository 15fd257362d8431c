"""An article as the plain text search indexes: its columns, and its parts with the anchor of each.

Pure code: takes an Article, knows nothing of Flask or SQLite. The body is split exactly as the page
renders it (`render_sections`), so a result links to the very anchor the reader's page carries.
"""

import hashlib
import html
import re
from dataclasses import dataclass

from webapp.articles import markdown as rendering
from webapp.articles.model import Article

CITE = re.compile(r'<sup class="cite">.*?</sup>', re.S)
TAG = re.compile(r"<[^>]+>")
MARKDOWN_CITE = re.compile(r"\[\^[^\]\s]+\]")
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"(?<!\w)[*_`]+|[*_`]+(?!\w)|^\s{0,3}(?:#+|>|[-+*]|\d+[.)])\s+", re.M)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # snippets mark matches with \x02 and \x03
SPACES = re.compile(r"\s+")
HEADING = re.compile(r"\s*<h2[^>]*>(.*?)</h2>", re.S)


@dataclass(frozen=True, slots=True)
class Part:
    """One place in an article a match can link to: its anchor ('' for the top), heading and text."""

    anchor: str
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """The indexed columns of one article, most telling first, and its linkable parts."""

    title: str
    description: str
    headings: str
    body: str
    parts: tuple[Part, ...]


def clean(text: str) -> str:
    """Text without control characters and with single spaces."""
    return SPACES.sub(" ", CONTROL.sub(" ", text)).strip()


def from_html(markup: str) -> str:
    """The words of rendered HTML, without citation numbers."""
    return clean(html.unescape(TAG.sub(" ", CITE.sub("", markup))))


def from_markdown(text: str) -> str:
    """The words of a short Markdown field: link texts kept, citations and markup signs dropped."""
    return clean(MARKDOWN_MARKS.sub(" ", MARKDOWN_LINK.sub(r"\1", MARKDOWN_CITE.sub("", text))))


def body_parts(article: Article) -> list[Part]:
    """The body's intro and one part per h2 section, as rendered on the page."""
    parts = []
    for section in rendering.render_sections(article.body, article.citation_numbers):
        if section.heading is None:
            parts.append(Part("", "", from_html(section.html)))
            continue
        heading = HEADING.match(section.html)  # each section's HTML starts with its own heading
        title = from_html(heading.group(1)) if heading else clean(section.heading.text)
        text = from_html(section.html[heading.end() :] if heading else section.html)
        parts.append(Part(section.heading.anchor, title, text))
    return parts


def field_parts(article: Article) -> list[Part]:
    """The article's other fields, each under the id it has on the page (see articles/article.html)."""
    parts = []
    if article.emergency:
        parts.append(Part("emergency-title", "Emergency signs", from_markdown(article.emergency)))
    insights = " ".join(from_markdown(insight) for insight in article.key_insights)
    parts.append(Part("key-insights", "Key insights", insights))
    for number, item in enumerate(article.faq, start=1):
        parts.append(Part(f"faq-{number}", clean(item.question), from_markdown(item.answer)))
    captions = " ".join(from_markdown(image.caption) for image in article.gallery if image.caption)
    if captions:
        parts.append(Part("pictures", "Pictures and diagrams", captions))
    myths = " ".join(f"{clean(m.myth)} {from_markdown(m.fact)}" for m in article.misconceptions)
    parts.append(Part("misconceptions", "Common misunderstandings", myths))
    parts.append(Part("who-it-applies-to", "Who this applies to", from_markdown(article.applies_to)))
    if article.see_a_doctor:
        parts.append(Part("see-a-doctor", "When to see a doctor", from_markdown(article.see_a_doctor)))
    parts.append(Part("final-thoughts", "Final thoughts", from_markdown(article.final_thoughts)))
    return [part for part in parts if part.text]


def document(article: Article) -> Document:
    """Everything search needs of one article."""
    body = body_parts(article)
    parts = tuple(body + field_parts(article))
    topics = " ".join(tag.replace("-", " ") for tag in article.tags)
    return Document(
        title=clean(article.title),
        description=clean(f"{article.description} {topics}"),
        headings=" · ".join(part.heading for part in body if part.heading),
        body=" ".join(f"{part.heading} {part.text}".strip() for part in parts),
        parts=tuple(part for part in parts if part.text or part.heading),
    )


def fingerprint(article: Article) -> bytes:
    """A digest of every field the document is made of: an equal digest means an equal document."""
    digest = hashlib.blake2b(digest_size=16)
    for text in (article.title, article.description, article.body, " ".join(article.tags), *article.prose()):
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    for item in article.faq:
        digest.update(f"{item.question}\0".encode("utf-8", "surrogatepass"))
    for number, ref in enumerate(article.references):  # citation numbers decide the rendered body
        digest.update(f"{number}:{ref.id}\0".encode())
    return digest.digest()
