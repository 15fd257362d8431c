"""Rules across fields: the body's four sections in the editor's words, and the logged history."""

import datetime as dt
from pathlib import Path

import pytest
from article_variants import good_headings, good_text, problems_for, write_fields, write_variant
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.articles.checks import h2_spans
from webapp.articles.loader import load_articles
from webapp.articles.markdown import h2_lines
from webapp.articles.model import Change

STATIC = Path(__file__).resolve().parents[2] / "static"
UPDATED = dt.date(2026, 12, 2)  # the good article's `updated`


@pytest.fixture
def folder(content_copy) -> Path:
    """A content folder holding the shipped, known-good articles."""
    return content_copy


def loaded(folder: Path, name: str):
    """The article a file in the folder loads as (it must load)."""
    articles, problems = load_articles(folder, STATIC)
    assert problems == []
    (article,) = [a for a in articles if a.path == name]
    return article


def test_headings_are_the_editors_words(folder):
    first = good_headings()[0]
    write_variant(folder, "own.md", first, "## A heading nobody prescribed")
    assert problems_for(folder, "own.md") == []


def test_three_sections_are_refused(folder):
    last = good_headings()[3]
    write_variant(folder, "three.md", last, last.removeprefix("## "))
    assert problems_for(folder, "three.md") == [
        "three.md: body: has 3 '## ' sections; it needs exactly 4, in this order: why it matters now, "
        "the context, how it works, what you can do (each heading's words are yours; see content/README.md)"
    ]


def test_a_fifth_section_is_refused(folder):
    last = good_headings()[3]
    write_variant(folder, "five.md", last, f"## One more\n\nText.\n\n{last}")
    (problem,) = problems_for(folder, "five.md")
    assert problem.startswith("five.md: body: has 5 '## ' sections")


def test_a_body_without_intro_is_refused(folder):
    text = good_text()
    front, _, body = text.partition("\n---\n")
    (folder / "no-intro.md").write_text(f"{front}\n---\n{body[body.index('## ') :]}", encoding="utf-8")
    assert problems_for(folder, "no-intro.md") == [
        "no-intro.md: body: needs intro paragraphs before the first '## ' heading"
    ]


def test_an_empty_section_is_refused(folder):
    second, third = good_headings()[1:3]
    text = good_text()
    start, end = text.index(second), text.index(third)
    (folder / "empty.md").write_text(text[:start] + second + "\n\n" + text[end:], encoding="utf-8")
    found = problems_for(folder, "empty.md")
    assert f"empty.md: body: section 2 ({second[3:]!r}) has no text under its heading" in found


def test_history_is_loaded_newest_first(folder):
    changes = [
        {"date": UPDATED, "note": "Corrected the dose advice."},
        {"date": dt.date(2026, 11, 20), "note": "Added a 2025 study."},
    ]
    write_fields(folder, "logged.md", changes=changes)
    assert loaded(folder, "logged.md").changes == (
        Change(UPDATED, "Corrected the dose advice."),
        Change(dt.date(2026, 11, 20), "Added a 2025 study."),
    )


def test_updated_with_no_entry_that_day_is_refused(folder):
    write_fields(folder, "silent.md", changes=[{"date": dt.date(2026, 11, 20), "note": "Added a study."}])
    assert problems_for(folder, "silent.md") == [
        "silent.md: updated: 2026-12-02 has no entry in changes: log what changed that day and why "
        "(- date: YYYY-MM-DD, note: ...)"
    ]


def test_no_history_at_all_is_refused_once_updated(folder):
    write_fields(folder, "none.md", changes=None)
    assert problems_for(folder, "none.md") == [
        "none.md: updated: 2026-12-02 has no entry in changes: log what changed that day and why "
        "(- date: YYYY-MM-DD, note: ...)"
    ]


def test_a_never_updated_article_needs_no_history(folder):
    write_fields(folder, "fresh.md", changes=None, published=UPDATED)
    assert loaded(folder, "fresh.md").changes == ()


def test_entries_out_of_order_are_refused(folder):
    changes = [
        {"date": dt.date(2026, 11, 20), "note": "Added a study."},
        {"date": UPDATED, "note": "Corrected the dose advice."},
    ]
    write_fields(folder, "shuffled.md", changes=changes)
    assert problems_for(folder, "shuffled.md") == [
        "shuffled.md: changes[1]: 2026-12-02 comes after 2026-11-20 above it: list entries newest first"
    ]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"date": "last week", "note": "x"}, "changes[1].date: must be a date (YYYY-MM-DD), got str"),
        ({"date": dt.date(2026, 12, 1)}, "changes[1].note: is required but missing"),
        ({"date": dt.date(2026, 12, 1), "note": " "}, "changes[1].note: is required but missing"),
        ({"date": dt.date(2026, 12, 1), "note": "a\nb"}, "changes[1].note: must be one line"),
        ({"date": dt.date(2026, 12, 1), "note": "x", "by": "me"}, "changes[1].by: is not a known field"),
        ({"date": dt.date(2026, 12, 9), "note": "x"}, "changes[1].date: 2026-12-09 is after updated"),
        ({"date": dt.date(2025, 1, 1), "note": "x"}, "changes[1].date: 2025-01-01 is before published"),
        ("Fixed typos.", "changes[1]: must be a mapping, got str"),
    ],
)
def test_a_bad_entry_is_named(folder, entry, problem):
    write_fields(folder, "bad.md", changes=[{"date": UPDATED, "note": "Corrected."}, entry])
    found = problems_for(folder, "bad.md")
    assert any(p.startswith(f"bad.md: {problem}") for p in found), found


def test_changes_must_be_a_list(folder):
    write_fields(folder, "flat.md", changes="2026-12-02 corrected")
    assert "flat.md: changes: must be a list, got str '2026-12-02 corrected'" in problems_for(
        folder, "flat.md"
    )


TRICKY_LINES = [
    "Some text.", "", "## A heading", "## Closed ##", "### A subheading", "> ## Quoted", "- ## Listed",
    "1. ## Numbered", "    ## Indented four", "  ## Indented two", "##", "## ", "\\## Escaped",
    "C## is a word", "---", "Underlined", "===", "```", "~~~", "<div>", "- item", "  continued", "> quote",
    "#### Deep",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TRICKY_LINES), max_size=14))
def test_the_line_scan_finds_what_the_parser_finds(lines):
    body = "\n".join(lines)
    assert [(start, title) for start, _, title in h2_spans(body)] == [
        (start, title) for start, _, title in h2_lines(body)
    ]
