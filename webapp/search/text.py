"""An article as the plain text search indexes: its columns, and its parts with the anchor of each.

Pure code: takes an Article, knows nothing of Flask or SQLite. The body is split where the page splits
it (`render_sections`), and each part carries the anchor the page gives its heading. Rendering 10,000
bodies takes minutes, so plain bodies are split by their `##` lines, with the anchors plugin's own
slug rules; a body with anything that Markdown could read otherwise is rendered (tests/search checks
that both ways agree).
"""

import hashlib
import html
import re
from dataclasses import dataclass

from mdit_py_plugins.anchors.index import slugify, unique_slug

from webapp.articles import markdown as rendering
from webapp.articles.model import Article

CITE = re.compile(r'<sup class="cite">.*?</sup>', re.S)
TAG = re.compile(r"<[^>]+>")
MARKDOWN_CITE = re.compile(r"\[\^[^\]\s]+\]")
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"[*_`#]+")  # emphasis, code and heading signs
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HEADING = re.compile(r"\s*<h2[^>]*>(.*?)</h2>", re.S)
ATX = re.compile(r"^ {0,3}(#{2,3})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")  # an h2 or h3 line
PLAIN = re.compile(r"^[A-Za-z0-9 ,.?:;'’/-]+$")  # heading text that renders and slugs as written
TYPOGRAPHY = re.compile(r"--|\.\.|,,|\?\?|'")  # ...that the typographer would change
UNUSUAL = re.compile(  # lines Markdown might read as code, a setext heading, HTML or a nested heading
    r"^ {0,3}(?:```|~~~|[=-]+[ \t]*$|<|#{1,6}[ \t]*$)|^[ \t]*(?:[-+*]|\d+[.)]|>)[ \t]+#", re.M
)


@dataclass(frozen=True, slots=True)
class Part:
    """One place in an article a match can link to: its anchor ('' for the top), heading and text."""

    anchor: str
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """The indexed columns of one article, most telling first, and its linkable parts (the body)."""

    title: str
    description: str
    headings: str
    parts: tuple[Part, ...]


def clean(text: str) -> str:
    """Text without control characters and with single spaces."""
    if CONTROL.search(text):
        text = CONTROL.sub(" ", text)
    return " ".join(text.split())


def from_html(markup: str) -> str:
    """The words of rendered HTML, without citation numbers."""
    return clean(html.unescape(TAG.sub(" ", CITE.sub("", markup))))


def from_markdown(text: str) -> str:
    """The words of a short Markdown field: link texts kept, citations and markup signs dropped."""
    if "[" in text:  # (each test first: most short fields have none of these, and `sub` is slow)
        text = MARKDOWN_LINK.sub(_link_text, MARKDOWN_CITE.sub("", text))
    if MARKDOWN_MARKS.search(text):
        text = MARKDOWN_MARKS.sub(" ", text)
    return clean(text)


def _link_text(link: re.Match) -> str:
    """A Markdown link's text."""
    return link.group(1)


def rendered_parts(article: Article) -> list[Part]:
    """The body's intro and one part per h2 section, from the page's own rendering."""
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


def plain_parts(body: str) -> list[Part] | None:
    """The same parts read from the Markdown lines, or None when the body is not plainly written."""
    if UNUSUAL.search(body):
        return None
    slugs: set[str] = set()
    parts, heading, anchor, lines = [], None, "", []
    for line in body.split("\n"):
        found = ATX.match(line)
        if found is None:
            lines.append(line)
            continue
        text = found.group(2).strip()
        if not PLAIN.match(text) or TYPOGRAPHY.search(text):
            return None
        slug = unique_slug(slugify(text), slugs)  # h3 anchors count too: the plugin numbers repeats
        if len(found.group(1)) == 3:
            lines.append(text)
            continue
        parts.append((anchor, heading, lines))
        heading, anchor, lines = text, slug, []
    parts.append((anchor, heading, lines))
    found = [Part(anchor, heading or "", from_markdown("\n".join(lines))) for anchor, heading, lines in parts]
    return [part for part in found if part.heading or part.text]


def body_parts(article: Article) -> list[Part]:
    """The body's intro and one part per h2 section, as on the page."""
    parts = plain_parts(article.body)
    return rendered_parts(article) if parts is None else parts


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
