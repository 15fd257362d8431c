"""Markdown rendering: CommonMark, numbered citations, anchored sections."""

from webapp.articles.markdown import cited_ids, headings, render_block, render_inline, render_sections

NUMBERS = {"nih": 1, "cdc": 2}


def test_citations_become_numbered_links_without_a_footnote_list():
    html = render_block("Sleep matters[^cdc]. So does light[^nih][^cdc].", NUMBERS)
    assert '<a href="#ref-cdc" aria-label="Source 2">[2]</a>' in html
    assert '<a href="#ref-nih" aria-label="Source 1">[1]</a>' in html
    assert "footnotes" not in html and "[^" not in html


def test_raw_html_is_escaped():
    html = render_block('Hi <script>alert("x")</script>', {})
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_inline_drops_the_paragraph():
    assert render_inline("Plain *text*", {}) == "Plain <em>text</em>"


def test_sections_split_on_h2_with_anchors():
    sections = render_sections("Intro.\n\n## Why it matters now\n\nBody.\n\n## How it works\n\nMore.", {})
    assert sections[0].heading is None and "Intro." in sections[0].html
    assert [s.heading.anchor for s in sections[1:]] == ["why-it-matters-now", "how-it-works"]
    assert '<h2 id="how-it-works">How it works</h2>' in sections[2].html


def test_headings_and_cited_ids():
    assert [h.text for h in headings("## One\n\ntext\n\n### Sub\n\n## Two")] == ["One", "Two"]
    assert cited_ids("a[^x] b[^y-2] c[^x]") == ["x", "y-2", "x"]
