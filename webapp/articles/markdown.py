"""Markdown to HTML: CommonMark with citations as footnotes and anchored headings."""

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

CITATION = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass(frozen=True, slots=True)
class Heading:
    """One entry of a table of contents."""

    level: int
    anchor: str
    text: str


@dataclass(frozen=True, slots=True)
class Section:
    """A body section: its heading (None for the intro) and its HTML."""

    heading: Heading | None
    html: Markup


def _render_citation(self, tokens: list[Token], idx: int, options, env: dict) -> str:
    """Render `[^id]` as a numbered link to the reference list below the article."""
    label = tokens[idx].meta["label"]
    number = env["citation_numbers"][label]
    return (
        f'<sup class="cite"><a href="#ref-{escape(label)}" aria-label="Source {number}">[{number}]</a></sup>'
    )


@cache
def _parser() -> MarkdownIt:
    """Build the shared parser once."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": False}).enable(
        ["replacements", "smartquotes"]
    )
    md.use(footnote_plugin).use(anchors_plugin, min_level=2, max_level=3)
    md.add_render_rule("footnote_ref", _render_citation)
    return md


def cited_ids(text: str) -> list[str]:
    """Every citation id used in a Markdown text, in order of appearance."""
    return CITATION.findall(text)


def _tokens(text: str, citation_numbers: dict[str, int]) -> tuple[list[Token], dict]:
    """Parse text with a definition for every known reference, minus the footnote list."""
    definitions = "".join(f"\n\n[^{ref_id}]: ." for ref_id in citation_numbers)
    env: dict = {"citation_numbers": citation_numbers}
    tokens = _parser().parse(text + definitions, env)
    kept: list[Token] = []
    skipping = False
    for token in tokens:
        if token.type == "footnote_block_open":
            skipping = True
        if not skipping:
            kept.append(token)
        if token.type == "footnote_block_close":
            skipping = False
    return kept, env


def render_block(text: str, citation_numbers: dict[str, int]) -> Markup:
    """Render a Markdown block (paragraphs, lists) to safe HTML."""
    tokens, env = _tokens(text, citation_numbers)
    return Markup(_parser().renderer.render(tokens, _parser().options, env))


def render_inline(text: str, citation_numbers: dict[str, int]) -> Markup:
    """Render one line of Markdown without the wrapping paragraph."""
    html = render_block(text, citation_numbers).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def render_sections(text: str, citation_numbers: dict[str, int]) -> list[Section]:
    """Split a body into the intro and one section per h2, each rendered to HTML."""
    tokens, env = _tokens(text, citation_numbers)
    groups: list[tuple[Heading | None, list[Token]]] = [(None, [])]
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            heading = Heading(2, token.attrs.get("id", ""), tokens[i + 1].content)
            groups.append((heading, []))
        groups[-1][1].append(token)
    renderer, options = _parser().renderer, _parser().options
    return [
        Section(heading, Markup(renderer.render(group, options, env)))
        for heading, group in groups
        if heading is not None or group
    ]


def h2_lines(text: str) -> list[tuple[int, int, str]]:
    """Each h2 of a Markdown body as (first line, line after it, text), lines counted from 0."""
    tokens, _ = _tokens(text, {})
    return [
        (token.map[0], token.map[1], tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2" and token.map
    ]


def plain_blocks(text: str) -> list[tuple[str | None, str, bool]]:
    """Each paragraph or list item as plain text: (the h2 above it or None, its text, in a list).

    Citations stay as `[^id]` (no definitions are given, so the parser leaves them as text).
    """
    tokens = _parser().parse(text, {})
    section, blocks, depth = None, [], 0
    for i, token in enumerate(tokens):
        depth += {"list_item_open": 1, "list_item_close": -1}.get(token.type, 0)
        if token.type != "inline":
            continue
        plain = "".join(
            " " if child.type in ("softbreak", "hardbreak") else child.content
            for child in token.children or ()
            if child.type in ("text", "code_inline", "softbreak", "hardbreak")
        )
        if tokens[i - 1].type == "heading_open":
            section = plain if tokens[i - 1].tag == "h2" else section
        else:
            blocks.append((section, plain, depth > 0))
    return blocks


def headings(text: str) -> list[Heading]:
    """The h2 headings of a Markdown body, for the table of contents and validation."""
    tokens, _ = _tokens(text, {})
    return [
        Heading(2, token.attrs.get("id", ""), tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2"
    ]
