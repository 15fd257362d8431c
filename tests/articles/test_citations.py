"""The reviewers' citation report on a small library: each kind of finding, and none on a clean article."""

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from webapp import create_app
from webapp.articles import citations
from webapp.articles.loader import load_articles

ROOT = Path(__file__).resolve().parents[2]
PICTURES = "images/articles/gut-melatonin-sleep"

CLEAN_BODY = """\
Sleep is how the body recovers each night[^nih-sleep].

## Why sleep matters now

Many adults sleep less than they need[^cdc-sleep]. Adults need 7 or more hours a night[^cdc-sleep].

## What sleep is

Sleep comes in cycles that repeat through the night[^nih-sleep].

## How the body clock works

Light in the morning sets the body clock for the day[^nih-sleep]. People with type 2 diabetes
sleep better with a steady routine.[^cdc-sleep]

## What you can do

Keep the same wake time every day[^cdc-sleep].
"""

FLAWED_BODY = """\
Snoring is common[^lonely-survey]. About 30% of adults snore most nights.

## Why snoring matters now

Loud snoring can be a sign of sleep apnea[^nih-sleep].

## What snoring is

Snoring is the sound of air moving past relaxed tissue in the throat[^nih-sleep].

## How it works

Sleep apnea makes breathing stop and start during sleep[^nih-sleep].

## What you can do

If you wake up with new confusion, go to urgent care the same day[^nih-sleep].
"""


STING = """\
After a sting, get urgent care for a severe allergic reaction[^nih-sleep].

Fainting or a seizure can follow. Seek care the same day for these signs[^nih-sleep].
"""


def article_file(slug: str, body: str, **fields) -> str:
    """The text of a small but valid article file."""
    image = {"src": f"{PICTURES}/hero.svg", "alt": "A drawing.", "width": 1200, "height": 675}
    caption = {**image, "caption": "A drawing of sleep[^nih-sleep]."}
    data = {
        "title": f"About {slug}",
        "description": "A short test article.",
        "published": dt.date(2026, 11, 1),
        "updated": dt.date(2026, 11, 1),
        "reviewed": dt.date(2026, 11, 1),
        "next_review": dt.date(2027, 11, 1),
        "author": {"name": "Healthy Tips Editorial Team"},
        "reviewer": {"name": "Healthy Tips Fact-Check Desk"},
        "tags": ["sleep"],
        "hero": image,
        "gallery": [caption, caption],
        "key_insights": ["Most adults need 7 or more hours of sleep[^cdc-sleep]."],
        "faq": [{"question": f"Is {slug} common?", "answer": "Yes, it is common[^nih-sleep]."}],
        "misconceptions": [{"myth": "Everyone needs 5 hours.", "fact": "Needs differ[^cdc-sleep]."}],
        "applies_to": "Adults.",
        "see_a_doctor": "See a doctor if poor sleep lasts for weeks[^nih-sleep].",
        "final_thoughts": "Sleep well.",
        "cta": f"Read more about {slug} in our newsletter.",
        "references": [
            {
                "id": "nih-sleep",
                "title": "Sleep",
                "publisher": "NIH",
                "year": 2024,
                "url": "https://www.nhlbi.nih.gov/health/sleep",
            },
            {
                "id": "cdc-sleep",
                "title": "About sleep",
                "publisher": "CDC",
                "year": 2024,
                "url": "https://www.cdc.gov/sleep/about/index.html",
            },
        ],  # fmt: skip
        **fields,
    }
    return f"---\n{yaml.safe_dump(data, sort_keys=False)}---\n{body}"


@pytest.fixture
def library(tmp_path) -> Path:
    """A content folder with a clean article and a flawed one."""
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "clean.md").write_text(article_file("clean", CLEAN_BODY), encoding="utf-8")
    flawed = article_file(
        "flawed",
        FLAWED_BODY,
        emergency="**Call 911** if someone has any of these[^nih-sleep]:\n\n"
        "- New confusion, in someone who snores[^nih-sleep].\n- Fainting.\n",
        references=[
            {
                "id": "nih-sleep",
                "title": "Sleep apnea",
                "publisher": "NIH",
                "url": "https://www.nhlbi.nih.gov/health/sleep-apnea",
            },
            {"id": "cdc-sleep", "title": "About sleep", "url": "https://www.cdc.gov/sleep/about/index.html"},
            {"id": "lonely-survey", "title": "A snoring survey", "doi": "10.1000/snore"},
        ],  # fmt: skip
    )
    (folder / "flawed.md").write_text(flawed, encoding="utf-8")
    nobox = article_file(
        "nobox",
        CLEAN_BODY,
        faq=[{"question": "What if a sting swells?", "answer": STING}],
        see_a_doctor="Call your doctor the same day if:\n\n- You have chest pain at night.\n"
        "- Poor sleep lasts for weeks[^nih-sleep].\n\nIf you faint, call 911[^nih-sleep].\n",
    )
    (folder / "nobox.md").write_text(nobox, encoding="utf-8")
    return folder


def reports(folder: Path) -> dict[str, citations.Report]:
    """The report of every article in the folder, by slug (every file must load)."""
    articles, problems = load_articles(folder, ROOT / "static")
    assert problems == []
    return {article.slug: citations.report(article) for article in articles}


def test_a_clean_article_has_no_findings(library):
    assert reports(library)["clean"].findings == ()


def test_each_source_lists_every_sentence_citing_it_with_its_section(library):
    report = reports(library)["clean"]
    by_id = {ref.id: citing for ref, citing in report.citations}
    assert [(s.section, s.field) for s in by_id["nih-sleep"]] == [
        ("Introduction (no heading)", "body"),
        ("What sleep is", "body"),
        ("How the body clock works", "body"),
        ("Common questions: Is clean common?", "faq[0].answer"),
        ("Pictures and diagrams", "gallery[0].caption"),
        ("Pictures and diagrams", "gallery[1].caption"),
        ("When to see a doctor", "see_a_doctor"),
    ]
    why = [s.text for s in by_id["cdc-sleep"] if s.section == "Why sleep matters now"]
    assert why == [
        "Many adults sleep less than they need[^cdc-sleep].",
        "Adults need 7 or more hours a night[^cdc-sleep].",
    ]
    clock = [s.text for s in by_id["cdc-sleep"] if s.section == "How the body clock works"]
    assert clock == [  # a citation after the full stop stays with its sentence
        "People with type 2 diabetes sleep better with a steady routine.[^cdc-sleep]"
    ]


def test_findings_of_each_kind(library):
    findings = {(f.kind, f.sentence.text): f for f in reports(library)["flawed"].findings}
    assert set(findings) == {
        ("cited-once-without-heading", "Snoring is common[^lonely-survey]."),
        ("number-without-citation", "About 30% of adults snore most nights."),
        (
            "emergency-sent-elsewhere",
            "If you wake up with new confusion, go to urgent care the same day[^nih-sleep].",
        ),
    }
    elsewhere = findings[("emergency-sent-elsewhere", next(k[1] for k in findings if "urgent" in k[1]))]
    assert elsewhere.sentence.section == "What you can do"
    assert "'urgent care'" in elsewhere.detail and "'New confusion'" in elsewhere.detail
    assert "'30%'" in findings[("number-without-citation", "About 30% of adults snore most nights.")].detail


def test_always_911_signs_count_without_a_box_and_with_the_lines_they_hang_on(library):
    findings = [(f.sentence.text, f.sentence.lead, f.detail) for f in reports(library)["nobox"].findings]
    assert findings == [
        (
            "After a sting, get urgent care for a severe allergic reaction[^nih-sleep].",
            "",
            "says 'urgent care' about 'severe allergic reaction', which is always a 911 sign",
        ),
        (
            "Seek care the same day for these signs[^nih-sleep].",
            "Fainting or a seizure can follow.",
            "says 'same day' about 'fainting', which is always a 911 sign; 'seizure', which is always a "
            "911 sign (read with 'Fainting or a seizure can follow.')",
        ),
        (
            "You have chest pain at night.",
            "Call your doctor the same day if:",
            "says 'Call your doctor' about 'chest pain', which is always a 911 sign "
            "(read with 'Call your doctor the same day if:')",
        ),
    ]


def test_signs_are_read_from_the_emergency_list_without_who_they_apply_to(library):
    articles, _ = load_articles(library, ROOT / "static")
    (flawed,) = [a for a in articles if a.slug == "flawed"]
    assert [words for words, _ in citations.emergency_signs(flawed)] == ["New confusion", "Fainting"]


@pytest.fixture
def runner(library, tmp_path, static_build_dir):
    """The `flask` command runner of an app serving the small library."""
    app = create_app(
        {
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "CONTENT_DIR": str(library),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "STATIC_BUILD_DIR": str(static_build_dir),
        }
    )
    return app.test_cli_runner()


def test_command_prints_sources_beside_their_sentences_and_the_findings(runner):
    result = runner.invoke(args=["content", "citations"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "clean.md: About clean" in out and "flawed.md: About flawed" in out and "nobox.md" in out
    assert "  [3] lonely-survey: A snoring survey\n      https://doi.org/10.1000/snore\n" in out
    assert "      - Introduction (no heading) (body): Snoring is common[^lonely-survey].\n" in out
    assert "    number-without-citation: Introduction (no heading) (body): states a figure" in out
    assert out.rstrip().endswith("3 articles, 7 sources, 6 sentences to check again.")


def test_command_for_one_article_as_json(runner):
    result = runner.invoke(args=["content", "citations", "flawed", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (article,) = data["articles"]
    assert article["slug"] == "flawed" and data["problems"] == []
    assert [ref["id"] for ref in article["references"]] == ["nih-sleep", "cdc-sleep", "lonely-survey"]
    assert article["references"][2]["citations"] == [
        {
            "field": "body",
            "section": "Introduction (no heading)",
            "sentence": "Snoring is common[^lonely-survey].",
        }
    ]
    assert sorted(f["kind"] for f in article["findings"]) == [
        "cited-once-without-heading",
        "emergency-sent-elsewhere",
        "number-without-citation",
    ]


def test_command_refuses_an_unknown_slug_and_a_bad_format(runner):
    unknown = runner.invoke(args=["content", "citations", "no-such-article"])
    assert unknown.exit_code == 2 and "no article has the slug 'no-such-article'" in unknown.output
    bad = runner.invoke(args=["content", "citations", "--format", "xml"])
    assert bad.exit_code == 2 and "'xml' is not one of 'text', 'json'" in bad.output


def test_check_warns_on_a_question_asked_in_two_articles(runner, library):
    text = (library / "clean.md").read_text().replace("Is clean common?", "is FLAWED common")
    (library / "clean.md").write_text(text)
    result = runner.invoke(args=["content", "check"])
    assert "warning flawed.md: FAQ question 'Is flawed common?' is also asked in clean.md" in result.output
    assert "3 articles checked, 3 problems." in result.output  # the three short reference lists only
