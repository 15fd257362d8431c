"""Tests for webapp.articles.readability: offline Flesch-Kincaid grading and Markdown stripping."""

from __future__ import annotations

import socket

import pytest

from webapp.articles.readability import plain_text, reading_grade

EASY = "The cat sat on the mat. It was warm. The sun was out. She ate a bun. Then she went to bed."

DENSE = (
    "Enterochromaffin cells of the gastrointestinal mucosa synthesize "
    "melatonin through sequential enzymatic acetylation and methylation of "
    "serotonin, thereby contributing substantially to circulating "
    "concentrations under postprandial physiological conditions, "
    "independently of pineal photoperiodic regulation."
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to open a network connection fail loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted during readability test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_easy_text_grades_low() -> None:
    assert reading_grade(EASY) < 3


def test_dense_academic_sentence_grades_high() -> None:
    assert reading_grade(DENSE) > 16


def test_grade_orders_texts() -> None:
    assert reading_grade(EASY) < reading_grade(DENSE)


def test_empty_text_is_zero() -> None:
    assert reading_grade("") == 0.0
    assert reading_grade("   \n ") == 0.0


def test_uses_cmu_dictionary_syllables() -> None:
    # "melatonin" has 4 syllables in the CMU dictionary; one long word in a
    # one-word sentence gives 0.39 * 1 + 11.8 * 4 - 15.59 = 32.0.
    assert reading_grade("Melatonin.") == pytest.approx(32.0, abs=0.01)


def test_footnote_markers_are_stripped() -> None:
    out = plain_text("Gut cells make melatonin[^bubenik-2002] after meals[^chen-2011].")
    assert "[^" not in out
    assert "bubenik" not in out
    assert out == "Gut cells make melatonin after meals."


def test_links_keep_text_and_drop_urls() -> None:
    out = plain_text(
        "Read the [CDC sleep page](https://www.cdc.gov/sleep/) or "
        "<https://www.nhs.uk/> or https://medlineplus.gov/ today."
    )
    assert "CDC sleep page" in out
    assert "http" not in out
    assert "cdc.gov" not in out
    assert "nhs.uk" not in out


def test_emphasis_headings_and_lists_are_stripped() -> None:
    md = (
        "## How it works\n\n"
        "This is **bold** and *italic* and `code`.\n\n"
        "- First item\n"
        "- Second item\n\n"
        "> A quote.\n"
    )
    out = plain_text(md)
    for mark in ("#", "*", "`", ">", "- "):
        assert mark not in out
    lines = out.splitlines()
    assert lines[0] == "How it works."
    assert "This is bold and italic and code." in lines
    assert "First item." in lines
    assert "Second item." in lines
    assert "A quote." in lines


def test_paragraph_lines_are_joined() -> None:
    out = plain_text("One short line\nthat wraps onto the next.\n\nNew paragraph.")
    assert out.splitlines() == ["One short line that wraps onto the next.", "New paragraph."]


def test_footnote_definitions_and_html_removed() -> None:
    out = plain_text("Text here.<br>\n\n[^a]: Some source, 2020.")
    assert "<br>" not in out
    assert "[^a]" not in out


def test_markup_does_not_change_grade() -> None:
    md = "Your gut makes **melatonin**[^chen-2011]. It [rises](https://example.org) after meals."
    plain = "Your gut makes melatonin. It rises after meals."
    assert reading_grade(plain_text(md)) == pytest.approx(reading_grade(plain))
